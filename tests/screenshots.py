"""Screenshots of the bundled story for the README, made with the browser tests' tooling.

    python tests/screenshots.py

Builds the bundled story and saves the story, a person, the timeline and a
claim page at 375 px and 1280 px wide into docs/screenshots/.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from browser import CHROMIUM, CHROMIUM_ARGS
from conftest import ROOT

from explainer.build import build

PAGES = {
    "story": "index.html",
    "person": "people/halyna-hutchins/index.html",
    "timeline": "timeline/index.html",
    "claim": "claims/set-not-chaotic/index.html",
}
WIDTHS = (375, 1280)


def main() -> None:
    from playwright.sync_api import sync_playwright

    target = ROOT / "docs" / "screenshots"
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        out = build(ROOT, Path(tmp) / "site").out
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        for width in WIDTHS:
            page = browser.new_page(viewport={"width": width, "height": 900 if width > 400 else 780})
            for name, path in PAGES.items():
                page.goto((out / path).as_uri())
                page.screenshot(path=str(target / f"{name}-{width}.png"))
                print(target / f"{name}-{width}.png")
            page.close()
        browser.close()


if __name__ == "__main__":
    main()
