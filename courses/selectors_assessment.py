"""Reads of exams and attempts that do not depend on who is asking (the views check who may ask).

What a trainee may see is decided here and returned as plain dataclasses, never as model
instances: `attempt_for_trainee` carries no answer key, explanation or points at all, so no
template or JSON endpoint built on it can leak one. `attempt_review` applies the exam's review
policy after submission.
"""

import datetime
import uuid
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from .models_assessment import Attempt, AttemptQuestion, Choice, Exam, Question, Response
from .models_enrollment import ClassSession, Enrollment

# --- the trainee taking an attempt -------------------------------------------------------------


@dataclass(frozen=True)
class ChoiceForTrainee:
    id: int
    text: str


@dataclass(frozen=True)
class QuestionForTrainee:
    id: int
    position: int
    kind: str
    text: str
    choices: tuple[ChoiceForTrainee, ...]
    chosen_ids: tuple[int, ...]
    text_answer: str

    @property
    def answered(self) -> bool:
        return bool(self.chosen_ids or self.text_answer)


@dataclass(frozen=True)
class AttemptForTrainee:
    id: int
    exam_title: str
    language: str
    number: int
    status: str
    started_at: datetime.datetime
    deadline: datetime.datetime | None
    seconds_left: int | None  # by the server's clock; None when untimed
    questions: tuple[QuestionForTrainee, ...]


def attempt_for_trainee(*, attempt: Attempt, now: datetime.datetime | None = None) -> AttemptForTrainee:
    """The attempt as its trainee sees it while taking it: the drawn questions in their stored
    order, each one's choices in their stored order, the answers saved so far, and the seconds
    left by the server's clock. No correct flags, explanations or points. Four queries."""
    now = now or timezone.now()
    exam = Exam.objects.only("title", "language").get(pk=attempt.exam_id)
    drawn = list(
        AttemptQuestion.objects.filter(attempt_id=attempt.pk)
        .order_by("position")
        .values("position", "choice_order", "question_id", "question__kind", "question__text")
    )
    texts = dict(
        Choice.objects.filter(question_id__in=[d["question_id"] for d in drawn]).values_list("id", "text")
    )
    saved = {
        r["question_id"]: r
        for r in Response.objects.filter(attempt_id=attempt.pk).values("question_id", "choice_ids", "text")
    }
    questions = []
    for d in drawn:
        answer = saved.get(d["question_id"], {})
        questions.append(
            QuestionForTrainee(
                id=d["question_id"],
                position=d["position"],
                kind=d["question__kind"],
                text=d["question__text"],
                choices=tuple(ChoiceForTrainee(id=i, text=texts[i]) for i in d["choice_order"] if i in texts),
                chosen_ids=tuple(answer.get("choice_ids") or ()),
                text_answer=answer.get("text") or "",
            )
        )
    seconds_left = None
    if attempt.deadline is not None:
        seconds_left = max(0, int((attempt.deadline - now).total_seconds()))
    return AttemptForTrainee(
        id=attempt.pk,
        exam_title=exam.title,
        language=exam.language,
        number=attempt.number,
        status=attempt.status,
        started_at=attempt.started_at,
        deadline=attempt.deadline,
        seconds_left=seconds_left,
        questions=tuple(questions),
    )


# --- the trainee's review after submitting ----------------------------------------------------


@dataclass(frozen=True)
class ChoiceReview:
    id: int
    text: str
    chosen: bool
    is_correct: bool


@dataclass(frozen=True)
class QuestionReview:
    id: int
    position: int
    kind: str
    text: str
    choices: tuple[ChoiceReview, ...]
    text_answer: str
    points: int
    points_awarded: Decimal | None
    explanation: str  # empty unless the policy shows explanations


@dataclass(frozen=True)
class AttemptReview:
    id: int
    number: int
    status: str
    submitted_at: datetime.datetime
    score_percent: Decimal | None
    passed: bool | None
    pending_grading: bool
    overridden: bool
    details_shown: bool  # whether the answers are shown (policy and timing)
    details_later: bool  # the answers will be shown once the class closes
    questions: tuple[QuestionReview, ...]


