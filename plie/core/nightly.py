"""The nightly jobs without a worker: the embedded default (no ``REDIS_URL``, Celery eager).

With Redis, ``celery beat`` sends the entries of ``plie.celery.app.conf.beat_schedule`` every
night and workers run them. Without it nobody would, so the alerts, the counts and the
consolidated figures would never exist. Here the same entries run in-process, in the order of
their time of night (counts 01:30, alerts 02:00, consolidation 03:00, …):

- :func:`run_nightly_jobs` runs them all for one day and records the night as a
  :class:`~plie.core.models.TaskRun` (task :data:`NIGHT_TASK`, no PLIE); each job records its
  own per-PLIE runs as it does under beat. ``seed_demo`` calls it once the demo is loaded, and
  ``manage.py taches_nocturnes --si-en-retard`` (run by ``make run`` before the server starts)
  when the last night is older than today;
- :class:`EmbeddedScheduler`, a daemon thread started by ``runserver`` in the embedded default
  only (``CoreConfig.ready()``), runs the missing night once the clock passes
  :data:`NIGHT_HOUR` while the server serves (a laptop left running over night).

The jobs are idempotent per (task, PLIE, day): a night run twice rewrites the same rows.
Core imports no app: the jobs are found by their task name in the Celery registry.
"""

import inspect
import logging
import threading
from contextlib import contextmanager

from django.conf import settings
from django.db import close_old_connections, connections
from django.utils import timezone

from plie.core.enums import RunOutcome
from plie.core.models import TaskRun
from plie.core.services import task_run_record

logger = logging.getLogger(__name__)

NIGHT_TASK = "nuit_embarquee"
NIGHT_HOUR = 1  # from 01:00 local time the day's night is due (beat's first entry is at 01:30)
CHECK_SECONDS = 600  # the scheduler looks at the clock every ten minutes
FIRST_CHECK_SECONDS = 5  # … and first once the server is up


def nightly_entries():
    """The beat entries ``(name, task name)`` in their order of the night."""
    from plie.celery import app

    entries = app.conf.beat_schedule.items()

    def time_of_night(item):
        schedule = item[1]["schedule"]
        return (min(schedule.hour), min(schedule.minute))

    return [(name, entry["task"]) for name, entry in sorted(entries, key=time_of_night)]


def last_night():
    """The day of the last successful embedded night, or ``None``."""
    return (
        TaskRun.objects.filter(task=NIGHT_TASK, plie=None, outcome=RunOutcome.SUCCESS)
        .order_by("-run_date")
        .values_list("run_date", flat=True)
        .first()
    )


def night_due(today=None):
    """True when no embedded night ran for ``today`` (the local date by default) or later."""
    today = today or timezone.localdate()
    last = last_night()
    return last is None or last < today


def run_nightly_jobs(day=None, *, stdout=None):
    """Run every beat entry for ``day`` (the local date by default), in-process, in their order of
    the night; a job taking a day receives ``day`` (ISO). Returns the names of the jobs run."""
    from plie.celery import app

    day = day or timezone.localdate()
    app.loader.import_default_modules()  # the autodiscovered ``<app>.tasks`` modules
    names = []
    with _eager(app), task_run_record(task=NIGHT_TASK, plie_id=None, run_date=day) as run:
        for name, task_name in nightly_entries():
            task = app.tasks[task_name]
            takes_day = bool(inspect.signature(task.run).parameters)
            result = task.apply(args=[day.isoformat()] if takes_day else [])
            result.get(propagate=True)  # re-raise a job's error: the night is marked failed
            names.append(name)
            if stdout is not None:
                stdout.write(f"  {name} : fait\n")
        run.rows = len(names)
    return names


@contextmanager
def _eager(app):
    """The jobs' per-PLIE fan-out (a Celery group) runs here too, even with a broker configured
    (``seed_demo`` with ``REDIS_URL``): what this night computes is there when it returns."""
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = previous


class EmbeddedScheduler(threading.Thread):
    """Runs the day's night in the background of ``runserver`` once it is due (see module)."""

    def __init__(self, check_seconds=CHECK_SECONDS):
        super().__init__(name="plie-nuit-embarquee", daemon=True)
        self.check_seconds = check_seconds
        self.stopped = threading.Event()

    def due_now(self, now=None):
        now = timezone.localtime(now)
        return now.hour >= NIGHT_HOUR and night_due(now.date())

    def tick(self, now=None):
        """One look at the clock: run the night when due. Returns True when it ran."""
        try:
            if not self.due_now(now):
                return False
            day = timezone.localtime(now).date()
            logger.info("Tâches nocturnes du %s : exécution dans le serveur.", f"{day:%d/%m/%Y}")
            run_nightly_jobs(day)
            return True
        except Exception:
            logger.exception("Tâches nocturnes : échec de l'exécution dans le serveur.")
            return False

    def run(self):
        self.stopped.wait(FIRST_CHECK_SECONDS)  # let the app registry and the server finish starting
        while not self.stopped.is_set():
            close_old_connections()
            try:
                self.tick()
            finally:
                connections.close_all()  # this thread's connections only
            self.stopped.wait(self.check_seconds)


def embedded_scheduler_wanted(argv, environ):
    """Start the scheduler only in ``runserver``'s serving process of the embedded default: Celery
    eager (no Redis), the command is ``runserver``, and this is the autoreloader's child
    (``RUN_MAIN``) or the only process (``--noreload``)."""
    if not settings.CELERY_TASK_ALWAYS_EAGER or settings.PRODUCTION:
        return False
    if len(argv) < 2 or argv[1] != "runserver":
        return False
    return environ.get("RUN_MAIN") == "true" or "--noreload" in argv


def start_embedded_scheduler(argv, environ):
    """Start :class:`EmbeddedScheduler` when :func:`embedded_scheduler_wanted`; returns it or ``None``."""
    if not embedded_scheduler_wanted(argv, environ):
        return None
    scheduler = EmbeddedScheduler()
    scheduler.start()
    return scheduler
