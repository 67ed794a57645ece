"""The X report (the business day so far) and the Z report (the day at its close).

`day_report(day=...)` reads one business day in a fixed number of queries (twelve,
whatever the number of orders, checks, lines or payments) and returns a JSON-able
dict, every amount in integer cents. `day_report(day=..., outlet_id=...)` gives the
same figures for one outlet (revenue centre) in the same twelve queries.
`day_report_by_outlet(day=...)` is the house's report with each outlet's beside it
(`outlets`); that is the Z report, stored on the day when it is closed
(`BusinessDay.report`) and never computed again. Call it after `closed_at` and
`z_number` are set so the stored copy says "Z".

What belongs to the day:
- sales: the checks closed in the day (`Check.business_day`, status closed). Their
  figures are the frozen ones (`Check.frozen_totals`, `CheckItem.frozen_*`), the
  amounts the guests paid, never recomputed from today's menu or rules.
- tenders, tips, cash rounding: the payments captured in the day (`Payment.business_day`).
- refunds: `Refund.business_day`; drawers: `DrawerSession.business_day`.
- voids: the void events after the previous Z (or, for the first day, ever) up to this
  day's close (or now). A void can happen before the day's first sale opens the day
  row, so the day's own `opened_at` would lose it.
- open checks: every check still open that was opened before the day's close.

Identities that hold (tests/billing/test_reports.py asserts them):
- sales.gross == sales.net + sales.tax == sum(by_tax_rate.gross); the same for net and tax.
- sales.items - sales.discounts - sales.comps + sales.service_charge + sales.tax_added
  == sales.gross (tax_added is the tax put on top of tax-exclusive prices; 0 in the EU).
- sales.discounts == sales.line_discounts + sales.check_discounts == sum(discounts.amount);
  sales.comps == sum(comps.amount).
- sum(by_category.gross) == sum(by_item.gross) == sales.items - sales.line_discounts - sales.comps:
  what the lines came to after their own discounts, before check discounts and service charge.
- sum(by_tender.amount) == reconciliation.tendered
  == sales.gross + reconciliation.not_in_sales - reconciliation.from_earlier_days.
  On a day whose payments all settled checks closed the same day, the tenders add up to
  the gross sales exactly. Cash rounding and tips are on top:
  sum(by_tender.taken) == sum(by_tender.amount) + tips + cash_rounding.
- sum(by_waiter.gross) == sales.gross, sum(by_waiter.checks) == sales.checks,
  sum(by_waiter.tips) == sum(by_tender.tips) == tips.
- sum(by_tender.refunds) == sum of the succeeded rows of `refunds` == refunds_total.
- a drawer still open: expected == float + cash_sales + rounding + tips - refunds + pay_ins - pay_outs
  (what `services.expected_cash` says); a closed drawer keeps the expected it was closed with.
"""

from billing.reports.day import REPORT_VERSION, day_report, day_report_by_outlet

__all__ = ["REPORT_VERSION", "day_report", "day_report_by_outlet"]
