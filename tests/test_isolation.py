"""Agency isolation: a head of agency A gets 404 for every object of agency B, on every URL
our apps serve (derived from the URL configuration, so a new URL is covered automatically)."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

pytestmark = pytest.mark.django_db

OUR_APPS = ("certification.", "courses.", "home.")


def our_patterns(patterns=None, namespace=""):
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from our_patterns(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.callback.__module__.startswith(OUR_APPS) and entry.name:
            yield f"{namespace}{entry.name}", entry


def a_course(world):
    from courses import services
    from home.models import HomePage

    home = HomePage.objects.get(locale__language_code="es")
    catalogue = services.catalogue_ensure(home=home, title="Catálogo", slug="cursos")
    track = services.track_upsert(slug="border", name_es="Fronteras", name_en="Borders")
    return services.course_create(
        catalogue=catalogue,
        title="Curso",
        slug="iso-101",
        code="ISO-101",
        track=track,
        hours=8,
        summary="Resumen.",
        publish=True,
        online=True,
    )


def enrollment_of(world, agency):
    """An enrollment of agency `agency`'s officer, in a session of its own (taught by nobody)."""
    import datetime

    from courses.models import ClassSession, CoursePage, Enrollment

    course = CoursePage.objects.filter(code="ISO-101").first() or a_course(world)
    today = datetime.date.today()
    session = ClassSession.objects.create(
        course=course,
        course_key=course.translation_key,
        code=f"ISO-{agency}",
        starts_on=today,
        ends_on=today,
        capacity=5,
        status=ClassSession.Status.IN_PROGRESS,
    )
    return Enrollment.objects.create(
        trainee=getattr(world, f"trainee_{agency}"),
        course=course,
        course_key=course.translation_key,
        session=session,
        status=Enrollment.Status.ENROLLED,
    )


def certificate_of(world, agency):
    """A certificate of agency `agency`'s officer, with its PDF rendered."""
    from certification import services as registry
    from certification.services_certificates import certificate_issue
    from certification.tasks import certificate_pdf_render

    credential = registry.credential_upsert(code="iso", name_es="Iso", name_en="Iso", validity_months=12)
    trainee = getattr(world, f"trainee_{agency}")
    certificate = certificate_issue(
        trainee=trainee,
        credential=credential,
        award_key=f"isolation:{agency}",
        source="course",
        evidence={
            "trainee_name": trainee.full_name,
            "credential_name_es": "Iso",
            "credential_name_en": "Iso",
        },
    )
    certificate_pdf_render(certificate.pk)
    # A document as evidence, so the evidence download is an object URL like the others.
    from django.core.files.base import ContentFile

    certificate.evidence_document.save(f"isolation-{agency}.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"))
    return certificate


def object_kwargs(world, agency):
    """The objects each URL keyword names, for `agency` ("a" or "b"). A class session is no
    agency's: the one named here holds agency `agency`'s officer, and its pages are for its
    instructors and program administrators only."""
    from certification.models import ImportJob

    job = ImportJob.objects.create(
        kind=ImportJob.Kind.PERSONNEL, agency=getattr(world, f"agency_{agency}"), original_name="x.csv"
    )
    enrollment = enrollment_of(world, agency)
    certificate = certificate_of(world, agency)
    sheet = practical_sheet_of(enrollment.course)
    batch = certificate_batch_of(world, agency)
    return {
        "agency_id": getattr(world, f"agency_{agency}").id,
        "trainee_id": getattr(world, f"trainee_{agency}").id,
        "unit_id": getattr(world, f"unit_{agency}").id,
        "job_id": job.id,
        "enrollment_id": enrollment.id,
        "session_id": enrollment.session_id,
        "certificate_id": certificate.id,
        "sheet_id": sheet.id,
        "batch_id": batch.id,
    }


def certificate_batch_of(world, agency):
    """A finished ZIP of agency `agency`'s current certificates, started by its head (a batch
    is seen by whoever started it, within their own agency, and by program administrators)."""
    from certification.services_batches import batch_agency_zip_start, batch_run

    batch = batch_agency_zip_start(
        actor=getattr(world, f"head_{agency}"), agency=getattr(world, f"agency_{agency}")
    )
    return batch_run(batch_id=batch.id)


