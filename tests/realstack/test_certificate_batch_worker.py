"""A real worker builds an agency's certificate ZIP: the PDF is rendered by its own task, the
batch's progress is written by the worker and read here, the archive lands in shared media."""

import hashlib
import io
import time
import zipfile

import pytest

from certification import services as registry
from certification.models import Certificate, CertificateBatch
from certification.services_batches import batch_agency_zip_start
from certification.services_certificates import certificate_issue

pytestmark = pytest.mark.realstack


def wait_for(batch_id: int, seconds: float = 90) -> CertificateBatch:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        batch = CertificateBatch.objects.get(pk=batch_id)
        if batch.status in (CertificateBatch.Status.DONE, CertificateBatch.Status.FAILED):
            return batch
        time.sleep(0.2)
    raise AssertionError(f"batch {batch_id} still {batch.status} after {seconds} s")


def test_an_agency_zip_is_built_on_a_real_worker(celery_worker, world):
    credential = registry.credential_upsert(code="w", name_es="Trabajo", name_en="Work", validity_months=12)
    trainee = world.trainee_a
    certificate_issue(
        trainee=trainee,
        credential=credential,
        award_key="worker:zip",
        source=Certificate.Source.COURSE,
        evidence={"trainee_name": trainee.full_name},
    )
    batch = wait_for(batch_agency_zip_start(actor=world.head_a, agency=world.agency_a).pk)
    assert batch.status == CertificateBatch.Status.DONE, batch.error
    assert (batch.total, batch.done) == (1, 1)
    certificate = Certificate.objects.get(award_key="worker:zip")
    with batch.archive.open("rb") as handle:
        archive = zipfile.ZipFile(io.BytesIO(handle.read()))
    (pdf,) = [name for name in archive.namelist() if name.endswith(".pdf")]
    assert hashlib.sha256(archive.read(pdf)).hexdigest() == certificate.pdf_sha256
    assert "manifest.csv" in archive.namelist()
