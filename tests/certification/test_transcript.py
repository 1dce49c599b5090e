"""The officer's transcript, page and PDF: every course with its session, status, exam and
practical results, attendance and certificate; every certificate in the status a checkpoint
sees; training recorded elsewhere; in the reader's language; names escaped; a fixed number of
queries; who may read it (everyone else 404) and an audit entry per PDF download."""

import datetime
import io
import re
import unicodedata

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader
from wagtail.models import Locale

from certification import services as registry
from certification.models import AuditEntry, Certificate, Trainee
from certification.services_certificates import certificate_issue
from certification.services_personnel import trainee_create, trainee_update
from courses import services
from courses import services_enrollment as svc
from courses.models import Attempt, Attendance, ClassSession, Enrollment, PracticalResult
from courses.services_practical import practical_record, scoresheet_create
from home.models import HomePage
from tests.certification.test_roster import certificate
from tests.courses.test_assessment_attempts import make_exam, right_choice, wrong_choice
from tests.courses.test_assessment_results import take

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)
SS = ClassSession.Status


def page_url(trainee, language="en"):
    return f"/{language}" + reverse("registry:transcript", args=[trainee.pk])[3:]


def pdf_url(trainee, language="en"):
    return f"/{language}" + reverse("registry:transcript_pdf", args=[trainee.pk])[3:]


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    text = unicodedata.normalize("NFC", "\n".join(page.extract_text() for page in reader.pages))
    return " ".join(text.split())


def rows_by_serial(html: str) -> dict[str, str]:
    """Serial -> the status the certificates table shows for it (its data-status)."""
    return {
        serial: status
        for status, serial in re.findall(r'<tr data-status="([a-z]+)" data-serial="([^"]+)">', html)
    }


@pytest.fixture
def catalogue(world):
    es, en = Locale.objects.get(language_code="es"), Locale.objects.get(language_code="en")
    home = HomePage.objects.get(locale=es)
    catalogue = services.catalogue_ensure(home=home, title="Catálogo", slug="cursos")
    services.catalogue_ensure(home=home.get_translation(en), title="Catalogue", slug="courses")
    track = services.track_upsert(slug="border", name_es="Fronteras", name_en="Borders")
    return catalogue, track, en


@pytest.fixture
def bsi(catalogue):
    """A 40-hour course awarding a credential, published in Spanish and English."""
    catalogue, track, en = catalogue
    credential = registry.credential_upsert(
        code="bsi", name_es="Interdicción fronteriza", name_en="Border interdiction", validity_months=24
    )
    course = services.course_create(
        catalogue=catalogue,
        title="Interdicción fronteriza",
        slug="bsi-101",
        code="BSI-101",
        track=track,
        hours=40,
        summary="Resumen.",
        online=True,
        credential=credential,
    )
    services.page_translate(
        page=course, locale=en, fields={"title": "Border interdiction course", "slug": "bsi-101"}
    )
    return course


@pytest.fixture
def doc(catalogue):
    """A 16-hour course in Spanish only."""
    catalogue, track, _en = catalogue
    return services.course_create(
        catalogue=catalogue,
        title="Detección de documentos falsos",
        slug="doc-110",
        code="DOC-110",
        track=track,
        hours=16,
        summary="Resumen.",
        online=True,
    )


def running_session(world, course, code, **fields):
    """A session of `course` taught by world.instructor, started three days ago, with trainee_a
    nominated by their head and approved."""
    fields.setdefault("starts_on", TODAY - 3 * DAY)
    fields.setdefault("ends_on", TODAY + DAY)
    session = svc.session_create(
        actor=world.admin,
        course=course,
        code=code,
        capacity=10,
        academy="Academia Regional",
        city="San Salvador",
        country=world.gt,
        nomination_deadline=None,
        instructors=[world.instructor],
        **fields,
    )
    svc.session_transition(actor=world.admin, session=session, to_status=SS.OPEN)
    (enrollment,) = svc.enrollment_nominate(actor=world.head_a, session=session, trainees=[world.trainee_a])
    return session, enrollment


