"""Building exams: who may build an exam for which course, the rules an exam and its questions must
keep, and the writes (save, copy into the other language, delete). The Wagtail admin
(`courses/admin_exams.py`) calls these; nothing else creates or changes an exam's questions.

An exam is saved as one cluster (`Exam` with its `questions`, each with its `choices`, in memory
until `exam_save` commits them). `exam_build_problems` is the ONE place the structural rules live:
the admin runs it to put each error beside its field, `exam_save` runs it again before writing.
The model's `clean` methods keep the rules about single values (pass mark, per-topic format,
partial credit only for multiple choice); they run first.

Once an exam has attempts, what would silently change a result is refused (see
`exam_build_problems`); answer keys then change only through `services_assessment.question_regrade`,
which rescores the attempts and records who did it and why.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from certification.roles import is_program_admin

from .access import is_course_instructor
from .models import CourseInstructorGroup, CoursePage
from .models_assessment import AssessmentAudit, Attempt, AttemptQuestion, Choice, Exam, Question

K = Question.Kind
ONE_RIGHT_KINDS = (K.SINGLE, K.TRUE_FALSE)
OTHER_LANGUAGE = {"es": "en", "en": "es"}

# --- who may build -----------------------------------------------------------------------------


def _taught_course_keys(user) -> frozenset:
    """The course keys `user` teaches, read once per user object (that is, once per request).
    The `_carsi_` prefix lets `certification.roles.forget_roles` drop it after a role change."""
    cached = getattr(user, "_carsi_exam_course_keys", None)
    if cached is None:
        cached = frozenset(
            CourseInstructorGroup.objects.filter(group__user=user).values_list("course_key", flat=True)
        )
        user._carsi_exam_course_keys = cached
    return cached


def may_build_exams(user) -> bool:
    """Program administrators, and instructors who teach at least one course."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return is_program_admin(user) or bool(_taught_course_keys(user))


def may_build_exam(user, exam: Exam) -> bool:
    """Whether `user` may open and edit `exam` (no query beyond the user's courses, once)."""
    if not may_build_exams(user):
        return False
    return is_program_admin(user) or exam.course_key in _taught_course_keys(user)


def exams_buildable_by(user):
    """The exams `user` may open and edit in the admin: every exam for program administrators, the
    exams of the courses they teach for instructors, none for anyone else (their URLs answer 404)."""
    if not may_build_exams(user):
        return Exam.objects.none()
    if is_program_admin(user):
        return Exam.objects.all()
    return Exam.objects.filter(course_key__in=_taught_course_keys(user))


def courses_buildable_by(user):
    """The course pages (every language's copy) an exam may be created for by `user`."""
    courses = CoursePage.objects.select_related("locale").order_by("code", "locale__language_code")
    if not may_build_exams(user):
        return courses.none()
    if is_program_admin(user):
        return courses
    return courses.filter(translation_key__in=_taught_course_keys(user))


def _may_build_for(actor, course) -> bool:
    # Checked afresh (no per-request cache): this guards the writes.
    if actor is None or not actor.is_authenticated or not actor.is_active:
        return False
    return is_program_admin(actor) or is_course_instructor(user=actor, course=course)


def _check_builder(actor, course) -> None:
    if not _may_build_for(actor, course):
        raise PermissionDenied(_("Only the course's instructors and program administrators build its exams."))


# --- the rules ---------------------------------------------------------------------------------


def choice_rule_problems(*, kind: str, correct: Iterable[bool]) -> list[str]:
    """What is wrong with a question of `kind` whose choices are right or wrong as in `correct`
    (one flag per choice). Empty when nothing is."""
    correct = list(correct)
    right = sum(1 for flag in correct if flag)
    if kind == K.SHORT_ANSWER:
        return [_("A short written answer has no choices: remove them.")] if correct else []
    if kind == K.TRUE_FALSE:
        if len(correct) != 2 or right != 1:
            return [_("A true-or-false question has exactly two choices, one of them right.")]
        return []
    if kind == K.SINGLE:
        if len(correct) < 2 or right != 1:
            return [_("A single-choice question needs at least two choices, exactly one of them right.")]
        return []
    if kind == K.MULTIPLE:
        if len(correct) < 2 or right < 1:
            return [_("A multiple-choice question needs at least two choices, at least one of them right.")]
        return []
    return []


