"""Load: every role at once against gunicorn, PostgreSQL, Redis and real Celery workers.

    .venv/bin/python bench/mixed_load.py [--minutes 4] [--quick] [--trainees 30] [--heads 4]
        [--verifiers 10] [--issue-every 45] [--class-size 25] [--courses 4]
        [--workers 3] [--threads 4] [--bare-gunicorn] [--pdf-concurrency 1] [--carsi-concurrency 1]
        [--broker-db 9] [--json PATH]

About 6 minutes with the defaults (1 to 1.5 of them seeding, then 4 of load and the last batch
followed); `--quick` about 3.

`--quick` is a one-minute check with fewer people (10 trainees, 2 heads, 4 verifiers, a batch
every 20 s of 10 officers, 2 courses); any option given as well overrides it.

Setup. The script drops and recreates its own PostgreSQL database (`carsi_bench_mixed` on
127.0.0.1:5432, user postgres), migrates it and runs the project's `seed_demo` command (the demo
countries, agencies and their heads, courses, exams, certificates, and the 431-officer roster of
Guatemala's PNC; 70 to 90 s here, PDFs rendered in this process), then adds its own world:

- `--courses` self-paced courses BENCH-101... (two modules each, through the catalogue
  services), each awarding a credential of its own, each with a class session in progress and a
  published exam of 10 questions (4 single choice, 3 multiple choice, 3 true or false: all
  graded on the spot), timed, shuffled, one attempt, pass mark 70 %;
- `--trainees` officers of the PNC with accounts (bulk-created: one password hash shared by
  all) enrolled in every one of those sessions;
- a course BENCH-ISSUE awarding a credential, and enough closed class sessions of it for the
  administrator (one per `--issue-every` seconds of the run, and one more), each with
  `--class-size` completed enrollments without certificates (bulk-created as
  `bench/certificate_issue.py` does; the officers spread over five demo agencies);
- a program administrator (bench.admin@demo.carsi.test).

Servers. gunicorn with production's own settings (deploy/gunicorn.conf.py: gthread, 5 s
keep-alive, a worker replaced after about 2,000 requests; `--bare-gunicorn`: gunicorn's defaults
instead) but `--workers` x `--threads` on a free local port, no access log, and
Celery workers (`celery -A config worker`, prefork): one for the default queue (`--queues carsi`)
and one for the `pdf` queue, each of concurrency 1 by default; when the settings do not route
the PDF tasks to a queue of their own (`CELERY_PDF_QUEUE`), a single worker takes `carsi,pdf`
(its concurrency is `--pdf-concurrency`). All run with `PYTHONPATH=<tmp>:site:.`, the production
settings plus a throw-away settings module: plain static storage (no `collectstatic` into the
checkout), the Redis cache (127.0.0.1:6379/0) under a key prefix of our own (deleted at the
end), allauth's login rate limits off (everyone logs in within the first seconds), and
`MFA_REQUIRED_FOR_STAFF = False`: staff (agency heads, the administrator) would first have to
set up TOTP, and the login is not what is measured here. The broker is Redis database
`--broker-db` (9), flushed at the start and at the end. E-mail goes to Django's in-memory
backend (the workers send it, nobody receives it). Requests carry `X-Forwarded-Proto: https`,
`X-Forwarded-For` and `X-Real-IP` as from production's TLS proxy (`RATELIMIT_IP_META_KEY =
HTTP_X_REAL_IP`, as docs/operations.md sets it); the secure `__Host-` cookies are sent back over
the local HTTP connection. gunicorn, the workers and the database are stopped and dropped at
the end, also on failure or Ctrl-C.

The people, each a thread with its own `requests.Session`, pausing 0.3 to 1.5 s (at random)
after each request as a person reads, types or clicks, until `--minutes` are up. About one
pause in eight is preceded by a `/healthz` request (one `SELECT 1` and a broker ping, no
session): the baseline, asked by the same clients of the same server in the same minutes, to
which each kind's p50 is compared (the machine is shared and noisy: only ratios travel).

- trainees (one classroom behind one address): start within the first 20 % of the run, log in
  through allauth's form and take their courses one after another in a random order: each
  module's page, "mark this module complete", the exam's page, Start, the attempt's page, an
  autosave per answer as `static/js/exam.js` does (`Accept: application/json`, `X-CSRFToken`;
  every fourth answer changed once more), submit the whole form, the result. Nine answers in
  ten are right, so most pass: the course is then completed by the rules, which issues its
  certificate (its PDF queued on the `pdf` queue) and records an enrollment step whose e-mail
  is queued on the default queue. With every course done, they go on reading: "My training",
  a module page, one of their results;
- agency heads (even ones the PNC of Guatemala, odd ones other demo agencies): log in, then
  round after round the roster page, the roster filtered to `status=expiring`, the CSV export
  and the XLSX export (each read to its end) and the coverage page;
- verifiers (anonymous; each visit from a new address, as different people are, so the
  verification pages' limit of 30 a minute per address is counted but not reached): a valid,
  revoked or unknown code (6:2:2), either through the page (the form, the code typed, which
  redirects to the certificate's page) or the JSON API; an unknown code is 404, as expected;
- one program administrator: every `--issue-every` seconds, a class session's "issue the
  class's certificates" page (`/es/agency/sessions/<id>/certificates/issue/`), its form
  posted, the batch's page, then its `status.json` every second until it is finished (a
  batch still running when the time is up is followed to its end, up to 10 minutes).

When the time is up the script waits (up to 10 minutes) for the workers to render every
certificate issued during the run, then prints: per kind of request, the count, rate, errors,
p50 and p95 and the p50 as a ratio to /healthz's; requests per second overall; the queues: per
certificate issued during the run, the time from its row's creation to its PDF being stored
(`pdf_rendered_at - created_at`, p50/p95/max), per certificate batch the time from its
creation to its end (and its wait for a worker), per enrollment step recorded during the run
the time to its e-mail (`emailed_at - created_at`), and the deepest each Redis queue got
(`LLEN`, sampled every second); then the errors (non-2xx other than the expected redirects and
404s, exceptions, timeouts, a failed batch, a certificate left without its PDF), the first few
with their kind, URL and status. A request whose kept-alive connection the server closed under
it (reset, or closed with no answer, as happens when the server expires an idle connection just
as the client writes to it) is sent once more on a fresh connection, as a browser does, and
counted apart ("retried", with when and what), the time of both tries counted as one; a second
failure is an error.
What gunicorn and the workers logged beside their task lines is printed when there was an
error or a retry (a 500's traceback is there). It asserts
nothing about time; it exits 1 when there was an error. `--json PATH` also writes every figure as
JSON; with BENCH_RESULTS set (bench/run_all.py), the main ones also go there in
bench/report.py's form.
"""

