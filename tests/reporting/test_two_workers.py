"""Two real Celery workers share the night (issue 17): the consolidation fanned out per PLIE and a
batch of exports are spread over both, and when one is killed mid-task nothing is lost nor done
twice (``task_acks_late`` + ``task_reject_on_worker_lost`` requeue the message; the runs are
upserts keyed by (task, PLIE, day), the exports idempotent).

A task is held mid-way deterministically: the test locks, from its own connection, the row the
task must lock first (the PLIE's ``TaskRun``, the export's job), so the task waits in PostgreSQL
until the test kills the process running it (found through Celery's remote control)."""

import datetime
import os
import re
import signal

import psycopg2
import pytest
from django.utils import timezone

from plie.core.enums import RunOutcome
from plie.core.models import TaskRun
from reporting.models import ExportDemande, SnapshotPlie
from reporting.tasks import CONSOLIDATION_TASK, consolidate_plie, export_run, nightly_consolidation
from tests.conftest import require_postgres_and_redis
from tests.factories import ParticipantFactory, PlieFactory
from tests.services import active_tasks, database_url_of_test_db, wait_until, workers

Kind, Status = ExportDemande.Kind, ExportDemande.Status
JOUR = datetime.date(2026, 11, 24)
# The held task waits on a row lock: the workers must not give up on it by themselves.
NO_TIMEOUTS = {"DB_LOCK_TIMEOUT_MS": "0", "DB_STATEMENT_TIMEOUT_MS": "0"}


def succeeded(output, name):
    """The ids of the tasks ``name`` a worker's log says succeeded."""
    return re.findall(rf"Task {re.escape(name)}\[([0-9a-f-]+)\] succeeded", output)


def held(started, name, first_arg):
    """``(task id, worker, pid)`` of the running task ``name`` whose first argument is
    ``first_arg``, else ``None``."""
    for task_id, (worker, pid, task_name, args) in active_tasks(started).items():
        if task_name == name and args and args[0] == first_arg:
            return task_id, worker, pid
    return None


