"""Every state change of printers and print jobs. The API, the admin and the worker call these.

A print job is queued in the caller's transaction and delivered by a worker task
after commit. Delivery claims the job with a compare-and-set, talks to the printer
with no transaction open (that takes up to a few PRINTER_TIMEOUTs), then records
the outcome in a second transaction, guarded by the claim.

Retries and failover: the job's target printer gets one attempt plus one retry per
entry of PRINT_RETRY_DELAYS (the wait before that retry). When they are used up the
job moves to the printer's active backup, whose attempt counter starts again
(`target_attempts`; `attempts` counts all). When the backup's are used up too, or
there is none, the job fails and `print_job_failed` is sent.
"""

import datetime
import functools
import logging
import uuid

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from printing import wire
from printing.models import PRINT_JOB_WORKFLOW, Printer, PrintJob, PrintJobStateChange, claim_lease
from printing.signals import print_job_failed, print_job_failed_over, print_job_printed, printer_status_changed
from printing.slips import render_duplicate_warning, render_test_page
from staff.models import Role, User

logger = logging.getLogger(__name__)

State = PrintJob.State
REPRINT_ROLES = (Role.MANAGER, Role.KITCHEN)
RETRY_ROLES = (Role.MANAGER,)
TEST_PRINT_ROLES = (Role.MANAGER,)


def _require_role(person: User | None, roles: tuple[str, ...], message: str) -> None:
    # None is the system or a device acting on its own (e.g. the kitchen app).
    if person is not None and not person.has_role(*roles):
        raise PermissionDenied(message)


def _who(person: User | None) -> str:
    return str(person) if person is not None else _("the system")


def _record(
    job: PrintJob,
    *,
    to_state: str,
    note: str = "",
    by: User | None = None,
    printer: Printer | None = None,
    is_new: bool = False,
) -> None:
    """Move the job to `to_state` (checked against the workflow) and keep a history row."""
    from_state = "" if is_new else job.state
    if not is_new:
        PRINT_JOB_WORKFLOW.check(from_state, to_state)
    PrintJobStateChange.objects.create(
        job=job, from_state=from_state, to_state=to_state, printer=printer or job.target, by=by, note=note[:300]
    )
    job.state = to_state


def _enqueue_delivery(job_id: int, run_after: datetime.datetime | None = None) -> None:
    # tasks imports this module for the task body, so it is imported here, when needed.
    from printing import tasks

    task = tasks.deliver_print_job if run_after is None else tasks.deliver_print_job.using(run_after=run_after)
    task.enqueue(job_id=job_id)


def _deliver_on_commit(job: PrintJob) -> None:
    # robust: the job is committed whatever happens here; a lost wake-up is found by the
    # sweep (`requeue_stale_print_jobs`), and the caller's request must not fail over it.
    transaction.on_commit(functools.partial(_enqueue_delivery, job.pk, job.next_attempt_at), robust=True)


def _first_target(printer: Printer) -> Printer:
    """Straight to the backup if the printer is switched off in the back office."""
    if not printer.is_active and printer.backup is not None and printer.backup.is_active:
        return printer.backup
    return printer


def queue_print_job(
    *,
    printer: Printer,
    payload: bytes,
    title: str,
    source: str,
    reprint_of: PrintJob | None = None,
    by: User | None = None,
    note: str = "",
) -> PrintJob:
    """Queue `payload` (rendered ESC/POS bytes) for `printer`, in the caller's transaction.

    After commit a worker delivers it (see `deliver_print_job`). `source` names what
    the job prints for its caller ("kitchen.ticket:123"); `selectors.jobs_for_source`
    finds the jobs again.
    """
    if not payload:
        raise ValidationError({"payload": _("A print job needs something to print.")})
    if not source:
        raise ValidationError({"source": _("Say what the job prints, e.g. kitchen.ticket:123.")})
    with transaction.atomic():
        job = PrintJob.objects.create(
            printer=printer,
            target=_first_target(printer),
            title=title[:100],
            source=source[:100],
            payload=bytes(payload),
            reprint_of=reprint_of,
            # The caller renders in the active language (see printing.slips).
            language=translation.get_language() or settings.LANGUAGE_CODE,
        )
        _record(job, to_state=State.QUEUED, by=by, note=note, is_new=True)
        _deliver_on_commit(job)
    return job


