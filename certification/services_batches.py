"""Certificate batches: issue a whole class session's certificates, or build one ZIP of a
session's certificates or of an agency's current certificates, in the background.

A batch is a `CertificateBatch` row (queued -> running -> done | failed). Starting one checks
who asks and what for, writes the row and enqueues `tasks_batches.certificate_batch_run` once
the transaction commits. The task calls `batch_run`, which claims the row under a lock: a
finished batch is left alone (a redelivered task is a no-op) and a running one is resumed
(its worker died). Resuming is safe because issuing is idempotent (one certificate per
`award_key`) and a stored PDF is never rendered again.

Queries stay flat as the class grows: each certificate costs a fixed number of queries (the
award, its PDF check, a share of the progress writes), never a lookup per related row.

The registry does not import the courses app (see DESIGN.md), except here, at run time, for
the two things only the course side knows: a session's completed enrollments and what each
one earns (`courses.services_awards.enrollment_award`).
"""

import csv
import datetime
import functools
import hashlib
import io
import logging
import re
import tempfile
import unicodedata
import zipfile

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as BrokerError

from . import access
from .import_jobs import TRANSIENT_ERRORS
from .models import Agency, Certificate, CertificateBatch
from .roles import is_program_admin
from .selectors import agency_today
from .tabular import neutralise

logger = logging.getLogger(__name__)

B = CertificateBatch
C = Certificate.Status
PROGRESS_EVERY = 5  # certificates between two progress writes: the page moves, the queries stay few
ZIP_CHUNK = 200  # certificates read per query while the ZIP is written
COPY_CHUNK = 256 * 1024
ISSUING_SESSION_STATUSES = ("in_progress", "closed")
COMPLETED = "completed"  # courses.Enrollment.Status.COMPLETED
MANIFEST_COLUMNS = ("serial", "officer", "credential", "issued", "expires", "status", "sha256", "file")


class BatchError(Exception):
    """A batch that cannot go on (a stored PDF that does not match its SHA-256, say)."""


def _session_model():
    return B._meta.get_field("session").related_model


def _enrollment_model():
    return apps.get_model("courses", "Enrollment")


# --- Who sees which batch -------------------------------------------------------------------


def batches_visible_to(user) -> QuerySet[CertificateBatch]:
    """Administrators every batch; anyone else only the agency ZIPs they started themselves for
    an agency they still manage. A class session's batches are not for agency staff (the session
    holds other agencies' officers), like the session's own pages. Anything else is 404."""
    batches = B.objects.select_related("agency__country", "session", "requested_by")
    if not user.is_authenticated:
        return batches.none()
    if is_program_admin(user):
        return batches
    return batches.filter(
        kind=B.Kind.AGENCY_ZIP, requested_by=user, agency_id__in=access.managed_agency_ids(user)
    )


def batch_in_progress(*, kind: str, session=None, agency: Agency | None = None) -> CertificateBatch | None:
    """The queued or running batch of this kind and subject, if any."""
    subject = {"session": session} if session is not None else {"agency": agency}
    return (
        B.objects.filter(kind=kind, status__in=(B.Status.QUEUED, B.Status.RUNNING), **subject)
        .order_by("created_at", "id")
        .first()
    )


# --- What a batch covers --------------------------------------------------------------------


def session_completed_enrollments(*, session) -> QuerySet:
    return _enrollment_model().objects.filter(session=session, status=COMPLETED).order_by("pk")


def session_certificate_ids(*, session) -> list[int]:
    """The certificates of the session's enrollments (award key "enrollment:<id>", and the
    corrections issued from them), whatever their status: two queries, however big the class."""
    enrollments = dict(_enrollment_model().objects.filter(session=session).values_list("pk", "trainee_id"))
    if not enrollments:
        return []
    keys = {f"enrollment:{pk}" for pk in enrollments}
    candidates = Certificate.objects.filter(
        trainee_id__in=set(enrollments.values()), course_key=session.course_key
    ).values_list("pk", "award_key")
    return sorted(pk for pk, key in candidates if key.split("#", 1)[0] in keys)


