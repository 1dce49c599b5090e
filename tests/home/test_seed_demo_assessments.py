"""seed_demo's exams, practical evaluations and certificates (courses.demo_exams,
courses.demo_practicals, certification.demo_certificates).

Seeding takes a while, so the module seeds once (twice, to check it is idempotent) inside a
transaction rolled back at the end, and each test reads that world from its own savepoint."""

import datetime
import hashlib
import io
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.db import connection, transaction
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ReferenceIndex

from certification.demo_certificates import case_certificates
from certification.models import Certificate, CertificateEvent, Credential
from certification.selectors_certificates import certificate_by_code
from courses.demo_exam_questions import EXAMS
from courses.demo_exams import exam_group_key
from courses.models import CoursePage
from courses.models_assessment import Attempt, Exam, Question, Response
from courses.models_enrollment import ClassSession, Enrollment, EnrollmentTransition
from courses.models_practical import PracticalAudit, PracticalResult, ScoreSheet
from courses.selectors_assessment import exam_standing, item_analysis
from courses.services_assessment import attempt_start

pytestmark = pytest.mark.django_db

K = Question.Kind
C = Certificate.Status
TRAINEES = ("trainee1@demo.carsi.test", "trainee2@demo.carsi.test", "trainee3@demo.carsi.test")


def snapshot() -> dict:
    """Every table's row count, and what the demo's assessments and certificates say."""
    return {
        # Wagtail's reference index is a cache of references, not demo data (and the registry's
        # upserts fill in the agencies' entries on a second run).
        "rows": {m._meta.label: m.objects.count() for m in apps.get_models() if m is not ReferenceIndex},
        "exams": sorted(Exam.objects.values_list("group_key", "language", "title", "published")),
        "attempts": sorted(
            Attempt.objects.values_list("enrollment_id", "number", "status", "score_percent", "passed")
        ),
        "practicals": sorted(PracticalResult.objects.values_list("enrollment_id", "sheet_id", "passed")),
        "certificates": sorted(
            Certificate.objects.values_list(
                "serial", "verification_code", "status", "pdf_sha256", "previous_id"
            )
        ),
        "users": sorted(get_user_model().objects.values_list("email", "password")),
    }


@dataclass
class Seeded:
    media: Path
    output: str
    first: dict
    second: dict
    mail_sent: int
    unmailed_steps: int


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("demo-media")
    mail.outbox = []
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media), transaction.atomic():
        out = io.StringIO()
        # As a real run: after-commit work (PDFs, e-mail tasks) runs once the seed is done.
        with TestCase.captureOnCommitCallbacks(execute=True):
            call_command("seed_demo", stdout=out)
        first = snapshot()
        with TestCase.captureOnCommitCallbacks(execute=True):
            call_command("seed_demo", stdout=io.StringIO())
        unmailed = EnrollmentTransition.objects.filter(emailed_at__isnull=True).count()
        yield Seeded(media, out.getvalue(), first, snapshot(), len(mail.outbox), unmailed)
        transaction.set_rollback(True)


def test_seeding_twice_changes_nothing_and_mails_nobody(seeded):
    assert seeded.first["rows"].items() ^ seeded.second["rows"].items() == set()
    assert seeded.first == seeded.second
    assert seeded.mail_sent == 0
    assert seeded.unmailed_steps == 0  # the demo's history is marked as already told


# --- exams -----------------------------------------------------------------------------------------


