"""Compiled templates kept between builds, in the user's own cache folder, signed.

Jinja2 compiles each template to Python code on first use in a process, which
costs more than rendering a page (about 0.36 CPU seconds for the default
theme): every build, and every worker process of a parallel build, paid it
again. Jinja2's bytecode cache keeps the compiled code instead.

The code is run, so it is trusted only as far as Python's own ``__pycache__``
is: it lives beside the build cache's signing key
(``$XDG_CACHE_HOME/explainer/templates/``, never in a project, so no copied-in
folder or pull request can bring any), and each file carries an HMAC made with
that key over the template's name, the digest of its source, this Python's and
Jinja2's versions and the code itself. A file that does not match is ignored
and the template compiled again; Jinja2's own file format (which unpickles its
header) is not used. Without a place for the key, templates are compiled as
before.
"""

from __future__ import annotations

import importlib.util
import marshal
from pathlib import Path

import jinja2
from jinja2.bccache import Bucket, BytecodeCache

from explainer import __version__
from explainer.buildcache import key_folder, read_signed, signing_key, write_signed

_HEADER = b"explainer compiled template 1\n"


class SignedBytecodeCache(BytecodeCache):
    """Jinja2 bytecode in ``folder``, one file per template, each signed with ``key``."""

    def __init__(self, folder: Path, key: bytes, fingerprint: str = "") -> None:
        self.folder = folder
        self.key = key
        self.fingerprint = fingerprint  # the environment's options: code compiled under others is not used

    def _path(self, bucket: Bucket) -> Path:
        return self.folder / f"{bucket.key}.code"

    def _about(self, bucket: Bucket) -> bytes:
        about = [bucket.key, bucket.checksum, self.fingerprint, jinja2.__version__, importlib.util.MAGIC_NUMBER.hex()]
        return "\n".join(about).encode("utf-8")

    def load_bytecode(self, bucket: Bucket) -> None:
        code = read_signed(self._path(bucket), _HEADER, self.key, self._about(bucket))
        if code is None:
            return  # not written by this user's explainer for this source, Python and Jinja2: compiled again
        try:
            bucket.code = marshal.loads(code)
        except (EOFError, ValueError, TypeError):
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        if bucket.code is None:
            return
        write_signed(self._path(bucket), _HEADER, self.key, marshal.dumps(bucket.code), self._about(bucket))

    def clear(self) -> None:
        for path in self.folder.glob("*.code"):
            path.unlink(missing_ok=True)


def bytecode_cache(fingerprint: str) -> SignedBytecodeCache | None:
    """The user's compiled-template cache, or None where there is nowhere private to keep a key.

    ``fingerprint`` names the environment's options and explainer's version, which the code depends on."""
    folder, key = key_folder(), signing_key()
    if folder is None or key is None:
        return None
    return SignedBytecodeCache(folder / "templates", key, f"{__version__}:{fingerprint}")
