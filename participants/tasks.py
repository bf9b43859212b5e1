"""Thin tasks: ids in, re-fetch, call a service. Each is idempotent and partitioned per PLIE.

The nightly participant count (beat entry ``comptage-participants-nocturne`` in ``plie.celery``)
records one :class:`~plie.core.models.TaskRun` per PLIE."""

from datetime import date

from celery import group, shared_task
from django.utils import timezone

from participants.models import Participant
from plie.core.models import Structure
from plie.core.services import task_run_record

PARTICIPANT_COUNT_TASK = "comptage_participants"


@shared_task(acks_late=True)
def count_plie_participants(plie_id, run_date):
    """Count one PLIE's participants for ``run_date`` (ISO date) and record the run."""
    with task_run_record(
        task=PARTICIPANT_COUNT_TASK, plie_id=plie_id, run_date=date.fromisoformat(run_date)
    ) as run:
        run.rows = Participant.objects.filter(plie_id=plie_id).count()
    return {"plie_id": plie_id, "run_date": run_date, "rows": run.rows}


@shared_task
def nightly_participant_count(run_date=None):
    """Fan out one :func:`count_plie_participants` per PLIE (beat, every night)."""
    run_date = run_date or timezone.localdate().isoformat()
    plie_ids = list(Structure.objects.plies().order_by("id").values_list("id", flat=True))
    group(count_plie_participants.s(plie_id, run_date) for plie_id in plie_ids).apply_async()
    return len(plie_ids)
