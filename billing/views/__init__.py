"""The billing pages: the manager's day report and close (more subjects join as modules)."""

from billing.views.day import close_day, day_report

__all__ = ["close_day", "day_report"]
