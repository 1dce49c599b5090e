"""The audit trail: each sensitive action appends exactly one entry (who, what, which agency, a
readable target, before/after and the reason) in the action's transaction; a refused action
appends none; what the system does by itself is not an entry (except a certificate's status);
role changes made in the Wagtail admin's user editor and second factors turned on or off are
recorded; program administrators read and search the trail in the admin, where nothing can be
added, changed or deleted; on PostgreSQL the database refuses changes too."""

import csv
import datetime
import io
import re

import pytest
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from certification import services as registry
from certification.models import AgencyStaff, AuditEntry, Certificate
from certification.roles import INSTRUCTORS, PROGRAM_ADMINISTRATORS, role_grant
from certification.services_audit import audit_actor, audit_record, current_actor
from certification.services_certificates import certificate_correct, certificate_transition
from certification.services_personnel import trainee_update
from certification.services_vetting import vetting_record_add
from courses import services_assessment as assess
from courses import services_enrollment as svc
from courses.models import ClassSession, Enrollment, Response
from courses.services_practical import practical_override, practical_record, scoresheet_create
from tests.certification.test_certificates import credential, issue
from tests.courses.conftest import catalogue, locales, make_course, track
from tests.courses.test_assessment_attempts import add_question, make_exam, right_choice, wrong_choice
from tests.courses.test_assessment_results import take
from tests.courses.test_enrollment_flow import course, make_session, nominate
from tests.home.test_mfa import current_code

SHARED_FIXTURES = (credential, catalogue, locales, make_course, track, course, make_session)

pytestmark = pytest.mark.django_db

A = AuditEntry.Action
C = Certificate.Status
S = Enrollment.Status
TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)
MIDDLEWARE = "certification.middleware_audit.AuditActorMiddleware"
ADMIN_PASSWORD = "a-root-password-1"


def entries(**filters):
    return list(AuditEntry.objects.filter(**filters).order_by("id"))


def one_new(before: int, **expected) -> AuditEntry:
    """The one entry appended since `before` (the highest id then), checked against `expected`."""
    new = list(AuditEntry.objects.filter(pk__gt=before).order_by("id"))
    assert len(new) == 1, [(e.action, e.target) for e in new]
    entry = new[0]
    for name, value in expected.items():
        assert getattr(entry, name) == value, (name, getattr(entry, name), value)
    return entry


def last_id() -> int:
    return AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0


@pytest.fixture
def with_audit_middleware(settings):
    """The request's user names the actor of changes made by Wagtail's own views."""
    if MIDDLEWARE not in settings.MIDDLEWARE:
        middleware = list(settings.MIDDLEWARE)
        middleware.insert(
            middleware.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1, MIDDLEWARE
        )
        settings.MIDDLEWARE = middleware


@pytest.fixture
def running(world, make_session):
    """A session in progress taught by world.instructor, trainee_a enrolled."""
    session = make_session(starts_on=TODAY - 3 * DAY, ends_on=TODAY + DAY, nomination_deadline=None)
    session.instructors.add(world.instructor)
    (enrollment,) = nominate(world, session)
    svc.session_transition(actor=world.admin, session=session, to_status=ClassSession.Status.IN_PROGRESS)
    svc.enrollment_approve(actor=world.admin, enrollment=enrollment)
    enrollment.refresh_from_db()
    assert enrollment.status == S.ENROLLED
    return enrollment


# --- the setup of the world names nobody -------------------------------------------------------------


def test_what_the_system_does_by_itself_is_not_an_entry(world, credential):
    # world: agency roles, groups and officers set up by fixtures (no person acting)
    issue(world, credential)  # a course's certificate, issued by the completion rules
    vetting_record_add(actor=None, trainee=world.trainee_a, status="pending")
    role_grant(user=world.head_b, group_name=INSTRUCTORS)
    assert not AuditEntry.objects.exists()


# --- vetting -------------------------------------------------------------------------------------------


def test_a_vetting_decision_is_one_entry_and_recording_it_again_none(world):
    before = last_id()
    vetting_record_add(
        actor=world.admin,
        trainee=world.trainee_a,
        status="approved",
        decided_on=TODAY,
        case_reference="GT-2026-0042",
        notes="Sin hallazgos.",
    )
    entry = one_new(before, action=A.VETTING_DECISION, actor=world.admin, agency=world.agency_a)
    assert entry.actor_email == "admin@test.carsi"
    assert entry.target == "María José Núñez Peña · PNC-1"
    assert entry.details["before"] is None
    assert entry.details["after"]["status"] == "approved"
    assert entry.details["after"]["case_reference"] == "GT-2026-0042"
    assert entry.details["notes"] == "Sin hallazgos."
    # The same decision again is no new decision.
    vetting_record_add(
        actor=world.admin,
        trainee=world.trainee_a,
        status="approved",
        decided_on=TODAY,
        case_reference="GT-2026-0042",
    )
    assert last_id() == entry.pk
    vetting_record_add(actor=world.admin, trainee=world.trainee_a, status="suspended", decided_on=TODAY)
    entry = one_new(entry.pk, action=A.VETTING_DECISION)
    assert entry.details["before"]["status"] == "approved" and entry.details["after"]["status"] == "suspended"
    # A unit's vetting is under the unit's agency.
    vetting_record_add(actor=world.admin, unit=world.unit_b, status="denied", decided_on=TODAY)
    one_new(entry.pk, action=A.VETTING_DECISION, agency=world.agency_b, target="Aeropuerto Internacional")


