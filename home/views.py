from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from certification.roles import is_instructor, is_program_admin


@login_required
def dashboard(request):
    """Sends each role to its own view; each later grows its own page."""
    user = request.user
    context = {
        "is_program_admin": is_program_admin(user),
        "is_instructor": is_instructor(user),
        "agency_roles": list(user.agency_roles.select_related("agency__country")),
        "trainee": getattr(user, "trainee", None),
    }
    return render(request, "home/dashboard.html", context)
