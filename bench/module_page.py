"""Benchmark: serving a published module page, as a ratio to a plain Django template view.

    .venv/bin/python bench/module_page.py [--requests 300] [--rounds 5]

Production settings (`config.settings.production`: DEBUG off, cached template loaders,
security middleware) on a throw-away SQLite database (or DATABASE_URL if set) filled by
`site_setup` and `courses.demo.seed_courses`. Static files use the plain storage so that no
`collectstatic` is needed. Both views go through the whole Django stack (middleware, sessions,
a logged-in instructor of the course) and are timed in alternating rounds in the same process;
the script prints requests per second, the ratio, and the queries per request. It asserts
nothing about time.
"""

import argparse
import os
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "site"), str(ROOT)]

TMP = tempfile.mkdtemp(prefix="carsi-bench-")
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.production"
# Staff must set up a second factor before any page (home/middleware_mfa.py); the login is not what
# is measured here, so the requirement is off, as in the other benchmarks.
os.environ["MFA_REQUIRED_FOR_STAFF"] = "0"
os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(60))
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{TMP}/bench.sqlite3")
os.environ.setdefault("MEDIA_ROOT", f"{TMP}/media")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.template import engines  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import path  # noqa: E402

from bench.report import emit, figure  # noqa: E402

PLAIN = engines["django"].from_string(
    "{% extends 'base.html' %}{% block content %}<h1>Plain page</h1>"
    "<p>A template view with the site's layout and no database work of its own.</p>{% endblock %}"
)


def plain_view(request):
    from django.http import HttpResponse

    return HttpResponse(PLAIN.render({}, request))


def urlpatterns_with_plain_view():
    from config import urls

    return [path("bench/plain/", plain_view), *urls.urlpatterns]


urlpatterns = []  # filled in main(); this module is the bench's URLconf


def setup_data():
    from django.core.management import call_command

    from certification import services as registry
    from certification.roles import ensure_groups
    from courses import services
    from courses.demo import seed_courses
    from courses.models import CoursePage
    from home.services import site_setup

    call_command("migrate", verbosity=0, interactive=False)
    ensure_groups()
    site_setup()
    seed_courses(instructor_email=None)
    course = CoursePage.objects.get(code="BSI-101", locale__language_code="es")
    instructor = registry.user_ensure(
        email="bench.instructor@demo.carsi.test", password=secrets.token_urlsafe(16)
    )
    services.course_assign_instructor(course=course, user=instructor)
    return course.modules().last(), instructor


def timed(client: Client, url: str, requests: int) -> float:
    start = time.perf_counter()
    for _ in range(requests):
        response = client.get(url, secure=True)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
    return requests / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    global urlpatterns
    urlpatterns = urlpatterns_with_plain_view()
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(ROOT_URLCONF=__name__, STORAGES=storages, STATIC_ROOT=TMP):
        module, instructor = setup_data()
        client = Client(HTTP_HOST="testserver")
        client.force_login(instructor)
        module_url, plain_url = module.url, "/bench/plain/"
        for url in (module_url, plain_url):  # warm up caches and template loaders
            timed(client, url, 20)
        with CaptureQueriesContext(connection) as captured:
            client.get(module_url, secure=True)
        module_queries = len(captured)

        module_rates, plain_rates = [], []
        for _ in range(args.rounds):
            plain_rates.append(timed(client, plain_url, args.requests))
            module_rates.append(timed(client, module_url, args.requests))

    module_rate, plain_rate = statistics.median(module_rates), statistics.median(plain_rates)
    print(f"database: {connection.vendor}; {args.rounds} rounds of {args.requests} requests, medians")
    print(f"plain template view : {plain_rate:8.1f} req/s")
    print(f"module page         : {module_rate:8.1f} req/s  ({module_queries} queries per request)")
    print(f"ratio module/plain  : {module_rate / plain_rate:8.3f}")
    emit(
        "module_page",
        [
            figure("module page", module_rate, "req/s", "plain template view", plain_rate),
            figure("module page queries per request", module_queries, "queries"),
        ],
        setup=f"{connection.vendor}, one process, {args.rounds} rounds of {args.requests} requests",
    )


if __name__ == "__main__":
    main()
