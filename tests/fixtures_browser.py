"""Headless Chromium fixture (Debian chromium driven by Playwright).

``offline_page`` gives a fresh browser page whose network is cut: every request that is
not ``file://`` or ``data:`` is recorded in ``external_requests`` and aborted, so a page
that needs a CDN or a tile server fails visibly. Console errors, uncaught page errors and
dialogs (``alert``, ``confirm``, ``prompt``: the sign of injected script) are recorded too;
dialogs are dismissed so a test never hangs on one.

Tests using it carry the ``browser`` marker. Chromium is Debian's (``make system-deps``);
Playwright's own browser download is never used.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@dataclass
class OfflinePage:
    """A Playwright page with the network cut and its misbehaviour recorded."""

    page: Any
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)

    def open(self, path: str | Path, wait_for: str | None = None, timeout_ms: int = 60_000) -> Any:
        """Open a local file; optionally wait until the JavaScript expression ``wait_for`` is true.

        Polled with ``page.evaluate`` from here: Playwright's ``wait_for_function`` builds its
        predicate with ``eval``, which the pages' Content-Security-Policy forbids.
        """
        self.page.goto(Path(path).resolve().as_uri(), wait_until="load", timeout=timeout_ms)
        if wait_for:
            deadline = time.monotonic() + timeout_ms / 1000
            while not self.page.evaluate(f"!!({wait_for})"):
                if time.monotonic() > deadline:
                    raise AssertionError(f"timed out after {timeout_ms} ms waiting for {wait_for}")
                self.page.wait_for_timeout(100)
        return self.page

    def problems(self) -> dict[str, list[str]]:
        """Everything that went wrong, empty lists when the page behaved."""
        return {
            "console_errors": self.console_errors,
            "page_errors": self.page_errors,
            "dialogs": self.dialogs,
            "external_requests": self.external_requests,
        }


@pytest.fixture(scope="session")
def chromium_browser() -> Iterator[Any]:
    """One headless Debian Chromium for the session."""
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.fail("Debian chromium is not installed: run `make system-deps` (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def offline_page(chromium_browser: Any) -> Iterator[OfflinePage]:
    """A fresh page in a fresh context with every non-file request recorded and aborted."""
    context = chromium_browser.new_context(viewport={"width": 1280, "height": 900}, java_script_enabled=True)
    page = context.new_page()
    result = OfflinePage(page)

    def route(r: Any) -> None:
        url = r.request.url
        if url.startswith(("file://", "data:")):
            r.continue_()
        else:
            result.external_requests.append(url)
            r.abort()

    context.route("**/*", route)
    page.on("console", lambda m: result.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: result.page_errors.append(str(e)))

    def on_dialog(d: Any) -> None:
        result.dialogs.append(f"{d.type}: {d.message}")
        d.dismiss()

    page.on("dialog", on_dialog)
    try:
        yield result
    finally:
        context.close()
