"""One rebuild plan from recorded reads: a project theme keeps rebuilds exact and small.

Each page records what its render read (whatever template drew it); an edit re-renders exactly the pages
whose reads changed, in ``serve`` and in ``build`` alike.
"""

from __future__ import annotations

import json
import shutil
from array import array
from pathlib import Path

import pytest
from rebuilds import BASE, EDITS, edit, full_build, serve_edit_equals_full_build, tree

from explainer.build import build
from explainer.buildcache import (
    CACHE_DIR,
    CACHE_FILE,
    ENTRIES_FILE,
    RENDER_FILE,
    TABLE_FILE,
    BuildCache,
    Rendered,
    _read_entries,
    save_cache,
)
from explainer.incremental import Session
from explainer.rebuild import RenderState, _numbers_bytes, _table_text, _untable
from explainer.render import default_theme

# A newsroom theme that shows each person's role beside their name on event pages (the default does not).
ROLE_ON_EVENTS = """{% extends "base.html" %}
{% block main %}
<article class="entry event">
  <h1>{{ entry.title }}</h1>
  <ul class="with-roles">
  {% for ref in entry.people %}<li>{{ ref.entry.title }} ({{ ref.entry.role }})</li>{% endfor %}
  </ul>
  {{ body(entry) }}
</article>
{% endblock %}
"""


def themed(tmp_path: Path) -> Path:
    """The base story with a project theme overriding the event template."""
    project = tmp_path / "story"
    shutil.copytree(BASE, project)
    (project / "theme/templates").mkdir(parents=True)
    (project / "theme/templates/event.html").write_text(ROLE_ON_EVENTS)
    edit(project / "explainer.yml", "title: Base story", "title: Base story\ntheme: theme")
    return project


def changed_pages(before: dict[str, bytes], after: dict[str, bytes]) -> set[str]:
    return {n for n in before.keys() | after.keys() if n.endswith(".html") and before.get(n) != after.get(n)}


def test_a_role_shown_by_a_project_theme_re_renders_exactly_the_pages_that_show_it(tmp_path):
    project = themed(tmp_path)
    session = Session(project)
    assert session.update().ok
    before = dict(session.files)
    assert b"(Witness)" in before["events/first-event/index.html"]
    edit(project / "content/people/ann-lee.md", "role: Witness", "role: Key witness")
    update = session.update([project / "content/people/ann-lee.md"])
    assert update.ok
    shown = changed_pages(before, session.files)
    assert "events/first-event/index.html" in shown  # the theme's page shows the role
    assert update.rendered_pages == shown  # and nothing else was rendered
    assert session.files == full_build(project, tmp_path)


def test_the_cli_build_re_renders_the_same_pages_from_its_cache(tmp_path):
    project = themed(tmp_path)
    build(project, search=False)
    before = tree(project / "build")
    edit(project / "content/people/ann-lee.md", "role: Witness", "role: Key witness")
    result = build(project, search=False)
    shown = changed_pages(before, tree(project / "build"))
    assert "events/first-event/index.html" in shown
    assert result.rendered == len(shown)


@pytest.mark.parametrize("name", [name for name in EDITS if name != "template"])
def test_with_a_project_theme_every_rebuild_equals_a_full_build(name, tmp_path):
    serve_edit_equals_full_build(themed(tmp_path), EDITS[name], tmp_path)


def test_editing_a_project_template_re_renders_only_the_pages_drawn_with_it(tmp_path):
    project = themed(tmp_path)
    session = Session(project)
    session.update()
    edit(project / "theme/templates/event.html", '<ul class="with-roles">', '<ul class="people-with-roles">')
    update = session.update([project / "theme/templates/event.html"])
    assert update.rendered_pages == {"events/first-event/index.html"}
    assert session.files == full_build(project, tmp_path)


def test_overriding_a_shared_template_re_renders_every_page_that_uses_it(tmp_path):
    project = themed(tmp_path)
    session = Session(project)
    session.update()
    base = (default_theme() / "templates/base.html").read_text()
    (project / "theme/templates/base.html").write_text(base.replace("<main", "<main data-theme=newsroom", 1))
    update = session.update([project / "theme/templates/base.html"])
    # every page extends base.html but the embeddable cards
    pages = {name for name in session.files if name.endswith(".html")}
    assert update.rendered_pages == {name for name in pages if not name.endswith("/embed.html")}
    assert session.files == full_build(project, tmp_path)


