"""Coverage pictures and program figures: counts on a known data set that agree with the roster,
officers counted once across courses, completion and pass rates, the funder report's unique
counting and its period's edges (read back from the XLSX), neutralised cells, the audit entry,
bad periods, a fixed number of queries, who may see what, both languages, accessible charts."""

import datetime
import io
import itertools
import zoneinfo

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from certification import services as registry
from certification.models import AuditEntry, Trainee, VettingRecord
from certification.selectors import agency_today
from certification.selectors_coverage import (
    certificates_issued_by_month,
    coverage_by_status,
    expirations_by_month,
    month_starts,
    months_back,
    unit_progress,
)
from certification.selectors_roster import (
    STATUS_LABELS,
    RosterFilters,
    roster_credentials,
    roster_officers,
    roster_summary,
)
from certification.services_audit import requirement_add
from certification.services_vetting import vetting_record_add
from certification.templatetags.charts import bar_chart, stacked_chart
from courses import selectors_program as program
from courses import services as course_services
from courses.models import Attempt, ClassSession, Enrollment, EnrollmentTransition, Exam
from home.models import HomePage
from tests.certification.test_roster import certificate, officer

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)
ZONE = zoneinfo.ZoneInfo("America/Guatemala")  # settings.TIME_ZONE: the program's days
_codes = itertools.count(1)


def at(year, month, day, hour=12, minute=0):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=ZONE)


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


@pytest.fixture
def catalogue(world):
    home = HomePage.objects.get(locale__language_code="es")
    return course_services.catalogue_ensure(home=home, title="Catálogo", slug="cursos")


@pytest.fixture
def tracks(world):
    return (
        course_services.track_upsert(
            slug="border", name_es="Fronteras", name_en="Border security", sort_order=1
        ),
        course_services.track_upsert(
            slug="inv", name_es="Investigación", name_en="Investigations", sort_order=2
        ),
    )


def make_course(catalogue, track, code, hours, **fields):
    return course_services.course_create(
        catalogue=catalogue,
        title=f"Curso {code}",
        slug=code.lower(),
        code=code,
        track=track,
        hours=hours,
        summary="Resumen.",
        publish=True,
        online=True,
        **fields,
    )


@pytest.fixture
def courses(catalogue, tracks, docs):
    """BSI-101 (40 h, border security, awards docs), FIN-201 (24 h, investigations) and USF-301
    (16 h, US-funded)."""
    return (
        make_course(catalogue, tracks[0], "BSI-101", 40, credential=docs),
        make_course(catalogue, tracks[1], "FIN-201", 24),
        make_course(catalogue, tracks[0], "USF-301", 16, us_funded=True),
    )


def enrollment(trainee, course, status, *, completed_at=None, session=None):
    return Enrollment.objects.create(
        trainee=trainee,
        course=course,
        course_key=course.translation_key,
        session=session,
        status=status,
        completed_at=completed_at,
    )


def completed(trainee, course, when):
    return enrollment(trainee, course, Enrollment.Status.COMPLETED, completed_at=when)


def person(world, n, *, agency=None, sex="", unit=None):
    agency = agency or world.agency_b
    return Trainee.objects.create(
        agency=agency,
        unit=unit,
        id_country=agency.country,
        id_number=f"7{n:08d}",
        given_names=f"Persona{n}",
        first_surname=f"Prueba{n:03d}",
        sex=sex,
    )


def get(client, name, language="es", query="", **kwargs):
    with translation.override(language):
        url = reverse(f"registry:{name}", kwargs=kwargs)
    return client.get(f"{url}?{query}" if query else url)


def queries(callable_) -> int:
    with CaptureQueriesContext(connection) as captured:
        callable_()
    return len(captured)


# --- the chart helper ------------------------------------------------------------------------------


