"""Faults on the real stack: PostgreSQL, Redis and real Celery workers in their own processes.

- A worker killed (SIGKILL) in the middle of issuing a class's certificates: the batch is
  delivered again (to a new worker once Redis's visibility timeout has passed; to the same
  worker at once when only its pool process dies) and ends with every certificate issued once,
  each with one PDF file, serials unique and without gaps.
- Redis stopped, or hung, while officers complete a course: the pages answer (not 500, and not
  after minutes), the certificates are issued, `/healthz` says the broker is down, a batch that
  cannot be queued says so; once Redis is back the sweep queues the PDFs that were not, and a
  worker renders them.
- The database connection lost in the middle of grading an exam submission: the officer gets
  the error page, the attempt is exactly as before (in progress, nothing scored), and submitting
  again works.

Run in the PostgreSQL + Redis leg of CI; skipped on the embedded stack. The shared Redis is
never stopped: the Redis tests start one of their own on a free port.
"""

import contextlib
import datetime
import hashlib
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import uuid
from pathlib import Path

import psycopg
import pytest
from django.db import close_old_connections, connection
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone, translation
from kombu import pools

from certification import services as registry
from certification.certificate_pdf import certificate_pdf_store, certificates_missing_pdf
from certification.models import Certificate, CertificateBatch, SerialCounter, Trainee
from certification.services_batches import batch_session_issue_start
from certification.services_certificates import certificate_issue
from certification.services_personnel import trainee_create
from certification.tasks import PDF_SWEEP_MIN_AGE_SECONDS, certificates_pdf_sweep
from config.celery_app import app
from courses import services_assessment as assess
from courses import services_enrollment as svc
from courses.models import Attempt, ClassSession, Enrollment, Response
from tests.certification.conftest import gt_id
from tests.certification.test_certificate_batches import a_class, award_credential
from tests.courses.conftest import catalogue, locales, make_course, track
from tests.courses.test_assessment_attempts import make_exam, right_choice, wrong_choice
from tests.realstack.conftest import ROOT, real_stack_available, worker_command, worker_env

SHARED_FIXTURES = (catalogue, locales, make_course, track)  # from tests/courses/conftest.py

pytestmark = pytest.mark.django_db(transaction=True)  # workers read what this process commits

B = CertificateBatch
CLASS_SIZE = 40  # a batch of a few seconds: long enough to be killed in the middle
REDELIVERY_VISIBILITY_TIMEOUT = 2  # seconds, for the worker that takes over a dead one's batch
TODAY = timezone.localdate()


@pytest.fixture
def real_stack():
    if not real_stack_available():
        pytest.skip("needs PostgreSQL and Redis (DATABASE_URL and CELERY_BROKER_URL)")


@pytest.fixture
def credential(world):
    return registry.credential_upsert(
        code="bsi", name_es="Interdicción fronteriza", name_en="Border interdiction", validity_months=24
    )


# --- workers, brokers and waiting ---------------------------------------------------------------


def wait_until(condition, *, seconds: float, every: float = 0.1, what: str = "the condition"):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"{what}: still not true after {seconds} s")


