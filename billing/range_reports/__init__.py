"""Reports over any range of business days, for the house or one outlet (revenue centre).

Each report is one module with one function taking a `Period` and returning
`{"rows": [...], "totals": {...}}`, every amount in integer cents. They are summed in
the database (GROUP BY day, hour, item, waiter, tender, rate) in a fixed number of
queries whatever the range, so a year of a busy restaurant answers in well under a
second (bench/reports.py measures it).

The money rules are the Z's (billing.reports), so a one-day range agrees with that
day's X / Z to the cent (tests/billing/test_range_reports.py checks it):
- sales belong to the business day their check closed in (`Check.business_day`), not
  to the calendar date: a night past midnight is the evening's. Their figures are the
  checks' frozen totals (per tax rate: net, tax, gross), never recomputed;
- "by hour" is the local hour the check was paid (closed);
- covers count each order once per business day, as the Z counts them;
- tenders, tips and rounding: captured payments by their business day;
- product mix: the checks' frozen items (quantities and amounts after line discounts);
- voids: the void events of lines in the range's business days (by the event's local
  time and BUSINESS_DAY_ENDS_AT).
"""

from billing.range_reports.period import PRESETS, Period, period_from

__all__ = ["PRESETS", "Period", "period_from"]
