"""Certificate batches: issuing a whole class session's certificates (once per completed
enrollment, PDFs stored, progress counted, queries flat per certificate, redeliveries and
resumes), the ZIPs (a session's, an agency's current certificates: contents, hashes, manifest),
refusals, who may start and see them, the pages (both languages, JSON progress, download)."""

import csv
import datetime
import hashlib
import io
import zipfile

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from certification import services as registry
from certification.models import Certificate, CertificateBatch, Trainee
from certification.services_batches import (
    PROGRESS_EVERY,
    _claim,
    ascii_name,
    batch_agency_zip_start,
    batch_run,
    batch_session_issue_start,
    batch_session_zip_start,
)
from certification.services_certificates import certificate_issue, certificate_transition
from certification.services_personnel import trainee_create
from certification.tasks_batches import BATCH_MAX_DELIVERIES, certificate_batch_run
from courses import services_enrollment as svc
from courses.models import ClassSession, Enrollment
from courses.services_awards import enrollment_award
from tests.certification.conftest import gt_id
from tests.courses.conftest import catalogue, locales, make_course, track

SHARED_FIXTURES = (catalogue, locales, make_course, track)  # from tests/courses/conftest.py

pytestmark = pytest.mark.django_db

B = CertificateBatch
C = Certificate.Status
S = Enrollment.Status
SS = ClassSession.Status
TODAY = timezone.localdate()


# --- a class whose certificates were not issued at completion ----------------------------------


@pytest.fixture
def credential(world):
    return registry.credential_upsert(
        code="bsi", name_es="Interdicción fronteriza", name_en="Border interdiction", validity_months=24
    )


@pytest.fixture
def course(make_course):
    return make_course(code="BSI-140", slug="bsi-140", modules=1)


def officers(world, count: int, *, start: int = 0) -> list[Trainee]:
    names = ["María José", "Óscar", "Ñusta", "José Ángel", "Zoë"]
    return [
        trainee_create(
            actor=None,
            agency=world.agency_a,
            id_country=world.gt,
            id_type=Trainee.IdType.NATIONAL_ID,
            id_number=gt_id(500 + start + n),
            given_names=names[n % len(names)],
            first_surname="Núñez",
            second_surname="Peña",
            badge_number=f"PNC-B{start + n}",
            unit=world.unit_a,
            sex="F",
        )
        for n in range(count)
    ]


class Class:
    """A session in progress: `completed` enrollments, one failed, one withdrawn."""


def a_class(world, course, *, completed: int, failed: int = 1, withdrawn: int = 1, start: int = 0) -> Class:
    c = Class()
    number = ClassSession.objects.count() + 1
    c.session = svc.session_create(
        actor=world.admin,
        course=course,
        code=f"{course.code}-{number:02d}",
        starts_on=TODAY,
        ends_on=TODAY + datetime.timedelta(days=2),
        nomination_deadline=TODAY,
        capacity=completed + failed + withdrawn,
        city="Ciudad de Guatemala",
        country=world.gt,
    )
    c.session.instructors.add(world.instructor)
    svc.session_transition(actor=world.admin, session=c.session, to_status=SS.OPEN)
    people = officers(world, completed + failed + withdrawn, start=start)
    enrollments = svc.enrollment_nominate(actor=world.head_a, session=c.session, trainees=people)
    for enrollment in enrollments:
        svc.enrollment_approve(actor=world.admin, enrollment=enrollment)
    svc.session_transition(actor=world.admin, session=c.session, to_status=SS.IN_PROGRESS)
    c.completed = enrollments[:completed]
    c.failed = enrollments[completed : completed + failed]
    c.withdrawn = enrollments[completed + failed :]
    for enrollment in c.completed:
        svc.enrollment_complete_manually(actor=world.admin, enrollment=enrollment, reason="Verified on site.")
    for enrollment in c.failed:
        svc.enrollment_fail(actor=world.admin, enrollment=enrollment, reason="Did not pass.")
    for enrollment in c.withdrawn:
        svc.enrollment_withdraw(actor=world.admin, enrollment=enrollment, reason="Left the class.")
    return c


def award_credential(course, credential):
    """The course awards a credential from now on (an editor publishes the change): the class
    completed before it holds no certificate yet."""
    course.credential = credential
    course.save_revision().publish()