def practical_sheet_of(course):
    """The course's one practical score sheet (no agency's: its pages are scoped by the session)."""
    from courses.models import ScoreSheet, ScoreSheetItem

    sheet = ScoreSheet.objects.filter(course_key=course.translation_key).first()
    if sheet is None:
        key = course.translation_key
        sheet = ScoreSheet.objects.create(
            course=course, course_key=key, title_es="Hoja", title_en="Sheet", published=True
        )
        ScoreSheetItem.objects.create(sheet=sheet, position=1, text_es="Ítem", text_en="Item")
    return sheet


# Pages for program administrators and instructors only: agency staff get 404 even for a
# session that holds their own officers (it also lists other agencies' officers). The
# certificate batches of a session (issue them all, download them as a ZIP) live in the
# registry, under /agency/sessions/, and are for program administrators only.
NOT_FOR_AGENCY_STAFF = (
    "/vetting/",
    "/training/sessions/",
    "/practicals/",
    "/exams/sessions/",
    "/agency/sessions/",
)
# POST-only object URLs: a GET is 405 for those who may POST.
POST_ONLY = ("/status/",)


# Keywords that name no object: one value each is enough.
PLAIN_VALUES = {"fmt": "csv", "variant": "valid"}


def object_urls(world, agency):
    values = object_kwargs(world, agency)
    urls = []
    for name, pattern in our_patterns():
        keywords = list(pattern.pattern.converters)
        if not any(k in values for k in keywords):
            continue
        unknown = [k for k in keywords if k not in values and k not in PLAIN_VALUES]
        assert not unknown, f"{name} takes {unknown}: teach tests/test_isolation.py which object that is"
        urls.append(reverse(name, kwargs={k: values.get(k, PLAIN_VALUES.get(k)) for k in keywords}))
    return urls


def test_every_object_url_is_covered(world):
    urls = object_urls(world, "b")
    assert len(urls) >= 7  # the registry's own object pages, at least


@pytest.mark.parametrize("role", ["head_a", "coordinator_a"])
def test_agency_staff_get_404_for_every_object_of_another_agency(client, world, role):
    client.force_login(getattr(world, role))
    for url in object_urls(world, "b"):
        assert client.get(url).status_code == 404, f"GET {url}"
        assert client.post(url, {}).status_code in (404, 405), f"POST {url}"


def test_the_same_urls_work_for_their_own_agency(client, world):
    client.force_login(world.head_a)
    for url in object_urls(world, "a"):
        if any(part in url for part in NOT_FOR_AGENCY_STAFF):
            assert client.get(url).status_code == 404, url
            continue
        assert client.get(url).status_code == 200, f"GET {url}"


def test_a_trainee_sees_only_themself(client, world):
    client.force_login(world.officer_user_a)
    for url in object_urls(world, "b"):
        assert client.get(url).status_code == 404, url
    assert client.get(reverse("registry:personnel_detail", args=[world.trainee_a2.id])).status_code == 404
    assert client.get(reverse("registry:personnel_list", args=[world.agency_a.id])).status_code == 404


def test_instructors_without_classes_see_no_officers(client, world):
    client.force_login(world.instructor)
    for url in object_urls(world, "a") + object_urls(world, "b"):
        assert client.get(url).status_code == 404, url


def test_program_administrators_see_every_agency(client, world):
    client.force_login(world.admin)
    for url in object_urls(world, "b"):
        expected = 405 if url.endswith(POST_ONLY) and "/training/sessions/" in url else 200
        assert client.get(url).status_code == expected, url


@pytest.mark.parametrize("role", ["head_a", "coordinator_a", "instructor", "officer_user_a"])
def test_vetting_exchange_is_for_program_administrators_only(client, world, role):
    client.force_login(getattr(world, role))
    for url in (
        reverse("registry:vetting_awaiting_export", args=["csv"]),
        reverse("registry:vetting_import"),
    ):
        assert client.get(url).status_code == 404, url
