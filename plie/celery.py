"""The Celery application.

Without ``REDIS_URL`` the settings make every task run in-process (eager), so the app works with
nothing else running. With it, a worker (``celery -A plie worker``) and the beat scheduler
(``celery -A plie beat``) run the nightly jobs below. Tasks are partitioned per PLIE and
idempotent, so any number of workers on any number of machines can share the work.
"""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "plie.settings")

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
