"""WeasyPrint must have HarfBuzz subsetting: without it every PDF is about ten times slower."""

import weasyprint
from weasyprint.text.ffi import harfbuzz_subset


def test_harfbuzz_subsetting_is_available():
    assert harfbuzz_subset is not None, (
        "libharfbuzz-subset0 is missing: run scripts/system-deps.sh run (as root) or `make run`"
    )


def test_renders_a_pdf_with_accents_offline():
    html = weasyprint.HTML(string="<h1>Capacitación: Núñez, Peña</h1>")
    pdf = html.write_pdf()
    assert pdf.startswith(b"%PDF-")
    assert len(pdf) > 500
