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


class EnrollmentActionForm(forms.Form):
    """Withdraw, complete or fail one enrollment, always with a reason."""

    action = forms.ChoiceField(
        choices=(("withdraw", _("Withdraw")), ("complete", _("Complete")), ("fail", _("Fail")))
    )
    reason = forms.CharField(label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, actions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [c for c in self.fields["action"].choices if c[0] in actions]


class SessionForm(forms.Form):
    course = forms.ModelChoiceField(label=_("Course"), queryset=None)
    code = forms.CharField(
        label=_("Session code"), max_length=40, help_text=_("Unique, e.g. BSI-101-GT-2027-01.")
    )
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    starts_on = forms.DateField(label=_("Starts on"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("Ends on"), widget=forms.DateInput(attrs={"type": "date"}))
    nomination_deadline = forms.DateField(
        label=_("Nomination deadline"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    delivery_mode = forms.ChoiceField(label=_("Delivery mode"), choices=())
    language = forms.ChoiceField(label=_("Language"), choices=())
    academy = forms.CharField(label=_("Academy"), max_length=200, required=False)
    city = forms.CharField(label=_("City"), max_length=120, required=False)
    country = forms.ModelChoiceField(label=_("Country"), queryset=None, required=False)
    capacity = forms.IntegerField(label=_("Capacity"), min_value=1, max_value=1000)
    keeps_waiting_list = forms.BooleanField(label=_("Keeps a waiting list"), required=False)
    instructors = forms.ModelMultipleChoiceField(
        label=_("Instructors"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, courses, countries, instructors=None, **kwargs):
        from .models_enrollment import ClassSession

        super().__init__(*args, **kwargs)
        if courses is None:
            del self.fields["course"]  # a session keeps its course
        else:
            self.fields["course"].queryset = courses
            self.fields["course"].label_from_instance = lambda c: f"{c.code} — {c.title}"
        self.fields["country"].queryset = countries
        self.fields["delivery_mode"].choices = ClassSession.DeliveryMode.choices
        self.fields["language"].choices = ClassSession.Language.choices
        if instructors is None:
            del self.fields["instructors"]  # an instructor schedules their own sessions
        else:
            self.fields["instructors"].queryset = instructors
            self.fields["instructors"].label_from_instance = lambda u: u.get_full_name() or u.email


class SessionStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=())
    reason = forms.CharField(label=_("Reason"), max_length=1000, required=False)

    def __init__(self, *args, moves=(), **kwargs):
        from .models_enrollment import ClassSession

        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [(m, ClassSession.Status(m).label) for m in moves]
