import datetime
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

from participants.tasks import PARTICIPANT_COUNT_TASK, count_plie_participants, nightly_participant_count
from plie.celery import app
from plie.core.enums import RunOutcome
from plie.core.models import TaskRun
from plie.core.services import task_run_record
from tests.conftest import require_postgres_and_redis
from tests.factories import ParticipantFactory
from tests.services import queue_environment, sending_to

ROOT = Path(__file__).resolve().parents[2]


def test_count_records_the_run(world, django_assert_num_queries):
    ParticipantFactory.create_batch(3, plie=world.plie_a)
    ParticipantFactory(plie=world.plie_b)
    result = count_plie_participants(world.plie_a.id, "2026-11-24")
    assert result == {"plie_id": world.plie_a.id, "run_date": "2026-11-24", "rows": 3}
    run = TaskRun.objects.get()
    assert (run.task, run.plie, run.run_date) == (
        PARTICIPANT_COUNT_TASK,
        world.plie_a,
        datetime.date(2026, 11, 24),
    )
    assert run.outcome == RunOutcome.SUCCESS
    assert run.rows == 3
    assert run.finished_at >= run.started_at
    assert run.attempts == 1


def test_running_twice_the_same_day_updates_the_same_row(world):
    ParticipantFactory.create_batch(2, plie=world.plie_a)
    count_plie_participants(world.plie_a.id, "2026-11-24")
    ParticipantFactory(plie=world.plie_a)
    count_plie_participants(world.plie_a.id, "2026-11-24")
    run = TaskRun.objects.get()
    assert (run.rows, run.attempts, run.outcome) == (3, 2, RunOutcome.SUCCESS)
    count_plie_participants(world.plie_a.id, "2026-11-25")
    assert TaskRun.objects.count() == 2


def test_nightly_fans_out_one_run_per_plie(world):
    ParticipantFactory.create_batch(2, plie=world.plie_b)
    assert nightly_participant_count("2026-11-24") == 3
    rows = dict(TaskRun.objects.values_list("plie__code", "rows"))
    assert rows == {"plie-a": 0, "plie-b": 2, "plie-c": 0}
    assert set(TaskRun.objects.values_list("outcome", flat=True)) == {RunOutcome.SUCCESS}


def test_a_failing_run_is_recorded_and_reraised(world):
    with (
        pytest.raises(ZeroDivisionError),
        task_run_record(task="essai", plie_id=world.plie_a.id, run_date=datetime.date(2026, 1, 1)),
    ):
        1 / 0  # noqa: B018
    run = TaskRun.objects.get(task="essai")
    assert run.outcome == RunOutcome.FAILURE
    assert run.error == "ZeroDivisionError: division by zero"
    assert run.finished_at is not None


def test_beat_schedules_the_nightly_count():
    entry = app.conf.beat_schedule["comptage-participants-nocturne"]
    assert entry["task"] == nightly_participant_count.name
    assert entry["task"] in app.tasks


def _database_url_of_test_db():
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgres://{s['USER']}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_nightly_count(world):
    """Start `celery -A plie worker` against the real Redis and the test database, on a queue of
    its own, enqueue the nightly fan-out and wait for every PLIE's run to be recorded."""
    require_postgres_and_redis()
    ParticipantFactory.create_batch(3, plie=world.plie_a)
    ParticipantFactory.create_batch(2, plie=world.plie_b)
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DATABASE_URL": _database_url_of_test_db(),
        "CELERY_TASK_ALWAYS_EAGER": "false",
        **queue_environment(queue),
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "plie", "worker", "--pool=solo", "--without-gossip",
         "--without-mingle", "--without-heartbeat", "--loglevel=WARNING", "-Q", queue],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        with sending_to(queue):
            result = nightly_participant_count.delay("2026-11-24")
            assert result.get(timeout=60) == 3
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                done = TaskRun.objects.filter(outcome=RunOutcome.SUCCESS).count()
                if done == 3:
                    break
                time.sleep(0.2)
            rows = dict(TaskRun.objects.filter(outcome=RunOutcome.SUCCESS).values_list("plie__code", "rows"))
            assert rows == {"plie-a": 3, "plie-b": 2, "plie-c": 0}
            direct = count_plie_participants.delay(world.plie_a.id, "2026-11-25")
            assert direct.get(timeout=60) == {"plie_id": world.plie_a.id, "run_date": "2026-11-25", "rows": 3}
    finally:
        worker.terminate()
        output, _ = worker.communicate(timeout=30)
    assert "Traceback" not in output, output
