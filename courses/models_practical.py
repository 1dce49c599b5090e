"""Practical evaluations: a course's score sheets (a vehicle search, a document examination, a
checkpoint scenario, a firearms qualification), each trainee's result on a sheet, and the audit
trail of every change a person makes to a result.

A course is one course in every language: a sheet refers to it by `course_key` and is bilingual
(title, instructions and items in Spanish and English), so one sheet serves every language's copy.

How a sheet is passed (computed by `services_practical`, never here):

- checklist: every *critical* item passed, and at least `pass_threshold` items passed in all
  (no threshold: every item passed);
- points: the total is at least `pass_threshold`, and no *critical* item scored zero.

One result per enrollment and sheet. Evaluating the trainee again (a retake) updates the result;
the audit trail keeps what it was before (`PracticalAudit`, action "rescore"). An instructor's or
administrator's override sets `override_passed` with a reason, audited too.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class ScoreSheet(models.Model):
    class Kind(models.TextChoices):
        CHECKLIST = "checklist", _("Checklist (pass or fail per item)")
        POINTS = "points", _("Points with a pass threshold")

    course_key = models.UUIDField(_("course"), db_index=True, editable=False)
    course = models.ForeignKey(
        "courses.CoursePage", on_delete=models.PROTECT, related_name="+", verbose_name=_("course page")
    )
    title_es = models.CharField(_("title (Spanish)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    instructions_es = models.TextField(_("instructions (Spanish)"), blank=True)
    instructions_en = models.TextField(_("instructions (English)"), blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.CHECKLIST)
    pass_threshold = models.DecimalField(
        _("pass threshold"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_(
            "Points: the minimum total. Checklist: the minimum number of items passed "
            "(empty: every item); critical items must always be passed."
        ),
    )
    is_required = models.BooleanField(_("required for completion"), default=True)
    published = models.BooleanField(_("published"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["course_key", "title_es", "id"]
        verbose_name = _("score sheet")
        verbose_name_plural = _("score sheets")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="checklist") | Q(pass_threshold__isnull=False),
                name="scoresheet_points_has_threshold",
            ),
            models.CheckConstraint(
                condition=Q(pass_threshold__isnull=True) | Q(pass_threshold__gt=0),
                name="scoresheet_threshold_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return self.title_en if (get_language() or "es").startswith("en") else self.title_es

    @property
    def instructions(self) -> str:
        return self.instructions_en if (get_language() or "es").startswith("en") else self.instructions_es


class ScoreSheetItem(models.Model):
    sheet = models.ForeignKey(
        ScoreSheet, on_delete=models.CASCADE, related_name="items", verbose_name=_("score sheet")
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    text_es = models.CharField(_("item (Spanish)"), max_length=500)
    text_en = models.CharField(_("item (English)"), max_length=500)
    max_points = models.DecimalField(
        _("maximum points"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    critical = models.BooleanField(_("critical"), default=False)

    class Meta:
        ordering = ["sheet", "position", "id"]
        verbose_name = _("score sheet item")
        verbose_name_plural = _("score sheet items")
        constraints = [
            models.CheckConstraint(
                condition=Q(max_points__isnull=True) | Q(max_points__gt=0),
                name="scoresheetitem_points_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        return self.text_en if (get_language() or "es").startswith("en") else self.text_es


class PracticalResult(models.Model):
    enrollment = models.ForeignKey(
        "courses.Enrollment",
        on_delete=models.PROTECT,
        related_name="practical_results",
        verbose_name=_("enrollment"),
    )
    sheet = models.ForeignKey(
        ScoreSheet, on_delete=models.PROTECT, related_name="results", verbose_name=_("score sheet")
    )
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("evaluator"),
    )
    evaluated_at = models.DateTimeField(_("evaluated at"))
    passed = models.BooleanField(_("passed"))
    total_points = models.DecimalField(_("points"), max_digits=8, decimal_places=2, default=0)
    items_passed = models.PositiveIntegerField(_("items passed"), default=0)
    notes = models.TextField(_("notes"), blank=True)
    override_passed = models.BooleanField(_("result set by an instructor"), null=True, blank=True)
    override_reason = models.TextField(_("reason for the override"), blank=True)
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    overridden_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["enrollment", "sheet"]
        verbose_name = _("practical result")
        verbose_name_plural = _("practical results")
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "sheet"], name="practical_result_once"),
        ]

    def __str__(self) -> str:
        return f"{self.enrollment_id}/{self.sheet_id}: {self.result_passed}"

    @property
    def result_passed(self) -> bool:
        """The result that counts: an override when there is one, else the computed result."""
        return self.override_passed if self.override_passed is not None else self.passed


class PracticalItemScore(models.Model):
    result = models.ForeignKey(PracticalResult, on_delete=models.CASCADE, related_name="scores")
    item = models.ForeignKey(ScoreSheetItem, on_delete=models.PROTECT, related_name="+")
    passed = models.BooleanField(_("passed"), null=True, blank=True)  # checklist sheets
    points = models.DecimalField(
        _("points"), max_digits=7, decimal_places=2, null=True, blank=True
    )  # points sheets

    class Meta:
        verbose_name = _("item score")
        verbose_name_plural = _("item scores")
        constraints = [
            models.UniqueConstraint(fields=["result", "item"], name="practical_item_scored_once"),
            models.CheckConstraint(
                condition=Q(points__isnull=True) | Q(points__gte=0), name="practical_points_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.result_id}.{self.item_id}"


class PracticalAudit(models.Model):
    """Who recorded or changed a practical result, when, from what to what, and why. Append-only."""

    class Action(models.TextChoices):
        RECORD = "record", _("Result recorded")
        RESCORE = "rescore", _("Trainee evaluated again")
        OVERRIDE = "override", _("Result overridden")

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    result = models.ForeignKey(PracticalResult, on_delete=models.PROTECT, related_name="audit")
    before = models.JSONField(default=dict)
    after = models.JSONField(default=dict)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("practical audit entry")
        verbose_name_plural = _("practical audit trail")

    def __str__(self) -> str:
        return f"{self.action} by {self.actor_id} at {self.created_at:%Y-%m-%d %H:%M}"
