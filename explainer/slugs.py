"""Slugs: the stable identity of every entry, used in URLs and references."""

from __future__ import annotations

import re
import unicodedata

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# A slug names a folder in the built site; file systems allow 255 bytes a name, and
# hosts and archives often fewer. Far longer than any slug a person would type.
MAX_SLUG_LENGTH = 200


def slugify(text: str) -> str:
    """Lowercase ASCII words joined by hyphens ("Joel Souza" -> "joel-souza")."""
    ascii_text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode("ascii")
    ascii_text = ascii_text.replace("'", "")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def is_valid_slug(slug: str) -> bool:
    return bool(SLUG_PATTERN.match(slug))