def test_every_demo_course_has_its_exam_in_both_languages_saying_the_same(seeded):
    courses = CoursePage.objects.filter(locale__language_code="es")
    assert {c.code for c in courses} == set(EXAMS)
    for course in courses:
        copies = {e.language: e for e in Exam.objects.filter(group_key=exam_group_key(course.code))}
        assert set(copies) == {"es", "en"}, course.code
        es, en = copies["es"], copies["en"]
        assert es.course_key == en.course_key == course.translation_key
        assert es.published and en.published and es.is_required
        assert es.title != en.title
        assert (es.questions_per_attempt, es.pass_mark_percent, es.time_limit_minutes, es.max_attempts) == (
            en.questions_per_attempt,
            en.pass_mark_percent,
            en.time_limit_minutes,
            en.max_attempts,
        )
        assert list(es.per_topic.values()) == list(en.per_topic.values())
        questions = {
            lang: list(e.questions.order_by("position").prefetch_related("choices"))
            for lang, e in copies.items()
        }
        assert len(questions["es"]) == len(questions["en"]) >= 20, course.code
        for q_es, q_en in zip(questions["es"], questions["en"], strict=True):
            assert (q_es.kind, q_es.points, q_es.partial_credit) == (
                q_en.kind,
                q_en.points,
                q_en.partial_credit,
            )
            assert q_es.text != q_en.text and q_es.explanation and q_en.explanation
            key = [(c.position, c.is_correct) for c in q_es.choices.all()]
            assert key == [(c.position, c.is_correct) for c in q_en.choices.all()]


def test_the_exams_mix_every_kind_of_question_and_setting(seeded):
    exams = list(Exam.objects.all())
    assert len(exams) == 2 * len(EXAMS)
    kinds = Counter(Question.objects.values_list("kind", "partial_credit"))
    for kind in K.values:
        assert any(k == kind for k, _partial in kinds), kind
    assert kinds[(K.MULTIPLE, True)] and kinds[(K.MULTIPLE, False)]  # partial credit and all-or-nothing
    for exam in exams:  # every exam mixes every kind, with a couple of written answers
        assert set(exam.questions.values_list("kind", flat=True)) == set(K.values), exam
        assert exam.questions.filter(kind=K.SHORT_ANSWER).count() >= 2
    assert any(e.per_topic for e in exams)
    assert any(e.questions_per_attempt and e.questions_per_attempt < e.questions.count() for e in exams)
    assert len({e.review_policy for e in exams}) == len(Exam.ReviewPolicy.values)
    assert len({e.review_timing for e in exams}) == len(Exam.ReviewTiming.values)
    assert all(e.time_limit_minutes for e in exams)
    assert any(e.min_delay_minutes for e in exams) and any(e.max_attempts > 1 for e in exams)


# --- attempts -------------------------------------------------------------------------------------


def test_the_classes_have_submitted_attempts_that_pass_and_fail(seeded):
    for code in ("DEMO-BSI-2026-01", "DEMO-DOC-2026-01", "DEMO-DOC-2025-04"):
        session = ClassSession.objects.get(code=code)
        attempts = Attempt.objects.filter(enrollment__session=session)
        assert attempts.exclude(status=Attempt.Status.SUBMITTED).count() == 0, code
        assert attempts.filter(passed=True).exists() and attempts.filter(passed=False).exists(), code
        assert attempts.filter(number=2).exists(), code  # a few retook it
        trainees = attempts.values("enrollment__trainee").distinct().count()
        assert trainees >= 6, code
        for attempt in attempts.select_related("exam"):
            # The clock: within the class's dates, the time limit kept.
            assert session.starts_on <= timezone.localtime(attempt.started_at).date() <= session.ends_on
            assert attempt.started_at < attempt.submitted_at <= attempt.deadline < timezone.now()
    closed = Attempt.objects.filter(enrollment__session__code="DEMO-DOC-2025-04")
    assert closed.filter(exam__language="en").exists()  # the Belizean officers sat it in English
    # Retakes waited for the exam's delay.
    for retake in Attempt.objects.filter(number=2).select_related("exam"):
        before = Attempt.objects.get(enrollment=retake.enrollment, number=1)
        assert retake.started_at >= before.submitted_at + datetime.timedelta(
            minutes=retake.exam.min_delay_minutes
        )


