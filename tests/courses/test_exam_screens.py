"""Exam screens through their views: a trainee's whole path (start, autosave, submit, result),
the autosave endpoint's JSON, tampered requests (404 for someone else's attempt, 400 and nothing
changed for a bad answer, refused and closed after the deadline), double submission, no answer
key in any response before submission, the review policy on the result page, the instructors'
pages scoped (404 otherwise), the item analysis CSV, both languages and fixed query counts."""

import datetime
import json
import re

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from courses import services
from courses import services_assessment as assess
from courses import services_enrollment as svc
from courses.models import AssessmentAudit, Attempt, ClassSession, Response
from courses.views_exams import course_exam_standings
from tests.courses.test_assessment_attempts import (
    add_question,
    make_exam,
    right_choice,
    running,
    wrong_choice,
)
from tests.courses.test_enrollment_flow import course, in_english, make_session

SHARED_FIXTURES = (course, in_english, make_session, running)

pytestmark = pytest.mark.django_db

MIN = datetime.timedelta(minutes=1)


def url(name, *args, language="en"):
    with translation.override(language):
        return reverse(f"exams:{name}", args=args)


def drawn(attempt):
    return [aq.question for aq in attempt.drawn.select_related("question").order_by("position")]


def autosave(client, attempt, question, choices=(), text=None):
    data = {"questions": [str(getattr(question, "pk", question))]}
    qid = data["questions"][0]
    data[f"q-{qid}"] = [str(c) for c in choices]
    if text is not None:
        data[f"q-{qid}-text"] = text
    return client.post(url("attempt_answer", attempt.pk), data, HTTP_ACCEPT="application/json")


def responses():
    return sorted(Response.objects.values_list("attempt_id", "question_id", "choice_ids", "text"))


@pytest.fixture
def officer(client, world):
    client.force_login(world.officer_user_a)
    return client


@pytest.fixture
def exam(course, running):
    return make_exam(course, pool=4, time_limit_minutes=30, max_attempts=2, pass_mark_percent=75)


def start(world, exam, now=None):
    return assess.attempt_start(user=world.officer_user_a, exam=exam, now=now)


# --- the trainee's path ------------------------------------------------------------------------


def test_the_whole_trainee_path(officer, world, exam):
    page = officer.get(url("exam_detail", exam.pk))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Examen final" in html and "Start the exam" in html
    assert "0 of 2 used, 2 left" in html and "75%" in html and "30 minutes" in html

    started = officer.post(url("exam_start", exam.pk))
    attempt = Attempt.objects.get()
    assert started.status_code == 302 and started["Location"] == url("attempt", attempt.pk)

    html = officer.get(started["Location"]).content.decode()
    questions = drawn(attempt)
    positions = [html.index(f'data-question="{q.pk}"') for q in questions]
    assert positions == sorted(positions)  # in the stored order
    assert html.count('type="radio"') == 8 and "exam.js" in html
    # Ready for a Content Security Policy without unsafe-inline: scripts from files only.
    assert re.findall(r"<script[^>]*>", html) == [
        re.search(r'<script src="[^"]+/js/exam\.js" defer>', html)[0]
    ]
    assert not re.search(r"\son[a-z]+=", html) and "style=" not in html
    assert re.search(r'id="exam-timer"[^>]*>(29:5\d|30:00)<', html)

    for q in questions[:3]:
        reply = autosave(officer, attempt, q, [right_choice(q)])
        assert reply.status_code == 200
    reply = autosave(officer, attempt, questions[3], [wrong_choice(questions[3])])
    assert reply.status_code == 200

    # Back on the page (a reload): the answers are there, and "Resume" on the exam page.
    html = officer.get(url("attempt", attempt.pk)).content.decode()
    assert html.count(" checked>") == 4
    assert f'value="{right_choice(questions[0])}" checked' in html
    assert "Resume the attempt" in officer.get(url("exam_detail", exam.pk)).content.decode()
    assert officer.post(url("exam_start", exam.pk))["Location"] == url("attempt", attempt.pk)

    submitted = officer.post(url("attempt_submit", attempt.pk))
    assert submitted["Location"] == url("attempt_result", attempt.pk)
    attempt.refresh_from_db()
    assert (attempt.status, attempt.score_percent, attempt.passed) == ("submitted", 75, True)
    result = officer.get(submitted["Location"]).content.decode()
    assert "75.00%" in result and "Passed" in result
    # The attempt page of a submitted attempt sends to the result.
    assert officer.get(url("attempt", attempt.pk))["Location"] == url("attempt_result", attempt.pk)
    html = officer.get(url("exam_detail", exam.pk)).content.decode()
    assert "1 of 2 used, 1 left" in html and url("attempt_result", attempt.pk) in html


