"""Demo exams, score sheets and results (run by `seed_demo`, idempotent).

- `seed_assessments()`, before the class sessions: every demo course gets a published exam in
  Spanish and in English sharing a `group_key` (the questions of `demo_exam_questions`), and
  three courses a published score sheet (`demo_practicals`).
- `closed_class_results()`, called by the closed class's story in `demo_enrollment` while that
  class is still running (attempts can only be started then): its officers sit the exam on the
  fourth day, one retakes it on the fifth, and the instructor scores the practical sheet.
- `self_paced_exam_passed()`, called by the self-paced story: trainee1 passes the EVD-130 exam
  once every module is done, which completes that course (their FIN-210 nomination needs it).
- `seed_results()`, after the class sessions: attempts and practical results in the classes under
  way, and the demo trainee accounts' own: trainee2's DOC-110 attempt waits for the instructor to
  score a written answer, trainee3 failed EVD-130 once; trainee1 can start the DOC-110 exam now.

Everything goes through the services (`attempt_start`, `answer_save`, `attempt_submit`,
`short_answer_score`, `practical_record`) with their clock: attempts in the past are started,
answered and submitted with `now=` at the moments the story says, inside their class's dates and
after each exam's delay. Only practical results and scored written answers of the closed class are
moved to their day afterwards, since those services stamp the wall clock.

Officers answer by a plan, not at random: each has a skill (the share of points they earn) and
gets the easier questions right first, with some noise, so results pass and fail as the story
says and the item analysis shows easy and hard questions that separate strong from weak officers.
Officers who sit an exam need a login (the services act as the trainee's user): the demo gives
them one without a usable password (nobody logs in as them; the demo trainee accounts are for
that).
"""

import datetime
import random
import uuid
import zlib
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from wagtail.models import Locale

from certification.models import Trainee
from certification.services_personnel import trainee_update

from . import demo_practicals
from . import services_assessment as exams_svc
from .demo import DEMO_NAMESPACE
from .demo_exam_questions import EXAMS, DemoQuestion
from .models import CoursePage
from .models_assessment import AssessmentAudit, Attempt, AttemptQuestion, Choice, Exam, Question, Response
from .models_enrollment import ClassSession, Enrollment, EnrollmentTransition
from .models_practical import PracticalResult

DEMO_ADMIN_EMAIL = "admin@demo.carsi.test"
DEMO_INSTRUCTOR_EMAIL = "instructor@demo.carsi.test"
DEMO_TRAINEE_EMAILS = ("trainee1@demo.carsi.test", "trainee2@demo.carsi.test", "trainee3@demo.carsi.test")
LANGUAGES = ("es", "en")
DAY = datetime.timedelta(days=1)
MINUTE = datetime.timedelta(minutes=1)
K = Question.Kind
S = Enrollment.Status


def exam_group_key(course_code: str) -> uuid.UUID:
    """The demo exam's group, the same on every machine: how a re-run finds it."""
    return uuid.uuid5(DEMO_NAMESPACE, f"exam/{course_code}")


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


# --- exams ---------------------------------------------------------------------------------------


def _stored_order(question: DemoQuestion, index: int) -> list[tuple[str, str, bool]]:
    """The choices in the order they are stored: a single-choice question's right answer is
    written first in the data, so it is rotated into a different place from question to
    question (attempts shuffle them again; this is the order editors see)."""
    choices = list(question.choices)
    if question.kind == K.SINGLE:
        turn = index % len(choices)
        choices = choices[turn:] + choices[:turn]
    return choices


