"""What the load benchmarks against a real server share (`exam_load.py`, `mixed_load.py`).

A throw-away database on the local PostgreSQL, a throw-away settings module over the production
settings, gunicorn (and Celery workers) started in their own process groups and stopped as one,
clients with `requests` sessions that talk to the server as production's TLS proxy would, the
allauth login, a small HTML parser, and a collector of request times with percentiles.

Nothing here touches Django at import time: a script imports this module, writes its settings,
sets its environment and only then calls `django.setup()`.
"""

import contextlib
import html.parser
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG = "postgres://postgres@127.0.0.1:5432"
SECRET_KEY = secrets.token_urlsafe(60)  # one per run, shared by the script and its servers


def run_identity(name: str) -> tuple[str, str, str, str, str]:
    """What one run of benchmark `name` owns: a temporary folder (put on the path first, for its
    settings module, then site/ and the checkout), its database (`carsi_bench_<name>`, or
    BENCH_DB_NAME), the Redis cache (BENCH_CACHE_URL) and its key prefix there, and the password
    of every account it seeds. Returns (tmp, database, cache URL, cache prefix, password)."""
    tmp = tempfile.mkdtemp(prefix=f"carsi-bench-{name}-")
    sys.path[:0] = [tmp, str(ROOT / "site"), str(ROOT)]
    return (
        tmp,
        os.environ.get("BENCH_DB_NAME", f"carsi_bench_{name}"),
        os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/0"),
        f"carsi-bench-{name}-{os.getpid()}",
        "bench-" + secrets.token_urlsafe(12),
    )


# --- database ----------------------------------------------------------------------------------


def pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def database_create(name: str) -> None:
    pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    pg_admin(f'CREATE DATABASE "{name}"')


def database_drop(name: str) -> None:
    from django.db import connections

    with contextlib.suppress(Exception):  # Django may not be set up yet
        connections.close_all()
    pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- settings and cache ------------------------------------------------------------------------


def write_settings(tmp: str, module: str, cache_prefix: str, extra: list[str] = ()) -> None:
    """`<tmp>/<module>.py`: the production settings with plain static storage (no `collectstatic`
    into the checkout), a Redis cache under our own key prefix, and the `extra` lines."""
    lines = [
        "from config.settings.production import *  # noqa: F403",
        "from config.settings.production import CACHES, STORAGES",
        "",
        'STORAGES = {**STORAGES, "staticfiles": '
        '{"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}',
        f'STATIC_ROOT = "{tmp}/static"',
        f'CACHES["default"]["KEY_PREFIX"] = "{cache_prefix}"',
        *extra,
    ]
    Path(tmp, "static").mkdir(exist_ok=True)
    Path(tmp, f"{module}.py").write_text("\n".join(lines) + "\n")


def bench_env(*, tmp: str, settings_module: str, db_name: str, cache_url: str, broker_url: str = "", **extra):
    """The environment of the servers (and of the script's own Django): our settings module, a
    fresh secret key, the local host names, our database, the Redis cache, media in `tmp`, the
    broker (empty: Celery eager, the embedded default) and `extra` variables."""
    return {
        "DJANGO_SETTINGS_MODULE": settings_module,
        "DJANGO_SECRET_KEY": SECRET_KEY,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": f"{PG}/{db_name}",
        "CACHE_URL": cache_url,
        "MEDIA_ROOT": f"{tmp}/media",
        "CELERY_BROKER_URL": broker_url,
        "LOG_LEVEL": "WARNING",
        **extra,
    }


def cache_clear(cache_url: str, prefix: str) -> None:
    """Deletes our keys only: the Redis database is shared with other work."""
    try:
        import redis

        client = redis.Redis.from_url(cache_url)
        keys = list(client.scan_iter(f"{prefix}:*"))
        if keys:
            client.delete(*keys)
    except Exception as error:  # noqa: BLE001
        print(f"(could not clear the bench's cache keys: {error})")


