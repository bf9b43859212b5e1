"""Steps and the intensity of accompaniment of the bilan, on a hand-built year."""

import pytest

from parcours.enums import CategorieEtape as E
from parcours.enums import CategorieSortie as C
from parcours.enums import ModeEntretien as M
from reporting.bilan import bilan_annuel
from tests.factories import PlieFactory, UserFactory
from tests.parcours.factories import EntretienFactory, EtapeFactory, ParcoursFactory, TypeEtapeFactory
from tests.reporting.conftest import D, make_parcours


def etape(parcours, categorie, debut, fin=None):
    return EtapeFactory(
        parcours=parcours,
        type=TypeEtapeFactory(code=f"test-{categorie}", categorie=categorie),
        date_debut=debut,
        date_fin=fin,
    )


def entretien(parcours, date, mode=M.INDIVIDUEL):
    return EntretienFactory(parcours=parcours, date=date, mode=mode)


@pytest.fixture
def year(db):
    plie = PlieFactory(code="plie-etapes")
    marie, paul = (
        UserFactory(first_name="Marie", last_name="Curie"),
        UserFactory(first_name="Paul", last_name="Eluard"),
    )
    # P1: in parcours all year; three étapes in 2016 (one started in 2015), one over before 2016
    p1 = make_parcours(plie, D(2015, 10, 1), referent=marie)
    etape(p1, E.MOBILISATION, D(2015, 10, 1), D(2015, 10, 31))  # over before 2016: not counted
    etape(p1, E.MOBILISATION, D(2015, 11, 1), D(2016, 2, 29))  # 59 days in 2016
    etape(p1, E.FORMATION_QUALIFIANTE, D(2016, 3, 1), D(2016, 9, 30))  # 213 days: the main one
    etape(p1, E.EMPLOI_PARCOURS, D(2016, 10, 15))  # still running: 77 days
    entretien(p1, D(2015, 12, 1))  # before the period
    entretien(p1, D(2016, 1, 10))
    entretien(p1, D(2016, 1, 20), M.TELEPHONE)
    entretien(p1, D(2016, 3, 5))
    # P2: from 1 March to 30 June (abandon); one étape; entretiens before entry and after exit don't count
    p2 = make_parcours(plie, D(2016, 3, 1), D(2016, 6, 30), C.ABANDON, referent=marie)
    etape(p2, E.IMMERSION, D(2016, 4, 1), D(2016, 4, 15))
    entretien(p2, D(2016, 2, 15))  # diagnostic before admission
    entretien(p2, D(2016, 3, 1), M.VISIO)  # the day of entry
    entretien(p2, D(2016, 6, 30), M.COLLECTIF)  # the day of exit
    entretien(p2, D(2016, 7, 15))  # after exit
    # P3: entered in November, no étape, no entretien
    make_parcours(plie, D(2016, 11, 1), referent=paul)
    # Not in parcours in 2016: a candidate, a parcours exited on 31/12/2015
    candidat = ParcoursFactory(participant__plie=plie)
    etape(candidat, E.MOBILISATION, D(2016, 1, 1))
    entretien(candidat, D(2016, 1, 5))
    ancien = make_parcours(plie, D(2015, 1, 1), D(2015, 12, 31), C.ABANDON, referent=paul)
    etape(ancien, E.SIAE, D(2015, 12, 1))
    return plie


def test_steps(year):
    etapes = bilan_annuel(year, 2016)["etapes"]
    assert etapes["participants"] == 3
    assert etapes["etapes"] == 4
    assert etapes["etapes_par_participant"] == 4 / 3
    assert etapes["participants_avec_etape"] == 2
    assert {k: v for k, v in etapes["par_categorie"].items() if v["etapes"]} == {
        E.MOBILISATION: {"etapes": 1, "debutees": 0, "participants": 1},
        E.FORMATION_QUALIFIANTE: {"etapes": 1, "debutees": 1, "participants": 1},
        E.EMPLOI_PARCOURS: {"etapes": 1, "debutees": 1, "participants": 1},
        E.IMMERSION: {"etapes": 1, "debutees": 1, "participants": 1},
    }
    assert {k: v for k, v in etapes["categorie_principale"].items() if v} == {
        E.FORMATION_QUALIFIANTE: 1,
        E.IMMERSION: 1,
        "sans_etape": 1,
    }
    assert etapes["emplois"] == {"emplois_de_parcours": 1, "emplois_durables": 0}


