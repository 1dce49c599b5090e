"""Forms of the "My agency" area. They only collect input; the services decide and write."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Agency, Country, Trainee, Unit, VettingRecord


def date_input() -> forms.DateInput:
    # The browser's date picker reads and writes ISO dates, whatever the page's language.
    return forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


PERSON_FIELDS = [
    "given_names",
    "first_surname",
    "second_surname",
    "badge_number",
    "rank",
    "unit",
    "sex",
    "date_of_birth",
    "email",
    "phone",
]


class TraineeForm(forms.ModelForm):
    class Meta:
        model = Trainee
        fields = ["id_country", "id_type", "id_number", *PERSON_FIELDS]
        widgets = {"date_of_birth": date_input()}

    def __init__(self, *args, agency: Agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = agency.units.all()
        self.fields["id_country"].queryset = Country.objects.all()
        self.fields["id_country"].initial = agency.country_id
        if self.instance.pk:
            # Identity never changes through the form: a wrong ID is a new record.
            for name in ("id_country", "id_type", "id_number"):
                self.fields[name].disabled = True

    def _post_clean(self):
        # Uniqueness and formats are checked by the services, which normalise the ID first.
        pass

    def person_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in PERSON_FIELDS}


class TransferForm(forms.Form):
    to_agency = forms.ModelChoiceField(
        label=_("New agency"), queryset=Agency.objects.select_related("country")
    )
    to_unit = forms.ModelChoiceField(
        label=_("New unit"), queryset=Unit.objects.select_related("agency"), required=False
    )
    effective_on = forms.DateField(label=_("Effective on"), initial=timezone.localdate, widget=date_input())
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))

    def clean(self):
        data = super().clean()
        unit, agency = data.get("to_unit"), data.get("to_agency")
        if unit and agency and unit.agency_id != agency.id:
            self.add_error("to_unit", _("This unit belongs to another agency."))
        return data


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=Trainee.Status.choices)
    effective_on = forms.DateField(label=_("Effective on"), initial=timezone.localdate, widget=date_input())
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV or XLSX file"), widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"})
    )


class VettingForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=VettingRecord.Status.choices)
    decided_on = forms.DateField(
        label=_("Decided on"),
        required=False,
        initial=timezone.localdate,
        widget=date_input(),
    )
    valid_until = forms.DateField(
        label=_("Valid until"),
        required=False,
        help_text=_("Approvals last one year unless you say otherwise."),
        widget=date_input(),
    )
    case_reference = forms.CharField(label=_("Embassy case reference"), max_length=60, required=False)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class CertificateStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=())
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required to suspend or revoke; shown on the verification page as the status only."),
    )

    def __init__(self, *args, moves=(), **kwargs):
        from .models import Certificate

        super().__init__(*args, **kwargs)
        labels = {
            Certificate.Status.SUSPENDED: _("Suspend"),
            Certificate.Status.VALID: _("Reinstate"),
            Certificate.Status.REVOKED: _("Revoke"),
        }
        self.fields["status"].choices = [(m, labels[m]) for m in moves]
