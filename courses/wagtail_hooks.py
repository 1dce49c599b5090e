from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Track


class TrackViewSet(SnippetViewSet):
    model = Track
    icon = "tag"
    menu_label = _("Tracks")
    add_to_admin_menu = True
    menu_order = 250
    list_display = ["name_es", "name_en", "slug", "sort_order"]
    search_fields = ["name_es", "name_en", "slug"]
    ordering = ["sort_order", "slug"]


register_snippet(TrackViewSet)
