"""The certificate PDF: rendered once after commit by the Celery task, stored with its SHA-256;
bilingual (English first for English-speaking agencies), drawn from the evidence snapshot,
user text escaped, a QR code of the verification URL, nothing fetched from the network."""

import hashlib
import io
import unicodedata
from html.parser import HTMLParser

import pytest
import segno
from django.core.cache import cache
from django.core.files.base import ContentFile
from PIL import Image
from pypdf import PdfReader
from weasyprint.urls import FatalURLFetchingError, URLFetchingError, fetch

from certification import services as registry
from certification.certificate_pdf import (
    PDF_AUTHOR,
    CertificateRenderError,
    LocalFetcher,
    certificate_html,
    certificate_pdf_bytes,
    html_pdf_bytes,
    verification_url,
)
from certification.models import Certificate, CredentialSignatory
from certification.services_certificates import certificate_issue, verification_code_display
from certification.services_personnel import trainee_update
from certification.tasks import PDF_MAX_DELIVERIES, certificate_pdf_render

pytestmark = pytest.mark.django_db

NAME = "María José Núñez Peña"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def png_bytes(size=(240, 80)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "white").save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def credential(world):
    credential = registry.credential_upsert(
        code="border-interdiction",
        name_es="Interdicción fronteriza",
        name_en="Border interdiction",
        validity_months=24,
    )
    signatory = CredentialSignatory(
        credential=credential,
        position=1,
        name="Ana Lucía Herrera",
        title_es="Directora del Programa",
        title_en="Program Director",
    )
    signatory.signature.save("herrera.png", ContentFile(png_bytes()), save=False)
    signatory.full_clean()
    signatory.save()
    return credential


def evidence_for(trainee, credential, **overrides) -> dict:
    agency = trainee.agency
    evidence = {
        "trainee_name": trainee.full_name,
        "credential_name_es": credential.name_es,
        "credential_name_en": credential.name_en,
        "agency_name_es": agency.name_es,
        "agency_name_en": agency.name_en,
        "agency_acronym": agency.acronym,
        "country_name_es": agency.country.name_es,
        "country_name_en": agency.country.name_en,
        "course_code": "BS-101",
        "course_title_es": "Interdicción en puestos fronterizos",
        "course_title_en": "Interdiction at border crossings",
        "hours": 40,
        "session_code": "BS-101-2026-03",
        "session_start": "2026-03-02",
        "session_end": "2026-03-06",
        "place": "Academia Regional, San Salvador",
        "instructors": ["Carlos Méndez"],
        "score_percent": 92.5,
        "signatories": [
            {"name": s.name, "title_es": s.title_es, "title_en": s.title_en, "signature": s.signature.name}
            for s in credential.signatories.all()
        ],
    }
    evidence.update(overrides)
    return evidence


@pytest.fixture
def issue(world, credential, django_capture_on_commit_callbacks):
    """Issues as the completion service does; the PDF task runs (eagerly) on commit."""

    def run(trainee=None, key="test:1", **overrides) -> Certificate:
        trainee = trainee or world.trainee_a
        with django_capture_on_commit_callbacks(execute=True):
            certificate = certificate_issue(
                trainee=trainee,
                credential=credential,
                award_key=key,
                source="course",
                evidence=evidence_for(trainee, credential, **overrides),
            )
        certificate.refresh_from_db()
        return certificate

    return run


class ImageTags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.sources = []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.sources.append(dict(attrs).get("src", ""))


def pdf_text(data: bytes) -> str:
    """The PDF's text, whitespace (line breaks included) collapsed to single spaces."""
    reader = PdfReader(io.BytesIO(data))
    text = unicodedata.normalize("NFC", "\n".join(page.extract_text() for page in reader.pages))
    return " ".join(text.split())


def qr_modules(image: Image.Image, size: int) -> list[list[bool]]:
    """The dark modules of a QR picture of `size` modules (quiet zone of 4 included)."""
    gray = image.convert("L")
    scale = gray.width / (size + 8)
    return [
        [gray.getpixel((int((4 + x + 0.5) * scale), int((4 + y + 0.5) * scale))) < 128 for x in range(size)]
        for y in range(size)
    ]


def test_the_pdf_is_rendered_after_commit_and_stored_with_its_hash(issue):
    certificate = issue()
    assert certificate.pdf.name.endswith(f"{certificate.serial}.pdf")
    assert certificate.pdf_rendered_at is not None
    with certificate.pdf.open("rb") as handle:
        data = handle.read()
    assert data.startswith(b"%PDF-")
    assert certificate.pdf_sha256 == hashlib.sha256(data).hexdigest()

    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    assert width > height  # landscape
    assert abs(float(width) - 841.89) < 1 and abs(float(height) - 595.28) < 1  # A4

    text = pdf_text(data)
    for label in ("Certificado", "Se certifica que", "ha obtenido la credencial", "Válido desde"):
        assert label.lower() in text.lower(), label
    for label in ("Certificate", "This certifies that", "has been awarded the credential", "Valid from"):
        assert label.lower() in text.lower(), label
    assert NAME in text
    assert certificate.serial in text
    assert verification_code_display(certificate.verification_code) in text
    assert "Interdicción fronteriza" in text and "Border interdiction" in text
    assert "Policía Nacional Civil" in text and "National Civil Police" in text
    assert "Ana Lucía Herrera" in text and "Directora del Programa" in text and "Program Director" in text
    assert "40 horas" in text and "40 instructional hours" in text


