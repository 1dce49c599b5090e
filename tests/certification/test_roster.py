"""The certification roster: status classification at the edges, the same answer from Python
(rows shown) and SQL (filters), required credentials per unit, the summary, filters that ignore
bad values with a message, a fixed number of queries, and who may read it."""

import datetime
import itertools

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from certification import services as registry
from certification.models import AuditEntry, Certificate, CredentialRequirement, Trainee
from certification.selectors import agency_today
from certification.selectors_roster import (
    STATUS_LABELS,
    RosterFilters,
    cell_status,
    quarter_end,
    requirements_by_unit,
    roster_credentials,
    roster_officers,
    roster_rows,
    roster_summary,
)
from certification.services_audit import requirement_add, requirement_remove

pytestmark = pytest.mark.django_db
_serials = itertools.count(1)
DAY = datetime.timedelta(days=1)


def certificate(trainee, credential, *, expires_on=None, status="valid", issued_on=None):
    n = next(_serials)
    issued_on = issued_on or (expires_on - 365 * DAY if expires_on else datetime.date(2026, 1, 1))
    return Certificate.objects.create(
        serial=f"T-{n:06d}",
        verification_code=f"CODE{n:08d}",
        award_key=f"test:{n}",
        source="course",
        trainee=trainee,
        agency=trainee.agency,
        credential=credential,
        issued_on=issued_on,
        valid_from=issued_on,
        expires_on=expires_on,
        status=status,
        status_reason="" if status == "valid" else "Por prueba.",
    )


def officer(world, n, *, unit=None, rank=""):
    return Trainee.objects.create(
        agency=world.agency_a,
        unit=unit,
        id_country=world.gt,
        id_number=f"9{n:08d}",
        given_names=f"Agente{n}",
        first_surname=f"Apellido{n:03d}",
        badge_number=f"R-{n}",
        rank=rank,
    )


@pytest.fixture
def docs(world):
    return registry.credential_upsert(
        code="docs", name_es="Documentos", name_en="Documents", validity_months=24
    )


@pytest.fixture
def vehicles(world):
    return registry.credential_upsert(code="veh", name_es="Vehículos", name_en="Vehicles", validity_months=12)


@pytest.fixture
def today(world):
    return agency_today(agency=world.agency_a)


# --- classification --------------------------------------------------------------------------


def unsaved(expires_on, status="valid"):
    return Certificate(expires_on=expires_on, status=status)


@pytest.mark.parametrize(
    "offset, expected",
    [(None, "valid"), (91, "valid"), (90, "expiring"), (1, "expiring"), (0, "expiring"), (-1, "expired")],
)
def test_a_valid_certificate_is_classified_by_days_left(offset, expected):
    today = datetime.date(2026, 11, 30)
    expires = None if offset is None else today + offset * DAY
    assert cell_status([unsaved(expires)], in_training=False, today=today).status == expected


def test_precedence_between_several_certificates_and_training():
    today = datetime.date(2026, 11, 30)
    far, soon, gone = today + 400 * DAY, today + 10 * DAY, today - 10 * DAY

    def status(*certs, training=False):
        return cell_status(list(certs), in_training=training, today=today).status

    assert status(unsaved(gone), unsaved(far)) == "valid"  # a renewal beside an old one
    assert status(unsaved(soon), unsaved(far, "revoked")) == "expiring"
    assert status(unsaved(far, "suspended"), unsaved(gone, "revoked")) == "suspended"
    assert status(unsaved(gone), training=True) == "in_training"  # retaking it
    assert status(unsaved(far, "revoked"), training=True) == "revoked"
    assert status(unsaved(gone)) == "expired"
    assert status(training=True) == "in_training"
    assert status() == "none"
    cell = cell_status([unsaved(today + 5 * DAY), unsaved(today + 50 * DAY)], in_training=False, today=today)
    assert cell.expires_on == today + 50 * DAY  # the one that lasts longer speaks


def test_quarter_end():
    assert quarter_end(datetime.date(2026, 11, 30)) == datetime.date(2026, 12, 31)
    assert quarter_end(datetime.date(2026, 1, 1)) == datetime.date(2026, 3, 31)
    assert quarter_end(datetime.date(2026, 6, 30)) == datetime.date(2026, 6, 30)
    assert quarter_end(datetime.date(2024, 8, 15)) == datetime.date(2024, 9, 30)


