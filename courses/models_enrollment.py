"""Enrollment: class sessions of a course, who takes part, their progress and attendance.

A course is one course in every language, so everything here refers to it by `course_key`
(the pages' shared `translation_key`). The `course` foreign key points at the copy the session
or enrollment was created from (usually the source-locale page): it is a convenience for joins
and the course's rules, never the identity.

Enrollment lifecycle (changed only by `services_enrollment.enrollment_transition`):

    nominated -> approved -> enrolled -> completed | failed
    nominated -> waitlisted (the session was full and keeps a waiting list) -> approved
    nominated | waitlisted -> rejected
    nominated | waitlisted | approved | enrolled -> withdrawn

`approved` and `enrolled` are distinct: *approved* means an administrator granted a place
(it counts toward capacity, vetting was checked); *enrolled* means the trainee is taking the
course (the session started, or the course is self-paced, or the trainee self-enrolled).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

LANGUAGES = (("es", _("Spanish")), ("en", _("English")))


class ClassSession(models.Model):
    """One offering of a course: dates, place, capacity, instructors."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        OPEN = "open", _("Open for nominations")
        IN_PROGRESS = "in_progress", _("In progress")
        CLOSED = "closed", _("Closed")
        CANCELLED = "cancelled", _("Cancelled")

    class DeliveryMode(models.TextChoices):
        ONLINE = "online", _("Online")
        IN_PERSON = "in_person", _("In person")
        BLENDED = "blended", _("Blended")

    class Language(models.TextChoices):
        SPANISH = "es", _("Spanish")
        ENGLISH = "en", _("English")
        BILINGUAL = "bilingual", _("Spanish and English")

    course_key = models.UUIDField(_("course"), db_index=True, editable=False)
    course = models.ForeignKey(
        "courses.CoursePage", on_delete=models.PROTECT, related_name="+", verbose_name=_("course page")
    )
    code = models.CharField(_("session code"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=200, blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    delivery_mode = models.CharField(
        _("delivery mode"), max_length=20, choices=DeliveryMode.choices, default=DeliveryMode.IN_PERSON
    )
    academy = models.CharField(_("academy"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=120, blank=True)
    country = models.ForeignKey(
        "certification.Country",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("country"),
    )
    language = models.CharField(_("language"), max_length=10, choices=Language.choices, default="es")
    capacity = models.PositiveIntegerField(_("capacity"))
    instructors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="taught_sessions", verbose_name=_("instructors")
    )
    nomination_deadline = models.DateField(_("nomination deadline"), null=True, blank=True)
    keeps_waiting_list = models.BooleanField(_("keeps a waiting list"), default=False)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_on", "code"]
        verbose_name = _("class session")
        verbose_name_plural = _("class sessions")
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="session_ends_after_start"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="session_capacity_positive"),
        ]

    def __str__(self) -> str:
        return self.code

    def clean(self):
        errors = {}
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("A session cannot end before it starts.")
        if self.nomination_deadline and self.starts_on and self.nomination_deadline > self.starts_on:
            errors["nomination_deadline"] = _("The nomination deadline must be on or before the first day.")
        if errors:
            raise ValidationError(errors)

    @property
    def takes_attendance(self) -> bool:
        return self.delivery_mode in (self.DeliveryMode.IN_PERSON, self.DeliveryMode.BLENDED)


class ClassSessionTransition(models.Model):
    """History of a session's status: who moved it, when and why. Append-only."""

    session = models.ForeignKey(ClassSession, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or '∅'} → {self.to_status}"


class Enrollment(models.Model):
    class Status(models.TextChoices):
        NOMINATED = "nominated", _("Nominated")
        WAITLISTED = "waitlisted", _("On the waiting list")
        APPROVED = "approved", _("Approved")
        ENROLLED = "enrolled", _("Enrolled")
        COMPLETED = "completed", _("Completed")
        FAILED = "failed", _("Failed")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        REJECTED = "rejected", _("Rejected")

    # Statuses that hold a place in the session (capacity counts them).
    PLACE_STATUSES = ("approved", "enrolled", "completed", "failed")
    # Statuses of a live enrollment: at most one per trainee and session (and per self-paced course).
    LIVE_STATUSES = ("nominated", "waitlisted", "approved", "enrolled", "completed", "failed")
    # Statuses that read the course's modules.
    READER_STATUSES = ("approved", "enrolled", "completed")

    trainee = models.ForeignKey(
        "certification.Trainee",
        on_delete=models.PROTECT,
        related_name="enrollments",
        verbose_name=_("trainee"),
    )
    course_key = models.UUIDField(_("course"), db_index=True, editable=False)
    course = models.ForeignKey(
        "courses.CoursePage", on_delete=models.PROTECT, related_name="+", verbose_name=_("course page")
    )
    session = models.ForeignKey(
        ClassSession,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enrollments",
        verbose_name=_("class session"),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    language = models.CharField(_("language for messages"), max_length=2, choices=LANGUAGES, default="es")
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("nominated by"),
    )
    waitlisted_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("enrollment")
        verbose_name_plural = _("enrollments")
        constraints = [
            models.UniqueConstraint(
                fields=["trainee", "session"],
                condition=Q(
                    status__in=["nominated", "waitlisted", "approved", "enrolled", "completed", "failed"]
                ),
                name="one_live_enrollment_per_session",
            ),
            models.UniqueConstraint(
                fields=["trainee", "course_key"],
                condition=Q(session__isnull=True)
                & Q(status__in=["nominated", "waitlisted", "approved", "enrolled", "completed", "failed"]),
                name="one_live_self_paced_enrollment_per_course",
            ),
        ]
        indexes = [models.Index(fields=["session", "status"]), models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.trainee} – {self.session or self.course_key} ({self.status})"


class EnrollmentTransition(models.Model):
    """One step of an enrollment's life: from, to, who, when, why. Append-only."""

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=20, blank=True)  # "" when the enrollment was created
    to_status = models.CharField(max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    emailed_at = models.DateTimeField(null=True, blank=True)  # the task's idempotency mark

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("enrollment step")
        verbose_name_plural = _("enrollment steps")

    def __str__(self) -> str:
        return f"{self.from_status or '∅'} → {self.to_status}"


class ModuleProgress(models.Model):
    """A module done by an enrollment, by the module's translation_key (any language's copy)."""

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="progress")
    module_key = models.UUIDField(_("module"))
    completed_at = models.DateTimeField(_("completed at"))

    class Meta:
        verbose_name = _("module progress")
        verbose_name_plural = _("module progress")
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "module_key"], name="module_done_once"),
        ]

    def __str__(self) -> str:
        return f"{self.module_key} – {self.completed_at:%Y-%m-%d}"


class Attendance(models.Model):
    class Status(models.TextChoices):
        PRESENT = "present", _("Present")
        LATE = "late", _("Late")
        EXCUSED = "excused", _("Excused")
        ABSENT = "absent", _("Absent")

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="attendance")
    date = models.DateField(_("date"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["date", "enrollment_id"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "date"], name="attendance_once_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.date}: {self.status}"
