"""A staff member who logs in without a second factor cannot reach any staff page: every one of
them, the Wagtail admin's included, lands on the authenticator setup. They read the secret off
the page into an authenticator (here: the test computes the code), and then their pages open."""

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)

pytestmark = pytest.mark.django_db(transaction=True)


def code_for(secret: str) -> str:
    """What an authenticator app shows now for this secret."""
    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))


def log_in_with_code(page, live_server, email, password, secret, language="es"):
    """The login of a person with TOTP: the password, then the code of the moment."""
    page.goto(f"{live_server.url}/{language}/accounts/login/")
    page.locator("main input[name=login]").fill(email)
    page.locator("main input[name=password]").fill(password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"**/{language}/accounts/2fa/authenticate/")
    page.locator("main input[name=code]").fill(code_for(secret))
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(f"**/{language}/dashboard/")


@pytest.fixture(autouse=True)
def _enforced(settings):
    settings.MFA_REQUIRED_FOR_STAFF = True


def test_an_agency_head_without_totp_reaches_no_staff_page_until_it_is_set_up(live_server, world, page):
    roster = f"{live_server.url}/en/agency/{world.agency_a.id}/roster/"
    setup = "**/en/accounts/2fa/totp/activate/"

    page.goto(f"{live_server.url}/en/accounts/login/")
    page.locator("main input[name=login]").fill(world.head_a.email)
    page.locator("main input[name=password]").fill(world.password)
    page.locator("main form button[type=submit]").click()
    # Sent on from the dashboard; allauth asks for the password again before adding a factor.
    page.wait_for_url("**/en/accounts/reauthenticate/**")
    assert "needs two-factor authentication" in page.locator("main").inner_text()
    page.locator("main input[name=password]").fill(world.password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(setup)

    # Nothing else opens: not the roster, not the personnel list, not the admin, not the home page.
    for url in (
        roster,
        f"{live_server.url}/en/agency/{world.agency_a.id}/personnel/",
        f"{live_server.url}/admin/",
        f"{live_server.url}/en/",
    ):
        page.goto(url)
        assert page.url.endswith("/accounts/2fa/totp/activate/"), url
    assert "Certification roster" not in page.content()

    # The secret on the page goes into an authenticator; its code turns TOTP on.
    secret = page.locator("#authenticator_secret").input_value()
    assert len(secret) >= 16
    page.locator("main input[name=code]").fill(code_for(secret))
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/en/accounts/2fa/recovery-codes/")
    kinds = set(Authenticator.objects.filter(user=world.head_a).values_list("type", flat=True))
    assert kinds == {Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES}

    page.goto(roster)
    assert page.url == roster
    assert page.locator("main h1").inner_text() == "Certification roster"


def test_next_time_the_head_logs_in_with_the_code(live_server, world, page):
    secret = generate_totp_secret()
    TOTP.activate(world.head_a, secret)
    log_in_with_code(page, live_server, world.head_a.email, world.password, secret, language="en")
    roster = f"{live_server.url}/en/agency/{world.agency_a.id}/roster/"
    page.goto(roster)
    assert page.url == roster
    assert page.locator("main h1").inner_text() == "Certification roster"


def test_a_trainee_is_not_asked(live_server, world, page):
    page.goto(f"{live_server.url}/en/accounts/login/")
    page.locator("main input[name=login]").fill(world.officer_user_a.email)
    page.locator("main input[name=password]").fill(world.password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/en/dashboard/")
    page.goto(f"{live_server.url}/en/training/")
    assert page.url.endswith("/en/training/")
