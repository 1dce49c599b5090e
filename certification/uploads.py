"""Checks on uploaded files by their content, not their name.

Every way a file comes in is checked by what it contains and by its size before it is stored:
signature images here; Wagtail documents here too (the admin's document form, set by
WAGTAILDOCS_DOCUMENT_FORM_BASE); Wagtail images by Wagtail itself (the format found in the file
must match the extension, WAGTAILIMAGES_MAX_UPLOAD_SIZE and _MAX_IMAGE_PIXELS); spreadsheet
imports by `tabular.check_upload`; certificate evidence by `forms_certificate_issue`. Whatever is
served back goes out with a fixed type by extension, `nosniff`, and as an attachment unless it is
a PDF (see the WAGTAILDOCS_* settings and the evidence view).
"""

import codecs
import zipfile

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_SIGNATURE_BYTES = 2 * 1024 * 1024
MAX_SIGNATURE_PIXELS = 4000 * 4000  # a scanned signature is far smaller; this refuses image bombs
SIGNATURE_FORMATS = {"png": "PNG", "jpg": "JPEG", "jpeg": "JPEG"}

TEXT_SNIFF_BYTES = 64 * 1024
# What the start of a file of each document extension must look like (WAGTAILDOCS_EXTENSIONS).
OFFICE_PARTS = {"docx": "word/", "pptx": "ppt/", "xlsx": "xl/"}
ODF_MIMETYPES = {"odt": b"application/vnd.oasis.opendocument.text"}


def _extension(name: str | None) -> str:
    name = name or ""
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def validate_signature_image(upload) -> None:
    """A signature must really be a PNG or JPEG image (the one its name says), and small."""
    from PIL import Image, UnidentifiedImageError

    if upload.size is not None and upload.size > MAX_SIGNATURE_BYTES:
        raise ValidationError(_("The signature image is larger than 2 MB."), code="too_large")
    not_image = ValidationError(_("The signature is not a PNG or JPEG image."), code="not_image")
    position = upload.tell() if hasattr(upload, "tell") else 0
    try:
        with Image.open(upload) as image:
            kind = image.format
            width, height = image.size
            image.verify()
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError) as exc:
        raise not_image from exc
    finally:
        if hasattr(upload, "seek"):
            upload.seek(position)
    if kind not in ("PNG", "JPEG"):
        raise not_image
    expected = SIGNATURE_FORMATS.get(_extension(getattr(upload, "name", "")))
    if expected and expected != kind:
        raise ValidationError(
            _("The signature's file name says %(name)s but it is a %(kind)s image."),
            params={"name": expected, "kind": kind},
            code="not_image",
        )
    if width * height > MAX_SIGNATURE_PIXELS:
        raise ValidationError(_("The signature image is too large in pixels."), code="too_large")


def validate_document_content(upload) -> None:
    """A Wagtail document must be what its extension says: a PDF starts as one, an Office file is
    the zip of its kind, a video has its container's signature, and text is text (no NUL bytes,
    UTF-8 or Windows-1252). An extension with no rule here is refused: add its rule when adding
    it to WAGTAILDOCS_EXTENSIONS."""
    extension = _extension(getattr(upload, "name", ""))
    if not upload.size:
        raise ValidationError(_("The file is empty."), code="empty")
    wrong = ValidationError(
        _("The file's content is not a .%(extension)s document."),
        params={"extension": extension},
        code="content",
    )
    upload.seek(0)
    try:
        head = upload.read(TEXT_SNIFF_BYTES)
        if extension == "pdf":
            ok = b"%PDF-" in head[:1024]
        elif extension in OFFICE_PARTS or extension in ODF_MIMETYPES:
            ok = head.startswith(b"PK\x03\x04") and _zip_is(upload, extension)
        elif extension == "mp4":
            ok = head[4:8] == b"ftyp"
        elif extension == "webm":
            ok = head.startswith(b"\x1a\x45\xdf\xa3") and b"webm" in head[:64]
        elif extension in ("csv", "txt"):
            ok = _is_text(head)
        else:
            raise ValidationError(
                _("Files of type .%(extension)s cannot be uploaded."),
                params={"extension": extension},
                code="extension",
            )
    finally:
        upload.seek(0)
    if not ok:
        raise wrong


def _zip_is(upload, extension: str) -> bool:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = archive.namelist()
            if extension in ODF_MIMETYPES:
                return "mimetype" in names and archive.read("mimetype").strip() == ODF_MIMETYPES[extension]
    except (zipfile.BadZipFile, OSError, KeyError, ValueError):
        return False
    part = OFFICE_PARTS[extension]
    return "[Content_Types].xml" in names and any(name.startswith(part) for name in names)


def _is_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    for encoding in ("utf-8", "cp1252"):
        try:
            # The sniffed block may end inside a UTF-8 sequence: an incremental decoder allows it.
            codecs.getincrementaldecoder(encoding)().decode(head, final=False)
        except UnicodeDecodeError:
            continue
        return True
    return False


def __getattr__(name: str):
    # The admin's document form is built on first use: importing Wagtail's admin forms while the
    # models load (this module is imported by the certificate models) would be too early.
    if name == "CheckedDocumentForm":
        from wagtail.documents.forms import BaseDocumentForm

        class CheckedDocumentForm(BaseDocumentForm):
            """Wagtail's document form, refusing a file whose content is not what its name says."""

            def clean_file(self):
                from django.conf import settings

                upload = self.cleaned_data.get("file")
                # An extension not allowed at all is refused by Wagtail's own validator, with its message.
                allowed = _extension(getattr(upload, "name", "")) in settings.WAGTAILDOCS_EXTENSIONS
                if upload and allowed and "file" in self.changed_data:
                    validate_document_content(upload)
                return upload

        globals()[name] = CheckedDocumentForm
        return CheckedDocumentForm
    raise AttributeError(name)
