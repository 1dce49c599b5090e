"""A real worker takes a task from Redis and writes to PostgreSQL."""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from certification.models import ImportJob, Trainee
from certification.personnel_exchange import personnel_import_start

pytestmark = pytest.mark.realstack

CSV = (
    "id_country,id_type,id_number,badge_number,given_names,first_surname,second_surname,unit\n"
    "GT,national_id,2891 40217 9101,PNC-9101,María Fernanda,Núñez,Peña,Unidad de Fronteras\n"
    "GT,national_id,3017 55821 9102,PNC-9102,José Ángel,O'Connor,,Unidad de Fronteras\n"
)


def wait_for(job_id: int, seconds: float = 60) -> ImportJob:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job = ImportJob.objects.get(pk=job_id)
        if job.is_finished:
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} still {job.status} after {seconds} s")


def test_an_import_runs_on_a_real_worker(celery_worker, world):
    job = personnel_import_start(
        actor=world.head_a, agency=world.agency_a, uploaded_file=SimpleUploadedFile("pnc.csv", CSV.encode())
    )
    job = wait_for(job.id)
    assert job.status == ImportJob.Status.DONE, job.errors
    assert job.summary["created"] == 2
    names = set(
        Trainee.objects.filter(badge_number__in=["PNC-9101", "PNC-9102"]).values_list(
            "first_surname", flat=True
        )
    )
    assert names == {"Núñez", "O'Connor"}