def exam_create(*, course: CoursePage, code: str, language: str) -> Exam:
    """One language's copy of the course's demo exam, with its questions and choices."""
    spec = EXAMS[code]
    lang = LANGUAGES.index(language)
    exam = Exam(
        course=course,
        course_key=course.translation_key,
        group_key=exam_group_key(code),
        language=language,
        title=spec["title"][lang],
        pass_mark_percent=spec["pass_mark_percent"],
        time_limit_minutes=spec["time_limit_minutes"],
        max_attempts=spec["max_attempts"],
        min_delay_minutes=spec["min_delay_minutes"],
        questions_per_attempt=spec["questions_per_attempt"],
        per_topic={spec["topics"][topic][lang]: n for topic, n in spec["per_topic"].items()},
        review_policy=spec["review_policy"],
        review_timing=spec["review_timing"],
        is_required=True,
        published=True,
    )
    exam.full_clean()
    exam.save()
    for position, item in enumerate(spec["questions"], start=1):
        question = Question.objects.create(
            exam=exam,
            topic=spec["topics"][item.topic][lang],
            kind=item.kind,
            text=item.text[lang],
            explanation=item.explanation[lang],
            points=item.points,
            partial_credit=item.partial_credit,
            position=position,
        )
        Choice.objects.bulk_create(
            Choice(question=question, text=choice[lang], is_correct=choice[2], position=n)
            for n, choice in enumerate(_stored_order(item, position), start=1)
        )
    problems = exams_svc.exam_problems(exam=exam)
    if problems:  # the demo data is wrong: say so rather than publish an exam nobody can take
        raise ValueError(f"demo exam {code} ({language}): {' '.join(problems)}")
    return exam


def demo_courses() -> dict[str, CoursePage]:
    """The demo courses' Spanish (source) pages by code."""
    return {c.code: c for c in CoursePage.objects.filter(locale__language_code="es", code__in=EXAMS)}


def seed_exams(courses: dict[str, CoursePage]) -> list[Exam]:
    """Each demo course's exam in both languages (a copy that exists is left as it is)."""
    english = Locale.objects.get(language_code="en")
    created = []
    for code, course in courses.items():
        copies = {"es": course, "en": course.get_translation_or_none(english)}
        for language, page in copies.items():
            if (
                page is None
                or Exam.objects.filter(group_key=exam_group_key(code), language=language).exists()
            ):
                continue
            created.append(exam_create(course=page, code=code, language=language))
    return created


@transaction.atomic
def seed_assessments(*, admin_email: str = DEMO_ADMIN_EMAIL, instructor_email: str = DEMO_INSTRUCTOR_EMAIL):
    """Idempotent: the demo exams and score sheets. Expects `seed_courses`."""
    User = get_user_model()
    admin = User.objects.filter(email__iexact=admin_email).first()
    instructor = User.objects.filter(email__iexact=instructor_email).first()
    courses = demo_courses()
    seed_exams(courses)
    if admin is not None:
        demo_practicals.seed_sheets(courses=courses, admin=admin, instructor=instructor)


# --- officers answering ---------------------------------------------------------------------------

# Written questions' sample answers, found by the question's text in either language.
WRITTEN = {
    text: (question, lang)
    for spec in EXAMS.values()
    for question in spec["questions"]
    if question.kind == K.SHORT_ANSWER
    for lang, text in enumerate(question.text)
}


def officer_login(trainee: Trainee):
    """The officer's account, created when missing: no usable password (nobody logs in as a
    demo officer), linked to their record through the personnel service."""
    if trainee.user_id:
        return trainee.user
    User = get_user_model()
    badge = (trainee.badge_number or str(trainee.pk)).lower()
    email = f"officer.{trainee.agency.country.code.lower()}.{badge}@demo.carsi.test"
    user = User.objects.filter(email__iexact=email).first() or User.objects.create_user(
        username=email,
        email=email,
        first_name=trainee.given_names[:150],
        last_name=trainee.first_surname[:150],
    )
    trainee_update(actor=None, trainee=trainee, user=user, reason="Cuenta para rendir los exámenes en línea.")
    trainee.user = user
    return user


def _difficulty(question: Question) -> float:
    """A fixed difficulty in [0, 1) per question, the same in both languages."""
    return zlib.crc32(f"{question.exam.group_key}/{question.position}".encode()) / 2**32


def _right_ones(drawn: list[AttemptQuestion], skill: float, rng: random.Random) -> set[int]:
    """Which drawn questions the officer gets right: the easier ones first (with some noise),
    as many as fit in `skill` of the points."""
    budget = skill * sum(aq.question.points for aq in drawn)
    got = 0
    right = set()
    for aq in sorted(drawn, key=lambda aq: _difficulty(aq.question) + rng.uniform(-0.3, 0.3)):
        if got + aq.question.points <= budget:
            right.add(aq.question_id)
            got += aq.question.points
    return right


