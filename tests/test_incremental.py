"""Rebuilding only the affected pages never serves stale output: after every kind of edit,
the incremental result equals a full build byte for byte, and unaffected pages are not re-rendered."""

from __future__ import annotations

import gc
import shutil

import pytest
from conftest import FIXTURES
from rebuilds import BASE, EDITS, edit, full_build, serve_edit_equals_full_build

from explainer import incremental
from explainer.context import SiteView
from explainer.dependencies import item_key
from explainer.incremental import Session


@pytest.mark.parametrize("name", EDITS)
def test_incremental_equals_full_build(name, tmp_path):
    project = tmp_path / "story"
    shutil.copytree(BASE, project)
    serve_edit_equals_full_build(project, EDITS[name], tmp_path)


def test_a_body_edit_renders_only_its_own_page(tmp_path):
    project = tmp_path / "story"
    shutil.copytree(FIXTURES / "complete", project)
    edit(project / "explainer.yml", "theme: theme\n", "")  # the default theme: page-level knowledge applies
    session = Session(project)
    first = session.update()
    # 23 pages, the update log (all, news, verdicts), corrections, each cited source's citations (2), search and
    # 404, and 18 embeddable cards
    assert first.ok and first.rendered == 49
    assert session.update().rendered == 0
    edit(project / "content/events/closure.md", "at dawn.", "before dawn.")
    update = session.update([project / "content/events/closure.md"])
    assert update.rendered == 1
    assert {name for name in update.changed if name.endswith(".html")} == {"events/closure/index.html"}


