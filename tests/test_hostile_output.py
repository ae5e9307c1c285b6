"""Hostile input against the write stage: nothing outside the output folder changes, no link is followed,
a failed build leaves the last site byte for byte, and nothing from the cache or settings reaches a page.

Organised by threat: path and link confinement, crash after writing began, script injection through
data that reaches <script> blocks and exports, search index out of step, trust in the build cache.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from explainer import search
from explainer.basics import SEARCH_BUNDLE
from explainer.build import build, check
from explainer.buildcache import CACHE_DIR, CACHE_FILE, ENTRIES_FILE, part_digest
from explainer.diagnostics import ContentError, UsageError
from explainer.writer import MARKER

BASE = Path(__file__).resolve().parent / "broken" / "_base"


@pytest.fixture()
def project(tmp_path) -> Path:
    target = tmp_path / "story"
    shutil.copytree(BASE, target, ignore=shutil.ignore_patterns(CACHE_DIR, "build"))
    return target


@pytest.fixture()
def canary(tmp_path) -> Path:
    """A folder outside every project and output; no build may change it."""
    folder = tmp_path / "outside"
    (folder / "people").mkdir(parents=True)
    (folder / "people" / "keep.txt").write_text("keep me\n")
    (folder / "index.html").write_text("not yours\n")
    return folder


def tree(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` (links recorded as links) with its bytes."""
    found = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).as_posix()
        if path.is_symlink():
            found[relative] = b"LINK->" + os.readlink(path).encode()
        elif path.is_file():
            found[relative] = path.read_bytes()
    return found


def write(project: Path, name: str, text: str) -> None:
    (project / name).parent.mkdir(parents=True, exist_ok=True)
    (project / name).write_text(text, encoding="utf-8")


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "explainer", *args], capture_output=True, text=True, timeout=300)


# --- path and link confinement --------------------------------------------------------------------


@pytest.mark.parametrize(
    "image",
    [
        "images/../images/ann.png",
        "./images/ann.png",
        "images//ann.png",
        "../content/images/ann.png",
        "../../story/content/images/ann.png",
        "images/x/../../images/ann.png",
    ],
)
def test_an_image_path_written_any_way_is_published_inside_the_output_once(project, canary, image, tmp_path):
    edit(project / "content/people/ann-lee.md", "image: images/ann.png", f"image: {image}")
    before = tree(tmp_path)
    out = build(project, search=False).out
    outside = {
        name: data
        for name, data in tree(tmp_path).items()
        if not name.startswith(("story/build/", "story/.explainer-cache/"))
    }
    assert outside == {name: data for name, data in before.items()}, "a file outside build/ changed"
    media = [p.relative_to(out).as_posix() for p in (out / "media").rglob("*") if p.is_file()]
    assert len(media) == 1 and media[0].startswith("media/images/ann.") and media[0].endswith(".png")
    page = BeautifulSoup((out / "people/ann-lee/index.html").read_text(), "html.parser")
    assert (out / "people/ann-lee" / page.find("img")["src"]).resolve() == (out / media[0]).resolve()
    # the image is written and recorded at one path: a second and third build keep it
    for _ in range(2):
        build(project, search=False)
        assert (out / media[0]).is_file()


def test_a_link_to_a_folder_placed_in_the_output_is_never_written_through(project, canary):
    out = build(project, search=False).out
    before = tree(canary)
    shutil.rmtree(out / "people")
    (out / "people").symlink_to(canary / "people", target_is_directory=True)
    (out / "events" / "first-event" / "index.html").unlink()
    (out / "events" / "first-event" / "index.html").symlink_to(canary / "index.html")
    result = build(project, search=False)
    assert not result.up_to_date
    assert tree(canary) == before, "a file outside the output was changed through a link"
    assert not (out / "people").is_symlink() and (out / "people/ann-lee/index.html").is_file()
    assert not (out / "events/first-event/index.html").is_symlink()
    # and the next build knows the site is complete, with every page in place
    again = build(project, search=False)
    assert again.up_to_date and (out / "people/ann-lee/index.html").is_file()


def test_a_link_in_the_output_is_removed_not_followed_when_its_entry_is_deleted(project, canary):
    out = build(project, search=False).out
    (out / "claims" / "other-claim").rename(out / "claims" / "moved")
    (out / "claims" / "other-claim").symlink_to(canary / "people", target_is_directory=True)
    (project / "content/claims/other-claim.md").unlink()
    for path in (project / "content").rglob("*.md"):
        path.write_text(path.read_text().replace("other-claim", "main-claim").replace("disputes: [main-claim]", ""))
    before = tree(canary)
    build(project, search=False)
    assert tree(canary) == before
    assert not (out / "claims" / "other-claim").exists()


