"""The Content Security Policy holds in a real browser: the public site's pages that run our
scripts (the exam's autosave, a certificate batch's progress), the login with its second factor,
and the Wagtail admin's page editor (under its own, looser policy) report no violation."""

import contextlib

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from playwright.sync_api import Error as PlaywrightError

from certification.models import CertificateBatch
from tests.browser.test_exam_flow import exam
from tests.browser.test_mfa_required import code_for, log_in_with_code

SHARED_FIXTURES = (exam,)

pytestmark = pytest.mark.django_db(transaction=True)

# Every violation reaches the page as a `securitypolicyviolation` event; an init script runs
# outside the page's policy, so it can always listen.
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__csp.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`);
});
"""


@pytest.fixture
def watched(page):
    """The page, and the violations seen on it (console messages and events)."""
    seen = []
    page.on(
        "console",
        lambda message: seen.append(message.text) if "Content Security Policy" in message.text else None,
    )
    page.add_init_script(RECORD_VIOLATIONS)

    def violations() -> list[str]:
        return seen + page.evaluate("window.__csp || []")

    page.violations = violations
    return page


def policy_of(page, url: str) -> str:
    response = page.goto(url)
    return response.headers.get("content-security-policy", "")


def test_the_exam_page_and_its_autosave_run_under_the_site_policy(live_server, world, exam, watched):
    page = watched
    header = policy_of(page, f"{live_server.url}/es/")
    assert "script-src 'self';" in header and "unsafe-inline" not in header
    assert page.violations() == []

    page.goto(f"{live_server.url}/es/accounts/login/")
    page.locator("main input[name=login]").fill(world.officer_user_a.email)
    page.locator("main input[name=password]").fill(world.password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/es/dashboard/")
    page.goto(f"{live_server.url}/es/exams/{exam.id}/")
    page.get_by_test_id("exam-start").locator("button[type=submit]").click()
    page.wait_for_url("**/es/exams/attempts/*/")
    # exam.js is running: the countdown moves and an answer is saved by fetch().
    timer = page.get_by_test_id("exam-timer")
    page.wait_for_function(
        "(start) => document.getElementById('exam-timer').textContent !== start", arg=timer.inner_text()
    )
    page.locator("main fieldset[data-question] input[type=radio]").first.check()
    page.locator("fieldset[data-saved='true']").first.wait_for()
    assert page.violations() == []


def test_the_batch_progress_script_polls_under_the_site_policy(live_server, world, watched):
    page = watched
    secret = generate_totp_secret()
    TOTP.activate(world.head_a, secret)
    # A batch waiting for a worker: its page polls the JSON status every two seconds.
    batch = CertificateBatch.objects.create(
        kind=CertificateBatch.Kind.AGENCY_ZIP, agency=world.agency_a, requested_by=world.head_a, total=3
    )
    log_in_with_code(page, live_server, world.head_a.email, world.password, secret)
    with page.expect_response(lambda response: response.url.endswith("/status.json")) as polled:
        page.goto(f"{live_server.url}/es/agency/certificate-batches/{batch.id}/")
    assert polled.value.status == 200
    page.get_by_test_id("batch-status").wait_for()
    assert page.violations() == []


def test_the_admin_page_editor_runs_under_the_admin_policy(live_server, world, site, watched):
    page = watched
    secret = generate_totp_secret()
    world.admin.is_superuser = True  # edits any page
    world.admin.save(update_fields=["is_superuser"])
    TOTP.activate(world.admin, secret)
    log_in_with_code(page, live_server, world.admin.email, world.password, secret)
    header = policy_of(page, f"{live_server.url}/admin/pages/{site.pk}/edit/")
    assert "frame-ancestors 'self'" in header
    page.locator("form#page-edit-form, form[data-edit-form]").first.wait_for()
    page.locator("main input[name=title]").wait_for()
    assert page.violations() == []
    # The admin's policy stays in the admin: the public site's is the strict one.
    assert "unsafe-inline" not in policy_of(page, f"{live_server.url}/es/")
    assert page.violations() == []


def test_the_totp_setup_page_and_its_qr_code_under_the_site_policy(live_server, world, settings, watched):
    page = watched
    settings.MFA_REQUIRED_FOR_STAFF = True
    page.goto(f"{live_server.url}/en/accounts/login/")
    page.locator("main input[name=login]").fill(world.instructor.email)
    page.locator("main input[name=password]").fill(world.password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/reauthenticate/**")
    page.locator("main input[name=password]").fill(world.password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/accounts/2fa/totp/activate/")
    qr = page.locator("main img").first
    assert qr.get_attribute("src").startswith("data:image/svg+xml")
    assert page.evaluate("(img) => img.complete && img.naturalWidth > 0", qr.element_handle())
    secret = page.locator("#authenticator_secret").input_value()
    page.locator("main input[name=code]").fill(code_for(secret))
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/accounts/2fa/recovery-codes/")
    assert page.violations() == []


def test_an_inline_script_is_blocked_and_seen(live_server, site, watched):
    """The watch itself works: what an injected `<script>` block would do is refused and reported."""
    page = watched
    page.goto(f"{live_server.url}/es/")
    with contextlib.suppress(PlaywrightError):  # Playwright may report the blocked script as an error
        page.add_script_tag(content="window.__ran = true;")
    assert page.evaluate("window.__ran === undefined")
    assert any("script-src" in violation for violation in page.violations())
