"""Past-tense domain signals: how printing tells higher apps (kitchen, billing) what happened.

Sent inside the service's transaction (sender is the model class), so a receiver's
writes commit or roll back with the job's; receivers broadcast only on commit.
Receivers find their own rows through `job.source` (e.g. "kitchen.ticket:123").
"""

from django.dispatch import Signal

# job: the PrintJob, now printed; job.printed_on is where (its printer or the backup).
print_job_printed = Signal()
# job: the PrintJob, now failed: its printer and any backup used up their retries and
# nothing is confirmed printed. The kitchen shows the ticket on the station's screen.
print_job_failed = Signal()
# job, from_printer, to_printer: the job's printer used up its retries; the backup prints it.
print_job_failed_over = Signal()
# printer, previous_status: a status read (DLE EOT) found the printer in a new state.
printer_status_changed = Signal()