def run(start, django_capture_on_commit_callbacks, **kwargs) -> CertificateBatch:
    """Starts a batch as a request does; its task runs (eagerly) once the request commits."""
    with django_capture_on_commit_callbacks(execute=True):
        batch = start(**kwargs)
    batch.refresh_from_db()
    return batch


@pytest.fixture
def issued_class(world, course, credential, django_capture_on_commit_callbacks):
    c = a_class(world, course, completed=3)
    assert not Certificate.objects.exists()
    award_credential(course, credential)
    c.batch = run(
        batch_session_issue_start, django_capture_on_commit_callbacks, actor=world.admin, session=c.session
    )
    return c


# --- issuing a class ---------------------------------------------------------------------------


def test_a_class_is_issued_once_per_completed_enrollment_with_its_pdfs(
    world, issued_class, credential, django_capture_on_commit_callbacks
):
    c, batch = issued_class, issued_class.batch
    assert batch.status == B.Status.DONE, batch.error
    assert (batch.kind, batch.total, batch.done, batch.issued, batch.percent) == (
        B.Kind.SESSION_ISSUE,
        3,
        3,
        3,
        100,
    )
    assert batch.requested_by == world.admin and batch.started_at and batch.finished_at
    certificates = Certificate.objects.order_by("pk")
    assert sorted(certificates.values_list("award_key", flat=True)) == sorted(
        f"enrollment:{e.pk}" for e in c.completed
    )
    for certificate in certificates:
        assert certificate.credential == credential and certificate.source == Certificate.Source.COURSE
        assert certificate.evidence["session_code"] == c.session.code
        with certificate.pdf.open("rb") as handle:
            assert hashlib.sha256(handle.read()).hexdigest() == certificate.pdf_sha256
    # Failed and withdrawn officers get nothing.
    nobody = {e.trainee_id for e in c.failed + c.withdrawn}
    assert not Certificate.objects.filter(trainee_id__in=nobody).exists()
    # Running it again issues nothing new.
    before = list(certificates.values_list("pk", "serial", "pdf_sha256"))
    again = run(
        batch_session_issue_start, django_capture_on_commit_callbacks, actor=world.admin, session=c.session
    )
    assert again.pk != batch.pk and again.status == B.Status.DONE
    assert (again.total, again.done, again.issued) == (3, 3, 0)
    assert list(certificates.values_list("pk", "serial", "pdf_sha256")) == before


def test_progress_is_written_every_few_certificates(
    world, course, credential, django_capture_on_commit_callbacks
):
    c = a_class(world, course, completed=PROGRESS_EVERY + 2, failed=0, withdrawn=0)
    award_credential(course, credential)
    with CaptureQueriesContext(connection) as queries:
        batch = run(
            batch_session_issue_start,
            django_capture_on_commit_callbacks,
            actor=world.admin,
            session=c.session,
        )
    seen = [
        q["sql"] for q in queries.captured_queries if 'UPDATE "certification_certificatebatch"' in q["sql"]
    ]
    # total (start), done after PROGRESS_EVERY, then the end
    assert any(f'"done" = {PROGRESS_EVERY}' in sql for sql in seen), seen
    assert (batch.done, batch.total, batch.issued) == (PROGRESS_EVERY + 2,) * 3


def issue_queries(world, c: Class) -> int:
    batch = batch_session_issue_start(actor=world.admin, session=c.session)
    with CaptureQueriesContext(connection) as queries:
        batch = batch_run(batch_id=batch.pk)
    assert batch.status == B.Status.DONE and batch.issued == len(c.completed), batch.error
    return len(queries)


def zip_queries(world, session) -> int:
    batch = batch_session_zip_start(actor=world.admin, session=session)
    with CaptureQueriesContext(connection) as queries:
        batch = batch_run(batch_id=batch.pk)
    assert batch.status == B.Status.DONE, batch.error
    return len(queries)


# What one certificate costs, savepoints included: the award (the enrollment, the course's
# titles, signatories, best score, instructors, the officer's lock, the award key, the previous
# certificate, the serial, the checks of full_clean, the insert, Wagtail's reference index, the
# event, the programs), then storing its PDF, and a share of the progress writes. Nothing in it
# depends on the size of the class.
ISSUE_QUERIES_PER_CERTIFICATE = 35
ZIP_QUERIES_PER_CERTIFICATE = 1


