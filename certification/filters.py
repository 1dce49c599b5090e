"""Filters of the personnel list (django-filter)."""

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Trainee, Unit, VettingRecord
from .text import fold

VETTING_CHOICES = [
    ("none", _("Not submitted")),
    (VettingRecord.Status.PENDING, _("Pending")),
    ("valid", _("Approved and valid")),
    ("expired", _("Approval expired")),
    (VettingRecord.Status.DENIED, _("Denied")),
    (VettingRecord.Status.SUSPENDED, _("Suspended")),
]


class PersonnelFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    unit = django_filters.ModelChoiceFilter(
        label=_("Unit"), queryset=Unit.objects.none(), empty_label=_("All")
    )
    rank = django_filters.ChoiceFilter(label=_("Rank"), choices=[], empty_label=_("All"))
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Trainee.Status.choices, empty_label=_("All")
    )
    vetting = django_filters.ChoiceFilter(
        label=_("Vetting"), choices=VETTING_CHOICES, method="filter_vetting"
    )

    class Meta:
        model = Trainee
        fields = ["q", "unit", "rank", "status", "vetting"]

    def __init__(self, *args, agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["unit"].queryset = agency.units.all()
        ranks = agency.trainees.exclude(rank="").order_by("rank").values_list("rank", flat=True).distinct()
        self.filters["rank"].extra["choices"] = [(r, r) for r in ranks]

    def filter_search(self, queryset, name, value):
        terms = fold(value).split()
        for term in terms[:6]:
            queryset = queryset.filter(search_text__contains=term)
        return queryset

    def filter_vetting(self, queryset, name, value):
        # Needs the annotations of selectors.with_vetting_status.
        today = timezone.localdate()
        if value == "none":
            return queryset.filter(vetting_status__isnull=True)
        if value == "valid":
            return queryset.filter(
                vetting_status=VettingRecord.Status.APPROVED, vetting_valid_until__gte=today
            )
        if value == "expired":
            return queryset.filter(
                vetting_status=VettingRecord.Status.APPROVED, vetting_valid_until__lt=today
            )
        return queryset.filter(vetting_status=value)


def vetting_display(status: str | None, valid_until) -> tuple[str, str]:
    """(code, label) of an officer's current vetting, as the list shows it."""
    if status is None:
        return "none", str(_("Not submitted"))
    if status == VettingRecord.Status.APPROVED:
        if valid_until and valid_until < timezone.localdate():
            return "expired", str(_("Approval expired"))
        return "valid", str(_("Approved and valid"))
    return status, str(VettingRecord.Status(status).label)
