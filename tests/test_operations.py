"""Operations (docs/operations.md): production's media storage follows the environment, and the
process list (Procfile, deploy/systemd) agrees with the document and with where tasks go."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from config.celery_app import app

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "operations.md"
PROCFILE = ROOT / "Procfile"
UNITS = ROOT / "deploy" / "systemd"
SETTINGS_FILES = [ROOT / "site" / "config" / "settings" / name for name in ("base.py", "production.py")]

PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "DJANGO_SECRET_KEY": "k3y-" + "a1B2c3D4e5" * 6,
    "DJANGO_ALLOWED_HOSTS": "training.example.org",
}
BUCKET = {
    "AWS_STORAGE_BUCKET_NAME": "carsi-media",
    "AWS_S3_ENDPOINT_URL": "https://s3.example.org",
    "AWS_S3_REGION_NAME": "us-east-1",
    "AWS_ACCESS_KEY_ID": "AKIAEXAMPLEEXAMPLE",
    "AWS_SECRET_ACCESS_KEY": "not-a-real-secret",
}

# The storage Django hands out, as the views and tasks get it. A signed URL is computed locally
# (boto3 signs without asking the server), so nothing here touches the network.
STORAGE_PROBE = """
import json
import django
from django.conf import settings
django.setup()
from django.core.files.storage import storages
storage = storages["default"]
found = {"backend": settings.STORAGES["default"]["BACKEND"], "class": type(storage).__name__}
if found["class"] == "S3Storage":
    found.update(
        bucket=storage.bucket_name, acl=storage.default_acl, endpoint=storage.endpoint_url,
        region=storage.region_name, signed=storage.querystring_auth, overwrite=storage.file_overwrite,
        url=storage.url("certificates/2026/CARSI-GT-2026-000001.pdf"),
    )
else:
    found["location"] = str(storage.location)
print(json.dumps(found))
"""


def clean_env(**env: str) -> dict[str, str]:
    """This process's environment without anything that would choose settings for the child."""
    prefixes = ("DJANGO_", "DATABASE_", "CELERY_", "AWS_", "MEDIA_ROOT", "CACHE_URL")
    clean = {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}
    clean.update(env)
    clean["PYTHONPATH"] = f"{ROOT / 'site'}:{ROOT}"
    return clean


def production_storage(**env: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", STORAGE_PROBE],
        cwd=ROOT,
        env=clean_env(**PRODUCTION, **env),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- Media storage ----------------------------------------------------------------------------


def test_production_with_a_bucket_keeps_media_private_on_s3():
    storage = production_storage(**BUCKET)
    assert storage["backend"] == "storages.backends.s3.S3Storage"
    assert storage["class"] == "S3Storage"
    assert storage["bucket"] == "carsi-media"
    assert storage["endpoint"] == "https://s3.example.org"
    assert storage["region"] == "us-east-1"
    assert storage["acl"] == "private"
    assert storage["signed"] is True
    assert storage["overwrite"] is False  # as on disk: a second file never replaces the first
    # Any URL the storage gives out is signed (V4) and expires; none is a bare public link.
    url = storage["url"]
    assert url.startswith("https://s3.example.org/carsi-media/certificates/2026/CARSI-GT-2026-000001.pdf?")
    assert "X-Amz-Algorithm=AWS4-HMAC-SHA256" in url
    assert "X-Amz-Expires=3600" in url
    assert "X-Amz-Signature=" in url


def test_an_empty_acl_sends_none_for_buckets_without_acls():
    storage = production_storage(**BUCKET, AWS_DEFAULT_ACL="", AWS_QUERYSTRING_EXPIRE="600")
    assert storage["acl"] is None
    assert "X-Amz-Expires=600" in storage["url"]


def test_production_without_a_bucket_keeps_media_on_disk(tmp_path):
    storage = production_storage(MEDIA_ROOT=str(tmp_path))
    assert storage["backend"] == "django.core.files.storage.FileSystemStorage"
    assert storage["location"] == str(tmp_path)


def test_production_with_a_bucket_passes_check_deploy():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=clean_env(**PRODUCTION, **BUCKET),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


# --- The process list -------------------------------------------------------------------------


def procfile() -> dict[str, str]:
    processes = {}
    for line in PROCFILE.read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_-]+):\s*(.+)$", line)
        if match:
            processes[match[1]] = match[2]
    return processes


