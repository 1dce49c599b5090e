"""Reads of the registry that do not depend on who is asking."""

from .models import Agency


def agency_for_user(*, user) -> Agency | None:
    """The agency a user belongs to: as staff first, else as an officer."""
    if not user.is_authenticated:
        return None
    role = user.agency_roles.select_related("agency").order_by("id").first()
    if role:
        return role.agency
    trainee = getattr(user, "trainee", None)
    return trainee.agency if trainee else None


def time_zone_for_user(*, user) -> str | None:
    agency = agency_for_user(user=user)
    return agency.time_zone if agency else None
