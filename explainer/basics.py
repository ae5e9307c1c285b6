"""What a build after no change needs and nothing more: a project's fixed names and the digest of a list.

Everything here imports only the standard library, so ``explainer build`` can tell that nothing changed
before it imports the pipeline (Jinja2, Markdown, PyYAML, Babel).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from datetime import date, datetime, timezone

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


def build_date() -> date:
    """The build's own date: today, or ``SOURCE_DATE_EPOCH``'s for a reproducible build (ValueError when that is
    not a date: see :func:`source_date_epoch`; build, check and serve stop on it at their start)."""
    return source_date_epoch() or date.today()


def source_date_epoch() -> date | None:
    """The day ``SOURCE_DATE_EPOCH`` sets for a reproducible build (None when it is not set). A value that is not a
    whole number of seconds since 1970 in a year a date can hold raises ValueError, which says so: the variable's
    specification (https://reproducible-builds.org/specs/source-date-epoch/) asks a build to stop on it, since
    building as of today would not be the reproducible build that was asked for."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch:
        return None
    try:
        if not epoch.isascii() or not epoch.isdigit():
            raise ValueError(epoch)
        return datetime.fromtimestamp(int(epoch), tz=timezone.utc).date()
    except (ValueError, OverflowError, OSError):
        raise ValueError(
            f"SOURCE_DATE_EPOCH is '{epoch[:40]}', which is not a whole number of seconds since 1970-01-01 UTC "
            "in a year up to 9999; set it to one (e.g. git log -1 --format=%ct), or unset it to build as of today"
        ) from None
