"""Benchmark: the administrators' nomination queue and an agency's nominations page with 10,000
enrollments (2,000+ pending), as a ratio to the same pages with 100.

    .venv/bin/python bench/enrollment_queue.py [--requests 30] [--rounds 5] [--small 100] [--big 10000]

Production settings (`config.settings.production`) on a throw-away SQLite database (or
DATABASE_URL if set), as in bench/module_page.py. The world: `site_setup` and
`courses.demo.seed_courses`; seven countries with four agencies each, their heads and a
program administrator, all through the services; 5,000 officers and their vetting records
(70 % approved and valid, the rest pending, expired, denied or never submitted) bulk-created;
60 class sessions of the demo courses through `session_create` and `session_transition`
(24 open for nominations, 18 in progress, 18 closed).

Enrollments are bulk-created (with one step of history each), not nominated through the
services, so that 10,000 of them take seconds: the pages under test only read them. They
respect the model's constraints and follow their session: open sessions hold nominations (62 %
pending: nominated or on the waiting list), places and refusals; sessions in progress enrolled
officers; closed ones completed, failed and withdrawn. About a quarter are pending, 2,480 of
the 10,000.

On SQLite the small database is copied (SQLite's backup API) and the copy grown to the big
size; the two are then timed in alternating rounds in one process, the connection switching
file between rounds. On another database the sizes are timed one after the other. Each page
is requested through django.test.Client (whole middleware stack, a logged-in program
administrator for the queue, the agency head for the agency page). The script prints queries
per request, the median time per request and the ratio big/small for each page. It asserts
nothing about time.
"""

import argparse
import datetime
import os
import secrets
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "site"), str(ROOT)]

TMP = tempfile.mkdtemp(prefix="carsi-bench-")
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.production"
# Staff must set up a second factor before any page (home/middleware_mfa.py); the login is not what
# is measured here, so the requirement is off, as in the other benchmarks.
os.environ["MFA_REQUIRED_FOR_STAFF"] = "0"
os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(60))
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{TMP}/small.sqlite3")
os.environ.setdefault("MEDIA_ROOT", f"{TMP}/media")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone, translation  # noqa: E402

from bench.report import emit, figure  # noqa: E402
from courses.views_training import PAGE_SIZE  # noqa: E402

OFFICERS = 5_000
SESSIONS = 60  # by index: the first 24 open, the next 18 in progress, the last 18 closed
OPEN, IN_PROGRESS = 24, 42
DAY = datetime.timedelta(days=1)

# Status patterns (20 entries each, cycled) of the enrollments of each kind of session.
PATTERNS = {
    "open": ["nominated"] * 11 + ["waitlisted"] + ["approved"] * 4 + ["rejected"] * 2 + ["withdrawn"] * 2,
    "in_progress": ["enrolled"] * 17 + ["withdrawn"] * 2 + ["completed"],
    "closed": ["completed"] * 15 + ["failed"] * 2 + ["withdrawn"] * 3,
}
# Vetting of the officers (cycled): 70 % approved and valid.
VETTING = ["approved"] * 14 + ["pending", "pending", "expired", "none", "denied", "suspended"]


