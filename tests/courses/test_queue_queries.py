"""The administrators' nomination queue and an agency's nominations page take the same number of
queries with 3 pending nominations as with 60 (more than a page, across more sessions and
courses): design rule 9, "queries per page do not grow with the data"."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from certification.models import Trainee
from certification.services_personnel import trainee_create
from certification.services_vetting import vetting_record_add
from courses import services_enrollment as svc
from courses.models import ClassSession
from courses.views_training import PAGE_SIZE

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)
ROW = 'data-testid="queue-row"'


class Pending:
    """Adds officers of agency A and nominates them for open sessions, a new session (of a new
    course) for every 20 nominations, every third officer vetted, one vetting pending."""

    def __init__(self, world, make_course):
        self.world, self.make_course = world, make_course
        self.officers = 0
        self.sessions = 0

    def add(self, count: int) -> None:
        world = self.world
        while count > 0:
            self.sessions += 1
            course = self.make_course(
                code=f"Q-{self.sessions:03d}", title=f"Curso {self.sessions}", modules=1
            )
            session = svc.session_create(
                actor=world.admin,
                course=course,
                code=f"Q-{self.sessions:03d}-01",
                starts_on=TODAY + 20 * DAY,
                ends_on=TODAY + 24 * DAY,
                capacity=100,
                nomination_deadline=TODAY + 10 * DAY,
                city="Ciudad de Guatemala",
                country=world.gt,
            )
            svc.session_transition(actor=world.admin, session=session, to_status=ClassSession.Status.OPEN)
            batch = [self.officer() for _ in range(min(count, 20))]
            svc.enrollment_nominate(actor=world.head_a, session=session, trainees=batch)
            count -= len(batch)

    def officer(self) -> Trainee:
        self.officers += 1
        n = self.officers
        trainee = trainee_create(
            actor=None,
            agency=self.world.agency_a,
            id_country=self.world.gt,
            id_type=Trainee.IdType.PASSPORT,
            id_number=f"Q{n:05d}",
            given_names=f"Oficial {n}",
            first_surname="Pérez",
            unit=self.world.unit_a,
        )
        if n % 3 == 0:
            vetting_record_add(actor=self.world.admin, trainee=trainee, status="approved", decided_on=TODAY)
        elif n == 1:
            vetting_record_add(actor=self.world.admin, trainee=trainee, status="pending")
        return trainee


def queries(client, url) -> tuple[int, str]:
    client.get(url)  # warm the caches (site root, locales) that any first request fills
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.content.decode()


@pytest.fixture
def pending(world, make_course):
    return Pending(world, make_course)


def test_the_queue_takes_as_many_queries_for_60_pending_as_for_3(client, world, pending):
    client.force_login(world.admin)
    url = reverse("training:nomination_queue")
    pending.add(3)
    few, html = queries(client, url)
    assert html.count(ROW) == 3

    pending.add(57)
    many, html = queries(client, url)
    assert html.count(ROW) == PAGE_SIZE
    last_page, html = queries(client, f"{url}?page=2")
    assert html.count(ROW) == 60 - PAGE_SIZE
    assert few == many == last_page


def test_the_agency_page_takes_as_many_queries_for_60_nominations_as_for_3(client, world, pending):
    client.force_login(world.head_a)
    url = reverse("training:agency_nominations", args=[world.agency_a.id])
    pending.add(3)
    few, html = queries(client, url)
    assert html.count("-01</td>") == 1 + 3  # the open session, then a row per nomination

    pending.add(57)
    many, html = queries(client, url)
    assert html.count("-01</td>") == pending.sessions + PAGE_SIZE
    last_page, html = queries(client, f"{url}?page=2")
    assert html.count("-01</td>") == pending.sessions + 60 - PAGE_SIZE
    assert few == many == last_page
