"""An agency head nominates two officers, the administrator approves one and rejects one, the
approved officer logs in, completes a module and sees the progress bar move."""

import datetime

import pytest
from django.utils import timezone

from courses import services
from courses import services_enrollment as svc
from courses.models import ClassSession, Enrollment
from tests.browser.test_personnel_import import log_in

pytestmark = pytest.mark.django_db(transaction=True)

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


@pytest.fixture
def open_session(world, site):
    catalogue = services.catalogue_ensure(home=site, title="Catálogo de cursos", slug="cursos")
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
        summary="Control de personas y mercancías.",
        online=True,
        publish=True,
    )
    for i in (1, 2):
        services.module_create(
            course=course,
            title=f"Módulo {i}",
            slug=f"modulo-{i}",
            body=[{"type": "text", "value": {"heading": "Tema", "text": "<p>Texto.</p>"}}],
        )
    session = svc.session_create(
        actor=world.admin,
        course=course,
        code="BSI-101-01",
        starts_on=TODAY + 10 * DAY,
        ends_on=TODAY + 14 * DAY,
        nomination_deadline=TODAY + 5 * DAY,
        capacity=10,
        city="Ciudad de Guatemala",
        country=world.gt,
    )
    svc.session_transition(actor=world.admin, session=session, to_status=ClassSession.Status.OPEN)
    return session


def log_out(page):
    page.context.clear_cookies()


def test_nomination_to_progress(live_server, world, open_session, page):
    # The agency head nominates two officers at once.
    log_in(page, live_server, "head.a@test.carsi", world.password)
    page.locator(f"main a[href$='/training/agency/{world.agency_a.id}/']").click()
    form = page.get_by_test_id("nomination-form")
    form.locator("select[name=session]").select_option(str(open_session.id))
    form.locator(f"input[name=trainees][value='{world.trainee_a.id}']").check()
    form.locator(f"input[name=trainees][value='{world.trainee_a2.id}']").check()
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"**/es/training/agency/{world.agency_a.id}/")
    assert page.get_by_test_id("agency-enrollments").locator("tbody tr").count() == 2
    assert Enrollment.objects.filter(status=Enrollment.Status.NOMINATED).count() == 2
    log_out(page)

    # The administrator approves one and rejects the other with a reason.
    log_in(page, live_server, "admin@test.carsi", world.password)
    page.locator("main a[href$='/training/queue/']").click()
    page.wait_for_url("**/es/training/queue/")
    rows = page.get_by_test_id("queue-row")
    assert rows.count() == 2
    rows.filter(has_text=world.trainee_a.first_surname).locator("form.queue-approve button").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("queue-row").count() == 1
    row = page.get_by_test_id("queue-row").filter(has_text=world.trainee_a2.first_surname)
    row.locator("input[name=reason]").fill("Sin cupo presupuestario.")
    row.locator("form.queue-reject button").click()
    page.wait_for_function("document.querySelectorAll('[data-testid=queue-row]').length === 0")
    statuses = dict(Enrollment.objects.values_list("trainee_id", "status"))
    assert statuses == {world.trainee_a.id: "approved", world.trainee_a2.id: "rejected"}
    log_out(page)

    # The approved officer completes a module and sees the progress bar move.
    log_in(page, live_server, "officer.a@test.carsi", world.password)
    page.locator("main a[href$='/es/training/']").click()
    page.wait_for_url("**/es/training/")
    bar = page.locator("main progress").first
    assert bar.get_attribute("value") == "0" and bar.get_attribute("max") == "2"
    page.locator("main [data-testid=current-course] a[role=button]").click()
    page.locator("main form.module-complete button[type=submit]").click()
    page.get_by_test_id("module-done").wait_for()
    page.goto(f"{live_server.url}/es/training/")
    bar = page.locator("main progress").first
    assert bar.get_attribute("value") == "1"
    assert "1" in page.get_by_test_id("progress-text").inner_text()