def test_refused_vetting_writes_no_entry(world):
    with pytest.raises(PermissionDenied):
        vetting_record_add(actor=world.head_a, trainee=world.trainee_a, status="approved", decided_on=TODAY)
    with pytest.raises(ValidationError):
        vetting_record_add(actor=world.admin, trainee=world.trainee_a, status="approved")  # no date
    assert not AuditEntry.objects.exists()


# --- enrollments ---------------------------------------------------------------------------------------


def test_enrollments_decided_by_people_are_entries_and_the_rules_moves_are_not(world, make_session):
    session = make_session(starts_on=TODAY - 3 * DAY, ends_on=TODAY + DAY, nomination_deadline=None)
    (a,) = nominate(world, session)
    (a2,) = nominate(world, session, world.trainee_a2)
    (b,) = nominate(world, session, world.trainee_b, actor=world.head_b)
    assert not AuditEntry.objects.exists()  # nominating is not a decision
    svc.session_transition(actor=world.admin, session=session, to_status=ClassSession.Status.IN_PROGRESS)

    before = last_id()
    svc.enrollment_approve(actor=world.admin, enrollment=a)  # approved, then enrolled by the system
    entry = one_new(before, action=A.ENROLLMENT_DECISION, actor=world.admin, agency=world.agency_a)
    assert entry.target == f"María José Núñez Peña · BSI-101 · {session.code}"
    assert entry.details == {"enrollment": a.pk, "before": "nominated", "after": "approved", "reason": ""}

    svc.enrollment_reject(actor=world.admin, enrollment=b, reason="Cupo de su país cubierto.")
    entry = one_new(entry.pk, action=A.ENROLLMENT_DECISION, agency=world.agency_b)
    assert (entry.details["after"], entry.details["reason"]) == ("rejected", "Cupo de su país cubierto.")

    svc.enrollment_withdraw(actor=world.head_a, enrollment=a2, reason="Servicio urgente")
    entry = one_new(entry.pk, action=A.ENROLLMENT_DECISION, actor=world.head_a)
    assert entry.details["after"] == "withdrawn"

    svc.enrollment_fail(actor=world.admin, enrollment=a, reason="Faltó a la evaluación práctica.")
    entry = one_new(entry.pk, action=A.ENROLLMENT_DECISION)
    assert (entry.details["before"], entry.details["after"]) == ("enrolled", "failed")


def test_completing_by_hand_is_an_entry_and_officers_withdrawing_themselves_are_not(world, running):
    before = last_id()
    svc.enrollment_complete_manually(actor=world.admin, enrollment=running, reason="Verificado en el aula.")
    entry = one_new(before, action=A.ENROLLMENT_DECISION)
    assert (entry.details["after"], entry.details["reason"]) == ("completed", "Verificado en el aula.")
    session = running.session
    session_b = svc.session_create(
        actor=world.admin,
        course=running.course,
        code="BSI-101-99",
        capacity=5,
        starts_on=TODAY + 20 * DAY,
        ends_on=TODAY + 22 * DAY,
        city="Tegucigalpa",
        country=world.hn,
    )
    svc.session_transition(actor=world.admin, session=session_b, to_status=ClassSession.Status.OPEN)
    (mine,) = nominate(world, session_b, world.trainee_a)
    svc.enrollment_withdraw(actor=world.officer_user_a, enrollment=mine, reason="No puedo viajar.")
    assert last_id() == entry.pk
    assert session.pk != session_b.pk


def test_refused_enrollment_decisions_write_no_entry(world, make_session):
    session = make_session()
    (a,) = nominate(world, session)
    with pytest.raises(PermissionDenied):
        svc.enrollment_approve(actor=world.head_a, enrollment=a)
    with pytest.raises(PermissionDenied):
        svc.enrollment_withdraw(actor=world.head_b, enrollment=a, reason="No es suyo")
    with pytest.raises(ValidationError):
        svc.enrollment_reject(actor=world.admin, enrollment=a, reason="")
    with pytest.raises(ValidationError):
        svc.enrollment_complete_manually(actor=world.admin, enrollment=a, reason="Aún no empieza")
    assert not AuditEntry.objects.exists()


# --- exams ---------------------------------------------------------------------------------------------