def _answer(question: Question, choices: list[Choice], right: bool, rng: random.Random):
    """(choice ids, text) an officer gives: the right answer, or a plausible wrong one."""
    if question.kind == K.SHORT_ANSWER:
        if question.text not in WRITTEN:  # an editor rewrote the question: nothing to write
            return [], ""
        sample, lang = WRITTEN[question.text]
        return [], (sample.good_answer if right else sample.weak_answer)[lang]
    correct = [c.pk for c in choices if c.is_correct]
    wrong = [c.pk for c in choices if not c.is_correct]
    if right:
        return correct, ""
    if question.kind != K.MULTIPLE:
        return [rng.choice(wrong)], ""
    if question.partial_credit and len(correct) > 1 and rng.random() < 0.5:
        return rng.sample(correct, rng.randrange(1, len(correct))), ""  # part of it: partial credit
    if len(correct) > 1:  # all but one right, one wrong: no credit
        return [*rng.sample(correct, len(correct) - 1), *rng.sample(wrong, 1)], ""
    return [*correct, *rng.sample(wrong, 1)], ""


@dataclass
class Sitting:
    attempt: Attempt
    right: set[int]  # question ids answered right


def sit(
    *, enrollment: Enrollment, skill: float, at: datetime.datetime | None = None, minutes: int = 20
) -> Sitting:
    """The officer of `enrollment` takes the course's demo exam in their language: starts at `at`
    (None: now), answers question by question over `minutes` and submits."""
    user = enrollment.trainee.user
    exams = demo_exams_of(enrollment)
    exam = exams.get(enrollment.language) or next(iter(exams.values()))
    start = at or timezone.now()
    attempt = exams_svc.attempt_start(user=user, exam=exam, now=start)
    drawn = list(
        AttemptQuestion.objects.filter(attempt=attempt).select_related("question__exam").order_by("position")
    )
    choices: dict[int, list[Choice]] = {}
    for choice in Choice.objects.filter(question_id__in=[aq.question_id for aq in drawn]):
        choices.setdefault(choice.question_id, []).append(choice)
    rng = random.Random(f"{enrollment.trainee.id_number}/{exam.group_key}/{attempt.number}")
    right = _right_ones(drawn, skill, rng)
    step = datetime.timedelta(minutes=minutes) / (len(drawn) + 1)
    for n, aq in enumerate(drawn, start=1):
        ids, text = _answer(aq.question, choices.get(aq.question_id, []), aq.question_id in right, rng)
        exams_svc.answer_save(
            user=user,
            attempt_id=attempt.pk,
            question_id=aq.question_id,
            choice_ids=ids,
            text=text,
            now=None if at is None else start + n * step,
        )
    attempt = exams_svc.attempt_submit(
        user=user,
        attempt_id=attempt.pk,
        now=None if at is None else start + datetime.timedelta(minutes=minutes),
    )
    return Sitting(attempt=attempt, right=right)


def demo_exams_of(enrollment: Enrollment) -> dict[str, Exam]:
    """The enrollment's course's published demo exam, by language (empty when it has none)."""
    code = CoursePage.objects.filter(pk=enrollment.course_id).values_list("code", flat=True).first()
    exams = Exam.objects.filter(group_key=exam_group_key(code or ""), published=True)
    return {exam.language: exam for exam in exams}


def score_written(sitting: Sitting, *, grader, at: datetime.datetime | None = None) -> None:
    """The grader scores the attempt's written answers: full points for a good answer, none for
    a weak one. With `at` (a past moment) the scoring is dated then (the service stamps the wall
    clock; see `demo_practicals._date` for why)."""
    responses = Response.objects.filter(
        attempt=sitting.attempt, question__kind=K.SHORT_ANSWER, points_awarded__isnull=True
    ).select_related("question")
    for response in responses:
        points = response.question.points if response.question_id in sitting.right else 0
        exams_svc.short_answer_score(actor=grader, response=response, points=points)
        if at is not None:
            Response.objects.filter(pk=response.pk).update(graded_at=at)
            AssessmentAudit.objects.filter(response=response).update(created_at=at)
    sitting.attempt.refresh_from_db()


# --- the stories --------------------------------------------------------------------------------------

