"""The billing pages: the manager's day report and close, the cash drawer pages (one module per subject)."""

from billing.views.day import close_day, day_report
from billing.views.drawers import cashier_drawer_page, manager_drawers_page

__all__ = ["cashier_drawer_page", "close_day", "day_report", "manager_drawers_page"]
