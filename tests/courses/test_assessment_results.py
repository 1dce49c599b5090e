"""People changing results: regrading a question rescores every affected attempt, overriding a
result, scoring a written answer; each audited (who, when, before, after, why). What the trainee
sees after submitting, per the review policy. Completion requires the exams passed."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from courses import services
from courses import services_assessment as assess
from courses import services_enrollment as svc
from courses.models import AssessmentAudit, ClassSession, Enrollment, Exam, Response
from courses.selectors_assessment import attempt_review
from tests.courses.test_assessment_attempts import (
    add_question,
    make_exam,
    right_choice,
    running,
    start,
    wrong_choice,
)
from tests.courses.test_enrollment_flow import course, in_english, make_session

SHARED_FIXTURES = (course, in_english, make_session, running)

pytestmark = pytest.mark.django_db

S = Enrollment.Status


def take(world, exam, answers, now=None):
    """Starts an attempt, answers {question: [choice ids] or text}, submits; returns the attempt."""
    attempt = start(world, exam, now=now)
    for question, answer in answers.items():
        if isinstance(answer, str):
            assess.answer_save(
                user=world.officer_user_a, attempt_id=attempt.pk, question_id=question.pk, text=answer
            )
        else:
            assess.answer_save(
                user=world.officer_user_a, attempt_id=attempt.pk, question_id=question.pk, choice_ids=answer
            )
    return assess.attempt_submit(user=world.officer_user_a, attempt_id=attempt.pk, now=now)


@pytest.fixture
def key_exam(course, running):
    """Two questions; the key of the second is wrong (B is the real answer, A is marked right)."""
    exam = make_exam(course, pool=1, max_attempts=4, pass_mark_percent=100)
    add_question(exam, choices=(("A", True), ("B", False), ("C", False)), text="La clave equivocada")
    return exam


def test_regrading_a_question_rescores_every_affected_attempt_with_an_audit(world, course, key_exam):
    q1, q2 = key_exam.questions.all()
    a, b = (q2.choices.get(text=t).pk for t in ("A", "B"))
    first = take(world, key_exam, {q1: [right_choice(q1)], q2: [a]})
    second = take(world, key_exam, {q1: [right_choice(q1)], q2: [b]})
    unaffected = take(world, key_exam, {q1: [right_choice(q1)]})
    assert (first.passed, second.passed) == (True, False)

    for actor in (world.head_a, world.officer_user_a, world.instructor):  # not the course's instructor
        with pytest.raises(PermissionDenied):
            assess.question_regrade(actor=actor, question=q2, correct_choice_ids=[b], reason="Clave errónea")
    with pytest.raises(ValidationError, match="Give a reason"):
        assess.question_regrade(actor=world.admin, question=q2, correct_choice_ids=[b], reason="")
    with pytest.raises(ValidationError, match="does not belong"):
        assess.question_regrade(
            actor=world.admin, question=q2, correct_choice_ids=[right_choice(q1)], reason="Clave errónea"
        )
    with pytest.raises(ValidationError, match="Exactly one"):
        assess.question_regrade(
            actor=world.admin, question=q2, correct_choice_ids=[a, b], reason="Clave errónea"
        )
    assert not AssessmentAudit.objects.exists()

    services.course_assign_instructor(course=course, user=world.instructor)
    rescored = assess.question_regrade(
        actor=world.instructor, question=q2, correct_choice_ids=[b], reason="La respuesta correcta es B."
    )
    assert {r.pk for r in rescored} == {first.pk, second.pk, unaffected.pk}
    for attempt in (first, second, unaffected):
        attempt.refresh_from_db()
    assert (first.score_percent, first.passed) == (50, False)
    assert (second.score_percent, second.passed) == (100, True)
    assert (unaffected.score_percent, unaffected.passed) == (50, False)  # unanswered either way
    assert Response.objects.get(attempt=second, question=q2).points_awarded == 1
    key = AssessmentAudit.objects.get(action="regrade")
    assert key.actor == world.instructor and key.question == q2
    assert key.before == {"correct": [a], "partial_credit": False}
    assert key.after == {"correct": [b], "partial_credit": False}
    assert key.reason == "La respuesta correcta es B."
    rescores = {entry.attempt_id: entry for entry in AssessmentAudit.objects.filter(action="rescore")}
    assert set(rescores) == {first.pk, second.pk}  # the unaffected attempt's result did not change
    assert rescores[first.pk].before["passed"] is True and rescores[first.pk].after["passed"] is False
    assert rescores[second.pk].after["score_percent"] == "100.00"
    # Attempts in progress are graded with the corrected key when submitted.
    third = start(world, key_exam)
    assert third.pk not in {
        r.pk
        for r in assess.question_regrade(
            actor=world.admin, question=q2, correct_choice_ids=[b], reason="Otra vez"
        )
    }


def test_overriding_a_result_needs_a_reason_a_submitted_attempt_and_a_teacher(world, course, running):
    exam = make_exam(course, pool=2)
    q1, q2 = exam.questions.all()
    attempt = start(world, exam)
    with pytest.raises(ValidationError, match="Only a submitted attempt"):
        assess.attempt_override(actor=world.admin, attempt=attempt, passed=True, reason="Examen oral")
    assess.answer_save(
        user=world.officer_user_a, attempt_id=attempt.pk, question_id=q1.pk, choice_ids=[wrong_choice(q1)]
    )
    attempt = assess.attempt_submit(user=world.officer_user_a, attempt_id=attempt.pk)
    assert attempt.passed is False
    for actor in (world.head_a, world.officer_user_a):
        with pytest.raises(PermissionDenied):
            assess.attempt_override(actor=actor, attempt=attempt, passed=True, reason="Examen oral")
    with pytest.raises(ValidationError, match="Give a reason"):
        assess.attempt_override(actor=world.instructor, attempt=attempt, passed=True, reason="  ")
    for bad in ("cien", "101", -1):
        with pytest.raises(ValidationError, match="from 0 to 100"):
            assess.attempt_override(
                actor=world.instructor, attempt=attempt, passed=True, score_percent=bad, reason="Examen oral"
            )
    with pytest.raises(ValidationError, match="passed"):
        assess.attempt_override(actor=world.instructor, attempt=attempt, passed="sí", reason="Examen oral")
    assert not AssessmentAudit.objects.exists()
    # The instructor of the trainee's class may: the session's instructor is world.instructor.
    assess.attempt_override(
        actor=world.instructor,
        attempt=attempt,
        passed=True,
        score_percent="80",
        reason="Examen oral aprobado.",
    )
    attempt.refresh_from_db()
    assert (attempt.passed, attempt.result_passed, attempt.result_percent) == (False, True, Decimal("80.00"))
    assert attempt.overridden_by == world.instructor and attempt.override_reason == "Examen oral aprobado."
    entry = AssessmentAudit.objects.get()
    assert (entry.action, entry.actor, entry.attempt) == ("override", world.instructor, attempt)
    assert entry.before["override_passed"] is None and entry.before["passed"] is False
    assert entry.after["override_passed"] is True and entry.after["override_score_percent"] == "80.00"
    assert entry.reason == "Examen oral aprobado."
    review = attempt_review(attempt=attempt)
    assert (review.passed, review.score_percent, review.overridden) == (True, Decimal("80.00"), True)


def test_scoring_a_written_answer_completes_the_grading_with_an_audit(world, course, running):
    exam = make_exam(course, pool=1, pass_mark_percent=60)
    written = add_question(exam, kind="short_answer", points=3)
    (q1,) = exam.questions.filter(kind="single")
    attempt = take(world, exam, {q1: [right_choice(q1)], written: "Comparar la foto con el portador."})
    assert attempt.pending_grading and attempt.passed is None
    response = Response.objects.get(question=written)
    with pytest.raises(PermissionDenied):
        assess.short_answer_score(actor=world.head_a, response=response, points=2)
    for bad in ("dos", "4", "-1", "NaN", "Infinity"):
        with pytest.raises(ValidationError, match="from 0 to 3"):
            assess.short_answer_score(actor=world.instructor, response=response, points=bad)
    choice_response = Response.objects.get(question=q1)
    with pytest.raises(ValidationError, match="Only written answers"):
        assess.short_answer_score(actor=world.instructor, response=choice_response, points=1)
    assert not AssessmentAudit.objects.exists()
    assess.short_answer_score(actor=world.instructor, response=response, points="1.5", reason="Incompleta")
    attempt.refresh_from_db()
    assert not attempt.pending_grading
    assert (attempt.score_points, attempt.max_points, attempt.score_percent) == (
        Decimal("2.50"),
        4,
        Decimal("62.50"),
    )
    assert attempt.passed is True
    response.refresh_from_db()
    assert (response.points_awarded, response.graded_by) == (Decimal("1.50"), world.instructor)
    entry = AssessmentAudit.objects.get()
    assert entry.action == "score_short_answer" and entry.response == response
    assert entry.before["points_awarded"] is None and entry.after["points_awarded"] == "1.50"
    assert entry.before["pending_grading"] is True and entry.after["passed"] is True
    # A regrade of another question keeps the instructor's score.
    assess.question_regrade(
        actor=world.admin, question=q1, correct_choice_ids=[wrong_choice(q1)], reason="Clave"
    )
    attempt.refresh_from_db()
    assert attempt.score_points == Decimal("1.50") and attempt.passed is False


def test_a_written_answer_cannot_be_scored_before_submission(world, course, running):
    exam = make_exam(course, pool=0)
    written = add_question(exam, kind="short_answer")
    attempt = start(world, exam)
    assess.answer_save(user=world.officer_user_a, attempt_id=attempt.pk, question_id=written.pk, text="Algo")
    with pytest.raises(ValidationError, match="once the attempt is submitted"):
        assess.short_answer_score(actor=world.admin, response=Response.objects.get(), points=1)


# --- what the trainee sees after submitting ---------------------------------------------------


def review_exam(course, policy, timing="immediately"):
    exam = make_exam(course, pool=0, review_policy=policy, review_timing=timing, title=f"{policy} {timing}")
    add_question(exam, explanation="Porque el sello es falso.")
    return exam


def test_review_policy_score_only_answers_and_explanations(world, course, running):
    assert (
        attempt_review(attempt=start(world, review_exam(course, "score_only", "after_session_closes")))
        is None
    )
    for policy, details, explained in (
        ("score_only", False, False),
        ("answers", True, False),
        ("answers_with_explanations", True, True),
    ):
        exam = review_exam(course, policy)
        (q,) = exam.questions.all()
        review = attempt_review(attempt=take(world, exam, {q: [wrong_choice(q)]}))
        assert (review.score_percent, review.passed, review.details_shown) == (0, False, details)
        if details:
            (shown,) = review.questions
            assert {(c.id, c.chosen, c.is_correct) for c in shown.choices} == {
                (wrong_choice(q), True, False),
                (right_choice(q), False, True),
            }
            assert shown.explanation == ("Porque el sello es falso." if explained else "")
        else:
            assert review.questions == ()


def test_answers_after_the_class_closes_are_held_back_until_then(world, course, running):
    exam = review_exam(course, "answers_with_explanations", "after_session_closes")
    (q,) = exam.questions.all()
    attempt = take(world, exam, {q: [right_choice(q)]})
    review = attempt_review(attempt=attempt)
    assert (review.passed, review.details_shown, review.details_later, review.questions) == (
        True,
        False,
        True,
        (),
    )
    svc.session_transition(actor=world.admin, session=running.session, to_status=ClassSession.Status.CLOSED)
    review = attempt_review(attempt=attempt)
    assert review.details_shown and review.questions[0].explanation == "Porque el sello es falso."


# --- completion -------------------------------------------------------------------------------


def test_completion_requires_each_required_exam_passed_in_either_language(world, course, running):
    exam = make_exam(course, pool=1, max_attempts=3)
    english = make_exam(course, pool=1, language="en", group_key=exam.group_key, max_attempts=3)
    make_exam(course, pool=1, is_required=False, title="Práctica")  # optional: does not count
    make_exam(course, pool=1, published=False, title="Borrador")  # unpublished: does not count
    for module in course.modules():
        svc.module_complete(user=world.officer_user_a, module=module)
    # Modules done; the required published exam (in two languages) is not passed yet.
    assert svc.completion_check(enrollment=running) == ["exams"]
    (q,) = english.questions.all()
    failed = take(world, english, {q: [wrong_choice(q)]})
    running.refresh_from_db()
    assert running.status == S.ENROLLED
    # An override to passed counts; an override to failed cancels a graded pass.
    assess.attempt_override(actor=world.admin, attempt=failed, passed=True, reason="Evaluación oral")
    running.refresh_from_db()
    assert running.status == S.COMPLETED and svc.completion_check(enrollment=running) == []


def test_a_passed_attempt_completes_and_a_pass_overridden_to_failed_does_not(world, course, running):
    exam = make_exam(course, pool=1, max_attempts=3)
    (q,) = exam.questions.all()
    passed = take(world, exam, {q: [right_choice(q)]})
    assert passed.passed is True
    assert svc.completion_check(enrollment=running) == ["modules"]
    assess.attempt_override(actor=world.admin, attempt=passed, passed=False, reason="Copió en el examen")
    for module in course.modules():
        svc.module_complete(user=world.officer_user_a, module=module)
    running.refresh_from_db()
    assert running.status == S.ENROLLED and svc.completion_check(enrollment=running) == ["exams"]
    second = take(world, exam, {q: [right_choice(q)]})
    assert second.passed is True
    running.refresh_from_db()
    assert running.status == S.COMPLETED


def test_a_course_not_requiring_exams_completes_without_them(world, course, running):
    type(course).objects.filter(pk=course.pk).update(requires_exams_passed=False)
    make_exam(course, pool=1)
    running.refresh_from_db()
    running.course.refresh_from_db()
    for module in course.modules():
        svc.module_complete(user=world.officer_user_a, module=module)
    running.refresh_from_db()
    assert running.status == S.COMPLETED


def test_regrading_can_turn_partial_credit_on_and_rescores(world, course, running):
    exam = make_exam(course, pool=0, max_attempts=2)
    question = add_question(exam, kind="multiple", points=2, choices=(("A", True), ("B", True), ("C", False)))
    a = question.choices.get(text="A").pk
    attempt = take(world, exam, {question: [a]})
    assert attempt.score_points == 0
    with pytest.raises(ValidationError, match="Only multiple-choice"):
        single = add_question(exam)
        assess.question_regrade(
            actor=world.admin,
            question=single,
            correct_choice_ids=[right_choice(single)],
            partial_credit=True,
            reason="Crédito parcial",
        )
    correct = list(question.choices.filter(is_correct=True).values_list("pk", flat=True))
    assess.question_regrade(
        actor=world.admin,
        question=question,
        correct_choice_ids=correct,
        partial_credit=True,
        reason="Parcial",
    )
    attempt.refresh_from_db()
    assert attempt.score_points == Decimal("1.00")  # (1 right - 0 wrong) / 2 right x 2 points
    entry = AssessmentAudit.objects.get(action="regrade")
    assert (entry.before["partial_credit"], entry.after["partial_credit"]) == (False, True)


def test_an_exam_in_another_language_belongs_to_the_same_course(course, make_course):
    other = make_course(code="DOC-110", title="Documentos", modules=0)
    exam = make_exam(course, pool=0)
    assert exam.course_key == course.translation_key
    stray = Exam(course=other, language="en", group_key=exam.group_key, title="Stray")
    with pytest.raises(ValidationError) as error:
        stray.full_clean()
    assert "group_key" in error.value.message_dict
