import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


def test_healthy_reports_database_and_broker(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    # Embedded default: no broker, tasks run in process. Real stack: the Redis broker answers.
    assert body["broker"] == ("ok" if settings.CELERY_BROKER_URL else "eager")


def test_real_broker_reachable_is_ok(client, settings):
    if not settings.CELERY_BROKER_URL:
        pytest.skip("no broker configured: the embedded stack has none (the real-stack leg runs this)")
    response = client.get("/healthz")
    assert response.json()["broker"] == "ok"


def test_unreachable_broker_answers_503(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "down", "database": "ok", "broker": "down"}
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
