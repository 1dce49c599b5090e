"""Celery tasks of the registry. They take ids and call services; the services make them
idempotent (see import_jobs)."""

from celery import shared_task

from .import_jobs import TRANSIENT_ERRORS, import_job_execute


@shared_task(
    acks_late=True,  # a worker that dies mid-import gets the job delivered again...
    reject_on_worker_lost=True,  # ...even when killed outright; the job's claim caps attempts
    autoretry_for=TRANSIENT_ERRORS,  # a lost connection or a locked database: try again later
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=4,
)
def import_job_run(job_id: int) -> None:
    import_job_execute(job_id=job_id)
