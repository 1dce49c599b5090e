"""Two administrators approve the last place of a session at the same moment: exactly one wins.

Runs on PostgreSQL (DATABASE_URL=postgres://postgres@127.0.0.1:5432/carsi), where the session row
lock is what serialises the two approvals."""

import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.utils import translation

from courses import services_enrollment as svc
from courses.models import Enrollment
from courses.selectors_enrollment import places_taken
from tests.courses.test_enrollment_flow import course, in_english, make_session, nominate

SHARED_FIXTURES = (course, in_english, make_session)  # from test_enrollment_flow

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_concurrent_approvals_of_the_last_place_exactly_one_wins(world, make_session, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL row locks: SQLite lets one writer at a time into the whole database, "
            "so there is no race to test (run with DATABASE_URL=postgres://...)"
        )
    session = make_session(capacity=3)
    first, second = nominate(world, session, world.trainee_a, world.trainee_a2)
    # Fill two of the three places: one by an officer of agency B (mixed classes are normal)...
    (b,) = nominate(world, session, world.trainee_b, actor=world.head_b)
    svc.enrollment_approve(actor=world.admin, enrollment=b)
    admin2 = type(world.admin).objects.create_user(
        username="admin2", email="admin2@test.carsi", password="x-pass-123"
    )
    admin2.groups.set(world.admin.groups.all())
    # ...and one by a third officer of agency A.
    from certification.models import Trainee
    from certification.services_personnel import trainee_create

    holder = trainee_create(
        actor=None,
        agency=world.agency_a,
        id_country=world.gt,
        id_type=Trainee.IdType.NATIONAL_ID,
        id_number="9999 88888 0101",
        given_names="Ana",
        first_surname="Pérez",
        badge_number="PNC-9",
    )
    (held,) = nominate(world, session, holder)
    svc.enrollment_approve(actor=world.admin, enrollment=held)
    assert places_taken(session=session) == 2

    # Widen the window between counting and writing: without the lock both would see a free place.
    original = svc.places_taken

    def slow_places_taken(*, session):
        taken = original(session=session)
        time.sleep(0.3)
        return taken

    monkeypatch.setattr(svc, "places_taken", slow_places_taken)
    barrier = threading.Barrier(2)
    results: dict[int, str] = {}

    def approve(actor, enrollment):
        try:
            barrier.wait()
            with translation.override("en"):  # the active language is per thread
                svc.enrollment_approve(actor=actor, enrollment=Enrollment.objects.get(pk=enrollment.pk))
            results[enrollment.pk] = "approved"
        except ValidationError as error:
            results[enrollment.pk] = "refused: " + " ".join(error.messages)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=approve, args=(world.admin, first)),
        threading.Thread(target=approve, args=(admin2, second)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    outcomes = sorted(results.values())
    assert len(outcomes) == 2
    assert outcomes[0] == "approved"
    assert outcomes[1].startswith("refused: The session") and "is full (3 places)" in outcomes[1]
    assert places_taken(session=session) == 3
    assert Enrollment.objects.filter(session=session, status=Enrollment.Status.APPROVED).count() == 3
