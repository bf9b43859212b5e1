"""Per-queue routing (plie/celery.py): exports and imports on the exports queue, beat's jobs and
their fan-out on the nightly queue, anything else on the default queue."""

import uuid

import pytest
from django.conf import settings
from django.test import override_settings

from plie.celery import EXPORTS, NIGHTLY, TASK_QUEUES, app
from tests.conftest import require_postgres_and_redis


def queue_of(name, **options):
    """The queue Celery's router gives a task sent as ``name`` (as ``apply_async`` asks it)."""
    return app.amqp.router.route(options, name, (), {})["queue"].name


def project_tasks():
    app.loader.import_default_modules()
    return sorted(name for name in app.tasks if not name.startswith("celery."))


def test_every_routed_task_exists_and_every_beat_job_is_nightly():
    tasks = project_tasks()
    assert set(TASK_QUEUES) <= set(tasks)
    for job in app.conf.beat_schedule.values():
        assert TASK_QUEUES.get(job["task"]) == NIGHTLY, job["task"]


@pytest.mark.parametrize(
    ("task", "setting"),
    [
        ("reporting.tasks.export_run", "CELERY_QUEUE_EXPORTS"),
        ("parcours.tasks_import.run_import_parcours", "CELERY_QUEUE_EXPORTS"),
        ("reporting.tasks.nightly_consolidation", "CELERY_QUEUE_NIGHTLY"),
        ("reporting.tasks.consolidate_plie", "CELERY_QUEUE_NIGHTLY"),
        ("participants.tasks.count_plie_participants", "CELERY_QUEUE_NIGHTLY"),
        ("rgpd.tasks.conservation_plie", "CELERY_QUEUE_NIGHTLY"),
        ("parcours.tasks.refresh_plie_alertes", "CELERY_QUEUE_NIGHTLY"),
    ],
)
def test_each_kind_goes_to_its_configured_queue(task, setting):
    assert queue_of(task) == getattr(settings, setting)
    with override_settings(**{setting: "ailleurs"}):
        assert queue_of(task) == "ailleurs"
    # an explicit queue wins
    assert queue_of(task, queue="urgent") == "urgent"


def test_the_default_queues():
    assert (settings.CELERY_QUEUE_EXPORTS, settings.CELERY_QUEUE_NIGHTLY) == (EXPORTS, NIGHTLY)
    # a task of no kind stays on the default queue
    assert queue_of("plie.some_other_task") == app.conf.task_default_queue


def test_a_sent_task_lands_in_its_queue():
    """Sent for real (not eager) to Redis: each message is in its kind's list, none elsewhere."""
    require_postgres_and_redis()
    import redis

    from reporting.tasks import export_run, nightly_consolidation

    suffix = uuid.uuid4().hex[:8]
    queues = {"default": f"d-{suffix}", EXPORTS: f"e-{suffix}", NIGHTLY: f"n-{suffix}"}
    client = redis.Redis.from_url(settings.REDIS_URL)
    previous = app.conf.task_always_eager, app.conf.task_default_queue
    app.conf.task_always_eager, app.conf.task_default_queue = False, queues["default"]
    try:
        with override_settings(CELERY_QUEUE_EXPORTS=queues[EXPORTS], CELERY_QUEUE_NIGHTLY=queues[NIGHTLY]):
            export_run.delay(0)
            export_run.delay(1)
            nightly_consolidation.delay()
            app.send_task("plie.some_other_task")
        assert {kind: client.llen(queue) for kind, queue in queues.items()} == {
            "default": 1,
            EXPORTS: 2,
            NIGHTLY: 1,
        }
    finally:
        app.conf.task_always_eager, app.conf.task_default_queue = previous
        client.delete(*queues.values())
