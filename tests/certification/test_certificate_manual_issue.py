"""Manual issue and training done elsewhere: program administrators issue a certificate with a
reason, or record outside training with a checked document; a form sent twice issues once;
everyone else gets a 404; every bad input is refused clearly with nothing written; what was
typed reaches the PDF as text, never as markup."""

import datetime
import io
import unicodedata
import uuid
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from certification import services as registry
from certification.certificate_pdf import certificate_html
from certification.forms_certificate_issue import MAX_EVIDENCE_BYTES
from certification.models import Certificate, CertificateEvent, Credential, SerialCounter, Trainee
from certification.selectors import agency_today
from certification.services_certificates import add_months, certificate_issue
from certification.services_personnel import trainee_set_status
from certification.views_certificate_issue import certificate_issue_page

pytestmark = pytest.mark.django_db

URL = "/en/agency/certificates/issue/"
REASON = "Verified by the academy director: course records lost in the 2024 flood."


@pytest.fixture
def credential(world):
    return registry.credential_upsert(
        code="border-interdiction",
        name_es="Interdicción fronteriza",
        name_en="Border interdiction",
        validity_months=24,
    )


@pytest.fixture
def admin(client, world):
    client.force_login(world.admin)
    return client


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 20), "white").save(out, format="PNG")
    return out.getvalue()


def pdf_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (60, 40), "white").save(out, format="PDF")
    return out.getvalue()


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    text = unicodedata.normalize("NFC", "\n".join(page.extract_text() for page in reader.pages))
    return " ".join(text.split())


