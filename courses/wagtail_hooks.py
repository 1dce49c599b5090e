from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .admin_exams import AccommodationPolicy, AssessmentsGroup, ExamBuilderPolicy
from .models import Track
from .models_assessment import Accommodation, Exam


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

# Exams: program administrators and the instructors of each exam's course; extra time: program
# administrators only (courses/admin_exams.py says who may do what).
register_permission_policy(Exam, ExamBuilderPolicy(Exam))
register_permission_policy(Accommodation, AccommodationPolicy(Accommodation))


@hooks.register("register_admin_viewset")
def register_assessment_viewsets():
    return AssessmentsGroup()
