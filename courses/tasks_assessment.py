"""Periodic work of assessments. Beat runs `courses.attempts_close_overdue` every minute or so
(the schedule lives in settings' CELERY_BEAT_SCHEDULE, with the others)."""

from celery import shared_task
from django.db import OperationalError


@shared_task(
    name="courses.attempts_close_overdue",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError, ConnectionError, TimeoutError),
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=4,
)
def attempts_close_overdue() -> int:
    """Closes, as they stood, the attempts left open past their deadline and grace. Idempotent:
    each attempt is re-checked under its row lock, so an overlapping run or a duplicate delivery
    closes nothing twice. Returns how many it closed."""
    from .services_assessment import attempts_close_overdue as close

    return close()