def test_search_folder_replaced_by_a_link_is_not_followed(project, canary):
    out = build(project).out
    shutil.rmtree(out / SEARCH_BUNDLE)
    (out / SEARCH_BUNDLE).symlink_to(canary, target_is_directory=True)
    before = tree(canary)
    edit(project / "content/people/ann-lee.md", "Ann Lee was there.", "Ann Lee saw it.")
    build(project)
    assert tree(canary) == before
    assert not (out / SEARCH_BUNDLE).is_symlink() and (out / SEARCH_BUNDLE / "pagefind.js").is_file()


def test_a_killed_first_build_leaves_no_scratch_folder_for_long(project):
    abandoned = project / ".build-new-999999999-abc"
    abandoned.mkdir()
    (abandoned / "index.html").write_text("half a site")
    build(project, search=False)
    assert not abandoned.exists()
    assert not [p.name for p in project.iterdir() if p.name.startswith(".build-")]


@pytest.mark.parametrize("where", ["below-a-file", "long-name"])
def test_an_output_folder_that_cannot_exist_is_refused_before_anything_is_read(project, where):
    (project / "afile").write_text("x")
    out = project / "afile" / "site" if where == "below-a-file" else project / ("n" * 300) / "site"
    with pytest.raises(UsageError):
        build(project, out)
    result = run_cli("build", str(project), "--out", str(out), "--no-search")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.startswith("error: refusing to build into")


# --- a crash after writing began ------------------------------------------------------------------


def test_a_slug_too_long_for_a_file_name_is_an_error_before_anything_is_written(project):
    out = build(project, search=False).out
    before = tree(out)
    long_claim = "The witness said " + " ".join(["something"] * 40) + "."
    write(
        project,
        "content/claims.yml",
        f"- claim: {long_claim}\n  by: [ann-lee]\n  status: disputed\n  sources: [report]\n",
    )
    result = run_cli("build", str(project), "--no-search")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "content/claims.yml:1:10: error: this claim is too long to make a slug from" in result.stderr
    assert "hint: add a shorter slug field, e.g. slug: the-witness-said" in result.stderr
    assert tree(out) == before
    assert run_cli("check", str(project)).returncode == 1


def test_a_long_slug_field_is_an_error(project):
    write(
        project,
        "content/claims.yml",
        f"- slug: {'a' * 300}\n  claim: Short.\n  by: [ann-lee]\n  status: disputed\n  sources: [report]\n",
    )
    with pytest.raises(ContentError) as failure:
        check(project)
    assert any("slug is 300 characters long; the limit is 200" in d.message for d in failure.value.diagnostics)


# --- script injection through data that reaches <script> and exports ------------------------------


HOSTILE_TEXT = "</script><script>alert(1)</script><!--<script> & -->"


def test_text_in_json_ld_cannot_end_or_swallow_the_script_element(project):
    edit(project / "content/story.md", "title: The base story", f"title: '{HOSTILE_TEXT}'")
    edit(project / "content/people/ann-lee.md", "role: Witness", f"role: '{HOSTILE_TEXT}'")
    out = build(project, search=False).out
    for page in ["index.html", "people/ann-lee/index.html", "people/index.html"]:
        html = (out / page).read_text()
        soup = BeautifulSoup(html, "html.parser")
        scripts = soup.find_all("script")
        assert [s.get("type") for s in scripts] == ["application/ld+json"], page
        data = json.loads(scripts[0].string)
        assert HOSTILE_TEXT in json.dumps(data, ensure_ascii=False)  # the data is intact for JSON readers
        inside = html.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
        assert "<" not in inside and ">" not in inside and "&" not in inside
        assert soup.find("footer") is not None, f"{page}: the rest of the page was swallowed"


@pytest.mark.parametrize(
    "base_url",
    [
        'https://example.org/"><script>alert(1)</script>/',
        "https://example.org/a\nDisallow: /",
        "https://example.org/a b/",
        "javascript:alert(1)//example.org/",
    ],
)
def test_a_hostile_base_url_is_refused(project, base_url):
    write(project, "explainer.yml", f"title: Base story\nbase_url: {json.dumps(base_url)}\n")
    with pytest.raises(ContentError) as failure:
        check(project)
    assert [d.span.display().rsplit(":", 2)[-2] for d in failure.value.diagnostics] == ["2"]
    result = run_cli("build", str(project), "--no-search", "--base-url", base_url)
    assert result.returncode == 2 and "Traceback" not in result.stderr and not (project / "build").exists()


# --- search out of step ---------------------------------------------------------------------------


def test_a_failed_search_index_leaves_the_site_as_it_was(project, monkeypatch):
    out = build(project).out
    before = tree(out)
    edit(project / "content/people/ann-lee.md", "Ann Lee was there.", "Ann Lee saw it.")

    def fail(*args, **kwargs):
        raise search.PagefindError("Pagefind failed: simulated")

    monkeypatch.setattr(search.PagefindService, "index", fail)
    with pytest.raises(ContentError) as failure:
        build(project)
    assert "simulated" in failure.value.diagnostics[0].message
    assert tree(out) == before
    monkeypatch.undo()
    build(project)
    assert b"Ann Lee saw it." in (out / "people/ann-lee/index.html").read_bytes()


