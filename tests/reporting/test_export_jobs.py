"""Long exports as Celery jobs (eager in tests): asking, the file, progress, idempotence, failures,
and scoping (only the requester sees the job; the download re-checks their scope)."""

import datetime
import io
import os
import subprocess
import sys
import uuid

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from parcours.enums import CategorieSortie as C
from plie.celery import app
from plie.core.models import Membership
from plie.core.scoping import scope_for
from plie.core.storage import stored_files
from reporting import jobs
from reporting.models import ExportDemande
from reporting.tasks import export_run
from tests.conftest import require_postgres_and_redis
from tests.core.test_tasks import ROOT, _database_url_of_test_db
from tests.factories import ParticipantFactory
from tests.reporting.conftest import D, make_parcours
from tests.services import queue_environment, sending_to

Kind, Status = ExportDemande.Kind, ExportDemande.Status


@pytest.fixture
def donnees(world):
    make_parcours(world.plie_a, D(2015, 6, 1))
    make_parcours(world.plie_a, D(2016, 2, 1), D(2016, 9, 1), C.EMPLOI_DURABLE, nom="Martin", prenom="Léa")
    make_parcours(world.plie_b, D(2016, 3, 1), nom="Bernard", prenom="Hugo")
    return world


def demander(client, user, captured, **data):
    client.force_login(user)
    with captured(execute=True):
        return client.post(reverse("rapports:export_create"), data)


def fichier(demande):
    """The export's file, read back through the storage (a file object for openpyxl/pypdf)."""
    with default_storage.open(demande.fichier, "rb") as stored:
        return io.BytesIO(stored.read())


