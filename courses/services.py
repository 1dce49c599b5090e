"""Writes to course content and its permissions. Views, admin hooks, commands and the demo call
these; nothing else creates courses, assigns instructors or sets up moderation."""

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from wagtail.models import (
    Collection,
    GroupApprovalTask,
    GroupPagePermission,
    Locale,
    Page,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from certification.roles import INSTRUCTORS, PROGRAM_ADMINISTRATORS, ensure_groups, forget_roles

from .models import (
    CourseCatalogPage,
    CourseInstructorGroup,
    CoursePage,
    ModulePage,
    ProgramCourse,
    ProgramPage,
    Track,
)

COURSE_REVIEW_WORKFLOW = "Course review"
COURSE_REVIEW_TASK = "Review by a program administrator"

# Page permissions (Wagtail's types) per role. Instructors may edit and add modules but never
# publish: their changes go through the review workflow.
ADMINISTRATOR_PAGE_PERMISSIONS = ("add", "change", "publish", "bulk_delete", "lock", "unlock")
INSTRUCTOR_PAGE_PERMISSIONS = ("add", "change")
ADMINISTRATOR_COLLECTION_PERMISSIONS = (
    ("wagtailimages", "add_image"),
    ("wagtailimages", "change_image"),
    ("wagtailimages", "delete_image"),
    ("wagtailimages", "choose_image"),
    ("wagtaildocs", "add_document"),
    ("wagtaildocs", "change_document"),
    ("wagtaildocs", "delete_document"),
    ("wagtaildocs", "choose_document"),
)
INSTRUCTOR_COLLECTION_PERMISSIONS = (
    ("wagtailimages", "add_image"),
    ("wagtailimages", "choose_image"),
    ("wagtaildocs", "add_document"),
    ("wagtaildocs", "choose_document"),
)
ADMINISTRATOR_MODEL_PERMISSIONS = (
    ("courses", "add_track"),
    ("courses", "change_track"),
    ("courses", "delete_track"),
    ("courses", "view_track"),
    ("wagtail_localize", "submit_translation"),
)
INSTRUCTOR_MODEL_PERMISSIONS = (("courses", "view_track"),)


def _permission(app_label: str, codename: str) -> Permission:
    if (app_label, codename) == ("wagtail_localize", "submit_translation"):
        # Made by a data migration of wagtail-localize, not by the model's Meta: a database
        # flushed between tests lacks it, so it is made again the way that migration does.
        content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model="translation")
        permission, _ = Permission.objects.get_or_create(
            content_type=content_type, codename=codename, defaults={"name": "Can submit translations"}
        )
        return permission
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def _page_permission(kind: str) -> Permission:
    return _permission("wagtailcore", f"{kind}_page")


def _grant_collection_permissions(group: Group, permissions: Iterable[tuple[str, str]]) -> None:
    from wagtail.models import GroupCollectionPermission

    # The root collection comes from Wagtail's migrations; a flushed test database lacks it.
    root = Collection.get_first_root_node() or Collection.add_root(name="Root")
    for app_label, codename in permissions:
        GroupCollectionPermission.objects.get_or_create(
            group=group, collection=root, permission=_permission(app_label, codename)
        )


# --- setup -------------------------------------------------------------------------------------


@transaction.atomic
def courses_setup() -> Workflow:
    """Idempotent: the groups' permissions and the review workflow on every catalogue.

    Program administrators edit and publish every page; instructors get page permissions only
    per course (`course_assign_instructor`). Every change below a catalogue goes through
    "Course review" (draft -> review by a program administrator -> published) unless the
    editor may publish."""
    groups = ensure_groups()
    admins, instructors = groups[PROGRAM_ADMINISTRATORS], groups[INSTRUCTORS]
    root = Page.get_first_root_node()
    for kind in ADMINISTRATOR_PAGE_PERMISSIONS:
        GroupPagePermission.objects.get_or_create(group=admins, page=root, permission=_page_permission(kind))
    _grant_collection_permissions(admins, ADMINISTRATOR_COLLECTION_PERMISSIONS)
    _grant_collection_permissions(instructors, INSTRUCTOR_COLLECTION_PERMISSIONS)
    admins.permissions.add(*(_permission(a, c) for a, c in ADMINISTRATOR_MODEL_PERMISSIONS))
    instructors.permissions.add(*(_permission(a, c) for a, c in INSTRUCTOR_MODEL_PERMISSIONS))

    task = GroupApprovalTask.objects.filter(name=COURSE_REVIEW_TASK).first()
    if task is None:
        task = GroupApprovalTask.objects.create(name=COURSE_REVIEW_TASK)
    task.groups.set([admins])
    if not task.active:
        task.active = True
        task.save(update_fields=["active"])
    workflow, _created = Workflow.objects.get_or_create(name=COURSE_REVIEW_WORKFLOW)
    if not workflow.active:
        workflow.active = True
        workflow.save(update_fields=["active"])
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task.task_ptr, defaults={"sort_order": 0})
    for catalogue in CourseCatalogPage.objects.all():
        WorkflowPage.objects.update_or_create(page=catalogue, defaults={"workflow": workflow})
    for course in CoursePage.objects.all():
        course_permissions_sync(course=course)
    return workflow


