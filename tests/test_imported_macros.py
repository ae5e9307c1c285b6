"""Macros imported "with context" are made once per build where that gives every page the same module, and
``{{ }}`` output is escaped as markupsafe escapes it: a theme's macros still see the page importing them."""

from __future__ import annotations

import markupsafe
import pytest
from bs4 import BeautifulSoup
from conftest import FIXTURES, copy_project
from rebuilds import edit

from explainer.build import load
from explainer.diagnostics import Diagnostics
from explainer.pages import plan_pages
from explainer.rebuild import collect_assets, render_pages
from explainer.render import Renderer, _escape_output, default_theme

# a macro that reads the page when called (the module can serve every page), and a module whose top level reads
# the page (made again for each page, as Jinja2 makes it)
AT_CALL = '{% macro here() %}<p class="here">{{ page.path }}|{{ entry.title }}</p>{% endmacro %}\n'
AT_TOP = (
    "{% set top = page.path %}\n"
    '{% macro here_top() %}<p class="top">{{ top }}|{{ site.story.title }}</p>{% endmacro %}\n'
)
PERSON = """{% extends "base.html" %}
{% import "macros.html" as m with context %}
{% import "top.html" as t with context %}
{% block main %}{{ m.here() }}{{ t.here_top() }}{{ m.link(none) }}{% endblock %}
"""


def _themed(tmp_path):
    project = copy_project(FIXTURES / "complete", tmp_path)
    templates = project / "theme" / "templates"
    macros = (default_theme() / "templates" / "macros.html").read_text(encoding="utf-8")
    (templates / "macros.html").write_text(macros + AT_CALL, encoding="utf-8")
    (templates / "top.html").write_text(AT_TOP, encoding="utf-8")
    (templates / "person.html").write_text(PERSON, encoding="utf-8")
    return project


def _people(rendered) -> dict[str, BeautifulSoup]:
    return {
        path: BeautifulSoup(html, "html.parser")
        for path, html in rendered.files.items()
        if path.startswith("people/") and path.count("/") == 2 and "embed" not in path
    }


@pytest.mark.parametrize("workers", [1, 2])
def test_a_themes_macros_see_the_page_that_imports_them(tmp_path, workers):
    project = _themed(tmp_path)
    linked = load(project, Diagnostics())
    pages = plan_pages(linked)
    rendered = render_pages(Renderer(linked, collect_assets(linked)), pages, Diagnostics(), workers=workers)
    people = _people(rendered)
    assert len(people) >= 3
    titles = {page.output_path: page.entry.title for page in pages if page.entry is not None}
    for path, soup in people.items():
        here = path.removesuffix("index.html")
        assert soup.select_one("p.here").get_text() == f"{here}|{titles[path]}"  # read when called
        assert soup.select_one("p.top").get_text() == f"{here}|{linked.content.story.title}"  # read at the top


def test_a_kept_environment_renders_a_later_build_with_its_own_values(tmp_path):
    """``serve`` keeps its environment between builds: the macros of the second build see its story."""
    project = _themed(tmp_path)
    first = load(project, Diagnostics())
    renderer = Renderer(first, collect_assets(first))
    before = _people(render_pages(renderer, plan_pages(first), Diagnostics()))
    story = project / "content" / "story.md"
    old_title = first.content.story.title
    edit(story, f"title: {old_title}", "title: A story renamed")
    second = load(project, Diagnostics())
    kept = render_pages(
        Renderer(second, collect_assets(second), environment=renderer.env), plan_pages(second), Diagnostics()
    )
    fresh = render_pages(Renderer(second, collect_assets(second)), plan_pages(second), Diagnostics())
    assert kept.files == fresh.files
    after = _people(kept)
    assert after.keys() == before.keys()
    for soup in after.values():
        assert soup.select_one("p.top").get_text().endswith("|A story renamed")
        assert "A story renamed" in soup.main.get_text() and old_title not in soup.main.get_text()


class _Html:
    def __html__(self) -> str:
        return "<b>safe</b>"


@pytest.mark.parametrize(
    "value",
    ["plain", "", "<a href=\"x\">'&'</a>", "é — “quoted”", markupsafe.Markup("<i>kept</i>"), 12, 3.5, None, _Html()],
)
def test_output_is_escaped_as_markupsafe_escapes_it(value):
    assert str(_escape_output(value)) == str(markupsafe.escape(value))