import argparse
import contextlib
import datetime
import io
import json
import logging
import math
import os
import random
import re
import shutil
import signal
import sys
import threading
import time
from pathlib import Path

import harness
from harness import HttpClient, Stats

TMP, DB_NAME, CACHE_URL, CACHE_PREFIX, PASSWORD = harness.run_identity("mixed")
SETTINGS_MODULE = "bench_mixed_settings"
ADMIN_EMAIL = "bench.admin@demo.carsi.test"
ISSUE_CREDENTIAL = "bench-issue"  # the code of the credential the administrator's batches issue

QUESTIONS = [("single", 4, 4), ("multiple", 3, 4), ("true_false", 3, 2)]
RIGHT = 0.9  # the share of answers a trainee gets right
THINK = (0.3, 1.5)  # seconds between two requests of one person
HEALTHZ_SHARE = 0.125  # the share of pauses preceded by a /healthz request
CLASSROOM_ADDRESS = "203.0.113.7"
HEADS = ["head.gt.pnc", "head.hn.pn", "head.gt.pnc", "head.sv.pnc", "head.gt.pnc", "head.gt.sat"]
ISSUE_AGENCIES = [("GT", "PNC"), ("HN", "PN"), ("SV", "PNC"), ("CR", "FP"), ("PA", "SENAN")]
FOLLOW_LIMIT = 600  # seconds: the last batch followed, and the PDFs waited for, after the time is up
TIMEOUT = 120

KINDS = [  # the order of the table
    "healthz",
    "login page",
    "login",
    "module page",
    "module complete",
    "exam page",
    "exam start",
    "attempt page",
    "autosave",
    "exam submit",
    "result page",
    "my training",
    "roster page",
    "roster filtered",
    "roster CSV export",
    "roster XLSX export",
    "coverage page",
    "verify form",
    "verify typed code",
    "verify detail",
    "verify API",
    "batch issue page",
    "batch issue POST",
    "batch page",
    "batch status poll",
]


def servers_env(broker_url: str) -> dict:
    return harness.bench_env(
        tmp=TMP,
        settings_module=SETTINGS_MODULE,
        db_name=DB_NAME,
        cache_url=CACHE_URL,
        broker_url=broker_url,
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        RATELIMIT_IP_META_KEY="HTTP_X_REAL_IP",
        DEMO_PASSWORD=PASSWORD,
    )


# --- seeding -----------------------------------------------------------------------------------


