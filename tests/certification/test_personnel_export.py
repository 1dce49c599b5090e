"""Personnel export: the import's format, safe to open in a spreadsheet, and an export
imports back without changing anything."""

import datetime
import io

import pytest
from django.utils import translation
from openpyxl import load_workbook

from certification.access import trainees_visible_to
from certification.models import ImportJob, Trainee, TraineeEvent
from certification.personnel_exchange import PERSONNEL_COLUMNS, personnel_export_rows
from certification.services_personnel import trainee_create
from certification.tabular import csv_stream, xlsx_file
from tests.certification.conftest import counts


def export_csv(queryset, **kwargs) -> bytes:
    return "".join(csv_stream(personnel_export_rows(queryset, **kwargs))).encode("utf-8")


def export_xlsx(queryset, **kwargs) -> bytes:
    with xlsx_file(personnel_export_rows(queryset, **kwargs), sheet_title="Personal") as out:
        return out.read()


@pytest.fixture
def tricky(roster):
    """An officer whose cells a spreadsheet would take for formulas."""
    return trainee_create(
        actor=None,
        agency=roster.pnc,
        id_country=roster.gt,
        id_type=Trainee.IdType.NATIONAL_ID,
        id_number="2547 81234 0303",
        given_names="@Iñaki",
        first_surname='=HYPERLINK("http://evil")',
        second_surname="-Castillo",
        rank="+Comisario",
        phone="+502 5555 1234",
        unit=roster.units["División de Investigación Criminal"],
        date_of_birth=datetime.date(1985, 6, 30),
    )


def test_export_rows_hold_the_import_columns(roster):
    with translation.override("en"):
        rows = list(personnel_export_rows(roster.pnc.trainees.all()))
    assert rows[0] == list(PERSONNEL_COLUMNS)
    assert rows[1:] == [
        [
            "GT",
            "national_id",
            "2547 81234 0202",
            "PNC-10433",
            "Juan Carlos",
            "López",
            "",
            "",
            "Aeropuerto Internacional",
            "M",
            None,
            "",
            "",
        ],
        [
            "GT",
            "national_id",
            "2547 81234 0101",
            "PNC-10432",
            "María José",
            "Pérez",
            "Gómez",
            "",
            "Unidad de Fronteras",
            "F",
            None,
            "",
            "",
        ],
    ]


def test_headers_follow_the_active_language(roster):
    with translation.override("es"):
        spanish = next(personnel_export_rows(Trainee.objects.none()))
    assert spanish[:3] == ["pais_documento", "tipo_documento", "numero_documento"]
    assert next(personnel_export_rows(Trainee.objects.none(), language="en"))[:3] == [
        "id_country",
        "id_type",
        "id_number",
    ]


def test_csv_is_utf8_with_bom_and_formulas_are_neutralised(roster, tricky):
    text = export_csv(Trainee.objects.filter(pk=tricky.pk), language="en").decode("utf-8")
    assert text.startswith("\ufeffid_country,")
    line = text.splitlines()[1]
    assert "'@Iñaki" in line
    assert '"\'=HYPERLINK(""http://evil"")"' in line
    assert "'-Castillo" in line and "'+Comisario" in line and "'+502 5555 1234" in line
    assert "1985-06-30" in line


def test_xlsx_has_date_cells_and_no_formulas(roster, tricky):
    workbook = load_workbook(io.BytesIO(export_xlsx(Trainee.objects.filter(pk=tricky.pk), language="en")))
    sheet = workbook.active
    header = [cell.value for cell in sheet[1]]
    row = dict(zip(header, list(sheet[2]), strict=True))
    assert row["date_of_birth"].value == datetime.datetime(1985, 6, 30)
    assert row["date_of_birth"].is_date
    assert row["first_surname"].data_type == "s"
    assert row["first_surname"].value == '\'=HYPERLINK("http://evil")'
    assert all(cell.data_type != "f" for cell in sheet[2])


def test_export_queries_do_not_grow_with_the_roster(roster, django_assert_max_num_queries):
    for n in range(30):
        trainee_create(
            actor=None,
            agency=roster.pnc,
            id_country=roster.gt,
            id_type=Trainee.IdType.NATIONAL_ID,
            id_number=f"1111 {n:05d} 0101",
            given_names="Ana",
            first_surname="Peña",
            unit=roster.units["Unidad de Fronteras"],
        )
    with django_assert_max_num_queries(2):
        rows = list(personnel_export_rows(roster.pnc.trainees.all()))
    assert len(rows) == 33


@pytest.mark.parametrize(("export", "name"), [(export_csv, "export.csv"), (export_xlsx, "export.xlsx")])
@pytest.mark.parametrize("language", ["es", "en"])
def test_export_then_import_changes_nothing(roster, tricky, import_personnel, export, name, language):
    content = export(trainees_visible_to(roster.head), language=language)
    before = counts()
    job = import_personnel(actor=roster.head, agency=roster.pnc, content=content, name=name)
    assert job.status == ImportJob.Status.DONE, job.errors
    assert job.summary == {"created": 0, "updated": 0, "unchanged": 3}
    assert counts() == before
    tricky.refresh_from_db()
    assert (tricky.first_surname, tricky.phone) == ('=HYPERLINK("http://evil")', "+502 5555 1234")


def test_changing_one_cell_updates_exactly_that_officer(roster, tricky, import_personnel):
    text = export_csv(roster.pnc.trainees.all(), language="en").decode("utf-8")
    assert text.count("PNC-10433") == 1
    changed = text.replace("PNC-10433,Juan Carlos", "PNC-10433,Juan Carlos Alberto")
    trainees, events, vetting = counts()
    job = import_personnel(actor=roster.head, agency=roster.pnc, content=changed.encode("utf-8"))
    assert job.summary == {"created": 0, "updated": 1, "unchanged": 2}
    assert counts() == (trainees, events + 1, vetting)
    event = TraineeEvent.objects.order_by("-id").first()
    assert (event.kind, event.trainee) == (TraineeEvent.Kind.UPDATED, roster.lopez)
    assert event.changes == {"given_names": ["Juan Carlos", "Juan Carlos Alberto"]}