@pytest.fixture
def history(world, bsi, doc, django_capture_on_commit_callbacks):
    """trainee_a: BSI-101 completed (exam 50% then 100%, practical passed, attendance 2 of 3
    counted days, its certificate issued and rendered); DOC-110 withdrawn; four certificates
    in the other statuses; one course done at another institution."""
    session, enrollment = running_session(world, bsi, "BSI-101-01")
    svc.session_transition(actor=world.admin, session=session, to_status=SS.IN_PROGRESS)
    svc.enrollment_approve(actor=world.admin, enrollment=enrollment)
    exam = make_exam(bsi, pool=2, max_attempts=2, title="Examen final")
    make_exam(bsi, pool=2, max_attempts=2, language="en", group_key=exam.group_key, title="Final exam")
    marks = {3: "present", 2: "late", 1: "absent", 0: "excused"}
    for days_ago, mark in marks.items():
        svc.attendance_record(
            actor=world.instructor, session=session, on=TODAY - days_ago * DAY, marks={enrollment.pk: mark}
        )
    sheet = scoresheet_create(
        actor=world.admin,
        course=bsi,
        title_es="Registro de vehículo",
        title_en="Vehicle search",
        kind="checklist",
        items=[{"text_es": "Revisa el maletero", "text_en": "Checks the trunk"}],
        published=True,
    )
    practical_record(
        evaluator=world.instructor,
        enrollment=enrollment,
        sheet=sheet,
        scores={sheet.items.get().pk: True},
    )
    q1, q2 = exam.questions.all()
    take(world, exam, {q1: [right_choice(q1)], q2: [wrong_choice(q2)]})
    with django_capture_on_commit_callbacks(execute=True):  # the certificate's PDF renders
        take(world, exam, {q1: [right_choice(q1)], q2: [right_choice(q2)]})
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.COMPLETED
    earned = Certificate.objects.get(award_key=f"enrollment:{enrollment.pk}")
    assert earned.pdf

    _session, dropped = running_session(
        world, doc, "DOC-110-01", starts_on=TODAY + 10 * DAY, ends_on=TODAY + 12 * DAY
    )
    svc.enrollment_withdraw(actor=world.head_a, enrollment=dropped, reason="Servicio urgente")

    def credential(code, es, en):
        return registry.credential_upsert(code=code, name_es=es, name_en=en, validity_months=12)

    others = {
        "expired": certificate(
            world.trainee_a, credential("veh", "Vehículos", "Vehicles"), expires_on=TODAY - 10 * DAY
        ),
        "suspended": certificate(
            world.trainee_a,
            credential("port", "Puertos", "Ports"),
            expires_on=TODAY + 100 * DAY,
            status="suspended",
        ),
        "revoked": certificate(
            world.trainee_a,
            credential("air", "Aeropuertos", "Airports"),
            expires_on=TODAY + 100 * DAY,
            status="revoked",
        ),
        "superseded": certificate(
            world.trainee_a,
            credential("fin", "Finanzas", "Finance"),
            expires_on=TODAY + 100 * DAY,
            status="superseded",
        ),
    }
    external = certificate_issue(
        trainee=world.trainee_a,
        credential=credential("ilea", "Análisis de documentos", "Document analysis"),
        award_key="external:ilea-2025",
        source=Certificate.Source.EXTERNAL,
        actor=world.admin,
        reason="Curso verificado con la academia.",
        evidence={
            "trainee_name": world.trainee_a.full_name,
            "external_institution": "ILEA <i>San Salvador</i>",
            "external_course_name": "Análisis forense de documentos",
            "course_title_es": "Análisis forense de documentos",
            "course_title_en": "Análisis forense de documentos",
            "hours": 24,
            "session_start": "2025-03-03",
            "session_end": "2025-03-07",
        },
        evidence_document=SimpleUploadedFile("constancia.pdf", b"%PDF-1.4 constancia"),
    )
    return {"enrollment": enrollment, "dropped": dropped, "earned": earned, "external": external, **others}


