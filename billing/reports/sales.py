"""Sales figures from the closed checks' frozen totals: per tax rate and per waiter."""

from decimal import Decimal

from billing.reports.fields import average, person, rate_key


def sales_figures(checks: list[dict]) -> tuple[dict, list[dict], dict, dict]:
    """Sales totals, the split per tax rate and per waiter, from the checks' frozen figures."""
    items = line_cuts = check_cuts = service = tax = tax_added = net = gross = 0
    rates: dict[str, dict] = {}
    applied: dict[int, int] = {}
    waiters: dict[int, dict] = {}
    covers: dict[int, int] = {}
    for check in checks:
        frozen = check["frozen_totals"] or {
            "prices_include_tax": True,
            "shares": [],
            "rates": [],
            "discount_amounts": [],
        }
        items += sum(share[2] for share in frozen["shares"])
        line_cuts += sum(share[3] for share in frozen["shares"])
        check_gross = 0
        for percent, _goods, cut, service_charge, rate_tax, rate_net, rate_gross in frozen["rates"]:
            check_cuts += cut
            service += service_charge
            tax += rate_tax
            net += rate_net
            check_gross += rate_gross
            if not frozen["prices_include_tax"]:
                tax_added += rate_tax
            row = rates.setdefault(rate_key(percent), {"rate": rate_key(percent), "net": 0, "tax": 0, "gross": 0})
            row["net"] += rate_net
            row["tax"] += rate_tax
            row["gross"] += rate_gross
        gross += check_gross
        for key, amount in frozen["discount_amounts"]:
            applied[key] = applied.get(key, 0) + amount
        covers[check["order_id"]] = check["order__covers"]
        waiter = waiter_row(waiters, check["order__waiter_id"], person(check, "order__waiter"))
        waiter["checks"] += 1
        waiter["gross"] += check_gross
    count, guests = len(checks), sum(covers.values())
    sales = {
        "checks": count,
        "covers": guests,
        "items": items,
        "_line_cuts": line_cuts,
        "_check_cuts": check_cuts,
        "service_charge": service,
        "net": net,
        "tax": tax,
        "tax_added": tax_added,
        "gross": gross,
        "average_check": average(gross, count),
        "average_per_cover": average(gross, guests),
    }
    by_rate = sorted(rates.values(), key=lambda r: Decimal(r["rate"]), reverse=True)
    return sales, by_rate, applied, waiters


def waiter_row(waiters: dict, waiter_id: int, name: str) -> dict:
    return waiters.setdefault(waiter_id, {"id": waiter_id, "name": name, "checks": 0, "gross": 0, "tips": 0})
