from django.core.files.base import ContentFile

from parcours.models import ImportParcours
from parcours.tasks_import import run_import_parcours
from participants.models import Participant
from tests.parcours.importation.helpers import csv_bytes, ligne


def _job(world, content=None, **kwargs):
    job = ImportParcours(plie=world.plie_a, nom_original="ancien.csv", created_by=world.admin_a, **kwargs)
    if content is not None:
        job.fichier.save("ancien.csv", ContentFile(content), save=False)
    job.save()
    return job


def test_the_task_imports_and_is_safe_to_run_twice(world):
    job = _job(world, csv_bytes([ligne()]))

    assert run_import_parcours.delay(job.pk).get() == "termine"
    assert run_import_parcours(job.pk) == "termine"  # finished: left alone

    job.refresh_from_db()
    assert (job.status, job.progress, job.lignes, job.compteurs["parcours_crees"]) == ("termine", 100, 1, 1)
    assert job.started_at <= job.finished_at
    assert Participant.objects.count() == 1


def test_a_technical_failure_is_recorded_on_the_job(world, client):
    job = _job(world)  # no file stored

    assert run_import_parcours(job.pk) == "echec"

    job.refresh_from_db()
    assert job.status == "echec" and "rien n'a été importé" in job.message
    client.force_login(world.admin_a)
    from django.urls import reverse

    assert (
        "L'import a échoué." in client.get(reverse("parcours:import_detail", args=[job.pk])).content.decode()
    )
