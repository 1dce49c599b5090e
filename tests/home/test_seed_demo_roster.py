"""seed_demo's roster (certification.demo_roster): Guatemala's PNC with several hundred officers,
its required credentials, and certificates that put every roster status on the page.

Seeding takes a while, so the module seeds once (twice, to check it is idempotent) inside a
transaction rolled back at the end, and each test reads that world from its own savepoint. The
after-commit work (PDFs, e-mail) never runs here: nothing in this module needs it."""

import io
import re
from collections import Counter, defaultdict
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ReferenceIndex

from certification.certificate_pdf import certificates_missing_pdf
from certification.demo_roster import AWARD_PREFIX, EVERY_OFFICER, ROSTER_OFFICERS, UNIT_REQUIREMENTS, UNITS
from certification.models import (
    Agency,
    AgencyStaff,
    AuditEntry,
    Certificate,
    CertificateEvent,
    CredentialRequirement,
    SerialCounter,
    Trainee,
)
from certification.selectors_roster import (
    STATUS_LABELS,
    RosterFilters,
    requirements_by_unit,
    roster_credentials,
    roster_officers,
    roster_rows,
    roster_summary,
)
from certification.text import trainee_search_text

pytestmark = pytest.mark.django_db

C = Certificate.Status
SERIAL = re.compile(r"^CARSI-GT-(\d{4})-(\d{6})$")


def snapshot() -> dict:
    return {
        "rows": {m._meta.label: m.objects.count() for m in apps.get_models() if m is not ReferenceIndex},
        "officers": sorted(
            Trainee.objects.filter(agency__acronym="PNC", agency__country__code="GT").values_list(
                "badge_number", "id_number", "given_names", "first_surname", "rank", "unit__name"
            ),
            key=str,
        ),
        "certificates": sorted(
            Certificate.objects.values_list("serial", "award_key", "status", "issued_on", "previous_id"),
            key=str,
        ),
        "requirements": sorted(
            CredentialRequirement.objects.values_list("agency_id", "unit_id", "credential_id"), key=str
        ),
        "counters": sorted(SerialCounter.objects.values_list("country_code", "year", "last")),
    }


@dataclass
class Seeded:
    first: dict
    second: dict


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=io.StringIO())
        first = snapshot()
        call_command("seed_demo", stdout=io.StringIO())
        yield Seeded(first, snapshot())
        transaction.set_rollback(True)


@pytest.fixture
def pnc(seeded):
    return Agency.objects.select_related("country").get(country__code="GT", acronym="PNC")


def roster(agency):
    today = timezone.localdate()
    credentials = roster_credentials(agency=agency)
    officers = list(roster_officers(agency=agency, filters=RosterFilters(), today=today))
    rows = roster_rows(
        officers=officers, credentials=credentials, rules=requirements_by_unit(agency=agency), today=today
    )
    return credentials, rows


def test_seeding_twice_changes_nothing(seeded):
    assert seeded.first["rows"].items() ^ seeded.second["rows"].items() == set()
    assert seeded.first == seeded.second


def test_the_pnc_has_several_hundred_active_officers_over_its_units(pnc):
    active = Trainee.objects.filter(agency=pnc, status=Trainee.Status.ACTIVE).select_related("unit")
    assert active.count() >= 300
    added = [t for t in active if t.badge_number.startswith("PNC-2")]
    assert len(added) == ROSTER_OFFICERS
    units = Counter(t.unit.name for t in added)
    assert set(units) == {name for name, _share in UNITS}
    assert min(units.values()) >= 30  # spread over every unit, none nearly empty
    ranks = Counter(t.rank for t in added)
    assert len(ranks) >= 3 and ranks.most_common(1)[0][0] == "Agente"
    assert len({t.badge_number for t in added}) == len(added)
    assert len({t.full_name for t in added}) > len(added) * 0.8  # names vary
    assert any(not t.second_surname for t in added) and any("í" in t.full_name for t in added)
    for officer in added:  # the same search text the personnel services write
        assert officer.search_text == trainee_search_text(officer)
        assert re.fullmatch(r"\d{4} \d{5} \d{4}", officer.id_number)
    # Each one has the history an import writes.
    assert all(t.events.filter(kind="created").count() == 1 for t in added[:20])


def test_every_status_appears_in_the_roster(pnc):
    credentials, rows = roster(pnc)
    codes = {c.code for c in credentials}
    assert {EVERY_OFFICER, *UNIT_REQUIREMENTS.values()} <= codes
    seen = defaultdict(set)
    for row in rows:
        for credential, cell in zip(credentials, row.cells, strict=True):
            seen[cell.status].add(credential.code)
    assert set(seen) == set(STATUS_LABELS)
    # Several credentials show each status a certificate gives, not one showcase cell.
    for status in ("valid", "expiring", "expired", "suspended", "revoked"):
        assert len(seen[status]) >= 3, status
    assert "in_training" in seen  # the demo class under way (courses.demo_enrollment)