class Worker:
    """`celery worker` in a process group of its own (so it can be killed whole), on the test
    database, one queue and the given broker; one pool process, like the CI's."""

    def __init__(self, *, queue: str, broker_url: str, media: Path, log: Path, index: int, env=None):
        self.name = f"{queue}-{index}@{os.uname().nodename}"
        self.log_path = log
        self._log = log.open("w")
        self.process = subprocess.Popen(
            worker_command(queue, f"{queue}-{index}@%h", "--without-heartbeat"),
            cwd=ROOT,
            env=worker_env(
                queue,
                media,
                CELERY_BROKER_URL=broker_url,
                CELERY_TRACE_LOG_LEVEL="INFO",  # "Task ... succeeded" lines, read below
                **(env or {}),
            ),
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, seconds: float = 60) -> "Worker":
        deadline = time.monotonic() + seconds
        while not app.control.ping(destination=[self.name], timeout=1):
            if self.process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the Celery worker did not start:\n{self.log()}")
        return self

    def pool_pids(self) -> list[int]:
        """The pool processes the worker forked (they run the tasks)."""
        pids = []
        for thread in Path(f"/proc/{self.process.pid}/task").iterdir():
            with contextlib.suppress(OSError):
                pids += [int(pid) for pid in (thread / "children").read_text().split()]
        return pids

    def kill(self) -> None:
        """SIGKILL to the worker and its pool process at once: the machine lost the worker."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=20)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)  # a pool process left behind
        self._log.close()

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")


@contextlib.contextmanager
def tasks_sent_to(*, broker_url: str, queue: str):
    """This process sends tasks to `broker_url` and `queue` (the PDF tasks too) instead of
    running them eagerly."""

    def fresh_pools():
        pools.reset()  # kombu's registry of pools, by connection: closed and emptied
        app._pool = None
        app.amqp._producer_pool = None

    old = (app.conf.task_always_eager, app.conf.task_default_queue, os.environ.get("CELERY_BROKER_URL"))
    app.conf.task_always_eager, app.conf.task_default_queue = False, queue
    os.environ["CELERY_BROKER_URL"] = broker_url  # Celery reads it before its own setting
    fresh_pools()
    try:
        with override_settings(CELERY_PDF_QUEUE=queue):  # read by config.celery_app.route_task
            yield
    finally:
        with contextlib.suppress(Exception), app.connection_for_write() as conn:
            conn.default_channel.queue_purge(queue)  # no-op PDF tasks left in the queue
        app.conf.task_always_eager, app.conf.task_default_queue = old[:2]
        if old[2] is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = old[2]
        fresh_pools()


@pytest.fixture
def workers(real_stack, settings, tmp_path):
    """Starts workers on demand; stops (or kills) them all before the database is flushed."""
    started: list[Worker] = []

    def start(*, queue: str, broker_url: str, env=None) -> Worker:
        worker = Worker(
            queue=queue,
            broker_url=broker_url,
            media=Path(settings.MEDIA_ROOT),
            log=tmp_path / f"worker-{len(started) + 1}.log",
            index=len(started) + 1,
            env=env,
        )
        started.append(worker)
        return worker.wait_ready()

    yield start
    for worker in started:
        worker.stop()


# --- a worker killed in the middle of a class's certificates ------------------------------------


def received(log: str) -> int:
    """How many times the worker whose log this is received the batch task."""
    return len(re.findall(r"certificate_batch_run\[[0-9a-f-]+\] received", log))


def serial_number(serial: str) -> int:
    return int(serial.rsplit("-", 1)[1])


def stored_files(media: Path) -> set[str]:
    folder = media / "certificates"
    return {path.relative_to(media).as_posix() for path in folder.rglob("*") if path.is_file()}


@pytest.mark.realstack
def test_a_batch_survives_its_workers_killed_in_the_middle(workers, world, make_course, credential, settings):
    course = make_course(code="BSI-150", slug="bsi-150", modules=1)
    cls = a_class(world, course, completed=CLASS_SIZE, failed=0, withdrawn=0)
    award_credential(course, credential)  # completed before: nothing issued yet
    assert not Certificate.objects.exists()
    queue, broker_url = f"faults-{uuid.uuid4().hex[:8]}", settings.CELERY_BROKER_URL
    media = Path(settings.MEDIA_ROOT)

    def issued() -> int:
        return Certificate.objects.count()

    def running_and_issuing(since: int):
        def check():
            status = B.objects.values_list("status", flat=True).get(pk=batch.pk)
            assert status != B.Status.DONE, "the batch ended before it could be interrupted: a larger class"
            return status == B.Status.RUNNING and since < issued() < CLASS_SIZE

        return check

    with tasks_sent_to(broker_url=broker_url, queue=queue):
        first = workers(queue=queue, broker_url=broker_url)
        batch = batch_session_issue_start(actor=world.admin, session=cls.session)

        # 1. The pool process running the batch is killed (out of memory, say). The worker's main
        # process sees it die and gives the message back (reject on worker lost): it runs again.
        wait_until(running_and_issuing(0), seconds=60, every=0.02, what="the batch under way")
        (pool,) = first.pool_pids()
        os.kill(pool, signal.SIGKILL)
        at_first_kill = issued()
        assert B.objects.get(pk=batch.pk).status == B.Status.RUNNING
        wait_until(lambda: received(first.log()) >= 2, seconds=60, what="the batch given back and received")

        # 2. The whole worker is killed (the machine is lost) once the batch issues again. Another
        # worker takes over: Redis gives it the unacknowledged batch once it has waited the
        # visibility timeout (an hour in production; seconds here).
        wait_until(running_and_issuing(at_first_kill), seconds=60, every=0.02, what="the batch resumed")
        first.kill()
        interrupted = B.objects.get(pk=batch.pk)
        assert interrupted.status == B.Status.RUNNING and issued() < CLASS_SIZE
        second = workers(
            queue=queue,
            broker_url=broker_url,
            env={"CELERY_VISIBILITY_TIMEOUT": str(REDELIVERY_VISIBILITY_TIMEOUT)},
        )

        def finished():
            return B.objects.filter(pk=batch.pk, status__in=(B.Status.DONE, B.Status.FAILED)).exists()

        wait_until(finished, seconds=120, every=0.2, what="the batch after the kills")

    first_log, second_log = first.log(), second.log()
    assert "WorkerLostError" in first_log, first_log[-3000:]
    assert received(second_log) >= 1, second_log[-3000:]  # delivered again, to the new worker
    batch.refresh_from_db()
    assert batch.status == B.Status.DONE, batch.error
    assert (batch.total, batch.done, batch.issued) == (CLASS_SIZE, CLASS_SIZE, CLASS_SIZE)

    # Every completed enrollment holds exactly one certificate...
    certificates = list(Certificate.objects.order_by("serial"))
    assert sorted(c.award_key for c in certificates) == sorted(f"enrollment:{e.pk}" for e in cls.completed)
    # ...with serials unique and without gaps (a killed transaction gave its number back)...
    assert [serial_number(c.serial) for c in certificates] == list(range(1, CLASS_SIZE + 1))
    assert SerialCounter.objects.get().last == CLASS_SIZE
    # ...and one PDF each, stored once, matching its SHA-256; no other file beside them.
    for certificate in certificates:
        assert certificate.pdf_sha256 and certificate.pdf_rendered_at, certificate.serial
        data = (media / certificate.pdf.name).read_bytes()
        assert data.startswith(b"%PDF-") and hashlib.sha256(data).hexdigest() == certificate.pdf_sha256
    assert stored_files(media) == {c.pdf.name for c in certificates}


# --- Redis stopped, then hung, while officers complete a course -----------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PrivateRedis:
    """A redis-server of this test's own, on a free port, that can be stopped, hung and restarted
    without touching the machine's shared Redis."""

    def __init__(self, folder: Path):
        self.port, self.folder = free_port(), folder
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server") or "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        wait_until(self.answers, seconds=20, what="the private Redis starting")

    def answers(self) -> bool:
        with socket.socket() as probe:
            probe.settimeout(1)
            try:
                probe.connect(("127.0.0.1", self.port))
                probe.sendall(b"PING\r\n")
                return probe.recv(16).startswith(b"+PONG")
            except OSError:
                return False

    def hang(self) -> None:
        os.kill(self.process.pid, signal.SIGSTOP)  # still accepts connections, answers nothing

    def resume(self) -> None:
        os.kill(self.process.pid, signal.SIGCONT)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGCONT)
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.fixture
def private_redis(real_stack, tmp_path):
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed")
    redis = PrivateRedis(tmp_path)
    redis.start()
    yield redis
    redis.stop()