def test_queries_per_certificate_do_not_grow_with_the_class(
    world, course, credential, django_capture_on_commit_callbacks
):
    small_class = a_class(world, course, completed=5, failed=0, withdrawn=0, start=0)
    large_class = a_class(world, course, completed=15, failed=0, withdrawn=0, start=100)
    award_credential(course, credential)
    small, large = issue_queries(world, small_class), issue_queries(world, large_class)
    assert large / 15 <= small / 5, (small, large)  # per certificate, a larger class costs no more
    assert (large - small) / 10 <= ISSUE_QUERIES_PER_CERTIFICATE, (small, large)
    assert large <= 15 * ISSUE_QUERIES_PER_CERTIFICATE + 20, (small, large)  # and a small fixed part
    sessions = list(ClassSession.objects.order_by("pk"))
    small_zip, large_zip = zip_queries(world, sessions[0]), zip_queries(world, sessions[1])
    assert (large_zip - small_zip) / 10 <= ZIP_QUERIES_PER_CERTIFICATE, (small_zip, large_zip)


def test_a_half_done_class_resumes_without_issuing_twice(
    world, course, credential, django_capture_on_commit_callbacks
):
    c = a_class(world, course, completed=4, failed=0, withdrawn=0)
    award_credential(course, credential)
    batch = batch_session_issue_start(actor=world.admin, session=c.session)
    # A worker claimed it, issued two certificates and died.
    _claim(batch.pk)
    for enrollment in c.completed[:2]:
        enrollment_award(enrollment=enrollment)
    assert B.objects.get(pk=batch.pk).status == B.Status.RUNNING
    certificate_batch_run(batch.pk)  # the redelivery
    batch.refresh_from_db()
    assert batch.status == B.Status.DONE, batch.error
    assert (batch.total, batch.done, batch.issued) == (4, 4, 4)
    assert Certificate.objects.count() == 4
    assert not Certificate.objects.filter(pdf_sha256="").exists()
    # Delivered once more after it finished: nothing happens.
    finished_at = batch.finished_at
    certificate_batch_run(batch.pk)
    batch.refresh_from_db()
    assert batch.finished_at == finished_at and Certificate.objects.count() == 4


def test_a_batch_delivered_too_many_times_is_given_up(world, course, credential):
    c = a_class(world, course, completed=1, failed=0, withdrawn=0)
    batch = batch_session_issue_start(actor=world.admin, session=c.session)
    cache.set(f"certificate-batch-deliveries:{batch.pk}", BATCH_MAX_DELIVERIES)
    certificate_batch_run(batch.pk)
    batch.refresh_from_db()
    assert batch.status == B.Status.FAILED and "given up" in batch.error
    assert not Certificate.objects.exists()


def test_the_task_survives_a_lost_worker():
    assert certificate_batch_run.acks_late and certificate_batch_run.reject_on_worker_lost
    assert certificate_batch_run.max_retries and certificate_batch_run.autoretry_for


# --- refusals ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("planned", "once the session is in progress or closed"),
        ("open", "once the session is in progress or closed"),
        ("cancelled", "once the session is in progress or closed"),
        ("nobody_completed", "Nobody has completed this session yet"),
        ("not_admin", "Only program administrators"),
    ],
)
def test_a_refused_class_leaves_no_batch_behind(world, course, credential, case, message):
    c = a_class(world, course, completed=0 if case == "nobody_completed" else 1)
    session = c.session
    if case in ("planned", "open"):
        session = svc.session_create(
            actor=world.admin, course=course, code="BSI-140-NEW", starts_on=TODAY, ends_on=TODAY, capacity=5
        )
        if case == "open":
            svc.session_transition(actor=world.admin, session=session, to_status=SS.OPEN)
    elif case == "cancelled":
        svc.session_transition(actor=world.admin, session=session, to_status=SS.CANCELLED, reason="Closed.")
    error = PermissionDenied if case == "not_admin" else ValidationError
    actor = world.instructor if case == "not_admin" else world.admin
    with pytest.raises(error, match=message):
        batch_session_issue_start(actor=actor, session=session)
    assert not B.objects.exists()


