"""The certification roster exported: CSV (streamed), XLSX, and a printable PDF report, with the
roster page's filters. Same readers as the page (agency heads and coordinators of the agency,
program administrators; anyone else 404). Each export is written to the audit trail first."""

import dataclasses
import io
import zoneinfo

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from .exports_roster import (
    REPORT_MAX_ROWS,
    REPORT_TEMPLATE,
    credential_name,
    html_report_pdf,
    roster_export_rows,
    roster_report_rows,
)
from .models import AuditEntry
from .selectors import agency_today
from .selectors_roster import (
    RosterFilters,
    requirements_by_unit,
    roster_credentials,
    roster_officers,
    roster_summary,
)
from .services_audit import audit_record
from .tabular import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE, csv_stream, xlsx_file
from .views_roster import roster_agency_or_404, roster_filters

FORMATS = ("csv", "xlsx", "pdf")
EXPORT_CHUNK = 500  # officers read at a time for the CSV and XLSX


def filters_record(filters: RosterFilters) -> dict:
    """The filters in use, as JSON for the audit trail."""
    return {
        key: value.isoformat() if hasattr(value, "isoformat") else value
        for key, value in dataclasses.asdict(filters).items()
        if value not in (None, "") and not (key == "sort" and value == "name")
    }


@login_required
@require_GET
def roster_export(request, agency_id: int, fmt: str):
    if fmt not in FORMATS:
        raise Http404
    agency = roster_agency_or_404(request.user, agency_id)
    today = agency_today(agency=agency)
    language = get_language() or "es"
    credentials = roster_credentials(agency=agency)
    form, filters = roster_filters(request, agency, credentials)
    # One COUNT before anything is built: the audit entry is written before the CSV streams.
    total = roster_officers(agency=agency, filters=filters, today=today).count()
    filename = slugify(
        f"roster-{agency.country.code}-{agency.acronym}-{today.isoformat()}"
    )  # safe in a header
    details = {"format": fmt, "filters": filters_record(filters), "rows": total, "language": language}
    if fmt == "pdf":
        details["rows_printed"] = min(total, REPORT_MAX_ROWS)
    audit_record(
        actor=request.user,
        action=AuditEntry.Action.ROSTER_EXPORT,
        agency=agency,
        target=f"{filename}.{fmt}",
        details=details,
    )
    if fmt == "pdf":
        return _report(agency, today, form, filters, credentials, total, filename)
    rows = roster_export_rows(
        agency=agency, filters=filters, today=today, language=language, chunk=EXPORT_CHUNK
    )
    if fmt == "csv":
        # A generator: each chunk of officers is read as the response is written.
        response = StreamingHttpResponse(csv_stream(rows), content_type=CSV_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        return response
    return FileResponse(
        xlsx_file(rows, sheet_title=agency.acronym),
        as_attachment=True,
        filename=f"{filename}.xlsx",
        content_type=XLSX_CONTENT_TYPE,
    )


def _report(agency, today, form, filters, credentials, total, filename):
    """The printable report: agency, date, filters, summary figures and the table (the first
    REPORT_MAX_ROWS officers; the CSV has them all)."""
    language = get_language() or "es"
    units = {unit.pk: unit.name for unit in agency.units.all()}
    names = {credential.pk: credential_name(credential, language) for credential in credentials}
    rules = requirements_by_unit(agency=agency)
    rows = roster_report_rows(
        agency=agency, filters=filters, today=today, credentials=credentials, limit=REPORT_MAX_ROWS
    )
    html = render_to_string(
        REPORT_TEMPLATE,
        {
            "agency": agency,
            "today": today,
            "generated_at": timezone.localtime(timezone.now(), zoneinfo.ZoneInfo(agency.time_zone)),
            "filters_shown": filters.described(units=units, credentials=names),
            "ignored": [
                f"{form.fields[name].label}: {' '.join(errors)}" for name, errors in form.errors.items()
            ],
            "summary": roster_summary(agency=agency, today=today),
            "credentials": [(credential, names[credential.pk]) for credential in credentials],
            "required_ids": {cid for ids in rules.values() for cid in ids},
            "rows": rows,
            "total": total,
            "truncated": total > len(rows),
            "max_rows": REPORT_MAX_ROWS,
            "language": language,
        },
    )
    return FileResponse(
        io.BytesIO(html_report_pdf(html)),
        as_attachment=False,  # opens in the browser, to print
        filename=f"{filename}.pdf",
        content_type="application/pdf",
    )
