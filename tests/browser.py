"""Open a page in a real headless browser: Debian's chromium, driven by playwright (sync API).

playwright never downloads a browser here: it drives the system's `chromium` through
`executable_path`. Every request other than the page's own file and `data:` URLs is recorded and
aborted, so nothing leaves the machine (and a page that tries shows it).

Without chromium the caller's test is skipped, unless ESCUCHA_REQUIRE_BROWSER is set (as `make test`
does after installing it), in which case it fails.
"""
from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import pytest

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOAD_TIMEOUT_MS = 30_000


@dataclass
class PageReport:
    """What the browser saw while loading one page."""

    url: str
    title: str
    text: str  # the rendered, visible text of <body> (innerText)
    console: list[tuple[str, str]] = field(default_factory=list)  # (type, text)
    page_errors: list[str] = field(default_factory=list)  # uncaught exceptions in the page
    requests: list[str] = field(default_factory=list)  # every request but the page itself and data:
    dialogs: list[tuple[str, str]] = field(default_factory=list)  # (type, message): alert, confirm...
    evaluated: dict[str, Any] = field(default_factory=dict)  # expression -> value after load
    screenshot: Path | None = None

    def console_of(self, *types: str) -> list[tuple[str, str]]:
        return [(t, text) for t, text in self.console if t in types]


def chromium_path() -> str | None:
    """The system chromium, or None."""
    found = shutil.which("chromium")
    if found:
        return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").is_file() else None


def require_chromium() -> str:
    """The chromium executable; skips the test without one unless ESCUCHA_REQUIRE_BROWSER is set."""
    path = chromium_path()
    if path is None:
        message = ("Debian's chromium is not installed (`make chromium`, or "
                   "`apt-get install --no-install-recommends chromium`)")
        if os.environ.get("ESCUCHA_REQUIRE_BROWSER"):
            pytest.fail(message + "; ESCUCHA_REQUIRE_BROWSER is set, so the browser checks must run")
        pytest.skip(message)
    return path


def open_page(path: Path, screenshot: Path, *, evaluate: Sequence[str] = ()) -> PageReport:
    """Load the file at `path` in headless chromium, save a full-page screenshot to `screenshot`, and
    report its title, visible text, console messages, page errors, dialogs and attempted requests.

    `evaluate`: JavaScript expressions evaluated in the page after load (e.g. "window.pwned")."""
    executable = require_chromium()
    from playwright.sync_api import sync_playwright

    path = Path(path).resolve()
    page_url = path.as_uri()
    screenshot = Path(screenshot)
    screenshot.parent.mkdir(parents=True, exist_ok=True)
    console: list[tuple[str, str]] = []
    page_errors: list[str] = []
    requests: list[str] = []
    dialogs: list[tuple[str, str]] = []

    def own(url: str) -> bool:
        return url == page_url or url.startswith("data:")

    def on_request(request: Any) -> None:
        if not own(request.url):
            requests.append(request.url)

    def on_route(route: Any) -> None:
        if own(route.request.url):
            route.continue_()
        else:
            route.abort()

    def on_dialog(dialog: Any) -> None:
        dialogs.append((dialog.type, dialog.message))
        dialog.dismiss()

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        try:
            context = browser.new_context()
            context.route("**/*", on_route)
            page = context.new_page()
            page.set_default_timeout(LOAD_TIMEOUT_MS)
            page.on("console", lambda msg: console.append((msg.type, msg.text)))
            page.on("pageerror", lambda exc: page_errors.append(str(exc)))
            page.on("request", on_request)
            page.on("dialog", on_dialog)
            page.goto(page_url, wait_until="load")
            page.screenshot(path=str(screenshot), full_page=True)
            title = page.title()
            text = page.inner_text("body")
            evaluated = {expr: page.evaluate(expr) for expr in evaluate}
            context.close()
        finally:
            browser.close()
    return PageReport(url=page_url, title=title, text=text, console=console, page_errors=page_errors,
                      requests=requests, dialogs=dialogs, evaluated=evaluated, screenshot=screenshot)
