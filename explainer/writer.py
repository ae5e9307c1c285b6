"""Write the site atomically (the "write" stage).

The new site is written to a temporary folder beside the output and swapped
in only once complete, so a reader, a server or a failed build never sees a
half-written site.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Callable

from explainer.diagnostics import UsageError

MARKER = ".explainer-build"  # marks a folder explainer made, and so may replace
MARKER_TEXT = b"This folder was built by explainer and is replaced whole by each build.\n"


def check_output_folder(out: Path, project: Path, protected: list[Path]) -> None:
    """Refuse an output folder whose replacement would destroy the writer's work."""
    out = out.resolve()
    project = project.resolve()
    home = Path.home().resolve()
    if out == Path(out.anchor) or out == home:
        raise UsageError(f"refusing to build into {out}: it would replace the whole folder")
    if out == project or out in project.parents:
        raise UsageError(f"refusing to build into {out}: it holds the project itself; use a folder such as build/")
    for folder in protected:
        folder = folder.resolve()
        if out == folder or folder in out.parents or out in folder.parents:
            raise UsageError(f"refusing to build into {out}: it would overwrite {folder}")
    if out.exists() and not out.is_dir():
        raise UsageError(f"refusing to build into {out}: it is a file, not a folder")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise UsageError(f"refusing to build into {out}: it is not empty and was not made by explainer; "
                         "choose a new or empty folder with --out, or delete this one yourself")


def write_site(files: dict[str, bytes], out: Path, finish: Callable[[Path], None] | None = None) -> None:
    """Write ``files`` (relative path -> bytes) as the complete new content of ``out``.

    ``finish`` may add to the staged site (a search index) or raise to abandon it;
    either way ``out`` changes only if everything succeeded.
    """
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-new-", dir=out.parent))
    try:
        (staging / MARKER).write_bytes(MARKER_TEXT)
        for relative_path in sorted(files):
            target = staging / relative_path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(files[relative_path])
        if finish is not None:
            finish(staging)
        os.chmod(staging, 0o755)
        replace_folder(staging, out)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def update_site(files: dict[str, bytes], removed: set[str], out: Path) -> None:
    """Bring an existing output folder up to date: write ``files`` and delete ``removed``, nothing else.

    Each file is replaced atomically (written beside it, then renamed), so a reader sees
    the old or the new file, never half of one. The build checks everything before
    it calls this, so content errors never leave a mix of old and new pages.
    """
    for relative_path in sorted(files):
        target = out / relative_path
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".explainer-", dir=target.parent)
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(files[relative_path])
            os.chmod(temporary, 0o644)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    for relative_path in sorted(removed):
        target = out / relative_path
        target.unlink(missing_ok=True)
        for folder in target.parents:  # drop folders left empty (a removed entry's page folder)
            if folder == out or any(folder.iterdir()):
                break
            folder.rmdir()


def replace_folder(new: Path, target: Path) -> None:
    """Swap a complete new folder in for ``target`` (which may not exist)."""
    if target.exists():
        retired = Path(tempfile.mkdtemp(prefix=f".{target.name}-old-", dir=target.parent))
        os.replace(target, retired / target.name)
        os.replace(new, target)
        shutil.rmtree(retired, ignore_errors=True)
    else:
        os.replace(new, target)
