"""Benchmark: the certification roster page and its CSV export for an agency of 500 officers and
one of 5,000 (20 credentials each), side by side, and a CSV of 100,000 certificate rows.

    .venv/bin/python bench/roster.py [--small 500] [--big 5000] [--credentials 20]
        [--huge 20000] [--huge-credentials 5] [--requests 15] [--rounds 3]

Production settings (`config.settings.production`, DEBUG off) with MFA_REQUIRED_FOR_STAFF off
(the agency heads would otherwise be sent to set up TOTP), on a PostgreSQL database of its own
(`carsi_bench_roster` on 127.0.0.1:5432, user postgres: dropped and recreated, dropped again at
the end; `BENCH_DB_NAME` names another; `--sqlite`: a temporary SQLite file), media in a
temporary folder.

The world, in one database: Guatemala, 20 credentials (validity 12 to 48 months, one without
expiry), a self-paced course awarding the first one, and three agencies, each with five units,
a head and its required credentials (two for every officer, one more per unit, through
`services_audit.requirement_add`):

- small: --small officers, --credentials credentials;
- big: --big officers, the same credentials;
- huge: --huge officers and --huge-credentials credentials, every cell holding a current
  certificate: by default 20,000 officers x 5 credentials = 100,000 certificate rows (the
  certificates the CSV reads, one per officer and credential; its file has one line per
  officer, two columns per credential).

Officers (with their search text), certificates and a few enrollments are bulk-created: the
pages under test only read them. In small and big each officer-credential cell draws a fate:
about 30 % nothing, the rest valid, expiring within 90 days, expired, suspended, revoked or
renewed (a superseded certificate and its valid renewal, linked); 3 % of the officers are
enrolled in the course (in training).

Measured through `django.test.Client` (the whole middleware stack, logged in as the agency's
head), with `X-Forwarded-Proto`-free HTTPS requests (`secure=True`):

- the roster page, unfiltered (first page, 50 officers) and filtered to "expiring this quarter"
  (`expiring_before` = the end of the quarter): queries of one request (CaptureQueriesContext)
  and the median time over --rounds rounds of --requests requests, small and big alternating;
- the CSV export, unfiltered, consumed to the end as a client would read it: once timed (rows
  per second, queries), once under `tracemalloc` (the peak of Python allocations while the
  response streams; tracemalloc slows it down, so it is not the timed run).

Prints each figure for each agency and the ratios big/small and huge/small (`--show-queries`:
also the big agency's slowest queries of each page, with their times). It asserts nothing
about time; it exits 1 if a page answers anything but 200 or the CSV lacks rows.
"""

import argparse
import datetime
import os
import random
import secrets
import shutil
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "site"), str(ROOT)]

TMP = tempfile.mkdtemp(prefix="carsi-bench-roster-")
DB_NAME = os.environ.get("BENCH_DB_NAME", "carsi_bench_roster")
PG = "postgres://postgres@127.0.0.1:5432"
SQLITE = "--sqlite" in sys.argv  # read before argparse: the database is chosen before Django starts
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.production"
os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(60))
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")
os.environ["DATABASE_URL"] = f"sqlite:///{TMP}/roster.sqlite3" if SQLITE else f"{PG}/{DB_NAME}"
os.environ["MEDIA_ROOT"] = f"{TMP}/media"
os.environ["CELERY_BROKER_URL"] = ""  # eager: nothing queued anywhere
os.environ["MFA_REQUIRED_FOR_STAFF"] = "0"
os.environ.setdefault("LOG_LEVEL", "WARNING")


def pg_admin(sql: str) -> None:
    if SQLITE:
        return
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(sql)


