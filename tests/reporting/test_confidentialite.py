"""Small-cell suppression and anonymised référents (reporting/confidentialite.py): the rules on
plain dicts, then what a financeur reads (API, bilan PDF) against what the PLIE reads."""

import pytest
from django.urls import reverse

from plie.core.scoping import scope_for
from reporting.bilan import bilan_annuel
from reporting.confidentialite import (
    NON_COMMUNIQUE,
    agrege_seulement,
    anonymiser_referents,
    masquer,
    masquer_compte,
    pour_scope,
)
from reporting.pdf import render_bilan
from tests.reporting.test_bilan import data_a  # noqa: F401 (fixture)
from tests.reporting.test_pdf import texte

M = "< 5"


@pytest.mark.parametrize(
    ("valeur", "attendu"),
    [(0, 0), (1, M), (4, M), (5, 5), (120, 120), (True, True), (None, None), (0.5, 0.5), ("x", "x")],
)
def test_a_count(valeur, attendu):
    assert masquer_compte(valeur, 5) == attendu


def test_the_threshold_is_a_setting(settings):
    settings.PLIE_SMALL_CELL_THRESHOLD = 10
    assert masquer_compte(7) == "< 10"


@pytest.mark.parametrize(
    ("donnees", "attendu"),
    [
        # nothing small: unchanged
        ({"a": 10, "b": 20, "taux": 0.5}, {"a": 10, "b": 20, "taux": 0.5}),
        # one small among siblings: the smallest other non-zero one goes too (no subtraction)
        ({"total": 12, "a": 3, "b": 9, "c": 0}, {"total": 12, "a": M, "b": M, "c": 0}),
        # two small ones: they protect each other
        ({"total": 30, "a": 2, "b": 3, "c": 25}, {"total": 30, "a": M, "b": M, "c": 25}),
        # a rate beside a masked count is withheld
        ({"sorties": 3, "positives": 0, "t": 0.66}, {"sorties": M, "positives": 0, "t": NON_COMMUNIQUE}),
    ],
)
def test_masking_a_dict(donnees, attendu):
    assert masquer(donnees, 5) == attendu


def test_a_breakdown_is_masked_column_by_column():
    th = {
        "oui": {"entrees": 1, "sorties": 0, "taux_sorties_positives": None},
        "non": {"entrees": 40, "sorties": 12, "taux_sorties_positives": 0.5},
        "inconnu": {"entrees": 6, "sorties": 0, "taux_sorties_positives": None},
    }
    masque = masquer({"th": th}, 5)["th"]
    # 1 person with a disability: « < 5 », and « inconnu » masked too so that 47 − 40 − 6 reveals nothing
    assert [masque[v]["entrees"] for v in ("oui", "non", "inconnu")] == [M, 40, M]
    assert th["oui"]["entrees"] == 1  # pure: the argument is unchanged


def test_the_flow_rates_go_with_their_counts():
    bilan = {"flux": {"entrees": 3, "sorties_positives": {"total": 2}}, "taux": {"sur_entrees": 0.66}}
    assert masquer(bilan, 5)["taux"] == {"sur_entrees": NON_COMMUNIQUE}


def test_referents_are_numbered_without_names_nor_rates():
    bilan = {
        "repartitions": {
            "referent": {
                "Anne Martin": {"entrees": 3, "taux_sorties_positives": 1.0},
                "Zoé Durand": {"entrees": 9, "taux_sorties_positives": 0.2},
                "Sans référent": {"entrees": 1, "taux_sorties_positives": None},
            }
        },
        "etapes": {
            "accompagnement": {"par_referent": {"Anne Martin": {"participants_mois": 30, "part": 0.1}}}
        },
    }
    anonyme = anonymiser_referents(bilan)
    assert anonyme["repartitions"]["referent"] == {
        "Référent 1": {"entrees": 9, "taux_sorties_positives": NON_COMMUNIQUE},  # the biggest caseload first
        "Référent 2": {"entrees": 3, "taux_sorties_positives": NON_COMMUNIQUE},
        "Sans référent": {"entrees": 1, "taux_sorties_positives": NON_COMMUNIQUE},
    }
    assert anonyme["etapes"]["accompagnement"]["par_referent"] == {
        "Référent 2": {"participants_mois": 30, "part": NON_COMMUNIQUE}  # the same number for the same person
    }
    assert "Anne" not in str(anonyme) and "Zoé" not in str(anonyme)


@pytest.mark.parametrize(
    ("persona", "agrege"),
    [("financeur", True), ("referent_a", False), ("gestionnaire_a", False), ("direction_a", False)],
)
def test_who_reads_aggregates_only(world, persona, agrege):
    assert agrege_seulement(scope_for(getattr(world, persona)), [world.plie_a.pk]) is agrege


def test_the_financeur_bilan_pdf_and_api(client, world, data_a):  # noqa: F811
    world.referent_a.first_name, world.referent_a.last_name = "Hortense", "Vasseur"
    world.referent_a.save()
    exact = bilan_annuel(world.plie_a, 2016)
    assert "Hortense Vasseur" in exact["repartitions"]["referent"]  # the PLIE's own bilan names them
    assert pour_scope(exact, scope_for(world.gestionnaire_a), [world.plie_a.pk]) is exact

    financeur = pour_scope(exact, scope_for(world.financeur), [world.plie_a.pk])
    assert set(financeur["repartitions"]["referent"]) <= {"Référent 1", "Sans référent"}
    assert financeur["repartitions"]["th"]["inconnu"]["entrees"] == M  # 3 people, not « 3 »
    pdf, _pages = texte(render_bilan(financeur))
    assert "Vasseur" not in pdf and "Référent 1" in pdf and "< 5" in pdf

    client.force_login(world.financeur)
    body = client.get(reverse("api_bilan_annuel", kwargs={"code": "plie-a", "annee": 2016})).content.decode()
    assert "Vasseur" not in body and '"entrees":3' not in body.replace(" ", "")
