"""Browser tests: Debian's headless Chromium through Playwright, axe-core, and a quiet static file server.

Nothing downloads a browser: a machine without /usr/bin/chromium skips these tests, except in CI,
where .ci/run installs it and its absence is a failure.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"  # axe-core and the Nu HTML Checker, installed by npm ci
AXE = NODE_MODULES / "axe-core" / "axe.min.js"
VNU = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


def playwright_session() -> Any:
    """Playwright's sync API context manager, or a skip (a failure in CI) without Debian's Chromium."""
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("Chromium is required in CI: .ci/run installs Debian's chromium package")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    return sync_api.sync_playwright()


@contextlib.contextmanager
def serving(folder: Path) -> Iterator[str]:
    """``folder`` over HTTP on 127.0.0.1 while the block runs; yields its root URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()


@contextlib.contextmanager
def browser_page(browser, scheme: str = "light", width: int = 1280, height: int = 900) -> Iterator[Any]:
    """A page in a fresh browser context with this colour scheme and viewport, closed afterwards."""
    context = browser.new_context(color_scheme=scheme, viewport={"width": width, "height": height})
    try:
        yield context.new_page()
    finally:
        context.close()


def require(path: Path, what: str) -> None:
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{what} is required in CI: run npm ci")
        pytest.skip(f"{what} is not installed (npm ci)")


def axe_violations(page, tags: list[str] = WCAG) -> list[str]:
    """axe-core's violations of the rules with these tags (WCAG 2.2 AA's by default; "best-practice" adds axe's
    own, such as a field named by its title alone)."""
    page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}})).violations
             .map(v => `${v.id}: ${v.help} -> ${v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(' | ')}`)""",
        tags,
    )
