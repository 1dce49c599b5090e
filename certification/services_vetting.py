"""Human-rights (Leahy) vetting: an append-only history. Only program administrators record."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .access import can_record_vetting
from .models import AuditEntry, Trainee, Unit, VettingRecord
from .selectors import vetting_current, vetting_current_for_unit
from .services_audit import audit_record, audit_target

DEFAULT_VALIDITY_DAYS = 365


def default_valid_until(decided_on: datetime.date) -> datetime.date:
    """One year after approval, unless stated (29 February maps to 28 February)."""
    try:
        return decided_on.replace(year=decided_on.year + 1)
    except ValueError:
        return decided_on.replace(year=decided_on.year + 1, day=28)


@transaction.atomic
def vetting_record_add(
    *,
    actor,
    trainee: Trainee | None = None,
    unit: Unit | None = None,
    status: str,
    decided_on: datetime.date | None = None,
    valid_until: datetime.date | None = None,
    case_reference: str = "",
    notes: str = "",
) -> VettingRecord:
    """Appends a vetting entry. Recording the same entry again returns the existing one."""
    if actor is not None and not can_record_vetting(actor):
        raise PermissionDenied(_("Only program administrators record vetting decisions."))
    if (trainee is None) == (unit is None):
        raise ValueError("vetting is recorded for one trainee or one unit")
    errors = {}
    if status not in VettingRecord.Status.values:
        errors["status"] = _("Unknown vetting status.")
    today = timezone.localdate()
    if status != VettingRecord.Status.PENDING and decided_on is None:
        errors["decided_on"] = _("A decision needs its date.")
    if decided_on and decided_on > today:
        errors["decided_on"] = _("The decision date cannot be in the future.")
    if status == VettingRecord.Status.APPROVED and decided_on and valid_until is None:
        valid_until = default_valid_until(decided_on)
    if valid_until and decided_on and valid_until < decided_on:
        errors["valid_until"] = _("The approval cannot end before it was decided.")
    if status != VettingRecord.Status.APPROVED:
        valid_until = None
    if errors:
        raise ValidationError(errors)

    # Lock the subject so two administrators recording at once append in a clear order.
    if trainee is not None:
        Trainee.objects.select_for_update().filter(pk=trainee.pk).first()
        current = vetting_current(trainee=trainee)
    else:
        Unit.objects.select_for_update().filter(pk=unit.pk).first()
        current = vetting_current_for_unit(unit=unit)
    case_reference = case_reference.strip()
    if current and (current.status, current.decided_on, current.valid_until, current.case_reference) == (
        status,
        decided_on,
        valid_until,
        case_reference,
    ):
        return current
    record = VettingRecord(
        trainee=trainee,
        unit=unit,
        status=status,
        decided_on=decided_on,
        valid_until=valid_until,
        case_reference=case_reference,
        notes=notes.strip(),
        recorded_by=actor,
    )
    record.full_clean()
    record.save()
    if actor is not None:  # a person's decision (seed data and fixtures name nobody)
        _audit(actor, record, current, trainee=trainee, unit=unit)
    return record


def _audit(actor, record: VettingRecord, current: VettingRecord | None, *, trainee, unit) -> None:
    audit_record(
        actor=actor,
        action=AuditEntry.Action.VETTING_DECISION,
        agency_id=trainee.agency_id if trainee is not None else unit.agency_id,
        target=audit_target(trainee.full_name, trainee.badge_number) if trainee is not None else unit.name,
        details={
            "record": record.pk,
            "subject": "officer" if trainee is not None else "unit",
            "before": _vetting_state(current),
            "after": _vetting_state(record),
            "notes": record.notes,
        },
    )


def _vetting_state(record: VettingRecord | None) -> dict | None:
    if record is None:
        return None
    return {
        "status": record.status,
        "decided_on": record.decided_on.isoformat() if record.decided_on else None,
        "valid_until": record.valid_until.isoformat() if record.valid_until else None,
        "case_reference": record.case_reference,
    }