def _claim(job_id: int) -> tuple[PrintJob | None, uuid.UUID]:
    """Take a due, queued job for this worker; None if another worker has it or it is done.

    A compare-and-set on the state: of two workers racing for one job exactly one
    updates the row, on SQLite and PostgreSQL alike.
    """
    # The compare-and-set below is this move; the table must still allow it.
    PRINT_JOB_WORKFLOW.check(State.QUEUED, State.PRINTING)
    token = uuid.uuid4()
    now = timezone.now()
    with transaction.atomic():
        claimed = (
            PrintJob.objects.filter(pk=job_id, state=State.QUEUED)
            .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
            .update(state=State.PRINTING, claim_token=token, claimed_at=now)
        )
        if not claimed:
            return None, token
        job = PrintJob.objects.select_related("target").get(pk=job_id)
        PrintJobStateChange.objects.create(
            job=job, from_state=State.QUEUED, to_state=State.PRINTING, printer=job.target, at=now
        )
        # In the claim's transaction: if this worker dies holding the job, the sweep that
        # gives it back is already queued for another worker (or this one, restarted).
        _schedule_sweep_after(now)
    return job, token


def _schedule_sweep_after(claimed_at: datetime.datetime) -> None:
    from printing import tasks  # tasks imports this module for the task bodies

    tasks.schedule_sweep(after=claimed_at)


def _record_printer_status(printer: Printer, status: wire.PrinterStatus) -> None:
    """Keep what the printer said; tell the higher apps when it changed."""
    printer = Printer.objects.select_for_update().get(pk=printer.pk)
    previous = printer.status
    printer.status = status.state
    printer.status_checked_at = timezone.now()
    printer.last_error = "" if status.can_print else status.detail[:200]
    printer.save(update_fields=["status", "status_checked_at", "last_error"])
    if previous != status.state:
        printer_status_changed.send(sender=Printer, printer=printer, previous_status=previous)


def _backup_for(job: PrintJob) -> Printer | None:
    """The backup that takes over from the job's printer, if there is one to take over."""
    backup = job.printer.backup
    if job.target_id != job.printer_id or backup is None or not backup.is_active or backup.pk == job.printer_id:
        return None
    return backup


def _record_failed_attempt(job: PrintJob, *, error: str, may_have_printed: bool = False) -> None:
    """Retry later on the same printer, move to the backup, or fail: in that order.

    `may_have_printed`: the attempt may have put the slip on paper (bytes sent, not
    confirmed), so every later copy carries the duplicate warning.
    """
    now = timezone.now()
    job.may_have_printed = job.may_have_printed or may_have_printed
    target = job.target
    job.attempts += 1
    job.target_attempts += 1
    job.last_error = error[:200]
    job.claim_token = None
    job.claimed_at = None
    delays = settings.PRINT_RETRY_DELAYS
    attempt_note = _("Attempt %(n)d on %(printer)s: %(error)s") % {
        "n": job.target_attempts,
        "printer": target,
        "error": error,
    }
    backup = _backup_for(job)
    if target.is_active and job.target_attempts <= len(delays):
        delay = datetime.timedelta(seconds=delays[job.target_attempts - 1])
        job.next_attempt_at = now + delay
        _record(job, to_state=State.QUEUED, printer=target, note=attempt_note)
        job.save()
        _deliver_on_commit(job)
    elif backup is not None:
        job.target = backup
        job.target_attempts = 0
        job.next_attempt_at = None
        _record(
            job,
            to_state=State.QUEUED,
            printer=target,
            note=attempt_note + " " + _("Moved to the backup printer %(backup)s.") % {"backup": backup},
        )
        job.save()
        print_job_failed_over.send(sender=PrintJob, job=job, from_printer=target, to_printer=backup)
        _deliver_on_commit(job)
    else:
        job.next_attempt_at = None
        _record(job, to_state=State.FAILED, printer=target, note=attempt_note)
        job.save()
        print_job_failed.send(sender=PrintJob, job=job)


def _record_printed(job: PrintJob) -> None:
    job.attempts += 1
    job.target_attempts += 1
    job.printed_on = job.target
    job.printed_at = timezone.now()
    job.last_error = ""
    job.claim_token = None
    job.claimed_at = None
    job.next_attempt_at = None
    _record(job, to_state=State.PRINTED, note=_("Printed on %(printer)s.") % {"printer": job.target})
    job.save()
    print_job_printed.send(sender=PrintJob, job=job)