def test_a_result_set_by_hand_is_one_entry_with_before_after_and_reason(world, course, running):
    exam = make_exam(course, pool=2, pass_mark_percent=100, max_attempts=2)
    q1, q2 = exam.questions.all()
    attempt = take(world, exam, {q1: [right_choice(q1)], q2: [wrong_choice(q2)]})
    assert attempt.passed is False
    with pytest.raises(PermissionDenied):
        assess.attempt_override(actor=world.head_a, attempt=attempt, passed=True, reason="Por favor")
    with pytest.raises(ValidationError):
        assess.attempt_override(actor=world.instructor, attempt=attempt, passed=True, reason="")
    assert not AuditEntry.objects.filter(action=A.GRADE_OVERRIDE).exists()
    before = last_id()
    assess.attempt_override(
        actor=world.instructor, attempt=attempt, passed=True, reason="La pregunta 2 era ambigua."
    )
    entry = one_new(before, action=A.GRADE_OVERRIDE, actor=world.instructor, agency=world.agency_a)
    assert entry.target == "María José Núñez Peña · BSI-101 · Examen final · #1"
    assert entry.details["before"]["passed"] is False and entry.details["before"]["override_passed"] is None
    assert entry.details["after"]["override_passed"] is True
    assert entry.details["reason"] == "La pregunta 2 era ambigua."
    assert (entry.details["exam"], entry.details["attempt"]) == (exam.pk, attempt.pk)


def test_correcting_an_answer_key_is_one_entry_whatever_the_attempts_rescored(world, course, running):
    exam = make_exam(course, pool=2, max_attempts=2)
    q1, q2 = exam.questions.all()
    take(world, exam, {q1: [right_choice(q1)], q2: [right_choice(q2)]})
    take(world, exam, {q1: [right_choice(q1)], q2: [wrong_choice(q2)]})
    right, wrong = right_choice(q2), wrong_choice(q2)
    with pytest.raises(PermissionDenied):
        assess.question_regrade(actor=world.head_a, question=q2, correct_choice_ids=[wrong], reason="x")
    assert not AuditEntry.objects.filter(action=A.QUESTION_REGRADE).exists()
    before = last_id()
    assess.question_regrade(
        actor=world.admin, question=q2, correct_choice_ids=[wrong], reason="Clave errónea"
    )
    entry = one_new(before, action=A.QUESTION_REGRADE, actor=world.admin, agency=None)
    assert entry.target.startswith("BSI-101 · Examen final · ")
    assert entry.details["before"]["correct"] == [right] and entry.details["after"]["correct"] == [wrong]
    assert entry.details["attempts_rescored"] == 2 and entry.details["results_changed"] == 2
    assert entry.details["reason"] == "Clave errónea"


def test_scoring_a_written_answer_and_granting_extra_time_are_entries(world, course, running):
    exam = make_exam(course, pool=1, pass_mark_percent=60)
    written = add_question(exam, kind="short_answer", points=3)
    (q1,) = exam.questions.filter(kind="single")
    take(world, exam, {q1: [right_choice(q1)], written: "Comparar la foto con el portador."})
    response = Response.objects.get(question=written)
    with pytest.raises(PermissionDenied):
        assess.short_answer_score(actor=world.head_a, response=response, points=2)
    with pytest.raises(ValidationError):
        assess.short_answer_score(actor=world.instructor, response=response, points="4")
    assert not AuditEntry.objects.filter(action=A.SHORT_ANSWER_SCORE).exists()
    before = last_id()
    assess.short_answer_score(actor=world.instructor, response=response, points="1.5", reason="Incompleta")
    entry = one_new(before, action=A.SHORT_ANSWER_SCORE, actor=world.instructor, agency=world.agency_a)
    assert (
        entry.details["before"]["points_awarded"] is None
        and entry.details["after"]["points_awarded"] == "1.50"
    )
    assert entry.details["reason"] == "Incompleta" and entry.details["question"] == written.pk

    with pytest.raises(PermissionDenied):
        assess.accommodation_grant(
            actor=world.instructor, trainee=world.trainee_a, exam=exam, extra_minutes=15, reason="Dislexia"
        )
    assert last_id() == entry.pk
    assess.accommodation_grant(
        actor=world.admin, trainee=world.trainee_a, exam=exam, extra_minutes=15, reason="Dislexia"
    )
    entry = one_new(entry.pk, action=A.EXTRA_TIME, actor=world.admin, agency=world.agency_a)
    assert entry.details["before"] == {"extra_minutes": 0} and entry.details["after"] == {"extra_minutes": 15}


# --- practical evaluations -----------------------------------------------------------------------------


def test_a_practical_result_set_by_hand_is_one_entry(world, course, running):
    sheet = scoresheet_create(
        actor=world.admin,
        course=course,
        title_es="Registro de vehículo",
        title_en="Vehicle search",
        kind="checklist",
        published=True,
        items=[{"text_es": "Revisa el chasis", "text_en": "Checks the chassis"}],
    )
    result = practical_record(
        evaluator=world.instructor, enrollment=running, sheet=sheet, scores={sheet.items.get().pk: False}
    )
    assert not AuditEntry.objects.filter(action=A.PRACTICAL_OVERRIDE).exists()  # evaluating is not
    with pytest.raises(PermissionDenied):
        practical_override(actor=world.head_a, result=result, passed=True, reason="x")
    with pytest.raises(ValidationError):
        practical_override(actor=world.instructor, result=result, passed=True, reason=" ")
    before = last_id()
    practical_override(actor=world.instructor, result=result, passed=True, reason="El vehículo estaba mal.")
    entry = one_new(before, action=A.PRACTICAL_OVERRIDE, actor=world.instructor, agency=world.agency_a)
    assert entry.target == f"María José Núñez Peña · {running.session.code} · Registro de vehículo"
    assert (
        entry.details["before"]["override_passed"] is None
        and entry.details["after"]["override_passed"] is True
    )
    assert entry.details["reason"] == "El vehículo estaba mal."
    practical_override(actor=world.instructor, result=result, passed=True, reason="Otra vez")  # no change
    assert last_id() == entry.pk


