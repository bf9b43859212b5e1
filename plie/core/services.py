from contextlib import contextmanager

from django.db import transaction
from django.utils import timezone

from plie.core.enums import RunOutcome
from plie.core.models import TaskRun


@contextmanager
def task_run_record(*, task, plie_id, run_date):
    """Record one run of ``task`` for (PLIE, day) in :class:`TaskRun`, upserting the row.

    The body sets ``run.rows``. A second run of the same (task, PLIE, day) updates the same row
    (``attempts`` counts them), so a job retried after a lost worker leaves one clean record.
    On error the run is marked failed with the message, and the exception goes on.
    """
    with transaction.atomic():
        run, _ = TaskRun.objects.select_for_update().get_or_create(
            task=task, plie_id=plie_id, run_date=run_date, defaults={"started_at": timezone.now()}
        )
        run.started_at = timezone.now()
        run.finished_at = None
        run.outcome = RunOutcome.RUNNING
        run.error = ""
        run.attempts += 1
        run.save()
    try:
        yield run
    except Exception as error:
        run.outcome = RunOutcome.FAILURE
        run.error = f"{type(error).__name__}: {error}"[:2000]
        run.finished_at = timezone.now()
        run.save(update_fields=["outcome", "error", "finished_at"])
        raise
    run.outcome = RunOutcome.SUCCESS
    run.finished_at = timezone.now()
    run.save(update_fields=["outcome", "rows", "finished_at"])
