"""The bilan's raw-SQL floor (``bench/floor_bilan.py``, issue 17) gives the bilan JSON's figures,
section by section, on a varied year: the year of ``test_bilan_requetes`` (exits of every category,
validated or not, parcours entering and leaving in the year, a suspended one, missing situations at
entry, étapes and entretiens at the year's edges, another PLIE) plus FSE operations with enrolments
entering and leaving in the year, their parcours' exits and six-month follow-ups."""

import datetime

import pytest
from django.db import connection

from bench import floor_bilan
from entreprises.models import SuiviSixMois
from operations.models import Operation
from operations.nomenclatures import resultats
from reporting.bilan import bilan_annuel
from tests.factories import ParticipantFactory
from tests.operations.factories import InscriptionFactory, OperationFactory
from tests.operations.test_indicateurs_six_mois import IDENTITE
from tests.reporting.conftest import D
from tests.reporting.test_bilan_requetes import annee  # noqa: F401 (the fixture)

AUJOURD_HUI = D(2017, 2, 15)  # the reporting tests' frozen day


@pytest.fixture
def avec_operations(annee):  # noqa: F811
    plie, marie, parcours = annee
    operation = OperationFactory(plie=plie, code="OP-2016", date_debut=D(2016, 3, 1), date_fin=D(2017, 6, 30))
    OperationFactory(plie=plie, code="OP-2014", date_debut=D(2014, 1, 1), date_fin=D(2015, 12, 31))
    ailleurs = OperationFactory(code="OP-AILLEURS", date_debut=D(2016, 1, 1), date_fin=D(2016, 12, 31))
    for n, un in enumerate(parcours[:12]):
        sortie = un.date_sortie if n % 3 else None
        InscriptionFactory(
            operation=operation,
            participant=un.participant,
            parcours=un,
            complete=n % 2 == 0,
            date_entree=max(un.date_entree, operation.date_debut),
            date_sortie=sortie if sortie and sortie >= operation.date_debut else None,
            sortie_renseignee_le=sortie + datetime.timedelta(days=10 * n) if sortie and n % 4 else None,
            sortie_statut_emploi="1b" if n % 5 else "",
            sortie_recherche_emploi=n % 2 == 1,
            statut_emploi=("1b", "non", "")[n % 3],
        )
        if un.date_sortie and n % 4 != 1:
            SuiviSixMois.objects.create(
                parcours=un,
                situation=("emploi", "inconnu", "independant", "formation")[n % 4],
                situation_amelioree=n % 3 == 2,
                date_releve=un.date_sortie + datetime.timedelta(days=190),
            )
    # left the operation, still in parcours (no follow-up); an enrolment without a parcours
    encore = parcours[-3]
    InscriptionFactory(
        operation=operation,
        participant=encore.participant,
        parcours=encore,
        date_entree=D(2016, 3, 1),
        date_sortie=D(2016, 10, 1),
        sortie_renseignee_le=D(2016, 10, 5),
        sortie_anticipee=True,
    )
    InscriptionFactory(operation=operation, date_entree=D(2016, 4, 1), date_sortie=D(2016, 4, 30))
    # complete entry questionnaires (a French identity), one with a bad phone number
    for n, telephone in enumerate(("0601020304", "0601020304", "12")):
        InscriptionFactory(
            operation=operation,
            complete=True,
            date_entree=D(2016, 5, 2 + n),
            participant=ParticipantFactory(
                plie=plie, date_naissance=D(1985, 3, 14), **{**IDENTITE, "telephone": telephone}
            ),
        )
    InscriptionFactory(operation=ailleurs, date_entree=D(2016, 2, 1), date_sortie=D(2016, 5, 1))
    return plie


def test_the_floor_gives_every_figure_of_the_bilan(avec_operations):
    if connection.vendor != "postgresql":
        pytest.skip("le plancher SQL du bilan est écrit pour PostgreSQL")
    plie = avec_operations
    bilan = bilan_annuel(plie.code, 2016)
    plancher = floor_bilan.chiffres(plie.pk, 2016, AUJOURD_HUI)

    assert plancher["flux"] == bilan["flux"]
    assert plancher["duree_moyenne_parcours_mois"] == bilan["duree_moyenne_parcours_mois"]
    for dimension, valeurs in bilan["repartitions"].items():
        attendu = {
            valeur: {k: v for k, v in chiffres.items() if not k.startswith("taux")}
            for valeur, chiffres in valeurs.items()
        }
        trouve = {
            valeur: chiffres
            for valeur, chiffres in plancher["repartitions"][dimension].items()
            if valeur in attendu or any(chiffres.values())
        }
        zero = dict.fromkeys(("entrees", "sorties", "sorties_positives", "abandons"), 0)
        assert {v: trouve.get(v, zero) for v in attendu} == attendu, dimension
        assert set(trouve) <= set(attendu), dimension

    etapes = bilan["etapes"]
    for cle in ("participants", "etapes", "par_categorie", "categorie_principale"):
        assert plancher["etapes"][cle] == etapes[cle], cle
    accompagnement = etapes["accompagnement"]
    assert plancher["etapes"]["accompagnement"]["par_mois"] == {
        mois: {
            k: v for k, v in chiffres.items() if k not in ("entretiens_par_participant", "part_sans_contact")
        }
        for mois, chiffres in accompagnement["par_mois"].items()
    }
    cles = ("participants_mois", "entretiens", "sans_contact_mois")
    assert plancher["etapes"]["accompagnement"]["total"] == {k: accompagnement["total"][k] for k in cles}
    assert plancher["etapes"]["accompagnement"]["par_referent"] == {
        libelle: {k: chiffres[k] for k in cles}
        for libelle, chiffres in accompagnement["par_referent"].items()
    }
    assert plancher["etapes"]["accompagnement"]["par_mode"] == {
        mode: chiffres["entretiens"] for mode, chiffres in accompagnement["par_mode"].items()
    }

    assert (
        [o["code"] for o in plancher["operations"]] == [o["code"] for o in bilan["operations"]] == ["OP-2016"]
    )
    for floor_op, bilan_op in zip(plancher["operations"], bilan["operations"], strict=True):
        assert floor_op["participants"] == bilan_op["participants"]
        assert floor_op["presents_moyen"] == bilan_op["presents_moyen"]
        operation = Operation.objects.get(code=floor_op["code"])
        table = resultats(operation.nomenclature, floor_op["sorties"], operation)
        assert table["sorties"] == bilan_op["sorties"]
        assert table["classes"] == bilan_op["resultats"]

    fse = bilan["fse"]
    assert plancher["fse"]["entree"] == fse["entree"]
    assert 0 < fse["entree"]["questionnaires_incomplets"] < fse["entree"]["participants"]
    assert plancher["fse"]["sortie"] == fse["sortie"]
    assert plancher["fse"]["long_terme"] == fse["long_terme"]
    assert plancher["fse"]["situations"] == fse["situations"]
    # the data reaches every section (a floor of zeros would prove nothing)
    assert bilan["flux"]["sorties_positives"]["total"] and bilan["flux"]["sorties_sans_suite"]["abandons"]
    assert fse["sortie"]["sorties"] and fse["long_terme"]["suivis_dus"] and fse["long_terme"]["sans_suivi"]
    assert bilan["operations"][0]["sorties"] and accompagnement["total"]["entretiens"]
