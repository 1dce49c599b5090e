"""Benchmark: issuing a class session's certificates end to end (record, render, store) on one
process, as a ratio to WeasyPrint rendering the same certificates' HTML alone.

    .venv/bin/python bench/certificate_issue.py [--n 1000] [--small 50] [--sample 100] [--path auto]

Production settings (`config.settings.production`, DEBUG off) on a PostgreSQL database of its
own (`carsi_bench_certs` on 127.0.0.1:5432, user postgres: dropped and recreated, dropped again
at the end), Celery eager (no broker: the PDF task runs in this process when the issuing
transaction commits, as on a worker), media in a temporary folder. The world: a course
(BSI-101) awarding a credential with two signatories (PNG signatures), two instructors, five
agencies in five countries (one English-first), and two closed class sessions of the course,
a small one (--small officers) and the measured one (--n officers). Officers and their
completed enrollments are bulk-created, not completed through the services (completion would
issue on the spot): they have no certificates yet.

End to end, each session's certificates are issued the way the app does it:

- `batch`: a `CertificateBatch` of kind `session_issue` started by
  `certification.services_batches.batch_session_issue_start`, whose task
  (`certificate_batch_run`) runs eagerly when the start commits: every completed enrollment's
  awards (`courses.services_awards.enrollment_award`) and each certificate's PDF;
- `loop`: without the batch module, each completed enrollment in its own transaction through
  `enrollment_award`, its PDF rendered by the task (`certificate_pdf_render`) on commit.

`--path auto` (the default) takes `batch` when the module is there. The small session runs
first (it also warms the process up: fonts, stylesheet, templates), then the measured one.
The baseline is interleaved with the measured session: every n/--sample certificates, the
HTML just rendered is rendered once more by `certificate_pdf.html_pdf_bytes` alone (WeasyPrint,
no database, no file), timed apart and taken out of the session's time, so that both rates
come from the same minutes of a machine whose load changes. Queries are counted with a
connection execute wrapper (CaptureQueriesContext keeps at most 9,000) over each whole
session, so the two sizes show whether they grow per certificate.

Prints certificates per second end to end and bare, their ratio, the queries per certificate
at both sizes, and where the measured session's time goes per certificate: WeasyPrint
rendering, building the HTML (template and QR code), waiting for SQL (an execute wrapper
times each query), and the rest; the two `certificate_pdf` steps are timed by wrapping the
module's functions for the while. `--profile` runs cProfile over the measured session (its
times are then inflated) and prints where the time goes. It asserts nothing about time.
"""

import argparse
import contextlib
import cProfile
import datetime
import io
import os
import pstats
import re
import secrets
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "site"), str(ROOT)]

TMP = tempfile.mkdtemp(prefix="carsi-bench-certs-")
DB_NAME = os.environ.get("BENCH_DB_NAME", "carsi_bench_certs")
from bench.harness import PG, course_create, pg_admin  # noqa: E402  (no Django at import)

os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.production"
os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(60))
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")
os.environ["DATABASE_URL"] = f"{PG}/{DB_NAME}"
os.environ["MEDIA_ROOT"] = f"{TMP}/media"
os.environ["CELERY_BROKER_URL"] = ""  # eager: the tasks run in this one process
os.environ.setdefault("LOG_LEVEL", "WARNING")


