"""Whole-file imports as jobs: an upload is checked and saved, then a Celery task validates
every row (writing its progress to the job so a page can poll it) and, only if no row is bad,
applies them all in one transaction.

A job moves pending -> running -> done | invalid | failed. Running is claimed under a row
lock, so a duplicate delivery of the task does nothing; a claim whose heartbeat has gone
stale (its worker died) may be taken over, up to MAX_ATTEMPTS. Applying re-checks the claim
inside the same transaction that writes the rows and marks the job done, so a file is applied
at most once.
"""

import datetime
import logging
import uuid
from collections.abc import Callable
from typing import Protocol

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .models import Agency, ImportJob
from .tabular import Table, check_upload, file_kind, read_table

logger = logging.getLogger(__name__)

PROGRESS_EVERY = 500  # rows validated between two progress writes
STALE_AFTER = datetime.timedelta(minutes=10)  # a running job silent this long lost its worker
MAX_ATTEMPTS = 5
TRANSIENT_ERRORS = (OperationalError, InterfaceError)


class RowError(Exception):
    """A row that validated but could not be written (e.g. someone changed the registry
    meanwhile): the whole import is rolled back and the row reported."""

    def __init__(self, row: int, messages: list[str], column: str = ""):
        super().__init__(messages)
        self.row, self.messages, self.column = row, messages, column


class Importer(Protocol):
    def validate(self, table: Table, *, progress: Callable[[int], None]) -> list[dict]: ...

    def apply(self) -> dict: ...


def row_error(row: int | None, message: str, column: str = "") -> dict:
    return {"row": row, "column": column, "message": str(message)}


# --- Starting a job -------------------------------------------------------------------------


@transaction.atomic
def import_job_create(*, kind: str, actor, agency: Agency | None, uploaded_file) -> ImportJob:
    """Checks the file (size, type, encoding), saves it as a pending job and enqueues the
    task once the transaction commits. Callers check the actor's permission first."""
    extension = check_upload(uploaded_file)
    job = ImportJob(
        kind=kind,
        agency=agency,
        uploaded_by=actor,
        original_name=(uploaded_file.name or "")[:255],
        # Messages are written in the uploader's language, whichever worker runs the job.
        summary={"language": translation.get_language() or "es"},
    )
    # The stored name is ours: never a path or name chosen by the uploader.
    job.file.save(f"{uuid.uuid4().hex}.{extension}", uploaded_file, save=False)
    job.save()
    from .tasks import import_job_run  # the task module imports this one

    import_job_run.delay_on_commit(job.id)
    return job


# --- Running a job --------------------------------------------------------------------------


def import_job_execute(*, job_id: int) -> ImportJob | None:
    """Runs a job to its end. Does nothing for a finished job or one another worker runs."""
    claim = _claim(job_id)
    if claim is None:
        return None
    attempt, language = claim
    job = ImportJob.objects.select_related("agency__country", "uploaded_by").get(pk=job_id)
    with translation.override(language):
        try:
            _run(job, attempt)
        except TRANSIENT_ERRORS:
            _release(job_id, attempt)  # the task retries; the next attempt may claim it
            raise
        except Exception:
            logger.exception("import job %s failed", job_id)
            _finish(
                job_id,
                attempt,
                ImportJob.Status.FAILED,
                errors=[
                    row_error(
                        None,
                        _("The import stopped because of an unexpected error. Nothing was imported."),
                    )
                ],
            )
    return ImportJob.objects.get(pk=job_id)


def import_jobs_unfinished(*, min_age_seconds: int, limit: int = 100) -> list[int]:
    """Jobs uploaded at least `min_age_seconds` ago that are still waiting or running."""
    uploaded_before = timezone.now() - datetime.timedelta(seconds=min_age_seconds)
    rows = ImportJob.objects.filter(
        status__in=[ImportJob.Status.PENDING, ImportJob.Status.RUNNING], created_at__lte=uploaded_before
    )
    return list(rows.order_by("pk").values_list("pk", flat=True)[:limit])


def _claim(job_id: int) -> tuple[int, str] | None:
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.is_finished:
            return None
        state = job.summary or {}
        now = timezone.now()
        if job.status == ImportJob.Status.RUNNING:
            heartbeat = state.get("heartbeat")
            if heartbeat and now - datetime.datetime.fromisoformat(heartbeat) < STALE_AFTER:
                return None  # a duplicate delivery while the first one works
        attempt = int(state.get("attempt", 0)) + 1
        language = state.get("language") or "es"
        if attempt > MAX_ATTEMPTS:
            job.status, job.finished_at = ImportJob.Status.FAILED, now
            job.errors = [row_error(None, _("The import was tried too many times and was stopped."))]
            job.summary = {}
            job.save(update_fields=["status", "finished_at", "errors", "summary"])
            return None
        job.status, job.processed_rows, job.errors = ImportJob.Status.RUNNING, 0, []
        job.summary = {"attempt": attempt, "heartbeat": now.isoformat(), "language": language}
        job.save(update_fields=["status", "processed_rows", "errors", "summary"])
    return attempt, language