# --- content -------------------------------------------------------------------------------------


def test_the_page_shows_every_course_result_and_certificate(client, world, history):
    client.force_login(world.officer_user_a)
    response = client.get(page_url(world.trainee_a))
    assert response.status_code == 200
    html = response.content.decode()
    courses = html.split('data-testid="transcript-courses"')[1].split("</table>")[0]
    # Most recent first: the withdrawn nomination, then the completed course.
    withdrawn, completed = courses.split('<tr data-status="withdrawn">')[1].split(
        '<tr data-status="completed">'
    )
    # The completed course: its English title, session, place, best exam score, practical,
    # attendance (present and late of three counted days; the excused one does not count), certificate.
    assert "BSI-101 Border interdiction course" in completed
    assert "BSI-101-01" in completed and "Academia Regional, San Salvador" in completed
    assert "Final exam: 100% (passed)" in completed
    assert "Vehicle search: passed" in completed
    assert "67%" in completed
    assert history["earned"].serial in completed
    assert "Completed" in completed
    # The withdrawn one: still on the record, with no results.
    assert "DOC-110 Detección de documentos falsos" in withdrawn  # no English copy: the Spanish title
    assert "Withdrawn" in withdrawn and "DOC-110-01" in withdrawn
    # Every certificate in the status a checkpoint sees.
    shown = rows_by_serial(html)
    expected = {history["earned"].serial: "valid", history["external"].serial: "valid"}
    expected.update({history[s].serial: s for s in ("expired", "suspended", "revoked", "superseded")})
    assert shown == expected
    for label in ("Valid", "Expired", "Suspended", "Revoked", "Superseded"):
        assert f">{label}</span>" in html
    # Training elsewhere, with its institution, course, hours and dates.
    external = html.split('data-testid="transcript-external"')[1].split("</table>")[0]
    assert "ILEA &lt;i&gt;San Salvador&lt;/i&gt;" in external
    assert "Análisis forense de documentos" in external and ">24<" in external
    # The officer downloads their own certificate's PDF; each certificate can be verified.
    assert reverse("registry:certificate_pdf", args=[history["earned"].pk]) in html
    assert f"/verify/{history['expired'].verification_code}/" in html
    assert reverse("registry:transcript_pdf", args=[world.trainee_a.pk])[3:] in html
    assert "1 · 40 hours" in html  # one course completed, its hours


def test_the_page_and_the_pdf_speak_the_readers_language(client, world, history):
    client.force_login(world.head_a)
    spanish = client.get(page_url(world.trainee_a, "es")).content.decode()
    english = client.get(page_url(world.trainee_a, "en")).content.decode()
    es_words = ("Interdicción fronteriza", "Completado", "Retirado", "Vigente", "Vencido", "Suspendido")
    es_words += ("Revocado", "Reemplazado", "Documento nacional de identidad", "Examen final")
    en_words = ("Border interdiction course", "Completed", "Withdrawn", "Valid", "Expired", "Suspended")
    en_words += ("Revoked", "Superseded", "National identity card", "Final exam")
    for word in es_words:
        assert word in spanish, word
    for word in ("Withdrawn", "Superseded", "National identity card", "Final exam"):
        assert word not in spanish, word
    for word in en_words:
        assert word in english, word
    for word in ("Retirado", "Reemplazado", "Examen final"):
        assert word not in english, word

    response = client.get(pdf_url(world.trainee_a, "es"))
    assert response.status_code == 200
    text_es = pdf_text(response.content)
    text_en = pdf_text(client.get(pdf_url(world.trainee_a, "en")).content)
    for word in es_words + ("María José Núñez Peña", "Policía Nacional Civil", "2547 81234 0101"):
        assert word in text_es, word
    for word in en_words + ("María José Núñez Peña", "National Civil Police", "Guatemala"):
        assert word in text_en, word
    assert "Retirado" not in text_en and "Withdrawn" not in text_es
    assert history["earned"].serial in text_en and "/verify/" in text_en
    assert "Análisis forense de documentos" in text_en
    assert "ILEA<i>SanSalvador</i>" in text_en.replace(" ", "")  # as typed (a line may wrap after "/")