def test_one_written_answer_awaits_scoring_and_the_others_are_scored(seeded):
    pending = Attempt.objects.get(pending_grading=True)
    assert pending.enrollment.trainee.user.email == "trainee2@demo.carsi.test"
    assert pending.passed is None
    written = Response.objects.filter(question__kind=K.SHORT_ANSWER).exclude(text="")
    assert written.filter(points_awarded__isnull=True, attempt=pending).exists()
    assert not written.filter(points_awarded__isnull=True).exclude(attempt=pending).exists()
    graded = written.filter(graded_by__isnull=False)
    assert graded.filter(points_awarded=0).exists() and graded.filter(points_awarded__gt=0).exists()
    # The closed class's scoring is dated in the class, not today.
    closed = graded.filter(attempt__enrollment__session__code="DEMO-DOC-2025-04")
    assert closed.exists()
    session = ClassSession.objects.get(code="DEMO-DOC-2025-04")
    for response in closed:
        assert timezone.localtime(response.graded_at).date() <= session.ends_on


def test_the_demo_trainees_each_have_something_to_see(seeded):
    users = {u.email: u for u in get_user_model().objects.filter(email__in=TRAINEES)}
    # trainee1: passed the self-paced EVD-130 exam (which completed it); can start DOC-110 now.
    evd = Enrollment.objects.get(trainee__user=users[TRAINEES[0]], course__code="EVD-130")
    assert evd.status == Enrollment.Status.COMPLETED
    assert evd.attempts.get().result_passed is True
    doc = Enrollment.objects.get(trainee__user=users[TRAINEES[0]], course__code="DOC-110")
    exam = Exam.objects.get(group_key=exam_group_key("DOC-110"), language="es")
    standing = exam_standing(exam=exam, enrollment=doc)
    assert standing.attempts_used == 0 and standing.attempts_left == exam.max_attempts
    attempt = attempt_start(user=users[TRAINEES[0]], exam=exam)
    assert attempt.drawn.count() == exam.questions.count()
    # trainee2: their DOC-110 attempt waits for the instructor.
    assert Attempt.objects.get(enrollment__trainee__user=users[TRAINEES[1]]).pending_grading
    # trainee3: failed EVD-130 once, attempts left.
    failed = Attempt.objects.get(enrollment__trainee__user=users[TRAINEES[2]])
    assert failed.result_passed is False and failed.exam.max_attempts > 1


def test_item_analysis_has_figures(seeded):
    exam = Exam.objects.get(group_key=exam_group_key("DOC-110"), language="es")
    analysis = item_analysis(exam=exam)
    assert analysis.attempts >= 10 and analysis.group_size >= 3
    shares = [item.share_correct for item in analysis.items if item.share_correct is not None]
    assert len(shares) == len(analysis.items)  # every question was asked
    assert min(shares) < 0.7 < max(shares)  # easy and hard questions
    assert any(item.discrimination and item.discrimination > 0.2 for item in analysis.items)


# --- practical evaluations ------------------------------------------------------------------------


def test_score_sheets_and_practical_results(seeded):
    sheets = ScoreSheet.objects.filter(published=True)
    assert sheets.filter(kind=ScoreSheet.Kind.CHECKLIST, items__critical=True).exists()
    assert sheets.filter(kind=ScoreSheet.Kind.POINTS, pass_threshold__isnull=False).exists()
    instructor = get_user_model().objects.get(email="instructor@demo.carsi.test")
    for code in ("DEMO-BSI-2026-01", "DEMO-DOC-2025-04"):
        results = PracticalResult.objects.filter(enrollment__session__code=code)
        assert results.filter(passed=True).exists() and results.filter(passed=False).exists(), code
        assert set(results.values_list("evaluator", flat=True)) == {instructor.pk}
    # The officer who failed the closed class failed its practical; one was evaluated again.
    failed = Enrollment.objects.get(
        session__code="DEMO-DOC-2025-04", status=Enrollment.Status.FAILED, practical_results__isnull=False
    )
    assert failed.practical_results.get().passed is False
    assert PracticalAudit.objects.filter(action=PracticalAudit.Action.RESCORE).exists()
    session = ClassSession.objects.get(code="DEMO-DOC-2025-04")
    for result in PracticalResult.objects.filter(enrollment__session=session):
        assert timezone.localtime(result.evaluated_at).date() == session.ends_on


