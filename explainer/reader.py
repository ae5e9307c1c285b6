"""Read a story project from disk into typed entries (the first pipeline stage)."""

from __future__ import annotations

import difflib
import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from explainer.config import Settings, load_settings
from explainer.diagnostics import Diagnostic, Diagnostics, Span
from explainer.model import (COLLECTIONS, TITLE_FIELDS, Entry, Source, Story, build_entry, build_source,
                              build_story, likely_collection)
from explainer.slugs import slugify
from explainer.yamlsource import load_yaml, read_text, split_front_matter

CONTENT_DIR = "content"


@dataclass
class Content:
    """Everything a project holds, before references are resolved."""

    project: Path
    settings: Settings
    story: Story | None = None
    entries: dict[str, list[Entry]] = field(default_factory=lambda: {name: [] for name in COLLECTIONS})
    sources: list[Source] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)  # every file read, for watching and caching
    unreadable: set[str] = field(default_factory=set)  # "kind/slug" or a whole collection that failed to read

    def all_entries(self) -> list[Entry]:
        return [entry for name in COLLECTIONS for entry in self.entries[name]]


class ReadCache:
    """What each file read to, kept between builds so an edit re-reads only its own file.

    A file counts as unchanged while its size and modification time are; a
    watcher that knows which files changed calls :meth:`forget` for them,
    which also covers two saves within one tick of the file system's clock.
    """

    def __init__(self) -> None:
        self._results: dict[Path, tuple[tuple[int, int], Content, list[Diagnostic]]] = {}

    def forget(self, paths) -> None:  # noqa: ANN001 - any iterable of paths
        for path in paths:
            self._results.pop(Path(path), None)

    def read(self, path: Path, read_one: Callable[[Content, Diagnostics], None], content: Content,
             diagnostics: Diagnostics) -> None:
        """Run ``read_one`` for ``path`` (or replay its cached result) into content and diagnostics."""
        try:
            status = path.stat()
            stamp = (status.st_mtime_ns, status.st_size)
        except OSError:
            stamp = None
        cached = self._results.get(path)
        if stamp is not None and cached is not None and cached[0] == stamp:
            scratch, found = cached[1], cached[2]
        else:
            scratch, file_diagnostics = Content(content.project, content.settings), Diagnostics()
            read_one(scratch, file_diagnostics)
            found = file_diagnostics.items
            if stamp is not None:
                self._results[path] = (stamp, scratch, found)
        content.story = scratch.story or content.story
        for name in COLLECTIONS:
            content.entries[name].extend(scratch.entries[name])
        content.sources.extend(scratch.sources)
        content.files.extend(scratch.files)
        content.unreadable |= scratch.unreadable
        diagnostics.items.extend(found)


def read_project(project: Path, diagnostics: Diagnostics, cache: ReadCache | None = None) -> Content:
    """Read settings, the story, every collection and the sources."""
    project = project.resolve()
    _real_folder.cache_clear()  # folders may have become links since the last read
    cache = cache or ReadCache()
    content = Content(project, load_settings(project, diagnostics))
    content_dir = project / CONTENT_DIR
    if not content_dir.is_dir():
        diagnostics.error(Span(content_dir), "the project has no content/ folder",
                          "run explainer in the folder that holds explainer.yml and content/, or pass it: explainer build PATH")
        return content
    if not any(content_dir.iterdir()):
        diagnostics.error(Span(content_dir), "the content/ folder is empty",
                          "add content/story.md; `explainer init` makes a project with an example of each kind")
        return content
    _warn_about_strays(content_dir, diagnostics)
    story = content_dir / "story.md"
    if story.is_file():
        cache.read(story, lambda into, found: _read_story(story, into, found), content, diagnostics)
    else:
        diagnostics.error(Span(story), "the story has no content/story.md",
                          "create it with title, summary and published in its front matter")
    for collection in COLLECTIONS:
        _read_collection(content_dir, collection, content, diagnostics, cache)
    sources = content_dir / "sources.yml"
    if sources.is_file():
        cache.read(sources, lambda into, found: _read_sources(sources, into, found), content, diagnostics)
    return content


KNOWN_NAMES = ("story.md", "sources.yml", *COLLECTIONS, *(f"{c}.yml" for c in COLLECTIONS))
ENTRY_SUFFIXES = (".md", ".yml", ".yaml")


