"""Assessments: exams, their question pools, attempts on a server-side clock, answers, and the
audit trail of every change a person makes to a result.

A course is one course in every language: an exam refers to it by `course_key`. A bilingual
course has one `Exam` per language sharing a `group_key`, so attempts (and their limit) count
across both languages; an attempt is in one language (its `exam`).

Attempt lifecycle (changed only by `services_assessment`):

    in_progress -> submitted      (the trainee submitted, in time)
    in_progress -> auto_closed    (the deadline passed: closed as it stood, by the periodic task,
                                    by a late answer or by a late submission)

Nothing here computes anything: grading, drawing and every check live in
`services_assessment`; reading (what a trainee may see) in `selectors_assessment`.
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel

from .models_enrollment import LANGUAGES


class Exam(ClusterableModel):
    """Clusterable so the Wagtail admin edits an exam with its questions and their choices on one
    page (`courses/admin_exams.py`); `services_exam_builder.exam_save` checks and saves it."""

    class ReviewPolicy(models.TextChoices):
        SCORE_ONLY = "score_only", _("Score only")
        ANSWERS = "answers", _("Score and which answers were right")
        ANSWERS_WITH_EXPLANATIONS = "answers_with_explanations", _("Answers with explanations")

    class ReviewTiming(models.TextChoices):
        IMMEDIATELY = "immediately", _("Right after submitting")
        AFTER_SESSION_CLOSES = "after_session_closes", _("After the class closes")

    course_key = models.UUIDField(_("course"), db_index=True, editable=False)
    course = models.ForeignKey(
        "courses.CoursePage", on_delete=models.PROTECT, related_name="+", verbose_name=_("course page")
    )
    group_key = models.UUIDField(
        _("exam group"),
        default=uuid.uuid4,
        db_index=True,
        help_text=_("The same exam in another language shares this key: attempts count across both."),
    )
    language = models.CharField(_("language"), max_length=2, choices=LANGUAGES, default="es")
    title = models.CharField(_("title"), max_length=200)
    pass_mark_percent = models.PositiveSmallIntegerField(_("pass mark (%)"), default=70)
    time_limit_minutes = models.PositiveIntegerField(
        _("time limit (minutes)"), null=True, blank=True, help_text=_("Leave empty for an untimed exam.")
    )
    max_attempts = models.PositiveSmallIntegerField(_("number of attempts"), default=1)
    min_delay_minutes = models.PositiveIntegerField(_("minimum delay between attempts (minutes)"), default=0)
    questions_per_attempt = models.PositiveSmallIntegerField(
        _("questions per attempt"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Drawn at random from the pool. Leave empty to ask every question."),
    )
    per_topic = models.JSONField(
        _("questions per topic"),
        default=dict,
        blank=True,
        help_text=_('How many questions to draw from each topic, e.g. {"documents": 5, "vehicles": 3}.'),
    )
    shuffle_questions = models.BooleanField(_("shuffle questions"), default=True)
    shuffle_choices = models.BooleanField(_("shuffle choices"), default=True)
    review_policy = models.CharField(
        _("what trainees see after submitting"),
        max_length=30,
        choices=ReviewPolicy.choices,
        default=ReviewPolicy.SCORE_ONLY,
    )
    review_timing = models.CharField(
        _("when they see it"), max_length=30, choices=ReviewTiming.choices, default=ReviewTiming.IMMEDIATELY
    )
    is_required = models.BooleanField(_("required for completion"), default=True)
    published = models.BooleanField(_("published"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["course_key", "title", "language"]
        verbose_name = _("exam")
        verbose_name_plural = _("exams")
        constraints = [
            models.UniqueConstraint(fields=["group_key", "language"], name="exam_one_per_language"),
            models.CheckConstraint(
                condition=Q(pass_mark_percent__gte=1, pass_mark_percent__lte=100), name="exam_pass_mark_range"
            ),
            models.CheckConstraint(condition=Q(max_attempts__gte=1), name="exam_max_attempts_positive"),
            models.CheckConstraint(
                condition=Q(time_limit_minutes__isnull=True) | Q(time_limit_minutes__gte=1),
                name="exam_time_limit_positive",
            ),
            models.CheckConstraint(
                condition=Q(questions_per_attempt__isnull=True) | Q(questions_per_attempt__gte=1),
                name="exam_questions_per_attempt_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.language})"

    def clean(self):
        errors = {}
        if self.course_id:
            # The course's identity is its pages' translation_key, whichever copy was chosen.
            self.course_key = self.course.translation_key
            siblings = Exam.objects.filter(group_key=self.group_key).exclude(pk=self.pk)
            if siblings.exclude(course_key=self.course_key).exists():
                errors["group_key"] = _("The same exam in another language must belong to the same course.")
            elif self.language and siblings.filter(language=self.language).exists():
                errors["language"] = _("This exam already has a version in that language.")
        if self.pass_mark_percent is not None and not 1 <= self.pass_mark_percent <= 100:
            errors["pass_mark_percent"] = _("The pass mark is a percentage from 1 to 100.")
        if self.max_attempts is not None and self.max_attempts < 1:
            errors["max_attempts"] = _("Allow at least one attempt.")
        if self.time_limit_minutes is not None and self.time_limit_minutes < 1:
            errors["time_limit_minutes"] = _("The time limit is at least one minute (or empty: untimed).")
        if self.per_topic is None:
            self.per_topic = {}  # an emptied field in a form: no topics
        per_topic = self.per_topic
        if not isinstance(per_topic, dict) or not all(
            isinstance(topic, str)
            and topic.strip()
            and isinstance(n, int)
            and not isinstance(n, bool)
            and n >= 1
            for topic, n in per_topic.items()
        ):
            errors["per_topic"] = _("Give each topic a whole number of questions, at least one.")
        elif self.questions_per_attempt and sum(per_topic.values()) > self.questions_per_attempt:
            errors["per_topic"] = _("The questions per topic add up to more than the questions per attempt.")
        if errors:
            raise ValidationError(errors)


class Question(ClusterableModel):
    class Kind(models.TextChoices):
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple choice")
        TRUE_FALSE = "true_false", _("True or false")
        SHORT_ANSWER = "short_answer", _("Short written answer")

    exam = ParentalKey(Exam, on_delete=models.CASCADE, related_name="questions", verbose_name=_("exam"))
    topic = models.CharField(_("topic"), max_length=60, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.SINGLE)
    text = models.TextField(_("question"))
    explanation = models.TextField(_("explanation"), blank=True)
    points = models.PositiveSmallIntegerField(_("points"), default=1, validators=[MinValueValidator(1)])
    partial_credit = models.BooleanField(
        _("partial credit"),
        default=False,
        help_text=_("Multiple choice only: credit for part of the answer."),
    )
    position = models.PositiveIntegerField(_("position"), default=0)

    sort_order_field = "position"  # the admin's up/down arrows set it

    class Meta:
        ordering = ["exam", "position", "id"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.CheckConstraint(condition=Q(points__gte=1), name="question_points_positive"),
            models.CheckConstraint(
                condition=Q(partial_credit=False) | Q(kind="multiple"),
                name="question_partial_credit_multiple",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:80]

    def clean(self):
        if self.partial_credit and self.kind != self.Kind.MULTIPLE:
            raise ValidationError(
                {"partial_credit": _("Only multiple-choice questions give partial credit.")}
            )

    @property
    def has_choices(self) -> bool:
        return self.kind != self.Kind.SHORT_ANSWER


class Choice(models.Model):
    question = ParentalKey(
        Question, on_delete=models.CASCADE, related_name="choices", verbose_name=_("question")
    )
    text = models.CharField(_("choice"), max_length=500)
    is_correct = models.BooleanField(_("correct"), default=False)
    position = models.PositiveIntegerField(_("position"), default=0)

    sort_order_field = "position"

    class Meta:
        ordering = ["question", "position", "id"]
        verbose_name = _("choice")
        verbose_name_plural = _("choices")

    def __str__(self) -> str:
        return self.text[:80]


class Accommodation(models.Model):
    """Extra time a program administrator granted a trainee for an exam (in every language)."""

    trainee = models.ForeignKey(
        "certification.Trainee", on_delete=models.CASCADE, related_name="+", verbose_name=_("trainee")
    )
    exam_group_key = models.UUIDField(_("exam group"))
    extra_minutes = models.PositiveIntegerField(_("extra minutes"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("granted by"),
    )
    reason = models.TextField(_("reason"))
    granted_at = models.DateTimeField(_("granted at"), auto_now=True)

    class Meta:
        verbose_name = _("accommodation")
        verbose_name_plural = _("accommodations")
        constraints = [
            models.UniqueConstraint(fields=["trainee", "exam_group_key"], name="accommodation_once_per_exam"),
        ]

    def __str__(self) -> str:
        return f"{self.trainee} +{self.extra_minutes} min"


class Attempt(models.Model):
    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("In progress")
        SUBMITTED = "submitted", _("Submitted")
        AUTO_CLOSED = "auto_closed", _("Closed at the deadline")

    DONE_STATUSES = ("submitted", "auto_closed")

    enrollment = models.ForeignKey(
        "courses.Enrollment", on_delete=models.PROTECT, related_name="attempts", verbose_name=_("enrollment")
    )
    exam = models.ForeignKey(Exam, on_delete=models.PROTECT, related_name="attempts", verbose_name=_("exam"))
    exam_group_key = models.UUIDField(_("exam group"), editable=False)
    number = models.PositiveSmallIntegerField(_("attempt number"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.IN_PROGRESS)
    started_at = models.DateTimeField(_("started at"))
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    score_points = models.DecimalField(_("points"), max_digits=8, decimal_places=2, null=True, blank=True)
    max_points = models.DecimalField(_("out of"), max_digits=8, decimal_places=2, null=True, blank=True)
    score_percent = models.DecimalField(_("score (%)"), max_digits=5, decimal_places=2, null=True, blank=True)
    passed = models.BooleanField(_("passed"), null=True, blank=True)
    pending_grading = models.BooleanField(_("awaiting an instructor's scoring"), default=False)
    # An instructor's or administrator's override of the result (audited in AssessmentAudit).
    override_passed = models.BooleanField(_("result set by an instructor"), null=True, blank=True)
    override_score_percent = models.DecimalField(
        _("score set by an instructor (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    override_reason = models.TextField(_("reason for the override"), blank=True)
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    overridden_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["enrollment", "exam_group_key", "number"]
        verbose_name = _("attempt")
        verbose_name_plural = _("attempts")
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "exam_group_key", "number"], name="attempt_number_once"
            ),
            models.UniqueConstraint(
                fields=["enrollment", "exam_group_key"],
                condition=Q(status="in_progress"),
                name="attempt_one_in_progress",
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="attempt_number_positive"),
            models.CheckConstraint(
                condition=Q(status="in_progress") | Q(submitted_at__isnull=False),
                name="attempt_done_has_submitted_at",
            ),
        ]
        indexes = [models.Index(fields=["status", "deadline"])]

    def __str__(self) -> str:
        return f"{self.exam} #{self.number} ({self.status})"

    @property
    def is_done(self) -> bool:
        return self.status in self.DONE_STATUSES

    @property
    def result_passed(self) -> bool | None:
        """The result that counts: an override when there is one, else the graded result."""
        return self.override_passed if self.override_passed is not None else self.passed

    @property
    def result_percent(self):
        return self.override_score_percent if self.override_score_percent is not None else self.score_percent


class AttemptQuestion(models.Model):
    """A question drawn for an attempt: its place and the order its choices are shown in."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="drawn")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField()
    choice_order = models.JSONField(default=list)  # choice ids, in the order shown

    class Meta:
        ordering = ["attempt", "position"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "question"], name="attempt_question_once"),
            models.UniqueConstraint(fields=["attempt", "position"], name="attempt_position_once"),
        ]

    def __str__(self) -> str:
        return f"{self.attempt_id}.{self.position}"


