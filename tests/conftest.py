"""Shared helpers: build real fixture stories and read the real output."""

from __future__ import annotations

import gc
import os
import shutil
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml
from browser import CHROMIUM, CHROMIUM_ARGS, playwright_session
from bs4 import BeautifulSoup

from explainer import yamlsource
from explainer.basics import CONFIG_FILE, CONTENT_DIR
from explainer.build import build
from explainer.passthrough import PASSTHROUGH_DIR

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


class BuiltSite:
    """A built output folder, with its pages parsed once."""

    def __init__(self, out: Path):
        self.out = out
        self._soups: dict[str, BeautifulSoup] = {}

    def pages(self) -> list[str]:
        return sorted(p.relative_to(self.out).as_posix() for p in self.out.rglob("*.html"))

    def site_pages(self) -> list[str]:
        """Every page but the embeddable cards, which have no navigation, footer, site scripts or share tags."""
        return [page for page in self.pages() if not is_card(page)]

    def soup(self, page: str) -> BeautifulSoup:
        if page not in self._soups:
            self._soups[page] = BeautifulSoup((self.out / page).read_text("utf-8"), "html.parser")
        return self._soups[page]

    def links(self, page: str) -> list[str]:
        """Every internal href on a page, resolved to a path under the output."""
        found = []
        for anchor in self.soup(page).find_all("a", href=True):
            target = resolve(page, anchor["href"])
            if target is not None:
                found.append(target)
        return found

    def section_links(self, page: str, heading: str) -> list[str]:
        """The internal links listed under the h2 with this exact text."""
        h2 = next((h for h in self.soup(page).find_all("h2") if h.get_text(" ", strip=True) == heading), None)
        assert h2 is not None, f"{page} has no section '{heading}'"
        section = h2.find_parent("section")
        return [t for a in section.find_all("a", href=True) if (t := resolve(page, a["href"])) is not None]

    def headings(self, page: str) -> list[str]:
        return [h.get_text(" ", strip=True) for h in self.soup(page).find_all("h2")]

    def broken_links(self) -> list[str]:
        """Every href or src that points at a missing file or a missing anchor."""
        problems = []
        for page in self.pages():
            soup = self.soup(page)
            for element in soup.find_all(["a", "link", "img", "script"]):
                value = element.get("href") or element.get("src")
                if value is None:
                    continue
                if value.startswith("/"):
                    problems.append(f"{page}: root-relative link {value} breaks under a subpath")
                    continue
                target = resolve(page, value, keep_fragment=True)
                if target is None:
                    continue
                path, _, fragment = target.partition("#")
                file = self.out / path
                if not file.is_file():
                    problems.append(f"{page}: {value} -> missing {path}")
                elif fragment and path.endswith(".html") and self.soup(path).find(id=fragment) is None:
                    problems.append(f"{page}: {value} -> {path} has no id '{fragment}'")
        return problems


def is_card(page: str) -> bool:
    """An embeddable card (``<page path>embed.html``)."""
    return page.endswith("/embed.html")


def resolve(page: str, href: str, keep_fragment: bool = False) -> str | None:
    """Resolve a relative link from ``page``; None for external or unsafe-free links."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc:
        return None
    base = page.rsplit("/", 1)[0] + "/" if "/" in page else ""
    path = unquote(parts.path)
    segments = (base + path).split("/") if path else page.split("/")
    stack: list[str] = []
    for segment in segments:
        if segment == "..":
            if not stack:
                return "OUTSIDE-THE-SITE/" + href
            stack.pop()
        elif segment not in ("", "."):
            stack.append(segment)
    resolved = "/".join(stack)
    if path.endswith("/") or not path and not stack:
        resolved += "/index.html" if resolved else "index.html"
    if keep_fragment and parts.fragment:
        resolved += "#" + parts.fragment
    return resolved


@pytest.fixture(params=["libyaml", "pure"])
def yaml_parser(request, monkeypatch):
    """Read YAML with libyaml, then with PyYAML's own parser: the results must not depend on which is installed."""
    if request.param == "libyaml" and not yaml.__with_libyaml__:
        if os.environ.get("CI"):
            pytest.fail("PyYAML without libyaml in CI: install PyYAML's binary wheel")
        pytest.skip("PyYAML was installed without libyaml")
    monkeypatch.setattr(yamlsource, "USE_LIBYAML", request.param == "libyaml")
    monkeypatch.setenv("EXPLAINER_YAML_PARSER", request.param)  # for `explainer build` in a subprocess
    return request.param


def unreachable_now() -> list[object]:
    """What a full collection finds unreachable now (kept by ``gc.DEBUG_SAVEALL`` to be looked at, then let go by
    the collector: the list returned holds it until the caller drops it)."""
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        gc.collect()
        return list(gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()


def copy_project(source: Path, tmp_path: Path) -> Path:
    project = tmp_path / source.name
    shutil.copytree(source, project, ignore=shutil.ignore_patterns("build", ".explainer-cache"))
    return project


@pytest.fixture(scope="session")
def complete_site(tmp_path_factory) -> BuiltSite:
    return built_site(tmp_path_factory, FIXTURES / "complete", "complete")


@pytest.fixture(scope="session")
def bundled_site(tmp_path_factory) -> BuiltSite:
    return built_site(tmp_path_factory, ROOT, "bundled")


# what a story project holds beside its output, by explainer's own names (and "theme", where the fixtures keep the
# theme their settings name)
STORY_PARTS = (CONFIG_FILE, CONTENT_DIR, PASSTHROUGH_DIR, "theme")


def copy_story(project: Path, folder: Path) -> Path:
    """``project``'s story (its settings, content, files to copy and theme: not the repository around the bundled
    story) copied into a new folder in ``folder``, so that building it leaves the build cache there, not in the
    source tree."""
    story = folder / "project"
    story.mkdir(parents=True)
    for part in STORY_PARTS:
        if (project / part).is_dir():
            shutil.copytree(project / part, story / part, ignore=shutil.ignore_patterns(".explainer-cache"))
        elif (project / part).is_file():
            shutil.copy2(project / part, story / part)
    return story


def built_site(tmp_path_factory, project: Path, name: str) -> BuiltSite:
    """``project``'s story built (from a copy: :func:`copy_story`) into a fresh temporary folder named after
    ``name``."""
    folder = tmp_path_factory.mktemp(name)
    out = folder / "site"
    build(copy_story(project, folder), out)
    return BuiltSite(out)


@pytest.fixture(scope="module")
def browser():
    """Debian's headless Chromium, one per test module (skipped without it, except in CI)."""
    with playwright_session() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