def _release(job_id: int, attempt: int) -> None:
    try:
        with transaction.atomic():
            job = ImportJob.objects.select_for_update().get(pk=job_id)
            if job.status == ImportJob.Status.RUNNING and job.summary.get("attempt") == attempt:
                job.status = ImportJob.Status.PENDING
                job.summary = {**job.summary, "heartbeat": None}
                job.save(update_fields=["status", "summary"])
    except TRANSIENT_ERRORS:
        logger.warning("import job %s could not be released; it will be reclaimed when stale", job_id)


def _progress(job_id: int, attempt: int, language: str, processed: int) -> None:
    # A plain UPDATE outside any transaction: a polling page sees it at once.
    ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.RUNNING).update(
        processed_rows=processed,
        summary={"attempt": attempt, "heartbeat": timezone.now().isoformat(), "language": language},
    )


def _finish(job_id: int, attempt: int, status: str, *, errors=(), summary=None) -> bool:
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job_id)
        if job.status != ImportJob.Status.RUNNING or job.summary.get("attempt") != attempt:
            return False  # another attempt owns the job now
        job.status, job.finished_at = status, timezone.now()
        job.errors, job.summary = list(errors), summary or {}
        if status == ImportJob.Status.DONE:
            job.processed_rows = job.total_rows
        job.save(update_fields=["status", "finished_at", "errors", "summary", "processed_rows"])
    return True


def _importer_for(job: ImportJob) -> Importer:
    actor = job.uploaded_by
    if job.kind == ImportJob.Kind.PERSONNEL:
        from .personnel_exchange import PersonnelImport

        return PersonnelImport(actor=actor, agency=job.agency, source_name=job.original_name)
    from .vetting_exchange import VettingImport

    return VettingImport(actor=actor)


def _run(job: ImportJob, attempt: int) -> None:
    language = translation.get_language()
    if job.uploaded_by_id is None:
        # Never run with no one's authority: actor None means "the system" to the services.
        _finish(
            job.pk,
            attempt,
            ImportJob.Status.FAILED,
            errors=[row_error(None, _("The uploader's account no longer exists."))],
        )
        return
    with job.file.open("rb") as stored:
        data = stored.read()
    try:
        table = read_table(data, kind=file_kind(job.file.name))
    except ValidationError as exc:
        _finish(job.pk, attempt, ImportJob.Status.INVALID, errors=[row_error(None, m) for m in exc.messages])
        return
    ImportJob.objects.filter(pk=job.pk).update(total_rows=len(table.rows))

    importer = _importer_for(job)
    errors = importer.validate(
        table, progress=lambda processed: _progress(job.pk, attempt, language, processed)
    )
    _progress(job.pk, attempt, language, len(table.rows))
    if errors:
        errors.sort(key=lambda error: (error["row"] or 0, error["column"]))
        _finish(job.pk, attempt, ImportJob.Status.INVALID, errors=errors)
        return

    # All or nothing: the rows and the job's "done" commit together, under the job's lock.
    with transaction.atomic():
        locked = ImportJob.objects.select_for_update().get(pk=job.pk)
        if locked.status != ImportJob.Status.RUNNING or locked.summary.get("attempt") != attempt:
            return
        try:
            with transaction.atomic():
                summary = importer.apply()
        except RowError as exc:
            errors = [row_error(exc.row, message, exc.column) for message in exc.messages]
            status = ImportJob.Status.INVALID
        except PermissionDenied as exc:
            errors, status, summary = [row_error(None, str(exc))], ImportJob.Status.FAILED, {}
        except IntegrityError:
            errors = [
                row_error(None, _("The registry changed while the file was imported. Upload it again."))
            ]
            status = ImportJob.Status.INVALID
        else:
            errors, status = [], ImportJob.Status.DONE
        locked.status, locked.finished_at, locked.errors = status, timezone.now(), errors
        locked.summary = summary if status == ImportJob.Status.DONE else {}
        locked.processed_rows = locked.total_rows
        locked.save(update_fields=["status", "finished_at", "errors", "summary", "processed_rows"])
