"""Pictures of certification coverage, and the program's figures and funder report.

- An agency's Coverage page (its heads and coordinators, program administrators; anyone else
  404): officers by status per credential, expirations over the next twelve months, progress
  toward required credentials per unit.
- The program's Figures page and the funder report (program administrators only; anyone else
  404). The program's figures are about training, which the courses app holds: read through
  `courses.selectors_program`, imported where used (this app does not depend on courses).
"""

import datetime
import tempfile

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils import formats
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from .forms_coverage import PeriodForm
from .models import AuditEntry
from .roles import is_program_admin
from .selectors import agency_today
from .selectors_coverage import (
    certificates_issued_by_month,
    coverage_by_status,
    expirations_by_month,
    unit_progress,
)
from .selectors_roster import STATUSES, roster_credentials
from .services_audit import audit_record
from .tabular import XLSX_CONTENT_TYPE, neutralise
from .views_roster import roster_agency_or_404

LAPSES_SHOWN = 100


def _month(day: datetime.date) -> str:
    return formats.date_format(day, "YEAR_MONTH_FORMAT")


def _percent(part: int, whole: int) -> str:
    return _("%(percent)s%% (%(part)s of %(whole)s)") % {
        "percent": formats.number_format(round(100 * part / whole, 1), decimal_pos=1, use_l10n=True),
        "part": part,
        "whole": whole,
    }


# --- an agency's coverage ------------------------------------------------------------------------


@login_required
@require_GET
def coverage(request, agency_id: int):
    agency = roster_agency_or_404(request.user, agency_id)
    today = agency_today(agency=agency)
    credentials = roster_credentials(agency=agency)
    statuses = coverage_by_status(agency=agency, credentials=credentials, today=today)
    units = unit_progress(agency=agency, today=today)
    return render(
        request,
        "certification/coverage/agency.html",
        {
            "agency": agency,
            "today": today,
            "statuses": STATUSES,
            "status_rows": [(row.credential.name, row.counts) for row in statuses],
            "status_counts": statuses,
            "expirations": [
                (_month(month), count) for month, count in expirations_by_month(agency=agency, today=today)
            ],
            "units": units,
            "unit_series": [
                (
                    unit.name,
                    unit.percent,
                    _percent(unit.complete, unit.with_requirements)
                    if unit.with_requirements
                    else _("nothing required"),
                )
                for unit in units
            ],
        },
    )


# --- the program ---------------------------------------------------------------------------------


def _program_admin_or_404(user) -> None:
    if not is_program_admin(user):
        raise Http404


def _program_today() -> datetime.date:
    from courses.selectors_program import program_zone

    return datetime.datetime.now(program_zone()).date()


def _figures_page(request, *, form: PeriodForm, status: int = 200):
    from courses import selectors_program as program

    today = _program_today()
    done = program.completions()
    courses = program.course_rates()
    lapses_total, lapses = program.vetting_lapses(today=today, limit=LAPSES_SHOWN)
    issued = certificates_issued_by_month(today=today)

    def series(rows):
        return [(row.label, row.officers) for row in rows]

    def rate(value, part, whole):
        return (value, _percent(part, whole) if whole else _("no data"))

    return render(
        request,
        "certification/coverage/program.html",
        {
            "today": today,
            "totals": program.officers_trained(done),
            "by_country": series(program.trained_by_country(done)),
            "by_agency": series(program.trained_by_agency(done)),
            "by_sex": series(program.trained_by_sex(done)),
            "by_track": series(program.trained_by_track(done)),
            "by_year": series(program.trained_by_year(done)),
            "courses": courses,
            "completion_series": [
                (
                    f"{c.code} {c.title}",
                    *rate(c.completion_rate, c.completed, c.completed + c.failed + c.withdrawn),
                )
                for c in courses
            ],
            "pass_series": [
                (f"{c.code} {c.title}", *rate(c.pass_rate, c.passed, c.attempts)) for c in courses
            ],
            "issued": [(_month(month), count) for month, count in issued],
            "issued_total": sum(count for _month_start, count in issued),
            "lapses": lapses,
            "lapses_total": lapses_total,
            "lapses_shown": LAPSES_SHOWN,
            "form": form,
        },
        status=status,
    )


@login_required
@require_GET
def program_figures(request):
    _program_admin_or_404(request.user)
    today = _program_today()
    form = PeriodForm(initial={"start": datetime.date(today.year, 1, 1), "end": today})
    return _figures_page(request, form=form)


