"""Celery tasks of certificate expiry reminders. Beat runs `certification.certificate_reminders_send`
once a day (the schedule lives in settings' CELERY_BEAT_SCHEDULE, with the others)."""

from celery import shared_task

from .import_jobs import TRANSIENT_ERRORS


@shared_task(
    name="certification.certificate_reminders_send",
    acks_late=True,  # a worker that dies mid-run gets it delivered again: recorded reminders are kept
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENT_ERRORS,  # a lost connection or a locked database: try again later
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=4,
)
def certificate_reminders_send() -> int:
    """E-mails the expiry reminders due today (90 days, 30 days, expired), once each; a second
    run, or a duplicate delivery, sends nothing more. Returns how many reminders went out."""
    from .services_reminders import certificate_reminders_send as send

    return send()
