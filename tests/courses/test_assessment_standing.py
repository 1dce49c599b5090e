"""What the screens read: a trainee's standing on an exam, the class's results for the
instructor (one query), and the item analysis as CSV rows."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from courses import services_assessment as assess
from courses.selectors_assessment import (
    exam_standing,
    item_analysis,
    item_analysis_rows,
    session_exam_results,
)
from tests.courses.test_assessment_attempts import make_exam, right_choice, running, start, wrong_choice
from tests.courses.test_enrollment_flow import course, in_english, make_session

SHARED_FIXTURES = (course, in_english, make_session, running)

pytestmark = pytest.mark.django_db

MIN = datetime.timedelta(minutes=1)


def answer_all(world, attempt, pick, now=None):
    for aq in attempt.drawn.select_related("question"):
        assess.answer_save(
            user=world.officer_user_a,
            attempt_id=attempt.pk,
            question_id=aq.question_id,
            choice_ids=[pick(aq.question)],
            now=now,
        )
    return assess.attempt_submit(user=world.officer_user_a, attempt_id=attempt.pk, now=now)


def test_the_trainees_standing_on_an_exam(world, course, running):
    exam = make_exam(course, pool=2, max_attempts=3, min_delay_minutes=30, time_limit_minutes=20)
    standing = exam_standing(exam=exam, enrollment=running)
    assert (standing.attempts_used, standing.attempts_left, standing.in_progress_id) == (0, 3, None)
    assert (standing.best_percent, standing.passed, standing.next_start_at) == (None, False, None)
    t0 = timezone.now()
    attempt = start(world, exam, now=t0)
    assert exam_standing(exam=exam, enrollment=running).in_progress_id == attempt.pk
    answer_all(world, attempt, wrong_choice, now=t0 + 5 * MIN)
    standing = exam_standing(exam=exam, enrollment=running)
    assert (standing.attempts_used, standing.attempts_left, standing.in_progress_id) == (1, 2, None)
    assert standing.next_start_at == t0 + 35 * MIN
    assert (standing.best_percent, standing.passed) == (0, False)
    second = start(world, exam, now=t0 + 40 * MIN)
    answer_all(world, second, right_choice, now=t0 + 41 * MIN)
    standing = exam_standing(exam=exam, enrollment=running)
    assert (standing.best_percent, standing.passed, standing.attempts_left) == (100, True, 1)


def test_the_class_results_in_one_query(world, course, running, django_assert_num_queries):
    exam = make_exam(course, pool=2, max_attempts=3)
    other = make_exam(course, pool=1, title="Otro")
    answer_all(world, start(world, exam), wrong_choice)
    best = answer_all(world, start(world, exam), right_choice)
    answer_all(world, start(world, other), wrong_choice)
    assess.attempt_override(actor=world.admin, attempt=best, passed=False, reason="Copió")
    with django_assert_num_queries(1):
        results = session_exam_results(session=running.session)
    first = results[(running.pk, exam.group_key)]
    assert (first.attempts, first.best_percent, first.passed) == (2, Decimal("100.00"), False)
    second = results[(running.pk, other.group_key)]
    assert (second.attempts, second.best_percent, second.passed) == (1, Decimal("0.00"), False)


def test_item_analysis_exports_as_rows(world, course, running):
    exam = make_exam(course, pool=2, max_attempts=3)
    answer_all(world, start(world, exam), right_choice)
    rows = item_analysis_rows(analysis=item_analysis(exam=exam))
    assert rows[0][:4] == ["Position", "Topic", "Question", "Times drawn"]
    assert rows[1] == [1, "", "Pregunta 1", 1, "1.00", "", "No"]
    assert len(rows) == 3
