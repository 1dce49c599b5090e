from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = _("Courses")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from certification.access import register_trainee_scope

        from . import signals  # noqa: F401
        from .access import instructed_trainees_scope

        register_trainee_scope(instructed_trainees_scope)
