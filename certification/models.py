"""The registry: countries, agencies, their units and staff, and the officers (trainees)."""

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(value)s is not a known time zone."), params={"value": value})


class BilingualNameMixin(models.Model):
    """Registry names are data, not content pages: both languages live on the row."""

    name_es = models.CharField(_("name (Spanish)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "es").startswith("en") else self.name_es


class Country(BilingualNameMixin):
    code = models.CharField(_("ISO code"), max_length=2, unique=True)
    # How this country writes its national ID: a regular expression whose groups are the
    # parts, joined by the separator into the one stored (canonical) form.
    national_id_name = models.CharField(_("national ID name"), max_length=40, blank=True)
    national_id_pattern = models.CharField(_("national ID pattern"), max_length=200, blank=True)
    national_id_separator = models.CharField(_("national ID separator"), max_length=1, blank=True)
    national_id_example = models.CharField(_("national ID example"), max_length=40, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("country")
        verbose_name_plural = _("countries")


class Agency(BilingualNameMixin):
    class Kind(models.TextChoices):
        POLICE = "police", _("Police")
        CUSTOMS = "customs", _("Customs")
        MIGRATION = "migration", _("Migration")
        NAVY = "navy", _("Navy / coast guard")
        PROSECUTORS = "prosecutors", _("Prosecutors")
        OTHER = "other", _("Other")

    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="agencies")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    acronym = models.CharField(_("acronym"), max_length=20)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="America/Guatemala", validators=[validate_time_zone]
    )

    class NameOnVerification(models.TextChoices):
        INITIAL = "initial", _("Given name and first surname initial")
        FULL = "full", _("Full name")

    # Investigators' full names are sensitive: a checkpoint needs only enough to match the ID.
    verification_name = models.CharField(
        _("name shown on verification"),
        max_length=10,
        choices=NameOnVerification.choices,
        default=NameOnVerification.INITIAL,
    )
    english_first = models.BooleanField(
        _("English first on certificates"),
        default=False,
        help_text=_("For English-speaking agencies (Belize)."),
    )

    class Meta:
        ordering = ["country__code", "acronym"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        constraints = [
            models.UniqueConstraint(fields=["country", "acronym"], name="agency_acronym_unique_per_country"),
        ]

    def __str__(self) -> str:
        return f"{self.acronym} ({self.country.code})"


class Unit(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="units")
    name = models.CharField(_("name"), max_length=200)
    code = models.CharField(_("code"), max_length=40, blank=True)

    class Meta:
        ordering = ["agency_id", "name"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="unit_name_unique_per_agency"),
        ]

    def __str__(self) -> str:
        return self.name


class AgencyStaff(models.Model):
    """A user's role at an agency. Program administrators and instructors are groups instead."""

    class Role(models.TextChoices):
        HEAD = "head", _("Agency head")
        COORDINATOR = "coordinator", _("Training coordinator")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agency_roles")
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="staff")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("agency staff role")
        verbose_name_plural = _("agency staff roles")
        constraints = [
            models.UniqueConstraint(fields=["user", "agency"], name="one_role_per_user_and_agency"),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.agency}"


