"""Item analysis on a small data set whose figures are computed by hand below."""

import pytest

from courses import services_assessment as assess
from courses.selectors_assessment import item_analysis
from tests.courses.test_assessment_attempts import add_question, make_exam, running, start
from tests.courses.test_enrollment_flow import course, in_english, make_session

SHARED_FIXTURES = (course, in_english, make_session, running)

pytestmark = pytest.mark.django_db

RWW = (("R", True), ("W1", False), ("W2", False))


def test_item_analysis_figures_on_a_known_data_set(world, course, running):
    """Six attempts by the same trainee (every attempt counts). Q4 joins the pool after the third
    attempt, so only the last three draw it; Q5 joins at the end and is never drawn.

        attempt  Q1  Q2  Q3  Q4   score
        A1       R   W2  R   -    66.67
        A2       R   W1  W1  -    33.33
        A3       W1  W1  R   -    33.33
        A4       R   R   R   R   100
        A5       R   R   W1  W1   50
        A6       W1  W1  W1  R    25

    Ranked: A4, A1, A5, A2, A3, A6 (A2 before A3: the earlier first on a tie). 27% of 6 rounds
    to 2: upper {A4, A1}, lower {A3, A6}.
        Q1: right 4/6; upper 2/2, lower 0/2 -> D = 1.0; nobody chose W2
        Q2: right 2/6; upper 1/2, lower 0/2 -> D = 0.5; every choice chosen
        Q3: right 3/6; upper 2/2, lower 1/2 -> D = 0.5; nobody chose W2
        Q4: drawn 3, right 2/3; upper: only A4 drew it, 1/1; lower: only A6, 1/1 -> D = 0.0
        Q5: never drawn: no figures
    """
    exam = make_exam(course, pool=0, max_attempts=10)
    q1, q2, q3 = (add_question(exam, choices=RWW, text=f"Q{i}") for i in (1, 2, 3))
    sheet = [
        {q1: "R", q2: "W2", q3: "R"},
        {q1: "R", q2: "W1", q3: "W1"},
        {q1: "W1", q2: "W1", q3: "R"},
        {q1: "R", q2: "R", q3: "R", "q4": "R"},
        {q1: "R", q2: "R", q3: "W1", "q4": "W1"},
        {q1: "W1", q2: "W1", q3: "W1", "q4": "R"},
    ]
    q4 = None
    scores = []
    for number, row in enumerate(sheet, start=1):
        if number == 4:
            q4 = add_question(exam, choices=RWW, text="Q4")
        attempt = start(world, exam)
        for question, label in row.items():
            question = q4 if question == "q4" else question
            assess.answer_save(
                user=world.officer_user_a,
                attempt_id=attempt.pk,
                question_id=question.pk,
                choice_ids=[question.choices.get(text=label).pk],
            )
        scores.append(
            str(assess.attempt_submit(user=world.officer_user_a, attempt_id=attempt.pk).score_percent)
        )
    q5 = add_question(exam, choices=RWW, text="Q5")
    assert scores == ["66.67", "33.33", "33.33", "100.00", "50.00", "25.00"]

    analysis = item_analysis(exam=exam)
    assert (analysis.attempts, analysis.group_size) == (6, 2)
    items = {item.question_id: item for item in analysis.items}
    expected = {
        q1.pk: (6, 4 / 6, 1.0, ["W2"]),
        q2.pk: (6, 2 / 6, 0.5, []),
        q3.pk: (6, 3 / 6, 0.5, ["W2"]),
        q4.pk: (3, 2 / 3, 0.0, ["W2"]),
        q5.pk: (0, None, None, []),
    }
    for pk, (drawn, share, discrimination, unpicked) in expected.items():
        item = items[pk]
        assert item.times_drawn == drawn, item.text
        assert item.share_correct == pytest.approx(share) if share is not None else item.share_correct is None
        assert item.discrimination == discrimination, item.text
        assert [c.text for c in item.unpicked_choices] == unpicked, item.text


def test_item_analysis_ignores_attempts_in_progress_and_needs_two_attempts_to_discriminate(
    world, course, running
):
    exam = make_exam(course, pool=2, max_attempts=3)
    attempt = start(world, exam)
    analysis = item_analysis(exam=exam)
    assert analysis.attempts == 0 and all(item.times_drawn == 0 for item in analysis.items)
    assess.attempt_submit(user=world.officer_user_a, attempt_id=attempt.pk)
    analysis = item_analysis(exam=exam)
    assert (analysis.attempts, analysis.group_size) == (1, 0)
    assert [(i.times_drawn, i.share_correct, i.discrimination) for i in analysis.items] == [
        (1, 0.0, None)
    ] * 2


def test_item_analysis_takes_a_fixed_number_of_queries(world, course, running, django_assert_max_num_queries):
    exam = make_exam(course, pool=5, max_attempts=5)
    for _i in range(3):
        attempt = start(world, exam)
        assess.attempt_submit(user=world.officer_user_a, attempt_id=attempt.pk)
    with django_assert_max_num_queries(5):
        item_analysis(exam=exam)
