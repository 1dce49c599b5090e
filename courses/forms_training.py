from django import forms
from django.utils.translation import gettext_lazy as _


class NominationForm(forms.Form):
    session = forms.ModelChoiceField(label=_("Class session"), queryset=None)
    trainees = forms.ModelMultipleChoiceField(
        label=_("Officers"), queryset=None, widget=forms.CheckboxSelectMultiple
    )
    language = forms.ChoiceField(
        label=_("Language for messages"), choices=(("es", _("Spanish")), ("en", _("English")))
    )

    def __init__(self, *args, sessions, officers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = sessions
        self.fields["session"].label_from_instance = lambda s: f"{s.code} — {s.starts_on:%Y-%m-%d}"
        self.fields["trainees"].queryset = officers
        self.fields["trainees"].label_from_instance = lambda t: (
            f"{t.sort_name} ({t.badge_number or t.id_number})"
        )


class QueueDecisionForm(forms.Form):
    enrollment = forms.IntegerField(widget=forms.HiddenInput)
    action = forms.ChoiceField(choices=(("approve", _("Approve")), ("reject", _("Reject"))))
    reason = forms.CharField(label=_("Reason"), required=False, max_length=1000)

    def clean(self):
        data = super().clean()
        if data.get("action") == "reject" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Give a reason for the rejection."))
        return data