def test_turning_search_off_removes_the_old_index(project):
    out = build(project).out
    assert (out / SEARCH_BUNDLE).is_dir()
    write(project, "explainer.yml", "title: Base story\nsearch: false\n")
    build(project)
    assert not (out / SEARCH_BUNDLE).exists() and not (out / "search").exists()


def test_the_search_index_holds_what_the_pages_hold(project):
    if search.pagefind_executable() is None:
        pytest.skip("Pagefind is not installed")
    out = build(project).out
    edit(project / "content/people/ann-lee.md", "Ann Lee was there.", "Ann Lee saw the zeppelinword.")
    build(project)
    fresh = project.parent / "fresh"
    shutil.copytree(project, fresh, ignore=shutil.ignore_patterns(CACHE_DIR, "build"))
    scratch = build(fresh).out
    assert tree(out / SEARCH_BUNDLE) == tree(scratch / SEARCH_BUNDLE)


# --- trust in the build cache ---------------------------------------------------------------------


def test_html_planted_in_the_cache_never_reaches_a_page(project):
    build(project, search=False)
    cache = project / CACHE_DIR / CACHE_FILE
    rendered = project / CACHE_DIR / ENTRIES_FILE  # the converted bodies: their names and lengths, then the texts
    rows = json.loads(rendered.read_bytes().partition(b"\n")[0])
    script = '<script>alert("cache")</script>'
    texts = ["".join([script, "{}" * (story >= 0), "{}" * (timeline >= 0)]) for _, _, _, story, timeline in rows]
    for row in rows:
        row[2:] = [len(script), 2 if row[3] >= 0 else -1, 2 if row[4] >= 0 else -1]
    planted = json.dumps(rows) + "\n" + "".join(texts)
    record = json.loads(cache.read_bytes())
    record["entries_digest"] = part_digest(planted.encode("utf-8"))  # the record made to vouch for it
    record.pop("signature", None)
    unsigned = json.dumps(record, separators=(",", ":"))
    signed_by_nobody = unsigned[:-1] + ',"signature":"' + "0" * 64 + '"}'
    for number, forged in enumerate([None, unsigned, signed_by_nobody]):
        rendered.write_text(planted)  # planted beside the genuine record, whose digest no longer matches
        if forged is not None:
            cache.write_text(forged)
        edit(project / "content/story.md", "saw the", f"saw ({number}) the")
        result = build(project, search=False)
        if forged is not None:
            assert result.cache_warning and "signature does not match" in result.cache_warning
        for page in (project / "build").rglob("*"):
            if page.is_file():
                assert b'alert("cache")' not in page.read_bytes(), page
        edit(project / "content/story.md", f"saw ({number}) the", "saw the")


def test_a_cache_nested_too_deeply_is_ignored(project):
    build(project, search=False)
    (project / CACHE_DIR / CACHE_FILE).write_text("[" * 100_000 + "]" * 100_000)
    result = run_cli("build", str(project), "--no-search")
    assert result.returncode == 0 and "Traceback" not in result.stderr
    assert "warning: ignoring the build cache" in result.stderr


# --- files the deployer keeps ---------------------------------------------------------------------


def test_files_in_static_are_published_and_kept(project):
    write(project, "static/CNAME", "explainers.example.org\n")
    write(project, "static/_redirects", "/old /new 301\n")
    write(project, "static/.well-known/security.txt", "Contact: mailto:x@example.org\n")
    out = build(project, search=False).out
    assert (out / "CNAME").read_text() == "explainers.example.org\n"
    assert (out / ".well-known/security.txt").is_file()
    edit(project / "content/people/ann-lee.md", "Ann Lee was there.", "Ann Lee saw it.")
    build(project, search=False)
    assert (out / "CNAME").is_file() and (out / "_redirects").is_file()
    (project / "static/_redirects").unlink()
    build(project, search=False)
    assert not (out / "_redirects").exists() and (out / "CNAME").is_file()


@pytest.mark.parametrize(
    "name", ["index.html", "people/ann-lee/index.html", "story.json", MARKER, f"{SEARCH_BUNDLE}/pagefind.js", "people"]
)
def test_a_file_in_static_may_not_replace_a_built_one(project, name):
    out = build(project, search=False).out
    before = tree(out)
    write(project, f"static/{name}", "mine")
    result = run_cli("build", str(project), "--no-search")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"static/{name}:1:1: error: static/{name} would replace a file the build makes" in result.stderr
    assert tree(out) == before


def test_links_in_static_are_not_followed(project, canary):
    (project / "static").mkdir()
    (project / "static" / "secret").symlink_to(canary / "index.html")
    result = run_cli("check", str(project))
    assert result.returncode == 1 and "static/ may hold only plain files" in result.stderr
