"""`explainer init` starts a project that builds cleanly; `explainer new` adds entries safely."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import BuiltSite

from explainer.build import build, check
from explainer.diagnostics import ContentError


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "explainer", *args], capture_output=True, text=True, cwd=cwd)


@pytest.fixture()
def project(tmp_path) -> Path:
    result = run("init", str(tmp_path / "story"))
    assert result.returncode == 0, result.stderr
    return tmp_path / "story"


def test_init_builds_with_no_error_and_no_warning(project):
    assert check(project, strict=True) == []
    site = BuiltSite(build(project).out)
    assert site.broken_links() == []
    for page in [
        "people/jordan-lee/index.html",
        "events/town-meeting/index.html",
        "claims/budget-was-cut/index.html",
        "questions/what-happens-next/index.html",
    ]:
        assert page in site.pages()
    ignored = (project / ".gitignore").read_text().splitlines()
    assert "build/" in ignored and ".explainer-cache/" in ignored
    assert (project / "explainer.yml").is_file()


def test_init_refuses_a_non_empty_folder(tmp_path):
    (tmp_path / "notes.txt").write_text("keep me")
    result = run("init", str(tmp_path))
    assert result.returncode == 2
    assert "not an empty folder" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


@pytest.mark.parametrize(
    "kind,title,path,fields",
    [
        ("person", "Zoë O'Brien", "content/people/zoe-obrien.md", {"name": "Zoë O'Brien", "role": str}),
        (
            "event",
            "Budget vote: the result",
            "content/events/budget-vote-the-result.md",
            {"title": "Budget vote: the result", "date": object, "people": []},
        ),
        (
            "claim",
            "The mayor lied",
            "content/claims/the-mayor-lied.md",
            {"claim": "The mayor lied", "by": [], "status": "unverified"},
        ),
        ("question", "Who pays", "content/questions/who-pays.md", {"question": "Who pays?"}),
    ],
)
def test_new_writes_every_required_field(project, kind, title, path, fields):
    result = run("new", kind, title, "--project", str(project))
    assert result.returncode == 0, result.stderr
    written = project / path
    assert result.stdout.strip().endswith(path)
    front = yaml.safe_load(written.read_text().split("---\n")[1])
    for name, expected in fields.items():
        assert name in front
        if isinstance(expected, type):
            continue
        assert front[name] == expected
    if kind in ("person", "question"):
        assert check(project) is not None  # the new file is valid as written
    else:  # the placeholder asks the writer for the people involved
        with pytest.raises(ContentError):
            check(project, strict=True)


def test_new_source_is_appended_to_sources_yml(project):
    before = (project / "content/sources.yml").read_text()
    result = run("new", "source", "Council report", "--project", str(project))
    assert result.returncode == 0, result.stderr
    after = (project / "content/sources.yml").read_text()
    assert after.startswith(before)
    assert {"id": "council-report", "title": "Council report"} in yaml.safe_load(after)
    assert check(project, strict=True) == []


@pytest.mark.parametrize(
    "kind,title", [("person", "Jordan Lee"), ("source", "Town minutes"), ("event", "Town meeting")]
)
def test_new_refuses_to_overwrite(project, kind, title):
    if kind == "source":
        (project / "content/sources.yml").write_text(
            (project / "content/sources.yml").read_text() + "- id: town-minutes-2\n  title: x\n"
        )
        title = "Town minutes 2"
    files = {p: p.read_bytes() for p in project.rglob("*") if p.is_file()}
    result = run("new", kind, title, "--project", str(project))
    assert result.returncode == 2
    assert "already exists" in result.stderr
    assert {p: p.read_bytes() for p in project.rglob("*") if p.is_file()} == files


def test_new_refuses_a_slug_defined_in_a_yaml_list(project):
    (project / "content/people.yml").write_text("- name: Sam Diaz\n  role: Clerk\n")
    result = run("new", "person", "Sam Diaz", "--project", str(project))
    assert result.returncode == 2 and "already exists" in result.stderr
    assert not (project / "content/people/sam-diaz.md").exists()


def test_new_runs_from_inside_the_project(project):
    result = run("new", "person", "Ana Ruiz", cwd=project)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "content/people/ana-ruiz.md"
