"""Load: 50 trainees take the same timed exam at once against gunicorn on PostgreSQL.

    .venv/bin/python bench/exam_load.py [--trainees 50] [--workers 3] [--threads 4]

The script drops and recreates its own PostgreSQL database (`carsi_bench_exam` on
127.0.0.1:5432, user postgres), migrates it and seeds it: a course (BSI-101, two modules, made
through the catalogue services as the tests make it), a class session in progress, the trainees with
accounts (bulk-created: one password hash shared by all, so that seeding does not spend a
minute hashing) enrolled in it, a probe trainee for the query counts, and one published exam
of 24 questions (10 single choice, 6 multiple choice, 5 true or false, 3 written answers),
timed, shuffled, one attempt. Nobody has completed the course's modules, so a submission
grades the attempt but completes no course and issues no certificate.

It then starts gunicorn (`config.wsgi`, gthread workers) on a free local port with the
production settings, DEBUG off, plus three changes written to a throw-away settings module:
static files use the plain storage (no `collectstatic` into the checkout), the cache is Redis
with a key prefix of its own (several workers share one cache, as in production), and allauth's
login rate limits are off (--keep-login-limit keeps them: a class of 50 logging in at once from
one address is then partly refused, see bench/README.md). Requests carry
`X-Forwarded-Proto: https` and `X-Forwarded-For` (one classroom address for all), as from the
TLS proxy in front of production, so there is no SSL redirect; the secure `__Host-` cookies are
sent back over the local HTTP connection.

Each trainee is a thread with its own `requests.Session`:

1. logs in through allauth's form (`/es/accounts/login/`, CSRF), opens the exam's page and
   presses Start (all trainees at once);
2. when every trainee has started, saves each answer through the autosave endpoint as
   `static/js/exam.js` does (one request at a time, `Accept: application/json`, `X-CSRFToken`),
   changing every third answer once more and every seventh a third time, with no pause;
3. when every trainee has finished saving (the script then compares the database with the last
   answer each trainee had acknowledged), submits the whole form as the browser does (every
   answer again, to the submit URL), every fifth trainee twice at the same moment (a double
   click), and opens the result.

The script prints the latency of each kind of request (p50/p95/p99), answers saved per second
(acknowledged autosaves over the wall time of phase 2), lost answers (acknowledged but not
stored, or stored different), duplicates (more than one answer row per attempt and question,
more than one attempt per trainee, two submissions giving two results), errors (non-2xx other
than the expected redirects) and the queries of one autosave and one submission, counted in
this process with `CaptureQueriesContext` through Django's test client on the same database.
gunicorn is stopped and the database dropped at the end, also on failure. It asserts nothing
about time; it exits with status 1 when an answer was lost or duplicated. With BENCH_RESULTS set
(bench/run_all.py), its main figures also go there in bench/report.py's form. The database,
settings, gunicorn and client plumbing lives in bench/harness.py, shared with mixed_load.py.
"""

import argparse
import contextlib
import os
import random
import shutil
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

from harness import (
    HttpClient,
    Stats,
    answer_fields,
    bench_env,
    cache_clear,
    course_create,
    database_create,
    database_drop,
    enrollments_bulk_create,
    exam_create,
    gunicorn_serve,
    gunicorn_stop,
    parse,
    percentile,
    run_identity,
    trainees_bulk_create,
)
from harness import write_settings as harness_write_settings

TMP, DB_NAME, CACHE_URL, CACHE_PREFIX, PASSWORD = run_identity("exam")

# Question mix: (kind, how many, choices).
QUESTIONS = [("single", 10, 4), ("multiple", 6, 4), ("true_false", 5, 2), ("short_answer", 3, 0)]
DOUBLE_SUBMIT_EVERY = 5  # every fifth trainee submits twice at the same moment
CLASSROOM_ADDRESS = "203.0.113.7"
BASELINE_REQUESTS = 10  # /healthz requests per trainee, all at once: the floor of a request here