class Response(models.Model):
    """A trainee's answer to one drawn question (saved as they go; the last save counts)."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="responses")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    choice_ids = models.JSONField(_("chosen"), default=list)
    text = models.TextField(_("written answer"), blank=True)
    saved_at = models.DateTimeField(_("saved at"))
    points_awarded = models.DecimalField(
        _("points awarded"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    graded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["attempt", "question"], name="response_once_per_question"),
        ]

    def __str__(self) -> str:
        return f"{self.attempt_id}/{self.question_id}"


class AssessmentAudit(models.Model):
    """Who changed a result or an answer key, when, from what to what, and why. Append-only."""

    class Action(models.TextChoices):
        REGRADE = "regrade", _("Answer key corrected")
        RESCORE = "rescore", _("Attempt rescored")
        OVERRIDE = "override", _("Result overridden")
        SCORE_SHORT_ANSWER = "score_short_answer", _("Written answer scored")
        ACCOMMODATION = "accommodation", _("Extra time granted")

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    action = models.CharField(_("action"), max_length=30, choices=Action.choices)
    exam = models.ForeignKey(Exam, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    attempt = models.ForeignKey(
        Attempt, on_delete=models.PROTECT, null=True, blank=True, related_name="audit"
    )
    response = models.ForeignKey(Response, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    before = models.JSONField(default=dict)
    after = models.JSONField(default=dict)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("assessment audit entry")
        verbose_name_plural = _("assessment audit trail")

    def __str__(self) -> str:
        return f"{self.action} by {self.actor_id} at {self.created_at:%Y-%m-%d %H:%M}"