def officer_with_login(world, n: int) -> tuple[Trainee, object]:
    user = registry.user_ensure(email=f"officer{n}@test.carsi", password=world.password)
    trainee = trainee_create(
        actor=None,
        agency=world.agency_a,
        id_country=world.gt,
        id_type=Trainee.IdType.NATIONAL_ID,
        id_number=gt_id(900 + n),
        given_names="Ana Lucía",
        first_surname="Pérez",
        badge_number=f"PNC-F{n}",
        unit=world.unit_a,
        sex="F",
        user=user,
    )
    return trainee, user


def in_progress_session(world, course, trainees) -> ClassSession:
    session = svc.session_create(
        actor=world.admin,
        course=course,
        code=f"{course.code}-01",
        starts_on=TODAY - datetime.timedelta(days=1),
        ends_on=TODAY + datetime.timedelta(days=1),
        capacity=len(trainees),
        city="Ciudad de Guatemala",
        country=world.gt,
    )
    svc.session_transition(actor=world.admin, session=session, to_status=ClassSession.Status.OPEN)
    enrollments = svc.enrollment_nominate(actor=world.head_a, session=session, trainees=trainees)
    svc.session_transition(actor=world.admin, session=session, to_status=ClassSession.Status.IN_PROGRESS)
    for enrollment in enrollments:
        svc.enrollment_approve(actor=world.admin, enrollment=enrollment)
        assert enrollment.status == Enrollment.Status.ENROLLED
    return session


