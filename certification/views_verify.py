"""Certificate verification: anyone, without logging in, by a code typed by hand, by the QR
code's link, or as JSON. Rate-limited per address; an unknown code reveals nothing."""

from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_ratelimit.decorators import ratelimit

from .selectors_certificates import certificate_by_code, verification_facts
from .services_certificates import MAX_TYPED_CODE, verification_code_display, verification_code_normalize

RATE = "30/m"  # per address, shared by the page, the form and the API


def _language() -> str:
    return "en" if (get_language() or "es").startswith("en") else "es"


@never_cache
@require_GET
@ratelimit(group="verify", key="ip", rate=RATE, block=True)
def verify_form(request):
    """/verify/: type the code printed on the certificate (case, spaces and hyphens forgiven)."""
    raw = request.GET.get("code", "")
    error = ""
    if raw:
        code = verification_code_normalize(raw)
        if code is not None:
            return redirect("verify:detail", code=verification_code_display(code))
        error = _("That is not a certificate code: a code has 12 letters and digits, like ABCD-EFGH-JKMN.")
    return render(
        request,
        "certification/verify_form.html",
        {"error": error, "typed": raw[:MAX_TYPED_CODE]},
        status=400 if error else 200,
    )


@never_cache
@require_GET
@ratelimit(group="verify", key="ip", rate=RATE, block=True)
def verify_detail(request, code: str):
    """/verify/<code>/: what the QR code opens."""
    certificate = certificate_by_code(code)
    if certificate is None:
        return render(request, "certification/verify_unknown.html", status=404)
    facts = verification_facts(certificate)
    return render(
        request,
        "certification/verify_detail.html",
        {
            "facts": facts,
            "code": verification_code_display(certificate.verification_code),
            "credential_name": facts["credential"][_language()],
            "agency_name": facts["agency"][_language()],
            "country_name": facts["country"][_language()],
        },
    )


@never_cache
@require_GET
@ratelimit(group="verify", key="ip", rate=RATE, block=True)
def verify_api(request, code: str):
    """/api/v1/verify/<code>/: the same answer as JSON."""
    certificate = certificate_by_code(code)
    if certificate is None:
        return JsonResponse({"status": "unknown"}, status=404)
    facts = verification_facts(certificate)
    facts["code"] = verification_code_display(certificate.verification_code)
    for key in ("issued_on", "valid_from", "expires_on", "status_changed_on"):
        facts[key] = facts[key].isoformat() if facts[key] else None
    return JsonResponse(facts, json_dumps_params={"ensure_ascii": False})


def rate_limited(request, exception):
    """django-ratelimit's answer when an address asks too often: 429 with a hint."""
    if request.path.startswith("/api/"):
        response = JsonResponse({"status": "rate_limited"}, status=429)
    else:
        response = render(request, "certification/verify_rate_limited.html", status=429)
    response["Retry-After"] = "60"
    add_never_cache_headers(response)  # the middleware answers outside the views' @never_cache
    return response