def test_a_refused_start_is_a_message_and_starts_nothing(officer, world, course, running):
    once = make_exam(course, pool=1, max_attempts=1)
    assess.attempt_submit(user=world.officer_user_a, attempt_id=start(world, once).pk)
    reply = officer.post(url("exam_start", once.pk), follow=True)
    html = reply.content.decode()
    assert "You have used all 1 attempts at this exam." in html
    assert "You have no attempts left" in html and "Start the exam" not in html
    assert Attempt.objects.count() == 1
    broken = make_exam(course, pool=0, title="Sin preguntas")
    html = officer.post(url("exam_start", broken.pk), follow=True).content.decode()
    assert "The exam has no questions." in html
    assert Attempt.objects.count() == 1


def test_exams_one_may_not_take_are_404(client, world, course, running, make_course):
    draft = make_exam(course, published=False)
    other = make_exam(make_course(code="DOC-110", title="Documentos", modules=1), title="Otro curso")
    mine = make_exam(course)
    client.force_login(world.officer_user_a)
    for exam in (draft, other):
        assert client.get(url("exam_detail", exam.pk)).status_code == 404
        assert client.post(url("exam_start", exam.pk)).status_code == 404
    assert client.get(url("exam_detail", 999999)).status_code == 404
    for user in (world.head_a, world.instructor):  # not enrolled
        client.force_login(user)
        assert client.get(url("exam_detail", mine.pk)).status_code == 404
        assert client.post(url("exam_start", mine.pk)).status_code == 404
    assert not Attempt.objects.exists()
    client.logout()
    assert client.get(url("exam_detail", mine.pk)).status_code == 302  # to the login page


# --- autosave ------------------------------------------------------------------------------------


def test_autosave_answers_json_with_the_time_left(officer, world, course, running):
    exam = make_exam(course, pool=0, time_limit_minutes=30)
    single = add_question(exam)
    several = add_question(exam, kind="multiple", choices=(("A", True), ("B", True), ("C", False)))
    written = add_question(exam, kind="short_answer")
    attempt = start(world, exam, now=timezone.now() - 10 * MIN)
    reply = autosave(officer, attempt, single, [right_choice(single)])
    assert reply.status_code == 200 and reply["Content-Type"] == "application/json"
    body = reply.json()
    assert set(body) == {"saved_at", "seconds_left"}
    assert 19 * 60 - 5 <= body["seconds_left"] <= 20 * 60
    assert datetime.datetime.fromisoformat(body["saved_at"])
    a, b, _c = several.choices.order_by("position").values_list("pk", flat=True)
    assert autosave(officer, attempt, several, [a, b]).status_code == 200
    assert autosave(officer, attempt, several, []).status_code == 200  # unticking every box
    assert autosave(officer, attempt, written, text="Revisar el sello.").status_code == 200
    assert autosave(officer, attempt, written, text="Revisar el sello y la firma.").status_code == 200
    saved = {r.question_id: (r.choice_ids, r.text) for r in Response.objects.all()}
    assert saved == {
        single.pk: ([right_choice(single)], ""),
        several.pk: ([], ""),
        written.pk: ([], "Revisar el sello y la firma."),
    }
    untimed = make_exam(course, pool=1, title="Sin tiempo")
    attempt = start(world, untimed)
    (q,) = drawn(attempt)
    assert autosave(officer, attempt, q, [right_choice(q)]).json()["seconds_left"] is None


