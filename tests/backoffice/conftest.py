"""The billing tests' busy day, for the back office's reports over it."""

from tests.billing.conftest import busy_day, cash, voucher, wine

__all__ = ["busy_day", "cash", "voucher", "wine"]
