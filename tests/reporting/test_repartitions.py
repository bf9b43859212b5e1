"""Breakdowns by public category, référent and prescripteur, with their boundaries."""

import pytest

from parcours.enums import CategorieSortie as C
from reporting.bilan import bilan_annuel
from tests.factories import PlieFactory, StructureFactory, UserFactory
from tests.reporting.conftest import D, make_parcours

ENTREE = D(2016, 6, 1)
SITUATION = {
    "statut_emploi": "non",
    "recherche_emploi": True,
    "duree_recherche_mois": 3,
    "niveau_formation": "2c",
    "handicap_reconnu": False,
    "minima_sociaux": False,
    "beneficiaire_rsa": False,
}


def value(
    entrees=0, sorties=0, sorties_positives=0, abandons=0, taux_sorties_positives=None, taux_abandons=None
):
    return {
        "entrees": entrees,
        "sorties": sorties,
        "sorties_positives": sorties_positives,
        "abandons": abandons,
        "taux_sorties_positives": taux_sorties_positives,
        "taux_abandons": taux_abandons,
    }


@pytest.fixture
def plie(db):
    return PlieFactory(code="plie-rep")


def test_age_bands_at_entry(plie):
    def born(years, days=0):
        """Born ``years`` before the entry date, ``days`` later (so one day short of the birthday)."""
        return D(ENTREE.year - years, ENTREE.month, ENTREE.day + days)

    make_parcours(plie, ENTREE, D(2016, 12, 1), C.EMPLOI_DURABLE, date_naissance=born(26, 1))  # 25
    make_parcours(plie, ENTREE, D(2016, 12, 1), C.ABANDON, date_naissance=born(26))  # 26
    make_parcours(plie, ENTREE, date_naissance=born(45, 1))  # 44
    make_parcours(plie, ENTREE, date_naissance=born(45))  # 45
    make_parcours(plie, ENTREE, D(2016, 12, 1), C.QUALIFIANTE, date_naissance=born(55, 1))  # 54
    make_parcours(plie, ENTREE, D(2016, 12, 1), C.ABANDON, date_naissance=born(55))  # 55
    # today's age does not matter: 25 at an entry of 2014, exited in 2016
    make_parcours(plie, D(2014, 6, 1), D(2016, 3, 1), C.ABANDON, date_naissance=D(1988, 6, 2))
    ages = bilan_annuel(plie, 2016)["repartitions"]["tranche_age"]
    assert ages == {
        "moins_26": value(1, 2, 1, 1, 1 / 2, 1 / 2),
        "26_44": value(2, 1, 0, 1, 0.0, 1.0),
        "45_plus": value(3, 2, 1, 1, 0.5, 0.5),  # 45, 54 and 55
        "plus_54": value(1, 1, 0, 1, 0.0, 1.0),  # 55 only: > 54 overlaps ≥ 45, both are reported
    }


@pytest.mark.parametrize(
    ("mois", "deld"),
    [(11, "non"), (12, "oui"), (None, "inconnu")],
)
def test_deld_boundary(plie, mois, deld):
    make_parcours(plie, ENTREE, situation={**SITUATION, "duree_recherche_mois": mois})
    repartition = bilan_annuel(plie, 2016)["repartitions"]["deld"]
    assert repartition[deld]["entrees"] == 1
    assert sum(v["entrees"] for v in repartition.values()) == 1


def test_every_public_category(plie):
    femme_th = {**SITUATION, "handicap_reconnu": True, "niveau_formation": "2a"}
    homme_rsa = {**SITUATION, "minima_sociaux": True, "beneficiaire_rsa": True, "duree_recherche_mois": 24}
    make_parcours(plie, ENTREE, D(2016, 10, 1), C.EMPLOI_DURABLE, sexe="F", qpv=True, situation=femme_th)
    make_parcours(plie, ENTREE, D(2016, 10, 1), C.ABANDON, sexe="F", qpv=False, situation=femme_th)
    make_parcours(plie, ENTREE, D(2016, 11, 1), C.NEUTRALISEE, sexe="M", qpv=True, situation=homme_rsa)
    make_parcours(plie, ENTREE, sexe="M", qpv=None)  # no situation recorded
    r = bilan_annuel(plie, 2016)["repartitions"]
    assert r["sexe"] == {"F": value(2, 2, 1, 1, 0.5, 0.5), "M": value(2, 1, 0, 0, 0.0, 0.0)}
    assert r["th"] == {
        "oui": value(2, 2, 1, 1, 0.5, 0.5),
        "non": value(1, 1, 0, 0, 0.0, 0.0),
        "inconnu": value(1),
    }
    assert r["brsa"] == {
        "oui": value(1, 1, 0, 0, 0.0, 0.0),
        "non": value(2, 2, 1, 1, 0.5, 0.5),
        "inconnu": value(1),
    }
    assert r["deld"] == {
        "oui": value(1, 1, 0, 0, 0.0, 0.0),
        "non": value(2, 2, 1, 1, 0.5, 0.5),
        "inconnu": value(1),
    }
    assert r["qpv"] == {
        "oui": value(2, 2, 1, 0, 0.5, 0.0),
        "non": value(1, 1, 0, 1, 0.0, 1.0),
        "inconnu": value(1),
    }
    assert r["niveau_formation"] == {
        "2a": value(2, 2, 1, 1, 0.5, 0.5),
        "2b": value(),
        "2c": value(1, 1, 0, 0, 0.0, 0.0),
        "2d": value(),
        "inconnu": value(1),
    }


def test_referent_and_prescripteur(plie):
    marie = UserFactory(first_name="Marie", last_name="Curie")
    homonyme_1 = UserFactory(first_name="Jean", last_name="Martin")
    homonyme_2 = UserFactory(first_name="Jean", last_name="Martin")
    france_travail = StructureFactory(kind="prescripteur", nom="France Travail")
    make_parcours(plie, ENTREE, D(2016, 9, 1), C.EMPLOI_DURABLE, referent=marie, prescripteur=france_travail)
    make_parcours(plie, ENTREE, referent=marie)
    make_parcours(plie, ENTREE, D(2016, 9, 1), C.ABANDON, referent=homonyme_1, prescripteur=france_travail)
    make_parcours(plie, ENTREE, referent=homonyme_2)
    make_parcours(plie, D(2015, 1, 1), referent=homonyme_2)  # in stock, no movement in 2016
    make_parcours(plie, ENTREE)
    r = bilan_annuel(plie, 2016)["repartitions"]
    assert r["referent"] == {
        f"Jean Martin (n° {homonyme_1.pk})": value(1, 1, 0, 1, 0.0, 1.0),
        f"Jean Martin (n° {homonyme_2.pk})": value(1),
        "Marie Curie": value(2, 1, 1, 0, 1.0, 0.0),
        "Sans référent": value(1),
    }
    assert r["prescripteur"] == {
        "France Travail": value(2, 2, 1, 1, 0.5, 0.5),
        "Sans prescripteur": value(3),
    }
