"""Imports and exports of personnel and vetting: thin views over personnel_exchange,
vetting_exchange and import_jobs. Scope comes from the access layer; foreign rows are 404."""

from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import access
from .filters import PersonnelFilter
from .forms import ImportForm
from .models import ImportJob
from .personnel_exchange import personnel_export_rows, personnel_import_start
from .selectors import with_vetting_status
from .tabular import csv_stream, xlsx_file
from .vetting_exchange import vetting_awaiting, vetting_awaiting_rows, vetting_import_start
from .views import visible_agency_or_404

SAMPLES = Path(__file__).resolve().parent / "samples"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def tabular_response(rows, *, fmt: str, filename: str, sheet_title: str):
    """CSV streams row by row (flat memory); XLSX is written to a temporary file first."""
    if fmt == "csv":
        response = StreamingHttpResponse(csv_stream(rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        return response
    if fmt == "xlsx":
        return FileResponse(
            xlsx_file(rows, sheet_title=sheet_title),
            as_attachment=True,
            filename=f"{filename}.xlsx",
            content_type=XLSX,
        )
    raise Http404


@login_required
def personnel_export(request, agency_id: int, fmt: str):
    agency = visible_agency_or_404(request.user, agency_id)
    trainees = with_vetting_status(access.trainees_visible_to(request.user).filter(agency=agency))
    data = request.GET.copy()
    data.setdefault("status", "active")
    queryset = PersonnelFilter(data, queryset=trainees, agency=agency).qs
    filename = f"personnel-{agency.country.code}-{agency.acronym}-{timezone.localdate().isoformat()}".lower()
    rows = personnel_export_rows(queryset, language=get_language())
    return tabular_response(rows, fmt=fmt, filename=filename, sheet_title=agency.acronym)


@login_required
@require_http_methods(["GET", "POST"])
def personnel_import(request, agency_id: int):
    agency = visible_agency_or_404(request.user, agency_id)
    if not access.can_manage_personnel(request.user, agency):
        raise Http404
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = personnel_import_start(
                actor=request.user, agency=agency, uploaded_file=form.cleaned_data["file"]
            )
        except ValidationError as error:
            form.add_error("file", error.messages)
        except PermissionDenied:
            raise Http404 from None
        else:
            return redirect("registry:import_job", job_id=job.id)
    recent = access.import_jobs_visible_to(request.user).filter(agency=agency)[:5]
    return render(
        request,
        "certification/import_form.html",
        {"agency": agency, "form": form, "recent": recent, "title": _("Import personnel")},
    )


def personnel_sample(request, variant: str):
    """The sample files shipped with the project, for trying the import."""
    names = {"valid": "personnel_sample.csv", "with-error": "personnel_sample_with_error.csv"}
    if variant not in names:
        raise Http404
    return FileResponse(
        open(SAMPLES / names[variant], "rb"),
        as_attachment=True,  # noqa: SIM115
        filename=names[variant],
        content_type="text/csv; charset=utf-8",
    )


@login_required
def import_job(request, job_id: int):
    job = access.get_or_404(access.import_jobs_visible_to(request.user), pk=job_id)
    if job.kind == ImportJob.Kind.VETTING and not access.can_record_vetting(request.user):
        raise Http404
    percent = round(100 * job.processed_rows / job.total_rows) if job.total_rows else 0
    return render(request, "certification/import_job.html", {"job": job, "percent": percent})


@login_required
def vetting_awaiting_export(request, fmt: str):
    try:
        queryset = vetting_awaiting(actor=request.user)
    except PermissionDenied:
        raise Http404 from None
    rows = vetting_awaiting_rows(queryset, language=get_language())
    filename = f"vetting-awaiting-{timezone.localdate().isoformat()}"
    return tabular_response(rows, fmt=fmt, filename=filename, sheet_title=_("Vetting"))


@login_required
@require_http_methods(["GET", "POST"])
def vetting_import(request):
    if not access.can_record_vetting(request.user):
        raise Http404
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = vetting_import_start(actor=request.user, uploaded_file=form.cleaned_data["file"])
        except ValidationError as error:
            form.add_error("file", error.messages)
        else:
            messages.info(request, _("File received: checking every row."))
            return redirect("registry:import_job", job_id=job.id)
    recent = access.import_jobs_visible_to(request.user).filter(kind=ImportJob.Kind.VETTING)[:5]
    return render(
        request,
        "certification/import_form.html",
        {"form": form, "recent": recent, "title": _("Import vetting results"), "vetting": True},
    )
