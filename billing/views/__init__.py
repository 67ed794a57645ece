"""The billing pages: the manager's day report and close, the cashier's checks (more subjects join as modules)."""

from billing.views.cashier import closed_checks, open_checks
from billing.views.day import close_day, day_report

__all__ = ["close_day", "closed_checks", "day_report", "open_checks"]
