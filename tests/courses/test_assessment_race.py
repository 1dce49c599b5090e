"""Concurrency on PostgreSQL: double submission, autosaves racing each other and the submission,
and two starts at once each give one consistent result.

Runs on PostgreSQL (DATABASE_URL=postgres://postgres@127.0.0.1:5432/carsi_assess), where the
enrollment's and the attempt's row locks are what serialise the requests."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.utils import translation

from courses import services_assessment as assess
from courses import services_enrollment as svc
from courses.models import Attempt, Enrollment, EnrollmentTransition, Response
from tests.courses.test_assessment_attempts import make_exam, right_choice, running
from tests.courses.test_enrollment_flow import course, in_english, make_session

SHARED_FIXTURES = (course, in_english, make_session, running)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL row locks: SQLite lets one writer at a time into the whole database, "
            "so there is no race to test (run with DATABASE_URL=postgres://...)"
        )


def run_together(*calls):
    """Runs the calls in threads released at the same moment; returns each one's outcome."""
    barrier = threading.Barrier(len(calls))
    outcomes: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            with translation.override("en"):  # the active language is per thread
                outcomes[index] = call()
        except Exception as error:  # noqa: BLE001  (the outcome is what the test checks)
            outcomes[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_two_submissions_at_once_give_one_result_and_one_completion(world, course, running):
    exam = make_exam(course, pool=3)
    for module in course.modules():
        svc.module_complete(user=world.officer_user_a, module=module)
    attempt = assess.attempt_start(user=world.officer_user_a, exam=exam)
    for aq in attempt.drawn.select_related("question"):
        assess.answer_save(
            user=world.officer_user_a,
            attempt_id=attempt.pk,
            question_id=aq.question_id,
            choice_ids=[right_choice(aq.question)],
        )

    def submit():
        return assess.attempt_submit(user=world.officer_user_a, attempt_id=attempt.pk)

    outcomes = run_together(submit, submit, submit)
    assert all(isinstance(o, Attempt) for o in outcomes), outcomes
    assert len({(o.pk, o.submitted_at, o.score_percent) for o in outcomes}) == 1
    attempt.refresh_from_db()
    assert (attempt.status, attempt.score_percent, attempt.passed) == ("submitted", 100, True)
    running.refresh_from_db()
    assert running.status == Enrollment.Status.COMPLETED
    assert EnrollmentTransition.objects.filter(enrollment=running, to_status="completed").count() == 1


def test_autosaves_racing_each_other_and_the_submission_stay_consistent(world, course, running):
    exam = make_exam(course, pool=6)
    attempt = assess.attempt_start(user=world.officer_user_a, exam=exam)
    questions = [aq.question for aq in attempt.drawn.select_related("question")]

    def saver(question, choice):
        return lambda: assess.answer_save(
            user=world.officer_user_a, attempt_id=attempt.pk, question_id=question.pk, choice_ids=[choice]
        )

    calls = []
    for question in questions:
        choices = list(question.choices.values_list("pk", flat=True))
        calls += [saver(question, choices[0]), saver(question, choices[1])]  # the same question twice
    calls.append(lambda: assess.attempt_submit(user=world.officer_user_a, attempt_id=attempt.pk))
    outcomes = run_together(*calls)

    unexpected = [o for o in outcomes if isinstance(o, Exception) and not isinstance(o, ValidationError)]
    assert not unexpected, unexpected
    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert all("answers no longer change" in " ".join(o.messages) for o in refused)
    attempt.refresh_from_db()
    assert attempt.status == "submitted"
    responses = list(Response.objects.filter(attempt=attempt))
    # One row per question, however many saves raced; every stored answer was graded (none
    # slipped in after the submission), and the score is the sum of what was stored.
    assert len(responses) == len({r.question_id for r in responses}) <= len(questions)
    assert all(r.points_awarded is not None for r in responses)
    assert attempt.score_points == sum((r.points_awarded for r in responses), Decimal(0))
    assert all(r.saved_at <= attempt.submitted_at for r in responses)


def test_two_starts_at_once_give_one_attempt(world, course, running):
    exam = make_exam(course, pool=3, max_attempts=3)

    def begin():
        return assess.attempt_start(user=world.officer_user_a, exam=exam)

    outcomes = run_together(begin, begin, begin)
    assert all(isinstance(o, Attempt) for o in outcomes), outcomes
    assert len({o.pk for o in outcomes}) == 1
    assert Attempt.objects.count() == 1
    assert Attempt.objects.get().drawn.count() == 3


def test_late_form_saves_racing_the_submission_and_the_periodic_task_close_once(world, course, running):
    """The form without JavaScript saves every answer at once; arriving late, it closes the
    attempt while the trainee's other tab submits and the periodic task runs. Each locks the
    enrollment before the attempt, so none waits on another for ever and one result stands."""
    import datetime

    from django.utils import timezone

    exam = make_exam(course, pool=3)
    exam.time_limit_minutes = 5
    exam.save(update_fields=["time_limit_minutes"])
    start = timezone.now() - datetime.timedelta(minutes=30)
    attempt = assess.attempt_start(user=world.officer_user_a, exam=exam, now=start)
    answers = [
        (aq.question_id, [right_choice(aq.question)], "") for aq in attempt.drawn.select_related("question")
    ]

    def form_save():
        return assess.answers_save(user=world.officer_user_a, attempt_id=attempt.pk, answers=answers)

    def submit():
        return assess.attempt_submit(user=world.officer_user_a, attempt_id=attempt.pk)

    outcomes = run_together(form_save, submit, assess.attempts_close_overdue, form_save)
    late = [o for o in outcomes if isinstance(o, ValidationError)]
    assert late and all(error.code in ("late", "done") for error in late), outcomes
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.AUTO_CLOSED
    assert not Response.objects.filter(attempt=attempt).exists()  # nothing arrived in time
    assert attempt.score_percent == 0