# How each officer of a class does, in roster order: (skill, the retake's skill or None). A skill
# is the share of the points earned; the pass marks are 70-75 %.
CLOSED_CLASS = [(0.9, None), (0.95, None), (0.92, None), (0.45, 0.9)]
CLOSED_CLASS += [(0.93, None), (0.88, None), (0.96, None), (0.9, None)]
BSI_UNDER_WAY = [(0.95, None), (0.9, None), (0.92, None), (0.4, 0.9), (0.88, None), (0.93, None)]
BSI_UNDER_WAY += [(0.38, 0.42), (0.9, None), (0.42, None), (0.96, None), (0.91, None), (0.89, None)]
DOC_UNDER_WAY = [(0.95, None), (0.9, None), (0.5, 0.9), (0.92, None), (0.88, None), (0.45, None)]


def closed_class_results(
    *, session: ClassSession, instructor, sat: list[Enrollment], failed_practical
) -> None:
    """While the closed class was running: `sat` sit the exam on the fourth day (one fails and
    retakes it the next day, after the exam's delay), the instructor scores the written answers
    that evening and the practical sheet on the last day; `failed_practical` (one of `sat`) fails
    it. Nothing happens without the course's exam or an instructor."""
    if instructor is None or not sat or not demo_exams_of(sat[0]):
        return
    exam_day, last_day = session.starts_on + 3 * DAY, session.starts_on + 4 * DAY
    for n, enrollment in enumerate(sat):
        officer_login(enrollment.trainee)
        skill, retake = CLOSED_CLASS[n % len(CLOSED_CLASS)]
        first = sit(enrollment=enrollment, skill=skill, at=_at(exam_day, 9) + n * 5 * MINUTE, minutes=30)
        score_written(first, grader=instructor, at=_at(exam_day, 18))
        if retake is not None and first.attempt.result_passed is False:
            again = sit(enrollment=enrollment, skill=retake, at=_at(last_day, 11), minutes=25)
            score_written(again, grader=instructor, at=_at(last_day, 15))
    sheet = demo_practicals.sheet_of(session.course_key)
    if sheet is None:
        return
    rng = random.Random(session.code)
    for n, enrollment in enumerate(sat):
        fails = enrollment.pk == failed_practical.pk
        demo_practicals.record(
            evaluator=instructor,
            enrollment=enrollment,
            sheet=sheet,
            passes=not fails,
            rng=rng,
            notes="No detectó la sustitución de la fotografía." if fails else "",
            at=_at(last_day, 8) + n * 10 * MINUTE,
        )


def _class_under_way(code: str, plan, *, instructor, first_day: int, practicals: int = 0):
    """Attempts (and, with `practicals`, practical results) in a class under way: the officers
    enrolled, in roster order, sit the exam over the three days from `first_day` days ago; those
    who fail and have a retake in the plan retake it the next morning (or after the exam's
    delay); the instructor scores written answers now. Skipped when the class already has
    attempts (seeded before, or taken since)."""
    session = ClassSession.objects.filter(code=code, status=ClassSession.Status.IN_PROGRESS).first()
    if session is None or instructor is None or Attempt.objects.filter(enrollment__session=session).exists():
        return
    roster = list(
        session.enrollments.filter(status=S.ENROLLED, trainee__user__isnull=True)
        .select_related("trainee__agency__country")
        .order_by("-pk")  # the last nominated first: a few countries, English speakers among them
    )
    if not roster or not demo_exams_of(roster[0]):
        return
    today = timezone.localdate()
    for n, (enrollment, (skill, retake)) in enumerate(zip(roster, plan, strict=False)):
        officer_login(enrollment.trainee)
        day = today - (first_day - n % 3) * DAY  # a few officers a day
        first = sit(enrollment=enrollment, skill=skill, at=_at(day, 14) + n * 3 * MINUTE, minutes=25)
        score_written(first, grader=instructor)
        if retake is None or first.attempt.result_passed is not False:
            continue
        # The next morning, or once the exam's delay is over if that is later.
        delay = datetime.timedelta(minutes=first.attempt.exam.min_delay_minutes)
        again_at = max(_at(first.attempt.submitted_at.date() + DAY, 9), first.attempt.submitted_at + delay)
        if again_at < timezone.now() - datetime.timedelta(hours=1):
            score_written(sit(enrollment=enrollment, skill=retake, at=again_at), grader=instructor)
    sheet = demo_practicals.sheet_of(session.course_key)
    if (
        sheet is None
        or not practicals
        or PracticalResult.objects.filter(enrollment__session=session).exists()
    ):
        return
    rng = random.Random(session.code)
    for n, enrollment in enumerate(roster[:practicals]):
        passes = n % 4 != 3  # one in four fails the first time...
        demo_practicals.record(
            evaluator=instructor, enrollment=enrollment, sheet=sheet, passes=passes, rng=rng
        )
        if not passes and n < 4:  # ...and the first of them is evaluated again and passes
            demo_practicals.record(
                evaluator=instructor,
                enrollment=enrollment,
                sheet=sheet,
                passes=True,
                rng=rng,
                notes="Segunda evaluación tras repasar el procedimiento.",
            )