@pytest.fixture
def scenarios(world, docs, vehicles, today):
    """One officer per status in `docs` (and a superseded certificate that must not count)."""
    people = {}
    for n, name in enumerate(
        [
            "valid",
            "valid_far",
            "expiring_today",
            "expiring_90",
            "valid_91",
            "expired",
            "suspended",
            "revoked",
            "superseded",
            "none",
        ],
        start=1,
    ):
        people[name] = officer(world, n, unit=world.unit_a)
    certificate(people["valid"], docs, expires_on=None)
    certificate(people["valid_far"], docs, expires_on=today + 400 * DAY)
    certificate(people["expiring_today"], docs, expires_on=today)
    certificate(people["expiring_90"], docs, expires_on=today + 90 * DAY)
    certificate(people["valid_91"], docs, expires_on=today + 91 * DAY)
    certificate(people["expired"], docs, expires_on=today - DAY)
    certificate(people["suspended"], docs, expires_on=today + 400 * DAY, status="suspended")
    certificate(people["revoked"], docs, expires_on=today + 400 * DAY, status="revoked")
    certificate(people["superseded"], docs, expires_on=today + 400 * DAY, status="superseded")
    certificate(people["valid"], vehicles, expires_on=today - 5 * DAY)
    return people


EXPECTED_DOCS = {
    "valid": "valid",
    "valid_far": "valid",
    "expiring_today": "expiring",
    "expiring_90": "expiring",
    "valid_91": "valid",
    "expired": "expired",
    "suspended": "suspended",
    "revoked": "revoked",
    "superseded": "none",
    "none": "none",
}


def test_rows_show_each_status_and_the_filters_agree(world, scenarios, docs, today):
    credentials = roster_credentials(agency=world.agency_a)
    assert [c.code for c in credentials] == ["docs", "veh"]
    everyone = list(roster_officers(agency=world.agency_a, filters=RosterFilters(), today=today))
    rows = roster_rows(officers=everyone, credentials=credentials, rules={}, today=today)
    shown = {row.officer.pk: row.by_credential[docs.pk].status for row in rows}
    for name, person in scenarios.items():
        assert shown[person.pk] == EXPECTED_DOCS[name], name
    for status in STATUS_LABELS:
        filtered = roster_officers(
            agency=world.agency_a, filters=RosterFilters(credential_id=docs.pk, status=status), today=today
        )
        expected = {pk for pk, s in shown.items() if s == status}
        assert set(filtered.values_list("pk", flat=True)) == expected, status


def test_expiring_before_a_date(world, scenarios, docs, today):
    filters = RosterFilters(expiring_before=today + 90 * DAY)
    found = set(roster_officers(agency=world.agency_a, filters=filters, today=today))
    assert found == {scenarios["expiring_today"], scenarios["expiring_90"]}
    filters = RosterFilters(expiring_before=today + 91 * DAY, credential_id=docs.pk)
    assert scenarios["valid_91"] in set(roster_officers(agency=world.agency_a, filters=filters, today=today))


def test_search_sort_unit_and_rank(world, scenarios, today):
    world.trainee_a.rank = "Inspector"
    world.trainee_a.save(update_fields=["rank"])
    by = lambda **kw: list(roster_officers(agency=world.agency_a, filters=RosterFilters(**kw), today=today))  # noqa: E731
    assert by(q="nunez") == [world.trainee_a]  # accents and case forgiven
    assert by(q="2547 81234") == [world.trainee_a]
    assert by(q="PNC-2") == [world.trainee_a2]
    assert by(rank="Inspector") == [world.trainee_a]
    names = [t.first_surname for t in by(sort="-name")]
    assert names == sorted(names, reverse=True)
    assert world.trainee_b not in by()  # another agency's officer never
    separated = scenarios["none"]
    separated.status = Trainee.Status.SEPARATED
    separated.save(update_fields=["status"])
    assert separated not in by()


# --- requirements and the summary --------------------------------------------------------------


def test_requirements_per_unit_and_the_summary(world, docs, vehicles, today):
    airport = registry.unit_upsert(agency=world.agency_a, name="Aeropuerto")
    requirement_add(actor=world.head_a, agency=world.agency_a, credential=docs)  # everyone
    requirement_add(actor=world.head_a, agency=world.agency_a, unit=airport, credential=vehicles)
    requirement_add(actor=world.head_a, agency=world.agency_a, unit=airport, credential=vehicles)  # once
    assert CredentialRequirement.objects.count() == 2
    assert AuditEntry.objects.filter(action="requirement_add").count() == 2
    rules = requirements_by_unit(agency=world.agency_a)
    assert rules == {None: {docs.pk}, airport.pk: {vehicles.pk}}

    a = officer(world, 1, unit=airport)  # needs docs and vehicles: has both
    certificate(a, docs, expires_on=today + 10 * DAY)
    certificate(a, vehicles, expires_on=None)
    b = officer(world, 2, unit=airport)  # has docs only
    certificate(b, docs, expires_on=today + 400 * DAY)
    c = officer(world, 3, unit=world.unit_a)  # needs docs only: expired
    certificate(c, docs, expires_on=today - DAY)
    # world.trainee_a and trainee_a2 (unit_a) need docs and have nothing
    summary = roster_summary(agency=world.agency_a, today=today)
    assert summary["total"] == 5 and summary["with_requirements"] == 5
    assert summary["complete"] == 1  # only a
    assert summary["expiring_quarter"] == (1 if today + 10 * DAY <= quarter_end(today) else 0)
    assert summary["expired"] == 1
    rows = roster_rows(
        officers=[a, b, c], credentials=roster_credentials(agency=world.agency_a), rules=rules, today=today
    )
    assert [row.missing_required for row in rows] == [0, 1, 1]


