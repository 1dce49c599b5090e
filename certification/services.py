"""Writes to the registry. Views, forms, admin, tasks and commands call these; nothing else
changes registry rows. Trainee and vetting writes live in `services_personnel.py` and
`services_vetting.py`."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from .models import Agency, AgencyStaff, AuditEntry, Country, Credential, Unit
from .roles import forget_roles, is_program_admin
from .services_audit import audit_record, audit_target


@transaction.atomic
def country_upsert(*, code: str, name_es: str, name_en: str, **national_id_format: str) -> Country:
    """`national_id_format`: national_id_name, _pattern, _separator, _example (see Country)."""
    country, _created = Country.objects.update_or_create(
        code=code.upper(), defaults={"name_es": name_es, "name_en": name_en, **national_id_format}
    )
    return country


@transaction.atomic
def agency_upsert(
    *, country: Country, acronym: str, kind: str, name_es: str, name_en: str, time_zone: str
) -> Agency:
    agency = Agency.objects.filter(country=country, acronym=acronym).first() or Agency(
        country=country, acronym=acronym
    )
    agency.kind, agency.name_es, agency.name_en, agency.time_zone = kind, name_es, name_en, time_zone
    agency.full_clean()
    agency.save()
    return agency


@transaction.atomic
def unit_upsert(*, agency: Agency, name: str, code: str = "") -> Unit:
    unit, _created = Unit.objects.update_or_create(agency=agency, name=name, defaults={"code": code})
    return unit


def _may_assign_roles(actor) -> None:
    if actor is not None and not is_program_admin(actor):
        raise PermissionDenied(_("Only program administrators assign agency roles."))


def _staff_target(user, agency: Agency) -> str:
    return audit_target(user.email or user.get_username(), agency.acronym)


@transaction.atomic
def agency_staff_assign(*, user, agency: Agency, role: str, actor=None) -> AgencyStaff:
    """Gives `user` one role at `agency` (replacing a different role there); giving the role they
    already have changes nothing. A person (`actor`, a program administrator) is audited; `actor`
    None is the system (setup commands, test fixtures), which the audit trail does not record."""
    _may_assign_roles(actor)
    if role not in AgencyStaff.Role.values:
        raise ValueError(f"unknown agency role {role!r}")
    staff = AgencyStaff.objects.select_for_update().filter(user=user, agency=agency).first()
    before = staff.role if staff is not None else None
    if staff is not None and staff.role == role:
        return staff
    if staff is None:
        staff = AgencyStaff(user=user, agency=agency)
    staff.role = role
    staff.save()
    if actor is not None:
        audit_record(
            actor=actor,
            action=AuditEntry.Action.ROLE_CHANGE,
            agency=agency,
            target=_staff_target(user, agency),
            details={"agency_role": {"before": before, "after": role}},
        )
    forget_roles(user)
    return staff


@transaction.atomic
def agency_staff_remove(*, actor, staff: AgencyStaff) -> None:
    """Takes the user's role at the agency away; audited like `agency_staff_assign`."""
    _may_assign_roles(actor)
    staff = (
        AgencyStaff.objects.select_for_update(of=("self",))
        .select_related("user", "agency")
        .filter(pk=staff.pk)
        .first()
    )
    if staff is None:
        return
    if actor is not None:
        audit_record(
            actor=actor,
            action=AuditEntry.Action.ROLE_CHANGE,
            agency=staff.agency,
            target=_staff_target(staff.user, staff.agency),
            details={"agency_role": {"before": staff.role, "after": None}},
        )
    staff.delete()
    forget_roles(staff.user)


def user_ensure(*, email: str, password: str, first_name: str = "", last_name: str = ""):
    """An active account that logs in with `email`; idempotent (a matching password is kept)."""
    from allauth.account.models import EmailAddress

    User = get_user_model()
    email = email.strip().lower()
    with transaction.atomic():
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            user = User(username=email[:150], email=email)
        user.first_name, user.last_name, user.is_active = first_name, last_name, True
        if not user.has_usable_password() or not user.check_password(password):
            user.set_password(password)
        user.save()
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
    return user


@transaction.atomic
def credential_upsert(
    *,
    code: str,
    name_es: str,
    name_en: str,
    validity_months: int | None = None,
    description_es: str = "",
    description_en: str = "",
) -> Credential:
    credential = Credential.objects.filter(code=code).first() or Credential(code=code)
    credential.name_es, credential.name_en = name_es, name_en
    credential.description_es, credential.description_en = description_es, description_en
    credential.validity_months = validity_months
    credential.full_clean()
    credential.save()
    return credential