# --- certificates --------------------------------------------------------------------------------------


def test_a_certificate_issued_by_hand_is_one_entry(world, credential):
    with pytest.raises(PermissionDenied):
        issue(
            world,
            credential,
            key="manual:1",
            source=Certificate.Source.MANUAL,
            actor=world.head_a,
            reason="x",
        )
    assert not AuditEntry.objects.exists()
    manual = issue(
        world,
        credential,
        key="manual:1",
        source=Certificate.Source.MANUAL,
        actor=world.admin,
        reason="Verificado.",
    )
    entry = one_new(0, action=A.CERTIFICATE_ISSUE, actor=world.admin, agency=world.agency_a)
    assert entry.target == f"{manual.serial} · María José Núñez Peña"
    assert entry.details["source"] == "manual" and entry.details["reason"] == "Verificado."
    assert entry.details["previous"] is None and entry.details["certificate"] == manual.pk
    # Issuing the same award again returns it and appends nothing.
    issue(
        world, credential, key="manual:1", source=Certificate.Source.MANUAL, actor=world.admin, reason="Otra"
    )
    assert last_id() == entry.pk


def test_status_changes_are_entries_and_refusals_and_repeats_are_not(world, credential):
    certificate = issue(world, credential)
    with pytest.raises(PermissionDenied):
        certificate_transition(actor=world.head_a, certificate=certificate, to_status=C.SUSPENDED, reason="x")
    with pytest.raises(ValidationError):
        certificate_transition(actor=world.admin, certificate=certificate, to_status=C.REVOKED, reason="")
    assert not AuditEntry.objects.exists()
    certificate_transition(
        actor=world.admin, certificate=certificate, to_status=C.SUSPENDED, reason="Investigación IG-12."
    )
    entry = one_new(0, action=A.CERTIFICATE_STATUS, actor=world.admin, agency=world.agency_a)
    assert entry.details == {
        "certificate": certificate.pk,
        "before": "valid",
        "after": "suspended",
        "reason": "Investigación IG-12.",
    }
    assert entry.target == f"{certificate.serial} · María José Núñez Peña"
    certificate_transition(actor=world.admin, certificate=certificate, to_status=C.SUSPENDED, reason="Otra")
    assert last_id() == entry.pk  # already suspended: nothing happened
    certificate_transition(actor=world.admin, certificate=certificate, to_status=C.VALID)
    entry = one_new(entry.pk, action=A.CERTIFICATE_STATUS)
    assert (entry.details["before"], entry.details["after"]) == ("suspended", "valid")
    certificate_transition(actor=world.admin, certificate=certificate, to_status=C.REVOKED, reason="Fraude.")
    entry = one_new(entry.pk, action=A.CERTIFICATE_STATUS)
    assert (entry.details["after"], entry.details["reason"]) == ("revoked", "Fraude.")


def test_a_renewal_is_one_entry_whoever_issues_it(world, credential):
    old = issue(world, credential, key="enrollment:1")
    renewed = issue(world, credential, key="enrollment:2")  # the course completed again: the system
    entry = one_new(0, action=A.CERTIFICATE_RENEW, actor=None, actor_email="", agency=world.agency_a)
    assert entry.target == f"{renewed.serial} · María José Núñez Peña"
    assert (
        entry.details["previous"]["serial"] == old.serial and entry.details["previous"]["status"] == "valid"
    )
    assert entry.details["source"] == "course"
    # By hand: one entry too (the supersede step is part of it, not an entry of its own).
    manual = issue(
        world,
        credential,
        key="manual:9",
        source=Certificate.Source.MANUAL,
        actor=world.admin,
        reason="Recertificado en el terreno.",
    )
    entry = one_new(entry.pk, action=A.CERTIFICATE_RENEW, actor=world.admin)
    assert entry.details["previous"]["serial"] == renewed.serial
    assert (
        entry.details["reason"] == "Recertificado en el terreno."
        and entry.details["certificate"] == manual.pk
    )


