"""Course content: the catalogue, courses, their modules (lessons) and programs.

A course is one course in every language: each locale has its own copy of the page, and all
copies share Wagtail's `translation_key`, which is the course's identity (`CoursePage.course_key`)
for anything that records progress or results.
"""

import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Locale, Orderable, Page
from wagtail.search import index
from wagtail_localize.fields import SynchronizedField

from .blocks import CourseStoryBlock
from .text import fold, plain_text

OBJECTIVE_FEATURES = ["bold", "italic", "ol", "ul"]


class Track(models.Model):
    """A line of training (border security, investigations, ...). Both languages live on the row,
    so one track serves every locale's copy of a course; administrators edit them as snippets."""

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    name_es = models.CharField(_("name (Spanish)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    panels = [FieldPanel("name_es"), FieldPanel("name_en"), FieldPanel("slug"), FieldPanel("sort_order")]

    class Meta:
        ordering = ["sort_order", "slug"]
        verbose_name = _("track")
        verbose_name_plural = _("tracks")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "es").startswith("en") else self.name_es


class CourseInstructorGroup(models.Model):
    """The Django group whose members teach one course (every locale's copy of it)."""

    course_key = models.UUIDField(_("course"), unique=True, editable=False)
    group = models.OneToOneField(
        "auth.Group", on_delete=models.CASCADE, related_name="course_instructors", verbose_name=_("group")
    )

    class Meta:
        verbose_name = _("course instructor group")
        verbose_name_plural = _("course instructor groups")

    def __str__(self) -> str:
        return self.group.name


# --- the catalogue ---------------------------------------------------------------------------


class CachedPageMixin:
    """Public pages of the catalogue are served from the cache to anonymous visitors
    (see courses/cache.py); logged-in visitors always get a fresh page."""

    def serve(self, request, *args, **kwargs):
        from .cache import serve_cached

        return serve_cached(
            self, request, lambda: super(CachedPageMixin, self).serve(request, *args, **kwargs)
        )


class CourseCatalogPage(CachedPageMixin, RoutablePageMixin, Page):
    intro = models.TextField(_("introduction"), max_length=600, blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    search_fields = Page.search_fields + [index.SearchField("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["courses.CoursePage", "courses.ProgramPage"]
    max_count_per_parent = 1
    page_description = _("The course catalogue of one language: courses and programs, with search.")
    template = "courses/course_catalog_page.html"

    class Meta:
        verbose_name = _("course catalogue")

    def get_context(self, request, *args, **kwargs):
        from .selectors import catalogue_search

        context = super().get_context(request, *args, **kwargs)
        context.update(catalogue_search(catalogue=self, params=request.GET))
        return context

    def serve(self, request, *args, **kwargs):
        # Filtered and searched views depend on the query string: serve them fresh.
        if request.GET:
            return RoutablePageMixin.serve(self, request, *args, **kwargs)
        return super().serve(request, *args, **kwargs)

    @path("")
    def index_route(self, request):
        return self.render(request)

    @path("untranslated/<uuid:key>/", name="untranslated")
    def untranslated(self, request, key: uuid.UUID):
        """Says that a page is not yet in this language and offers the languages it is in."""
        versions = list(
            Page.objects.live().public().filter(translation_key=key).select_related("locale").order_by("pk")
        )
        if not versions:
            raise Http404
        own = next((p for p in versions if p.locale_id == self.locale_id), None)
        if own is not None:
            return redirect(own.get_url(request))
        return TemplateResponse(
            request,
            "courses/untranslated.html",
            {"page": self, "self": self, "versions": versions},
        )


# --- courses -----------------------------------------------------------------------------------


class CoursePageForm(WagtailAdminPageForm):
    """Limits prerequisites to courses of the page's language and refuses a cycle."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("prerequisites")
        if field is not None:
            locale_id = self.instance.locale_id or (self.parent_page.locale_id if self.parent_page else None)
            queryset = CoursePage.objects.order_by("code")
            if locale_id:
                queryset = queryset.filter(locale_id=locale_id)
            if self.instance.pk:
                queryset = queryset.exclude(pk=self.instance.pk)
            field.queryset = queryset

    def clean(self):
        cleaned_data = super().clean()
        from .services import prerequisites_validate

        prerequisites = cleaned_data.get("prerequisites")
        if prerequisites is not None:
            try:
                prerequisites_validate(course=self.instance, prerequisites=list(prerequisites))
            except ValidationError as error:
                self.add_error("prerequisites", error)
        return cleaned_data


class CoursePage(CachedPageMixin, Page):
    class Level(models.TextChoices):
        BASIC = "basic", _("Basic")
        INTERMEDIATE = "intermediate", _("Intermediate")
        ADVANCED = "advanced", _("Advanced")

    class DeliveryLanguage(models.TextChoices):
        SPANISH = "es", _("Spanish")
        ENGLISH = "en", _("English")
        BILINGUAL = "bilingual", _("Spanish and English")

    class Admission(models.TextChoices):
        NOMINATED = "nominated", _("Nominated by their agency")
        SELF_ENROLMENT = "self", _("Self-enrolment")
        OPEN = "open", _("Open to read")

    DELIVERY_MODES = (("online", _("Online")), ("in_person", _("In person")), ("blended", _("Blended")))

    code = models.CharField(
        _("course code"),
        max_length=30,
        validators=[
            RegexValidator(
                r"^[A-Z0-9][A-Z0-9-]*$", _("Use capital letters, digits and hyphens, e.g. BSI-101.")
            )
        ],
        help_text=_("The same in every language, e.g. BSI-101."),
    )
    track = models.ForeignKey(
        Track, on_delete=models.PROTECT, related_name="courses", verbose_name=_("track")
    )
    level = models.CharField(_("level"), max_length=20, choices=Level.choices, default=Level.BASIC)
    hours = models.PositiveSmallIntegerField(
        _("hours"), validators=[MinValueValidator(1), MaxValueValidator(2000)]
    )
    delivery_language = models.CharField(
        _("language of delivery"), max_length=10, choices=DeliveryLanguage.choices, default="es"
    )
    summary = models.TextField(_("summary"), max_length=600)
    objectives = RichTextField(_("learning objectives"), features=OBJECTIVE_FEATURES, blank=True)
    image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("image"),
    )
    prerequisites = ParentalManyToManyField(
        "courses.CoursePage", blank=True, related_name="required_by", verbose_name=_("prerequisites")
    )
    online = models.BooleanField(_("online"), default=False)
    in_person = models.BooleanField(_("in person"), default=False)
    blended = models.BooleanField(_("blended"), default=False)
    credential = models.ForeignKey(
        "certification.Credential",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("credential awarded"),
    )
    requires_all_modules = models.BooleanField(_("all modules done"), default=True)
    requires_exams_passed = models.BooleanField(_("exams passed"), default=True)
    min_attendance_percent = models.PositiveSmallIntegerField(
        _("minimum attendance (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    us_funded = models.BooleanField(
        _("US-funded"),
        default=False,
        help_text=_("Only officers with valid human-rights (Leahy) vetting may take part."),
    )
    admission = models.CharField(
        _("how people get in"), max_length=20, choices=Admission.choices, default=Admission.NOMINATED
    )

    base_form_class = CoursePageForm
    content_panels = Page.content_panels + [
        FieldRowPanel([FieldPanel("code"), FieldPanel("track")]),
        FieldRowPanel([FieldPanel("level"), FieldPanel("hours"), FieldPanel("delivery_language")]),
        FieldPanel("summary"),
        FieldPanel("objectives"),
        FieldPanel("image"),
        FieldPanel("prerequisites", widget=forms.CheckboxSelectMultiple),
        MultiFieldPanel(
            [FieldPanel("online"), FieldPanel("in_person"), FieldPanel("blended")],
            heading=_("Delivery modes"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("credential"),
                FieldPanel("requires_all_modules"),
                FieldPanel("requires_exams_passed"),
                FieldPanel("min_attendance_percent"),
            ],
            heading=_("Completion"),
        ),
        MultiFieldPanel([FieldPanel("admission"), FieldPanel("us_funded")], heading=_("Admission")),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("objectives"),
        index.SearchField("code", boost=2),
        index.SearchField("folded_text"),
        index.FilterField("level"),
        index.FilterField("delivery_language"),
    ]
    # wagtail-localize: these are the same in every language and follow the source on sync.
    override_translatable_fields = [
        SynchronizedField("code"),
        SynchronizedField("track"),
        SynchronizedField("hours"),
        SynchronizedField("credential"),
    ]
    parent_page_types = ["courses.CourseCatalogPage"]
    subpage_types = ["courses.ModulePage"]
    page_description = _("A course: what it teaches, to whom, how it is delivered and what it awards.")
    template = "courses/course_page.html"

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")

    def __str__(self) -> str:
        return f"{self.code} – {self.title}" if self.code else self.title

    @property
    def course_key(self) -> uuid.UUID:
        """The course's identity in every language: what enrollments and results refer to."""
        return self.translation_key

    @property
    def delivery_modes(self) -> list[str]:
        return [label for name, label in self.DELIVERY_MODES if getattr(self, name)]

    def folded_text(self) -> str:
        """Accent-free, lower-case text for search (`migracion` finds `migración`)."""
        return fold(" ".join([self.title, self.code, self.summary, plain_text(self.objectives)]))

    def clean(self):
        super().clean()
        errors = {}
        if not (self.online or self.in_person or self.blended):
            errors["online"] = _("Choose at least one delivery mode.")
        if self.code:
            clash = CoursePage.objects.filter(code=self.code).exclude(translation_key=self.translation_key)
            if clash.exists():
                errors["code"] = _("Another course already uses the code %(code)s.") % {"code": self.code}
        if errors:
            raise ValidationError(errors)

    def modules(self):
        return ModulePage.objects.live().child_of(self).order_by("path")

    def get_context(self, request, *args, **kwargs):
        from .access import can_read_modules
        from .selectors import courses_in_locale
        from .selectors_enrollment import offers_self_enrolment

        context = super().get_context(request, *args, **kwargs)
        context["modules"] = list(self.modules().only("id", "title", "url_path", "path", "depth", "locale"))
        context["prerequisite_courses"] = courses_in_locale(
            course_keys=list(self.prerequisites.values_list("translation_key", flat=True)),
            locale_id=self.locale_id,
        )
        context["can_read_modules"] = can_read_modules(user=request.user, course=self)
        context["offers_self_enrolment"] = offers_self_enrolment(user=request.user, course=self)
        return context

    def untranslated_url(self, *, locale: Locale, request=None) -> str | None:
        from .selectors import untranslated_url

        return untranslated_url(page=self, locale=locale, request=request)


# --- modules -----------------------------------------------------------------------------------


class ModulePage(Page):
    """A lesson of a course. Only the course's trainees, instructors and administrators read it."""

    summary = models.TextField(_("summary"), max_length=400, blank=True)
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"), null=True, blank=True, validators=[MaxValueValidator(1000)]
    )
    body = StreamField(CourseStoryBlock(), verbose_name=_("body"))

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("duration_minutes"),
        FieldPanel("body"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("body"),
        index.SearchField("folded_text"),
    ]
    parent_page_types = ["courses.CoursePage"]
    subpage_types: list[str] = []
    page_description = _(
        "A lesson of a course, written with text, images, videos, procedures and self-tests."
    )
    template = "courses/module_page.html"

    class Meta:
        verbose_name = _("module")
        verbose_name_plural = _("modules")

    def folded_text(self) -> str:
        return fold(" ".join([self.title, self.summary, plain_text(self.body)]))

    def course(self) -> CoursePage:
        return CoursePage.objects.get(path=self.path[: -self.steplen])

    def serve(self, request, *args, **kwargs):
        from .access import can_read_modules

        course = self.course()
        if not can_read_modules(user=request.user, course=course):
            context = course.get_context(request)
            context["refused_module"] = self
            response = TemplateResponse(request, course.get_template(request), context, status=403)
            response["Cache-Control"] = "private, no-store"
            return response
        request.course = course
        response = super().serve(request, *args, **kwargs)
        response["Cache-Control"] = "private, no-store"
        return response

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        course = getattr(request, "course", None) or self.course()
        siblings = list(
            ModulePage.objects.live()
            .child_of(course)
            .order_by("path")
            .only("id", "title", "url_path", "path")
        )
        position = next((i for i, m in enumerate(siblings) if m.pk == self.pk), None)
        context.update(
            course=course,
            siblings=siblings,
            position=(position + 1) if position is not None else None,
            previous_module=siblings[position - 1] if position else None,
            next_module=siblings[position + 1]
            if position is not None and position + 1 < len(siblings)
            else None,
        )
        return context

    def untranslated_url(self, *, locale: Locale, request=None) -> str | None:
        from .selectors import untranslated_url

        return untranslated_url(page=self, locale=locale, request=request)


# --- programs ----------------------------------------------------------------------------------


class ProgramCourse(Orderable):
    program = ParentalKey("courses.ProgramPage", on_delete=models.CASCADE, related_name="program_courses")
    course = models.ForeignKey(
        CoursePage, on_delete=models.CASCADE, related_name="+", verbose_name=_("course")
    )
    is_required = models.BooleanField(_("required"), default=True, help_text=_("Untick for an elective."))

    panels = [FieldPanel("course"), FieldPanel("is_required")]

    class Meta(Orderable.Meta):
        verbose_name = _("course of the program")
        verbose_name_plural = _("courses of the program")


class ProgramPage(CachedPageMixin, Page):
    """An ordered curriculum of courses that awards its own credential."""

    summary = models.TextField(_("summary"), max_length=600)
    description = RichTextField(_("description"), features=OBJECTIVE_FEATURES, blank=True)
    credential = models.ForeignKey(
        "certification.Credential",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("credential awarded"),
    )
    image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("image"),
    )

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("description"),
        FieldPanel("image"),
        FieldPanel("credential"),
        InlinePanel("program_courses", label=_("Courses, in order"), min_num=1),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("description"),
    ]
    override_translatable_fields = [SynchronizedField("credential")]
    parent_page_types = ["courses.CourseCatalogPage"]
    subpage_types: list[str] = []
    page_description = _("A program: an ordered curriculum of required and elective courses.")
    template = "courses/program_page.html"

    class Meta:
        verbose_name = _("program")
        verbose_name_plural = _("programs")

    def get_context(self, request, *args, **kwargs):
        from .selectors import program_courses

        context = super().get_context(request, *args, **kwargs)
        context["program_courses"] = program_courses(program=self)
        return context

    def untranslated_url(self, *, locale: Locale, request=None) -> str | None:
        from .selectors import untranslated_url

        return untranslated_url(page=self, locale=locale, request=request)


from .models_assessment import (  # noqa: E402, F401  (assessment models live apart)
    Accommodation,
    AssessmentAudit,
    Attempt,
    AttemptQuestion,
    Choice,
    Exam,
    Question,
    Response,
)
from .models_enrollment import (  # noqa: E402, F401  (enrollment models live apart)
    Attendance,
    ClassSession,
    ClassSessionTransition,
    Enrollment,
    EnrollmentTransition,
    ModuleProgress,
)
from .models_practical import (  # noqa: E402, F401  (practical evaluation models live apart)
    PracticalAudit,
    PracticalItemScore,
    PracticalResult,
    ScoreSheet,
    ScoreSheetItem,
)
