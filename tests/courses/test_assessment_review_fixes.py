"""Found in review: a trainee cannot buy new attempts (or the answer key) by withdrawing and
enrolling again; an instructor of the course who does not teach the trainee's class cannot open
or change their attempt."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from courses import services
from courses import services_assessment as assess
from courses import services_enrollment as svc
from courses.models import Exam
from courses.selectors_assessment import attempt_review
from tests.courses.test_assessment_attempts import make_exam, wrong_choice
from tests.courses.test_enrollment_flow import course, in_english, make_session, nominate

SHARED_FIXTURES = (course, in_english, make_session)  # from test_enrollment_flow

pytestmark = pytest.mark.django_db


def take(world, exam):
    attempt = assess.attempt_start(user=world.officer_user_a, exam=exam)
    for row in attempt.drawn.select_related("question"):
        assess.answer_save(
            user=world.officer_user_a,
            attempt_id=attempt.pk,
            question_id=row.question_id,
            choice_ids=[wrong_choice(row.question)],
        )
    assess.attempt_submit(user=world.officer_user_a, attempt_id=attempt.pk)
    return attempt


def test_withdrawing_and_enrolling_again_buys_no_attempt_nor_the_key(world, make_course):
    self_paced = make_course(code="DOC-150", slug="doc-150", modules=1, admission="self")
    first = svc.enrollment_self_enroll(user=world.officer_user_a, course=self_paced)
    exam = make_exam(
        self_paced,
        max_attempts=1,
        review_policy=Exam.ReviewPolicy.ANSWERS_WITH_EXPLANATIONS,
        review_timing=Exam.ReviewTiming.AFTER_SESSION_CLOSES,
    )
    attempt = take(world, exam)
    svc.enrollment_withdraw(actor=world.officer_user_a, enrollment=first, reason="Too busy.")
    assert attempt_review(attempt=attempt).details_shown is False  # withdrawn is not finished
    svc.enrollment_self_enroll(user=world.officer_user_a, course=self_paced)
    with pytest.raises(ValidationError, match="used all 1 attempts"):
        assess.attempt_start(user=world.officer_user_a, exam=exam)


def test_only_the_trainees_class_instructors_grade_their_attempt(
    client, world, course, make_session, other_instructor
):
    services.course_assign_instructor(course=course, user=other_instructor)  # the course, not the class
    session = make_session(nomination_deadline=None)
    session.instructors.add(world.instructor)
    (enrollment,) = nominate(world, session)
    svc.enrollment_approve(actor=world.admin, enrollment=enrollment)
    svc.session_transition(actor=world.admin, session=session, to_status="in_progress")
    exam = make_exam(course)
    attempt = take(world, exam)
    url = reverse("exams:attempt_grade", args=[attempt.pk])
    client.force_login(other_instructor)
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "override", "passed": "true", "reason": "x"}).status_code == 404
    with pytest.raises(PermissionDenied):
        assess.attempt_override(actor=other_instructor, attempt=attempt, passed=True, reason="x")
    attempt.refresh_from_db()
    assert attempt.override_passed is None
    client.force_login(world.instructor)
    assert client.get(url).status_code == 200