def write_settings(keep_login_limit: bool) -> None:
    """The production settings with plain static storage, a Redis cache with our own prefix,
    and (unless told otherwise) no login rate limits."""
    # The bench measures the exam, not allauth's login limits, which refuse a class logging in
    # at once from one address (see the README): off unless --keep-login-limit.
    extra = [] if keep_login_limit else ["ACCOUNT_RATE_LIMITS = False"]
    harness_write_settings(TMP, "bench_exam_settings", CACHE_PREFIX, extra)


# Celery eager, as the embedded default: nothing here enqueues work anyway.
ENV = bench_env(tmp=TMP, settings_module="bench_exam_settings", db_name=DB_NAME, cache_url=CACHE_URL)


def seed(trainees: int):
    """Returns (exam, [(email, enrollment id)], probe user)."""
    import datetime

    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from certification import services as registry
    from certification.roles import PROGRAM_ADMINISTRATORS, ensure_groups, role_grant
    from courses import services as catalogue_services
    from courses import services_enrollment as svc
    from courses.models_enrollment import ClassSession, Enrollment
    from home.demo_registry import demo_country
    from home.services import site_setup

    call_command("migrate", verbosity=0, interactive=False)
    ensure_groups()
    course = course_create(catalogue_services, site_setup())
    admin = registry.user_ensure(email="bench.admin@demo.carsi.test", password=PASSWORD)
    role_grant(user=admin, group_name=PROGRAM_ADMINISTRATORS)
    gt = demo_country("GT")
    agency = registry.agency_upsert(
        country=gt,
        acronym="PNC",
        kind="police",
        name_es="Policía Nacional Civil",
        name_en="National Civil Police",
        time_zone="America/Guatemala",
    )
    today = timezone.localdate()
    session = svc.session_create(
        actor=admin,
        course=course,
        code="BENCH-EXAM-01",
        starts_on=today - datetime.timedelta(days=2),
        ends_on=today + datetime.timedelta(days=3),
        capacity=trainees + 10,
        nomination_deadline=None,
        city="Ciudad de Guatemala",
    )
    svc.session_transition(actor=admin, session=session, to_status=ClassSession.Status.OPEN)
    svc.session_transition(actor=admin, session=session, to_status=ClassSession.Status.IN_PROGRESS)

    exam = exam_create(course=course, questions=QUESTIONS, title="Examen final de interdicción fronteriza")

    # The trainees and their accounts, bulk-created, enrolled in the session.
    emails = [f"bench.trainee.{n:03d}@demo.carsi.test" for n in range(trainees + 1)]  # the last: probe
    with transaction.atomic():
        people = trainees_bulk_create(
            agency=agency, country=gt, count=len(emails), id_prefix="E", emails=emails, password=PASSWORD
        )
        enrollments = enrollments_bulk_create(
            people=people, session=session, status=Enrollment.Status.ENROLLED, nominated_by=admin
        )
    users = [person.user for person in people]
    roster = [(email, e.pk) for email, e in zip(emails[:-1], enrollments[:-1], strict=True)]
    return exam, roster, users[-1]


# --- the trainees ------------------------------------------------------------------------------