def test_intensity_of_accompaniment(year):
    accompagnement = bilan_annuel(year, 2016)["etapes"]["accompagnement"]
    # participants in parcours each month: P1 all year, P2 March–June, P3 November–December
    participants = [1, 1, 2, 2, 2, 2, 1, 1, 1, 1, 2, 2]
    entretiens = [2, 0, 2, 0, 0, 1, 0, 0, 0, 0, 0, 0]
    rencontres = [1, 0, 2, 0, 0, 1, 0, 0, 0, 0, 0, 0]
    par_mois = accompagnement["par_mois"]
    assert list(par_mois) == [f"2016-{m:02}" for m in range(1, 13)]
    for (cle, valeur), p, e, r in zip(par_mois.items(), participants, entretiens, rencontres, strict=True):
        assert valeur == {
            "participants": p,
            "entretiens": e,
            "entretiens_par_participant": e / p,
            "sans_contact": p - r,
            "part_sans_contact": (p - r) / p,
        }, cle
    assert accompagnement["total"] == {
        "participants_mois": 18,
        "entretiens": 5,
        "entretiens_par_participant_par_mois": 5 / 18,
        "sans_contact_mois": 14,
        "part_sans_contact": 14 / 18,
    }
    assert accompagnement["par_referent"] == {
        "Marie Curie": {
            "participants_mois": 16,  # P1 12 months + P2 4 months
            "entretiens": 5,
            "entretiens_par_participant_par_mois": 5 / 16,
            "sans_contact_mois": 12,
            "part_sans_contact": 12 / 16,
        },
        "Paul Eluard": {
            "participants_mois": 2,
            "entretiens": 0,
            "entretiens_par_participant_par_mois": 0.0,
            "sans_contact_mois": 2,
            "part_sans_contact": 1.0,
        },
    }
    assert {mode: v["entretiens"] for mode, v in accompagnement["par_mode"].items()} == {
        M.INDIVIDUEL: 2,
        M.TELEPHONE: 1,
        M.VISIO: 1,
        M.COLLECTIF: 1,
        M.VISITE_ENTREPRISE: 0,
    }
    assert accompagnement["par_mode"][M.INDIVIDUEL]["entretiens_par_participant_par_mois"] == 2 / 18


@pytest.mark.parametrize("narrow", ["plie", "referent", "prescripteur", "mois"])
def test_the_postgresql_entretiens_rows_are_the_orm_rows(year, narrow):
    """The bilan's entretiens per (référent, month) read parcours by parcours on PostgreSQL
    (reporting.flux.intensite_entretiens_postgresql) give exactly the ORM's rows, rolled up."""
    from django.db import connection

    from parcours.models import Parcours
    from reporting import flux
    from reporting.selectors import Perimetre

    if connection.vendor != "postgresql":
        pytest.skip("la requête PostgreSQL ne tourne que sur PostgreSQL (le chemin ORM est testé partout)")
    parcours = Parcours.objects.filter(plie=year).exclude(referent=None).order_by("pk").first()
    perimetre = Perimetre(
        frozenset([year.pk]),
        referent_id=parcours.referent_id if narrow == "referent" else None,
        prescripteur_id=parcours.prescripteur_id if narrow == "prescripteur" else None,
    )
    periode = flux.Periode.mois(2016, 3) if narrow == "mois" else flux.Periode.annee(2016)
    orm = flux.lignes_entretiens_orm(perimetre, periode)
    assert orm  # the fixture's year has entretiens
    rolled_up = flux.intensite_depuis_lignes(periode, orm)
    assert flux.intensite_entretiens_postgresql(perimetre, periode, connection) == rolled_up
    assert flux.intensite_entretiens(perimetre, periode) == rolled_up
