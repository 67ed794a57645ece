from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "billing"
    verbose_name = _("Billing")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from billing import receivers  # noqa: F401 - connects billing to the PMS gateway's signals
        from billing.selectors import bill_version
        from orders.selectors import order_version_parts

        # A bill screen's keep-alive covers the checks and payments too (orders cannot import billing).
        if bill_version not in order_version_parts:
            order_version_parts.append(bill_version)
