"""Personnel import: the whole file is validated first, every bad row is reported with the row
number the spreadsheet shows, and nothing is written unless every row is good."""

import datetime
import io
import os
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from openpyxl import Workbook

from certification.models import ImportJob, Trainee, TraineeEvent
from certification.personnel_exchange import personnel_import_start
from certification.tabular import MAX_IMPORT_BYTES
from tests.certification.conftest import counts, csv_bytes, gt_id, officer_row, upload

SAMPLES = Path(__file__).resolve().parents[2] / "certification" / "samples"
NAMES = [
    ("María José", "Núñez", "Peña"),
    ("Iñaki", "O'Connor", "Castillo-Ríos"),
    ("Ángel", "Quiñónez", "Ordóñez"),
]


def messages(job: ImportJob) -> list[tuple]:
    return [(error["row"], error["column"], error["message"]) for error in job.errors]


# --- The sample files --------------------------------------------------------------------------


def test_the_sample_file_imports_ten_officers(roster, import_personnel):
    job = import_personnel(
        actor=roster.head, agency=roster.pnc, content=(SAMPLES / "personnel_sample.csv").read_bytes()
    )
    assert job.status == ImportJob.Status.DONE, job.errors
    assert job.summary == {"created": 10, "updated": 0, "unchanged": 0}
    assert (job.total_rows, job.processed_rows) == (10, 10)
    assert Trainee.objects.filter(given_names="José Ángel", first_surname="O'Connor").exists()
    assert Trainee.objects.get(badge_number="PNC-20105").date_of_birth == datetime.date(1993, 2, 28)


def test_the_sample_file_with_an_error_imports_nothing(roster, import_personnel):
    before = counts()
    job = import_personnel(
        actor=roster.head,
        agency=roster.pnc,
        content=(SAMPLES / "personnel_sample_with_error.csv").read_bytes(),
    )
    assert job.status == ImportJob.Status.INVALID
    assert [(row, column) for row, column, _message in messages(job)] == [(5, "id_number")]
    assert "2245 7140 2201" in job.errors[0]["message"]
    assert counts() == before


# --- All or nothing ----------------------------------------------------------------------------


def test_nine_good_rows_and_one_bad_import_nothing(roster, import_personnel):
    before = counts()
    rows = [officer_row(n) for n in range(10)]
    rows[6]["id_number"] = "2547 8123 0101"  # a group too short: spreadsheet row 8
    job = import_personnel(actor=roster.head, agency=roster.pnc, content=csv_bytes(rows))
    assert job.status == ImportJob.Status.INVALID
    assert len(job.errors) == 1
    assert job.errors[0]["row"] == 8 and job.errors[0]["column"] == "id_number"
    assert "is not a valid DPI" in job.errors[0]["message"]
    assert job.summary == {}
    assert counts() == before


def test_every_bad_row_is_reported(roster, import_personnel):
    before = counts()
    rows = [officer_row(n) for n in range(12)]
    rows[0]["given_names"] = '=HYPERLINK("http://x")'  # row 2: a formula
    rows[1]["unit"] = "Unidad Inexistente"  # row 3
    rows[2]["date_of_birth"] = "31/02/1990"  # row 4: no such day
    rows[3]["date_of_birth"] = "ayer"  # row 5
    rows[4]["sex"] = "X"  # row 6
    rows[5]["email"] = "no-es-correo"  # row 7
    rows[6]["id_number"] = rows[7]["id_number"]  # rows 8 and 9 share an ID: row 9 is reported
    rows[9]["badge_number"] = rows[10]["badge_number"]  # rows 11 and 12 share a badge
    rows[11]["id_country"] = "XX"  # row 13
    rows[8]["first_surname"] = ""  # row 10
    job = import_personnel(actor=roster.head, agency=roster.pnc, content=csv_bytes(rows))
    assert job.status == ImportJob.Status.INVALID
    reported = {(row, column) for row, column, _message in messages(job)}
    assert reported == {
        (2, "given_names"),
        (3, "unit"),
        (4, "date_of_birth"),
        (5, "date_of_birth"),
        (6, "sex"),
        (7, "email"),
        (9, "id_number"),
        (10, "first_surname"),
        (12, "badge_number"),
        (13, "id_country"),
    }
    by_row = {row: message for row, _column, message in messages(job)}
    assert "formula" in by_row[2]
    assert "Unidad Inexistente" in by_row[3] and "Unidad de Fronteras" in by_row[3]
    assert "row 8" in by_row[9]
    assert "row 11" in by_row[12]
    assert counts() == before


