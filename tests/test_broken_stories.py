"""Every rule of the content format has its error: a corpus of broken stories.

Each folder under ``tests/broken/`` (except ``_base``) holds the files that
differ from the valid ``_base`` story, and ``expect.txt``: the exit code on
its first line, then exactly what ``explainer build`` prints on stderr before
its summary line. ``delete.txt`` lists paths (globs) to remove first, and
``strict.txt`` asks for ``--strict``.

Every case runs twice: with libyaml and with PyYAML's own pure-Python parser
(``EXPLAINER_YAML_PARSER=pure`` for the command, ``USE_LIBYAML`` in process),
since the same story must give the same errors whichever one is installed.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from explainer.build import check
from explainer.diagnostics import ContentError

BROKEN = Path(__file__).resolve().parent / "broken"
CASES = sorted(p.name for p in BROKEN.iterdir() if p.is_dir() and not p.name.startswith("_"))
CONTROL_FILES = {"expect.txt", "delete.txt", "strict.txt"}


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def apply_case(case: Path, project: Path) -> None:
    if (case / "delete.txt").exists():
        for pattern in (case / "delete.txt").read_text().split():
            for found in glob.glob(str(project / pattern)):
                shutil.rmtree(found) if os.path.isdir(found) else os.remove(found)
    for source in case.rglob("*"):
        relative = source.relative_to(case)
        if source.is_file() and relative.as_posix() not in CONTROL_FILES:
            (project / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, project / relative)


@pytest.fixture(scope="module")
def base_build(tmp_path_factory):
    """The base story, built once: every case starts from a copy of this project and its output."""
    project = tmp_path_factory.mktemp("base") / "story"
    shutil.copytree(BROKEN / "_base", project)
    result = subprocess.run(
        [sys.executable, "-m", "explainer", "build", "--strict"], cwd=project, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return project


def test_corpus_covers_many_rules():
    assert len(CASES) >= 60


@pytest.mark.parametrize("name", CASES)
def test_broken_story(name, yaml_parser, base_build, tmp_path, monkeypatch):
    case = BROKEN / name
    expected_code, *expected_lines = (case / "expect.txt").read_text().rstrip("\n").split("\n")
    project = tmp_path / "story"
    shutil.copytree(base_build, project, symlinks=True)
    before = snapshot(project / "build")
    apply_case(case, project)
    strict = ["--strict"] if (case / "strict.txt").exists() else []

    result = subprocess.run(
        [sys.executable, "-m", "explainer", "build", *strict], cwd=project, capture_output=True, text=True
    )

    assert "Traceback" not in result.stderr
    assert str(result.returncode) == expected_code, result.stderr
    *reported, summary = result.stderr.rstrip("\n").split("\n")
    assert summary.startswith("error: ")
    assert reported == expected_lines
    assert snapshot(project / "build") == before, "a failed build changed the previous output"
    assert not [p for p in project.iterdir() if p.name.startswith(".build-")], "staging folder left behind"

    # `check` finds exactly the same problems and writes nothing
    monkeypatch.chdir(project)
    with pytest.raises(ContentError) as caught:
        check(project, strict=bool(strict))
    assert [line for d in caught.value.diagnostics for line in d.format().split("\n")] == expected_lines