def test_a_bar_chart_is_an_accessible_image_with_its_table():
    context = bar_chart(
        [("Guatemala", 7), ("Honduras", 1), ("Belice", None, "nothing required")],
        chart_id="c1",
        title="Officers by country",
        label_heading="Country",
        value_heading="Officers",
    )
    bars = context["bars"]
    assert [b.width for b in bars] == [300, 42.9, 0]  # the longest bar fills the room
    assert [b.text for b in bars] == ["7", "1", "nothing required"]
    assert all(b.inline for b in bars) and bars[1].bar_x == 190  # short labels sit left of the bars
    assert "Guatemala: 7; Honduras: 1" in context["description"]
    from django.template.loader import render_to_string

    with translation.override("es"):
        html = render_to_string("includes/chart_bar.html", {**context, "bars": bars})
    assert 'role="img"' in html and 'aria-labelledby="c1-title c1-desc"' in html
    assert '<title id="c1-title">Officers by country</title>' in html
    assert "<table" in html and '<th scope="row">Honduras</th>' in html
    assert 'width="42.9"' in html  # SVG numbers are never written with a decimal comma
    long = bar_chart(
        [("BSI-101 Interdicción fronteriza en puestos terrestres", 66.7, "66,7 % (2 of 3)")],
        chart_id="c2",
        title="Pass rate",
        label_heading="Course",
        value_heading="Pass rate",
        maximum=100,
    )
    (bar,) = long["bars"]
    assert not bar.inline and bar.bar_x == 0 and bar.bar_y > bar.label_y - 14  # the label above its bar
    assert bar.width == round(490 * 0.667, 1) and bar.text == "66,7 % (2 of 3)"


def test_a_stacked_chart_counts_each_segment_in_text():
    context = stacked_chart(
        [("Documentos", {"valid": 3, "none": 1}), ("Vehículos", {})],
        segments=[("valid", "Valid"), ("expired", "Expired"), ("none", "None")],
        chart_id="s1",
        title="By status",
        label_heading="Credential",
    )
    first, second = context["rows"]
    assert [(s.key, s.count) for s in first.segments] == [("valid", 3), ("none", 1)]
    assert first.total == 4 and second.total == 0 and not second.segments
    assert context["table_rows"][0] == ("Documentos", [3, 0, 1], 4)
    assert "Documentos: Valid 3, None 1" in context["description"]


def test_month_helpers():
    assert month_starts(datetime.date(2026, 11, 30), 3) == [
        datetime.date(2026, 11, 1),
        datetime.date(2026, 12, 1),
        datetime.date(2027, 1, 1),
    ]
    assert months_back(datetime.date(2026, 2, 14), 3) == [
        datetime.date(2025, 12, 1),
        datetime.date(2026, 1, 1),
        datetime.date(2026, 2, 1),
    ]
    assert len(months_back(datetime.date(2026, 12, 31), 12)) == 12


# --- an agency's coverage ----------------------------------------------------------------------------


@pytest.fixture
def statuses(world, docs, vehicles, courses, today):
    """Officers of agency A in every status of `docs`, one in training (approved in BSI-101, which
    awards docs, after an expired certificate), and a few of `vehicles`."""
    people = {}
    for n, name in enumerate(
        ["valid", "expiring", "expired", "suspended", "revoked", "superseded", "training", "nothing"], start=1
    ):
        people[name] = officer(world, n, unit=world.unit_a)
    certificate(people["valid"], docs, expires_on=today + 400 * DAY)
    certificate(people["expiring"], docs, expires_on=today + 10 * DAY)
    certificate(people["expired"], docs, expires_on=today - DAY)
    certificate(people["suspended"], docs, expires_on=today + 400 * DAY, status="suspended")
    certificate(people["revoked"], docs, expires_on=today + 400 * DAY, status="revoked")
    certificate(people["superseded"], docs, expires_on=today + 400 * DAY, status="superseded")
    certificate(people["training"], docs, expires_on=today - 30 * DAY)
    enrollment(people["training"], courses[0], Enrollment.Status.APPROVED)
    certificate(people["valid"], vehicles, expires_on=today + 40 * DAY)
    certificate(people["expired"], vehicles, expires_on=None)
    separated = officer(world, 99, unit=world.unit_a)
    certificate(separated, docs, expires_on=today + 5 * DAY)
    separated.status = Trainee.Status.SEPARATED
    separated.save(update_fields=["status"])
    certificate(world.trainee_b, docs, expires_on=today + 5 * DAY)  # another agency
    return people


