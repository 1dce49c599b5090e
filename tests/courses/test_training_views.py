"""Training screens: "My training", marking a module complete, an agency's nominations and the
administrators' nomination queue. Scope (404 outside), services for writes, fixed query counts."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from certification.models import Trainee
from certification.services_personnel import trainee_create
from courses import services
from courses import services_enrollment as svc
from courses.models import ClassSession, Enrollment, EnrollmentTransition, ModuleProgress
from courses.selectors_enrollment import enrollment_progress
from tests.courses.test_enrollment_flow import course, in_english, make_session, nominate, session, vet

SHARED_FIXTURES = (course, in_english, make_session, session)  # from test_enrollment_flow

pytestmark = pytest.mark.django_db

S = Enrollment.Status
TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def snapshot():
    return (
        list(Enrollment.objects.order_by("pk").values_list("pk", "status")),
        EnrollmentTransition.objects.count(),
    )


@pytest.fixture
def placed(world, make_session):
    """trainee_a approved (a place) in an open session of the course."""
    session = make_session()
    (enrollment,) = nominate(world, session)
    svc.enrollment_approve(actor=world.admin, enrollment=enrollment)
    assert enrollment.status == S.APPROVED
    return session, enrollment


# --- My training -----------------------------------------------------------------------------------


def test_my_training_shows_progress_and_where_to_continue(client, world, course, placed):
    session, enrollment = placed
    modules = list(course.modules())
    svc.module_complete(user=world.officer_user_a, module=modules[0])
    client.force_login(world.officer_user_a)
    response = client.get("/es/training/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<progress value="1" max="2"' in html
    assert "1 de 2 módulos" in html or "1 of 2 modules" in html
    assert f'href="{modules[1].url}"' in html  # the first module not completed
    assert session.code in html  # upcoming session


def test_continue_link_is_in_the_readers_language(client, world, course, locales, catalogue_en, placed):
    modules = list(course.modules())
    services.page_translate(page=course, locale=locales[1], fields={"title": "Border", "slug": "border"})
    module_en = services.page_translate(
        page=modules[0], locale=locales[1], fields={"title": "Module 1", "slug": "module-1"}
    )
    client.force_login(world.officer_user_a)
    html = client.get("/en/training/").content.decode()
    assert "Border" in html and module_en.url in html
    html = client.get("/es/training/").content.decode()
    assert course.title in html and modules[0].url in html


def test_my_training_lists_nominations_and_completed_courses(
    client, world, make_course, make_session, placed
):
    other = make_course(code="DOC-201", title="Fraude documental", modules=1)
    session = make_session(course=other)
    nominate(world, session)
    client.force_login(world.officer_user_a)
    html = client.get("/en/training/").content.decode()
    assert "Fraude documental" in html and "Nominated" in html


def test_my_training_is_404_without_a_personnel_record(client, world):
    client.force_login(world.head_a)
    assert client.get(reverse("training:my_training")).status_code == 404


def _enrol_in_courses(world, make_course, make_session, count):
    for i in range(count):
        course = make_course(code=f"CRS-{i:03d}", title=f"Curso {i}", modules=2)
        session = make_session(course=course)
        (enrollment,) = nominate(world, session)
        svc.enrollment_approve(actor=world.admin, enrollment=enrollment)


# session, user, trainee, roles (2), enrollments, progress, course copies, modules, base template
MY_TRAINING_QUERIES = 16  # + the exams of the current courses, + the certificates


@pytest.mark.parametrize("count", [1, 5])
def test_my_training_takes_a_fixed_number_of_queries(
    client, world, make_course, make_session, count, django_assert_num_queries
):
    _enrol_in_courses(world, make_course, make_session, count)
    client.force_login(world.officer_user_a)
    client.get("/es/training/")  # warm the site root paths cache
    with django_assert_num_queries(MY_TRAINING_QUERIES):
        response = client.get("/es/training/")
    assert response.content.decode().count("<progress") == count


# --- marking a module complete ---------------------------------------------------------------------


def test_an_enrolled_trainee_marks_a_module_complete(client, world, course, placed):
    session, enrollment = placed
    module = course.modules().first()
    client.force_login(world.officer_user_a)
    page = client.get(module.url).content.decode()
    assert reverse("training:module_complete", args=[module.id]) in page
    response = client.post(reverse("training:module_complete", args=[module.id]), follow=True)
    assert response.redirect_chain[-1][0] == module.url
    assert enrollment_progress(enrollment=enrollment) == (1, 2)
    html = response.content.decode()
    assert 'data-testid="module-done"' in html
    assert client.get(reverse("training:module_complete", args=[module.id])).status_code == 405


def test_others_cannot_mark_modules(client, world, course, placed):
    module = course.modules().first()
    client.force_login(world.admin)  # reads modules, but holds no place
    page = client.get(module.url).content.decode()
    assert reverse("training:module_complete", args=[module.id]) not in page
    assert client.post(reverse("training:module_complete", args=[module.id])).status_code == 404
    client.force_login(world.head_a)
    assert client.post(reverse("training:module_complete", args=[module.id])).status_code == 404
    assert not ModuleProgress.objects.exists()


# --- agency nominations ----------------------------------------------------------------------------


def test_a_head_nominates_several_officers_at_once(client, world, session):
    client.force_login(world.head_a)
    url = reverse("training:agency_nominations", args=[world.agency_a.id])
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200 and session.code in html and "10 / 10" in html
    assert world.trainee_b.first_surname not in html  # another agency's officer is not offered
    response = client.post(
        url,
        {"session": session.id, "trainees": [world.trainee_a.id, world.trainee_a2.id], "language": "es"},
        follow=True,
    )
    assert response.status_code == 200
    assert set(Enrollment.objects.values_list("trainee_id", "status")) == {
        (world.trainee_a.id, S.NOMINATED),
        (world.trainee_a2.id, S.NOMINATED),
    }
    assert "Nominated" in response.content.decode()


def test_a_refused_nomination_shows_why_and_changes_nothing(client, world, session):
    nominate(world, session, world.trainee_a2)
    before = snapshot()
    client.force_login(world.head_a)
    url = reverse("training:agency_nominations", args=[world.agency_a.id])
    response = client.post(
        url, {"session": session.id, "trainees": [world.trainee_a.id, world.trainee_a2.id], "language": "es"}
    )
    assert response.status_code == 200
    assert "already nominated" in response.content.decode()
    assert snapshot() == before
    # A foreign officer is not a choice at all.
    response = client.post(url, {"session": session.id, "trainees": [world.trainee_b.id], "language": "es"})
    assert response.status_code == 200 and snapshot() == before


def test_another_agencys_nominations_are_404(client, world, session):
    client.force_login(world.head_a)
    url = reverse("training:agency_nominations", args=[world.agency_b.id])
    assert client.get(url).status_code == 404
    assert client.post(url, {"session": session.id, "trainees": [world.trainee_b.id]}).status_code == 404
    assert not Enrollment.objects.exists()


def test_administrators_look_but_do_not_nominate(client, world, session):
    nominate(world, session, world.trainee_b, actor=world.head_b)
    client.force_login(world.admin)
    response = client.get(reverse("training:agency_nominations", args=[world.agency_b.id]))
    assert response.status_code == 200
    assert 'data-testid="nomination-form"' not in response.content.decode()
    assert world.trainee_b.first_surname in response.content.decode()


AGENCY_QUERIES = 17


@pytest.mark.parametrize("count", [1, 3])
def test_the_agency_page_takes_a_fixed_number_of_queries(
    client, world, make_course, make_session, count, django_assert_num_queries
):
    for i in range(count):
        course = make_course(code=f"AGY-{i:03d}", title=f"Curso {i}", modules=1)
        session = make_session(course=course)
        if i % 2 == 0:
            nominate(world, session, world.trainee_a)
        else:
            nominate(world, session, world.trainee_a2)
    client.force_login(world.head_a)
    url = reverse("training:agency_nominations", args=[world.agency_a.id])
    client.get(url)
    with django_assert_num_queries(AGENCY_QUERIES):
        response = client.get(url)
    assert response.content.decode().count("AGY-") >= 2 * count


# --- the nomination queue --------------------------------------------------------------------------


def test_the_queue_is_for_program_administrators(client, world):
    for user in (world.head_a, world.instructor, world.officer_user_a):
        client.force_login(user)
        assert client.get(reverse("training:nomination_queue")).status_code == 404
        assert client.post(reverse("training:nomination_queue"), {}).status_code == 404


def test_administrator_approves_and_rejects(client, world, session):
    a, a2 = nominate(world, session, world.trainee_a, world.trainee_a2)
    vet(world, world.trainee_a)
    client.force_login(world.admin)
    url = reverse("training:nomination_queue")
    html = client.get(url).content.decode()
    assert world.trainee_a.first_surname in html and "Approved and valid" in html and "Not submitted" in html
    response = client.post(url, {"enrollment": a.id, "action": "approve"}, follow=True)
    assert "approved" in response.content.decode()
    response = client.post(url, {"enrollment": a2.id, "action": "reject", "reason": ""}, follow=True)
    a2.refresh_from_db()
    assert a2.status == S.NOMINATED  # no reason: nothing changed
    client.post(url, {"enrollment": a2.id, "action": "reject", "reason": "Sin cupo presupuestario."})
    a.refresh_from_db(), a2.refresh_from_db()
    assert (a.status, a2.status) == (S.APPROVED, S.REJECTED)
    assert a2.transitions.get(to_status=S.REJECTED).reason == "Sin cupo presupuestario."


def test_a_refused_approval_is_a_message_and_changes_nothing(client, world, make_session):
    session = make_session(capacity=1)
    a, a2 = nominate(world, session, world.trainee_a, world.trainee_a2)
    svc.enrollment_approve(actor=world.admin, enrollment=a)
    before = snapshot()
    client.force_login(world.admin)
    response = client.post(
        reverse("training:nomination_queue"), {"enrollment": a2.id, "action": "approve"}, follow=True
    )
    assert "is full" in response.content.decode()
    assert snapshot() == before


def test_an_unknown_enrollment_is_404(client, world, placed):
    session, enrollment = placed  # approved: no longer in the queue
    client.force_login(world.admin)
    response = client.post(
        reverse("training:nomination_queue"), {"enrollment": enrollment.id, "action": "approve"}
    )
    assert response.status_code == 404


QUEUE_QUERIES = 13


@pytest.mark.parametrize("count", [2, 8])
def test_the_queue_takes_a_fixed_number_of_queries(
    client, world, make_session, count, django_assert_num_queries
):
    session = make_session(capacity=40)
    officers = [
        trainee_create(
            actor=None,
            agency=world.agency_a,
            id_country=world.gt,
            id_type=Trainee.IdType.PASSPORT,
            id_number=f"P{i:05d}",
            given_names=f"Oficial {i}",
            first_surname="Pérez",
        )
        for i in range(count)
    ]
    svc.enrollment_nominate(actor=world.head_a, session=session, trainees=officers)
    client.force_login(world.admin)
    client.get("/es/training/queue/")
    with django_assert_num_queries(QUEUE_QUERIES):
        response = client.get("/es/training/queue/")
    assert response.content.decode().count('data-testid="queue-row"') == count


# --- the dashboard ---------------------------------------------------------------------------------


def test_the_dashboard_links_each_role_to_its_screen(client, world):
    client.force_login(world.officer_user_a)
    assert reverse("training:my_training") in client.get(reverse("home:dashboard")).content.decode()
    client.force_login(world.head_a)
    html = client.get(reverse("home:dashboard")).content.decode()
    assert reverse("training:agency_nominations", args=[world.agency_a.id]) in html
    client.force_login(world.admin)
    assert reverse("training:nomination_queue") in client.get(reverse("home:dashboard")).content.decode()


def test_sessions_past_their_deadline_are_not_offered(client, world, make_session):
    late = make_session(starts_on=TODAY + 3 * DAY, nomination_deadline=TODAY - DAY)
    client.force_login(world.head_a)
    html = client.get(reverse("training:agency_nominations", args=[world.agency_a.id])).content.decode()
    assert late.code not in html
    assert ClassSession.objects.filter(pk=late.pk, status=ClassSession.Status.OPEN).exists()