def setup_world():
    """Everything but the enrollments. Returns (admin, head of the measured agency)."""
    from django.core.management import call_command

    from certification import services as registry
    from certification.models import Agency, AgencyStaff, Trainee, VettingRecord
    from certification.roles import PROGRAM_ADMINISTRATORS, ensure_groups, role_grant
    from certification.text import trainee_search_text
    from courses import services_enrollment as svc
    from courses.demo import seed_courses
    from courses.models import CoursePage
    from courses.models_enrollment import ClassSession
    from home import demo_data
    from home.demo_registry import demo_country
    from home.services import site_setup

    call_command("migrate", verbosity=0, interactive=False)
    ensure_groups()
    site_setup()
    seed_courses(instructor_email=None)
    password = secrets.token_urlsafe(16)
    admin = registry.user_ensure(email="bench.admin@demo.carsi.test", password=password)
    role_grant(user=admin, group_name=PROGRAM_ADMINISTRATORS)
    heads = {}
    for code, _es, _en, tz in demo_data.COUNTRIES:
        country = demo_country(code)
        for acronym, kind, name_es, name_en in demo_data.AGENCIES[code]:
            agency = registry.agency_upsert(
                country=country, acronym=acronym, kind=kind, name_es=name_es, name_en=name_en, time_zone=tz
            )
            head = registry.user_ensure(
                email=f"bench.head.{code}.{acronym}@demo.carsi.test".lower(), password=password
            )
            registry.agency_staff_assign(user=head, agency=agency, role=AgencyStaff.Role.HEAD)
            heads[agency.pk] = head

    today = timezone.localdate()
    agencies = list(Agency.objects.select_related("country").order_by("pk"))
    with transaction.atomic():
        officers = []
        for n in range(OFFICERS):
            agency = agencies[n % len(agencies)]
            officer = Trainee(
                agency=agency,
                id_country=agency.country,
                id_type=Trainee.IdType.PASSPORT,
                id_number=f"B{n:07d}",
                given_names=("María José", "José Ángel", "Ana Lucía", "Luis Fernando")[n % 4],
                first_surname=("Pérez", "Núñez", "Castillo-Ríos", "O'Connor", "Hernández")[n % 5],
                second_surname=("Gómez", "", "Peña")[n % 3],
                badge_number=f"{agency.acronym}-{n:05d}",
            )
            officer.search_text = trainee_search_text(officer)
            officers.append(officer)
        Trainee.objects.bulk_create(officers, batch_size=1000)
        records = []
        for n, officer in enumerate(Trainee.objects.order_by("pk").only("pk")):
            plan = VETTING[n % len(VETTING)]
            if plan == "none":
                continue
            decided = today - (400 if plan == "expired" else 60) * DAY
            status = "approved" if plan == "expired" else plan
            records.append(
                VettingRecord(
                    trainee=officer,
                    status=status,
                    decided_on=None if status == "pending" else decided,
                    valid_until=decided + 365 * DAY if status == "approved" else None,
                    case_reference=f"BENCH-{n:06d}",
                )
            )
        VettingRecord.objects.bulk_create(records, batch_size=1000)

    courses = list(CoursePage.objects.filter(locale__language_code="es").order_by("pk"))
    for s in range(SESSIONS):
        if s < OPEN:
            starts, deadline = today + (20 + s) * DAY, today + (5 + s) * DAY
        elif s < IN_PROGRESS:
            starts, deadline = today - (s - OPEN) * DAY, None
        else:
            starts, deadline = today - (60 + s) * DAY, None
        session = svc.session_create(
            actor=admin,
            course=courses[s % len(courses)],
            code=f"BENCH-{s:03d}",
            starts_on=starts,
            ends_on=starts + 20 * DAY,
            capacity=300,
            nomination_deadline=deadline,
            city="Ciudad de Guatemala",
        )
        svc.session_transition(actor=admin, session=session, to_status=ClassSession.Status.OPEN)
        if s >= OPEN:
            svc.session_transition(actor=admin, session=session, to_status=ClassSession.Status.IN_PROGRESS)
        if s >= IN_PROGRESS:
            svc.session_transition(actor=admin, session=session, to_status=ClassSession.Status.CLOSED)
    measured = agencies[0]
    return admin, heads[measured.pk], measured, heads


def add_enrollments(start: int, stop: int, heads: dict) -> None:
    """Enrollments number `start` to `stop - 1`: officer n % OFFICERS, in session
    (officer + 7 * round) % SESSIONS, so no officer holds two live enrollments in one session."""
    from certification.models import Trainee
    from courses.models_enrollment import ClassSession, Enrollment, EnrollmentTransition

    officers = list(Trainee.objects.order_by("pk").values_list("pk", "agency_id"))
    sessions = list(ClassSession.objects.filter(code__startswith="BENCH-").order_by("code"))
    now = timezone.now()
    rows = []
    for i in range(start, stop):
        t, round_ = i % OFFICERS, i // OFFICERS
        s = (t + 7 * round_) % SESSIONS
        kind = "open" if s < OPEN else "in_progress" if s < IN_PROGRESS else "closed"
        status = PATTERNS[kind][(7 * i) % 20]
        session = sessions[s]
        trainee_id, agency_id = officers[t]
        rows.append(
            Enrollment(
                trainee_id=trainee_id,
                course_key=session.course_key,
                course_id=session.course_id,
                session=session,
                status=status,
                language="es" if i % 5 else "en",
                nominated_by=heads[agency_id],
                waitlisted_at=now if status == "waitlisted" else None,
                completed_at=now if status == "completed" else None,
            )
        )
    with transaction.atomic():
        created = Enrollment.objects.bulk_create(rows, batch_size=1000)
        if not created or created[0].pk is None:  # backends that return no ids
            created = list(Enrollment.objects.order_by("-pk")[: len(rows)])
        EnrollmentTransition.objects.bulk_create(
            [EnrollmentTransition(enrollment=e, to_status=e.status, emailed_at=now) for e in created],
            batch_size=1000,
        )


def use_database(name: str) -> None:
    """Points the default connection at another SQLite file (closed; reopens on next query)."""
    connection.close()
    connection.settings_dict["NAME"] = name


def per_request_ms(client: Client, url: str, requests: int) -> list[float]:
    times = []
    for _ in range(requests):
        start = time.perf_counter()
        response = client.get(url, secure=True)
        times.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
    return times