def test_status_counts_agree_with_the_roster_filters(world, statuses, docs, vehicles, today):
    credentials = roster_credentials(agency=world.agency_a)
    counted = {
        row.credential.code: row.counts
        for row in coverage_by_status(agency=world.agency_a, credentials=credentials, today=today)
    }
    assert counted["docs"] == {
        "valid": 1,
        "expiring": 1,
        "suspended": 1,
        "revoked": 1,
        "in_training": 1,
        "expired": 1,
        "none": 4,  # superseded only, nothing, and the two officers of the world fixture
    }
    for credential in credentials:
        for status in STATUS_LABELS:
            filters = RosterFilters(credential_id=credential.pk, status=status)
            shown = roster_officers(agency=world.agency_a, filters=filters, today=today).count()
            assert counted[credential.code][status] == shown, (credential.code, status)
        active = Trainee.objects.filter(agency=world.agency_a, status="active").count()
        assert sum(counted[credential.code].values()) == active


def test_expirations_fall_in_their_month(world, statuses, docs, today):
    months = expirations_by_month(agency=world.agency_a, today=today)
    assert len(months) == 12 and months[0][0] == today.replace(day=1)
    by_month = dict(months)
    expected = {}
    for day in (today + 10 * DAY, today + 40 * DAY):  # expiring (docs), valid (vehicles)
        expected[day.replace(day=1)] = expected.get(day.replace(day=1), 0) + 1
    for month, count in by_month.items():
        assert count == expected.get(month, 0), month
    # renewed (superseded), suspended, expired, separated, another agency's: none of them count
    assert sum(by_month.values()) == 2
    certificate(officer(world, 50), docs, expires_on=today)  # today is this month's
    assert dict(expirations_by_month(agency=world.agency_a, today=today))[today.replace(day=1)] == (
        expected.get(today.replace(day=1), 0) + 1
    )


def test_unit_progress_matches_the_roster_summary(world, docs, vehicles, today):
    airport = registry.unit_upsert(agency=world.agency_a, name="Aeropuerto")
    requirement_add(actor=world.head_a, agency=world.agency_a, credential=docs)
    requirement_add(actor=world.head_a, agency=world.agency_a, unit=airport, credential=vehicles)
    a = officer(world, 1, unit=airport)  # both held
    certificate(a, docs, expires_on=today + 10 * DAY)
    certificate(a, vehicles, expires_on=None)
    b = officer(world, 2, unit=airport)  # docs only
    certificate(b, docs, expires_on=today + 400 * DAY)
    c = officer(world, 3, unit=world.unit_a)  # expired docs
    certificate(c, docs, expires_on=today - DAY)
    d = officer(world, 4, unit=world.unit_a)
    certificate(d, docs, expires_on=None)
    officer(world, 5)  # no unit: docs still required of them
    progress = {p.name: p for p in unit_progress(agency=world.agency_a, today=today)}
    assert [(p.with_requirements, p.complete) for p in progress.values()] == [(2, 1), (4, 1), (1, 0)]
    assert list(progress) == ["Aeropuerto", "Unidad de Fronteras", "No unit"]
    assert progress["Aeropuerto"].percent == 50.0
    summary = roster_summary(agency=world.agency_a, today=today)
    assert sum(p.complete for p in progress.values()) == summary["complete"]
    assert sum(p.with_requirements for p in progress.values()) == summary["with_requirements"]


def test_nothing_required_is_no_percentage(world, today):
    progress = unit_progress(agency=world.agency_a, today=today)
    assert [(p.name, p.with_requirements, p.percent) for p in progress] == [("Unidad de Fronteras", 0, None)]


@pytest.mark.parametrize("language, credential", [("es", "Documentos"), ("en", "Documents")])
def test_the_coverage_page_in_both_languages(client, world, statuses, language, credential):
    client.force_login(world.head_a)
    page = get(client, "coverage", language, agency_id=world.agency_a.pk)
    assert page.status_code == 200
    html = page.content.decode()
    assert f'<html lang="{language}"' in html and credential in html
    for chart in ("coverage-status", "coverage-expirations", "coverage-units"):
        assert f'data-testid="chart-{chart}"' in html and f'data-testid="table-{chart}"' in html
        assert f'aria-labelledby="{chart}-title {chart}-desc"' in html
    assert "css/charts.css" in html
    assert f"?credential={statuses['valid'].certificates.first().credential_id}&amp;status=expired" in html


