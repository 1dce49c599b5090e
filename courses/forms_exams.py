"""Forms of the exam screens: an instructor's override of an attempt's result and the scoring of
a written answer. They only shape the input; `services_assessment` checks everything again."""

from django import forms
from django.utils.translation import gettext_lazy as _


class AttemptOverrideForm(forms.Form):
    action = forms.CharField(widget=forms.HiddenInput, initial="override")
    passed = forms.TypedChoiceField(
        label=_("Result"),
        choices=(("yes", _("Passed")), ("no", _("Failed"))),
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    score_percent = forms.DecimalField(
        label=_("Score (%)"),
        required=False,
        min_value=0,
        max_value=100,
        decimal_places=2,
        help_text=_("Leave empty to keep the graded score."),
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class ShortAnswerScoreForm(forms.Form):
    action = forms.CharField(widget=forms.HiddenInput, initial="score")
    response = forms.IntegerField(widget=forms.HiddenInput)
    points = forms.CharField(label=_("Points"), max_length=10)
    reason = forms.CharField(label=_("Note"), required=False, max_length=2000)