def test_requirement_refusals_change_nothing(world, docs):
    with pytest.raises(PermissionDenied):
        requirement_add(actor=world.head_b, agency=world.agency_a, credential=docs)
    with pytest.raises(ValidationError):
        requirement_add(actor=world.head_a, agency=world.agency_a, unit=world.unit_b, credential=docs)
    docs.is_active = False
    docs.save()
    with pytest.raises(ValidationError):
        requirement_add(actor=world.admin, agency=world.agency_a, credential=docs)
    requirement_entries = AuditEntry.objects.filter(action__startswith="requirement_")
    assert not CredentialRequirement.objects.exists() and not requirement_entries.exists()
    docs.is_active = True
    docs.save()
    requirement = requirement_add(actor=world.coordinator_a, agency=world.agency_a, credential=docs)
    with pytest.raises(PermissionDenied):
        requirement_remove(actor=world.head_b, requirement=requirement)
    requirement_remove(actor=world.head_a, requirement=requirement)
    assert not CredentialRequirement.objects.exists()
    assert list(requirement_entries.values_list("action", "actor_email")) == [
        ("requirement_remove", "head.a@test.carsi"),
        ("requirement_add", "coord.a@test.carsi"),
    ]


# --- the page ----------------------------------------------------------------------------------


def url(world, language="es", **params):
    with translation.override(language):
        base = reverse("registry:roster", args=[world.agency_a.pk])
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"{base}?{query}" if query else base


@pytest.mark.parametrize("language, words", [("es", "Vigente"), ("en", "Valid")])
def test_the_page_in_both_languages(client, world, scenarios, language, words):
    client.force_login(world.head_a)
    page = client.get(url(world, language))
    assert page.status_code == 200
    html = page.content.decode()
    assert words in html and "Apellido001" in html and world.trainee_b.first_surname not in html
    assert 'data-status="expiring"' in html and 'data-status="revoked"' in html


def test_bad_filters_are_ignored_with_a_message(client, world, scenarios):
    client.force_login(world.head_a)
    page = client.get(
        url(world, expiring_before="2026-13-45", status="nonsense", unit="abc", credential="99999")
    )
    assert page.status_code == 200
    warnings = [str(m) for m in get_messages(page.wsgi_request)]
    assert len(warnings) == 4, warnings
    assert page.context["page"].paginator.count == Trainee.objects.filter(agency=world.agency_a).count()


def test_the_page_takes_the_same_queries_whatever_the_agency_size(
    client, world, docs, today, django_assert_max_num_queries
):
    client.force_login(world.head_a)

    def count():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert client.get(url(world)).status_code == 200
        return len(captured)

    for n in range(3):
        certificate(officer(world, n), docs, expires_on=today + n * 100 * DAY)
    count()  # the first request after login also stores the user's language
    small = count()
    for n in range(3, 60):
        certificate(
            officer(world, n, unit=world.unit_a, rank="Agente"), docs, expires_on=today + n * 10 * DAY
        )
    assert count() == small
    with django_assert_max_num_queries(small + 1):  # + which courses award which credential
        client.get(url(world, status="expiring", credential=docs.pk, sort="-unit"))


@pytest.mark.parametrize("who", ["head_b", "officer_user_a", "instructor"])
def test_others_get_404(client, world, who):
    client.force_login(getattr(world, who))
    assert client.get(url(world)).status_code == 404
    with translation.override("es"):
        requirements = reverse("registry:requirements", args=[world.agency_a.pk])
    assert client.get(requirements).status_code == 404


def test_the_requirements_page(client, world, docs):
    client.force_login(world.coordinator_a)
    with translation.override("en"):
        page = reverse("registry:requirements", args=[world.agency_a.pk])
    assert client.get(page).status_code == 200
    response = client.post(page, {"action": "add", "unit": world.unit_a.pk, "credential": docs.pk})
    assert response.status_code == 302
    requirement = CredentialRequirement.objects.get()
    assert (
        client.post(page, {"action": "add", "unit": world.unit_b.pk, "credential": docs.pk}).status_code
        == 400
    )
    assert client.post(page, {"action": "remove", "requirement": "x"}).status_code == 404
    client.force_login(world.head_b)
    assert client.post(page, {"action": "remove", "requirement": requirement.pk}).status_code == 404
    client.force_login(world.head_a)
    assert client.post(page, {"action": "remove", "requirement": requirement.pk}).status_code == 302
    assert not CredentialRequirement.objects.exists()
