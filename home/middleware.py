"""Per-person settings applied to each request: the time zone of the person's agency (times are
stored in UTC) and the language they read, remembered for the e-mails they are sent. Also the
site-wide guards on requests and responses: the largest request body, and the Content Security
Policy (the Wagtail admin gets its own)."""

import zoneinfo

from csp.middleware import CSPMiddleware
from django.conf import settings
from django.http import HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from certification.selectors import time_zone_for_user

SESSION_KEY = "time_zone"


class TimezoneMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        name = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
        if name is None and request.user.is_authenticated:
            # Looked up once per session, not once per request.
            name = time_zone_for_user(user=request.user) or ""
            request.session[SESSION_KEY] = name
        if name:
            timezone.activate(zoneinfo.ZoneInfo(name))
        else:
            timezone.deactivate()
        return self.get_response(request)


LANGUAGE_SESSION_KEY = "preferred_language"


class LanguagePreferenceMiddleware:
    """Remembers the language a logged-in person browses in (the /es/ or /en/ prefix) as their
    Wagtail `preferred_language`, so e-mails reach them in it. One write per change of language,
    not per request: the session remembers what was saved."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        language = (translation.get_language() or "")[:2]
        if (
            user.is_authenticated
            and language in ("es", "en")
            and request.path.startswith(f"/{language}/")
            and request.session.get(LANGUAGE_SESSION_KEY) != language
        ):
            from wagtail.users.models import UserProfile

            profile = UserProfile.get_for_user(user)
            if profile.preferred_language != language:
                profile.preferred_language = language
                profile.save(update_fields=["preferred_language"])
            request.session[LANGUAGE_SESSION_KEY] = language
        return self.get_response(request)


class SiteLocaleMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware, except that machine endpoints outside the language prefixes
    (the JSON API, the health check) keep their 404s: the stock one would redirect any unknown
    path to /es/... because Wagtail's catch-all page route matches everything there."""

    UNPREFIXED = ("/api/", "/healthz")

    def process_response(self, request, response):
        if request.path_info.startswith(self.UNPREFIXED):
            return response
        return super().process_response(request, response)


class RequestSizeLimitMiddleware:
    """Refuses a request whose declared body is larger than MAX_REQUEST_BODY_BYTES (413) before
    anything reads it: without this, Django would write any upload to a temporary file first.
    A body without a declared length is never read by Django, so the declared one is enough."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.MAX_REQUEST_BODY_BYTES
        if length > limit:
            message = _("The request is too large: at most %(limit)s MB can be sent at once.") % {
                "limit": limit // (1024 * 1024)
            }
            return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class SiteCSPMiddleware(CSPMiddleware):
    """django-csp with two policies: CONTENT_SECURITY_POLICY for the site (no inline script or
    style), ADMIN_CONTENT_SECURITY_POLICY for the Wagtail admin under /admin/, whose pages carry
    inline scripts and styles of their own. A view's own @csp_* decorators still win."""

    def process_response(self, request, response):
        if response.get("Content-Type", "").startswith("application/pdf"):
            # Chrome's PDF viewer is a page of its own, with inline styles and a plugin: a policy
            # meant for our HTML breaks it, and none applies to a PDF's own scripts anyway.
            response._csp_exempt = True
        return super().process_response(request, response)

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if not report_only and parts.config is None and request.path_info.startswith("/admin/"):
            parts.config = settings.ADMIN_CONTENT_SECURITY_POLICY["DIRECTIVES"]
        return parts
