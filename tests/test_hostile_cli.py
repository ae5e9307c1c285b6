"""`explainer init` and `explainer new` under hostile input: a precise refusal or a file that builds, never a crash."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from explainer import scaffold
from explainer.build import build, check
from explainer.cli import cli
from explainer.diagnostics import ContentError, Diagnostics, UsageError
from explainer.model import KINDS
from explainer.reader import read_project
from explainer.slugs import is_valid_slug
from explainer.yamlsource import split_front_matter


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """The real command line, in its own process."""
    return subprocess.run([sys.executable, "-m", "explainer", *args], capture_output=True, text=True, cwd=cwd)


def invoke(*args: str) -> tuple[int, str]:
    """The command in this process, with main()'s rule: an unexpected exception is exit 3."""
    result = CliRunner().invoke(cli, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        return 3, f"internal error: {result.exception!r}"
    assert "Traceback" not in result.output + result.stderr
    return result.exit_code, result.stderr


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def titles(project: Path, collection: str) -> dict[str, str]:
    """Slug -> title of every entry of a collection, read as the build reads them."""
    diagnostics = Diagnostics()
    content = read_project(project, diagnostics)
    assert diagnostics.errors == []
    return {entry.slug: entry.title for entry in content.entries[collection]}


@pytest.fixture()
def project(tmp_path) -> Path:
    scaffold.init_project(tmp_path / "story")
    return tmp_path / "story"


# --- 1. long titles -----------------------------------------------------------


def test_a_300_character_title_gets_a_capped_slug_and_keeps_its_title(project):
    title = " ".join(["accountability"] * 21)[:299] + "!"
    assert len(title) == 300
    result = run("new", "person", title, "--project", str(project))
    assert result.returncode == 0, result.stderr
    path = Path(result.stdout.strip())
    slug = path.stem
    assert len(slug) <= scaffold.NEW_SLUG_MAX and is_valid_slug(slug) and not slug.endswith("-")
    assert title.startswith(slug.replace("-", " "))  # cut between words
    assert titles(project, "people")[slug] == title


@pytest.mark.parametrize(
    "slug,limit,expected",
    [
        ("abc-def-ghi", 80, "abc-def-ghi"),
        ("aaaa-bbbb-cccc", 9, "aaaa-bbbb"),  # the limit falls on a hyphen
        ("aaaa-bbbb-cccc", 11, "aaaa-bbbb"),  # cut back to the last whole word
        ("a" * 300, 80, "a" * 80),  # one long word: cut hard
        ("a-" + "b" * 200, 80, "a-" + "b" * 78),  # a word boundary too early is not used
    ],
)
def test_cap_slug(slug, limit, expected):
    assert scaffold.cap_slug(slug, limit) == expected


# --- 2. titles with no Latin letters -----------------------------------------


@pytest.mark.parametrize(
    "kind,title",
    [("person", "محمد علي"), ("person", "🎉🎊"), ("event", "北京 2024"), ("question", "?"), ("person", "!!!")],
)
def test_a_title_without_latin_letters_gets_a_stable_slug(project, kind, title):
    code, stderr = invoke("new", kind, title, "--project", str(project))
    assert code == 0, stderr
    slug = scaffold.new_slug(kind, title)
    assert is_valid_slug(slug) and slug.endswith("-" + scaffold.hash_parts([title])[: scaffold.DIGEST_LENGTH])
    collection = "sources" if kind == "source" else scaffold._kind_named(kind).collection
    expected = scaffold._as_question(title) if kind == "question" else title
    assert titles(project, collection)[slug] == expected
    # the same title again is the same entry: refused, not duplicated
    code, stderr = invoke("new", kind, title, "--project", str(project))
    assert code == 2 and "already exists" in stderr


def test_an_arabic_person_and_an_emoji_source_build(project):
    assert run("new", "person", "محمد علي", "--project", str(project)).returncode == 0
    result = run("new", "source", "🎉 تقرير", "--project", str(project))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("content/sources.yml")
    ids = {s.id: s.title for s in read_project(project, Diagnostics()).sources}
    assert ids[scaffold.new_slug("source", "🎉 تقرير")] == "🎉 تقرير"
    slug = scaffold.new_slug("person", "محمد علي")
    out = build(project).out
    assert (out / "people" / slug / "index.html").is_file()


# --- 3 and 4. init -----------------------------------------------------------------


def test_init_below_a_file_is_refused(tmp_path):
    (tmp_path / "somefile.txt").write_text("keep me")
    result = run("init", "somefile.txt/story", cwd=tmp_path)
    assert result.returncode == 2
    assert (
        result.stderr.splitlines()[0]
        == "error: cannot start a project in somefile.txt/story: somefile.txt is a file, not a folder"
    )
    assert "Traceback" not in result.stderr
    assert snapshot(tmp_path) == {"somefile.txt": b"keep me"}


def test_init_with_a_name_too_long_is_refused_and_leaves_nothing(tmp_path):
    result = run("init", f"new/{'a' * 300}/story", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines()[0].endswith(": a name in the path is too long (at most 255 bytes per name)")
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []  # "new/" was made, then removed again


def test_init_on_a_file_says_so(tmp_path):
    (tmp_path / "notes.txt").write_text("keep me")
    code, stderr = invoke("init", str(tmp_path / "notes.txt"))
    assert code == 2 and ("is a file" in stderr)
    assert (tmp_path / "notes.txt").read_text() == "keep me"


def test_init_on_a_link_to_nothing_says_so(tmp_path):
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    code, stderr = invoke("init", str(tmp_path / "dangling"))
    assert code == 2 and stderr.splitlines()[0].endswith("dangling: it is a link to nothing")
    assert not (tmp_path / "nowhere").exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_init_in_a_read_only_folder_is_refused(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        result = run("init", str(locked / "story"))
    finally:
        locked.chmod(0o700)
    assert result.returncode == 2 and "permission denied" in result.stderr
    assert list(locked.iterdir()) == []


def test_init_without_permission_is_refused(tmp_path, monkeypatch):
    def refuse(path, mode=0o777):
        raise PermissionError(errno.EACCES, "Permission denied", str(path))

    monkeypatch.setattr(os, "mkdir", refuse)
    code, stderr = invoke("init", str(tmp_path / "story"))
    assert code == 2
    assert (
        stderr.splitlines()[0]
        == f"error: cannot start a project in {tmp_path / 'story'}: permission denied for {tmp_path / 'story'}"
    )


@pytest.mark.parametrize("existing", [False, True])
def test_init_failing_halfway_removes_only_what_it_made(tmp_path, monkeypatch, existing):
    folder = tmp_path / "deep" / "story"
    if existing:
        folder.mkdir(parents=True)
    (tmp_path / "keep.txt").write_text("keep")
    copy, calls = shutil.copyfile, []

    def flaky(source, target):
        calls.append(target)
        if len(calls) == 4:
            raise OSError(errno.ENOSPC, "No space left on device", str(target))
        return copy(source, target)

    monkeypatch.setattr(shutil, "copyfile", flaky)
    code, stderr = invoke("init", str(folder))
    assert code == 2 and "no space left on the device" in stderr
    assert len(calls) == 4
    if existing:
        assert list(folder.iterdir()) == []
    else:
        assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt"]


@pytest.mark.parametrize(
    "name,shown", [("story", "story"), ("my story", "'my story'"), ("it's $HOME", "'it'\"'\"'s $HOME'")]
)
def test_init_prints_a_command_that_works_in_a_shell(tmp_path, name, shown):
    result = run("init", name, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip().endswith(f"build it with: explainer build {shown}")
    command = result.stderr.strip().split("build it with: ")[1].replace("explainer", "echo", 1)
    echoed = subprocess.run(["sh", "-c", command], capture_output=True, text=True, cwd=tmp_path).stdout
    assert echoed == f"build {name}\n"


# --- 5. sources.yml that new source cannot safely add to ---------------------------


@pytest.mark.parametrize(
    "written,first_line",
    [
        (
            b"- id: a\n  title: caf\xe9\n",
            "error: cannot add the source: {p}:2:13: file is not valid UTF-8 text; nothing was written",
        ),
        (
            b"[{id: a, title: B}]\n",
            "error: cannot add the source: {p}:1:1: sources.yml is written as a bracketed "
            "list ([...]), which a new source cannot be appended to; nothing was written",
        ),
        (
            b"a: 1\nb: 2\n",
            "error: cannot add the source: {p}:1:1: sources.yml is a mapping, not a list of sources; "
            "nothing was written",
        ),
        (
            b"just words\n",
            "error: cannot add the source: {p}:1:1: sources.yml is a single value, not a list of "
            "sources; nothing was written",
        ),
        (b"- id: a\n  title: [unclosed\n", "error: cannot add the source: {p}:3:1: invalid YAML"),
        (
            b"- id: a\n  title: B\n...\n",
            "error: cannot add the source: {p}:1:1: appending a source would not "
            "leave a readable list; nothing was written",
        ),
        (b"- id: a\n  title: !!python/object B\n", "error: cannot add the source: {p}:2:10: the YAML tag"),
    ],
)
def test_new_source_refuses_a_sources_file_it_cannot_extend(project, written, first_line):
    path = project / "content" / "sources.yml"
    path.write_bytes(written)
    before = snapshot(project)
    result = run("new", "source", "Council report", "--project", str(project))
    assert result.returncode == 2
    assert result.stderr.splitlines()[0].startswith(first_line.format(p=path))
    assert "  hint: " in result.stderr and "Traceback" not in result.stderr
    assert snapshot(project) == before


def test_new_source_refuses_a_folder_named_sources_yml(project):
    path = project / "content" / "sources.yml"
    path.unlink()
    path.mkdir()
    code, stderr = invoke("new", "source", "Council report", "--project", str(project))
    assert code == 2 and "is not a regular file (it is a folder)" in stderr and "nothing was written" in stderr


@pytest.mark.parametrize(
    "written",
    [
        b"",
        b"# sources go here\n",
        b"- id: a\n  title: B",
        b"- id: a\r\n  title: B\r\n",
        b"\xef\xbb\xbf- id: a\n  title: B\n",
        b"- id: a\n  title: |\n    long\n",
    ],
)
def test_new_source_extends_every_readable_list(project, written):
    path = project / "content" / "sources.yml"
    path.write_bytes(written)
    code, stderr = invoke("new", "source", "Council report: part 2", "--project", str(project))
    assert code == 0, stderr
    after = path.read_bytes()
    assert after.startswith(written)
    if b"\r\n" in written:
        assert b"\n" not in after.replace(b"\r\n", b"")
    sources = {s.id: s.title for s in read_project(project, Diagnostics()).sources}
    assert sources["council-report-part-2"] == "Council report: part 2"
    assert [p.name for p in path.parent.iterdir() if p.name.startswith(".")] == []


def test_new_source_refuses_an_id_already_in_the_file_even_if_the_item_is_broken(project):
    path = project / "content" / "sources.yml"
    path.write_text("- id: council-report\n")  # no title: the build cannot read it, but the id is taken
    code, stderr = invoke("new", "source", "Council report", "--project", str(project))
    assert code == 2 and "already exists" in stderr
    assert path.read_text() == "- id: council-report\n"


def test_a_failed_write_leaves_sources_yml_whole(project, monkeypatch):
    path = project / "content" / "sources.yml"
    before = snapshot(project)

    def full(descriptor):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    code, stderr = invoke("new", "source", "Council report", "--project", str(project))
    assert code == 2
    assert stderr.splitlines()[0] == "error: cannot add the source: no space left on the device; nothing was written"
    assert snapshot(project) == before and path.exists()


def test_an_entry_file_that_appears_meanwhile_is_not_overwritten(tmp_path, monkeypatch):
    target = tmp_path / "late.md"
    target.write_text("someone else's")
    for link_works in (True, False):
        if not link_works:
            monkeypatch.setattr(os, "link", lambda *a: (_ for _ in ()).throw(OSError(errno.EPERM, "no links")))
        with pytest.raises(UsageError, match="taken"):
            scaffold.write_atomic(target, b"mine", overwrite=False, exists="taken")
        assert target.read_text() == "someone else's"
        assert [p.name for p in tmp_path.iterdir()] == ["late.md"]


def test_new_files_get_ordinary_permissions(project):
    assert run("new", "person", "Ana Ruiz", "--project", str(project)).returncode == 0
    mode = (project / "content/people/ana-ruiz.md").stat().st_mode & 0o777
    assert mode == 0o666 & ~_umask()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# --- 6. --project and titles ------------------------------------------------------


def test_project_is_a_file(tmp_path):
    (tmp_path / "notes.txt").write_text("x")
    result = run("new", "person", "Ana", "--project", str(tmp_path / "notes.txt"))
    assert result.returncode == 2 and "is a file" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("where", ["missing", "empty", "long"])
def test_project_without_content(tmp_path, where):
    folder = {"missing": tmp_path / "nowhere", "empty": tmp_path, "long": tmp_path / ("a" * 300)}[where]
    code, stderr = invoke("new", "person", "Ana", "--project", str(folder))
    assert code == 2
    expected = "a name in the path is too long" if where == "long" else "has no content/ folder"
    assert expected in stderr.splitlines()[0]


def test_a_collection_folder_that_is_a_file(project):
    shutil.rmtree(project / "content" / "people")
    (project / "content" / "people").write_text("oops")
    code, stderr = invoke("new", "person", "Ana", "--project", str(project))
    assert code == 2 and stderr.splitlines()[0].endswith("people is a file, not a folder; nothing was written")


YAML_SPECIAL = [
    "- x",
    ": y",
    "#",
    "# not a comment",
    "'",
    '"',
    "!tag",
    "&anchor",
    "*alias",
    "{}",
    "[]",
    "yes",
    "No",
    "null",
    "~",
    "2021-01-01",
    "12:30",
    "1e3",
    "0x1F",
    ".inf",
    "%TAG",
    "@at",
    "`tick",
    "|",
    ">",
    "? q",
    "---",
    "...",
    "a ---",
    "a: b # c",
    "Zoë O'Brien",
    "a\u200db",
    "  padded  ",
    "\u00a0nbsp",
    "x" * 2000,
]


@pytest.mark.parametrize("title", YAML_SPECIAL)
def test_yaml_special_titles_read_back_exactly(project, title):
    code, stderr = invoke("new", "person", "--project", str(project), "--", title)
    assert code == 0, stderr
    assert titles(project, "people")[scaffold.new_slug("person", title.strip())] == title.strip()


@pytest.mark.parametrize("kind", ["event", "claim", "question", "source"])
def test_yaml_special_titles_for_every_kind(project, kind):
    for title in ["- x", "yes", "null", "2021-01-01", "&anchor *alias", "!tag: {}"]:
        code, stderr = invoke("new", kind, "--project", str(project), "--", title)
        assert code == 0, (title, stderr)
    content = read_project(project, Diagnostics())
    found = (
        {s.title for s in content.sources}
        if kind == "source"
        else {e.title for e in content.entries[scaffold._kind_named(kind).collection]}
    )
    expected = {"- x", "yes", "null", "2021-01-01", "&anchor *alias", "!tag: {}"}
    if kind == "question":
        expected = {t + "?" for t in expected}
    assert expected <= found
    try:
        check(project)  # builds; warnings are allowed
    except ContentError as failed:  # a new claim's empty `by: []` asks the writer who made it
        assert kind == "claim" and {d.message for d in failed.diagnostics if d.severity == "error"} == {"'by' is empty"}


@pytest.mark.parametrize(
    "title,message",
    [
        ("a\nb", "error: titles are one line of text: this one holds a line break (U+000A); remove it"),
        ("a\rb", "error: titles are one line of text: this one holds a line break (U+000D); remove it"),
        ("a\u2028b", "error: titles are one line of text: this one holds a line break (U+2028); remove it"),
        ("tab\there", "error: titles are one line of text: this one holds a control character (U+0009); remove it"),
        ("\x1b[31mred", "error: titles are one line of text: this one holds a control character (U+001B); remove it"),
        ("nul\x00", "error: titles are one line of text: this one holds a control character (U+0000); remove it"),
        ("", 'error: the title is empty: give the text it should show, e.g. explainer new person "Jordan Lee"'),
        ("   ", 'error: the title is empty: give the text it should show, e.g. explainer new person "Jordan Lee"'),
        (
            "bad\udcffbytes",
            "error: the title is not valid text: it holds bytes that are not UTF-8; "
            "check your terminal's character encoding",
        ),
    ],
)
@pytest.mark.parametrize("kind", ["person", "source"])
def test_titles_that_are_not_one_line_of_text_are_refused(project, kind, title, message):
    before = snapshot(project)
    code, stderr = invoke("new", kind, "--project", str(project), "--", title)
    assert code == 2
    assert stderr.splitlines()[0] == message
    assert snapshot(project) == before


def test_a_title_with_bytes_that_are_not_utf8_from_the_shell(project):
    result = subprocess.run(
        [sys.executable, "-m", "explainer", "new", "person", b"caf\xe9", "--project", str(project)], capture_output=True
    )
    assert result.returncode == 2
    assert b"not valid text" in result.stderr and b"Traceback" not in result.stderr


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_any_title_is_refused_or_reads_back_exactly(title):
    try:
        cleaned = scaffold.clean_title(title)
    except UsageError:
        return
    for kind, field in ((k.singular, k.title_field) for k in KINDS.values()):
        text = scaffold._front_matter(kind, cleaned, [])
        front = split_front_matter(text, Path("x.md"), Diagnostics()).front_matter
        expected = scaffold._as_question(cleaned) if kind == "question" else cleaned
        assert str(front.value[field].raw).strip() == expected
    slug = scaffold.new_slug("person", cleaned)
    assert is_valid_slug(slug) and len(slug) <= scaffold.NEW_SLUG_MAX