# --- Files that cannot be read: a clear message, nothing saved ---------------------------------


def _assert_refused(roster, uploaded, expected: str):
    before, jobs = counts(), ImportJob.objects.count()
    with pytest.raises(ValidationError) as excinfo:
        personnel_import_start(actor=roster.head, agency=roster.pnc, uploaded_file=uploaded)
    assert any(expected in message for message in excinfo.value.messages), excinfo.value.messages
    assert counts() == before
    assert ImportJob.objects.count() == jobs


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("personnel.csv", b"", "The file is empty"),
        ("personnel.csv", csv_bytes([officer_row(1)], encoding="utf-16"), "UTF-16"),
        ("personnel.csv", csv_bytes([officer_row(1)], encoding="utf-16-le"), "UTF-16"),
        ("personnel.csv", csv_bytes([officer_row(1)]) + b"\x81\x8d\x9d", "encoding is not recognised"),
        ("personnel.csv", b"id_country,id_number\nGT,\x01\x02\x03\n", "not text"),
        ("personnel.csv", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "not a text (CSV) file"),
        ("personnel.csv", b"PK\x03\x04" + b"\x00" * 200, "Excel workbook renamed"),
        ("personnel.xlsx", csv_bytes([officer_row(1)]), "not an Excel workbook"),
        ("personnel.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "CSV or Excel"),
        ("personnel.txt", csv_bytes([officer_row(1)]), "CSV or Excel"),
        ("personnel", csv_bytes([officer_row(1)]), "CSV or Excel"),
    ],
    ids=[
        "empty",
        "utf16-bom",
        "utf16-no-bom",
        "invalid-bytes",
        "control-characters",
        "png-renamed",
        "xlsx-renamed-csv",
        "csv-renamed-xlsx",
        "old-xls",
        "txt",
        "no-extension",
    ],
)
def test_unreadable_files_are_refused_with_a_clear_message(roster, name, content, expected):
    _assert_refused(roster, upload(name, content), expected)


def test_a_50_mb_file_is_refused_before_it_is_read(roster, tmp_path):
    path = tmp_path / "big.csv"
    with path.open("wb") as out:
        out.write(csv_bytes([officer_row(1)]))
        line = b"GT,national_id,2547 81234 0101,PNC-1,Ana,Pena,,,,,,,\n"
        for _ in range(50 * 1024 * 1024 // len(line) + 1):
            out.write(line)
    assert path.stat().st_size > 50 * 1024 * 1024 > MAX_IMPORT_BYTES
    with path.open("rb") as handle:
        uploaded = UploadedFile(file=handle, name="big.csv", size=os.path.getsize(path))
        _assert_refused(roster, uploaded, "too large")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        # No header: the first row holds data, so the required columns are missing.
        (b"GT,national_id,2547 81234 0909,PNC-1,Ana,Pe\xc3\xb1a\n", "Required columns are missing"),
        # A header without the surname column.
        (b"id_country,id_number,given_names\nGT,2547 81234 0909,Ana\n", "first_surname"),
        # Only blank lines.
        (b"\n\n ,\n", "no rows"),
        # The same column twice.
        (
            b"id_country,id_number,given_names,first_surname,nombres\nGT,2547 81234 0909,Ana,Pe,Ana\n",
            "appears twice",
        ),
    ],
    ids=["no-header", "missing-column", "blank-lines", "repeated-column"],
)
def test_a_bad_header_is_reported_on_row_one_and_nothing_changes(roster, import_personnel, content, expected):
    before = counts()
    job = import_personnel(actor=roster.head, agency=roster.pnc, content=content)
    assert job.status == ImportJob.Status.INVALID
    assert any(expected in error["message"] for error in job.errors), job.errors
    assert all(error["row"] in (1, None) for error in job.errors)
    assert counts() == before


def test_formulas_are_refused_but_phone_numbers_and_dashes_pass(roster, import_personnel):
    before = counts()
    rows = [
        officer_row(1, rank="@SUM(A1)"),
        officer_row(2, rank="+cmd|' /C calc'!A0"),
        officer_row(3, rank="-2+3"),
        officer_row(4, second_surname="=1+1"),
    ]
    job = import_personnel(actor=roster.head, agency=roster.pnc, content=csv_bytes(rows))
    assert job.status == ImportJob.Status.INVALID
    assert {(row, column) for row, column, _m in messages(job)} == {
        (2, "rank"),
        (3, "rank"),
        (4, "rank"),
        (5, "second_surname"),
    }
    assert counts() == before

    fine = [officer_row(5, phone="+502 5555 1234"), officer_row(6, phone="-", rank="- Agente")]
    job = import_personnel(actor=roster.head, agency=roster.pnc, content=csv_bytes(fine))
    assert job.status == ImportJob.Status.DONE, job.errors
    assert Trainee.objects.get(id_number=gt_id(5)).phone == "+502 5555 1234"