class Trainee(models.Model):
    """The personnel record of an officer; it exists with or without a login."""

    class IdType(models.TextChoices):
        NATIONAL_ID = "national_id", _("National identity card")
        PASSPORT = "passport", _("Passport")
        OTHER = "other", _("Other")

    class Sex(models.TextChoices):
        FEMALE = "F", _("Female")
        MALE = "M", _("Male")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SEPARATED = "separated", _("Separated")
        TRANSFERRED = "transferred", _("Transferred")

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="trainees")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="trainees")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="trainee"
    )
    given_names = models.CharField(_("given names"), max_length=120)
    first_surname = models.CharField(_("first surname"), max_length=80)
    second_surname = models.CharField(_("second surname"), max_length=80, blank=True)
    id_country = models.ForeignKey(
        Country, on_delete=models.PROTECT, related_name="+", verbose_name=_("ID issued by")
    )
    id_type = models.CharField(
        _("ID type"), max_length=20, choices=IdType.choices, default=IdType.NATIONAL_ID
    )
    id_number = models.CharField(_("ID number"), max_length=40)
    badge_number = models.CharField(_("badge number"), max_length=40, blank=True)
    rank = models.CharField(_("rank"), max_length=80, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    # Names, ID and badge without accents or case, kept by the services: search works the same
    # on SQLite and PostgreSQL ("nunez" finds "Núñez").
    search_text = models.CharField(max_length=400, blank=True, editable=False, db_index=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["first_surname", "second_surname", "given_names", "id"]
        verbose_name = _("trainee")
        verbose_name_plural = _("trainees")
        constraints = [
            models.UniqueConstraint(
                fields=["id_country", "id_type", "id_number"], name="national_id_unique_per_country"
            ),
            models.UniqueConstraint(
                fields=["agency", "badge_number"],
                condition=~Q(badge_number=""),
                name="badge_unique_per_agency",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.given_names, self.first_surname, self.second_surname) if p)

    @property
    def sort_name(self) -> str:
        """Surnames first, as rosters list officers: "Núñez Peña, María José"."""
        surnames = " ".join(p for p in (self.first_surname, self.second_surname) if p)
        return f"{surnames}, {self.given_names}"


class TraineeEvent(models.Model):
    """The history of a personnel record: who changed what, when and why. Append-only."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Record created")
        UPDATED = "updated", _("Record updated")
        TRANSFERRED = "transferred", _("Transferred")
        SEPARATED = "separated", _("Separated")
        REINSTATED = "reinstated", _("Reinstated")

    trainee = models.ForeignKey(Trainee, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=20, choices=Kind.choices)
    from_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    to_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    effective_on = models.DateField(_("effective on"))
    reason = models.TextField(_("reason"), blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        verbose_name = _("personnel event")
        verbose_name_plural = _("personnel events")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} – {self.effective_on}"


class VettingRecord(models.Model):
    """One entry of the append-only human-rights (Leahy) vetting history of an officer or a unit.

    The latest entry (by decision date, then entry order) is the current status."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        DENIED = "denied", _("Denied")
        SUSPENDED = "suspended", _("Suspended")

    trainee = models.ForeignKey(
        Trainee, on_delete=models.PROTECT, null=True, blank=True, related_name="vetting_records"
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="vetting_records"
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    case_reference = models.CharField(_("embassy case reference"), max_length=60, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        verbose_name = _("vetting record")
        verbose_name_plural = _("vetting records")
        constraints = [
            models.CheckConstraint(
                condition=Q(trainee__isnull=False, unit__isnull=True)
                | Q(trainee__isnull=True, unit__isnull=False),
                name="vetting_of_a_trainee_or_a_unit",
            ),
            models.CheckConstraint(
                condition=Q(status="pending") | Q(decided_on__isnull=False),
                name="vetting_decision_has_a_date",
            ),
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(valid_until__isnull=False),
                name="vetting_approval_has_an_end",
            ),
        ]
        indexes = [
            models.Index(fields=["trainee", "-recorded_at"]),
            models.Index(fields=["unit", "-recorded_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.subject()}: {self.get_status_display()} ({self.decided_on or '—'})"

    def subject(self) -> str:
        """Who was vetted: the officer, or the unit (with its agency)."""
        if self.trainee_id:
            return self.trainee.full_name
        return f"{self.unit.name} ({self.unit.agency})"

    subject.short_description = _("Officer or unit")


class Credential(BilingualNameMixin):
    """What one can be certified in. Courses and programs award credentials."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    description_es = models.TextField(_("description (Spanish)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    validity_months = models.PositiveSmallIntegerField(
        _("validity in months"), null=True, blank=True, help_text=_("Leave empty if it never expires.")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("credential")
        verbose_name_plural = _("credentials")

    @property
    def description(self) -> str:
        return self.description_en if (get_language() or "es").startswith("en") else self.description_es


class ImportJob(models.Model):
    """One uploaded file (personnel or vetting results): validated whole, then applied whole.
    A duplicate delivery of its task finds the job finished and does nothing."""

    class Kind(models.TextChoices):
        PERSONNEL = "personnel", _("Personnel")
        VETTING = "vetting", _("Vetting results")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Running")
        INVALID = "invalid", _("Rejected: the file has errors")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, null=True, blank=True, related_name="import_jobs"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    # [{"row": 3, "column": "id_number", "message": "..."}]
    errors = models.JSONField(default=list, blank=True)
    summary = models.JSONField(default=dict, blank=True)  # {"created": 10, "updated": 2, "unchanged": 5}
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.original_name} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.INVALID, self.Status.DONE, self.Status.FAILED)


from .models_certificates import (  # noqa: E402, F401  (certificate models live apart)
    Certificate,
    CertificateBatch,
    CertificateEvent,
    CertificateReminder,
    CredentialSignatory,
    SerialCounter,
)
from .models_roster import AuditEntry, CredentialRequirement  # noqa: E402, F401