def test_one_batch_at_a_time_per_session(world, course, credential):
    c = a_class(world, course, completed=1)
    first = batch_session_issue_start(actor=world.admin, session=c.session)  # queued: not run yet
    second = batch_session_issue_start(actor=world.admin, session=c.session)
    assert second.pk == first.pk and B.objects.count() == 1
    # Another kind of batch for the same session is its own.
    other = B.objects.create(kind=B.Kind.SESSION_ZIP, session=c.session, requested_by=world.admin)
    assert other.pk != first.pk


def test_empty_zips_are_refused(world, course):
    c = a_class(world, course, completed=1)  # no credential: no certificates
    with pytest.raises(ValidationError):
        batch_session_zip_start(actor=world.admin, session=c.session)
    with pytest.raises(ValidationError):
        batch_agency_zip_start(actor=world.head_a, agency=world.agency_a)
    with pytest.raises(PermissionDenied):
        batch_agency_zip_start(actor=world.head_b, agency=world.agency_a)
    with pytest.raises(PermissionDenied):
        batch_session_zip_start(actor=world.head_a, session=c.session)
    assert not B.objects.exists()


# --- ZIPs ----------------------------------------------------------------------------------------


def zip_of(batch: CertificateBatch) -> zipfile.ZipFile:
    with batch.archive.open("rb") as handle:
        return zipfile.ZipFile(io.BytesIO(handle.read()))


def manifest_of(archive: zipfile.ZipFile) -> list[dict]:
    text = archive.read("manifest.csv").decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def check_archive(archive: zipfile.ZipFile, certificates) -> list[dict]:
    """One PDF per certificate, byte for byte what was stored, and a manifest row for each."""
    certificates = list(certificates)
    pdfs = sorted(name for name in archive.namelist() if name.endswith(".pdf"))
    assert sorted(archive.namelist()) == sorted([*pdfs, "manifest.csv"])
    assert len(pdfs) == len(certificates)
    rows = manifest_of(archive)
    assert [r["serial"] for r in rows] == sorted(c.serial for c in certificates)
    by_serial = {c.serial: c for c in certificates}
    for row in rows:
        certificate = by_serial[row["serial"]]
        data = archive.read(row["file"])
        assert data.startswith(b"%PDF-")
        assert hashlib.sha256(data).hexdigest() == certificate.pdf_sha256 == row["sha256"]
        assert row["file"] == f"{certificate.serial}_{ascii_name(certificate.trainee.full_name)}.pdf"
        assert row["file"].isascii()
        assert row["officer"] == certificate.trainee.full_name
        assert row["credential"] == f"{certificate.credential.name_es} / {certificate.credential.name_en}"
        assert row["issued"] == certificate.issued_on.isoformat()
        assert row["expires"] == (certificate.expires_on.isoformat() if certificate.expires_on else "")
    return rows


def test_a_class_zip_holds_every_certificate_of_the_session(
    world, issued_class, django_capture_on_commit_callbacks
):
    c = issued_class
    suspended = Certificate.objects.order_by("pk").first()
    certificate_transition(actor=world.admin, certificate=suspended, to_status=C.SUSPENDED, reason="Review.")
    batch = run(
        batch_session_zip_start, django_capture_on_commit_callbacks, actor=world.admin, session=c.session
    )
    assert batch.status == B.Status.DONE, batch.error
    assert (batch.total, batch.done, batch.percent) == (3, 3, 100)
    rows = check_archive(zip_of(batch), Certificate.objects.all())
    assert {r["status"] for r in rows} == {"valid", "suspended"}
    assert rows[0]["file"].startswith(f"CARSI-GT-{TODAY.year}-")
    assert "_Maria-Jose-Nunez-Pena.pdf" in {r["file"][-len("_Maria-Jose-Nunez-Pena.pdf") :] for r in rows}


def evidence(trainee, credential):
    return {
        "trainee_name": trainee.full_name,
        "credential_name_es": credential.name_es,
        "credential_name_en": credential.name_en,
    }


def issue(trainee, credential, key, **kwargs):
    return certificate_issue(
        trainee=trainee,
        credential=credential,
        award_key=key,
        source=Certificate.Source.COURSE,
        evidence=evidence(trainee, credential),
        **kwargs,
    )


