"""Staff (program administrators, instructors, agency heads and coordinators, Django staff) must
set up TOTP before they reach any page but its setup; trainees are free to. Staff sessions end
after a while without activity."""

import json

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    SECRET_SESSION_KEY,
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.http import HttpResponse
from django.test import RequestFactory

from certification import services as registry
from certification.models import AgencyStaff
from home.middleware_mfa import STATE_KEY, StaffSecurityMiddleware

pytestmark = pytest.mark.django_db

SETUP = "/en/accounts/2fa/totp/activate/"


@pytest.fixture(autouse=True)
def _enforced(settings):
    # The test settings leave it off for the rest of the suite; here it is what is tested.
    settings.MFA_REQUIRED_FOR_STAFF = True


def current_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))


def staff_pages(world) -> dict[str, list[str]]:
    """Each role's own pages (and the home page, which staff without TOTP do not reach either)."""
    agency = world.agency_a.id
    own = [f"/en/agency/{agency}/roster/", f"/en/agency/{agency}/personnel/"]
    return {
        "admin": ["/en/dashboard/", "/en/agency/", "/en/training/classes/", "/admin/", "/en/"],
        "instructor": ["/en/dashboard/", "/en/training/classes/", "/admin/"],
        "head_a": ["/en/dashboard/", *own],
        "coordinator_a": ["/en/dashboard/", *own],
    }


ROLES = ["admin", "instructor", "head_a", "coordinator_a"]


@pytest.mark.parametrize("role", ROLES)
def test_staff_without_totp_are_sent_to_its_setup_from_every_page(client, world, role):
    client.force_login(getattr(world, role))
    for url in staff_pages(world)[role]:
        response = client.get(url)
        assert response.status_code == 302, url
        # /admin/ has no language prefix: the setup opens in the browser's language (Spanish here).
        expected = "/es/accounts/2fa/totp/activate/" if url.startswith("/admin/") else SETUP
        assert response["Location"] == expected, url


def test_the_setup_page_says_why_in_the_persons_language(client, world):
    client.force_login(world.head_a)
    response = client.get(f"/en/agency/{world.agency_a.id}/roster/", follow=True)
    page = response.content.decode()
    assert "needs two-factor authentication" in page
    # A forced login has not just typed a password: allauth asks for it again first.
    assert response.redirect_chain[-1][0].startswith("/en/accounts/reauthenticate/")

    response = client.get(f"/es/agency/{world.agency_a.id}/roster/")
    assert response["Location"] == "/es/accounts/2fa/totp/activate/"


def test_superusers_and_django_staff_count_as_staff(client, world):
    boss = registry.user_ensure(email="root@test.carsi", password=world.password)
    boss.is_superuser = True
    boss.save(update_fields=["is_superuser"])
    clerk = registry.user_ensure(email="clerk@test.carsi", password=world.password)
    clerk.is_staff = True
    clerk.save(update_fields=["is_staff"])
    for user in (boss, clerk):
        client.force_login(user)
        assert client.get("/admin/", headers={"accept-language": "en"})["Location"] == SETUP
        assert client.get("/en/dashboard/")["Location"] == SETUP


def test_json_requests_get_a_403_with_the_setup_address(client, world):
    client.force_login(world.admin)
    response = client.get("/en/dashboard/", headers={"accept": "application/json"})
    assert response.status_code == 403
    body = json.loads(response.content)
    assert body["error"] == "mfa_required"
    assert body["setup_url"] == SETUP
    assert client.get("/api/v1/verify/ABCD-EFGH/").status_code == 403