@transaction.atomic
def track_upsert(*, slug: str, name_es: str, name_en: str, sort_order: int = 0) -> Track:
    track = Track.objects.filter(slug=slug).first() or Track(slug=slug)
    track.name_es, track.name_en, track.sort_order = name_es, name_en, sort_order
    track.full_clean()
    track.save()
    return track


# --- instructors -------------------------------------------------------------------------------


def _course_group_name(course: CoursePage) -> str:
    return f"Course instructors: {course.code} [{str(course.translation_key)[:8]}]"


@transaction.atomic
def course_instructor_group_ensure(*, course: CoursePage) -> Group:
    """The group of the course's instructors, with edit rights on every locale's copy."""
    link = (
        CourseInstructorGroup.objects.select_related("group")
        .filter(course_key=course.translation_key)
        .first()
    )
    if link is None:
        group, _created = Group.objects.get_or_create(name=_course_group_name(course))
        link = CourseInstructorGroup.objects.create(course_key=course.translation_key, group=group)
    course_permissions_sync(course=course)
    return link.group


def course_permissions_sync(*, course: CoursePage) -> None:
    """Gives the course's instructor group (if any) its page permissions on every copy of the
    course; called again when a new translation of the course appears."""
    link = (
        CourseInstructorGroup.objects.select_related("group")
        .filter(course_key=course.translation_key)
        .first()
    )
    if link is None:
        return
    permissions = [_page_permission(kind) for kind in INSTRUCTOR_PAGE_PERMISSIONS]
    for copy in CoursePage.objects.filter(translation_key=course.translation_key):
        for permission in permissions:
            GroupPagePermission.objects.get_or_create(group=link.group, page=copy, permission=permission)


@transaction.atomic
def course_assign_instructor(*, course: CoursePage, user) -> Group:
    """Lets `user` edit `course` (in every language) and add its modules; never publish."""
    group = course_instructor_group_ensure(course=course)
    instructors = ensure_groups()[INSTRUCTORS]
    user.groups.add(group, instructors)
    forget_roles(user)  # the same request sees the new course at once
    return group


@transaction.atomic
def course_unassign_instructor(*, course: CoursePage, user) -> None:
    link = CourseInstructorGroup.objects.filter(course_key=course.translation_key).first()
    if link is not None:
        user.groups.remove(link.group)
        forget_roles(user)


# --- validation --------------------------------------------------------------------------------


def prerequisites_validate(*, course: CoursePage, prerequisites: list[CoursePage]) -> None:
    """Refuses a course as its own prerequisite and prerequisites that form a cycle.

    Courses are compared by `course_key`, so a cycle through another language's copy counts."""
    key = course.translation_key
    if any(p.translation_key == key for p in prerequisites):
        raise ValidationError(_("A course cannot be its own prerequisite."), code="prerequisite_self")
    through = CoursePage.prerequisites.through
    edges: dict[Any, set] = {}
    rows = through.objects.exclude(from_coursepage_id=course.pk) if course.pk else through.objects.all()
    for source, target in rows.values_list(
        "from_coursepage__translation_key", "to_coursepage__translation_key"
    ):
        edges.setdefault(source, set()).add(target)
    edges.setdefault(key, set()).update(p.translation_key for p in prerequisites)

    def path_to(start, goal, seen):
        if start == goal:
            return [start]
        seen.add(start)
        for nxt in edges.get(start, ()):
            if nxt not in seen:
                found = path_to(nxt, goal, seen)
                if found:
                    return [start, *found]
        return None

    for prerequisite in prerequisites:
        cycle = path_to(prerequisite.translation_key, key, set())
        if cycle:
            codes = dict(
                CoursePage.objects.filter(translation_key__in=cycle).values_list("translation_key", "code")
            )
            chain = " → ".join(codes.get(k, "?") for k in [key, *cycle])
            raise ValidationError(
                _("These prerequisites would form a cycle: %(chain)s."),
                params={"chain": chain},
                code="prerequisite_cycle",
            )


# --- content -----------------------------------------------------------------------------------


def _save(page: Page, *, user=None, publish: bool = True) -> Page:
    revision = page.save_revision(user=user, log_action=True)
    if publish:
        revision.publish(user=user)
        page.refresh_from_db()
    return page


