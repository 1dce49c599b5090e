"""`/healthz`: can this process reach the database and the Celery broker?"""

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from kombu import Connection

BROKER_TIMEOUT_SECONDS = 2


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:  # any failure to talk to it means down
        return False


def broker_status() -> str:
    """ "eager" when no broker is configured (tasks run in process), else "ok" or "down"."""
    url = settings.CELERY_BROKER_URL
    if not url:
        return "eager"
    # The socket timeouts matter as much as the connect timeout: a Redis that hangs still
    # accepts connections, and without them the check would wait for its answer for ever.
    options = {
        **getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}),
        "socket_connect_timeout": BROKER_TIMEOUT_SECONDS,
        "socket_timeout": BROKER_TIMEOUT_SECONDS,
    }
    try:
        with Connection(url, connect_timeout=BROKER_TIMEOUT_SECONDS, transport_options=options) as conn:
            conn.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)
        return "ok"
    except Exception:
        return "down"


@never_cache
def healthz(request):
    db = "ok" if database_ok() else "down"
    broker = broker_status()
    healthy = db == "ok" and broker != "down"
    return JsonResponse(
        {"status": "ok" if healthy else "down", "database": db, "broker": broker},
        status=200 if healthy else 503,
    )
