"""Forms of the practical-evaluation screens. They only shape input: every rule is checked by
`services_practical`."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models_practical import ScoreSheet


class ScoreSheetForm(forms.Form):
    title_es = forms.CharField(label=_("Title (Spanish)"), max_length=200)
    title_en = forms.CharField(label=_("Title (English)"), max_length=200)
    instructions_es = forms.CharField(
        label=_("Instructions (Spanish)"), required=False, widget=forms.Textarea
    )
    instructions_en = forms.CharField(
        label=_("Instructions (English)"), required=False, widget=forms.Textarea
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=ScoreSheet.Kind.choices)
    pass_threshold = forms.DecimalField(
        label=_("Pass threshold"),
        required=False,
        min_value=0,
        decimal_places=2,
        help_text=_(
            "Points: the minimum total. Checklist: the minimum number of items passed "
            "(empty: every item); critical items must always be passed."
        ),
    )
    is_required = forms.BooleanField(label=_("Required for completion"), required=False, initial=True)
    published = forms.BooleanField(label=_("Published"), required=False)


class ScoreSheetItemForm(forms.Form):
    text_es = forms.CharField(label=_("Item (Spanish)"), max_length=500, required=False)
    text_en = forms.CharField(label=_("Item (English)"), max_length=500, required=False)
    max_points = forms.DecimalField(label=_("Maximum points"), required=False, min_value=0, decimal_places=2)
    critical = forms.BooleanField(label=_("Critical"), required=False)

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {}) or {}
        return not (data.get("text_es") or data.get("text_en") or data.get("max_points") is not None)


ScoreSheetItemFormSet = forms.formset_factory(ScoreSheetItemForm, extra=8, max_num=60, absolute_max=60)


class OverrideForm(forms.Form):
    result = forms.ChoiceField(
        label=_("Result that counts"),
        choices=(
            ("passed", _("Passed")),
            ("failed", _("Failed")),
            ("computed", _("As scored (no override)")),
        ),
    )
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def passed(self) -> bool | None:
        return {"passed": True, "failed": False}.get(self.cleaned_data["result"])
