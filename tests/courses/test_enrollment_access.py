"""Enrollment reads: who sees which enrollments, and the queue and roster at a fixed query count."""

import pytest

from courses import services_enrollment as svc
from courses.access import enrollments_visible_to
from courses.selectors_enrollment import nomination_queue, session_roster
from tests.courses.test_enrollment_flow import course, in_english, make_session, nominate, vet

SHARED_FIXTURES = (course, in_english, make_session)  # from test_enrollment_flow

pytestmark = pytest.mark.django_db


@pytest.fixture
def enrollments(world, make_session):
    session = make_session()
    session.instructors.add(world.instructor)
    a, a2 = nominate(world, session, world.trainee_a, world.trainee_a2)
    (b,) = nominate(world, session, world.trainee_b, actor=world.head_b)
    svc.enrollment_approve(actor=world.admin, enrollment=a)
    return session, a, a2, b


def test_each_role_sees_only_its_enrollments(world, enrollments, other_instructor):
    session, a, a2, b = enrollments
    assert set(enrollments_visible_to(world.admin)) == {a, a2, b}
    assert set(enrollments_visible_to(world.head_a)) == {a, a2}
    assert set(enrollments_visible_to(world.coordinator_a)) == {a, a2}
    assert set(enrollments_visible_to(world.head_b)) == {b}  # nothing of agency A
    assert set(enrollments_visible_to(world.officer_user_a)) == {a}
    assert set(enrollments_visible_to(world.instructor)) == {a}  # a place, not pending nominations
    assert set(enrollments_visible_to(other_instructor)) == set()


def test_the_nomination_queue_shows_vetting_and_is_scoped(world, enrollments):
    session, a, a2, b = enrollments
    vet(world, world.trainee_b)
    queue = list(nomination_queue(user=world.admin))
    assert queue == [a2, b]
    assert [(e.vetting_status, bool(e.vetting_valid_until)) for e in queue] == [
        (None, False),
        ("approved", True),
    ]
    assert list(nomination_queue(user=world.head_b)) == [b]


def test_queue_and_roster_take_one_query_whatever_their_length(
    world, make_session, django_assert_num_queries
):
    from certification.models import Trainee
    from certification.services_personnel import trainee_create

    session = make_session(capacity=40)
    officers = [
        trainee_create(
            actor=None,
            agency=world.agency_a,
            id_country=world.gt,
            id_type=Trainee.IdType.PASSPORT,
            id_number=f"P{i:05d}",
            given_names=f"Oficial {i}",
            first_surname="Pérez",
        )
        for i in range(12)
    ]
    enrollments = svc.enrollment_nominate(actor=world.head_a, session=session, trainees=officers)
    for enrollment in enrollments[:6]:
        svc.enrollment_approve(actor=world.admin, enrollment=enrollment)
    with django_assert_num_queries(1):
        rows = [(e.trainee.agency.country.code, e.vetting_status) for e in nomination_queue(user=world.admin)]
    assert len(rows) == 6
    with django_assert_num_queries(1):
        roster = [
            (e.trainee.sort_name, e.trainee.agency.acronym, e.modules_done)
            for e in session_roster(session=session)
        ]
    assert len(roster) == 6
