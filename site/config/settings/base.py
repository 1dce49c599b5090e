"""Settings shared by every environment: complete and safe for production.

Everything that differs between machines comes from the environment (see `.env.example`).
`dev.py`, `test.py` and `production.py` override what they must.
"""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _
from kombu import Queue

CONFIG_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = CONFIG_DIR.parent.parent  # the repository root


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
DEBUG = False
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # Ours. `certification` depends on nothing of ours; `courses` on certification; `home` on both.
    "home",
    "courses",
    "certification",
    # Wagtail
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail_localize",
    "wagtail_localize.locales",  # replaces wagtail.locales
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django_tasks",
    "csp",
    # Accounts
    "allauth",
    "allauth.account",
    "allauth.mfa",
    # Django
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "home.middleware.SiteCSPMiddleware",  # the admin's policy under /admin/, the site's elsewhere
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "home.middleware.RequestSizeLimitMiddleware",  # 413 before an oversized body is read
    "django.contrib.sessions.middleware.SessionMiddleware",
    "home.middleware.SiteLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "certification.middleware_audit.AuditActorMiddleware",  # who changes roles in the admin (audit only)
    "home.middleware.TimezoneMiddleware",
    "home.middleware.LanguagePreferenceMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "home.middleware_mfa.StaffSecurityMiddleware",  # staff: TOTP first, idle sessions end
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",  # answers RATELIMIT_VIEW (429), not 403
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "home.context_processors.navigation",
            ],
        },
    },
]

# Database: SQLite on local disk unless DATABASE_URL names another (postgres://...).
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several processes (web, eager tasks, tests) share the file: wait instead of failing.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    }
}
if os.environ.get("CACHE_URL", "").startswith("redis"):
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ["CACHE_URL"],
    }

# Public verification is rate-limited per address (django-ratelimit, counting in the default
# cache: set CACHE_URL to Redis when several processes serve the site). Behind a reverse proxy,
# the environment's RATELIMIT_IP_META_KEY names the header holding the client's address
# (HTTP_X_REAL_IP); config.client_ip falls back to the connection's address without it.
RATELIMIT_VIEW = "certification.views_verify.rate_limited"
CLIENT_IP_HEADER = os.environ.get("RATELIMIT_IP_META_KEY", "")
RATELIMIT_IP_META_KEY = "config.client_ip.client_ip"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