def logged_in(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def complete_url(module) -> str:
    with translation.override("es"):
        return reverse("training:module_complete", args=[module.pk])


def timed(call):
    started = time.monotonic()
    result = call()
    return result, time.monotonic() - started


def issue_by_hand(client, world, trainee, credential):
    """The administrators' manual issue page, as a person fills it in."""
    with translation.override("es"):
        url = reverse("registry:certificate_issue")
    form = {
        "agency": world.agency_a.pk,
        "identifier": trainee.badge_number,
        "credential": credential.pk,
        "source": Certificate.Source.MANUAL,
        "reason": "Curso presencial verificado por la academia.",
        "token": str(uuid.uuid4()),
    }
    return timed(lambda: client.post(url, form))


@pytest.mark.realstack
def test_redis_stopped_or_hung_the_site_answers_and_nothing_is_lost(
    workers, private_redis, world, make_course, credential, settings
):
    course = make_course(code="BSI-160", slug="bsi-160", modules=1)
    session = a_class(world, course, completed=1, failed=0, withdrawn=0).session
    award_credential(course, credential)
    queue = f"faults-{uuid.uuid4().hex[:8]}"
    settings.CELERY_BROKER_URL = private_redis.url  # what /healthz checks
    health, admin = Client(), logged_in(world.admin)

    with tasks_sent_to(broker_url=private_redis.url, queue=queue):
        workers(queue=queue, broker_url=private_redis.url)
        assert health.get("/healthz").json()["broker"] == "ok"

        # Redis stops. The health check says so at once...
        private_redis.stop()
        reply, seconds = timed(lambda: health.get("/healthz"))
        assert reply.status_code == 503 and seconds < 5
        assert reply.json() == {"status": "down", "database": "ok", "broker": "down"}
        # ...a certificate issued now is issued (the page answers, quickly); only its PDF waits...
        reply, seconds = issue_by_hand(admin, world, world.trainee_a, credential)
        assert reply.status_code == 302 and seconds < 5, reply.content[:500]
        assert admin.get(reply["Location"]).status_code == 200
        first = Certificate.objects.get(trainee=world.trainee_a)
        assert not first.pdf_sha256
        # ...and a class's batch started now is not left queued for ever: it says it was not queued.
        batch = batch_session_issue_start(actor=world.admin, session=session)
        batch.refresh_from_db()
        assert batch.status == B.Status.FAILED and "broker is unavailable" in batch.error

        # Redis is back, but hangs: it accepts connections and answers nothing. The pages still
        # answer, within the publish's socket timeout rather than never.
        private_redis.start()
        private_redis.hang()
        reply, seconds = timed(lambda: health.get("/healthz"))
        assert reply.status_code == 503 and seconds < 8
        reply, seconds = issue_by_hand(admin, world, world.trainee_a2, credential)
        assert reply.status_code == 302 and seconds < 15, reply.content[:500]
        second = Certificate.objects.get(trainee=world.trainee_a2)
        assert not second.pdf_sha256

        # Redis answers again. Beat's sweep (run here at once) queues the PDFs that were not
        # queued, and the worker, reconnected, renders them.
        private_redis.resume()
        wait_until(lambda: health.get("/healthz").status_code == 200, seconds=30, what="/healthz ok")
        certificates_pdf_sweep.delay(min_age_seconds=0)

        def rendered():
            return not Certificate.objects.filter(pdf_sha256="").exists()

        wait_until(rendered, seconds=90, every=0.3, what="the PDFs rendered after Redis came back")

    # Nothing lost, nothing twice: one certificate each, each with its one PDF.
    assert sorted(Certificate.objects.values_list("trainee_id", flat=True)) == sorted(
        [world.trainee_a.pk, world.trainee_a2.pk]
    )
    media = Path(settings.MEDIA_ROOT)
    for certificate in Certificate.objects.all():
        assert (
            hashlib.sha256((media / certificate.pdf.name).read_bytes()).hexdigest() == certificate.pdf_sha256
        )
    assert stored_files(media) == set(Certificate.objects.values_list("pdf", flat=True))


@pytest.mark.realstack
def test_an_officer_completes_a_course_while_redis_is_down(
    workers, private_redis, world, make_course, credential, settings
):
    course = make_course(code="BSI-165", slug="bsi-165", modules=1, credential=credential)
    module = course.modules().first()
    ana, ana_user = officer_with_login(world, 1)
    in_progress_session(world, course, [ana])
    queue = f"faults-{uuid.uuid4().hex[:8]}"
    settings.CELERY_BROKER_URL = private_redis.url
    officer = logged_in(ana_user)

    with tasks_sent_to(broker_url=private_redis.url, queue=queue):
        workers(queue=queue, broker_url=private_redis.url)
        private_redis.stop()
        # The officer finishes the course's last module: the page answers and the course is done,
        # the certificate issued; only its PDF (and the e-mail) wait for Redis.
        reply, seconds = timed(lambda: officer.post(complete_url(module)))
        assert reply.status_code == 302 and seconds < 5, reply.status_code
        assert officer.get(reply["Location"]).status_code == 200
        with translation.override("es"):
            assert officer.get(reverse("training:my_training")).status_code == 200
        assert Enrollment.objects.get(trainee=ana).status == Enrollment.Status.COMPLETED
        certificate = Certificate.objects.get(trainee=ana)
        assert not certificate.pdf_sha256

        private_redis.start()
        certificates_pdf_sweep.delay(min_age_seconds=0)
        wait_until(
            lambda: Certificate.objects.exclude(pdf_sha256="").filter(pk=certificate.pk).exists(),
            seconds=90,
            every=0.3,
            what="the PDF rendered after Redis came back",
        )
    assert Certificate.objects.count() == 1


# --- the database connection lost in the middle of an exam submission -----------------------------


def attempt_state(attempt_id: int):
    attempt = Attempt.objects.values(
        "status", "submitted_at", "score_points", "score_percent", "passed", "pending_grading"
    ).get(pk=attempt_id)
    answers = sorted(
        Response.objects.filter(attempt_id=attempt_id).values_list(
            "question_id", "choice_ids", "points_awarded"
        )
    )
    return attempt, answers


def terminate_backend(pid: int) -> None:
    """Ends a PostgreSQL backend from another connection, as a server restart or a network
    failure would."""
    db = connection.settings_dict
    with psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        user=db["USER"],
        password=db["PASSWORD"] or None,
        dbname=db["NAME"],
        autocommit=True,
    ) as other:
        assert other.execute("SELECT pg_terminate_backend(%s)", [pid]).fetchone() == (True,)