def test_html_in_names_is_shown_as_text_in_the_page_and_the_pdf(client, world):
    trainee_update(actor=world.head_a, trainee=world.trainee_a, given_names='<script>alert("x")</script> Ana')
    client.force_login(world.head_a)
    html = client.get(page_url(world.trainee_a)).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Ana Núñez Peña" in html
    text = pdf_text(client.get(pdf_url(world.trainee_a)).content)
    assert '<script>alert("x")</script> Ana Núñez Peña' in text


def test_an_officer_with_no_history_gets_an_empty_transcript(client, world):
    client.force_login(world.head_a)
    html = client.get(page_url(world.trainee_a2)).content.decode()
    assert "No courses yet." in html and "No certificates yet." in html and "None recorded." in html
    assert "Óscar O&#x27;Connor" in html
    assert "No courses yet." in pdf_text(client.get(pdf_url(world.trainee_a2)).content)


# --- queries -------------------------------------------------------------------------------------


def add_enrollments(world, course, exam, sheet, count, start):
    """`count` completed enrollments of trainee_a, each in its own session, with attendance, an
    attempt, a practical result and a certificate (rows written directly: only their number matters)."""
    credential = course.credential
    for n in range(start, start + count):
        session = ClassSession.objects.create(
            course=course,
            course_key=course.translation_key,
            code=f"Q-{n:03d}",
            starts_on=TODAY - 5 * DAY,
            ends_on=TODAY - 4 * DAY,
            capacity=5,
            status=SS.CLOSED,
            country=world.gt,
        )
        enrollment = Enrollment.objects.create(
            trainee=world.trainee_a,
            course=course,
            course_key=course.translation_key,
            session=session,
            status=Enrollment.Status.COMPLETED,
            completed_at=timezone.now(),
        )
        Attendance.objects.create(enrollment=enrollment, date=session.starts_on, status="present")
        Attempt.objects.create(
            enrollment=enrollment,
            exam=exam,
            exam_group_key=exam.group_key,
            number=1,
            status="submitted",
            started_at=timezone.now(),
            submitted_at=timezone.now(),
            score_percent=80 + n % 20,
            passed=True,
        )
        PracticalResult.objects.create(
            enrollment=enrollment,
            sheet=sheet,
            evaluator=world.instructor,
            evaluated_at=timezone.now(),
            passed=True,
        )
        made = certificate(world.trainee_a, credential, expires_on=TODAY + 300 * DAY)
        Certificate.objects.filter(pk=made.pk).update(award_key=f"enrollment:{enrollment.pk}")


def test_the_page_and_the_pdf_take_a_fixed_number_of_queries(client, world, bsi):
    exam = make_exam(bsi, pool=1)
    sheet = scoresheet_create(
        actor=world.admin,
        course=bsi,
        title_es="Hoja",
        title_en="Sheet",
        kind="checklist",
        items=[{"text_es": "Ítem", "text_en": "Item"}],
        published=True,
    )
    client.force_login(world.head_a)

    def count(url):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    add_enrollments(world, bsi, exam, sheet, 2, start=0)
    count(page_url(world.trainee_a))  # the first request fills per-process caches (locales, sites)
    small = count(page_url(world.trainee_a)), count(pdf_url(world.trainee_a))
    add_enrollments(world, bsi, exam, sheet, 8, start=2)
    html = client.get(page_url(world.trainee_a)).content.decode()
    assert html.count('<tr data-status="completed">') == 10
    large = count(page_url(world.trainee_a)), count(pdf_url(world.trainee_a))
    assert large == small
    # 8 of them the transcript's; the rest session, user, layout, and the PDF's audit entry
    assert small[0] <= 16 and small[1] <= 18, small


