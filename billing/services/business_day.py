"""The business day: which day money lands in, and the close of day (Z) that locks it."""

import datetime
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from billing.models import (
    BusinessDay,
    DrawerSession,
    Payment,
)
from billing.signals import business_day_closed
from orders.models import Order
from staff.models import Role, User
from staff.services import record_audit

logger = logging.getLogger(__name__)


def business_date(moment) -> datetime.date:
    """The trading date of a moment: before BUSINESS_DAY_ENDS_AT it is still yesterday's night."""
    local = timezone.localtime(moment)
    ends_at = datetime.time.fromisoformat(settings.BUSINESS_DAY_ENDS_AT)
    return local.date() - datetime.timedelta(days=1) if local.time() < ends_at else local.date()


def current_business_day() -> BusinessDay:
    """The open business day, opened now if there is none (the first sale after a Z report)."""
    day = BusinessDay.objects.filter(closed_at__isnull=True).order_by("date").first()
    if day is not None:
        return day
    date = business_date(timezone.now())
    last = BusinessDay.objects.order_by("-date").first()
    if last is not None and last.date >= date:
        # Closed early (a Z before the night ended): what follows is the next day's.
        date = last.date + datetime.timedelta(days=1)
    try:
        with transaction.atomic():
            return BusinessDay.objects.create(date=date)
    except IntegrityError:
        return BusinessDay.objects.get(date=date)


def _day_taking_money() -> BusinessDay:
    """The open business day, held (FOR SHARE) until this transaction commits the money it writes into it.

    The Z (`close_business_day`) locks the same row FOR UPDATE: it waits for payments
    being written to commit, and whatever comes after it lands in the next day. Money
    is never booked into a day whose report is already stored. (SQLite runs one
    writer at a time, so it needs no lock.)
    """
    for _attempt in range(3):
        day = current_business_day()
        if connection.vendor != "postgresql":
            return day
        with connection.cursor() as cursor:
            # The ORM has no FOR SHARE; the table name is our own model's, the id a parameter.
            table = connection.ops.quote_name(BusinessDay._meta.db_table)
            cursor.execute(f"SELECT closed_at FROM {table} WHERE id = %s FOR SHARE", [day.pk])  # noqa: S608
            (closed_at,) = cursor.fetchone()
        if closed_at is None:
            return day
    raise ValidationError({"business_day": _("The business day is being closed: try again in a moment.")})


def close_business_day(*, by: User, carry_over_open_orders: bool = False) -> BusinessDay:
    """The Z: number the open business day, store its report and lock it. Nothing changes in it afterwards.

    Refused while a cash drawer of the day is still open (count it first) or a payment
    is still under way. Orders still open are refused too unless
    `carry_over_open_orders`: their checks then count in the day they are paid.
    """
    if not by.has_role(Role.MANAGER):
        raise PermissionDenied(_("Only a manager closes the business day."))
    from billing.reports import day_report_by_outlet  # the report reads billing's rows, as this module does

    with transaction.atomic():
        day = BusinessDay.objects.filter(closed_at__isnull=True).order_by("date").first()
        if day is None:
            raise ValidationError({"business_day": _("No business day is open: nothing was sold since the last Z.")})
        day = BusinessDay.objects.select_for_update().get(pk=day.pk)
        if day.is_closed:
            raise ValidationError({"business_day": _("This business day was closed a moment ago.")})
        drawers = list(DrawerSession.objects.filter(business_day=day, closed_at__isnull=True).select_related("outlet"))
        if drawers:
            raise ValidationError(
                {
                    "drawers": _("Count and close the cash drawer first: %(outlets)s.")
                    % {"outlets": ", ".join(str(d.outlet) for d in drawers)}
                }
            )
        waiting = list(Payment.objects.filter(state=Payment.State.PENDING).select_related("guest_check", "tender")[:5])
        if waiting:
            raise ValidationError(
                {
                    "payments": _("A payment is still under way (%(payments)s): let it finish or cancel it.")
                    % {
                        "payments": ", ".join(
                            f"{p.tender} {p.guest_check.order_id}-{p.guest_check.number}" for p in waiting
                        )
                    }
                }
            )
        open_orders = Order.objects.filter(status=Order.Status.OPEN).count()
        if open_orders and not carry_over_open_orders:
            raise ValidationError(
                {
                    "open_orders": ngettext(
                        "%(count)d order is still open: settle it, or carry it over to the next day.",
                        "%(count)d orders are still open: settle them, or carry them over to the next day.",
                        open_orders,
                    )
                    % {"count": open_orders}
                }
            )
        day.closed_at, day.closed_by = timezone.now(), by
        day.z_number = (BusinessDay.objects.aggregate(n=Max("z_number"))["n"] or 0) + 1
        day.save(update_fields=["closed_at", "closed_by", "z_number"])
        day.report = day_report_by_outlet(day=day)
        day.save(update_fields=["report"])
        record_audit(
            actor=by,
            action="business_day_closed",
            subject=day,
            details={
                "z_number": day.z_number,
                "gross": day.report["sales"]["gross"],
                "open_orders_carried_over": open_orders,
            },
        )
        business_day_closed.send(sender=BusinessDay, day=day, by=by)
    return day


def print_z_report(*, day: BusinessDay, by: User) -> tuple[list, list[str]]:
    """Print the stored Z: each outlet's on its own receipt printer, the house's on the first that has one.

    Returns the print jobs queued and the names of the outlets that have no receipt
    printer (their Z is not printed; the page says so). Printed from the stored
    report only: the figures are the ones frozen at the close.
    """
    from billing.selectors import billing_settings
    from printing.services import queue_print_job
    from printing.z_slip import render_z_report

    if not by.has_role(Role.MANAGER):
        raise PermissionDenied(_("Only a manager prints the Z report."))
    if not day.is_closed or not day.report:
        raise ValidationError({"business_day": _("This business day is not closed: there is no Z report to print.")})
    report = day.report
    jobs, missing, house_printer = [], [], None
    with transaction.atomic():
        for section in report.get("outlets", []):
            printer = billing_settings(section["outlet"]["id"]).receipt_printer
            if printer is None or not printer.is_active:
                missing.append(section["outlet"]["name"])
                continue
            house_printer = house_printer or printer
            jobs.append(
                queue_print_job(
                    printer=printer,
                    payload=render_z_report(
                        section,
                        place=section["outlet"]["name"],
                        width_chars=printer.paper_width_chars,
                        profile=printer.profile,
                    ),
                    title=_("Z report %(number)s %(outlet)s")
                    % {"number": day.z_number, "outlet": section["outlet"]["name"]},
                    source=f"billing.z:{day.pk}:{section['outlet']['id']}",
                    by=by,
                )
            )
        if house_printer is not None:
            jobs.insert(
                0,
                queue_print_job(
                    printer=house_printer,
                    payload=render_z_report(
                        report,
                        place=_("House"),
                        width_chars=house_printer.paper_width_chars,
                        profile=house_printer.profile,
                    ),
                    title=_("Z report %(number)s") % {"number": day.z_number},
                    source=f"billing.z:{day.pk}",
                    by=by,
                ),
            )
        record_audit(
            actor=by,
            action="z_report_printed",
            subject=day,
            details={"z_number": day.z_number, "jobs": [job.pk for job in jobs], "no_printer": missing},
        )
    return jobs, missing