class TraineeClient(HttpClient, threading.Thread):
    def __init__(self, index: int, email: str, base: str, exam_id: int, stats: Stats, barriers, double: bool):
        threading.Thread.__init__(self, name=f"trainee-{index}", daemon=True)  # never outlives a failed run
        # One classroom's public address for everyone, as behind a school's NAT.
        HttpClient.__init__(self, base, stats, CLASSROOM_ADDRESS)
        self.index, self.email, self.exam_id = index, email, exam_id
        self.barriers, self.double = barriers, double
        self.rng = random.Random(index)
        self.attempt_url = ""
        self.csrf = ""
        self.questions: dict[str, dict] = {}
        self.sent: dict[str, tuple] = {}  # the answer last sent for each question
        self.acknowledged: dict[str, tuple] = {}  # the answer last saved (200) for each question
        self.saved = 0
        self.phase_end = 0.0
        self.baseline_end = 0.0
        self.submit_locations: list[str] = []
        self.failure = ""

    # phase 1
    def log_in_and_start(self):
        self.log_in(self.email, PASSWORD)
        page = self.request("exam page", "GET", f"/es/exams/{self.exam_id}/", 200)
        started = self.request(
            "start",
            "POST",
            f"/es/exams/{self.exam_id}/start/",
            302,
            data={"csrfmiddlewaretoken": parse(page.text).csrf},
        )
        self.attempt_url = started.headers["Location"]
        page = parse(self.request("attempt page", "GET", self.attempt_url, 200).text)
        self.csrf, self.questions = page.csrf, page.questions

    def answer(self, qid: str, version: int) -> tuple:
        question = self.questions[qid]
        if question["kind"] == "text":
            return (
                (),
                f"Respuesta {version} del agente {self.index} a la pregunta {qid}: aviso al supervisor.",
            )
        choices = question["choices"]
        if question["kind"] == "radio":
            return ((choices[(version + self.index) % len(choices)],), "")
        picked = self.rng.sample(choices, self.rng.randint(1, len(choices)))
        if tuple(sorted(picked)) == self.sent.get(qid, ((),))[0]:
            picked = [c for c in choices if c not in picked] or choices[:1]
        return (tuple(sorted(picked)), "")

    # the baseline
    def baseline(self):
        for _ in range(BASELINE_REQUESTS):
            self.request("healthz", "GET", "/healthz", 200)
        self.baseline_end = time.perf_counter()

    # phase 2
    def autosave_all(self):
        plan = []
        for n, qid in enumerate(self.questions):
            plan.append((qid, 1))
            if n % 3 == 0:
                plan.append((qid, 2))
            if n % 7 == 0:
                plan.append((qid, 3))
        for qid, version in plan:
            value = self.answer(qid, version)
            self.sent[qid] = value
            data = answer_fields(qid, self.questions[qid], *value)
            reply = self.request(
                "autosave",
                "POST",
                self.attempt_url + "answer/",
                200,
                data=data,
                headers={"Accept": "application/json", "X-CSRFToken": self.csrf},
            )
            body = reply.json()
            if "saved_at" in body:
                self.acknowledged[qid] = value
                self.saved += 1
        self.phase_end = time.perf_counter()

    # phase 3
    def submit(self, http=None):
        data = [("csrfmiddlewaretoken", self.csrf)]
        for qid, question in self.questions.items():
            data += answer_fields(qid, question, *self.sent.get(qid, ((), "")))
        reply, start = self.send("submit", "POST", self.attempt_url + "submit/", http=http, data=data)
        ok = reply.status_code == 302
        self.stats.add("submit", time.perf_counter() - start, ok, f"{reply.status_code} submit")
        self.submit_locations.append(reply.headers.get("Location", f"<{reply.status_code}>"))

    def submit_quietly(self, http) -> None:
        with contextlib.suppress(Exception):  # counted as an error by send()
            self.submit(http)

    def submit_and_read_result(self):
        if self.double:  # a double click: two submissions of the same form at the same moment
            twin = self.session()
            twin.cookies.update(self.http.cookies)
            other = threading.Thread(target=self.submit_quietly, args=(twin,))
            other.start()
            self.submit()
            other.join()
        else:
            self.submit()
        location = self.submit_locations[0]
        if location.startswith("/"):
            self.request("result page", "GET", location, 200)

    def run(self):
        # Started, saved, checked: each phase ends at a barrier the script waits at too.
        for phase, barrier in zip(
            (self.log_in_and_start, self.baseline, self.autosave_all, None), self.barriers, strict=True
        ):
            if phase is not None and not self.failure:
                try:
                    phase()
                except Exception as error:  # noqa: BLE001  (reported; the others carry on)
                    self.failure = f"{type(error).__name__}: {error}"
            barrier.wait(timeout=600)
            # Connections left idle at the barrier may be closing (gunicorn keeps them 2 s): a
            # browser sends again on a fresh one; this client starts the next phase on fresh ones.
            self.http.close()
        if not self.failure:
            try:
                self.submit_and_read_result()
            except Exception as error:  # noqa: BLE001
                self.failure = f"{type(error).__name__}: {error}"


