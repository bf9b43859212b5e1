"""Retention and anonymisation (``rgpd.services``, ``rgpd.tasks``): what goes, what stays, once
only, per PLIE, and a closed bilan that gives the same figures before and after."""

import datetime

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from operations.models import Inscription
from parcours.enums import CategorieSortie as C
from parcours.models import Entretien, ImportParcours, Parcours
from participants.models import Document, Frein, Participant
from plie.celery import app
from plie.core.enums import JournalAction, RunOutcome
from plie.core.models import AccessLog, TaskRun
from plie.core.scoping import Scope
from reporting.bilan import bilan_annuel
from rgpd import services, tasks
from rgpd.models import Anonymisation, Opposition
from rgpd.selectors import conservation_of, plan
from tests.factories import DocumentFactory, FreinFactory
from tests.operations.factories import InscriptionFactory, OperationFactory
from tests.parcours.factories import EntretienFactory
from tests.reporting.conftest import D, make_parcours

NUIT = D(2034, 3, 1)  # after the 2014–2020 control deadline


@pytest.fixture(autouse=True)
def _frozen_time():
    with time_machine.travel(datetime.datetime(2017, 2, 15, 10, 0, tzinfo=datetime.UTC), tick=False):
        yield


def system(plie):
    return Scope.system(plie.pk, label="conservation des données (tâche nocturne)")


@pytest.fixture
def annee_2016(world):
    """A year of PLIE A: people in, out (positive, abandon, neutralised), in FSE operations,
    with freins, documents, entretiens and free texts; one still in parcours."""
    plie = world.plie_a
    situation = {
        "statut_emploi": "non",
        "recherche_emploi": True,
        "duree_recherche_mois": 20,
        "handicap_reconnu": True,
    }
    operation = OperationFactory(
        plie=plie, code="ACC-2016", date_debut=D(2016, 1, 1), date_fin=D(2016, 12, 31)
    )
    sortis = [
        make_parcours(
            plie,
            D(2015, 5, 4),
            D(2016, 7, 1),
            C.EMPLOI_DURABLE,
            referent=world.referent_a,
            situation=situation,
            date_naissance=D(1990, 2, 15),
            qpv=True,
        ),
        make_parcours(
            plie,
            D(2016, 2, 1),
            D(2016, 10, 3),
            C.ABANDON,
            referent=world.referent_a,
            date_naissance=D(1960, 8, 20),
            sexe="F",
        ),
        make_parcours(
            plie,
            D(2016, 4, 1),
            D(2016, 11, 3),
            C.NEUTRALISEE,
            situation=situation,
            date_naissance=D(1998, 4, 2),
        ),
    ]
    actif = make_parcours(plie, D(2016, 9, 1), referent=world.referent_a, situation=situation)
    for parcours in [*sortis, actif]:
        Parcours.objects.filter(pk=parcours.pk).update(
            projet="Projet de Jeanne", motif_orientation="Orientée par X"
        )
        FreinFactory(participant=parcours.participant, precision="Détail de santé")
        DocumentFactory(participant=parcours.participant)
        EntretienFactory(parcours=parcours, date=parcours.date_entree, notes="Confidences")
        InscriptionFactory(
            operation=operation,
            participant=parcours.participant,
            parcours=parcours,
            date_entree=parcours.date_entree,
            date_sortie=parcours.date_sortie,
            complete=True,
        )
    return {"sortis": [p.participant for p in sortis], "actif": actif.participant}


def test_a_closed_bilan_gives_the_same_figures_after_anonymisation(
    world, annee_2016, django_capture_on_commit_callbacks
):
    avant = bilan_annuel(world.plie_a, 2016)
    assert (avant["flux"]["entrees"], avant["flux"]["sorties_positives"]["total"]) == (3, 1)
    assert avant["fse"] and avant["repartitions"]["tranche_age"]
    with django_capture_on_commit_callbacks(execute=True):
        counts = services.conservation_run(scope=system(world.plie_a), plie_id=world.plie_a.pk, today=NUIT)
    assert counts["anonymises"] == 3
    assert Participant.objects.filter(nom="ANONYME").count() == 3
    assert bilan_annuel(world.plie_a, 2016) == avant


def test_what_goes_and_what_stays(world, annee_2016, django_capture_on_commit_callbacks):
    personne = annee_2016["sortis"][0]
    fichiers = [document.fichier.name for document in personne.documents.all()]
    assert all(default_storage.exists(name) for name in fichiers)
    with django_capture_on_commit_callbacks(execute=True):
        services.conservation_run(scope=system(world.plie_a), plie_id=world.plie_a.pk, today=NUIT)
    personne.refresh_from_db()
    assert (personne.nom, personne.prenom, personne.adresse, personne.telephone, personne.email) == (
        "ANONYME",
        "",
        "",
        "",
        "",
    )
    # the day goes where the age at entry does not depend on it: 15/02/1990 entered 04/05/2015
    assert personne.date_naissance == D(1990, 2, 1)
    assert personne.qpv is True  # statistics stay
    assert not Document.objects.filter(participant=personne).exists()
    assert not any(default_storage.exists(name) for name in fichiers)  # through the storage API
    assert set(Frein.objects.filter(participant=personne).values_list("precision", flat=True)) == {""}
    assert set(Entretien.objects.filter(parcours__participant=personne).values_list("notes", flat=True)) == {
        ""
    }
    parcours = Parcours.objects.get(participant=personne)
    assert (parcours.projet, parcours.motif_orientation, parcours.date_sortie) == ("", "", D(2016, 7, 1))
    assert Inscription.objects.get(participant=personne).beneficiaire_rsa is True  # FSE answers stay
    assert not Participant.history.filter(id=personne.pk).exists()  # history goes with the data
    assert not Parcours.history.filter(participant_id=personne.pk).exists()
    assert (
        AccessLog.objects.filter(participant_id=personne.pk, action=JournalAction.ANONYMISATION).count() == 1
    )
    # the person still in parcours is left whole
    actif = annee_2016["actif"]
    actif.refresh_from_db()
    assert actif.nom != "ANONYME" and actif.documents.exists()


