"""The closed checks of a period, and their frozen figures summed per group in the database.

A check's figures are frozen per tax rate in `frozen_totals["rates"]`, each a list
[percent, goods, discount, service charge, tax, net, gross] (billing.totals). The Z
adds them up in Python, one day at a time; over a year that is 150,000 documents.
Their sums over the rates are kept beside them as columns when the check is frozen
(`Check.frozen_net`, `frozen_tax`, `frozen_gross`), so sales by day, hour and waiter sum
plain columns (5 times faster over a year than unnesting the JSON, bench/reports.py);
only the split per tax rate unnests the rates in the database (PostgreSQL jsonb, SQLite
json1), grouped by whatever the ORM annotated on the checks (business date, hour, waiter).
"""

from django.db import connection
from django.db.models import Count, F, QuerySet, Sum

from billing.models import Check
from billing.range_reports.period import Period

# Where a rate's fields sit in its frozen list.
PERCENT, TAX, NET, GROSS = 0, 4, 5, 6


def closed_checks(period: Period) -> QuerySet:
    checks = Check.objects.filter(
        status=Check.Status.CLOSED,
        business_day__date__gte=period.start,
        business_day__date__lte=period.end,
    )
    if period.outlet_id is not None:
        checks = checks.filter(order__outlet_id=period.outlet_id)
    return checks.order_by()


def _rates_sql(source: str) -> tuple[str, str]:
    """(the FROM part unnesting each check's rates, an SQL template reading field {i} of a rate as a number)."""
    if connection.vendor == "postgresql":
        return f"CROSS JOIN LATERAL jsonb_array_elements({source}.r_totals -> 'rates') AS rate", (
            "CAST(rate.value ->> {i} AS bigint)"
        )
    return f", json_each({source}.r_totals, '$.rates') AS rate", "json_extract(rate.value, '$[{i}]')"


def figures_by(checks: QuerySet, keys: dict, *, by_rate: bool = False) -> list[dict]:
    """Checks, net, tax and gross per group of `keys` (name -> ORM expression), one query.

    With `by_rate`, per tax rate as well (the group then has a `rate` key, "9.00"), from the
    frozen JSON; without, from the sums the check keeps beside it (`Check.frozen_net` ...).
    """
    if not by_rate:
        annotations = {f"k_{name}": expression for name, expression in keys.items()}
        grouped = checks.annotate(**annotations).values(*annotations) if keys else checks
        sums = {"checks": Count("pk"), "net": Sum("frozen_net"), "tax": Sum("frozen_tax"), "gross": Sum("frozen_gross")}
        rows = grouped.annotate(**sums) if keys else [grouped.aggregate(**sums)]
        return [
            {
                **{name: row[f"k_{name}"] for name in keys},
                "checks": row["checks"],
                **{money: int(row[money] or 0) for money in ("net", "tax", "gross")},
            }
            for row in rows
        ]
    # Every column aliased, so the outer query can name them on any database.
    annotations = {f"k_{name}": expression for name, expression in keys.items()}
    inner = checks.annotate(**annotations, r_id=F("pk"), r_totals=F("frozen_totals")).values(
        *annotations, "r_id", "r_totals"
    )
    inner_sql, params = inner.query.sql_with_params()
    unnest, field = _rates_sql("c")
    groups = [f"c.k_{name}" for name in keys]
    if by_rate:
        rate_text = field.format(i=PERCENT)
        if connection.vendor == "postgresql":
            rate_text = "(rate.value ->> 0)"
        groups.append(rate_text)
    select = ", ".join([*groups, "COUNT(DISTINCT c.r_id)", *(f"SUM({field.format(i=i)})" for i in (NET, TAX, GROSS))])
    group_by = f"GROUP BY {', '.join(groups)}" if groups else ""
    # Only our own column names and the ORM's compiled SQL go in; every value is a parameter.
    sql = f"SELECT {select} FROM ({inner_sql}) AS c {unnest} {group_by}"  # noqa: S608
    names = [*keys, *(["rate"] if by_rate else []), "checks", "net", "tax", "gross"]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    for row in rows:
        for money in ("net", "tax", "gross"):
            row[money] = int(row[money] or 0)
    return rows


def covers_by(checks: QuerySet, keys: dict) -> list[dict]:
    """Covers per group: each order counted once per group and business day, as the Z counts them."""
    annotations = {"k_day": F("business_day__date"), **{f"k_{name}": e for name, e in keys.items()}}
    inner = (
        checks.annotate(**annotations, r_order=F("order_id"), r_covers=F("order__covers"))
        .values(*annotations, "r_order", "r_covers")
        .distinct()
    )
    inner_sql, params = inner.query.sql_with_params()
    groups = [f"o.k_{name}" for name in keys]
    group_by = f"GROUP BY {', '.join(groups)}" if groups else ""
    sql = f"SELECT {', '.join([*groups, 'SUM(o.r_covers)'])} FROM ({inner_sql}) AS o {group_by}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [{**dict(zip(keys, row[:-1], strict=True)), "covers": int(row[-1] or 0)} for row in cursor.fetchall()]