def seed(args) -> dict:
    """The demo world and ours (see the docstring). Returns what the people need."""
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from certification import services as registry
    from certification.models import Agency, AgencyStaff, Certificate
    from certification.roles import PROGRAM_ADMINISTRATORS, role_grant
    from certification.services_certificates import verification_code_display
    from courses import services as catalogue_services
    from courses import services_enrollment as svc
    from courses.models import CoursePage
    from courses.models_assessment import Choice
    from courses.models_enrollment import ClassSession, Enrollment
    from home.services import site_setup

    call_command("migrate", verbosity=0, interactive=False)
    call_command("seed_demo", stdout=io.StringIO())
    admin = registry.user_ensure(email=ADMIN_EMAIL, password=PASSWORD)
    role_grant(user=admin, group_name=PROGRAM_ADMINISTRATORS)
    home = site_setup()
    today = timezone.localdate()
    day = datetime.timedelta(days=1)

    def bench_course(code: str, slug: str, title: str):
        course = harness.course_create(catalogue_services, home, code=code, slug=slug, title=title)
        credential = registry.credential_upsert(code=slug, name_es=title, name_en=title, validity_months=24)
        CoursePage.objects.filter(translation_key=course.translation_key).update(credential=credential)
        return course

    def session_with(course, code: str, people, *, closed: bool):
        """A class session in progress with `people` enrolled, or a closed one with `people`
        completed (no certificates yet); their enrollment steps already e-mailed."""
        size = len(people)
        session = svc.session_create(
            actor=admin,
            course=course,
            code=code,
            starts_on=today - (12 if closed else 2) * day,
            ends_on=today - 8 * day if closed else today + 3 * day,
            capacity=size + 10,
            nomination_deadline=None,
            city="Ciudad de Guatemala",
        )
        moves = [ClassSession.Status.OPEN, ClassSession.Status.IN_PROGRESS]
        for status in moves + ([ClassSession.Status.CLOSED] if closed else []):
            svc.session_transition(actor=admin, session=session, to_status=status)
        harness.enrollments_bulk_create(
            people=people,
            session=session,
            status=Enrollment.Status.COMPLETED if closed else Enrollment.Status.ENROLLED,
            nominated_by=admin,
            emailed=True,
            completed_at=timezone.now() if closed else None,
        )
        return session

    pnc = Agency.objects.select_related("country").get(country__code="GT", acronym="PNC")
    courses = []
    emails = [f"bench.trainee.{n:03d}@demo.carsi.test" for n in range(args.trainees)]
    with transaction.atomic():
        people = harness.trainees_bulk_create(
            agency=pnc,
            country=pnc.country,
            count=len(emails),
            id_prefix="M",
            emails=emails,
            password=PASSWORD,
        )
        for n in range(1, args.courses + 1):
            course = bench_course(f"BENCH-{100 + n}", f"bench-{100 + n}", f"Curso de carga {n}")
            exam = harness.exam_create(
                course=course, questions=QUESTIONS, title=f"Examen del curso de carga {n}"
            )
            session_with(course, f"BENCH-{100 + n}-01", people, closed=False)
            modules = [(m.pk, m.url) for m in course.get_children().live().specific().order_by("path")]
            courses.append({"code": course.code, "exam": exam.pk, "modules": modules})

        issue_course = bench_course("BENCH-ISSUE", ISSUE_CREDENTIAL, "Emisión de carga")
        agencies = [
            Agency.objects.select_related("country").get(country__code=c, acronym=a)
            for c, a in ISSUE_AGENCIES
        ]
        sessions = []
        count = math.ceil(args.minutes * 60 / args.issue_every) + 1
        for n in range(count):
            officers = []
            for a, agency in enumerate(agencies):
                share = args.class_size // len(agencies) + (a < args.class_size % len(agencies))
                officers += harness.trainees_bulk_create(
                    agency=agency, country=agency.country, count=share, id_prefix=f"I{n:03d}-"
                )
            session = session_with(issue_course, f"BENCH-ISSUE-{n + 1:02d}", officers, closed=True)
            sessions.append(session.pk)

    heads = []
    for n in range(args.heads):
        email = f"{HEADS[n % len(HEADS)]}@demo.carsi.test"
        staff = AgencyStaff.objects.filter(user__email=email).first()
        if staff is None:
            raise SystemExit(f"seed_demo made no agency head {email}")
        heads.append((email, staff.agency_id))
    codes = {"valid": [], "revoked": []}
    for status in codes:
        for code in Certificate.objects.filter(status=status).values_list("verification_code", flat=True):
            codes[status].append(verification_code_display(code))
    if not codes["valid"] or not codes["revoked"]:
        raise SystemExit(f"seed_demo made no valid or no revoked certificate: {codes}")
    right = {str(pk) for pk in Choice.objects.filter(is_correct=True).values_list("pk", flat=True)}
    return {
        "courses": courses,
        "emails": emails,
        "sessions": sessions,
        "heads": heads,
        "codes": codes,
        "right": right,
    }


# --- the servers -------------------------------------------------------------------------------


def pdf_queue() -> str | None:
    """The queue the settings route the PDF tasks to, when it is not the default queue (None
    when they go to the default queue, as before the `pdf` queue existed)."""
    from django.conf import settings

    from config.celery_app import app

    default = settings.CELERY_TASK_DEFAULT_QUEUE
    queues = set()
    for task in (
        "certification.tasks.certificate_pdf_render",
        "certification.tasks_batches.certificate_batch_run",
    ):
        route = app.amqp.router.route({}, task)
        queue = route.get("queue")
        queues.add(getattr(queue, "name", queue) or default)
    queues.discard(default)
    return queues.pop() if len(queues) == 1 else None


def worker_start(name: str, queues: str, concurrency: int, env: dict) -> tuple:
    log = Path(TMP, f"worker-{name}.log")
    process = harness.spawn(
        [
            str(harness.ROOT / ".venv/bin/celery"),
            "-A",
            "config",
            "worker",
            f"--queues={queues}",
            f"--concurrency={concurrency}",
            "--pool=prefork",
            f"--hostname=bench-{name}-{os.getpid()}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=INFO",
        ],
        harness.server_env(TMP, env),
        log,
    )
    return process, log