def expand(command: str) -> str:
    """${NAME:-default} as the shell that runs a Procfile line expands it."""
    return re.sub(r"\$\{(\w+):-([^}]*)\}", lambda m: os.environ.get(m[1]) or m[2], command)


def consumed_queues() -> dict[str, str]:
    """Procfile worker name -> the queue it takes."""
    queues = {}
    for name, command in procfile().items():
        if " worker " in command:
            match = re.search(r"--queues (\S+)", expand(command))
            assert match, f"{name} takes no named queue: it would share processes with the others"
            queues[name] = match[1]
    return queues


def test_procfile_names_the_processes_of_the_document():
    processes = procfile()
    assert set(processes) == {"release", "web", "worker-default", "worker-pdf", "beat"}
    doc = DOC.read_text()
    for name in processes:
        assert f"`{name}`" in doc, f"docs/operations.md does not name the Procfile's {name}"
    assert "migrate" in processes["release"]
    assert "deploy/gunicorn.conf.py" in processes["web"]
    assert sum(" beat " in command for command in processes.values()) == 1  # exactly one beat


def test_each_worker_takes_its_own_queue_with_its_own_limits():
    queues = consumed_queues()
    assert queues == {"worker-default": settings.CELERY_TASK_DEFAULT_QUEUE, "worker-pdf": "pdf"}
    for name in queues:
        command = procfile()[name]
        assert re.search(r"--concurrency \d+", command), name
        assert re.search(r"--max-tasks-per-child \d+", command), name


def test_every_task_goes_to_a_queue_some_worker_takes():
    """A task routed to a queue no worker takes is never run: nothing fails, nothing happens."""
    app.loader.import_default_modules()
    names = sorted(name for name in app.tasks if not name.startswith("celery."))
    assert "certification.tasks.certificate_pdf_render" in names
    taken = set(consumed_queues().values())
    for name in names:
        queue = app.amqp.router.route({}, name)["queue"].name
        assert queue in taken, f"{name} goes to {queue!r}, which no Procfile worker takes"


def test_pdf_tasks_have_their_queue_and_the_rest_the_default_one():
    app.loader.import_default_modules()
    route = app.amqp.router.route
    for name in (
        "certification.tasks.certificate_pdf_render",
        "certification.tasks_batches.certificate_batch_run",
    ):
        assert route({}, name)["queue"].name == settings.CELERY_PDF_QUEUE == "pdf", name
    for name in ("courses.tasks.enrollment_email_send", "certification.tasks.certificates_pdf_sweep"):
        assert route({}, name)["queue"].name == settings.CELERY_TASK_DEFAULT_QUEUE, name
    # A worker started without --queues (make serve, one machine) takes both.
    assert {settings.CELERY_TASK_DEFAULT_QUEUE, "pdf"} <= set(app.amqp.queues)


def test_systemd_units_match_the_procfile_and_the_document():
    doc = DOC.read_text()
    units = sorted(path.name for path in UNITS.iterdir())
    assert {"carsi-web.service", "carsi-worker@.service", "carsi-beat.service"} <= set(units)
    for unit in units:
        assert f"deploy/systemd/{unit}" in doc or unit.replace(".timer", "") in doc, unit
        text = (UNITS / unit).read_text()
        if unit.endswith(".service"):
            assert "EnvironmentFile=/etc/carsi/env\n" in text, f"{unit} does not load /etc/carsi/env"
    assert "--config /srv/carsi/app/deploy/gunicorn.conf.py" in (UNITS / "carsi-web.service").read_text()
    worker = (UNITS / "carsi-worker@.service").read_text()
    assert "--queues %i" in worker
    assert "KillMode=mixed" in worker  # TERM to the main process only: a warm shutdown
    # The document enables one worker instance per queue the Procfile's workers take.
    for queue in consumed_queues().values():
        assert f"carsi-worker@{queue}" in doc


def test_every_environment_variable_of_the_settings_is_documented():
    read = set()
    for path in SETTINGS_FILES:
        text = path.read_text()
        read |= set(re.findall(r"os\.environ(?:\.get\(|\[)\"(\w+)\"", text))
        read |= set(re.findall(r"env_(?:bool|list)\(\"(\w+)\"", text))
    assert {"DJANGO_SECRET_KEY", "CACHE_URL", "AWS_STORAGE_BUCKET_NAME"} <= read
    doc = DOC.read_text()
    missing = sorted(name for name in read if f"`{name}`" not in doc)
    assert not missing, f"docs/operations.md does not describe {missing}"
