"""Instructors write, program administrators review and publish (Wagtail's workflow)."""

import pytest
from wagtail.models import GroupPagePermission, Workflow, WorkflowPage
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from courses import services
from courses.models import CoursePage, ModulePage

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(make_course, instructor):
    course = make_course(code="BSI-101", modules=1)
    services.course_assign_instructor(course=course, user=instructor)
    return course


@pytest.fixture
def other_course(make_course):
    return make_course(code="DOC-110", title="Documentos", slug="documentos", modules=1)


def module_form(action: str, title="Entrevista en primera línea", slug="entrevista"):
    return nested_form_data(
        {
            "title": title,
            "slug": slug,
            "body": streamfield(
                [("text", {"heading": "Preguntar bien", "text": rich_text("<p>Abiertas.</p>")})]
            ),
            "comments": inline_formset([]),
            action: action,
        }
    )


def current_task_state(page):
    page = ModulePage.objects.get(pk=page.pk)
    return page.current_workflow_task_state


def test_setup_is_idempotent_and_puts_every_catalogue_under_review(catalogue, catalogue_en):
    services.courses_setup()
    services.courses_setup()
    workflow = Workflow.objects.get(name=services.COURSE_REVIEW_WORKFLOW)
    assert workflow.workflow_tasks.count() == 1
    assert set(WorkflowPage.objects.filter(workflow=workflow).values_list("page_id", flat=True)) == {
        catalogue.pk,
        catalogue_en.pk,
    }
    assert catalogue.get_workflow() == workflow


def test_an_instructor_submits_a_module_and_an_administrator_approves_it(
    client, course, instructor, admin_user
):
    client.force_login(instructor)
    response = client.post(f"/admin/pages/add/courses/modulepage/{course.pk}/", module_form("action-submit"))
    assert response.status_code == 302
    module = ModulePage.objects.get(slug="entrevista")
    assert not module.live
    state = current_task_state(module)
    assert state is not None and state.task.name == services.COURSE_REVIEW_TASK

    # The instructor cannot approve their own submission.
    approve_url = f"/admin/pages/workflow/action/{module.pk}/approve/{state.pk}/"
    client.post(approve_url, {})
    assert not ModulePage.objects.get(pk=module.pk).live

    # A program administrator sees it waiting for review, compares and approves it: published.
    client.force_login(admin_user)
    dashboard = client.get("/admin/").content.decode()
    assert "Entrevista en primera línea" in dashboard
    revision = module.get_latest_revision()
    assert client.get(f"/admin/pages/{module.pk}/revisions/{revision.pk}/view/").status_code == 200
    response = client.post(approve_url, {})
    assert response.status_code in (200, 302)
    module = ModulePage.objects.get(pk=module.pk)
    assert module.live
    assert module.live_revision_id == revision.pk
    assert module.current_workflow_state is None


def test_an_instructor_cannot_publish(client, course, instructor):
    client.force_login(instructor)
    client.post(f"/admin/pages/add/courses/modulepage/{course.pk}/", module_form("action-publish"))
    module = ModulePage.objects.filter(slug="entrevista").first()
    assert module is None or not module.live

    existing = course.modules().first()
    edit = client.get(f"/admin/pages/{existing.pk}/edit/")
    assert edit.status_code == 200
    html = edit.content.decode()
    assert 'name="action-submit"' in html
    assert 'name="action-publish"' not in html
    assert not GroupPagePermission.objects.filter(
        group__user=instructor, permission__codename="publish_page"
    ).exists()


def test_an_instructor_cannot_edit_another_instructors_course(client, course, other_course, instructor):
    client.force_login(instructor)
    module = other_course.modules().first()
    assert client.get(f"/admin/pages/{other_course.pk}/edit/").status_code in (302, 403)
    assert client.get(f"/admin/pages/{module.pk}/edit/").status_code in (302, 403)

    response = client.post(
        f"/admin/pages/{module.pk}/edit/", module_form("action-submit", title="Cambiado", slug=module.slug)
    )
    assert response.status_code in (302, 403)
    assert ModulePage.objects.get(pk=module.pk).title == "Módulo 1"
    assert not ModulePage.objects.get(pk=module.pk).has_unpublished_changes

    response = client.post(
        f"/admin/pages/add/courses/modulepage/{other_course.pk}/",
        module_form("action-submit", slug="intrusa"),
    )
    assert response.status_code in (302, 403)
    assert not ModulePage.objects.filter(slug="intrusa").exists()

    # ... while their own course is theirs to edit, in every language.
    assert client.get(f"/admin/pages/{course.pk}/edit/").status_code == 200


def test_the_instructor_edits_the_translation_of_their_course(
    client, course, instructor, locales, catalogue_en
):
    course_en = services.page_translate(
        page=course, locale=locales[1], fields={"title": "Border", "slug": "border"}
    )
    client.force_login(instructor)
    assert client.get(f"/admin/pages/{course_en.pk}/edit/").status_code == 200
    assert CoursePage.objects.get(pk=course_en.pk).permissions_for_user(instructor).can_edit()
    assert not CoursePage.objects.get(pk=course_en.pk).permissions_for_user(instructor).can_publish()


def test_an_administrator_publishes_directly(client, course, admin_user):
    client.force_login(admin_user)
    response = client.post(f"/admin/pages/add/courses/modulepage/{course.pk}/", module_form("action-publish"))
    assert response.status_code == 302
    assert ModulePage.objects.get(slug="entrevista").live


def test_an_administrator_schedules_publication(client, course, admin_user):
    import datetime

    from django.core.management import call_command
    from django.utils import timezone

    client.force_login(admin_user)
    go_live = timezone.now() + datetime.timedelta(days=1)
    data = module_form("action-publish")
    data["go_live_at"] = go_live.strftime("%Y-%m-%d %H:%M")
    client.post(f"/admin/pages/add/courses/modulepage/{course.pk}/", data)
    module = ModulePage.objects.get(slug="entrevista")
    assert not module.live
    revision = module.get_latest_revision()
    assert revision.approved_go_live_at is not None
    # The day has come: move the schedule into the past instead of waiting for it.
    past = timezone.now() - datetime.timedelta(minutes=1)
    revision.approved_go_live_at = past
    revision.content["go_live_at"] = past.isoformat()
    revision.save()
    call_command("publish_scheduled")
    assert ModulePage.objects.get(pk=module.pk).live