def test_a_theme_reaching_past_the_context_is_rendered_every_time_rather_than_left_stale(tmp_path):
    project = themed(tmp_path)
    (project / "theme/templates/sources.html").write_text(
        '{% extends "base.html" %}{% block main %}<p>{{ site.linked.content.entries["people"] | length }} '
        "people</p>{% endblock %}"
    )
    session = Session(project)
    session.update()
    (project / "content/people/zoe-park.md").write_text("---\nname: Zoe Park\nrole: Clerk\n---\n")
    update = session.update([project / "content/people/zoe-park.md"])
    assert "sources/index.html" in update.rendered_pages
    assert b"4 people" in session.files["sources/index.html"]
    assert session.files == full_build(project, tmp_path)
    assert "sources/index.html" in session.update().rendered_pages  # even with nothing changed


def test_a_weight_that_changes_no_order_renders_only_that_page(tmp_path):
    project = tmp_path / "story"
    shutil.copytree(BASE, project)
    session = Session(project)
    session.update()
    edit(project / "content/people/ann-lee.md", "role: Witness", "role: Witness\nweight: 1")
    update = session.update([project / "content/people/ann-lee.md"])
    # no list's order changes: only her own page, where the lowest weight marks the story's central person for
    # search (issue 16: her surname finds her page first)
    assert update.rendered_pages == {"people/ann-lee/index.html"}
    assert {name for name in update.changed if name.endswith(".html")} == {"people/ann-lee/index.html"}
    assert session.files == full_build(project, tmp_path)


def test_reads_added_to_the_stored_table_are_appended_to_its_file(tmp_path):
    """A build that adds reads without changing any page's structure (a template reading one more field) saves
    the stored table's bytes with the new rows after them; what is loaded again is the state that was saved."""
    project = themed(tmp_path)
    build(project, search=False)
    data = json.loads((project / CACHE_DIR / CACHE_FILE).read_text())
    cache = BuildCache(**{name: data[name] for name in BuildCache.__dataclass_fields__})
    loaded = cache.load_render(project)
    assert loaded is not None and loaded.table is not None
    state, stored = loaded.state, (project / CACHE_DIR / TABLE_FILE).read_bytes()
    added = {("field", "people/ann-lee", "nickname"): "digest", ("call", "site", "helper", (("a", "b"),)): "other"}
    grown = RenderState(state.global_digest, {**state.reads, **added}, dict(state.pages), state.items, state.images)
    grown.pages["extra/index.html"] = frozenset([*added, next(iter(state.reads))])
    save_cache(project, cache, Rendered(grown, loaded.bodies, loaded.table))
    assert (project / CACHE_DIR / TABLE_FILE).read_bytes().startswith(stored[:-1])
    again = cache.load_render(project)
    assert again is not None and again.state == grown and list(again.state.reads) == list(grown.reads)


def test_the_table_of_reads_is_stored_as_text_that_gives_back_every_read():
    """Most reads are rows of plain strings split at separators; a read holding a separator, another kind of
    value or an unusual helper call is a row of JSON; a table that grows is its first text and the rest's."""
    reads = [
        ("field", "events/a", "title"),
        ("call", "site", "change_dates", (("\x00@", "events/a"),)),
        ("call", "site", "two", (("a", "b"), ("c", "d"))),
        ("call", "site", "none", ()),
        ("call", "site", "status_label", ("disputed",)),
        ("page", "index.html"),
        ("field", "a\x1fb", "c\x1c"),
        ("call", "site", "h", (("\x1e", "y"),)),
        ("page", ""),
        ("page", "a\x1eb"),
        ("wikilink", "events/a"),
        ("field", "", ""),
        ("one",),
        ("",),
        ("call",),
        ("template", ("nested", 1, None, 2.5, True)),
    ]
    text = _table_text(reads)
    assert _untable(text) == reads and _untable("") == [] and _table_text([]) == ""
    assert _untable(text + "\x1c" + _table_text(reads[:2])) == reads + reads[:2]
    assert text.count("\x1d") == 7  # the rows kept as JSON


