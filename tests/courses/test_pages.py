"""Page tree rules, creation through the admin's forms, and rendering in both languages."""

import tempfile

import pytest
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.test import override_settings
from django.utils import translation
from wagtail.documents.models import Document
from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Locale
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from certification import services as registry
from certification.roles import PROGRAM_ADMINISTRATORS, ensure_groups
from courses import services
from courses.models import CourseCatalogPage, CoursePage, ModulePage, ProgramPage
from courses.selectors import course_for_key
from home.models import HomePage, StandardPage
from home.services import site_setup

MEDIA = tempfile.mkdtemp(prefix="carsi-test-media-")


def every_block(image_id, document_id):
    """Raw stream data with one block of every kind."""
    return [
        {"type": "text", "value": {"heading": "Sección uno", "text": "<p>Texto con <b>negrita</b>.</p>"}},
        {
            "type": "image",
            "value": {
                "image": image_id,
                "alt_text": "Carril",
                "caption": "Carril de inspección",
                "credit": "CARSI",
            },
        },
        {
            "type": "document",
            "value": {"document": document_id, "title": "Formulario", "description": "Uno por vehículo"},
        },
        {
            "type": "video",
            "value": {
                "embed_url": "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
                "file": None,
                "title": "Apertura de un sello",
                "transcript": "Transcripción",
            },
        },
        {
            "type": "callout",
            "value": {"kind": "legal", "title": "Artículo 3", "text": "<p>Base legal del control.</p>"},
        },
        {
            "type": "procedure",
            "value": {"title": "Procedimiento", "steps": [{"instruction": "Paso uno", "detail": "Detalle"}]},
        },
        {"type": "checklist", "value": {"title": "Lista", "items": ["Guantes", "Linterna"]}},
        {
            "type": "case_study",
            "value": {
                "title": "El bus nocturno",
                "scenario": "<p>Escenario</p>",
                "questions": ["¿Qué observa?"],
                "outcome": "<p>Resultado</p>",
            },
        },
        {
            "type": "glossary_term",
            "value": {"term": "Interdicción", "definition": "Definición", "source": "Ley"},
        },
        {
            "type": "knowledge_check",
            "value": {
                "question": "¿Quién controla la entrada?",
                "options": [
                    {"text": "Migración", "is_correct": True},
                    {"text": "Aduana", "is_correct": False},
                ],
                "feedback": "<p>Explicación del resultado</p>",
            },
        },
    ]


