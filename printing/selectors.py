"""Reads shaped for the manager's printer page, the kitchen and the API; one query each.

"Unprinted" is queued, printing or failed. An unprinted job raises the alarm when
something is wrong rather than merely busy: it failed, it had a failed attempt (also
while a retry is being tried: the alarm stays on until the job prints), it
sat queued with no attempt for STUCK_AFTER (no worker running?), or a worker held
it longer than the claim lease (the worker died).
"""

import datetime
from typing import Any

from django.db.models import BooleanField, Count, ExpressionWrapper, FilteredRelation, Min, Q, QuerySet
from django.utils import timezone

from printing.models import Printer, PrintJob, claim_lease

State = PrintJob.State
# A queued job no worker has tried for this long means the workers are not running.
STUCK_AFTER = datetime.timedelta(seconds=30)


def _alarming(now: datetime.datetime, prefix: str = "") -> Q:
    def q(**lookups) -> Q:
        return Q(**{prefix + key: value for key, value in lookups.items()})

    return (
        q(state=State.FAILED)
        # Failed at least once and not printed yet: also while the retry is at the printer.
        | q(state__in=[State.QUEUED, State.PRINTING], attempts__gt=0)
        | q(state=State.QUEUED, created_at__lt=now - STUCK_AFTER)
        | q(state=State.PRINTING, claimed_at__lt=now - claim_lease())
    )


def _seconds_since(moment: datetime.datetime | None, now: datetime.datetime) -> int | None:
    return None if moment is None else max(int((now - moment).total_seconds()), 0)


def _printers(*, outlet_id: int | None, now: datetime.datetime) -> QuerySet:
    printers = (
        Printer.objects.select_related("outlet", "backup")
        # Joins only the unprinted jobs (the partial index), never the printed history.
        .annotate(open_jobs=FilteredRelation("jobs", condition=Q(jobs__state__in=PrintJob.UNPRINTED)))
        .annotate(
            unprinted_count=Count("open_jobs"),
            failed_count=Count("open_jobs", filter=Q(open_jobs__state=State.FAILED)),
            alarm_count=Count("open_jobs", filter=_alarming(now, "open_jobs__")),
            oldest_unprinted_at=Min("open_jobs__created_at"),
        )
        .order_by("outlet__name", "name")
    )
    if outlet_id is not None:
        printers = printers.filter(outlet_id=outlet_id)
    return printers


def _queue_state(printer: Printer) -> str:
    """What the page may say about a printer's slips: "all printed" only when it is true and known.

    "waiting": slips not printed yet; "unheard": nothing waiting, but the printer never
    answered (a new printer, or no worker running); "not_ready": nothing waiting, but it
    cannot print now; "printed": nothing waiting and it answered ready.
    """
    if printer.unprinted_count:
        return "waiting"
    if printer.status_checked_at is None or printer.status == Printer.Status.UNKNOWN:
        return "unheard"
    if not printer.can_print:
        return "not_ready"
    return "printed"


def _printer_row(printer: Printer, now: datetime.datetime) -> dict[str, Any]:
    return {
        "queue_state": _queue_state(printer),
        "id": printer.pk,
        "name": printer.name,
        "outlet": {"id": printer.outlet_id, "name": printer.outlet.name},
        "host": printer.host,
        "port": printer.port,
        "is_active": printer.is_active,
        "status": printer.status,
        "status_label": str(printer.get_status_display()),
        "can_print": printer.can_print,
        "status_checked_at": printer.status_checked_at,
        "last_error": printer.last_error,
        "backup": {"id": printer.backup_id, "name": printer.backup.name} if printer.backup_id else None,
        "unprinted_count": printer.unprinted_count,
        "failed_count": printer.failed_count,
        "alarm_count": printer.alarm_count,
        "oldest_unprinted_at": printer.oldest_unprinted_at,
        "oldest_unprinted_seconds": _seconds_since(printer.oldest_unprinted_at, now),
    }


def printers_overview(*, outlet_id: int | None = None) -> list[dict[str, Any]]:
    """Every printer with its live status and its unprinted jobs counted. One query."""
    now = timezone.now()
    return [_printer_row(printer, now) for printer in _printers(outlet_id=outlet_id, now=now)]


