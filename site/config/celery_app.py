"""The Celery application. Worker: `celery -A config worker` with `site/` on the path
(the Makefile's `worker` and `beat` targets do this)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

app = Celery("carsi")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
