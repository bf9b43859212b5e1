"""Files on storage, not on a path (issue 17): documents, imports and exports go through
``default_storage``; on an S3-compatible bucket (moto's server on 127.0.0.1, started by the tests)
the web and two real Celery workers share nothing but PostgreSQL, Redis and the bucket."""

import datetime
import io
import subprocess
import sys

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from parcours.models import ImportParcours, Parcours
from participants.models import Document
from plie.core.storage import delete_quietly, store_file, stored_files
from reporting import jobs
from reporting.models import ExportDemande
from tests.conftest import require_postgres_and_redis
from tests.core.test_settings_env import ROOT, clean_environ
from tests.factories import MINIMAL_PDF, ParticipantFactory
from tests.parcours.importation.helpers import csv_bytes, ligne
from tests.services import wait_until, workers

Kind, Status = ExportDemande.Kind, ExportDemande.Status


def media_files(settings):
    root = settings.MEDIA_ROOT
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def bucket_keys(s3_bucket):
    import boto3

    from tests.services import S3_CREDENTIALS, S3_REGION

    client = boto3.client(
        "s3",
        endpoint_url=s3_bucket.endpoint_url,
        region_name=S3_REGION,
        aws_access_key_id=S3_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=S3_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    )
    return sorted(o["Key"] for o in client.list_objects_v2(Bucket=s3_bucket.name).get("Contents", []))


# --- configuration ------------------------------------------------------------------------------


def storage_backend(**environ):
    code = (
        "import django; django.setup(); from django.conf import settings; print(settings.STORAGES['default'])"
    )

    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean_environ(**environ),
        capture_output=True,
        text=True,
        timeout=60,
    )
    return result.stdout.strip() or result.stderr.strip()


def test_local_files_by_default_and_a_bucket_when_one_is_named():
    assert "FileSystemStorage" in storage_backend()
    configured = storage_backend(
        AWS_STORAGE_BUCKET_NAME="plie-prod",
        AWS_S3_ENDPOINT_URL="https://s3.fr-par.scw.cloud",
        AWS_S3_REGION_NAME="fr-par",
        AWS_LOCATION="plie",
    )
    assert "storages.backends.s3.S3Storage" in configured
    for fragment in (
        "'bucket_name': 'plie-prod'",
        "'endpoint_url': 'https://s3.fr-par.scw.cloud'",
        "'region_name': 'fr-par'",
        "'location': 'plie'",
        "'default_acl': None",
        "'file_overwrite': False",
    ):
        assert fragment in configured, configured
    refused = storage_backend(AWS_STORAGE_BUCKET_NAME="b", AWS_S3_ENDPOINT_URL="ftp://x")
    assert "AWS_S3_ENDPOINT_URL invalide" in refused


# --- the helpers, on local files ----------------------------------------------------------------


def test_store_file_replaces_a_leftover_and_stored_files_walks_subdirectories(tmp_path, settings):
    local = tmp_path / "produit.xlsx"
    local.write_bytes(b"complet")
    default_storage.save("exports/1-a.xlsx", ContentFile(b"moitie"))
    default_storage.save("exports/sous/2-b.pdf", ContentFile(b"b"))
    assert store_file(local, "exports/1-a.xlsx") == "exports/1-a.xlsx"
    with default_storage.open("exports/1-a.xlsx") as stored:
        assert stored.read() == b"complet"
    assert sorted(stored_files("exports")) == ["exports/1-a.xlsx", "exports/sous/2-b.pdf"]
    assert stored_files("absent") == []
    delete_quietly("exports/sous/2-b.pdf")
    delete_quietly("exports/sous/2-b.pdf")  # already gone: no error
    assert stored_files("exports") == ["exports/1-a.xlsx"]


def test_housekeeping_deletes_orphan_files_only_once_old(world):
    """A file no job names (a worker killed while storing it) is deleted after the delay; the file
    of a job, and a young orphan, stay."""
    demande = ExportDemande.objects.create(
        user=world.gestionnaire_a,
        kind=Kind.BILAN_XLSX,
        status=Status.DONE,
        finished_at=timezone.now(),
        fichier=default_storage.save("exports/1-bilan.xlsx", ContentFile(b"x")),
    )
    orphelin = default_storage.save("exports/2-bilan.xlsx", ContentFile(b"half"))
    assert jobs.menage()["orphelins"] == 0  # young: may be a job being stored
    later = timezone.now() + datetime.timedelta(hours=jobs.DELAI_INTERRUPTION_HEURES, minutes=1)
    assert jobs.menage(maintenant=later)["orphelins"] == 1
    assert stored_files(jobs.EXPORTS_DIR) == [demande.fichier]
    assert not default_storage.exists(orphelin)