def test_the_coverage_page_takes_the_same_queries_whatever_the_agency_size(
    client, world, docs, vehicles, today
):
    client.force_login(world.head_a)
    requirement_add(actor=world.head_a, agency=world.agency_a, credential=docs)

    def page():
        assert get(client, "coverage", agency_id=world.agency_a.pk).status_code == 200

    certificate(officer(world, 1, unit=world.unit_a), docs, expires_on=today + 30 * DAY)
    page()  # the first request after login also stores the user's language
    small = queries(page)
    # session, user, roles, agency, the roster's columns (2), status counts (4), expirations, units,
    # and what every page reads (language, messages, navigation)
    assert small <= 16, small
    for n in range(2, 40):
        unit = registry.unit_upsert(agency=world.agency_a, name=f"Unidad {n % 5}")
        someone = officer(world, n, unit=unit)
        certificate(someone, docs, expires_on=today + n * 20 * DAY)
        certificate(someone, vehicles, expires_on=today - n * DAY, status="suspended" if n % 3 else "valid")
    assert queries(page) == small


@pytest.mark.parametrize("who", ["head_b", "officer_user_a", "instructor"])
def test_others_get_404_for_an_agency_s_coverage(client, world, who):
    client.force_login(getattr(world, who))
    assert get(client, "coverage", agency_id=world.agency_a.pk).status_code == 404


@pytest.mark.parametrize("who", ["head_a", "coordinator_a", "admin"])
def test_its_heads_coordinators_and_administrators_see_it(client, world, who):
    client.force_login(getattr(world, who))
    assert get(client, "coverage", agency_id=world.agency_a.pk).status_code == 200
    assert get(client, "coverage", agency_id=99999).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, world):
    assert get(client, "coverage", agency_id=world.agency_a.pk).status_code == 302
    assert get(client, "program_figures").status_code == 302
    assert get(client, "funder_report", query="start=2025-01-01&end=2025-12-31").status_code == 302


# --- program figures --------------------------------------------------------------------------------


@pytest.fixture
def training(world, courses):
    """Completions in and around the first half of 2025 (America/Guatemala days):

    trainee_a (F, PNC GT)   BSI-101 2025-03-10, FIN-201 2025-06-30 23:30   (one officer, two courses)
    trainee_a2 (M, PNC GT)  BSI-101 2025-01-01 00:00
    trainee_b (M, PN HN)    FIN-201 2025-07-01 00:10 (after), BSI-101 2024-12-31 23:59 (before)
    nobody (sex unknown, PN) BSI-101 2025-05-05
    """
    bsi, fin, _usf = courses
    unknown = person(world, 1)
    completed(world.trainee_a, bsi, at(2025, 3, 10))
    completed(world.trainee_a, fin, at(2025, 6, 30, 23, 30))
    completed(world.trainee_a2, bsi, at(2025, 1, 1, 0, 0))
    completed(world.trainee_b, fin, at(2025, 7, 1, 0, 10))
    completed(world.trainee_b, bsi, at(2024, 12, 31, 23, 59))
    completed(unknown, bsi, at(2025, 5, 5))
    return unknown


def test_officers_are_counted_once_across_courses(world, training):
    done = program.completions()
    assert program.officers_trained(done) == {
        "officers": 4,
        "women": 1,
        "men": 2,
        "unrecorded": 1,
        "completions": 6,
        "hours": 40 * 4 + 24 * 2,
    }
    assert [(b.key, b.officers, b.completions) for b in program.trained_by_country(done)] == [
        ("GT", 2, 3),
        ("HN", 2, 3),
    ]
    assert [(b.label, b.officers) for b in program.trained_by_agency(done)] == [
        ("PNC (GT)", 2),
        ("PN (HN)", 2),
    ]
    assert [(b.key, b.officers) for b in program.trained_by_sex(done)] == [("F", 1), ("M", 2), ("", 1)]
    assert [(b.label, b.officers) for b in program.trained_by_track(done)] == [
        ("Border security", 4),
        ("Investigations", 2),
    ]
    assert [(b.key, b.officers) for b in program.trained_by_year(done)] == [(2024, 1), (2025, 4)]
    with translation.override("es"):
        assert [b.label for b in program.trained_by_track(done)] == ["Fronteras", "Investigación"]