def _demo_trainees() -> dict[str, Trainee]:
    trainees = Trainee.objects.filter(user__email__in=DEMO_TRAINEE_EMAILS).select_related("user")
    return {t.user.email: t for t in trainees}


def _current(trainee: Trainee | None, code: str) -> Enrollment | None:
    """The trainee's enrollment in the course, if taking it and yet without attempts."""
    if trainee is None:
        return None
    enrollment = (
        Enrollment.objects.filter(trainee=trainee, course__code=code, status=S.ENROLLED)
        .select_related("trainee__user")
        .first()
    )
    if enrollment is None or Attempt.objects.filter(enrollment=enrollment).exists():
        return None
    return enrollment


def self_paced_exam_passed(*, enrollment: Enrollment, grader) -> None:
    """The officer passes their self-paced course's demo exam now (called by the self-paced
    story once every module is done: passing completes the course). Nothing without an exam."""
    if demo_exams_of(enrollment):
        score_written(sit(enrollment=enrollment, skill=0.92), grader=grader)


def _demo_trainees_results(*, admin, instructor) -> None:
    trainees = _demo_trainees()
    t2, t3 = trainees.get(DEMO_TRAINEE_EMAILS[1]), trainees.get(DEMO_TRAINEE_EMAILS[2])
    # trainee1 passed the self-paced EVD-130 exam (`self_paced_exam_passed`, in the story) and
    # can start the DOC-110 exam now.
    # trainee3 tried EVD-130 too early: failed, may try again once the exam's delay is over.
    enrollment = _current(t3, "EVD-130")
    if enrollment is not None and demo_exams_of(enrollment):
        score_written(sit(enrollment=enrollment, skill=0.4), grader=admin)
    # trainee2 sat the DOC-110 exam last night: a written answer waits for the instructor.
    enrollment = _current(t2, "DOC-110")
    if enrollment is not None and instructor is not None and demo_exams_of(enrollment):
        sit(enrollment=enrollment, skill=0.9, at=_at(timezone.localdate() - DAY, 19, 30), minutes=35)


@transaction.atomic
def seed_results(*, admin_email: str = DEMO_ADMIN_EMAIL, instructor_email: str = DEMO_INSTRUCTOR_EMAIL):
    """Idempotent: attempts and practical results in the classes under way and the demo trainee
    accounts' results. Expects `seed_assessments` and `seed_enrollments`. Quiet: a course this
    completes is marked as already told, like the rest of the demo's history (see
    `demo_enrollment.seed_enrollments`)."""
    User = get_user_model()
    admin = User.objects.filter(email__iexact=admin_email).first()
    instructor = User.objects.filter(email__iexact=instructor_email).first()
    if admin is None:
        return
    last_step = EnrollmentTransition.objects.aggregate(last=Max("pk"))["last"] or 0
    _class_under_way("DEMO-BSI-2026-01", BSI_UNDER_WAY, instructor=instructor, first_day=3, practicals=8)
    _class_under_way("DEMO-DOC-2026-01", DOC_UNDER_WAY, instructor=instructor, first_day=8)
    _demo_trainees_results(admin=admin, instructor=instructor)
    EnrollmentTransition.objects.filter(pk__gt=last_step, emailed_at__isnull=True).update(
        emailed_at=timezone.now()
    )
