"""Attempts on the server's clock: who may start, the deadline (with accommodation), resuming,
the limit and the delay between attempts, the draw (N of M, N per topic, the stored order), and
closing overdue attempts. Time is set by passing `now=` to the services.

The fixtures and helpers here are shared by the other test_assessment_* files."""

import datetime
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from courses import services_assessment as assess
from courses import services_enrollment as svc
from courses.models import Accommodation, AssessmentAudit, Attempt, AttemptQuestion, Choice, Exam, Question
from courses.models_enrollment import ClassSession, Enrollment
from courses.tasks_assessment import attempts_close_overdue as close_task
from tests.courses.test_enrollment_flow import course, in_english, make_session, nominate

SHARED_FIXTURES = (course, in_english, make_session)  # from test_enrollment_flow

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)
MIN = datetime.timedelta(minutes=1)
SEC = datetime.timedelta(seconds=1)


def add_question(exam, *, kind="single", choices=(("Sí", True), ("No", False)), topic="", points=1, **fields):
    position = fields.pop("position", exam.questions.count() + 1)
    question = Question(
        exam=exam,
        kind=kind,
        topic=topic,
        points=points,
        text=fields.pop("text", f"Pregunta {position}"),
        position=position,
        **fields,
    )
    question.full_clean()
    question.save()
    if kind != "short_answer":
        for i, (text, right) in enumerate(choices, start=1):
            Choice.objects.create(question=question, text=text, is_correct=right, position=i)
    return question


def make_exam(course, *, pool=4, language="es", **fields):
    """A published exam of `pool` single-choice questions (the first choice right), not shuffled."""
    fields.setdefault("title", "Examen final")
    fields.setdefault("shuffle_questions", False)
    fields.setdefault("shuffle_choices", False)
    fields.setdefault("published", True)
    exam = Exam(course=course, course_key=course.translation_key, language=language, **fields)
    exam.full_clean()
    exam.save()
    for _i in range(pool):
        add_question(exam)
    return exam


def right_choice(question):
    return question.choices.filter(is_correct=True).values_list("pk", flat=True).first()


def wrong_choice(question):
    return question.choices.filter(is_correct=False).values_list("pk", flat=True).first()


@pytest.fixture
def running(world, make_session):
    """A session in progress taught by the instructor, with trainee_a enrolled."""
    session = make_session(starts_on=TODAY - 3 * DAY, ends_on=TODAY + DAY, nomination_deadline=None)
    session.instructors.add(world.instructor)
    (enrollment,) = nominate(world, session)
    svc.session_transition(actor=world.admin, session=session, to_status=ClassSession.Status.IN_PROGRESS)
    svc.enrollment_approve(actor=world.admin, enrollment=enrollment)
    assert enrollment.status == Enrollment.Status.ENROLLED
    return enrollment


@pytest.fixture
def exam(course, running):
    return make_exam(course, time_limit_minutes=30, max_attempts=2, min_delay_minutes=60)


def start(world, exam, now=None):
    return assess.attempt_start(user=world.officer_user_a, exam=exam, now=now)


# --- who may start ----------------------------------------------------------------------------


def test_only_the_enrolled_trainee_starts_and_only_while_the_class_is_in_progress(
    world, course, make_session
):
    exam = make_exam(course)
    with pytest.raises(PermissionDenied):
        start(world, exam)  # not enrolled at all
    session = make_session(starts_on=TODAY + DAY, ends_on=TODAY + 2 * DAY, nomination_deadline=TODAY)
    (enrollment,) = nominate(world, session)
    with pytest.raises(PermissionDenied):
        start(world, exam)  # a nomination is not a place
    svc.enrollment_approve(actor=world.admin, enrollment=enrollment)
    with pytest.raises(ValidationError, match="only while your class is in progress"):
        start(world, exam)
    for user in (world.head_a, world.instructor, world.admin):
        with pytest.raises(PermissionDenied):
            assess.attempt_start(user=user, exam=exam)
    svc.session_transition(actor=world.admin, session=session, to_status=ClassSession.Status.IN_PROGRESS)
    attempt = start(world, exam)
    assert attempt.number == 1 and attempt.status == Attempt.Status.IN_PROGRESS
    assert Attempt.objects.count() == 1


def test_a_self_paced_trainee_starts_any_time(world, make_course):
    course = make_course(code="DOC-110", title="Documentos", modules=1, admission="self")
    svc.enrollment_self_enroll(user=world.officer_user_a, course=course)
    attempt = start(world, make_exam(course))
    assert attempt.enrollment.session_id is None


