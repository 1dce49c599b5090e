"""Instructors' and administrators' class screens ("My classes", scheduling, the roster, status,
attendance), an enrollment's page (withdraw, complete, fail) and self-enrolment. Scope: a session
one does not teach is 404; refusals change nothing; query counts do not grow with the class."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from certification.models import Trainee
from certification.services_personnel import trainee_create
from courses import services
from courses import services_enrollment as svc
from courses.models import Attendance, ClassSession, CoursePage, Enrollment, EnrollmentTransition
from tests.courses.test_enrollment_flow import course, in_english, make_session, nominate, session

SHARED_FIXTURES = (course, in_english, make_session, session)  # from test_enrollment_flow

pytestmark = pytest.mark.django_db

S = Enrollment.Status
SS = ClassSession.Status
TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def snapshot():
    return (
        list(Enrollment.objects.order_by("pk").values_list("pk", "status")),
        EnrollmentTransition.objects.count(),
        list(Attendance.objects.order_by("pk").values_list("pk", "status")),
        ClassSession.objects.count(),
    )


@pytest.fixture
def running(world, make_session):
    """An in-person session taught by world.instructor, started three days ago, with trainee_a
    (agency A) and trainee_b (agency B) enrolled."""
    session = make_session(starts_on=TODAY - 3 * DAY, ends_on=TODAY + 2 * DAY, nomination_deadline=None)
    session.instructors.add(world.instructor)
    (a,) = nominate(world, session, world.trainee_a)
    (b,) = nominate(world, session, world.trainee_b, actor=world.head_b)
    for enrollment in (a, b):
        svc.enrollment_approve(actor=world.admin, enrollment=enrollment)
    svc.session_transition(actor=world.admin, session=session, to_status=SS.IN_PROGRESS)
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.status == b.status == S.ENROLLED
    return session, a, b


# --- My classes and the roster -------------------------------------------------------------------


def test_an_instructor_sees_their_class_with_officers_of_every_agency(client, world, course, running):
    session, a, b = running
    svc.module_complete(user=world.officer_user_a, module=course.modules().first())
    svc.attendance_record(
        actor=world.instructor, session=session, on=TODAY - 3 * DAY, marks={a.pk: "present", b.pk: "absent"}
    )
    svc.attendance_record(
        actor=world.instructor, session=session, on=TODAY - 2 * DAY, marks={a.pk: "late", b.pk: "present"}
    )
    client.force_login(world.instructor)
    listing = client.get(reverse("training:my_classes")).content.decode()
    assert session.code in listing
    html = client.get(reverse("training:session_detail", args=[session.pk])).content.decode()
    assert "Núñez" in html and "Castillo-Ríos" in html  # agencies A and B in one class
    assert "PNC (GT)" in html and "PN (HN)" in html
    assert "1/2" in html  # trainee_a read one module of two
    assert "100%" in html and "50%" in html  # attendance rates
    assert 'data-testid="session-status-form"' not in html  # status is the administrators'


def test_sessions_one_does_not_teach_are_404(client, world, running, other_instructor):
    session, a, _b = running
    for user in (other_instructor, world.head_a, world.officer_user_a):
        client.force_login(user)
        for name in ("session_detail", "session_attendance"):
            assert client.get(reverse(f"training:{name}", args=[session.pk])).status_code == 404
        response = client.post(
            reverse("training:session_attendance", args=[session.pk]),
            {"date": TODAY.isoformat(), f"mark-{a.pk}": "absent"},
        )
        assert response.status_code == 404
    assert not Attendance.objects.exists()


def test_my_classes_is_for_instructors_and_administrators(client, world):
    client.force_login(world.head_a)
    assert client.get(reverse("training:my_classes")).status_code == 404
    client.force_login(world.instructor)
    assert client.get(reverse("training:my_classes")).status_code == 200


def test_the_roster_takes_a_fixed_number_of_queries(client, world, course, running):
    session, _a, _b = running

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("training:session_detail", args=[session.pk])).status_code == 200
        return len(queries)

    client.force_login(world.instructor)
    count()  # the first request fills per-process caches (permissions, locales)
    small = count()
    for i in range(20):
        trainee = trainee_create(
            actor=None,
            agency=world.agency_a,
            id_country=world.gt,
            id_type=Trainee.IdType.PASSPORT,
            id_number=f"P{i:07d}",
            given_names="Ana",
            first_surname=f"Pérez{i}",
            sex="F",
        )
        enrollment = Enrollment.objects.create(
            trainee=trainee,
            course=course,
            course_key=course.translation_key,
            session=session,
            status=S.ENROLLED,
        )
        svc.attendance_record(
            actor=world.instructor, session=session, on=TODAY, marks={enrollment.pk: "present"}
        )
    assert count() == small


# --- attendance ----------------------------------------------------------------------------------


def test_the_instructor_takes_attendance_on_a_phone_page(client, world, running):
    session, a, b = running
    client.force_login(world.instructor)
    url = reverse("training:session_attendance", args=[session.pk])
    page = client.get(url).content.decode()
    assert 'name="viewport"' in page  # the layout is made for phones
    assert f'name="mark-{a.pk}"' in page and f'name="mark-{b.pk}"' in page
    day = (TODAY - DAY).isoformat()
    response = client.post(url, {"date": day, f"mark-{a.pk}": "present", f"mark-{b.pk}": "excused"})
    assert response.status_code == 302
    assert dict(Attendance.objects.values_list("enrollment_id", "status")) == {
        a.pk: "present",
        b.pk: "excused",
    }
    again = client.get(f"{url}?date={day}").content.decode()
    assert f'name="mark-{b.pk}" value="excused" checked' in again
    # Re-taking the day updates it.
    client.post(url, {"date": day, f"mark-{a.pk}": "late"})
    assert Attendance.objects.get(enrollment=a).status == "late"


@pytest.mark.parametrize(
    "post",
    [
        lambda a, b: {"date": (TODAY + DAY).isoformat(), f"mark-{a.pk}": "present"},  # future day
        lambda a, b: {"date": (TODAY - 10 * DAY).isoformat(), f"mark-{a.pk}": "present"},  # before start
        lambda a, b: {"date": TODAY.isoformat(), f"mark-{a.pk}": "asleep"},  # unknown status
        lambda a, b: {"date": TODAY.isoformat(), f"mark-{a.pk}": "present", "mark-x": "present"},
        lambda a, b: {"date": TODAY.isoformat(), f"mark-{a.pk}": "present", f"mark-{a.pk + 999}": "present"},
        lambda a, b: {"date": "not-a-date", f"mark-{a.pk}": "present"},
        lambda a, b: {"date": "2026-02-30", f"mark-{a.pk}": "present"},  # no such day
        lambda a, b: {"date": TODAY.isoformat(), f"mark-{a.pk}": "present", "mark-²": "present"},
        lambda a, b: {"date": TODAY.isoformat(), f"mark-{a.pk}": "present", "mark-" + "9" * 30: "present"},
        lambda a, b: {"date": TODAY.isoformat()},
    ],
)
def test_bad_attendance_is_refused_and_saves_nothing(client, world, running, post):
    session, a, b = running
    client.force_login(world.instructor)
    before = snapshot()
    response = client.post(reverse("training:session_attendance", args=[session.pk]), post(a, b), follow=True)
    assert response.status_code == 200
    assert b"message-error" in response.content or b"Nothing was saved" in response.content
    assert snapshot() == before


def test_online_sessions_take_no_attendance(client, world, make_session):
    session = make_session(delivery_mode=ClassSession.DeliveryMode.ONLINE)
    client.force_login(world.admin)
    assert client.get(reverse("training:session_attendance", args=[session.pk])).status_code == 404


# --- scheduling and status -------------------------------------------------------------------------


def session_form(course, **overrides):
    data = {
        "course": course.pk,
        "code": "BSI-101-GT-2027-01",
        "starts_on": (TODAY + 30 * DAY).isoformat(),
        "ends_on": (TODAY + 34 * DAY).isoformat(),
        "nomination_deadline": (TODAY + 20 * DAY).isoformat(),
        "delivery_mode": "in_person",
        "language": "es",
        "academy": "Academia PNC",
        "city": "Ciudad de Guatemala",
        "capacity": "25",
    }
    data.update(overrides)
    return data


def test_an_instructor_schedules_a_session_of_their_course(client, world, course):
    services.course_assign_instructor(course=course, user=world.instructor)
    client.force_login(world.instructor)
    response = client.post(reverse("training:session_new"), session_form(course))
    session = ClassSession.objects.get(code="BSI-101-GT-2027-01")
    assert response.status_code == 302
    assert session.status == SS.PLANNED
    assert list(session.instructors.all()) == [world.instructor]
    assert session.course_key == course.translation_key


def test_an_instructor_cannot_schedule_another_course(client, world, course, make_course):
    other = make_course(code="DOC-201", slug="doc-201")
    services.course_assign_instructor(course=other, user=world.instructor)
    client.force_login(world.instructor)
    response = client.post(reverse("training:session_new"), session_form(course))
    assert response.status_code == 200
    assert not ClassSession.objects.filter(code="BSI-101-GT-2027-01").exists()
    with pytest.raises(svc.PermissionDenied):
        svc.session_create(
            actor=world.instructor, course=course, code="X-1", starts_on=TODAY, ends_on=TODAY, capacity=5
        )


@pytest.mark.parametrize(
    "overrides,field",
    [
        ({"ends_on": (TODAY + 29 * DAY).isoformat()}, "ends_on"),
        ({"nomination_deadline": (TODAY + 31 * DAY).isoformat()}, "nomination_deadline"),
        ({"capacity": "0"}, "capacity"),
        ({"starts_on": "31/02/2027"}, "starts_on"),
    ],
)
def test_a_bad_session_is_refused_with_the_field_named(client, world, course, overrides, field):
    client.force_login(world.admin)
    before = snapshot()
    response = client.post(reverse("training:session_new"), session_form(course, **overrides))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert snapshot() == before


def test_a_duplicate_session_code_is_refused(client, world, course, session):
    client.force_login(world.admin)
    before = snapshot()
    response = client.post(reverse("training:session_new"), session_form(course, code=session.code))
    assert "code" in response.context["form"].errors
    assert snapshot() == before


def test_agency_staff_and_trainees_do_not_schedule(client, world, course):
    for user in (world.head_a, world.officer_user_a, world.instructor):  # instructor of no course
        client.force_login(user)
        assert client.get(reverse("training:session_new")).status_code == 404
        assert client.post(reverse("training:session_new"), session_form(course)).status_code == 404
    assert not ClassSession.objects.exists()


def test_the_administrator_starts_a_session_and_the_approved_are_enrolled(client, world, session):
    (enrollment,) = nominate(world, session)
    svc.enrollment_approve(actor=world.admin, enrollment=enrollment)
    client.force_login(world.admin)
    url = reverse("training:session_status", args=[session.pk])
    client.post(url, {"status": SS.IN_PROGRESS})
    session.refresh_from_db()
    enrollment.refresh_from_db()
    assert session.status == SS.IN_PROGRESS and enrollment.status == S.ENROLLED
    # A move the status does not allow is refused.
    client.post(url, {"status": SS.OPEN})
    session.refresh_from_db()
    assert session.status == SS.IN_PROGRESS


def test_instructors_do_not_change_a_sessions_status(client, world, running):
    session, _a, _b = running
    client.force_login(world.instructor)
    assert (
        client.post(reverse("training:session_status", args=[session.pk]), {"status": SS.CLOSED}).status_code
        == 404
    )
    session.refresh_from_db()
    assert session.status == SS.IN_PROGRESS


# --- one enrollment ------------------------------------------------------------------------------


def test_a_trainee_withdraws_with_a_reason(client, world, session):
    (enrollment,) = nominate(world, session)
    client.force_login(world.officer_user_a)
    url = reverse("training:enrollment_detail", args=[enrollment.pk])
    before = snapshot()
    response = client.post(url, {"action": "withdraw", "reason": ""})
    assert response.status_code == 200 and snapshot() == before  # a reason is required
    client.post(url, {"action": "withdraw", "reason": "Transferred to another post."})
    enrollment.refresh_from_db()
    assert enrollment.status == S.WITHDRAWN
    step = enrollment.transitions.last()
    assert (step.actor, step.reason) == (world.officer_user_a, "Transferred to another post.")


def test_a_trainee_cannot_complete_their_own_enrollment(client, world, running):
    _session, a, _b = running
    client.force_login(world.officer_user_a)
    before = snapshot()
    response = client.post(
        reverse("training:enrollment_detail", args=[a.pk]), {"action": "complete", "reason": "I did it."}
    )
    assert response.status_code == 200
    assert snapshot() == before


def test_the_administrator_completes_or_fails_with_a_reason(client, world, running):
    _session, a, b = running
    client.force_login(world.admin)
    client.post(
        reverse("training:enrollment_detail", args=[a.pk]),
        {"action": "complete", "reason": "Course taken at the academy in 2026; records verified."},
    )
    client.post(
        reverse("training:enrollment_detail", args=[b.pk]), {"action": "fail", "reason": "Did not attend."}
    )
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.status, b.status) == (S.COMPLETED, S.FAILED)
    assert a.completed_at is not None
    assert a.transitions.last().actor == world.admin


def test_the_enrollment_page_is_scoped(client, world, running):
    _session, a, b = running
    client.force_login(world.head_a)
    assert client.get(reverse("training:enrollment_detail", args=[a.pk])).status_code == 200
    assert client.get(reverse("training:enrollment_detail", args=[b.pk])).status_code == 404
    assert (
        client.post(
            reverse("training:enrollment_detail", args=[b.pk]), {"action": "withdraw", "reason": "x"}
        ).status_code
        == 404
    )
    client.force_login(world.instructor)  # teaches the session: reads, does not change
    page = client.get(reverse("training:enrollment_detail", args=[b.pk]))
    assert page.status_code == 200 and b'data-testid="enrollment-action"' not in page.content
    before = snapshot()
    assert (
        client.post(
            reverse("training:enrollment_detail", args=[b.pk]), {"action": "withdraw", "reason": "x"}
        ).status_code
        == 404
    )
    assert snapshot() == before


# --- self-enrolment -------------------------------------------------------------------------------


@pytest.fixture
def self_paced(make_course):
    return make_course(code="ETH-100", slug="eth-100", admission=CoursePage.Admission.SELF_ENROLMENT)


def test_an_officer_enrols_in_a_self_enrolment_course(client, world, self_paced):
    client.force_login(world.officer_user_a)
    page = client.get(self_paced.url).content.decode()
    assert 'data-testid="self-enrol"' in page
    client.post(reverse("training:course_self_enrol", args=[self_paced.pk]))
    enrollment = Enrollment.objects.get(trainee=world.trainee_a)
    assert enrollment.status == S.ENROLLED and enrollment.session is None
    assert 'data-testid="self-enrol"' not in client.get(self_paced.url).content.decode()
    before = snapshot()
    response = client.post(reverse("training:course_self_enrol", args=[self_paced.pk]), follow=True)
    assert b"message-error" in response.content
    assert snapshot() == before


def test_self_enrolment_is_refused_where_it_does_not_apply(client, world, course, self_paced):
    client.force_login(world.head_a)  # no personnel record
    assert 'data-testid="self-enrol"' not in client.get(self_paced.url).content.decode()
    client.post(reverse("training:course_self_enrol", args=[self_paced.pk]))
    client.force_login(world.officer_user_a)
    assert 'data-testid="self-enrol"' not in client.get(course.url).content.decode()  # nominated course
    client.post(reverse("training:course_self_enrol", args=[course.pk]))
    assert not Enrollment.objects.exists()


def test_self_enrolment_in_a_us_funded_course_needs_vetting(client, world, make_course):
    funded = make_course(
        code="LEA-100", slug="lea-100", admission=CoursePage.Admission.SELF_ENROLMENT, us_funded=True
    )
    client.force_login(world.officer_user_a)
    response = client.post(reverse("training:course_self_enrol", args=[funded.pk]), follow=True)
    assert b"US-funded" in response.content
    assert not Enrollment.objects.exists()


# --- both languages ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "language,words", [("es", ("Asistencia", "Guardar")), ("en", ("Attendance", "Save"))]
)
def test_class_screens_speak_both_languages(client, world, running, language, words):
    session, _a, _b = running
    client.force_login(world.instructor)
    with translation.override(language):
        url = reverse("training:session_attendance", args=[session.pk])
        detail = reverse("training:session_detail", args=[session.pk])
    assert url.startswith(f"/{language}/")
    html = client.get(url).content.decode()
    for word in words:
        assert word in html
    assert client.get(detail).status_code == 200


# --- editing a session -----------------------------------------------------------------------------


def test_the_administrator_edits_a_session_and_its_instructors(client, world, session):
    client.force_login(world.admin)
    url = reverse("training:session_edit", args=[session.pk])
    form = client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k != "instructors"}
    data.update(capacity="30", city="Quetzaltenango", instructors=[world.instructor.pk])
    data["country"] = world.gt.pk
    response = client.post(url, data)
    assert response.status_code == 302
    session.refresh_from_db()
    assert (session.capacity, session.city) == (30, "Quetzaltenango")
    assert list(session.instructors.all()) == [world.instructor]


def test_capacity_cannot_drop_below_the_places_granted(world, session):
    for trainee in (world.trainee_a, world.trainee_a2):
        (enrollment,) = nominate(world, session, trainee)
        svc.enrollment_approve(actor=world.admin, enrollment=enrollment)
    with pytest.raises(svc.ValidationError) as refused:
        svc.session_update(actor=world.admin, session=session, capacity=1)
    assert "capacity" in refused.value.message_dict
    session.refresh_from_db()
    assert session.capacity == 10


def test_instructors_edit_their_session_only_while_planned(client, world, course, make_session):
    planned = make_session(status=SS.PLANNED)
    planned.instructors.add(world.instructor)
    svc.session_update(actor=world.instructor, session=planned, city="Cobán")
    planned.refresh_from_db()
    assert planned.city == "Cobán"
    with pytest.raises(svc.PermissionDenied):  # only administrators assign instructors
        svc.session_update(actor=world.instructor, session=planned, instructors=[])
    svc.session_transition(actor=world.admin, session=planned, to_status=SS.OPEN)
    with pytest.raises(svc.PermissionDenied):
        svc.session_update(actor=world.instructor, session=planned, city="Antigua")
    client.force_login(world.instructor)
    assert client.get(reverse("training:session_edit", args=[planned.pk])).status_code == 404
    planned.refresh_from_db()
    assert planned.city == "Cobán"


def test_closed_sessions_and_unknown_fields_are_not_edited(world, make_session):
    closed = make_session(status=SS.IN_PROGRESS)
    svc.session_transition(actor=world.admin, session=closed, to_status=SS.CLOSED)
    with pytest.raises(svc.ValidationError):
        svc.session_update(actor=world.admin, session=closed, city="Antigua")
    other = make_session()
    with pytest.raises(svc.ValidationError):
        svc.session_update(actor=world.admin, session=other, status=SS.CLOSED)
    other.refresh_from_db()
    assert other.status == SS.OPEN


def test_an_impossible_day_in_the_address_shows_today(client, world, running):
    session, _a, _b = running
    client.force_login(world.instructor)
    response = client.get(reverse("training:session_attendance", args=[session.pk]), {"date": "2026-02-30"})
    assert response.status_code == 200