def test_without_javascript_save_answers_posts_the_whole_form(officer, world, exam):
    attempt = start(world, exam)
    q1, q2, q3, q4 = drawn(attempt)
    form = {
        "questions": [q1.pk, q2.pk, q3.pk, q4.pk],
        f"q-{q1.pk}": right_choice(q1),
        f"q-{q2.pk}": wrong_choice(q2),
        # q3 and q4 not answered yet: skipped
    }
    reply = officer.post(url("attempt_answer", attempt.pk), form, follow=True)
    assert reply.redirect_chain == [(url("attempt", attempt.pk), 302)]
    assert "Your answers are saved." in reply.content.decode()
    assert responses() == [
        (attempt.pk, q1.pk, [right_choice(q1)], ""),
        (attempt.pk, q2.pk, [wrong_choice(q2)], ""),
    ]
    # One bad answer among good ones: nothing saved, and said so.
    form.update({f"q-{q3.pk}": right_choice(q3), f"q-{q4.pk}": right_choice(q1)})
    reply = officer.post(url("attempt_answer", attempt.pk), form, follow=True)
    assert (
        "Your answers were not saved: That choice does not belong to this question." in reply.content.decode()
    )
    assert len(responses()) == 2
    # "Submit the exam" posts the form too: its answers are saved, then it is submitted.
    form[f"q-{q4.pk}"] = wrong_choice(q4)
    reply = officer.post(url("attempt_submit", attempt.pk), form)
    assert reply["Location"] == url("attempt_result", attempt.pk)
    attempt.refresh_from_db()
    assert (attempt.status, attempt.score_percent) == ("submitted", 50)


# --- tampering -----------------------------------------------------------------------------------


def test_someone_elses_attempt_is_404_everywhere(client, world, exam):
    attempt = start(world, exam)
    q = drawn(attempt)[0]
    for user in (world.head_a, world.instructor, world.admin, world.coordinator_a):
        client.force_login(user)
        for name in ("attempt", "attempt_result"):
            assert client.get(url(name, attempt.pk)).status_code == 404
        assert autosave(client, attempt, q, [right_choice(q)]).status_code == 404
        assert client.post(url("attempt_answer", attempt.pk), {"questions": [q.pk]}).status_code == 404
        assert client.post(url("attempt_submit", attempt.pk)).status_code == 404
    client.force_login(world.officer_user_a)
    assert client.get(url("attempt", attempt.pk + 1000)).status_code == 404
    assert client.post(url("attempt_submit", attempt.pk + 1000)).status_code == 404
    assert client.get(url("attempt", attempt.pk)).status_code == 200
    assert not Response.objects.exists()
    attempt.refresh_from_db()
    assert attempt.status == "in_progress"


def test_bad_answers_are_400_with_a_message_and_change_nothing(officer, world, course, running):
    exam = make_exam(course, pool=4, questions_per_attempt=2)
    attempt = start(world, exam)
    q1, q2 = drawn(attempt)
    not_drawn = exam.questions.exclude(pk__in=[q1.pk, q2.pk]).first()
    autosave(officer, attempt, q1, [wrong_choice(q1)])
    before = responses()
    cases = [
        (not_drawn, [right_choice(not_drawn)], None, "That question is not part of this attempt."),
        (q1, [right_choice(q2)], None, "That choice does not belong to this question."),
        (q1, [right_choice(q1), wrong_choice(q1)], None, "Choose exactly one answer."),
        (q1, ["x"], None, "Unknown choice."),
        (q1, [right_choice(q1)], "Sí", "This question takes a choice, not a written answer."),
        ("abc", [], None, "That question is not part of this attempt."),
    ]
    for question, choices, text, message in cases:
        reply = autosave(officer, attempt, question, choices, text)
        assert reply.status_code == 400, message
        assert reply.json() == {"error": message, "closed": False}
    two = officer.post(
        url("attempt_answer", attempt.pk), {"questions": [q1.pk, q2.pk]}, HTTP_ACCEPT="application/json"
    )
    assert two.status_code == 400 and "error" in two.json()
    assert responses() == before
    attempt.refresh_from_db()
    assert attempt.status == "in_progress"
    assert officer.get(url("attempt_answer", attempt.pk)).status_code == 405


