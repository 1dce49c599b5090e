"""What an agency requires of its officers, and the audit trail of sensitive reads and writes.

`CredentialRequirement`: an agency's rule "officers of this unit (or of every unit) need this
credential". The certification roster's summary and pictures count officers against it.

`AuditEntry`: one row per sensitive action that has no history of its own (roster exports, role
changes, ...). Append-only: written by `services_audit.audit_record`, never edited or deleted by
the application; the domain histories (TraineeEvent, EnrollmentTransition, CertificateEvent,
AssessmentAudit, PracticalAudit) stay where they are.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class CredentialRequirement(models.Model):
    agency = models.ForeignKey(
        "certification.Agency",
        on_delete=models.CASCADE,
        related_name="requirements",
        verbose_name=_("agency"),
    )
    unit = models.ForeignKey(
        "certification.Unit",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="requirements",
        verbose_name=_("unit"),
        help_text=_("Empty: every officer of the agency."),
    )
    credential = models.ForeignKey(
        "certification.Credential", on_delete=models.CASCADE, related_name="+", verbose_name=_("credential")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["agency", "unit__name", "credential__code"]
        verbose_name = _("required credential")
        verbose_name_plural = _("required credentials")
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "unit", "credential"],
                condition=Q(unit__isnull=False),
                name="requirement_once_per_unit",
            ),
            models.UniqueConstraint(
                fields=["agency", "credential"],
                condition=Q(unit__isnull=True),
                name="requirement_once_per_agency",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit or self.agency}: {self.credential}"


class AuditEntry(models.Model):
    class Action(models.TextChoices):
        ROSTER_EXPORT = "roster_export", _("Roster exported")
        TRANSCRIPT_EXPORT = "transcript_export", _("Transcript downloaded")
        FUNDER_REPORT = "funder_report", _("Funder report downloaded")
        REQUIREMENT_ADD = "requirement_add", _("Required credential added")
        REQUIREMENT_REMOVE = "requirement_remove", _("Required credential removed")
        ROLE_CHANGE = "role_change", _("Role changed")
        MFA_CHANGE = "mfa_change", _("Two-factor authentication changed")
        VETTING_DECISION = "vetting_decision", _("Vetting recorded")
        ENROLLMENT_DECISION = "enrollment_decision", _("Enrollment decided by a person")
        GRADE_OVERRIDE = "grade_override", _("Exam result set by hand")
        QUESTION_REGRADE = "question_regrade", _("Answer key corrected")
        SHORT_ANSWER_SCORE = "short_answer_score", _("Written answer scored")
        EXTRA_TIME = "extra_time", _("Extra exam time granted")
        PRACTICAL_OVERRIDE = "practical_override", _("Practical result set by hand")
        CERTIFICATE_ISSUE = "certificate_issue", _("Certificate issued by hand")
        CERTIFICATE_STATUS = "certificate_status", _("Certificate suspended, reinstated or revoked")
        CERTIFICATE_RENEW = "certificate_renew", _("Certificate renewed")
        CERTIFICATE_CORRECT = "certificate_correct", _("Certificate corrected")
        PERSONNEL_TRANSFER = "personnel_transfer", _("Officer transferred")
        PERSONNEL_STATUS = "personnel_status", _("Officer separated or reinstated")
        AUDIT_EXPORT = "audit_export", _("Audit trail exported")

    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    actor_email = models.CharField(_("who (e-mail at the time)"), max_length=254, blank=True)
    action = models.CharField(_("action"), max_length=40, choices=Action.choices, db_index=True)
    agency = models.ForeignKey(
        "certification.Agency",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("agency"),
    )
    target = models.CharField(_("what"), max_length=300, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_email} {self.action} {self.target}"
