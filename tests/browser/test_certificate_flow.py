"""An officer completes the last module of a course, finds the certificate in My training and
downloads its PDF; a visitor who is not logged in verifies it from the code (typed by hand, in
Spanish and in English, or opened from the QR code's link); the administrator revokes it and
the verification page and API say so at once."""

import hashlib
import io
import json
import unicodedata
import zoneinfo

import pytest
from django.conf import settings
from django.utils import formats, timezone, translation
from playwright.sync_api import expect
from pypdf import PdfReader

from certification import services as registry
from certification.certificate_pdf import verification_url
from certification.models import Certificate, CredentialSignatory, Trainee
from certification.services_certificates import verification_code_display
from certification.services_personnel import trainee_create
from courses import services
from courses import services_enrollment as svc
from courses.models import CoursePage, Enrollment
from tests.browser.test_personnel_import import log_in

pytestmark = pytest.mark.django_db(transaction=True)

OFFICER_EMAIL = "jose.nunez@test.carsi"
FULL_NAME = "José Ángel Núñez Ávila"
SHORT_NAME = "José Ángel N."  # what a checkpoint sees by default: given names + initial
REASON = "Obtenido con documentos falsos."


@pytest.fixture
def almost_done(world, site):
    """A self-paced course awarding a credential (with a signatory); the officer enrolled has
    completed its first module of two."""
    credential = registry.credential_upsert(
        code="border-interdiction",
        name_es="Interdicción fronteriza",
        name_en="Border interdiction",
        validity_months=24,
    )
    # Signatories have no service: they are kept in the Wagtail admin (a model form).
    signatory = CredentialSignatory(
        credential=credential,
        position=1,
        name="Ana Lucía Herrera",
        title_es="Directora del Programa",
        title_en="Program Director",
    )
    signatory.full_clean()
    signatory.save()
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
        admission=CoursePage.Admission.SELF_ENROLMENT,
        credential=credential,
        publish=True,
    )
    modules = [
        services.module_create(
            course=course,
            title=f"Módulo {i}",
            slug=f"modulo-{i}",
            body=[{"type": "text", "value": {"heading": "Tema", "text": "<p>Texto.</p>"}}],
        )
        for i in (1, 2)
    ]
    user = registry.user_ensure(email=OFFICER_EMAIL, password=world.password)
    officer = trainee_create(
        actor=None,
        agency=world.agency_a,
        id_country=world.gt,
        id_type=Trainee.IdType.NATIONAL_ID,
        id_number="2547 81234 0303",
        given_names="José Ángel",
        first_surname="Núñez",
        second_surname="Ávila",
        badge_number="PNC-3",
        unit=world.unit_a,
        sex="M",
        user=user,
    )
    assert officer.full_name == FULL_NAME
    enrollment = svc.enrollment_self_enroll(user=user, course=course)
    svc.module_complete(user=user, module=modules[0])
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.ENROLLED
    assert not Certificate.objects.exists()
    return enrollment


@pytest.fixture
def new_page(browser):
    """Pages in fresh browser contexts (no cookies: another person), closed at the end."""
    contexts = []

    def make(locale="es-GT"):
        context = browser.new_context(locale=locale)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield make
    for context in contexts:
        context.close()


def pdf_text(data: bytes) -> str:
    """The PDF's text, composed (NFC) and with whitespace collapsed to single spaces."""
    reader = PdfReader(io.BytesIO(data))
    text = unicodedata.normalize("NFC", "\n".join(page.extract_text() for page in reader.pages))
    return " ".join(text.split())


def typed_by_hand(code: str) -> str:
    """ABCD-EFGH-JKMN as someone copies it from paper: "abcd efgh jkmn"."""
    return code.replace("-", " ").lower()


def verify_by_typing(page, live_server, language: str, typed: str, code: str) -> None:
    page.goto(f"{live_server.url}/{language}/verify/")
    form = page.locator("main form[role=search]")
    form.locator("input[name=code]").fill(typed)
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"**/{language}/verify/{code}/")


def long_date(day, language: str) -> str:
    with translation.override(language):
        return formats.date_format(day, "DATE_FORMAT")


def api_facts(page, live_server, code: str) -> dict:
    response = page.context.request.get(f"{live_server.url}/api/v1/verify/{code}/")
    assert response.status == 200 and response.headers["content-type"].startswith("application/json")
    return json.loads(response.text())


