import os

import pytest
from django.utils import translation

from certification.roles import ensure_groups
from home.services import site_setup

# Playwright's sync API runs an event loop in the test thread; Django's live-server tests
# would otherwise refuse database access from it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _english_outside_requests():
    # Code run outside a request (services, tasks) speaks the default language, Spanish;
    # tests read its messages in English. Pages choose their language from the URL and are
    # tested in both.
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _fresh_cache():
    # The cache holds rate-limit counters and cached pages: each test starts without them.
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _media_in_a_temporary_folder(settings, tmp_path_factory):
    # Uploaded files and rendered PDFs never land in the working tree.
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


@pytest.fixture
def site(db):
    """The locales, the home page in both languages and the roles' groups."""
    ensure_groups()
    return site_setup()


class World:
    """Two agencies in two countries, each with a unit, a head, a coordinator and officers."""


@pytest.fixture
def world(site):
    from certification import services as registry
    from certification.models import AgencyStaff, Trainee
    from certification.roles import INSTRUCTORS, PROGRAM_ADMINISTRATORS, role_grant
    from certification.services_personnel import trainee_create
    from home.demo_registry import demo_country

    w = World()
    w.gt, w.hn = demo_country("GT"), demo_country("HN")
    w.agency_a = registry.agency_upsert(
        country=w.gt,
        acronym="PNC",
        kind="police",
        name_es="Policía Nacional Civil",
        name_en="National Civil Police",
        time_zone="America/Guatemala",
    )
    w.agency_b = registry.agency_upsert(
        country=w.hn,
        acronym="PN",
        kind="police",
        name_es="Policía Nacional",
        name_en="National Police",
        time_zone="America/Tegucigalpa",
    )
    w.unit_a = registry.unit_upsert(agency=w.agency_a, name="Unidad de Fronteras")
    w.unit_b = registry.unit_upsert(agency=w.agency_b, name="Aeropuerto Internacional")
    password = "test-pass-123"
    w.password = password
    w.head_a = registry.user_ensure(email="head.a@test.carsi", password=password)
    w.head_b = registry.user_ensure(email="head.b@test.carsi", password=password)
    w.coordinator_a = registry.user_ensure(email="coord.a@test.carsi", password=password)
    registry.agency_staff_assign(user=w.head_a, agency=w.agency_a, role=AgencyStaff.Role.HEAD)
    registry.agency_staff_assign(user=w.head_b, agency=w.agency_b, role=AgencyStaff.Role.HEAD)
    registry.agency_staff_assign(user=w.coordinator_a, agency=w.agency_a, role=AgencyStaff.Role.COORDINATOR)
    w.admin = registry.user_ensure(email="admin@test.carsi", password=password)
    role_grant(user=w.admin, group_name=PROGRAM_ADMINISTRATORS)
    w.instructor = registry.user_ensure(email="instructor@test.carsi", password=password)
    role_grant(user=w.instructor, group_name=INSTRUCTORS)
    w.officer_user_a = registry.user_ensure(email="officer.a@test.carsi", password=password)
    w.trainee_a = trainee_create(
        actor=None,
        agency=w.agency_a,
        id_country=w.gt,
        id_type=Trainee.IdType.NATIONAL_ID,
        id_number="2547 81234 0101",
        given_names="María José",
        first_surname="Núñez",
        second_surname="Peña",
        badge_number="PNC-1",
        unit=w.unit_a,
        sex="F",
        user=w.officer_user_a,
    )
    w.trainee_a2 = trainee_create(
        actor=None,
        agency=w.agency_a,
        id_country=w.gt,
        id_type=Trainee.IdType.NATIONAL_ID,
        id_number="1234 56789 0123",
        given_names="Óscar",
        first_surname="O'Connor",
        badge_number="PNC-2",
        unit=w.unit_a,
        sex="M",
    )
    w.trainee_b = trainee_create(
        actor=None,
        agency=w.agency_b,
        id_country=w.hn,
        id_type=Trainee.IdType.NATIONAL_ID,
        id_number="0801-1990-12345",
        given_names="José Ángel",
        first_surname="Castillo-Ríos",
        badge_number="PN-1",
        unit=w.unit_b,
        sex="M",
    )
    return w
