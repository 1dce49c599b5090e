"""The certification roster of an agency and its required credentials (agency heads and
coordinators of the agency, program administrators; anyone else gets 404)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from . import access
from .forms_roster import RequirementForm, RosterFilterForm, requirement_of
from .models import Credential, CredentialRequirement
from .selectors import agency_today
from .selectors_roster import (
    STATUSES,
    requirements_by_unit,
    roster_credentials,
    roster_officers,
    roster_rows,
    roster_summary,
)
from .services_audit import requirement_add, requirement_remove

PAGE_SIZE = 50


def roster_agency_or_404(user, agency_id: int):
    """The agency, if `user` reads its roster: its heads and coordinators, administrators."""
    agency = access.get_or_404(access.agencies_visible_to(user), pk=agency_id)
    if not access.can_manage_personnel(user, agency):
        raise Http404
    return agency


def roster_filters(request, agency, credentials):
    """The filters of the request, with a message for each value dropped."""
    form = RosterFilterForm(request.GET, agency=agency, credentials=credentials)
    filters, dropped = form.filters()
    for problem in dropped:
        messages.warning(request, _("A filter was ignored: %(problem)s") % {"problem": problem})
    return form, filters


@login_required
@require_GET
def roster(request, agency_id: int):
    agency = roster_agency_or_404(request.user, agency_id)
    today = agency_today(agency=agency)
    credentials = roster_credentials(agency=agency)
    form, filters = roster_filters(request, agency, credentials)
    officers = roster_officers(agency=agency, filters=filters, today=today)
    page = Paginator(officers, PAGE_SIZE).get_page(request.GET.get("page"))
    rules = requirements_by_unit(agency=agency)
    rows = roster_rows(officers=list(page), credentials=credentials, rules=rules, today=today)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "certification/roster.html",
        {
            "agency": agency,
            "today": today,
            "form": form,
            "credentials": credentials,
            "required_ids": {cid for ids in rules.values() for cid in ids},
            "page": page,
            "rows": rows,
            "summary": roster_summary(agency=agency, today=today),
            "statuses": STATUSES,
            "query": query.urlencode(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def requirements(request, agency_id: int):
    """Which credentials the agency requires, of every officer or of a unit's."""
    agency = roster_agency_or_404(request.user, agency_id)
    credentials = Credential.objects.filter(is_active=True).order_by("code")
    form = RequirementForm(
        request.POST if request.POST.get("action") == "add" else None, agency=agency, credentials=credentials
    )
    if request.method == "POST":
        try:
            if request.POST.get("action") == "remove":
                requirement = requirement_of(agency, request.POST.get("requirement"))
                if requirement is None:
                    raise Http404
                requirement_remove(actor=request.user, requirement=requirement)
                messages.success(request, _("Requirement removed: %(what)s.") % {"what": requirement})
                return redirect("registry:requirements", agency_id=agency.pk)
            if form.is_valid():
                requirement = requirement_add(actor=request.user, agency=agency, **form.cleaned_data)
                messages.success(request, _("Requirement saved: %(what)s.") % {"what": requirement})
                return redirect("registry:requirements", agency_id=agency.pk)
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        except PermissionDenied:
            raise Http404 from None
    return render(
        request,
        "certification/requirements.html",
        {
            "agency": agency,
            "form": form,
            "requirements": CredentialRequirement.objects.filter(agency=agency).select_related(
                "unit", "credential"
            ),
        },
        status=400 if request.method == "POST" else 200,
    )