pg_admin(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
pg_admin(f'CREATE DATABASE "{DB_NAME}"')

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, connections, transaction  # noqa: E402
from django.test import override_settings  # noqa: E402

from bench.report import emit, figure  # noqa: E402

AGENCIES = [  # country, acronym, kind, name_es, name_en, time zone, English first
    ("GT", "PNC", "police", "Policía Nacional Civil", "National Civil Police", "America/Guatemala", False),
    ("HN", "PN", "police", "Policía Nacional", "National Police", "America/Tegucigalpa", False),
    ("SV", "PNC", "police", "Policía Nacional Civil", "National Civil Police", "America/El_Salvador", False),
    (
        "CR",
        "PCF",
        "police",
        "Policía de Control Fiscal",
        "Fiscal Control Police",
        "America/Costa_Rica",
        False,
    ),
    (
        "BZ",
        "BPD",
        "police",
        "Departamento de Policía de Belice",
        "Belize Police Department",
        "America/Belize",
        True,
    ),
]
GIVEN = ("María José", "José Ángel", "Ana Lucía", "Luis Fernando", "Óscar", "Zoë")
SURNAMES = ("Pérez", "Núñez", "Castillo-Ríos", "O'Connor", "Hernández", "Peña")


class QueryCounter:
    """Counts every query the connection runs (no cap, unlike CaptureQueriesContext) and the
    time spent waiting for them (round trip and the server's work)."""

    def __init__(self, keep: bool = False):
        self.n = 0
        self.seconds = 0.0
        self.shapes: dict[str, int] | None = {} if keep else None

    def __call__(self, execute, sql, params, many, context):
        self.n += 1
        if self.shapes is not None:  # the query's shape: numbers and savepoint names folded
            shape = re.sub(r"\b\d+\b|s\d+_x\d+", "N", sql)[:140]
            self.shapes[shape] = self.shapes.get(shape, 0) + 1
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - start


@contextlib.contextmanager
def stopwatches(bare_every: int = 0):
    """Times, during issuing, the two steps of `certificate_pdf` that end to end adds to or shares
    with bare rendering: building the HTML and rendering it (the module's functions wrapped for
    the while; the app's code is unchanged). With `bare_every`, every that many certificates
    the HTML just rendered is rendered once more, alone (timed apart, taken out of the
    session's time): the baseline, measured at the same moments as the issuing it is compared
    with, on a machine whose load changes from one minute to the next."""
    from certification import certificate_pdf

    spent = {"html": 0.0, "render": 0.0, "bare": 0.0, "bare_n": 0, "renders": 0}
    build, render = certificate_pdf.certificate_html, certificate_pdf.html_pdf_bytes

    def timed_build(*args, **kwargs):
        start = time.perf_counter()
        try:
            return build(*args, **kwargs)
        finally:
            spent["html"] += time.perf_counter() - start

    def timed_render(html, *args, **kwargs):
        start = time.perf_counter()
        try:
            data = render(html, *args, **kwargs)
        finally:
            spent["render"] += time.perf_counter() - start
        spent["renders"] += 1
        if bare_every and spent["renders"] % bare_every == 0:
            start = time.perf_counter()
            render(html)
            spent["bare"] += time.perf_counter() - start
            spent["bare_n"] += 1
        return data

    certificate_pdf.certificate_html, certificate_pdf.html_pdf_bytes = timed_build, timed_render
    try:
        yield spent
    finally:
        certificate_pdf.certificate_html, certificate_pdf.html_pdf_bytes = build, render


def png_bytes(size=(360, 120)) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", size, "white")
    ImageDraw.Draw(image).line([(20, 90), (120, 30), (200, 80), (330, 25)], fill="navy", width=4)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def seed(sizes: dict[str, int]):
    """Returns (program administrator, {label: session})."""
    from django.core.files.base import ContentFile
    from django.core.management import call_command
    from django.utils import timezone

    from certification import services as registry
    from certification.models import Agency, CredentialSignatory, Trainee
    from certification.roles import INSTRUCTORS, PROGRAM_ADMINISTRATORS, ensure_groups, role_grant
    from certification.text import trainee_search_text
    from courses import services_enrollment as svc
    from courses.models import CoursePage
    from courses.models_enrollment import ClassSession, Enrollment, EnrollmentTransition
    from home.demo_registry import demo_country
    from home.services import site_setup

    call_command("migrate", verbosity=0, interactive=False)
    ensure_groups()
    from courses import services

    course = course_create(services, site_setup())
    password = secrets.token_urlsafe(16)
    admin = registry.user_ensure(email="bench.admin@demo.carsi.test", password=password)
    role_grant(user=admin, group_name=PROGRAM_ADMINISTRATORS)
    instructors = []
    for email, first, last in (
        ("bench.instructor.1@demo.carsi.test", "Carlos", "Méndez Arriola"),
        ("bench.instructor.2@demo.carsi.test", "Lucía", "Ferrer"),
    ):
        user = registry.user_ensure(email=email, password=password, first_name=first, last_name=last)
        role_grant(user=user, group_name=INSTRUCTORS)
        instructors.append(user)

    credential = registry.credential_upsert(
        code="border-interdiction",
        name_es="Interdicción fronteriza",
        name_en="Border interdiction",
        validity_months=24,
    )
    for position, (name, title_es, title_en) in enumerate(
        (
            ("Ana Lucía Herrera", "Directora del Programa", "Program Director"),
            ("Roberto Castañeda", "Coordinador Regional", "Regional Coordinator"),
        ),
        start=1,
    ):
        signatory = CredentialSignatory(
            credential=credential, position=position, name=name, title_es=title_es, title_en=title_en
        )
        signatory.signature.save(f"signature-{position}.png", ContentFile(png_bytes()), save=False)
        signatory.full_clean()
        signatory.save()
    CoursePage.objects.filter(translation_key=course.translation_key).update(credential=credential)

    agencies = []
    for code, acronym, kind, name_es, name_en, tz, english_first in AGENCIES:
        agency = registry.agency_upsert(
            country=demo_country(code),
            acronym=acronym,
            kind=kind,
            name_es=name_es,
            name_en=name_en,
            time_zone=tz,
        )
        if english_first:
            Agency.objects.filter(pk=agency.pk).update(english_first=True)
        agencies.append(agency)
    agencies = list(
        Agency.objects.select_related("country").filter(pk__in=[a.pk for a in agencies]).order_by("pk")
    )

    today = timezone.localdate()
    sessions = {}
    officer = 0
    for index, (label, size) in enumerate(sizes.items()):
        session = svc.session_create(
            actor=admin,
            course=course,
            code=f"BSI-101-BENCH-{index + 1:02d}",
            starts_on=today - datetime.timedelta(days=12),
            ends_on=today - datetime.timedelta(days=8),
            capacity=size,
            nomination_deadline=None,
            academy="Academia Regional de Seguridad",
            city="San Salvador",
            country=demo_country("SV"),
            instructors=instructors,
        )
        for status in (ClassSession.Status.OPEN, ClassSession.Status.IN_PROGRESS, ClassSession.Status.CLOSED):
            svc.session_transition(actor=admin, session=session, to_status=status)
        now = timezone.now()
        with transaction.atomic():
            people = []
            for _ in range(size):
                agency = agencies[officer % len(agencies)]
                person = Trainee(
                    agency=agency,
                    id_country=agency.country,
                    id_type=Trainee.IdType.PASSPORT,
                    id_number=f"C{officer:07d}",
                    given_names=GIVEN[officer % len(GIVEN)],
                    first_surname=SURNAMES[officer % len(SURNAMES)],
                    second_surname=SURNAMES[(officer // 7) % len(SURNAMES)],
                    badge_number=f"{agency.acronym}-{officer:05d}",
                )
                person.search_text = trainee_search_text(person)
                people.append(person)
                officer += 1
            Trainee.objects.bulk_create(people, batch_size=1000)
            enrollments = Enrollment.objects.bulk_create(
                (
                    Enrollment(
                        trainee=person,
                        course_key=session.course_key,
                        course_id=session.course_id,
                        session=session,
                        status=Enrollment.Status.COMPLETED,
                        nominated_by=admin,
                        completed_at=now,
                    )
                    for person in people
                ),
                batch_size=1000,
            )
            EnrollmentTransition.objects.bulk_create(
                (EnrollmentTransition(enrollment=e, to_status=e.status, emailed_at=now) for e in enrollments),
                batch_size=1000,
            )
        sessions[label] = session
    return admin, sessions


def batch_module():
    try:
        from certification import services_batches
    except ImportError:
        return None
    return services_batches if hasattr(services_batches, "batch_session_issue_start") else None


def issue_session(*, path: str, admin, session) -> None:
    """Issues every certificate of the session the way the app does (see the module docstring)."""
    if path == "batch":
        from certification.models import CertificateBatch

        batch = batch_module().batch_session_issue_start(actor=admin, session=session)  # runs on commit
        batch.refresh_from_db()
        if batch.status != CertificateBatch.Status.DONE:
            raise SystemExit(f"the batch ended {batch.status}: {batch.error}")
        return
    from courses.models_enrollment import Enrollment
    from courses.services_awards import enrollment_award

    for enrollment in Enrollment.objects.filter(session=session, status=Enrollment.Status.COMPLETED).order_by(
        "pk"
    ):
        with transaction.atomic():
            enrollment_award(enrollment=enrollment)  # the PDF task runs (eagerly) on commit


def timed_issue(
    *, path: str, admin, session, bare_every: int = 0, profile: bool = False, show: bool = False
) -> dict:
    from certification.models import Certificate

    counter = QueryCounter(keep=show)
    profiler = cProfile.Profile() if profile else None
    with connection.execute_wrapper(counter), stopwatches(bare_every) as spent:
        start = time.perf_counter()
        if profiler:
            profiler.enable()
        issue_session(path=path, admin=admin, session=session)
        if profiler:
            profiler.disable()
        seconds = time.perf_counter() - start - spent["bare"]  # the interleaved baseline taken out
    certificates = Certificate.objects.filter(award_key__in=award_keys(session))
    made = certificates.count()
    with_pdf = certificates.exclude(pdf_sha256="").count()
    if show:
        print(f"--- queries issuing {made} certificates:")
        for shape, n in sorted(counter.shapes.items(), key=lambda item: -item[1]):
            print(f"  {n:6} x {shape}")
    return {
        "n": made,
        "with_pdf": with_pdf,
        "seconds": seconds,
        "queries": counter.n,
        "sql_seconds": counter.seconds,
        "html_seconds": spent["html"],
        "render_seconds": spent["render"],
        "bare_seconds": spent["bare"],
        "bare_n": spent["bare_n"],
        "profiler": profiler,
    }


def award_keys(session) -> list[str]:
    from courses.models_enrollment import Enrollment

    return [
        f"enrollment:{pk}" for pk in Enrollment.objects.filter(session=session).values_list("pk", flat=True)
    ]


def print_profile(profiler) -> None:
    """The top of the profile, then only our apps', Django's and Celery's functions (where the
    time beside WeasyPrint goes)."""
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(25)
    stats.sort_stats("cumulative").print_stats(r"/(certification|courses|django|celery|segno)/", 45)
    print(re.sub(r"/\S*/(site-packages|main)/", "", out.getvalue()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="officers in the measured session")
    parser.add_argument("--small", type=int, default=50, help="officers in the small session (run first)")
    parser.add_argument(
        "--sample", type=int, default=100, help="bare renderings, interleaved with the measured session"
    )
    parser.add_argument("--path", choices=("auto", "batch", "loop"), default="auto")
    parser.add_argument("--profile", action="store_true", help="cProfile the measured session")
    parser.add_argument("--show-queries", action="store_true", help="print the small session's queries")
    args = parser.parse_args()
    path = args.path if args.path != "auto" else ("batch" if batch_module() else "loop")
    if path == "batch" and batch_module() is None:
        raise SystemExit("certification.services_batches has no batch_session_issue_start: use --path loop")

    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    try:
        with override_settings(STORAGES=storages, STATIC_ROOT=TMP):
            started = time.perf_counter()
            admin, sessions = seed({"small": args.small, "measured": args.n})
            setup_seconds = time.perf_counter() - started

            small = timed_issue(path=path, admin=admin, session=sessions["small"], show=args.show_queries)
            measured = timed_issue(
                path=path,
                admin=admin,
                session=sessions["measured"],
                bare_every=max(1, args.n // max(1, args.sample)),
                profile=args.profile,
            )
    finally:
        connections.close_all()
        pg_admin(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        shutil.rmtree(TMP, ignore_errors=True)

    how = {
        "batch": "CertificateBatch session_issue (services_batches, its task run eagerly)",
        "loop": "enrollment_award per enrollment, PDF task run eagerly on commit",
    }[path]
    print(f"database: {connection.vendor}; path: {how}; one process. Setup took {setup_seconds:.0f} s.")
    print("session     certificates  with PDF   seconds   cert/s   queries  queries/cert")
    for label, run in (("small", small), ("measured", measured)):
        print(
            f"{label:10} {run['n']:13,} {run['with_pdf']:9,} {run['seconds']:9.1f} "
            f"{run['n'] / run['seconds']:8.2f} {run['queries']:9,} {run['queries'] / max(1, run['n']):13.1f}"
        )
    bare = measured["bare_n"] / measured["bare_seconds"]
    end_to_end = measured["n"] / measured["seconds"]
    print(
        f"bare WeasyPrint, the same HTML: {bare:.2f} cert/s "
        f"({measured['bare_n']} renders interleaved with the measured session)"
    )
    print(f"end to end (measured session): {end_to_end:.2f} cert/s")
    print(f"ratio end to end / bare: {end_to_end / bare:.3f}")
    n = max(1, measured["n"])
    parts = {
        "WeasyPrint rendering": measured["render_seconds"],
        "building the HTML (template, QR code)": measured["html_seconds"],
        f"SQL ({measured['queries'] / n:.0f} queries, waiting for PostgreSQL)": measured["sql_seconds"],
    }
    parts["the rest (evidence, files, SHA-256, Celery eager, Python)"] = measured["seconds"] - sum(
        parts.values()
    )
    print(f"where the measured session's time goes, ms per certificate (bare rendering: {1000 / bare:.0f}):")
    for label, seconds in parts.items():
        print(f"  {label:58} {seconds * 1000 / n:7.1f}")
    print(f"  {'total':58} {measured['seconds'] * 1000 / n:7.1f}")
    emit(
        "certificate_issue",
        [
            figure(
                f"certificates of a class of {n:,}, end to end", end_to_end, "cert/s", "bare WeasyPrint", bare
            ),
            figure(
                f"queries per certificate at {n:,}",
                measured["queries"] / n,
                "queries",
                f"at {small['n']}",
                small["queries"] / max(1, small["n"]),
            ),
        ],
        setup=f"{connection.vendor}, one process, path {path}",
    )
    if args.profile:
        print("(profiled: the measured session's times include cProfile's overhead)")
        print_profile(measured["profiler"])


if __name__ == "__main__":
    main()