def fields(world, credential_, **overrides) -> dict:
    data = {
        "agency": world.agency_a.pk,
        "identifier": "PNC-2",  # Óscar O'Connor's badge
        "credential": credential_.pk,
        "source": "manual",
        "reason": REASON,
        "token": str(uuid.uuid4()),
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def external(world, credential, document, **overrides) -> dict:
    data = {
        "source": "external",
        "institution": "ILEA San Salvador",
        "course_name": "Detección de documentos fraudulentos",
        "hours": "32",
        "course_start": "2025-06-02",
        "course_end": "2025-06-06",
        "evidence_document": document,
    }
    data.update(overrides)
    return fields(world, credential, **data)


def evidence_files() -> list[Path]:
    root = Path(django_settings.MEDIA_ROOT) / "certificate-evidence"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def snapshot():
    return (
        list(Certificate.objects.order_by("pk").values_list("pk", "status")),
        CertificateEvent.objects.count(),
        list(SerialCounter.objects.values_list("country_code", "year", "last")),
        evidence_files(),
    )


def post(client, data, capture, url=URL):
    with capture(execute=True):  # the PDF renders once the issue commits
        return client.post(url, data)


# --- success -------------------------------------------------------------------------------------


def test_an_administrator_issues_a_certificate_with_a_reason(
    admin, world, credential, django_capture_on_commit_callbacks
):
    page = admin.get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert '<html lang="en">' in html and "Issue a certificate" in html
    assert "Border interdiction (valid 24 months)" in html
    token = page.context["form"].initial["token"]
    assert f'value="{token}"' in html  # the hidden one-submission key

    response = post(admin, fields(world, credential, token=str(token)), django_capture_on_commit_callbacks)
    certificate = Certificate.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/en/agency/certificates/{certificate.pk}/"
    assert certificate.trainee == world.trainee_a2
    assert certificate.source == Certificate.Source.MANUAL
    assert certificate.award_key == f"manual:{token}"
    assert certificate.issue_reason == REASON and certificate.issued_by == world.admin
    today = agency_today(agency=world.agency_a)
    assert certificate.issued_on == certificate.valid_from == today
    assert certificate.expires_on == add_months(today, 24)
    assert certificate.evidence["trainee_name"] == "Óscar O'Connor"
    assert certificate.evidence["credential_name_es"] == "Interdicción fronteriza"
    assert not certificate.evidence_document
    event = certificate.events.get()
    assert event.action == "issued" and event.reason == REASON and event.actor == world.admin
    certificate.refresh_from_db()
    assert certificate.pdf_sha256  # rendered after commit
    detail = admin.get(response["Location"]).content.decode()
    assert "issued to Óscar O&#x27;Connor" in detail and certificate.serial in detail


def test_the_officer_is_found_by_national_id_as_typed(
    admin, world, credential, django_capture_on_commit_callbacks
):
    # Stored as "2547 81234 0101"; typed without spaces.
    data = fields(world, credential, identifier="2547812340101", issued_on="2025-01-15")
    response = post(admin, data, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    certificate = Certificate.objects.get()
    assert certificate.trainee == world.trainee_a
    assert certificate.issued_on == datetime.date(2025, 1, 15)
    assert certificate.expires_on == datetime.date(2027, 1, 15)


def test_training_done_elsewhere_with_a_pdf(admin, world, credential, django_capture_on_commit_callbacks):
    content = pdf_bytes()
    document = SimpleUploadedFile("Constancia ILEA (scan).PDF", content, content_type="application/pdf")
    data = external(world, credential, document)
    response = post(admin, data, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    certificate = Certificate.objects.get()
    assert certificate.source == Certificate.Source.EXTERNAL
    assert certificate.award_key == f"external:{data['token']}"
    # Stored under the form's key, never under the name it was uploaded with.
    assert certificate.evidence_document.name.endswith(f"/{data['token']}.pdf")
    with certificate.evidence_document.open("rb") as handle:
        assert handle.read() == content
    evidence = certificate.evidence
    assert evidence["external_institution"] == evidence["place"] == "ILEA San Salvador"
    assert (
        evidence["course_title_es"] == evidence["course_title_en"] == "Detección de documentos fraudulentos"
    )
    assert evidence["hours"] == 32
    assert (evidence["session_start"], evidence["session_end"]) == ("2025-06-02", "2025-06-06")
    certificate.refresh_from_db()
    with certificate.pdf.open("rb") as handle:
        text = pdf_text(handle.read())
    assert "Detección de documentos fraudulentos" in text and "ILEA San Salvador" in text
    assert "32 horas" in text and "32 instructional hours" in text


def test_training_done_elsewhere_with_a_png(admin, world, credential, django_capture_on_commit_callbacks):
    document = SimpleUploadedFile("record.png", png_bytes(), content_type="image/png")
    response = post(
        admin, external(world, credential, document, hours="7.5"), django_capture_on_commit_callbacks
    )
    assert response.status_code == 302
    certificate = Certificate.objects.get()
    assert certificate.evidence_document.name.endswith(".png") and certificate.evidence["hours"] == 7.5


def test_a_form_sent_twice_issues_once(admin, world, credential, django_capture_on_commit_callbacks):
    data = fields(world, credential)
    first = post(admin, data, django_capture_on_commit_callbacks)
    second = post(admin, data, django_capture_on_commit_callbacks)
    certificate = Certificate.objects.get()
    assert first["Location"] == second["Location"] == f"/en/agency/certificates/{certificate.pk}/"
    assert "already sent" in admin.get(second["Location"]).content.decode()
    assert CertificateEvent.objects.count() == 1
    # A new form (a new key) is a new certificate, which renews the first.
    post(admin, fields(world, credential), django_capture_on_commit_callbacks)
    assert Certificate.objects.count() == 2
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.SUPERSEDED


def test_the_page_in_spanish(admin, world, credential):
    response = admin.get("/es/agency/certificates/issue/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="es">' in html
    assert "Interdicción fronteriza" in html  # the credential in the page's language
    assert "Border interdiction" not in html


def test_the_page_reads_a_fixed_number_of_queries(admin, world, credential):
    admin.get(URL)  # the first visit records the language browsed in

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert admin.get(URL).status_code == 200
        return len(captured.captured_queries)

    few = queries()
    for i in range(5):
        registry.credential_upsert(code=f"extra-{i}", name_es=f"Extra {i}", name_en=f"Extra {i}")
        registry.agency_upsert(
            country=world.gt,
            acronym=f"A{i}",
            kind="customs",
            name_es=f"A{i}",
            name_en=f"A{i}",
            time_zone="America/Guatemala",
        )
    assert queries() == few <= 12


# --- refusals: nothing written -------------------------------------------------------------------


@pytest.mark.parametrize("role", ["head_a", "coordinator_a", "instructor", "officer_user_a"])
def test_only_program_administrators_reach_the_page(
    client, world, credential, role, django_capture_on_commit_callbacks
):
    client.force_login(getattr(world, role))
    before = snapshot()
    assert client.get(URL).status_code == 404
    assert post(client, fields(world, credential), django_capture_on_commit_callbacks).status_code == 404
    assert snapshot() == before


def test_anonymous_visitors_are_sent_to_log_in(client, world, credential, django_capture_on_commit_callbacks):
    response = post(client, fields(world, credential), django_capture_on_commit_callbacks)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert Certificate.objects.count() == 0


def test_a_post_without_the_csrf_token_is_refused(world, credential, django_capture_on_commit_callbacks):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.admin)
    assert post(client, fields(world, credential), django_capture_on_commit_callbacks).status_code == 403
    assert Certificate.objects.count() == 0


def _refused(client, data, capture, *, field=None, text=""):
    before = snapshot()
    response = post(client, data, capture)
    assert response.status_code == 400, response.status_code
    form = response.context["form"]
    if field:
        assert field in form.errors, form.errors
        assert text in " ".join(form.errors[field]), form.errors[field]
    assert snapshot() == before
    return response


def test_an_unknown_or_foreign_officer_is_refused(
    admin, world, credential, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    _refused(
        admin, fields(world, credential, identifier="PNC-999"), capture, field="identifier", text="No officer"
    )
    # Honduras' officer, named with the Guatemalan agency: not found there.
    _refused(
        admin, fields(world, credential, identifier="PN-1"), capture, field="identifier", text="No officer"
    )
    _refused(admin, fields(world, credential, identifier=""), capture, field="identifier")
    _refused(admin, fields(world, credential, agency="999999"), capture, field="agency")


def test_an_inactive_officer_is_refused(admin, world, credential, django_capture_on_commit_callbacks):
    trainee_set_status(
        actor=world.admin,
        trainee=world.trainee_a2,
        status=Trainee.Status.SEPARATED,
        effective_on=datetime.date(2025, 1, 1),
        reason="Retired.",
    )
    _refused(
        admin,
        fields(world, credential),
        django_capture_on_commit_callbacks,
        field="identifier",
        text="is not active (Separated)",
    )


def test_a_missing_reason_is_refused(admin, world, credential, django_capture_on_commit_callbacks):
    _refused(
        admin, fields(world, credential, reason="   "), django_capture_on_commit_callbacks, field="reason"
    )
    _refused(
        admin, fields(world, credential, reason=None), django_capture_on_commit_callbacks, field="reason"
    )


def test_an_unknown_or_retired_credential_is_refused(
    admin, world, credential, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    _refused(admin, fields(world, credential, credential="999999"), capture, field="credential")
    _refused(admin, fields(world, credential, credential="not-a-number"), capture, field="credential")
    retired = registry.credential_upsert(code="old", name_es="Vieja", name_en="Old")
    Credential.objects.filter(pk=retired.pk).update(is_active=False)  # as the admin's form does
    _refused(admin, fields(world, credential, credential=str(retired.pk)), capture, field="credential")


def test_bad_dates_and_keys_are_refused(admin, world, credential, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    tomorrow = agency_today(agency=world.agency_a) + datetime.timedelta(days=1)
    _refused(admin, fields(world, credential, issued_on=tomorrow.isoformat()), capture, field="issued_on")
    _refused(admin, fields(world, credential, issued_on="2025-02-30"), capture, field="issued_on")
    _refused(admin, fields(world, credential, token="not-a-uuid"), capture, field="token")
    _refused(admin, fields(world, credential, token=None), capture, field="token")
    _refused(admin, fields(world, credential, source="course"), capture, field="source")
    document = SimpleUploadedFile("r.pdf", pdf_bytes())
    _refused(
        admin,
        external(world, credential, document, course_start="2025-06-09", course_end="2025-06-02"),
        capture,
        field="course_end",
    )


def test_a_certificate_that_would_cut_a_longer_one_short_is_refused(
    admin, world, credential, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        current = certificate_issue(
            trainee=world.trainee_a2,
            credential=credential,
            award_key="enrollment:1",
            source="course",
            evidence={"trainee_name": world.trainee_a2.full_name},
        )
    response = _refused(
        admin,
        fields(world, credential, issued_on="2020-03-01"),
        django_capture_on_commit_callbacks,
        field="issued_on",
        text=current.serial,
    )
    assert "already holds" in response.content.decode()


def test_training_elsewhere_needs_its_details_and_a_document(
    admin, world, credential, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    _refused(admin, external(world, credential, None), capture, field="evidence_document", text="Attach")
    document = SimpleUploadedFile("r.pdf", pdf_bytes())
    response = _refused(admin, external(world, credential, document, institution="", hours=""), capture)
    assert {"institution", "hours"} <= set(response.context["form"].errors)


@pytest.mark.parametrize(
    ("name", "content", "text"),
    [
        ("record.pdf", b"<html><body>not a pdf</body></html>", "not a readable PDF"),
        ("record.pdf", png_bytes(), "not a readable PDF"),  # a picture named .pdf
        ("record.png", pdf_bytes(), "not a readable PNG"),
        ("record.jpg", png_bytes(), "not a readable JPEG"),  # a PNG named .jpg
        ("record.png", png_bytes()[:30], "not a readable PNG"),  # cut short
        ("record.pdf", b"%PDF-1.7\n" + b"0" * 100, "not a readable PDF"),  # no end
        ("record.exe", pdf_bytes(), "PDF, PNG or JPEG"),
        ("record", pdf_bytes(), "PDF, PNG or JPEG"),
        ("record.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "PDF, PNG or JPEG"),
        ("empty.pdf", b"", ""),
    ],
)
def test_a_document_that_is_not_what_it_says_is_refused(
    admin, world, credential, name, content, text, django_capture_on_commit_callbacks
):
    document = SimpleUploadedFile(name, content)
    _refused(
        admin,
        external(world, credential, document),
        django_capture_on_commit_callbacks,
        field="evidence_document",
        text=text,
    )


def test_a_document_over_10_mb_is_refused(admin, world, credential, django_capture_on_commit_callbacks):
    content = pdf_bytes()
    big = content[:-6] + b"0" * (MAX_EVIDENCE_BYTES + 1 - len(content)) + content[-6:]
    _refused(
        admin,
        external(world, credential, SimpleUploadedFile("big.pdf", big)),
        django_capture_on_commit_callbacks,
        field="evidence_document",
        text="larger than 10 MB",
    )


def test_a_40_mb_upload_is_refused_before_it_is_read(
    admin, world, credential, django_capture_on_commit_callbacks
):
    content = b"%PDF-1.7\n" + b"0" * (40 * 1024 * 1024) + b"\n%%EOF\n"
    before = snapshot()
    response = post(
        admin,
        external(world, credential, SimpleUploadedFile("huge.pdf", content)),
        django_capture_on_commit_callbacks,
    )
    assert response.status_code == 413
    assert "larger than 10 MB" in response.content.decode()
    assert not hasattr(response.wsgi_request, "_files")  # the body was never parsed
    assert snapshot() == before

    # The same request straight to the view: its body stream is untouched.
    request = RequestFactory().post(URL, external(world, credential, SimpleUploadedFile("huge.pdf", content)))
    request.user = world.admin
    response = certificate_issue_page(request)
    assert response.status_code == 413
    assert request._read_started is False and not hasattr(request, "_files")
    assert snapshot() == before


# --- what was typed stays text ------------------------------------------------------------------


def test_markup_typed_in_the_form_reaches_the_pdf_as_text(
    admin, world, credential, django_capture_on_commit_callbacks
):
    course = "<b>Bold</b><style>*{color:red}</style>"
    institution = '<img src="http://evil.test/x.png">Academia'
    reason = "<script>alert(1)</script> checked"
    document = SimpleUploadedFile("r.pdf", pdf_bytes())
    data = external(world, credential, document, course_name=course, institution=institution, reason=reason)
    assert post(admin, data, django_capture_on_commit_callbacks).status_code == 302
    certificate = Certificate.objects.get()
    assert certificate.evidence["course_title_en"] == course  # kept exactly as typed

    html = certificate_html(certificate)
    assert "&lt;b&gt;Bold&lt;/b&gt;&lt;style&gt;" in html
    assert "<b>Bold" not in html and "<style>*" not in html and '<img src="http://evil' not in html

    certificate.refresh_from_db()
    assert certificate.pdf_sha256  # rendered: the fetcher met no remote image
    with certificate.pdf.open("rb") as handle:
        text = pdf_text(handle.read())
    assert "<b>Bold</b><style>*{color:red}</style>" in text.replace(" ", "")
    assert "Academia" in text and "evil.test" in text  # printed, never fetched

    page = admin.get(reverse("registry:certificate_detail", args=[certificate.pk])).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; checked" in page and "<script>alert(1)" not in page


# --- the admin links to it ------------------------------------------------------------------------


def test_the_admin_menu_and_certificate_list_link_to_the_page(client, world, credential):
    client.force_login(world.admin)
    menu = client.get("/admin/").content.decode()  # the admin speaks Spanish to this user
    assert "Emitir un certificado" in menu and "/agency/certificates/issue/" in menu
    listing = client.get(reverse("certification_certificates:index")).content.decode()
    assert "Emitir un certificado" in listing and "/agency/certificates/issue/" in listing

    client.force_login(world.instructor)  # reaches the admin, not this page
    assert "/agency/certificates/issue/" not in client.get("/admin/").content.decode()
