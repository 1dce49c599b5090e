"""Roster exports: the CSV (streamed a chunk at a time, flat memory, in the reader's language),
the XLSX (the same rows), the printable PDF report (agency, date, filters, a capped table);
formula cells neutralised; one audit entry per export; bad filters ignored with a message; and
who may export (another agency's staff, officers and instructors get 404)."""

import csv
import datetime
import io
import tracemalloc

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.urls import reverse
from django.utils import formats, translation
from openpyxl import load_workbook
from pypdf import PdfReader

from certification import services as registry
from certification import views_roster_export
from certification.models import AuditEntry, Trainee
from certification.selectors_roster import STATUS_LABELS
from certification.services_audit import requirement_add
from tests.certification.test_roster import DAY, certificate

pytestmark = pytest.mark.django_db


@pytest.fixture
def docs(world):
    return registry.credential_upsert(
        code="docs", name_es="Documentos", name_en="Documents", validity_months=24
    )


@pytest.fixture
def vehicles(world):
    return registry.credential_upsert(code="veh", name_es="Vehículos", name_en="Vehicles", validity_months=12)


@pytest.fixture
def today(world):
    from certification.selectors import agency_today

    return agency_today(agency=world.agency_a)


@pytest.fixture
def roster(world, docs, vehicles, today):
    """María José holds docs (expiring) and vehicles (expired); Óscar holds nothing; docs is
    required of every officer."""
    requirement_add(actor=world.admin, agency=world.agency_a, credential=docs)
    certificate(world.trainee_a, docs, expires_on=today + 30 * DAY)
    certificate(world.trainee_a, vehicles, expires_on=today - 5 * DAY)
    return world


def exports():
    """The audit trail's export entries (other actions write their own)."""
    return AuditEntry.objects.filter(action=AuditEntry.Action.ROSTER_EXPORT)


def export_url(world, fmt, *, language="es", agency=None, **params):
    with translation.override(language):
        base = reverse("registry:roster_export", args=[(agency or world.agency_a).pk, fmt])
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"{base}?{query}" if query else base


def body_of(response) -> str:
    assert response.streaming
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")  # Excel reads the accents as UTF-8
    return body[1:]


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body_of(response))))


def xlsx_rows(response) -> list[list[str]]:
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = []
    for values in workbook.worksheets[0].iter_rows(values_only=True):
        rows.append(
            [
                "" if v is None else v.date().isoformat() if isinstance(v, datetime.datetime) else str(v)
                for v in values
            ]
        )
    workbook.close()
    return rows


def pdf_text(response) -> str:
    reader = PdfReader(io.BytesIO(b"".join(response.streaming_content)))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def bulk_officers(world, count, *, start=1000):
    """Officers with one certificate each, inserted in bulk (the export reads them, whatever
    wrote them)."""
    return Trainee.objects.bulk_create(
        Trainee(
            agency=world.agency_a,
            unit=world.unit_a,
            id_country=world.gt,
            id_number=f"8{n:08d}",
            given_names=f"Agente{n}",
            first_surname=f"Apellido{n:05d}",
            badge_number=f"B-{n}",
            rank="Agente",
        )
        for n in range(start, start + count)
    )


# --- the CSV -----------------------------------------------------------------------------------