def test_an_unpublished_exam_or_a_pool_too_small_is_refused(world, course, running):
    draft = make_exam(course, published=False)
    with pytest.raises(ValidationError, match="not open"):
        start(world, draft)
    small = make_exam(course, pool=2, questions_per_attempt=3)
    with pytest.raises(ValidationError, match="The pool has 2 questions; 3 are drawn"):
        start(world, small)
    broken = make_exam(course, pool=0)
    add_question(broken, choices=(("A", True), ("B", True)))
    with pytest.raises(ValidationError, match="exactly one of them right"):
        start(world, broken)
    assert not Attempt.objects.exists()


# --- the clock --------------------------------------------------------------------------------


def test_the_deadline_is_fixed_at_start_with_the_accommodation(world, exam, running):
    t0 = timezone.now()
    attempt = start(world, exam, now=t0)
    assert attempt.started_at == t0
    assert attempt.deadline == t0 + 30 * MIN


def test_extra_time_is_granted_by_administrators_only_and_counts_across_languages(
    world, course, exam, running
):
    with pytest.raises(PermissionDenied):
        assess.accommodation_grant(
            actor=world.instructor, trainee=world.trainee_a, exam=exam, extra_minutes=15, reason="Dislexia"
        )
    with pytest.raises(ValidationError, match="Give a reason"):
        assess.accommodation_grant(
            actor=world.admin, trainee=world.trainee_a, exam=exam, extra_minutes=15, reason=" "
        )
    for bad in (-5, "quince", 100000, True):
        with pytest.raises(ValidationError, match="whole minutes"):
            assess.accommodation_grant(
                actor=world.admin, trainee=world.trainee_a, exam=exam, extra_minutes=bad, reason="Dislexia"
            )
    assert not Accommodation.objects.exists()
    english = make_exam(course, language="en", group_key=exam.group_key, time_limit_minutes=30)
    assess.accommodation_grant(
        actor=world.admin, trainee=world.trainee_a, exam=exam, extra_minutes=15, reason="Dislexia"
    )
    audit = AssessmentAudit.objects.get()
    assert (
        audit.action == "accommodation" and audit.actor == world.admin and audit.after["extra_minutes"] == 15
    )
    t0 = timezone.now()
    attempt = start(world, english, now=t0)
    assert attempt.deadline == t0 + 45 * MIN
    assert attempt.exam == english


def test_an_untimed_exam_has_no_deadline_and_never_closes_by_itself(world, course, running):
    exam = make_exam(course)
    attempt = start(world, exam)
    assert attempt.deadline is None
    assert assess.attempts_close_overdue(now=timezone.now() + 365 * DAY) == 0


def test_resume_returns_the_attempt_in_progress_until_its_deadline_and_grace(world, exam):
    t0 = timezone.now()
    first = start(world, exam, now=t0)
    order = list(first.drawn.values_list("question_id", flat=True))
    again = start(world, exam, now=t0 + 30 * MIN + assess.GRACE_SECONDS * SEC)
    assert again.pk == first.pk
    assert list(again.drawn.values_list("question_id", flat=True)) == order
    # Past the grace: the old attempt is closed as it stood; the delay then applies.
    with pytest.raises(ValidationError, match="try again in 60 minutes"):
        start(world, exam, now=t0 + 31 * MIN)
    first.refresh_from_db()
    assert first.status == Attempt.Status.AUTO_CLOSED  # the closing stands though the start was refused
    assert first.passed is False and first.score_percent == 0


def test_the_attempt_limit_counts_both_languages_and_the_delay_counts_from_the_end(world, course, exam):
    english = make_exam(
        course,
        language="en",
        group_key=exam.group_key,
        time_limit_minutes=30,
        max_attempts=2,
        min_delay_minutes=60,
    )
    t0 = timezone.now()
    first = start(world, exam, now=t0)
    assess.attempt_submit(user=world.officer_user_a, attempt_id=first.pk, now=t0 + 10 * MIN)
    with pytest.raises(ValidationError, match="try again in 1 minutes"):
        start(world, english, now=t0 + 69 * MIN + 30 * SEC)
    second = start(world, english, now=t0 + 70 * MIN)
    assert (second.number, second.exam) == (2, english)
    assess.attempt_submit(user=world.officer_user_a, attempt_id=second.pk, now=t0 + 75 * MIN)
    with pytest.raises(ValidationError, match="used all 2 attempts"):
        start(world, exam, now=t0 + 10 * DAY)
    assert Attempt.objects.count() == 2


def test_an_auto_closed_attempt_delays_from_its_deadline(world, exam):
    t0 = timezone.now()
    first = start(world, exam, now=t0)
    assert assess.attempts_close_overdue(now=t0 + 2 * DAY) == 1
    first.refresh_from_db()
    assert first.submitted_at == t0 + 2 * DAY
    # The deadline (t0 + 30 min) ended it: an hour later, a new attempt may start.
    assert start(world, exam, now=t0 + 90 * MIN + SEC).number == 2


