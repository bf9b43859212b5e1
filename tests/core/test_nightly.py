"""The nightly jobs in the embedded default (plie/core/nightly.py): run in-process in the beat
order, recorded, run by ``manage.py taches_nocturnes`` and by runserver's scheduler thread once
due, started only in runserver's serving process without Redis."""

import datetime
import io
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from parcours.enums import TypeAlerte
from parcours.models import Alerte
from plie.core import nightly
from plie.core.enums import RunOutcome
from plie.core.models import TaskRun
from tests.parcours.factories import ParcoursFactory

PARIS = ZoneInfo("Europe/Paris")
TODAY = datetime.date(2026, 6, 1)


def at(day, hour, minute=0):
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=PARIS)


def late(plie):
    """A parcours 40 days without contact on :data:`TODAY`."""
    return ParcoursFactory(
        participant__plie=plie, en_parcours=True, dernier_contact=TODAY - datetime.timedelta(40)
    )


def test_the_entries_run_in_their_order_of_the_night():
    assert [name for name, _ in nightly.nightly_entries()] == [
        "comptage-participants-nocturne",
        "alertes-parcours-nocturnes",
        "consolidation-nocturne",
        "menage-exports",
        "conservation-rgpd-nocturne",
    ]


def test_a_night_runs_every_job_for_its_day_and_is_recorded(world):
    parcours = late(world.plie_a)
    assert nightly.night_due(TODAY)
    names = nightly.run_nightly_jobs(TODAY)
    assert len(names) == 5
    assert list(Alerte.objects.values_list("parcours_id", "type", "computed_on")) == [
        (parcours.pk, TypeAlerte.SANS_CONTACT, TODAY)
    ]
    night = TaskRun.objects.get(task=nightly.NIGHT_TASK)
    assert (night.plie, night.run_date, night.rows, night.outcome) == (None, TODAY, 5, RunOutcome.SUCCESS)
    # each job recorded its per-PLIE runs of that day, as under beat
    tasks = set(TaskRun.objects.filter(plie=world.plie_a, run_date=TODAY).values_list("task", flat=True))
    assert tasks == {"comptage_participants", "alertes_parcours", "consolidation", "conservation_rgpd"}
    assert nightly.last_night() == TODAY
    assert not nightly.night_due(TODAY)
    assert nightly.night_due(TODAY + datetime.timedelta(days=1))


def test_the_command_runs_the_night_when_due_only(world):
    late(world.plie_a)
    out = io.StringIO()
    call_command("taches_nocturnes", "--si-en-retard", "--date", "01/06/2026", stdout=out)
    assert "Tâches nocturnes du 01/06/2026 (dernière exécution : aucune)" in out.getvalue()
    assert "5 tâches exécutées" in out.getvalue()
    out = io.StringIO()
    call_command("taches_nocturnes", "--si-en-retard", "--date", "01/06/2026", stdout=out)
    assert out.getvalue().strip() == "Tâches nocturnes : déjà exécutées le 01/06/2026."
    assert TaskRun.objects.get(task=nightly.NIGHT_TASK).attempts == 1


def test_the_command_leaves_the_night_to_beat_with_redis(world, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    out = io.StringIO()
    call_command("taches_nocturnes", "--si-en-retard", stdout=out)
    assert "Celery beat" in out.getvalue()
    assert not TaskRun.objects.exists()


def test_the_scheduler_runs_the_night_once_past_one_oclock(world):
    late(world.plie_a)
    scheduler = nightly.EmbeddedScheduler()
    assert scheduler.tick(at(TODAY, 0, 50)) is False  # before the night's hour
    assert not Alerte.objects.exists()
    assert scheduler.tick(at(TODAY, 1, 10)) is True
    assert Alerte.objects.filter(computed_on=TODAY).count() == 1
    assert scheduler.tick(at(TODAY, 9, 0)) is False  # once a day
    assert TaskRun.objects.get(task=nightly.NIGHT_TASK).attempts == 1
    # the next day, once more
    assert scheduler.tick(at(TODAY + datetime.timedelta(days=1), 2, 0)) is True
    assert nightly.last_night() == TODAY + datetime.timedelta(days=1)


@pytest.mark.parametrize(
    ("argv", "environ", "eager", "wanted"),
    [
        (["manage.py", "runserver", "127.0.0.1:8000"], {"RUN_MAIN": "true"}, True, True),
        (["manage.py", "runserver", "--noreload"], {}, True, True),
        (["manage.py", "runserver"], {}, True, False),  # the autoreloader's parent: its child runs it
        (["manage.py", "runserver"], {"RUN_MAIN": "true"}, False, False),  # Redis: beat does it
        (["manage.py", "migrate"], {"RUN_MAIN": "true"}, True, False),
        (["pytest"], {}, True, False),
    ],
)
def test_the_scheduler_starts_in_runserver_without_redis_only(settings, argv, environ, eager, wanted):
    settings.CELERY_TASK_ALWAYS_EAGER = eager
    assert nightly.embedded_scheduler_wanted(argv, environ) is wanted
