import pytest
from django.contrib.auth.models import Group
from wagtail.models import Locale

from certification import services as registry
from certification.roles import INSTRUCTORS, PROGRAM_ADMINISTRATORS
from courses import services
from courses.demo import seed_courses

PASSWORD = "a-test-password-1"


def body(*blocks):
    return [{"type": kind, "value": value} for kind, value in blocks]


def simple_body(word="frontera"):
    return body(("text", {"heading": "Tema", "text": f"<p>Texto sobre la {word}.</p>"}))


@pytest.fixture
def locales(site):
    return Locale.objects.get(language_code="es"), Locale.objects.get(language_code="en")


@pytest.fixture
def track(site):
    return services.track_upsert(
        slug="border-security", name_es="Seguridad fronteriza", name_en="Border security"
    )


@pytest.fixture
def catalogue(site, locales):
    catalogue = services.catalogue_ensure(home=site, title="Catálogo de cursos", slug="cursos")
    services.courses_setup()
    return catalogue


@pytest.fixture
def catalogue_en(catalogue, locales):
    home_en = catalogue.get_parent().get_translation(locales[1])
    return services.catalogue_ensure(home=home_en, title="Course catalogue", slug="courses")


@pytest.fixture
def make_course(catalogue, track):
    def make(code="BSI-101", title="Interdicción fronteriza", slug=None, modules=3, publish=True, **fields):
        fields.setdefault("online", True)
        course = services.course_create(
            catalogue=fields.pop("catalogue", catalogue),
            title=title,
            slug=slug or code.lower(),
            code=code,
            track=fields.pop("track", track),
            hours=fields.pop("hours", 40),
            summary=fields.pop("summary", "Control de personas y mercancías."),
            publish=publish,
            **fields,
        )
        for i in range(modules):
            services.module_create(
                course=course, title=f"Módulo {i + 1}", slug=f"modulo-{i + 1}", body=simple_body()
            )
        return course

    return make


@pytest.fixture
def admin_user(site):
    user = registry.user_ensure(email="admin@test.carsi", password=PASSWORD, first_name="Laura")
    user.groups.add(Group.objects.get(name=PROGRAM_ADMINISTRATORS))
    return user


@pytest.fixture
def instructor(site):
    user = registry.user_ensure(email="instructor@test.carsi", password=PASSWORD, first_name="Carlos")
    user.groups.add(Group.objects.get(name=INSTRUCTORS))
    return user


@pytest.fixture
def other_instructor(site):
    user = registry.user_ensure(email="other.instructor@test.carsi", password=PASSWORD)
    user.groups.add(Group.objects.get(name=INSTRUCTORS))
    return user


@pytest.fixture
def trainee_user(site):
    return registry.user_ensure(email="trainee@test.carsi", password=PASSWORD)


@pytest.fixture
def demo(site):
    return seed_courses(instructor_email=None)
