"""An officer's transcript: the page and its PDF, in the reader's language (the URL's).

Who: whoever sees the officer's personnel record (`access.trainees_visible_to`: the officer
themself, their agency's heads and coordinators, program administrators, instructors of a class
the officer is in); anyone else gets 404. Every PDF download is recorded in the audit trail.
"""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from .models import AuditEntry
from .selectors_transcript import transcript_for
from .services_audit import audit_record
from .views import visible_trainee_or_404

PDF_TEMPLATE = "certification/transcript_pdf.html"


def transcript_pdf_bytes(html: str) -> bytes:
    """The transcript's HTML as an A4 portrait PDF/A, drawn as certificates are
    (`certificate_pdf.html_pdf_bytes`: the process's one font configuration, the local-only URL
    fetcher and the render lock). Its CSS is in the template: the certificate's stylesheet is a
    landscape page."""
    from .certificate_pdf import html_pdf_bytes  # WeasyPrint loads only where PDFs are drawn

    return html_pdf_bytes(html, stylesheets=())


@login_required
@require_GET
def transcript(request, trainee_id: int):
    trainee = visible_trainee_or_404(request.user, trainee_id)
    return render(
        request,
        "certification/transcript.html",
        {"transcript": transcript_for(trainee=trainee, viewer=request.user)},
    )


@login_required
@require_GET
def transcript_pdf(request, trainee_id: int):
    trainee = visible_trainee_or_404(request.user, trainee_id)
    data = transcript_for(trainee=trainee, viewer=request.user)
    base = getattr(settings, "WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
    for certificate in data.certificates:
        certificate.verify_url = f"{base}{certificate.verify_path}"  # printed: it must work from paper
    generated_at = timezone.localtime()
    html = render_to_string(
        PDF_TEMPLATE,
        {
            "transcript": data,
            "generated_at": generated_at,
            "page_url": f"{base}{reverse('registry:transcript', args=[trainee.pk])}",
        },
        request=request,
    )
    pdf = transcript_pdf_bytes(html)
    audit_record(
        actor=request.user,
        action=AuditEntry.Action.TRANSCRIPT_EXPORT,
        agency=trainee.agency,
        target=f"{trainee.full_name} (#{trainee.pk})",
        details={
            "trainee": trainee.pk,
            "language": data.language,
            "courses": len(data.courses),
            "certificates": len(data.certificates),
        },
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = f"transcript-{trainee.pk}-{data.today.isoformat()}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"  # personal data: no shared or stored copies
    return response
