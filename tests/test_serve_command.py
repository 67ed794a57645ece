"""`manage.py serve` (what `make run` runs): "Serving on ..." is printed only once daphne accepts
connections, daphne stops with it, and a port in use is refused. A real process on a free port."""

import os
import select
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
STARTUP_TIMEOUT_S = 60


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve(port: int, tmp_path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("REDIS_URL", None)
    return subprocess.Popen(
        [sys.executable, "manage.py", "serve", "--host", "127.0.0.1", "--port", str(port), "--note", "PINs"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def next_line(process: subprocess.Popen, timeout: float) -> str:
    ready, _, _ = select.select([process.stdout], [], [], timeout)
    return process.stdout.readline() if ready else ""


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def answers_http(port: int) -> str:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
        connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        return connection.recv(64).decode(errors="replace")


def test_serving_is_said_once_daphne_answers_and_it_stops_with_the_command(tmp_path):
    port = free_port()
    process = serve(port, tmp_path)
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        said = ""
        while "Serving on" not in said:
            assert time.monotonic() < deadline, "never said where it serves"
            assert process.poll() is None, process.stdout.read()
            said = next_line(process, 1)
        # The moment it says so, the port answers HTTP.
        assert answers_http(port).startswith("HTTP/1.1 ")
        assert said.strip() == f"Serving on http://127.0.0.1:{port}/  (PINs)"

        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
        with pytest.raises(OSError):
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
    finally:
        stop(process)


def test_a_port_in_use_is_refused_without_saying_serving(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        process = serve(taken.getsockname()[1], tmp_path)
        try:
            output, _ = process.communicate(timeout=STARTUP_TIMEOUT_S)
        finally:
            stop(process)
    assert process.returncode != 0
    assert "in use already" in output
    assert "Serving on" not in output
