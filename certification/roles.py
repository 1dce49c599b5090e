"""The two project-wide roles that are Django groups (agency roles are `AgencyStaff` rows)."""

from django.contrib.auth.models import Group

PROGRAM_ADMINISTRATORS = "Program administrators"
INSTRUCTORS = "Instructors"
ALL_GROUPS = (PROGRAM_ADMINISTRATORS, INSTRUCTORS)


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


def is_program_admin(user) -> bool:
    if not user.is_authenticated:
        return False
    return user.is_superuser or user.groups.filter(name=PROGRAM_ADMINISTRATORS).exists()


def is_instructor(user) -> bool:
    return user.is_authenticated and user.groups.filter(name=INSTRUCTORS).exists()
