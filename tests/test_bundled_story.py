"""The bundled Rust story builds cleanly, completely and the same way every time."""

from __future__ import annotations

import filecmp

from conftest import ROOT, BuiltSite

from explainer.build import build, check
from explainer.diagnostics import Diagnostics
from explainer.reader import read_project


def test_bundled_story_checks_clean_with_no_warnings():
    assert check(ROOT, strict=True) == []


def test_every_entry_has_a_page(bundled_site):
    content = read_project(ROOT, Diagnostics())
    entries = content.all_entries()
    assert len(entries) >= 30
    for entry in entries:
        assert (bundled_site.out / entry.url / "index.html").is_file(), entry.key


def test_no_broken_links(bundled_site):
    assert bundled_site.broken_links() == []


def test_every_page_reachable_from_home(bundled_site):
    seen, queue = set(), ["index.html"]
    while queue:
        current = queue.pop()
        if current in seen:
            continue
        seen.add(current)
        queue.extend(link for link in bundled_site.links(current) if link.endswith(".html"))
    assert seen == set(bundled_site.pages()) - {"404.html"}  # the 404 page is only reached by missing paths


def test_story_names_the_people_the_report_names(bundled_site):
    people = bundled_site.soup("people/index.html").get_text(" ", strip=True)
    for name in [
        "Alec Baldwin",
        "Halyna Hutchins",
        "Joel Souza",
        "Mamie Mitchell",
        "assistant director",
        "Crew members who signed the open letter",
        "Crew members who quit",
        "Rust producers",
        "Law enforcement investigators",
    ]:
        assert name in people


def test_dispute_links_in_bundled_story(bundled_site):
    disputed_by = bundled_site.section_links("claims/warning-signs-before-shooting/index.html", "Disputed by")
    assert disputed_by == ["claims/set-not-chaotic/index.html"]


def test_building_twice_gives_identical_bytes(tmp_path):
    first, second = tmp_path / "one", tmp_path / "two"
    build(ROOT, first)
    build(ROOT, second)
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    match, mismatch, errors = filecmp.cmpfiles(first, second, files, shallow=False)
    assert mismatch == [] and errors == []
    assert BuiltSite(first).pages()
