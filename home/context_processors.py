"""What the navigation needs to know about the person: which areas to offer."""

from django.utils.functional import SimpleLazyObject

from certification.access import managed_agency_ids
from certification.roles import is_instructor, is_program_admin


def navigation(request):
    user = request.user

    def areas():
        if not user.is_authenticated:
            return {}
        admin = is_program_admin(user)
        return {
            "admin": admin,
            "instructor": is_instructor(user),
            "agency": admin or bool(managed_agency_ids(user)),
        }

    return {"nav": SimpleLazyObject(areas)}
