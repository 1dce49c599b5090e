"""Writes to exams' attempts, answers and results. Every check lives here, on the server's clock,
so no view, script or tampered request can skip one.

- `attempt_start` fixes the deadline and draws the questions; `answer_save` autosaves one
  answer; `attempt_submit` grades. An attempt is closed exactly once (row lock + status check):
  submitting twice, or a submission racing the periodic task, gives one result.
- An answer or submission arriving after the deadline plus `GRACE_SECONDS` closes the attempt as
  it stood; the answer is refused.
- People changing results (`question_regrade`, `attempt_override`, `short_answer_score`) and
  administrators granting extra time (`accommodation_grant`) leave an `AssessmentAudit` entry.

Locks are always taken in the same order, enrollment first, then attempt, so starting, submitting
and closing never deadlock one another. Time-dependent services take `now=` (the server clock by
default) so tests can put themselves anywhere in an attempt.
"""

import datetime
import random
from collections import defaultdict
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from certification.models import AuditEntry, Trainee
from certification.roles import is_program_admin
from certification.services_audit import audit_record, audit_target

from .access import is_course_instructor
from .models_assessment import (
    Accommodation,
    AssessmentAudit,
    Attempt,
    AttemptQuestion,
    Choice,
    Exam,
    Question,
    Response,
)
from .models_enrollment import ClassSession, Enrollment
from .services_exam_builder import ExamProblems, choice_rule_problems

GRACE_SECONDS = 10  # latency allowed after the deadline for an answer already on its way
MAX_TEXT_ANSWER = 5000
MAX_EXTRA_MINUTES = 24 * 60
CENT = Decimal("0.01")
A = Attempt.Status
K = Question.Kind
CHOICE_KINDS = (K.SINGLE, K.MULTIPLE, K.TRUE_FALSE)
ONE_CHOICE_KINDS = (K.SINGLE, K.TRUE_FALSE)


def _q(value: Decimal) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


MAX_ID = 2**63 - 1  # the largest primary key a database holds: bigger "ids" match nothing


def _as_id(value) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if 0 < number <= MAX_ID else None


def is_overdue(*, attempt: Attempt, now: datetime.datetime) -> bool:
    """Past the deadline plus the grace for latency (an untimed attempt is never overdue)."""
    return attempt.deadline is not None and now > attempt.deadline + datetime.timedelta(seconds=GRACE_SECONDS)


def _ended_at(attempt: Attempt) -> datetime.datetime:
    """When an attempt ended, for the delay before the next one: its submission, or its deadline
    when it was closed later than that."""
    if attempt.deadline is not None and attempt.submitted_at > attempt.deadline:
        return attempt.deadline
    return attempt.submitted_at


# --- grading -----------------------------------------------------------------------------------


def choice_points(*, question: Question, chosen: Iterable[int], correct: set[int]) -> Decimal:
    """Points for a choice question. Single and true/false, and multiple without partial credit,
    are all-or-nothing (exactly the right set). Multiple with partial credit:
    (right choices chosen - wrong choices chosen) / right choices, floored at 0, times the points."""
    chosen = set(chosen)
    points = Decimal(question.points)
    if question.kind == K.MULTIPLE and question.partial_credit and correct:
        share = Decimal(len(chosen & correct) - len(chosen - correct)) / Decimal(len(correct))
        return _q(max(Decimal(0), share) * points)
    return _q(points) if chosen == correct else _q(0)


