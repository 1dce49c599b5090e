"""Show times in the zone of the person's agency; they are stored in UTC."""

import zoneinfo

from django.utils import timezone

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