# --- processes ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def spawn(args: list[str], env: dict, log_path: Path) -> subprocess.Popen:
    """A server process in its own process group (stopped as one by `process_stop`), run from the
    checkout with `<settings folder>:site:.` on the path, its output in `log_path`."""
    log = open(log_path, "w")  # noqa: SIM115  (kept open for the process's life)
    return subprocess.Popen(
        args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


def server_env(tmp: str, env: dict) -> dict:
    return {**os.environ, **env, "PYTHONPATH": os.pathsep.join([tmp, "site", "."])}


DEPLOY_CONFIG = ROOT / "deploy" / "gunicorn.conf.py"


def gunicorn_start(
    tmp: str, env: dict, port: int, workers: int, threads: int, deploy_config: bool = False
) -> subprocess.Popen:
    """gunicorn gthread on 127.0.0.1:`port`. With `deploy_config`, production's own settings
    (deploy/gunicorn.conf.py: keep-alive, timeouts, workers replaced after max_requests) with
    the address, workers and threads given here and no access log; otherwise bare options
    (gunicorn's defaults: 2 s keep-alive, no worker replaced)."""
    if deploy_config:
        options = [f"--config={DEPLOY_CONFIG}", "--access-logfile=/dev/null"]
    else:
        options = ["--worker-class=gthread", "--timeout=120", "--graceful-timeout=5"]
    return spawn(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            *options,
            "config.wsgi",
            f"--bind=127.0.0.1:{port}",
            f"--workers={workers}",
            f"--threads={threads}",
            "--log-level=warning",
        ],
        server_env(tmp, env),
        Path(tmp, "gunicorn.log"),
    )


def gunicorn_wait(tmp: str, base: str, server: subprocess.Popen, timeout: float = 120) -> None:
    import requests

    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited:\n{Path(tmp, 'gunicorn.log').read_text()[-3000:]}")
        try:
            reply = requests.get(f"{base}/healthz", headers={"X-Forwarded-Proto": "https"}, timeout=30)
            if reply.status_code == 200:
                return
        except requests.RequestException:  # not listening yet, or a worker still loading
            pass
        time.sleep(0.5)
    raise SystemExit("gunicorn did not answer /healthz in time")


