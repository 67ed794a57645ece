"""The billing pages, one module per subject: the day report, the close of day wizard and its Z, the cashier's
checks, the cash drawers."""

from billing.views.cashier import closed_checks, open_checks
from billing.views.close import close_action, close_day, day_closed, z_pdf
from billing.views.day import day_report
from billing.views.drawers import cashier_drawer_page, manager_drawers_page

__all__ = [
    "cashier_drawer_page",
    "close_action",
    "close_day",
    "closed_checks",
    "day_closed",
    "day_report",
    "manager_drawers_page",
    "open_checks",
    "z_pdf",
]