@login_required
@require_GET
def funder_report(request):
    """The funder report of the chosen period, as XLSX. A bad period: the figures page again,
    with a message and the form's errors."""
    _program_admin_or_404(request.user)
    form = PeriodForm(request.GET)
    if not form.is_valid():
        messages.error(request, _("The funder report was not made: choose a valid period."))
        return _figures_page(request, form=form, status=400)
    from courses.selectors_program import funder_report as build

    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    report = build(start=start, end=end, today=_program_today())
    audit_record(
        actor=request.user,
        action=AuditEntry.Action.FUNDER_REPORT,
        target=f"{start.isoformat()} – {end.isoformat()}",
        details={"start": start.isoformat(), "end": end.isoformat(), "officers": report.totals["officers"]},
    )
    return FileResponse(
        workbook_file(funder_sheets(report)),
        as_attachment=True,
        filename=f"funder-report-{start.isoformat()}-{end.isoformat()}.xlsx",
        content_type=XLSX_CONTENT_TYPE,
    )


# --- the funder report's workbook ------------------------------------------------------------------


def funder_sheets(report) -> list[tuple[str, list[list]]]:
    """(sheet title, rows) of the funder report, the first row of each its headings."""
    from courses.selectors_program import VETTING_KEYS, VETTING_LABELS

    totals = report.totals
    per_sex = [_("Officers"), _("Women"), _("Men"), _("Sex not recorded")]
    activity = [_("Course completions"), _("Training hours")]

    def figures(row):
        return [row.officers, row.women, row.men, row.unrecorded, row.completions, row.hours]

    summary = [
        [_("Figure"), _("Value")],
        [_("Period from"), report.start],
        [_("Period to (included)"), report.end],
        [_("Made on"), report.today],
        [_("Unique officers trained (each counted once however many courses)"), totals["officers"]],
        [_("Women"), totals["women"]],
        [_("Men"), totals["men"]],
        [_("Sex not recorded"), totals["unrecorded"]],
        [_("Course completions"), totals["completions"]],
        [_("Training hours (course hours × completions)"), totals["hours"]],
        [_("Countries"), len(report.by_country)],
        [_("Agencies"), len(report.by_agency)],
    ]
    by_country = [[_("Country code"), _("Country"), *per_sex, *activity]]
    by_country += [[row.key, row.label, *figures(row)] for row in report.by_country]
    by_agency = [[_("Country code"), _("Agency"), _("Agency name"), *per_sex, *activity]]
    by_agency += [
        [
            row.extra["trainee__agency__country__code"],
            row.extra["trainee__agency__acronym"],
            row.extra["name"],
        ]
        + figures(row)
        for row in report.by_agency
    ]
    by_course = [[_("Course code"), _("Course"), _("Track"), _("Hours per course"), *per_sex, *activity]]
    by_course += [
        [row.extra["code"], row.label, row.extra["track"], row.extra["course_hours"], *figures(row)]
        for row in report.by_course
    ]
    vetting = [[_("Vetting status today"), _("Officers trained")]]
    vetting += [[str(VETTING_LABELS[key]), report.vetting[key]] for key in VETTING_KEYS]
    return [
        (_("Summary"), summary),
        (_("By country"), by_country),
        (_("By agency"), by_agency),
        (_("By course"), by_course),
        (_("Vetting"), vetting),
    ]


def workbook_file(sheets: list[tuple[str, list[list]]]):
    """An XLSX of several sheets, written row by row into a temporary file, rewound. Text goes
    through `neutralise` (no cell runs as a formula); numbers stay numbers, dates are dates."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    for title, rows in sheets:
        sheet = workbook.create_sheet(title=str(title)[:31])
        for number, row in enumerate(rows):
            cells = []
            for value in row:
                if isinstance(value, bool) or value is None:
                    value = "" if value is None else str(value)
                if isinstance(value, datetime.date):
                    cell = WriteOnlyCell(sheet, value=value)
                    cell.number_format = "yyyy-mm-dd"
                elif isinstance(value, int | float):
                    cell = WriteOnlyCell(sheet, value=value)
                else:
                    cell = WriteOnlyCell(sheet, value=neutralise(str(value)))
                if number == 0:
                    cell.font = Font(bold=True)
                cells.append(cell)
            sheet.append(cells)
    out = tempfile.SpooledTemporaryFile(max_size=5 * 1024 * 1024)  # noqa: SIM115 - FileResponse closes it
    workbook.save(out)
    out.seek(0)
    return out
