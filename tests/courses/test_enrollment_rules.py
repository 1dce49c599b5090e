"""Rules found while building the demo: cancelled sessions release their people, only open or
running sessions grant places, prerequisites and admission are checked at nomination,
attendance is for sessions that started; and completing a course awards its credentials
(course, then program), once, with the PDF rendered after commit."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from certification import services as registry
from certification.evidence import evidence_snapshot
from certification.models import Certificate
from courses import services
from courses import services_enrollment as svc
from courses.models import ClassSession, CoursePage, Enrollment
from tests.courses.test_enrollment_flow import course, in_english, make_session, nominate

SHARED_FIXTURES = (course, in_english, make_session)  # from test_enrollment_flow

pytestmark = pytest.mark.django_db

S = Enrollment.Status
SS = ClassSession.Status
TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def test_cancelling_a_session_withdraws_everyone_in_it(world, make_session, mailoutbox):
    session = make_session(keeps_waiting_list=True)
    pending, placed = nominate(world, session, world.trainee_a, world.trainee_a2)
    svc.enrollment_approve(actor=world.admin, enrollment=placed)
    svc.session_transition(
        actor=world.admin, session=session, to_status=SS.CANCELLED, reason="The academy is closed."
    )
    statuses = dict(session.enrollments.values_list("pk", "status"))
    assert statuses == {pending.pk: S.WITHDRAWN, placed.pk: S.WITHDRAWN}
    step = placed.transitions.last()
    assert step.actor is None and "The academy is closed." in step.reason
    # The officers may be nominated again for another session of the course.
    other = make_session()
    assert len(nominate(world, other, world.trainee_a, world.trainee_a2)) == 2


def test_a_session_back_in_planning_grants_no_places(world, make_session):
    session = make_session()
    (enrollment,) = nominate(world, session)
    svc.session_transition(actor=world.admin, session=session, to_status=SS.PLANNED)
    with pytest.raises(ValidationError, match="grants no places"):
        svc.enrollment_approve(actor=world.admin, enrollment=enrollment)
    enrollment.refresh_from_db()
    assert enrollment.status == S.NOMINATED


def test_nomination_checks_prerequisites(world, make_course, make_session):
    basic = make_course(code="BSI-100", slug="bsi-100", modules=1)
    advanced = make_course(code="BSI-300", slug="bsi-300", modules=1, prerequisites=[basic])
    session = make_session(course=advanced)
    with pytest.raises(ValidationError, match="has not completed the prerequisite BSI-100"):
        nominate(world, session, world.trainee_a)
    assert not Enrollment.objects.exists()
    # Once the basic course is completed (self-paced here), the nomination goes through.
    done = Enrollment.objects.create(
        trainee=world.trainee_a, course=basic, course_key=basic.translation_key, status=S.ENROLLED
    )
    svc.enrollment_transition(actor=world.admin, enrollment=done, to_status=S.COMPLETED, reason="Verified.")
    assert len(nominate(world, session, world.trainee_a)) == 1


def test_open_courses_take_no_nominations(world, make_course, make_session):
    reading = make_course(code="LAW-100", slug="law-100", admission=CoursePage.Admission.OPEN)
    session = make_session(course=reading)
    with pytest.raises(ValidationError, match="open to read"):
        nominate(world, session)
    assert not Enrollment.objects.exists()


def test_attendance_waits_for_the_session_to_start(world, make_session):
    session = make_session(starts_on=TODAY, nomination_deadline=TODAY)
    (enrollment,) = nominate(world, session)
    svc.enrollment_approve(actor=world.admin, enrollment=enrollment)
    with pytest.raises(ValidationError, match="has started"):
        svc.attendance_record(actor=world.admin, session=session, on=TODAY, marks={enrollment.pk: "present"})
    assert not enrollment.attendance.exists()


# --- awards ----------------------------------------------------------------------------------------


@pytest.fixture
def credential(world):
    return registry.credential_upsert(
        code="bsi", name_es="Interdicción fronteriza", name_en="Border interdiction", validity_months=36
    )


def complete(world, course, make_session, django_capture_on_commit_callbacks, trainee=None):
    session = make_session(course=course, starts_on=TODAY, nomination_deadline=TODAY)
    session.instructors.add(world.instructor)
    trainee = trainee or world.trainee_a
    (enrollment,) = nominate(world, session, trainee)
    svc.enrollment_approve(actor=world.admin, enrollment=enrollment)
    svc.session_transition(actor=world.admin, session=session, to_status=SS.IN_PROGRESS)
    with django_capture_on_commit_callbacks(execute=True):
        svc.enrollment_complete_manually(actor=world.admin, enrollment=enrollment, reason="Verified on site.")
    enrollment.refresh_from_db()
    assert enrollment.status == S.COMPLETED
    return enrollment


def test_completing_a_course_issues_its_certificate_once(
    world, make_course, make_session, credential, django_capture_on_commit_callbacks
):
    course = make_course(code="BSI-110", slug="bsi-110", modules=1, credential=credential)
    enrollment = complete(world, course, make_session, django_capture_on_commit_callbacks)
    certificate = Certificate.objects.get()
    assert certificate.award_key == f"enrollment:{enrollment.pk}"
    assert certificate.trainee == world.trainee_a and certificate.credential == credential
    evidence = certificate.evidence
    assert evidence["trainee_name"] == "María José Núñez Peña"
    assert evidence["course_code"] == "BSI-110" and evidence["hours"] == 40
    assert evidence["session_code"] == enrollment.session.code
    assert evidence["instructors"] == [world.instructor.get_full_name() or world.instructor.email]
    person = evidence_snapshot(trainee=world.trainee_a, credential=credential)  # the one builder
    assert {key: evidence[key] for key in person} == person
    assert certificate.pdf and len(certificate.pdf_sha256) == 64  # rendered after commit
    # Completion happens once, so the award does too.
    svc.enrollment_complete_if_done(enrollment=enrollment)
    assert Certificate.objects.count() == 1


def test_a_course_without_a_credential_awards_nothing(
    world, make_course, make_session, django_capture_on_commit_callbacks
):
    course = make_course(code="BSI-102", slug="bsi-102", modules=1)
    complete(world, course, make_session, django_capture_on_commit_callbacks)
    assert not Certificate.objects.exists()


def test_completing_every_required_course_awards_the_program(
    world, make_course, make_session, credential, catalogue, django_capture_on_commit_callbacks
):
    first = make_course(code="INV-101", slug="inv-101", modules=1)
    second = make_course(code="INV-201", slug="inv-201", modules=1)
    elective = make_course(code="INV-301", slug="inv-301", modules=1)
    program_credential = registry.credential_upsert(
        code="investigator", name_es="Investigador certificado", name_en="Certified investigator"
    )
    services.program_create(
        catalogue=catalogue,
        title="Programa de investigación",
        slug="programa-investigacion",
        summary="Investigación criminal.",
        courses=[(first, True), (second, True), (elective, False)],
        credential=program_credential,
    )
    complete(world, first, make_session, django_capture_on_commit_callbacks)
    assert not Certificate.objects.filter(credential=program_credential).exists()
    complete(world, second, make_session, django_capture_on_commit_callbacks)
    program_certificate = Certificate.objects.get(credential=program_credential)
    assert program_certificate.source == Certificate.Source.PROGRAM
    assert program_certificate.evidence["courses"] == ["INV-101", "INV-201"]
    assert program_certificate.evidence["hours"] == 80
    person = evidence_snapshot(trainee=world.trainee_a, credential=program_credential)
    assert {key: program_certificate.evidence[key] for key in person} == person
    assert program_certificate.expires_on is None


def test_the_trainee_downloads_the_certificate_from_my_training(
    client, world, make_course, make_session, credential, django_capture_on_commit_callbacks
):
    course = make_course(code="BSI-120", slug="bsi-120", modules=1, credential=credential)
    complete(world, course, make_session, django_capture_on_commit_callbacks)
    certificate = Certificate.objects.get()
    client.force_login(world.officer_user_a)
    page = client.get("/en/training/").content.decode()
    assert certificate.serial in page and 'data-testid="certificate-download"' in page
    download = client.get(f"/en/agency/certificates/{certificate.pk}/pdf/")
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF-")
    # The head of the officer's agency may download it; another agency's head may not.
    client.force_login(world.head_a)
    assert client.get(f"/en/agency/certificates/{certificate.pk}/pdf/").status_code == 200
    client.force_login(world.head_b)
    assert client.get(f"/en/agency/certificates/{certificate.pk}/pdf/").status_code == 404
    assert client.get(f"/en/agency/certificates/{certificate.pk}/").status_code == 404
