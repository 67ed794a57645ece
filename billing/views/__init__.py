"""The billing pages: the manager's day report, the close of day wizard, the Z's last page and its PDF."""

from billing.views.close import close_action, close_day, day_closed, z_pdf
from billing.views.day import day_report

__all__ = ["close_action", "close_day", "day_closed", "day_report", "z_pdf"]
