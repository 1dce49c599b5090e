"""Per-person settings applied to each request: the time zone of the person's agency (times are
stored in UTC) and the language they read, remembered for the e-mails they are sent."""

import zoneinfo

from django.middleware.locale import LocaleMiddleware
from django.utils import timezone, translation

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