def gunicorn_serve(
    tmp: str, env: dict, workers: int, threads: int, warm=("/es/accounts/login/",), deploy_config=False
):
    """gunicorn on a free local port, answering, its workers warmed up on the `warm` pages.
    Returns (the process, the base URL). Stop it with `process_stop`, also when this fails."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = gunicorn_start(tmp, env, port, workers, threads, deploy_config)
    try:
        gunicorn_wait(tmp, base, server)
        warm_up(base, workers * threads, warm)
    except BaseException:
        process_stop(server)
        raise
    return server, base


def warm_up(base: str, n: int, paths=("/es/accounts/login/",)) -> None:
    """A few pages at once before the clock starts, so that each worker has loaded its URLs
    and templates (a running site's workers have)."""
    import requests

    # As from production's TLS proxy: the scheme and the client's address (RATELIMIT_IP_META_KEY).
    headers = {"X-Forwarded-Proto": "https", "X-Real-IP": "127.0.0.1"}

    def get():
        for path in paths:
            for _ in range(2):
                requests.get(base + path, headers=headers, timeout=120)

    threads = [threading.Thread(target=get) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def process_stop(process: subprocess.Popen | None, grace: float = 20) -> None:
    """SIGTERM to the process group (gunicorn's graceful stop, Celery's warm shutdown), then
    SIGKILL if it is still there after `grace` seconds."""
    if process is None or process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


gunicorn_stop = process_stop


# --- seeding -----------------------------------------------------------------------------------


def course_create(
    services, home, *, code="BSI-101", slug="bsi-101", title="Interdicción fronteriza", modules=2
):
    """A course with `modules` modules, as the tests make it (the demo catalogue takes a minute)."""
    catalogue = services.catalogue_ensure(home=home, title="Catálogo de cursos", slug="cursos")
    services.courses_setup()
    track = services.track_upsert(
        slug="border-security", name_es="Seguridad fronteriza", name_en="Border security"
    )
    course = services.course_create(
        catalogue=catalogue,
        title=title,
        slug=slug,
        code=code,
        track=track,
        hours=40,
        summary="Control de personas y mercancías en los puestos fronterizos.",
        online=True,
    )
    for n in range(1, modules + 1):
        services.module_create(
            course=course,
            title=f"Módulo {n}",
            slug=f"modulo-{n}",
            body=[{"type": "text", "value": {"heading": "Tema", "text": "<p>Documentos y controles.</p>"}}],
        )
    return course


def exam_create(*, course, questions, title: str, max_attempts: int = 1, time_limit_minutes: int = 60):
    """A published, timed, shuffled exam of the course. `questions`: (kind, how many, choices)
    triples; a single choice or true/false question's first choice is right, a multiple choice
    question's first and third; a written answer is worth 2 points and graded by hand."""
    from courses.models_assessment import Choice, Exam, Question

    exam = Exam(
        course=course,
        course_key=course.translation_key,
        language="es",
        title=title,
        time_limit_minutes=time_limit_minutes,
        max_attempts=max_attempts,
        pass_mark_percent=70,
        shuffle_questions=True,
        shuffle_choices=True,
        published=True,
    )
    exam.full_clean()
    exam.save()
    position = 0
    for kind, count, choices in questions:
        for n in range(count):
            position += 1
            question = Question(
                exam=exam,
                kind=kind,
                text=f"Pregunta {position} ({kind}): ¿qué hace el agente en el caso {n + 1}?",
                points=2 if kind == "short_answer" else 1,
                partial_credit=kind == "multiple" and n % 2 == 0,
                position=position,
            )
            question.full_clean()
            question.save()
            right = {0, 2} if kind == "multiple" else {0}
            Choice.objects.bulk_create(
                Choice(question=question, text=f"Opción {c + 1}", is_correct=c in right, position=c + 1)
                for c in range(choices)
            )
    return exam


GIVEN = ("María José", "José Ángel", "Ana Lucía", "Luis Fernando")
SURNAMES = ("Pérez", "Núñez", "Castillo-Ríos", "O'Connor")


def trainees_bulk_create(*, agency, country, count: int, id_prefix: str, emails=(), password: str = ""):
    """`count` officers of `agency`, bulk-created; the first len(emails) with accounts (as
    certification.services.user_ensure would make them: active, e-mail verified and primary; one
    password hash shared by all, so that seeding does not spend a minute hashing). Call inside a
    transaction. Returns them (each `.user` set where there is an account)."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from certification.models import Trainee
    from certification.text import trainee_search_text

    User = get_user_model()
    users = []
    if emails:
        password_hash = make_password(password)
        users = User.objects.bulk_create(
            User(username=email, email=email, password=password_hash, is_active=True) for email in emails
        )
        EmailAddress.objects.bulk_create(
            EmailAddress(user=user, email=user.email, verified=True, primary=True) for user in users
        )
    people = []
    for n in range(count):
        person = Trainee(
            agency=agency,
            user=users[n] if n < len(users) else None,
            id_country=country,
            id_type=Trainee.IdType.PASSPORT,
            id_number=f"{id_prefix}{n:07d}",
            given_names=GIVEN[n % 4],
            first_surname=SURNAMES[n % 4],
            badge_number=f"{agency.acronym}-{id_prefix}{n:05d}",
        )
        person.search_text = trainee_search_text(person)
        people.append(person)
    return Trainee.objects.bulk_create(people, batch_size=1000)


def enrollments_bulk_create(*, people, session, status: str, nominated_by, emailed=False, completed_at=None):
    """Enrollments of `people` in `session` with their first transition, bulk-created (already
    e-mailed with `emailed`: no task was queued for them). Returns the enrollments."""
    from django.utils import timezone

    from courses.models_enrollment import Enrollment, EnrollmentTransition

    enrollments = Enrollment.objects.bulk_create(
        (
            Enrollment(
                trainee=person,
                course_key=session.course_key,
                course_id=session.course_id,
                session=session,
                status=status,
                nominated_by=nominated_by,
                completed_at=completed_at,
            )
            for person in people
        ),
        batch_size=1000,
    )
    emailed_at = timezone.now() if emailed else None
    EnrollmentTransition.objects.bulk_create(
        (EnrollmentTransition(enrollment=e, to_status=e.status, emailed_at=emailed_at) for e in enrollments),
        batch_size=1000,
    )
    return enrollments


# --- clients -----------------------------------------------------------------------------------


def secure_cookies_over_http(jar) -> None:
    """The proxy in front of production ends TLS; here the Secure cookies (session, CSRF) go
    back over the local HTTP connection. (requests copies the jar on each request, so a cookie
    policy set on it would be lost: the flag is cleared after each response instead.)"""
    for cookie in jar:
        cookie.secure = False


class PageParser(html.parser.HTMLParser):
    """The CSRF token, and on an exam page each question's kind and choices."""

    def __init__(self):
        super().__init__()
        self.csrf = ""
        self.questions: dict[str, dict] = {}  # id -> {"kind": radio|checkbox|text, "choices": [...]}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("name") == "csrfmiddlewaretoken":
            self.csrf = a.get("value", "")
        elif tag == "input" and a.get("type") in ("radio", "checkbox") and a.get("name", "").startswith("q-"):
            question = self.questions.setdefault(a["name"][2:], {"kind": a["type"], "choices": []})
            question["choices"].append(a["value"])
        elif tag == "textarea" and a.get("name", "").startswith("q-") and a["name"].endswith("-text"):
            self.questions.setdefault(a["name"][2:-5], {"kind": "text", "choices": []})


def parse(text: str) -> PageParser:
    parser = PageParser()
    parser.feed(text)
    return parser


def page_errors(text: str) -> str:
    """The form errors or messages a page shows, in one line (what a refused request said)."""
    found = re.findall(
        r'<(?:ul|div|p|li)[^>]*class="[^"]*(?:error|alert|message)[^"]*"[^>]*>(.*?)</', text, re.S
    )
    words = " | ".join(" ".join(re.sub(r"<[^>]+>", " ", f).split()) for f in found)
    return f": {words[:200]}" if words else ""


def answer_fields(qid: str, question: dict, choices, text: str = "") -> list[tuple[str, str]]:
    """One question's fields as the exam form posts them (and `static/js/exam.js`'s autosave)."""
    fields = [("questions", qid)] + [(f"q-{qid}", c) for c in choices]
    if question["kind"] == "text":
        fields.append((f"q-{qid}-text", text))
    return fields


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


class Stats:
    """Request times per kind, and the errors: (kind, detail) with the detail kept in order."""

    def __init__(self):
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, list[str]] = defaultdict(list)
        self.stamps: dict[str, list[float]] = defaultdict(list)  # when each request ended
        self.retries: list[tuple[float, str, str]] = []  # (when, kind, what) of each retried request

    def add(self, kind: str, seconds: float, ok: bool, detail: str = "") -> None:
        with self.lock:
            self.times[kind].append(seconds)
            self.stamps[kind].append(time.perf_counter())
            if not ok:
                self.errors[kind].append(detail)

    def retry(self, kind: str, detail: str) -> None:
        with self.lock:
            self.retries.append((time.perf_counter(), kind, detail))

    def error(self, kind: str, detail: str) -> None:
        """An error that is no request of its own (a batch that failed, say)."""
        with self.lock:
            self.errors[kind].append(detail)


CLOSED_UNDER_REQUEST = ("Connection aborted", "Connection reset", "RemoteDisconnected")


class HttpClient:
    """One person's browser: a `requests` session that speaks as production's TLS proxy would
    (`X-Forwarded-Proto: https`, the client's address in `X-Forwarded-For` and `X-Real-IP`), with
    timed requests recorded in `stats`."""

    retry_reset = False

    def __init__(self, base: str, stats: Stats, address: str):
        self.base, self.stats, self.address = base, stats, address
        self.http = self.session()

    def session(self):
        import requests

        http = requests.Session()
        origin = self.base.replace("http://", "https://")
        http.headers.update(
            {
                "X-Forwarded-Proto": "https",
                "X-Forwarded-For": self.address,
                "X-Real-IP": self.address,
                "Origin": origin,
                "Referer": origin + "/",
            }
        )
        return http

    def send(self, kind: str, method: str, path: str, http=None, **kwargs):
        """One timed request; no answer at all (a dropped connection, a timeout) is an error too.
        With `retry_reset`, a connection the server closed under the request (reset, or closed
        with no answer) is retried once on a fresh connection, as browsers do with a kept-alive
        connection: counted apart (`Stats.retries`), the time of both tries counted as one."""
        http = http or self.http
        start = time.perf_counter()
        for attempt in (1, 2):
            try:
                reply = http.request(method, self.base + path, allow_redirects=False, timeout=120, **kwargs)
            except Exception as error:
                reset = any(mark in str(error) for mark in CLOSED_UNDER_REQUEST)
                if self.retry_reset and reset and attempt == 1:
                    self.stats.retry(kind, f"{method} {path}: {error}")
                    continue
                self.stats.add(
                    kind,
                    time.perf_counter() - start,
                    False,
                    f"{type(error).__name__} {method} {path}: {error}",
                )
                error.counted = True  # in the stats already
                raise
            break
        secure_cookies_over_http(http.cookies)
        return reply, start

    def request(self, kind: str, method: str, path: str, expect: int | tuple[int, ...], **kwargs):
        """A timed request whose answer must have the `expect`ed status (one, or any of several)."""
        reply, start = self.send(kind, method, path, **kwargs)
        ok = reply.status_code in (expect if isinstance(expect, tuple) else (expect,))
        self.stats.add(kind, time.perf_counter() - start, ok, f"{reply.status_code} {method} {path}")
        if not ok:
            error = RuntimeError(
                f"{kind}: {method} {path} answered {reply.status_code}{page_errors(reply.text)}"
            )
            error.counted = True  # in the stats already
            raise error
        return reply

    def log_in(self, email: str, password: str, lang: str = "es") -> None:
        """allauth's form: the page (for the CSRF token), then the POST, answered by a redirect."""
        page = self.request("login page", "GET", f"/{lang}/accounts/login/", 200)
        self.request(
            "login",
            "POST",
            f"/{lang}/accounts/login/",
            302,
            data={"csrfmiddlewaretoken": parse(page.text).csrf, "login": email, "password": password},
        )