def deliver_print_job(*, job_id: int) -> PrintJob | None:
    """The worker's unit of work: claim the job, print it on its target, record the outcome.

    Returns the job as it is now; a job that is not due, not queued or claimed by
    another worker is left alone. A job counts as printed only when the printer was
    online before the bytes and still online with paper after them.
    """
    job, token = _claim(job_id)
    if job is None:
        return PrintJob.objects.filter(pk=job_id).first()
    printer = job.target
    payload = bytes(job.payload)
    if job.may_have_printed:
        with translation.override(job.language or None):
            payload = render_duplicate_warning(width_chars=printer.paper_width_chars, profile=printer.profile) + payload
    # No transaction is open here: the printer may take a few timeouts to answer.
    if printer.is_active:
        delivery = wire.print_confirmed(printer.host, printer.port, payload, settings.PRINTER_TIMEOUT)
    else:
        delivery = None
    with transaction.atomic():
        job = (
            PrintJob.objects.select_for_update(of=("self",))
            .select_related("printer__backup", "target")
            .filter(pk=job_id, claim_token=token, state=State.PRINTING)
            .first()
        )
        if job is None:
            # The claim outlived its lease and the sweep gave the job to another worker.
            logger.warning("Print job %s: claim lost while printing; the job was requeued meanwhile", job_id)
            return PrintJob.objects.filter(pk=job_id).first()
        if delivery is None:
            _record_failed_attempt(job, error=_("The printer is switched off in the back office."))
            return job
        _record_printer_status(printer, delivery.status)
        if delivery.confirmed:
            _record_printed(job)
        else:
            _record_failed_attempt(job, error=delivery.error, may_have_printed=delivery.sent)
    return job


def requeue_stale_print_jobs(*, older_than_seconds: float | None = None) -> int:
    """Give jobs back whose worker died while printing them; returns how many.

    A job held in `printing` longer than the claim lease (see `models.claim_lease`)
    counts as a failed attempt: retried, moved to the backup or failed like any
    other, so a job that kills its worker cannot loop forever. Whether it printed is
    unknown; printing it again is better than losing it.

    Also wakes jobs that are due but have sat queued for a lease: their task was
    lost (e.g. a crash between commit and enqueue). The claim makes extra tasks harmless.
    """
    lease = datetime.timedelta(seconds=older_than_seconds) if older_than_seconds is not None else claim_lease()
    cutoff = timezone.now() - lease
    count = 0
    stale = PrintJob.objects.filter(state=State.PRINTING, claimed_at__lt=cutoff).values_list("pk", "claim_token")
    for job_id, token in stale:
        with transaction.atomic():
            job = (
                PrintJob.objects.select_for_update(of=("self",))
                .select_related("printer__backup", "target")
                .filter(pk=job_id, state=State.PRINTING, claim_token=token)
                .first()
            )
            if job is None:  # finished meanwhile
                continue
            _record_failed_attempt(
                job, error=_("The worker stopped while printing; it may have printed."), may_have_printed=True
            )
            count += 1
    forgotten = list(
        PrintJob.objects.filter(state=State.QUEUED)
        .filter(Q(next_attempt_at__lt=cutoff) | Q(next_attempt_at__isnull=True, created_at__lt=cutoff))
        .values_list("pk", flat=True)
    )
    if forgotten:
        # Due now, so the next sweep does not wake them again for another lease.
        PrintJob.objects.filter(pk__in=forgotten, state=State.QUEUED).update(next_attempt_at=timezone.now())
        for job_id in forgotten:
            _enqueue_delivery(job_id)
    return count + len(forgotten)


def reprint_print_job(*, job: PrintJob, by: User | None = None) -> PrintJob:
    """A new job with the same bytes on the same printer (the cook lost the slip)."""
    _require_role(by, REPRINT_ROLES, _("Only the kitchen and managers reprint slips."))
    return queue_print_job(
        printer=job.printer,
        payload=bytes(job.payload),
        title=job.title,
        source=job.source,
        reprint_of=job,
        by=by,
        note=_("Reprint of #%(job)d by %(person)s.") % {"job": job.pk, "person": _who(by)},
    )


def retry_failed_print_job(*, job: PrintJob, by: User | None = None) -> PrintJob:
    """Send a failed job again, to its own printer first (someone fixed it)."""
    _require_role(by, RETRY_ROLES, _("Only managers send failed print jobs again."))
    with transaction.atomic():
        job = PrintJob.objects.select_for_update(of=("self",)).select_related("printer__backup").get(pk=job.pk)
        job.target = _first_target(job.printer)
        job.target_attempts = 0
        job.next_attempt_at = None
        _record(job, to_state=State.QUEUED, by=by, note=_("Sent again by %(person)s.") % {"person": _who(by)})
        job.save()
        _deliver_on_commit(job)
    return job


def print_test_page(*, printer: Printer, by: User | None = None) -> PrintJob:
    """Queue a test page on `printer` (the manager's "test print" button)."""
    _require_role(by, TEST_PRINT_ROLES, _("Only managers print test pages."))
    payload = render_test_page(printer.name, printer.paper_width_chars, profile=printer.profile)
    return queue_print_job(
        printer=printer,
        payload=payload,
        title=_("Test page - %(printer)s") % {"printer": printer.name},
        source=f"printing.test:{printer.pk}",
        by=by,
        note=_("Test page by %(person)s.") % {"person": _who(by)},
    )