def _warn_about_strays(content_dir: Path, diagnostics: Diagnostics) -> None:
    """A misspelled folder or file would silently drop entries; say so instead."""
    for path in sorted(content_dir.iterdir()):
        if path.name in KNOWN_NAMES or path.name.startswith("."):
            continue
        holds_entries = path.suffix in ENTRY_SUFFIXES if path.is_file() else any(
            child.suffix in ENTRY_SUFFIXES for child in path.iterdir())
        if not holds_entries:
            continue  # images and other media may live anywhere under content/
        meant = likely_collection(path.name)
        if meant is not None:
            hint = f"did you mean '{meant}{'/' if path.is_dir() else '.yml'}'?"
        else:
            hint = f"explainer reads {', '.join(KNOWN_NAMES)}"
        diagnostics.warning(Span(path), f"'{path.name}' is not part of the content format and was not read", hint)


@functools.lru_cache(maxsize=1024)
def _real_folder(folder: str) -> Path:
    return Path(folder).resolve()


def _inside(path: Path, root: Path, diagnostics: Diagnostics) -> bool:
    """False (with an error) for a link that leads outside the project."""
    real = path.resolve() if path.is_symlink() else _real_folder(str(path.parent)) / path.name
    if real.is_relative_to(root):
        return True
    diagnostics.error(Span(path), "this file links to a place outside the project and was not read",
                      "copy the file into the project instead of linking to it")
    return False


def _read_story(path: Path, content: Content, diagnostics: Diagnostics) -> None:
    source = _read_markdown(path, content, diagnostics)
    if source is not None and source.front_matter is not None:
        content.story = build_story(source.front_matter, path, source.body,
                                    Span(path, source.body_line, 1), diagnostics)


def _read_markdown(path: Path, content: Content, diagnostics: Diagnostics):
    if not _inside(path, content.project, diagnostics):
        return None
    content.files.append(path)
    text = read_text(path, diagnostics)
    return split_front_matter(text, path, diagnostics) if text is not None else None


def _read_collection(content_dir: Path, collection: str, content: Content, diagnostics: Diagnostics,
                     cache: ReadCache) -> None:
    folder = content_dir / collection
    if folder.is_dir():
        for path in sorted(folder.iterdir()):
            if path.name.startswith(".") or path.is_dir():
                continue
            if path.suffix != ".md":
                diagnostics.warning(Span(path), f"'{path.name}' is not a Markdown file and was skipped",
                                    "entries in this folder must end in .md")
                continue
            cache.read(path, functools.partial(_read_entry_file, path, collection), content, diagnostics)
    list_file = content_dir / f"{collection}.yml"
    if list_file.is_file():
        cache.read(list_file, functools.partial(_read_entry_list, list_file, collection), content, diagnostics)


def _read_entry_file(path: Path, collection: str, content: Content, diagnostics: Diagnostics) -> None:
    source = _read_markdown(path, content, diagnostics)
    entry = None
    if source is not None and source.front_matter is not None:
        entry = build_entry(collection, source.front_matter, path, source.body,
                            Span(path, source.body_line, 1), False, (str(path), 0), diagnostics)
    if entry is None:
        content.unreadable.add(f"{collection}/{path.stem}")
    else:
        content.entries[collection].append(entry)


def _read_entry_list(list_file: Path, collection: str, content: Content, diagnostics: Diagnostics) -> None:
    items = _read_list(list_file, content, diagnostics)
    if items is None:
        content.unreadable.add(collection)
    for index, item in enumerate(items or []):
        entry = build_entry(collection, item, list_file, "", None, True, (str(list_file), index), diagnostics)
        if entry is not None:
            content.entries[collection].append(entry)
        elif item.is_map and (title := item.value.get(TITLE_FIELDS[collection])) is not None and title.raw:
            content.unreadable.add(f"{collection}/{slugify(title.raw)}")


def _read_list(path: Path, content: Content, diagnostics: Diagnostics) -> list | None:
    """The items of a YAML list file; None when the file could not be read at all."""
    if not _inside(path, content.project, diagnostics):
        return None
    content.files.append(path)
    text = read_text(path, diagnostics)
    node = load_yaml(text, path, diagnostics) if text is not None else None
    if node is None:
        return None
    if node.is_map and not node.value:
        return []
    if not node.is_list:
        diagnostics.error(node.span, f"{path.name} must be a list of entries",
                          "start each entry with '- ' at the beginning of a line")
        return None
    return node.value


def _read_sources(path: Path, content: Content, diagnostics: Diagnostics) -> None:
    items = _read_list(path, content, diagnostics)
    if items is None:
        content.unreadable.add("sources")
    for item in items or []:
        source = build_source(item, diagnostics)
        if source is not None:
            content.sources.append(source)
