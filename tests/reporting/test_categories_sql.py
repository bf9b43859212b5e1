"""The public categories computed in SQL (reporting.selectors.avec_categories) agree with the
Python rules of participants.categories on a table of cases, on both databases."""

import pytest

from participants.categories import categories_publiques
from participants.models import SituationEntree
from reporting.selectors import avec_categories, decoder_faits
from tests.factories import PlieFactory, SituationEntreeFactory
from tests.parcours.factories import ParcoursFactory
from tests.reporting.conftest import D, make_parcours

COMPLETE = {
    "statut_emploi": "non",
    "recherche_emploi": True,
    "duree_recherche_mois": 14,
    "niveau_formation": "2b",
    "handicap_reconnu": False,
    "minima_sociaux": True,
    "beneficiaire_rsa": True,
}

CASES = [
    # (date de naissance, date d'entrée, answers of the situation at entry (None: no situation), qpv)
    (D(1990, 6, 1), D(2016, 5, 31), COMPLETE, True),  # 25, the day before the 26th birthday
    (D(1990, 6, 1), D(2016, 6, 1), COMPLETE, False),  # 26 on the day
    (D(1971, 6, 1), D(2016, 5, 31), COMPLETE, None),  # 44
    (D(1971, 6, 1), D(2016, 6, 1), {**COMPLETE, "duree_recherche_mois": 11}, True),  # 45; DELD 11 months
    (D(1961, 6, 1), D(2016, 6, 1), {**COMPLETE, "duree_recherche_mois": 12}, True),  # 55; DELD 12 months
    (D(1962, 6, 1), D(2016, 6, 1), {**COMPLETE, "duree_recherche_mois": None}, False),  # 54; DELD unknown
    (D(1992, 2, 29), D(2018, 2, 28), {**COMPLETE, "recherche_emploi": False}, False),  # 29 Feb: 25
    (D(1992, 2, 29), D(2018, 3, 1), {**COMPLETE, "statut_emploi": "1c"}, False),  # 26; in a job
    (D(1980, 12, 31), D(2016, 1, 1), {**COMPLETE, "statut_emploi": ""}, False),  # Q1 not answered
    (D(1980, 1, 1), D(2016, 1, 1), {**COMPLETE, "recherche_emploi": None}, False),
    (D(1980, 1, 1), D(2016, 1, 1), {**COMPLETE, "minima_sociaux": None, "beneficiaire_rsa": None}, False),
    (D(1980, 1, 1), D(2016, 1, 1), {**COMPLETE, "minima_sociaux": True, "beneficiaire_rsa": False}, False),
    (D(1980, 1, 1), D(2016, 1, 1), {**COMPLETE, "minima_sociaux": True, "beneficiaire_rsa": None}, False),
    (D(1980, 1, 1), D(2016, 1, 1), {**COMPLETE, "minima_sociaux": False}, False),
    (D(1980, 1, 1), D(2016, 1, 1), {**COMPLETE, "handicap_reconnu": True, "niveau_formation": "2d"}, False),
    (D(1980, 1, 1), D(2016, 1, 1), {**COMPLETE, "handicap_reconnu": None, "niveau_formation": ""}, False),
    (D(1980, 1, 1), D(2016, 1, 1), None, None),  # no situation recorded: everything unknown
]


@pytest.mark.parametrize("case", range(len(CASES)))
def test_sql_and_python_agree(db, case):
    naissance, entree, answers, qpv = CASES[case]
    parcours = make_parcours(PlieFactory(), entree, date_naissance=naissance, qpv=qpv, situation=answers)
    situation = SituationEntree.objects.filter(participant=parcours.participant).first()
    expected = categories_publiques(
        date_naissance=naissance, date_entree=entree, situation=situation, qpv=qpv
    )
    row = avec_categories(type(parcours).objects.filter(pk=parcours.pk)).get()
    faits = decoder_faits(row.faits_entree)
    assert row.age_entree == expected.age_entree
    assert faits["deld"] is expected.deld
    assert faits["brsa"] is expected.brsa
    assert faits["th"] is expected.th
    assert row.qpv is expected.qpv
    assert faits["niveau_formation"] == expected.niveau_formation
    tranche_jeune = row.tranche_age == "moins_26"
    tranche_senior = row.tranche_age in ("45_54", "55_plus")
    assert (tranche_jeune, tranche_senior, row.tranche_age == "55_plus") == (
        expected.jeune,
        expected.senior,
        expected.senior_plus_54,
    )


def test_the_situation_of_the_entry_or_the_latest_before_it(db):
    """A participant who re-enters: each parcours reads the situation of its own entry."""
    plie = PlieFactory()
    first = make_parcours(
        plie, D(2014, 3, 1), D(2015, 1, 1), situation={**COMPLETE, "duree_recherche_mois": 3}
    )
    participant = first.participant
    # the second entry has no situation of its own date: the latest before it (2015-06-01) applies
    SituationEntreeFactory(participant=participant, date_entree=D(2015, 6, 1), **COMPLETE)
    SituationEntreeFactory(
        participant=participant, date_entree=D(2017, 1, 1), **{**COMPLETE, "duree_recherche_mois": 1}
    )
    second = ParcoursFactory(participant=participant, status="en_parcours", date_entree=D(2016, 9, 1))
    rows = {row.pk: row for row in avec_categories(type(first).objects.filter(participant=participant))}
    assert decoder_faits(rows[first.pk].faits_entree)["deld"] is False  # 3 months at the first entry
    assert (
        decoder_faits(rows[second.pk].faits_entree)["deld"] is True
    )  # 14 months in the situation of 2015-06-01


@pytest.mark.parametrize(
    ("code", "faits"),
    [
        (None, {"deld": None, "brsa": None, "th": None, "niveau_formation": ""}),
        (0, {"deld": None, "brsa": None, "th": None, "niveau_formation": ""}),
        (2121, {"deld": True, "brsa": False, "th": True, "niveau_formation": "2a"}),
        (1204, {"deld": False, "brsa": True, "th": None, "niveau_formation": "2d"}),
        (12, {"deld": None, "brsa": None, "th": False, "niveau_formation": "2b"}),
    ],
)
def test_decoder_faits(code, faits):
    assert decoder_faits(code) == faits
