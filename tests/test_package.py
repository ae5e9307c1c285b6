"""A wheel built from the repository carries the default theme and builds sites."""

from __future__ import annotations

import subprocess
import sys
import venv
import zipfile

import pytest
from conftest import FIXTURES, ROOT, copy_story


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    dist = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(dist), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (found,) = dist.glob("explainer-*.whl")
    return found


def test_wheel_contains_the_default_theme(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for template in [
        "base.html",
        "story.html",
        "person.html",
        "event.html",
        "claim.html",
        "question.html",
        "people.html",
        "timeline.html",
        "claims.html",
        "questions.html",
        "sources.html",
        "macros.html",
        "search.html",
        "404.html",
    ]:
        assert f"explainer/themes/default/templates/{template}" in names
    assert "explainer/themes/default/static/style.css" in names
    fonts = "explainer/themes/default/fonts/"
    assert {f"{fonts}DejaVuSans.ttf", f"{fonts}DejaVuSans-Bold.ttf", f"{fonts}LICENSE"} <= names  # share images
    assert {"explainer/starter/content/story.md", "explainer/starter/gitignore"} <= names


def test_installed_wheel_builds_a_site(wheel, tmp_path):
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    # a clean environment: the wheel's declared dependencies must be enough
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "-c", str(ROOT / "constraints.txt"), str(wheel)],
        check=True,
        capture_output=True,
    )
    where = subprocess.run(
        [str(python), "-c", "import explainer, sys; print(explainer.__file__)"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert str(env_dir) in where, f"the wheel's explainer was not the one imported: {where}"
    out = tmp_path / "site"
    result = subprocess.run(
        [str(python), "-m", "explainer", "build", str(copy_story(FIXTURES / "complete", tmp_path)), "--out", str(out)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert (out / "index.html").is_file() and list((out / "static").glob("style.*.css"))
    assert (out / "people" / "dana-lee" / "index.html").is_file()
    assert (out / "people" / "dana-lee" / "share.png").read_bytes().startswith(b"\x89PNG")  # the bundled fonts
    started = subprocess.run(
        [str(python), "-m", "explainer", "init", "new-story"], cwd=tmp_path, capture_output=True, text=True
    )
    assert started.returncode == 0, started.stderr
    built = subprocess.run(
        [str(python), "-m", "explainer", "build", "--strict"],
        cwd=tmp_path / "new-story",
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stderr
