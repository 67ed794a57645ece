"""The health of what service leans on: printers, the PMS link, card readers and the task workers.

Each thing is green, amber or red with a reason a manager can act on.
"""

import datetime

from django.conf import settings
from django.db.models import Case, Count, F, Min, OuterRef, Q, Subquery, When
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from billing.models import CardReader, Payment
from billing.reports.fields import within
from pms_integration.models import LinkState
from pms_integration.selectors import link_reports
from printing.models import Printer
from printing.selectors import printers_overview

GREEN, AMBER, RED = "green", "amber", "red"
# A task nobody has taken this long after it was due means no worker is running (or all are stuck).
TASKS_LATE_AFTER = datetime.timedelta(seconds=30)
TASKS_SLOW_AFTER = datetime.timedelta(seconds=10)
PRINTER_DOWN = (Printer.Status.OFFLINE, Printer.Status.PAPER_OUT, Printer.Status.COVER_OPEN)


def _entry(kind: str, name: str, level: str, why: str) -> dict[str, str]:
    return {"kind": kind, "name": name, "level": level, "why": why}


def printer_health(*, outlet_id: int | None) -> list[dict[str, str]]:
    """Switched-on printers: red when down or slips failed, amber when not heard or slips wait. One query."""
    entries = []
    for printer in printers_overview(outlet_id=outlet_id):
        if not printer["is_active"]:
            continue
        name, failed, waiting = printer["name"], printer["failed_count"], printer["unprinted_count"]
        if printer["status"] in PRINTER_DOWN:
            entries.append(_entry("printer", name, RED, printer["status_label"]))
        elif failed or printer["alarm_count"]:
            count = failed or printer["alarm_count"]
            why = ngettext("%(count)d slip did not print", "%(count)d slips did not print", count) % {"count": count}
            entries.append(_entry("printer", name, RED, why))
        elif printer["queue_state"] == "unheard":
            entries.append(_entry("printer", name, AMBER, _("Not heard from yet")))
        elif waiting or printer["status"] == Printer.Status.PAPER_NEAR_END:
            why = printer["status_label"] if not waiting else _("Slips waiting")
            entries.append(_entry("printer", name, AMBER, why))
        else:
            entries.append(_entry("printer", name, GREEN, printer["status_label"]))
    return entries


def pms_health() -> list[dict[str, str]]:
    """Each hotel's PMS link: red when down or its queue alarms, amber while postings wait. One query."""
    entries = []
    for report in link_reports():
        name, queue = report["hotel"].name, report["queue"]
        waiting = ngettext("%(count)d posting waiting", "%(count)d postings waiting", queue) % {"count": queue}
        if report["state"] != LinkState.State.UP:
            why = _("Link down") if not queue else f"{_('Link down')}, {waiting}"
            entries.append(_entry("pms", name, RED, why))
        elif report["alarm"]:
            entries.append(_entry("pms", name, RED, waiting))
        elif queue or report["problems"]:
            problems = report["problems"]
            why = (
                waiting
                if queue
                else ngettext(
                    "%(count)d posting refused or unanswered", "%(count)d postings refused or unanswered", problems
                )
                % {"count": problems}
            )
            entries.append(_entry("pms", name, AMBER, why))
        else:
            entries.append(_entry("pms", name, GREEN, _("Link up")))
    return entries


def card_reader_health(*, outlet_id: int | None, now: datetime.datetime) -> list[dict[str, str]]:
    """Active readers: red with a payment stuck past its timeout, amber when its last payment failed. One query.

    We drive the readers through Stripe and keep no live status of our own, so a reader's
    health is read from what its payments did.
    """
    stuck_before = now - datetime.timedelta(seconds=settings.CARD_PAYMENT_TIMEOUT)
    last = Payment.objects.filter(reader=OuterRef("pk")).order_by("-created_at", "-pk")
    readers = (
        CardReader.objects.filter(within(outlet_id, "outlet_id"), is_active=True)
        .annotate(
            stuck=Count(
                "payments", filter=Q(payments__state=Payment.State.PENDING, payments__created_at__lt=stuck_before)
            ),
            last_state=Subquery(last.values("state")[:1]),
            last_failure=Subquery(last.values("failure_message")[:1]),
        )
        .order_by("outlet__name", "label")
    )
    entries = []
    for reader in readers:
        if reader.stuck:
            why = ngettext("%(count)d payment got no answer", "%(count)d payments got no answer", reader.stuck) % {
                "count": reader.stuck
            }
            entries.append(_entry("reader", reader.label, RED, why))
        elif reader.last_state == Payment.State.FAILED:
            why = _("Last payment failed")
            if reader.last_failure:
                why = f"{why}: {reader.last_failure}"
            entries.append(_entry("reader", reader.label, AMBER, why))
        else:
            entries.append(
                _entry(
                    "reader",
                    reader.label,
                    GREEN,
                    _("Last payment went through") if reader.last_state else _("No payment yet"),
                )
            )
    return entries


def worker_health(*, now: datetime.datetime) -> dict[str, str]:
    """The task workers, told by the oldest task that is due and still not taken (no heartbeat exists). One query."""
    due = Q(run_after=get_date_max(), enqueued_at__lte=now) | Q(run_after__lte=now)
    # A task with no run_after is due from when it was queued, one with a run_after from then.
    due_at = Case(When(run_after=get_date_max(), then=F("enqueued_at")), default=F("run_after"))
    waiting = DBTaskResult.objects.filter(due, status=TaskResultStatus.READY).aggregate(
        count=Count("pk"), due_since=Min(due_at)
    )
    if not waiting["count"]:
        return _entry("workers", _("Workers"), GREEN, _("No task waiting"))
    due_since = waiting["due_since"]
    seconds = max(int((now - due_since).total_seconds()), 0)
    why = ngettext(
        "%(count)d task waiting, the oldest %(seconds)d s",
        "%(count)d tasks waiting, the oldest %(seconds)d s",
        waiting["count"],
    ) % {"count": waiting["count"], "seconds": seconds}
    if now - due_since >= TASKS_LATE_AFTER:
        return _entry("workers", _("Workers"), RED, f"{why}: {_('is a worker running?')}")
    return _entry("workers", _("Workers"), AMBER if now - due_since >= TASKS_SLOW_AFTER else GREEN, why)