@dataclass
class ExamProblems:
    """Errors found in an exam cluster, each held against the object it is about (the exam, one of
    its questions or one of their choices) and a field name (NON_FIELD_ERRORS for the whole)."""

    entries: list[tuple[object, str, str]] = field(default_factory=list)

    def add(self, target, field_name: str | None, message: str) -> None:
        self.entries.append((target, field_name or NON_FIELD_ERRORS, str(message)))

    def __bool__(self) -> bool:
        return bool(self.entries)

    def messages(self) -> list[str]:
        """One line per error, saying which question it is about."""
        lines = []
        for target, _field, message in self.entries:
            if isinstance(target, Question):
                message = _("Question “%(q)s”: %(m)s") % {"q": _short(target.text), "m": message}
            elif isinstance(target, Choice):
                message = _("Choice “%(c)s”: %(m)s") % {"c": _short(target.text), "m": message}
            lines.append(message)
        return lines


class ExamRefused(ValidationError):
    """`exam_save` found problems: nothing was written. `problems` says where each one is."""

    def __init__(self, problems: ExamProblems):
        super().__init__(problems.messages(), code="exam_refused")
        self.problems = problems


def _short(text: str) -> str:
    return Truncator(" ".join((text or "").split())).chars(60)


def _pool_problems(exam: Exam, questions: list[Question], problems: ExamProblems) -> None:
    if not questions:
        if exam.published:
            problems.add(exam, "published", _("An exam without questions cannot be published."))
        return
    if exam.questions_per_attempt and exam.questions_per_attempt > len(questions):
        problems.add(
            exam,
            "questions_per_attempt",
            _("The pool has %(have)s questions; %(n)s cannot be drawn from it.")
            % {"have": len(questions), "n": exam.questions_per_attempt},
        )
    per_topic = exam.per_topic if isinstance(exam.per_topic, dict) else {}
    have = Counter(q.topic for q in questions)
    for topic, n in per_topic.items():
        if isinstance(n, int) and have[topic] < n:
            problems.add(
                exam,
                "per_topic",
                _("The topic “%(topic)s” has %(have)s questions in the pool; %(n)s are drawn from it.")
                % {"topic": topic, "have": have[topic], "n": n},
            )


def _locked_problems(
    exam: Exam, questions: list[Question], choices: dict[int, list[Choice]], problems: ExamProblems
) -> None:
    """Once there are attempts: what would change a result already given (or being earned)."""
    stored = Exam.objects.filter(pk=exam.pk).values("course_key", "language", "pass_mark_percent").first()
    if stored is None or not Attempt.objects.filter(exam_id=exam.pk).exists():
        return
    key_fix = _(
        "Trainees have taken this exam. To change which choices are right, use “Correct the answer "
        "key”: it rescores every attempt and records why."
    )
    if exam.course_key != stored["course_key"]:
        problems.add(exam, "course", _("Trainees have taken this exam: it stays with its course."))
    if exam.language != stored["language"]:
        problems.add(exam, "language", _("Trainees have taken this exam in this language: it stays in it."))
    if exam.pass_mark_percent != stored["pass_mark_percent"]:
        problems.add(
            exam,
            "pass_mark_percent",
            _(
                "Trainees have taken this exam with a pass mark of %(mark)s%%: a new mark would pass or "
                "fail them differently at the next rescoring. To change one trainee's result, override it."
            )
            % {"mark": stored["pass_mark_percent"]},
        )
    drawn = set(
        AttemptQuestion.objects.filter(question__exam_id=exam.pk)
        .values_list("question_id", flat=True)
        .distinct()
    )
    if not drawn:
        return
    before = {
        row["pk"]: row
        for row in Question.objects.filter(pk__in=drawn).values(
            "pk", "text", "kind", "points", "partial_credit"
        )
    }
    before_choices: dict[int, dict[int, dict]] = defaultdict(dict)
    for row in Choice.objects.filter(question_id__in=drawn).values("pk", "question_id", "text", "is_correct"):
        before_choices[row["question_id"]][row["pk"]] = row
    kept = {q.pk for q in questions if q.pk}
    for pk in sorted(drawn - kept):
        problems.add(
            exam,
            None,
            _("The question “%(q)s” was drawn in attempts: it cannot be deleted. %(fix)s")
            % {"q": _short(before[pk]["text"]), "fix": key_fix},
        )
    for question in questions:
        if question.pk not in drawn:
            continue  # never drawn: no result depends on it
        was = before[question.pk]
        if question.kind != was["kind"]:
            problems.add(question, "kind", _("This question was drawn in attempts: its kind stays."))
        if question.points != was["points"]:
            problems.add(
                question,
                "points",
                _("This question was drawn in attempts: its points stay (%(n)s).") % {"n": was["points"]},
            )
        if bool(question.partial_credit) != was["partial_credit"]:
            problems.add(question, "partial_credit", key_fix)
        old = before_choices[question.pk]
        now = choices[id(question)]
        if any(choice.pk is None for choice in now):
            problems.add(
                question, None, _("Choices cannot be added to a question already drawn in attempts.")
            )
        for choice in now:
            if choice.pk in old and bool(choice.is_correct) != old[choice.pk]["is_correct"]:
                problems.add(choice, "is_correct", key_fix)
        for pk in sorted(set(old) - {c.pk for c in now if c.pk}):
            problems.add(
                question,
                None,
                _("The choice “%(c)s” was shown in attempts: it cannot be deleted.")
                % {"c": _short(old[pk]["text"])},
            )