@pytest.mark.realstack
def test_the_database_lost_in_the_middle_of_an_exam_submission(real_stack, world, make_course, monkeypatch):
    course = make_course(code="BSI-170", slug="bsi-170", modules=1)
    officer, officer_user = world.trainee_a, world.officer_user_a
    in_progress_session(world, course, [officer])
    exam = make_exam(course, pool=4, time_limit_minutes=30, pass_mark_percent=75)
    attempt = assess.attempt_start(user=officer_user, exam=exam)
    questions = [aq.question for aq in attempt.drawn.select_related("question").order_by("position")]
    answers = [(str(q.pk), [str(right_choice(q))], "") for q in questions[:3]]
    answers.append((str(questions[3].pk), [str(wrong_choice(questions[3]))], ""))
    assess.answers_save(user=officer_user, attempt_id=attempt.pk, answers=answers)
    before = attempt_state(attempt.pk)
    assert before[0]["status"] == Attempt.Status.IN_PROGRESS and before[0]["score_percent"] is None

    # Grading runs (and writes the answers' points), then the connection is gone before the
    # attempt is saved: the server restarted, or the network between them failed.
    real_grade = assess._grade

    def grade_then_lose_the_database(attempt):
        changed = real_grade(attempt)
        assert changed  # points were written inside the transaction...
        terminate_backend(connection.connection.info.backend_pid)
        return changed  # ...and the next statement finds the connection gone

    monkeypatch.setattr(assess, "_grade", grade_then_lose_the_database)
    client = logged_in(officer_user)
    with translation.override("es"):
        submit = reverse("exams:attempt_submit", args=[attempt.pk])
    reply = client.post(submit)
    assert reply.status_code == 500
    assert "Server error" in reply.content.decode()  # templates/500.html, nothing else
    close_old_connections()  # what the end of every request does: drop the dead connection

    # Nothing of the submission stayed: no status, no score, no points on the answers.
    assert attempt_state(attempt.pk) == before

    # Submitting again works, once.
    monkeypatch.setattr(assess, "_grade", real_grade)
    reply = client.post(submit)
    assert reply.status_code == 302 and reply["Location"].endswith(f"/attempts/{attempt.pk}/result/")
    attempt.refresh_from_db()
    assert (attempt.status, attempt.score_percent, attempt.passed) == (Attempt.Status.SUBMITTED, 75, True)
    assert sorted(p for _q, _c, p in attempt_state(attempt.pk)[1]) == [0, 1, 1, 1]
    assert client.post(submit).status_code == 302  # a third click: the same result
    assert Attempt.objects.get(pk=attempt.pk).submitted_at == attempt.submitted_at


