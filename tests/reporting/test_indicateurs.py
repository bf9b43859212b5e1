"""The rate and duration functions over plain counts (no database)."""

import pytest

from reporting import indicateurs as i


@pytest.mark.parametrize(
    ("numerateur", "denominateur", "expected"),
    [
        (1, 2, 0.5),
        (0, 5, 0.0),
        (3, 3, 1.0),
        (2, 3, 2 / 3),  # not rounded
        (0, 0, None),  # a rate over nothing is unknown, not 0
        (4, 0, None),
        (4, None, None),
    ],
)
def test_taux(numerateur, denominateur, expected):
    assert i.taux(numerateur, denominateur) == expected


# The national figures of 2016 (``001`` l.446–530): 71,045 in stock, 30,373 entries, 12,969
# positive exits, 18,277 exits « sans suite » of which 2,586 neutralised (déménagement, décès,
# retraite), 36 % of them abandons; the published rates are 42 %, 45 % and 43 %.
NATIONAL = {
    "en_parcours_debut": 71045,
    "entrees": 30373,
    "en_parcours_annee": 101418,
    "sorties_positives": {"total": 12969, "emploi_durable": 10021, "qualifiante": 2453, "autres": 495},
    "sorties_sans_suite": {"total": 18277, "abandons": 6580, "neutralisees": 2586, "autres": 9111},
    "en_parcours_fin": 70172,
}


def test_national_rates_side_by_side():
    taux = i.taux_du_flux(NATIONAL)
    assert taux == {
        "sorties_positives_sur_sorties": 12969 / (12969 + 18277),
        "sorties_positives_hors_neutralisees": 12969 / (12969 + 18277 - 2586),
        "sorties_positives_hors_neutralisees_plie": None,  # no PLIE category in the national figures
        "sorties_positives_sur_entrees": 12969 / 30373,
        "abandons_sur_sorties": 6580 / (12969 + 18277),
    }
    # the rounded figures the national report publishes
    assert [round(100 * value) for value in taux.values() if value is not None] == [42, 45, 43, 21]


def test_total_sorties_and_the_national_invariant():
    assert i.total_sorties(NATIONAL) == 31246
    assert NATIONAL["en_parcours_debut"] + NATIONAL["entrees"] - 31246 == NATIONAL["en_parcours_fin"]


@pytest.mark.parametrize(
    ("function", "args", "expected"),
    [
        (i.taux_sorties_positives, (3, 6), 0.5),
        (i.taux_sorties_positives, (0, 0), None),
        (i.taux_sorties_positives_hors_neutralisees, (3, 6, 1), 3 / 5),
        (i.taux_sorties_positives_hors_neutralisees, (0, 2, 2), None),  # only neutralised exits
        (i.taux_sorties_positives_sur_entrees, (3, 4), 0.75),
        (i.taux_sorties_positives_sur_entrees, (3, 0), None),  # exits of older entries, no entry
        (i.taux_abandons, (1, 4), 0.25),
        (i.taux_abandons, (0, 0), None),
        (i.entretiens_par_participant_par_mois, (30, 24), 1.25),
        (i.entretiens_par_participant_par_mois, (0, 0), None),
        (i.part_sans_contact, (3, 12), 0.25),
        (i.part_sans_contact, (0, 0), None),
    ],
)
def test_rates(function, args, expected):
    assert function(*args) == expected


@pytest.mark.parametrize(
    ("total_jours", "sorties", "expected"),
    [
        (0, 0, None),  # nobody exited
        (365 + 366, 2, (365 + 366) / 2 / 30.4375),
        (int(26 * 30.4375 * 10), 10, 26.0),  # the national average: 26 months
        (3 * 365.25, 1, 36.0),
    ],
)
def test_duree_moyenne_mois(total_jours, sorties, expected):
    result = i.duree_moyenne_mois(total_jours, sorties)
    assert result == (None if expected is None else pytest.approx(expected, abs=0.01))


def test_a_month_is_an_average_gregorian_month():
    assert i.JOURS_PAR_MOIS == 30.4375
