"""Fixtures for the import/export tests: two agencies set up through the real services, and
helpers that upload a file and run its job the way a request does (on commit)."""

import csv
import io
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from certification import services as registry
from certification.models import AgencyStaff, ImportJob, Trainee, TraineeEvent, VettingRecord
from certification.personnel_exchange import PERSONNEL_COLUMNS, personnel_import_start
from certification.roles import PROGRAM_ADMINISTRATORS, ensure_groups
from certification.services_personnel import trainee_create
from certification.vetting_exchange import vetting_import_start
from home.demo_registry import demo_country

PNC_UNITS = ("Unidad de Fronteras", "Aeropuerto Internacional", "División de Investigación Criminal")


def gt_id(n: int) -> str:
    """A distinct, well-formed Guatemalan DPI for every n (4-5-4 digits)."""
    return f"{3000 + n // 100000:04d} {n % 100000:05d} {1000 + n % 7:04d}"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    # Uploaded files go to a temporary folder, not the project's media/.
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def roster(db):
    """Guatemala's PNC (three units, a head, two officers) and Honduras' PN (one officer);
    a program administrator."""
    ensure_groups()
    w = SimpleNamespace()

    w.gt, w.hn = demo_country("GT"), demo_country("HN")
    w.pnc = registry.agency_upsert(
        country=w.gt,
        acronym="PNC",
        kind="police",
        name_es="Policía Nacional Civil",
        name_en="National Civil Police",
        time_zone="America/Guatemala",
    )
    w.pn = registry.agency_upsert(
        country=w.hn,
        acronym="PN",
        kind="police",
        name_es="Policía Nacional",
        name_en="National Police",
        time_zone="America/Tegucigalpa",
    )
    w.units = {name: registry.unit_upsert(agency=w.pnc, name=name) for name in PNC_UNITS}
    w.pn_unit = registry.unit_upsert(agency=w.pn, name="Puestos Fronterizos")
    w.head = registry.user_ensure(email="head.pnc@test.carsi", password="x-pass-123")
    registry.agency_staff_assign(user=w.head, agency=w.pnc, role=AgencyStaff.Role.HEAD)
    w.head_pn = registry.user_ensure(email="head.pn@test.carsi", password="x-pass-123")
    registry.agency_staff_assign(user=w.head_pn, agency=w.pn, role=AgencyStaff.Role.HEAD)
    w.admin = registry.user_ensure(email="admin@test.carsi", password="x-pass-123")
    w.admin.groups.add(ensure_groups()[PROGRAM_ADMINISTRATORS])
    w.perez = trainee_create(
        actor=None,
        agency=w.pnc,
        id_country=w.gt,
        id_type=Trainee.IdType.NATIONAL_ID,
        id_number="2547 81234 0101",
        given_names="María José",
        first_surname="Pérez",
        second_surname="Gómez",
        badge_number="PNC-10432",
        unit=w.units["Unidad de Fronteras"],
        sex="F",
    )
    w.lopez = trainee_create(
        actor=None,
        agency=w.pnc,
        id_country=w.gt,
        id_type=Trainee.IdType.NATIONAL_ID,
        id_number="2547 81234 0202",
        given_names="Juan Carlos",
        first_surname="López",
        badge_number="PNC-10433",
        unit=w.units["Aeropuerto Internacional"],
        sex="M",
    )
    w.honduran = trainee_create(
        actor=None,
        agency=w.pn,
        id_country=w.hn,
        id_type=Trainee.IdType.NATIONAL_ID,
        id_number="0801-1990-12345",
        given_names="José Ángel",
        first_surname="Núñez",
        badge_number="PN-2231",
        unit=w.pn_unit,
        sex="M",
    )
    return w


def officer_row(n: int, **overrides) -> dict:
    row = {
        "id_country": "GT",
        "id_type": "national_id",
        "id_number": gt_id(n),
        "badge_number": f"PNC-{20000 + n}",
        "given_names": "Karla",
        "first_surname": "Núñez",
        "second_surname": "Peña",
        "rank": "Agente",
        "unit": PNC_UNITS[n % 3],
        "sex": "F",
        "date_of_birth": "1990-04-12",
        "email": f"karla{n}@pnc.test",
        "phone": "+502 5555 1234",
    }
    row.update(overrides)
    return row


def csv_bytes(rows: list[dict], *, encoding="utf-8", delimiter=",", columns=PERSONNEL_COLUMNS) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(column, "") for column in columns])
    return out.getvalue().encode(encoding)


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def counts() -> tuple[int, int, int]:
    return Trainee.objects.count(), TraineeEvent.objects.count(), VettingRecord.objects.count()


@pytest.fixture
def import_personnel(django_capture_on_commit_callbacks):
    """Uploads a personnel file and runs its job as a request would: the task runs eagerly
    once the upload's transaction commits. Returns the job as it ended."""

    def run(*, actor, agency, content: bytes, name: str = "personnel.csv") -> ImportJob:
        with django_capture_on_commit_callbacks(execute=True):
            job = personnel_import_start(actor=actor, agency=agency, uploaded_file=upload(name, content))
        job.refresh_from_db()
        return job

    return run


@pytest.fixture
def import_vetting(django_capture_on_commit_callbacks):
    def run(*, actor, content: bytes, name: str = "vetting.csv") -> ImportJob:
        with django_capture_on_commit_callbacks(execute=True):
            job = vetting_import_start(actor=actor, uploaded_file=upload(name, content))
        job.refresh_from_db()
        return job

    return run
