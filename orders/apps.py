from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = _("Menu and orders")

    def ready(self):
        from orders.floor_plan_changes import open_order_reasons  # also connects the floor-plan receiver
        from tables.services import table_in_use_checks

        # Removing a table asks orders whether it has an open order (tables cannot import orders).
        if open_order_reasons not in table_in_use_checks:
            table_in_use_checks.append(open_order_reasons)
