"""An agency head logs in, opens the certification roster from the dashboard, filters it to the
certificates expiring this quarter, finds exactly the officer whose certificate does, opens that
officer's transcript, and downloads the roster as CSV (the filtered rows) and as the printable
PDF report (the agency and the filter applied)."""

import csv
import datetime

import pytest
from django.utils import translation
from django.utils.translation import gettext as _
from playwright.sync_api import expect

from certification import services as registry
from certification.demo_certificates import BSI_TITLES
from certification.evidence import evidence_snapshot
from certification.models import AuditEntry, Certificate, Trainee
from certification.selectors import agency_today
from certification.selectors_roster import STATUS_LABELS, quarter_end
from certification.services_audit import requirement_add
from certification.services_certificates import add_months, certificate_issue
from certification.services_personnel import trainee_create
from tests.browser.test_certificate_flow import pdf_text
from tests.browser.test_personnel_import import log_in

pytestmark = pytest.mark.django_db(transaction=True)

DAY = datetime.timedelta(days=1)
MONTHS = 36


@pytest.fixture
def roster(world, settings, tmp_path):
    """The PNC's roster: one officer whose border interdiction certificate expires by the end of
    this quarter, one whose expires next quarter, one valid for years, one expired, one without
    any; and an officer of another agency expiring this quarter too (never shown)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    credential = registry.credential_upsert(
        code="bsi-101",
        name_es="Interdicción fronteriza",
        name_en="Border interdiction",
        validity_months=MONTHS,
    )
    requirement_add(actor=world.head_a, agency=world.agency_a, credential=credential)
    today = agency_today(agency=world.agency_a)
    end = quarter_end(today)

    def officer(agency, n, given, first, second=""):
        return trainee_create(
            actor=None,
            agency=agency,
            id_country=agency.country,
            id_type=Trainee.IdType.NATIONAL_ID,
            id_number=f"3547 8123{n} 0101" if agency == world.agency_a else f"0801-1985-0000{n}",
            given_names=given,
            first_surname=first,
            second_surname=second,
            badge_number=f"{agency.acronym}-10{n}",
            rank="Agente",
            unit=world.unit_a if agency == world.agency_a else world.unit_b,
        )

    def issue(trainee, key, expires_on):
        """A certificate recorded by the administrator, back-dated so it expires on `expires_on`."""
        return certificate_issue(
            trainee=trainee,
            credential=credential,
            award_key=f"manual:roster-flow-{key}",
            source=Certificate.Source.MANUAL,
            evidence=evidence_snapshot(
                trainee=trainee, credential=credential, award={**BSI_TITLES, "hours": 40}
            ),
            actor=world.admin,
            reason="Registrado desde el acta firmada.",
            issued_on=add_months(expires_on, -MONTHS),
        )

    expiring = officer(world.agency_a, 1, "Ixchel", "Tzul", "Ajanel")
    next_quarter = officer(world.agency_a, 2, "Byron Estuardo", "Cifuentes", "Véliz")
    for_years = officer(world.agency_a, 3, "Mildred", "De León")
    lapsed = officer(world.agency_a, 4, "Otto René", "Xicará", "Paz")
    officer(world.agency_a, 5, "Selvin", "Quemé")
    foreign = officer(world.agency_b, 6, "Nohemí", "Zúñiga")
    # A quarter's last day exists three years earlier too: the certificate expires on it exactly.
    certificate = issue(expiring, "expiring", end)
    issue(next_quarter, "next-quarter", end + 20 * DAY)
    issue(for_years, "for-years", today + 700 * DAY)
    issue(lapsed, "lapsed", today - 60 * DAY)
    issue(foreign, "foreign", end)
    assert certificate.expires_on == end and today <= end
    return world, expiring, certificate, end


def test_head_filters_expiring_this_quarter_opens_the_transcript_and_exports(live_server, roster, page):
    world, expiring, certificate, end = roster
    log_in(page, live_server, "head.a@test.carsi", world.password)
    page.get_by_test_id("roster-link").click()
    page.wait_for_url(f"**/es/agency/{world.agency_a.pk}/roster/")
    table = page.get_by_test_id("roster")
    active = Trainee.objects.filter(agency=world.agency_a, status=Trainee.Status.ACTIVE).count()
    expect(table.locator("tbody tr")).to_have_count(active)
    assert page.get_by_test_id("summary-expiring").inner_text().strip() == "1"

    # Expiring this quarter: a valid certificate expiring by the quarter's last day.
    filters = page.get_by_test_id("roster-filters")
    filters.locator("input[name=expiring_before]").fill(end.isoformat())
    filters.locator("button[type=submit]").click()
    page.wait_for_url(f"**/roster/?*expiring_before={end.isoformat()}*")
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(1)
    assert rows.first.locator("th").inner_text().startswith(expiring.sort_name)
    assert rows.first.locator("td[data-status=expiring]").count() == 1
    assert "Zúñiga" not in table.inner_text()  # the other agency's officer, expiring too

    # The officer's record, then the transcript: the certificate is there.
    rows.first.locator("th a").click()
    page.get_by_test_id("transcript-link").click()
    page.wait_for_url(f"**/personnel/{expiring.pk}/transcript/")
    assert expiring.full_name in page.get_by_test_id("transcript-officer").inner_text()
    certificates = page.get_by_test_id("transcript-certificates")
    assert certificate.serial in certificates.inner_text()

    # Back on the filtered roster, the exports carry the filter.
    page.go_back()
    page.go_back()
    page.wait_for_url(f"**/roster/?*expiring_before={end.isoformat()}*")
    exports = page.get_by_test_id("roster-exports")
    with page.expect_download() as info:
        exports.get_by_role("link", name="CSV").click()
    download = info.value
    assert download.suggested_filename.endswith(".csv")
    with open(download.path(), encoding="utf-8-sig", newline="") as downloaded:
        lines = list(csv.reader(downloaded))
    header, *data = lines
    assert len(data) == 1
    with translation.override("es"):
        expiring_label = str(STATUS_LABELS["expiring"])
    cells = dict(zip(header, data[0], strict=True))
    assert data[0][:3] == [expiring.sort_name, expiring.id_number, expiring.badge_number]
    assert expiring_label in data[0] and end.isoformat() in data[0]
    assert cells[header[-1]] == "0"  # nothing required is missing

    # The printable report: a PDF the browser opens in its viewer, to print. (Chromium's viewer
    # stands in for the response's body, so the file itself is fetched again with the session.)
    href = exports.locator("a[href*='export.pdf']").get_attribute("href")
    assert f"expiring_before={end.isoformat()}" in href
    with page.expect_response(lambda r: "/roster/export.pdf" in r.url) as info:
        exports.locator("a[href*='export.pdf']").click()
    opened = info.value
    assert opened.status == 200 and opened.headers["content-type"] == "application/pdf"
    response = page.context.request.get(live_server.url + href)
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    data = response.body()
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    with translation.override("es"):
        label = _("Expiring before")
    for expected in (world.agency_a.name_es, "PNC", f"{label}: {end.isoformat()}", expiring.sort_name):
        assert expected in text, expected
    for absent in ("Cifuentes", "De León", "Xicará", "Quemé", "Zúñiga"):
        assert absent not in text, absent
    # Each export written to the audit trail, with the filter (the PDF opened, then fetched).
    entries = AuditEntry.objects.filter(action=AuditEntry.Action.ROSTER_EXPORT, actor=world.head_a)
    assert sorted(e.details["format"] for e in entries) == ["csv", "pdf", "pdf"]
    assert all(e.details["filters"] == {"expiring_before": end.isoformat()} for e in entries)
