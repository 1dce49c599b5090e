import pytest
from wagtail.models import Locale

from courses.demo import seed_courses
from courses.models import CourseCatalogPage, CoursePage, ModulePage, ProgramPage

pytestmark = pytest.mark.django_db


def test_seed_courses_is_bilingual_and_idempotent(site):
    seed_courses(instructor_email=None)
    seed_courses(instructor_email=None)
    es, en = Locale.objects.get(language_code="es"), Locale.objects.get(language_code="en")
    assert CourseCatalogPage.objects.count() == 2
    assert CoursePage.objects.filter(locale=es, live=True).count() == 6
    assert CoursePage.objects.filter(locale=en, live=True).count() == 6
    for course in CoursePage.objects.filter(locale=es):
        english = course.get_translation(en)
        assert english.code == course.code and english.title != course.title
        assert ModulePage.objects.child_of(course).live().count() >= 3
        assert (
            ModulePage.objects.child_of(english).live().count() == ModulePage.objects.child_of(course).count()
        )
    assert ProgramPage.objects.filter(live=True).count() == 2