def test_the_csv_in_english(client, roster, docs, today):
    client.force_login(roster.head_a)
    response = client.get(export_url(roster, "csv", language="en"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    disposition = response["Content-Disposition"]
    assert disposition == f'attachment; filename="roster-gt-pnc-{today.isoformat()}.csv"'
    header, *rows = csv_rows(response)
    assert header == [
        "Officer",
        "ID number",
        "Badge",
        "Rank",
        "Unit",
        "Documents: status",
        "Documents: expires on",
        "Vehicles: status",
        "Vehicles: expires on",
        "Required credentials missing",
    ]
    assert rows == [
        [
            "Núñez Peña, María José",
            "2547 81234 0101",
            "PNC-1",
            "",
            "Unidad de Fronteras",
            "Expiring within 90 days",
            (today + 30 * DAY).isoformat(),
            "Expired",
            (today - 5 * DAY).isoformat(),
            "0",
        ],
        [
            "O'Connor, Óscar",
            "1234 56789 0123",
            "PNC-2",
            "",
            "Unidad de Fronteras",
            "None",
            "",
            "None",
            "",
            "1",
        ],
    ]
    assert roster.trainee_b.first_surname not in body_of(client.get(export_url(roster, "csv")))


def test_the_csv_in_spanish_whatever_language_is_active_while_it_streams(client, roster, docs, today):
    certificate(roster.trainee_a2, docs, expires_on=None)
    client.force_login(roster.head_a)
    response = client.get(export_url(roster, "csv", language="es"))
    with translation.override("en"):  # the rows are written after the view returned
        header, first, second = csv_rows(response)
    assert header[5].startswith("Documentos") and header[7].startswith("Vehículos")
    with translation.override("es"):
        labels = {status: str(label) for status, label in STATUS_LABELS.items()}
    assert labels["valid"] == "Vigente"
    assert first == [
        "Núñez Peña, María José",
        "2547 81234 0101",
        "PNC-1",
        "",
        "Unidad de Fronteras",
        labels["expiring"],
        (today + 30 * DAY).isoformat(),
        labels["expired"],
        (today - 5 * DAY).isoformat(),
        "0",
    ]
    assert second[5:] == ["Vigente", "", labels["none"], "", "0"]


def test_the_filters_of_the_page_apply(client, roster, docs, today):
    client.force_login(roster.coordinator_a)
    rows = csv_rows(client.get(export_url(roster, "csv", language="en", status="expiring")))
    assert [row[0] for row in rows[1:]] == ["Núñez Peña, María José"]
    rows = csv_rows(client.get(export_url(roster, "csv", language="en", q="connor", sort="-name")))
    assert [row[0] for row in rows[1:]] == ["O'Connor, Óscar"]
    rows = csv_rows(client.get(export_url(roster, "csv", language="en", sort="-name")))
    assert [row[0] for row in rows[1:]] == ["O'Connor, Óscar", "Núñez Peña, María José"]


def test_an_agency_without_officers_exports_a_header(client, world):
    client.force_login(world.head_b)
    response = client.get(export_url(world, "csv", language="en", agency=world.agency_b))
    header, *rows = csv_rows(response)
    assert header[0] == "Officer" and [r[0] for r in rows] == ["Castillo-Ríos, José Ángel"]
    Trainee.objects.filter(agency=world.agency_b).update(status=Trainee.Status.SEPARATED)
    assert csv_rows(client.get(export_url(world, "csv", language="en", agency=world.agency_b)))[1:] == []


FORMULAS = ['=HYPERLINK("http://evil.example","x")', "+1", "-2", "@SUM(A1:A9)"]


@pytest.fixture
def formulas(world, docs):
    evil_unit = registry.unit_upsert(agency=world.agency_a, name="@SUM(A1:A9)")
    Trainee.objects.create(
        agency=world.agency_a,
        unit=evil_unit,
        id_country=world.gt,
        id_number="-2",
        given_names="x",
        first_surname='=HYPERLINK("http://evil.example","x")',
        badge_number="@SUM(1)",
        rank="+1",
    )
    return world


def test_formula_cells_are_neutralised_in_the_csv_and_the_xlsx(client, formulas):
    client.force_login(formulas.head_a)
    for rows in (
        csv_rows(client.get(export_url(formulas, "csv"))),
        xlsx_rows(client.get(export_url(formulas, "xlsx"))),
    ):
        (row,) = [row for row in rows if row[2] == "'@SUM(1)"]
        assert row[:5] == [
            '\'=HYPERLINK("http://evil.example","x"), x',
            "'-2",
            "'@SUM(1)",
            "'+1",
            "'@SUM(A1:A9)",
        ]
        for cell in (c for r in rows for c in r):
            assert not cell.startswith(("=", "+", "-", "@")), cell


def test_the_csv_is_streamed_and_reads_the_rows_only_while_it_is_written(client, roster):
    client.force_login(roster.head_a)
    consume(client.get(export_url(roster, "csv")))  # the login's first request stores its language
    with SQLLog() as in_the_view:
        response = client.get(export_url(roster, "csv"))
    assert response.streaming and not hasattr(response, "content")
    cells = '"certification_certificate"."trainee_id" IN ('  # the query of a chunk's cells
    assert not any(cells in sql for sql in in_the_view)
    with SQLLog() as while_written:
        rows = csv_rows(response)
    assert len(rows) == 3
    # The officers' cells are read as the response is written, not before.
    assert any(cells in sql for sql in while_written)


class SQLLog(list):
    """The SQL run inside the block (whatever resets Django's query log between requests)."""

    def __enter__(self):
        self._wrapper = connection.execute_wrapper(self._record)
        self._wrapper.__enter__()
        return self

    def __exit__(self, *exc):
        self._wrapper.__exit__(*exc)

    def _record(self, execute, sql, params, many, context):
        self.append(sql)
        return execute(sql, params, many, context)


def consume(response) -> int:
    """Writes the response away as a server would: nothing kept."""
    return sum(len(part) for part in response.streaming_content)


def test_the_csv_reads_a_chunk_at_a_time_queries_and_memory_stay_flat(client, world, docs, monkeypatch):
    monkeypatch.setattr(views_roster_export, "EXPORT_CHUNK", 50)
    client.force_login(world.head_a)
    consume(client.get(export_url(world, "csv")))  # the login's first request stores its language

    def measure():
        response = client.get(export_url(world, "csv"))
        with SQLLog() as queries:  # those that read the rows
            consume(response)
        # Apart: capturing queries keeps their SQL, which grows with the chunks.
        response = client.get(export_url(world, "csv"))
        tracemalloc.start()
        try:
            size = consume(response)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        return len(queries), peak, size

    officers = bulk_officers(world, 198)  # with the world's two: 200, four chunks
    certificate(officers[0], docs, expires_on=None)
    small_queries, small_peak, small_size = measure()
    bulk_officers(world, 200, start=5000)  # 400: eight chunks
    per_chunk = (measure()[0] - small_queries) / 4
    assert per_chunk == int(per_chunk) and 1 <= per_chunk <= 5
    bulk_officers(world, 1600, start=10000)  # 2,000: forty chunks
    big_queries, big_peak, big_size = measure()
    assert big_queries == small_queries + 36 * per_chunk  # grows by chunk only, never by officer
    assert big_size > 9 * small_size
    # Ten times the officers, about the same peak: one chunk is held at a time, never the rows.
    assert big_peak < 1.5 * small_peak, (small_peak, big_peak)


# --- the XLSX -------------------------------------------------------------------------------------


def test_the_xlsx_has_the_same_rows_as_the_csv(client, roster, today):
    client.force_login(roster.head_a)
    response = client.get(export_url(roster, "xlsx", language="en"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert f'filename="roster-gt-pnc-{today.isoformat()}.xlsx"' in response["Content-Disposition"]
    assert xlsx_rows(response) == csv_rows(client.get(export_url(roster, "csv", language="en")))


def test_the_xlsx_writes_dates_as_dates(client, roster, today):
    client.force_login(roster.head_a)
    response = client.get(export_url(roster, "xlsx", language="en"))
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    sheet = workbook.worksheets[0]
    assert sheet.title == "PNC"
    rows = list(sheet.iter_rows(values_only=True))
    workbook.close()
    assert rows[1][6] == datetime.datetime.combine(today + 30 * DAY, datetime.time())


# --- the PDF ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "language, agency_name", [("es", "Policía Nacional Civil"), ("en", "National Civil Police")]
)
def test_the_pdf_report_names_the_agency_the_date_and_the_filters(
    client, roster, today, language, agency_name
):
    client.force_login(roster.head_a)
    response = client.get(
        export_url(roster, "pdf", language=language, unit=roster.unit_a.pk, status="expiring")
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline;")
    text = pdf_text(response)
    with translation.override(language):
        day = formats.date_format(today, "DATE_FORMAT")
        country = roster.agency_a.country.name
        expiring = str(STATUS_LABELS["expiring"])
    assert agency_name in text and country in text and day in text
    assert "Unidad de Fronteras" in text and expiring in text  # the filters applied
    assert "Núñez Peña, María José" in text and "O'Connor" not in text  # the filtered table
    if language == "en":
        assert "Filters applied Unit: Unidad de Fronteras Status: Expiring within 90 days" in text
        assert "1 officer matches these filters." in text


def test_the_pdf_prints_the_first_rows_and_says_the_csv_has_them_all(client, roster, monkeypatch):
    monkeypatch.setattr(views_roster_export, "REPORT_MAX_ROWS", 1)
    client.force_login(roster.head_a)
    text = pdf_text(client.get(export_url(roster, "pdf", language="en")))
    assert "This report prints the first 1 of 2 officers." in text
    assert "Núñez Peña, María José" in text and "O'Connor" not in text
    entry = exports().get()
    assert entry.details["rows"] == 2 and entry.details["rows_printed"] == 1
    monkeypatch.setattr(views_roster_export, "REPORT_MAX_ROWS", 2)
    text = pdf_text(client.get(export_url(roster, "pdf", language="en")))
    assert "This report prints" not in text and "O'Connor" in text


# --- the audit trail ----------------------------------------------------------------------------------


def test_every_export_is_recorded_who_what_when(client, roster, docs, today):
    client.force_login(roster.coordinator_a)
    for fmt in ("csv", "xlsx", "pdf"):
        response = client.get(export_url(roster, fmt, language="en", credential=docs.pk, status="expiring"))
        assert response.status_code == 200
    entries = list(exports().order_by("id"))
    assert len(entries) == 3
    for entry, fmt in zip(entries, ("csv", "xlsx", "pdf"), strict=True):
        assert entry.actor == roster.coordinator_a and entry.actor_email == "coord.a@test.carsi"
        assert entry.action == AuditEntry.Action.ROSTER_EXPORT and entry.agency == roster.agency_a
        assert entry.target == f"roster-gt-pnc-{today.isoformat()}.{fmt}"
        assert entry.details["format"] == fmt and entry.details["language"] == "en"
        assert entry.details["filters"] == {"credential_id": docs.pk, "status": "expiring"}
        assert entry.details["rows"] == 1
        assert entry.created_at is not None


def test_the_csv_is_recorded_before_it_streams(client, roster):
    client.force_login(roster.head_a)
    response = client.get(export_url(roster, "csv", expiring_before="2099-12-31", q="nunez"))
    entry = exports().get()  # before a byte is written
    assert entry.details["filters"] == {"expiring_before": "2099-12-31", "q": "nunez"}
    assert entry.details["rows"] == 1
    assert len(csv_rows(response)) == 2
    assert exports().count() == 1


# --- bad input and who may export -----------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "pdf"])
def test_bad_filters_are_ignored_with_a_message(client, roster, fmt):
    client.force_login(roster.head_a)
    response = client.get(
        export_url(
            roster, fmt, expiring_before="2026-13-45", status="nonsense", unit="abc", credential="99999"
        )
    )
    assert response.status_code == 200
    warnings = [str(m) for m in get_messages(response.wsgi_request)]
    assert len(warnings) == 4, warnings
    assert exports().get().details["filters"] == {}
    assert exports().get().details["rows"] == 2  # every officer: nothing was filtered
    if fmt == "csv":
        assert len(csv_rows(response)) == 3
    if fmt == "pdf":
        assert "Expiring before" in pdf_text(
            client.get(export_url(roster, fmt, language="en", expiring_before="x"))
        )


@pytest.mark.parametrize("who", ["head_b", "officer_user_a", "instructor"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx", "pdf"])
def test_others_get_404_and_nothing_is_recorded(client, roster, who, fmt):
    client.force_login(getattr(roster, who))
    assert client.get(export_url(roster, fmt)).status_code == 404
    assert not exports().exists()


def test_anonymous_visitors_are_sent_to_log_in(client, roster):
    response = client.get(export_url(roster, "csv"))
    assert response.status_code == 302 and "login" in response["Location"]
    assert not exports().exists()


def test_unknown_formats_and_posts_are_refused(client, roster):
    client.force_login(roster.head_a)
    assert client.get(export_url(roster, "docx")).status_code == 404
    assert client.get(export_url(roster, "CSV")).status_code == 404
    assert client.post(export_url(roster, "csv")).status_code == 405
    assert not exports().exists()


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "pdf"])
def test_program_administrators_export_any_agency(client, world, fmt):
    client.force_login(world.admin)
    assert client.get(export_url(world, fmt, agency=world.agency_b)).status_code == 200
    entry = exports().get()
    assert entry.actor == world.admin and entry.agency == world.agency_b


def test_the_roster_page_links_the_exports_with_its_filters(client, roster, docs):
    client.force_login(roster.head_a)
    with translation.override("en"):
        page = reverse("registry:roster", args=[roster.agency_a.pk])
    html = client.get(f"{page}?status=expiring&credential={docs.pk}&page=1").content.decode()
    for fmt in ("csv", "xlsx", "pdf"):
        link = export_url(roster, fmt, language="en")
        assert f'href="{link}?status=expiring&amp;credential={docs.pk}"' in html
    html = client.get(page).content.decode()
    assert f'href="{export_url(roster, "csv", language="en")}"' in html
