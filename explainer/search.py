"""Static search with Pagefind, run over the finished site before it is swapped in.

Pagefind (from PyPI, binary included) indexes the built HTML into small
chunks a browser fetches on demand, and ships an accessible search UI.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

SEARCH_BUNDLE = "pagefind"
PAGEFIND_MISSING = "Pagefind, which builds the search index, is not installed (pip install 'pagefind[bin]')"


def pagefind_executable() -> Path | None:
    try:
        import pagefind_bin
    except ImportError:
        return None
    try:
        return Path(pagefind_bin.get_executable())
    except Exception:  # noqa: BLE001 - no binary for this platform
        return None


def index_site(site: Path, bundle: Path | None = None) -> str | None:
    """Index ``site`` into ``bundle`` (default: its search folder); return a problem, or None on success."""
    executable = pagefind_executable()
    if executable is None:
        return PAGEFIND_MISSING
    where = ["--output-path", str(bundle)] if bundle is not None else ["--output-subdir", SEARCH_BUNDLE]
    result = subprocess.run(
        [str(executable), "--site", str(site), *where, "--silent"], capture_output=True, text=True, timeout=600
    )
    if result.returncode != 0:
        return f"Pagefind failed: {(result.stderr or result.stdout).strip()[:500]}"
    return None
