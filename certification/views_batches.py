"""Certificate batches: start one (issue a class session's certificates, or a ZIP of a session's
or an agency's current certificates), follow its progress and download the ZIP. Thin views over
`services_batches`; a batch, session or agency outside the user's scope is 404. A session's
batches are for program administrators only, like the other pages of a session's roster."""

from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from . import access
from .models import CertificateBatch
from .roles import is_program_admin
from .services_batches import (
    batch_agency_zip_start,
    batch_session_issue_start,
    batch_session_zip_start,
    batches_visible_to,
)
from .views import visible_agency_or_404

B = CertificateBatch
RECENT = 5


def kind_titles() -> dict[str, str]:
    return {
        B.Kind.SESSION_ISSUE: _("Issue the class's certificates"),
        B.Kind.SESSION_ZIP: _("All the class's certificates (ZIP)"),
        B.Kind.AGENCY_ZIP: _("Current certificates (ZIP)"),
    }


def kind_explanations() -> dict[str, str]:
    return {
        B.Kind.SESSION_ISSUE: _(
            "Every officer who completed this session receives the certificates the course (and any "
            "program it completes) awards, each with its PDF. Certificates already issued are kept "
            "as they are: running this again issues nothing twice."
        ),
        B.Kind.SESSION_ZIP: _(
            "One ZIP file with the PDF of every certificate of this session, whatever its status, "
            "and a manifest (manifest.csv) listing serial, officer, credential, dates, status and "
            "the SHA-256 of each PDF."
        ),
        B.Kind.AGENCY_ZIP: _(
            "One ZIP file with the PDF of every current certificate of the agency's officers (valid "
            "and not expired; suspended, revoked and superseded ones are left out), and a manifest "
            "(manifest.csv) listing serial, officer, credential, dates, status and the SHA-256 of "
            "each PDF."
        ),
    }


def _session_or_404(user, session_id: int):
    if not is_program_admin(user):
        raise Http404  # a session's roster holds every agency's officers: administrators only
    sessions = B._meta.get_field("session").related_model.objects.select_related("course")
    return access.get_or_404(sessions, pk=session_id)


def _start(request, *, kind: str, start, subject: dict, back_url: str):
    """GET shows what the batch does and the recent ones; POST starts it (or finds the one
    already running) and goes to its page. A refusal says why and leaves nothing behind."""
    error = ""
    if request.method == "POST":
        try:
            batch = start()
        except ValidationError as exc:
            error = " ".join(exc.messages)
        except PermissionDenied:
            raise Http404 from None
        else:
            return redirect("registry:batch_detail", batch_id=batch.id)
    recent = batches_visible_to(request.user).filter(kind=kind, **subject)[:RECENT]
    return render(
        request,
        "certification/batches/start.html",
        {
            "title": kind_titles()[kind],
            "explanation": kind_explanations()[kind],
            "kind": kind,
            "error": error,
            "recent": recent,
            "back_url": back_url,
            **subject,
        },
        status=400 if error else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def batch_session_issue(request, session_id: int):
    session = _session_or_404(request.user, session_id)
    return _start(
        request,
        kind=B.Kind.SESSION_ISSUE,
        start=lambda: batch_session_issue_start(actor=request.user, session=session),
        subject={"session": session},
        back_url=reverse("training:session_detail", args=[session.id]),
    )


@login_required
@require_http_methods(["GET", "POST"])
def batch_session_zip(request, session_id: int):
    session = _session_or_404(request.user, session_id)
    return _start(
        request,
        kind=B.Kind.SESSION_ZIP,
        start=lambda: batch_session_zip_start(actor=request.user, session=session),
        subject={"session": session},
        back_url=reverse("training:session_detail", args=[session.id]),
    )


@login_required
@require_http_methods(["GET", "POST"])
def batch_agency_zip(request, agency_id: int):
    agency = visible_agency_or_404(request.user, agency_id)
    if not access.can_manage_personnel(request.user, agency):
        raise Http404
    return _start(
        request,
        kind=B.Kind.AGENCY_ZIP,
        start=lambda: batch_agency_zip_start(actor=request.user, agency=agency),
        subject={"agency": agency},
        back_url=reverse("registry:personnel_list", args=[agency.id]),
    )


def _batch_or_404(user, batch_id: int) -> CertificateBatch:
    return access.get_or_404(batches_visible_to(user), pk=batch_id)


def _finished(batch: CertificateBatch) -> bool:
    return batch.status in (B.Status.DONE, B.Status.FAILED)


def _download_url(batch: CertificateBatch) -> str:
    if batch.status == B.Status.DONE and batch.archive:
        return reverse("registry:batch_download", args=[batch.id])
    return ""


def _progress_text(batch: CertificateBatch) -> str:
    if batch.kind == B.Kind.SESSION_ISSUE:
        return _("%(done)s of %(total)s completed enrollments, %(issued)s new certificates") % {
            "done": batch.done,
            "total": batch.total,
            "issued": batch.issued,
        }
    return _("%(done)s of %(total)s certificates") % {"done": batch.done, "total": batch.total}


@login_required
@never_cache
def batch_detail(request, batch_id: int):
    """The batch's page: progress while it runs (polled by static/js/batch_progress.js, or
    reloaded every few seconds without JavaScript), then the result and the download."""
    batch = _batch_or_404(request.user, batch_id)
    if batch.session_id:
        back_url = reverse("training:session_detail", args=[batch.session_id])
    else:
        back_url = reverse("registry:personnel_list", args=[batch.agency_id])
    return render(
        request,
        "certification/batches/detail.html",
        {
            "batch": batch,
            "title": kind_titles()[batch.kind],
            "finished": _finished(batch),
            "progress_text": _progress_text(batch),
            "download_url": _download_url(batch),
            "back_url": back_url,
        },
    )


@login_required
@never_cache
@require_GET
def batch_status(request, batch_id: int):
    """The batch's progress as JSON, for the page's polling script."""
    batch = _batch_or_404(request.user, batch_id)
    return JsonResponse(
        {
            "id": batch.id,
            "kind": batch.kind,
            "status": batch.status,
            "status_label": batch.get_status_display(),
            "total": batch.total,
            "done": batch.done,
            "issued": batch.issued,
            "percent": batch.percent,
            "finished": _finished(batch),
            "text": _progress_text(batch),
            "download_url": _download_url(batch),
        }
    )


@login_required
def batch_download(request, batch_id: int):
    """The ZIP once it is built (404 before then, or for a batch that builds none)."""
    batch = _batch_or_404(request.user, batch_id)
    if not _download_url(batch):
        raise Http404
    response = FileResponse(
        batch.archive.open("rb"),
        as_attachment=True,
        filename=Path(batch.archive.name).name,
        content_type="application/zip",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
