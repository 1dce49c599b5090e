"""Progress (per course, whichever language), attendance, completion rules, and who reads modules
and sees trainees once enrollment exists."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from certification.access import trainees_visible_to
from courses import services
from courses import services_enrollment as svc
from courses.access import can_read_modules
from courses.models import Attendance, ClassSession, Enrollment, ModulePage
from courses.selectors_enrollment import attendance_rate, enrollment_progress
from tests.courses.test_enrollment_flow import course, in_english, make_session, nominate

SHARED_FIXTURES = (course, in_english, make_session)  # from test_enrollment_flow

pytestmark = pytest.mark.django_db

S = Enrollment.Status
TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


@pytest.fixture
def running(world, make_session):
    """A session that started three days ago, taught by the instructor, with trainee_a enrolled."""

    def make(**fields):
        session = make_session(
            starts_on=TODAY - 3 * DAY, ends_on=TODAY + DAY, nomination_deadline=None, **fields
        )
        session.instructors.add(world.instructor)
        (enrollment,) = nominate(world, session)
        svc.session_transition(actor=world.admin, session=session, to_status=ClassSession.Status.IN_PROGRESS)
        svc.enrollment_approve(actor=world.admin, enrollment=enrollment)
        assert enrollment.status == S.ENROLLED
        return session, enrollment

    return make


def test_an_enrolled_trainee_reads_modules_and_others_do_not(
    client, world, course, session_fixture_free=None
):
    module = course.modules().first()
    assert not can_read_modules(user=world.officer_user_a, course=course)
    session = svc.session_create(
        actor=world.admin,
        course=course,
        code="BSI-101-X",
        starts_on=TODAY + DAY,
        ends_on=TODAY + 2 * DAY,
        capacity=5,
    )
    svc.session_transition(actor=world.admin, session=session, to_status=ClassSession.Status.OPEN)
    (enrollment,) = nominate(world, session)
    assert not can_read_modules(user=world.officer_user_a, course=course)  # a nomination is not a place
    svc.enrollment_approve(actor=world.admin, enrollment=enrollment)
    assert can_read_modules(user=world.officer_user_a, course=course)
    client.force_login(world.officer_user_a)
    response = client.get(module.url)
    assert response.status_code == 200
    assert "Texto sobre la frontera" in response.content.decode()
    assert not can_read_modules(user=world.head_a, course=course)
    svc.enrollment_withdraw(actor=world.officer_user_a, enrollment=enrollment, reason="Otra misión.")
    assert not can_read_modules(user=world.officer_user_a, course=course)
    assert client.get(module.url).status_code == 403


def test_progress_is_per_course_whichever_language(world, course, locales, catalogue_en, running):
    session, enrollment = running()
    es_modules = list(course.modules())
    course_en = services.page_translate(
        page=course, locale=locales[1], fields={"title": "Border", "slug": "border"}
    )
    module_en = services.page_translate(
        page=es_modules[1], locale=locales[1], fields={"title": "Module 2", "slug": "module-2"}
    )
    assert can_read_modules(user=world.officer_user_a, course=course_en)
    svc.module_complete(user=world.officer_user_a, module=es_modules[0])
    svc.module_complete(user=world.officer_user_a, module=es_modules[0])  # idempotent
    assert enrollment_progress(enrollment=enrollment) == (1, 2)
    svc.module_complete(user=world.officer_user_a, module=ModulePage.objects.get(pk=module_en.pk))
    assert enrollment_progress(enrollment=enrollment) == (2, 2)
    enrollment.refresh_from_db()
    assert enrollment.status == S.COMPLETED  # all modules done, no attendance minimum
    assert enrollment.transitions.filter(to_status=S.COMPLETED).count() == 1


def test_studying_ahead_completes_when_the_session_starts(world, course, make_session):
    session = make_session(starts_on=TODAY + DAY, ends_on=TODAY + 3 * DAY, nomination_deadline=TODAY)
    (enrollment,) = nominate(world, session)
    svc.enrollment_approve(actor=world.admin, enrollment=enrollment)
    for module in course.modules():
        svc.module_complete(user=world.officer_user_a, module=module)
    enrollment.refresh_from_db()
    assert enrollment.status == S.APPROVED  # the class has not started yet
    svc.session_transition(actor=world.admin, session=session, to_status=ClassSession.Status.IN_PROGRESS)
    enrollment.refresh_from_db()
    assert enrollment.status == S.COMPLETED
    assert enrollment.transitions.filter(to_status=S.COMPLETED).count() == 1


def test_only_enrolled_trainees_mark_modules(world, course):
    with pytest.raises(PermissionDenied):
        svc.module_complete(user=world.officer_user_a, module=course.modules().first())
    with pytest.raises(PermissionDenied):
        svc.module_complete(user=world.head_a, module=course.modules().first())


def test_completion_waits_for_attendance_and_happens_once(
    world, course, running, django_capture_on_commit_callbacks, mailoutbox
):
    course.min_attendance_percent = 75
    course.save_revision().publish()
    session, enrollment = running()
    for module in course.modules():
        svc.module_complete(user=world.officer_user_a, module=module)
    enrollment.refresh_from_db()
    assert enrollment.status == S.ENROLLED  # modules done, attendance not taken yet
    marks = {
        TODAY - 3 * DAY: "present",
        TODAY - 2 * DAY: "late",
        TODAY - DAY: "absent",
    }
    for day, mark in marks.items():
        svc.attendance_record(actor=world.instructor, session=session, on=day, marks={enrollment.pk: mark})
    assert attendance_rate(enrollment=enrollment) == pytest.approx(2 / 3)
    assert not svc.enrollment_complete_if_done(enrollment=enrollment)  # 67 % < 75 %
    svc.attendance_record(
        actor=world.instructor, session=session, on=TODAY - DAY, marks={enrollment.pk: "excused"}
    )
    svc.attendance_record(actor=world.instructor, session=session, on=TODAY, marks={enrollment.pk: "present"})
    assert attendance_rate(enrollment=enrollment) == 1.0
    assert Attendance.objects.filter(enrollment=enrollment).count() == 4  # re-recording a day updates it
    with django_capture_on_commit_callbacks(execute=True):
        assert svc.enrollment_complete_if_done(enrollment=enrollment)
        assert not svc.enrollment_complete_if_done(enrollment=enrollment)  # once
    enrollment.refresh_from_db()
    assert enrollment.status == S.COMPLETED and enrollment.completed_at
    assert [m.subject for m in mailoutbox if m.to == ["officer.a@test.carsi"]] == [
        "[CARSI] BSI-101: curso completado"
    ]


def test_closing_a_session_applies_the_completion_rules(world, course, running):
    session, enrollment = running()
    svc.session_transition(actor=world.admin, session=session, to_status=ClassSession.Status.CLOSED)
    enrollment.refresh_from_db()
    assert enrollment.status == S.ENROLLED  # modules missing: an administrator fails or completes by hand
    svc.enrollment_transition(
        actor=world.admin, enrollment=enrollment, to_status=S.FAILED, reason="Sin módulos."
    )
    assert enrollment.status == S.FAILED


@pytest.mark.parametrize(
    "case", ["not_teacher", "other_agency_head", "outside_dates", "future", "bad_status", "stranger"]
)
def test_bad_attendance_is_refused_and_changes_nothing(world, running, other_instructor, case):
    session, enrollment = running()
    actor, day, marks = world.instructor, TODAY - DAY, {enrollment.pk: "present"}
    if case == "not_teacher":
        actor = other_instructor
    elif case == "other_agency_head":
        actor = world.head_b
    elif case == "outside_dates":
        day = TODAY - 10 * DAY
    elif case == "future":
        day = TODAY + DAY
    elif case == "bad_status":
        marks = {enrollment.pk: "asleep"}
    elif case == "stranger":
        marks = {enrollment.pk: "present", enrollment.pk + 999: "present"}
    with pytest.raises((PermissionDenied, ValidationError)):
        svc.attendance_record(actor=actor, session=session, on=day, marks=marks)
    assert not Attendance.objects.exists()


def test_instructors_see_the_trainees_of_the_sessions_they_teach(world, make_session, other_instructor):
    session = make_session()
    session.instructors.add(world.instructor)
    enrollment, _pending = nominate(world, session, world.trainee_a, world.trainee_a2)
    assert set(trainees_visible_to(world.instructor)) == set()  # nominations are not a roster
    svc.enrollment_approve(actor=world.admin, enrollment=enrollment)
    assert set(trainees_visible_to(world.instructor)) == {world.trainee_a}
    assert set(trainees_visible_to(other_instructor)) == set()
    assert trainees_visible_to(world.instructor).count() == 1  # no duplicates from the join


def test_emails_go_out_in_english_when_the_enrollment_says_so(
    world, make_session, mailoutbox, django_capture_on_commit_callbacks
):
    session = make_session()
    with translation.override("es"), django_capture_on_commit_callbacks(execute=True):
        (enrollment,) = nominate(world, session, language="en")
        svc.enrollment_approve(actor=world.admin, enrollment=enrollment)
    mine = [m.subject for m in mailoutbox if m.to == ["officer.a@test.carsi"]]
    assert mine == ["[CARSI] BSI-101: nomination received", "[CARSI] BSI-101: nomination approved"]
