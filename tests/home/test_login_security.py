"""Every login goes through allauth, the Wagtail admin's included; failed logins are limited per
address and per account, and a locked-out person is told what to do; a changed password ends
every session of the account."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.test import Client

from certification import services as registry
from config.settings import base

pytestmark = pytest.mark.django_db

EMAIL, PASSWORD = "officer@demo.carsi.test", "a-long-test-password-1"
LOGIN = "/en/accounts/login/"


@pytest.fixture
def officer(site):
    return registry.user_ensure(email=EMAIL, password=PASSWORD)


@pytest.fixture
def limits(settings):
    # The test settings turn allauth's limits off for the rest of the suite; here, the real ones.
    settings.ACCOUNT_RATE_LIMITS = base.ACCOUNT_RATE_LIMITS


def attempt(client, email, password, address="10.0.0.1"):
    return client.post(LOGIN, {"login": email, "password": password}, REMOTE_ADDR=address)


def test_the_configured_limits_count_failures_per_address_and_per_account():
    assert base.ACCOUNT_RATE_LIMITS["login_failed"] == "20/m/ip,5/5m/key"


def test_five_failures_lock_the_account_even_for_the_right_password(client, officer, limits):
    for _ in range(5):
        response = attempt(client, EMAIL, "wrong-password")
        assert response.status_code == 200
        assert "Too many failed login attempts" not in response.content.decode()
    # From another address too: the limit is the account's.
    response = attempt(client, EMAIL, PASSWORD, address="10.9.9.9")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Too many failed login attempts" in page
    assert 'data-testid="login-locked"' in page
    assert "Wait five" in page and "Forgot Password?" in page
    assert "_auth_user_id" not in client.session
    # Another account from the same address is not locked by it.
    registry.user_ensure(email="other@demo.carsi.test", password=PASSWORD)
    assert attempt(client, "other@demo.carsi.test", PASSWORD).status_code == 302


def test_the_locked_out_message_in_spanish(client, officer, limits):
    for _ in range(5):
        client.post("/es/accounts/login/", {"login": EMAIL, "password": "wrong"})
    response = client.post("/es/accounts/login/", {"login": EMAIL, "password": PASSWORD})
    assert 'data-testid="login-locked"' in response.content.decode()
    assert response.wsgi_request.LANGUAGE_CODE == "es"


def test_one_address_trying_many_accounts_is_stopped(client, officer, limits):
    for number in range(20):
        assert attempt(client, f"nobody{number}@demo.carsi.test", "guess").status_code == 200
    response = attempt(client, EMAIL, PASSWORD)
    assert "Too many failed login attempts" in response.content.decode()
    assert attempt(client, EMAIL, PASSWORD, address="10.0.0.2").status_code == 302


def test_a_successful_login_does_not_clear_the_failures(client, officer, limits):
    for _ in range(4):
        attempt(client, EMAIL, "wrong-password")
    assert attempt(client, EMAIL, PASSWORD).status_code == 302
    client.post("/en/accounts/logout/")
    attempt(client, EMAIL, "wrong-password")
    assert "Too many failed login attempts" in attempt(client, EMAIL, PASSWORD).content.decode()


def test_wrong_second_factor_codes_are_limited_too(client, officer, limits):
    TOTP.activate(officer, generate_totp_secret())
    assert attempt(client, EMAIL, PASSWORD)["Location"] == "/en/accounts/2fa/authenticate/"
    for _ in range(5):
        response = client.post("/en/accounts/2fa/authenticate/", {"code": "000000"})
        assert "Incorrect code" in response.content.decode()
    response = client.post("/en/accounts/2fa/authenticate/", {"code": "000000"})
    assert "Too many failed login attempts" in response.content.decode()


# --- the Wagtail admin's login --------------------------------------------------------------------


def test_the_admin_login_page_is_allauths(client, officer):
    response = client.get("/admin/login/", headers={"accept-language": "en"})
    assert response.status_code == 302
    assert response["Location"] == "/en/accounts/login/?next=%2Fadmin%2F"
    response = client.get("/admin/login/?next=/admin/pages/", headers={"accept-language": "en"})
    assert response["Location"] == "/en/accounts/login/?next=%2Fadmin%2Fpages%2F"
    response = client.get("/admin/", headers={"accept-language": "en"})
    assert response["Location"].startswith("/en/accounts/login/?next=")


def test_posting_to_the_admin_login_logs_nobody_in(client, world):
    response = client.post("/admin/login/", {"username": world.admin.email, "password": world.password})
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert "_auth_user_id" not in client.session


def test_wagtail_has_no_password_page_of_its_own(client, world, settings):
    settings.MFA_REQUIRED_FOR_STAFF = False
    client.force_login(world.admin)
    page = client.get("/admin/account/").content.decode()
    assert 'name="password_old_password"' not in page
    assert client.get("/admin/password_reset/", follow=True).status_code == 404


# --- sessions -------------------------------------------------------------------------------------


def test_a_password_change_logs_the_account_out_everywhere(officer):
    here, elsewhere = Client(), Client()
    for client in (here, elsewhere):
        assert client.post(LOGIN, {"login": EMAIL, "password": PASSWORD}).status_code == 302
        assert client.get("/en/dashboard/").status_code == 200
    response = here.post(
        "/en/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": "another-long-pass-2", "password2": "another-long-pass-2"},
    )
    assert response.status_code == 302
    for client in (here, elsewhere):
        response = client.get("/en/dashboard/")
        assert response.status_code == 302
        assert response["Location"].startswith("/en/accounts/login/")
    assert Client().post(LOGIN, {"login": EMAIL, "password": "another-long-pass-2"}).status_code == 302