def count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        client.get(url, secure=True)
    return len(captured)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--small", type=int, default=100)
    parser.add_argument("--big", type=int, default=10_000)
    args = parser.parse_args()

    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    fast_hasher = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # setup only: no login is timed
    with override_settings(STORAGES=storages, STATIC_ROOT=TMP), translation.override("es"):
        from courses.models_enrollment import Enrollment

        started = time.perf_counter()
        with override_settings(PASSWORD_HASHERS=fast_hasher):
            admin, head, agency, heads = setup_world()
        add_enrollments(0, args.small, heads)
        setup_seconds = time.perf_counter() - started
        queue_url = reverse("training:nomination_queue")
        agency_url = reverse("training:agency_nominations", args=[agency.pk])
        pending = ("nominated", "waitlisted")

        sqlite = connection.vendor == "sqlite"
        sizes = {}
        databases = {}
        for label, size in (("small", args.small), ("big", args.big)):
            if label == "big":
                if sqlite:  # copy the small database, then grow the copy
                    small_name = connection.settings_dict["NAME"]
                    big_name = str(Path(small_name).with_name("big.sqlite3"))
                    connection.close()
                    source, target = sqlite3.connect(small_name), sqlite3.connect(big_name)
                    source.backup(target)
                    source.close(), target.close()
                    use_database(big_name)
                grown = time.perf_counter()
                add_enrollments(args.small, size, heads)
                setup_seconds += time.perf_counter() - grown
            queue_client, agency_client = Client(HTTP_HOST="testserver"), Client(HTTP_HOST="testserver")
            queue_client.force_login(admin)
            agency_client.force_login(head)
            for client, url in ((queue_client, queue_url), (agency_client, agency_url)):
                per_request_ms(client, url, 5)  # warm caches and template loaders
            sizes[label] = {
                "enrollments": Enrollment.objects.count(),
                "pending": Enrollment.objects.filter(status__in=pending).count(),
                "agency": Enrollment.objects.filter(trainee__agency=agency).count(),
                "queue_queries": count_queries(queue_client, queue_url),
                "agency_queries": count_queries(agency_client, agency_url),
                "queue_ms": [],
                "agency_ms": [],
            }
            databases[label] = (connection.settings_dict["NAME"], queue_client, agency_client)
            if not sqlite:  # one size after the other
                for _ in range(args.rounds):
                    sizes[label]["queue_ms"] += per_request_ms(queue_client, queue_url, args.requests)
                    sizes[label]["agency_ms"] += per_request_ms(agency_client, agency_url, args.requests)
        if sqlite:  # alternating rounds
            for _ in range(args.rounds):
                for label in ("small", "big"):
                    name, queue_client, agency_client = databases[label]
                    use_database(name)
                    sizes[label]["queue_ms"] += per_request_ms(queue_client, queue_url, args.requests)
                    sizes[label]["agency_ms"] += per_request_ms(agency_client, agency_url, args.requests)

    small, big = sizes["small"], sizes["big"]
    order = "alternating rounds" if sqlite else "one size after the other"
    print(
        f"database: {connection.vendor} ({order}); {args.rounds} rounds of {args.requests} requests "
        f"per page and size; medians. Setup took {setup_seconds:.0f} s."
    )
    for label, size in sizes.items():
        print(
            f"{label:5}: {size['enrollments']:6,} enrollments, {size['pending']:5,} pending, "
            f"{size['agency']:5,} of the measured agency ({agency.acronym} {agency.country.code})"
        )
    print("page                 rows small/big   queries small/big   median ms small/big   ratio big/small")
    for page, key, rows in (
        ("nomination queue", "queue", "pending"),
        ("agency nominations", "agency", "agency"),
    ):
        r_small, r_big = (min(size[rows], PAGE_SIZE) for size in (small, big))
        q_small, q_big = small[f"{key}_queries"], big[f"{key}_queries"]
        ms_small, ms_big = statistics.median(small[f"{key}_ms"]), statistics.median(big[f"{key}_ms"])
        print(
            f"{page:20} {r_small:4} / {r_big:<4}      {q_small:7} / {q_big:<7}   "
            f"{ms_small:8.1f} / {ms_big:<8.1f}   {ms_big / ms_small:8.2f}"
        )
    print(f"(rows: what page 1 shows, at most {PAGE_SIZE}; the times include rendering them)")
    figures = []
    for page, key in (("nomination queue", "queue"), ("agency nominations", "agency")):
        ms_small, ms_big = statistics.median(small[f"{key}_ms"]), statistics.median(big[f"{key}_ms"])
        at = f"{big['enrollments']:,} enrollments"
        figures.append(figure(f"{page}, {at}", ms_big, "ms", f"{small['enrollments']:,}", ms_small))
        figures.append(
            figure(
                f"{page} queries, {at}", big[f"{key}_queries"], "queries", "small", small[f"{key}_queries"]
            )
        )
    emit("enrollment_queue", figures, setup=f"{connection.vendor}, {order}, Django test client")
    shutil.rmtree(TMP, ignore_errors=True)


if __name__ == "__main__":
    main()