def test_pdf_a_metadata(issue):
    certificate = issue()
    reader = PdfReader(certificate.pdf.path)
    assert reader.pdf_header == "%PDF-1.7"
    xmp = reader.xmp_metadata
    assert xmp is not None
    assert xmp.pdfaid_part == "3" and xmp.pdfaid_conformance == "U"
    assert PDF_AUTHOR in xmp.dc_creator
    assert NAME in xmp.dc_title["x-default"] and "Interdicción fronteriza" in xmp.dc_title["x-default"]
    assert certificate.serial in xmp.dc_description["x-default"]
    assert reader.trailer["/Root"]["/OutputIntents"]
    fonts = reader.pages[0]["/Resources"]["/Font"]
    assert fonts
    for font in fonts.values():  # every font embedded (PDF/A), as a subset
        font = font.get_object()
        descriptor = (font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font)[
            "/FontDescriptor"
        ]
        assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")), font["/BaseFont"]
        assert "/ToUnicode" in font, font["/BaseFont"]  # the "u" of PDF/A-3u


def test_the_qr_code_encodes_the_verification_url(issue, settings):
    settings.WAGTAILADMIN_BASE_URL = "https://training.example.org/"
    certificate = issue()
    url = f"https://training.example.org/verify/{certificate.verification_code}/"
    assert verification_url(certificate) == url
    expected = segno.make(url, error="m", micro=False)
    size = len(expected.matrix)
    wanted = [[bool(module) for module in row] for row in expected.matrix]
    images = [picture.image for picture in PdfReader(certificate.pdf.path).pages[0].images]
    found = [qr_modules(image, size) for image in images if image.width == image.height]
    assert wanted in found
    assert url in pdf_text(certificate.pdf.read()).replace(" ", "")  # printed too (it may wrap)


def test_the_task_is_idempotent_and_never_re_renders(issue):
    certificate = issue()
    name, digest, rendered_at = certificate.pdf.name, certificate.pdf_sha256, certificate.pdf_rendered_at
    data = certificate.pdf.read()
    certificate_pdf_render.delay(certificate.pk)  # a duplicate delivery
    certificate_pdf_render(certificate.pk)
    certificate.refresh_from_db()
    assert (certificate.pdf.name, certificate.pdf_sha256, certificate.pdf_rendered_at) == (
        name,
        digest,
        rendered_at,
    )
    with certificate.pdf.open("rb") as handle:
        assert handle.read() == data
    certificate_pdf_render(10**9)  # a certificate that does not exist: nothing to do, no error


def test_a_certificate_that_keeps_killing_workers_is_given_up(world, credential):
    # Issued without running the on-commit task: its deliveries are counted by hand here.
    certificate = certificate_issue(
        trainee=world.trainee_a,
        credential=credential,
        award_key="test:killer",
        source="course",
        evidence=evidence_for(world.trainee_a, credential),
    )
    key = f"certificate-pdf-deliveries:{certificate.pk}"
    cache.set(key, PDF_MAX_DELIVERIES)  # as if every worker so far had died rendering it
    certificate_pdf_render(certificate.pk)
    certificate.refresh_from_db()
    assert not certificate.pdf_sha256 and not certificate.pdf
    cache.delete(key)  # an administrator's retry once the cause is fixed
    certificate_pdf_render(certificate.pk)
    certificate.refresh_from_db()
    assert certificate.pdf_sha256
    assert cache.get(key) is None


def test_english_first_for_english_speaking_agencies(world, issue):
    spanish_first = pdf_text(issue().pdf.read())
    assert spanish_first.index("Se certifica que") < spanish_first.index("This certifies that")
    assert spanish_first.index("Interdicción fronteriza") < spanish_first.index("Border interdiction")

    world.agency_b.english_first = True
    world.agency_b.save(update_fields=["english_first"])
    english_first = pdf_text(issue(trainee=world.trainee_b, key="test:2").pdf.read())
    assert english_first.index("This certifies that") < english_first.index("Se certifica que")
    assert english_first.index("Border interdiction") < english_first.index("Interdicción fronteriza")
    assert english_first.index("Program Director") < english_first.index("Directora del Programa")
    assert "José Ángel Castillo-Ríos" in english_first


def test_user_text_is_escaped(issue):
    hostile = '<b>Ana</b> "</style><img src=http://evil>'
    certificate = issue(trainee_name=hostile, place="<style>body{display:none}</style>")
    html = certificate_html(certificate)
    assert "<img src=http://evil>" not in html and "<b>Ana</b>" not in html
    assert "&lt;b&gt;Ana&lt;/b&gt; &quot;&lt;/style&gt;&lt;img src=http://evil&gt;" in html
    assert "<style>" not in html and "evil" not in html.replace("http://evil&gt;", "")
    images = ImageTags()
    images.feed(html)
    assert len(images.sources) == 2  # the signature and the QR code, nothing else
    assert all(src.startswith(("file:///", "data:image/png;base64,")) for src in images.sources)
    text = pdf_text(certificate.pdf.read())
    assert hostile in text  # printed literally, nothing fetched (the fetcher refuses http)
    assert "<style>body{display:none}</style>" in text