# --- on the bucket, in one process ---------------------------------------------------------------


def test_a_document_is_stored_in_the_bucket_and_served_by_the_scoped_view(client, world, settings, s3_bucket):
    participant = ParticipantFactory(plie=world.plie_a)
    client.force_login(world.referent_a)
    response = client.post(
        reverse("participants:document_upload", args=[participant.pk]),
        {"type": "identite", "fichier": SimpleUploadedFile("CNI.pdf", MINIMAL_PDF)},
    )
    assert response.status_code == 302
    document = Document.objects.get()
    assert bucket_keys(s3_bucket) == [document.fichier.name]
    assert document.fichier.name.startswith(f"documents/{world.plie_a.pk}/")
    assert media_files(settings) == []  # nothing on this machine's disk

    download = client.get(reverse("participants:document_download", args=[document.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == MINIMAL_PDF
    client.force_login(world.referent_b)  # another PLIE: the bucket is never reached
    assert client.get(reverse("participants:document_download", args=[document.pk])).status_code == 404

    client.force_login(world.referent_a)
    with_callbacks = client.post(reverse("participants:document_delete", args=[document.pk]))
    assert with_callbacks.status_code == 302


def test_an_export_lands_in_the_bucket_and_a_missing_file_is_a_404(
    client, world, settings, s3_bucket, django_capture_on_commit_callbacks
):
    client.force_login(world.gestionnaire_a)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("rapports:export_create"), {"kind": "participants_xlsx"})
    demande = ExportDemande.objects.get()
    assert demande.status == Status.DONE, demande.error
    assert bucket_keys(s3_bucket) == [demande.fichier]
    assert media_files(settings) == []
    url = reverse("rapports:export_download", args=[demande.pk])
    workbook = load_workbook(io.BytesIO(b"".join(client.get(url).streaming_content)))
    assert next(workbook["Participants"].iter_rows(values_only=True)) == jobs.ENTETES_PARTICIPANTS

    default_storage.delete(demande.fichier)
    assert client.get(url).status_code == 404
    orphelin = default_storage.save("exports/99-orphelin.xlsx", ContentFile(b"half"))
    later = timezone.now() + datetime.timedelta(hours=jobs.DELAI_INTERRUPTION_HEURES, minutes=1)
    assert jobs.menage(maintenant=later)["orphelins"] == 1
    assert orphelin not in bucket_keys(s3_bucket)


# --- web and two workers on the bucket -----------------------------------------------------------


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_web_and_two_workers_share_only_postgres_redis_and_the_bucket(
    client, world, settings, s3_bucket, tmp_path
):
    """The import file uploaded by the web is read by a worker; the exports produced by the
    workers are downloaded through the web. No process has a file on its own disk."""
    require_postgres_and_redis()
    ParticipantFactory.create_batch(3, plie=world.plie_a)
    with workers(2, tmp_path / "workers", env=s3_bucket.env) as started:
        client.force_login(world.admin_a)
        content = csv_bytes([ligne(), ligne(identifiant="L2", nom="Durand", date_entree="01/01/2025")])
        response = client.post(
            reverse("parcours:import_list"), {"fichier": SimpleUploadedFile("ancien.csv", content)}
        )
        assert response.status_code == 302
        job = ImportParcours.objects.get()
        assert bucket_keys(s3_bucket) == [job.fichier.name]

        def imported():
            job.refresh_from_db()
            return not job.en_cours

        wait_until(imported, timeout=120, message="import non terminé")
        client.force_login(world.gestionnaire_a)
        for _ in range(4):
            client.post(reverse("rapports:export_create"), {"kind": "participants_xlsx"})

        def exported():
            return ExportDemande.objects.exclude(status__in=(Status.PENDING, Status.RUNNING)).count() == 4

        wait_until(exported, timeout=120, message="exports non terminés")
        outputs = [worker.output() for worker in started]
        local = [path for worker in started for path in worker.media_files()]

    assert (job.status, job.compteurs["parcours_crees"]) == ("termine", 2), (job.message, outputs)
    assert Parcours.objects.filter(plie=world.plie_a).count() == 2
    demandes = list(ExportDemande.objects.order_by("pk"))
    assert [d.status for d in demandes] == [Status.DONE] * 4, [d.error for d in demandes]
    assert set(bucket_keys(s3_bucket)) == {job.fichier.name, *(d.fichier for d in demandes)}
    for demande in demandes:
        response = client.get(reverse("rapports:export_download", args=[demande.pk]))
        assert response.status_code == 200
        rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content)))["Participants"].values)
        assert len(rows) == 1 + 5  # 3 participants + the 2 imported
    assert local == [] and media_files(settings) == []
    for output in outputs:
        assert "Traceback" not in output, output
