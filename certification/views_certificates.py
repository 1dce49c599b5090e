"""A certificate's page (status, evidence, history, PDF) and the administrators' status changes.
Scoped by `certificates_visible_to`: another agency's certificate is 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from . import access
from .forms import CertificateStatusForm
from .models import Certificate
from .roles import is_program_admin
from .services_certificates import CERTIFICATE_MOVES, certificate_transition, verification_code_display

C = Certificate.Status
PERSON_MOVES = (C.SUSPENDED, C.VALID, C.REVOKED)  # superseding is the system's (renewal, correction)


def event_labels() -> dict[str, str]:
    return {
        "issued": _("Issued"),
        "corrected": _("Issued as a correction"),
        "suspended": _("Suspended"),
        "reinstated": _("Reinstated"),
        "revoked": _("Revoked"),
        "superseded": _("Superseded"),
    }


@login_required
@require_http_methods(["GET", "POST"])
def certificate_detail(request, certificate_id: int):
    certificate = access.get_or_404(access.certificates_visible_to(request.user), pk=certificate_id)
    moves = []
    if is_program_admin(request.user):
        moves = [m for m in PERSON_MOVES if m in CERTIFICATE_MOVES[certificate.status]]
    form = CertificateStatusForm(request.POST or None, moves=moves) if moves else None
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            try:
                certificate_transition(
                    actor=request.user,
                    certificate=certificate,
                    to_status=form.cleaned_data["status"],
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as error:
                form.add_error("reason" if hasattr(error, "error_dict") else None, error.messages)
            except PermissionDenied as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    _("Certificate %(serial)s is now “%(status)s”.")
                    % {"serial": certificate.serial, "status": C(certificate.status).label},
                )
                return redirect("registry:certificate_detail", certificate_id=certificate.id)
    return render(
        request,
        "certification/certificate_detail.html",
        {
            "certificate": certificate,
            "shown_status": certificate.shown_status(),
            "code": verification_code_display(certificate.verification_code),
            "events": [
                (event, event_labels().get(event.action, event.action))
                for event in certificate.events.select_related("actor")
            ],
            "form": form,
            "successors": certificate.successors.all(),
        },
    )


@login_required
def certificate_pdf(request, certificate_id: int):
    """The stored PDF, exactly as rendered at issue (its SHA-256 is on the certificate's page)."""
    certificate = access.get_or_404(access.certificates_visible_to(request.user), pk=certificate_id)
    if not certificate.pdf:
        # Not rendered yet (its task is queued, or was lost with the broker): render it now,
        # once; the stored file and hash are the same the task would have made.
        from .certificate_pdf import certificate_pdf_store

        certificate_pdf_store(certificate_id=certificate.pk)
        certificate.refresh_from_db(fields=["pdf", "pdf_sha256"])
        if not certificate.pdf:
            raise Http404
    response = FileResponse(
        certificate.pdf.open("rb"), as_attachment=True, filename=f"{certificate.serial}.pdf"
    )
    response["Content-Type"] = "application/pdf"
    response["X-Content-Type-Options"] = "nosniff"
    return response


EVIDENCE_TYPES = {"pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg"}


@login_required
@require_GET
def certificate_evidence(request, certificate_id: int):
    """The document that proves training done elsewhere, to those who see the certificate.
    Always an attachment of a fixed, harmless type (only PDF, PNG and JPEG are accepted)."""
    certificate = access.get_or_404(access.certificates_visible_to(request.user), pk=certificate_id)
    if not certificate.evidence_document:
        raise Http404
    extension = certificate.evidence_document.name.rsplit(".", 1)[-1].lower()
    if extension not in EVIDENCE_TYPES:
        raise Http404
    response = FileResponse(
        certificate.evidence_document.open("rb"),
        as_attachment=True,
        filename=f"{certificate.serial}-evidence.{extension}",
    )
    response["Content-Type"] = EVIDENCE_TYPES[extension]
    response["X-Content-Type-Options"] = "nosniff"
    return response