def test_an_answer_after_the_deadline_is_refused_and_the_attempt_closed(officer, world, exam):
    attempt = start(world, exam, now=timezone.now() - 31 * MIN)  # the deadline passed a minute ago
    q = drawn(attempt)[0]
    reply = autosave(officer, attempt, q, [right_choice(q)])
    assert reply.status_code == 400
    body = reply.json()
    assert body["closed"] is True and body["result_url"] == url("attempt_result", attempt.pk)
    assert "The time is up" in body["error"]
    attempt.refresh_from_db()
    assert attempt.status == "auto_closed" and not Response.objects.exists()
    # Another answer: still refused, the attempt is done.
    again = autosave(officer, attempt, q, [right_choice(q)])
    assert again.status_code == 400 and again.json()["closed"] is True
    assert not Response.objects.exists()


def test_without_javascript_a_late_save_or_submission_closes_the_attempt_as_it_stood(officer, world, exam):
    t0 = timezone.now() - 31 * MIN
    attempt = start(world, exam, now=t0)
    q = drawn(attempt)[0]
    assess.answer_save(
        user=world.officer_user_a,
        attempt_id=attempt.pk,
        question_id=q.pk,
        choice_ids=[wrong_choice(q)],
        now=t0,
    )
    form = {"questions": [q.pk], f"q-{q.pk}": right_choice(q)}
    reply = officer.post(url("attempt_submit", attempt.pk), form, follow=True)
    assert reply.redirect_chain[-1][0] == url("attempt_result", attempt.pk)
    assert "submitted as it stood" in reply.content.decode()
    attempt.refresh_from_db()
    assert attempt.status == "auto_closed"
    assert responses() == [(attempt.pk, q.pk, [wrong_choice(q)], "")]


def test_an_attempt_left_open_past_its_deadline_opens_as_its_result(officer, world, exam):
    attempt = start(world, exam, now=timezone.now() - 45 * MIN)
    assert officer.get(url("attempt", attempt.pk))["Location"] == url("attempt_result", attempt.pk)
    attempt.refresh_from_db()
    assert attempt.status == "auto_closed"


def test_submitting_twice_gives_one_result(officer, world, exam):
    attempt = start(world, exam)
    q = drawn(attempt)[0]
    autosave(officer, attempt, q, [right_choice(q)])
    first = officer.post(url("attempt_submit", attempt.pk))
    attempt.refresh_from_db()
    result = (attempt.status, attempt.submitted_at, attempt.score_percent)
    second = officer.post(
        url("attempt_submit", attempt.pk), {"questions": [q.pk], f"q-{q.pk}": wrong_choice(q)}
    )
    assert first["Location"] == second["Location"] == url("attempt_result", attempt.pk)
    attempt.refresh_from_db()
    assert (attempt.status, attempt.submitted_at, attempt.score_percent) == result
    assert Attempt.objects.count() == 1
    assert Response.objects.get().choice_ids == [right_choice(q)]


# --- no answer key before submission -------------------------------------------------------------


