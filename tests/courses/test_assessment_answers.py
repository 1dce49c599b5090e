"""Answering and submitting: tampered requests refused with nothing changed, autosave as an
idempotent upsert in a fixed number of queries, the deadline and its grace, what the trainee's
page is built from (no answer key), double submission, and grading with partial credit."""

import dataclasses
import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from courses import services_assessment as assess
from courses.models import Attempt, Response
from courses.selectors_assessment import attempt_for_trainee
from tests.courses.test_assessment_attempts import (
    add_question,
    exam,
    make_exam,
    right_choice,
    running,
    start,
    wrong_choice,
)
from tests.courses.test_enrollment_flow import course, in_english, make_session

SHARED_FIXTURES = (course, in_english, make_session, running, exam)

pytestmark = pytest.mark.django_db

MIN = datetime.timedelta(minutes=1)
SEC = datetime.timedelta(seconds=1)


def save(world, attempt, question, choices=(), text="", now=None, user=None):
    return assess.answer_save(
        user=user or world.officer_user_a,
        attempt_id=attempt.pk,
        question_id=question.pk if hasattr(question, "pk") else question,
        choice_ids=choices,
        text=text,
        now=now,
    )


def submit(world, attempt, now=None):
    return assess.attempt_submit(user=world.officer_user_a, attempt_id=attempt.pk, now=now)


def drawn_questions(attempt):
    return [aq.question for aq in attempt.drawn.select_related("question").order_by("position")]


def test_tampered_answers_are_refused_and_change_nothing(world, course, running):
    exam = make_exam(course, pool=4, questions_per_attempt=2)
    short = make_exam(course, pool=0, title="Escrito")
    written = add_question(short, kind="short_answer")
    attempt = start(world, exam)
    drawn = drawn_questions(attempt)
    q = drawn[0]
    not_drawn = exam.questions.exclude(pk__in=[d.pk for d in drawn]).first()
    with pytest.raises(ValidationError, match="not part of this attempt"):
        save(world, attempt, not_drawn, [right_choice(not_drawn)])
    with pytest.raises(ValidationError, match="not part of this attempt"):
        save(world, attempt, written, text="Respuesta")  # a question of another exam
    with pytest.raises(ValidationError, match="not part of this attempt"):
        save(world, attempt, "1 OR 1=1", [right_choice(q)])
    with pytest.raises(ValidationError, match="does not belong to this question"):
        save(world, attempt, q, [right_choice(drawn[1])])  # a choice of another question
    for bad in (["x"], [None], [-1], [True]):
        with pytest.raises(ValidationError, match="Unknown choice"):
            save(world, attempt, q, bad)
    with pytest.raises(ValidationError, match="exactly one"):
        save(world, attempt, q, [right_choice(q), wrong_choice(q)])
    with pytest.raises(ValidationError, match="exactly one"):
        save(world, attempt, q, [])
    with pytest.raises(ValidationError, match="takes a choice, not a written answer"):
        save(world, attempt, q, [right_choice(q)], text="Sí")
    # Someone else's attempt, or an id that does not exist or is not a number: all alike.
    for user in (world.head_a, world.admin, world.instructor):
        with pytest.raises(PermissionDenied):
            save(world, attempt, q, [right_choice(q)], user=user)
        with pytest.raises(PermissionDenied):
            assess.attempt_submit(user=user, attempt_id=attempt.pk)
    for bad_id in (attempt.pk + 1000, "abc", None, "1; DROP TABLE"):
        with pytest.raises(PermissionDenied):
            assess.answer_save(user=world.officer_user_a, attempt_id=bad_id, question_id=q.pk, choice_ids=[1])
    assert not Response.objects.exists()
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.IN_PROGRESS


def test_a_written_answer_takes_text_only_and_not_too_long(world, course, running):
    exam = make_exam(course, pool=0)
    written = add_question(exam, kind="short_answer")
    attempt = start(world, exam)
    with pytest.raises(ValidationError, match="written answer, not choices"):
        save(world, attempt, written, [1])
    with pytest.raises(ValidationError, match="at most 5000"):
        save(world, attempt, written, text="x" * 5001)
    save(world, attempt, written, text="  Revisar el sello de entrada.  ")
    assert Response.objects.get().text == "Revisar el sello de entrada."