def test_completion_and_pass_rates_per_course(world, courses):
    bsi, fin, _usf = courses
    done = completed(world.trainee_a, bsi, at(2025, 3, 1))
    completed(world.trainee_a2, bsi, at(2025, 3, 1))
    enrollment(world.trainee_b, bsi, Enrollment.Status.FAILED)
    quitter = enrollment(person(world, 2), bsi, Enrollment.Status.WITHDRAWN)
    EnrollmentTransition.objects.create(enrollment=quitter, from_status="enrolled", to_status="withdrawn")
    early = enrollment(person(world, 3), bsi, Enrollment.Status.WITHDRAWN)  # before starting: not counted
    EnrollmentTransition.objects.create(enrollment=early, from_status="approved", to_status="withdrawn")
    enrollment(person(world, 4), bsi, Enrollment.Status.ENROLLED)  # still taking it
    exam = Exam.objects.create(course=bsi, course_key=bsi.translation_key, title="Examen final")
    now = at(2025, 3, 1)

    def attempt(number, status="submitted", **result):
        return Attempt.objects.create(
            enrollment=done,
            exam=exam,
            exam_group_key=exam.group_key,
            number=number,
            status=status,
            started_at=now,
            submitted_at=None if status == "in_progress" else now,
            **result,
        )

    attempt(1, passed=True)
    attempt(2, passed=False)
    attempt(3, status="auto_closed", passed=False, override_passed=True)  # an override counts
    attempt(4, passed=None, pending_grading=True)  # awaiting scoring: not yet counted
    attempt(5, status="in_progress")
    rates = {c.code: c for c in program.course_rates()}
    assert list(rates) == ["BSI-101"]  # FIN-201 has no outcome yet
    figures = rates["BSI-101"]
    assert (figures.completed, figures.failed, figures.withdrawn) == (2, 1, 1)
    assert figures.completion_rate == 50.0
    assert (figures.attempts, figures.passed) == (3, 2)
    assert round(figures.pass_rate, 1) == 66.7


def test_certificates_issued_per_month(world, docs):
    today = datetime.date(2026, 5, 20)
    certificate(world.trainee_a, docs, issued_on=datetime.date(2026, 5, 1), expires_on=None)
    certificate(world.trainee_a2, docs, issued_on=datetime.date(2026, 5, 20), expires_on=None)
    certificate(world.trainee_b, docs, issued_on=datetime.date(2025, 6, 30), expires_on=None)
    certificate(world.trainee_b, docs, issued_on=datetime.date(2025, 5, 31), expires_on=None)  # too old
    certificate(world.trainee_b, docs, issued_on=datetime.date(2026, 5, 21), expires_on=None)  # future
    months = certificates_issued_by_month(today=today)
    assert months[0] == (datetime.date(2025, 6, 1), 1)
    assert months[-1] == (datetime.date(2026, 5, 1), 2)
    assert sum(count for _m, count in months) == 3


def test_vetting_that_ends_before_a_planned_class(world, courses):
    bsi, _fin, usf = courses
    today = datetime.date.today()
    starts, ends = today + 30 * DAY, today + 40 * DAY

    def session(course, status="planned"):
        return ClassSession.objects.create(
            course=course,
            course_key=course.translation_key,
            code=f"S-{next(_codes)}",
            starts_on=starts,
            ends_on=ends,
            capacity=20,
            status=status,
        )

    def vetted(trainee, valid_until, status="approved"):
        vetting_record_add(
            actor=world.admin,
            trainee=trainee,
            status=status,
            decided_on=today - 100 * DAY,
            valid_until=valid_until if status == "approved" else None,
        )

    planned, running, not_funded = session(usf), session(usf, "in_progress"), session(bsi, "open")
    during, before, fine, pending = world.trainee_a, world.trainee_a2, world.trainee_b, person(world, 5)
    vetted(during, starts + 2 * DAY)
    vetted(before, starts - DAY)
    vetted(fine, ends)  # valid through the last day
    vetted(pending, None, status="pending")
    for trainee, status in (
        (during, "nominated"),
        (before, "approved"),
        (fine, "enrolled"),
        (pending, "nominated"),
    ):
        enrollment(trainee, usf, status, session=planned)
    enrollment(during, usf, "enrolled", session=running)  # the class has started
    enrollment(before, bsi, "nominated", session=not_funded)  # vetting does not apply
    gone = person(world, 6)
    vetted(gone, starts - DAY)
    enrollment(gone, usf, "withdrawn", session=planned)
    total, rows = program.vetting_lapses(today=today)
    assert total == 2
    # soonest class first, then the vetting that ends first
    assert [(row.trainee, row.lapses_before_start) for row in rows] == [(before, True), (during, False)]
    assert {row.vetting_valid_until for row in rows} == {starts + 2 * DAY, starts - DAY}
    assert VettingRecord.objects.count() == 5


