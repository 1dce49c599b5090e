"""Manual issue and training done elsewhere: one page for program administrators. A thin view
over `certificate_issue`; everyone else gets a 404, as for any row outside their scope."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from . import access
from .forms_certificate_issue import MAX_EVIDENCE_BYTES, MAX_REQUEST_OVERHEAD, CertificateIssueForm
from .models import Certificate
from .roles import is_program_admin
from .services_certificates import certificate_issue

TEMPLATE = "certification/certificate_issue.html"


def _declared_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _form(request, data=None, files=None) -> CertificateIssueForm:
    return CertificateIssueForm(
        data,
        files,
        trainees=access.trainees_visible_to(request.user),
        agencies=access.agencies_visible_to(request.user),
    )


# The size is judged from the request's declared length before its body is read: a 40 MB upload
# is refused without being received. The CSRF middleware would read the body first, so it is
# skipped here and the same check runs in `_issue`, once the size is known to be acceptable.
@csrf_exempt
@login_required
@require_http_methods(["GET", "POST"])
def certificate_issue_page(request):
    if not is_program_admin(request.user):
        raise Http404
    if request.method == "POST" and _declared_length(request) > MAX_EVIDENCE_BYTES + MAX_REQUEST_OVERHEAD:
        refusal = _("The document is larger than 10 MB: nothing was issued.")
        return render(request, TEMPLATE, {"form": _form(request), "refusal": refusal}, status=413)
    return _issue(request)


@csrf_protect
def _issue(request):
    if request.method != "POST":
        return render(request, TEMPLATE, {"form": _form(request)})
    form = _form(request, request.POST, request.FILES)
    if form.is_valid():
        token = form.cleaned_data["token"]
        earlier = Certificate.objects.filter(
            award_key__in=[f"{s}:{token}" for s in Certificate.Source]
        ).first()
        if earlier is not None:  # the same form sent again
            messages.info(request, _("This form was already sent: the certificate was issued once."))
            return redirect("registry:certificate_detail", certificate_id=earlier.pk)
        document = form.cleaned_data.get("evidence_document")
        if document:
            document.name = f"{token}.{form.document_extension}"  # never the uploaded name
        try:
            certificate = certificate_issue(
                trainee=form.trainee,
                credential=form.cleaned_data["credential"],
                award_key=form.award_key(),
                source=form.cleaned_data["source"],
                evidence=form.evidence(),
                actor=request.user,
                reason=form.cleaned_data["reason"],
                issued_on=form.cleaned_data.get("issued_on"),
                evidence_document=document or None,
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, error.messages)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(
                request,
                _("Certificate %(serial)s issued to %(name)s.")
                % {"serial": certificate.serial, "name": certificate.trainee.full_name},
            )
            return redirect("registry:certificate_detail", certificate_id=certificate.pk)
    return render(request, TEMPLATE, {"form": form}, status=400)