def test_a_correction_is_one_entry_with_the_names_before_and_after(world, credential):
    old = issue(world, credential)
    trainee_update(actor=world.admin, trainee=world.trainee_a, first_surname="Núñez-Alvarado")
    before = last_id()
    with pytest.raises(PermissionDenied):
        certificate_correct(actor=world.head_a, certificate=old, reason="x")
    assert last_id() == before
    corrected = certificate_correct(actor=world.admin, certificate=old, reason="Apellido mal escrito.")
    entry = one_new(before, action=A.CERTIFICATE_CORRECT, actor=world.admin, agency=world.agency_a)
    assert entry.target == f"{corrected.serial} · María José Núñez-Alvarado Peña"
    assert entry.details["name"] == {
        "before": "María José Núñez Peña",
        "after": "María José Núñez-Alvarado Peña",
    }
    assert (
        entry.details["previous"]["serial"] == old.serial
        and entry.details["reason"] == "Apellido mal escrito."
    )


# --- roles ---------------------------------------------------------------------------------------------


def test_agency_roles_and_groups_granted_by_a_person_are_entries(world):
    someone = registry.user_ensure(email="nuevo@test.carsi", password="x-pass-123")
    with pytest.raises(PermissionDenied):
        registry.agency_staff_assign(
            actor=world.head_a, user=someone, agency=world.agency_a, role="coordinator"
        )
    with pytest.raises(PermissionDenied):
        role_grant(actor=world.head_a, user=someone, group_name=PROGRAM_ADMINISTRATORS)
    assert not AuditEntry.objects.exists()
    assert not someone.groups.exists() and not AgencyStaff.objects.filter(user=someone).exists()

    registry.agency_staff_assign(actor=world.admin, user=someone, agency=world.agency_a, role="coordinator")
    entry = one_new(0, action=A.ROLE_CHANGE, actor=world.admin, agency=world.agency_a)
    assert entry.target == "nuevo@test.carsi · PNC"
    assert entry.details == {"agency_role": {"before": None, "after": "coordinator"}}
    registry.agency_staff_assign(actor=world.admin, user=someone, agency=world.agency_a, role="coordinator")
    assert last_id() == entry.pk  # the role they have: nothing changed
    registry.agency_staff_assign(actor=world.admin, user=someone, agency=world.agency_a, role="head")
    entry = one_new(entry.pk, action=A.ROLE_CHANGE)
    assert entry.details == {"agency_role": {"before": "coordinator", "after": "head"}}
    registry.agency_staff_remove(actor=world.admin, staff=AgencyStaff.objects.get(user=someone))
    entry = one_new(entry.pk, action=A.ROLE_CHANGE, agency=world.agency_a)
    assert entry.details == {"agency_role": {"before": "head", "after": None}}

    role_grant(actor=world.admin, user=someone, group_name=PROGRAM_ADMINISTRATORS)
    entry = one_new(entry.pk, action=A.ROLE_CHANGE, actor=world.admin, agency=None, target="nuevo@test.carsi")
    assert entry.details == {"groups": {"added": [PROGRAM_ADMINISTRATORS]}}
    role_grant(actor=world.admin, user=someone, group_name=PROGRAM_ADMINISTRATORS)
    assert last_id() == entry.pk  # already in the group


def test_group_changes_made_any_way_by_a_known_person_are_entries(world):
    admins = Group.objects.get(name=PROGRAM_ADMINISTRATORS)
    instructors = Group.objects.get(name=INSTRUCTORS)
    with audit_actor(world.admin):
        admins.user_set.add(world.head_a, world.head_b)  # the admin's bulk "assign role"
        world.instructor.groups.remove(instructors, admins)  # only Instructors was there
        world.head_a.groups.clear()
    assert current_actor() is None
    added_a, added_b, removed, cleared = entries()
    assert (added_a.target, added_a.details) == (
        "head.a@test.carsi",
        {"groups": {"added": [PROGRAM_ADMINISTRATORS]}},
    )
    assert added_b.target == "head.b@test.carsi"
    assert (
        removed.details == {"groups": {"removed": [INSTRUCTORS]}}
        and removed.target == "instructor@test.carsi"
    )
    assert cleared.details == {"groups": {"removed": [PROGRAM_ADMINISTRATORS]}}
    assert {e.actor for e in (added_a, added_b, removed, cleared)} == {world.admin}


@pytest.fixture
def root(site):
    """A superuser: the one who edits accounts in the Wagtail admin (program administrators have
    no permission on users)."""
    return get_user_model().objects.create_superuser(
        username="root", email="root@test.carsi", password=ADMIN_PASSWORD
    )


def user_form(user, *, groups, **fields):
    data = {
        "username": user.username,
        "email": user.email,
        "first_name": fields.pop("first_name", "Carlos"),
        "last_name": fields.pop("last_name", "Pérez"),
        "is_active": "on",
        "password1": "",
        "password2": "",
        "groups": [g.pk for g in groups],
    }
    data.update(fields)
    return data