def test_what_staff_without_totp_can_still_reach(client, world):
    client.force_login(world.instructor)
    assert client.get("/healthz").status_code == 200
    assert client.get("/en/accounts/reauthenticate/").status_code == 200
    assert client.get("/en/accounts/2fa/").status_code == 200
    assert client.get("/en/accounts/password/change/").status_code == 200
    assert client.post("/i18n/setlang/", {"language": "es", "next": "/es/"}).status_code == 302
    assert client.get("/static/css/site.css").status_code == 200
    # The setup itself: after the password again, the page with the secret.
    response = client.post("/en/accounts/reauthenticate/", {"password": world.password, "next": SETUP})
    assert response["Location"] == SETUP
    assert client.get(SETUP).status_code == 200
    response = client.post("/en/accounts/logout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_after_a_password_login_staff_set_up_totp_and_then_reach_their_pages(client, world):
    response = client.post("/en/accounts/login/", {"login": world.head_a.email, "password": world.password})
    assert response.status_code == 302
    assert client.get(response["Location"])["Location"] == SETUP
    response = client.get(SETUP)  # allauth asks for the password again before adding a factor
    assert response["Location"].startswith("/en/accounts/reauthenticate/")
    response = client.post(response["Location"], {"password": world.password})
    assert response["Location"] == SETUP
    assert client.get(SETUP).status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    response = client.post(SETUP, {"code": current_code(secret)})
    assert response.status_code == 302
    assert response["Location"] == "/en/accounts/2fa/recovery-codes/"
    assert client.get(response["Location"]).status_code == 200
    kinds = set(Authenticator.objects.filter(user=world.head_a).values_list("type", flat=True))
    assert kinds == {Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES}
    for url in staff_pages(world)["head_a"]:
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("role", ROLES)
def test_staff_with_totp_reach_their_pages(client, world, role):
    user = getattr(world, role)
    TOTP.activate(user, generate_totp_secret())
    client.force_login(user)
    for url in staff_pages(world)[role]:
        assert client.get(url).status_code == 200, url


def test_trainees_are_not_asked(client, world):
    client.force_login(world.officer_user_a)
    for url in ("/en/dashboard/", "/en/training/", "/en/", "/en/accounts/2fa/"):
        assert client.get(url).status_code == 200, url
    assert client.get("/en/dashboard/", headers={"accept": "application/json"}).status_code == 200


def test_turning_totp_off_sends_staff_back_to_the_setup(client, world):
    secret = generate_totp_secret()
    TOTP.activate(world.admin, secret)
    client.force_login(world.admin)
    assert client.get("/en/agency/").status_code == 200
    client.post("/en/accounts/reauthenticate/", {"password": world.password})
    response = client.post("/en/accounts/2fa/totp/deactivate/")
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=world.admin, type=Authenticator.Type.TOTP).exists()
    assert client.get("/en/agency/")["Location"] == SETUP


def _age_the_state(client, seconds: int) -> None:
    session = client.session
    state = session[STATE_KEY]
    state[3] -= seconds
    session[STATE_KEY] = state
    session.save()


def test_a_role_given_during_a_session_counts_within_a_minute(client, world):
    client.force_login(world.officer_user_a)
    assert client.get("/en/dashboard/").status_code == 200
    registry.agency_staff_assign(user=world.officer_user_a, agency=world.agency_a, role=AgencyStaff.Role.HEAD)
    assert client.get("/en/dashboard/").status_code == 200  # read again at most once a minute
    _age_the_state(client, 61)
    assert client.get("/en/dashboard/")["Location"] == SETUP


def test_the_rule_can_be_turned_off(client, world, settings):
    settings.MFA_REQUIRED_FOR_STAFF = False
    client.force_login(world.admin)
    assert client.get("/en/agency/").status_code == 200


# --- cost ------------------------------------------------------------------------------------------


def _run(user, session, path="/en/dashboard/"):
    request = RequestFactory().get(path)
    request.user = user
    request.session = session
    StaffSecurityMiddleware(lambda request: HttpResponse())(request)
    return request.staff_security


def test_the_check_reads_the_roles_and_the_authenticator_once_a_minute(world, django_assert_num_queries):
    TOTP.activate(world.admin, generate_totp_secret())
    session = SessionStore()
    admin = get_user_model().objects.get(pk=world.admin.pk)
    with django_assert_num_queries(2):  # the groups (shared with the page's own role checks), TOTP
        assert _run(admin, session) == (True, True)
    admin = get_user_model().objects.get(pk=world.admin.pk)
    with django_assert_num_queries(0):
        assert _run(admin, session) == (True, True)

    officer = get_user_model().objects.get(pk=world.officer_user_a.pk)
    session = SessionStore()
    with django_assert_num_queries(2):  # the groups and the agency roles; no TOTP lookup
        assert _run(officer, session) == (False, False)
    officer = get_user_model().objects.get(pk=world.officer_user_a.pk)
    with django_assert_num_queries(0):
        assert _run(officer, session) == (False, False)


# --- idle staff sessions -----------------------------------------------------------------------------


def test_an_idle_staff_session_ends_and_says_why(client, world, settings):
    TOTP.activate(world.head_a, generate_totp_secret())
    client.force_login(world.head_a)
    roster = f"/en/agency/{world.agency_a.id}/roster/"
    assert client.get(roster).status_code == 200
    _age_the_state(client, settings.STAFF_SESSION_IDLE_SECONDS - 30)
    assert client.get(roster).status_code == 200  # still within the limit: the timer restarts
    _age_the_state(client, settings.STAFF_SESSION_IDLE_SECONDS - 30)
    assert client.get(roster).status_code == 200
    _age_the_state(client, settings.STAFF_SESSION_IDLE_SECONDS + 1)
    response = client.get(roster, follow=True)
    assert response.redirect_chain[0][0].startswith("/en/accounts/login/")
    assert "logged out after a period without activity" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_an_idle_trainee_session_does_not_end(client, world, settings):
    client.force_login(world.officer_user_a)
    assert client.get("/en/training/").status_code == 200
    _age_the_state(client, settings.STAFF_SESSION_IDLE_SECONDS * 4)
    assert client.get("/en/training/").status_code == 200