def _grade(attempt: Attempt) -> list[Response]:
    """(Re)computes every answer's points and the attempt's score from the stored answers and the
    current answer key; an instructor's score of a written answer is kept. A fixed number of
    queries. Saves the changed answers; the caller saves the attempt."""
    drawn = list(AttemptQuestion.objects.filter(attempt=attempt).select_related("question"))
    question_ids = [aq.question_id for aq in drawn]
    correct: dict[int, set[int]] = defaultdict(set)
    for question_id, choice_id in Choice.objects.filter(
        question_id__in=question_ids, is_correct=True
    ).values_list("question_id", "id"):
        correct[question_id].add(choice_id)
    responses = {r.question_id: r for r in Response.objects.filter(attempt=attempt)}
    total = graded_max = got = Decimal(0)
    pending = False
    changed = []
    for aq in drawn:
        question = aq.question
        points = Decimal(question.points)
        total += points
        response = responses.get(question.pk)
        if question.kind == K.SHORT_ANSWER:
            if response is not None and response.text.strip():
                if response.points_awarded is None:
                    pending = True
                    continue
                awarded = response.points_awarded
            else:
                awarded = _q(0)  # nothing written: nothing to score
                if response is not None and response.points_awarded != awarded:
                    response.points_awarded = awarded
                    changed.append(response)
        else:
            awarded = choice_points(
                question=question,
                chosen=response.choice_ids if response else (),
                correct=correct[question.pk],
            )
            if response is not None and response.points_awarded != awarded:
                response.points_awarded = awarded
                changed.append(response)
        graded_max += points
        got += awarded
    if changed:
        Response.objects.bulk_update(changed, ["points_awarded"])
    attempt.score_points = _q(got)
    attempt.max_points = _q(total)
    attempt.score_percent = _q(got * 100 / graded_max) if graded_max else None
    attempt.pending_grading = pending
    if pending or attempt.score_percent is None:
        attempt.passed = None
    else:
        attempt.passed = attempt.score_percent >= attempt.exam.pass_mark_percent
    return changed


RESULT_FIELDS = ("score_points", "max_points", "score_percent", "passed", "pending_grading")


def _result(attempt: Attempt) -> dict:
    return {
        "score_points": str(attempt.score_points) if attempt.score_points is not None else None,
        "score_percent": str(attempt.score_percent) if attempt.score_percent is not None else None,
        "passed": attempt.passed,
        "pending_grading": attempt.pending_grading,
        "override_passed": attempt.override_passed,
        "override_score_percent": (
            str(attempt.override_score_percent) if attempt.override_score_percent is not None else None
        ),
    }


def _close(attempt: Attempt, *, now: datetime.datetime, status: str) -> Attempt:
    """Grades and closes a locked, in-progress attempt."""
    _grade(attempt)
    attempt.status = status
    attempt.submitted_at = now
    attempt.save(update_fields=[*RESULT_FIELDS, "status", "submitted_at"])
    return attempt


def _completion(enrollment_id: int) -> None:
    from .services_enrollment import enrollment_complete_if_done

    enrollment_complete_if_done(enrollment=Enrollment.objects.get(pk=enrollment_id))


# --- locking and ownership ---------------------------------------------------------------------


def _lock_pair(attempt_id: int, *, user=None) -> Attempt:
    """Locks the attempt's enrollment, then the attempt (always this order). With `user`, only
    the attempt's own trainee gets it: anyone else, or an id that does not exist, is refused
    alike (views answer 404)."""
    rows = Attempt.objects.filter(pk=attempt_id)
    if user is not None:
        if not user.is_authenticated:
            raise PermissionDenied(_("This is not your attempt."))
        rows = rows.filter(enrollment__trainee__user=user)
    enrollment_id = rows.values_list("enrollment_id", flat=True).first()
    if enrollment_id is None:
        raise PermissionDenied(_("This is not your attempt."))
    Enrollment.objects.select_for_update().filter(pk=enrollment_id).first()
    return Attempt.objects.select_for_update(of=("self",)).select_related("exam").get(pk=attempt_id)


def _owned_attempt_locked(*, user, attempt_id) -> Attempt:
    """The attempt, row-locked, if `user` is its trainee (one query)."""
    pk = _as_id(attempt_id)
    if pk is None or user is None or not user.is_authenticated:
        raise PermissionDenied(_("This is not your attempt."))
    attempt = (
        Attempt.objects.select_for_update(of=("self",))
        .select_related("exam")
        .filter(pk=pk, enrollment__trainee__user=user)
        .first()
    )
    if attempt is None:
        raise PermissionDenied(_("This is not your attempt."))
    return attempt


# --- starting ----------------------------------------------------------------------------------