def test_a_bilan_xlsx_is_produced_and_downloaded(client, donnees, django_capture_on_commit_callbacks):
    response = demander(
        client,
        donnees.financeur,
        django_capture_on_commit_callbacks,
        kind="bilan_xlsx",
        perimetre=f"plie:{donnees.plie_a.pk}",
        annee=2016,
    )
    demande = ExportDemande.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "rapports:export_detail", args=[demande.pk]
    )
    assert (demande.user, demande.kind, demande.params) == (
        donnees.financeur,
        Kind.BILAN_XLSX,
        {"plie_ids": [donnees.plie_a.pk], "annee": 2016},
    )
    assert (demande.status, demande.progress, demande.error) == (Status.DONE, 100, "")
    assert demande.fichier.startswith("exports/") and default_storage.exists(demande.fichier)
    assert stored_files(jobs.EXPORTS_DIR) == [demande.fichier]  # nothing else left behind

    response = client.get(reverse("rapports:export_download", args=[demande.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="bilan-2016-plie-a.xlsx"')
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    flux = {row[0]: row[1] for row in workbook["Flux annuel"].iter_rows(min_row=2, values_only=True)}
    # the financeur's file: counts under 5 are « < 5 » (reporting.confidentialite)
    assert flux["En parcours au 31/12/2015"] == "< 5"
    assert flux["Entrées en 2016"] == "< 5"
    assert flux["Sorties positives en 2016"] == "< 5"
    assert 1 not in flux.values()


def test_a_bilan_pdf_over_an_oi(client, donnees, django_capture_on_commit_callbacks):
    demander(
        client,
        donnees.oi_user,
        django_capture_on_commit_callbacks,
        kind="bilan_pdf",
        perimetre=f"oi:{donnees.oi.pk}",
        annee=2016,
    )
    demande = ExportDemande.objects.get()
    assert demande.params["plie_ids"] == sorted([donnees.plie_a.pk, donnees.plie_b.pk])
    assert demande.libelle == "Bilan 2016 — PLIE A, PLIE B"
    assert demande.status == Status.DONE, demande.error
    texte = "\n".join(feuille.extract_text() for feuille in PdfReader(fichier(demande)).pages)
    assert "PLIE A" in texte and "PLIE B" in texte
    assert "Entrées en 2016" in texte


def test_the_participants_xlsx_holds_the_visible_participants_only(
    client, donnees, django_capture_on_commit_callbacks
):
    ParticipantFactory(plie=donnees.plie_a, nom="Candidat", prenom="Jean")  # no parcours yet
    demander(client, donnees.gestionnaire_a, django_capture_on_commit_callbacks, kind="participants_xlsx")
    demande = ExportDemande.objects.get()
    assert demande.status == Status.DONE, demande.error
    assert demande.params == {"plie_ids": [donnees.plie_a.pk]}
    sheet = load_workbook(fichier(demande))["Participants"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == jobs.ENTETES_PARTICIPANTS
    assert len(rows) == 1 + 3  # the 2 of PLIE A with a parcours and the candidate; not Bernard (B)
    assert "Bernard" not in {row[1] for row in rows}
    martin = next(row for row in rows if row[1] == "Martin")
    assert martin[0] == "plie-a" and martin[2] == "Léa" and martin[3] == "Femme"
    assert (martin[12], martin[13].date(), martin[14].date()) == ("Sorti", D(2016, 2, 1), D(2016, 9, 1))
    assert sheet.cell(row=rows.index(martin) + 1, column=14).number_format == "dd/mm/yyyy"
    candidat = next(row for row in rows if row[1] == "Candidat")
    assert candidat[12:] == (None, None, None)


def test_the_participants_xlsx_streams_and_reports_progress(donnees, django_assert_num_queries, monkeypatch):
    """The rows come from an iterator (server-side cursor on PostgreSQL) and progress is written
    once per percent at most."""
    for _ in range(5):
        ParticipantFactory(plie=donnees.plie_a)
    demande = ExportDemande.objects.create(
        user=donnees.gestionnaire_a, kind=Kind.PARTICIPANTS_XLSX, params={"plie_ids": [donnees.plie_a.pk]}
    )
    vus = []
    original = jobs._progression
    monkeypatch.setattr(jobs, "_progression", lambda pk, pct: (vus.append(pct), original(pk, pct)))
    demande = jobs.executer(demande.pk)
    assert demande.status == Status.DONE
    assert vus == [14, 28, 42, 57, 71, 85, 95]  # 7 participants in PLIE A
    assert demande.progress == 100


def test_running_a_finished_job_again_does_nothing(donnees, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        demande = jobs.demande_create(
            scope=scope_for(donnees.direction_a),
            kind=Kind.BILAN_XLSX,
            plie_ids=[donnees.plie_a.pk],
            annee=2016,
        )
    demande.refresh_from_db()
    modifie = default_storage.get_modified_time(demande.fichier)
    avant = (demande.status, demande.finished_at, demande.fichier, modifie)
    assert export_run.delay(demande.pk).get() == {"id": demande.pk, "status": "termine"}
    demande.refresh_from_db()
    assert (
        demande.status,
        demande.finished_at,
        demande.fichier,
        default_storage.get_modified_time(demande.fichier),
    ) == avant
    assert stored_files(jobs.EXPORTS_DIR) == [demande.fichier]


def test_a_failed_job_records_its_error_and_can_be_retried(donnees, monkeypatch):
    demande = ExportDemande.objects.create(
        user=donnees.direction_a,
        kind=Kind.BILAN_XLSX,
        params={"plie_ids": [donnees.plie_a.pk], "annee": 2016},
    )

    def panne(demande, chemin):
        chemin.write_bytes(b"half")
        raise OSError("disque plein")

    monkeypatch.setitem(jobs.PRODUCTEURS, Kind.BILAN_XLSX, panne)
    assert export_run.delay(demande.pk).get() == {"id": demande.pk, "status": "echec"}
    demande.refresh_from_db()
    assert (demande.status, demande.error, demande.fichier) == (Status.FAILED, "OSError : disque plein", "")
    assert demande.finished_at is not None
    assert stored_files(jobs.EXPORTS_DIR) == []  # no half file left
    monkeypatch.undo()
    assert export_run.delay(demande.pk).get()["status"] == "termine"
    demande.refresh_from_db()
    assert (demande.status, demande.error, demande.progress) == (Status.DONE, "", 100)


def test_a_failed_job_is_retried_from_its_page(client, donnees, django_capture_on_commit_callbacks):
    demande = ExportDemande.objects.create(
        user=donnees.direction_a,
        kind=Kind.BILAN_XLSX,
        params={"plie_ids": [donnees.plie_a.pk], "annee": 2016},
        status=Status.FAILED,
        error="OSError : disque plein",
    )
    url = reverse("rapports:export_retry", args=[demande.pk])
    client.force_login(donnees.referent_a)  # not theirs
    assert client.post(url).status_code == 404
    client.force_login(donnees.direction_a)
    assert url in client.get(reverse("rapports:export_progress", args=[demande.pk])).content.decode()
    assert client.get(url).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302
    demande.refresh_from_db()
    assert (demande.status, demande.error, demande.progress) == (Status.DONE, "", 100)
    # a job not failed is left alone
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        client.post(url)
    assert callbacks == []


def test_a_job_interrupted_mid_way_completes_when_run_again(donnees):
    """A worker killed while storing leaves the job « en cours » and a partial file; the message
    handed again to a worker (acks_late) replaces it with the whole file."""
    demande = ExportDemande.objects.create(
        user=donnees.gestionnaire_a,
        kind=Kind.PARTICIPANTS_XLSX,
        params={"plie_ids": [donnees.plie_a.pk]},
        libelle="Participants — PLIE A",
        status=Status.RUNNING,
        progress=40,
    )
    partiel = default_storage.save(str(jobs.chemin_fichier(demande)), ContentFile(b"PK interrupted"))
    assert export_run.delay(demande.pk).get()["status"] == "termine"
    demande.refresh_from_db()
    assert (demande.status, demande.progress) == (Status.DONE, 100)
    assert stored_files(jobs.EXPORTS_DIR) == [partiel] == [demande.fichier]
    assert len(list(load_workbook(fichier(demande))["Participants"].iter_rows())) == 1 + 2


def test_a_job_whose_scope_was_lost_fails(donnees):
    """Asked by PLIE A's direction, run after their membership ended: nothing is produced."""
    demande = ExportDemande.objects.create(
        user=donnees.direction_a, kind=Kind.PARTICIPANTS_XLSX, params={"plie_ids": [donnees.plie_a.pk]}
    )
    Membership.objects.filter(user=donnees.direction_a).update(is_active=False)
    demande = jobs.executer(demande.pk)
    assert (demande.status, demande.error) == (
        Status.FAILED,
        "Le périmètre de l'export n'est plus dans vos droits.",
    )
    assert stored_files(jobs.EXPORTS_DIR) == []


def test_another_user_gets_404_on_the_job_and_its_file(client, donnees, django_capture_on_commit_callbacks):
    demander(client, donnees.referent_a, django_capture_on_commit_callbacks, kind="participants_xlsx")
    demande = ExportDemande.objects.get()
    assert demande.status == Status.DONE
    for other in (donnees.animateur_a, donnees.referent_b, donnees.oi_user):
        client.force_login(other)
        for name in ("export_detail", "export_progress", "export_download"):
            assert client.get(reverse(f"rapports:{name}", args=[demande.pk])).status_code == 404, (
                other,
                name,
            )
        assert demande.libelle not in client.get(reverse("rapports:export_list")).content.decode()


def test_the_download_rechecks_the_scope(client, donnees, django_capture_on_commit_callbacks):
    demander(client, donnees.referent_a, django_capture_on_commit_callbacks, kind="participants_xlsx")
    demande = ExportDemande.objects.get()
    response = client.get(reverse("rapports:export_download", args=[demande.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"PK")
    Membership.objects.filter(user=donnees.referent_a).update(is_active=False)
    assert client.get(reverse("rapports:export_download", args=[demande.pk])).status_code == 404


def test_the_progress_partial_polls_until_done(client, donnees, django_assert_num_queries):
    demande = ExportDemande.objects.create(
        user=donnees.direction_a,
        kind=Kind.BILAN_PDF,
        params={"plie_ids": [donnees.plie_a.pk], "annee": 2016},
        libelle="Bilan 2016 — PLIE A",
        status=Status.RUNNING,
        progress=42,
    )
    client.force_login(donnees.direction_a)
    url = reverse("rapports:export_progress", args=[demande.pk])
    # session, user, the job, the scope (the context processor); polled every 2 s: kept cheap
    with django_assert_num_queries(4):
        partial = client.get(url).content.decode()
    assert f'hx-get="{url}"' in partial and 'hx-trigger="load delay:2s"' in partial
    assert 'aria-valuenow="42"' in partial and "42 %" in partial
    html = client.get(reverse("rapports:export_detail", args=[demande.pk])).content.decode()
    assert "Bilan annuel (PDF)" in html and f'hx-get="{url}"' in html

    jobs.executer(demande.pk)
    partial = client.get(url).content.decode()
    assert "hx-get" not in partial
    assert reverse("rapports:export_download", args=[demande.pk]) in partial

    ExportDemande.objects.filter(pk=demande.pk).update(status=Status.FAILED, error="Erreur de test")
    partial = client.get(url).content.decode()
    assert "hx-get" not in partial and "L'export a échoué." in partial and "Erreur de test" in partial


def test_mes_exports_lists_my_jobs_only(client, donnees, django_assert_num_queries):
    for annee in (2015, 2016):
        ExportDemande.objects.create(
            user=donnees.direction_a, kind=Kind.BILAN_XLSX, libelle=f"Bilan {annee} — PLIE A", params={}
        )
    ExportDemande.objects.create(user=donnees.admin_a, kind=Kind.BILAN_XLSX, libelle="Bilan de l'admin")
    client.force_login(donnees.direction_a)
    # session + user, the scope (memberships), count + page of jobs, the form's PLIE (scope cached)
    with django_assert_num_queries(6):
        html = client.get(reverse("rapports:export_list")).content.decode()
    assert "Bilan 2015 — PLIE A" in html and "Bilan 2016 — PLIE A" in html
    assert "Bilan de l" not in html
    assert "2 exports demandés" in html


def test_a_financeur_may_ask_a_bilan_of_its_plie_only(client, donnees, django_capture_on_commit_callbacks):
    client.force_login(donnees.financeur)
    form = client.get(reverse("rapports:export_create")).content.decode()
    assert "participants_xlsx" not in form  # aggregates only
    assert f'value="plie:{donnees.plie_a.pk}"' in form and f'value="plie:{donnees.plie_b.pk}"' not in form

    response = demander(
        client, donnees.financeur, django_capture_on_commit_callbacks, kind="participants_xlsx"
    )
    assert response.status_code == 400
    response = demander(
        client,
        donnees.financeur,
        django_capture_on_commit_callbacks,
        kind="bilan_pdf",
        perimetre=f"plie:{donnees.plie_b.pk}",
        annee=2016,
    )
    assert response.status_code == 400
    assert not ExportDemande.objects.exists()


@pytest.mark.parametrize(
    "data, champ, message",
    [
        ({"kind": "bilan_pdf", "annee": 2016}, "perimetre", "Choisissez un PLIE ou un OI pour le bilan."),
        ({"kind": "bilan_xlsx", "perimetre": "PLIE"}, "annee", "Indiquez l&#x27;année du bilan."),
        ({"kind": "bilan_xlsx", "perimetre": "PLIE", "annee": 1990}, "annee", "supérieure ou égale à 2000"),
        ({"kind": "inconnu"}, "kind", "Sélectionnez un choix valide"),
    ],
)
def test_bad_requests_are_explained(
    client, donnees, django_capture_on_commit_callbacks, data, champ, message
):
    data = {k: (f"plie:{donnees.plie_a.pk}" if v == "PLIE" else v) for k, v in data.items()}
    response = demander(client, donnees.direction_a, django_capture_on_commit_callbacks, **data)
    assert response.status_code == 400
    html = response.content.decode()
    assert f'id="id_{champ}_erreur"' in html and message in html
    assert not ExportDemande.objects.exists()


def test_the_service_refuses_a_plie_out_of_scope(donnees):
    from django.core.exceptions import PermissionDenied, ValidationError

    with pytest.raises(PermissionDenied):
        jobs.demande_create(
            scope=scope_for(donnees.referent_b), kind=Kind.BILAN_PDF, plie_ids=[donnees.plie_a.pk], annee=2016
        )
    with pytest.raises(PermissionDenied):
        jobs.demande_create(scope=scope_for(donnees.financeur), kind=Kind.PARTICIPANTS_XLSX)
    with pytest.raises(ValidationError):
        jobs.demande_create(scope=scope_for(donnees.direction_a), kind="autre")
    assert not ExportDemande.objects.exists()


def test_no_role_gets_403(client, donnees):
    client.force_login(donnees.no_role)
    assert client.get(reverse("rapports:export_list")).status_code == 403
    assert client.post(reverse("rapports:export_create"), {"kind": "bilan_pdf"}).status_code == 403


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_produces_an_export(world):
    """A real `celery -A plie worker` (Redis, the test database, the same MEDIA_ROOT) runs the job."""
    require_postgres_and_redis()
    make_parcours(world.plie_a, D(2016, 2, 1))
    demande = ExportDemande.objects.create(
        user=world.gestionnaire_a, kind=Kind.PARTICIPANTS_XLSX, params={"plie_ids": [world.plie_a.pk]}
    )
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DATABASE_URL": _database_url_of_test_db(),
        "CELERY_TASK_ALWAYS_EAGER": "false",
        **queue_environment(queue),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "plie", "worker", "--pool=solo", "--without-gossip",
         "--without-mingle", "--without-heartbeat", "--loglevel=WARNING", "-Q", queue],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        with sending_to(queue):
            assert export_run.delay(demande.pk).get(timeout=60) == {"id": demande.pk, "status": "termine"}
    finally:
        worker.terminate()
        output, _ = worker.communicate(timeout=30)
    demande.refresh_from_db()
    assert (demande.status, demande.progress) == (Status.DONE, 100)
    assert len(list(load_workbook(fichier(demande))["Participants"].iter_rows())) == 2
    assert "Traceback" not in output, output


# --- nightly housekeeping ----------------------------------------------------------------------


def test_housekeeping_deletes_week_old_exports_and_releases_interrupted_jobs(donnees):
    now = timezone.now()  # frozen: 15/02/2017 10:00 UTC
    user = donnees.gestionnaire_a

    def job(status, **fields):
        return ExportDemande.objects.create(user=user, kind=Kind.BILAN_XLSX, status=status, **fields)

    old = job(
        Status.DONE, finished_at=now - datetime.timedelta(days=7, minutes=1), fichier="exports/1-vieux.xlsx"
    )
    assert default_storage.save(old.fichier, ContentFile(b"x")) == old.fichier
    recent = job(
        Status.DONE, finished_at=now - datetime.timedelta(days=6, hours=23), fichier="exports/2-recent.xlsx"
    )
    old_failure = job(Status.FAILED, finished_at=now - datetime.timedelta(days=8), error="boum")
    stuck = job(Status.RUNNING, started_at=now - datetime.timedelta(hours=6, minutes=1))
    running = job(Status.RUNNING, started_at=now - datetime.timedelta(hours=5))
    ExportDemande.objects.filter(pk=stuck.pk).update(created_at=now - datetime.timedelta(hours=7))
    waiting = job(Status.PENDING)
    ExportDemande.objects.filter(pk=waiting.pk).update(
        created_at=now - datetime.timedelta(hours=6, minutes=1)
    )

    assert jobs.menage() == {"supprimees": 2, "interrompues": 2, "orphelins": 0}
    assert not default_storage.exists(old.fichier)
    remaining = {d.pk: d for d in ExportDemande.objects.all()}
    assert set(remaining) == {recent.pk, stuck.pk, running.pk, waiting.pk}
    assert old_failure.pk not in remaining
    for pk in (stuck.pk, waiting.pk):
        assert (remaining[pk].status, remaining[pk].error) == (Status.FAILED, jobs.MESSAGE_INTERROMPU)
        assert remaining[pk].finished_at == now
    assert remaining[running.pk].status == Status.RUNNING
    # idempotent: a second night changes nothing more
    assert jobs.menage() == {"supprimees": 0, "interrompues": 0, "orphelins": 0}


def test_housekeeping_is_scheduled_every_night():
    from reporting.tasks import nightly_exports_menage

    entry = app.conf.beat_schedule["menage-exports"]
    assert entry["task"] == nightly_exports_menage.name
    assert entry["task"] in app.tasks