# --- Encodings, delimiters, headers, XLSX ------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
@pytest.mark.parametrize("delimiter", [",", ";"])
def test_names_survive_every_encoding_and_delimiter(roster, import_personnel, encoding, delimiter):
    rows = [
        officer_row(n, given_names=given, first_surname=first, second_surname=second)
        for n, (given, first, second) in enumerate(NAMES)
    ]
    content = csv_bytes(rows, encoding=encoding, delimiter=delimiter)
    job = import_personnel(actor=roster.head, agency=roster.pnc, content=content)
    assert job.status == ImportJob.Status.DONE, job.errors
    stored = set(
        Trainee.objects.filter(id_number__in=[gt_id(n) for n in range(3)]).values_list(
            "given_names", "first_surname", "second_surname"
        )
    )
    assert stored == set(NAMES)


def test_spanish_headers_with_accents_case_and_spaces_are_accepted(roster, import_personnel):
    content = (
        "País documento;Tipo de documento;NÚMERO DOCUMENTO;Placa;Nombres;Primer apellido;"
        "Segundo Apellido;Grado;Unidad;Sexo;Fecha nacimiento;Correo;Teléfono\n"
        "GT;DPI;2547-81234-0909;PNC-777;Rocío;Peña;Núñez;Agente;unidad de fronteras;femenino;"
        "05/11/1992;rocio@pnc.test;+502 4444 1111\n"
        "Guatemala;pasaporte;a1234567;;Iván;De León;;;;M;;;\n"
    ).encode("cp1252")
    job = import_personnel(actor=roster.head, agency=roster.pnc, content=content)
    assert job.status == ImportJob.Status.DONE, job.errors
    rocio = Trainee.objects.get(id_number="2547 81234 0909")  # stored in the canonical form
    assert (rocio.given_names, rocio.unit, rocio.sex) == ("Rocío", roster.units["Unidad de Fronteras"], "F")
    assert rocio.date_of_birth == datetime.date(1992, 11, 5)
    ivan = Trainee.objects.get(id_number="A1234567")
    assert (ivan.id_type, ivan.first_surname, ivan.unit) == (Trainee.IdType.PASSPORT, "De León", None)


