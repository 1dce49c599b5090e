"""The catalogue's filter and search form (GET: a filtered catalogue is a shareable link)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import CoursePage, Track


class CatalogueFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    track = forms.ChoiceField(label=_("Track"), required=False)
    level = forms.ChoiceField(
        label=_("Level"), required=False, choices=[("", _("Any level")), *CoursePage.Level.choices]
    )
    language = forms.ChoiceField(
        label=_("Language of delivery"),
        required=False,
        choices=[("", _("Any language")), *CoursePage.DeliveryLanguage.choices],
    )
    mode = forms.ChoiceField(
        label=_("Delivery mode"),
        required=False,
        choices=[("", _("Any mode")), *CoursePage.DELIVERY_MODES],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["track"].choices = [("", _("Any track"))] + [
            (track.slug, track.name) for track in Track.objects.all()
        ]