def agency_current_certificates(*, agency: Agency, today: datetime.date | None = None) -> QuerySet:
    """What an agency's officers hold now: valid (not suspended, revoked or superseded) and not
    expired. Certificates follow their officer, as on the agency's pages."""
    today = today or agency_today(agency=agency)
    return Certificate.objects.filter(trainee__agency=agency, status=C.VALID).filter(
        Q(expires_on__isnull=True) | Q(expires_on__gte=today)
    )


# --- Starting -------------------------------------------------------------------------------


def _start(*, kind: str, actor, session=None, agency: Agency | None = None, total: int = 0):
    running = batch_in_progress(kind=kind, session=session, agency=agency)
    if running is not None:
        return running  # one at a time per subject: the page follows the one already going
    batch = B(kind=kind, requested_by=actor, session=session, agency=agency, total=total)
    batch.full_clean(exclude=["archive"])
    batch.save()
    transaction.on_commit(functools.partial(_enqueue, batch.pk))
    return batch


def _enqueue(batch_id: int) -> None:
    """Once the batch is committed, hands it to the workers. When the broker cannot take it, the
    batch is marked failed with the reason, so its page says so and it can be started again,
    instead of waiting queued for a task that does not exist (and the request does not fail
    for a batch that was saved)."""
    from .tasks_batches import certificate_batch_run  # the task module imports this one

    try:
        certificate_batch_run.delay(batch_id)
    except BrokerError as exc:
        logger.warning("certificate batch %s not queued: the broker is unavailable (%s)", batch_id, exc)
        batch_fail(batch_id=batch_id, error=f"not queued, the broker is unavailable: {exc}")


@transaction.atomic
def batch_session_issue_start(*, actor, session) -> CertificateBatch:
    """A program administrator issues every certificate a session's completed enrollments earn
    (course and program credentials), with their PDFs. Refused for a session that is not in
    progress or closed, or has nobody completed; while one runs for the session, returns it."""
    if not is_program_admin(actor):
        raise PermissionDenied(_("Only program administrators issue a class's certificates."))
    # Locked so two clicks at once start one batch between them.
    session = _session_model().objects.select_for_update().get(pk=session.pk)
    if session.status not in ISSUING_SESSION_STATUSES:
        raise ValidationError(
            _("Certificates are issued once the session is in progress or closed (it is “%(status)s”).")
            % {"status": session.get_status_display()}
        )
    completed = session_completed_enrollments(session=session).count()
    if not completed:
        raise ValidationError(_("Nobody has completed this session yet: there is nothing to issue."))
    return _start(kind=B.Kind.SESSION_ISSUE, actor=actor, session=session, total=completed)


@transaction.atomic
def batch_session_zip_start(*, actor, session) -> CertificateBatch:
    """A program administrator downloads every certificate of a session as one ZIP."""
    if not is_program_admin(actor):
        raise PermissionDenied(_("Only program administrators download a class's certificates."))
    session = _session_model().objects.select_for_update().get(pk=session.pk)
    total = len(session_certificate_ids(session=session))
    if not total:
        raise ValidationError(_("This session has no certificates yet."))
    return _start(kind=B.Kind.SESSION_ZIP, actor=actor, session=session, total=total)


@transaction.atomic
def batch_agency_zip_start(*, actor, agency: Agency) -> CertificateBatch:
    """An agency's head or coordinator (or a program administrator) downloads the agency's
    current certificates as one ZIP."""
    if not access.can_manage_personnel(actor, agency):
        raise PermissionDenied(_("Only the agency's staff and program administrators download them."))
    agency = Agency.objects.select_for_update().get(pk=agency.pk)
    total = agency_current_certificates(agency=agency).count()
    if not total:
        raise ValidationError(_("The agency's officers hold no current certificates."))
    return _start(kind=B.Kind.AGENCY_ZIP, actor=actor, agency=agency, total=total)