def test_autosave_is_an_upsert_and_the_trainee_resumes_with_the_answers(world, exam):
    t0 = timezone.now()
    attempt = start(world, exam, now=t0)
    q1, q2 = drawn_questions(attempt)[:2]
    save(world, attempt, q1, [wrong_choice(q1)], now=t0 + MIN)
    save(world, attempt, q1, [right_choice(q1)], now=t0 + 2 * MIN)
    save(world, attempt, q1, [right_choice(q1)], now=t0 + 3 * MIN)
    save(world, attempt, q2, [wrong_choice(q2)], now=t0 + 3 * MIN)
    assert Response.objects.filter(attempt=attempt).count() == 2
    assert Response.objects.get(question=q1).choice_ids == [right_choice(q1)]
    resumed = start(world, exam, now=t0 + 5 * MIN)
    view = attempt_for_trainee(attempt=resumed, now=t0 + 5 * MIN)
    assert view.id == attempt.pk
    assert view.seconds_left == 25 * 60
    answers = {q.id: q.chosen_ids for q in view.questions}
    assert answers[q1.pk] == (right_choice(q1),) and answers[q2.pk] == (wrong_choice(q2),)
    assert [q.position for q in view.questions] == [1, 2, 3, 4]


def test_the_trainee_view_carries_no_answer_key_explanation_or_points(world, course, running):
    exam = make_exam(course, pool=0, shuffle_choices=True)
    for i in range(3):
        add_question(
            exam,
            text=f"Pregunta {i}",
            choices=(("Correcta-SECRETA", True), ("Otra", False), ("Tercera", False)),
            explanation="EXPLICACION-SECRETA",
            points=7,
        )
    attempt = start(world, exam)
    view = attempt_for_trainee(attempt=attempt, now=timezone.now())
    flat = repr(dataclasses.asdict(view))
    assert "EXPLICACION-SECRETA" not in flat
    assert "is_correct" not in flat and "correct" not in flat.replace("Correcta", "")
    assert "points" not in flat
    for question in view.questions:
        assert set(dataclasses.asdict(question)) == {
            "id",
            "position",
            "kind",
            "text",
            "choices",
            "chosen_ids",
            "text_answer",
        }
        for choice in question.choices:
            assert set(dataclasses.asdict(choice)) == {"id", "text"}
    # The choices appear in the attempt's stored order.
    stored = {aq.question_id: aq.choice_order for aq in attempt.drawn.all()}
    for question in view.questions:
        assert [c.id for c in question.choices] == stored[question.id]


def test_an_answer_after_the_deadline_and_grace_is_refused_and_the_attempt_closes_as_it_stood(world, exam):
    t0 = timezone.now()
    attempt = start(world, exam, now=t0)
    q1, q2 = drawn_questions(attempt)[:2]
    save(world, attempt, q1, [right_choice(q1)], now=t0 + 29 * MIN)
    deadline = t0 + 30 * MIN
    save(world, attempt, q2, [wrong_choice(q2)], now=deadline + assess.GRACE_SECONDS * SEC)  # within grace
    with pytest.raises(ValidationError, match="The time is up"):
        save(world, attempt, q2, [right_choice(q2)], now=deadline + (assess.GRACE_SECONDS + 1) * SEC)
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.AUTO_CLOSED
    assert Response.objects.get(question=q2).choice_ids == [wrong_choice(q2)]  # as it stood
    assert (attempt.score_points, attempt.score_percent, attempt.passed) == (1, 25, False)
    with pytest.raises(ValidationError, match="answers no longer change"):
        save(world, attempt, q1, [wrong_choice(q1)], now=deadline + 2 * MIN)
    # Submitting afterwards returns the same, closed attempt.
    assert submit(world, attempt, now=deadline + 3 * MIN).status == Attempt.Status.AUTO_CLOSED


def test_a_late_submission_closes_the_attempt_as_auto_closed(world, exam):
    t0 = timezone.now()
    attempt = start(world, exam, now=t0)
    result = submit(world, attempt, now=t0 + 31 * MIN)
    assert result.status == Attempt.Status.AUTO_CLOSED
    assert result.submitted_at == t0 + 31 * MIN


def test_submitting_twice_gives_one_result(world, exam):
    t0 = timezone.now()
    attempt = start(world, exam, now=t0)
    for q in drawn_questions(attempt):
        save(world, attempt, q, [right_choice(q)], now=t0 + MIN)
    first = submit(world, attempt, now=t0 + 2 * MIN)
    second = submit(world, attempt, now=t0 + 3 * MIN)
    assert first.pk == second.pk
    assert second.submitted_at == t0 + 2 * MIN
    assert (second.score_points, second.max_points, second.score_percent, second.passed) == (4, 4, 100, True)
    assert Attempt.objects.count() == 1