def review_details_shown(*, attempt: Attempt, exam: Exam, enrollment: Enrollment) -> tuple[bool, bool]:
    """(answers shown now, answers shown later) under the exam's review policy and timing.
    "After the class closes": once the session is closed or cancelled; a self-paced enrollment
    (no session) once it is completed — not when withdrawn or failed, after which the officer
    may enrol again and use the attempts left (`attempt_start` counts them across enrollments)."""
    if exam.review_policy == Exam.ReviewPolicy.SCORE_ONLY:
        return False, False
    if exam.review_timing == Exam.ReviewTiming.IMMEDIATELY:
        return True, False
    if enrollment.session_id:
        closed = enrollment.session.status in (ClassSession.Status.CLOSED, ClassSession.Status.CANCELLED)
    else:
        closed = enrollment.status == Enrollment.Status.COMPLETED
    return closed, not closed


def attempt_review(*, attempt: Attempt) -> AttemptReview | None:
    """What the trainee sees of a submitted attempt: always the result (an override when there is
    one); the answers, right or wrong, per the review policy; explanations when it says so.
    None while the attempt is in progress."""
    attempt = Attempt.objects.select_related("exam", "enrollment__session").get(pk=attempt.pk)
    if not attempt.is_done:
        return None
    exam = attempt.exam
    shown, later = review_details_shown(attempt=attempt, exam=exam, enrollment=attempt.enrollment)
    questions: list[QuestionReview] = []
    if shown:
        explain = exam.review_policy == Exam.ReviewPolicy.ANSWERS_WITH_EXPLANATIONS
        drawn = list(
            AttemptQuestion.objects.filter(attempt=attempt).select_related("question").order_by("position")
        )
        choices = {c.pk: c for c in Choice.objects.filter(question_id__in=[d.question_id for d in drawn])}
        saved = {r.question_id: r for r in Response.objects.filter(attempt=attempt)}
        for d in drawn:
            q = d.question
            response = saved.get(q.pk)
            chosen = set(response.choice_ids) if response else set()
            questions.append(
                QuestionReview(
                    id=q.pk,
                    position=d.position,
                    kind=q.kind,
                    text=q.text,
                    choices=tuple(
                        ChoiceReview(
                            id=i, text=choices[i].text, chosen=i in chosen, is_correct=choices[i].is_correct
                        )
                        for i in d.choice_order
                        if i in choices
                    ),
                    text_answer=response.text if response else "",
                    points=q.points,
                    points_awarded=response.points_awarded if response else Decimal(0),
                    explanation=q.explanation if explain else "",
                )
            )
    return AttemptReview(
        id=attempt.pk,
        number=attempt.number,
        status=attempt.status,
        submitted_at=attempt.submitted_at,
        score_percent=attempt.result_percent,
        passed=attempt.result_passed,
        pending_grading=attempt.pending_grading and attempt.override_passed is None,
        overridden=attempt.override_passed is not None,
        details_shown=shown,
        details_later=later,
        questions=tuple(questions),
    )


# --- completion --------------------------------------------------------------------------------


def required_exam_groups(*, course_key: uuid.UUID) -> set[uuid.UUID]:
    """The exam groups a course requires: published, required exams (in any language)."""
    return set(
        Exam.objects.filter(course_key=course_key, is_required=True, published=True).values_list(
            "group_key", flat=True
        )
    )


def exams_missing(*, enrollment: Enrollment) -> set[uuid.UUID]:
    """The required exam groups the enrollment has not passed: a passed attempt, or an attempt an
    instructor overrode to passed (an override to failed cancels a graded pass). Two queries."""
    required = required_exam_groups(course_key=enrollment.course_key)
    if not required:
        return set()
    passed = set(
        Attempt.objects.filter(enrollment=enrollment, exam_group_key__in=required)
        .filter(Q(override_passed=True) | Q(override_passed__isnull=True, passed=True))
        .values_list("exam_group_key", flat=True)
    )
    return required - passed


