"""E-mails reach agency staff in the language they use the site in: the language they last
browsed in is remembered (once per change, not per request) and used for the nominator's mail."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.users.models import UserProfile

from certification.selectors import language_for_user
from tests.courses.test_enrollment_flow import course, in_english, make_session, nominate, session

SHARED_FIXTURES = (course, in_english, make_session, session)  # from test_enrollment_flow

pytestmark = pytest.mark.django_db


def test_the_language_browsed_in_is_remembered(client, world):
    assert language_for_user(user=world.head_a) == "es"  # the site's default
    client.force_login(world.head_a)
    client.get("/en/dashboard/")
    assert language_for_user(user=world.head_a) == "en"
    with CaptureQueriesContext(connection) as queries:
        client.get("/en/dashboard/")
    assert not any("wagtailusers_userprofile" in q["sql"] for q in queries.captured_queries)
    client.get("/es/dashboard/")
    assert language_for_user(user=world.head_a) == "es"


def test_unprefixed_pages_do_not_change_the_preference(client, world):
    UserProfile.get_for_user(world.admin).__class__.objects.filter(user=world.admin).update(
        preferred_language="en"
    )
    client.force_login(world.admin)
    client.get("/healthz")
    assert language_for_user(user=world.admin) == "en"


def test_the_nominating_head_reads_in_their_language(
    client, world, session, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(world.head_a)
    client.get("/en/dashboard/")  # the head uses the site in English
    with django_capture_on_commit_callbacks(execute=True):
        nominate(world, session, language="es")  # the officer reads Spanish
    by_address = {m.to[0]: m for m in mailoutbox}
    assert by_address["officer.a@test.carsi"].subject == "[CARSI] BSI-101: nominación recibida"
    head_mail = by_address["head.a@test.carsi"]
    assert "nomination" in head_mail.subject.lower() and "nominación" not in head_mail.subject