# --- certificates ---------------------------------------------------------------------------------


def test_certificates_in_every_state_each_with_its_pdf(seeded):
    today = timezone.localdate()
    certificates = list(case_certificates().select_related("previous"))
    assert len(certificates) == 10
    shown = Counter(c.shown_status(today) for c in certificates)
    assert set(shown) == {"valid", "expired", "suspended", "revoked", "superseded"}
    valid = [c for c in certificates if c.shown_status(today) == "valid"]
    days_left = [(c.expires_on - today).days for c in valid]
    assert any(30 < d <= 90 for d in days_left) and any(0 <= d <= 30 for d in days_left)
    assert any(d > 365 for d in days_left)
    for certificate in certificates:
        if certificate.status in (C.SUSPENDED, C.REVOKED, C.SUPERSEDED):
            assert certificate.status_reason
        assert certificate.pdf and certificate.pdf_sha256
        data = (seeded.media / certificate.pdf.name).read_bytes()
        assert data.startswith(b"%PDF-") and hashlib.sha256(data).hexdigest() == certificate.pdf_sha256
    # A correction: the superseded certificate names the officer as misspelt, its successor as now.
    corrected = next(c for c in certificates if c.previous and c.previous.issued_on == c.issued_on)
    assert corrected.previous.status == C.SUPERSEDED
    assert (
        corrected.evidence["trainee_name"]
        == corrected.trainee.full_name
        != corrected.previous.evidence["trainee_name"]
    )
    assert CertificateEvent.objects.filter(certificate=corrected, action="corrected").exists()
    # A renewal: a later certificate of the same credential, linked to the one it replaced.
    renewal = next(c for c in certificates if c.previous and c.previous.issued_on < c.issued_on)
    assert renewal.previous.status == C.SUPERSEDED and renewal.credential == renewal.previous.credential
    # Training done elsewhere keeps its proof.
    external = case_certificates().get(source=Certificate.Source.EXTERNAL)
    assert (seeded.media / external.evidence_document.name).read_bytes().startswith(b"%PDF-")
    assert Credential.objects.filter(code="travel-document-examiner").exists()


def test_the_command_prints_codes_to_try(seeded):
    lines = {
        line.split("  ")[1].strip(): line.split() for line in seeded.output.splitlines() if "CARSI-" in line
    }
    expected = {"valid (trainee1, renewed)": "valid", "expired": "expired", "revoked": "revoked"}
    for label, status in expected.items():
        words = lines[label]
        certificate = certificate_by_code(words[-2])
        assert certificate.serial == words[-1] and certificate.shown_status() == status


def test_trainee1_downloads_a_valid_certificate_from_my_training(seeded, client, settings):
    settings.MEDIA_ROOT = seeded.media
    users = {u.email: u for u in get_user_model().objects.filter(email__in=TRAINEES)}
    certificate = case_certificates().get(trainee__user=users[TRAINEES[0]], status=C.VALID)
    client.force_login(users[TRAINEES[0]])
    page = client.get(reverse("training:my_training")).content.decode()
    assert certificate.serial in page and 'data-testid="certificate-download"' in page
    titles = Exam.objects.filter(group_key=exam_group_key("DOC-110")).values_list("title", flat=True)
    assert any(title in page for title in titles)  # the exam they can start now
    response = client.get(reverse("registry:certificate_pdf", args=[certificate.pk]))
    assert response.status_code == 200
    assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == certificate.pdf_sha256
    # The page costs the same whatever each trainee holds.
    counts = []
    for email in TRAINEES:
        client.force_login(users[email])
        client.get(reverse("training:my_training"))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("training:my_training")).status_code == 200
        counts.append(len(queries))
    assert len(set(counts)) == 1, counts
