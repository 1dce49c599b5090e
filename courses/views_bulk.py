"""Bulk enrolment of a class session from a CSV or XLSX file, for program administrators.
A thin view over services_enrollment_bulk: the whole file is checked there and either every
officer is enrolled or nothing is, with every problem listed by row."""

import csv
import io
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods

from certification import access as registry_access
from certification.forms import ImportForm
from certification.roles import is_program_admin
from certification.tabular import XLSX_CONTENT_TYPE, xlsx_file

from .access import sessions_visible_to
from .models_enrollment import ClassSession
from .selectors import course_for_key
from .selectors_enrollment import places_taken
from .services_enrollment_bulk import (
    HEADERS_ES,
    TAKING_STATUSES,
    BulkEnrolmentInvalid,
    enrollment_bulk_enrol,
)

SAMPLE = Path(__file__).resolve().parent / "samples" / "enrollment_sample.csv"

# What each column of the file means, shown on the upload page.
COLUMN_HELP = (
    ("id_country", gettext_lazy("Country that issued the ID, as its two-letter code (GT, HN…).")),
    ("id_type", gettext_lazy("Optional: national_id (the default), passport or other.")),
    ("id_number", gettext_lazy("The officer's ID number, written as on the document.")),
    ("agency", gettext_lazy("Instead of the ID: the agency's acronym (PNC), or with its country: PNC (GT).")),
    (
        "agency_country",
        gettext_lazy("Optional: the agency's country, when several countries have an agency of that name."),
    ),
    ("badge_number", gettext_lazy("With the agency: the officer's badge number.")),
    (
        "language",
        gettext_lazy("Optional: es or en, the language of the officer's e-mails (Spanish if empty)."),
    ),
)


def _sample_text() -> str:
    return SAMPLE.read_text(encoding="utf-8")


def _sample_response(kind: str):
    if kind == "csv":
        return FileResponse(
            open(SAMPLE, "rb"),  # noqa: SIM115 - the response closes it
            as_attachment=True,
            filename=SAMPLE.name,
            content_type="text/csv; charset=utf-8",
        )
    if kind == "xlsx":
        rows = list(csv.reader(io.StringIO(_sample_text())))
        return FileResponse(
            xlsx_file(rows, sheet_title="enrolment"),
            as_attachment=True,
            filename=f"{SAMPLE.stem}.xlsx",
            content_type=XLSX_CONTENT_TYPE,
        )
    raise Http404


@login_required
@require_http_methods(["GET", "POST"])
def session_bulk_enrol(request, session_id: int):
    """GET: the upload form, the columns and a sample (`?sample=csv` or `?sample=xlsx`
    downloads it). POST: enrols every officer of the file, or lists every problem."""
    if not is_program_admin(request.user):
        raise Http404
    session = registry_access.get_or_404(sessions_visible_to(request.user), pk=session_id)
    if request.method == "GET" and "sample" in request.GET:
        return _sample_response(request.GET["sample"])
    form = ImportForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        uploaded = form.cleaned_data["file"]
        try:
            created = enrollment_bulk_enrol(actor=request.user, session=session, uploaded_file=uploaded)
        except BulkEnrolmentInvalid as error:
            errors = error.errors
        except ValidationError as error:
            form.add_error("file", error.messages)
        except PermissionDenied:
            raise Http404 from None
        else:
            count = len(created)
            messages.success(
                request,
                ngettext(
                    "%(count)s officer enrolled in %(code)s.",
                    "%(count)s officers enrolled in %(code)s.",
                    count,
                )
                % {"count": count, "code": session.code},
            )
            return redirect("training:session_detail", session_id=session.id)
        session.refresh_from_db()
    course = course_for_key(course_key=session.course_key) or session.course
    return render(
        request,
        "courses/training/session_bulk.html",
        {
            "session": session,
            "course": course,
            "form": form,
            "errors": errors,
            "takes_enrolments": session.status in TAKING_STATUSES,
            "status_label": ClassSession.Status(session.status).label,
            "places_left": max(session.capacity - places_taken(session=session), 0),
            "columns": [(key, HEADERS_ES[key], text) for key, text in COLUMN_HELP],
            "sample": _sample_text(),
        },
    )
