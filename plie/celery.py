"""The Celery application.

Without ``REDIS_URL`` the settings make every task run in-process (eager), so the app works with
nothing else running. With it, a worker (``celery -A plie worker``) and the beat scheduler
(``celery -A plie beat``) run the nightly jobs below. Tasks are partitioned per PLIE and
idempotent, so any number of workers on any number of machines can share the work.

Routing (:func:`route_task`): each task of :data:`TASK_QUEUES` goes to its kind's queue —
``exports`` (the files a user waits for: exports, imports; ``CELERY_QUEUE_EXPORTS``) or
``nightly`` (beat's jobs and their per-PLIE fan-out, the consolidation and reporting;
``CELERY_QUEUE_NIGHTLY``) — and any other task to the default queue (``CELERY_QUEUE``). A worker
listens to one or several of them (``celery -A plie worker -Q exports``); docker-compose.yml
runs one group of workers per queue.
"""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "plie.settings")

EXPORTS = "exports"
NIGHTLY = "nightly"
# Task name -> kind of queue. A task not listed goes to the default queue.
TASK_QUEUES = {
    "reporting.tasks.export_run": EXPORTS,
    "parcours.tasks_import.run_import_parcours": EXPORTS,
    "participants.tasks.nightly_participant_count": NIGHTLY,
    "participants.tasks.count_plie_participants": NIGHTLY,
    "parcours.tasks.nightly_alertes": NIGHTLY,
    "parcours.tasks.refresh_plie_alertes": NIGHTLY,
    "reporting.tasks.nightly_consolidation": NIGHTLY,
    "reporting.tasks.consolidate_plie": NIGHTLY,
    "reporting.tasks.nightly_exports_menage": NIGHTLY,
    "rgpd.tasks.nightly_conservation": NIGHTLY,
    "rgpd.tasks.conservation_plie": NIGHTLY,
}


def queue_names():
    """``{kind: queue}`` as configured now (read at each routing: a test may change them)."""
    from django.conf import settings

    return {EXPORTS: settings.CELERY_QUEUE_EXPORTS, NIGHTLY: settings.CELERY_QUEUE_NIGHTLY}


def route_task(name, args, kwargs, options, task=None, **kw):
    """Celery router (``task_routes``): the queue of ``name``'s kind, ``None`` (the default
    queue) for a task of no kind or when a queue is given explicitly."""
    kind = TASK_QUEUES.get(name)
    if kind is None or options.get("queue"):
        return None
    return {"queue": queue_names()[kind]}


app = Celery("plie")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    "comptage-participants-nocturne": {
        "task": "participants.tasks.nightly_participant_count",
        "schedule": crontab(hour=1, minute=30),
    },
    "alertes-parcours-nocturnes": {
        "task": "parcours.tasks.nightly_alertes",
        "schedule": crontab(hour=2, minute=0),
    },
    "consolidation-nocturne": {
        "task": "reporting.tasks.nightly_consolidation",
        "schedule": crontab(hour=3, minute=0),
    },
    "conservation-rgpd-nocturne": {
        "task": "rgpd.tasks.nightly_conservation",
        "schedule": crontab(hour=4, minute=30),
    },
    "menage-exports": {
        "task": "reporting.tasks.nightly_exports_menage",
        "schedule": crontab(hour=4, minute=0),
    },
}
