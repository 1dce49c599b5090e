"""Who reads a course's modules: its enrolled trainees, its instructors, program administrators."""

import pytest
from django.contrib.auth.models import Group

from certification import services as registry
from certification.models import Trainee
from certification.services_personnel import trainee_create
from courses import services
from courses.access import can_read_modules

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(make_course):
    return make_course(code="BSI-101", modules=2)


@pytest.fixture
def module(course):
    return course.modules().first()


def assert_refused(response, course):
    assert response.status_code == 403
    html = response.content.decode()
    assert f"<h1>{course.title}</h1>" in html  # the course page, with a clear message
    assert 'data-testid="module-refused"' in html
    assert "Texto sobre la frontera" not in html  # the module's body is not sent
    assert "no-store" in response["Cache-Control"]


def test_anonymous_visitors_get_the_course_page_with_a_message(client, course, module):
    response = client.get(module.url)
    assert_refused(response, course)
    assert "/accounts/login/?next=" in response.content.decode()
    assert not can_read_modules(user=response.wsgi_request.user, course=course)


def test_a_logged_in_user_not_enrolled_is_refused(client, course, module, trainee_user):
    client.force_login(trainee_user)
    assert_refused(client.get(module.url), course)
    assert not can_read_modules(user=trainee_user, course=course)


def test_an_officer_who_is_not_enrolled_is_refused(client, course, module, site):
    """A trainee record alone opens no module: only an enrollment in the course does (the
    enrolled case is in test_enrollment_access.py)."""
    country = registry.country_upsert(code="GT", name_es="Guatemala", name_en="Guatemala")
    agency = registry.agency_upsert(
        country=country,
        acronym="PNC",
        kind="police",
        name_es="Policía Nacional Civil",
        name_en="National Civil Police",
        time_zone="America/Guatemala",
    )
    user = registry.user_ensure(email="officer@test.carsi", password="irrelevant-pass-1")
    trainee_create(
        actor=None,
        id_country=country,
        id_type=Trainee.IdType.NATIONAL_ID,
        id_number="2547 81234 0101",
        agency=agency,
        user=user,
        given_names="María José",
        first_surname="Pérez",
    )
    client.force_login(user)
    assert_refused(client.get(module.url), course)
    assert not can_read_modules(user=user, course=course)


def test_the_courses_instructor_reads_its_modules_in_every_language(
    client, course, module, instructor, locales, catalogue_en
):
    services.course_assign_instructor(course=course, user=instructor)
    client.force_login(instructor)
    response = client.get(module.url)
    assert response.status_code == 200
    assert "Texto sobre la frontera" in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    course_en = services.page_translate(
        page=course, locale=locales[1], fields={"title": "Border", "slug": "border"}
    )
    assert can_read_modules(user=instructor, course=course_en)  # the same course


def test_an_instructor_of_another_course_is_refused(client, make_course, course, module, other_instructor):
    other = make_course(code="DOC-110", title="Documentos", modules=0)
    services.course_assign_instructor(course=other, user=other_instructor)
    client.force_login(other_instructor)
    assert_refused(client.get(module.url), course)
    assert not can_read_modules(user=other_instructor, course=course)


def test_an_unassigned_instructor_and_an_unassigned_former_instructor_are_refused(
    client, course, module, instructor
):
    client.force_login(instructor)  # in the Instructors group, but not of this course
    assert_refused(client.get(module.url), course)
    services.course_assign_instructor(course=course, user=instructor)
    assert client.get(module.url).status_code == 200
    services.course_unassign_instructor(course=course, user=instructor)
    assert_refused(client.get(module.url), course)


def test_program_administrators_and_superusers_read_every_module(client, course, module, admin_user):
    client.force_login(admin_user)
    assert client.get(module.url).status_code == 200
    root = registry.user_ensure(email="root@test.carsi", password="irrelevant-pass-1")
    root.is_superuser = True
    root.save()
    client.force_login(root)
    assert client.get(module.url).status_code == 200


def test_an_inactive_administrator_is_refused(course, admin_user):
    admin_user.is_active = False
    admin_user.save()
    assert not can_read_modules(user=admin_user, course=course)
    assert admin_user.groups.filter(name__in=[g.name for g in Group.objects.all()]).exists()


def test_the_course_page_links_modules_only_for_readers(client, course, module, admin_user):
    html = client.get(course.url).content.decode()
    assert module.title in html
    assert f'href="{module.url}"' not in html
    client.force_login(admin_user)
    html = client.get(course.url).content.decode()
    assert f'href="{module.url}"' in html
