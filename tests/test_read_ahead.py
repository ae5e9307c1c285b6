"""A build from scratch reads half of a big story's files in a second process, and nothing shows it.

The other half comes back in the build cache's stored form and is replayed (``explainer.reader.read_ahead``),
so the pages, the problems reported and their order must be what reading every file in one process gives.
The two-process builds run as `explainer build` in a process of their own (a process running other threads,
as a test process may, reads alone); the one-process builds run here, with sharing turned off.
"""

from __future__ import annotations

import filecmp
import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

from explainer import reader
from explainer.build import build
from explainer.diagnostics import ContentError
from explainer.parallel import cores

sys.path.insert(0, str(ROOT / "benchmarks"))
from generate import generate

pytestmark = pytest.mark.skipif(cores() < 2, reason="a second process reads only with two cores or more")

HALVES = """
import json, sys
from pathlib import Path
from explainer.reader import read_ahead
cache = read_ahead(Path(sys.argv[1]))
print(json.dumps([sorted(map(str, cache._results)), sorted(map(str, cache._stored))]))
"""


def story(root: Path) -> Path:
    """A generated story of more files than are read in one process, with a stray file (a warning)."""
    project = root / "story"
    generate(300, project)
    assert len(list((project / "content").glob("*/*.md"))) >= reader.MIN_FILES_TO_SHARE
    (project / "content" / "people" / "notes.txt").write_text("not an entry\n", encoding="utf-8")
    return project.resolve()


def with_problem(project: Path, problem: str) -> None:
    """``problem`` in three files of each half."""
    content = project / "content"
    ours, theirs = reader._shares(reader._content_files(content))
    count = {0: 0, 1: 0}
    for path in sorted((content / "claims").glob("*.md")) + sorted((content / "events").glob("*.md")):
        half = 0 if path in ours else 1
        assert path in (ours if half == 0 else theirs)
        if count[half] == 3:
            continue
        count[half] += 1
        text = path.read_text(encoding="utf-8")
        if problem == "unknown field":  # found while the file is read
            text = text.replace("---\n", "---\nmood: calm\n", 1)
        else:  # found when the story is linked, from the wikilinks the other process stored
            text += "\nSee [[no-such-entry]].\n"
        path.write_text(text, encoding="utf-8")
    assert count == {0: 3, 1: 3}


def build_in_two(project: Path, out: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "explainer", "build", str(project), "--out", str(out), "--no-search"]
    return subprocess.run(command, cwd=project, capture_output=True, text=True, timeout=600)


def build_in_one(project: Path, out: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The problems reported, as the command line prints them, by a build reading every file here."""
    for cache in project.glob(".explainer*"):
        cache.rename(project.parent / f"{cache.name}-of-the-other-build")
    with monkeypatch.context() as patched:
        patched.setattr(reader, "MIN_FILES_TO_SHARE", 10**9)
        patched.chdir(project)
        try:
            return [warning.format() for warning in build(project, out, search=False).warnings]
        except ContentError as failed:
            return [diagnostic.format() for diagnostic in failed.diagnostics]


def same_trees(left: Path, right: Path) -> None:
    compared = filecmp.dircmp(left, right)
    assert not compared.left_only and not compared.right_only and not compared.diff_files, (left, right)
    for name in compared.common_dirs:
        same_trees(left / name, right / name)


def test_half_the_files_are_read_by_another_process(tmp_path):
    project = story(tmp_path)
    found = subprocess.run(
        [sys.executable, "-c", HALVES, str(project)], capture_output=True, text=True, timeout=300, check=True
    )
    read_here, replayed = map(set, json.loads(found.stdout))
    assert not read_here & replayed
    assert read_here | replayed == {str(path) for path in (project / "content").glob("**/*.*")} - {
        str(project / "content" / "people" / "notes.txt")
    }
    assert 0.3 < len(replayed) / (len(read_here) + len(replayed)) < 0.8


def test_the_site_and_its_warnings_are_the_same(tmp_path, monkeypatch):
    project = story(tmp_path)
    two = build_in_two(project, tmp_path / "two")
    assert two.returncode == 0, two.stderr
    one = build_in_one(project, tmp_path / "one", monkeypatch)
    assert any("notes.txt" in line for line in one)
    assert "\n".join(one) in two.stderr
    same_trees(tmp_path / "two", tmp_path / "one")


@pytest.mark.parametrize("problem", ["unknown field", "unknown wikilink"])
def test_problems_are_reported_alike_and_in_order(tmp_path, monkeypatch, problem):
    project = story(tmp_path)
    with_problem(project, problem)
    two = build_in_two(project, tmp_path / "two")
    assert two.returncode != 0 and "Traceback" not in two.stderr
    one = build_in_one(project, tmp_path / "one", monkeypatch)
    assert len([line for line in one if ": error: " in line]) == 6
    assert "\n".join(one) in two.stderr
