"""An agency head imports a file with one bad row, reads the report, fixes the file, imports
it and finds the officers in the list."""

from pathlib import Path

import pytest

from certification import services as registry
from certification.models import Trainee

pytestmark = pytest.mark.django_db(transaction=True)

SAMPLES = Path(__file__).resolve().parents[2] / "certification" / "samples"


@pytest.fixture
def pnc(world):
    for name in ("Aeropuerto Internacional", "División de Investigación Criminal"):
        registry.unit_upsert(agency=world.agency_a, name=name)
    return world


def log_in(page, live_server, email, password):
    page.goto(f"{live_server.url}/es/accounts/login/")
    page.locator("main input[name=login]").fill(email)
    page.locator("main input[name=password]").fill(password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/es/dashboard/")


def upload(page, path: Path):
    page.locator("main input[type=file]").set_input_files(str(path))
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/agency/imports/*/")
    # The job page refreshes itself until the job is finished.
    page.wait_for_function(
        "document.querySelector('[data-testid=import-status]') && !document.querySelector('progress')"
    )


def test_head_fixes_a_bad_row_and_imports(live_server, pnc, page, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    log_in(page, live_server, "head.a@test.carsi", pnc.password)
    page.get_by_role("link", name="Mi institución").click()
    page.locator("main a[href$='/personnel/import/']").click()

    upload(page, SAMPLES / "personnel_sample_with_error.csv")
    errors = page.get_by_test_id("import-errors")
    assert errors.is_visible()
    assert "2245 7140 2201" in errors.inner_text()
    rows = errors.locator("tbody tr")
    assert rows.count() == 1 and rows.first.locator("td").first.inner_text() == "5"
    assert Trainee.objects.filter(agency=pnc.agency_a).count() == 2  # nothing imported

    fixed = tmp_path / "personnel_fixed.csv"
    fixed.write_text(
        (SAMPLES / "personnel_sample_with_error.csv")
        .read_text(encoding="utf-8")
        .replace("2245 7140 2201", "2245 71400 2201"),
        encoding="utf-8",
    )
    page.locator("main a[href$='/personnel/import/']").click()
    upload(page, fixed)
    assert "10" in page.get_by_test_id("import-summary").inner_text()

    page.locator("main a[href$='/personnel/']").first.click()
    page.locator("main input[name=q]").fill("Castillo-Rios")
    page.locator("main form[role=search] button[type=submit]").click()
    page.wait_for_load_state()
    assert "Castillo-Ríos, Ana Lucía" in page.locator("main table").inner_text()
    assert Trainee.objects.filter(agency=pnc.agency_a).count() == 12
