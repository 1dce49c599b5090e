"""The certificate as a PDF: one bilingual A4 landscape page, drawn by WeasyPrint from the
certificate's frozen evidence, never from live rows.

What is read from where:

- the certificate record itself (serial, verification code, issued_on, valid_from, expires_on),
  which never changes once issued;
- `certificate.evidence` for everything printed about the award (see `EVIDENCE_KEYS`);
- live rows only for the agency's `english_first` flag (which language goes first), the
  signature image files the evidence names by storage name, and, when an older snapshot lacks
  them, the credential's and the agency's names (the agency at issue).

Rendering fetches nothing from the network: one `FontConfiguration` per process (system
DejaVu fonts, no web fonts), and a URL fetcher that reads only our static files and media
from disk and `data:` images (the QR code), and refuses everything else. All text goes
through Django's autoescaping, so nothing a user typed can inject HTML or CSS.
"""

import base64
import datetime
import hashlib
import logging
import mimetypes
import threading
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from urllib.parse import unquote, urlsplit

import segno
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from .models import Certificate
from .services_certificates import verification_code_display

logger = logging.getLogger(__name__)

TEMPLATE = "certification/certificate_pdf.html"
STYLESHEET = "css/certificate.css"

# PDF/A-3u: archival, every glyph mapped to Unicode (text can be searched and extracted).
# WeasyPrint 70 writes it with the sRGB output intent, XMP metadata, embedded subset fonts
# and ToUnicode maps; checked by extracting the text and metadata back in the tests.
PDF_VARIANT = "pdf/a-3u"

PDF_AUTHOR = "CARSI Training Program"

# The evidence snapshot the certificate is drawn from. The issuing side writes these keys.
EVIDENCE_REQUIRED = ("trainee_name",)
EVIDENCE_KEYS = {
    "trainee_name": "str: the officer's full name exactly as recorded at issue",
    "credential_name_es": "str (falls back to the credential row)",
    "credential_name_en": "str (falls back to the credential row)",
    "agency_name_es": "str (falls back to the agency at issue)",
    "agency_name_en": "str (falls back to the agency at issue)",
    "agency_acronym": "str (falls back to the agency at issue)",
    "country_name_es": "str (falls back to the agency's country)",
    "country_name_en": "str (falls back to the agency's country)",
    "course_code": "str, optional",
    "course_title_es": "str, optional (a program's title for program credentials)",
    "course_title_en": "str, optional",
    "hours": "int | float | decimal str, optional",
    "session_code": "str, optional",
    "session_start": "ISO date str, optional",
    "session_end": "ISO date str, optional",
    "place": "str, optional",
    "instructors": "list[str], optional",
    "score_percent": "int | float | decimal str, optional",
    "signatories": "list[{name, title_es, title_en, signature}], optional; signature = storage name or ''",
}

MONTHS_ES = "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre"
MONTHS_EN = "January February March April May June July August September October November December"


class CertificateRenderError(Exception):
    """The certificate could not be drawn (missing evidence, or a resource was refused)."""


class URLRefused(ValueError):
    """The fetcher only reads our own files and data: images."""


# --- Fonts and fetching ----------------------------------------------------------------------

_lock = threading.Lock()
# One rendering at a time per process: the shared FontConfiguration (fontconfig, Pango) is not
# safe across threads, and threads do render in eager mode (the threaded dev server, tests).
# Celery workers render in separate processes, so this costs them nothing. Held only by
# `html_pdf_bytes`, which every PDF of the project is drawn through.
_render_lock = threading.Lock()
_font_config: FontConfiguration | None = None


def font_config() -> FontConfiguration:
    """The process's one FontConfiguration (fontconfig setup is slow: done once per worker)."""
    global _font_config
    if _font_config is None:
        with _lock:
            if _font_config is None:
                _font_config = FontConfiguration()
    return _font_config