def test_no_answer_key_reaches_the_trainee_before_submission(officer, world, course, running):
    exam = make_exam(course, pool=0, shuffle_choices=True)
    for i in range(3):
        add_question(
            exam,
            text=f"Pregunta {i}",
            choices=((f"RIGHTMARK{i}", True), (f"WRONGMARK{i}a", False), (f"WRONGMARK{i}b", False)),
            explanation=f"EXPLAINMARK{i}",
            points=7,
        )
    add_question(exam, kind="multiple", choices=(("RIGHTMARK3", True), ("WRONGMARK3a", False)), points=7)
    add_question(exam, kind="short_answer", explanation="EXPLAINMARK4", points=7)
    detail = officer.get(url("exam_detail", exam.pk)).content.decode()
    officer.post(url("exam_start", exam.pk))
    attempt = Attempt.objects.get()
    html = officer.get(url("attempt", attempt.pk)).content.decode()
    bodies = [detail, html]
    for q in drawn(attempt):
        if q.kind != "short_answer":
            bodies.append(autosave(officer, attempt, q, [right_choice(q)]).content.decode())
            bodies.append(autosave(officer, attempt, q, [wrong_choice(q)]).content.decode())
        else:
            bodies.append(autosave(officer, attempt, q, text="Una respuesta").content.decode())
    bodies.append(autosave(officer, attempt, 999999, [1]).content.decode())
    html_after = officer.get(url("attempt", attempt.pk)).content.decode()
    bodies.append(html_after)
    with open("static/js/exam.js", encoding="utf-8") as script:
        bodies.append(script.read())
    for body in bodies:
        assert "EXPLAINMARK" not in body
        assert "correct" not in body.lower()
        assert "points" not in body.lower() and "explanation" not in body.lower()
    # Nothing distinguishes a right choice's element from a wrong one's but its id and text.
    for i in range(3):
        elements = {
            marker: _choice_element(html, marker)
            for marker in (f"RIGHTMARK{i}", f"WRONGMARK{i}a", f"WRONGMARK{i}b")
        }
        assert len(set(elements.values())) == 1, elements
    for marker in ("RIGHTMARK3", "WRONGMARK3a"):
        assert _choice_element(html, marker) == _choice_element(html, "WRONGMARK3a")


def _choice_element(html: str, marker: str) -> str:
    """The <label> holding a choice, with its id and text blanked."""
    match = re.search(r"<label><input [^>]*>\s*" + re.escape(marker) + r"</label>", html)
    assert match, marker
    return re.sub(r'value="\d+"', 'value="ID"', match.group(0)).replace(marker, "TEXT")


# --- the result page and the review policy -------------------------------------------------------


def take(officer, world, exam, choose):
    officer.post(url("exam_start", exam.pk))
    attempt = Attempt.objects.filter(exam=exam).latest("pk")
    for q in drawn(attempt):
        autosave(officer, attempt, q, [choose(q)])
    officer.post(url("attempt_submit", attempt.pk))
    return attempt


def review_exam(course, policy, timing="immediately"):
    exam = make_exam(course, pool=0, review_policy=policy, review_timing=timing, title=f"{policy} {timing}")
    add_question(exam, choices=(("Sello falso", True), ("Sello bueno", False)), explanation="EXPLAINMARK")
    return exam


@pytest.mark.parametrize(
    ("policy", "answers", "explained"),
    [("score_only", False, False), ("answers", True, False), ("answers_with_explanations", True, True)],
)
def test_the_result_page_follows_the_review_policy(
    officer, world, course, running, policy, answers, explained
):
    exam = review_exam(course, policy)
    attempt = take(officer, world, exam, wrong_choice)
    html = officer.get(url("attempt_result", attempt.pk)).content.decode()
    assert "0.00%" in html and "Not passed" in html
    assert ('data-testid="review-question"' in html) is answers
    assert ("Sello falso" in html) is answers
    assert ('data-testid="review-correct"' in html) is answers
    assert ("EXPLAINMARK" in html) is explained


def test_answers_after_the_class_closes_are_shown_once_it_closes(officer, world, course, running):
    exam = review_exam(course, "answers_with_explanations", "after_session_closes")
    attempt = take(officer, world, exam, right_choice)
    html = officer.get(url("attempt_result", attempt.pk)).content.decode()
    assert "Passed" in html and 'data-testid="review-later"' in html
    assert "Sello falso" not in html and "EXPLAINMARK" not in html
    svc.session_transition(actor=world.admin, session=running.session, to_status=ClassSession.Status.CLOSED)
    html = officer.get(url("attempt_result", attempt.pk)).content.decode()
    assert "Sello falso" in html and "EXPLAINMARK" in html


def test_an_attempt_in_progress_has_no_result_yet(officer, world, exam):
    attempt = start(world, exam)
    assert officer.get(url("attempt_result", attempt.pk))["Location"] == url("attempt", attempt.pk)


# --- instructors and administrators --------------------------------------------------------------