def test_xlsx_with_date_and_number_cells_imports(roster, import_personnel):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["id_country", "id_number", "badge_number", "given_names", "first_surname", "date_of_birth"])
    sheet.append(["GT", "2547 81234 0909", 4411, "Ángela", "Castillo-Ríos", datetime.datetime(1990, 1, 31)])
    sheet.append([])  # a blank row keeps the numbering: the next one is row 4
    sheet.append(["GT", "2547 81234 0910", 4412.0, "Noé", "O'Neill", "31/12/1989"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    job = import_personnel(
        actor=roster.head, agency=roster.pnc, content=buffer.getvalue(), name="roster.xlsx"
    )
    assert job.status == ImportJob.Status.DONE, job.errors
    angela = Trainee.objects.get(id_number="2547 81234 0909")
    assert (angela.badge_number, angela.date_of_birth) == ("4411", datetime.date(1990, 1, 31))
    assert Trainee.objects.get(badge_number="4412").date_of_birth == datetime.date(1989, 12, 31)

    sheet.append(["GT", "bad", 4413, "Ana", "Peña", None])  # row 5
    sheet["D2"] = '=UPPER("x")'  # a real formula cell
    buffer = io.BytesIO()
    workbook.save(buffer)
    before = counts()
    job = import_personnel(
        actor=roster.head, agency=roster.pnc, content=buffer.getvalue(), name="roster.xlsx"
    )
    assert job.status == ImportJob.Status.INVALID
    assert {(row, column) for row, column, _m in messages(job)} == {(2, "given_names"), (5, "id_number")}
    assert counts() == before


# --- Matching existing officers ----------------------------------------------------------------


def test_reimporting_the_same_file_changes_nothing(roster, import_personnel):
    content = csv_bytes([officer_row(n) for n in range(5)])
    assert import_personnel(actor=roster.head, agency=roster.pnc, content=content).status == "done"
    before = counts()
    job = import_personnel(actor=roster.head, agency=roster.pnc, content=content)
    assert job.summary == {"created": 0, "updated": 0, "unchanged": 5}
    assert counts() == before


def test_a_corrected_file_updates_the_matching_officers(roster, import_personnel):
    rows = [officer_row(n) for n in range(5)]
    import_personnel(actor=roster.head, agency=roster.pnc, content=csv_bytes(rows))
    rows[2]["rank"] = "Inspector"
    rows[2]["unit"] = (
        "Aeropuerto Internacional" if rows[2]["unit"] != "Aeropuerto Internacional" else "Unidad de Fronteras"
    )
    rows[4]["badge_number"] = "PNC-99999"
    events = TraineeEvent.objects.count()
    job = import_personnel(actor=roster.head, agency=roster.pnc, content=csv_bytes(rows), name="fixed.csv")
    assert job.summary == {"created": 0, "updated": 2, "unchanged": 3}
    updated = TraineeEvent.objects.filter(kind=TraineeEvent.Kind.UPDATED).order_by("id")
    assert TraineeEvent.objects.count() == events + 2
    assert {event.trainee.id_number for event in updated} == {gt_id(2), gt_id(4)}
    change = updated.get(trainee__id_number=gt_id(2))
    assert set(change.changes) == {"rank", "unit"} and change.actor == roster.head
    assert "fixed.csv" in change.reason
    assert Trainee.objects.get(id_number=gt_id(4)).badge_number == "PNC-99999"


def test_officers_are_matched_by_national_id_and_only_the_columns_given_change(roster, import_personnel):
    content = (
        "id_country,id_number,given_names,first_surname,rank\n"
        "GT,2547 81234 0101,María José,Pérez,Inspectora\n"  # roster.perez, written without its unit column
    ).encode()
    job = import_personnel(actor=roster.head, agency=roster.pnc, content=content)
    assert job.summary == {"created": 0, "updated": 1, "unchanged": 0}
    roster.perez.refresh_from_db()
    assert roster.perez.rank == "Inspectora"
    assert roster.perez.unit == roster.units["Unidad de Fronteras"]  # untouched
    assert roster.perez.badge_number == "PNC-10432"


def test_a_badge_of_another_officer_of_the_agency_is_an_error(roster, import_personnel):
    before = counts()
    rows = [officer_row(1), officer_row(2, badge_number=roster.lopez.badge_number)]
    job = import_personnel(actor=roster.head, agency=roster.pnc, content=csv_bytes(rows))
    assert job.status == ImportJob.Status.INVALID
    assert messages(job) == [
        (
            3,
            "badge_number",
            f"The badge number {roster.lopez.badge_number} belongs to another officer of this agency.",
        )
    ]
    assert counts() == before


# --- Scope ------------------------------------------------------------------------------------


def test_an_agency_head_cannot_import_into_another_agency(roster):
    before, jobs = counts(), ImportJob.objects.count()
    with pytest.raises(PermissionDenied):
        personnel_import_start(
            actor=roster.head_pn,
            agency=roster.pnc,
            uploaded_file=upload("p.csv", csv_bytes([officer_row(1)])),
        )
    assert (counts(), ImportJob.objects.count()) == (before, jobs)


def test_an_administrator_imports_into_any_agency(roster, import_personnel):
    job = import_personnel(actor=roster.admin, agency=roster.pnc, content=csv_bytes([officer_row(1)]))
    assert job.status == ImportJob.Status.DONE
    assert Trainee.objects.get(id_number=gt_id(1)).agency == roster.pnc


def test_an_officer_of_another_agency_is_not_touched_nor_revealed(roster, import_personnel):
    before = counts()
    rows = [
        officer_row(1),
        officer_row(
            2,
            id_country="HN",
            id_number=roster.honduran.id_number,
            given_names="Otro",
            unit="",
            badge_number="PNC-5",
        ),
    ]
    job = import_personnel(actor=roster.head, agency=roster.pnc, content=csv_bytes(rows))
    assert job.status == ImportJob.Status.INVALID
    [(row, column, message)] = messages(job)
    assert (row, column) == (3, "id_number")
    assert "another agency" in message
    for secret in ("PN", "Policía Nacional", "National Police", "Honduras", roster.honduran.first_surname):
        assert secret not in message.replace("PNC", "")
    roster.honduran.refresh_from_db()
    assert (roster.honduran.agency, roster.honduran.given_names) == (roster.pn, "José Ángel")
    assert counts() == before
