"""Celery tasks of the registry. They take ids and call services; the services make them
idempotent (see import_jobs)."""

import logging

from celery import shared_task
from django.core.cache import cache

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


logger = logging.getLogger(__name__)
PDF_MAX_DELIVERIES = 8  # redeliveries after a lost worker and retries after transient errors


@shared_task(
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
