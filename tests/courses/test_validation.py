"""Bad input in the admin: a clear error on the field, and nothing saved."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from wagtail.documents.models import Document
from wagtail.test.utils.form_data import inline_formset, nested_form_data, querydict_from_html, streamfield

from courses import services
from courses.models import CoursePage, ModulePage
from courses.videos import parse_video_url

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def video_module(**video):
    value = {"title": "Video", "transcript": "", "embed_url": "", "file": ""}
    value.update(video)
    return nested_form_data(
        {
            "title": "Módulo con video",
            "slug": "modulo-video",
            "body": streamfield([("video", value)]),
            "comments": inline_formset([]),
            "action-publish": "action-publish",
        }
    )


def post_module(client, course, data):
    response = client.post(f"/admin/pages/add/courses/modulepage/{course.pk}/", data)
    assert response.status_code == 200  # the form again, not a redirect
    return response


def body_error_text(response) -> str:
    errors = response.context["form"].errors["body"]
    return str(errors.as_data()[0].as_json_data())


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/watch?v=dQw4w9WgXcQ",
        "https://www.youtube.com/watch?v=short",
        "javascript:alert(1)",
    ],
)
def test_a_broken_embed_url_is_refused(client, admin_user, make_course, url):
    course = make_course(modules=0)
    client.force_login(admin_user)
    response = post_module(client, course, video_module(embed_url=url))
    assert "body" in response.context["form"].errors
    assert not ModulePage.objects.filter(slug="modulo-video").exists()


def test_a_good_embed_url_is_accepted(client, admin_user, make_course):
    course = make_course(modules=0)
    client.force_login(admin_user)
    response = client.post(
        f"/admin/pages/add/courses/modulepage/{course.pk}/",
        video_module(embed_url="https://youtu.be/dQw4w9WgXcQ"),
    )
    assert response.status_code == 302
    assert ModulePage.objects.get(slug="modulo-video").live


def test_video_urls_are_parsed_without_the_network():
    assert parse_video_url("https://www.youtube.com/watch?v=dQw4w9WgXcQ").src == (
        "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"
    )
    assert parse_video_url("https://vimeo.com/76979871").src == "https://player.vimeo.com/video/76979871"
    assert parse_video_url("https://vimeo.com/about") is None
    assert parse_video_url("not a url") is None


def test_an_oversized_video_file_is_refused(client, admin_user, make_course, settings):
    settings.COURSES_MAX_VIDEO_BYTES = 1024
    course = make_course(modules=0)
    video = Document.objects.create(title="Big", file=ContentFile(b"0" * 2048, name="big.mp4"))
    client.force_login(admin_user)
    response = post_module(client, course, video_module(file=video.pk))
    assert "file_too_large" in body_error_text(response) or "1,0" in body_error_text(response)
    assert not ModulePage.objects.filter(slug="modulo-video").exists()

    settings.COURSES_MAX_VIDEO_BYTES = 4096  # the same file within the limit is fine
    response = client.post(f"/admin/pages/add/courses/modulepage/{course.pk}/", video_module(file=video.pk))
    assert response.status_code == 302


def test_a_video_file_must_be_a_video(client, admin_user, make_course):
    course = make_course(modules=0)
    pdf = Document.objects.create(title="Manual", file=ContentFile(b"%PDF-1.4", name="manual.pdf"))
    client.force_login(admin_user)
    response = post_module(client, course, video_module(file=pdf.pk))
    assert "body" in response.context["form"].errors
    assert not ModulePage.objects.filter(slug="modulo-video").exists()


def test_an_oversized_download_is_refused(client, admin_user, make_course, settings):
    settings.COURSES_MAX_DOCUMENT_BYTES = 1024
    course = make_course(modules=0)
    document = Document.objects.create(title="Big", file=ContentFile(b"0" * 2048, name="big.pdf"))
    client.force_login(admin_user)
    data = nested_form_data(
        {
            "title": "Descarga",
            "slug": "descarga",
            "body": streamfield([("document", {"document": document.pk, "title": "", "description": ""})]),
            "comments": inline_formset([]),
            "action-publish": "action-publish",
        }
    )
    response = post_module(client, course, data)
    assert "body" in response.context["form"].errors
    assert not ModulePage.objects.filter(slug="descarga").exists()


def test_the_upload_limit_refuses_an_oversized_file(client, admin_user, site, settings):
    services.courses_setup()
    settings.WAGTAILDOCS_MAX_UPLOAD_SIZE = 1024
    client.force_login(admin_user)
    response = client.post(
        "/admin/documents/add/",
        {"title": "Huge video", "file": SimpleUploadedFile("huge.mp4", b"0" * 2048), "collection": "1"},
    )
    assert response.status_code == 200
    assert "file" in response.context["form"].errors
    assert not Document.objects.filter(title="Huge video").exists()


def edit_course(client, course, **changes):
    """Posts the course's admin edit form as the browser would, with `changes` applied."""
    url = f"/admin/pages/{course.pk}/edit/"
    data = querydict_from_html(client.get(url).content.decode(), form_id="page-edit-form")
    changes.setdefault("online", "on")  # a checked checkbox renders no value attribute
    for name, value in changes.items():
        data.setlist(name, value if isinstance(value, list) else [value])
    data["action-publish"] = "action-publish"
    return client.post(url, dict(data.lists()))  # every value of a multiple choice, not the last


def test_a_prerequisite_cycle_is_refused(client, admin_user, make_course):
    a = make_course(code="AAA-101", slug="a", modules=0)
    b = make_course(code="BBB-201", slug="b", modules=0, prerequisites=[a])
    c = make_course(code="CCC-301", slug="c", modules=0, prerequisites=[b])
    client.force_login(admin_user)

    response = edit_course(client, a, prerequisites=[str(c.pk)])
    assert response.status_code == 200
    errors = response.context["form"].errors["prerequisites"]
    assert "AAA-101 → CCC-301 → BBB-201 → AAA-101" in errors[0]
    a = CoursePage.objects.get(pk=a.pk)
    assert list(a.prerequisites.all()) == []
    assert a.get_latest_revision().content.get("prerequisites") in ([], None)

    response = edit_course(client, c, prerequisites=[str(a.pk), str(b.pk)])  # no cycle: accepted
    assert response.status_code == 302
    assert set(CoursePage.objects.get(pk=c.pk).prerequisites.all()) == {a, b}


def test_a_cycle_through_another_languages_copy_is_refused(make_course, locales, catalogue_en):
    from django.core.exceptions import ValidationError

    a = make_course(code="AAA-101", slug="a", modules=0)
    b = make_course(code="BBB-201", slug="b", modules=0, prerequisites=[a])
    a_en = services.page_translate(page=a, locale=locales[1], fields={"title": "A", "slug": "a"})
    b_en = services.page_translate(page=b, locale=locales[1], fields={"title": "B", "slug": "b"})
    with pytest.raises(ValidationError, match="cycle"):
        services.prerequisites_validate(course=a_en, prerequisites=[b_en])
    with pytest.raises(ValidationError, match="own prerequisite"):
        services.prerequisites_validate(course=a_en, prerequisites=[a])


def test_the_prerequisite_choices_are_the_courses_of_the_same_language(
    client, admin_user, make_course, locales
):
    a = make_course(code="AAA-101", slug="a", modules=0)
    b = make_course(code="BBB-201", slug="b", modules=0)
    client.force_login(admin_user)
    form = client.get(f"/admin/pages/{a.pk}/edit/").context["form"]
    assert list(form.fields["prerequisites"].queryset) == [b]
    assert CoursePage.objects.count() == 2
