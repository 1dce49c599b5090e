from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HomeConfig(AppConfig):
    name = "home"
    verbose_name = _("Home")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .middleware_mfa import remember_staff_state

        user_logged_in.connect(remember_staff_state, dispatch_uid="home.remember_staff_state")