def workers_wait(workers: list, timeout: float = 120) -> None:
    end = time.monotonic() + timeout
    for process, log in workers:
        while "ready." not in log.read_text(errors="replace"):
            if process.poll() is not None or time.monotonic() > end:
                raise SystemExit(f"a Celery worker did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.5)


class QueueSampler(threading.Thread):
    """`LLEN` of each queue every second (kombu's Redis transport keeps a list per queue, and one
    per priority level beside it: they are added up)."""

    def __init__(self, broker_url: str, queues: list[str]):
        super().__init__(name="queue-sampler", daemon=True)
        import redis

        self.client = redis.Redis.from_url(broker_url)
        self.queues = queues
        self.deepest = dict.fromkeys(queues, 0)
        self.samples = 0
        self.stop = threading.Event()

    def depth(self, queue: str) -> int:
        names = [queue] + [f"{queue}\x06\x16{p}" for p in range(1, 10)]
        with self.client.pipeline() as pipe:
            for name in names:
                pipe.llen(name)
            return sum(pipe.execute())

    def run(self):
        while not self.stop.is_set():
            with contextlib.suppress(Exception):  # a missed sample is not an error of the site
                for queue in self.queues:
                    self.deepest[queue] = max(self.deepest[queue], self.depth(queue))
                self.samples += 1
            self.stop.wait(1)


# --- the people --------------------------------------------------------------------------------


class Person(HttpClient, threading.Thread):
    """A person with a browser, acting until `deadline` (perf_counter seconds)."""

    retry_reset = True  # a browser sends again what a closing kept-alive connection dropped

    def __init__(self, name: str, base: str, stats: Stats, deadline: float, address: str, seed: int):
        threading.Thread.__init__(self, name=name, daemon=True)  # never outlives a failed run
        HttpClient.__init__(self, base, stats, address)
        self.deadline = deadline
        self.rng = random.Random(seed)
        self.failure = ""

    def running(self) -> bool:
        return time.perf_counter() < self.deadline

    def think(self) -> None:
        """A pause; now and then the baseline request first."""
        if self.rng.random() < HEALTHZ_SHARE and self.running():
            self.request("healthz", "GET", "/healthz", 200)
        time.sleep(self.rng.uniform(*THINK))

    def csrf(self, page) -> str:
        return harness.parse(page.text).csrf or self.http.cookies.get("__Host-csrftoken", "")

    def act(self) -> None:
        raise NotImplementedError

    def run(self):
        try:
            self.act()
        except Exception as error:  # noqa: BLE001  (reported; the others carry on)
            self.failure = f"{type(error).__name__}: {error}"
            if not getattr(error, "counted", False):  # not a request's error, counted already
                self.stats.error("exception", f"{self.name}: {self.failure}")


class Trainee(Person):
    def __init__(self, index: int, email: str, world: dict, start_at: float, **kwargs):
        super().__init__(f"trainee-{index}", address=CLASSROOM_ADDRESS, seed=index, **kwargs)
        self.index, self.email, self.start_at = index, email, start_at
        self.courses = self.rng.sample(world["courses"], len(world["courses"]))
        self.right = world["right"]
        self.results: list[str] = []
        self.submitted = 0

    def answer(self, question: dict) -> tuple:
        choices = question["choices"]
        right = [c for c in choices if c in self.right]
        if self.rng.random() < RIGHT:
            return (tuple(right), "")
        wrong = [c for c in choices if c not in right] or choices
        return ((self.rng.choice(wrong),), "")

    def course(self, course: dict) -> None:
        for module_id, url in course["modules"]:
            page = self.request("module page", "GET", url, 200)
            self.think()
            if "module-complete" in page.text:
                data = {"csrfmiddlewaretoken": self.csrf(page)}
                self.request(
                    "module complete", "POST", f"/es/training/modules/{module_id}/complete/", 302, data=data
                )
                self.think()
            if not self.running():
                return
        exam = course["exam"]
        page = self.request("exam page", "GET", f"/es/exams/{exam}/", 200)
        self.think()
        started = self.request(
            "exam start",
            "POST",
            f"/es/exams/{exam}/start/",
            302,
            data={"csrfmiddlewaretoken": self.csrf(page)},
        )
        attempt_url = started.headers["Location"]
        page = harness.parse(self.request("attempt page", "GET", attempt_url, 200).text)
        self.think()
        sent = {}
        for n, (qid, question) in enumerate(page.questions.items()):
            for _ in range(2 if n % 4 == 0 else 1):  # every fourth answer changed once more
                sent[qid] = self.answer(question)
                self.request(
                    "autosave",
                    "POST",
                    attempt_url + "answer/",
                    200,
                    data=harness.answer_fields(qid, question, *sent[qid]),
                    headers={"Accept": "application/json", "X-CSRFToken": page.csrf},
                )
                self.think()
        data = [("csrfmiddlewaretoken", page.csrf)]
        for qid, question in page.questions.items():
            data += harness.answer_fields(qid, question, *sent.get(qid, ((), "")))
        submitted = self.request("exam submit", "POST", attempt_url + "submit/", 302, data=data)
        self.submitted += 1
        result = submitted.headers["Location"]
        self.request("result page", "GET", result, 200)
        self.results.append(result)
        self.think()

    def act(self) -> None:
        time.sleep(max(0.0, self.start_at - time.perf_counter()))
        self.log_in(self.email, PASSWORD)
        self.think()
        for course in self.courses:
            if not self.running():
                return
            self.course(course)
        while self.running():  # every course done: reading
            self.request("my training", "GET", "/es/training/", 200)
            self.think()
            _module_id, url = self.rng.choice(self.rng.choice(self.courses)["modules"])
            self.request("module page", "GET", url, 200)
            self.think()
            if self.results:
                self.request("result page", "GET", self.rng.choice(self.results), 200)
                self.think()


class Head(Person):
    def __init__(self, index: int, email: str, agency_id: int, **kwargs):
        super().__init__(f"head-{index}", address=f"198.51.100.{10 + index}", seed=1000 + index, **kwargs)
        self.email, self.agency_id = email, agency_id

    def act(self) -> None:
        self.log_in(self.email, PASSWORD)
        self.think()
        agency = f"/es/agency/{self.agency_id}"
        pages = [
            ("roster page", f"{agency}/roster/"),
            ("roster filtered", f"{agency}/roster/?status=expiring"),
            ("roster CSV export", f"{agency}/roster/export.csv"),
            ("roster XLSX export", f"{agency}/roster/export.xlsx"),
            ("coverage page", f"{agency}/coverage/"),
        ]
        while self.running():
            for kind, url in pages:
                if not self.running():
                    return
                self.request(kind, "GET", url, 200)  # requests reads the whole (streamed) body
                self.think()


class Verifier(Person):
    def __init__(self, index: int, codes: dict, **kwargs):
        super().__init__(f"verifier-{index}", address="", seed=2000 + index, **kwargs)
        self.index, self.codes = index, codes
        self.visits = 0

    def code(self) -> tuple[str, str]:
        kind = self.rng.choices(["valid", "revoked", "unknown"], weights=[6, 2, 2])[0]
        if kind == "unknown":
            alphabet = "23456789ABCDEFGHJKMNPQRTVWXYZ"
            code = "".join(self.rng.choice(alphabet) for _ in range(12))
            return kind, "-".join(code[i : i + 4] for i in range(0, 12, 4))
        return kind, self.rng.choice(self.codes[kind])

    def act(self) -> None:
        while self.running():
            # A new visitor: a new address (198.18.0.0/15, the benchmarking range), new cookies.
            self.visits += 1
            address = (
                f"198.18.{self.index}.{self.visits % 250 + 1}"
                if self.visits < 250
                else (f"198.19.{self.index}.{self.visits % 250 + 1}")
            )
            self.http.close()
            self.http = self.session()
            self.http.headers.update({"X-Forwarded-For": address, "X-Real-IP": address})
            kind, code = self.code()
            found = 404 if kind == "unknown" else 200
            if self.rng.random() < 0.5:
                self.request("verify API", "GET", f"/api/v1/verify/{code}/", found)
                self.think()
                continue
            self.request("verify form", "GET", "/es/verify/", 200)
            self.think()
            typed = self.request(
                "verify typed code", "GET", "/es/verify/", 302, params={"code": code.lower()}
            )
            self.request("verify detail", "GET", typed.headers["Location"], found)
            self.think()


class Administrator(Person):
    def __init__(self, sessions: list[int], issue_every: float, **kwargs):
        super().__init__("administrator", address="198.51.100.2", seed=3000, **kwargs)
        self.sessions, self.issue_every = list(sessions), issue_every
        self.batches: list[dict] = []  # {"id", "session", "posted", "finished", "status"}

    def issue(self, session_id: int) -> None:
        url = f"/es/agency/sessions/{session_id}/certificates/issue/"
        page = self.request("batch issue page", "GET", url, 200)
        posted = time.perf_counter()
        reply = self.request(
            "batch issue POST", "POST", url, 302, data={"csrfmiddlewaretoken": self.csrf(page)}
        )
        location = reply.headers["Location"]  # .../certificate-batches/<id>/
        batch = {"id": int(location.rstrip("/").rsplit("/", 1)[1]), "session": session_id, "posted": posted}
        self.batches.append(batch)
        self.request("batch page", "GET", location, 200)
        end = max(self.deadline, time.perf_counter()) + FOLLOW_LIMIT
        while time.perf_counter() < end:
            time.sleep(1)  # static/js/batch_progress.js polls every second or so
            status = self.request("batch status poll", "GET", location + "status.json", 200).json()
            if status["finished"]:
                batch["finished"] = time.perf_counter()
                batch["status"] = status["status"]
                if status["status"] != "done":
                    self.stats.error("batch status poll", f"batch {batch['id']} ended {status['status']}")
                return
        self.stats.error("batch status poll", f"batch {batch['id']} not finished in time")

    def act(self) -> None:
        self.log_in(ADMIN_EMAIL, PASSWORD)
        next_at = time.perf_counter()
        while self.running() and self.sessions:
            time.sleep(max(0.0, next_at - time.perf_counter()))
            if not self.running():
                return
            next_at += self.issue_every
            self.issue(self.sessions.pop(0))


# --- what the workers did ----------------------------------------------------------------------


def pdfs_wait(since, limit: float) -> int:
    """Waits until every certificate created since `since` has its PDF; returns how many lack it."""
    from django.db import close_old_connections

    from certification.models import Certificate

    end = time.monotonic() + limit
    while True:
        close_old_connections()
        missing = Certificate.objects.filter(created_at__gte=since, pdf_rendered_at__isnull=True).count()
        if not missing or time.monotonic() > end:
            return missing
        time.sleep(1)


def delays(pairs) -> dict:
    seconds = [(done - made).total_seconds() for made, done in pairs if done is not None]
    return {
        "n": len(seconds),
        "p50_s": harness.percentile(seconds, 50),
        "p95_s": harness.percentile(seconds, 95),
        "max_s": max(seconds) if seconds else float("nan"),
    }


def worker_figures(since, batch_ids) -> dict:
    from certification.models import Certificate, CertificateBatch
    from courses.models_enrollment import EnrollmentTransition

    certificates = Certificate.objects.filter(created_at__gte=since)
    steps = EnrollmentTransition.objects.filter(created_at__gte=since)
    batches = []
    for batch in CertificateBatch.objects.filter(pk__in=batch_ids).order_by("pk"):
        batches.append(
            {
                "id": batch.pk,
                "status": batch.status,
                "certificates": batch.issued,
                "wait_s": (batch.started_at - batch.created_at).total_seconds() if batch.started_at else None,
                "total_s": (batch.finished_at - batch.created_at).total_seconds()
                if batch.finished_at
                else None,
            }
        )
    batch_issued = certificates.filter(credential__code=ISSUE_CREDENTIAL)
    return {
        "pdf": delays(certificates.values_list("created_at", "pdf_rendered_at")),
        "pdf_batches": delays(batch_issued.values_list("created_at", "pdf_rendered_at")),
        "pdf_completions": delays(
            certificates.exclude(credential__code=ISSUE_CREDENTIAL).values_list(
                "created_at", "pdf_rendered_at"
            )
        ),
        "pdf_missing": certificates.filter(pdf_rendered_at__isnull=True).count(),
        "email": delays(steps.values_list("created_at", "emailed_at")),
        "email_missing": steps.filter(emailed_at__isnull=True).count(),
        "batches": batches,
    }


# --- main --------------------------------------------------------------------------------------


def options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    quick = {
        "minutes": 1,
        "trainees": 10,
        "heads": 2,
        "verifiers": 4,
        "issue_every": 20,
        "class_size": 10,
        "courses": 2,
    }
    full = {
        "minutes": 4,
        "trainees": 30,
        "heads": 4,
        "verifiers": 10,
        "issue_every": 45,
        "class_size": 25,
        "courses": 4,
    }
    parser.add_argument("--quick", action="store_true", help="a one-minute check with fewer people")
    parser.add_argument("--minutes", type=float, help="how long the people act (4; --quick 1)")
    parser.add_argument("--trainees", type=int, help="30 (--quick 10)")
    parser.add_argument("--heads", type=int, help="agency heads: 4 (--quick 2)")
    parser.add_argument("--verifiers", type=int, help="anonymous verifiers: 10 (--quick 4)")
    parser.add_argument("--issue-every", type=float, help="seconds between two batches: 45 (--quick 20)")
    parser.add_argument("--class-size", type=int, help="completed enrollments per session: 25 (--quick 10)")
    parser.add_argument("--courses", type=int, help="courses each trainee takes: 4 (--quick 2)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument(
        "--bare-gunicorn",
        action="store_true",
        help="gunicorn's defaults instead of deploy/gunicorn.conf.py (2 s keep-alive, no worker replaced)",
    )
    parser.add_argument("--pdf-concurrency", type=int, default=1, help="processes of the pdf queue's worker")
    parser.add_argument(
        "--carsi-concurrency", type=int, default=1, help="processes of the default queue's worker"
    )
    parser.add_argument("--broker-db", type=int, default=9, help="the Redis database of the broker (flushed)")
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON")
    args = parser.parse_args()
    for key, value in (quick if args.quick else full).items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    return args


def main() -> int:
    args = options()
    broker_url = f"redis://127.0.0.1:6379/{args.broker_db}"
    harness.write_settings(
        TMP,
        SETTINGS_MODULE,
        CACHE_PREFIX,
        [
            "ACCOUNT_RATE_LIMITS = False",
            "MFA_REQUIRED_FOR_STAFF = False",
            # The unknown codes' 404s are expected: not one warning each in gunicorn's log (a 500
            # still logs its traceback, at ERROR).
            "from config.settings.production import LOGGING",
            'LOGGING["loggers"]["django.request"] = {"level": "ERROR"}',
        ],
    )
    env = servers_env(broker_url)
    os.environ.update(servers_env(""))  # this process seeds with eager Celery: nothing is queued
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # cleaned up below, as on Ctrl-C
    import redis

    broker = redis.Redis.from_url(broker_url)
    processes = []
    started = time.perf_counter()
    try:
        harness.database_create(DB_NAME)
        import django

        django.setup()
        # Notices of this process only: seed_demo's PDFs (fonts); kombu, asked for the routes of an
        # app without a broker here (it seeds with eager Celery), that it reverts to localhost.
        for name in ("weasyprint", "kombu.connection"):
            logging.getLogger(name).setLevel(logging.ERROR)
        world = seed(args)
        seeded = time.perf_counter() - started

        from django.conf import settings

        default, pdf = settings.CELERY_TASK_DEFAULT_QUEUE, pdf_queue()
        broker.flushdb()
        if pdf:
            workers = [
                worker_start("carsi", default, args.carsi_concurrency, env),
                worker_start("pdf", pdf, args.pdf_concurrency, env),
            ]
            queues = [default, pdf]
        else:
            workers = [worker_start("carsi-pdf", f"{default},pdf", args.pdf_concurrency, env)]
            queues = [default, "pdf"]
        processes += [process for process, _log in workers]
        server, base = harness.gunicorn_serve(
            TMP,
            env,
            args.workers,
            args.threads,
            warm=("/es/accounts/login/", "/es/verify/"),
            deploy_config=not args.bare_gunicorn,
        )
        processes.append(server)
        workers_wait(workers)

        from django.db import connections
        from django.utils import timezone

        connections.close_all()
        stats = Stats()
        since = timezone.now()
        begin = time.perf_counter()
        deadline = begin + args.minutes * 60
        common = {"base": base, "stats": stats, "deadline": deadline}
        ramp = args.minutes * 60 * 0.2
        people = [
            Trainee(i, email, world, begin + ramp * i / max(1, len(world["emails"])), **common)
            for i, email in enumerate(world["emails"])
        ]
        people += [Head(i, email, agency, **common) for i, (email, agency) in enumerate(world["heads"])]
        people += [Verifier(i, world["codes"], **common) for i in range(args.verifiers)]
        admin = Administrator(world["sessions"], args.issue_every, **common)
        people.append(admin)
        sampler = QueueSampler(broker_url, queues)
        sampler.start()
        for person in people:
            person.start()
        for person in people:
            person.join(timeout=max(1.0, deadline - time.perf_counter()) + FOLLOW_LIMIT + TIMEOUT)
        ended = time.perf_counter()
        missing = pdfs_wait(since, FOLLOW_LIMIT)
        sampler.stop.set()
        sampler.join(timeout=5)
        figures = worker_figures(since, [b["id"] for b in admin.batches])
        figures["pdf_missing"] = missing
    except BaseException:
        for name in LOG_NAMES:
            if Path(TMP, name).exists():
                print(f"--- {name}:\n{Path(TMP, name).read_text(errors='replace')[-3000:]}", file=sys.stderr)
        raise
    finally:
        for process in reversed(processes):
            harness.process_stop(process)
        with contextlib.suppress(Exception):
            broker.flushdb()
        harness.cache_clear(CACHE_URL, CACHE_PREFIX)
        harness.database_drop(DB_NAME)
        logs = server_logs()
        shutil.rmtree(TMP, ignore_errors=True)
    return report(args, stats, people, admin, sampler, figures, begin, deadline, ended, seeded, pdf, logs)


LOG_NAMES = ["gunicorn.log"] + [f"worker-{n}.log" for n in ("carsi", "pdf", "carsi-pdf")]


def server_logs() -> dict[str, str]:
    """What the servers logged beside the workers' task lines: gunicorn's and Django's warnings
    and errors (tracebacks whole), the workers' errors."""
    kept = {}
    for name in LOG_NAMES:
        path = Path(TMP, name)
        if not path.exists():
            continue
        lines = [
            line
            for line in path.read_text(errors="replace").splitlines()
            if not re.search(r"Task \S+\[[0-9a-f-]+\] (received|succeeded)|fontTools|HarfBuzz", line)
        ]
        if name.startswith("worker-"):  # the banner and the start-up lines, up to "ready."
            ready = next((i for i, line in enumerate(lines) if "ready." in line), -1)
            lines = lines[ready + 1 :]
        kept[name] = "\n".join(lines)
    return kept


def no_nan(value):
    """NaN (a figure of nothing: no batch, no e-mail) as null, which JSON has."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: no_nan(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [no_nan(v) for v in value]
    return value


def emit_figures(args, kinds, figures, sampler, rate, healthz_p50, errors, pdf) -> None:
    """The main figures in bench/report.py's form too, for bench/run_all.py's table (written only
    when BENCH_RESULTS names a folder)."""
    from bench.report import emit, figure

    rows = [figure("requests per second, every role", rate, "req/s")]
    for kind, k in kinds.items():
        if kind != "healthz":
            rows.append(figure(f"{kind}, p50", k["p50_ms"], "ms", "/healthz p50", healthz_p50 * 1000))
    for label, key in (("all", "pdf"), ("batches", "pdf_batches"), ("course completions", "pdf_completions")):
        d = figures[key]
        if d["n"]:
            rows.append(figure(f"pdf queue, certificate created -> PDF ({label}), p50", d["p50_s"], "s"))
            rows.append(figure(f"pdf queue, certificate created -> PDF ({label}), p95", d["p95_s"], "s"))
    if figures["email"]["n"]:
        rows.append(figure("default queue, enrollment step -> e-mail, p95", figures["email"]["p95_s"], "s"))
    rows += [figure(f"deepest queue '{q}'", n, "messages") for q, n in sampler.deepest.items()]
    rows.append(figure("errors", errors, "errors"))
    emit(
        "mixed_load",
        no_nan(rows),
        setup=f"gunicorn {args.workers}x{args.threads}, Celery pdf queue {pdf or 'shared with carsi'}, "
        f"{args.minutes:g} min, {args.trainees} trainees, {args.heads} heads, {args.verifiers} verifiers",
    )


def report(args, stats, people, admin, sampler, figures, begin, deadline, ended, seeded, pdf, logs) -> int:
    window = deadline - begin
    in_window = {kind: sum(1 for t in stamps if t <= deadline) for kind, stamps in stats.stamps.items()}
    healthz_p50 = harness.percentile(stats.times.get("healthz", []), 50)
    trainees = [p for p in people if isinstance(p, Trainee)]
    print(
        f"PostgreSQL, Redis, gunicorn gthread {args.workers} workers x {args.threads} threads "
        + ("(bare options)" if args.bare_gunicorn else "(deploy/gunicorn.conf.py)")
        + ", Celery "
        + (
            f"workers on 'carsi' (x{args.carsi_concurrency}) and '{pdf}' (x{args.pdf_concurrency})"
            if pdf
            else f"one worker on 'carsi,pdf' (x{args.pdf_concurrency}; no pdf routing in the settings)"
        )
        + f"; {os.cpu_count()} CPUs shared with the clients. Setup took {seeded:.0f} s."
    )
    print(
        f"{args.minutes:g} min: {len(trainees)} trainees ({args.courses} courses each), "
        f"{args.heads} agency heads, {args.verifiers} verifiers, 1 administrator (a batch of "
        f"{args.class_size} every {args.issue_every:g} s); think time {THINK[0]}-{THINK[1]} s."
    )
    print(
        f"{'request':20} {'count':>6} {'req/s':>7} {'errors':>6} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'p50/healthz':>11}"
    )
    kinds = {}
    for kind in KINDS + sorted(set(stats.times) - set(KINDS)):
        times = stats.times.get(kind, [])
        if not times:
            continue
        p50, p95 = harness.percentile(times, 50), harness.percentile(times, 95)
        kinds[kind] = {
            "count": len(times),
            "per_s": in_window.get(kind, 0) / window,
            "errors": len(stats.errors.get(kind, [])),
            "p50_ms": p50 * 1000,
            "p95_ms": p95 * 1000,
            "p50_ratio": p50 / healthz_p50 if healthz_p50 else float("nan"),
        }
        k = kinds[kind]
        print(
            f"{kind:20} {k['count']:6} {k['per_s']:7.2f} {k['errors']:6} {k['p50_ms']:8.1f} "
            f"{k['p95_ms']:8.1f} {k['p50_ratio']:11.1f}"
        )
    total = sum(in_window.values())
    print(
        f"overall: {total} requests in {window:.0f} s = {total / window:.1f} requests/s "
        f"(the last batch followed {max(0.0, ended - deadline):.0f} s more)"
    )
    submitted = sum(t.submitted for t in trainees)
    print(f"exams submitted: {submitted}; batches: {len(admin.batches)}")
    email = figures["email"]
    print(
        "pdf queue: certificates issued in the run, created -> PDF stored "
        f"({figures['pdf_missing']} without one):"
    )
    for label, key in (
        ("all", "pdf"),
        ("by the batches", "pdf_batches"),
        ("by completing a course", "pdf_completions"),
    ):
        d = figures[key]
        print(
            f"  {label:23} {d['n']:4}: p50 {d['p50_s']:5.1f} s, p95 {d['p95_s']:5.1f} s, "
            f"max {d['max_s']:5.1f} s"
        )
    for batch in figures["batches"]:
        wait = f"{batch['wait_s']:.1f} s" if batch["wait_s"] is not None else "-"
        total_s = f"{batch['total_s']:.1f} s" if batch["total_s"] is not None else "-"
        print(
            f"  batch {batch['id']}: {batch['status']}, {batch['certificates']} certificates, "
            f"waited {wait} for a worker, created -> finished {total_s}"
        )
    print(
        f"default queue: {email['n']} enrollment steps e-mailed, created -> e-mailed: "
        f"p50 {email['p50_s']:.1f} s, p95 {email['p95_s']:.1f} s, max {email['max_s']:.1f} s; "
        f"{figures['email_missing']} not e-mailed"
    )
    print(
        "deepest queues (LLEN every second, "
        f"{sampler.samples} samples): " + ", ".join(f"{q} {n}" for q, n in sampler.deepest.items())
    )
    errors = [(kind, detail) for kind, details in stats.errors.items() for detail in details]
    failures = [f"{p.name}: {p.failure}" for p in people if p.failure]
    count = len(errors) + figures["pdf_missing"]  # a failed batch is among the errors (its poll)
    print(f"errors: {count} ({len(errors)} requests, {figures['pdf_missing']} certificates without a PDF)")
    for kind, detail in errors[:8]:
        print(f"    {kind}: {detail}")
    for failure in failures[:8]:
        print(f"    stopped: {failure[:300]}")
    retries = [(when - begin, kind, what) for when, kind, what in stats.retries]
    print(
        "retried on a fresh connection (the server closed a kept-alive connection as the request went "
        f"out; a browser sends again): {len(retries)}"
    )
    for when, kind, what in retries[:5]:
        print(f"    at {when:.0f} s, {kind}: {what[:200]}")
    for name, text in logs.items():
        if text.strip() and (count or retries or "Traceback" in text):
            print(f"--- {name}, beside the task lines (last 4,000 characters):")
            print(text[-4000:])
    emit_figures(args, kinds, figures, sampler, total / window, healthz_p50, count, pdf)
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                no_nan(
                    {
                        "benchmark": "mixed_load",
                        "options": {k: v for k, v in vars(args).items() if k != "json"},
                        "pdf_queue": pdf,
                        "setup_s": seeded,
                        "window_s": window,
                        "requests": total,
                        "requests_per_s": total / window,
                        "healthz_p50_ms": healthz_p50 * 1000,
                        "kinds": kinds,
                        "queues": {**figures, "deepest": sampler.deepest},
                        "exams_submitted": submitted,
                        "errors": count,
                        "first_errors": [{"kind": k, "detail": d} for k, d in errors[:20]],
                        "retried": len(retries),
                        "first_retries": [{"at_s": t, "kind": k, "detail": d} for t, k, d in retries[:20]],
                    }
                ),
                indent=2,
                default=str,
            )
        )
    return 1 if count else 0


if __name__ == "__main__":
    sys.exit(main())