@pytest.fixture
def graded(world, course, running, exam):
    """trainee_a's submitted attempt at `exam` (2 of 4 right) and at an exam with a written answer."""
    attempt = start(world, exam)
    for i, q in enumerate(drawn(attempt)):
        assess.answer_save(
            user=world.officer_user_a,
            attempt_id=attempt.pk,
            question_id=q.pk,
            choice_ids=[right_choice(q) if i < 2 else wrong_choice(q)],
        )
    assess.attempt_submit(user=world.officer_user_a, attempt_id=attempt.pk)
    written_exam = make_exam(course, pool=1, title="Escrito")
    written = add_question(written_exam, kind="short_answer", points=2)
    second = start(world, written_exam)
    for q in drawn(second):
        choices = [] if q.pk == written.pk else [right_choice(q)]
        text = "Revisar el sello." if q.pk == written.pk else ""
        assess.answer_save(
            user=world.officer_user_a, attempt_id=second.pk, question_id=q.pk, choice_ids=choices, text=text
        )
    assess.attempt_submit(user=world.officer_user_a, attempt_id=second.pk)
    attempt.refresh_from_db()
    second.refresh_from_db()
    return attempt, second


def test_the_class_results_for_its_instructor_and_administrators(client, world, running, graded, exam):
    attempt, second = graded
    session = running.session
    for user in (world.instructor, world.admin):
        client.force_login(user)
        reply = client.get(url("session_results", session.pk))
        assert reply.status_code == 200
        html = reply.content.decode()
        assert "Núñez" in html and "Examen final" in html and "Escrito" in html
        assert "50.00%" in html and "Not passed" in html and "To score" in html
        assert url("attempt_grade", attempt.pk) in html and url("attempt_grade", second.pk) in html


def test_instructor_pages_are_404_for_everyone_else(client, world, running, graded, exam, other_instructor):
    attempt, _second = graded
    session = running.session
    for user in (other_instructor, world.head_a, world.coordinator_a, world.officer_user_a):
        client.force_login(user)
        assert client.get(url("session_results", session.pk)).status_code == 404
        assert client.get(url("exam_analysis", exam.pk)).status_code == 404
        assert client.get(url("exam_analysis_csv", exam.pk)).status_code == 404
        assert client.get(url("attempt_grade", attempt.pk)).status_code == 404
        reply = client.post(
            url("attempt_grade", attempt.pk), {"action": "override", "passed": "yes", "reason": "x"}
        )
        assert reply.status_code == 404
    client.force_login(world.admin)
    assert client.get(url("session_results", 999999)).status_code == 404
    assert client.get(url("exam_analysis", 999999)).status_code == 404
    assert client.get(url("attempt_grade", 999999)).status_code == 404
    attempt.refresh_from_db()
    assert attempt.override_passed is None and not AssessmentAudit.objects.exists()


def test_item_analysis_for_the_courses_instructors_and_administrators(client, world, course, graded, exam):
    # The session's instructor is not the course's: item analysis is the course's instructors'.
    client.force_login(world.instructor)
    assert client.get(url("exam_analysis", exam.pk)).status_code == 404
    services.course_assign_instructor(course=course, user=world.instructor)
    for user in (world.instructor, world.admin):
        client.force_login(user)
        html = client.get(url("exam_analysis", exam.pk)).content.decode()
        assert "Item analysis" in html and "Pregunta 1" in html and "1 submitted attempt analysed." in html
        assert 'data-testid="item-row"' in html and html.count('data-testid="item-row"') == 4


def test_the_item_analysis_csv_neutralises_formulas(client, world, course, running):
    exam = make_exam(course, pool=0)
    add_question(exam, text='=HYPERLINK("http://x")', choices=(("+1", True), ("No", False)))
    take_attempt = start(world, exam)
    (q,) = drawn(take_attempt)
    assess.answer_save(
        user=world.officer_user_a, attempt_id=take_attempt.pk, question_id=q.pk, choice_ids=[right_choice(q)]
    )
    assess.attempt_submit(user=world.officer_user_a, attempt_id=take_attempt.pk)
    client.force_login(world.admin)
    reply = client.get(url("exam_analysis_csv", exam.pk))
    assert reply.status_code == 200 and reply["Content-Type"].startswith("text/csv")
    assert "attachment" in reply["Content-Disposition"]
    text = b"".join(reply.streaming_content).decode("utf-8")
    lines = text.lstrip("\ufeff").splitlines()
    assert lines[0] == "Position,Topic,Question,Times drawn,Share right,Discrimination,Choices nobody picked"
    assert lines[1] == '1,,"\'=HYPERLINK(""http://x"")",1,1.00,,No'