def lock(connection, sql, *params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        assert cursor.fetchone() is not None


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_two_workers_share_the_consolidation_and_exports_and_survive_a_kill(world, s3_bucket, tmp_path):
    require_postgres_and_redis()
    plies = [world.plie_a, world.plie_b, world.plie_c, *PlieFactory.create_batch(3)]
    ParticipantFactory.create_batch(3, plie=world.plie_a)
    ParticipantFactory.create_batch(2, plie=world.plie_b)
    bloquee = plies[1]
    TaskRun.objects.create(task=CONSOLIDATION_TASK, plie=bloquee, run_date=JOUR, started_at=timezone.now())
    demandes = [
        ExportDemande.objects.create(
            user=world.gestionnaire_a,
            kind=Kind.PARTICIPANTS_XLSX,
            params={"plie_ids": [world.plie_a.pk]},
            libelle=f"Participants {numero}",
        )
        for numero in range(5)
    ]
    exports_lot, export_tue = demandes[:4], demandes[4]

    verrou = psycopg2.connect(database_url_of_test_db())
    try:
        with workers(2, tmp_path, env={**s3_bucket.env, **NO_TIMEOUTS}, pool="prefork") as started:
            # 1. The night: one PLIE's run is locked, so one worker is held on it, mid-task…
            lock(
                verrou,
                "SELECT 1 FROM core_taskrun WHERE task = %s AND plie_id = %s AND run_date = %s FOR UPDATE",
                CONSOLIDATION_TASK,
                bloquee.pk,
                JOUR,
            )
            nightly_consolidation.delay(JOUR.isoformat())
            name = "reporting.tasks.consolidate_plie"
            tache, tenant, pid = wait_until(lambda: held(started, name, bloquee.pk), timeout=60)
            [autre] = [w for w in started if w is not tenant]
            # …while the other does every other PLIE and the batch of exports.
            resultats = [export_run.delay(d.pk) for d in exports_lot]
            for resultat in resultats:
                assert resultat.get(timeout=120)["status"] == "termine"
            wait_until(
                lambda: TaskRun.objects.filter(outcome=RunOutcome.SUCCESS).count() == len(plies) - 1,
                timeout=60,
            )
            # 2. The held worker's process is killed mid-task: the message goes back to the queue.
            os.kill(pid, signal.SIGKILL)
            verrou.rollback()
            wait_until(
                lambda: TaskRun.objects.filter(outcome=RunOutcome.SUCCESS).count() == len(plies), timeout=90
            )

            # 3. The same with an export: its job row locked, the worker running it killed.
            lock(verrou, "SELECT 1 FROM reporting_exportdemande WHERE id = %s FOR UPDATE", export_tue.pk)
            dernier = export_run.delay(export_tue.pk)
            _, tenant_export, pid_export = wait_until(
                lambda: held(started, "reporting.tasks.export_run", export_tue.pk), timeout=60
            )
            os.kill(pid_export, signal.SIGKILL)
            verrou.rollback()
            assert dernier.get(timeout=120)["status"] == "termine"
            # A worker logs a task's success, or the loss of its process, just after the result is
            # stored or the message requeued: wait for the lines before reading the logs.
            ids_lot = {r.id for r in resultats}

            def logs_complete():
                outputs = {w: w.output() for w in started}
                every = "".join(outputs.values())
                done = set(succeeded(every, name)) | set(succeeded(every, "reporting.tasks.export_run"))
                lost = "WorkerLostError" in outputs[tenant] and "WorkerLostError" in outputs[tenant_export]
                return outputs if lost and {tache, dernier.id, *ids_lot} <= done else None

            outputs = wait_until(logs_complete, timeout=30, message="journaux des workers incomplets")
    finally:
        verrou.close()

    # Shared: the held worker did none of the exports of the batch, the other did them all.
    assert ids_lot <= set(succeeded(outputs[autre], "reporting.tasks.export_run"))
    assert not ids_lot & set(succeeded(outputs[tenant], "reporting.tasks.export_run"))
    # The kills were seen and the killed tasks ran again to the end, once.
    assert "WorkerLostError" in outputs[tenant] and "WorkerLostError" in outputs[tenant_export]
    assert sum(succeeded(o, name).count(tache) for o in outputs.values()) == 1
    # Nothing done twice, nothing lost: one run per PLIE, run once; one snapshot per PLIE.
    runs = TaskRun.objects.filter(task=CONSOLIDATION_TASK, run_date=JOUR)
    assert sorted(runs.values_list("plie_id", flat=True)) == sorted(p.pk for p in plies)
    assert set(runs.values_list("outcome", "attempts")) == {(RunOutcome.SUCCESS, 1)}
    assert SnapshotPlie.objects.filter(jour=JOUR).count() == len(plies)
    # Every export done, each with its own file, all in the bucket (no worker kept one on disk).
    fichiers = [d.fichier for d in ExportDemande.objects.order_by("pk")]
    assert set(ExportDemande.objects.values_list("status", flat=True)) == {Status.DONE}
    assert len(set(fichiers)) == len(demandes)
    assert all(w.media_files() == [] for w in started)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_whole_worker_killed_mid_task_is_redone_by_the_other(world, tmp_path):
    """The machine dies with the worker (SIGKILL of the whole ``celery worker``, no parent left to
    requeue): the unacknowledged message goes back to the queue after the visibility timeout and
    the surviving worker runs it, once."""
    require_postgres_and_redis()
    bloquee = world.plie_a
    TaskRun.objects.create(task=CONSOLIDATION_TASK, plie=bloquee, run_date=JOUR, started_at=timezone.now())
    env = {**NO_TIMEOUTS, "CELERY_VISIBILITY_TIMEOUT": "4"}
    verrou = psycopg2.connect(database_url_of_test_db())
    try:
        with workers(2, tmp_path, env=env) as started:
            lock(
                verrou,
                "SELECT 1 FROM core_taskrun WHERE task = %s AND plie_id = %s AND run_date = %s FOR UPDATE",
                CONSOLIDATION_TASK,
                bloquee.pk,
                JOUR,
            )
            name = "reporting.tasks.consolidate_plie"
            resultat = consolidate_plie.delay(bloquee.pk, JOUR.isoformat())
            # a solo worker busy in its task answers no remote control: its log says who took it
            tenant = wait_until(
                lambda: next((w for w in started if f"[{resultat.id}] received" in w.output()), None),
                timeout=60,
            )
            [autre] = [w for w in started if w is not tenant]
            tenant.kill()
            verrou.rollback()
            assert resultat.get(timeout=90)["plie_id"] == bloquee.pk
            wait_until(lambda: resultat.id in succeeded(autre.output(), name), timeout=30)
            outputs = {w: w.output() for w in started}
    finally:
        verrou.close()
    assert resultat.id in succeeded(outputs[autre], name)
    assert resultat.id not in succeeded(outputs[tenant], name)
    run = TaskRun.objects.get(task=CONSOLIDATION_TASK, plie=bloquee, run_date=JOUR)
    assert (run.outcome, run.attempts) == (RunOutcome.SUCCESS, 1)
    assert SnapshotPlie.objects.filter(plie=bloquee, jour=JOUR).count() == 1


def test_the_celery_settings_requeue_a_task_whose_worker_died(settings):
    """What the test above relies on, pinned: acknowledged after the task, requeued when its
    process dies, one message reserved at a time (a busy worker leaves the rest to the others)."""
    assert settings.CELERY_TASK_ACKS_LATE is True
    assert settings.CELERY_TASK_REJECT_ON_WORKER_LOST is True
    assert settings.CELERY_WORKER_PREFETCH_MULTIPLIER == 1
    # a message of a worker gone with its machine comes back after 2 h, looked for every 10 s
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS == {
        "visibility_timeout": 7200,
        "unacked_restore_interval": 10,
        "unacked_restore_throttle": 1,
    }
