"""An exam's pool is checked before an attempt starts (`services_assessment.exam_problems`) with
the exam builder's own rules for a question's choices (`choice_rule_problems`): a pool the
builder would refuse cannot be taken, and both say the same thing about it."""

import pytest
from django.core.exceptions import ValidationError

from courses import services_assessment as assess
from courses.models import Choice
from courses.services_exam_builder import exam_build_problems
from tests.courses.test_assessment_attempts import add_question, make_exam, running, start
from tests.courses.test_enrollment_flow import course, in_english, make_session

SHARED_FIXTURES = (course, in_english, make_session, running)

pytestmark = pytest.mark.django_db

# Pools the earlier, looser check let through, then the ones it already caught.
BROKEN = {
    "true_false_with_three_choices": (
        {"kind": "true_false", "choices": (("Verdadero", True), ("Falso", False), ("Depende", False))},
        "A true-or-false question has exactly two choices, one of them right.",
    ),
    "multiple_with_none_right": (
        {"kind": "multiple", "choices": (("A", False), ("B", False), ("C", False))},
        "A multiple-choice question needs at least two choices, at least one of them right.",
    ),
    "single_with_two_right": (
        {"kind": "single", "choices": (("A", True), ("B", True))},
        "A single-choice question needs at least two choices, exactly one of them right.",
    ),
    "single_with_one_choice": (
        {"kind": "single", "choices": (("A", True),)},
        "A single-choice question needs at least two choices, exactly one of them right.",
    ),
}


@pytest.mark.parametrize("case", BROKEN)
def test_choices_the_builder_refuses_make_the_pool_unusable(course, case):
    fields, rule = BROKEN[case]
    exam = make_exam(course, pool=1)
    add_question(exam, text="¿Pregunta rota?", **fields)
    problems = assess.exam_problems(exam=exam)
    assert problems == [f"Question “¿Pregunta rota?”: {rule}"]
    assert problems == exam_build_problems(exam=exam).messages()  # the same words as the builder


def test_a_short_answer_with_choices_makes_the_pool_unusable(course):
    exam = make_exam(course, pool=2)
    question = add_question(exam, kind="short_answer", text="Describa el procedimiento.")
    Choice.objects.create(question=question, text="Una respuesta", is_correct=True, position=1)
    assert assess.exam_problems(exam=exam) == [
        "Question “Describa el procedimiento.”: A short written answer has no choices: remove them."
    ]


def test_a_sound_pool_of_every_kind_has_no_problems(course):
    exam = make_exam(course, pool=1)
    add_question(exam, kind="true_false", choices=(("Verdadero", False), ("Falso", True)))
    add_question(exam, kind="multiple", choices=(("A", True), ("B", True), ("C", False)))
    add_question(exam, kind="short_answer")
    assert assess.exam_problems(exam=exam) == []
    assert not exam_build_problems(exam=exam)


def test_the_pool_checks_and_the_choice_checks_are_both_reported(course):
    exam = make_exam(course, pool=1, questions_per_attempt=3)
    add_question(exam, kind="multiple", text="¿Cuáles?", choices=(("A", False), ("B", False)))
    assert assess.exam_problems(exam=exam) == [
        "The pool has 2 questions; 3 are drawn.",
        "Question “¿Cuáles?”: " + BROKEN["multiple_with_none_right"][1],
    ]


def test_a_trainee_cannot_start_an_exam_the_builder_would_refuse(world, course, running):
    exam = make_exam(course, pool=2)
    add_question(exam, kind="true_false", choices=(("Verdadero", True), ("Falso", False), ("Quizá", False)))
    with pytest.raises(ValidationError, match="A true-or-false question has exactly two choices"):
        start(world, exam)
    assert not exam.attempts.exists()