def test_the_render_state_survives_the_build_cache_and_a_tampered_one_is_refused(tmp_path):
    project = themed(tmp_path)
    build(project, search=False)
    head, _, numbers = (project / CACHE_DIR / RENDER_FILE).read_bytes().partition(b"\n")
    raw = json.loads(head)
    names, _bodies, parts = _read_entries((project / CACHE_DIR / ENTRIES_FILE).read_bytes())
    whole = {
        **raw["render"],
        "from": 0,
        "reads": (project / CACHE_DIR / TABLE_FILE).read_text(),
        **RenderState.stored_numbers(raw["render"]["paths"], numbers),
        "bodies": names,
        "parts": parts,
    }
    state = RenderState.from_json(whole)
    assert state.pages and state.reads and state.parts and state.bodies

    def through_json(data: dict) -> dict:  # the bytes of the pages' numbers are kept beside the JSON
        plain = {name: value for name, value in data.items() if type(value) is not bytes}
        return {**json.loads(json.dumps(plain)), "ends": data["ends"], "positions": data["positions"]}

    assert RenderState.from_json(through_json(state.to_json())) == state
    assert RenderState.from_json(through_json(state.to_json(known=[]))) == state
    shorter = state.to_json(known=state.table)  # the stored rows are left out; the cache keeps them
    assert shorter["from"] == len(state.reads) and shorter["reads"] == ""
    assert _read_entries(b'[["events/a","d",3,2,-1],["","e",0,-1,-1]]\n<p>{}') == (
        {"events/a": "d", "": "e"},
        {"d": "<p>", "e": ""},
        {"story:events/a": "{}"},
    )
    for entries in (
        b"{}\n",
        b'[["events/a","d",3,2,-1]]\n<p>{}!',  # more text than the lengths say
        b'[["events/a","d",3,2,-1]]\n<p>{',  # less
        b'[["events/a","d",3,2]]\n<p>{}',
        b'[["events/a","d","3",2,-1]]\n<p>{}',
        b'[["events/a","d",-1,2,-1]]\n<p>{}',
        b'[["events/a","d",3,-2,-1]]\n<p>{}',
        b'[["events/a","d",0,-1,-1],["events/a","e",0,-1,-1]]\n',
        b'[["events/a","d",2,-1,-1]]\n\xff\xfe',
        b'[["events/a","d",0,-1,-1]]',
        b"not json\n",
    ):
        with pytest.raises(ValueError):
            _read_entries(entries)
    size = len(state.reads)

    def numbers(*found: int) -> str:
        return _numbers_bytes(array("I", found))

    def rows(kinds: str, others: str = "", calls: str = "") -> str:  # a table's text (see _table_text)
        return "\x1c".join([kinds, calls, "", "", "", others])

    one_page = {**whole, "paths": ["index.html"], "ends": numbers(1)}
    for broken in (
        {**one_page, "positions": numbers(size)},  # past the table's end
        {**one_page, "positions": numbers(0, 1)},  # more positions than the pages' ends say
        {**one_page, "positions": numbers()},  # fewer
        {**one_page, "positions": "AAAAAA=="},
        {**one_page, "positions": b"\0\0\0"},  # not whole numbers of 4 bytes
        {**one_page, "positions": [0]},
        {**one_page, "ends": numbers(1, 1)},  # two ends for one page
        {**whole, "paths": ["a", "b"], "ends": numbers(2, 1), "positions": numbers(0, 0)},  # ends going back
        {**whole, "paths": ["a", "a"], "ends": numbers(0, 0), "positions": numbers()},
        {**whole, "paths": [3], "ends": numbers(0), "positions": numbers()},
        {**whole, "paths": {"index.html": "1 2"}},
        {**whole, "reads": rows("o", '\x1d{"not": "a read"}'), "digests": ["x"]},
        {**whole, "reads": rows("o", '\x1d[["a"],"x"]'), "digests": ["x"]},
        {**whole, "reads": rows("o", "\x1d[not json"), "digests": ["x"]},
        {**whole, "reads": rows("o", "call\x1fsite\x1fhelper\x1fone argument half"), "digests": ["x"]},
        {**whole, "reads": rows("c", calls="site\x1fhelper\x1fone argument half"), "digests": ["x"]},
        {**whole, "reads": rows("o", '\x1d["field",3,"name"]'), "digests": ["x"]},
        {**whole, "reads": rows("o", "\x1d[]"), "digests": ["x"]},
        {**whole, "reads": rows("o", "\x1fname"), "digests": ["x"]},  # an empty first string
        {**whole, "reads": rows("o", ""), "digests": ["x"]},  # a row said, none there
        {**whole, "reads": rows("c", "a"), "digests": ["x"]},  # in the wrong section
        {**whole, "reads": rows("x", "a"), "digests": ["x"]},
        {**whole, "reads": rows("o", "a") + "\x1c", "digests": ["x"]},  # not sections in sixes
        {**whole, "reads": rows("oo", "a\x1ea"), "digests": ["x", "y"]},  # one read twice
        {**whole, "reads": [["a"]], "digests": ["x"]},  # the JSON rows of format 10
        {**whole, "digests": whole["digests"][1:]},
        {**whole, "digests": [1] * len(whole["digests"])},
        {**whole, "from": 3},
        {**whole, "global": 3},
        {**whole, "parts": {"story:people/ann-lee": ["not", "text"]}},
        {**whole, "parts": None},
        {**whole, "bodies": {"people/ann-lee": 3}},
        {**whole, "bodies": ["people/ann-lee"]},
        [],
    ):
        with pytest.raises(ValueError):
            RenderState.from_json(broken)
