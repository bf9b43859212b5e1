"""The overnight consolidation: thin tasks, ids in, partitioned per PLIE, idempotent.

Resumable: each PLIE's snapshot is written in its own transaction and its run recorded in
``TaskRun`` (task ``consolidation``, PLIE, day). A worker killed mid-way loses at most the PLIE
it was on (its transaction rolls back; with ``acks_late`` the broker hands the message to another
worker), and the next :func:`nightly_consolidation` of the same day recomputes every PLIE whose
run is not a success."""

from datetime import date

from celery import group, shared_task
from django.utils import timezone

from plie.core.enums import RunOutcome
from plie.core.models import Structure, TaskRun
from plie.core.services import task_run_record

CONSOLIDATION_TASK = "consolidation"


@shared_task(acks_late=True)
def consolidate_plie(plie_id, jour_iso):
    """Recompute one PLIE's snapshot of ``jour_iso`` (ISO date), check its closed periods against
    today's data (``reporting.services.clotures_verifier``: marks those whose data changed since
    closing) and record the run."""
    from reporting.services import clotures_verifier, snapshot_refresh

    jour = date.fromisoformat(jour_iso)
    with task_run_record(task=CONSOLIDATION_TASK, plie_id=plie_id, run_date=jour) as run:
        snapshot_refresh(plie_id=plie_id, jour=jour)
        clotures_verifier(plie_id=plie_id)
        run.rows = 1
    return {"plie_id": plie_id, "jour": jour_iso, "rows": run.rows}


@shared_task
def nightly_consolidation(jour_iso=None, *, tout=False):
    """Fan out one :func:`consolidate_plie` per PLIE as a Celery group (beat, every night), so
    any number of workers share the PLIE. Skips the PLIE whose run of that day already succeeded
    (a re-run completes an interrupted night) unless ``tout``. Returns the number sent."""
    jour_iso = jour_iso or timezone.localdate().isoformat()
    plie_ids = Structure.objects.plies().order_by("id").values_list("id", flat=True)
    if not tout:
        faits = TaskRun.objects.filter(
            task=CONSOLIDATION_TASK, run_date=date.fromisoformat(jour_iso), outcome=RunOutcome.SUCCESS
        ).values("plie_id")
        plie_ids = plie_ids.exclude(id__in=faits)
    plie_ids = list(plie_ids)
    group(consolidate_plie.s(plie_id, jour_iso) for plie_id in plie_ids).apply_async()
    return len(plie_ids)


@shared_task(acks_late=True)
def export_run(demande_id):
    """Produce the file of one long export (``reporting.jobs.executer``): idempotent, a finished
    job is left alone, a failed one records its error."""
    from reporting.jobs import executer

    demande = executer(demande_id)
    return {"id": demande.pk, "status": demande.status}


@shared_task(acks_late=True)
def nightly_exports_menage():
    """Delete week-old export files and release jobs whose worker died (``reporting.jobs.menage``)."""
    from reporting.jobs import menage

    return menage()
