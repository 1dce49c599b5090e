"""Celery tasks of the registry. They take ids and call services; the services make them
idempotent (see import_jobs)."""

import logging

from celery import shared_task
from celery.contrib.django.task import DjangoTask
from django.core.cache import cache
from kombu.exceptions import OperationalError as BrokerError

from .import_jobs import TRANSIENT_ERRORS, import_job_execute, import_jobs_unfinished

logger = logging.getLogger(__name__)
PDF_MAX_DELIVERIES = 8  # redeliveries after a lost worker and retries after transient errors
PDF_SWEEP_MIN_AGE_SECONDS = 10 * 60  # younger certificates may still have their rendering queued
PDF_SWEEP_LIMIT = 500  # certificates enqueued per sweep: a long outage is caught up over a few runs
IMPORT_SWEEP_MIN_AGE_SECONDS = 10 * 60  # a younger job's task may still be queued or retrying


class SweptTask(DjangoTask):
    """A task whose enqueueing never fails its caller. With the broker down (or hung), the
    message is dropped with a warning instead of raising from an `on_commit` callback, after
    the caller's transaction committed (the request would answer 500 for work that was saved,
    and the callbacks after it would never run). A periodic sweep finds the work undone and
    enqueues it again."""

    def apply_async(self, args=None, kwargs=None, **options):
        try:
            return super().apply_async(args, kwargs, **options)
        except BrokerError as exc:
            logger.warning("%s%s not queued (the broker is unavailable: %s)", self.name, args or "", exc)
            return None


def requeue_lost(task, ids: list[int], what: str) -> int:
    """A sweep's end: enqueues `task` again for each id and says so in the log (the operations
    guide tells what to watch for). The tasks are idempotent, so a duplicate does nothing."""
    for pk in ids:
        task.delay(pk)
    if ids:
        logger.warning("%s %s: queued again", len(ids), what)
    return len(ids)


@shared_task(
    base=SweptTask,  # queued after commit: a broker that is down must not fail the upload
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


@shared_task
def import_jobs_sweep(min_age_seconds: int = IMPORT_SWEEP_MIN_AGE_SECONDS) -> int:
    """Enqueues again the imports still unfinished a while after upload: their task was not
    queued (the broker was down), gave up retrying, or died with its worker. A job another worker
    is running, or one tried too often, is left alone by the job's own claim (import_jobs)."""
    ids = import_jobs_unfinished(min_age_seconds=min_age_seconds)
    return requeue_lost(import_job_run, ids, "imports were unfinished")


@shared_task(
    base=SweptTask,
    acks_late=True,  # a worker that dies mid-render gets the certificate delivered again...
    reject_on_worker_lost=True,  # ...even when killed outright; a stored PDF makes it a no-op
    autoretry_for=TRANSIENT_ERRORS,  # a lost connection or a locked database: try again later
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=5,
)
def certificate_pdf_render(certificate_id: int) -> None:
    """Renders and stores a certificate's PDF once (see certificate_pdf.certificate_pdf_store).
    Deliveries are counted in the cache: a certificate whose rendering kills the worker every
    time is given up after PDF_MAX_DELIVERIES instead of being redelivered for ever."""
    from .certificate_pdf import certificate_pdf_store  # WeasyPrint loads only where PDFs are drawn

    key = f"certificate-pdf-deliveries:{certificate_id}"
    cache.add(key, 0, timeout=24 * 3600)
    deliveries = cache.incr(key)
    if deliveries > PDF_MAX_DELIVERIES:
        logger.error("certificate %s: PDF given up after %s deliveries", certificate_id, deliveries - 1)
        return
    certificate_pdf_store(certificate_id=certificate_id)
    cache.delete(key)


@shared_task
def certificates_pdf_sweep(min_age_seconds: int = PDF_SWEEP_MIN_AGE_SECONDS) -> int:
    """Enqueues the rendering of certificates still without a PDF a while after issue: their
    task was lost (not queued while the broker was down, or its worker lost for good). Beat runs
    it every few minutes; rendering is idempotent, so a certificate queued twice renders once."""
    from .certificate_pdf import certificates_missing_pdf

    ids = certificates_missing_pdf(min_age_seconds=min_age_seconds, limit=PDF_SWEEP_LIMIT)
    return requeue_lost(certificate_pdf_render, ids, "certificates had no PDF")