def allowed_roots() -> list[Path]:
    """The folders the fetcher reads from: static sources, collected static, media."""
    dirs = getattr(settings, "STATICFILES_DIRS", [])
    roots = [Path(d[1] if isinstance(d, tuple | list) else d) for d in dirs]  # (prefix, path) too
    for setting in ("STATIC_ROOT", "MEDIA_ROOT"):
        if getattr(settings, setting, None):
            roots.append(Path(getattr(settings, setting)))
    return [root.resolve() for root in roots]


DATA_TYPES = {"image/png", "image/jpeg", "image/svg+xml"}


class LocalFetcher(URLFetcher):
    """Serves `file:` URLs inside `allowed_roots()` read from disk and `data:` images; refuses
    everything else (http, https, ftp, files elsewhere on disk). Any refusal or error stops
    the rendering (`fail_on_errors`), so a certificate is never stored with a part missing."""

    def __init__(self):
        super().__init__(allowed_protocols=("file", "data"), fail_on_errors=True)

    def fetch(self, url, headers=None):
        scheme, _, rest = url.partition(":")
        scheme = scheme.lower()
        if scheme == "data":
            return self._data(url, rest)
        if scheme == "file":
            return self._file(url)
        raise URLRefused(f"refused to fetch {url[:80]!r}: only local files and data: images")

    @staticmethod
    def _data(url, rest):
        meta, comma, payload = rest.partition(",")
        media_type, *params = meta.split(";")
        if not comma or media_type.strip().lower() not in DATA_TYPES:
            raise URLRefused(f"refused data: URI of type {media_type[:40]!r}")
        if "base64" in (p.strip().lower() for p in params):
            body = base64.b64decode(payload, validate=False)
        else:
            body = unquote(payload).encode()
        return URLFetcherResponse(url, body, {"Content-Type": media_type.strip().lower()})

    @staticmethod
    def _file(url):
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            raise URLRefused(f"refused remote file URL {url[:80]!r}")
        path = Path(unquote(parts.path)).resolve()
        if not any(path.is_relative_to(root) for root in allowed_roots()) or not path.is_file():
            raise URLRefused(f"refused file outside the static and media folders: {url[:120]!r}")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})


_stylesheet: CSS | None = None


def stylesheet() -> CSS:
    """The certificate's CSS, parsed once per process (read through the fetcher)."""
    global _stylesheet
    if _stylesheet is None:
        path = finders.find(STYLESHEET) or Path(settings.STATIC_ROOT) / STYLESHEET
        css = CSS(url=Path(path).resolve().as_uri(), url_fetcher=LocalFetcher(), font_config=font_config())
        with _lock:
            _stylesheet = css
    return _stylesheet


# --- Content -----------------------------------------------------------------------------------