# --- Running --------------------------------------------------------------------------------


def batch_run(*, batch_id: int) -> CertificateBatch | None:
    """Runs a batch to its end (called by the task). A finished batch, or one that no longer
    exists, is left alone. Any error but a transient database one marks the batch failed, with
    the error, and is logged; a transient one is raised for the task to retry (the batch stays
    running and the next delivery resumes it)."""
    batch = _claim(batch_id)
    if batch is None:
        return None
    try:
        if batch.kind == B.Kind.SESSION_ISSUE:
            _run_session_issue(batch)
        else:
            _run_zip(batch)
    except TRANSIENT_ERRORS:
        raise
    except Exception as exc:
        logger.exception("certificate batch %s failed", batch_id)
        batch_fail(batch_id=batch_id, error=f"{type(exc).__name__}: {exc}")
    return B.objects.get(pk=batch_id)


def _claim(batch_id: int) -> CertificateBatch | None:
    with transaction.atomic():
        batch = B.objects.select_for_update().filter(pk=batch_id).first()
        if batch is None or batch.status in (B.Status.DONE, B.Status.FAILED):
            return None
        fields = ["status", "done"]
        if batch.started_at is None:
            batch.started_at = timezone.now()
            fields.append("started_at")
        batch.status, batch.done = B.Status.RUNNING, 0  # a resumed batch walks everything again
        batch.save(update_fields=fields)
    return B.objects.select_related("session", "agency__country").get(pk=batch_id)


def batch_fail(*, batch_id: int, error: str) -> None:
    """Marks an unfinished batch failed, keeping the error to show."""
    B.objects.filter(pk=batch_id, status__in=(B.Status.QUEUED, B.Status.RUNNING)).update(
        status=B.Status.FAILED, error=error[:2000], finished_at=timezone.now()
    )


def _progress(batch: CertificateBatch, **counts) -> None:
    # A plain UPDATE outside any transaction: the polling page sees it at once.
    B.objects.filter(pk=batch.pk, status=B.Status.RUNNING).update(**counts)


def _finish(batch: CertificateBatch, **fields) -> None:
    with transaction.atomic():
        current = B.objects.select_for_update().get(pk=batch.pk)
        if current.status != B.Status.RUNNING:
            return  # failed meanwhile (given up by the task): leave it so
        for name, value in {**fields, "status": B.Status.DONE, "finished_at": timezone.now()}.items():
            setattr(current, name, value)
        current.save()


def _pdf_ensure(certificate: Certificate, *, reload: bool = True) -> Certificate:
    """Stores the certificate's PDF, rendered now (synchronously: this is the background work)
    when it is missing; `reload` reads the stored file's name and hash back."""
    from .certificate_pdf import certificate_pdf_store  # WeasyPrint loads only where PDFs are drawn

    if not certificate.pdf_sha256:
        certificate_pdf_store(certificate_id=certificate.pk)
        if reload:
            certificate.refresh_from_db(fields=["pdf", "pdf_sha256", "pdf_rendered_at"])
    return certificate


def _run_session_issue(batch: CertificateBatch) -> None:
    from courses.services_awards import enrollment_award  # what a completion earns: the course side

    enrollments = list(session_completed_enrollments(session=batch.session).only("pk", "status"))
    total = len(enrollments)
    _progress(batch, total=total, done=0)
    issued: set[int] = set()
    for number, enrollment in enumerate(enrollments, start=1):
        # One enrollment's awards (course, programs) commit together; their PDF tasks, enqueued
        # on commit, find the PDF already stored below and do nothing.
        with transaction.atomic():
            certificates = enrollment_award(enrollment=enrollment)
        for certificate in certificates:
            if certificate.created_at >= batch.started_at:
                issued.add(certificate.pk)
            _pdf_ensure(certificate, reload=False)
        if number % PROGRESS_EVERY == 0:
            _progress(batch, done=number, issued=len(issued))
    _finish(batch, total=total, done=total, issued=len(issued))


