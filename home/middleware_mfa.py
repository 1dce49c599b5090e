"""What staff accounts must do to use the site: a second factor, and sessions that end when idle.

Program administrators, instructors, agency heads and coordinators (and Django staff) see other
people's records, so a stolen password alone must not open them: until such a person has set up
an authenticator app (TOTP, with recovery codes) every page but the few needed to do so sends
them to its setup. Trainees may turn it on; nothing forces them.

The check costs nothing on most requests: who the person is (staff or not, with or without TOTP)
is kept in the session and read again at most once a minute (the roles' own per-request caches,
then one query for the authenticator, staff only), and at once after they turn TOTP on or off.
The time of that re-read is the session's last activity: a staff session idle for longer than
STAFF_SESSION_IDLE_SECONDS (give or take that minute) is logged out. Trainees keep the default.

The Wagtail admin's own login form (/admin/login/) would skip allauth's rate limits and second
factor: it is sent to allauth's login page instead.
"""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from certification.access import managed_agency_ids
from certification.roles import is_instructor, is_program_admin

STATE_KEY = "staff_security"  # [user id, is staff, has TOTP, when read (epoch seconds)]
RECHECK_SECONDS = 60

# What a staff member without TOTP may still reach: setting it up (allauth asks for the password
# again first), their recovery codes, the password, logging out, the language switch, health.
ALLOWED_WITHOUT_MFA = frozenset(
    {
        "account_login",
        "account_logout",
        "account_reauthenticate",
        "account_change_password",
        "account_inactive",
        "mfa_reauthenticate",
        "mfa_index",
        "mfa_activate_totp",
        "mfa_view_recovery_codes",
        "mfa_generate_recovery_codes",
        "mfa_download_recovery_codes",
        "set_language",
        "healthz",
        "wagtailadmin_logout",
    }
)
# After these, whether the person has TOTP is read again on the next request.
MFA_CHANGING_VIEWS = frozenset({"mfa_activate_totp", "mfa_deactivate_totp"})


def is_staff_member(user) -> bool:
    """Anyone who sees other people's records: the project's roles and Django staff."""
    if not user.is_authenticated:
        return False
    if user.is_staff or user.is_superuser:
        return True
    return is_program_admin(user) or is_instructor(user) or bool(managed_agency_ids(user))


def has_totp(user) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).exists()


def remember_staff_state(sender, request, user, **kwargs) -> None:
    """At login (a `user_logged_in` receiver, connected in HomeConfig.ready): the session starts
    knowing whether this is staff with TOTP, so the first page costs no extra queries."""
    session = getattr(request, "session", None)
    if session is not None:
        staff = is_staff_member(user)
        session[STATE_KEY] = [user.pk, staff, has_totp(user) if staff else False, int(time.time())]


def wants_json(request) -> bool:
    if request.path_info.startswith("/api/"):
        return True
    return request.accepts("application/json") and not request.accepts("text/html")


class StaffSecurityMiddleware:
    """Goes after AuthenticationMiddleware, MessageMiddleware and allauth's AccountMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.staff_security = self._state(request)
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        if match and match.url_name in MFA_CHANGING_VIEWS and request.method == "POST":
            request.session.pop(STATE_KEY, None)
        return response

    def _state(self, request) -> tuple[bool, bool]:
        """(is staff, has TOTP) for the logged-in person; (False, False) for a visitor. A staff
        session idle for longer than STAFF_SESSION_IDLE_SECONDS is logged out here."""
        user = request.user
        if not user.is_authenticated:
            return False, False
        saved = request.session.get(STATE_KEY)
        now = int(time.time())
        if isinstance(saved, list) and len(saved) == 4 and saved[0] == user.pk:
            idle = now - saved[3]
            if saved[1] and idle > settings.STAFF_SESSION_IDLE_SECONDS:
                # Checked here rather than by the cookie's age, so a browser-session cookie (no
                # "remember me") stays one, and the person is told why they must log in again.
                logout(request)
                messages.info(
                    request, _("You were logged out after a period without activity. Log in again.")
                )
                return False, False
            required = getattr(settings, "MFA_REQUIRED_FOR_STAFF", True)
            if idle < RECHECK_SECONDS and (saved[2] or not saved[1] or not required):
                # Staff without TOTP are read again on every request until they have it (when it
                # is required: they only reach the setup pages meanwhile).
                return bool(saved[1]), bool(saved[2])
        staff = is_staff_member(user)
        totp = has_totp(user) if staff else False
        request.session[STATE_KEY] = [user.pk, staff, totp, now]  # the last activity, to the minute
        return staff, totp

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        name = match.url_name if match else None
        if name == "wagtailadmin_login":
            return self._to_allauth_login(request)
        staff, totp = getattr(request, "staff_security", (False, False))
        if not staff or totp or not getattr(settings, "MFA_REQUIRED_FOR_STAFF", True):
            return None
        if name in ALLOWED_WITHOUT_MFA or request.path_info.startswith(_served_files()):
            return None
        return self._refuse_without_mfa(request)

    @staticmethod
    def _to_allauth_login(request):
        target = request.GET.get("next") or reverse("wagtailadmin_home")
        return redirect(f"{reverse('account_login')}?{urlencode({'next': target})}")

    @staticmethod
    def _refuse_without_mfa(request):
        setup_url = reverse("mfa_activate_totp")
        text = _(
            "Your role lets you see other people's records, so your account needs two-factor "
            "authentication. Set up an authenticator app now: you cannot open any other page until "
            "you do."
        )
        if wants_json(request):
            return JsonResponse(
                {"error": "mfa_required", "message": text, "setup_url": setup_url}, status=403
            )
        if request.accepts("text/html"):  # not for an image or script the page asked for
            messages.warning(request, text)
        return redirect(setup_url)


def _served_files() -> tuple[str, ...]:
    return tuple(prefix for prefix in (settings.STATIC_URL, settings.MEDIA_URL) if prefix)