def test_the_first_update_gives_the_collector_back_however_it_ends(tmp_path, monkeypatch):
    """The first update reads every file with the cyclic collector paused (as a build does), and leaves it
    running and nothing frozen afterwards, after a good read and after one that fails."""
    project = tmp_path / "story"
    shutil.copytree(FIXTURES / "complete", project)
    paused_while_loading = []
    real_load = incremental.load

    def load(*args, **kwargs):
        paused_while_loading.append(not gc.isenabled())
        return real_load(*args, **kwargs)

    monkeypatch.setattr(incremental, "load", load)
    session = Session(project)
    assert session.update().ok
    assert session.update([project / "content/story.md"]).ok
    assert paused_while_loading == [True, False]  # only the first read of every file
    assert gc.isenabled() and gc.get_freeze_count() == 0
    broken = Session(project)
    monkeypatch.setattr(incremental, "load", lambda *args, **kwargs: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        broken.update()
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_a_rename_renders_every_page_that_shows_the_name_and_no_other(tmp_path):
    project = tmp_path / "story"
    shutil.copytree(FIXTURES / "complete", project)
    edit(project / "explainer.yml", "theme: theme\n", "")
    session = Session(project)
    session.update()
    edit(project / "content/people.yml", "- name: Dana Lee", "- slug: dana-lee\n  name: Dana Lee-Smith")
    update = session.update([project / "content/people.yml"])
    pages = {name for name in update.changed if name.endswith(".html")}
    assert session.files == full_build(project, tmp_path)
    for name, data in session.files.items():
        if name.endswith(".html") and b"Dana Lee-Smith" in data:
            assert name in pages, name
    assert "claims/costs-claim/index.html" not in pages
    assert update.rendered < 25


def test_a_broken_edit_keeps_the_last_good_files(tmp_path):
    project = tmp_path / "story"
    shutil.copytree(BASE, project)
    session = Session(project)
    session.update()
    good = dict(session.files)
    edit(project / "content/claims/main-claim.md", "by: [ann-lee]", "by: [nobody]")
    update = session.update([project / "content/claims/main-claim.md"])
    assert not update.ok and not session.ok
    assert any("unknown person 'nobody'" in d.message for d in update.diagnostics)
    assert session.files == good
    edit(project / "content/claims/main-claim.md", "by: [nobody]", "by: [ann-lee]")
    assert session.update([project / "content/claims/main-claim.md"]).ok
    assert session.files == good


def test_a_link_that_loops_saved_while_serving_is_reported_as_a_build_reports_it(tmp_path):
    """The watcher hands the session the path of a link to itself, which cannot be resolved: the update reports it
    at the file, as a build does, and a save that removes it builds again."""
    project = tmp_path / "story"
    shutil.copytree(BASE, project)
    session = Session(project)
    assert session.update().ok
    good = dict(session.files)
    loop = project / "content/claims/self.md"
    loop.symlink_to("self.md")
    update = session.update([loop])
    assert not update.ok
    [problem] = [d for d in update.diagnostics if d.severity == "error"]
    assert problem.span.path.name == "self.md" and "loops back on itself" in problem.message, problem.format()
    assert session.files == good
    loop.unlink()
    assert session.update([loop]).ok
    assert session.files == good


@pytest.mark.parametrize("name", EDITS)
def test_stale_pages_by_the_index_are_those_a_scan_of_every_page_finds(name, tmp_path, monkeypatch):
    """The session finds stale pages through its index of reads; a scan of every page's reads finds the same."""
    import dataclasses

    from explainer import rebuild

    compared, looked_up = [], []
    by_index = rebuild._stale_by_index

    def both(pages, previous, index, evaluate, dirty, positions=None):
        found = by_index(pages, previous, index, evaluate, dirty, positions)
        scanned = rebuild.stale_pages(
            pages, dataclasses.replace(previous, index=None), previous.global_digest, evaluate, dirty
        )
        assert [page.output_path for page in found] == [page.output_path for page in scanned]
        assert all(a is b for a, b in zip(found, scanned, strict=True))
        compared.append(len(found))
        looked_up.append(positions is not None)
        return found

    monkeypatch.setattr(rebuild, "_stale_by_index", both)
    project = tmp_path / "story"
    shutil.copytree(BASE, project)
    serve_edit_equals_full_build(project, EDITS[name], tmp_path)
    session = Session(project)  # and edits one file at a time, each from the last
    session.update()
    for path in ["content/people/ann-lee.md", "content/claims/main-claim.md", "content/sources.yml"]:
        text = (project / path).read_text()
        (project / path).write_text(
            text.replace("\n---\n", "\nweight: 3\n---\n", 1) if path.endswith(".md") else text + "\n"
        )
        assert session.update([project / path]).ok
        (project / path).write_text(text + "\nMore words.\n" if path.endswith(".md") else text)
        assert session.update([project / path]).ok
    assert session.files == full_build(project, tmp_path)
    assert compared and any(looked_up)  # the body edits' stale pages were looked up by their places in the plan


def test_an_edit_saved_with_a_broken_one_shows_once_the_broken_one_is_fixed(tmp_path):
    """The session reads only the files the watcher names; one named by an update that failed is still read anew
    (and its entry's fields looked at again) by the next update, which names only the file fixed."""
    project = tmp_path / "story"
    shutil.copytree(BASE, project)
    session = Session(project)
    assert session.update().ok
    person, claim = project / "content/people/ann-lee.md", project / "content/claims/main-claim.md"
    edit(person, "role: Witness", "role: Key witness")
    edit(claim, "by: [ann-lee]", "by: [nobody]")
    assert not session.update([person, claim]).ok
    edit(claim, "by: [nobody]", "by: [ann-lee]")
    assert session.update([claim]).ok
    assert session.files == full_build(project, tmp_path)
    edit(person, "Ann Lee was there.", "Ann Lee saw it.")
    assert session.update([person]).ok
    assert session.files == full_build(project, tmp_path)


@pytest.mark.parametrize("name", ["body", "role", "wikilink added", "source title", "status"])
def test_a_plan_kept_from_the_last_update_is_the_plan_made_anew(name, tmp_path, monkeypatch):
    """When no item's structure changed the session keeps its page plan, naming the items read now."""
    from explainer import rebuild
    from explainer.pages import plan_pages

    kept, by_tables = [], []
    real = rebuild.replanned

    def checked(pages, linked, tables=None):
        found = real(pages, linked, tables)
        made = plan_pages(linked)
        assert found == made
        for mine, theirs in zip(found, made, strict=True):
            for name in ("entry", "previous", "next", "source"):
                assert getattr(mine, name) is getattr(theirs, name)
        if tables is not None:  # the kept tables describe the plan as made anew would
            named, paths = rebuild._page_tables(made)
            assert (tables[1].named, tables[1].paths) == (named, paths)
            by_tables.append(len(found))
        kept.append(len(found))
        return found

    monkeypatch.setattr(rebuild, "replanned", checked)
    project = tmp_path / "story"
    shutil.copytree(BASE, project)
    session = Session(project)
    assert session.update().ok
    EDITS[name](project)
    assert session.update([p for p in project.rglob("*") if p.is_file() and "content" in p.parts]).ok
    assert session.files == full_build(project, tmp_path)
    person = project / "content/people/ann-lee.md"
    person.write_text(person.read_text() + "\nMore about her.\n")  # a body edit: the plan is kept
    assert session.update([person]).ok
    assert session.files == full_build(project, tmp_path)
    assert kept and by_tables  # the last update found the pages naming the person's new object by the kept tables


def test_a_template_changed_with_a_broken_save_shows_once_the_save_is_fixed(tmp_path):
    project = tmp_path / "story"
    shutil.copytree(BASE, project)
    EDITS["template"](project)
    session = Session(project)
    assert session.update().ok
    template, claim = project / "theme/templates/claim.html", project / "content/claims/main-claim.md"
    edit(template, "<h1>{{ entry.claim }}</h1>", "<h1>Claim: {{ entry.claim }}</h1>")
    edit(claim, "by: [ann-lee]", "by: [nobody]")
    assert not session.update([template, claim]).ok
    edit(claim, "by: [nobody]", "by: [ann-lee]")
    assert session.update([claim]).ok
    assert b"Claim: " in session.files["claims/main-claim/index.html"]
    assert session.files == full_build(project, tmp_path)


def assert_tables_made_anew(session: Session) -> None:
    """The session's kept tables of items and pages are what a render with no state would make of its story."""
    from explainer import rebuild
    from explainer.dependencies import recorded_fields
    from explainer.pages import plan_pages

    state, linked = session.state, session.linked
    assert state is not None and linked is not None and state.kept is not None and state.planned is not None
    digests, _ = rebuild.item_digests(linked, None, None)
    assert state.items == digests
    kept, items = state.kept, rebuild._model_items(linked)
    assert len(kept.objects) == len(items) and all(a is b for a, b in zip(kept.objects, items, strict=True))
    made = rebuild.KeptItems(items, [str(item_key(item)) for item in items])
    assert (kept.keys, kept.key_set, kept.registered) == (made.keys, made.key_set, made.registered)
    assert kept.by_key.keys() == made.by_key.keys()
    assert all(kept.by_key[key] is item for key, item in made.by_key.items())
    assert all(fields == recorded_fields(type(item)) for item in items for _, fields in [kept.registered[id(item)]])
    plan = plan_pages(linked)
    assert state.planned == plan
    for mine, theirs in zip(state.planned, plan, strict=True):
        for name in ("entry", "previous", "next", "source"):
            assert getattr(mine, name) is getattr(theirs, name)
    assert (kept.named, kept.paths) == rebuild._page_tables(plan)
    assert kept.positions == {page.output_path: n for n, page in enumerate(plan)}
    site, fresh = kept.site, SiteView(linked)  # the view's orders and dates, as a view made anew has them
    assert site is not None and site.linked is linked
    for name in ("people", "claims", "questions", "timeline", "sources"):
        mine, theirs = object.__getattribute__(site, name), object.__getattribute__(fresh, name)
        assert len(mine) == len(theirs) and all(a is b for a, b in zip(mine, theirs, strict=True)), name
    for name in ("story_updated", "_rank", "title", "language", "statuses"):
        assert object.__getattribute__(site, name) == object.__getattribute__(fresh, name), name
    assert vars(site).keys() - {"_derived"} == vars(fresh).keys() - {"_derived"}


@pytest.mark.parametrize("name", EDITS)
def test_kept_tables_are_those_made_anew_after_every_kind_of_edit(name, tmp_path, monkeypatch):
    """After each kind of edit, then a body edit of one file (which brings the tables up to date from the last
    ones), then the first edit undone, the tables the session keeps equal those made from scratch, and the
    files a full build's."""
    from explainer import rebuild

    brought: list[int] = []  # updates whose tables were brought up to date from the last ones
    real = rebuild._digests_by_object

    def spied(*args):
        found = real(*args)
        brought.append(found is not None)
        return found

    monkeypatch.setattr(rebuild, "_digests_by_object", spied)
    project = tmp_path / "story"
    shutil.copytree(BASE, project)
    original = {path: path.read_bytes() for path in project.rglob("*") if path.is_file()}
    session = Session(project)
    assert session.update().ok
    assert_tables_made_anew(session)
    EDITS[name](project)
    assert session.update([p for p in project.rglob("*") if p.is_file()]).ok
    assert_tables_made_anew(session)
    for text in ("\nMore about her.\n", "\nAnd more.\n"):
        person = project / "content/people/ann-lee.md"
        person.write_text(person.read_text() + text)
        assert session.update([person]).ok
        assert brought[-1]
        assert_tables_made_anew(session)
        assert session.files == full_build(project, tmp_path)
    now = {path for path in project.rglob("*") if path.is_file() and "content" in path.parts}
    for path in now - original.keys():
        path.unlink()
    for path, data in original.items():
        if not path.exists() or path.read_bytes() != data:
            path.write_bytes(data)
    assert session.update([*now, *original]).ok
    assert_tables_made_anew(session)
    assert session.files == full_build(project, tmp_path)


def test_a_state_whose_reads_a_later_one_took_over_still_answers_as_it_did(tmp_path):
    """A body edit's state takes the last state's table of reads over instead of copying it; the last state keeps
    answering with its own values, so a save that fails after its render leaves a good state to go on from."""
    project = tmp_path / "story"
    shutil.copytree(BASE, project)
    session = Session(project)
    assert session.update().ok
    person = project / "content/people/ann-lee.md"
    for number in range(2):
        last = session.state
        assert last is not None
        snapshot = dict(last.reads)
        person.write_text(person.read_text() + f"\nMore about her ({number}).\n")
        assert session.update([person]).ok
        assert session.state is not last and type(last.reads) is not dict  # taken over
        assert dict(last.reads) == snapshot and len(last.reads) == len(snapshot)
        assert all(last.reads.get(read) == digest for read, digest in snapshot.items())
        assert session.state.reads.keys() >= snapshot.keys()
    # a save that fails after its render (a static file in a page's place), then fixed with another body edit
    (project / "static").mkdir(exist_ok=True)
    (project / "static/index.html").write_text("not the home page")
    person.write_text(person.read_text() + "\nOne more.\n")
    assert not session.update([person, project / "static/index.html"]).ok
    assert session.state is not None and type(session.state.reads) is not dict  # taken by the render that failed
    (project / "static/index.html").unlink()
    person.write_text(person.read_text() + "\nAnd another.\n")
    assert session.update([person, project / "static/index.html"]).ok
    assert session.files == full_build(project, tmp_path)
    person.write_text(person.read_text() + "\nAnd the last.\n")
    assert session.update([person]).ok
    assert session.files == full_build(project, tmp_path)
