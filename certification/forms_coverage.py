"""The period of the funder report."""

from django import forms
from django.utils.translation import gettext_lazy as _

# A report covers at most this many days (ten years): a typo in a year is caught, not queried.
MAX_DAYS = 3660


class PeriodForm(forms.Form):
    start = forms.DateField(
        label=_("From"),
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end = forms.DateField(
        label=_("To (included)"),
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean(self):
        cleaned_data = super().clean()
        start, end = cleaned_data.get("start"), cleaned_data.get("end")
        if start and end:
            if end < start:
                raise forms.ValidationError(_("The period ends before it starts."), code="order")
            if (end - start).days > MAX_DAYS:
                raise forms.ValidationError(_("Choose a period of at most ten years."), code="too_long")
        return cleaned_data