def test_the_instructor_overrides_a_result_with_a_reason(client, world, graded):
    attempt, _second = graded
    client.force_login(world.instructor)  # the instructor of the trainee's class
    html = client.get(url("attempt_grade", attempt.pk)).content.decode()
    assert "María José" in html and "right answer" in html and 'data-testid="override-form"' in html
    reply = client.post(
        url("attempt_grade", attempt.pk), {"action": "override", "passed": "yes", "reason": "  "}, follow=True
    )
    assert "Nothing was changed" in reply.content.decode()
    attempt.refresh_from_db()
    assert attempt.override_passed is None and not AssessmentAudit.objects.exists()
    reply = client.post(
        url("attempt_grade", attempt.pk),
        {"action": "override", "passed": "yes", "score_percent": "80", "reason": "Examen oral aprobado."},
        follow=True,
    )
    html = reply.content.decode()
    assert "The result is changed." in html and "Examen oral aprobado." in html
    attempt.refresh_from_db()
    assert (attempt.override_passed, attempt.override_score_percent) == (True, 80)
    entry = AssessmentAudit.objects.get()
    assert (entry.action, entry.actor, entry.attempt) == ("override", world.instructor, attempt)
    # The trainee sees the overridden result.
    client.force_login(world.officer_user_a)
    html = client.get(url("attempt_result", attempt.pk)).content.decode()
    assert "80.00%" in html and "Passed" in html and "set by an instructor" in html


def test_the_instructor_scores_a_written_answer(client, world, graded):
    _attempt, second = graded
    assert second.pending_grading
    response = Response.objects.get(attempt=second, text="Revisar el sello.")
    client.force_login(world.instructor)
    html = client.get(url("attempt_grade", second.pk)).content.decode()
    assert "Revisar el sello." in html and 'data-testid="score-form"' in html
    for bad in ("mucho", "3", "-1"):
        reply = client.post(
            url("attempt_grade", second.pk),
            {"action": "score", "response": response.pk, "points": bad},
            follow=True,
        )
        assert "Give a number of points from 0 to 2." in reply.content.decode()
    other = Response.objects.exclude(attempt=second).first()
    reply = client.post(
        url("attempt_grade", second.pk), {"action": "score", "response": other.pk, "points": "1"}, follow=True
    )
    assert "That answer is not part of this attempt." in reply.content.decode()
    assert not AssessmentAudit.objects.exists()
    reply = client.post(
        url("attempt_grade", second.pk),
        {"action": "score", "response": response.pk, "points": "2", "reason": "Completa"},
        follow=True,
    )
    assert "The answer is scored." in reply.content.decode()
    second.refresh_from_db()
    assert (second.pending_grading, second.passed, second.score_percent) == (False, True, 100)
    assert AssessmentAudit.objects.get().action == "score_short_answer"


# --- both languages ------------------------------------------------------------------------------


def test_every_screen_renders_in_spanish_and_english(client, world, running, graded, exam):
    attempt, _second = graded
    services.course_assign_instructor(course=exam.course, user=world.instructor)
    in_progress = make_exam(exam.course, pool=2, title="Repaso")
    open_attempt = start(world, in_progress)
    trainee_pages = [
        ("exam_detail", exam.pk, "Start the exam"),
        ("attempt", open_attempt.pk, "Submit the exam"),
        ("attempt_result", attempt.pk, "Not passed"),
    ]
    instructor_pages = [
        ("session_results", running.session.pk, "Exam results"),
        ("exam_analysis", exam.pk, "Item analysis"),
        ("attempt_grade", attempt.pk, "Override the result"),
    ]
    for user, pages in ((world.officer_user_a, trainee_pages), (world.instructor, instructor_pages)):
        client.force_login(user)
        for name, pk, english in pages:
            en = client.get(url(name, pk, language="en"))
            assert en.status_code == 200 and english in en.content.decode(), name
            assert '<html lang="en">' in en.content.decode()
            es = client.get(url(name, pk, language="es"))
            assert es.status_code == 200, name
            assert '<html lang="es">' in es.content.decode()


