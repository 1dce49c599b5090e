"""The real stack: PostgreSQL, Redis and a real Celery worker in its own process. These tests
run in the PostgreSQL + Redis leg of CI and are skipped on the embedded stack."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from config.celery_app import app

ROOT = Path(__file__).resolve().parents[2]


def real_stack_available() -> bool:
    return bool(settings.CELERY_BROKER_URL) and connection.vendor == "postgresql"


def worker_command(queue: str, name: str, *extra: str) -> list[str]:
    """`celery worker` on one queue (the PDF tasks' too), one pool process, like the CI's."""
    return [
        sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", queue,
        "--concurrency", "1", "--without-gossip", "--without-mingle", *extra,
        "--loglevel", "INFO", "-n", name,
    ]  # fmt: skip


def worker_env(queue: str, media: Path, **extra: str) -> dict[str, str]:
    """The environment of a worker process on the test database, routing every task to `queue`."""
    db = connection.settings_dict
    return {
        **os.environ,
        "PYTHONPATH": f"{ROOT / 'site'}:{ROOT}",
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "DATABASE_URL": "postgres://{}@{}:{}/{}".format(
            db["USER"], db["HOST"] or "127.0.0.1", db["PORT"] or 5432, db["NAME"]
        ),
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "CELERY_PDF_QUEUE": queue,  # one worker takes the PDF tasks too
        "MEDIA_ROOT": str(media),
        **extra,
    }


@pytest.fixture
def celery_worker(transactional_db, settings, tmp_path):
    """A Celery worker process on the test database and a queue of its own (the PDF tasks'
    too); the test's process sends tasks to the real broker instead of running them eagerly."""
    if not real_stack_available():
        pytest.skip("needs PostgreSQL and Redis (DATABASE_URL and CELERY_BROKER_URL)")
    queue = f"test-{uuid.uuid4().hex[:8]}"
    media = tmp_path / "media"
    settings.MEDIA_ROOT = media
    settings.CELERY_PDF_QUEUE = queue  # read by config.celery_app.route_task when sending
    log = (tmp_path / "worker.log").open("w")
    process = subprocess.Popen(
        worker_command(queue, f"{queue}@%h"),
        cwd=ROOT,
        env=worker_env(queue, media),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    old = (app.conf.task_always_eager, app.conf.task_default_queue)
    app.conf.task_always_eager, app.conf.task_default_queue = False, queue
    try:
        deadline = time.monotonic() + 60
        while not app.control.ping(destination=[f"{queue}@{os.uname().nodename}"], timeout=1):
            if process.poll() is not None or time.monotonic() > deadline:
                log.flush()
                pytest.fail("the Celery worker did not start:\n" + (tmp_path / "worker.log").read_text())
        yield process
    finally:
        app.conf.task_always_eager, app.conf.task_default_queue = old
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
