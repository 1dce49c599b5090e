"""wagtail-localize is the instructors' translation workflow: it must understand our pages."""

import pytest
from wagtail_localize.models import StringSegment, StringTranslation, Translation, TranslationSource

from courses import services
from courses.models import CoursePage, ModulePage
from tests.courses.conftest import body

pytestmark = pytest.mark.django_db


def test_a_module_is_translated_and_synced_through_wagtail_localize(
    make_course, locales, catalogue_en, django_capture_on_commit_callbacks
):
    es, en = locales
    course = make_course(code="BSI-101", modules=0)
    services.page_translate(page=course, locale=en, fields={"title": "Border interdiction", "slug": "border"})
    module = services.module_create(
        course=course,
        title="Principios",
        slug="principios",
        body=body(
            ("text", {"heading": "El puesto", "text": "<p>La aduana controla las mercancías.</p>"}),
            (
                "glossary_term",
                {"term": "Interdicción", "definition": "Detener lo que cruza ilegalmente.", "source": ""},
            ),
        ),
    )

    # An administrator submits the module for translation into English...
    source, _created = TranslationSource.get_or_create_from_instance(module)
    translation = Translation.objects.create(source=source, target_locale=en)
    strings = {s.string.data for s in StringSegment.objects.filter(source=source).select_related("string")}
    assert {"Principios", "El puesto", "La aduana controla las mercancías.", "Interdicción"} <= strings

    # ...the instructor translates every string in the translation editor (here: its model)...
    english = {
        "Principios": "Principles",
        "El puesto": "The post",
        "La aduana controla las mercancías.": "Customs checks the goods.",
        "Interdicción": "Interdiction",
        "Detener lo que cruza ilegalmente.": "Stopping what crosses illegally.",
    }
    for segment in StringSegment.objects.filter(source=source).select_related("string", "context"):
        StringTranslation.objects.create(
            translation_of=segment.string,
            locale=en,
            context=segment.context,
            data=english.get(segment.string.data, segment.string.data),
        )
    assert translation.get_progress() == (len(strings), len(strings))
    with django_capture_on_commit_callbacks(execute=True):  # it publishes once committed
        translation.save_target(publish=True)

    module_en = ModulePage.objects.get(locale=en, translation_key=module.translation_key)
    assert module_en.live and module_en.title == "Principles"
    assert module_en.get_parent().specific.course_key == course.course_key
    assert module_en.body[0].value["heading"] == "The post"
    assert "Customs checks the goods." in str(module_en.body[0].value["text"])

    # A change to the source is synced: the untranslated new text falls back to the source.
    module = ModulePage.objects.get(pk=module.pk)
    module.title = "Principios de la interdicción"
    module.save_revision().publish()
    source.update_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        source.create_or_update_translation(en, fallback=True)
    assert ModulePage.objects.get(pk=module_en.pk).title == "Principios de la interdicción"


def test_synchronised_course_fields_follow_the_source(make_course, locales, catalogue_en):
    es, en = locales
    course = make_course(code="BSI-101", modules=0, hours=40)
    source, _created = TranslationSource.get_or_create_from_instance(course)
    source.create_or_update_translation(en, fallback=True)
    course_en = CoursePage.objects.get(locale=en, translation_key=course.translation_key)
    assert (course_en.code, course_en.hours, course_en.track_id) == ("BSI-101", 40, course.track_id)

    course = CoursePage.objects.get(pk=course.pk)
    course.hours = 48
    course.save_revision().publish()
    source.update_from_db()
    source.create_or_update_translation(en, fallback=True)
    assert CoursePage.objects.get(pk=course_en.pk).hours == 48