def test_an_agency_zip_holds_only_its_current_certificates(
    world, credential, django_capture_on_commit_callbacks
):
    """Valid and unexpired, of this agency's officers: not suspended, revoked, expired,
    superseded, nor another agency's. PDFs not rendered yet are rendered for the ZIP."""
    ethics = registry.credential_upsert(code="ethics", name_es="Ética", name_en="Ethics")  # never expires
    a, a2, b = world.trainee_a, world.trainee_a2, world.trainee_b
    current = [issue(a, credential, "k:current"), issue(a2, ethics, "k:forever")]
    suspended = issue(a2, credential, "k:suspended")
    certificate_transition(actor=world.admin, certificate=suspended, to_status=C.SUSPENDED, reason="Review.")
    revoked = issue(a, ethics, "k:revoked", issued_on=TODAY - datetime.timedelta(days=400))
    certificate_transition(actor=world.admin, certificate=revoked, to_status=C.REVOKED, reason="Fraud.")
    old = registry.credential_upsert(code="old", name_es="Viejo", name_en="Old", validity_months=12)
    issue(a, old, "k:expired", issued_on=TODAY - datetime.timedelta(days=800))  # expired long ago
    renewable = registry.credential_upsert(
        code="ren", name_es="Renovable", name_en="Renewable", validity_months=24
    )
    issue(a2, renewable, "k:first", issued_on=TODAY - datetime.timedelta(days=30))
    current.append(issue(a2, renewable, "k:renewal"))  # supersedes the first
    issue(b, credential, "k:other-agency")
    assert not Certificate.objects.exclude(pdf_sha256="").exists()  # nothing rendered yet
    batch = run(
        batch_agency_zip_start, django_capture_on_commit_callbacks, actor=world.head_a, agency=world.agency_a
    )
    assert batch.status == B.Status.DONE, batch.error
    assert (batch.kind, batch.total, batch.done) == (B.Kind.AGENCY_ZIP, 3, 3)
    for certificate in current:
        certificate.refresh_from_db()
    rows = check_archive(zip_of(batch), current)
    assert {r["status"] for r in rows} == {"valid"}
    assert batch.archive.name.startswith("certificate-zips/")
    assert "certificates-GT-PNC-" in batch.archive.name


def test_a_pdf_that_no_longer_matches_its_hash_fails_the_zip(
    world, credential, django_capture_on_commit_callbacks, caplog
):
    certificate = issue(world.trainee_a, credential, "k:tampered")
    from certification.certificate_pdf import certificate_pdf_store

    certificate_pdf_store(certificate_id=certificate.pk)
    certificate.refresh_from_db()
    default_storage.delete(certificate.pdf.name)
    default_storage.save(certificate.pdf.name, io.BytesIO(b"%PDF-1.7 not the same"))
    batch = run(
        batch_agency_zip_start, django_capture_on_commit_callbacks, actor=world.head_a, agency=world.agency_a
    )
    assert batch.status == B.Status.FAILED and "SHA-256" in batch.error and batch.finished_at
    assert not batch.archive
    assert "certificate batch" in caplog.text
    client = Client()
    client.force_login(world.head_a)
    page = client.get(f"/en/agency/certificate-batches/{batch.pk}/").content.decode()
    assert 'data-testid="batch-error"' in page and "SHA-256" in page
    assert client.get(f"/en/agency/certificate-batches/{batch.pk}/download/").status_code == 404


# --- pages and permissions -----------------------------------------------------------------------


def urls_of_session(session) -> list[str]:
    return [
        reverse("registry:batch_session_issue", args=[session.pk]),
        reverse("registry:batch_session_zip", args=[session.pk]),
    ]


def urls_of_batch(batch) -> list[str]:
    return [
        f"/en/agency/certificate-batches/{batch.pk}/",
        f"/en/agency/certificate-batches/{batch.pk}/status.json",
        f"/en/agency/certificate-batches/{batch.pk}/download/",
    ]


