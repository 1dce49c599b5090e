"""The "My agency" area: agency heads and coordinators manage their own agency's personnel;
program administrators any agency's. Every lookup goes through the access layer (404 outside)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import access
from .filters import PersonnelFilter, vetting_display
from .forms import StatusForm, TraineeForm, TransferForm, VettingForm
from .selectors import vetting_current, vetting_current_for_unit, with_vetting_status
from .services_personnel import trainee_create, trainee_set_status, trainee_transfer, trainee_update
from .services_vetting import vetting_record_add

PAGE_SIZE = 50


def visible_agency_or_404(user, agency_id: int):
    return access.get_or_404(access.agencies_visible_to(user), pk=agency_id)


def visible_trainee_or_404(user, trainee_id: int, *, manage: bool = False):
    trainee = access.get_or_404(access.trainees_visible_to(user), pk=trainee_id)
    if manage and not access.can_manage_personnel(user, trainee.agency):
        raise Http404  # seen through a class, perhaps, but not theirs to change
    return trainee


def apply_service_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


@login_required
def agency_index(request):
    agencies = list(access.agencies_visible_to(request.user))
    if len(agencies) == 1:
        return redirect("registry:personnel_list", agency_id=agencies[0].id)
    if not agencies:
        raise Http404
    return render(request, "certification/agency_index.html", {"agencies": agencies})


@login_required
def personnel_list(request, agency_id: int):
    agency = visible_agency_or_404(request.user, agency_id)
    trainees = with_vetting_status(access.trainees_visible_to(request.user).filter(agency=agency))
    data = request.GET.copy()
    data.setdefault("status", "active")
    personnel_filter = PersonnelFilter(data, queryset=trainees, agency=agency)
    page = Paginator(personnel_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    for trainee in page:
        trainee.vetting_code, trainee.vetting_label = vetting_display(
            trainee.vetting_status, trainee.vetting_valid_until
        )
    query = data.copy()
    query.pop("page", None)
    return render(
        request,
        "certification/personnel_list.html",
        {"agency": agency, "filter": personnel_filter, "page": page, "query": query.urlencode()},
    )


@login_required
def personnel_detail(request, trainee_id: int):
    trainee = visible_trainee_or_404(request.user, trainee_id)
    return render(
        request,
        "certification/personnel_detail.html",
        {
            "trainee": trainee,
            "can_manage": access.can_manage_personnel(request.user, trainee.agency),
            "can_record_vetting": access.can_record_vetting(request.user),
            "vetting": vetting_current(trainee=trainee),
            "unit_vetting": vetting_current_for_unit(unit=trainee.unit),
            "vetting_history": trainee.vetting_records.select_related("recorded_by").order_by(
                "-recorded_at", "-id"
            ),
            "events": trainee.events.select_related("from_agency", "to_agency", "actor"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def personnel_create(request, agency_id: int):
    agency = visible_agency_or_404(request.user, agency_id)
    if not access.can_manage_personnel(request.user, agency):
        raise Http404
    form = TraineeForm(request.POST or None, agency=agency)
    if request.method == "POST" and form.is_valid():
        try:
            trainee = trainee_create(
                actor=request.user,
                agency=agency,
                id_country=form.cleaned_data["id_country"],
                id_type=form.cleaned_data["id_type"],
                id_number=form.cleaned_data["id_number"],
                **form.person_data(),
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Officer %(name)s added.") % {"name": trainee.full_name})
            return redirect("registry:personnel_detail", trainee_id=trainee.id)
    return render(request, "certification/personnel_form.html", {"agency": agency, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def personnel_edit(request, trainee_id: int):
    trainee = visible_trainee_or_404(request.user, trainee_id, manage=True)
    form = TraineeForm(request.POST or None, instance=trainee, agency=trainee.agency)
    if request.method == "POST" and form.is_valid():
        try:
            trainee_update(actor=request.user, trainee=trainee, **form.person_data())
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("registry:personnel_detail", trainee_id=trainee.id)
    return render(
        request,
        "certification/personnel_form.html",
        {"agency": trainee.agency, "form": form, "trainee": trainee},
    )


@login_required
@require_http_methods(["GET", "POST"])
def personnel_transfer(request, trainee_id: int):
    trainee = visible_trainee_or_404(request.user, trainee_id, manage=True)
    form = TransferForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            trainee_transfer(actor=request.user, trainee=trainee, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, _("Transfer recorded."))
            if access.can_manage_personnel(request.user, form.cleaned_data["to_agency"]):
                return redirect("registry:personnel_detail", trainee_id=trainee.id)
            return redirect("registry:personnel_list", agency_id=trainee.agency_id)
    return render(
        request,
        "certification/personnel_action.html",
        {"trainee": trainee, "form": form, "title": _("Record a transfer")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def personnel_status(request, trainee_id: int):
    trainee = visible_trainee_or_404(request.user, trainee_id, manage=True)
    form = StatusForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            trainee_set_status(actor=request.user, trainee=trainee, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Status changed."))
            return redirect("registry:personnel_detail", trainee_id=trainee.id)
    return render(
        request,
        "certification/personnel_action.html",
        {"trainee": trainee, "form": form, "title": _("Change status (separation, reinstatement)")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def personnel_vetting(request, trainee_id: int):
    """Program administrators record a vetting decision (appended to the history)."""
    trainee = visible_trainee_or_404(request.user, trainee_id)
    if not access.can_record_vetting(request.user):
        raise Http404
    form = VettingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            vetting_record_add(actor=request.user, trainee=trainee, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Vetting decision recorded."))
            return redirect("registry:personnel_detail", trainee_id=trainee.id)
    return render(
        request,
        "certification/personnel_action.html",
        {"trainee": trainee, "form": form, "title": _("Record a vetting decision")},
    )