@pytest.mark.parametrize("language, track", [("es", "Fronteras"), ("en", "Border security")])
def test_the_figures_page_in_both_languages(client, world, training, language, track):
    client.force_login(world.admin)
    page = get(client, "program_figures", language)
    assert page.status_code == 200
    html = page.content.decode()
    assert f'<html lang="{language}"' in html and track in html
    for chart in (
        "trained-country",
        "trained-agency",
        "trained-sex",
        "trained-track",
        "trained-year",
        "course-completion",
        "course-pass",
        "certificates-issued",
    ):
        assert f'data-testid="chart-{chart}"' in html and f'data-testid="table-{chart}"' in html, chart
    assert page.context["totals"]["officers"] == 4
    assert 'data-testid="total-officers">4<' in html
    today = datetime.datetime.now(ZONE).date()  # the period offered: this year so far
    assert (
        f'name="start" value="{today.year}-01-01"' in html
        and f'name="end" value="{today.isoformat()}"' in html
    )


def test_the_figures_page_takes_the_same_queries_whatever_the_data(client, world, courses, training):
    client.force_login(world.admin)

    def page():
        assert get(client, "program_figures").status_code == 200

    page()
    small = queries(page)
    # totals, five breakdowns, course rates (3), certificates per month, vetting lapses (2), and
    # what every page reads
    assert small <= 23, small
    bsi, fin, usf = courses
    session = ClassSession.objects.create(
        course=usf,
        course_key=usf.translation_key,
        code="S-big",
        starts_on=datetime.date.today() + 30 * DAY,
        ends_on=datetime.date.today() + 35 * DAY,
        capacity=50,
    )
    for n in range(10, 40):
        someone = person(world, n, agency=world.agency_a if n % 2 else world.agency_b, sex="FM"[n % 2])
        completed(someone, bsi if n % 3 else fin, at(2023 + n % 3, 1 + n % 12, 5))
        vetting_record_add(
            actor=world.admin,
            trainee=someone,
            status="approved",
            decided_on=datetime.date.today() - 10 * DAY,
            valid_until=datetime.date.today() + 31 * DAY,
        )
        enrollment(someone, usf, "nominated", session=session)
    assert queries(page) == small


@pytest.mark.parametrize("who", ["head_a", "coordinator_a", "officer_user_a", "instructor"])
def test_program_pages_are_for_administrators_only(client, world, who):
    client.force_login(getattr(world, who))
    assert get(client, "program_figures").status_code == 404
    assert get(client, "funder_report", query="start=2025-01-01&end=2025-12-31").status_code == 404
    assert not AuditEntry.objects.exists()


# --- the funder report ------------------------------------------------------------------------------


def workbook(response):
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=False)


def sheet_rows(book, index):
    return [list(row) for row in book.worksheets[index].iter_rows(values_only=True)]


def test_the_funder_report_counts_each_officer_once_within_the_period(client, world, training):
    client.force_login(world.admin)
    with translation.override("en"):
        response = get(client, "funder_report", "en", query="start=2025-01-01&end=2025-06-30")
    book = workbook(response)
    assert book.sheetnames == ["Summary", "By country", "By agency", "By course", "Vetting"]
    summary = {row[0]: row[1] for row in sheet_rows(book, 0)[1:]}
    # trainee_a twice (BSI-101, FIN-201 at 23:30 on the last day), trainee_a2 at midnight on the
    # first day, the officer of unknown sex; trainee_b only outside the period.
    assert summary["Unique officers trained (each counted once however many courses)"] == 3
    assert (summary["Women"], summary["Men"], summary["Sex not recorded"]) == (1, 1, 1)
    assert summary["Course completions"] == 4
    assert summary["Training hours (course hours × completions)"] == 40 * 3 + 24
    assert summary["Period from"].date() == datetime.date(2025, 1, 1)
    countries = sheet_rows(book, 1)
    assert countries[0][:3] == ["Country code", "Country", "Officers"]
    assert [row[:8] for row in countries[1:]] == [
        ["GT", "Guatemala", 2, 1, 1, 0, 3, 40 * 2 + 24],
        ["HN", "Honduras", 1, 0, 0, 1, 1, 40],
    ]
    agencies = sheet_rows(book, 2)
    assert [row[:4] for row in agencies[1:]] == [
        ["GT", "PNC", "National Civil Police", 2],
        ["HN", "PN", "National Police", 1],
    ]
    by_course = sheet_rows(book, 3)
    assert [(row[0], row[3], row[4], row[8], row[9]) for row in by_course[1:]] == [
        ("BSI-101", 40, 3, 3, 120),
        ("FIN-201", 24, 1, 1, 24),
    ]
    vetting = dict(sheet_rows(book, 4)[1:])
    assert vetting["Never submitted"] == 3 and sum(vetting.values()) == 3
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor, entry.agency) == ("funder_report", world.admin, None)
    assert entry.details == {"start": "2025-01-01", "end": "2025-06-30", "officers": 3}


