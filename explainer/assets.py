"""Fingerprinted asset names, so hosts may cache static files forever.

``static/style.css`` is published as ``static/style.<hash>.css``; templates
ask for the original name through ``asset()`` and get the published one.
"""

from __future__ import annotations

import hashlib
from pathlib import Path, PurePosixPath


def fingerprinted(name: str, data: bytes) -> str:
    """``static/style.css`` -> ``static/style.1a2b3c4d5e.css`` (a hash of the bytes)."""
    digest = hashlib.sha256(data).hexdigest()[:10]
    path = PurePosixPath(name)
    return str(path.with_name(f"{path.stem}.{digest}{path.suffix}"))


class Assets:
    """Original name -> published name, and the bytes to publish."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}
        self.files: dict[str, bytes] = {}

    def add(self, name: str, data: bytes) -> None:
        """Add (or override, when a project theme has the same name) one asset."""
        previous = self.names.get(name)
        if previous is not None:
            del self.files[previous]
        published = fingerprinted(name, data)
        self.names[name] = published
        self.files[published] = data

    def add_folder(self, folder: Path, prefix: str) -> None:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                self.add(f"{prefix}/{path.relative_to(folder).as_posix()}", path.read_bytes())

    def url(self, name: str) -> str:
        """The published name of an asset; an unknown name is a theme mistake worth failing on."""
        try:
            return self.names[name]
        except KeyError:
            raise LookupError(f"asset '{name}' is not in the theme's static/ folder") from None