# --- item analysis -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemStats:
    question_id: int
    position: int
    topic: str
    kind: str
    text: str
    times_drawn: int
    share_correct: float | None  # None when never drawn
    discrimination: float | None  # None when the upper or lower group never drew it
    unpicked_choices: tuple[ChoiceForTrainee, ...]  # choices nobody chose (choice questions)


@dataclass(frozen=True)
class ItemAnalysis:
    attempts: int  # submitted attempts analysed
    group_size: int  # attempts in each of the upper and lower groups
    items: tuple[ItemStats, ...]


UPPER_LOWER_SHARE = 0.27


def item_analysis(*, exam: Exam) -> ItemAnalysis:
    """Per question of the exam (one language): how often it was drawn in submitted attempts,
    the share of those answering it right (full points; a written answer not yet scored counts as
    not right), its discrimination index, and the choices nobody picked.

    Discrimination is the upper-lower index D = p_upper - p_lower: the submitted attempts are
    ranked by graded score (ties: the earlier attempt first), the top 27% and the bottom 27%
    (rounded, at least one each, and only with two attempts or more) form the groups, and p is
    the share answering right among the attempts of the group that drew the question (questions
    are drawn N of M, so not everyone saw each). It ranges from -1 to 1; below about 0.2 the
    question separates strong from weak trainees poorly. Every submitted attempt counts,
    retakes included. Five queries whatever the number of attempts."""
    questions = list(Question.objects.filter(exam=exam).order_by("position", "id"))
    choices: dict[int, list[Choice]] = defaultdict(list)
    for choice in Choice.objects.filter(question__exam=exam).order_by("position", "id"):
        choices[choice.question_id].append(choice)
    attempts = list(
        Attempt.objects.filter(exam=exam, status__in=Attempt.DONE_STATUSES)
        .order_by("id")
        .values_list("id", "score_percent")
    )
    ranked = [pk for pk, _score in sorted(attempts, key=lambda row: (-(row[1] or Decimal(0)), row[0]))]
    n = len(ranked)
    k = max(1, round(UPPER_LOWER_SHARE * n)) if n >= 2 else 0
    upper, lower = set(ranked[:k]), set(ranked[n - k :]) if k else set()
    done_ids = {pk for pk, _score in attempts}
    drawn: dict[int, set[int]] = defaultdict(set)  # question -> attempts that drew it
    for attempt_id, question_id in AttemptQuestion.objects.filter(
        attempt__exam=exam, attempt__status__in=Attempt.DONE_STATUSES
    ).values_list("attempt_id", "question_id"):
        drawn[question_id].add(attempt_id)
    points = {q.pk: Decimal(q.points) for q in questions}
    right: dict[int, set[int]] = defaultdict(set)  # question -> attempts answering it right
    picked: dict[int, set[int]] = defaultdict(set)
    for attempt_id, question_id, choice_ids, awarded in Response.objects.filter(
        attempt__exam=exam, attempt__status__in=Attempt.DONE_STATUSES
    ).values_list("attempt_id", "question_id", "choice_ids", "points_awarded"):
        if attempt_id not in done_ids:
            continue
        picked[question_id].update(choice_ids or ())
        if awarded is not None and question_id in points and awarded >= points[question_id]:
            right[question_id].add(attempt_id)

    def share(group: set[int], question_id: int) -> float | None:
        saw = group & drawn[question_id]
        return len(saw & right[question_id]) / len(saw) if saw else None

    items = []
    for q in questions:
        times = len(drawn[q.pk])
        p_upper, p_lower = (share(upper, q.pk), share(lower, q.pk)) if k else (None, None)
        items.append(
            ItemStats(
                question_id=q.pk,
                position=q.position,
                topic=q.topic,
                kind=q.kind,
                text=q.text,
                times_drawn=times,
                share_correct=len(right[q.pk]) / times if times else None,
                discrimination=(
                    round(p_upper - p_lower, 4) if p_upper is not None and p_lower is not None else None
                ),
                unpicked_choices=tuple(
                    ChoiceForTrainee(id=c.pk, text=c.text) for c in choices[q.pk] if c.pk not in picked[q.pk]
                )
                if times
                else (),
            )
        )
    return ItemAnalysis(attempts=n, group_size=k, items=tuple(items))