def verification_url(certificate: Certificate) -> str:
    """What the QR opens: the public verification page of this certificate."""
    base = getattr(settings, "WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
    return f"{base}/verify/{certificate.verification_code}/"


def qr_code(url: str) -> segno.QRCode:
    return segno.make(url, error="m", micro=False)


QR_SCALE, QR_BORDER = 8, 4  # pixels per module; the quiet zone of four modules


def qr_data_uri(url: str) -> str:
    return qr_code(url).png_data_uri(scale=QR_SCALE, border=QR_BORDER)


def date_es(day: datetime.date) -> str:
    return f"{day.day} de {MONTHS_ES.split()[day.month - 1]} de {day.year}"


def date_en(day: datetime.date) -> str:
    return f"{day.day} {MONTHS_EN.split()[day.month - 1]} {day.year}"


def _iso_date(value) -> datetime.date | None:
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _number(value) -> tuple[str, str] | None:
    """40 -> ("40", "40"); 37.5 -> ("37,5", "37.5"); anything unreadable -> None."""
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    if not number.is_finite():
        return None
    text = format(number.normalize(), "f") if number != number.to_integral() else str(int(number))
    return text.replace(".", ","), text


def _text(value) -> str:
    return str(value).strip() if value not in (None, "") else ""


def _signature_src(name: str) -> str:
    """The signature image as a file URL inside MEDIA_ROOT (local storage) or, for remote
    storage, as a data: URI read through the storage; "" when it is missing or not an image."""
    if not name:
        return ""
    try:
        path = Path(default_storage.path(name)).resolve()
    except NotImplementedError:
        path = None
    except SuspiciousFileOperation:
        logger.warning("signature %r is outside the media folder: left out", name)
        return ""
    if path is not None:
        if path.is_file():
            return path.as_uri()
        logger.warning("signature %r is missing: left out", name)
        return ""
    try:
        with default_storage.open(name, "rb") as handle:
            data = handle.read(3 * 1024 * 1024)
    except OSError:
        logger.warning("signature %r cannot be read: left out", name)
        return ""
    kind = "image/png" if data.startswith(b"\x89PNG") else "image/jpeg" if data[:2] == b"\xff\xd8" else ""
    return f"data:{kind};base64,{base64.b64encode(data).decode()}" if kind else ""


def _signatories(evidence: dict) -> list[dict]:
    people = []
    for entry in (evidence.get("signatories") or [])[:3]:
        if not isinstance(entry, dict) or not _text(entry.get("name")):
            continue
        people.append(
            {
                "name": _text(entry.get("name")),
                "title_es": _text(entry.get("title_es")),
                "title_en": _text(entry.get("title_en")),
                "signature": _signature_src(_text(entry.get("signature"))),
            }
        )
    return people


def certificate_context(certificate: Certificate) -> dict:
    """Everything the template prints, from the evidence snapshot and the certificate record."""
    evidence = certificate.evidence if isinstance(certificate.evidence, dict) else {}
    missing = [key for key in EVIDENCE_REQUIRED if not _text(evidence.get(key))]
    if missing:
        raise CertificateRenderError(f"certificate {certificate.serial}: evidence lacks {', '.join(missing)}")
    agency, credential = certificate.agency, certificate.credential

    def pick(key, fallback):
        return _text(evidence.get(key)) or fallback

    hours = _number(evidence.get("hours"))
    score = _number(evidence.get("score_percent"))
    start, end = _iso_date(evidence.get("session_start")), _iso_date(evidence.get("session_end"))
    instructors = [_text(name) for name in evidence.get("instructors") or [] if _text(name)]
    url = verification_url(certificate)
    english_first = bool(agency.english_first)
    return {
        "langs": ["en", "es"] if english_first else ["es", "en"],
        "english_first": english_first,
        "name": _text(evidence["trainee_name"]),
        "credential_es": pick("credential_name_es", credential.name_es),
        "credential_en": pick("credential_name_en", credential.name_en),
        "agency_es": pick("agency_name_es", agency.name_es),
        "agency_en": pick("agency_name_en", agency.name_en),
        "acronym": pick("agency_acronym", agency.acronym),
        "country_es": pick("country_name_es", agency.country.name_es),
        "country_en": pick("country_name_en", agency.country.name_en),
        "course_code": _text(evidence.get("course_code")),
        "course_es": _text(evidence.get("course_title_es")),
        "course_en": _text(evidence.get("course_title_en")),
        "hours_es": hours[0] if hours else "",
        "hours_en": hours[1] if hours else "",
        "score_es": score[0] if score else "",
        "score_en": score[1] if score else "",
        "session_code": _text(evidence.get("session_code")),
        "session_es": f"{date_es(start)} – {date_es(end)}" if start and end and start != end else "",
        "session_en": f"{date_en(start)} – {date_en(end)}" if start and end and start != end else "",
        "session_day_es": date_es(start) if start and (not end or end == start) else "",
        "session_day_en": date_en(start) if start and (not end or end == start) else "",
        "place": _text(evidence.get("place")),
        "instructors": ", ".join(instructors),
        "issued_es": date_es(certificate.issued_on),
        "issued_en": date_en(certificate.issued_on),
        "valid_from_es": date_es(certificate.valid_from),
        "valid_from_en": date_en(certificate.valid_from),
        "expires_es": date_es(certificate.expires_on) if certificate.expires_on else "",
        "expires_en": date_en(certificate.expires_on) if certificate.expires_on else "",
        "issued_iso": f"{certificate.issued_on.isoformat()}T00:00:00Z",  # full form: XMP and Info agree
        "serial": certificate.serial,
        "code": verification_code_display(certificate.verification_code),
        "verification_url": url,
        "qr": qr_data_uri(url),
        "signatories": _signatories(evidence),
        "author": PDF_AUTHOR,
    }


def certificate_html(certificate: Certificate) -> str:
    """The certificate's HTML (autoescaped Django template)."""
    return render_to_string(TEMPLATE, certificate_context(certificate))


def html_pdf_bytes(
    html: str, *, stylesheets: Sequence[CSS] | None = None, pdf_variant: str | None = PDF_VARIANT
) -> bytes:
    """HTML drawn as a PDF the one way this project draws PDFs: the process's font
    configuration, the local-only URL fetcher (nothing from the network), and one rendering at
    a time (the render lock, held here). The certificate's task draws through it, and so do the
    transcript and the roster report; the benchmark compares issuing end to end with it.

    `stylesheets`: the certificate's (a one-page A4 landscape) when None; a document that
    carries its own CSS in its HTML passes `()`. `pdf_variant`: PDF/A-3u by default, None for
    a plain PDF. A refused or failed fetch raises `CertificateRenderError`."""
    certificate = stylesheets is None
    fetcher = LocalFetcher()
    try:
        with _render_lock:
            document = HTML(string=html, url_fetcher=fetcher, base_url=None).render(
                font_config=font_config(), stylesheets=[stylesheet()] if certificate else list(stylesheets)
            )
            if certificate and len(document.pages) != 1:
                logger.warning("certificate HTML rendered to %s pages", len(document.pages))
            return document.write_pdf(pdf_variant=pdf_variant, uncompressed_pdf=False)
    except FatalURLFetchingError as exc:  # a BaseException: keep it from reaching Celery as such
        raise CertificateRenderError(str(exc.__cause__ or exc)) from exc.__cause__


def certificate_pdf_bytes(certificate: Certificate) -> bytes:
    """The certificate as a PDF/A-3u file."""
    return html_pdf_bytes(certificate_html(certificate))


# --- Storing -----------------------------------------------------------------------------------


def certificate_pdf_store(*, certificate_id: int) -> bool:
    """Renders and stores a certificate's PDF once, with its SHA-256. Under the row lock; a
    certificate that already has its PDF is left as it is (a duplicate delivery of the task
    does nothing; the PDF is never re-rendered silently). True when it rendered now."""
    with transaction.atomic():
        certificate = (
            Certificate.objects.select_for_update(of=("self",))
            .select_related("agency__country", "credential")
            .filter(pk=certificate_id)
            .first()
        )
        if certificate is None:
            logger.warning("certificate %s does not exist: no PDF rendered", certificate_id)
            return False
        if certificate.pdf_sha256:
            return False
        data = certificate_pdf_bytes(certificate)
        name = f"{certificate.serial}.pdf"
        # A file already there was left by a rendering whose worker died before committing (the
        # row says no PDF, and the serial is this certificate's alone): replace it rather than
        # store a second copy beside it under another name.
        target = certificate.pdf.field.generate_filename(certificate, name)
        if certificate.pdf.storage.exists(target):
            logger.warning("certificate %s: replacing %s, left by a dead rendering", certificate_id, target)
            certificate.pdf.storage.delete(target)
        certificate.pdf.save(name, ContentFile(data), save=False)
        certificate.pdf_sha256 = hashlib.sha256(data).hexdigest()
        certificate.pdf_rendered_at = timezone.now()
        certificate.save(update_fields=["pdf", "pdf_sha256", "pdf_rendered_at"])
        return True


def certificates_missing_pdf(*, min_age_seconds: int, limit: int) -> list[int]:
    """The oldest certificates issued at least `min_age_seconds` ago that still have no PDF."""
    issued_before = timezone.now() - datetime.timedelta(seconds=min_age_seconds)
    rows = Certificate.objects.filter(pdf_sha256="", created_at__lte=issued_before).order_by("pk")
    return list(rows.values_list("pk", flat=True)[:limit])
