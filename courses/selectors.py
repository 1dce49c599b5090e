"""Reads of course content that do not depend on who is asking (who may read modules is
decided in courses/access.py)."""

import uuid
from typing import Any

from django.utils.translation import get_language
from wagtail.models import Locale, Page

from .models import CourseCatalogPage, CoursePage, ModulePage, ProgramPage
from .text import fold


def course_for_key(*, course_key: uuid.UUID | str, locale: Locale | None = None) -> CoursePage | None:
    """The course with this key, in `locale` (default: the active language) when it is
    published there, else its copy in another language; None when no copy is published."""
    copies = list(CoursePage.objects.live().filter(translation_key=course_key).select_related("locale"))
    if not copies:
        return None
    code = locale.language_code if locale else (get_language() or "es")
    return next((c for c in copies if c.locale.language_code == code), copies[0])


def courses_in_locale(*, course_keys: list, locale_id: int) -> list[CoursePage]:
    """Published courses for `course_keys`, each in the given locale when it exists there."""
    if not course_keys:
        return []
    chosen: dict[Any, CoursePage] = {}
    for course in CoursePage.objects.live().filter(translation_key__in=course_keys).order_by("code", "pk"):
        current = chosen.get(course.translation_key)
        if current is None or (course.locale_id == locale_id and current.locale_id != locale_id):
            chosen[course.translation_key] = course
    return sorted(chosen.values(), key=lambda c: c.code)


def program_courses(*, program: ProgramPage) -> list[dict]:
    """The program's curriculum in order, each course in the program's language if published."""
    rows = list(program.program_courses.select_related("course").order_by("sort_order"))
    localized = {
        c.translation_key: c
        for c in courses_in_locale(
            course_keys=[row.course.translation_key for row in rows], locale_id=program.locale_id
        )
    }
    return [
        {"course": localized[row.course.translation_key], "is_required": row.is_required}
        for row in rows
        if row.course.translation_key in localized
    ]


def untranslated_url(*, page: Page, locale: Locale, request=None) -> str | None:
    """Where the language switcher sends a visitor asking for `page` in a language it is not
    (yet) published in: a notice in that language's catalogue offering the existing versions."""
    catalogue = CourseCatalogPage.objects.live().filter(locale=locale).order_by("path").first()
    if catalogue is None:
        return None
    base = catalogue.get_url(request)
    if base is None:
        return None
    return base + catalogue.reverse_subpage("untranslated", kwargs={"key": page.translation_key})


def catalogue_search(*, catalogue: CourseCatalogPage, params) -> dict:
    """The catalogue's courses after the visitor's filters and search, and the matching modules.

    Search folds accents on both sides (`migracion` finds `migración`) through each page's
    `folded_text` search field, whatever the database's own full-text search does."""
    from .forms import CatalogueFilterForm

    form = CatalogueFilterForm(params or None)
    courses = (
        CoursePage.objects.live()
        .public()
        .child_of(catalogue)
        .select_related("track", "locale")
        .order_by("code")
    )
    query = ""
    module_hits: list[ModulePage] = []
    filtered = False
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data["track"]:
            courses = courses.filter(track__slug=data["track"])
        if data["level"]:
            courses = courses.filter(level=data["level"])
        if data["language"]:
            courses = courses.filter(delivery_language=data["language"])
        if data["mode"]:
            courses = courses.filter(**{data["mode"]: True})
        query = data["q"].strip()
        filtered = any(data.values())
        if query:
            folded = fold(query)
            course_ids = {
                c.pk
                for c in CoursePage.objects.live()
                .filter(locale=catalogue.locale)
                .descendant_of(catalogue)
                .search(folded, operator="and")
            }
            module_hits = list(
                ModulePage.objects.live().descendant_of(catalogue).search(folded, operator="and")[:30]
            )
            parents = {m.path[: -Page.steplen] for m in module_hits}
            course_ids |= set(CoursePage.objects.filter(path__in=parents).values_list("pk", flat=True))
            courses = courses.filter(pk__in=course_ids)
    courses = list(courses)
    by_path = {c.path: c for c in courses}
    module_hits = [m for m in module_hits if m.path[: -Page.steplen] in by_path]
    for module in module_hits:
        module.course_page = by_path[module.path[: -Page.steplen]]
    untranslated = []
    if not filtered:
        here = CoursePage.objects.filter(locale=catalogue.locale).live().values("translation_key")
        untranslated = list(
            CoursePage.objects.live()
            .public()
            .exclude(locale=catalogue.locale)
            .exclude(translation_key__in=here)
            .select_related("locale", "track")
            .order_by("code")
        )
    return {
        "filter_form": form,
        "courses": courses,
        "module_hits": module_hits,
        "query": query,
        "filtered": filtered,
        "untranslated_courses": untranslated,
        "programs": list(ProgramPage.objects.live().public().child_of(catalogue).order_by("path")),
    }


def catalogue_for_language(*, language_code: str) -> CourseCatalogPage | None:
    """The live course catalogue of one language, if there is one."""
    return (
        CourseCatalogPage.objects.live().filter(locale__language_code=language_code).order_by("path").first()
    )
