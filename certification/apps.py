from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificationConfig(AppConfig):
    name = "certification"
    verbose_name = _("Certification registry")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import signals_audit

        signals_audit.connect()
