from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WaiterConfig(AppConfig):
    name = "waiter"
    verbose_name = _("Waiter screens")
