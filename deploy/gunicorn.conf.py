"""gunicorn's settings for the web process: the Procfile's `web` and deploy/systemd/carsi-web.service
both start `gunicorn --config deploy/gunicorn.conf.py config.wsgi`. The environment tunes it
(docs/operations.md lists the variables); FORWARDED_ALLOW_IPS is read by gunicorn itself."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

chdir = str(ROOT)
pythonpath = str(ROOT / "site")  # site/ is the source root: config.wsgi lives there
wsgi_app = "config.wsgi"
bind = os.environ.get("GUNICORN_BIND") or f"0.0.0.0:{os.environ.get('PORT', '8000')}"
# Threads: a trainee's exam autosaves and a class's logins arrive together (bench/exam_load.py
# measured 3 workers x 4 threads); a process per worker keeps one stuck request from taking all.
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# Transcripts and the roster's PDF report are drawn in the request (certificates are not: Celery).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30  # on HUP or TERM, requests in flight get this long to finish
keepalive = 5
# A worker is replaced after this many requests (jittered, so not all at once): memory stays flat.
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
errorlog = "-"
# Not preloaded: on HUP each new worker imports the new code, which is the zero-downtime reload.
preload_app = False
# systemd and the Procfile's runners control gunicorn by signals (HUP, TERM); no control socket in
# $HOME, which several instances on one machine would share.
control_socket_disable = True
