"""The writers' reference, generated from the kind registry so it cannot drift from the code.

Two outputs: the field tables in ``docs/content-format.md`` (between
``<!-- fields: NAME -->`` and ``<!-- /fields -->`` markers) and the JSON
schema of ``story.json`` (``docs/story.schema.json``). A test fails when either
differs from what the code declares; ``python -m explainer.reference`` writes
them again after a change to a kind or a field.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

from explainer.exports import STORY_SCHEMA_VERSION
from explainer.model import (
    ANY_KIND,
    CORRECTION_SCHEMA,
    KINDS,
    SOURCE_SCHEMA,
    SOURCES,
    STATUS_CHANGE_SCHEMA,
    STORY_SCHEMA,
    UPDATE_SCHEMA,
    FieldSpec,
    Kind,
    OpenChoice,
    Records,
    as_bool,
    as_date,
    as_links,
    as_markdown,
    as_markdown_list,
    as_text,
    as_text_list,
    as_whole_number,
)
from explainer.slugs import SLUG_PATTERN
from explainer.statuses import ID_PATTERN

DOCS = Path(__file__).resolve().parent.parent / "docs"
FORMAT_DOC = DOCS / "content-format.md"
SCHEMA_FILE = DOCS / "story.schema.json"
_BLOCK = re.compile(r"(<!-- fields: (?P<name>[a-z]+) -->\n)(?P<table>.*?)(<!-- /fields -->)", re.S)


# --- field tables -----------------------------------------------------------------------------------


def field_table(fields: tuple[FieldSpec, ...], body: str | None) -> str:
    rows = ["| field | required | meaning |", "| --- | --- | --- |"]
    rows += [f"| `{spec.name}` | {'yes' if spec.required else 'no'} | {spec.meaning} |" for spec in fields]
    if body is not None:
        rows.append(f"| body | — | {body} |")
    return "\n".join(rows) + "\n"


def field_tables() -> dict[str, str]:
    """Every table the format doc holds, by the name in its marker."""
    tables = {
        "story": field_table(STORY_SCHEMA, 'the narrative, "what happened", in Markdown'),
        "sources": field_table(SOURCE_SCHEMA, None),
        "updates": field_table(UPDATE_SCHEMA, None),
        "corrections": field_table(CORRECTION_SCHEMA, None),
        "verdicts": field_table(STATUS_CHANGE_SCHEMA, None),
    }
    for kind in KINDS.values():
        tables[kind.collection] = field_table(kind.all_fields, kind.body)
    return tables


def with_tables(document: str, tables: dict[str, str]) -> str:
    """``document`` with every marked table replaced by the generated one."""
    return _BLOCK.sub(lambda m: m.group(1) + tables.get(m.group("name"), m.group("table")) + m.group(4), document)


# --- the JSON schema of story.json -----------------------------------------------------------------

_DATE = {"$ref": "#/$defs/date"}


def field_schema(spec: FieldSpec, statuses: tuple[str, ...] | None = None) -> dict[str, Any]:
    """The JSON schema of one field's exported value.

    ``statuses``: a site's claim statuses (built in and configured); None: any built-in one, or any id a site
    may add in ``claim_statuses`` (the schema published in docs/)."""
    if isinstance(spec.convert, OpenChoice):
        if statuses is not None:
            return {"enum": list(statuses)}
        return {
            "anyOf": [{"enum": list(spec.convert.choices)}, {"type": "string", "pattern": ID_PATTERN.pattern}],
            "description": "A built-in status, or one the site adds in explainer.yml (claim_statuses), "
            "described in the top-level claim_statuses list.",
        }
    choices = getattr(spec.convert, "choices", None)
    if choices is not None:
        return {"enum": list(choices)}
    if spec.convert is as_date:
        return _DATE
    if spec.convert is as_bool:
        return {"type": "boolean"}
    if spec.convert is as_text_list:
        return {"type": "array", "items": {"type": "string"}}
    if spec.convert is as_links:
        return {"type": "object", "additionalProperties": {"type": "string"}}
    if spec.refers_to is not None:
        item = {SOURCES: {"type": "string"}, ANY_KIND: {"$ref": "#/$defs/key"}}.get(
            spec.refers_to, {"$ref": "#/$defs/slug"}
        )
        schema: dict[str, Any] = {"type": "array", "items": item}
        if spec.refers_to == SOURCES:
            schema["description"] = "Ids of the sources cited."
        return schema
    if spec.convert is as_text:
        return {"type": "string", "minLength": 1} if spec.required else {"type": ["string", "null"]}
    if spec.convert is as_markdown:
        text = {"type": "string", "minLength": 1} if spec.required else {"type": ["string", "null"]}
        return {**text, "description": "Markdown as written; wikilinks unchanged."}
    if spec.convert is as_markdown_list:
        return {"type": "array", "items": {"type": "string"}, "description": "Markdown as written."}
    if spec.convert is as_whole_number:
        return {"type": ["integer", "null"]}
    if isinstance(spec.convert, Records):
        return {"type": "array", "items": records_schema(spec.convert.schema, statuses)}
    return {}


def records_schema(fields: tuple[FieldSpec, ...], statuses: tuple[str, ...] | None = None) -> dict[str, Any]:
    """The JSON schema of one item of a list of small records (a correction, a verdict, an update)."""
    return {
        "type": "object",
        "additionalProperties": False,
        "required": [spec.name for spec in fields],
        "properties": {spec.name: field_schema(spec, statuses) for spec in fields},
    }


_LAST_CHANGE = {
    "$ref": "#/$defs/date",
    "description": "Derived: the latest of the entry's own `updated`, its corrections, its verdicts and the "
    "non-minor updates that name it; null when none is recorded.",
}


def _entry_schema(kind: Kind, statuses: tuple[str, ...] | None) -> dict[str, Any]:
    relations = sorted({"mention", *(name for other in KINDS.values() for name, _ in other.references())})
    properties: dict[str, Any] = {
        "slug": {"$ref": "#/$defs/slug"},
        "path": {
            "type": "string",
            "description": f"The entry page's path from the site root, e.g. {kind.collection}/some-slug/.",
        },
        "url": {"type": "string", "format": "uri", "description": "Absolute URL; present only when base_url is set."},
    }
    properties.update({spec.name: field_schema(spec, statuses) for spec in kind.all_fields})
    properties["body"] = {"type": "string", "description": "The Markdown body as written; wikilinks unchanged."}
    properties["backlinks"] = {
        "type": "array",
        "description": "Everything that refers to this entry.",
        "items": {
            "type": "object",
            "additionalProperties": False,
            "required": ["from", "relation"],
            "properties": {
                "from": {"anyOf": [{"$ref": "#/$defs/key"}, {"const": "story"}]},
                "relation": {"enum": relations},
            },
        },
    }
    properties["last_change"] = _LAST_CHANGE
    return {
        "type": "array",
        "items": {
            "type": "object",
            "additionalProperties": False,
            "required": [name for name in properties if name != "url"],
            "properties": properties,
        },
    }


def _statuses_schema(statuses: tuple[str, ...] | None) -> dict[str, Any]:
    status = {"enum": list(statuses)} if statuses is not None else {"type": "string", "pattern": ID_PATTERN.pattern}
    return {
        "type": "array",
        "description": "The claim statuses the site knows, in the order it groups claims by: those set in "
        "explainer.yml's claim_statuses first, as written, then the built-in ones not set there. Labels and "
        "meanings are as the site shows them (built-in ones in the site's language).",
        "items": {
            "type": "object",
            "additionalProperties": False,
            "required": ["id", "label", "meaning", "built_in", "like"],
            "properties": {
                "id": status,
                "label": {"type": "string", "minLength": 1},
                "meaning": {"type": "string"},
                "built_in": {"type": "boolean"},
                "like": {
                    "type": ["string", "null"],
                    "description": "The built-in status whose badge a house verdict borrows, else null.",
                },
            },
        },
    }


def story_schema(statuses: tuple[str, ...] | None = None) -> dict[str, Any]:
    """The JSON schema of story.json: any site's (the one in docs/), or with ``statuses`` one site's exactly."""
    story_fields = {spec.name: field_schema(spec) for spec in STORY_SCHEMA}
    story_fields["language"] = {"type": "string"}
    story_fields["body"] = {"type": "string"}
    story_fields["last_change"] = {
        "$ref": "#/$defs/date",
        "description": "Derived: the latest change anywhere in the story (its own `updated`, every entry's, every "
        "correction, verdict and non-minor update), else `published`.",
    }
    sources = {spec.name: field_schema(spec) for spec in SOURCE_SCHEMA}
    sources["id"] = {"type": "string"}
    sources["cited_by"] = {"type": "array", "items": {"$ref": "#/$defs/key"}}
    kinds = "|".join(KINDS)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://explainer.invalid/schemas/story/{STORY_SCHEMA_VERSION}.json",
        "title": f"explainer story export (story.json), version {STORY_SCHEMA_VERSION}",
        "description": "The whole story as built: entries, references, backlinks, sources and the update log. The "
        "version changes only when a field is removed or changes meaning, or with the content format's own version; "
        "new optional fields may appear within a version. Version 2 (the living story) only adds to version 1: "
        "story.key_points, story.corrections, story.last_change; on every entry summary, corrections, weight and "
        "last_change; status_history on claims; answer on questions; the top-level updates list; and the "
        "top-level claim_statuses list (a site's house verdicts with the built-in statuses). Every "
        "version-1 field keeps its name and meaning, so a version-1 reader that ignores unknown fields reads "
        "version 2 unchanged once it accepts the new version number. See docs/open-data.md.",
        "type": "object",
        "additionalProperties": False,
        "required": ["format", "version", "base_url", "story", *KINDS, "sources", "updates"],
        "properties": {
            "format": {"const": "explainer-story"},
            "version": {"const": STORY_SCHEMA_VERSION},
            "base_url": {
                "type": ["string", "null"],
                "description": "Absolute address of the site, or null when not set.",
            },
            "story": {
                "type": "object",
                "additionalProperties": False,
                "required": list(story_fields),
                "properties": story_fields,
            },
            **{collection: _entry_schema(kind, statuses) for collection, kind in KINDS.items()},
            "claim_statuses": _statuses_schema(statuses),
            "sources": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": list(sources),
                    "properties": sources,
                },
            },
            "updates": {
                "type": "array",
                "description": "The update log (content/updates.yml) as written, in its order; minor updates included.",
                "items": records_schema(UPDATE_SCHEMA),
            },
        },
        "$defs": {
            "date": {
                "type": ["string", "null"],
                "pattern": r"^\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:\d{2})?)?)?)?$",
                "description": "A date at the precision written: YYYY, YYYY-MM, YYYY-MM-DD or "
                "YYYY-MM-DDTHH:MM[:SS][offset].",
            },
            "slug": {"type": "string", "pattern": SLUG_PATTERN.pattern},
            "key": {
                "type": "string",
                "pattern": f"^({kinds})/{SLUG_PATTERN.pattern.lstrip('^')}",
                "description": "kind/slug",
            },
        },
    }


def schema_text() -> str:
    return json.dumps(story_schema(), indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    """Write the generated reference into docs/ (``--check``: only say whether it is up to date)."""
    wanted = {
        FORMAT_DOC: with_tables(FORMAT_DOC.read_text(encoding="utf-8"), field_tables()),
        SCHEMA_FILE: schema_text(),
    }
    stale = [path for path, text in wanted.items() if path.read_text(encoding="utf-8") != text]
    if "--check" in argv:
        for path in stale:
            print(f"{path}: out of date; run python -m explainer.reference", file=sys.stderr)
        return 1 if stale else 0
    for path in stale:
        path.write_text(wanted[path], encoding="utf-8")
        print(f"wrote {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
