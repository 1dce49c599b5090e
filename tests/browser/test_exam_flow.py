"""A trainee starts an exam, answers some questions (saved as they go by exam.js), reloads the
page and finds the answers there, submits and sees the result as the exam's review policy
allows (here: answers with explanations, right away)."""

import datetime

import pytest
from django.utils import timezone

from courses import services
from courses import services_enrollment as svc
from courses.models import Attempt, ClassSession, Enrollment, Response
from tests.browser.test_personnel_import import log_in
from tests.courses.test_assessment_attempts import add_question, make_exam, right_choice, wrong_choice

pytestmark = pytest.mark.django_db(transaction=True)

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


@pytest.fixture
def exam(world, site):
    catalogue = services.catalogue_ensure(home=site, title="Catálogo de cursos", slug="cursos")
    services.courses_setup()
    track = services.track_upsert(
        slug="border-security", name_es="Seguridad fronteriza", name_en="Border security"
    )
    course = services.course_create(
        catalogue=catalogue,
        title="Interdicción fronteriza",
        slug="interdiccion-fronteriza",
        code="BSI-101",
        track=track,
        hours=40,
        summary="Control de personas y mercancías.",
        online=True,
        publish=True,
    )
    session = svc.session_create(
        actor=world.admin,
        course=course,
        code="BSI-101-01",
        starts_on=TODAY - DAY,
        ends_on=TODAY + 3 * DAY,
        nomination_deadline=None,
        capacity=10,
        city="Ciudad de Guatemala",
        country=world.gt,
    )
    svc.session_transition(actor=world.admin, session=session, to_status=ClassSession.Status.OPEN)
    (enrollment,) = svc.enrollment_nominate(actor=world.head_a, session=session, trainees=[world.trainee_a])
    svc.session_transition(actor=world.admin, session=session, to_status=ClassSession.Status.IN_PROGRESS)
    svc.enrollment_approve(actor=world.admin, enrollment=enrollment)
    assert Enrollment.objects.get().status == Enrollment.Status.ENROLLED
    exam = make_exam(
        course,
        pool=0,
        title="Examen de documentos",
        time_limit_minutes=30,
        pass_mark_percent=60,
        review_policy="answers_with_explanations",
    )
    for i in range(1, 4):
        add_question(
            exam,
            text=f"¿Es válido el documento {i}?",
            choices=((f"Sí, el {i}", True), (f"No, el {i}", False)),
            explanation=f"Explicación {i}: revise el sello.",
        )
    return exam


def test_a_trainee_takes_an_exam_reloads_submits_and_reads_the_review(live_server, world, exam, page):
    log_in(page, live_server, "officer.a@test.carsi", world.password)
    page.goto(f"{live_server.url}/es/exams/{exam.id}/")
    page.get_by_test_id("exam-start").locator("button[type=submit]").click()
    page.wait_for_url("**/es/exams/attempts/*/")
    attempt = Attempt.objects.get()
    timer = page.get_by_test_id("exam-timer")
    assert timer.inner_text().startswith(("29:", "30:"))

    # Two answers, saved by exam.js as they are chosen.
    questions = [aq.question for aq in attempt.drawn.select_related("question").order_by("position")]
    first, second, third = questions
    page.locator(f"input[name='q-{first.pk}'][value='{right_choice(first)}']").check()
    page.locator(f"fieldset[data-question='{first.pk}'][data-saved='true']").wait_for()
    page.locator(f"input[name='q-{second.pk}'][value='{wrong_choice(second)}']").check()
    page.locator(f"fieldset[data-question='{second.pk}'][data-saved='true']").wait_for()
    assert sorted(Response.objects.values_list("question_id", "choice_ids")) == sorted(
        [(first.pk, [right_choice(first)]), (second.pk, [wrong_choice(second)])]
    )
    # The countdown runs from the server's clock.
    page.wait_for_function(
        "(start) => document.getElementById('exam-timer').textContent !== start", arg=timer.inner_text()
    )

    # A reload (a dropped connection, a closed laptop): the same attempt, the answers still there.
    page.reload()
    assert page.url.endswith(f"/es/exams/attempts/{attempt.id}/")
    assert page.locator(f"input[name='q-{first.pk}'][value='{right_choice(first)}']").is_checked()
    assert page.locator(f"input[name='q-{second.pk}'][value='{wrong_choice(second)}']").is_checked()
    assert not page.locator(f"input[name='q-{third.pk}']:checked").count()

    # The third answer, then submit (after confirming).
    page.locator(f"input[name='q-{third.pk}'][value='{right_choice(third)}']").check()
    page.locator(f"fieldset[data-question='{third.pk}'][data-saved='true']").wait_for()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("exam-submit").click()
    page.wait_for_url(f"**/es/exams/attempts/{attempt.id}/result/")
    attempt.refresh_from_db()
    assert attempt.status == "submitted" and str(attempt.score_percent) == "66.67"
    # A Spanish page: decimal comma.
    assert "66,67%" in page.get_by_test_id("exam-result-score").inner_text()
    assert page.get_by_test_id("review-question").count() == 3
    assert page.get_by_test_id("review-explanation").count() == 3
    assert "Explicación 2: revise el sello." in page.locator("main").inner_text()