def test_the_required_credentials_and_the_summary(pnc):
    rules = {
        (r.unit.name if r.unit else None, r.credential.code)
        for r in CredentialRequirement.objects.filter(agency=pnc).select_related("unit", "credential")
    }
    assert rules == {(None, EVERY_OFFICER), *UNIT_REQUIREMENTS.items()}
    head = AgencyStaff.objects.get(agency=pnc, role=AgencyStaff.Role.HEAD).user
    entries = AuditEntry.objects.filter(agency=pnc, action=AuditEntry.Action.REQUIREMENT_ADD)
    assert entries.count() == len(rules) and set(entries.values_list("actor", flat=True)) == {head.pk}
    summary = roster_summary(agency=pnc, today=timezone.localdate())
    assert summary["with_requirements"] == summary["total"] >= 300
    # Some hold all they need, many do not, some lose a certificate this quarter.
    assert 0.2 * summary["total"] < summary["complete"] < 0.8 * summary["total"]
    assert summary["expiring_quarter"] > 0 and summary["expired"] > 0
    credentials, rows = roster(pnc)
    assert any(row.missing_required == 0 for row in rows) and any(row.missing_required >= 2 for row in rows)


def test_the_certificates_are_issued_like_any_other(pnc):
    ours = list(
        Certificate.objects.filter(award_key__startswith=AWARD_PREFIX).select_related("previous", "trainee")
    )
    assert len(ours) > ROSTER_OFFICERS
    assert all(c.trainee.agency_id == pnc.pk and c.agency_id == pnc.pk for c in ours)
    # Serials of every GT certificate: the format, unique, gap-free per year, the counter at the end.
    numbers = defaultdict(list)
    for serial in Certificate.objects.filter(serial__startswith="CARSI-GT-").values_list("serial", flat=True):
        year, number = SERIAL.match(serial).groups()
        numbers[int(year)].append(int(number))
    counters = dict(SerialCounter.objects.filter(country_code="GT").values_list("year", "last"))
    for year, taken in numbers.items():
        assert sorted(taken) == list(range(1, len(taken) + 1)), year
        assert counters[year] == len(taken)
    for certificate in ours:
        assert SERIAL.match(certificate.serial).group(1) == str(certificate.issued_on.year)
        assert certificate.source == Certificate.Source.MANUAL and certificate.issue_reason
        assert certificate.evidence["trainee_name"] == certificate.trainee.full_name
        assert certificate.evidence["agency_acronym"] == "PNC"
        assert certificate.expires_on > certificate.issued_on
        assert len(certificate.verification_code) == 12
        if certificate.status != C.VALID:
            assert certificate.status_reason
    statuses = Counter(c.status for c in ours)
    assert set(statuses) == {C.VALID, C.SUSPENDED, C.REVOKED, C.SUPERSEDED}
    # Renewal chains: each superseded certificate has its renewal, of the same credential, later.
    renewals = [c for c in ours if c.previous_id]
    assert len(renewals) == statuses[C.SUPERSEDED]
    for renewal in renewals:
        assert renewal.previous.status == C.SUPERSEDED and renewal.status == C.VALID
        assert renewal.previous.credential_id == renewal.credential_id
        assert renewal.previous.issued_on < renewal.issued_on <= renewal.previous.expires_on
    # History and audit as certificate_issue and certificate_transition write them.
    ids = [c.pk for c in ours]
    assert CertificateEvent.objects.filter(certificate_id__in=ids, action="issued").count() == len(ours)
    assert CertificateEvent.objects.filter(certificate_id__in=ids, action="superseded").count() == len(
        renewals
    )
    audited = Counter(
        AuditEntry.objects.filter(
            agency=pnc,
            action__in=(AuditEntry.Action.CERTIFICATE_ISSUE, AuditEntry.Action.CERTIFICATE_RENEW),
            details__credential__isnull=False,
        ).values_list("action", flat=True)
    )
    assert audited[AuditEntry.Action.CERTIFICATE_RENEW] >= len(renewals)
    assert audited[AuditEntry.Action.CERTIFICATE_ISSUE] >= len(ours) - len(renewals)
    # No PDF yet: the sweep finds them (rendered a batch per run, not while seeding).
    assert all(not c.pdf and not c.pdf_sha256 for c in ours)
    assert set(ids) & set(certificates_missing_pdf(min_age_seconds=0, limit=10**6)) == set(ids)


def test_the_demo_head_reads_the_roster_and_filters_it(pnc, client, django_assert_max_num_queries):
    head = AgencyStaff.objects.get(agency=pnc, role=AgencyStaff.Role.HEAD).user
    client.force_login(head)
    url = reverse("registry:roster", args=[pnc.pk])
    first = client.get(url)
    assert first.status_code == 200
    assert first.content.decode().count('data-status="') == 50 * len(roster_credentials(agency=pnc))
    with django_assert_max_num_queries(40) as captured:
        assert client.get(url, {"page": 5}).status_code == 200
    pages = len(captured)
    with django_assert_max_num_queries(pages):  # the same however far in the roster
        assert client.get(url, {"page": 8}).status_code == 200
    expiring = client.get(url, {"status": "expiring"})
    total = roster_officers(agency=pnc, filters=RosterFilters(status="expiring"), today=timezone.localdate())
    assert total.count() > 30
    assert expiring.content.decode().count('data-status="expiring"') >= 30
