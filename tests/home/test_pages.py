import pytest
from django.utils import timezone

from certification import services as registry
from certification.models import AgencyStaff

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "title", "login"),
    [("es", "Capacitación CARSI", "Iniciar sesión"), ("en", "CARSI Training", "Log in")],
)
def test_home_page_in_each_language(client, site, language, title, login):
    response = client.get(f"/{language}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert f"<h1>{title}</h1>" in html
    assert login in html
    other = "en" if language == "es" else "es"
    assert f'href="/{other}/" hreflang="{other}"' in html  # the switcher links to the translation


def test_bare_root_redirects_to_a_language(client, site):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    assert response["Location"] == "/en/"


@pytest.mark.parametrize(("language", "label"), [("es", "Contraseña"), ("en", "Password")])
def test_login_page_is_styled_and_translated(client, site, language, label):
    response = client.get(f"/{language}/accounts/login/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "pico.min.css" in html  # inside the site's own layout
    assert label in html
    assert "signup" not in html.lower().replace("sign up", "")


def test_sign_up_is_closed(client, site):
    response = client.post(
        "/en/accounts/signup/",
        {"email": "intruder@example.com", "password1": "Xy7!long-password", "password2": "Xy7!long-password"},
    )
    assert "Sign Up Closed" in response.content.decode()
    from django.contrib.auth import get_user_model

    assert not get_user_model().objects.filter(email="intruder@example.com").exists()


def test_password_reset_sends_an_email_in_the_users_language(client, site, mailoutbox):
    registry.user_ensure(email="officer@demo.carsi.test", password="irrelevant-pass-1")
    response = client.post("/es/accounts/password/reset/", {"email": "officer@demo.carsi.test"})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert "contraseña" in mailoutbox[0].body.lower()


def test_dashboard_needs_login(client, site):
    response = client.get("/en/dashboard/")
    assert response.status_code == 302
    assert response["Location"].startswith("/en/accounts/login/")


def test_dashboard_shows_the_agency_heads_agency_in_its_time_zone(client, site):
    country = registry.country_upsert(code="PA", name_es="Panamá", name_en="Panama")
    agency = registry.agency_upsert(
        country=country,
        acronym="SENAN",
        kind="navy",
        name_es="Servicio Nacional Aeronaval",
        name_en="National Aeronaval Service",
        time_zone="America/Panama",
    )
    user = registry.user_ensure(email="head@demo.carsi.test", password="irrelevant-pass-1")
    registry.agency_staff_assign(user=user, agency=agency, role=AgencyStaff.Role.HEAD)
    client.force_login(user)
    response = client.get("/en/dashboard/")
    assert response.status_code == 200
    assert "National Aeronaval Service" in response.content.decode()
    assert str(timezone.get_current_timezone()) == "America/Panama"


def test_navigation_links_the_catalogue_of_the_readers_language(client, site):
    from wagtail.models import Locale

    from courses.services import catalogue_ensure

    catalogue_ensure(home=site, title="Catálogo de cursos", slug="cursos")
    catalogue_ensure(
        home=site.get_translation(Locale.objects.get(language_code="en")),
        title="Course catalogue",
        slug="courses",
    )
    assert 'href="/es/cursos/"' in client.get("/es/").content.decode()
    assert 'href="/en/courses/"' in client.get("/en/").content.decode()
