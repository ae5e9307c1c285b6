"""Write the site atomically (the "write" stage).

A first build (or one into a folder explainer did not make) is written to a
temporary folder beside the output and swapped in only once complete; later
builds change their own folder file by file, each file replaced atomically
(:func:`update_site`). Either way a reader, a server or a failed build never
sees a half-written site or a half-written file.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path, PurePosixPath

from explainer.diagnostics import UsageError

MARKER = ".explainer-build"  # marks a folder explainer made, and so may replace
PATH_LIMIT = 4000  # bytes of a whole path, under Linux's 4,096 with room to spare
MARKER_TEXT = b"This folder was built by explainer and is replaced whole by each build.\n"


def check_output_folder(out: Path, project: Path, protected: list[Path]) -> None:
    """Refuse an output folder whose replacement would destroy the writer's work, or that cannot be made."""
    check_output_path(out)
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
    for folder in reversed(out.parents):
        if folder.exists() and not folder.is_dir():
            raise UsageError(f"refusing to build into {out}: {folder} is a file, not a folder")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise UsageError(
            f"refusing to build into {out}: it is not empty and was not made by explainer; "
            "choose a new or empty folder with --out, or delete this one yourself"
        )


def check_output_path(out: Path) -> None:
    """Refuse a path the file system would refuse (checked before asking the file system anything about it)."""
    for part in out.parts:
        if len(part.encode("utf-8")) > 255:
            raise UsageError(
                f"refusing to build into {out}: the name '{part[:40]}...' is longer than a file system "
                "allows (255 bytes)"
            )


class Staging:
    """A complete new site, written file by file into a hidden scratch folder beside ``out`` and swapped in whole
    by :meth:`publish`; :meth:`discard` (after any failure) leaves ``out`` as it was.

    Files may be written from forked worker processes as they are made (a page as soon as it is rendered), so no
    process holds the whole site: each knows its own folders, and a folder another made is made again harmlessly.
    """

    def __init__(self, out: Path):
        self.out = out.resolve()
        self.out.parent.mkdir(parents=True, exist_ok=True)
        self.folder = scratch_folder(self.out, "new")
        self._limit = name_limit(self.out)
        self._out_size = len(str(self.out).encode("utf-8"))
        self._made = {str(self.folder)}  # folders known to exist: each is made once, not asked for again per file

    def write(self, relative_path: str, data: bytes) -> None:
        """Write one file of the new site (a name the file system would refuse, or a failing write, is a
        :class:`UsageError`)."""
        size = len(relative_path.encode("utf-8"))  # no name in it is longer, and the path is longer by out's
        if size > self._limit or self._out_size + 1 + size > PATH_LIMIT:
            problem = name_problem(self.out, relative_path, self._limit)
            if problem is not None:
                raise UsageError(problem)
        try:
            _write_new(os.path.join(self.folder, relative_path), data, self._made)
        except OSError as exc:
            raise UsageError(f"cannot write the site into {self.out}: {exc.strerror or exc}") from None

    def read(self, relative_path: str) -> bytes:
        """A file written into the new site."""
        with open(os.path.join(self.folder, relative_path), "rb") as stream:
            return stream.read()

    def publish(self) -> None:
        """Swap the new site in for ``out``."""
        (self.folder / MARKER).write_bytes(MARKER_TEXT)
        os.chmod(self.folder, 0o755)
        replace_folder(self.folder, self.out)

    def discard(self) -> None:
        """Remove what is left of the new site (nothing, once published)."""
        if self.folder.exists():
            shutil.rmtree(self.folder, ignore_errors=True)


def write_new_files(folder: Path, files: Mapping[str, bytes]) -> None:
    """Write ``files`` (relative path -> bytes) into a folder no one reads yet (staging or scratch), as
    :meth:`Staging.write` does: each folder made once, each file through its descriptor."""
    made: set[str] = set()  # ``folder`` itself may not exist yet
    for relative_path, data in files.items():
        _write_new(os.path.join(folder, relative_path), data, made)


def _write_new(target: str, data: bytes, made: set[str]) -> None:
    """Write a new file, making its folder first unless ``made`` (the folders known to exist, added to) has it."""
    folder = os.path.dirname(target)
    if folder not in made:
        try:
            os.mkdir(folder)  # a page's own folder, in one made already: one call, no check first
        except FileExistsError:
            pass
        except FileNotFoundError:
            os.makedirs(folder, exist_ok=True)
        made.add(folder)
    _write_all(os.open(target, _NEW_FILE, 0o666), data)


def write_site(files: dict[str, bytes], out: Path, finish: Callable[[Path], None] | None = None) -> None:
    """Write ``files`` (relative path -> bytes) as the complete new content of ``out``.

    ``finish`` may add to the staged site (a search index) or raise to abandon it;
    either way ``out`` changes only if everything succeeded.
    """
    staging = Staging(out)
    try:
        for relative_path in sorted(files):
            staging.write(relative_path, files[relative_path])
        if finish is not None:
            finish(staging.folder)
        staging.publish()
    finally:
        staging.discard()


