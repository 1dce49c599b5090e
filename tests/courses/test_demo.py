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


def test_demo_translations_are_complete_in_wagtail_localize(site, django_capture_on_commit_callbacks):
    """Every English demo page is known to wagtail-localize with all its strings translated, so
    a sync from the Spanish source keeps the English text."""
    from wagtail_localize.models import Translation

    seed_courses(instructor_email=None)
    en = Locale.objects.get(language_code="en")
    translations = Translation.objects.filter(target_locale=en).select_related("source")
    assert translations.count() == 6 + 6 * 3 + 1  # courses, modules, program
    for translation in translations:
        total, done = translation.get_progress()
        assert total == done, translation.source.get_source_instance()

    module = ModulePage.objects.get(slug="evidencia-digital")
    translation = translations.get(source__object_id=module.translation_key)
    with django_capture_on_commit_callbacks(execute=True):
        translation.source.create_or_update_translation(en)  # no fallback: nothing may be missing
    english = ModulePage.objects.get(locale=en, translation_key=module.translation_key)
    assert english.title == "Digital evidence"
    assert english.body[0].value["heading"] == "Isolate, do not explore"