# --- access and audit ----------------------------------------------------------------------------


def other_trainee_user(world):
    user = registry.user_ensure(email="officer.a2@test.carsi", password=world.password)
    trainee_create(
        actor=None,
        agency=world.agency_a,
        id_country=world.gt,
        id_type=Trainee.IdType.NATIONAL_ID,
        id_number="1111 22222 0303",
        given_names="Luis",
        first_surname="Pérez",
        user=user,
    )
    return user


@pytest.mark.parametrize("role", ["officer_user_a", "head_a", "coordinator_a", "admin"])
def test_the_officer_their_agency_and_administrators_read_it(client, world, role):
    client.force_login(getattr(world, role))
    assert client.get(page_url(world.trainee_a)).status_code == 200
    response = client.get(pdf_url(world.trainee_a))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response.content.startswith(b"%PDF")


@pytest.mark.parametrize("role", ["head_b", "other_trainee", "instructor"])
def test_anyone_else_gets_404_and_nothing_is_recorded(client, world, role):
    user = other_trainee_user(world) if role == "other_trainee" else getattr(world, role)
    client.force_login(user)
    for url in (page_url(world.trainee_a), pdf_url(world.trainee_a), page_url(world.trainee_a, "es")):
        assert client.get(url).status_code == 404, url
    assert client.get(pdf_url(Trainee(pk=999999))).status_code == 404  # no such officer: the same answer
    assert not AuditEntry.objects.exists()


def test_anonymous_visitors_are_sent_to_log_in(client, world):
    for url in (page_url(world.trainee_a), pdf_url(world.trainee_a)):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not AuditEntry.objects.exists()


def test_an_instructor_of_the_officers_class_reads_it_but_downloads_no_certificate(client, world, history):
    client.force_login(world.instructor)
    html = client.get(page_url(world.trainee_a)).content.decode()
    assert history["earned"].serial in html
    assert reverse("registry:certificate_pdf", args=[history["earned"].pk]) not in html
    assert 'data-testid="certificate-download"' not in html
    client.force_login(world.head_a)
    assert (
        reverse("registry:certificate_pdf", args=[history["earned"].pk])
        in client.get(page_url(world.trainee_a)).content.decode()
    )


def test_each_pdf_download_is_recorded_in_the_audit_trail(client, world):
    client.force_login(world.head_a)
    client.get(page_url(world.trainee_a))
    assert not AuditEntry.objects.exists()  # reading the page is not an export
    client.get(pdf_url(world.trainee_a, "es"))
    client.get(pdf_url(world.trainee_a, "en"))
    entries = list(AuditEntry.objects.order_by("id"))
    assert len(entries) == 2
    for entry, language in zip(entries, ("es", "en"), strict=True):
        assert entry.action == AuditEntry.Action.TRANSCRIPT_EXPORT
        assert entry.actor == world.head_a and entry.actor_email == "head.a@test.carsi"
        assert entry.agency == world.agency_a
        assert world.trainee_a.full_name in entry.target
        assert entry.details["trainee"] == world.trainee_a.pk and entry.details["language"] == language
    client.force_login(world.officer_user_a)
    client.get(pdf_url(world.trainee_a))
    assert AuditEntry.objects.filter(actor=world.officer_user_a).count() == 1


def test_a_post_changes_nothing(client, world):
    client.force_login(world.head_a)
    assert client.post(page_url(world.trainee_a)).status_code == 405
    assert client.post(pdf_url(world.trainee_a)).status_code == 405
    assert not AuditEntry.objects.exists()


def test_the_personnel_page_and_my_training_link_to_the_transcript(client, world):
    client.force_login(world.officer_user_a)
    url = reverse("registry:transcript", args=[world.trainee_a.pk])[3:]
    assert (
        url
        in client.get(
            "/en" + reverse("registry:personnel_detail", args=[world.trainee_a.pk])[3:]
        ).content.decode()
    )
    assert url in client.get("/en" + reverse("training:my_training")[3:]).content.decode()
