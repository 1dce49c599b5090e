"""Vetting exchange with the embassy: the pending officers go out, the decisions come back,
validated whole and recorded all or nothing. Program administrators only."""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation
from openpyxl import load_workbook

from certification.models import ImportJob, VettingRecord
from certification.selectors import vetting_current
from certification.services_vetting import default_valid_until, vetting_record_add
from certification.tabular import csv_stream, xlsx_file
from certification.vetting_exchange import (
    AWAITING_COLUMNS,
    RESULT_COLUMNS,
    vetting_awaiting,
    vetting_awaiting_rows,
    vetting_import_start,
)
from tests.certification.conftest import counts, csv_bytes, upload

TODAY = timezone.localdate()
DECIDED = TODAY - datetime.timedelta(days=3)


@pytest.fixture
def pending(roster):
    """Pérez and the Honduran officer await a decision; López was approved already."""
    vetting_record_add(actor=None, trainee=roster.perez, status="pending", case_reference="GT-2026-00001")
    vetting_record_add(actor=None, trainee=roster.honduran, status="pending", case_reference="HN-2026-00007")
    vetting_record_add(
        actor=None,
        trainee=roster.lopez,
        status="approved",
        decided_on=DECIDED,
        case_reference="GT-2026-00002",
    )
    return roster


def result(trainee, **values) -> dict:
    row = {
        "id_country": trainee.id_country.code,
        "id_type": trainee.id_type,
        "id_number": trainee.id_number,
        "status": "approved",
        "decided_on": DECIDED.isoformat(),
        "valid_until": "",
        "case_reference": "CASE-1",
        "notes": "",
    }
    row.update(values)
    return row


def results_csv(rows) -> bytes:
    return csv_bytes(rows, columns=RESULT_COLUMNS)


# --- Export ---------------------------------------------------------------------------------


def test_only_program_administrators_exchange_vetting_files(pending):
    before, jobs = counts(), ImportJob.objects.count()
    for actor in (pending.head, pending.head_pn):
        with pytest.raises(PermissionDenied):
            vetting_awaiting(actor=actor)
        with pytest.raises(PermissionDenied):
            vetting_import_start(
                actor=actor, uploaded_file=upload("v.csv", results_csv([result(pending.perez)]))
            )
    assert (counts(), ImportJob.objects.count()) == (before, jobs)


def test_the_awaiting_export_lists_the_pending_officers_with_what_a_submission_needs(pending):
    with translation.override("en"):
        rows = list(vetting_awaiting_rows(vetting_awaiting(actor=pending.admin)))
    header, *body = rows
    assert header == list(AWAITING_COLUMNS)
    by_id = {row[2]: dict(zip(header, row, strict=True)) for row in body}
    assert set(by_id) == {pending.perez.id_number, pending.honduran.id_number}  # not López (approved)
    perez = by_id[pending.perez.id_number]
    assert perez == {
        "id_country": "GT",
        "id_type": "national_id",
        "id_number": "2547 81234 0101",
        "given_names": "María José",
        "first_surname": "Pérez",
        "second_surname": "Gómez",
        "sex": "F",
        "date_of_birth": None,
        "agency": "National Civil Police (PNC, GT)",
        "unit": "Unidad de Fronteras",
        "rank": "",
        "badge_number": "PNC-10432",
        "case_reference": "GT-2026-00001",
        "status": "pending",
        "decided_on": None,
        "valid_until": None,
        "notes": "",
    }


def test_the_awaiting_export_as_xlsx(pending):
    with xlsx_file(
        vetting_awaiting_rows(vetting_awaiting(actor=pending.admin), language="es"), sheet_title="x"
    ) as f:
        sheet = load_workbook(io.BytesIO(f.read())).active
    values = list(sheet.values)
    assert values[0][:3] == ("pais_documento", "tipo_documento", "numero_documento")
    assert len(values) == 3


# --- Import ---------------------------------------------------------------------------------


