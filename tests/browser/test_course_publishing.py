"""An instructor writes a module in the admin and submits it; an administrator publishes it;
a visitor finds it through the catalogue in Spanish and in English."""

import re

import pytest
from django.contrib.auth.models import Group
from wagtail.models import Locale
from wagtail.users.models import UserProfile

from certification import services as registry
from certification.roles import PROGRAM_ADMINISTRATORS
from courses import services
from courses.models import ModulePage

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a-demo-password-for-tests"


@pytest.fixture
def world(site):
    es, en = Locale.objects.get(language_code="es"), Locale.objects.get(language_code="en")
    catalogue = services.catalogue_ensure(home=site, title="Catálogo de cursos", slug="cursos")
    services.catalogue_ensure(home=site.get_translation(en), title="Course catalogue", slug="courses")
    services.courses_setup()
    track = services.track_upsert(
        slug="border-security", name_es="Seguridad fronteriza", name_en="Border security"
    )
    course = services.course_create(
        catalogue=catalogue,
        title="Interdicción fronteriza",
        slug="interdiccion-fronteriza",
        code="BSI-101",
        track=track,
        hours=40,
        summary="Control de personas y mercancías en los puestos fronterizos.",
        online=True,
    )
    services.page_translate(
        page=course,
        locale=en,
        fields={"title": "Border interdiction", "slug": "border-interdiction", "summary": "Border posts."},
    )
    instructor = registry.user_ensure(email="instructor@demo.carsi.test", password=PASSWORD)
    services.course_assign_instructor(course=course, user=instructor)
    admin = registry.user_ensure(email="admin@demo.carsi.test", password=PASSWORD)
    admin.groups.add(Group.objects.get(name=PROGRAM_ADMINISTRATORS))
    for user in (instructor, admin):  # the admin's own interface in English, whatever the browser
        profile = UserProfile.get_for_user(user)
        profile.preferred_language = "en"
        profile.save()
    return {"course": course, "es": es, "en": en}


def log_in(page, live_server, email):
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/admin/")
    page.wait_for_url(re.compile(r".*/accounts/login/.*"))
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(re.compile(r".*/admin/$"))


def add_block(page, label: str) -> None:
    page.locator("button[title='Insert a block']").last.click()
    page.get_by_role("option", name=label).click()


def test_instructor_writes_admin_publishes_visitor_reads(live_server, page, world, settings):
    # Wagtail's autosave and collaborative-editing pings are not part of this path; on the
    # in-memory SQLite database of the test run they would race the page's own requests.
    settings.WAGTAIL_AUTOSAVE_INTERVAL = 0
    settings.WAGTAIL_EDITING_SESSION_PING_INTERVAL = 10**9
    course = world["course"]

    # The instructor adds a module with three kinds of blocks and submits it for review.
    log_in(page, live_server, "instructor@demo.carsi.test")
    page.goto(f"{live_server.url}/admin/pages/add/courses/modulepage/{course.pk}/")
    page.locator("#id_title").fill("Contrabando en compartimentos ocultos")
    add_block(page, "Glossary term")
    page.locator("input[name='body-0-value-term']").fill("Caleta")
    page.locator("textarea[name='body-0-value-definition']").fill("Compartimento oculto en un vehículo.")
    add_block(page, "Checklist")
    page.locator("input[name='body-1-value-title']").fill("Revise siempre")
    page.locator("input[name='body-1-value-items-0-value']").fill("Tornillos con marcas de herramienta")
    add_block(page, "Step-by-step procedure")
    page.locator("input[name='body-2-value-title']").fill("Registro del piso")
    page.locator("input[name='body-2-value-steps-0-value-instruction']").fill(
        "Apague el motor y retire las llaves."
    )
    page.get_by_role("button", name="More actions").click()
    page.get_by_role("button", name=re.compile(r"Submit to Course review")).click()
    page.get_by_text("submitted for moderation").wait_for()
    page.wait_for_load_state("networkidle")

    module = ModulePage.objects.get(title="Contrabando en compartimentos ocultos")
    assert not module.live
    assert module.current_workflow_task_state is not None
    assert [block.block_type for block in module.get_latest_revision_as_object().body] == [
        "glossary_term",
        "checklist",
        "procedure",
    ]

    # An anonymous visitor does not see it yet.
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/es/cursos/interdiccion-fronteriza/")
    assert "Contrabando en compartimentos ocultos" not in page.content()

    # A program administrator reviews it and approves: it is published.
    log_in(page, live_server, "admin@demo.carsi.test")
    page.goto(f"{live_server.url}/admin/pages/{module.pk}/edit/")
    page.wait_for_load_state("networkidle")
    page.get_by_role("button", name="More actions").click()
    page.get_by_role("button", name="Approve and Publish").click()
    page.get_by_text("has been updated").wait_for()
    page.wait_for_load_state("networkidle")
    module.refresh_from_db()
    assert module.live
    assert module.current_workflow_state is None

    # The English translation (the translators' step, done here through the service).
    services.page_translate(
        page=module,
        locale=world["en"],
        fields={"title": "Smuggling in hidden compartments", "slug": "hidden-compartments"},
    )

    # A visitor finds it through the catalogue, in Spanish and in English.
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/es/cursos/")
    page.locator("input[name=q]").fill("compartimentos ocultos")
    page.locator("form[role=search] button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/es/cursos/\?.*"))
    assert page.get_by_text("Contrabando en compartimentos ocultos").is_visible()
    page.get_by_role("link", name="Interdicción fronteriza").first.click()
    page.wait_for_url(f"{live_server.url}/es/cursos/interdiccion-fronteriza/")
    assert page.get_by_text("Contrabando en compartimentos ocultos").is_visible()

    page.get_by_role("link", name="English").click()
    page.wait_for_url(f"{live_server.url}/en/courses/border-interdiction/")
    assert page.get_by_text("Smuggling in hidden compartments").is_visible()
    page.goto(f"{live_server.url}/en/courses/?q=hidden+compartments")
    assert page.get_by_text("Smuggling in hidden compartments").is_visible()
    assert page.get_by_role("link", name="Border interdiction").first.is_visible()