def name_limit(out: Path) -> int:
    """The longest name (in bytes) the file system ``out`` is on takes."""
    folder = out
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    try:
        return min(255, os.pathconf(folder, "PC_NAME_MAX"))
    except (OSError, ValueError, AttributeError):
        return 255


def name_problem(out: Path, name: str, limit: int) -> str | None:
    """Why the file system would refuse to write ``name`` into ``out`` (None: it would not)."""
    for part in name.split("/"):
        if len(part.encode("utf-8")) > limit:
            return (
                f"cannot write {name[:80]}...: a name in it is longer than the {limit} bytes the "
                f"file system allows; shorten the slug or file name it comes from"
            )
    if len(str(out / name).encode("utf-8")) > PATH_LIMIT:
        return f"cannot write {name[:80]}...: the path is too long; build into a shorter --out folder"
    return None


def update_site(files: dict[str, bytes], removed: set[str], out: Path) -> None:
    """Bring an existing output folder up to date: write ``files`` and delete ``removed``, nothing else.

    Each file is replaced atomically (written beside it, then renamed), so a reader sees
    the old or the new file, never half of one. The build checks everything before
    it calls this, so content errors never leave a mix of old and new pages.
    """
    for relative_path in sorted(removed):
        _remove(out, relative_path)
    checked: set[Path] = set()  # folders made real already by this update: each is checked once
    for relative_path in sorted(files):
        target = out / relative_path
        if target.parent not in checked:
            _real_folder(out, target.parent)
            checked.add(target.parent)
        handle, temporary = tempfile.mkstemp(prefix=".explainer-", dir=target.parent)
        try:
            _write_all(handle, files[relative_path])
            os.chmod(temporary, 0o644)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


# a file written whole, through its descriptor (O_BINARY: no newline translation where there is one)
_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


def _write_all(descriptor: int, data: bytes) -> None:
    """Write all of ``data`` to an open file and close it. Without a buffered file object around the descriptor, a
    file costs its ``write`` and ``close`` alone, not Python's ``fstat`` and ``isatty`` checks too: some 8,000
    calls in a cold build of 2,000 entries, which writes every page this way."""
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(descriptor, view) :]
    finally:
        os.close(descriptor)


def _real_folder(out: Path, folder: Path) -> None:
    """Make ``folder`` (inside ``out``) a chain of real folders, never following a link.

    Anything in the way that is not a real folder (a link someone put in the
    output, a stray file) is removed rather than written through, so a write
    never lands outside the output folder.
    """
    current = out
    for part in folder.relative_to(out).parts:
        current = current / part
        if current.is_symlink() or (current.exists() and not current.is_dir()):
            current.unlink()
        if not current.exists():
            current.mkdir()


def _remove(out: Path, relative_path: str) -> None:
    """Delete one file of an earlier build; a link on the way is removed itself, never followed."""
    current = out
    for part in PurePosixPath(relative_path).parts:
        current = current / part
        if current.is_symlink():
            current.unlink()
            break
        if not current.exists():
            return
    else:
        if current.is_dir():
            return  # a folder of ours: its files are removed one by one
        current.unlink()
    for folder in current.parents:  # drop folders left empty (a removed entry's page folder)
        if folder == out or not folder.is_dir() or any(folder.iterdir()):
            break
        folder.rmdir()


def scratch_folder(out: Path, purpose: str) -> Path:
    """A new hidden folder beside ``out``, named after this process so a later build can clear it away.

    A build that is killed leaves its scratch folder behind; the next build
    removes every such folder whose process is gone.
    """
    clear_abandoned(out)
    return Path(tempfile.mkdtemp(prefix=f".{out.name}-{purpose}-{os.getpid()}-", dir=out.parent))


_SCRATCH = re.compile(r"-(?:new|old|search)-(\d+)-")


def clear_abandoned(out: Path) -> None:
    """Remove the scratch folders of builds (into ``out``) that were killed before they could."""
    try:
        candidates = [p for p in out.parent.iterdir() if p.name.startswith(f".{out.name}-")]
    except OSError:
        return
    for candidate in candidates:
        match = _SCRATCH.match(candidate.name, len(out.name) + 1)
        if match is None or candidate.is_symlink() or not candidate.is_dir() or _alive(int(match.group(1))):
            continue
        shutil.rmtree(candidate, ignore_errors=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True  # another user's process, or cannot tell: leave it
    return True


def replace_folder(new: Path, target: Path) -> None:
    """Swap a complete new folder in for ``target`` (which may not exist)."""
    if target.exists() or target.is_symlink():
        retired = scratch_folder(target, "old")
        os.replace(target, retired / target.name)
        os.replace(new, target)
        shutil.rmtree(retired, ignore_errors=True)
    else:
        os.replace(new, target)


def remove_folder(target: Path) -> None:
    """Delete a folder of an earlier build (a link in its place is removed itself, never followed)."""
    if target.is_symlink() or target.is_file():
        target.unlink()
    elif target.is_dir():
        retired = scratch_folder(target, "old")
        os.replace(target, retired / target.name)
        shutil.rmtree(retired, ignore_errors=True)