# Languages and time. Spanish first: most readers are Central American officers.
LANGUAGE_CODE = "es"
LANGUAGES = [("es", _("Spanish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True  # stored in UTC; shown in the agency's or user's zone (home.middleware)
TIME_ZONE = "America/Guatemala"  # the display default when nobody says otherwise

WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
WAGTAIL_SITE_NAME = "CARSI Training"
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
# mp4 and webm: video files in course modules where streaming sites are blocked (courses/blocks.py).
# Each extension's content is checked on upload (certification.uploads.validate_document_content).
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "mp4", "odt", "pdf", "pptx", "txt", "webm", "xlsx"]
WAGTAILDOCS_DOCUMENT_FORM_BASE = "certification.uploads.CheckedDocumentForm"
WAGTAILDOCS_MAX_UPLOAD_SIZE = 20 * 1024 * 1024
# Documents are always served by Wagtail's view (never a redirect to the storage), with a type fixed
# by the extension, `nosniff` and `Content-Security-Policy: default-src 'none'`; only PDFs inline.
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAILDOCS_CONTENT_TYPES = {
    "csv": "text/csv",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "mp4": "video/mp4",
    "odt": "application/vnd.oasis.opendocument.text",
    "pdf": "application/pdf",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "txt": "text/plain",
    "webm": "video/webm",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
WAGTAILDOCS_INLINE_CONTENT_TYPES = ["application/pdf"]
WAGTAILDOCS_BLOCK_EMBEDDED_CONTENT = True
# Images: Wagtail checks that the file's format matches its extension; no SVG (it can carry script).
WAGTAILIMAGES_EXTENSIONS = ["avif", "gif", "jpg", "jpeg", "png", "webp"]
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAILIMAGES_MAX_IMAGE_PIXELS = 40_000_000
# The largest request body accepted at all (413 before it is read, so nothing is spooled to disk):
# well above the largest upload (20 MB). Pages that take less say so themselves (the manual issue).
MAX_REQUEST_BODY_BYTES = 50 * 1024 * 1024
# All logins go through allauth (its rate limits and MFA), the Wagtail admin's included: its login
# page redirects to allauth's (home.middleware_mfa), and passwords change only through allauth.
WAGTAILADMIN_LOGIN_URL = "account_login"
WAGTAIL_PASSWORD_RESET_ENABLED = False
WAGTAIL_PASSWORD_MANAGEMENT_ENABLED = False
# No Gravatar in the admin: it would send a hash of each user's e-mail to another site (and the
# admin's policy would block the image anyway). Users without an uploaded avatar get the default.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# Wagtail's own background work (reference index, file deletion) uses Django's task framework.
# It is light and idempotent, so it runs in the request; our heavy work runs on Celery.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Accounts (django-allauth). Accounts come from administrators and invitations: no sign-up.
SITE_ID = 1
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home:dashboard"
ACCOUNT_ADAPTER = "home.accounts.NoSignupAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "optional"
# A changed password ends every session of the account, this one included (Django's session
# hash ends the others; allauth this one): whoever knew the old password is out everywhere.
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[CARSI] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = os.environ.get("ACCOUNT_DEFAULT_HTTP_PROTOCOL", "https")
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "CARSI Training"
# Failed logins (password, or second factor) are limited per address and per account; a locked
# account can still reset its password. The counters live in the default cache: set CACHE_URL to
# Redis when several processes serve the site. Behind a reverse proxy, ALLAUTH_TRUSTED_PROXY_COUNT
# says how many proxies add to X-Forwarded-For, so the client's own address is counted.
ACCOUNT_RATE_LIMITS = {
    "login": "300/m/ip",  # a classroom of 50 logs in at once from one address (NAT)
    "login_failed": "20/m/ip,5/5m/key",
    "reset_password": "20/m/ip,5/m/key",
    "change_password": "5/m/user",
    "reauthenticate": "10/m/user",
}
ALLAUTH_TRUSTED_PROXY_COUNT = int(os.environ.get("ALLAUTH_TRUSTED_PROXY_COUNT", "0"))
# Program administrators, instructors and agency staff must set up TOTP before any other page
# (home.middleware_mfa). The test settings turn it off for tests whose staff log in without a
# second factor; the tests of this rule turn it back on.
MFA_REQUIRED_FOR_STAFF = env_bool("MFA_REQUIRED_FOR_STAFF", True)
# A staff session ends after this long without a request; trainees keep Django's default.
STAFF_SESSION_IDLE_SECONDS = int(os.environ.get("STAFF_SESSION_IDLE_SECONDS", str(30 * 60)))

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "CARSI Training <no-reply@localhost>")

# Celery. With no broker configured, tasks run eagerly in process (the embedded default).
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True  # a task whose worker dies is delivered again...
CELERY_TASK_REJECT_ON_WORKER_LOST = True  # ...also when the worker is killed outright
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Redis hands a message whose worker died unacknowledged to another worker once it has waited
# `visibility_timeout`: longer than the longest task (a class's batch, a large import), or a task
# still running is delivered twice. Tests of lost workers shorten it through the environment.
BROKER_VISIBILITY_TIMEOUT = int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "3600"))
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": BROKER_VISIBILITY_TIMEOUT,
    # Workers look for such messages every 10 s (kombu's default is every 100 s).
    "unacked_restore_interval": min(10, BROKER_VISIBILITY_TIMEOUT),
    "unacked_restore_throttle": 1,
    # A broker that is down or hung never holds a web request for long: without these, a publish
    # to a Redis that stopped answering (but still accepts connections) waits for ever.
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# A publish is retried once, then the caller gets the error: measured, 5 s when Redis hangs and
# 0.2 s when it refuses connections (Celery's default policy, without the socket timeouts, waits
# for ever on a hung Redis). Enqueues lost this way are repaired by a periodic sweep (see
# certification.tasks.certificates_pdf_sweep) or reported to the person who asked.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 0.5,
}
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_TASK_DEFAULT_QUEUE", "carsi")
# Rendering PDFs keeps a core busy per certificate: it has a queue of its own, so that a class's
# batch never holds back an e-mail or an import (docs/operations.md). A worker started without
# --queues takes both (the one-machine setup); config.celery_app.route_task sends the PDF tasks.
CELERY_PDF_QUEUE = os.environ.get("CELERY_PDF_QUEUE", "pdf")
CELERY_TASK_QUEUES = (
    Queue(CELERY_TASK_DEFAULT_QUEUE, routing_key=CELERY_TASK_DEFAULT_QUEUE),
    Queue(CELERY_PDF_QUEUE, routing_key=CELERY_PDF_QUEUE),
)
CELERY_TASK_ROUTES = ("config.celery_app.route_task",)
CELERY_TIMEZONE = "UTC"
# Task modules beyond each app's tasks.py (which autodiscovery finds by itself).
CELERY_IMPORTS = ["courses.tasks_assessment", "certification.tasks_batches", "certification.tasks_reminders"]
# Periodic schedules, all in this one place. Exactly one `celery beat` runs per deployment.
CELERY_BEAT_SCHEDULE: dict = {
    "close-overdue-exam-attempts": {"task": "courses.attempts_close_overdue", "schedule": 60.0},
    # 14:00 UTC is 08:00 in Central America (UTC-6): reminders arrive at the start of the workday,
    # and each agency's date has long turned over.
    "certificate-expiry-reminders": {
        "task": "certification.certificate_reminders_send",
        "schedule": crontab(hour=14, minute=0),
    },
    # Certificates whose PDF task was lost (not queued while the broker was down) get it again.
    "certificate-pdf-sweep": {"task": "certification.tasks.certificates_pdf_sweep", "schedule": 600.0},
    # Enrollment e-mails whose task was lost the same way (or gave up) are sent again.
    "enrollment-email-sweep": {"task": "courses.tasks.enrollment_emails_sweep", "schedule": 600.0},
    # Imports whose task was lost (or gave up retrying) are run again; their claim caps attempts.
    "import-sweep": {"task": "certification.tasks.import_jobs_sweep", "schedule": 600.0},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django gives its logger a console handler of its own; send it through the root's only.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.db.backends": {"level": "WARNING"},
        # Wagtail's per-page background tasks and actions are chatty at INFO.
        "django_tasks": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
        "modelsearch": {"level": "WARNING"},
        # One "Task ... succeeded" line per task: noise in the web process with eager Celery.
        "weasyprint": {"level": "WARNING"},  # several progress lines per PDF
        "celery.app.trace": {"level": os.environ.get("CELERY_TRACE_LOG_LEVEL", "WARNING")},
    },
}