# --- checks ------------------------------------------------------------------------------------


def stored_answers(enrollment_ids) -> dict[int, dict[str, tuple]]:
    """enrollment id -> {question id: (choice ids, text)} as stored."""
    from courses.models_assessment import Response

    stored: dict[int, dict[str, tuple]] = defaultdict(dict)
    for enrollment_id, question_id, choice_ids, text in Response.objects.filter(
        attempt__enrollment_id__in=enrollment_ids
    ).values_list("attempt__enrollment_id", "question_id", "choice_ids", "text"):
        stored[enrollment_id][str(question_id)] = (tuple(sorted(str(c) for c in choice_ids)), text)
    return stored


def lost_answers(trainees, roster) -> int:
    stored = stored_answers([e for _email, e in roster])
    lost = 0
    for trainee, (_email, enrollment_id) in zip(trainees, roster, strict=True):
        for qid, (choices, text) in trainee.acknowledged.items():
            if stored[enrollment_id].get(qid) != (tuple(sorted(choices)), text.strip()):
                lost += 1
    return lost


def final_checks(trainees, roster) -> dict:
    from django.db.models import Count, Sum

    from courses.models_assessment import Attempt, Response

    enrollment_ids = [e for _email, e in roster]
    attempts = Attempt.objects.filter(enrollment_id__in=enrollment_ids)
    per_enrollment = dict(attempts.values_list("enrollment_id").annotate(n=Count("id")))
    duplicate_rows = (
        Response.objects.filter(attempt__enrollment_id__in=enrollment_ids)
        .values("attempt_id", "question_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    extra_attempts = sum(n - 1 for n in per_enrollment.values() if n > 1)
    double_results = 0
    for trainee in trainees:
        if trainee.double and len(trainee.submit_locations) == 2 and len(set(trainee.submit_locations)) != 1:
            double_results += 1
    not_submitted = attempts.exclude(status="submitted").count() + (len(roster) - len(per_enrollment))
    inconsistent = 0
    for attempt in attempts.annotate(awarded=Sum("responses__points_awarded")):
        awarded = attempt.awarded or 0
        late = (
            attempt.responses.filter(saved_at__gt=attempt.submitted_at).exists()
            if attempt.submitted_at
            else 0
        )
        if attempt.score_points != awarded or late:
            inconsistent += 1
    return {
        "lost": lost_answers(trainees, roster),
        "duplicate_rows": duplicate_rows,
        "extra_attempts": extra_attempts,
        "double_results": double_results,
        "not_submitted": not_submitted,
        "inconsistent": inconsistent,
    }


def query_counts(exam, probe, show: bool) -> dict[str, int]:
    """Queries of each request through the test client (whole middleware stack), by the probe
    trainee on the same database, after the load. With `show`, prints them (repeats folded)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from courses.models_assessment import Attempt

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(probe)
    client.post(f"/es/exams/{exam.pk}/start/", secure=True)
    attempt = Attempt.objects.get(enrollment__trainee__user=probe)
    drawn = list(attempt.drawn.select_related("question").order_by("position"))
    choice_q = next(aq for aq in drawn if aq.question.kind == "single")
    url = f"/es/exams/attempts/{attempt.pk}/"
    counts = {}

    def count(label, path, data, **extra):
        with CaptureQueriesContext(connection) as captured:
            reply = client.post(path, data, secure=True, **extra)
        assert reply.status_code in (200, 302), (label, reply.status_code)
        counts[label] = len(captured)
        if show:
            print_queries(label, captured)

    def choose(aq, i):
        return {"questions": str(aq.question_id), f"q-{aq.question_id}": str(aq.choice_order[i])}

    json = {"HTTP_ACCEPT": "application/json"}
    count("autosave (first answer)", url + "answer/", choose(choice_q, 0), **json)
    count("autosave (changed answer)", url + "answer/", choose(choice_q, 1), **json)
    form = []
    for aq in drawn:
        form.append(("questions", str(aq.question_id)))
        if aq.question.kind == "short_answer":
            form.append((f"q-{aq.question_id}-text", "Aviso al supervisor."))
        else:
            form.append((f"q-{aq.question_id}", str(aq.choice_order[0])))
    from urllib.parse import urlencode

    body = urlencode(form)
    ctype = "application/x-www-form-urlencoded"
    with CaptureQueriesContext(connection) as captured:
        client.post(url + "submit/", body, content_type=ctype, secure=True)
    counts[f"submit (whole form, {len(drawn)} answers)"] = len(captured)
    if show:
        print_queries("submit (whole form)", captured)
    with CaptureQueriesContext(connection) as captured:
        client.post(url + "submit/", body, content_type=ctype, secure=True)
    counts["submit again (already submitted)"] = len(captured)
    return counts


def print_queries(label: str, captured) -> None:
    import re

    print(f"--- {label}: {len(captured)} queries")
    folded: dict[str, int] = {}
    for query in captured.captured_queries:
        shape = re.sub(r"\b\d+\b|s\d+_x\d+", "N", query["sql"])[:150]
        folded[shape] = folded.get(shape, 0) + 1
    for shape, n in folded.items():
        print(f"  {n:3} x {shape}")


# --- main --------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trainees", type=int, default=50)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument(
        "--keep-login-limit",
        action="store_true",
        help="keep the site's login rate limits (ACCOUNT_RATE_LIMITS): a class at once from one address",
    )
    parser.add_argument(
        "--show-queries", action="store_true", help="print the SQL of an autosave and a submit"
    )
    args = parser.parse_args()

    write_settings(args.keep_login_limit)
    os.environ.update(ENV)
    server = None
    started = time.perf_counter()
    try:
        database_create(DB_NAME)
        import django

        django.setup()
        exam, roster, probe = seed(args.trainees)
        seeded = time.perf_counter() - started
        server, base = gunicorn_serve(TMP, ENV, args.workers, args.threads)

        stats = Stats()
        barriers = [threading.Barrier(len(roster) + 1) for _ in range(4)]
        trainees = [
            TraineeClient(i, email, base, exam.pk, stats, barriers, double=i % DOUBLE_SUBMIT_EVERY == 0)
            for i, (email, _enrollment) in enumerate(roster)
        ]
        for trainee in trainees:
            trainee.start()
        barriers[0].wait(timeout=600)  # everybody logged in and started
        baseline_start = time.perf_counter()
        barriers[1].wait(timeout=600)  # the baseline: everybody asked /healthz
        autosave_start = time.perf_counter()
        baseline_wall = max(t.baseline_end for t in trainees if t.baseline_end) - baseline_start
        barriers[2].wait(timeout=600)  # everybody saved every answer
        ended = [t.phase_end for t in trainees if t.phase_end]
        if not ended:
            raise SystemExit("no trainee saved anything: " + "; ".join(t.failure for t in trainees[:3]))
        autosave_wall = max(ended) - autosave_start
        lost_before_submit = lost_answers(trainees, roster)
        barriers[3].wait(timeout=600)  # go: submit
        for trainee in trainees:
            trainee.join(timeout=600)
        gunicorn_stop(server)
        checks = final_checks(trainees, roster)
        queries = query_counts(exam, probe, args.show_queries)
    except BaseException:
        if server is not None and Path(TMP, "gunicorn.log").exists():
            print(Path(TMP, "gunicorn.log").read_text()[-3000:], file=sys.stderr)
        raise
    finally:
        gunicorn_stop(server)
        cache_clear(CACHE_URL, CACHE_PREFIX)
        database_drop(DB_NAME)
        shutil.rmtree(TMP, ignore_errors=True)

    saved = sum(t.saved for t in trainees)
    failures = [f"{t.name}: {t.failure}" for t in trainees if t.failure]
    errors = sum(len(e) for e in stats.errors.values())
    lost = lost_before_submit + checks["lost"]
    duplicated = checks["duplicate_rows"] + checks["extra_attempts"] + checks["double_results"]
    print(
        f"PostgreSQL, gunicorn gthread {args.workers} workers x {args.threads} threads, "
        f"{len(roster)} trainees at once, {sum(c for _k, c, _n in QUESTIONS)} questions each; "
        f"{os.cpu_count()} CPUs shared with the clients. Setup took {seeded:.0f} s."
    )
    print("request          count  errors    p50 ms    p95 ms    p99 ms")
    for kind in (
        "login page",
        "login",
        "exam page",
        "start",
        "attempt page",
        "healthz",
        "autosave",
        "submit",
        "result page",
    ):
        times = [t * 1000 for t in stats.times.get(kind, [])]
        print(
            f"{kind:14} {len(times):7} {len(stats.errors.get(kind, [])):7} "
            f"{percentile(times, 50):9.1f} {percentile(times, 95):9.1f} {percentile(times, 99):9.1f}"
        )
    print(f"trainees                : {len(roster)} ({len(failures)} failed)")
    answers_rate = saved / autosave_wall
    baseline_rate = len(stats.times["healthz"]) / baseline_wall
    print(f"answers saved           : {saved} in {autosave_wall:.1f} s = {answers_rate:.1f} answers/s")
    print(
        f"baseline /healthz       : {baseline_rate:.1f} requests/s from the same clients "
        f"(one SELECT 1, no session); autosave/healthz {answers_rate / baseline_rate:.2f}"
    )
    print(
        f"lost answers            : {lost} (after autosaving: {lost_before_submit}; "
        f"after submitting: {checks['lost']})"
    )
    print(
        f"duplicated              : {duplicated} (answer rows: {checks['duplicate_rows']}, "
        f"extra attempts: {checks['extra_attempts']}, double submissions with two results: "
        f"{checks['double_results']} of {sum(t.double for t in trainees)})"
    )
    print(
        f"attempts not submitted  : {checks['not_submitted']}; scores not matching their answers: "
        f"{checks['inconsistent']}"
    )
    print(f"errors (non-2xx, no answer): {errors}")
    for kind, details in stats.errors.items():
        print(f"    {kind}: {', '.join(sorted(set(details)))[:300]}")
    for failure in failures[:5]:
        print(f"    {failure[:300]}")
    for label, n in queries.items():
        print(f"queries, {label:33}: {n}")
    from bench.report import emit, figure  # the checkout is on the path by now (run_identity)

    healthz_p50 = percentile(stats.times["healthz"], 50) * 1000
    emit(  # for bench/run_all.py's table (only when BENCH_RESULTS names a folder)
        "exam_load",
        [
            figure(
                "answers saved per second", answers_rate, "answers/s", "/healthz per second", baseline_rate
            ),
            figure(
                "autosave p50",
                percentile(stats.times["autosave"], 50) * 1000,
                "ms",
                "/healthz p50",
                healthz_p50,
            ),
            figure(
                "submit p50", percentile(stats.times["submit"], 50) * 1000, "ms", "/healthz p50", healthz_p50
            ),
            figure("answers lost", lost, "answers"),
            figure("duplicates", duplicated, "rows"),
            figure("errors", errors, "requests"),
        ],
        setup=f"PostgreSQL, gunicorn {args.workers}x{args.threads}, {len(roster)} trainees at once",
    )
    return 1 if lost or duplicated else 0


if __name__ == "__main__":
    sys.exit(main())
