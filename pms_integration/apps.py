from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PmsIntegrationConfig(AppConfig):
    name = "pms_integration"
    verbose_name = _("Hotel (PMS)")
