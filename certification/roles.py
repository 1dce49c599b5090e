"""The two project-wide roles that are Django groups (agency roles are `AgencyStaff` rows)."""

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

PROGRAM_ADMINISTRATORS = "Program administrators"
INSTRUCTORS = "Instructors"
ALL_GROUPS = (PROGRAM_ADMINISTRATORS, INSTRUCTORS)

# What a user may do is read once per request and kept on the user object, in attributes named
# with this prefix: `_carsi_group_names` (here), `_carsi_agency_ids` (`access`),
# `_carsi_exam_course_keys` (`courses.services_exam_builder`). `forget_roles` drops them all, so a
# new cache only has to follow the naming.
ROLE_CACHE_PREFIX = "_carsi_"


def ensure_groups() -> dict[str, Group]:
    """Creates the groups (idempotent); both may enter the Wagtail admin."""
    from django.contrib.auth.models import Permission

    access_admin = Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    groups = {}
    for name in ALL_GROUPS:
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.add(access_admin)
        groups[name] = group
    return groups


def role_grant(*, user, group_name: str, actor=None) -> None:
    """Puts the user in one of the project-wide role groups. A person (`actor`) must be a program
    administrator; the receiver of group changes (`signals_audit`) audits it in their name.
    `actor` None is the system (setup commands, fixtures): not audited."""
    from .services_audit import audit_actor  # (services_audit -> access -> roles)

    if group_name not in ALL_GROUPS:
        raise ValueError(f"unknown role group {group_name!r}")
    if actor is not None and not is_program_admin(actor):
        raise PermissionDenied(_("Only program administrators grant roles."))
    with transaction.atomic(), audit_actor(actor):
        user.groups.add(ensure_groups()[group_name])
    forget_roles(user)


def group_names(user) -> frozenset[str]:
    """The user's group names, read once per user object (that is, once per request)."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_carsi_group_names", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._carsi_group_names = cached
    return cached


def forget_roles(user) -> None:
    """After changing a user's groups or agency roles within the same request: drops every
    cache of what the user may do (the `ROLE_CACHE_PREFIX` attributes)."""
    for attribute in [name for name in vars(user) if name.startswith(ROLE_CACHE_PREFIX)]:
        del user.__dict__[attribute]


def is_program_admin(user) -> bool:
    if not user.is_authenticated:
        return False
    return user.is_superuser or PROGRAM_ADMINISTRATORS in group_names(user)


def is_instructor(user) -> bool:
    return INSTRUCTORS in group_names(user)
