"""Browser tests: a real daphne serving the test database, driven by Debian's chromium.

The data is committed (`transactional_db`) so the daphne subprocess sees it. CI sets
REQUIRE_BROWSER=1: there a missing chromium fails the run instead of skipping it.
"""

import contextlib
import io
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connection

from tests.billing.test_receipt_email import MailBox

PROJECT_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = PROJECT_ROOT / "test-artifacts" / "e2e"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-dev-shm-usage",
]
STARTUP_TIMEOUT_S = 30

TABLET = {"viewport": {"width": 1024, "height": 768}, "has_touch": True}
PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True, "device_scale_factor": 2}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _test_database_url() -> str:
    """The URL of the database this test run uses (pytest-django's test database)."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        path = Path(settings["NAME"]).resolve()  # settings give SQLite's test database a file
        return f"sqlite:///{path}"
    if connection.vendor == "postgresql":
        credentials = quote(settings.get("USER") or "", safe="")
        if settings.get("PASSWORD"):
            credentials += ":" + quote(settings["PASSWORD"], safe="")
        host = settings.get("HOST") or "127.0.0.1"
        port = settings.get("PORT") or "5432"
        return f"postgres://{credentials}@{host}:{port}/{settings['NAME']}"
    pytest.fail(f"The browser tests do not know how to share a {connection.vendor} database with daphne")


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@pytest.fixture
def chromium_path() -> str:
    if not CHROMIUM.exists():
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"{CHROMIUM} is missing (REQUIRE_BROWSER=1 says this run must have it)")
        pytest.skip(f"{CHROMIUM} is missing: apt-get install chromium")
    return str(CHROMIUM)


@pytest.fixture
def demo_data(transactional_db):
    """The demo restaurant (Bistro De Tafel, Anna 1111, Bram 2222, Mila 9999), committed."""
    call_command("seed_demo", stdout=io.StringIO())


@contextlib.contextmanager
def daphne_process(log_name: str, port: int | None = None, extra_env: dict[str, str] | None = None):
    """A real daphne process (HTTP + WebSockets) on the test database; yields (process, base URL).

    Give a `port` to start a process where an earlier one ran (a restart), and `extra_env`
    for settings the process reads from its environment (the Stripe server's address and keys).
    The process is stopped at the end if it still runs (a test may kill it first).
    """
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    env = {**os.environ, "DATABASE_URL": _test_database_url(), "DJANGO_SETTINGS_MODULE": "config.settings"}
    # The test database's name differs from the one this process derived its channel
    # prefix from: share this process's prefix, so that its broadcasts reach the daphne.
    env["CHANNEL_PREFIX"] = django_settings.CHANNEL_PREFIX
    if not os.environ.get("REDIS_URL"):
        env.pop("REDIS_URL", None)
    env.update(extra_env or {})
    env["DEBUG"] = "1"  # serve static files straight from static/ (no collectstatic in tests)
    env["PYTHONUNBUFFERED"] = "1"
    log_path = ARTIFACTS / f"{log_name}-daphne.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [
                str(PROJECT_ROOT / ".venv" / "bin" / "daphne"),
                "-b",
                "127.0.0.1",
                "-p",
                str(port),
                "config.asgi:application",
            ],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so we can stop all of it
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while not _healthy(f"{base_url}/healthz"):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"daphne did not become healthy; its log:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.2)
        yield process, base_url
    finally:
        _stop(process)


@contextlib.contextmanager
def running_daphne(log_name: str, port: int | None = None, extra_env: dict[str, str] | None = None):
    """A real daphne process on the test database (see daphne_process); yields its base URL."""
    with daphne_process(log_name, port, extra_env) as (_process, base_url):
        yield base_url


@pytest.fixture
def stripe_server():
    """The local server that speaks Stripe's API (tests/billing/stripe_server.py), for card payments.

    A test that asks for it gets a daphne that talks to it (STRIPE_API_BASE and the keys)
    and receives its signed webhooks as they happen, as from Stripe.
    """
    from tests.billing.stripe_server import StripeServer

    with StripeServer(deliver="immediate") as server:
        yield server


def stripe_env(server) -> dict[str, str]:
    """The environment that points a daphne at `server` instead of api.stripe.com."""
    return {
        "STRIPE_API_BASE": server.url,
        "STRIPE_SECRET_KEY": server.api_key,
        "STRIPE_WEBHOOK_SECRET": server.webhook_secret,
    }


@pytest.fixture
def server_url(demo_data, request) -> str:
    """Base URL of a real daphne (HTTP + WebSockets) on the test database.

    With the `stripe_server` fixture in the test, the daphne talks to it and gets its webhooks.
    """
    stripe = request.getfixturevalue("stripe_server") if "stripe_server" in request.fixturenames else None
    extra_env = stripe_env(stripe) if stripe else None
    with running_daphne(request.node.name.removeprefix("test_"), extra_env=extra_env) as base_url:
        if stripe:
            stripe.webhook_url = f"{base_url}/api/billing/stripe/webhook/"
        yield base_url


@pytest.fixture
def second_server_url(server_url, requires_redis, request) -> str:
    """A second daphne process on the same database; tablets on it hear the first one through Redis."""
    with running_daphne(request.node.name.removeprefix("test_") + "-second") as base_url:
        yield base_url


@pytest.fixture
def browser(chromium_path, server_url):
    """A headless chromium; started after the server and closed before the database is flushed."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()


class Pages:
    """Opens pages in fresh browser contexts (one per tablet) and fails on JavaScript errors."""

    def __init__(self, browser, base_url: str, test_name: str):
        self.browser = browser
        self.base_url = base_url
        self.test_name = test_name
        self.errors: list[str] = []
        self.contexts = []

    def open(self, device: dict, path: str = "/", *, base_url: str | None = None):
        context = self.browser.new_context(**device)
        context.set_default_timeout(10_000)
        self.contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: self.errors.append(f"{page.url}: {error}"))
        page.goto((base_url or self.base_url) + path)
        return page

    def screenshot(self, page, step: str) -> None:
        page.screenshot(path=str(ARTIFACTS / f"{self.test_name}-{step}.png"))

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def pages(browser, server_url, request):
    opened = Pages(browser, server_url, request.node.name.removeprefix("test_"))
    yield opened
    opened.close()
    assert not opened.errors, "JavaScript errors:\n" + "\n".join(opened.errors)


@pytest.fixture
def mail_box():
    """A real SMTP server (aiosmtpd) on a free port, keeping what it is sent; its port is `mail_box.port`."""
    box = MailBox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    box.port = port
    yield box
    controller.stop()
