"""Reads of cash drawers for the cashier's drawer page and the manager's drawers page, in pinned queries."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Sum

from billing.models import CashMovement, Denomination, DrawerSession, Payment, Refund
from printing.selectors import latest_jobs_by_source
from staff.models import Role, User


def denominations(currency: str | None = None) -> list[Denomination]:
    """The notes and coins a drawer of this currency (settings.CURRENCY) is counted in, largest first."""
    return list(
        Denomination.objects.filter(currency=currency or settings.CURRENCY, is_active=True).order_by(
            "sort_order", "-value"
        )
    )


def denomination_values(currency: str | None = None) -> set[int]:
    return {d.value for d in denominations(currency)}


def count_lines(counts: dict | None, notes_and_coins: list[Denomination]) -> list[dict]:
    """A stored count as rows for a screen or a slip: denomination, pieces, line total (largest first)."""
    counts = counts or {}
    kinds = {d.value: d.kind for d in notes_and_coins}
    rows = [
        {"value": int(value), "kind": kinds.get(int(value), ""), "pieces": pieces, "total": int(value) * pieces}
        for value, pieces in counts.items()
    ]
    return sorted(rows, key=lambda row: -row["value"])


def expected_cash_by_session(session_ids: list[int], floats: dict[int, int]) -> dict[int, int]:
    """What each drawer should hold now (as `expected_cash`), for many drawers in three queries."""
    if not session_ids:
        return {}
    taken = {
        row["drawer_session"]: (row["cash"] or 0) - (row["change"] or 0)
        for row in Payment.objects.filter(drawer_session__in=session_ids, state=Payment.State.CAPTURED)
        .values("drawer_session")
        .annotate(cash=Sum("cash_given"), change=Sum("change_due"))
    }
    refunded = {
        row["drawer_session"]: row["total"] or 0
        for row in Refund.objects.filter(drawer_session__in=session_ids, state=Refund.State.SUCCEEDED)
        .values("drawer_session")
        .annotate(total=Sum("amount"))
    }
    moved: dict[int, int] = defaultdict(int)
    for row in (
        CashMovement.objects.filter(session__in=session_ids).values("session", "kind").annotate(total=Sum("amount"))
    ):
        sign = 1 if row["kind"] == CashMovement.Kind.PAY_IN else -1
        moved[row["session"]] += sign * row["total"]
    return {pk: floats[pk] + taken.get(pk, 0) - refunded.get(pk, 0) + moved.get(pk, 0) for pk in session_ids}


def drawer_count_slip_job(session_id: int) -> dict | None:
    """The count slip's print job (its state, for the screen), None if none was queued. One query."""
    source = f"billing.drawer_count:{session_id}"
    return latest_jobs_by_source(sources=[source]).get(source)


@dataclass
class CashierDrawer:
    """The cashier's drawer page: the outlet's open drawer (never what it should hold), or none."""

    denominations: list[Denomination]
    session: DrawerSession | None
    float_lines: list[dict] = field(default_factory=list)
    movements: list[CashMovement] = field(default_factory=list)
    takers: list[User] = field(default_factory=list)


def cashier_drawer(*, outlet_id: int, me: User) -> CashierDrawer:
    """Four queries: notes and coins, the open session, its movements, who could take it over.

    Blind count: nothing here says what the drawer should hold; the close's answer does.
    """
    notes_and_coins = denominations()
    session = (
        DrawerSession.objects.filter(outlet_id=outlet_id, closed_at__isnull=True).select_related("opened_by").first()
    )
    if session is None:
        return CashierDrawer(denominations=notes_and_coins, session=None)
    movements = list(CashMovement.objects.filter(session=session).select_related("by").order_by("at", "id"))
    takers = list(
        User.objects.filter(is_active=True, groups__name__in=[Role.CASHIER, Role.MANAGER, Role.BARTENDER, Role.WAITER])
        .exclude(pk=me.pk)
        .distinct()
        .order_by("first_name", "username")
    )
    return CashierDrawer(
        denominations=notes_and_coins,
        session=session,
        float_lines=count_lines(session.float_counts, notes_and_coins),
        movements=movements,
        takers=takers,
    )


@dataclass
class DrawersOverview:
    open_drawers: list[dict]
    closed_drawers: list[dict]
    by_day: list[dict]
    by_person: list[dict]
    people: list[User]


def drawers_overview(
    *, date_from: datetime.date | None = None, date_to: datetime.date | None = None, person_id: int | None = None
) -> DrawersOverview:
    """The manager's drawers page in seven queries, whatever the number of drawers.

    Open drawers with what they should hold so far and their movements; closed ones
    (in the business-day range, by the person who ran them) with their variance, and
    the variances added up by day and by person.
    """
    open_sessions = list(
        DrawerSession.objects.filter(closed_at__isnull=True).select_related("outlet", "opened_by", "business_day")
    )
    expected = expected_cash_by_session([s.pk for s in open_sessions], {s.pk: s.opening_float for s in open_sessions})
    movements: dict[int, list[CashMovement]] = defaultdict(list)
    if open_sessions:
        for movement in CashMovement.objects.filter(session__in=open_sessions).select_related("by"):
            movements[movement.session_id].append(movement)
    closed = DrawerSession.objects.filter(closed_at__isnull=False).select_related(
        "outlet", "opened_by", "closed_by", "business_day"
    )
    if date_from:
        closed = closed.filter(business_day__date__gte=date_from)
    if date_to:
        closed = closed.filter(business_day__date__lte=date_to)
    if person_id:
        closed = closed.filter(opened_by_id=person_id)
    closed_sessions = list(closed.order_by("-closed_at")[:500])
    by_day: dict[datetime.date, int] = defaultdict(int)
    by_person: dict[str, int] = defaultdict(int)
    for session in closed_sessions:
        by_day[session.business_day.date] += session.variance or 0
        by_person[str(session.opened_by)] += session.variance or 0
    people = list(
        User.objects.filter(groups__name__in=[Role.CASHIER, Role.MANAGER, Role.BARTENDER, Role.WAITER])
        .distinct()
        .order_by("first_name", "username")
    )
    return DrawersOverview(
        open_drawers=[
            {"session": s, "expected": expected[s.pk], "movements": movements.get(s.pk, [])} for s in open_sessions
        ],
        closed_drawers=[{"session": s, "variance": s.variance} for s in closed_sessions],
        by_day=[{"date": day, "variance": total} for day, total in sorted(by_day.items(), reverse=True)],
        by_person=[{"person": name, "variance": total} for name, total in sorted(by_person.items())],
        people=people,
    )
