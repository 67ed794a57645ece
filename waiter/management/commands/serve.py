"""`manage.py serve`: daphne, and "Serving on http://HOST:PORT/" once it really answers.

`make run` used to print its line before daphne had even imported the project, so a
quick browser met "connection refused". This starts daphne, waits until its port
accepts a connection, then says so; it stops daphne when it is stopped itself.
"""

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

STARTUP_TIMEOUT_S = 60
POLL_S = 0.1


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=POLL_S * 5):
            return True
    except OSError:
        return False


class Command(BaseCommand):
    help = "Run daphne on HOST:PORT and print where it serves once it accepts connections."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--note", default="", help="Said after the address, e.g. where the PINs are.")

    def handle(self, *, host: str, port: int, note: str, **options):
        if _answers(host, port):
            # Something else serves there: its answer must not pass for daphne's.
            raise CommandError(f"{host}:{port} is in use already; choose another PORT.")
        daphne = Path(sys.executable).with_name("daphne")
        # A list, no shell: the venv's own daphne with the operator's HOST and PORT.
        process = subprocess.Popen([str(daphne), "-b", host, "-p", str(port), "config.asgi:application"])  # noqa: S603

        def stop(signum, frame):
            process.send_signal(signal.SIGTERM)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while not _answers(host, port):
            if process.poll() is not None:
                raise CommandError(f"daphne stopped before it served (exit code {process.returncode}).")
            if time.monotonic() > deadline:
                process.terminate()
                raise CommandError(f"daphne did not answer on {host}:{port} within {STARTUP_TIMEOUT_S} s.")
            time.sleep(POLL_S)
        shown_host = f"[{host}]" if ":" in host else host
        self.stdout.write(f"Serving on http://{shown_host}:{port}/" + (f"  ({note})" if note else ""))
        self.stdout.flush()
        code = process.wait()
        if code not in (0, -signal.SIGTERM, -signal.SIGINT):
            raise CommandError(f"daphne stopped with exit code {code}.")
