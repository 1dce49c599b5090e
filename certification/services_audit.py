"""Writes to the audit trail and to an agency's required credentials."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from . import access
from .models import AuditEntry, CredentialRequirement


def audit_record(
    *, actor, action: str, agency=None, target: str = "", details: dict | None = None
) -> AuditEntry:
    """Appends one entry: who (and their e-mail at the time), what, when. Never updated."""
    if action not in AuditEntry.Action.values:
        raise ValueError(f"unknown audit action {action!r}")
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_email=getattr(actor, "email", "") or "",
        action=action,
        agency=agency,
        target=target[:300],
        details=details or {},
    )


def _may_set_requirements(actor, agency) -> None:
    if not access.can_manage_personnel(actor, agency):
        raise PermissionDenied(_("You do not manage this agency."))


@transaction.atomic
def requirement_add(*, actor, agency, credential, unit=None) -> CredentialRequirement:
    """Officers of `unit` (None: every officer of the agency) need `credential`. Agency heads and
    coordinators of the agency, and program administrators. Adding it twice keeps one."""
    _may_set_requirements(actor, agency)
    if unit is not None and unit.agency_id != agency.pk:
        raise ValidationError({"unit": _("That unit belongs to another agency.")})
    if not credential.is_active:
        raise ValidationError({"credential": _("That credential is no longer awarded.")})
    existing = CredentialRequirement.objects.filter(agency=agency, unit=unit, credential=credential).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            requirement = CredentialRequirement.objects.create(
                agency=agency, unit=unit, credential=credential, created_by=actor
            )
    except IntegrityError:  # added at the same moment by someone else
        return CredentialRequirement.objects.get(agency=agency, unit=unit, credential=credential)
    audit_record(
        actor=actor,
        action=AuditEntry.Action.REQUIREMENT_ADD,
        agency=agency,
        target=str(requirement),
        details={"unit": unit.pk if unit else None, "credential": credential.code},
    )
    return requirement


@transaction.atomic
def requirement_remove(*, actor, requirement: CredentialRequirement) -> None:
    _may_set_requirements(actor, requirement.agency)
    audit_record(
        actor=actor,
        action=AuditEntry.Action.REQUIREMENT_REMOVE,
        agency=requirement.agency,
        target=str(requirement),
        details={"unit": requirement.unit_id, "credential": requirement.credential.code},
    )
    requirement.delete()