def test_grading_single_true_false_multiple_and_partial_credit(world, course, running):
    exam = make_exam(course, pool=0, pass_mark_percent=50)
    single = add_question(exam)
    true_false = add_question(exam, kind="true_false", choices=(("Verdadero", False), ("Falso", True)))
    abc = (("A", True), ("B", True), ("C", True), ("D", False))
    strict = add_question(exam, kind="multiple", choices=abc, points=3)
    partial = add_question(exam, kind="multiple", choices=abc, points=3, partial_credit=True)
    partial_2 = add_question(exam, kind="multiple", choices=abc, points=3, partial_credit=True)
    partial_3 = add_question(exam, kind="multiple", choices=abc, points=3, partial_credit=True)
    attempt = start(world, exam)

    def ids(question, *texts):
        return list(question.choices.filter(text__in=texts).values_list("pk", flat=True))

    save(world, attempt, single, [right_choice(single)])
    save(world, attempt, true_false, [wrong_choice(true_false)])
    save(world, attempt, strict, ids(strict, "A", "B"))  # all-or-nothing: 0
    save(world, attempt, partial, ids(partial, "A", "B"))  # (2 - 0) / 3 * 3 = 2
    save(world, attempt, partial_2, ids(partial_2, "A", "B", "D"))  # (2 - 1) / 3 * 3 = 1
    save(world, attempt, partial_3, ids(partial_3, "A", "D"))  # (1 - 1) -> 0, floored
    result = submit(world, attempt)
    points = dict(Response.objects.filter(attempt=attempt).values_list("question_id", "points_awarded"))
    assert points == {
        single.pk: Decimal("1.00"),
        true_false.pk: Decimal("0.00"),
        strict.pk: Decimal("0.00"),
        partial.pk: Decimal("2.00"),
        partial_2.pk: Decimal("1.00"),
        partial_3.pk: Decimal("0.00"),
    }
    assert (result.score_points, result.max_points) == (Decimal("4.00"), Decimal("14.00"))
    assert result.score_percent == Decimal("28.57")
    assert result.passed is False and result.pending_grading is False


def test_a_partial_credit_question_gives_fractions_of_its_points(world, course, running):
    exam = make_exam(course, pool=0)
    q = add_question(
        exam,
        kind="multiple",
        points=2,
        partial_credit=True,
        choices=(("A", True), ("B", True), ("C", True), ("D", False)),
    )
    attempt = start(world, exam)
    save(world, attempt, q, list(q.choices.filter(text="A").values_list("pk", flat=True)))
    result = submit(world, attempt)
    assert result.score_points == Decimal("0.67")  # 1/3 of 2 points, rounded half up to cents
    assert result.score_percent == Decimal("33.50")


def test_a_written_answer_awaits_an_instructor_and_the_score_counts_graded_items(world, course, running):
    exam = make_exam(course, pool=2, pass_mark_percent=50)
    written = add_question(exam, kind="short_answer", points=2)
    empty = add_question(exam, kind="short_answer", points=2)
    attempt = start(world, exam)
    q1, q2 = exam.questions.filter(kind="single")
    save(world, attempt, q1, [right_choice(q1)])
    save(world, attempt, q2, [wrong_choice(q2)])
    save(world, attempt, written, text="Verificar la zona ultravioleta.")
    save(world, attempt, empty, text="   ")
    result = submit(world, attempt)
    assert result.pending_grading is True and result.passed is None
    # Graded: q1 (1/1), q2 (0/1), the empty written answer (0/2): 1 of 4.
    assert (result.score_points, result.max_points, result.score_percent) == (1, 6, 25)
    assert Response.objects.get(question=written).points_awarded is None


def test_saving_and_submitting_take_a_fixed_number_of_queries(world, course, running):
    counts = {}
    for size in (3, 30):
        exam = make_exam(course, pool=size, title=f"Examen {size}")
        attempt = start(world, exam)
        questions = drawn_questions(attempt)
        right, wrong = right_choice(questions[0]), wrong_choice(questions[0])
        with CaptureQueriesContext(connection) as first:
            save(world, attempt, questions[0], [right])  # select, select, update, insert (+ savepoint)
        with CaptureQueriesContext(connection) as again:
            save(world, attempt, questions[0], [wrong])  # select, select, update (+ savepoint)
        for q in questions[1:]:
            save(world, attempt, q, [right_choice(q)])
        with CaptureQueriesContext(connection) as submitted:
            submit(world, attempt)
        counts[size] = (len(first), len(again), len(submitted))
    assert counts[3] == counts[30]
    saved_first, saved_again, submitted = counts[3]
    assert saved_first <= 6 and saved_again <= 5
    assert submitted <= 25  # grading + the completion check, whatever the exam's size
