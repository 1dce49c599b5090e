"""Certificates: one record per award, issued once, never changed afterwards.

A certificate's life is its status (valid, suspended, revoked, superseded; "expired" is derived
from `expires_on`), changed only by `services_certificates.certificate_transition`, each step
recorded in `CertificateEvent`. A correction or a renewal issues a new certificate linked to the
previous one (`previous`). The PDF is rendered once, after commit, and stored with its SHA-256.
"""

import datetime

from django.conf import settings
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .uploads import validate_signature_image


class CredentialSignatory(models.Model):
    """Who signs a credential's certificates (up to three, in order)."""

    MAX_PER_CREDENTIAL = 3

    credential = models.ForeignKey(
        "certification.Credential", on_delete=models.CASCADE, related_name="signatories"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    name = models.CharField(_("name"), max_length=200)
    title_es = models.CharField(_("title (Spanish)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    signature = models.FileField(
        _("signature image"),
        upload_to="signatures/",
        blank=True,
        validators=[FileExtensionValidator(["png", "jpg", "jpeg"]), validate_signature_image],
        help_text=_("PNG or JPEG, at most 2 MB."),
    )

    class Meta:
        ordering = ["credential", "position", "id"]
        verbose_name = _("signatory")
        verbose_name_plural = _("signatories")
        constraints = [
            models.UniqueConstraint(fields=["credential", "position"], name="one_signatory_per_position"),
            models.CheckConstraint(
                condition=Q(position__gte=1) & Q(position__lte=3), name="signatory_position_1_to_3"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SerialCounter(models.Model):
    """The last sequence number used for a country and year: locked while a serial is taken,
    so serials stay unique and gap-free under concurrent issuing."""

    country_code = models.CharField(max_length=2)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["country_code", "year"], name="one_counter_per_year")]

    def __str__(self) -> str:
        return f"{self.country_code}-{self.year}: {self.last}"


class Certificate(models.Model):
    # Wagtail's reference index would cost two queries per save for links nobody browses.
    wagtail_reference_index_ignore = True

    class Status(models.TextChoices):
        VALID = "valid", _("Valid")
        SUSPENDED = "suspended", _("Suspended")
        REVOKED = "revoked", _("Revoked")
        SUPERSEDED = "superseded", _("Superseded")

    class Source(models.TextChoices):
        COURSE = "course", _("Course completed")
        PROGRAM = "program", _("Program completed")
        MANUAL = "manual", _("Issued by an administrator")
        EXTERNAL = "external", _("Training done elsewhere")

    serial = models.CharField(_("serial"), max_length=40, unique=True)
    verification_code = models.CharField(_("verification code"), max_length=20, unique=True)
    # What was awarded, once: "enrollment:<id>", "program:<key>:<trainee>", "manual:<uuid>"...
    award_key = models.CharField(max_length=120, unique=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    trainee = models.ForeignKey(
        "certification.Trainee",
        on_delete=models.PROTECT,
        related_name="certificates",
        verbose_name=_("officer"),
    )
    agency = models.ForeignKey(
        "certification.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("agency at issue")
    )
    credential = models.ForeignKey(
        "certification.Credential",
        on_delete=models.PROTECT,
        related_name="certificates",
        verbose_name=_("credential"),
    )
    course_key = models.UUIDField(null=True, blank=True, db_index=True)
    issued_on = models.DateField(_("issued on"))
    valid_from = models.DateField(_("valid from"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.VALID)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    status_reason = models.TextField(blank=True)
    # The evidence exactly as it was: names, course titles in both languages, hours, score,
    # session, place, instructors, signatories. The PDF is drawn from this, never from live rows.
    evidence = models.JSONField(default=dict)
    previous = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="successors"
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    issue_reason = models.TextField(blank=True)
    evidence_document = models.FileField(
        _("evidence document"),
        upload_to="certificate-evidence/%Y/",
        blank=True,
        validators=[FileExtensionValidator(["pdf", "png", "jpg", "jpeg"])],
    )
    pdf = models.FileField(upload_to="certificates/%Y/", blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    pdf_rendered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-issued_on", "-id"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        indexes = [models.Index(fields=["trainee", "credential"]), models.Index(fields=["expires_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gte=models.F("valid_from")),
                name="certificate_expires_after_start",
            ),
            models.CheckConstraint(
                condition=Q(status="valid") | ~Q(status_reason=""), name="certificate_status_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return self.serial

    def is_expired(self, today: datetime.date | None = None) -> bool:
        return self.expires_on is not None and self.expires_on < (today or timezone.localdate())

    def shown_status(self, today: datetime.date | None = None) -> str:
        """What a checkpoint sees: the status, or "expired" for a valid one past its date."""
        if self.status == self.Status.VALID and self.is_expired(today):
            return "expired"
        return self.status


class CertificateEvent(models.Model):
    """Every step of a certificate's life: issued, suspended, reinstated, revoked, superseded,
    renewed; who, when, why. Append-only."""

    wagtail_reference_index_ignore = True
    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=20)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.certificate_id} {self.action}"


class CertificateReminder(models.Model):
    """An expiry reminder already sent for a certificate: 90 days, 30 days, expired. The unique
    constraint is what makes "once each" hold when two beat runs overlap."""

    class Kind(models.TextChoices):
        DAYS_90 = "90", _("Expires in 90 days")
        DAYS_30 = "30", _("Expires in 30 days")
        EXPIRED = "expired", _("Expired")

    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    sent_at = models.DateTimeField(auto_now_add=True)
    recipients = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sent_at", "id"]
        constraints = [models.UniqueConstraint(fields=["certificate", "kind"], name="one_reminder_per_kind")]

    def __str__(self) -> str:
        return f"{self.certificate_id} {self.kind}"


class CertificateBatch(models.Model):
    """A background job over many certificates: issue a class session's certificates, or build
    a ZIP of a session's or an agency's current certificates. The page that started it polls
    `done` / `total` while it runs."""

    class Kind(models.TextChoices):
        SESSION_ISSUE = "session_issue", _("Issue a class session's certificates")
        SESSION_ZIP = "session_zip", _("ZIP of a class session's certificates")
        AGENCY_ZIP = "agency_zip", _("ZIP of an agency's current certificates")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    session = models.ForeignKey(
        "courses.ClassSession", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    agency = models.ForeignKey(
        "certification.Agency", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    issued = models.PositiveIntegerField(default=0)  # new certificates (session issue)
    archive = models.FileField(upload_to="certificate-zips/%Y/", blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("certificate batch")
        verbose_name_plural = _("certificate batches")
        constraints = [
            models.CheckConstraint(
                condition=Q(session__isnull=False) | Q(agency__isnull=False), name="batch_has_a_subject"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return 100 * self.done // self.total if self.total else 0