@override_settings(MEDIA_ROOT=MEDIA)
class CoursePagesTests(WagtailPageTestCase):
    @classmethod
    def setUpTestData(cls):
        ensure_groups()
        cls.home = site_setup()
        cls.es = Locale.objects.get(language_code="es")
        cls.en = Locale.objects.get(language_code="en")
        cls.track = services.track_upsert(
            slug="border-security", name_es="Seguridad fronteriza", name_en="Border security"
        )
        cls.catalogue = services.catalogue_ensure(home=cls.home, title="Catálogo", slug="cursos")
        cls.catalogue_en = services.catalogue_ensure(
            home=cls.home.get_translation(cls.en), title="Catalogue", slug="courses"
        )
        services.courses_setup()
        cls.course = services.course_create(
            catalogue=cls.catalogue,
            title="Interdicción fronteriza",
            slug="interdiccion",
            code="BSI-101",
            track=cls.track,
            hours=40,
            summary="Control en puestos fronterizos.",
            online=True,
        )
        cls.admin = registry.user_ensure(email="admin@test.carsi", password="irrelevant-pass-1")
        cls.admin.groups.add(Group.objects.get(name=PROGRAM_ADMINISTRATORS))

    def setUp(self):
        self.client.force_login(self.admin)

    # --- tree rules ---------------------------------------------------------------------------

    def test_tree_rules(self):
        self.assertAllowedParentPageTypes(CourseCatalogPage, {HomePage})
        self.assertAllowedSubpageTypes(CourseCatalogPage, {CoursePage, ProgramPage})
        self.assertAllowedParentPageTypes(CoursePage, {CourseCatalogPage})
        self.assertAllowedSubpageTypes(CoursePage, {ModulePage})
        self.assertAllowedParentPageTypes(ModulePage, {CoursePage})
        self.assertAllowedSubpageTypes(ModulePage, set())
        self.assertAllowedParentPageTypes(ProgramPage, {CourseCatalogPage})
        self.assertAllowedSubpageTypes(ProgramPage, set())
        self.assertCanCreateAt(HomePage, CourseCatalogPage)
        self.assertCanNotCreateAt(StandardPage, CourseCatalogPage)
        self.assertCanNotCreateAt(HomePage, CoursePage)
        self.assertCanNotCreateAt(CourseCatalogPage, ModulePage)

    def test_only_one_catalogue_per_home(self):
        self.assertFalse(CourseCatalogPage.can_create_at(self.home))

    # --- creation through the admin -----------------------------------------------------------

    def course_form(self, **overrides):
        data = {
            "title": "Detección de documentos fraudulentos",
            "slug": "documentos",
            "code": "DOC-110",
            "track": self.track.pk,
            "level": "intermediate",
            "hours": "32",
            "delivery_language": "es",
            "summary": "Pasaportes y visas.",
            "objectives": rich_text("<ul><li>Reconocer elementos de seguridad.</li></ul>"),
            "online": "on",
            "requires_all_modules": "on",
            "min_attendance_percent": "80",
            "admission": "nominated",
            "comments": inline_formset([]),
        }
        prerequisites = overrides.pop("prerequisites", None)
        data.update(overrides)
        data = nested_form_data(data)
        if prerequisites is not None:
            data["prerequisites"] = prerequisites  # a multiple-choice field: a list of values
        return data

    def test_admin_creates_a_course(self):
        self.assertCanCreate(self.catalogue, CoursePage, self.course_form(prerequisites=[self.course.pk]))
        course = CoursePage.objects.get(code="DOC-110")
        self.assertTrue(course.live)
        self.assertEqual(course.locale, self.es)
        self.assertEqual(list(course.prerequisites.all()), [self.course])
        self.assertEqual(course.min_attendance_percent, 80)

    def test_a_course_needs_a_delivery_mode_and_a_unique_code(self):
        response = self.client.post(
            f"/admin/pages/add/courses/coursepage/{self.catalogue.pk}/",
            {**self.course_form(code="BSI-101"), "online": ""},
        )
        form = response.context["form"]
        self.assertIn("code", form.errors)
        self.assertIn("online", form.errors)
        self.assertFalse(CoursePage.objects.filter(slug="documentos").exists())

    def test_admin_creates_a_module_with_blocks(self):
        data = nested_form_data(
            {
                "title": "Principios",
                "slug": "principios",
                "summary": "Qué es la interdicción",
                "body": streamfield(
                    [
                        ("text", {"heading": "El puesto", "text": rich_text("<p>Policía y aduana.</p>")}),
                        (
                            "callout",
                            {"kind": "warning", "title": "Atención", "text": rich_text("<p>Cuidado.</p>")},
                        ),
                        (
                            "checklist",
                            {
                                "title": "Equipo",
                                "items": streamfield([("item", "Guantes"), ("item", "Linterna")]),
                            },
                        ),
                        (
                            "knowledge_check",
                            {
                                "question": "¿Quién controla?",
                                "options": streamfield(
                                    [
                                        ("item", {"text": "Migración", "is_correct": "on"}),
                                        ("item", {"text": "Aduana"}),
                                    ]
                                ),
                                "feedback": rich_text("<p>Migración controla la entrada.</p>"),
                            },
                        ),
                    ]
                ),
                "comments": inline_formset([]),
            }
        )
        self.assertCanCreate(self.course, ModulePage, data)
        module = ModulePage.objects.get(slug="principios")
        self.assertEqual(
            [block.block_type for block in module.body], ["text", "callout", "checklist", "knowledge_check"]
        )
        self.assertEqual(list(module.body[2].value["items"]), ["Guantes", "Linterna"])
        self.assertTrue(module.body[3].value["options"][0]["is_correct"])

    def test_a_knowledge_check_needs_a_correct_answer(self):
        data = nested_form_data(
            {
                "title": "Sin respuesta",
                "slug": "sin-respuesta",
                "body": streamfield(
                    [
                        (
                            "knowledge_check",
                            {
                                "question": "¿?",
                                "options": streamfield([("item", {"text": "A"}), ("item", {"text": "B"})]),
                                "feedback": rich_text("<p>.</p>"),
                            },
                        )
                    ]
                ),
                "comments": inline_formset([]),
                "action-publish": "action-publish",
            }
        )
        response = self.client.post(f"/admin/pages/add/courses/modulepage/{self.course.pk}/", data)
        self.assertEqual(response.status_code, 200)
        self.assertIn("body", response.context["form"].errors)
        self.assertFalse(ModulePage.objects.filter(slug="sin-respuesta").exists())

    # --- rendering ----------------------------------------------------------------------------

    def test_every_block_renders_in_both_languages(self):
        image = Image.objects.create(title="Carril", file=get_test_image_file())
        document = Document.objects.create(
            title="Formulario", file=ContentFile(b"%PDF-1.4 test", name="form.pdf")
        )
        module = services.module_create(
            course=self.course,
            title="Todos los bloques",
            slug="bloques",
            body=every_block(image.pk, document.pk),
        )
        course_en = services.page_translate(
            page=self.course,
            locale=self.en,
            fields={"title": "Border interdiction", "slug": "border-interdiction"},
        )
        english_body = every_block(image.pk, document.pk)
        english_body[0]["value"] = {"heading": "Section one", "text": "<p>Text in <b>bold</b>.</p>"}
        module_en = services.page_translate(
            page=module,
            locale=self.en,
            fields={"title": "Every block", "slug": "blocks", "body": english_body},
        )
        self.assertEqual(module_en.get_parent().pk, course_en.pk)

        for page, language, heading in ((module, "es", "Sección uno"), (module_en, "en", "Section one")):
            response = self.client.get(page.url)
            self.assertEqual(response.status_code, 200)
            html = response.content.decode()
            self.assertIn(f'<html lang="{language}">', html)
            self.assertIn(f"<h2>{heading}</h2>", html)
            for kind in (
                "text",
                "image",
                "document",
                "video",
                "callout",
                "procedure",
                "checklist",
                "case_study",
                "glossary_term",
                "knowledge_check",
            ):
                self.assertIn(f"block-{kind}", html)
            self.assertIn('alt="Carril"', html)
            self.assertIn("https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ", html)
            self.assertIn(document.url, html)
            self.assertIn("<details>", html)  # the self-test's feedback is revealed client-side
            self.assertIn('<strong class="correct-answer">Migración</strong>', html)
            self.assertIn("<dfn>Interdicción</dfn>", html)
            with translation.override(language):
                self.assertIn(translation.gettext("Show the answer"), html)
                self.assertIn(translation.gettext("Legal basis"), html)

    def test_block_previews_render(self):
        from courses.blocks import CourseStoryBlock

        for name, block in CourseStoryBlock().child_blocks.items():
            with self.subTest(block=name):
                self.assertTrue(block.meta.icon)
                self.assertTrue(block.meta.description)
                self.assertTrue(block.get_preview_value())
                self.assertTrue(block.meta.template.startswith("blocks/"))
                html = block.render(block.get_preview_value())
                self.assertTrue(html.strip())

    def test_course_page_in_both_languages_with_course_key(self):
        course_en = services.page_translate(
            page=self.course,
            locale=self.en,
            fields={
                "title": "Border interdiction",
                "slug": "border-interdiction",
                "summary": "Border posts.",
            },
        )
        self.assertEqual(course_en.course_key, self.course.course_key)
        self.assertEqual(course_en.code, "BSI-101")
        self.client.logout()
        response = self.client.get("/es/cursos/interdiccion/")
        self.assertContains(response, "<h1>Interdicción fronteriza</h1>", html=False)
        self.assertContains(response, 'href="/en/courses/border-interdiction/" hreflang="en"')
        response = self.client.get("/en/courses/border-interdiction/")
        self.assertContains(response, "<h1>Border interdiction</h1>")
        self.assertContains(response, 'href="/es/cursos/interdiccion/" hreflang="es"')

        with translation.override("en"):
            self.assertEqual(course_for_key(course_key=self.course.course_key).pk, course_en.pk)
        self.assertEqual(course_for_key(course_key=self.course.course_key, locale=self.es).pk, self.course.pk)
        self.assertIsNone(course_for_key(course_key="00000000-0000-0000-0000-000000000000"))

    def test_an_untranslated_course_says_so_and_offers_the_other_language(self):
        self.client.logout()
        response = self.client.get("/es/cursos/interdiccion/")
        switch_url = f"/en/courses/untranslated/{self.course.translation_key}/"
        self.assertContains(response, f'href="{switch_url}" hreflang="en"')
        response = self.client.get(switch_url)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, '<html lang="en">')
        self.assertContains(response, 'data-testid="untranslated"')
        self.assertContains(response, 'href="/es/cursos/interdiccion/" hreflang="es"')
        # The English catalogue lists it as not yet translated, linking to the Spanish page.
        response = self.client.get("/en/courses/")
        self.assertContains(response, "Interdicción fronteriza")
        # Once translated, the notice sends visitors to the translation.
        services.page_translate(
            page=self.course,
            locale=self.en,
            fields={"title": "Border interdiction", "slug": "border-interdiction"},
        )
        response = self.client.get(switch_url)
        self.assertRedirects(response, "/en/courses/border-interdiction/")
        self.assertEqual(
            self.client.get("/en/courses/untranslated/00000000-0000-0000-0000-000000000000/").status_code, 404
        )

    def test_program_lists_its_courses_in_order_in_the_visitors_language(self):
        second = services.course_create(
            catalogue=self.catalogue,
            title="Registro de vehículos",
            slug="vehiculos",
            code="VEH-120",
            track=self.track,
            hours=24,
            summary="Vehículos.",
            in_person=True,
        )
        program = services.program_create(
            catalogue=self.catalogue,
            title="Programa de interdicción",
            slug="programa",
            summary="Dos cursos.",
            courses=[(second, True), (self.course, False)],
        )
        services.page_translate(
            page=self.course, locale=self.en, fields={"title": "Border interdiction", "slug": "bi"}
        )
        program_en = services.page_translate(
            page=program, locale=self.en, fields={"title": "Program", "slug": "program"}
        )
        html = self.client.get(program.url).content.decode()
        self.assertLess(html.index("VEH-120"), html.index("BSI-101"))
        self.assertIn('class="elective"', html)
        html = self.client.get(program_en.url).content.decode()
        self.assertIn("Border interdiction", html)  # the English copy of the course
        self.assertIn("Registro de vehículos", html)  # not translated yet: the Spanish one


@pytest.mark.django_db
def test_code_is_shared_by_translations_but_unique_between_courses(make_course, locales, catalogue_en):
    from django.core.exceptions import ValidationError

    course = make_course(code="BSI-101", modules=0)
    english = services.page_translate(
        page=course, locale=locales[1], fields={"title": "Border", "slug": "border"}
    )
    assert english.code == course.code  # translations share the code
    with pytest.raises(ValidationError) as error:
        make_course(code="BSI-101", title="Otro", slug="otro", modules=0)
    assert "code" in error.value.message_dict
    assert CoursePage.objects.filter(code="BSI-101").count() == 2