def test_role_changes_in_the_admin_user_editor_are_entries_of_the_editor(
    client, world, root, with_audit_middleware
):
    admins = Group.objects.get(name=PROGRAM_ADMINISTRATORS)
    instructors = Group.objects.get(name=INSTRUCTORS)
    client.force_login(root)
    url = reverse("wagtailusers_users:edit", args=[world.instructor.pk])
    response = client.post(url, user_form(world.instructor, groups=[instructors, admins]))
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = one_new(0, action=A.ROLE_CHANGE, actor=root, actor_email="root@test.carsi")
    assert entry.target == "instructor@test.carsi"
    assert entry.details == {"groups": {"added": [PROGRAM_ADMINISTRATORS]}}
    # Saving the form again with the same groups changes no role.
    client.post(url, user_form(world.instructor, groups=[instructors, admins]))
    assert last_id() == entry.pk
    # Taking one away, and making the account a superuser: one entry each.
    client.post(url, user_form(world.instructor, groups=[admins], is_superuser="on"))
    superuser, removed = entries(pk__gt=entry.pk)
    assert superuser.details == {"superuser": {"before": False, "after": True}} and superuser.actor == root
    assert removed.details == {"groups": {"removed": [INSTRUCTORS]}} and removed.actor == root
    # A refused form (the names are required) changes and records nothing.
    response = client.post(url, user_form(world.instructor, groups=[], first_name=""))
    assert response.status_code == 200
    assert last_id() == removed.pk
    assert set(world.instructor.groups.all()) == {admins}
    assert current_actor() is None  # the request's actor ends with the request


def test_deleting_an_account_in_the_admin_records_its_roles(client, world, root, with_audit_middleware):
    client.force_login(root)
    response = client.post(reverse("wagtailusers_users:delete", args=[world.coordinator_a.pk]))
    assert response.status_code == 302
    entry = one_new(0, action=A.ROLE_CHANGE, actor=root, target="coord.a@test.carsi")
    assert entry.details["account_deleted"] is True
    assert entry.details["agency_roles"] == {"removed": ["PNC: coordinator"]}
    assert entry.details["groups"] == {"removed": []}
    # An account without roles leaves no entry.
    nobody = registry.user_ensure(email="sin.rol@test.carsi", password="x-pass-123")
    client.post(reverse("wagtailusers_users:delete", args=[nobody.pk]))
    assert last_id() == entry.pk


def test_agency_roles_edited_and_removed_in_the_admin_are_entries(client, world):
    client.force_login(world.admin)
    staff = AgencyStaff.objects.get(user=world.coordinator_a)
    response = client.post(reverse("registry_staff_roles:edit", args=[staff.pk]), {"role": "head"})
    assert response.status_code == 302
    entry = one_new(0, action=A.ROLE_CHANGE, actor=world.admin, agency=world.agency_a)
    assert entry.details == {"agency_role": {"before": "coordinator", "after": "head"}}
    assert entry.target == "coord.a@test.carsi · PNC"
    # The edit form changes the role only (someone's role at another agency is a new role).
    client.post(
        reverse("registry_staff_roles:edit", args=[staff.pk]),
        {"role": "head", "agency": world.agency_b.pk, "user": world.head_b.pk},
    )
    staff.refresh_from_db()
    assert (staff.agency, staff.user) == (world.agency_a, world.coordinator_a)
    assert last_id() == entry.pk
    response = client.post(reverse("registry_staff_roles:delete", args=[staff.pk]))
    assert response.status_code == 302
    assert not AgencyStaff.objects.filter(pk=staff.pk).exists()
    entry = one_new(entry.pk, action=A.ROLE_CHANGE, actor=world.admin)
    assert entry.details == {"agency_role": {"before": "head", "after": None}}
    response = client.post(
        reverse("registry_staff_roles:add"),
        {"user": world.coordinator_a.pk, "agency": world.agency_b.pk, "role": "coordinator"},
    )
    assert response.status_code == 302
    entry = one_new(entry.pk, action=A.ROLE_CHANGE, agency=world.agency_b)
    assert entry.details == {"agency_role": {"before": None, "after": "coordinator"}}


# --- second factors ------------------------------------------------------------------------------------


def test_turning_two_factor_authentication_on_and_off_is_recorded(
    client, world, django_capture_on_commit_callbacks
):
    client.post("/en/accounts/login/", {"login": "head.a@test.carsi", "password": world.password})

    def reauthenticated_get(url):
        response = client.get(url)
        if response.status_code == 302 and "/reauthenticate/" in response["Location"]:
            client.post(response["Location"], {"password": world.password})
            response = client.get(url)
        return response

    assert reauthenticated_get("/en/accounts/2fa/totp/activate/").status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/en/accounts/2fa/totp/activate/", {"code": current_code(secret)})
    assert response.status_code == 302
    entry = one_new(0, action=A.MFA_CHANGE, actor=world.head_a, target="head.a@test.carsi")
    assert entry.details == {"change": "activated", "type": "totp"}  # its recovery codes are part of it

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/en/accounts/2fa/recovery-codes/generate/")
    assert response.status_code == 302
    entry = one_new(entry.pk, action=A.MFA_CHANGE)
    assert entry.details == {"change": "recovery codes regenerated", "type": "recovery_codes"}

    assert reauthenticated_get("/en/accounts/2fa/totp/deactivate/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/en/accounts/2fa/totp/deactivate/")
    assert response.status_code == 302
    entry = one_new(entry.pk, action=A.MFA_CHANGE, actor=world.head_a)
    assert entry.details == {"change": "deactivated", "type": "totp"}


