"""What a build after no change needs and nothing more: a project's fixed names and the digest of a list.

Everything here imports only the standard library, so ``explainer build`` can tell that nothing changed
before it imports the pipeline (Jinja2, Markdown, PyYAML, Babel).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

CONFIG_FILE = "explainer.yml"
CONTENT_DIR = "content"
SEARCH_BUNDLE = "pagefind"  # the search index's folder in the site
# each entry's part of story.json and of timeline.json, kept between builds by the name part_key gives it
# (explainer.exports.Parts makes them, explainer.buildcache stores them)
STORY_PART, TIMELINE_PART = "story", "timeline"
EXPORT_PARTS = (STORY_PART, TIMELINE_PART)


def part_key(part: str, entry_key: str) -> str:
    """The name an entry's part of an export is kept by."""
    return f"{part}:{entry_key}"


def hash_parts(parts: Iterable[str]) -> str:
    """One digest of many strings (NUL-separated, so no two lists share one)."""
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()
