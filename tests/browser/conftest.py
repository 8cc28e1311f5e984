"""Browser tests: the system's Chromium driven by Playwright, Campus as pytest-django's live
server, zoomsim as Zoom, and a local SMTP server for the emails."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright
from pytest_django.fixtures import Settings
from pytest_django.live_server_helper import LiveServer

from tests.browser.smtp_server import LocalSmtpServer
from tests.support.run_all_process import running_stack  # noqa: F401  (`supervised`)
from tests.support.zoomsim_fixtures import zoomsim_server  # noqa: F401
from tests.support.zoomsim_server import LiveZoomsim
from tests.zoom_integration.conftest import point_campus_at
from tests.zoom_integration.live_server_threads import (
    close_zoomsim_webhook_connections,
    let_request_threads_finish,
)

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make to set the
# scene are still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# Screenshots of every step: into a scratch folder on an ordinary run, so a test run changes no
# tracked file; `CAMPUS_SCREENSHOTS=docs/screenshots make unit` renews the ones in the docs.
SCREENSHOTS = Path(
    os.environ.get("CAMPUS_SCREENSHOTS") or Path(tempfile.gettempdir()) / "campus-screenshots"
).resolve()
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def playwright_session() -> Iterator[Playwright]:
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def chromium(playwright_session: Playwright) -> Iterator[Browser]:
    browser = playwright_session.chromium.launch(
        executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS, headless=True
    )
    yield browser
    browser.close()


@pytest.fixture
def page(chromium: Browser) -> Iterator[Page]:
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()
    # Closing the browser closes its keep-alive connections to the live server.
    let_request_threads_finish()


@pytest.fixture
def zoom(
    zoomsim_server: LiveZoomsim,  # noqa: F811
    live_server: LiveServer,
    settings: Settings,
) -> Iterator[LiveZoomsim]:
    """zoomsim reset, Campus (the live server) pointed at it and registered as its callback."""
    zoomsim_server.reset()
    point_campus_at(zoomsim_server, settings, live_server.url)
    yield zoomsim_server
    close_zoomsim_webhook_connections(zoomsim_server)
    let_request_threads_finish()


@pytest.fixture
def smtp(settings: Settings) -> Iterator[LocalSmtpServer]:
    server = LocalSmtpServer().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _eager_bell(eager_bell: None) -> None:
    """Work enqueued during a browser test runs at once (see `eager_bell`)."""


def screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