def printer_alarms(*, outlet_id: int | None = None) -> list[dict[str, Any]]:
    """Only the printers with alarming jobs (see the module's docstring). One query."""
    now = timezone.now()
    printers = _printers(outlet_id=outlet_id, now=now).filter(alarm_count__gt=0)
    return [_printer_row(printer, now) for printer in printers]


def _job_row(job: PrintJob, now: datetime.datetime, alarming: Q | None = None) -> dict[str, Any]:
    return {
        "id": job.pk,
        "title": job.title,
        "source": job.source,
        "state": job.state,
        "state_label": str(job.get_state_display()),
        "printer": {"id": job.printer_id, "name": job.printer.name},
        "target": {"id": job.target_id, "name": job.target.name},
        "printed_on": {"id": job.printed_on_id, "name": job.printed_on.name} if job.printed_on_id else None,
        "attempts": job.attempts,
        "last_error": job.last_error,
        "created_at": job.created_at,
        "age_seconds": _seconds_since(job.created_at, now),
        "next_attempt_at": job.next_attempt_at,
        "printed_at": job.printed_at,
        "reprint_of": job.reprint_of_id,
        "is_alarming": bool(getattr(job, "is_alarming", False)),
    }


def _jobs() -> QuerySet:
    return PrintJob.objects.select_related("printer", "target", "printed_on").defer(
        "payload", "printer__last_error", "target__last_error", "printed_on__last_error"
    )


def unprinted_jobs(*, outlet_id: int | None = None, limit: int = 200) -> list[dict[str, Any]]:
    """Unprinted jobs, oldest first, each with its age and whether it is alarming. One query."""
    now = timezone.now()
    jobs = (
        _jobs()
        .filter(state__in=PrintJob.UNPRINTED)
        .annotate(is_alarming=ExpressionWrapper(_alarming(now), output_field=BooleanField()))
        .order_by("created_at", "pk")
    )
    if outlet_id is not None:
        jobs = jobs.filter(printer__outlet_id=outlet_id)
    return [_job_row(job, now) for job in jobs[:limit]]


def recently_printed_jobs(*, outlet_id: int | None = None, limit: int = 20) -> list[dict[str, Any]]:
    """The last printed jobs, newest first (to reprint a lost slip). One query."""
    now = timezone.now()
    jobs = _jobs().filter(state=State.PRINTED).order_by("-printed_at", "-pk")
    if outlet_id is not None:
        jobs = jobs.filter(printer__outlet_id=outlet_id)
    return [_job_row(job, now) for job in jobs[:limit]]


def printer_board(*, outlet_id: int | None = None) -> dict[str, Any]:
    """The manager's printer page: printers, each with its unprinted jobs; recent slips. Three queries."""
    printers = printers_overview(outlet_id=outlet_id)
    jobs = unprinted_jobs(outlet_id=outlet_id)
    by_printer: dict[int, list] = {}
    for job in jobs:
        by_printer.setdefault(job["printer"]["id"], []).append(job)
    for printer in printers:
        printer["jobs"] = by_printer.get(printer["id"], [])
    return {
        "printers": printers,
        "alarm": any(printer["alarm_count"] for printer in printers),
        "recent": recently_printed_jobs(outlet_id=outlet_id),
    }


def job_detail(*, job_id: int) -> dict[str, Any]:
    """One job as the API shows it. One query."""
    now = timezone.now()
    job = _jobs().annotate(is_alarming=ExpressionWrapper(_alarming(now), output_field=BooleanField())).get(pk=job_id)
    return _job_row(job, now)


def jobs_for_source(*, source: str) -> QuerySet:
    """The jobs printed for one thing of a higher app ("kitchen.ticket:123"), oldest first."""
    return PrintJob.objects.filter(source=source).defer("payload").order_by("created_at", "pk")


def latest_jobs_by_source(*, sources: list[str]) -> dict[str, dict[str, Any]]:
    """For each source, its newest job's state: what a screen shows next to a ticket. One query."""
    now = timezone.now()
    latest: dict[str, dict[str, Any]] = {}
    for job in _jobs().filter(source__in=sources).order_by("created_at", "pk"):
        latest[job.source] = _job_row(job, now)
    return latest