def item_analysis_rows(*, analysis: ItemAnalysis) -> list[list]:
    """The item analysis as CSV rows (a header, then one row per question), for the export."""
    from django.utils.translation import gettext as _

    rows: list[list] = [
        [
            _("Position"),
            _("Topic"),
            _("Question"),
            _("Times drawn"),
            _("Share right"),
            _("Discrimination"),
            _("Choices nobody picked"),
        ]
    ]
    for item in analysis.items:
        rows.append(
            [
                item.position,
                item.topic,
                item.text,
                item.times_drawn,
                "" if item.share_correct is None else f"{item.share_correct:.2f}",
                "" if item.discrimination is None else f"{item.discrimination:.2f}",
                " | ".join(c.text for c in item.unpicked_choices),
            ]
        )
    return rows


# --- results: the trainee's and the class's ----------------------------------------------------


@dataclass(frozen=True)
class ExamStanding:
    """Where a trainee stands on one exam group (for the exam's start page)."""

    attempts_used: int
    attempts_allowed: int
    in_progress_id: int | None
    next_start_at: datetime.datetime | None  # when the delay ends; None when no delay applies
    best_percent: Decimal | None
    passed: bool  # a passed attempt (or a passing override) exists

    @property
    def attempts_left(self) -> int:
        return max(0, self.attempts_allowed - self.attempts_used)


def exam_standing(*, exam: Exam, enrollment: Enrollment) -> ExamStanding:
    """Attempts used and left (across the exam's languages), the attempt to resume, when the
    next may start, the best result and whether the exam is passed. Display only: starting
    re-checks everything under a lock (`services_assessment.attempt_start`). One query."""
    attempts = list(
        Attempt.objects.filter(enrollment=enrollment, exam_group_key=exam.group_key).only(
            "status",
            "deadline",
            "submitted_at",
            "score_percent",
            "passed",
            "override_passed",
            "override_score_percent",
        )
    )
    done = [a for a in attempts if a.is_done]
    in_progress = next((a.pk for a in attempts if a.status == Attempt.Status.IN_PROGRESS), None)
    next_start_at = None
    if done and exam.min_delay_minutes and in_progress is None:
        ended = max(
            a.deadline if a.deadline is not None and a.submitted_at > a.deadline else a.submitted_at
            for a in done
        )
        next_start_at = ended + datetime.timedelta(minutes=exam.min_delay_minutes)
    percents = [a.result_percent for a in done if a.result_percent is not None]
    return ExamStanding(
        attempts_used=len(attempts),
        attempts_allowed=exam.max_attempts,
        in_progress_id=in_progress,
        next_start_at=next_start_at,
        best_percent=max(percents) if percents else None,
        passed=any(a.result_passed for a in done),
    )


@dataclass(frozen=True)
class ExamResult:
    attempts: int
    best_percent: Decimal | None
    passed: bool
    pending_grading: bool


def session_exam_results(*, session: ClassSession) -> dict[tuple[int, uuid.UUID], ExamResult]:
    """For the instructor's class view: per (enrollment id, exam group) of the session, the
    attempts made, the best result (overrides count), whether passed and whether a written answer
    awaits scoring. One query whatever the size of the class."""
    rows = Attempt.objects.filter(enrollment__session=session).values_list(
        "enrollment_id",
        "exam_group_key",
        "status",
        "score_percent",
        "passed",
        "override_passed",
        "override_score_percent",
        "pending_grading",
    )
    grouped: dict[tuple[int, uuid.UUID], list] = defaultdict(list)
    for row in rows:
        grouped[(row[0], row[1])].append(row[2:])
    results = {}
    for key, attempts in grouped.items():
        done = [a for a in attempts if a[0] in Attempt.DONE_STATUSES]
        percents = [a[4] if a[4] is not None else a[1] for a in done]
        percents = [p for p in percents if p is not None]
        results[key] = ExamResult(
            attempts=len(attempts),
            best_percent=max(percents) if percents else None,
            passed=any((a[3] if a[3] is not None else a[2]) is True for a in done),
            pending_grading=any(a[5] and a[3] is None for a in done),
        )
    return results