def test_results_are_recorded_and_reimporting_changes_nothing(pending, import_vetting):
    rows = [
        result(pending.perez, case_reference="GT-2026-00001"),
        result(
            pending.honduran,
            status="Denegado",
            decided_on=DECIDED.strftime("%d/%m/%Y"),
            case_reference="HN-2026-00007",
            notes="Informe de la embajada",
        ),
    ]
    trainees, events, records = counts()
    job = import_vetting(actor=pending.admin, content=results_csv(rows))
    assert job.status == ImportJob.Status.DONE, job.errors
    assert job.summary == {"created": 2, "updated": 0, "unchanged": 0}
    assert counts() == (trainees, events, records + 2)
    approved = vetting_current(trainee=pending.perez)
    assert (approved.status, approved.decided_on, approved.valid_until) == (
        "approved",
        DECIDED,
        default_valid_until(DECIDED),
    )
    assert approved.recorded_by == pending.admin
    denied = vetting_current(trainee=pending.honduran)
    assert (denied.status, denied.notes, denied.valid_until) == ("denied", "Informe de la embajada", None)

    job = import_vetting(actor=pending.admin, content=results_csv(rows))
    assert job.summary == {"created": 0, "updated": 0, "unchanged": 2}
    assert counts() == (trainees, events, records + 2)


def test_the_awaiting_sheet_filled_in_is_the_results_file(pending, import_vetting):
    rows = list(vetting_awaiting_rows(vetting_awaiting(actor=pending.admin), language="es"))
    header = rows[0]
    status, decided = header.index("estado"), header.index("fecha_decision")
    for row in rows[1:]:
        row[status], row[decided] = "aprobado", DECIDED
    with xlsx_file(rows, sheet_title="Vetting") as f:
        content = f.read()
    job = import_vetting(actor=pending.admin, content=content, name="results.xlsx")
    assert job.status == ImportJob.Status.DONE, job.errors
    assert job.summary == {"created": 2, "updated": 0, "unchanged": 0}
    assert vetting_current(trainee=pending.honduran).case_reference == "HN-2026-00007"

    # Sent back untouched (still pending, same case): nothing new is recorded.
    untouched = "".join(csv_stream(vetting_awaiting_rows(vetting_awaiting(actor=pending.admin)))).encode()
    job = import_vetting(actor=pending.admin, content=untouched)
    assert job.status == ImportJob.Status.DONE and job.summary["created"] == 0


def test_one_bad_row_records_nothing_and_every_bad_row_is_reported(pending, import_vetting):
    before = counts()
    rows = [
        result(pending.perez),  # row 2 good
        result(pending.honduran, status="quizás"),  # row 3
        result(pending.lopez, decided_on=(TODAY + datetime.timedelta(days=2)).isoformat()),  # row 4
        result(pending.lopez, id_number="2547 81234 9999"),  # row 5: nobody has this ID
        result(pending.perez, status="denied"),  # row 6: Pérez again
        result(pending.lopez, status="suspended", decided_on=""),  # row 7
        result(pending.lopez, valid_until=(DECIDED - datetime.timedelta(days=1)).isoformat()),  # row 8
        result(pending.lopez, notes="=cmd|'/C calc'!A0"),  # row 9
    ]
    job = import_vetting(actor=pending.admin, content=results_csv(rows))
    assert job.status == ImportJob.Status.INVALID
    assert {(error["row"], error["column"]) for error in job.errors} == {
        (3, "status"),
        (4, "decided_on"),
        (5, "id_number"),
        (6, "id_number"),
        (7, "decided_on"),
        (8, "valid_until"),
        (9, "notes"),
    }
    assert counts() == before


def test_results_without_a_required_column_are_refused(pending, import_vetting):
    before = counts()
    content = b"id_country,id_number,status\nGT,2547 81234 0101,approved\n"
    job = import_vetting(actor=pending.admin, content=content)
    assert job.status == ImportJob.Status.INVALID
    assert job.errors[0]["row"] == 1 and "decided_on" in job.errors[0]["message"]
    assert counts() == before


def test_vetting_files_are_checked_like_personnel_files(pending):
    before = counts()
    with pytest.raises(ValidationError) as excinfo:
        vetting_import_start(actor=pending.admin, uploaded_file=upload("v.csv", b""))
    assert "empty" in str(excinfo.value)
    assert counts() == before
    assert not VettingRecord.objects.filter(recorded_by=pending.admin).exists()