def test_complete_download_verify_and_revoke(live_server, world, almost_done, page, new_page):
    # The officer logs in, opens My training and completes the last module.
    log_in(page, live_server, OFFICER_EMAIL, world.password)
    page.locator("main a[href$='/es/training/']").click()
    page.wait_for_url("**/es/training/")
    assert page.get_by_test_id("my-certificates").count() == 0
    course = page.get_by_test_id("current-course")
    assert "1" in course.get_by_test_id("progress-text").inner_text()
    course.locator("a[role=button]").click()
    page.wait_for_url("**/modulo-2/")
    page.locator("main form.module-complete button[type=submit]").click()
    page.get_by_test_id("module-done").wait_for()
    almost_done.refresh_from_db()
    assert almost_done.status == Enrollment.Status.COMPLETED
    certificate = Certificate.objects.get()
    assert certificate.trainee == almost_done.trainee and certificate.pdf and certificate.pdf_sha256
    code = verification_code_display(certificate.verification_code)

    # My certificates lists it; the PDF downloads, byte for byte the stored one.
    page.goto(f"{live_server.url}/es/training/")
    mine = page.get_by_test_id("my-certificates")
    assert mine.locator("li").count() == 1
    assert "Interdicción fronteriza" in mine.inner_text() and certificate.serial in mine.inner_text()
    assert page.get_by_test_id("current-course").count() == 0
    with page.expect_download() as info:
        mine.get_by_test_id("certificate-download").click()
    download = info.value
    assert download.suggested_filename == f"{certificate.serial}.pdf"
    with open(download.path(), "rb") as downloaded:
        data = downloaded.read()
    assert data.startswith(b"%PDF-")
    assert hashlib.sha256(data).hexdigest() == certificate.pdf_sha256
    text = pdf_text(data)
    for expected in (FULL_NAME, certificate.serial, code, "Ana Lucía Herrera", "Interdicción fronteriza"):
        assert expected in text, expected

    # A visitor at a checkpoint types the code from the paper, in small letters with spaces.
    visitor = new_page("es-GT")
    verify_by_typing(visitor, live_server, "es", typed_by_hand(code), code)
    assert visitor.get_by_test_id("verify-status").inner_text().strip() == "Vigente"
    assert visitor.get_by_test_id("verify-holder").inner_text() == SHORT_NAME
    main = visitor.locator("main").inner_text()
    assert "Interdicción fronteriza" in main and certificate.serial in main and code in main
    assert "Núñez" not in visitor.content() and "Ávila" not in visitor.content()

    # Another one reads English, and types it with hyphens in mixed case.
    english = new_page("en-US")
    mixed = f"{code[:5].lower()} - {code[5:]}"  # "abcd- - EFGH-JKMN": hyphens, spaces, both cases
    verify_by_typing(english, live_server, "en", mixed, code)
    assert english.get_by_test_id("verify-status").inner_text().strip() == "Valid"
    assert english.get_by_test_id("verify-holder").inner_text() == SHORT_NAME
    main = english.locator("main").inner_text()
    assert "Border interdiction" in main and "Certificate verification" in main
    assert "Núñez" not in english.content()

    # The QR code's link has no language prefix: a phone opens it in its own language.
    scanned = verification_url(certificate).replace(settings.WAGTAILADMIN_BASE_URL, live_server.url)
    phone = new_page("en-US")
    phone.goto(scanned)
    phone.wait_for_url(f"**/en/verify/{certificate.verification_code}/")
    assert phone.get_by_test_id("verify-status").inner_text().strip() == "Valid"

    facts = api_facts(visitor, live_server, code)
    assert facts["status"] == "valid" and facts["valid"] is True
    assert facts["holder"] == SHORT_NAME and facts["serial"] == certificate.serial
    assert facts["status_changed_on"] is None

    # The administrator opens the certificate's page and revokes it with a reason.
    admin = new_page("es-GT")
    log_in(admin, live_server, "admin@test.carsi", world.password)
    admin.goto(f"{live_server.url}/es/agency/certificates/{certificate.id}/")
    assert admin.get_by_test_id("certificate-status").inner_text().strip() == "Vigente"
    form = admin.get_by_test_id("certificate-status-form")
    form.locator("select[name=status]").select_option("revoked")
    form.locator("textarea[name=reason]").fill(REASON)
    form.locator("button[type=submit]").click()
    # The same address after the redirect: wait for the new status rather than the navigation.
    expect(admin.get_by_test_id("certificate-status")).to_contain_text("Revocado")
    assert REASON in admin.get_by_test_id("certificate-status").inner_text()
    assert admin.get_by_test_id("certificate-status-form").count() == 0  # revoking is final
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.REVOKED and certificate.status_reason == REASON
    revoked_on = timezone.localdate(certificate.status_changed_at, zoneinfo.ZoneInfo(settings.TIME_ZONE))

    # The visitors reload: revoked, with the date; the reason stays private.
    visitor.reload()
    assert visitor.get_by_test_id("verify-status").inner_text().strip() == (
        f"Revocado el {long_date(revoked_on, 'es')}"
    )
    assert REASON not in visitor.content()
    english.reload()
    assert english.get_by_test_id("verify-status").inner_text().strip() == (
        f"Revoked on {long_date(revoked_on, 'en')}"
    )
    facts = api_facts(visitor, live_server, code)
    assert facts["status"] == "revoked" and facts["valid"] is False
    assert facts["status_changed_on"] == revoked_on.isoformat()
    assert REASON not in json.dumps(facts, ensure_ascii=False)

    # The officer's My training says so too.
    page.goto(f"{live_server.url}/es/training/")
    assert "Revocado" in page.get_by_test_id("my-certificates").inner_text()
