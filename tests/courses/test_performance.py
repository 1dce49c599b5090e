"""Queries per module page do not grow with the course; public pages are cached for anonymous
visitors only and purged on publish."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from courses.cache import GENERATION_KEY

pytestmark = pytest.mark.django_db

# What one module page costs an administrator, whatever the length of its course: session and
# user, site and Wagtail's routing (one query per level of the tree), view restrictions, the
# course, its modules (one query), the access check, the language switcher (locale and
# translation per language) and the Wagtail user bar with its permission checks.
MODULE_PAGE_MAX_QUERIES = 30


def queries_for(client, url) -> int:
    client.get(url)  # warm up: site root paths, content types
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_module_page_queries_do_not_grow_with_the_course(
    client, make_course, admin_user, django_assert_max_num_queries
):
    short = make_course(code="SHORT-1", title="Corto", slug="corto", modules=3)
    long = make_course(code="LONG-1", title="Largo", slug="largo", modules=12)
    client.force_login(admin_user)
    short_url = short.modules().last().url
    long_url = long.modules().last().url

    counts = {queries_for(client, short_url), queries_for(client, long_url)}
    assert len(counts) == 1, counts  # exactly the same number of queries
    with django_assert_max_num_queries(MODULE_PAGE_MAX_QUERIES):
        assert client.get(long_url).status_code == 200
    html = client.get(long_url).content.decode()
    assert "Módulo 12" in html and "Módulo 11" in html  # the previous-module link


def test_catalogue_queries_do_not_grow_with_the_number_of_courses(client, make_course, catalogue):
    make_course(code="A-1", slug="a", modules=0)
    few = queries_for(client, catalogue.url + "?level=basic")
    for i in range(2, 8):
        make_course(code=f"A-{i}", slug=f"a{i}", modules=1)
    assert queries_for(client, catalogue.url + "?level=basic") == few


def test_anonymous_course_pages_are_cached_and_purged_on_publish(client, make_course, catalogue, admin_user):
    course = make_course(modules=1)
    with CaptureQueriesContext(connection) as miss:
        first = client.get(course.url)
    assert first.status_code == 200
    with CaptureQueriesContext(connection) as hit:
        second = client.get(course.url)
    assert second.content == first.content
    # Served from the cache: Wagtail still routes to the page, but nothing of the page's own
    # rendering (its modules, prerequisites, the language switcher) touches the database.
    assert not [q for q in hit if "courses_modulepage" in q["sql"]]
    assert len(hit) < len(miss)

    course.summary = "Resumen nuevo para la prueba."
    course.save_revision().publish()
    assert "Resumen nuevo para la prueba." in client.get(course.url).content.decode()
    # The catalogue is purged too (it lists the course's summary).
    assert "Resumen nuevo para la prueba." in client.get(catalogue.url).content.decode()


def test_logged_in_visitors_never_get_a_cached_page(client, make_course, admin_user, trainee_user):
    from django.core.cache import cache

    course = make_course(modules=1)
    client.get(course.url)  # cached for anonymous visitors
    client.force_login(admin_user)
    html = client.get(course.url).content.decode()
    assert "Logged in as admin@test.carsi" in html or "admin@test.carsi" in html
    client.force_login(trainee_user)
    html = client.get(course.url).content.decode()
    assert "trainee@test.carsi" in html and "admin@test.carsi" not in html
    # Module pages are private: never cached, and marked so for any proxy.
    module = course.modules().first()
    client.force_login(admin_user)
    before = set(cache._cache.keys()) if hasattr(cache, "_cache") else set()
    response = client.get(module.url)
    assert "no-store" in response["Cache-Control"]
    after = set(cache._cache.keys()) if hasattr(cache, "_cache") else set()
    assert not [key for key in after - before if "courses:page" in key]


def test_unpublishing_purges(client, make_course):
    from django.core.cache import cache

    course = make_course(modules=0)
    generation = cache.get(GENERATION_KEY)
    assert client.get(course.url).status_code == 200
    course.unpublish()
    assert cache.get(GENERATION_KEY) != generation
    assert client.get(course.url).status_code == 404
