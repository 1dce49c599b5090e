"""The import job and its Celery task: enqueued on commit, idempotent on duplicate delivery,
progress on the job row, one transaction for the writes, and 10,000 rows in reasonable time."""

import datetime
import time

import pytest
from django.db import transaction
from django.utils import timezone

from certification import import_jobs
from certification.models import ImportJob, Trainee
from certification.personnel_exchange import PersonnelImport, personnel_import_start
from certification.services_personnel import trainee_create
from certification.tabular import read_table
from certification.tasks import SweptTask, import_job_run
from tests.certification.conftest import counts, csv_bytes, gt_id, officer_row, upload


def test_the_task_is_enqueued_only_when_the_upload_commits(roster, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = personnel_import_start(
            actor=roster.head, agency=roster.pnc, uploaded_file=upload("p.csv", csv_bytes([officer_row(1)]))
        )
    job.refresh_from_db()
    assert (job.status, job.agency, job.uploaded_by, job.original_name) == (
        "pending",
        roster.pnc,
        roster.head,
        "p.csv",
    )
    assert job.file.name.startswith("imports/") and job.file.name.endswith(".csv")
    assert not job.file.name.endswith("/p.csv")  # the stored name is ours
    assert len(callbacks) == 1
    assert not Trainee.objects.filter(id_number=gt_id(1)).exists()
    callbacks[0]()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert job.finished_at is not None


def test_the_task_is_configured_for_reliable_delivery():
    assert import_job_run.acks_late is True
    assert import_job_run.reject_on_worker_lost is True
    assert set(import_job_run.autoretry_for) == set(import_jobs.TRANSIENT_ERRORS)
    assert import_job_run.max_retries and import_job_run.retry_backoff


def test_the_sweep_runs_the_imports_whose_task_was_lost(roster, django_capture_on_commit_callbacks):
    from certification.tasks import IMPORT_SWEEP_MIN_AGE_SECONDS, import_jobs_sweep

    assert isinstance(import_job_run, SweptTask)  # a broker that is down does not fail the upload
    with django_capture_on_commit_callbacks(execute=False):  # the task is dropped
        lost = personnel_import_start(
            actor=roster.head, agency=roster.pnc, uploaded_file=upload("p.csv", csv_bytes([officer_row(1)]))
        )
        young = personnel_import_start(
            actor=roster.head, agency=roster.pnc, uploaded_file=upload("q.csv", csv_bytes([officer_row(2)]))
        )
    ImportJob.objects.filter(pk=lost.pk).update(created_at=timezone.now() - datetime.timedelta(hours=1))

    assert import_jobs_sweep(IMPORT_SWEEP_MIN_AGE_SECONDS) == 1  # `young` may still be queued
    lost.refresh_from_db(), young.refresh_from_db()
    assert (lost.status, young.status) == (ImportJob.Status.DONE, ImportJob.Status.PENDING)
    assert Trainee.objects.filter(id_number=gt_id(1)).exists()
    assert not Trainee.objects.filter(id_number=gt_id(2)).exists()
    assert import_jobs_sweep(IMPORT_SWEEP_MIN_AGE_SECONDS) == 0  # a finished job is not run again


def test_a_duplicate_delivery_does_nothing(roster, import_personnel):
    job = import_personnel(
        actor=roster.head, agency=roster.pnc, content=csv_bytes([officer_row(n) for n in range(4)])
    )
    assert job.status == ImportJob.Status.DONE
    finished = (job.status, job.summary, job.finished_at, job.processed_rows)
    before = counts()
    import_job_run.delay(job.id)  # delivered again (eager, as with no broker)
    import_job_run.apply(args=[job.id])
    job.refresh_from_db()
    assert (job.status, job.summary, job.finished_at, job.processed_rows) == finished
    assert counts() == before


def test_a_delivery_while_another_worker_runs_the_job_does_nothing(
    roster, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        job = personnel_import_start(
            actor=roster.head, agency=roster.pnc, uploaded_file=upload("p.csv", csv_bytes([officer_row(1)]))
        )
    # Another worker claimed it a moment ago and is still validating.
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.RUNNING, summary={"attempt": 1, "heartbeat": timezone.now().isoformat()}
    )
    before = counts()
    import_job_run.delay(job.id)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.RUNNING
    assert counts() == before


def test_a_job_whose_worker_died_is_taken_over(roster, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        job = personnel_import_start(
            actor=roster.head, agency=roster.pnc, uploaded_file=upload("p.csv", csv_bytes([officer_row(1)]))
        )
    stale = timezone.now() - import_jobs.STALE_AFTER - datetime.timedelta(minutes=1)
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.RUNNING,
        summary={"attempt": 1, "heartbeat": stale.isoformat(), "language": "en"},
    )
    import_job_run.delay(job.id)  # redelivered after the worker was lost
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert job.summary == {"created": 1, "updated": 0, "unchanged": 0}


def test_redeliveries_are_capped(roster, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        job = personnel_import_start(
            actor=roster.head, agency=roster.pnc, uploaded_file=upload("p.csv", csv_bytes([officer_row(1)]))
        )
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.PENDING, summary={"attempt": import_jobs.MAX_ATTEMPTS, "language": "en"}
    )
    import_job_run.delay(job.id)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert "too many times" in job.errors[0]["message"]
    assert not Trainee.objects.filter(id_number=gt_id(1)).exists()


def test_a_job_whose_uploader_is_gone_writes_nothing(roster, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        job = personnel_import_start(
            actor=roster.head, agency=roster.pnc, uploaded_file=upload("p.csv", csv_bytes([officer_row(1)]))
        )
    ImportJob.objects.filter(pk=job.pk).update(uploaded_by=None)
    before = counts()
    import_job_run.delay(job.id)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert counts() == before


def test_validation_reports_its_progress(roster):
    content = csv_bytes([officer_row(n) for n in range(1200)])
    seen = []
    importer = PersonnelImport(actor=roster.head, agency=roster.pnc)
    assert importer.validate(read_table(content, kind="csv"), progress=seen.append) == []
    assert seen == [500, 1000]


def test_a_row_that_conflicts_when_written_rolls_everything_back(roster, django_capture_on_commit_callbacks):
    """Someone registers one of the file's officers between validation and writing."""
    content = csv_bytes([officer_row(n) for n in range(3)])
    importer = PersonnelImport(actor=roster.head, agency=roster.pnc)
    assert importer.validate(read_table(content, kind="csv")) == []
    trainee_create(
        actor=None,
        agency=roster.pn,
        id_country=roster.gt,
        id_type=Trainee.IdType.NATIONAL_ID,
        id_number=gt_id(2),
        given_names="Ana",
        first_surname="Peña",
    )
    before = counts()
    with pytest.raises(import_jobs.RowError) as excinfo, transaction.atomic():
        importer.apply()
    assert excinfo.value.row == 4
    assert counts() == before


@pytest.mark.slow
def test_ten_thousand_rows_import_in_the_background_in_reasonable_time(roster, import_personnel):
    rows = [officer_row(n, email="") for n in range(10_000)]
    content = csv_bytes(rows)
    started = time.monotonic()
    job = import_personnel(actor=roster.head, agency=roster.pnc, content=content)
    elapsed = time.monotonic() - started
    assert job.status == ImportJob.Status.DONE, job.errors[:5]
    assert job.summary == {"created": 10_000, "updated": 0, "unchanged": 0}
    assert (job.total_rows, job.processed_rows) == (10_000, 10_000)
    assert roster.pnc.trainees.count() == 10_002
    print(f"\n10,000-row import: {elapsed:.1f} s")
    assert elapsed < 120  # generous: the point is that it finishes, not a benchmark

    started = time.monotonic()
    job = import_personnel(actor=roster.head, agency=roster.pnc, content=content)
    print(f"10,000-row re-import (no changes): {time.monotonic() - started:.1f} s")
    assert job.summary == {"created": 0, "updated": 0, "unchanged": 10_000}
