"""The upload page's background job: a thin task over :func:`parcours.importation.services.import_job_run`."""

from celery import shared_task


@shared_task(acks_late=True)
def run_import_parcours(job_id):
    """Validate then import the file of the :class:`parcours.models.ImportParcours` ``job_id``
    (a job already finished is left alone: safe to run twice)."""
    from parcours.importation.services import import_job_run

    return import_job_run(job_id)
