"""Writes to the audit trail and to an agency's required credentials.

The audit trail (`AuditEntry`) is the one searchable index of sensitive actions across the system:
each service that makes one (a vetting decision, an enrollment decided by a person, a result set
by hand, a certificate issued by hand, renewed, corrected, suspended, reinstated or revoked, a role
or a second factor changed, an export) appends exactly one entry with `audit_record`, in the same
transaction as the action, so a refused or rolled-back action leaves none. The domains keep their
own detailed histories beside it. Nothing edits or deletes an entry (on PostgreSQL a trigger
refuses it too: migration 0009).

Entries say who did it: what the system does by itself (completion rules, seed and setup
commands) is not recorded here, with one exception: every change to an issued certificate's
status is, so a renewal by a completed course appears with nobody as its actor.
"""

import contextlib
import contextvars

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from . import access
from .models import AuditEntry, CredentialRequirement

# Who is acting, for the audit receivers of changes that do not pass through our services (group
# membership edited in the Wagtail admin's user editor). Set for each request by
# `middleware_audit.AuditActorMiddleware`, or for a block of code by `audit_actor`. Used for the
# audit trail only: services take their actor as an argument.
_current_actor: contextvars.ContextVar = contextvars.ContextVar("audit_actor", default=None)


def current_actor():
    """The person acting in this request (or `audit_actor` block); None when nobody is known."""
    actor = _current_actor.get()
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None
    return actor


@contextlib.contextmanager
def audit_actor(actor):
    """Within the block, audit entries written by receivers name `actor` (None: the system)."""
    token = _current_actor.set(actor)
    try:
        yield
    finally:
        _current_actor.reset(token)


def audit_target(*parts) -> str:
    """A readable target: "CARSI-GT-2026-000001 · María José Núñez Peña"."""
    return " · ".join(str(part) for part in parts if part not in (None, ""))


def audit_record(
    *,
    actor,
    action: str,
    agency=None,
    agency_id: int | None = None,
    target: str = "",
    details: dict | None = None,
) -> AuditEntry:
    """Appends one entry: who (and their e-mail at the time), what, when. Never updated.
    `actor` None is the system. `agency_id` saves loading the agency when only its id is at hand."""
    if action not in AuditEntry.Action.values:
        raise ValueError(f"unknown audit action {action!r}")
    known = actor is not None and actor.is_authenticated
    return AuditEntry.objects.create(
        actor=actor if known else None,
        actor_email=(getattr(actor, "email", "") or "") if known else "",
        action=action,
        agency_id=agency.pk if agency is not None else agency_id,
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
