"""The living story at its edges: moments written in other time zones, the build's own date, long logs,
and the writers' tools facing a file they must not write through.

Each test here began as a finding of a hostile review of the living-story change.
"""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as etree
from datetime import date
from pathlib import Path

import pytest
from conftest import FIXTURES, copy_project

from explainer.build import build, load
from explainer.dates import DateFormatError, parse_date
from explainer.diagnostics import Diagnostics
from explainer.feeds import ATOM_NS, FEED_ITEMS
from explainer.living import Chronicle, check_dates


@pytest.fixture()
def living(tmp_path) -> Path:
    return copy_project(FIXTURES / "living", tmp_path)


def add_updates(project: Path, text: str) -> None:
    updates = project / "content/updates.yml"
    updates.write_text(updates.read_text() + text)


def chronicle(project: Path) -> Chronicle:
    diagnostics = Diagnostics()
    linked = load(project, diagnostics)
    assert not diagnostics.errors, diagnostics.errors
    return Chronicle(linked)


def test_moments_in_other_time_zones_are_ordered_as_instants(living):
    add_updates(
        living,
        "- date: 2024-12-01T23:00-08:00\n  summary: Later, written in California.\n  about: [people/ada-quinn]\n"
        "- date: 2024-12-02T06:00Z\n  summary: Earlier, written in UTC.\n  about: [people/ada-quinn]\n",
    )
    found = chronicle(living)
    assert [change.text.text for change in found.news[:2]] == [
        "Later, written in California.",
        "Earlier, written in UTC.",
    ]
    ada = next(entry for entry in found.linked.content.all_entries() if entry.key == "people/ada-quinn")
    assert found.last_change(ada).text == "2024-12-01T23:00-08:00"


def test_a_verdict_history_in_two_time_zones_is_in_order_when_its_instants_are(living):
    claim = living / "content/claims/water-safe.md"
    text = claim.read_text()
    text = text.replace("  - date: 2024-04-10\n", "  - date: 2024-04-10T10:00+14:00\n")
    text = text.replace("  - date: 2024-09-02\n", "  - date: 2024-04-09T21:00-12:00\n")  # 09:00Z on the 10th: after
    claim.write_text(text)
    diagnostics = Diagnostics()
    linked = load(living, diagnostics)
    for entry in linked.content.all_entries():
        entry.check(living, diagnostics)
    assert not [d for d in diagnostics.errors if "out of date order" in d.message]


def test_a_moment_already_past_in_utc_is_not_after_today(living):
    add_updates(living, "- date: 2024-12-02T00:30+02:00\n  summary: Just before midnight in UTC.\n")
    diagnostics = Diagnostics()
    check_dates(chronicle(living), diagnostics, today=date(2024, 12, 1))
    assert diagnostics.items == []
    check_dates(chronicle(living), diagnostics, today=date(2024, 11, 30))
    assert [d.message for d in diagnostics.items] == [
        "this update is dated 2024-12-02T00:30+02:00, which is after today"
    ]


def test_year_zero_is_not_a_date():
    with pytest.raises(DateFormatError, match="years start at 0001"):
        parse_date("0000-01-01")


def test_a_feed_holds_the_newest_changes_only(living, tmp_path):
    add_updates(
        living,
        "".join(
            f"- date: 2025-01-{1 + n // 24:02d}T{n % 24:02d}:00Z\n  summary: Update number {n}.\n"
            f"  about: [people/ada-quinn]\n"
            for n in range(FEED_ITEMS + 20)
        ),
    )
    out = build(living, tmp_path / "out", search=False).out
    for feed in ("feed.xml", "people/ada-quinn/feed.xml"):
        entries = etree.parse(out / feed).getroot().findall(f"{{{ATOM_NS}}}entry")
        assert len(entries) == FEED_ITEMS
        assert entries[0].find(f"{{{ATOM_NS}}}title").text == f"Update: Update number {FEED_ITEMS + 19}."


def test_new_update_refuses_a_log_that_links_out_of_the_project(living, tmp_path):
    outside = tmp_path / "outside.yml"
    outside.write_bytes((living / "content/updates.yml").read_bytes())
    before = outside.read_bytes()
    (living / "content/updates.yml").unlink()
    (living / "content/updates.yml").symlink_to(outside)
    result = subprocess.run(
        [sys.executable, "-m", "explainer", "new", "update", "Through a link.", "--project", str(living)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "links to a place outside the project" in result.stderr
    assert outside.read_bytes() == before
