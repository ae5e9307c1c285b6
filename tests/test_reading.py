"""Reading the format: both entry forms, settings defaults, and precise positions.

Every test runs twice, reading YAML with libyaml and with PyYAML's own parser.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import BuiltSite

from explainer.build import build, check
from explainer.diagnostics import ContentError

pytestmark = pytest.mark.usefixtures("yaml_parser")  # every test runs with both YAML parsers


def write_project(root: Path, files: dict[str, str]) -> Path:
    base = {
        "content/story.md": "---\ntitle: A story\nsummary: What it is about.\npublished: 2024-01-02\n"
        "language: de\n---\nBody.\n",
    }
    for name, text in {**base, **files}.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def errors(project: Path) -> list[str]:
    with pytest.raises(ContentError) as caught:
        check(project)
    return [d.format().replace(str(project) + "/", "") for d in caught.value.diagnostics]


def test_settings_default_to_the_story(tmp_path):
    project = write_project(tmp_path, {"content/people.yml": "- name: Ann Lee\n  role: Witness\n"})
    site = BuiltSite(build(project).out)
    home = site.soup("index.html")
    assert home.find("html")["lang"] == "de"
    assert home.find("title").get_text() == "A story"
    assert site.soup("people/ann-lee/index.html").find("h1").get_text() == "Ann Lee"
    assert site.broken_links() == []


def test_yaml_list_slugs_come_from_the_title_or_the_slug_field(tmp_path):
    project = write_project(
        tmp_path,
        {
            "content/claims.yml": "- claim: The sky is green!\n  by: [ann]\n  status: false\n  sources: [s]\n"
            "- slug: custom\n  claim: Water is wet.\n  by: [ann]\n  status: confirmed\n"
            "  sources: [s]\n",
            "content/people/ann.md": "---\nname: Ann\nrole: Witness\n---\n",
            "content/sources.yml": "- id: s\n  title: A source\n",
        },
    )
    out = build(project).out
    assert (out / "claims/the-sky-is-green/index.html").is_file()
    assert (out / "claims/custom/index.html").is_file()
    statuses = BuiltSite(out).headings("claims/index.html")
    assert statuses == ["Wer sagt was", "Bestätigt", "Falsch"]  # the story is in German


def test_wikilink_positions_in_yaml_block_bodies(tmp_path):
    project = write_project(
        tmp_path,
        {
            "content/people.yml": "- name: Ann\n  role: Witness\n  body: |\n    First line.\n"
            "    Then [[nobody]] here.\n"
            "- name: Bob\n  role: Other\n  body: See [[nobody-else]].\n",
        },
    )
    found = errors(project)
    assert any(e.startswith("content/people.yml:5:12: error: [[nobody]] does not match any entry") for e in found), (
        found
    )
    assert any(e.startswith("content/people.yml:8:15: error: [[nobody-else]]") for e in found), found


def test_wikilink_positions_in_markdown_bodies(tmp_path):
    project = write_project(
        tmp_path,
        {
            "content/story.md": "---\ntitle: T\nsummary: S.\npublished: 2024-01-02\n---\n\nIntro line.\n"
            "A [[missing\nperson]] wraps.\n",
        },
    )
    assert errors(project)[0].startswith("content/story.md:8:5: error: [[missing person]] does not match any entry")


def test_unknown_field_gets_the_closest_name(tmp_path):
    project = write_project(tmp_path, {"content/people/ann.md": "---\nname: Ann\nrole: Witness\naliasses: [A]\n---\n"})
    assert errors(project) == [
        "content/people/ann.md:4:1: error: unknown field 'aliasses' in this person\n  hint: did you mean 'aliases'?"
    ]


def test_yaml_error_in_front_matter_maps_to_the_file_line(tmp_path):
    project = write_project(tmp_path, {"content/people/ann.md": "---\nname: Ann\nrole: [Witness\n---\n"})
    (error,) = errors(project)
    assert error.startswith("content/people/ann.md:3:15: error: invalid YAML: expected ',' or ']'")


def test_tab_indentation_is_reported(tmp_path):
    project = write_project(tmp_path, {"content/people.yml": "- name: Ann\n\trole: Witness\n"})
    (error,) = errors(project)
    assert error.startswith("content/people.yml:2:1: error: invalid YAML")
    assert "tabs" in error


def test_all_problems_are_reported_at_once_and_sorted(tmp_path):
    project = write_project(
        tmp_path,
        {
            "content/events/a.md": "---\ntitle: A\ndate: 2024-13\npeople: [ghost]\n---\n",
            "content/claims/b.md": "---\nclaim: B\nby: bob\nstatus: maybe\n---\n",
            "content/questions/c.md": "---\nquestion: Why\nstatus: answered\n---\n",
        },
    )
    found = [e.split("\n")[0] for e in errors(project) if ": error: " in e]
    assert found == [
        "content/claims/b.md:3:5: error: 'by' must be a list",
        "content/claims/b.md:4:9: error: 'status' is 'maybe', which is not one of the claim statuses: unverified, "
        "disputed, supported, confirmed, false, retracted",
        "content/events/a.md:3:7: error: 'date' has a bad date: '2024-13' has month 13; months run from 01 to 12",
        "content/events/a.md:4:10: error: in 'people': unknown person 'ghost'",
        "content/questions/c.md:2:11: error: a question must end with '?'",
        "content/questions/c.md:3:9: error: an answered question needs the date it was answered",
    ]
