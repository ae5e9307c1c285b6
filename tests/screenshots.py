"""Screenshots of the bundled story for the README, made with the browser tests' tooling.

    python tests/screenshots.py

Builds the bundled story and saves the story, a person, the timeline and a
claim page at 375 px and 1280 px wide into docs/screenshots/, and a claim's and
the timeline's embeddable cards in a page that embeds them (``embeds.png``), and the German test story's
claims with a house verdict, for docs/newsrooms.md (``newsroom-*.png``).
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from browser import CHROMIUM, CHROMIUM_ARGS
from conftest import FIXTURES, ROOT

from explainer.build import build

PAGES = {
    "story": "index.html",
    "person": "people/halyna-hutchins/index.html",
    "timeline": "timeline/index.html",
    "claim": "claims/set-not-chaotic/index.html",
}
WIDTHS = (375, 1280)
# a German story with a house verdict ("Irreführend"): its claims index, and the claim's page on a phone
NEWSROOM_PAGES = (("claims", "claims/index.html", 1280), ("claim", "claims/sanierung-teurer/index.html", 375))


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
        embeds(browser, out, target)
        german = build(FIXTURES / "german", Path(tmp) / "german").out
        for name, path, width in NEWSROOM_PAGES:
            page = browser.new_page(viewport={"width": width, "height": 780})
            page.goto((german / path).as_uri())
            page.screenshot(path=str(target / f"newsroom-{name}-{width}.png"))
            print(target / f"newsroom-{name}-{width}.png")
            page.close()
        browser.close()


def embeds(browser, out: Path, target: Path) -> None:
    """Two cards in a host page that sizes them with the snippet docs/newsrooms.md gives."""
    snippet = re.search(
        r"```html\n(<script>\naddEventListener.*?</script>)", (ROOT / "docs/newsrooms.md").read_text(), re.S
    )
    assert snippet is not None
    frames = "".join(
        f'<iframe src="{path}" title="card" width="600" height="270" style="border:0;width:100%;max-width:600px">'
        "</iframe>"
        for path in ("claims/set-not-chaotic/embed.html", "people/alec-baldwin/embed.html")
    )
    host = out / "embeds-host.html"
    host.write_text(
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>An article</title></head>'
        '<body style="font:18px/1.5 Georgia,serif;max-width:600px;margin:1.5rem auto;color:#222">'
        "<p>An article in a newsroom's CMS, with two cards of the explainer embedded in it.</p>"
        f"{frames}<p>The article goes on.</p>{snippet.group(1)}</body></html>"
    )
    page = browser.new_page(viewport={"width": 680, "height": 700})
    page.goto(host.as_uri())
    page.wait_for_function("[...document.querySelectorAll('iframe')].every(f => f.style.height)")
    page.screenshot(path=str(target / "embeds.png"), full_page=True)
    print(target / "embeds.png")
    page.close()


if __name__ == "__main__":
    main()
