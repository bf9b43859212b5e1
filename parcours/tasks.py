"""Nightly jobs of the parcours app: thin tasks, partitioned per PLIE, idempotent."""

from datetime import date

from celery import group, shared_task
from django.utils import timezone

from plie.core.models import Structure
from plie.core.services import task_run_record

ALERTES_TASK = "alertes_parcours"


@shared_task(acks_late=True)
def refresh_plie_alertes(plie_id, run_date):
    """Recompute one PLIE's alerts for ``run_date`` (ISO date) and record the run
    (:func:`parcours.alertes.alertes_refresh`: safe to run twice, or after a lost worker)."""
    from parcours.alertes import alertes_refresh

    day = date.fromisoformat(run_date)
    with task_run_record(task=ALERTES_TASK, plie_id=plie_id, run_date=day) as run:
        run.rows = alertes_refresh(plie_id=plie_id, today=day)
    return {"plie_id": plie_id, "run_date": run_date, "rows": run.rows}


@shared_task
def nightly_alertes(run_date=None):
    """Fan out one :func:`refresh_plie_alertes` per PLIE (beat, every night)."""
    run_date = run_date or timezone.localdate().isoformat()
    plie_ids = list(Structure.objects.plies().order_by("id").values_list("id", flat=True))
    group(refresh_plie_alertes.s(plie_id, run_date) for plie_id in plie_ids).apply_async()
    return len(plie_ids)


# The legacy import's task lives in its own module; the worker only autodiscovers ``tasks``.
from parcours.tasks_import import run_import_parcours  # noqa: E402, F401