def test_a_wrong_code_turns_nothing_on_and_records_nothing(client, world, django_capture_on_commit_callbacks):
    client.force_login(world.head_a)
    response = client.get("/en/accounts/2fa/totp/activate/")
    if response.status_code == 302:
        client.post(response["Location"], {"password": world.password})
    client.get("/en/accounts/2fa/totp/activate/")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/en/accounts/2fa/totp/activate/", {"code": "000000"})
    assert response.status_code == 200
    assert not AuditEntry.objects.exists()


# --- reading the trail in the admin --------------------------------------------------------------------

INDEX = "registry_audit:index"


@pytest.fixture
def trail(world):
    """A few entries of every kind of subject, written the way the services write them."""
    made = [
        audit_record(
            actor=world.admin,
            action=A.VETTING_DECISION,
            agency=world.agency_a,
            target="María José Núñez Peña · PNC-1",
            details={"after": {"status": "approved"}},
        ),
        audit_record(
            actor=world.head_b,
            action=A.ENROLLMENT_DECISION,
            agency=world.agency_b,
            target="José Ángel Castillo-Ríos · BSI-101",
            details={"after": "withdrawn"},
        ),
        audit_record(
            actor=None, action=A.CERTIFICATE_RENEW, agency=world.agency_a, target="CARSI-GT-2026-000002"
        ),
        audit_record(actor=world.instructor, action=A.ROLE_CHANGE, target='=HYPERLINK("http://x")'),
    ]
    return made


def listed(response) -> set[str]:
    """The targets the listing shows."""
    html = response.content.decode()
    return {e.target for e in AuditEntry.objects.all() if e.target.replace('"', "&quot;") in html}


def test_program_administrators_read_the_trail_newest_first(client, world, trail):
    client.force_login(world.admin)
    response = client.get(reverse(INDEX))
    assert response.status_code == 200
    html = response.content.decode()
    assert listed(response) == {e.target for e in trail}
    assert html.index("=HYPERLINK") < html.index("CARSI-GT-2026-000002") < html.index("Castillo-Ríos")
    with translation.override("es"):  # the admin speaks Spanish to this user
        nobody, vetting = gettext("Nobody (the system)"), str(A.VETTING_DECISION.label)
    assert "admin@test.carsi" in html and nobody in html
    assert vetting in html and "PNC (GT)" in html
    # No way to add, change or delete: no such buttons or links.
    assert reverse("registry_audit:add") not in html
    for entry in trail:
        assert reverse("registry_audit:edit", args=[entry.pk]) not in html
        assert reverse("registry_audit:delete", args=[entry.pk]) not in html
        assert reverse("registry_audit:inspect", args=[entry.pk]) in html
    inspect = client.get(reverse("registry_audit:inspect", args=[trail[0].pk]))
    assert inspect.status_code == 200 and "approved" in inspect.content.decode()


def test_add_edit_and_delete_do_not_exist(client, world, trail):
    client.force_login(world.admin)
    entry = trail[0]
    for url in (
        reverse("registry_audit:add"),
        reverse("registry_audit:edit", args=[entry.pk]),
        reverse("registry_audit:delete", args=[entry.pk]),
        reverse("registry_audit:history", args=[entry.pk]),
    ):
        # (a 404 under /admin/ is sent to the language-prefixed path first, which is 404 as well)
        assert client.get(url, follow=True).status_code == 404, url
        response = client.post(url, {"target": "cambiado", "action": "role_change"}, follow=True)
        assert response.status_code == 404, url
    entry.refresh_from_db()
    assert entry.target == "María José Núñez Peña · PNC-1" and AuditEntry.objects.count() == len(trail)


@pytest.mark.parametrize("who", ["instructor", "head_a", "officer_user_a"])
def test_nobody_else_reads_it(client, world, trail, who):
    client.force_login(getattr(world, who))
    for url in (
        reverse(INDEX),
        reverse("registry_audit:inspect", args=[trail[0].pk]),
        reverse(INDEX) + "?export=csv",
    ):
        response = client.get(url)
        assert response.status_code in (302, 403), url
        assert b"Castillo" not in b"".join(getattr(response, "streaming_content", [response.content]))
    if who == "instructor":  # instructors enter the admin, and see no such menu
        assert reverse(INDEX) not in client.get("/admin/").content.decode()
    assert AuditEntry.objects.count() == len(trail)  # and no export was recorded


def test_the_admin_menu_shows_it_to_program_administrators(client, world):
    client.force_login(world.admin)
    assert reverse(INDEX) in client.get("/admin/").content.decode()


