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


def hash_parts(parts: Iterable[str]) -> str:
    """One digest of many strings (NUL-separated, so no two lists share one)."""
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()