def test_the_roster_page_starts_a_class_batch_with_csrf(client, world, issued_class):
    session = issued_class.session
    client.force_login(world.admin)
    roster = client.get(f"/en/training/sessions/{session.pk}/").content.decode()
    assert 'data-testid="issue-certificates"' in roster and 'data-testid="session-certificates-zip"' in roster
    assert "csrfmiddlewaretoken" in roster
    # The session's instructor sees the roster, not the buttons.
    client.force_login(world.instructor)
    roster = client.get(f"/en/training/sessions/{session.pk}/").content.decode()
    assert 'data-testid="issue-certificates"' not in roster
    # A POST without the CSRF token is refused and starts nothing.
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(world.admin)
    before = B.objects.count()
    assert strict.post(reverse("registry:batch_session_zip", args=[session.pk])).status_code == 403
    assert B.objects.count() == before


def test_an_admin_starts_a_class_zip_and_downloads_it(
    client, world, issued_class, django_capture_on_commit_callbacks
):
    session = issued_class.session
    client.force_login(world.admin)
    for url in urls_of_session(session):
        page = client.get(url)
        assert page.status_code == 200 and 'data-testid="batch-start-form"' in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("registry:batch_session_zip", args=[session.pk]))
    batch = B.objects.get(kind=B.Kind.SESSION_ZIP)
    assert (
        response.status_code == 302 and response["Location"] == f"/en/agency/certificate-batches/{batch.pk}/"
    )
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="batch-download"' in page and "batch_progress.js" not in page  # finished
    download = client.get(f"/en/agency/certificate-batches/{batch.pk}/download/")
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    assert download["Content-Disposition"].startswith("attachment;")
    assert f"certificates-{session.code}-" in download["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    check_archive(archive, Certificate.objects.all())


def test_a_refusal_on_the_page_says_why_and_starts_nothing(client, world, course):
    c = a_class(world, course, completed=0)
    client.force_login(world.admin)
    response = client.post(reverse("registry:batch_session_issue", args=[c.session.pk]))
    assert response.status_code == 400
    assert 'data-testid="batch-refused"' in response.content.decode()
    assert "Nobody has completed this session yet" in response.content.decode()
    assert not B.objects.exists()


@pytest.mark.parametrize("role", ["officer_user_a", "instructor", "head_b", "head_a", "coordinator_a"])
def test_class_batches_are_for_program_administrators_only(client, world, issued_class, role):
    client.force_login(getattr(world, role))
    for url in urls_of_session(issued_class.session) + urls_of_batch(issued_class.batch):
        assert client.get(url).status_code == 404, url
        assert client.post(url).status_code in (404, 405), url
    assert B.objects.count() == 1


def agency_batch(world, django_capture_on_commit_callbacks, credential, actor=None) -> CertificateBatch:
    issue(world.trainee_a, credential, "k:a")
    return run(
        batch_agency_zip_start,
        django_capture_on_commit_callbacks,
        actor=actor or world.head_a,
        agency=world.agency_a,
    )


def test_the_agency_page_starts_its_zip(client, world, credential, django_capture_on_commit_callbacks):
    issue(world.trainee_a, credential, "k:a")
    client.force_login(world.coordinator_a)
    page = client.get(f"/en/agency/{world.agency_a.pk}/personnel/").content.decode()
    assert 'data-testid="agency-certificates-zip"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("registry:batch_agency_zip", args=[world.agency_a.pk]))
    batch = B.objects.get()
    assert response["Location"] == f"/en/agency/certificate-batches/{batch.pk}/"
    assert batch.requested_by == world.coordinator_a and batch.status == B.Status.DONE
    assert client.get(f"/en/agency/certificate-batches/{batch.pk}/download/").status_code == 200
    # Administrators reach every agency's from the agency list.
    client.force_login(world.admin)
    index = client.get("/en/agency/").content.decode()
    assert reverse("registry:batch_agency_zip", args=[world.agency_b.pk]) in index


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        ("head_a", True),  # started it
        ("admin", True),
        ("coordinator_a", False),  # the same agency, but did not start it
        ("head_b", False),
        ("officer_user_a", False),
        ("instructor", False),
    ],
)
def test_who_sees_an_agency_batch(client, world, credential, django_capture_on_commit_callbacks, role, sees):
    batch = agency_batch(world, django_capture_on_commit_callbacks, credential)
    client.force_login(getattr(world, role))
    for url in urls_of_batch(batch):
        assert client.get(url).status_code == (200 if sees else 404), url
    start = client.get(reverse("registry:batch_agency_zip", args=[world.agency_a.pk])).status_code
    assert start == (200 if role in ("head_a", "admin", "coordinator_a") else 404)


