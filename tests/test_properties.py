"""Property-based tests: random valid stories build cleanly; random damage never crashes."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import click
import yaml
from conftest import BuiltSite
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from explainer.build import build
from explainer.model import CLAIM_STATUSES
from explainer.typography import plain_rules, typeset_plain

ENGLISH = plain_rules(("“", "”"))  # the quote rules an English page typesets plain text by
SETTINGS = settings(
    max_examples=int(__import__("os").environ.get("EXPLAINER_EXAMPLES", "25")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

# Names may hold markup and punctuation (they must come out escaped), but not the
# characters that delimit a wikilink.
NAME_TEXT = st.text(
    alphabet=st.characters(whitelist_categories=("L", "N", "P", "S", "Zs"), blacklist_characters="[]|`\\"), max_size=12
)


def dates():
    year = st.integers(1900, 2040)
    return st.one_of(
        year.map(str),
        st.tuples(year, st.integers(1, 12)).map(lambda t: f"{t[0]}-{t[1]:02d}"),
        st.tuples(year, st.integers(1, 12), st.integers(1, 28)).map(lambda t: f"{t[0]}-{t[1]:02d}-{t[2]:02d}"),
        st.tuples(year, st.integers(1, 12), st.integers(1, 28), st.integers(0, 23), st.integers(0, 59)).map(
            lambda t: f"{t[0]}-{t[1]:02d}-{t[2]:02d}T{t[3]:02d}:{t[4]:02d}"
        ),
    )


@st.composite
def stories(draw):
    """A valid story: every reference points at something that exists, in any mix of forms."""
    n_people = draw(st.integers(1, 5))
    people = [
        {
            "name": f"P{i} {draw(NAME_TEXT)}".strip(),
            "role": draw(NAME_TEXT).strip() or "role",  # blank text is rightly an error
            "kind": draw(st.sampled_from(["person", "group", "organization"])),
            "slug": f"p{i}",
        }
        for i in range(n_people)
    ]
    slugs = [p["slug"] for p in people]
    sources = [{"id": f"s{i}", "title": f"Source {i}"} for i in range(draw(st.integers(1, 3)))]
    source_ids = [s["id"] for s in sources]
    events = []
    for i in range(draw(st.integers(0, 5))):
        event = {
            "slug": f"e{i}",
            "title": f"Event {i} {draw(NAME_TEXT)}".strip(),
            "date": draw(dates()),
            "people": draw(st.lists(st.sampled_from(slugs), min_size=1, unique=True)),
            "sources": draw(st.lists(st.sampled_from(source_ids), unique=True)),
            "key": draw(st.booleans()),
        }
        events.append(event)
    claims = []
    n_claims = draw(st.integers(0, 5))
    for i in range(n_claims):
        others = [f"c{j}" for j in range(n_claims) if j != i]
        claims.append(
            {
                "slug": f"c{i}",
                "claim": f"Claim {i} {draw(NAME_TEXT)}".strip(),
                "by": draw(st.lists(st.sampled_from(slugs), min_size=1, unique=True)),
                "status": draw(st.sampled_from(CLAIM_STATUSES)),
                "disputes": draw(st.lists(st.sampled_from(others), unique=True)) if others else [],
                "supports": draw(st.lists(st.sampled_from(others), unique=True)) if others else [],
                "sources": draw(st.lists(st.sampled_from(source_ids), min_size=1, unique=True)),
            }
        )
    keys = (
        [f"people/{s}" for s in slugs]
        + [f"events/{e['slug']}" for e in events]
        + [f"claims/{c['slug']}" for c in claims]
    )
    questions = []
    for i in range(draw(st.integers(0, 3))):
        question = {
            "slug": f"q{i}",
            "question": f"Question {i}?",
            "about": draw(st.lists(st.sampled_from(keys), unique=True)),
        }
        if draw(st.booleans()):
            question.update(status="answered", answered=draw(dates()))
        questions.append(question)
    every = [*people, *events, *claims, *questions]
    for entry in every:  # bodies with wikilinks in every form
        forms = []
        for key in draw(st.lists(st.sampled_from(keys), max_size=3)):
            kind, slug = key.split("/")
            forms.append(draw(st.sampled_from([f"[[{slug}]]", f"[[{key}]]", f"[[{key}|shown text]]"])))
        entry["body"] = f"Text about {' and '.join(forms) or 'nothing'}.\n"
        entry["as_markdown"] = draw(st.booleans())
    story_links = " ".join(f"[[{k}]]" for k in draw(st.lists(st.sampled_from(keys), max_size=4)))
    return {
        "people": people,
        "events": events,
        "claims": claims,
        "questions": questions,
        "sources": sources,
        "story_links": story_links,
    }


def write_story(story: dict, root: Path) -> None:
    content = root / "content"
    content.mkdir(parents=True)
    (content / "story.md").write_text(
        "---\n"
        + yaml.safe_dump({"title": "Random story", "summary": "Generated.", "published": "2024-01-01"})
        + f"---\n\nStory text {story['story_links']}\n",
        encoding="utf-8",
    )
    (content / "sources.yml").write_text(yaml.safe_dump(story["sources"]), encoding="utf-8")
    for collection in ("people", "events", "claims", "questions"):
        listed = []
        for entry in story[collection]:
            fields = {k: v for k, v in entry.items() if k not in ("as_markdown", "body", "slug")}
            if entry["as_markdown"]:
                folder = content / collection
                folder.mkdir(exist_ok=True)
                (folder / f"{entry['slug']}.md").write_text(
                    "---\n" + yaml.safe_dump(fields, allow_unicode=True) + "---\n\n" + entry["body"], encoding="utf-8"
                )
            else:
                listed.append({"slug": entry["slug"], **fields, "body": entry["body"]})
        if listed:
            (content / f"{collection}.yml").write_text(yaml.safe_dump(listed, allow_unicode=True), encoding="utf-8")


@SETTINGS
@given(stories())
def test_valid_random_stories_build_with_every_link_and_backlink(story):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "story"
        write_story(story, root)
        site = BuiltSite(build(root).out)
        assert site.broken_links() == []
        for person in story["people"]:
            page = f"people/{person['slug']}/index.html"
            shown = {" ".join(person["name"].split()), person["name"]}  # names are typeset as bodies are
            assert site.soup(page).find("h1").get_text() in shown | {typeset_plain(name, ENGLISH) for name in shown}
        for event in story["events"]:
            for slug in event["people"]:
                assert f"events/{event['slug']}/index.html" in site.links(f"people/{slug}/index.html")
        for claim in story["claims"]:
            for target in claim["disputes"] + claim["supports"]:
                assert f"claims/{claim['slug']}/index.html" in site.links(f"claims/{target}/index.html")
            for slug in claim["by"]:
                assert f"claims/{claim['slug']}/index.html" in site.links(f"people/{slug}/index.html")


MUTATIONS = ["delete-line", "duplicate-line", "insert", "truncate", "replace-char", "swap-lines"]
NOISE = st.sampled_from(
    [
        ":",
        "-",
        "[",
        "]",
        "{",
        "}",
        "|",
        ">",
        "&",
        "*",
        "!",
        "%",
        "@",
        "`",
        '"',
        "'",
        "\t",
        "\n",
        "#",
        "---",
        "[[",
        "]]",
        "[[nobody]]",
        "\x00",
        "\ufeff",
        "date: 2024-02-30",
        "<<: *x",
        "&a [*a]",
        "!!python/object:os.system",
        "é",
        "\r\n",
    ]
)


@SETTINGS
@given(stories(), st.data())
def test_random_damage_never_crashes_and_never_touches_the_last_build(story, data):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "story"
        write_story(story, root)
        out = build(root).out
        before = {p: p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
        files = sorted(p for p in (root / "content").rglob("*") if p.is_file())
        target = data.draw(st.sampled_from(files))
        lines = target.read_text(encoding="utf-8").split("\n")
        kind = data.draw(st.sampled_from(MUTATIONS))
        at = data.draw(st.integers(0, max(0, len(lines) - 1)))
        if kind == "delete-line":
            del lines[at]
        elif kind == "duplicate-line":
            lines.insert(at, lines[at])
        elif kind == "insert":
            line = lines[at]
            column = data.draw(st.integers(0, len(line)))
            lines[at] = line[:column] + data.draw(NOISE) + line[column:]
        elif kind == "truncate":
            lines = lines[:at]
        elif kind == "replace-char" and lines[at]:
            column = data.draw(st.integers(0, len(lines[at]) - 1))
            lines[at] = lines[at][:column] + data.draw(NOISE) + lines[at][column + 1 :]
        elif kind == "swap-lines" and len(lines) > 1:
            other = data.draw(st.integers(0, len(lines) - 1))
            lines[at], lines[other] = lines[other], lines[at]
        target.write_text("\n".join(lines), encoding="utf-8")
        try:
            build(root)
            event("damaged story still builds")
        except click.ClickException as problem:
            event(f"refused with exit {problem.exit_code}")  # ContentError or UsageError: a clear report, not a crash
            assert problem.exit_code in (1, 2)
            after = {p: p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
            assert after == before
        shutil.rmtree(root)
