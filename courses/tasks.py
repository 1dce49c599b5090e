"""Celery tasks of the courses app. They take ids, load rows and do one idempotent thing."""

from celery import shared_task
from django.core.mail import EmailMessage
from django.db import OperationalError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from certification.selectors import language_for_user
from certification.tasks import SweptTask, requeue_lost

EMAIL_LANGUAGES = ("es", "en")
# The sweep leaves alone steps younger than this (their task may still be queued, or retrying
# with back-off) and older than the window (news a week old is no longer worth sending).
EMAIL_SWEEP_MIN_AGE_SECONDS = 30 * 60
EMAIL_SWEEP_MAX_AGE_DAYS = 7
EMAIL_SWEEP_LIMIT = 500  # steps enqueued per sweep: a long outage is caught up over a few runs


def _recipients(step) -> list[tuple[str, str, bool]]:
    """(address, language, is the trainee) triples: the trainee in the enrollment's language
    (chosen at nomination, or the language they enrolled in); the nominating agency staff
    member in the language they last used the site in."""
    enrollment = step.enrollment
    trainee = enrollment.trainee
    pairs = []
    trainee_address = trainee.email or (trainee.user.email if trainee.user_id else "")
    if trainee_address:
        pairs.append((trainee_address, enrollment.language, True))
    nominator = enrollment.nominated_by
    if nominator is not None and nominator.email and nominator.email != trainee_address:
        pairs.append((nominator.email, language_for_user(user=nominator), False))
    return [(address, lang if lang in EMAIL_LANGUAGES else "es", mine) for address, lang, mine in pairs]


@shared_task(
    base=SweptTask,  # queued after commit: a broker that is down must not fail the saved step
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError, ConnectionError, TimeoutError),
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=4,
)
def enrollment_email_send(step_id: int) -> None:
    """Tells the people concerned about one enrollment step, each in their language. A step
    already e-mailed (a duplicate delivery) is skipped."""
    from .models_enrollment import EnrollmentTransition
    from .selectors import course_for_key

    with transaction.atomic():
        step = (
            EnrollmentTransition.objects.select_for_update(of=("self",))
            .select_related("enrollment__trainee__user", "enrollment__session", "enrollment__nominated_by")
            .filter(pk=step_id, emailed_at__isnull=True)
            .first()
        )
        if step is None:
            return
        enrollment = step.enrollment
        for address, language, to_trainee in _recipients(step):
            with translation.override(language):
                course = course_for_key(course_key=enrollment.course_key) or enrollment.course
                context = {
                    "step": step,
                    "enrollment": enrollment,
                    "trainee": enrollment.trainee,
                    "to_trainee": to_trainee,
                    "session": enrollment.session,
                    "course": course,
                }
                subject = render_to_string(f"courses/email/{language}/enrollment_subject.txt", context)
                body = render_to_string(f"courses/email/{language}/enrollment_body.txt", context)
            EmailMessage(subject=" ".join(subject.split()), body=body.strip() + "\n", to=[address]).send()
        step.emailed_at = timezone.now()
        step.save(update_fields=["emailed_at"])


@shared_task
def enrollment_emails_sweep(min_age_seconds: int = EMAIL_SWEEP_MIN_AGE_SECONDS) -> int:
    """Enqueues again the e-mails of enrollment steps that never went out: their task was not
    queued while the broker was down (SweptTask drops it with a warning), or gave up. Beat runs
    it every few minutes; the e-mail task skips a step already e-mailed, so none goes out twice."""
    from .selectors_enrollment import enrollment_steps_not_emailed

    ids = enrollment_steps_not_emailed(
        min_age_seconds=min_age_seconds, max_age_days=EMAIL_SWEEP_MAX_AGE_DAYS, limit=EMAIL_SWEEP_LIMIT
    )
    return requeue_lost(enrollment_email_send, ids, "enrollment steps had no e-mail")
