"""The demo's class sessions and enrollments (courses.demo_enrollment, run by seed_demo)."""

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from certification.selectors import vetting_eligibility
from courses.demo_enrollment import seed_enrollments
from courses.models import CoursePage
from courses.models_enrollment import (
    Attendance,
    ClassSession,
    ClassSessionTransition,
    Enrollment,
    EnrollmentTransition,
    ModuleProgress,
)
from courses.selectors_enrollment import enrollment_progress, nomination_queue

pytestmark = pytest.mark.django_db

S = Enrollment.Status
SS = ClassSession.Status


def counts():
    def by_status(model):
        return dict(model.objects.values_list("status").annotate(n=Count("id")).order_by())

    return {
        "sessions": by_status(ClassSession),
        "enrollments": by_status(Enrollment),
        "session steps": ClassSessionTransition.objects.count(),
        "enrollment steps": EnrollmentTransition.objects.count(),
        "attendance": Attendance.objects.count(),
        "progress": ModuleProgress.objects.count(),
    }


def test_seed_demo_gives_sessions_and_enrollments_in_every_status(capsys, django_capture_on_commit_callbacks):
    """One seed (it takes a while) checked from several sides."""
    # Run the after-commit work too, as a real seed does: the e-mail tasks must find nothing to send.
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo")
    seeded = counts()
    assert set(seeded["sessions"]) == set(SS.values)
    assert set(seeded["enrollments"]) == set(S.values)
    assert mail.outbox == []  # the demo's history is marked as already told
    assert not EnrollmentTransition.objects.filter(emailed_at__isnull=True).exists()

    check_current_and_consistent()
    check_demo_trainees()

    with django_capture_on_commit_callbacks(execute=True):
        seed_enrollments()
    assert counts() == seeded  # nothing duplicated, nothing failed


def check_current_and_consistent():
    today = timezone.localdate()
    admin_queue = nomination_queue(user=get_user_model().objects.get(email="admin@demo.carsi.test"))
    assert 20 <= admin_queue.count() <= 40

    for session in ClassSession.objects.all():
        assert session.nomination_deadline <= session.starts_on
        if session.status == SS.OPEN:
            assert session.nomination_deadline >= today
    running = ClassSession.objects.get(code="DEMO-BSI-2026-01")
    assert running.status == SS.IN_PROGRESS and running.starts_on < today <= running.ends_on
    assert running.instructors.filter(email="instructor@demo.carsi.test").exists()
    assert {e.trainee.agency.country.code for e in running.enrollments.all()} >= {"GT", "HN", "SV"}
    days = set(Attendance.objects.filter(enrollment__session=running).values_list("date", flat=True))
    assert days and max(days) < today and min(days) == running.starts_on
    assert ClassSession.objects.get(code="DEMO-DOC-2025-04").ends_on < today

    # Everyone holding a place in a US-funded class is cleared by vetting for its dates.
    us_funded = CoursePage.objects.filter(us_funded=True).values("translation_key")
    placed = Enrollment.objects.filter(course_key__in=us_funded, status__in=Enrollment.PLACE_STATUSES)
    assert placed.exists()
    for enrollment in placed.select_related("trainee__unit", "session"):
        eligibility = vetting_eligibility(
            trainee=enrollment.trainee, start=enrollment.session.starts_on, end=enrollment.session.ends_on
        )
        assert eligibility.eligible, enrollment

    # Every refusal, failure, withdrawal, completion and place on the waiting list says why.
    steps = EnrollmentTransition.objects.filter(
        to_status__in=(S.REJECTED, S.FAILED, S.WITHDRAWN, S.COMPLETED, S.WAITLISTED)
    )
    assert steps.exists() and not steps.filter(reason="").exists()


def check_demo_trainees():
    """trainee1 is part-way through one course, has completed another and waits for a third."""
    mine = Enrollment.objects.filter(trainee__user__email="trainee1@demo.carsi.test")
    current = mine.get(status=S.ENROLLED)
    done, total = enrollment_progress(enrollment=current)
    assert 0 < done < total
    assert mine.filter(status=S.COMPLETED).exists()
    assert mine.filter(status=S.NOMINATED).exists()
    other = Enrollment.objects.get(trainee__user__email="trainee2@demo.carsi.test", status=S.ENROLLED)
    assert enrollment_progress(enrollment=other)[0] == 1
