"""Enrollment from nomination to a place: each transition allowed and refused, the vetting gate,
capacity and the waiting list, and the e-mails (after commit, in the recipient's language)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from certification.services_vetting import vetting_record_add
from courses import services_enrollment as svc
from courses.models import ClassSession, Enrollment, EnrollmentTransition
from courses.services_enrollment import ENROLLMENT_MOVES

pytestmark = pytest.mark.django_db

S = Enrollment.Status
TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def in_english():
    """Messages are checked in English (msgids); the Spanish catalogue may translate them."""
    with translation.override("en"):
        yield


@pytest.fixture
def course(make_course):
    return make_course(code="BSI-101", modules=2)


@pytest.fixture
def make_session(world, course):
    counter = iter(range(1, 1000))

    def make(status=ClassSession.Status.OPEN, capacity=10, course=course, **fields):
        fields.setdefault("starts_on", TODAY + datetime.timedelta(days=10))
        fields.setdefault("ends_on", fields["starts_on"] + datetime.timedelta(days=4))
        fields.setdefault("nomination_deadline", TODAY + datetime.timedelta(days=5))
        session = svc.session_create(
            actor=world.admin,
            course=course,
            code=f"{course.code}-{next(counter):02d}",
            capacity=capacity,
            city="Ciudad de Guatemala",
            country=world.gt,
            **fields,
        )
        if status != ClassSession.Status.PLANNED:
            svc.session_transition(actor=world.admin, session=session, to_status=ClassSession.Status.OPEN)
        if status not in (ClassSession.Status.PLANNED, ClassSession.Status.OPEN):
            svc.session_transition(actor=world.admin, session=session, to_status=status)
        return session

    return make


@pytest.fixture
def session(make_session):
    return make_session()


def nominate(world, session, *trainees, actor=None, **kwargs):
    return svc.enrollment_nominate(
        actor=actor or world.head_a, session=session, trainees=trainees or [world.trainee_a], **kwargs
    )


def vet(world, trainee, *, valid_until=None, status="approved"):
    return vetting_record_add(
        actor=world.admin,
        trainee=trainee,
        status=status,
        decided_on=TODAY,
        valid_until=valid_until if status == "approved" else None,
    )


def snapshot():
    return (
        list(Enrollment.objects.order_by("pk").values_list("pk", "status")),
        EnrollmentTransition.objects.count(),
    )


# --- nomination ------------------------------------------------------------------------------------


def test_a_head_nominates_two_officers_of_the_agency(world, session):
    a, a2 = nominate(world, session, world.trainee_a, world.trainee_a2, actor=world.coordinator_a)
    assert a.status == a2.status == S.NOMINATED
    assert a.course_key == session.course_key and a.nominated_by == world.coordinator_a
    step = a.transitions.get()
    assert (step.from_status, step.to_status, step.actor) == ("", S.NOMINATED, world.coordinator_a)


@pytest.mark.parametrize(
    "case",
    ["other_agency", "twice", "duplicate_in_list", "past_deadline", "session_not_open", "not_staff", "empty"],
)
def test_bad_nominations_are_refused_and_change_nothing(world, session, make_session, case):
    nominate(world, session, world.trainee_a2)  # already nominated
    before = snapshot()
    target, trainees, actor = session, [world.trainee_a], world.head_a
    if case == "other_agency":
        trainees = [world.trainee_a, world.trainee_b]  # one foreign officer refuses the whole list
    elif case == "twice":
        trainees = [world.trainee_a, world.trainee_a2]
    elif case == "duplicate_in_list":
        trainees = [world.trainee_a, world.trainee_a]
    elif case == "past_deadline":
        target = make_session(
            starts_on=TODAY + datetime.timedelta(days=3),
            nomination_deadline=TODAY - datetime.timedelta(days=1),
        )
        before = snapshot()
    elif case == "session_not_open":
        target = make_session(status=ClassSession.Status.PLANNED)
    elif case == "not_staff":
        actor = world.instructor
    elif case == "empty":
        trainees = []
    with pytest.raises((ValidationError, PermissionDenied)) as error:
        svc.enrollment_nominate(actor=actor, session=target, trainees=trainees)
    assert snapshot() == before
    messages = " ".join(getattr(error.value, "messages", [str(error.value)]))
    expected = {
        "other_agency": "José Ángel Castillo-Ríos is not an officer of your agency.",
        "twice": "Óscar O'Connor is already nominated",
        "duplicate_in_list": "María José Núñez Peña is already nominated",
        "past_deadline": "nomination deadline",
        "session_not_open": "is not open for nominations",
        "not_staff": "Only agency heads and training coordinators",
        "empty": "Choose at least one officer.",
    }[case]
    assert expected in messages


def test_the_other_agencys_head_cannot_nominate_our_officers(world, session):
    with pytest.raises(ValidationError, match="not an officer of your agency"):
        nominate(world, session, world.trainee_a, actor=world.head_b)
    assert not Enrollment.objects.exists()


def test_a_rejected_officer_may_be_nominated_again(world, session):
    (enrollment,) = nominate(world, session)
    svc.enrollment_reject(actor=world.admin, enrollment=enrollment, reason="Perfil no corresponde.")
    (again,) = nominate(world, session)
    assert again.pk != enrollment.pk and again.status == S.NOMINATED


# --- the transition function -------------------------------------------------------------------------


def _drive_to(world, session, status) -> Enrollment:
    (enrollment,) = nominate(world, session)
    path = {
        S.NOMINATED: [],
        S.WAITLISTED: [S.WAITLISTED],
        S.APPROVED: [S.APPROVED],
        S.ENROLLED: [S.APPROVED, S.ENROLLED],
        S.COMPLETED: [S.APPROVED, S.ENROLLED, S.COMPLETED],
        S.FAILED: [S.APPROVED, S.ENROLLED, S.FAILED],
        S.WITHDRAWN: [S.WITHDRAWN],
        S.REJECTED: [S.REJECTED],
    }[status]
    for step in path:
        svc.enrollment_transition(
            actor=world.admin, enrollment=enrollment, to_status=step, reason="porque sí"
        )
    assert enrollment.status == status
    return enrollment


ALL_MOVES = [(a, b) for a in S.values for b in S.values if a != b]


@pytest.mark.parametrize(("from_status", "to_status"), ALL_MOVES)
def test_every_move_is_allowed_or_refused_by_the_table(world, session, from_status, to_status):
    enrollment = _drive_to(world, session, from_status)
    before = snapshot()
    if to_status in ENROLLMENT_MOVES[from_status]:
        svc.enrollment_transition(
            actor=world.admin, enrollment=enrollment, to_status=to_status, reason="motivo"
        )
        enrollment.refresh_from_db()
        assert enrollment.status == to_status
        last = enrollment.transitions.order_by("-id").first()
        assert (last.from_status, last.to_status, last.actor, last.reason) == (
            from_status,
            to_status,
            world.admin,
            "motivo",
        )
    else:
        with pytest.raises(ValidationError, match="cannot go from"):
            svc.enrollment_transition(
                actor=world.admin, enrollment=enrollment, to_status=to_status, reason="motivo"
            )
        assert snapshot() == before


def test_the_transition_is_idempotent(world, session):
    enrollment = _drive_to(world, session, S.APPROVED)
    steps = EnrollmentTransition.objects.count()
    svc.enrollment_transition(actor=world.admin, enrollment=enrollment, to_status=S.APPROVED)
    svc.enrollment_approve(actor=world.admin, enrollment=enrollment)
    assert EnrollmentTransition.objects.count() == steps


def test_only_administrators_approve_reject_and_complete(world, session):
    (enrollment,) = nominate(world, session)
    for actor in (world.head_a, world.instructor, world.officer_user_a):
        with pytest.raises(PermissionDenied):
            svc.enrollment_approve(actor=actor, enrollment=enrollment)
        with pytest.raises(PermissionDenied):
            svc.enrollment_reject(actor=actor, enrollment=enrollment, reason="no")
    enrollment.refresh_from_db()
    assert enrollment.status == S.NOMINATED


def test_a_rejection_or_withdrawal_needs_a_reason(world, session):
    (enrollment,) = nominate(world, session)
    with pytest.raises(ValidationError, match="Give a reason"):
        svc.enrollment_reject(actor=world.admin, enrollment=enrollment, reason="  ")
    with pytest.raises(ValidationError, match="Give a reason"):
        svc.enrollment_withdraw(actor=world.head_a, enrollment=enrollment, reason="")
    enrollment.refresh_from_db()
    assert enrollment.status == S.NOMINATED


def test_the_trainee_their_agency_or_an_administrator_withdraw_nobody_else(world, session):
    a, a2 = nominate(world, session, world.trainee_a, world.trainee_a2)
    with pytest.raises(PermissionDenied):
        svc.enrollment_withdraw(actor=world.head_b, enrollment=a, reason="otra agencia")
    with pytest.raises(PermissionDenied):
        svc.enrollment_withdraw(actor=world.instructor, enrollment=a, reason="instructor")
    svc.enrollment_withdraw(actor=world.officer_user_a, enrollment=a, reason="Tengo otra misión.")
    svc.enrollment_withdraw(actor=world.coordinator_a, enrollment=a2, reason="Trasladado.")
    assert {a.status, a2.status} == {S.WITHDRAWN}


# --- approval: capacity and vetting ------------------------------------------------------------------


def test_approval_grants_a_place_until_the_session_is_full(world, make_session):
    session = make_session(capacity=1)
    a, a2 = nominate(world, session, world.trainee_a, world.trainee_a2)
    svc.enrollment_approve(actor=world.admin, enrollment=a)
    assert a.status == S.APPROVED
    before = snapshot()
    with pytest.raises(ValidationError, match=r"is full \(1 places\)"):
        svc.enrollment_approve(actor=world.admin, enrollment=a2)
    assert snapshot() == before


def test_a_full_session_with_a_waiting_list_waitlists_and_a_freed_place_goes_to_the_first(
    world, make_session
):
    session = make_session(capacity=1, keeps_waiting_list=True)
    (b_first,) = nominate(world, session, world.trainee_a)
    first, second = b_first, None
    svc.enrollment_approve(actor=world.admin, enrollment=first)
    (second,) = nominate(world, session, world.trainee_a2)
    svc.enrollment_approve(actor=world.admin, enrollment=second)
    assert second.status == S.WAITLISTED
    svc.enrollment_withdraw(actor=world.head_a, enrollment=first, reason="Licencia médica.")
    second.refresh_from_db()
    assert second.status == S.APPROVED
    step = second.transitions.order_by("-id").first()
    assert step.actor is None and "waiting list" in step.reason


def test_approval_into_a_session_in_progress_enrolls_at_once(world, make_session):
    session = make_session(starts_on=TODAY, nomination_deadline=TODAY)
    (enrollment,) = nominate(world, session)
    svc.session_transition(actor=world.admin, session=session, to_status=ClassSession.Status.IN_PROGRESS)
    svc.enrollment_approve(actor=world.admin, enrollment=enrollment)
    assert enrollment.status == S.ENROLLED
    assert list(enrollment.transitions.values_list("to_status", flat=True)) == [
        S.NOMINATED,
        S.APPROVED,
        S.ENROLLED,
    ]


def test_starting_a_session_enrolls_the_approved(world, session):
    a, a2 = nominate(world, session, world.trainee_a, world.trainee_a2)
    svc.enrollment_approve(actor=world.admin, enrollment=a)
    svc.session_transition(actor=world.admin, session=session, to_status=ClassSession.Status.IN_PROGRESS)
    a.refresh_from_db()
    a2.refresh_from_db()
    assert (a.status, a2.status) == (S.ENROLLED, S.NOMINATED)


def test_session_moves_are_checked(world, session):
    svc.session_transition(actor=world.admin, session=session, to_status=ClassSession.Status.CANCELLED)
    with pytest.raises(ValidationError, match="cannot go from"):
        svc.session_transition(actor=world.admin, session=session, to_status=ClassSession.Status.OPEN)
    with pytest.raises(PermissionDenied):
        svc.session_transition(actor=world.head_a, session=session, to_status=ClassSession.Status.CLOSED)
    assert list(session.transitions.values_list("to_status", flat=True)) == ["planned", "open", "cancelled"]


@pytest.fixture
def us_course(make_course):
    return make_course(code="PAI-201", title="Interdicción portuaria", modules=1, us_funded=True)


@pytest.mark.parametrize(
    ("vetting", "expected"),
    [
        (None, "has not been submitted for human-rights vetting"),
        ("pending", "vetting is pending"),
        ("denied", "vetting was denied"),
        ("short", "expires on"),
        ("ok", None),
    ],
)
def test_the_vetting_gate_at_approval(world, make_session, us_course, vetting, expected):
    session = make_session(course=us_course)
    if vetting in ("pending", "denied"):
        vet(world, world.trainee_a, status=vetting)
    elif vetting == "short":  # approved, but lapses before the session's last day
        vet(world, world.trainee_a, valid_until=session.ends_on - datetime.timedelta(days=1))
    elif vetting == "ok":
        vet(world, world.trainee_a, valid_until=session.ends_on)  # valid through the last day
    (enrollment,) = nominate(world, session)
    if expected is None:
        svc.enrollment_approve(actor=world.admin, enrollment=enrollment)
        assert enrollment.status == S.APPROVED
        return
    before = snapshot()
    with pytest.raises(ValidationError, match=expected) as error:
        svc.enrollment_approve(actor=world.admin, enrollment=enrollment)
    assert "María José Núñez Peña cannot take part in this US-funded course" in error.value.messages[0]
    assert snapshot() == before


def test_a_denied_unit_blocks_approval(world, make_session, us_course):
    session = make_session(course=us_course)
    vet(world, world.trainee_a, valid_until=session.ends_on)
    vetting_record_add(actor=world.admin, unit=world.unit_a, status="denied", decided_on=TODAY)
    (enrollment,) = nominate(world, session)
    with pytest.raises(ValidationError, match="unit Unidad de Fronteras"):
        svc.enrollment_approve(actor=world.admin, enrollment=enrollment)


# --- self-enrolment ----------------------------------------------------------------------------------


def test_self_enrolment(world, make_course):
    course = make_course(code="DOC-110", title="Documentos", modules=1, admission="self")
    enrollment = svc.enrollment_self_enroll(user=world.officer_user_a, course=course)
    assert enrollment.status == S.ENROLLED and enrollment.session is None
    with pytest.raises(ValidationError, match="already enrolled"):
        svc.enrollment_self_enroll(user=world.officer_user_a, course=course)
    with pytest.raises(PermissionDenied):
        svc.enrollment_self_enroll(user=world.head_a, course=course)  # no personnel record


def test_self_enrolment_is_refused_for_nominated_courses_and_unvetted_officers(world, course, make_course):
    with pytest.raises(ValidationError, match="does not take self-enrolment"):
        svc.enrollment_self_enroll(user=world.officer_user_a, course=course)
    us = make_course(code="FIN-301", title="Finanzas", modules=1, admission="self", us_funded=True)
    with pytest.raises(ValidationError, match="US-funded"):
        svc.enrollment_self_enroll(user=world.officer_user_a, course=us)
    assert not Enrollment.objects.exists()
    vet(world, world.trainee_a)
    assert svc.enrollment_self_enroll(user=world.officer_user_a, course=us).status == S.ENROLLED


# --- e-mails ----------------------------------------------------------------------------------------


def test_emails_leave_after_commit_in_the_trainees_language(
    world, session, mailoutbox, django_capture_on_commit_callbacks
):
    world.trainee_a2.email = "oscar@test.carsi"
    world.trainee_a2.save()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        a = nominate(world, session, world.trainee_a)[0]
        a2 = nominate(world, session, world.trainee_a2, language="en")[0]
    assert mailoutbox == []  # nothing before commit
    for callback in callbacks:
        callback()
    spanish = [m for m in mailoutbox if m.to == ["officer.a@test.carsi"]]
    english = [m for m in mailoutbox if m.to == ["oscar@test.carsi"]]
    assert spanish[0].subject == "[CARSI] BSI-101: nominación recibida"
    assert "Estimado/a María José Núñez Peña" in spanish[0].body
    assert "Su agencia le ha nominado para el curso BSI-101" in spanish[0].body
    assert english[0].subject == "[CARSI] BSI-101: nomination received"
    assert "Dear Óscar O'Connor" in english[0].body
    # The nominating head is told too (in Spanish, the site's language).
    assert any(m.to == ["head.a@test.carsi"] and "Asunto: María José" in m.body for m in mailoutbox)

    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        svc.enrollment_reject(actor=world.admin, enrollment=a2, reason="Cupo reservado para aduanas.")
        svc.enrollment_approve(actor=world.admin, enrollment=a)
    subjects = {(m.to[0], m.subject) for m in mailoutbox}
    assert ("oscar@test.carsi", "[CARSI] BSI-101: nomination rejected") in subjects
    assert ("officer.a@test.carsi", "[CARSI] BSI-101: nominación aprobada") in subjects
    rejected = next(m for m in mailoutbox if m.to == ["oscar@test.carsi"])
    assert "Reason: Cupo reservado para aduanas." in rejected.body


def test_the_email_task_is_idempotent(world, session, mailoutbox, django_capture_on_commit_callbacks):
    from courses.tasks import enrollment_email_send

    with django_capture_on_commit_callbacks(execute=True):
        (enrollment,) = nominate(world, session)
    sent = len(mailoutbox)
    assert sent == 2
    enrollment_email_send(enrollment.transitions.get().pk)  # a duplicate delivery
    assert len(mailoutbox) == sent


def test_the_sweep_sends_the_emails_whose_task_was_lost(
    world, session, mailoutbox, django_capture_on_commit_callbacks
):
    """What the broker being down leaves: steps saved, their e-mail task never queued."""
    from courses.tasks import EMAIL_SWEEP_MIN_AGE_SECONDS, enrollment_emails_sweep

    with django_capture_on_commit_callbacks(execute=False):  # the tasks are dropped
        a, a2 = nominate(world, session, world.trainee_a, world.trainee_a2)
        svc.enrollment_approve(actor=world.admin, enrollment=a2)
    assert mailoutbox == []
    steps = EnrollmentTransition.objects.filter(enrollment__in=[a, a2])
    assert steps.count() == 3 and not steps.filter(emailed_at__isnull=False).exists()
    now = timezone.now()
    lost = a.transitions.get()
    lost_too_long, young = a2.transitions.order_by("pk")
    steps.filter(pk=lost.pk).update(created_at=now - datetime.timedelta(hours=1))
    steps.filter(pk=lost_too_long.pk).update(created_at=now - datetime.timedelta(days=8))  # stale news
    # `young` was recorded moments ago: its task may still be waiting in the queue.

    assert enrollment_emails_sweep(EMAIL_SWEEP_MIN_AGE_SECONDS) == 1
    assert sorted(m.to[0] for m in mailoutbox) == ["head.a@test.carsi", "officer.a@test.carsi"]
    assert mailoutbox[0].subject == "[CARSI] BSI-101: nominación recibida"
    emailed = dict(steps.values_list("pk", "emailed_at"))
    assert emailed[lost.pk] is not None and emailed[lost_too_long.pk] is None and emailed[young.pk] is None

    sent = len(mailoutbox)
    assert enrollment_emails_sweep(EMAIL_SWEEP_MIN_AGE_SECONDS) == 0  # nothing sent twice
    assert len(mailoutbox) == sent
    assert enrollment_emails_sweep(0) == 1  # once old enough, the young step's e-mail goes too
    assert steps.get(pk=young.pk).emailed_at is not None


def test_a_refused_step_sends_nothing(world, make_session, mailoutbox, django_capture_on_commit_callbacks):
    session = make_session(capacity=1)
    with django_capture_on_commit_callbacks(execute=True):
        a, a2 = nominate(world, session, world.trainee_a, world.trainee_a2)
        svc.enrollment_approve(actor=world.admin, enrollment=a)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        svc.enrollment_approve(actor=world.admin, enrollment=a2)
    assert mailoutbox == []
