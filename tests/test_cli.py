"""The command line: exit codes, error format, and a failed build that loses nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES, copy_project


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "explainer", *args], capture_output=True, text=True, cwd=cwd)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_build_defaults_to_project_build_folder(tmp_path):
    project = copy_project(FIXTURES / "complete", tmp_path)
    result = run("build", cwd=project)
    assert result.returncode == 0, result.stderr
    assert (project / "build" / "index.html").is_file()
    # 30 (with the update log's pages of news and verdicts, and a page of citations per cited source), and 18
    # embeddable cards (every entry and the timeline)
    assert "built 48 pages" in result.stderr


def test_check_writes_nothing_and_exits_zero(tmp_path):
    project = copy_project(FIXTURES / "complete", tmp_path)
    result = run("check", str(project))
    assert result.returncode == 0, result.stderr
    assert not (project / "build").exists()


def test_broken_reference_reports_file_line_column_and_hint(tmp_path):
    project = copy_project(FIXTURES / "complete", tmp_path)
    claim = project / "content" / "claims" / "bridge-safe.md"
    claim.write_text(claim.read_text().replace("by: [dana-lee,", "by: [dana-le,"))
    result = run("check", str(project))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    line = next(text for text in result.stderr.splitlines() if "unknown person" in text)
    assert line.endswith("bridge-safe.md:3:6: error: in 'by': unknown person 'dana-le'")
    assert "hint: did you mean 'dana-lee'?" in result.stderr


def test_unknown_and_ambiguous_wikilinks_list_candidates(tmp_path):
    project = copy_project(FIXTURES / "complete", tmp_path)
    story = project / "content" / "story.md"
    story.write_text(story.read_text().replace("[[council-vote]]", "[[counsil-vote]]"))
    (project / "content" / "claims" / "dana-lee.md").write_text(
        "---\nclaim: Dana Lee is right.\nby: [dana-lee]\nstatus: unverified\nsources: [city-release]\n---\n"
    )
    body = project / "content" / "events" / "closure.md"
    body.write_text(body.read_text() + "\nSee [[dana-lee]].\n")
    result = run("check", str(project))
    assert result.returncode == 1
    assert "[[counsil-vote]] does not match any entry" in result.stderr
    assert "did you mean [[council-vote]]" in result.stderr
    assert (
        "closure.md:11:7: error: [[dana-lee]] is ambiguous: it could be claims/dana-lee, people/dana-lee"
        in result.stderr
    )


def test_duplicate_slug_across_markdown_and_yaml_names_both_places(tmp_path):
    project = copy_project(FIXTURES / "complete", tmp_path)
    (project / "content" / "people" / "dana-lee.md").write_text("---\nname: Dana Lee\nrole: Engineer\n---\n")
    result = run("check", str(project))
    assert result.returncode == 1
    assert "duplicate person slug 'dana-lee'" in result.stderr
    assert "people.yml:1:3" in result.stderr and "dana-lee.md:1:1" in result.stderr


def test_failed_build_leaves_previous_output_untouched(tmp_path):
    project = copy_project(FIXTURES / "complete", tmp_path)
    assert run("build", str(project)).returncode == 0
    before = snapshot(project / "build")
    event = project / "content" / "events" / "closure.md"
    event.write_text(event.read_text().replace("date: 2024-02-21T06:00+01:00", "date: 2024-02-31"))
    result = run("build", str(project))
    assert result.returncode == 1
    assert "closure.md:3:7: error: 'date' has a bad date" in result.stderr
    assert snapshot(project / "build") == before
    assert sorted(p.name for p in project.iterdir()) == [
        ".explainer-cache",
        "build",
        "content",
        "explainer.yml",
        "theme",
    ]


def test_removed_entry_leaves_no_stale_page(tmp_path):
    project = copy_project(FIXTURES / "complete", tmp_path)
    assert run("build", str(project)).returncode == 0
    assert (project / "build" / "questions" / "when-reopen" / "index.html").exists()
    (project / "content" / "questions" / "when-reopen.md").unlink()
    questions = project / "content" / "questions.yml"
    questions.write_text(questions.read_text().replace(", questions/when-reopen", ""))
    story = project / "content" / "story.md"
    assert run("build", str(project)).returncode == 0
    assert not (project / "build" / "questions" / "when-reopen").exists()
    assert story.exists()


def test_refuses_to_build_over_the_project(tmp_path):
    project = copy_project(FIXTURES / "complete", tmp_path)
    for out in [project, project / "content", tmp_path]:
        result = run("build", str(project), "--out", str(out))
        assert result.returncode == 2, out
        assert "refusing to build into" in result.stderr
    assert (project / "content" / "story.md").exists()


def test_missing_content_folder(tmp_path):
    result = run("build", str(tmp_path))
    assert result.returncode == 1
    assert "error: the project has no content/ folder" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("epoch", ["abc", "-5", "1.5", "²", "99999999999999999", "253402300800"])
def test_a_source_date_epoch_that_is_not_a_date_stops_the_build_and_says_so(tmp_path, epoch):
    """The reproducible-builds specification asks a build to stop on a malformed SOURCE_DATE_EPOCH: building as of
    today would not be the reproducible build that was asked for. No traceback, no "internal error"."""
    project = copy_project(FIXTURES / "complete", tmp_path)
    assert run("build", cwd=project).returncode == 0
    before = snapshot(project / "build")
    for command in ("check", "build"):
        result = subprocess.run(
            [sys.executable, "-m", "explainer", command],
            capture_output=True,
            text=True,
            cwd=project,
            env={**os.environ, "SOURCE_DATE_EPOCH": epoch},
        )
        assert result.returncode == 2, result.stderr
        assert result.stderr.startswith(f"error: SOURCE_DATE_EPOCH is '{epoch}'"), result.stderr
        assert "internal error" not in result.stderr and "Traceback" not in result.stderr
    assert snapshot(project / "build") == before


def test_a_source_date_epoch_sets_the_build_date(tmp_path):
    project = copy_project(FIXTURES / "living", tmp_path)  # a living story: its changes are dated
    env = {**os.environ, "SOURCE_DATE_EPOCH": "0"}  # 1970: every change of the story is after it
    result = subprocess.run(
        [sys.executable, "-m", "explainer", "check"], capture_output=True, text=True, cwd=project, env=env
    )
    assert result.returncode == 0, result.stderr
    assert "which is after today" in result.stderr