# --- the include for "My training" ---------------------------------------------------------------


def test_the_course_exams_include_lists_each_exam_with_its_standing(world, course, running, graded, exam):
    english = make_exam(
        course, pool=1, language="en", title="Final exam", group_key=exam.group_key, max_attempts=2
    )
    standings = course_exam_standings(enrollment=running)
    assert [e.pk for e, _s in standings] == [graded[1].exam_id, english.pk]  # in the reader's language
    html = render_to_string("courses/exams/includes/course_exams.html", {"course_exams": standings})
    assert url("exam_detail", english.pk) in html and "Final exam" in html
    assert "1 of 2 attempts used" in html and "50.00%" in html
    assert render_to_string("courses/exams/includes/course_exams.html", {"course_exams": []}).strip() == ""


# --- query counts --------------------------------------------------------------------------------


def _queries(call) -> int:
    with CaptureQueriesContext(connection) as queries:
        reply = call()
    assert reply.status_code == 200, reply.content[:500]
    return len(queries)


def test_the_attempt_page_and_autosave_do_a_fixed_number_of_queries(officer, world, course, running):
    counts = []
    for size in (3, 20):
        exam = make_exam(course, pool=size, time_limit_minutes=60, title=f"Examen {size}")
        attempt = start(world, exam)
        questions = drawn(attempt)
        for q in questions[:-1]:
            autosave(officer, attempt, q, [right_choice(q)])
        page = _queries(lambda attempt=attempt: officer.get(url("attempt", attempt.pk)))
        update = _queries(
            lambda attempt=attempt, q=questions[0]: autosave(officer, attempt, q, [wrong_choice(q)])
        )
        create = _queries(
            lambda attempt=attempt, q=questions[-1]: autosave(officer, attempt, q, [wrong_choice(q)])
        )
        counts.append((page, update, create))
        assess.attempt_submit(user=world.officer_user_a, attempt_id=attempt.pk)
    assert counts[0] == counts[1], counts
    page, update, create = counts[0]
    assert page <= 12 and update <= 10 and create <= 11, counts


def test_a_json_reply_is_valid_json_even_on_refusal(officer, world, exam):
    attempt = start(world, exam)
    reply = autosave(officer, attempt, 0, [])
    assert reply.status_code == 400
    assert json.loads(reply.content) == reply.json()


def test_submitting_the_whole_form_takes_the_same_queries_whatever_the_number_of_answers(
    officer, world, course, running
):
    """exam.js submits the form with every answer on it: they are saved in a fixed number of
    queries (one read of the drawn questions and stored answers, one insert, one update), then
    the attempt is graded. An answer equal to the stored one is not written again."""
    counts = []
    for size in (3, 20):
        exam = make_exam(course, pool=size, time_limit_minutes=60, title=f"Formulario {size}")
        attempt = start(world, exam)
        questions = drawn(attempt)
        autosave(officer, attempt, questions[0], [right_choice(questions[0])])  # stored already
        form = {"questions": [q.pk for q in questions]}
        for n, q in enumerate(questions):
            form[f"q-{q.pk}"] = [right_choice(q) if n % 2 == 0 else wrong_choice(q)]
        with CaptureQueriesContext(connection) as queries:
            reply = officer.post(url("attempt_submit", attempt.pk), form)
        assert reply.status_code == 302
        attempt.refresh_from_db()
        assert attempt.status == Attempt.Status.SUBMITTED
        assert Response.objects.filter(attempt=attempt).count() == size
        assert sorted(
            Response.objects.filter(attempt=attempt).values_list("question_id", flat=True)
        ) == sorted(q.pk for q in questions)
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
