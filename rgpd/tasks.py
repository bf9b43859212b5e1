"""Nightly retention job (beat entry ``conservation-rgpd-nocturne`` in ``plie.celery``): one task
per PLIE, idempotent, recorded as a :class:`~plie.core.models.TaskRun`."""

from datetime import date

from celery import group, shared_task
from django.utils import timezone

from plie.core.models import Structure
from plie.core.scoping import Scope
from plie.core.services import task_run_record

CONSERVATION_TASK = "conservation_rgpd"


@shared_task(acks_late=True)
def conservation_plie(plie_id, run_date):
    """Anonymise who is due in one PLIE, delete its expired import files, prune its access
    journal (:func:`rgpd.services.conservation_run`); safe to run twice."""
    from rgpd.services import conservation_run

    day = date.fromisoformat(run_date)
    scope = Scope.system(plie_id, label="conservation des données (tâche nocturne)")
    with task_run_record(task=CONSERVATION_TASK, plie_id=plie_id, run_date=day) as run:
        counts = conservation_run(scope=scope, plie_id=plie_id, today=day)
        run.rows = counts["anonymises"]
    return {"plie_id": plie_id, "run_date": run_date, **counts}


@shared_task
def nightly_conservation(run_date=None):
    """Fan out one :func:`conservation_plie` per PLIE (beat, every night)."""
    run_date = run_date or timezone.localdate().isoformat()
    plie_ids = list(Structure.objects.plies().order_by("id").values_list("id", flat=True))
    group(conservation_plie.s(plie_id, run_date) for plie_id in plie_ids).apply_async()
    return len(plie_ids)
