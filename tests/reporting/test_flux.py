"""The annual flow table on hand-built data: every figure is counted by hand in the test."""

import pytest

from parcours.enums import CategorieSortie as C
from parcours.enums import StatutParcours
from reporting import indicateurs
from reporting.bilan import bilan_annuel
from reporting.flux import FluxIncoherent, Periode, flux_annuel, verifier_invariant
from reporting.selectors import Perimetre
from tests.factories import PlieFactory
from tests.parcours.factories import ParcoursFactory, SortieFactory
from tests.reporting.conftest import D, make_parcours


def perimetre(*plies):
    return Perimetre(frozenset(p.pk for p in plies))


@pytest.fixture
def national(db):
    """The national example's shape (``001`` l.446–470) in small: a stock, entries, exits of
    each kind including a neutralised one, and the edge cases around 31/12."""
    plie = PlieFactory(code="plie-national")
    # Stock on 31/12/2015: 6 parcours entered before 2016 and not exited by then.
    stock = [make_parcours(plie, D(2014, 3, 1)), make_parcours(plie, D(2015, 12, 31))]
    stock += [
        make_parcours(plie, D(2015, 1, 5), D(2016, 1, 1), C.EMPLOI_DURABLE),  # exit on 1 January
        make_parcours(plie, D(2015, 6, 1), D(2016, 6, 30), C.ABANDON),
        make_parcours(plie, D(2015, 6, 1), D(2016, 9, 1), C.NEUTRALISEE),
        make_parcours(plie, D(2015, 2, 1), D(2017, 1, 1), C.ABANDON),  # exits in 2017: still in on 31/12/16
    ]
    # Not in the stock: exited in 2015, including on 31/12/2015 itself.
    make_parcours(plie, D(2014, 1, 1), D(2015, 6, 30), C.EMPLOI_DURABLE)
    make_parcours(plie, D(2015, 1, 1), D(2015, 12, 31), C.ABANDON)
    # Entries in 2016: 5, including on 1 January and on 31 December.
    entrees = [
        make_parcours(plie, D(2016, 1, 1)),
        make_parcours(plie, D(2016, 12, 31)),
        make_parcours(plie, D(2016, 2, 1), D(2016, 12, 31), C.QUALIFIANTE),  # exit on 31 December
        make_parcours(plie, D(2016, 3, 1), D(2016, 10, 1), C.POSITIVE_AUTRE),
        make_parcours(plie, D(2016, 4, 1), D(2016, 11, 15), C.AUTRE),
    ]
    # A job exit still in « suivi dans l'emploi »: no exit date, not an exit yet.
    suivi = make_parcours(plie, D(2016, 5, 1), status=StatutParcours.EN_SUIVI_EMPLOI)
    SortieFactory(parcours=suivi, positive=True, date_sortie=D(2016, 12, 1))
    entrees.append(suivi)
    # A candidate never admitted, a parcours of 2017, another PLIE: counted nowhere.
    ParcoursFactory(participant__plie=plie)
    make_parcours(plie, D(2017, 1, 2))
    make_parcours(PlieFactory(), D(2016, 5, 1), D(2016, 6, 1), C.EMPLOI_DURABLE)
    return plie


def test_national_example_shape(national):
    flux = flux_annuel(perimetre(national), Periode.annee(2016))
    # by hand: stock = 6; entries = 6 (5 + the one in suivi emploi); exits in 2016 =
    # CDI 1/1, abandon 30/6, déménagement 1/9, qualifiante 31/12, contrat aidé 1/10, réorientation
    assert flux == {
        "en_parcours_debut": 6,
        "entrees": 6,
        "en_parcours_annee": 12,
        "sorties_positives": {"total": 3, "emploi_durable": 1, "qualifiante": 1, "autres": 1},
        "sorties_sans_suite": {"total": 3, "abandons": 1, "neutralisees": 1, "autres": 1},
        "en_parcours_fin": 6,  # 12 − 6 exits
        "sorties_par_categorie": {
            "emploi_durable": 1,
            "creation_entreprise": 0,
            "qualifiante": 1,
            "positive_autre": 1,
            "neutralisee": 1,
            "abandon": 1,
            "autre": 1,
            "non_validee": 0,
        },
    }
    assert flux["en_parcours_debut"] + flux["entrees"] - 6 == flux["en_parcours_fin"]


def test_national_example_rates_and_duration(national):
    bilan = bilan_annuel("plie-national", 2016)
    assert bilan["taux"] == {
        "sorties_positives_sur_sorties": 3 / 6,
        "sorties_positives_hors_neutralisees": 3 / 5,
        "sorties_positives_hors_neutralisees_plie": 3 / 5,
        "sorties_positives_sur_entrees": 3 / 6,
        "abandons_sur_sorties": 1 / 6,
    }
    jours = [
        (D(2016, 1, 1) - D(2015, 1, 5)).days,
        (D(2016, 6, 30) - D(2015, 6, 1)).days,
        (D(2016, 9, 1) - D(2015, 6, 1)).days,
        (D(2016, 12, 31) - D(2016, 2, 1)).days,
        (D(2016, 10, 1) - D(2016, 3, 1)).days,
        (D(2016, 11, 15) - D(2016, 4, 1)).days,
    ]
    assert bilan["duree_moyenne_parcours_mois"] == pytest.approx(sum(jours) / 6 / (365.25 / 12))


def test_the_invariant_holds_year_after_year(national):
    previous = None
    for annee in (2014, 2015, 2016, 2017):
        flux = flux_annuel(perimetre(national), Periode.annee(annee))
        sorties = indicateurs.total_sorties(flux)
        assert flux["en_parcours_debut"] + flux["entrees"] - sorties == flux["en_parcours_fin"]
        if previous is not None:
            assert flux["en_parcours_debut"] == previous["en_parcours_fin"]
        previous = flux