@transaction.atomic
def catalogue_ensure(*, home: Page, title: str, slug: str, intro: str = "") -> CourseCatalogPage:
    """The catalogue under `home` (one per locale); a translation of the default locale's."""
    catalogue = CourseCatalogPage.objects.child_of(home).first()
    if catalogue is None:
        source = CourseCatalogPage.objects.exclude(locale=home.locale).first()
        if source is not None and home.translation_key == source.get_parent().translation_key:
            catalogue = source.copy_for_translation(home.locale)
        else:
            catalogue = home.add_child(instance=CourseCatalogPage(title=title, slug=slug, locale=home.locale))
    catalogue.title, catalogue.slug, catalogue.intro = title, slug, intro
    return _save(catalogue)


@transaction.atomic
def course_create(
    *,
    catalogue: CourseCatalogPage,
    title: str,
    slug: str,
    code: str,
    track: Track,
    hours: int,
    summary: str,
    prerequisites: Iterable[CoursePage] = (),
    user=None,
    publish: bool = True,
    **fields,
) -> CoursePage:
    course = CoursePage(
        title=title, slug=slug, code=code, track=track, hours=hours, summary=summary, **fields
    )
    course.locale = catalogue.locale
    prerequisites = list(prerequisites)
    prerequisites_validate(course=course, prerequisites=prerequisites)
    course.prerequisites = prerequisites
    catalogue.add_child(instance=course)
    return _save(course, user=user, publish=publish)


@transaction.atomic
def module_create(
    *, course: CoursePage, title: str, slug: str, body: list, user=None, publish: bool = True, **fields
) -> ModulePage:
    module = ModulePage(title=title, slug=slug, body=body, **fields)
    module.locale = course.locale
    course.add_child(instance=module)
    return _save(module, user=user, publish=publish)


@transaction.atomic
def program_create(
    *,
    catalogue: CourseCatalogPage,
    title: str,
    slug: str,
    summary: str,
    courses: list[tuple[CoursePage, bool]],
    user=None,
    publish: bool = True,
    **fields,
) -> ProgramPage:
    """`courses`: (course, is_required) in curriculum order."""
    program = ProgramPage(title=title, slug=slug, summary=summary, **fields)
    program.locale = catalogue.locale
    program.program_courses = [
        ProgramCourse(course=course, is_required=required, sort_order=i)
        for i, (course, required) in enumerate(courses)
    ]
    catalogue.add_child(instance=program)
    return _save(program, user=user, publish=publish)


@transaction.atomic
def page_translate(
    *, page: Page, locale: Locale, fields: dict[str, Any], user=None, publish: bool = True
) -> Page:
    """The copy of `page` in `locale` (same translation_key), created if missing, with `fields`
    (title, slug, text, stream data) set to the translated content."""
    page = page.specific
    translation = page.get_translation_or_none(locale)
    if translation is None:
        translation = page.copy_for_translation(locale)
    translation = translation.specific
    for name, value in fields.items():
        setattr(translation, name, value)
    translation = _save(translation, user=user, publish=publish)
    if isinstance(translation, CoursePage):
        course_permissions_sync(course=translation)
    return translation


@transaction.atomic
def translation_register(*, source: Page, translation: Page) -> int:
    """Hands an existing translation (made with `page_translate`) to wagtail-localize: its
    strings become the translation memory of `source`, so that instructors continue in the
    translation editor and later changes to the source sync into it.

    Strings are matched by their place in the page (field, block id, order); blocks must keep
    their ids across languages (`copy_for_translation` does). Returns how many strings were
    matched; unmatched ones fall back to the source text on the next sync."""
    from collections import defaultdict

    from wagtail_localize.models import StringSegment, StringTranslation, Translation, TranslationSource
    from wagtail_localize.segments import StringSegmentValue
    from wagtail_localize.segments.extract import extract_segments

    source, translation = source.specific, translation.specific
    translation_source, _created = TranslationSource.update_or_create_from_instance(source)
    Translation.objects.update_or_create(
        source=translation_source, target_locale=translation.locale, defaults={"enabled": True}
    )
    translated: dict[str, list[str]] = defaultdict(list)
    for segment in extract_segments(translation):
        if isinstance(segment, StringSegmentValue):
            translated[segment.path].append(segment.string.data)
    seen: dict[str, int] = defaultdict(int)
    matched = 0
    segments = StringSegment.objects.filter(source=translation_source).select_related("string", "context")
    for segment in segments.order_by("order"):
        path = segment.context.path
        index = seen[path]
        seen[path] += 1
        if index < len(translated[path]):
            StringTranslation.objects.update_or_create(
                translation_of=segment.string,
                locale=translation.locale,
                context=segment.context,
                defaults={
                    "data": translated[path][index],
                    "translation_type": StringTranslation.TRANSLATION_TYPE_MANUAL,
                },
            )
            matched += 1
    return matched