def ascii_name(text: str, *, limit: int = 80) -> str:
    """ "María José Núñez" -> "Maria-Jose-Nunez": file names every ZIP tool reads."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]+", "-", plain).strip("-")[:limit].strip("-")


def certificate_file_name(certificate: Certificate) -> str:
    name = ascii_name((certificate.evidence or {}).get("trainee_name") or certificate.trainee.full_name)
    return f"{ascii_name(certificate.serial)}_{name or 'officer'}.pdf"


def archive_name(batch: CertificateBatch, *, today: datetime.date) -> str:
    agency = batch.agency
    subject = f"{agency.country.code}-{agency.acronym}" if agency else batch.session.code
    return f"certificates-{ascii_name(subject) or batch.pk}-{today.isoformat()}.zip"


def _zip_certificate_ids(batch: CertificateBatch, *, today: datetime.date) -> list[int]:
    if batch.kind == B.Kind.SESSION_ZIP:
        return session_certificate_ids(session=batch.session)
    certificates = agency_current_certificates(agency=batch.agency, today=today)
    return list(certificates.order_by("pk").values_list("pk", flat=True))


def _copy_into(archive: zipfile.ZipFile, certificate: Certificate, name: str) -> None:
    """Copies the stored PDF into the ZIP in chunks, checking it against its SHA-256."""
    digest = hashlib.sha256()
    with certificate.pdf.open("rb") as source, archive.open(name, "w") as target:
        while chunk := source.read(COPY_CHUNK):
            digest.update(chunk)
            target.write(chunk)
    if digest.hexdigest() != certificate.pdf_sha256:
        raise BatchError(f"the stored PDF of {certificate.serial} does not match its SHA-256")


def _run_zip(batch: CertificateBatch) -> None:
    today = agency_today(agency=batch.agency) if batch.agency_id else timezone.localdate()
    ids = _zip_certificate_ids(batch, today=today)
    total = len(ids)
    _progress(batch, total=total, done=0)
    manifest = io.StringIO(newline="")
    writer = csv.writer(manifest)
    writer.writerow(MANIFEST_COLUMNS)
    with tempfile.TemporaryFile() as handle:
        with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            done = 0
            for start in range(0, total, ZIP_CHUNK):
                chunk = (
                    Certificate.objects.filter(pk__in=ids[start : start + ZIP_CHUNK])
                    .select_related("trainee", "credential")
                    .order_by("serial")
                )
                for certificate in chunk:
                    _pdf_ensure(certificate)
                    name = certificate_file_name(certificate)
                    _copy_into(archive, certificate, name)
                    writer.writerow(_manifest_row(certificate, name=name, today=today))
                    done += 1
                    if done % PROGRESS_EVERY == 0:
                        _progress(batch, done=done)
            # A BOM so spreadsheet programs read the accents as UTF-8.
            archive.writestr("manifest.csv", "\ufeff" + manifest.getvalue())
        handle.seek(0)
        batch.archive.save(archive_name(batch, today=today), File(handle), save=False)
    _finish(batch, archive=batch.archive.name, total=total, done=total)


def _manifest_row(certificate: Certificate, *, name: str, today: datetime.date) -> list[str]:
    evidence = certificate.evidence or {}
    credential = certificate.credential
    return [
        certificate.serial,
        neutralise(evidence.get("trainee_name") or certificate.trainee.full_name),
        neutralise(f"{credential.name_es} / {credential.name_en}"),
        certificate.issued_on.isoformat(),
        certificate.expires_on.isoformat() if certificate.expires_on else "",
        certificate.shown_status(today),
        certificate.pdf_sha256,
        name,
    ]
