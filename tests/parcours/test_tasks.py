"""The nightly alert jobs (parcours/tasks.py): one recorded run per (PLIE, day), fan-out, beat."""

import datetime

import time_machine

from parcours.enums import TypeAlerte
from parcours.models import Alerte
from parcours.tasks import ALERTES_TASK, nightly_alertes, refresh_plie_alertes
from plie.celery import app
from plie.core.enums import RunOutcome
from plie.core.models import TaskRun
from tests.parcours.factories import ParcoursFactory

TODAY = datetime.date(2026, 6, 1)


def _late(plie):
    return ParcoursFactory(
        participant__plie=plie, en_parcours=True, dernier_contact=TODAY - datetime.timedelta(40)
    )


def test_a_run_is_recorded_and_safe_to_repeat(world):
    parcours = _late(world.plie_a)
    _late(world.plie_b)
    result = refresh_plie_alertes(world.plie_a.pk, TODAY.isoformat())
    assert result == {"plie_id": world.plie_a.pk, "run_date": "2026-06-01", "rows": 1}
    assert list(Alerte.objects.values_list("parcours_id", "type")) == [(parcours.pk, TypeAlerte.SANS_CONTACT)]
    refresh_plie_alertes(world.plie_a.pk, TODAY.isoformat())
    run = TaskRun.objects.get(task=ALERTES_TASK)
    assert (run.plie, run.run_date, run.rows, run.attempts, run.outcome) == (
        world.plie_a,
        TODAY,
        1,
        2,
        RunOutcome.SUCCESS,
    )
    assert Alerte.objects.count() == 1


@time_machine.travel(datetime.datetime(2026, 6, 1, 2, 0, tzinfo=datetime.UTC), tick=False)
def test_the_nightly_job_fans_out_one_run_per_plie(world):
    _late(world.plie_a)
    _late(world.plie_b)
    _late(world.plie_b)
    assert nightly_alertes() == 3
    rows = dict(TaskRun.objects.filter(task=ALERTES_TASK).values_list("plie__code", "rows"))
    assert rows == {"plie-a": 1, "plie-b": 2, "plie-c": 0}
    assert set(TaskRun.objects.values_list("run_date", flat=True)) == {TODAY}
    for plie in (world.plie_a, world.plie_b):
        assert set(Alerte.objects.filter(plie=plie).values_list("parcours__plie", flat=True)) == {plie.pk}


def test_the_task_acks_late_and_beat_schedules_it():
    assert refresh_plie_alertes.acks_late is True
    entry = app.conf.beat_schedule["alertes-parcours-nocturnes"]
    assert entry["task"] == nightly_alertes.name
    assert entry["task"] in app.tasks