def test_fse_data_are_kept_until_the_control_deadline(world, annee_2016):
    conservation = conservation_of(world.plie_a.pk)
    # two years after 2016 the rule alone would anonymise them, but they have FSE data
    assert (
        services.conservation_run(scope=system(world.plie_a), plie_id=world.plie_a.pk, today=D(2033, 12, 31))[
            "anonymises"
        ]
        == 0
    )
    assert {row["echeance"] for row in plan(world.plie_a.pk, D(2033, 12, 31), conservation)} == {
        D(2034, 1, 1)
    }


def test_the_run_is_idempotent(world, annee_2016):
    scope = system(world.plie_a)
    assert services.conservation_run(scope=scope, plie_id=world.plie_a.pk, today=NUIT)["anonymises"] == 3
    assert services.conservation_run(scope=scope, plie_id=world.plie_a.pk, today=NUIT)["anonymises"] == 0
    assert Anonymisation.objects.count() == 3
    assert AccessLog.objects.filter(action=JournalAction.ANONYMISATION).count() == 3


def test_an_objection_keeps_the_dossier_and_the_notice_period_lists_it(world, annee_2016):
    personne = annee_2016["sortis"][1]
    Opposition.objects.create(
        plie=world.plie_a, participant=personne, motif="Suivi", jusqu_au=NUIT + datetime.timedelta(days=60)
    )
    report = {row["participant_id"]: row["statut"] for row in plan(world.plie_a.pk, D(2033, 12, 15))}
    assert set(report.values()) == {"preavis", "oppose"}  # 17 days before: the notice period
    assert report[personne.pk] == "oppose"
    services.conservation_run(scope=system(world.plie_a), plie_id=world.plie_a.pk, today=NUIT)
    personne.refresh_from_db()
    assert personne.nom != "ANONYME"


def test_the_other_plie_is_untouched(world, annee_2016):
    services.conservation_run(scope=system(world.plie_b), plie_id=world.plie_b.pk, today=NUIT)
    assert not Participant.objects.filter(nom="ANONYME").exists()


def test_import_files_and_error_reports_go_after_30_days(world, settings):
    def job(days_ago):
        with time_machine.travel(timezone.now() - datetime.timedelta(days=days_ago), tick=False):
            job = ImportParcours(
                plie=world.plie_a,
                nom_original="export.csv",
                status=ImportParcours.Status.REJETE,
                erreurs=[{"ligne": 2, "message": "Nom : DUPONT"}],
                nb_erreurs=1,
            )
            job.fichier.save("export.csv", ContentFile(b"nom;prenom\nDUPONT;Jean\n"), save=False)
            job.save()
        return job

    ancien, recent = job(31), job(2)
    chemin = ancien.fichier.name
    assert (
        services.conservation_run(scope=system(world.plie_a), plie_id=world.plie_a.pk, today=NUIT)["imports"]
        == 1
    )
    ancien.refresh_from_db()
    recent.refresh_from_db()
    assert (ancien.fichier.name, ancien.erreurs, ancien.nb_erreurs) == ("", [], 1)
    assert not default_storage.exists(chemin)
    assert recent.fichier and recent.erreurs


def test_the_nightly_task_runs_once_per_plie_and_is_registered(world, annee_2016):
    assert app.conf.beat_schedule["conservation-rgpd-nocturne"]["task"] == "rgpd.tasks.nightly_conservation"
    assert tasks.nightly_conservation(NUIT.isoformat()) == 3  # three PLIE
    runs = TaskRun.objects.filter(task=tasks.CONSERVATION_TASK, run_date=NUIT)
    assert {(run.plie_id, run.outcome) for run in runs} == {
        (world.plie_a.pk, RunOutcome.SUCCESS),
        (world.plie_b.pk, RunOutcome.SUCCESS),
        (world.plie_c.pk, RunOutcome.SUCCESS),
    }
    assert runs.get(plie=world.plie_a).rows == 3
    tasks.conservation_plie(world.plie_a.pk, NUIT.isoformat())  # again: nothing more
    assert Anonymisation.objects.count() == 3


def test_the_command_reports_then_runs(world, annee_2016):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("conservation", "--plie", "plie-a", "--date", "01/03/2034", stdout=out)
    assert "3 dossier(s) à anonymiser, 0 import(s) à nettoyer." in out.getvalue()
    assert not Participant.objects.filter(nom="ANONYME").exists()  # a report changes nothing
    out = StringIO()
    call_command("conservation", "--plie", "plie-a", "--date", "01/03/2034", "--executer", stdout=out)
    assert out.getvalue().startswith("3 dossier(s) anonymisé(s)")
    assert Participant.objects.filter(nom="ANONYME").count() == 3
