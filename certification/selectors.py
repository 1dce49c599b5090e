"""Reads of the registry that do not depend on who is asking (scoping is in access.py)."""

import datetime
import zoneinfo
from dataclasses import dataclass

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Agency, Trainee, VettingRecord


def agency_for_user(*, user) -> Agency | None:
    """The agency a user belongs to: as staff first, else as an officer."""
    if not user.is_authenticated:
        return None
    role = user.agency_roles.select_related("agency").order_by("id").first()
    if role:
        return role.agency
    trainee = Trainee.objects.filter(user=user).select_related("agency").first()
    return trainee.agency if trainee else None


def agency_today(*, agency) -> datetime.date:
    """Today's date where the agency is (deadlines and issue dates are the agency's days)."""
    return timezone.localtime(timezone.now(), zoneinfo.ZoneInfo(agency.time_zone)).date()


def time_zone_for_user(*, user) -> str | None:
    agency = agency_for_user(user=user)
    return agency.time_zone if agency else None


def language_for_user(*, user) -> str:
    """The language a person reads ("es" or "en"), for e-mails sent when they are not looking:
    Wagtail's per-user `preferred_language`, which `home.middleware.LanguagePreferenceMiddleware`
    keeps as the language they last browsed in; the site's default when unknown."""
    from django.conf import settings
    from wagtail.users.models import UserProfile

    default = settings.LANGUAGE_CODE
    if user is None or not user.pk:
        return default
    preferred = UserProfile.objects.filter(user=user).values_list("preferred_language", flat=True).first()
    return preferred if preferred in ("es", "en") else default


# --- Vetting -----------------------------------------------------------------------------

LATEST_FIRST = ("-recorded_at", "-id")


def vetting_current(*, trainee: Trainee) -> VettingRecord | None:
    return trainee.vetting_records.order_by(*LATEST_FIRST).first()


def vetting_current_for_unit(*, unit) -> VettingRecord | None:
    if unit is None:
        return None
    return unit.vetting_records.order_by(*LATEST_FIRST).first()


def with_vetting_status(trainees: QuerySet[Trainee]) -> QuerySet[Trainee]:
    """Annotates each officer's current vetting status and end date, in the same query."""
    latest = VettingRecord.objects.filter(trainee=OuterRef("pk")).order_by(*LATEST_FIRST)
    return trainees.annotate(
        vetting_status=Subquery(latest.values("status")[:1]),
        vetting_valid_until=Subquery(latest.values("valid_until")[:1]),
    )


@dataclass(frozen=True)
class VettingEligibility:
    eligible: bool
    code: str  # approved, none, pending, denied, suspended, expires, not_yet, unit_denied, unit_suspended
    reason: str
    record: VettingRecord | None = None


def vetting_eligibility(*, trainee: Trainee, start: datetime.date, end: datetime.date) -> VettingEligibility:
    """May this officer attend US-funded training from `start` to `end` (inclusive)?"""
    unit_record = vetting_current_for_unit(unit=trainee.unit)
    if unit_record and unit_record.status in (VettingRecord.Status.DENIED, VettingRecord.Status.SUSPENDED):
        code = f"unit_{unit_record.status}"
        reason = _("The officer's unit %(unit)s is not cleared by human-rights vetting (%(status)s).") % {
            "unit": trainee.unit.name,
            "status": unit_record.get_status_display(),
        }
        return VettingEligibility(False, code, reason, unit_record)

    record = vetting_current(trainee=trainee)
    if record is None:
        return VettingEligibility(
            False, "none", _("The officer has not been submitted for human-rights vetting.")
        )
    if record.status == VettingRecord.Status.PENDING:
        return VettingEligibility(
            False, "pending", _("The officer's human-rights vetting is pending."), record
        )
    if record.status == VettingRecord.Status.DENIED:
        return VettingEligibility(
            False, "denied", _("The officer's human-rights vetting was denied."), record
        )
    if record.status == VettingRecord.Status.SUSPENDED:
        return VettingEligibility(
            False, "suspended", _("The officer's human-rights vetting is suspended."), record
        )
    if record.decided_on and record.decided_on > start:
        return VettingEligibility(
            False, "not_yet", _("The vetting approval dates from after the class starts."), record
        )
    if record.valid_until < end:
        reason = _("The vetting approval expires on %(until)s, before the class ends on %(end)s.") % {
            "until": record.valid_until.isoformat(),
            "end": end.isoformat(),
        }
        return VettingEligibility(False, "expires", reason, record)
    return VettingEligibility(True, "approved", _("Vetting approved and valid through the class."), record)
