"""Start a project (`explainer init`) and add entries (`explainer new`).

New entry files hold every required field, with a placeholder that says what
to write; the starter project builds with no error and no warning.
"""

from __future__ import annotations

import shutil
from datetime import date
from importlib.resources import files
from pathlib import Path

import yaml

from explainer.diagnostics import Diagnostics, UsageError
from explainer.model import COLLECTIONS, SINGULAR
from explainer.reader import CONTENT_DIR, read_project
from explainer.slugs import slugify

KINDS = {**{SINGULAR[c]: c for c in COLLECTIONS}, "source": "sources"}


def starter_dir() -> Path:
    return Path(str(files("explainer") / "starter"))


def init_project(folder: Path) -> list[Path]:
    """Create a new story project in ``folder``, which must be new or empty."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise UsageError(f"refusing to start a project in {folder}: it is not an empty folder")
    folder.mkdir(parents=True, exist_ok=True)
    created = []
    for source in sorted(starter_dir().rglob("*")):
        if source.is_dir() or source.suffix == ".pyc" or "__pycache__" in source.parts:
            continue
        relative = source.relative_to(starter_dir())
        target = folder / (".gitignore" if relative.as_posix() == "gitignore" else relative)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        created.append(target)
    return created


def _existing_keys(project: Path) -> tuple[set[str], set[str]]:
    """Entry keys and source ids already in the project, read leniently."""
    content = read_project(project, Diagnostics())
    return {e.key for e in content.all_entries()} | content.unreadable, {s.id for s in content.sources}


def _front_matter(kind: str, title: str, people: list[str]) -> str:
    today = date.today().isoformat()
    example = f"[{people[0]}]" if people else "[person-slug]"
    fields = {
        "person": [f"name: {_quote(title)}", "role: One line on who they are in this story",
                   "# kind: person  (or group, organization)", "# aliases: [Other name]", "# sources: [source-id]"],
        "event": [f"title: {_quote(title)}", f"date: {today}  # YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDTHH:MM",
                  "# end_date: YYYY-MM-DD", "# place: Where it happened",
                  f"people: []  # people involved, e.g. {example}", "# key: true  (show on the story page)",
                  "# sources: [source-id]"],
        "claim": [f"claim: {_quote(title)}", f"by: []  # who made it, e.g. {example}",
                  "status: unverified  # disputed, supported, confirmed, false or retracted", "# date: YYYY-MM-DD",
                  "# quote: The exact words", "# about: [events/slug]", "# sources: [source-id]"],
        "question": [f"question: {_quote(title if title.endswith('?') else title + '?')}",
                     "# status: answered  (with answered: YYYY-MM-DD)", "# about: [people/slug]",
                     "# sources: [source-id]"],
    }[kind]
    body = {"person": "Background, in Markdown.", "event": "What happened, in Markdown.",
            "claim": "Context: what the evidence says.", "question": "What is known so far."}[kind]
    return "---\n" + "\n".join(fields) + "\n---\n\n" + body + "\n"


def _quote(text: str) -> str:
    """The text as a YAML scalar, quoted only when it must be."""
    return yaml.safe_dump(text, default_style=None, allow_unicode=True, width=10_000).removesuffix("\n...\n").strip()


def new_entry(project: Path, kind: str, title: str) -> Path:
    """Write a new entry (or append a source) and return the file it went into."""
    collection = KINDS[kind]
    slug = slugify(title)
    if not slug:
        raise UsageError(f"cannot make a slug from '{title}': use letters or digits in the title")
    content_dir = project / CONTENT_DIR
    if not content_dir.is_dir():
        raise UsageError(f"{project} has no content/ folder: run explainer init first, or pass --project")
    keys, source_ids = _existing_keys(project)
    if collection == "sources":
        if slug in source_ids:
            raise UsageError(f"a source with id '{slug}' already exists in content/sources.yml")
        path = content_dir / "sources.yml"
        existing = path.read_text(encoding="utf-8") if path.exists() else ""
        item = yaml.safe_dump([{"id": slug, "title": title}], allow_unicode=True, sort_keys=False)
        item += "  # publisher: Outlet\n  # url: https://\n  # date: YYYY-MM-DD\n"
        separator = "" if not existing or existing.endswith("\n") else "\n"
        path.write_text(existing + separator + item, encoding="utf-8")
        return path
    path = content_dir / collection / f"{slug}.md"
    if path.exists() or f"{collection}/{slug}" in keys:
        raise UsageError(f"a {kind} with the slug '{slug}' already exists; edit it, or choose another title")
    people = sorted(key.split("/")[1] for key in keys if key.startswith("people/"))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(_front_matter(kind, title, people), encoding="utf-8")
    return path