def test_the_period_edges_are_whole_days(client, world, training):
    client.force_login(world.admin)

    def officers(start, end):
        book = workbook(get(client, "funder_report", "en", query=f"start={start}&end={end}"))
        return sheet_rows(book, 0)[4][1]

    assert officers("2025-07-01", "2025-07-01") == 1  # 00:10 on the first day
    assert officers("2024-12-31", "2024-12-31") == 1  # 23:59 on the last day
    assert officers("2025-06-30", "2025-06-30") == 1
    assert officers("2025-01-02", "2025-03-09") == 0
    assert officers("2024-01-01", "2025-12-31") == 4  # trainee_b's two courses: one officer
    assert AuditEntry.objects.filter(action="funder_report").count() == 5


def test_text_cells_are_neutralised(client, world, courses):
    client.force_login(world.admin)
    world.agency_a.name_en = '=HYPERLINK("http://x")'
    world.agency_a.save()
    completed(world.trainee_a, courses[0], at(2025, 2, 2))
    book = workbook(get(client, "funder_report", "en", query="start=2025-01-01&end=2025-12-31"))
    agency_name = sheet_rows(book, 2)[1][2]
    assert agency_name == '\'=HYPERLINK("http://x")'
    for worksheet in book.worksheets:
        for row in worksheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (worksheet.title, cell.coordinate)


def test_the_spanish_report_has_spanish_sheets(client, world, training):
    client.force_login(world.admin)
    book = workbook(get(client, "funder_report", "es", query="start=2025-01-01&end=2025-06-30"))
    assert len(book.sheetnames) == 5
    assert sheet_rows(book, 0)[4][1] == 3


@pytest.mark.parametrize(
    "query",
    [
        "",
        "start=2025-01-01",
        "start=2025-13-01&end=2025-12-31",
        "start=31/01/2025&end=2025-12-31",
        "start=2025-06-30&end=2025-01-01",
        "start=1900-01-01&end=2025-01-01",
        "start=2025-01-01&end=x' OR 1=1",
    ],
)
def test_a_bad_period_shows_the_page_with_a_message(client, world, query):
    client.force_login(world.admin)
    page = get(client, "funder_report", "en", query=query)
    assert page.status_code == 400
    assert page["Content-Type"].startswith("text/html")
    assert [m.level_tag for m in get_messages(page.wsgi_request)] == ["error"]
    assert page.context["form"].errors
    assert not AuditEntry.objects.exists()


def test_the_report_takes_the_same_queries_whatever_the_data(client, world, courses, training):
    client.force_login(world.admin)

    def download():
        response = get(client, "funder_report", query="start=2020-01-01&end=2026-12-31")
        assert response.status_code == 200
        b"".join(response.streaming_content)

    download()
    small = queries(download)
    # session, user, roles, the report (6 queries) and the audit entry
    assert small <= 15, small  # with the audit entry, written in its own savepoint
    for n in range(10, 40):
        someone = person(world, n, agency=world.agency_a if n % 2 else world.agency_b, sex="FM"[n % 2])
        completed(someone, courses[n % 2], at(2025, 1 + n % 12, 5))
        vetting_record_add(
            actor=world.admin,
            trainee=someone,
            status="approved",
            decided_on=datetime.date(2025, 1, 1),
            valid_until=datetime.date(2025, 1, 1) + 365 * DAY * (n % 3),
        )
    assert queries(download) == small