def test_the_periodic_task_closes_only_overdue_attempts_once(world, exam, running):
    t0 = timezone.now() - 2 * exam.time_limit_minutes * MIN
    overdue = start(world, exam, now=t0)
    other_exam = make_exam(exam.course, time_limit_minutes=500, title="Otro examen")
    on_time = start(world, other_exam, now=t0)
    q = overdue.drawn.first().question
    Attempt.objects.filter(pk=overdue.pk).update(deadline=timezone.now() - (assess.GRACE_SECONDS - 2) * SEC)
    assert close_task() == 0  # within the grace
    assess.answer_save(
        user=world.officer_user_a, attempt_id=overdue.pk, question_id=q.pk, choice_ids=[right_choice(q)]
    )
    Attempt.objects.filter(pk=overdue.pk).update(deadline=timezone.now() - (assess.GRACE_SECONDS + 1) * SEC)
    assert close_task() == 1
    assert close_task() == 0  # a second run (or a duplicate delivery) closes nothing twice
    overdue.refresh_from_db()
    on_time.refresh_from_db()
    assert overdue.status == Attempt.Status.AUTO_CLOSED
    assert (overdue.score_points, overdue.max_points, overdue.score_percent) == (1, 4, 25)
    assert on_time.status == Attempt.Status.IN_PROGRESS


# --- the draw ---------------------------------------------------------------------------------


def test_n_of_m_draws_n_distinct_questions_and_stores_their_order(world, course, running):
    exam = make_exam(course, pool=10, questions_per_attempt=4, shuffle_questions=True, shuffle_choices=True)
    for question in exam.questions.all():
        Choice.objects.create(question=question, text="Tal vez", position=3)
    attempt = start(world, exam)
    drawn = list(AttemptQuestion.objects.filter(attempt=attempt).order_by("position"))
    assert [d.position for d in drawn] == [1, 2, 3, 4]
    assert len({d.question_id for d in drawn}) == 4
    for d in drawn:
        assert sorted(d.choice_order) == sorted(d.question.choices.values_list("pk", flat=True))


def test_per_topic_draws_the_count_of_each_topic_and_the_rest_from_the_pool(world, course, running):
    exam = make_exam(course, pool=0, questions_per_attempt=5, per_topic={"documentos": 2, "vehículos": 1})
    for topic, n in (("documentos", 4), ("vehículos", 3), ("personas", 3)):
        for _i in range(n):
            add_question(exam, topic=topic)
    exam.max_attempts = 20
    exam.save()
    seen = set()
    for _i in range(8):
        attempt = start(world, exam)
        topics = list(attempt.drawn.values_list("question__topic", flat=True))
        assert len(topics) == 5
        assert topics.count("documentos") >= 2 and topics.count("vehículos") >= 1
        seen.update(attempt.drawn.values_list("question_id", flat=True))
        assess.attempt_submit(user=world.officer_user_a, attempt_id=attempt.pk)
    assert len(seen) > 5  # random: different questions across attempts


def test_per_topic_is_validated(course):
    exam = Exam(course=course, course_key=course.translation_key, title="X", questions_per_attempt=2)
    for bad in ({"documentos": 0}, {"documentos": "2"}, {"": 1}, ["documentos"], {"a": 2, "b": 1}):
        exam.per_topic = bad
        with pytest.raises(ValidationError) as error:
            exam.full_clean()
        assert "per_topic" in error.value.message_dict


def test_not_shuffled_keeps_the_pool_order_and_a_topic_short_of_questions_is_refused(world, course, running):
    exam = make_exam(course, pool=3)
    attempt = start(world, exam)
    assert list(attempt.drawn.values_list("question__position", flat=True)) == [1, 2, 3]
    short = make_exam(course, pool=1, per_topic={"documentos": 2}, title="Corto")
    with pytest.raises(ValidationError, match="“documentos” has 0 questions; 2 are drawn"):
        start(world, short)


def test_exam_constraints_hold_in_the_database(course):
    from django.db import IntegrityError, transaction

    group = uuid.uuid4()
    make_exam(course, pool=0, group_key=group)
    with pytest.raises(IntegrityError), transaction.atomic():
        Exam.objects.create(course=course, course_key=course.translation_key, title="Y", group_key=group)
    with pytest.raises(IntegrityError), transaction.atomic():
        Exam.objects.create(course=course, course_key=course.translation_key, title="Z", pass_mark_percent=0)
