"""Past-tense domain signals of billing, for apps above it (reports, the PMS seam)."""

from django.dispatch import Signal

# payment, by
payment_captured = Signal()
# check, by
check_closed = Signal()
# day, by (the Z report is stored on the day)
business_day_closed = Signal()
