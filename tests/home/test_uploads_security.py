"""Uploads are checked by content and size before they are stored, and what is served back can
never run in a browser: fixed types by extension, `nosniff`, attachments except PDFs."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from wagtail.documents import get_document_model
from wagtail.images import get_image_model

from certification.tabular import check_upload
from certification.uploads import validate_document_content, validate_signature_image

pytestmark = pytest.mark.django_db

MINIMAL_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"


def image_bytes(kind="PNG", size=(40, 20), mode="RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, "white").save(out, kind)
    return out.getvalue()


def office_bytes(part="word/document.xml") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(part, "<x/>")
    return out.getvalue()


def odt_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<x/>")
    return out.getvalue()


# --- signature images ------------------------------------------------------------------------------


def test_a_real_png_or_jpeg_signature_is_accepted():
    validate_signature_image(SimpleUploadedFile("firma.png", image_bytes("PNG")))
    validate_signature_image(SimpleUploadedFile("firma.jpg", image_bytes("JPEG")))
    validate_signature_image(SimpleUploadedFile("firma.jpeg", image_bytes("JPEG")))


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("firma.png", HTML, "not a PNG or JPEG"),
        ("firma.png", image_bytes("GIF"), "not a PNG or JPEG"),
        ("firma.jpg", image_bytes("PNG"), "says JPEG but it is a PNG"),
        ("firma.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "not a PNG or JPEG"),
        ("firma.png", image_bytes("PNG") + b"0" * (2 * 1024 * 1024), "larger than 2 MB"),
        ("firma.png", image_bytes("PNG", size=(5000, 4000), mode="1"), "too large in pixels"),
    ],
)
def test_a_signature_that_is_not_what_it_says_is_refused(name, content, message):
    with pytest.raises(ValidationError) as refused:
        validate_signature_image(SimpleUploadedFile(name, content))
    assert message in " ".join(refused.value.messages)


def test_a_decompression_bomb_is_refused_not_a_crash():
    bomb = image_bytes("PNG", size=(20000, 20000), mode="1")  # 400 megapixels in a few kilobytes
    assert len(bomb) < 2 * 1024 * 1024
    with pytest.raises(ValidationError):
        validate_signature_image(SimpleUploadedFile("firma.png", bomb))


# --- Wagtail documents -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("guide.pdf", MINIMAL_PDF),
        ("guide.docx", office_bytes("word/document.xml")),
        ("slides.pptx", office_bytes("ppt/presentation.xml")),
        ("table.xlsx", office_bytes("xl/workbook.xml")),
        ("notes.odt", odt_bytes()),
        ("clip.mp4", b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 100),
        ("clip.webm", b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84webm" + b"\x00" * 100),
        ("list.csv", "nombre;apellido\nJosé;Núñez\n".encode()),
        ("list.csv", "nombre;apellido\nJosé;Núñez\n".encode("cp1252")),
        ("readme.txt", b"plain text\n"),
    ],
)
def test_documents_whose_content_matches_their_name_are_accepted(name, content):
    validate_document_content(SimpleUploadedFile(name, content))


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("guide.pdf", HTML),
        ("guide.docx", MINIMAL_PDF),
        ("guide.docx", office_bytes("xl/workbook.xml")),  # a workbook renamed
        ("notes.odt", office_bytes()),
        ("clip.mp4", HTML),
        ("clip.webm", b"\x1a\x45\xdf\xa3" + b"matroska" + b"\x00" * 100),
        ("readme.txt", image_bytes("PNG")),
        ("list.csv", b"a,b\x00c"),
        ("guide.pdf", b""),
    ],
)
def test_documents_whose_content_is_not_what_their_name_says_are_refused(name, content):
    with pytest.raises(ValidationError):
        validate_document_content(SimpleUploadedFile(name, content))


@pytest.fixture
def editor(client, world, settings):
    settings.MFA_REQUIRED_FOR_STAFF = False  # what is tested here is the upload, not the login
    world.admin.is_superuser = True  # may add documents and images
    world.admin.save(update_fields=["is_superuser"])
    client.force_login(world.admin)
    return client


def upload_document(client, name, content):
    from wagtail.models import Collection

    return client.post(
        "/admin/documents/add/",
        {
            "title": name,
            "file": SimpleUploadedFile(name, content),
            "collection": Collection.get_first_root_node().pk,
        },
    )


def test_the_admin_refuses_a_document_that_is_not_what_its_name_says(editor):
    response = upload_document(editor, "guide.pdf", HTML)
    assert response.status_code == 200
    assert [error.code for error in response.context["form"].errors.as_data()["file"]][0] == "content"
    response = upload_document(editor, "page.html", HTML)
    assert response.status_code == 200
    assert not get_document_model().objects.exists()


def test_documents_are_served_with_fixed_types_that_never_run(editor, client):
    assert upload_document(editor, "guide.pdf", MINIMAL_PDF).status_code == 302
    # Text that looks like a page: accepted as text, and served as text that is downloaded.
    assert upload_document(editor, "notes.txt", HTML).status_code == 302
    assert upload_document(editor, "list.csv", b"a,b\n1,2\n").status_code == 302
    documents = {document.filename: document for document in get_document_model().objects.all()}

    pdf = client.get(documents["guide.pdf"].url)
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"].startswith("inline")
    text = client.get(documents["notes.txt"].url)
    assert text["Content-Type"].startswith("text/plain")
    assert text["Content-Disposition"].startswith("attachment")
    assert client.get(documents["list.csv"].url)["Content-Disposition"].startswith("attachment")
    for response in (pdf, text):
        assert response.status_code == 200
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Security-Policy"] == "default-src 'none'"


def test_the_admin_refuses_svg_and_fake_images(editor):
    from wagtail.models import Collection

    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    for name, content in (("logo.svg", svg), ("photo.png", HTML), ("photo.jpg", image_bytes("PNG"))):
        response = editor.post(
            "/admin/images/add/",
            {
                "title": name,
                "file": SimpleUploadedFile(name, content),
                "collection": Collection.get_first_root_node().pk,
            },
        )
        assert response.status_code == 200, name
    assert not get_image_model().objects.exists()


def test_wagtail_upload_limits_are_set(settings):
    assert settings.WAGTAILDOCS_MAX_UPLOAD_SIZE == 20 * 1024 * 1024
    assert settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE == 10 * 1024 * 1024
    assert "svg" not in settings.WAGTAILIMAGES_EXTENSIONS
    assert not {"html", "htm", "svg", "xml", "js"} & set(settings.WAGTAILDOCS_EXTENSIONS)
    assert settings.WAGTAILDOCS_SERVE_METHOD == "serve_view"


# --- any request ---------------------------------------------------------------------------------


def test_an_oversized_request_is_refused_before_its_body_is_read(client, world, settings):
    settings.MAX_REQUEST_BODY_BYTES = 1024 * 1024
    client.force_login(world.head_a)
    url = f"/en/agency/{world.agency_a.id}/personnel/import/"
    big = SimpleUploadedFile("roster.csv", b"a,b\n" + b"1,2\n" * 300_000)
    response = client.post(url, {"file": big})
    assert response.status_code == 413
    assert "at most 1 MB" in response.content.decode()
    assert not hasattr(response.wsgi_request, "_files")


def test_imports_are_checked_by_content():
    with pytest.raises(ValidationError, match="not an Excel workbook"):
        check_upload(SimpleUploadedFile("roster.xlsx", MINIMAL_PDF))
    with pytest.raises(ValidationError):
        check_upload(SimpleUploadedFile("roster.html", HTML))


def test_uploaded_media_is_not_served_by_django_outside_debug(client):
    response = client.get("/media/signatures/firma.png", follow=True)
    assert response.status_code == 404


@pytest.fixture
def debug_urls(settings, tmp_path):
    """The URLconf as the development server (DEBUG on) builds it, on a media folder of its own."""
    import importlib

    from django.urls import clear_url_caches

    import config.urls

    settings.DEBUG, settings.MEDIA_ROOT = True, tmp_path
    for folder, name in (
        ("original_images", "photo.png"),
        ("signatures", "firma.png"),
        ("certificates", "c.pdf"),
    ):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / name).write_bytes(b"content")
    importlib.reload(config.urls)
    clear_url_caches()
    yield
    settings.DEBUG = False
    importlib.reload(config.urls)
    clear_url_caches()


def test_the_development_server_shows_images_but_no_personal_files(client, debug_urls):
    assert client.get("/media/original_images/photo.png").status_code == 200
    assert client.get("/media/signatures/firma.png").status_code == 404
    assert client.get("/media/certificates/c.pdf").status_code == 404
