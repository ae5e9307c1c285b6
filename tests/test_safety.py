"""Hostile input stays harmless, and the build never destroys data it did not make."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from explainer import cli
from explainer.build import build
from explainer.diagnostics import ContentError, UsageError
from explainer.writer import MARKER

BASE = Path(__file__).resolve().parent / "broken" / "_base"


@pytest.fixture()
def project(tmp_path) -> Path:
    target = tmp_path / "story"
    shutil.copytree(BASE, target)
    return target


def write(project: Path, name: str, text: str) -> None:
    (project / name).parent.mkdir(parents=True, exist_ok=True)
    (project / name).write_text(text, encoding="utf-8")


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text("utf-8"), "html.parser")


def test_text_from_yaml_is_always_escaped(project):
    write(
        project,
        "content/people.yml",
        '- slug: bob-stone\n  name: "<script>alert(\'name\')</script> & Bob"\n  role: "<img src=x onerror=alert(1)>"\n',
    )
    out = build(project).out
    page = soup(out / "people/bob-stone/index.html")
    assert (
        not [s for s in page.find_all("script") if s.get("type") != "application/ld+json"] and page.find("img") is None
    )
    assert page.find("h1").get_text() == "<script>alert(‘name’)</script> & Bob"  # shown as text (and typeset)
    listing = soup(out / "people/index.html")
    assert not [s for s in listing.find_all("script") if s.get("type") != "application/ld+json"]


@pytest.mark.parametrize(
    "href",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "java\tscript:alert(1)",
        " javascript:alert(1)",
        "vbscript:msgbox(1)",
        "data:text/html,<b>x</b>",
    ],
)
def test_dangerous_link_schemes_are_dropped(project, href):
    write(
        project,
        "content/events/first-event.md",
        f"---\ntitle: The first event\ndate: 2024-04-02\npeople: [ann-lee]\nsources: [report]\n---\n\n"
        f"[click]({href}) and ![pic]({href})\n",
    )
    page = soup(build(project).out / "events/first-event/index.html")
    body = page.find("section", class_="body")
    for element in body.find_all(["a", "img"]):
        value = "".join((element.get("href") or element.get("src") or "").split()).lower()
        assert not value.startswith(("javascript:", "vbscript:", "data:")), element


def test_raw_html_is_text_unless_unsafe_html_is_set(project):
    story = (project / "content/story.md").read_text() + '\n<span class="raw">kept</span>\n'
    write(project, "content/story.md", story)
    out = build(project).out
    assert soup(out / "index.html").find("span", class_="raw") is None
    text = soup(out / "index.html").get_text()
    assert "<span class=" in text and "kept</span>" in text  # shown as text (with smart quotes)
    write(project, "explainer.yml", "title: Base story\nunsafe_html: true\n")
    out = build(project).out
    assert soup(out / "index.html").find("span", class_="raw").get_text() == "kept"


def test_a_symlink_out_of_the_project_is_not_read(project, tmp_path):
    secret = tmp_path / "secret.md"
    secret.write_text("---\nname: Secret\nrole: Should never be read\n---\n")
    (project / "content/people/leak.md").symlink_to(secret)
    with pytest.raises(ContentError) as caught:
        build(project)
    (problem,) = [d for d in caught.value.diagnostics if "leak.md" in str(d.span.path)]
    assert "outside the project" in problem.message
    assert not (project / "build").exists()


def test_an_image_symlink_out_of_content_is_refused(project, tmp_path):
    (tmp_path / "outside.png").write_bytes(b"\x89PNG")
    (project / "content/images/ann.png").unlink()
    (project / "content/images/ann.png").symlink_to(tmp_path / "outside.png")
    with pytest.raises(ContentError) as caught:
        build(project)
    assert any("lies outside content/" in d.message for d in caught.value.diagnostics)


def test_a_huge_file_is_refused_without_parsing(project):
    write(project, "content/people.yml", "- name: Bob\n  role: r\n" + "# padding\n" * 1_000_000)
    with pytest.raises(ContentError) as caught:
        build(project)
    assert any("file is too large" in d.message for d in caught.value.diagnostics)


def test_refuses_a_non_empty_folder_it_did_not_make(project, tmp_path):
    other = tmp_path / "photos"
    other.mkdir()
    (other / "holiday.jpg").write_bytes(b"precious")
    with pytest.raises(UsageError):
        build(project, other)
    assert (other / "holiday.jpg").read_bytes() == b"precious"
    assert sorted(p.name for p in other.iterdir()) == ["holiday.jpg"]


def test_refuses_a_file_home_and_root(project, tmp_path, monkeypatch):
    (tmp_path / "a-file").write_text("x")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
    for out in [tmp_path / "a-file", tmp_path / "home", Path("/"), project / "content" / "people"]:
        with pytest.raises(UsageError):
            build(project, out)


def test_builds_into_an_empty_folder_and_then_replaces_its_own_output(project, tmp_path):
    out = tmp_path / "empty"
    out.mkdir()
    build(project, out)
    assert (out / MARKER).is_file() and (out / "index.html").is_file()
    (out / "stale.html").write_text("old")
    build(project, out)
    assert not (out / "stale.html").exists()


def test_internal_failure_is_one_line_with_exit_3(project, monkeypatch, capsys):
    def explode(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("explainer.build._write_output", explode)
    monkeypatch.setattr(sys, "argv", ["explainer", "build", str(project)])
    with pytest.raises(SystemExit) as exited:
        cli.main()
    assert exited.value.code == 3
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert err.strip().count("\n") == 0
    assert "internal error (RuntimeError: boom)" in err and "please report it" in err


def test_usage_errors_exit_2():
    result = subprocess.run(
        [sys.executable, "-m", "explainer", "build", "--no-such-option"], capture_output=True, text=True
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
