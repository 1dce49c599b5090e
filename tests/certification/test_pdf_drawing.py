"""Every PDF the project draws (the certificate, the transcript, the roster report) goes through
`certificate_pdf.html_pdf_bytes`: under its render lock (WeasyPrint's shared font configuration
is not thread-safe), with the local-only fetcher, each with its own page setup."""

import io
import re
import threading

import pytest
from pypdf import PdfReader

from certification import certificate_pdf
from certification.certificate_pdf import CertificateRenderError, html_pdf_bytes
from certification.exports_roster import html_report_pdf
from certification.views_transcript import transcript_pdf_bytes

DRAWERS = {
    "certificate": html_pdf_bytes,
    "transcript": transcript_pdf_bytes,
    "report": html_report_pdf,
}


@pytest.fixture
def drawn_under_lock(monkeypatch):
    """Whether the render lock was held each time WeasyPrint laid a document out."""
    seen = []

    class Watched(certificate_pdf.HTML):
        def render(self, *args, **kwargs):
            seen.append(certificate_pdf._render_lock.locked())
            return super().render(*args, **kwargs)

    monkeypatch.setattr(certificate_pdf, "HTML", Watched)
    return seen


def pages(data: bytes) -> list[tuple[float, float]]:
    return [(float(p.mediabox.width), float(p.mediabox.height)) for p in PdfReader(io.BytesIO(data)).pages]


@pytest.mark.parametrize("kind", DRAWERS)
def test_each_pdf_is_drawn_under_the_render_lock(kind, drawn_under_lock):
    pdf = DRAWERS[kind]("<p>Núñez Peña</p>")
    assert pdf.startswith(b"%PDF-")
    assert drawn_under_lock == [True]
    assert not certificate_pdf._render_lock.locked()  # released afterwards


def test_only_the_certificate_gets_the_certificate_stylesheet():
    (certificate,) = pages(html_pdf_bytes("<p>x</p>"))
    assert certificate[0] > certificate[1]  # A4 landscape, from css/certificate.css
    for draw in (transcript_pdf_bytes, html_report_pdf):
        (page,) = pages(draw("<p>x</p>"))
        assert page[0] < page[1]  # WeasyPrint's A4 portrait: their CSS is in their templates


def pdf_a_part(data: bytes) -> str | None:
    """The PDF/A conformance the file declares in its XMP metadata, if any."""
    metadata = PdfReader(io.BytesIO(data)).xmp_metadata
    if metadata is None:
        return None
    found = re.search(rb"pdfaid:part>?=?\"?(\d)", metadata.stream.get_data())
    return found.group(1).decode() if found else None


def test_the_transcript_is_pdf_a_and_the_report_a_plain_pdf():
    assert pdf_a_part(transcript_pdf_bytes("<p>x</p>")) == "3"
    assert pdf_a_part(html_report_pdf("<p>x</p>")) is None


@pytest.mark.parametrize("kind", DRAWERS)
def test_no_pdf_fetches_from_the_network(kind):
    with pytest.raises(CertificateRenderError, match="refused"):
        DRAWERS[kind]('<p>x</p><img src="http://127.0.0.1:9/logo.png">')
    assert not certificate_pdf._render_lock.locked()


def test_a_second_drawing_waits_for_the_first():
    done = threading.Event()

    def draw():
        transcript_pdf_bytes("<p>x</p>")
        done.set()

    with certificate_pdf._render_lock:  # a drawing under way in another thread
        worker = threading.Thread(target=draw)
        worker.start()
        assert not done.wait(0.5)
    worker.join(30)
    assert done.is_set()
