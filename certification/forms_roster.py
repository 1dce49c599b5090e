"""The roster's filters. A value that does not parse, or names nothing of this agency, is
dropped with a message: the roster is shown without it, never an error."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import CredentialRequirement
from .selectors_roster import STATUSES, RosterFilters

SORT_CHOICES = [
    ("name", _("Name (A–Z)")),
    ("-name", _("Name (Z–A)")),
    ("unit", _("Unit")),
    ("-unit", _("Unit (Z–A)")),
    ("rank", _("Rank")),
    ("-rank", _("Rank (Z–A)")),
    ("badge", _("Badge")),
    ("-badge", _("Badge (descending)")),
]


class RosterFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    unit = forms.TypedChoiceField(label=_("Unit"), required=False, coerce=int, empty_value=None)
    rank = forms.ChoiceField(label=_("Rank"), required=False)
    credential = forms.TypedChoiceField(label=_("Credential"), required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("All")), *STATUSES])
    expiring_before = forms.DateField(
        label=_("Expiring before"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORT_CHOICES)

    def __init__(self, data, *, agency, credentials):
        super().__init__(data)
        all_ = [("", _("All"))]
        self.fields["unit"].choices = all_ + [(u.pk, u.name) for u in agency.units.all()]
        ranks = agency.trainees.exclude(rank="").order_by("rank").values_list("rank", flat=True).distinct()
        self.fields["rank"].choices = all_ + [(r, r) for r in ranks]
        self.fields["credential"].choices = all_ + [(c.pk, f"{c.code} · {c.name}") for c in credentials]

    def filters(self) -> tuple[RosterFilters, list[str]]:
        """The valid filters, and a message for each one dropped."""
        self.is_valid()
        dropped = [f"{self.fields[name].label}: {' '.join(errors)}" for name, errors in self.errors.items()]
        data = self.cleaned_data
        return (
            RosterFilters(
                unit_id=data.get("unit"),
                rank=data.get("rank") or "",
                credential_id=data.get("credential"),
                status=data.get("status") or "",
                expiring_before=data.get("expiring_before"),
                q=data.get("q") or "",
                sort=data.get("sort") or "name",
            ),
            dropped,
        )


class RequirementForm(forms.Form):
    unit = forms.ModelChoiceField(
        label=_("Unit"), queryset=None, required=False, empty_label=_("Every officer of the agency")
    )
    credential = forms.ModelChoiceField(label=_("Credential"), queryset=None)

    def __init__(self, *args, agency, credentials, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = agency.units.all()
        self.fields["credential"].queryset = credentials


def requirement_of(agency, pk) -> CredentialRequirement | None:
    """The agency's requirement with the posted id; None for anything else (or no number)."""
    if not str(pk or "").isdigit():
        return None
    return (
        CredentialRequirement.objects.filter(agency=agency, pk=int(pk)).select_related("credential").first()
    )