def test_the_pdf_is_drawn_from_the_evidence_not_the_live_record(world, issue):
    certificate = issue()
    before = certificate_html(certificate)
    trainee_update(
        actor=world.admin,
        trainee=world.trainee_a,
        reason="Name corrected",
        given_names="María Josefa",
    )
    world.trainee_a.refresh_from_db()
    assert world.trainee_a.given_names == "María Josefa"
    certificate.refresh_from_db()
    assert certificate_html(certificate) == before
    assert NAME in before and "María Josefa" not in before


def test_missing_optional_evidence_and_no_expiry(world, django_capture_on_commit_callbacks):
    credential = registry.credential_upsert(
        code="document-fraud", name_es="Detección de fraude documental", name_en="Document fraud detection"
    )
    with django_capture_on_commit_callbacks(execute=True):
        certificate = certificate_issue(
            trainee=world.trainee_a,
            credential=credential,
            award_key="test:minimal",
            source="course",
            evidence={"trainee_name": NAME},  # only the name: names fall back to the agency and credential
        )
    certificate.refresh_from_db()
    text = pdf_text(certificate.pdf.read())
    assert "no vence" in text and "does not expire" in text
    assert "Detección de fraude documental" in text and "Document fraud detection" in text
    assert "Policía Nacional Civil" in text and "Guatemala" in text
    assert "horas" not in text and "Instructors" not in text


def test_a_missing_signature_file_is_left_out(issue, credential):
    signatory = credential.signatories.get()
    signatory.signature.storage.delete(signatory.signature.name)
    certificate = issue()
    assert certificate.pdf_sha256
    assert "Ana Lucía Herrera" in pdf_text(certificate.pdf.read())


def test_evidence_without_the_name_is_refused(issue, world, credential):
    certificate = Certificate(
        serial="CARSI-GT-2026-999999",
        verification_code="ABCDEFGHJKMN",
        agency=world.agency_a,
        credential=credential,
        trainee=world.trainee_a,
        issued_on="2026-01-01",
        valid_from="2026-01-01",
        evidence={},
    )
    with pytest.raises(CertificateRenderError, match="trainee_name"):
        certificate_pdf_bytes(certificate)


@pytest.mark.parametrize(
    "url",
    [
        "http://evil.example/x.png",
        "https://evil.example/x.css",
        "ftp://evil.example/x.png",
        "file:///etc/passwd",
        "file://evil.example/share/x.png",
        "data:text/html,<script>alert(1)</script>",
    ],
)
def test_the_fetcher_refuses_anything_but_our_files(url):
    fetcher = LocalFetcher()
    fetcher._fail_on_errors = False  # to see the refusal as WeasyPrint's plain error
    with pytest.raises(URLFetchingError, match="refused"), fetch(fetcher, url):
        pass


def test_the_fetcher_reads_static_and_media_files(settings, tmp_path):
    from django.contrib.staticfiles import finders

    css = finders.find("css/certificate.css")
    fetcher = LocalFetcher()
    with fetch(fetcher, f"file://{css}") as response:
        assert b"@page" in response.read()
    (tmp_path / "sig.png").write_bytes(png_bytes())
    with fetch(fetcher, (tmp_path / "sig.png").as_uri()) as response:
        assert response.content_type == "image/png"
    escaping = f"file://{tmp_path}/../{tmp_path.name}/../../etc/passwd"
    # Refused, and it stops the rendering: nothing is stored half-drawn.
    with pytest.raises(FatalURLFetchingError), fetch(fetcher, escaping):
        pass


def test_rendering_stops_rather_than_fetch_from_the_network():
    with pytest.raises(CertificateRenderError, match="refused"):
        html_pdf_bytes('<p>x</p><img src="http://127.0.0.1:9/logo.png">')
    with pytest.raises(CertificateRenderError, match="refused"):
        html_pdf_bytes('<link rel="stylesheet" href="https://fonts.example/css"><p>x</p>')


def test_signatures_on_remote_storage_are_embedded(issue, monkeypatch):
    from certification import certificate_pdf

    class RemoteStorage:  # like S3: no local path, files read through the storage
        def __init__(self, storage):
            self.storage = storage

        def path(self, name):
            raise NotImplementedError

        def open(self, name, mode="rb"):
            return self.storage.open(name, mode)

    certificate = issue()
    monkeypatch.setattr(certificate_pdf, "default_storage", RemoteStorage(certificate_pdf.default_storage))
    images = ImageTags()
    images.feed(certificate_html(certificate))
    assert [src[:22] for src in images.sources] == ["data:image/png;base64,"] * 2
    assert certificate_pdf_bytes(certificate).startswith(b"%PDF-")