pg_admin(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
pg_admin(f'CREATE DATABASE "{DB_NAME}"')

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, connections, transaction  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone, translation  # noqa: E402

from bench.report import emit, figure  # noqa: E402

DAY = datetime.timedelta(days=1)
BATCH = 5_000
CREDENTIAL_NAMES = [
    "Interdicción fronteriza",
    "Detección de documentos fraudulentos",
    "Registro de vehículos",
    "Interdicción portuaria",
    "Interdicción aeroportuaria",
    "Investigación de la trata de personas",
    "Investigaciones financieras",
    "Cadena de custodia",
    "Entrevista en primera línea",
    "Análisis de riesgo",
    "Control de carga",
    "Derechos humanos en la función policial",
    "Tráfico ilícito de migrantes",
    "Armas de fuego y explosivos",
    "Inteligencia criminal",
    "Patrullaje marítimo",
    "Primeros auxilios tácticos",
    "Manejo de evidencia digital",
    "Lavado de dinero",
    "Uso de la fuerza",
]
VALIDITY = [36, 24, 12, 48, None]  # cycled over the credentials
UNITS = [
    "Unidad de Fronteras",
    "Aeropuerto Internacional",
    "División Portuaria",
    "Investigación",
    "Antinarcóticos",
]
FATES = [("none", 30), ("valid", 40), ("expiring", 8), ("expired", 10), ("suspended", 2), ("revoked", 2)]
FATES_RENEWED = 8  # weight of "renewed": a superseded certificate and its renewal
GIVEN = ("María José", "José Ángel", "Ana Lucía", "Luis Fernando", "Óscar", "Byron Estuardo", "Ixchel")
SURNAMES = ("Pérez", "Núñez", "Castillo-Ríos", "O'Connor", "Hernández", "Tzul", "Ajanel", "De León")


def seed_common():
    """Migrates; the site, Guatemala, the credentials and a course awarding the first one."""
    from django.core.management import call_command

    from certification import services as registry
    from certification.roles import ensure_groups
    from courses import services
    from courses.models import CoursePage
    from home.demo_registry import demo_country
    from home.services import site_setup

    call_command("migrate", verbosity=0, interactive=False)
    ensure_groups()
    home = site_setup()
    country = demo_country("GT")
    credentials = []
    for n, name in enumerate(CREDENTIAL_NAMES):
        credentials.append(
            registry.credential_upsert(
                code=f"bench-{n + 1:02d}",
                name_es=name,
                name_en=f"{name} (EN)",
                validity_months=VALIDITY[n % len(VALIDITY)],
            )
        )
    catalogue = services.catalogue_ensure(home=home, title="Catálogo de cursos", slug="cursos")
    services.courses_setup()
    track = services.track_upsert(
        slug="border-security", name_es="Seguridad fronteriza", name_en="Border security"
    )
    course = services.course_create(
        catalogue=catalogue,
        title=CREDENTIAL_NAMES[0],
        slug="bsi-101",
        code="BSI-101",
        track=track,
        hours=40,
        summary="Control de personas y mercancías en los puestos fronterizos.",
        online=True,
        admission=CoursePage.Admission.SELF_ENROLMENT,
        credential=credentials[0],
    )
    return country, credentials, course


def seed_agency(*, label, country, credentials, course, officers, full, rng, serials):
    """One agency: units, head, requirements, officers, certificates, enrollments. Returns
    (agency, head, certificates written)."""
    from certification import services as registry
    from certification.models import AgencyStaff, Certificate, Trainee
    from certification.services_audit import requirement_add
    from certification.services_certificates import add_months
    from certification.text import trainee_search_text
    from courses.models_enrollment import Enrollment

    agency = registry.agency_upsert(
        country=country,
        acronym=f"PNC-{label.upper()}",
        kind="police",
        name_es=f"Policía Nacional Civil ({officers:,} agentes)",
        name_en=f"National Civil Police ({officers:,} officers)",
        time_zone="America/Guatemala",
    )
    units = [registry.unit_upsert(agency=agency, name=name) for name in UNITS]
    head = registry.user_ensure(
        email=f"bench.head.{label}@demo.carsi.test", password=secrets.token_urlsafe(16)
    )
    registry.agency_staff_assign(user=head, agency=agency, role=AgencyStaff.Role.HEAD)
    every = credentials[:2] if len(credentials) > len(units) else credentials[:1]
    for credential in every:
        requirement_add(actor=head, agency=agency, credential=credential)
    for unit, credential in zip(units, credentials[len(every) :], strict=False):
        requirement_add(actor=head, agency=agency, credential=credential, unit=unit)

    today = timezone.localdate()
    fates = FATES[1:] if full else FATES
    names, weights = [f for f, _w in fates] + ["renewed"], [w for _f, w in fates] + [FATES_RENEWED]
    written = 0
    for start in range(0, officers, BATCH):
        with transaction.atomic():
            people = []
            for n in range(start, min(officers, start + BATCH)):
                person = Trainee(
                    agency=agency,
                    unit=units[n % len(units)],
                    id_country=country,
                    id_type=Trainee.IdType.PASSPORT,
                    id_number=f"{label[0].upper()}{n:08d}",
                    given_names=GIVEN[n % len(GIVEN)],
                    first_surname=SURNAMES[n % len(SURNAMES)],
                    second_surname=SURNAMES[(n // 7) % len(SURNAMES)],
                    badge_number=f"{n + 1:06d}",
                    rank=("Agente", "Agente", "Subinspector", "Inspector")[n % 4],
                )
                person.search_text = trainee_search_text(person)
                people.append(person)
            people = Trainee.objects.bulk_create(people)
            first, renewals = [], []
            for person in people:
                for credential in credentials:
                    fate = rng.choices(names, weights)[0]
                    if fate == "none":
                        continue
                    months = credential.validity_months or 36
                    days = months * 30
                    issued = {
                        "valid": today - rng.randint(10, days - 100) * DAY,
                        "expiring": add_months(today + rng.randint(1, 89) * DAY, -months),
                        "expired": add_months(today - rng.randint(1, 600) * DAY, -months),
                        "suspended": today - rng.randint(10, days - 10) * DAY,
                        "revoked": today - rng.randint(10, days - 10) * DAY,
                        "renewed": today - rng.randint(10, days - 100) * DAY,
                    }[fate]

                    def certificate(issued_on, status, *, person=person, credential=credential):
                        n = next(serials)
                        return Certificate(
                            serial=f"CARSI-GT-BENCH-{n:08d}",
                            verification_code=f"B{n:011d}",
                            award_key=f"bench:{n}",
                            source=Certificate.Source.MANUAL,
                            trainee=person,
                            agency=agency,
                            credential=credential,
                            issued_on=issued_on,
                            valid_from=issued_on,
                            expires_on=(
                                add_months(issued_on, credential.validity_months)
                                if credential.validity_months
                                else None
                            ),
                            status=status,
                            status_reason="" if status == "valid" else "Benchmark.",
                        )

                    if fate == "renewed":
                        old = certificate(add_months(issued + 30 * DAY, -months), "superseded")
                        first.append(old)
                        renewals.append((old, certificate(issued, "valid")))
                    else:
                        status = fate if fate in ("suspended", "revoked") else "valid"
                        first.append(certificate(issued, status))
            Certificate.objects.bulk_create(first, batch_size=2000)
            for old, new in renewals:
                new.previous = old
            Certificate.objects.bulk_create([new for _old, new in renewals], batch_size=2000)
            written += len(first) + len(renewals)
            if not full:  # a few officers in training for the first credential
                Enrollment.objects.bulk_create(
                    Enrollment(
                        trainee=person,
                        course_key=course.translation_key,
                        course_id=course.pk,
                        status=Enrollment.Status.ENROLLED,
                    )
                    for person in people
                    if rng.random() < 0.03
                )
    return agency, head, written


def roster_urls(agency) -> dict[str, str]:
    from certification.selectors import agency_today
    from certification.selectors_roster import quarter_end

    roster = reverse("registry:roster", args=[agency.pk])
    end = quarter_end(agency_today(agency=agency)).isoformat()
    return {
        "unfiltered": roster,
        "expiring this quarter": f"{roster}?expiring_before={end}",
        "csv": reverse("registry:roster_export", args=[agency.pk, "csv"]),
    }


def get(client: Client, url: str):
    response = client.get(url, secure=True)
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    return response


def page_ms(client: Client, url: str, requests: int) -> list[float]:
    times = []
    for _ in range(requests):
        start = time.perf_counter()
        get(client, url)
        times.append((time.perf_counter() - start) * 1000)
    return times


def page_queries(client: Client, url: str, *, show: bool = False) -> int:
    with CaptureQueriesContext(connection) as captured:
        get(client, url)
    if show:  # the slowest first: where the time of a big agency's page goes
        print(f"--- {url}: {len(captured)} queries, the slowest:")
        for query in sorted(captured.captured_queries, key=lambda q: -float(q["time"]))[:6]:
            print(f"  {float(query['time']) * 1000:7.1f} ms  {query['sql'][:300]}")
    return len(captured)


def export(client: Client, url: str, *, trace: bool) -> dict:
    """The whole CSV, read as it streams. Rows (header aside), seconds, queries; with `trace`, the
    tracemalloc peak (MB) over the request and the streaming."""
    if trace:
        tracemalloc.start()
    with CaptureQueriesContext(connection) as captured:
        start = time.perf_counter()
        response = get(client, url)
        if not response.streaming:
            raise SystemExit(f"{url} did not stream")
        lines = size = 0
        for chunk in response.streaming_content:
            lines += chunk.count(b"\n")
            size += len(chunk)
        response.close()
        seconds = time.perf_counter() - start
    peak = None
    if trace:
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    return {"rows": lines - 1, "bytes": size, "seconds": seconds, "queries": len(captured), "peak": peak}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=500, help="officers of the small agency")
    parser.add_argument("--big", type=int, default=5_000, help="officers of the big agency")
    parser.add_argument("--credentials", type=int, default=20, help="credentials of small and big")
    parser.add_argument("--huge", type=int, default=20_000, help="officers of the huge agency (0: none)")
    parser.add_argument("--huge-credentials", type=int, default=5, help="credentials of the huge agency")
    parser.add_argument("--requests", type=int, default=15, help="requests per page, size and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sqlite", action="store_true", help="a temporary SQLite file instead of PostgreSQL")
    parser.add_argument(
        "--show-queries", action="store_true", help="the big agency's slowest queries per page"
    )
    args = parser.parse_args()
    if args.credentials > len(CREDENTIAL_NAMES) or args.huge_credentials > len(CREDENTIAL_NAMES):
        raise SystemExit(f"at most {len(CREDENTIAL_NAMES)} credentials")

    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    fast_hasher = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # setup only: no login is timed
    rng = random.Random(8)  # noqa: S311 - benchmark data
    serials = iter(range(1, 10**8))
    sizes = [("small", args.small, args.credentials, False), ("big", args.big, args.credentials, False)]
    if args.huge:
        sizes.append(("huge", args.huge, args.huge_credentials, True))
    results: dict[str, dict] = {}
    try:
        with (
            override_settings(STORAGES=storages, STATIC_ROOT=TMP, PASSWORD_HASHERS=fast_hasher),
            translation.override("es"),
        ):
            started = time.perf_counter()
            country, credentials, course = seed_common()
            clients = {}
            for label, officers, n_credentials, full in sizes:
                agency, head, written = seed_agency(
                    label=label,
                    country=country,
                    credentials=credentials[:n_credentials],
                    course=course,
                    officers=officers,
                    full=full,
                    rng=rng,
                    serials=serials,
                )
                client = Client(HTTP_HOST="testserver")
                client.force_login(head)
                clients[label] = (client, roster_urls(agency))
                results[label] = {"officers": officers, "credentials": n_credentials, "certificates": written}
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")  # fresh statistics, as autovacuum would have them
            setup_seconds = time.perf_counter() - started

            pages = ("unfiltered", "expiring this quarter")
            for label, (client, urls) in clients.items():
                for page in pages:
                    page_ms(client, urls[page], 3)  # warm caches and template loaders
                    show = args.show_queries and label == "big"
                    results[label][f"{page} queries"] = page_queries(client, urls[page], show=show)
                    results[label][f"{page} ms"] = []
            for _ in range(args.rounds):  # alternating, so a busy moment hits every size
                for label in ("small", "big"):
                    client, urls = clients[label]
                    for page in pages:
                        results[label][f"{page} ms"] += page_ms(client, urls[page], args.requests)
            for label, (client, urls) in clients.items():
                results[label]["csv"] = export(client, urls["csv"], trace=False)
                results[label]["csv traced"] = export(client, urls["csv"], trace=True)
    finally:
        connections.close_all()
        pg_admin(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        shutil.rmtree(TMP, ignore_errors=True)

    report(results, args, setup_seconds)


def report(results: dict, args, setup_seconds: float) -> None:
    print(
        f"database: {connection.vendor}; production settings, MFA off; {args.rounds} rounds of "
        f"{args.requests} requests per page and size, alternating; medians. Setup took {setup_seconds:.0f} s."
    )
    print("agency   officers  credentials  certificates (incl. superseded)")
    for label, r in results.items():
        print(f"{label:6} {r['officers']:10,} {r['credentials']:12} {r['certificates']:13,}")
    small, big = results["small"], results["big"]
    print()
    print("roster page (first 50)   queries small/big   median ms small/big   ratio big/small (ms)")
    for page in ("unfiltered", "expiring this quarter"):
        ms_small = statistics.median(small[f"{page} ms"])
        ms_big = statistics.median(big[f"{page} ms"])
        print(
            f"{page:24} {small[f'{page} queries']:8} / {big[f'{page} queries']:<8} "
            f"{ms_small:9.1f} / {ms_big:<9.1f} {ms_big / ms_small:12.2f}"
        )
    print()
    print("CSV export   rows     MB   seconds    rows/s   queries   peak MB (tracemalloc)")
    for label, r in results.items():
        csv, traced = r["csv"], r["csv traced"]
        print(
            f"{label:6} {csv['rows']:10,} {csv['bytes'] / 2**20:6.1f} {csv['seconds']:9.2f} "
            f"{csv['rows'] / csv['seconds']:9,.0f} {csv['queries']:9} {traced['peak']:10.2f}"
        )
    for label in [x for x in results if x != "small"]:
        other = results[label]
        rate = (other["csv"]["rows"] / other["csv"]["seconds"]) / (
            small["csv"]["rows"] / small["csv"]["seconds"]
        )
        peak = other["csv traced"]["peak"] / small["csv traced"]["peak"]
        print(
            f"ratio {label}/small: rows {other['csv']['rows'] / small['csv']['rows']:.1f}x, "
            f"rows/s {rate:.2f}, peak memory {peak:.2f}"
        )
    figures = []
    for page in ("unfiltered", "expiring this quarter"):
        at = f"{big['officers']:,} officers"
        figures.append(
            figure(
                f"roster page, {page}, {at}",
                statistics.median(big[f"{page} ms"]),
                "ms",
                f"{small['officers']:,}",
                statistics.median(small[f"{page} ms"]),
            )
        )
        figures.append(
            figure(
                f"roster page queries, {page}, {at}",
                big[f"{page} queries"],
                "queries",
                "small",
                small[f"{page} queries"],
            )
        )
    for label in [x for x in results if x != "small"]:
        other = results[label]
        rows = f"{other['csv']['rows']:,} rows ({other['certificates']:,} certificates)"
        figures.append(
            figure(
                f"roster CSV, {rows}",
                other["csv"]["rows"] / other["csv"]["seconds"],
                "rows/s",
                f"{small['csv']['rows']:,} rows",
                small["csv"]["rows"] / small["csv"]["seconds"],
            )
        )
        figures.append(
            figure(
                f"roster CSV peak memory, {rows}",
                other["csv traced"]["peak"],
                "MB",
                f"{small['csv']['rows']:,} rows",
                small["csv traced"]["peak"],
            )
        )
    emit("roster", figures, setup=f"{connection.vendor}, Django test client, MFA off")
    if any(r["csv"]["rows"] != r["officers"] for r in results.values()):
        raise SystemExit("a CSV lacks rows")


if __name__ == "__main__":
    main()
