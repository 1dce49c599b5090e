import pytest

from certification import services as registry

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a-demo-password-for-tests"


@pytest.fixture
def demo_user(site):
    return registry.user_ensure(email="officer@demo.carsi.test", password=PASSWORD, first_name="Ana")


def test_home_page_in_spanish_and_english(live_server, site, page):
    page.goto(f"{live_server.url}/es/")
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.locator("h1").inner_text() == "Capacitación CARSI"
    assert page.get_by_test_id("login-link").inner_text() == "Iniciar sesión"

    page.get_by_role("link", name="English").click()
    page.wait_for_url(f"{live_server.url}/en/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "CARSI Training"

    page.get_by_role("link", name="Español").click()
    page.wait_for_url(f"{live_server.url}/es/")


def test_demo_user_logs_in_and_out(live_server, demo_user, page):
    page.goto(f"{live_server.url}/en/")
    page.get_by_test_id("login-link").click()
    page.get_by_label("Email").fill("officer@demo.carsi.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(f"{live_server.url}/en/dashboard/")
    assert "Logged in as officer@demo.carsi.test" in page.content()

    page.get_by_test_id("logout").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("login-link").is_visible()
    assert "Logged in as" not in page.content()


def test_wrong_password_is_refused_in_spanish(live_server, demo_user, page):
    page.goto(f"{live_server.url}/es/accounts/login/")
    page.locator("input[name=login]").fill("officer@demo.carsi.test")
    page.locator("input[name=password]").fill("not-the-password")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.get_by_test_id("login-link").is_visible()