def _cluster(exam: Exam) -> tuple[list[Question], dict[int, list[Choice]]]:
    questions = list(exam.questions.all())
    return questions, {id(q): list(q.choices.all()) for q in questions}


def exam_build_problems(*, exam: Exam) -> ExamProblems:
    """Everything wrong with `exam` as it stands in memory (its settings, questions and choices,
    saved or not), against the rules of an exam and, once trainees have taken it, against what
    they took:

    - each question's choices fit its kind (`choice_rule_problems`);
    - the pool can give an attempt: questions per attempt no more than the pool, each topic's
      count present in it, no publishing without questions;
    - with attempts: course, language and pass mark stay; a question drawn in an attempt is not
      deleted and keeps its kind, points, partial credit, choices and which of them are right.
      Wording (question, choices, explanation), topics, order and the drawing and review settings
      may change: they alter no result already given.
    """
    problems = ExamProblems()
    questions, choices = _cluster(exam)
    for question in questions:
        kind_choices = choices[id(question)]
        for message in choice_rule_problems(kind=question.kind, correct=[c.is_correct for c in kind_choices]):
            problems.add(question, None, message)
    _pool_problems(exam, questions, problems)
    if exam.pk:
        _locked_problems(exam, questions, choices, problems)
    return problems


# --- writes ------------------------------------------------------------------------------------


def _full_clean(exam: Exam, questions: list[Question], choices: dict[int, list[Choice]]) -> None:
    """The model rules (a form has run them already; code calling the service may not have)."""
    exam.full_clean()
    errors = []
    for question in questions:
        try:
            question.full_clean(exclude=["exam"])
        except ValidationError as error:
            errors += error.messages
        for choice in choices[id(question)]:
            try:
                choice.full_clean(exclude=["question"])
            except ValidationError as error:
                errors += error.messages
    if errors:
        raise ValidationError(errors)


def _number(exam: Exam, questions: list[Question], choices: dict[int, list[Choice]]) -> None:
    """Positions 1, 2, 3... in the cluster's order (trainees see questions by position when the
    exam is not shuffled; instructors read "question 3")."""
    for i, question in enumerate(questions, start=1):
        question.position = i
        for j, choice in enumerate(choices[id(question)], start=1):
            choice.position = j
        question.choices = choices[id(question)]
    exam.questions = questions