def test_filters_and_search(client, world, trail):
    client.force_login(world.admin)
    vetting, withdrawal, renewal, role = (e.target for e in trail)

    def shown(query):
        response = client.get(reverse(INDEX) + query)
        assert response.status_code == 200, query
        return listed(response)

    assert shown("?action=vetting_decision") == {vetting}
    assert shown(f"?agency={world.agency_a.pk}") == {vetting, renewal}
    assert shown(f"?actor={world.head_b.pk}") == {withdrawal}
    assert shown("?actor=null") == {renewal}
    assert shown("?q=head.b@test") == {withdrawal}  # the actor's e-mail
    assert shown("?q=Castillo") == {withdrawal}  # the target
    assert shown("?q=CARSI-GT-2026") == {renewal}
    today = timezone.localdate().isoformat()
    assert shown(f"?created_at_from={today}&created_at_to={today}") == {vetting, withdrawal, renewal, role}
    assert shown("?created_at_from=2020-01-01&created_at_to=2020-12-31") == set()
    assert shown(f"?action=enrollment_decision&agency={world.agency_a.pk}") == set()
    # Unknown values are ignored or refused by the filter form, never an error page.
    assert client.get(reverse(INDEX) + "?agency=999999&action=nonsense&actor=x").status_code == 200


def test_the_list_takes_the_same_queries_whatever_the_size_of_the_trail(client, world, trail):
    client.force_login(world.admin)
    client.get(reverse(INDEX))  # per-process caches (locales, site)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse(INDEX)).status_code == 200
        return len(queries)

    small = count()
    agencies = [world.agency_a, world.agency_b, None]
    people = [world.admin, world.head_a, world.instructor, None]
    for n in range(120):
        audit_record(
            actor=people[n % 4],
            action=A.values[n % len(A.values)],
            agency=agencies[n % 3],
            target=f"Oficial {n}",
        )
    large = count()
    assert large == small, (small, large)
    # session, user, roles, the count and the page of entries (agency and country joined), the
    # filters' choices (agencies, who acted), and what every admin page reads (permissions,
    # profile, locales): 13
    assert small <= 13, small
    html = client.get(reverse(INDEX)).content.decode()
    assert len(set(re.findall(r"Oficial \d+", html))) == 50  # a page of 50, newest first
    assert "Oficial 119" in html and "Oficial 69" not in html


def test_the_filtered_list_exports_as_csv_neutralised_and_the_export_is_recorded(client, world, trail):
    client.force_login(world.admin)
    response = client.get(reverse(INDEX) + "?action=role_change&export=csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == 2 and len(rows[0]) == 7  # when (UTC), who, action, its code, agency, what, details
    assert rows[1][1] == "instructor@test.carsi" and rows[1][3] == "role_change"
    assert rows[1][5] == '\'=HYPERLINK("http://x")'  # a spreadsheet shows it, never runs it
    entry = AuditEntry.objects.latest("id")
    assert (entry.action, entry.actor) == (A.AUDIT_EXPORT, world.admin)
    assert entry.details == {"format": "csv", "filters": {"action": "role_change"}}
    response = client.get(reverse(INDEX) + "?export=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


# --- append-only in the database -----------------------------------------------------------------------


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_postgresql_refuses_to_change_or_delete_an_entry_but_lets_a_user_go(world):
    someone = registry.user_ensure(email="temporal@test.carsi", password="x-pass-123")
    entry = audit_record(actor=someone, action=A.ROLE_CHANGE, agency=world.agency_a, target="x")
    for attempt in (
        lambda: AuditEntry.objects.filter(pk=entry.pk).update(target="cambiado"),
        lambda: AuditEntry.objects.filter(pk=entry.pk).update(actor=None, target="cambiado"),
        lambda: AuditEntry.objects.filter(pk=entry.pk).update(actor=world.admin),
        lambda: AuditEntry.objects.filter(pk=entry.pk).delete(),
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            attempt()
    # Deleting the user sets the entry's actor to NULL (the one change allowed); the e-mail stays.
    someone.delete()
    entry.refresh_from_db()
    assert (entry.actor, entry.actor_email, entry.target) == (None, "temporal@test.carsi", "x")


def test_a_person_transferring_or_separating_an_officer_writes_one_entry_each(world):
    from certification.services_personnel import trainee_set_status, trainee_transfer

    day = timezone.localdate()
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationError):  # no reason: refused, nothing written
        trainee_set_status(
            actor=world.head_a, trainee=world.trainee_a2, status="separated", effective_on=day, reason=""
        )
    assert AuditEntry.objects.count() == before
    trainee_set_status(
        actor=world.head_a, trainee=world.trainee_a2, status="separated", effective_on=day, reason="Retiro."
    )
    trainee_transfer(
        actor=world.admin,
        trainee=world.trainee_a,
        to_agency=world.agency_b,
        effective_on=day,
        reason="Traslado.",
    )
    status, transfer = AuditEntry.objects.order_by("id")[before:]
    assert (status.action, status.actor_email, status.agency_id) == (
        "personnel_status",
        "head.a@test.carsi",
        world.agency_a.pk,
    )
    assert status.details["from"] == "active" and status.details["to"] == "separated"
    assert (transfer.action, transfer.agency_id, transfer.details["to"]) == (
        "personnel_transfer",
        world.agency_a.pk,
        world.agency_b.acronym,
    )
    assert "Núñez" in transfer.target
