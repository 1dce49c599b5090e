"""Celery tasks of certificate batches (issuing a class session's certificates, ZIP downloads).
They take a batch id and call `services_batches.batch_run`, which makes them idempotent: a
finished batch is a no-op, a running one (its worker died) resumes."""

import logging

from celery import shared_task
from django.core.cache import cache

from .import_jobs import TRANSIENT_ERRORS

logger = logging.getLogger(__name__)
BATCH_MAX_DELIVERIES = 8  # redeliveries after a lost worker and retries after transient errors


@shared_task(
    bind=True,
    acks_late=True,  # a worker that dies mid-batch gets it delivered again...
    reject_on_worker_lost=True,  # ...even when killed outright; the next delivery resumes it
    autoretry_for=TRANSIENT_ERRORS,  # a lost connection or a locked database: try again later
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=5,
)
def certificate_batch_run(self, batch_id: int) -> None:
    """Runs a certificate batch (see services_batches). Deliveries are counted in the cache: a
    batch that kills its worker every time is marked failed after BATCH_MAX_DELIVERIES instead
    of being redelivered for ever; so is one whose transient errors outlast the retries."""
    from .services_batches import batch_fail, batch_run

    key = f"certificate-batch-deliveries:{batch_id}"
    cache.add(key, 0, timeout=24 * 3600)
    deliveries = cache.incr(key)
    if deliveries > BATCH_MAX_DELIVERIES:
        logger.error("certificate batch %s given up after %s deliveries", batch_id, deliveries - 1)
        batch_fail(batch_id=batch_id, error=f"given up after {deliveries - 1} deliveries")
        return
    try:
        batch_run(batch_id=batch_id)
    except TRANSIENT_ERRORS as exc:
        if self.request.retries >= self.max_retries:
            logger.exception("certificate batch %s: transient errors outlasted the retries", batch_id)
            batch_fail(batch_id=batch_id, error=f"{type(exc).__name__}: {exc}")
        raise
    cache.delete(key)
