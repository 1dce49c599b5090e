"""Two-factor authentication (TOTP with recovery codes) is open to every user."""

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    SECRET_SESSION_KEY,
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)

from certification import services as registry

pytestmark = pytest.mark.django_db

EMAIL, PASSWORD = "officer@demo.carsi.test", "a-long-test-password-1"


def current_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))


@pytest.fixture
def logged_in(client, site):
    user = registry.user_ensure(email=EMAIL, password=PASSWORD)
    response = client.post("/en/accounts/login/", {"login": EMAIL, "password": PASSWORD})
    assert response.status_code == 302
    return user


def open_activation(client) -> None:
    """The activation page asks for the password again first (allauth's reauthentication)."""
    response = client.get("/en/accounts/2fa/totp/activate/")
    if response.status_code == 302 and "/reauthenticate/" in response["Location"]:
        response = client.post(response["Location"], {"password": PASSWORD})
        assert response.status_code == 302
        response = client.get("/en/accounts/2fa/totp/activate/")
    assert response.status_code == 200


def activate_totp(client) -> str:
    open_activation(client)
    secret = client.session[SECRET_SESSION_KEY]
    response = client.post("/en/accounts/2fa/totp/activate/", {"code": current_code(secret)})
    assert response.status_code == 302, response.content.decode()[:500]
    return secret


def test_a_user_turns_on_totp_and_gets_recovery_codes(client, logged_in):
    activate_totp(client)
    kinds = set(Authenticator.objects.filter(user=logged_in).values_list("type", flat=True))
    assert kinds == {Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES}
    page = client.get("/es/accounts/2fa/recovery-codes/")
    assert page.status_code == 200
    assert "recuperación" in page.content.decode()


def test_a_wrong_code_turns_nothing_on(client, logged_in):
    open_activation(client)
    response = client.post("/en/accounts/2fa/totp/activate/", {"code": "000000"})
    assert response.status_code == 200
    assert "Incorrect code" in response.content.decode()
    assert not Authenticator.objects.filter(user=logged_in).exists()


def test_after_activation_login_asks_for_the_code(client, logged_in):
    secret = activate_totp(client)
    client.post("/en/accounts/logout/")
    response = client.post("/en/accounts/login/", {"login": EMAIL, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/en/accounts/2fa/authenticate/"
    assert client.get("/en/dashboard/").status_code == 302  # not logged in before the code
    response = client.post("/en/accounts/2fa/authenticate/", {"code": current_code(secret)})
    assert response.status_code == 302
    assert client.get("/en/dashboard/").status_code == 200