@transaction.atomic
def exam_save(*, actor, exam: Exam) -> Exam:
    """Saves an exam with its questions and choices (a cluster: the admin's form builds it in
    memory). Only the course's instructors and program administrators; for an exam that moves to
    another course, of both courses. The exam's row is locked while it is checked and written, so
    two people saving at once are checked one after the other. Any problem: `ExamRefused` (a
    ValidationError that says where each problem is), nothing written."""
    if exam.course_id is None:
        raise ValidationError({"course": _("Choose the course.")})
    _check_builder(actor, exam.course)
    if exam.pk:
        stored = Exam.objects.select_for_update().select_related("course").filter(pk=exam.pk).first()
        if stored is None:
            raise PermissionDenied(_("This exam no longer exists."))
        _check_builder(actor, stored.course)
    questions, choices = _cluster(exam)
    _full_clean(exam, questions, choices)
    problems = exam_build_problems(exam=exam)
    if problems:
        raise ExamRefused(problems)
    _number(exam, questions, choices)
    try:
        exam.save()
    except ProtectedError:
        # A question was drawn by an attempt started while this was being saved.
        raise ValidationError(
            _("A trainee has just started this exam: reload the page and make your changes again.")
        ) from None
    return exam


@transaction.atomic
def exam_copy_to_language(*, actor, exam: Exam, language: str) -> Exam:
    """The same exam in the other language, to be translated: its settings, questions (with
    topics, points and kinds) and choices (with which are right) copied, unpublished, in the
    same group (attempts count across both) and course (its page in that language when the course
    has one). Refused when the group already has that language."""
    exam = Exam.objects.select_related("course").get(pk=exam.pk)
    _check_builder(actor, exam.course)
    if language not in OTHER_LANGUAGE or language == exam.language:
        raise ValidationError({"language": _("Choose the other language.")})
    if Exam.objects.filter(group_key=exam.group_key, language=language).exists():
        raise ValidationError({"language": _("This exam already has a version in that language.")})
    course = (
        CoursePage.objects.filter(translation_key=exam.course_key, locale__language_code=language).first()
        or exam.course
    )
    source_questions = list(exam.questions.prefetch_related("choices"))
    copy = Exam(
        course=course,
        course_key=exam.course_key,
        group_key=exam.group_key,
        language=language,
        published=False,
        **{
            name: getattr(exam, name)
            for name in (
                "title",
                "pass_mark_percent",
                "time_limit_minutes",
                "max_attempts",
                "min_delay_minutes",
                "questions_per_attempt",
                "per_topic",
                "shuffle_questions",
                "shuffle_choices",
                "review_policy",
                "review_timing",
                "is_required",
            )
        },
    )
    copy.questions = [
        Question(
            topic=q.topic,
            kind=q.kind,
            text=q.text,
            explanation=q.explanation,
            points=q.points,
            partial_credit=q.partial_credit,
            position=q.position,
            choices=[
                Choice(text=c.text, is_correct=c.is_correct, position=c.position) for c in q.choices.all()
            ],
        )
        for q in source_questions
    ]
    return exam_save(actor=actor, exam=copy)


@transaction.atomic
def exam_delete(*, actor, exam: Exam) -> None:
    """Deletes an exam nobody has taken (and no extra time was granted on): its questions and
    choices go with it. An exam with attempts or audit entries stays: its results are records."""
    exam = Exam.objects.select_for_update().select_related("course").get(pk=exam.pk)
    _check_builder(actor, exam.course)
    if Attempt.objects.filter(exam=exam).exists() or AssessmentAudit.objects.filter(exam=exam).exists():
        raise ValidationError(
            _(
                "Trainees have taken this exam (or were granted extra time on it): it cannot be deleted. "
                "Unpublish it instead."
            )
        )
    exam.delete()


def exam_versions(*, exams: Iterable[Exam]) -> dict:
    """Each group's exams by language, for the exams given (one query): {group_key: {lang: id}}."""
    keys = {exam.group_key for exam in exams}
    versions: dict = defaultdict(dict)
    for pk, group_key, language in Exam.objects.filter(group_key__in=keys).values_list(
        "pk", "group_key", "language"
    ):
        versions[group_key][language] = pk
    return versions


def exam_has_attempts(*, exam: Exam) -> bool:
    return Attempt.objects.filter(exam_id=exam.pk).exists()


def drawn_questions(*, exam: Exam):
    """The exam's questions drawn in at least one attempt (their answer keys change only by
    regrading)."""
    drawn = AttemptQuestion.objects.filter(question__exam_id=exam.pk).values("question_id")
    return Question.objects.filter(exam_id=exam.pk, pk__in=drawn).order_by("position", "pk")
