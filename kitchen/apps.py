from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KitchenConfig(AppConfig):
    name = "kitchen"
    verbose_name = _("Kitchen")

    def ready(self):
        from kitchen import receivers  # noqa: F401  (connects the signal receivers)