def test_the_invariant_holds_month_by_month(national):
    stock = flux_annuel(perimetre(national), Periode.annee(2016))["en_parcours_debut"]
    for mois in range(1, 13):
        flux = flux_annuel(perimetre(national), Periode.mois(2016, mois))
        assert flux["en_parcours_debut"] == stock
        stock = flux["en_parcours_fin"]
    assert stock == 6


def test_an_unvalidated_job_is_never_a_positive_exit(db):
    plie = PlieFactory()
    make_parcours(plie, D(2016, 1, 4), D(2016, 8, 1), C.EMPLOI_DURABLE, validee=False)
    make_parcours(plie, D(2016, 1, 4), D(2016, 8, 1), C.EMPLOI_DURABLE)
    flux = flux_annuel(perimetre(plie), Periode.annee(2016))
    assert flux["sorties_positives"] == {"total": 1, "emploi_durable": 1, "qualifiante": 0, "autres": 0}
    assert flux["sorties_sans_suite"] == {"total": 1, "abandons": 0, "neutralisees": 0, "autres": 1}


def test_an_exit_without_its_sortie_row_is_an_other_exit(db):
    plie = PlieFactory()
    make_parcours(plie, D(2016, 1, 4), D(2016, 8, 1))
    flux = flux_annuel(perimetre(plie), Periode.annee(2016))
    assert flux["sorties_sans_suite"]["autres"] == 1
    assert flux["en_parcours_fin"] == 0


def test_entered_and_exited_the_same_day(db):
    plie = PlieFactory()
    make_parcours(plie, D(2016, 5, 2), D(2016, 5, 2), C.ABANDON)
    flux = flux_annuel(perimetre(plie), Periode.mois(2016, 5))
    assert (flux["en_parcours_debut"], flux["entrees"], flux["en_parcours_fin"]) == (0, 1, 0)
    assert flux["sorties_sans_suite"]["abandons"] == 1


def test_nothing_gives_zeros_and_null_rates(db):
    plie = PlieFactory(code="plie-vide")
    bilan = bilan_annuel(plie, 2016)
    assert bilan["flux"]["en_parcours_annee"] == 0
    assert set(bilan["taux"].values()) == {None}
    assert bilan["duree_moyenne_parcours_mois"] is None
    assert bilan["repartitions"]["sexe"]["F"]["taux_sorties_positives"] is None
    assert bilan["etapes"]["etapes_par_participant"] is None
    assert bilan["etapes"]["accompagnement"]["total"]["entretiens_par_participant_par_mois"] is None


def test_several_plie_are_consolidated(db):
    plie_a, plie_b = PlieFactory(code="plie-x"), PlieFactory(code="plie-y")
    make_parcours(plie_a, D(2016, 1, 4), D(2016, 8, 1), C.EMPLOI_DURABLE)
    make_parcours(plie_b, D(2016, 1, 4))
    bilan = bilan_annuel(["plie-y", "plie-x"], 2016)
    assert bilan["plie"] == ["plie-x", "plie-y"]
    assert bilan["flux"]["entrees"] == 2
    assert bilan["flux"]["en_parcours_fin"] == 1


def test_scope_narrowed_to_a_referent_or_a_prescripteur(db):
    from tests.factories import StructureFactory, UserFactory

    plie = PlieFactory()
    referent, prescripteur = UserFactory(), StructureFactory(kind="prescripteur")
    make_parcours(plie, D(2016, 1, 4), referent=referent)
    make_parcours(
        plie, D(2016, 2, 4), D(2016, 9, 1), C.QUALIFIANTE, referent=referent, prescripteur=prescripteur
    )
    make_parcours(plie, D(2016, 3, 4), prescripteur=prescripteur)
    make_parcours(plie, D(2016, 3, 4))
    periode = Periode.annee(2016)
    assert flux_annuel(Perimetre(frozenset([plie.pk]), referent_id=referent.pk), periode)["entrees"] == 2
    par_prescripteur = flux_annuel(Perimetre(frozenset([plie.pk]), prescripteur_id=prescripteur.pk), periode)
    assert par_prescripteur["entrees"] == 2
    assert par_prescripteur["sorties_positives"]["qualifiante"] == 1


def test_verifier_invariant_refuses_an_inconsistent_table():
    flux = {
        "en_parcours_debut": 10,
        "entrees": 5,
        "sorties_positives": {"total": 2},
        "sorties_sans_suite": {"total": 1},
        "en_parcours_fin": 13,
    }
    with pytest.raises(FluxIncoherent, match="10 \\+ 5 − 3 = 12"):
        verifier_invariant(flux)
    flux["en_parcours_fin"] = 12
    assert verifier_invariant(flux) is flux


def test_a_period_cannot_end_before_it_starts():
    with pytest.raises(ValueError, match="précède"):
        Periode(D(2016, 2, 1), D(2016, 1, 31))


def test_months_of_a_period():
    assert Periode.mois(2016, 2) == Periode(D(2016, 2, 1), D(2016, 2, 29))
    assert Periode.mois(2016, 12) == Periode(D(2016, 12, 1), D(2016, 12, 31))
    assert Periode(D(2016, 1, 15), D(2016, 3, 10)).mois_couverts() == [
        ("2016-01", Periode(D(2016, 1, 15), D(2016, 1, 31))),
        ("2016-02", Periode(D(2016, 2, 1), D(2016, 2, 29))),
        ("2016-03", Periode(D(2016, 3, 1), D(2016, 3, 10))),
    ]
    assert len(Periode.annee(2016).mois_couverts()) == 12
