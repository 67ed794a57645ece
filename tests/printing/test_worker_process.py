"""The real worker: `manage.py db_worker` in its own process prints what was queued.

The data is committed (`transactional_db`) so the worker process sees it: SQLite's
test database is a file (see settings), PostgreSQL's a database, both reachable by URL.
"""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from printing.models import PrintJob
from tests.printing.test_delivery import kitchen_payload, queue

PROJECT_ROOT = Path(__file__).resolve().parents[2]
WORKER_TIMEOUT_S = 60


def shared_database_url() -> str:
    """The URL of the database this test run uses (pytest-django's test database)."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(settings['NAME']).resolve()}"
    credentials = quote(settings.get("USER") or "", safe="")
    if settings.get("PASSWORD"):
        credentials += ":" + quote(settings["PASSWORD"], safe="")
    return f"postgres://{credentials}@{settings.get('HOST') or '127.0.0.1'}:{settings.get('PORT') or 5432}/{settings['NAME']}"


def run_worker() -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DATABASE_URL": shared_database_url(),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PRINTER_TIMEOUT": "0.3",
        "PRINT_RETRY_DELAYS": "0,0",
    }
    return subprocess.run(
        [
            sys.executable,
            "manage.py",
            "db_worker",
            "--queue-name",
            "printing",
            "--batch",
            "--no-reload",
            "--no-startup-delay",
            "--interval",
            "0",
        ],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=WORKER_TIMEOUT_S,
        check=False,
    )


@pytest.mark.django_db(transaction=True)
def test_the_db_worker_prints_queued_jobs_and_fails_over(fake_printer, printer_for):
    server, backup_server = fake_printer("online"), fake_printer("online")
    printer = printer_for(server)
    broken = printer_for(fake_printer("off"), name="Cold", backup=printer_for(backup_server, name="Bar"))
    first, second = kitchen_payload("Table 1"), kitchen_payload("Table 2")
    printed = queue(printer, first, source="kitchen.ticket:1")
    failed_over = queue(broken, second, source="kitchen.ticket:2")

    worker = run_worker()

    assert worker.returncode == 0, worker.stdout + worker.stderr
    printed.refresh_from_db()
    failed_over.refresh_from_db()
    assert printed.state == PrintJob.State.PRINTED and printed.printed_on == printer
    assert failed_over.state == PrintJob.State.PRINTED and failed_over.printed_on == broken.backup
    assert failed_over.attempts == 4, "three on the switched-off printer, one on its backup"
    assert server.times_received(first) == 1
    assert backup_server.times_received(second) == 1
