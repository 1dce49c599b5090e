"""The Celery application. Worker: `celery -A config worker` with `site/` on the path
(the Makefile's `worker` and `beat` targets do this)."""

import os

from celery import Celery
from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

app = Celery("carsi")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


# Tasks that render PDFs (one certificate, or a class's batch with its ZIP) go to the PDF queue.
PDF_TASKS = frozenset(
    {"certification.tasks.certificate_pdf_render", "certification.tasks_batches.certificate_batch_run"}
)


def route_task(name, args, kwargs, options, task=None, **kw):
    """Celery router (CELERY_TASK_ROUTES). Reads the queue's name when called, not at import,
    so that a test can point the PDF tasks at the queue of its own worker."""
    if name in PDF_TASKS:
        return {"queue": settings.CELERY_PDF_QUEUE}
    return None