# --- what a lost worker or a lost enqueue leaves behind, repaired (both stacks) -------------------


def issue_one(world, credential, key: str = "faults:1") -> Certificate:
    """Issued, and its PDF rendered once the issue commits (eagerly: no worker here)."""
    certificate = certificate_issue(
        trainee=world.trainee_a,
        credential=credential,
        award_key=key,
        source=Certificate.Source.COURSE,
        evidence={"trainee_name": world.trainee_a.full_name},
    )
    certificate.refresh_from_db()
    return certificate


def test_a_pdf_left_by_a_dead_rendering_is_replaced_not_stored_twice(world, credential, settings):
    certificate = issue_one(world, credential)  # rendered at once (eager)
    media = Path(settings.MEDIA_ROOT)
    left_behind = media / certificate.pdf.name
    assert left_behind.is_file()
    # What a worker killed between writing the file and committing leaves: the file, and a row
    # that says there is no PDF (its transaction was rolled back).
    left_behind.write_bytes(b"%PDF-1.7 cut short")
    Certificate.objects.filter(pk=certificate.pk).update(pdf="", pdf_sha256="", pdf_rendered_at=None)

    assert certificate_pdf_store(certificate_id=certificate.pk)
    certificate.refresh_from_db()
    assert certificate.pdf.name == left_behind.relative_to(media).as_posix()  # the same name
    assert hashlib.sha256(left_behind.read_bytes()).hexdigest() == certificate.pdf_sha256
    assert stored_files(media) == {certificate.pdf.name}


def test_the_sweep_queues_the_pdfs_that_were_never_queued(world, credential, settings, monkeypatch):
    from config.celery_app import app

    # What is tested is which certificates the sweep picks: its renderings run here, in process,
    # on either leg (with a broker configured no worker would take them in this test).
    monkeypatch.setitem(app.conf, "task_always_eager", True)
    done, lost = issue_one(world, credential, "faults:1"), issue_one(world, credential, "faults:2")
    Certificate.objects.filter(pk=lost.pk).update(pdf="", pdf_sha256="", pdf_rendered_at=None)
    # Not yet: a certificate issued moments ago may still have its rendering queued.
    assert certificates_missing_pdf(min_age_seconds=PDF_SWEEP_MIN_AGE_SECONDS, limit=10) == []
    an_hour_ago = timezone.now() - datetime.timedelta(hours=1)
    Certificate.objects.update(created_at=an_hour_ago)
    assert certificates_missing_pdf(min_age_seconds=PDF_SWEEP_MIN_AGE_SECONDS, limit=10) == [lost.pk]

    # Called, not .delay().get(): Celery's "inside a task" flag is process-wide, and eager tasks
    # run by the thread-based race tests can leave it set, which makes .get() refuse.
    assert certificates_pdf_sweep() == 1  # its renderings run eagerly: rendered at once
    lost.refresh_from_db()
    assert lost.pdf_sha256 and lost.pdf_rendered_at
    assert certificates_pdf_sweep() == 0  # nothing left to do
    assert Certificate.objects.get(pk=done.pk).pdf_sha256
    assert stored_files(Path(settings.MEDIA_ROOT)) == set(Certificate.objects.values_list("pdf", flat=True))
