"""One declaration per kind of entry: a new kind is a few lines, and the reference cannot drift from the code."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import BuiltSite, copy_project

from explainer import reference
from explainer.build import build, check
from explainer.diagnostics import ContentError
from explainer.model import KINDS, Entry, FieldSpec, Kind, Ref, as_date, as_refs, as_text, register_kind
from explainer.scaffold import new_entry

BASE = Path(__file__).resolve().parent / "broken" / "_base"


@dataclass(eq=False)
class Document(Entry):
    """A toy kind: a court filing or report, with the people it names."""

    document_title: str = ""
    filed: object = None
    people: list[Ref] = field(default_factory=list)

    @property
    def title(self) -> str:
        return self.document_title


@pytest.fixture()
def documents():
    """The toy kind, registered for one test only."""
    kind = register_kind(
        Kind(
            "documents",
            "document",
            Document,
            (
                FieldSpec(
                    "title",
                    as_text,
                    required=True,
                    attribute="document_title",
                    meaning="the document's title",
                    scaffold="{title}",
                ),
                FieldSpec("filed", as_date, meaning="when it was filed", scaffold="YYYY-MM-DD"),
                FieldSpec("people", as_refs, refers_to="people", meaning="people it names", scaffold="[{person}]"),
            ),
            title_field="title",
            label="Documents",
        )
    )
    yield kind
    del KINDS[kind.collection]


@pytest.fixture()
def project(tmp_path) -> Path:
    target = tmp_path / "story"
    shutil.copytree(BASE, target, ignore=shutil.ignore_patterns(".explainer-cache", "build"))
    return target


def test_a_new_kind_is_one_declaration_and_builds(documents, project, tmp_path):
    (project / "content/documents").mkdir()
    (project / "content/documents/court-filing.md").write_text(
        "---\ntitle: The court filing\nfiled: 2024-06-01\npeople: [ann-lee]\nsources: [report]\n---\n\n"
        "It names [[Ann Lee]] and the [[first-event]].\n"
    )
    (project / "content/documents.yml").write_text("- title: A second report\n  people: [ann-lee]\n")
    result = build(project, tmp_path / "site", search=False)
    assert not [w for w in result.warnings if "documents" in str(w.span.path)]  # a known part of the format
    out = result.out
    site = BuiltSite(out)
    assert site.broken_links() == []
    assert (out / "documents/index.html").is_file() and (out / "documents/court-filing/index.html").is_file()
    assert (out / "documents/a-second-report/index.html").is_file()
    page = site.soup("documents/court-filing/index.html")
    assert page.find("h1").get_text() == "The court filing"
    nav = [a.get_text() for a in site.soup("index.html").select("nav.site-nav a")]
    assert "Documents" in nav
    # the reference field links both ways: the person page lists the document
    person = site.soup("people/ann-lee/index.html")
    assert any(a.get("href", "").endswith("documents/court-filing/index.html") for a in person.find_all("a"))
    story = json.loads((out / "story.json").read_text())
    assert [d["slug"] for d in story["documents"]] == ["court-filing", "a-second-report"]
    assert story["documents"][0]["people"] == ["ann-lee"] and story["documents"][0]["filed"] == "2024-06-01"


def test_a_new_kind_gets_errors_and_a_scaffold_like_the_others(documents, project):
    (project / "content/documents").mkdir()
    (project / "content/documents/bad.md").write_text(
        "---\ntitle: Bad\npeople: [nobody]\nfiled: 2024-13-01\ncolour: red\n---\n"
    )
    with pytest.raises(ContentError) as failure:
        check(project)
    messages = [d.format() for d in failure.value.diagnostics]
    assert any("unknown person 'nobody'" in m for m in messages)
    assert any("'filed' has a bad date" in m for m in messages)
    assert any("unknown field 'colour' in this document" in m for m in messages)
    (project / "content/documents/bad.md").unlink()
    (project / "content/documents.yml").write_text("- title: Broken\n  filed: not a date\n")
    with pytest.raises(ContentError) as failure:  # a broken list item of a new kind: an error, not a crash
        check(project)
    assert any("'filed' has a bad date" in d.message for d in failure.value.diagnostics)
    (project / "content/documents.yml").unlink()
    path = new_entry(project, "document", "A new filing")
    assert path == project / "content/documents/a-new-filing.md"
    assert path.read_text().startswith("---\ntitle: A new filing\n# filed: YYYY-MM-DD\n")
    check(project)


def test_the_docs_field_tables_and_json_schema_are_generated_from_the_registry():
    assert reference.main(["--check"]) == 0, "run: python -m explainer.reference"
    document = reference.FORMAT_DOC.read_text(encoding="utf-8")
    for kind in KINDS.values():
        assert f"<!-- fields: {kind.collection} -->\n" + reference.field_tables()[kind.collection] in document
        for spec in kind.all_fields:
            assert f"| `{spec.name}` |" in reference.field_tables()[kind.collection]


def test_a_new_field_appears_in_the_reference(documents):
    tables = reference.field_tables()
    assert "| `filed` | no | when it was filed |" in tables["documents"]
    schema = reference.story_schema()
    assert schema["properties"]["documents"]["items"]["properties"]["filed"] == {"$ref": "#/$defs/date"}
    assert "documents" in schema["required"]


def test_every_page_has_the_navigation_of_every_kind(tmp_path):
    out = build(copy_project(BASE, tmp_path), tmp_path / "site", search=False).out
    page = BeautifulSoup((out / "404.html").read_text(), "html.parser")
    listed = [a.get_text() for a in page.select("main ul.entries a")]
    assert listed[: len(KINDS)] == [kind.navigation for kind in KINDS.values()]