def exam_problems(*, exam: Exam) -> list[str]:
    """Why the exam's pool cannot give an attempt as configured (empty when it can)."""
    problems = []
    questions = list(exam.questions.all())
    per_topic = exam.per_topic or {}
    if not questions:
        return [_("The exam has no questions.")]
    for topic, n in per_topic.items():
        have = sum(1 for q in questions if q.topic == topic)
        if have < n:
            problems.append(
                _("The topic “%(topic)s” has %(have)s questions; %(n)s are drawn.")
                % {"topic": topic, "have": have, "n": n}
            )
    wanted = exam.questions_per_attempt or (sum(per_topic.values()) if per_topic else len(questions))
    if wanted > len(questions):
        problems.append(
            _("The pool has %(have)s questions; %(n)s are drawn.") % {"have": len(questions), "n": wanted}
        )
    # Each question's choices against the rules the exam builder applies (the same words).
    correct: dict[int, list[bool]] = defaultdict(list)
    for question_id, is_correct in Choice.objects.filter(question__exam=exam).values_list(
        "question_id", "is_correct"
    ):
        correct[question_id].append(is_correct)
    choice_problems = ExamProblems()
    for question in questions:
        for message in choice_rule_problems(kind=question.kind, correct=correct[question.pk]):
            choice_problems.add(question, None, message)
    return problems + choice_problems.messages()


def _draw(exam: Exam, rng: random.Random) -> list[Question]:
    """N of M at random; N per topic when set (the rest of N from the remaining pool)."""
    pool = list(exam.questions.all())
    per_topic = exam.per_topic or {}
    chosen: list[Question] = []
    for topic, n in per_topic.items():
        chosen += rng.sample([q for q in pool if q.topic == topic], n)
    wanted = exam.questions_per_attempt or (sum(per_topic.values()) if per_topic else len(pool))
    taken = {q.pk for q in chosen}
    rest = [q for q in pool if q.pk not in taken]
    chosen += rng.sample(rest, wanted - len(chosen))
    if exam.shuffle_questions:
        rng.shuffle(chosen)
    else:
        chosen.sort(key=lambda q: (q.position, q.pk))
    return chosen


def _refusal(message: str, code: str) -> ValidationError:
    return ValidationError(message, code=code)


