"""The certification roster as rows for a spreadsheet (CSV, XLSX): a header, then one row per
officer: name, ID number, badge, rank, unit, each credential's status and expiry date, and how
many required credentials the officer lacks.

Rows come from `selectors_roster.roster_iter`, a chunk at a time, so a CSV of 100,000 officers
holds no more than a chunk in memory. Texts are in the reader's language, fixed when the rows
start (a streamed response is written after the view returns). Every text cell goes through
`tabular.neutralise`: a name such as "=HYPERLINK(...)" reaches the spreadsheet as text.
"""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from .models import Credential, Trainee
from .selectors_roster import STATUS_LABELS, Cell, RosterFilters, RosterRow, roster_credentials, roster_iter
from .tabular import neutralise

FIXED_COLUMNS = 5  # officer, ID number, badge, rank, unit


def credential_name(credential: Credential, language: str) -> str:
    return credential.name_en if language.startswith("en") else credential.name_es


def roster_header(credentials: list[Credential], *, language: str) -> list[str]:
    """The header row, in `language`: two columns per credential (status, expiry date)."""
    with translation.override(language):
        header = [_("Officer"), _("ID number"), _("Badge"), _("Rank"), _("Unit")]
        for credential in credentials:
            name = credential_name(credential, language)
            header += [
                _("%(credential)s: status") % {"credential": name},
                _("%(credential)s: expires on") % {"credential": name},
            ]
        header.append(_("Required credentials missing"))
    return [neutralise(text) for text in header]


def roster_row_cells(
    row: RosterRow, credentials: list[Credential], *, labels: dict[str, str]
) -> list[str | int | datetime.date | None]:
    """One officer's cells; `labels` are the status labels already in the reader's language."""
    officer = row.officer
    cells: list = [
        neutralise(officer.sort_name),
        neutralise(officer.id_number),
        neutralise(officer.badge_number),
        neutralise(officer.rank),
        neutralise(officer.unit.name if officer.unit else ""),
    ]
    for credential in credentials:
        # The header's columns speak: a credential the rows lack (added in between) is "none".
        cell = row.by_credential.get(credential.pk) or Cell("none")
        cells += [labels[cell.status], cell.expires_on]
    cells.append(row.missing_required)
    return cells


def status_labels(language: str) -> dict[str, str]:
    with translation.override(language):
        return {status: str(label) for status, label in STATUS_LABELS.items()}


def roster_export_rows(
    *, agency, filters: RosterFilters, today: datetime.date, language: str, chunk: int = 500
) -> Iterator[list]:
    """The header, then one row per officer of the filtered roster, in its order. A generator:
    nothing is read until the first row is asked for, and only a chunk of officers at a time."""
    credentials = roster_credentials(agency=agency)
    # Translated once, outside the loop: an override must not stay active across a yield.
    header = roster_header(credentials, language=language)
    labels = status_labels(language)
    yield header
    for _credentials, row in roster_iter(agency=agency, filters=filters, today=today, chunk=chunk):
        yield roster_row_cells(row, credentials, labels=labels)


# --- The printable report (PDF) ---------------------------------------------------------------

REPORT_TEMPLATE = "certification/roster_report.html"
# WeasyPrint lays out about 25 officers a page and takes a noticeable fraction of a second per
# page, under the process's one render lock: the report prints the first 500 officers (about
# 20 pages) and says so; the CSV and XLSX hold every officer.
REPORT_MAX_ROWS = 500

# Short labels keep a cell on two lines (label, date); the report's legend says what they mean.
REPORT_LABELS = {
    "valid": _lazy("Valid"),
    "expiring": _lazy("Expiring"),
    "suspended": _lazy("Suspended"),
    "revoked": _lazy("Revoked"),
    "in_training": _lazy("In training"),
    "expired": _lazy("Expired"),
    "none": "—",
}


@dataclass
class ReportRow:
    officer: Trainee
    cells: list[tuple[str, str, datetime.date | None]]  # (status, short label, expires on)
    missing_required: int


def roster_report_rows(
    *, agency, filters: RosterFilters, today: datetime.date, credentials: list[Credential], limit: int
) -> list[ReportRow]:
    """The first `limit` rows of the filtered roster (only the chunks needed are read), each
    row's cells in the order of `credentials`, the report's columns."""
    labels = {status: str(label) for status, label in REPORT_LABELS.items()}
    rows = []
    for _credentials, row in roster_iter(agency=agency, filters=filters, today=today, chunk=min(limit, 500)):
        cells = [row.by_credential.get(credential.pk) or Cell("none") for credential in credentials]
        rows.append(
            ReportRow(
                officer=row.officer,
                cells=[(cell.status, labels[cell.status], cell.expires_on) for cell in cells],
                missing_required=row.missing_required,
            )
        )
        if len(rows) >= limit:
            break
    return rows


def html_report_pdf(html: str) -> bytes:
    """A report's HTML as a plain PDF, drawn as certificates are (`certificate_pdf.html_pdf_bytes`:
    the process's one font configuration, its render lock, a fetcher that reads nothing from the
    network). Its CSS is in the template."""
    from .certificate_pdf import html_pdf_bytes  # WeasyPrint loads only where PDFs are drawn

    return html_pdf_bytes(html, stylesheets=(), pdf_variant=None)
