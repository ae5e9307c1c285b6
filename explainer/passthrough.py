"""Files a deployer keeps beside the site (``CNAME``, ``_redirects``, ``.well-known/``).

Everything in the project's ``static/`` folder is copied into the output as it
is, so hosts' own files survive every build instead of being deleted as
strays. Nothing there may replace a file the build makes, and links are not
followed: a link could publish any file on the machine.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from explainer.diagnostics import Diagnostics, Span

PASSTHROUGH_DIR = "static"


def passthrough_files(project: Path, diagnostics: Diagnostics) -> dict[str, bytes]:
    """The files under ``PROJECT/static/`` by their path in the output."""
    root = project / PASSTHROUGH_DIR
    if root.is_symlink() or not root.is_dir():
        if root.is_symlink() or root.exists():
            diagnostics.error(
                Span(root),
                "static/ must be a folder (a link is not followed)",
                "make static/ a real folder holding the files to publish as they are",
            )
        return {}
    files: dict[str, bytes] = {}
    for folder, subfolders, names in os.walk(root, followlinks=False):
        for name in sorted(subfolders):
            if (Path(folder) / name).is_symlink():
                diagnostics.error(
                    Span(Path(folder) / name),
                    "static/ may not hold links; this one was not copied",
                    "copy the folder itself into static/ instead of linking to it",
                )
        for name in sorted(names):
            path = Path(folder) / name
            try:
                info = path.lstat()
                if not stat.S_ISREG(info.st_mode):
                    raise IsADirectoryError  # a link, a pipe, a device: never read
                data = path.read_bytes()
            except IsADirectoryError:
                diagnostics.error(
                    Span(path),
                    "static/ may hold only plain files; this one was not copied",
                    "copy the file itself into static/ instead of linking to it",
                )
                continue
            except OSError as exc:
                diagnostics.error(
                    Span(path),
                    f"cannot read the file: {exc.strerror or exc}",
                    "check that it exists and that you may read it",
                )
                continue
            files[path.relative_to(root).as_posix()] = data
    return files


def check_passthrough(
    project: Path,
    passthrough: dict[str, bytes],
    generated: set[str],
    reserved: tuple[str, ...],
    diagnostics: Diagnostics,
) -> None:
    """A file in static/ may not replace one the build makes, nor sit in a folder the build manages."""
    for name in sorted(passthrough):
        top = name.split("/", 1)[0]
        if name in generated or top in reserved or any(other.startswith(name + "/") for other in generated):
            diagnostics.error(
                Span(project / PASSTHROUGH_DIR / name),
                f"static/{name} would replace a file the build makes",
                "rename or remove it; static/ is for files the build does not make (CNAME, _redirects)",
            )