# Security defaults that hold everywhere; production.py adds the HTTPS-only ones.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Content Security Policy (django-csp; home.middleware.SiteCSPMiddleware). The public site runs no
# inline script or style: scripts and styles are files under /static/. Keep it so: a `<script>`
# block or a `style=""` attribute in a template is blocked by the browser. Images may be data: URIs
# (the TOTP QR code). CSP_MEDIA_ORIGINS names a media storage on another origin (S3), if any.
_SELF, _NONE = "'self'", "'none'"
_MEDIA_ORIGINS = env_list("CSP_MEDIA_ORIGINS")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [_SELF],
        "script-src": [_SELF],
        "style-src": [_SELF],
        "img-src": [_SELF, "data:", *_MEDIA_ORIGINS],
        "media-src": [_SELF, *_MEDIA_ORIGINS],
        "font-src": [_SELF],
        "connect-src": [_SELF],
        "object-src": [_NONE],
        "base-uri": [_SELF],
        "form-action": [_SELF],
        "frame-ancestors": [_NONE],
    }
}
# The Wagtail admin's pages carry inline scripts and styles (and its preview frames our own pages):
# a looser policy for /admin/ only, still nothing from other origins.
ADMIN_CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [_SELF],
        "script-src": [_SELF, "'unsafe-inline'"],
        "style-src": [_SELF, "'unsafe-inline'"],
        "img-src": [_SELF, "data:", "blob:", *_MEDIA_ORIGINS],
        "media-src": [_SELF, "blob:", *_MEDIA_ORIGINS],
        "font-src": [_SELF, "data:"],
        "connect-src": [_SELF],
        "frame-src": [_SELF],
        "worker-src": [_SELF, "blob:"],
        "object-src": [_NONE],
        "base-uri": [_SELF],
        "form-action": [_SELF],
        "frame-ancestors": [_SELF],
    }
}