def _start_locked(*, user, exam: Exam, now: datetime.datetime) -> Attempt | ValidationError:
    trainee = Trainee.objects.filter(user=user).first()
    enrollment = (
        Enrollment.objects.select_for_update(of=("self",))
        .select_related("session")
        .filter(
            trainee=trainee,
            course_key=exam.course_key,
            status__in=(Enrollment.Status.APPROVED, Enrollment.Status.ENROLLED),
        )
        .order_by("-created_at", "-id")
        .first()
        if trainee is not None
        else None
    )
    if enrollment is None:
        raise PermissionDenied(_("You are not enrolled in this course."))
    exam = Exam.objects.get(pk=exam.pk)  # the current settings, not a stale copy
    if not exam.published:
        raise ValidationError(_("This exam is not open."), code="unpublished")
    if enrollment.session_id and enrollment.session.status != ClassSession.Status.IN_PROGRESS:
        raise ValidationError(
            _("The exam can be taken only while your class is in progress."), code="session"
        )
    attempts = list(
        Attempt.objects.select_for_update(of=("self",))
        .select_related("exam")
        .filter(enrollment=enrollment, exam_group_key=exam.group_key)
        .order_by("number")
    )
    # The limit and the delay count the officer's attempts at this exam in their other
    # enrollments too (withdrawing or failing and enrolling again buys no new attempts); only a
    # completed course starts afresh, so a refresher years later may take the exam again.
    earlier = list(
        Attempt.objects.filter(enrollment__trainee_id=enrollment.trainee_id, exam_group_key=exam.group_key)
        .exclude(enrollment=enrollment)
        .exclude(enrollment__status=Enrollment.Status.COMPLETED)
    )
    for attempt in attempts:
        if attempt.status == A.IN_PROGRESS:
            if not is_overdue(attempt=attempt, now=now):
                return attempt  # resume (in the language it was started in)
            _close(attempt, now=now, status=A.AUTO_CLOSED)
            _completion(enrollment.pk)
    if len(attempts) + len(earlier) >= exam.max_attempts:
        return _refusal(
            _("You have used all %(n)s attempts at this exam.") % {"n": exam.max_attempts}, "no_attempts_left"
        )
    done = [a for a in attempts + earlier if a.is_done]
    if done and exam.min_delay_minutes:
        ready_at = max(_ended_at(a) for a in done) + datetime.timedelta(minutes=exam.min_delay_minutes)
        if now < ready_at:
            minutes = int((ready_at - now).total_seconds() // 60) + 1
            return _refusal(_("You can try again in %(minutes)s minutes.") % {"minutes": minutes}, "too_soon")
    problems = exam_problems(exam=exam)
    if problems:
        return _refusal(
            _("This exam cannot be taken yet: %(problems)s") % {"problems": " ".join(problems)}, "pool"
        )
    deadline = None
    if exam.time_limit_minutes:
        extra = (
            Accommodation.objects.filter(trainee_id=enrollment.trainee_id, exam_group_key=exam.group_key)
            .values_list("extra_minutes", flat=True)
            .first()
            or 0
        )
        deadline = now + datetime.timedelta(minutes=exam.time_limit_minutes + extra)
    attempt = Attempt(
        enrollment=enrollment,
        exam=exam,
        exam_group_key=exam.group_key,
        number=len(attempts) + 1,
        started_at=now,
        deadline=deadline,
    )
    try:
        with transaction.atomic():
            attempt.save()
    except IntegrityError:  # only without row locks (SQLite serialises writers anyway)
        return _refusal(_("An attempt is already in progress."), "in_progress")
    rng = random.SystemRandom()
    questions = _draw(exam, rng)
    choices: dict[int, list[int]] = defaultdict(list)
    for question_id, choice_id in (
        Choice.objects.filter(question__in=questions)
        .order_by("position", "id")
        .values_list("question_id", "id")
    ):
        choices[question_id].append(choice_id)
    rows = []
    for position, question in enumerate(questions, start=1):
        order = list(choices[question.pk])
        if exam.shuffle_choices and question.kind != K.TRUE_FALSE:
            rng.shuffle(order)
        rows.append(
            AttemptQuestion(attempt=attempt, question=question, position=position, choice_order=order)
        )
    AttemptQuestion.objects.bulk_create(rows)
    return attempt


def attempt_start(*, user, exam: Exam, now: datetime.datetime | None = None) -> Attempt:
    """Starts an attempt, or resumes the one in progress. Only the trainee enrolled (approved or
    enrolled) in the exam's course, while their class is in progress (any time when self-paced).
    Refused beyond the attempts allowed (counted across the exam's languages) and before the
    delay since the last attempt. The enrollment's row lock makes two concurrent starts give
    one attempt. An attempt left open past its deadline is closed here, as it stood, before
    anything else is decided (that closing stands even when the new attempt is refused)."""
    now = now or timezone.now()
    if user is None or not user.is_authenticated:
        raise PermissionDenied(_("You are not enrolled in this course."))
    with transaction.atomic():
        outcome = _start_locked(user=user, exam=exam, now=now)
    if isinstance(outcome, ValidationError):
        raise outcome
    return outcome


# --- answering and submitting ------------------------------------------------------------------


def _clean_answer(aq: AttemptQuestion, choice_ids, text) -> tuple[list[int], str]:
    question = aq.question
    text = (text or "").strip()
    raw = list(choice_ids or ())
    ids = [_as_id(value) for value in raw]
    if None in ids:
        raise ValidationError(_("Unknown choice."), code="bad_choice")
    ids = sorted(set(ids))
    if question.kind == K.SHORT_ANSWER:
        if ids:
            raise ValidationError(_("This question takes a written answer, not choices."), code="bad_choice")
        if len(text) > MAX_TEXT_ANSWER:
            raise ValidationError(
                _("Write at most %(n)s characters.") % {"n": MAX_TEXT_ANSWER}, code="too_long"
            )
        return [], text
    if text:
        raise ValidationError(_("This question takes a choice, not a written answer."), code="bad_text")
    allowed = set(aq.choice_order)
    if any(i not in allowed for i in ids):
        raise ValidationError(_("That choice does not belong to this question."), code="bad_choice")
    if question.kind in ONE_CHOICE_KINDS and len(ids) != 1:
        raise ValidationError(_("Choose exactly one answer."), code="one_choice")
    return ids, ""


def _late_error() -> ValidationError:
    return ValidationError(
        _("The time is up: this answer arrived after the deadline. Your attempt was submitted as it stood."),
        code="late",
    )


def answer_save(
    *, user, attempt_id, question_id, choice_ids=(), text: str = "", now: datetime.datetime | None = None
) -> datetime.datetime:
    """Saves (or replaces) the trainee's answer to one drawn question; returns when it was saved.
    Someone else's attempt, or an id that does not exist: PermissionDenied (a 404 in views). A
    question not drawn in the attempt, a choice of another question, the wrong number of choices:
    ValidationError, nothing saved. After the deadline plus the grace: refused, and the attempt is
    closed as it stood. A fixed handful of queries whatever the size of the exam."""
    late = None
    with transaction.atomic():
        attempt = _owned_attempt_locked(user=user, attempt_id=attempt_id)
        now = now or timezone.now()  # read under the lock: a save never postdates the submission
        if attempt.is_done:
            raise ValidationError(_("This attempt is submitted: answers no longer change."), code="done")
        if is_overdue(attempt=attempt, now=now):
            _close(attempt, now=now, status=A.AUTO_CLOSED)
            late = _late_error()
        else:
            qid = _as_id(question_id)
            aq = (
                AttemptQuestion.objects.select_related("question")
                .filter(attempt=attempt, question_id=qid)
                .first()
                if qid
                else None
            )
            if aq is None:
                raise ValidationError(_("That question is not part of this attempt."), code="not_drawn")
            ids, text = _clean_answer(aq, choice_ids, text)
            updated = Response.objects.filter(attempt=attempt, question_id=qid).update(
                choice_ids=ids, text=text, saved_at=now
            )
            if not updated:
                Response.objects.create(
                    attempt=attempt, question_id=qid, choice_ids=ids, text=text, saved_at=now
                )
    if late is not None:
        _completion(attempt.enrollment_id)
        raise late
    return now


def answers_save(*, user, attempt_id, answers, now: datetime.datetime | None = None) -> None:
    """Saves several answers at once, all or none (the exam form, posted with the submission or
    without JavaScript): `answers` is a list of (question id, choice ids, text); a question given
    twice keeps its last answer. An unanswered single-choice question is skipped; an answer equal
    to the stored one is not written again. Any refusal saves nothing and is raised. An answer
    arriving too late: nothing is saved, the attempt is closed as it stood, and the refusal (code
    "late") is raised. A fixed number of queries whatever the number of answers.
    Locks the enrollment, then the attempt, the order submission and the periodic task use."""
    pk = _as_id(attempt_id)
    if pk is None or user is None:
        raise PermissionDenied(_("This is not your attempt."))
    try:
        with transaction.atomic():
            attempt = _lock_pair(pk, user=user)
            now = now or timezone.now()  # read under the lock
            if attempt.is_done:
                raise ValidationError(_("This attempt is submitted: answers no longer change."), code="done")
            if is_overdue(attempt=attempt, now=now):
                raise _late_error()
            drawn = {
                aq.question_id: aq
                for aq in AttemptQuestion.objects.select_related("question").filter(attempt=attempt)
            }
            given: dict[int, tuple[list[int], str]] = {}
            for question_id, choice_ids, text in answers:
                qid = _as_id(question_id)
                aq = drawn.get(qid) if qid else None
                if aq is None:
                    raise ValidationError(_("That question is not part of this attempt."), code="not_drawn")
                try:
                    given[qid] = _clean_answer(aq, choice_ids, text)
                except ValidationError as error:
                    if getattr(error, "code", None) == "one_choice" and not choice_ids and not text:
                        continue  # not answered yet
                    raise
            stored = {
                r.question_id: r for r in Response.objects.filter(attempt=attempt, question_id__in=given)
            }
            new, changed = [], []
            for qid, (ids, text) in given.items():
                response = stored.get(qid)
                if response is None:
                    new.append(
                        Response(attempt=attempt, question_id=qid, choice_ids=ids, text=text, saved_at=now)
                    )
                elif (response.choice_ids, response.text) != (ids, text):
                    response.choice_ids, response.text, response.saved_at = ids, text, now
                    changed.append(response)
            if new:
                Response.objects.bulk_create(new)
            if changed:
                Response.objects.bulk_update(changed, ["choice_ids", "text", "saved_at"])
    except ValidationError as error:
        if getattr(error, "code", None) == "late":
            attempt_submit(user=user, attempt_id=pk, now=now)  # closed as it stood
        raise


def attempt_submit(*, user, attempt_id, now: datetime.datetime | None = None) -> Attempt:
    """Submits and grades the trainee's attempt. Idempotent: a second submission (or one racing
    the periodic task) returns the one result. Submitted after the deadline plus the grace, the
    attempt is closed as it stood (`auto_closed`). Then the course's completion is re-evaluated."""
    pk = _as_id(attempt_id)
    if pk is None or user is None:
        raise PermissionDenied(_("This is not your attempt."))
    with transaction.atomic():
        attempt = _lock_pair(pk, user=user)
        now = now or timezone.now()  # read under the lock
        if attempt.is_done:
            return attempt
        status = A.AUTO_CLOSED if is_overdue(attempt=attempt, now=now) else A.SUBMITTED
        _close(attempt, now=now, status=status)
        _completion(attempt.enrollment_id)
    return attempt


def attempts_close_overdue(*, now: datetime.datetime | None = None) -> int:
    """Closes, as they stood, the attempts left open past their deadline plus the grace (the
    periodic task). Each in its own transaction, re-checked under the lock: an attempt the trainee
    submitted meanwhile is left alone. At most 1000 a run (the next run takes the rest).
    Returns how many this call closed."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(seconds=GRACE_SECONDS)
    closed = 0
    ids = list(
        Attempt.objects.filter(status=A.IN_PROGRESS, deadline__lt=cutoff).values_list("pk", flat=True)[:1000]
    )
    for pk in ids:
        with transaction.atomic():
            attempt = _lock_pair(pk)
            if attempt.status != A.IN_PROGRESS or not is_overdue(attempt=attempt, now=now):
                continue
            _close(attempt, now=now, status=A.AUTO_CLOSED)
            _completion(attempt.enrollment_id)
            closed += 1
    return closed


# --- people changing results -------------------------------------------------------------------


def _may_grade(actor, exam: Exam, attempt: Attempt | None = None) -> bool:
    """Program administrators always. A trainee's attempt: the instructors of their class
    session (or, for a self-paced enrollment, the course's instructors) — the instructors who
    may see that trainee. The answer key itself (no attempt): the course's instructors."""
    if actor is None or not actor.is_authenticated:
        return False
    if is_program_admin(actor):
        return True
    if attempt is None:
        return is_course_instructor(user=actor, course=exam.course)
    if attempt.enrollment.session_id is None:
        return is_course_instructor(user=actor, course=exam.course)
    return ClassSession.objects.filter(pk=attempt.enrollment.session_id, instructors=actor).exists()


def _reason(reason: str, *, required: bool) -> str:
    reason = (reason or "").strip()
    if required and not reason:
        raise ValidationError({"reason": _("Give a reason.")})
    return reason


def _audit_attempt(attempt: Attempt, exam: Exam, *, action: str, actor, details: dict) -> None:
    """One audit-trail entry for a result changed by a person, under the trainee's agency."""
    trainee = Trainee.objects.only("agency_id", "given_names", "first_surname", "second_surname").get(
        enrollments__pk=attempt.enrollment_id
    )
    audit_record(
        actor=actor,
        action=action,
        agency_id=trainee.agency_id,
        target=audit_target(trainee.full_name, exam.course.code, exam.title, f"#{attempt.number}"),
        details={"exam": exam.pk, "attempt": attempt.pk, **details},
    )


@transaction.atomic
def question_regrade(
    *,
    actor,
    question: Question,
    correct_choice_ids: Iterable,
    reason: str,
    partial_credit: bool | None = None,
) -> list[Attempt]:
    """Fixes a question's answer key (which choices are right; optionally partial credit) and
    rescores every submitted attempt that drew it. The instructors of the course and program
    administrators only. Audited: one entry for the key, one per attempt whose result changed.
    Returns the rescored attempts."""
    question = Question.objects.select_related("exam__course").get(pk=question.pk)
    exam = question.exam
    if not _may_grade(actor, exam):
        raise PermissionDenied(_("Only the course's instructors and program administrators regrade."))
    reason = _reason(reason, required=True)
    if question.kind == K.SHORT_ANSWER:
        raise ValidationError(_("A written answer is scored by an instructor, not by an answer key."))
    choices = {c.pk: c for c in question.choices.all()}
    ids = [_as_id(value) for value in correct_choice_ids]
    if None in ids or any(i not in choices for i in ids):
        raise ValidationError(_("That choice does not belong to this question."), code="bad_choice")
    ids = set(ids)
    if question.kind in ONE_CHOICE_KINDS and len(ids) != 1:
        raise ValidationError(_("Exactly one choice is right in this kind of question."), code="one_choice")
    if partial_credit is not None and partial_credit and question.kind != K.MULTIPLE:
        raise ValidationError({"partial_credit": _("Only multiple-choice questions give partial credit.")})
    before = {
        "correct": sorted(pk for pk, c in choices.items() if c.is_correct),
        "partial_credit": question.partial_credit,
    }
    for pk, choice in choices.items():
        if choice.is_correct != (pk in ids):
            choice.is_correct = pk in ids
            choice.save(update_fields=["is_correct"])
    if partial_credit is not None and partial_credit != question.partial_credit:
        question.partial_credit = partial_credit
        question.save(update_fields=["partial_credit"])
    after = {"correct": sorted(ids), "partial_credit": question.partial_credit}
    AssessmentAudit.objects.create(
        actor=actor,
        action=AssessmentAudit.Action.REGRADE,
        exam=exam,
        question=question,
        before=before,
        after=after,
        reason=reason,
    )
    rescored, changed = [], 0
    attempt_ids = list(
        AttemptQuestion.objects.filter(question=question, attempt__status__in=Attempt.DONE_STATUSES)
        .order_by("attempt_id")
        .values_list("attempt_id", flat=True)
    )
    for pk in attempt_ids:
        attempt = _lock_pair(pk)
        was = _result(attempt)
        _grade(attempt)
        attempt.save(update_fields=list(RESULT_FIELDS))
        now = _result(attempt)
        if now != was:
            changed += 1
            AssessmentAudit.objects.create(
                actor=actor,
                action=AssessmentAudit.Action.RESCORE,
                exam=exam,
                question=question,
                attempt=attempt,
                before=was,
                after=now,
                reason=reason,
            )
        _completion(attempt.enrollment_id)
        rescored.append(attempt)
    audit_record(
        actor=actor,
        action=AuditEntry.Action.QUESTION_REGRADE,
        target=audit_target(exam.course.code, exam.title, str(question)),
        details={
            "exam": exam.pk,
            "question": question.pk,
            "before": before,
            "after": after,
            "attempts_rescored": len(rescored),
            "results_changed": changed,
            "reason": reason,
        },
    )
    return rescored


@transaction.atomic
def attempt_override(*, actor, attempt: Attempt, passed: bool, reason: str, score_percent=None) -> Attempt:
    """An instructor of the course (or of the trainee's class) or a program administrator sets a
    submitted attempt's result, with a reason; audited. The graded score stays beside it."""
    attempt = _lock_pair(attempt.pk)
    exam = Exam.objects.select_related("course").get(pk=attempt.exam_id)
    if not _may_grade(actor, exam, attempt):
        raise PermissionDenied(_("Only the course's instructors and program administrators change results."))
    reason = _reason(reason, required=True)
    if not attempt.is_done:
        raise ValidationError(_("Only a submitted attempt's result can be changed."), code="in_progress")
    if not isinstance(passed, bool):
        raise ValidationError({"passed": _("Say whether the trainee passed.")})
    if score_percent is not None and score_percent != "":
        try:
            score_percent = _q(Decimal(str(score_percent).strip()))
        except (InvalidOperation, ValueError):
            raise ValidationError({"score_percent": _("Give the score as a number from 0 to 100.")}) from None
        if not Decimal(0) <= score_percent <= Decimal(100):
            raise ValidationError({"score_percent": _("Give the score as a number from 0 to 100.")})
    else:
        score_percent = None
    before = _result(attempt)
    attempt.override_passed = passed
    attempt.override_score_percent = score_percent
    attempt.override_reason = reason
    attempt.overridden_by = actor
    attempt.overridden_at = timezone.now()
    attempt.save(
        update_fields=[
            "override_passed",
            "override_score_percent",
            "override_reason",
            "overridden_by",
            "overridden_at",
        ]
    )
    AssessmentAudit.objects.create(
        actor=actor,
        action=AssessmentAudit.Action.OVERRIDE,
        exam=exam,
        attempt=attempt,
        before=before,
        after=_result(attempt),
        reason=reason,
    )
    _audit_attempt(
        attempt,
        exam,
        action=AuditEntry.Action.GRADE_OVERRIDE,
        actor=actor,
        details={"before": before, "after": _result(attempt), "reason": reason},
    )
    _completion(attempt.enrollment_id)
    return attempt


@transaction.atomic
def short_answer_score(*, actor, response: Response, points, reason: str = "") -> Response:
    """An instructor scores (or rescores) a written answer of a submitted attempt, from 0 to the
    question's points; the attempt's score is recomputed. Audited."""
    attempt = _lock_pair(response.attempt_id)
    response = Response.objects.select_related("question").get(pk=response.pk)
    exam = Exam.objects.select_related("course").get(pk=attempt.exam_id)
    if not _may_grade(actor, exam, attempt):
        raise PermissionDenied(_("Only the course's instructors and program administrators score answers."))
    reason = _reason(reason, required=False)
    question = response.question
    if question.kind != K.SHORT_ANSWER:
        raise ValidationError(_("Only written answers are scored by hand."), code="not_short_answer")
    if not attempt.is_done:
        raise ValidationError(_("Score the answer once the attempt is submitted."), code="in_progress")
    message = _("Give a number of points from 0 to %(max)s.") % {"max": question.points}
    try:
        value = _q(Decimal(str(points).strip()))
    except (InvalidOperation, ValueError):
        raise ValidationError({"points": message}) from None
    if not value.is_finite() or not Decimal(0) <= value <= Decimal(question.points):
        raise ValidationError({"points": message})
    before = {"points_awarded": None if response.points_awarded is None else str(response.points_awarded)}
    before.update(_result(attempt))
    response.points_awarded = value
    response.graded_by = actor
    response.graded_at = timezone.now()
    response.save(update_fields=["points_awarded", "graded_by", "graded_at"])
    _grade(attempt)
    attempt.save(update_fields=list(RESULT_FIELDS))
    after = {"points_awarded": str(value)}
    after.update(_result(attempt))
    AssessmentAudit.objects.create(
        actor=actor,
        action=AssessmentAudit.Action.SCORE_SHORT_ANSWER,
        exam=exam,
        question=question,
        attempt=attempt,
        response=response,
        before=before,
        after=after,
        reason=reason,
    )
    _audit_attempt(
        attempt,
        exam,
        action=AuditEntry.Action.SHORT_ANSWER_SCORE,
        actor=actor,
        details={"question": question.pk, "before": before, "after": after, "reason": reason},
    )
    _completion(attempt.enrollment_id)
    return response


@transaction.atomic
def accommodation_grant(*, actor, trainee: Trainee, exam: Exam, extra_minutes, reason: str) -> Accommodation:
    """A program administrator grants a trainee extra time on an exam (every language of it).
    It applies to attempts started afterwards; 0 withdraws it. Audited."""
    if actor is None or not is_program_admin(actor):
        raise PermissionDenied(_("Only program administrators grant extra time."))
    reason = _reason(reason, required=True)
    try:
        minutes = None if isinstance(extra_minutes, bool) else int(str(extra_minutes).strip())
    except ValueError:
        minutes = None
    if minutes is None or not 0 <= minutes <= MAX_EXTRA_MINUTES:
        raise ValidationError(
            {
                "extra_minutes": _("Give the extra time in whole minutes, from 0 to %(max)s.")
                % {"max": MAX_EXTRA_MINUTES}
            }
        )
    current = (
        Accommodation.objects.select_for_update()
        .filter(trainee=trainee, exam_group_key=exam.group_key)
        .first()
    )
    before = {"extra_minutes": current.extra_minutes if current else 0}
    accommodation, _created = Accommodation.objects.update_or_create(
        trainee=trainee,
        exam_group_key=exam.group_key,
        defaults={"extra_minutes": minutes, "granted_by": actor, "reason": reason},
    )
    AssessmentAudit.objects.create(
        actor=actor,
        action=AssessmentAudit.Action.ACCOMMODATION,
        exam=exam,
        before={**before, "trainee": trainee.pk},
        after={"extra_minutes": minutes, "trainee": trainee.pk},
        reason=reason,
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.EXTRA_TIME,
        agency_id=trainee.agency_id,
        target=audit_target(trainee.full_name, exam.title),
        details={
            "exam": exam.pk,
            "trainee": trainee.pk,
            "before": before,
            "after": {"extra_minutes": minutes},
            "reason": reason,
        },
    )
    return accommodation