def test_a_head_moved_to_another_agency_no_longer_sees_the_old_batch(
    client, world, credential, django_capture_on_commit_callbacks
):
    from certification.models import AgencyStaff

    batch = agency_batch(world, django_capture_on_commit_callbacks, credential)
    AgencyStaff.objects.filter(user=world.head_a).delete()
    client.force_login(world.head_a)
    assert client.get(f"/en/agency/certificate-batches/{batch.pk}/").status_code == 404


def test_the_json_progress_of_a_running_and_a_finished_batch(
    client, world, credential, django_capture_on_commit_callbacks
):
    issue(world.trainee_a, credential, "k:a")
    queued = batch_agency_zip_start(actor=world.head_a, agency=world.agency_a)  # its task not run yet
    client.force_login(world.head_a)
    state = client.get(f"/en/agency/certificate-batches/{queued.pk}/status.json").json()
    assert state == {
        "id": queued.pk,
        "kind": "agency_zip",
        "status": "queued",
        "status_label": "Queued",
        "total": 1,
        "done": 0,
        "issued": 0,
        "percent": 0,
        "finished": False,
        "text": "0 of 1 certificates",
        "download_url": "",
    }
    page = client.get(f"/en/agency/certificate-batches/{queued.pk}/")
    html = page.content.decode()
    assert page["Cache-Control"].startswith("max-age=0")
    assert "js/batch_progress.js" in html and 'data-testid="batch-progress"' in html
    assert '<progress data-testid="batch-progress" data-batch-progress value="0" max="1"' in html
    assert '<noscript><meta http-equiv="refresh"' in html and 'data-testid="batch-reload"' in html
    assert 'data-testid="batch-download"' not in html
    assert client.get(f"/en/agency/certificate-batches/{queued.pk}/download/").status_code == 404
    certificate_batch_run(queued.pk)
    state = client.get(f"/en/agency/certificate-batches/{queued.pk}/status.json").json()
    assert state["status"] == "done" and state["finished"] and state["percent"] == 100
    assert state["download_url"] == f"/en/agency/certificate-batches/{queued.pk}/download/"
    assert client.post(f"/en/agency/certificate-batches/{queued.pk}/status.json").status_code == 405


def test_the_batch_page_in_spanish_and_english(client, world, issued_class):
    batch = issued_class.batch
    client.force_login(world.admin)
    english = client.get(f"/en/agency/certificate-batches/{batch.pk}/").content.decode()
    assert '<html lang="en">' in english
    assert "Issue the class&#x27;s certificates" in english and "3 new certificates issued" in english
    assert "3 of 3 completed enrollments, 3 new certificates" in english
    spanish = client.get(f"/es/agency/certificate-batches/{batch.pk}/").content.decode()
    assert '<html lang="es">' in spanish
    assert 'aria-label="Avance"' in spanish  # "Progress", from the catalogue
    assert f'href="/es/training/sessions/{batch.session_id}/"' in spanish
    assert client.get(f"/es/agency/certificate-batches/{batch.pk}/status.json").json()["text"]
    start = client.get(
        reverse("registry:batch_session_issue", args=[batch.session_id]).replace("/en/", "/es/")
    )
    assert start.status_code == 200 and '<html lang="es">' in start.content.decode()


def test_the_static_script_is_served_from_our_files():
    from django.contrib.staticfiles import finders

    path = finders.find("js/batch_progress.js")
    assert path
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    assert "data-batch-progress" in text or "[data-batch-progress]" in text
    assert "http://" not in text and "https://" not in text  # nothing fetched from elsewhere


def test_the_batch_pages_take_a_fixed_number_of_queries(
    client, world, issued_class, django_assert_max_num_queries
):
    client.force_login(world.admin)
    batch = issued_class.batch
    client.get(f"/en/agency/certificate-batches/{batch.pk}/")  # warm the user's caches
    # The session, the user and their roles, Wagtail's user bar; the batch with its subject: one.
    with django_assert_max_num_queries(9):
        client.get(f"/en/agency/certificate-batches/{batch.pk}/")
    with django_assert_max_num_queries(6):
        client.get(f"/en/agency/certificate-batches/{batch.pk}/status.json")
