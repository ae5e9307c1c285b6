"""The pipeline: read -> model -> link -> validate -> plan pages -> render -> write.

The command line and tests call these functions; each stage lives in its own
module and hands plain data to the next.
"""

from __future__ import annotations

import importlib.util
import shutil
import stat
from collections.abc import Callable, Iterable, Iterator, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar, cast

from explainer import __version__
from explainer.basics import CONTENT_DIR, SEARCH_BUNDLE, build_date, hash_parts
from explainer.buildcache import (
    BuildCache,
    Rendered,
    Stamp,
    folder_stamps,
    input_stamps,
    load_cache,
    load_search_index,
    save_cache,
    save_record,
    save_search_index,
    stamp,
    stamp_output,
    unchanged_inputs,
)
from explainer.collection import Collector
from explainer.diagnostics import ContentError, Diagnostic, Diagnostics, Span, UsageError, display_path
from explainer.passthrough import check_passthrough, passthrough_files
from explainer.writer import (
    MARKER,
    Staging,
    check_output_folder,
    check_output_path,
    name_limit,
    name_problem,
    remove_folder,
    replace_folder,
    scratch_folder,
    update_site,
    write_new_files,
)

if TYPE_CHECKING:
    from explainer.linker import Linked
    from explainer.pages import Page
    from explainer.reader import ReadCache
    from explainer.rebuild import SiteRender
    from explainer.search import SearchIndex

T = TypeVar("T")

# The pipeline (PyYAML, Jinja2, Markdown, Babel) is imported inside the functions that run it, so a build
# after no change stops before importing any of it.


@dataclass
class BuildResult:
    out: Path
    pages: list[Page]
    files: Mapping[str, bytes]  # the files this build wrote (all of them unless the cache spared some)
    warnings: list[Diagnostic] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    page_count: int = 0
    rendered: int = 0  # pages rendered by this build
    drawn: int = 0  # share images drawn by this build
    removed: int = 0  # files deleted from the output folder (pages of removed entries, strays)
    up_to_date: bool = False  # nothing had changed: nothing was read, rendered or written
    cache_warning: str | None = None  # a build cache that could not be used, and why


def load(
    project: Path,
    diagnostics: Diagnostics,
    base_url: str | None = None,
    cache: ReadCache | None = None,
    search: bool | None = None,
    previous: Linked | None = None,
    changed: AbstractSet[Path] | None = None,
) -> Linked:
    """Read, link and validate a project, recording every problem found.

    ``base_url`` and ``search``, when given, override the project's settings (command-line options);
    ``previous`` is the last link of the same project (``serve``), which links only what changed since, and
    ``changed`` every file changed since the last read with ``cache`` when known (see :func:`read_project`).
    """
    from explainer.config import normalise_base_url
    from explainer.linker import link
    from explainer.reader import read_project
    from explainer.validate import validate

    replayed = cache is not None and changed is not None and cache.replayable(project.resolve(), changed)
    content = read_project(project, diagnostics, cache, changed)
    if base_url is not None:
        content.settings.base_url = normalise_base_url(base_url)
    if search is not None:
        content.settings.search = search
    linked = link(content, diagnostics, previous)
    if content.story is None and not diagnostics.errors:
        diagnostics.error(Span(content.project / CONTENT_DIR / "story.md"), "the story could not be read")
    validate(linked, diagnostics, previous if replayed else None)  # no other file changed: the rest checks alike
    return linked


def check(project: Path, strict: bool = False, *, collect: bool = True) -> list[Diagnostic]:
    """Everything a build checks, rendering included, writing nothing; raises ContentError on errors.

    The collector is paused while the story is read and linked, as in :func:`build` (``collect`` likewise)."""
    collector = Collector()
    try:
        return _check(project, strict, collector)
    finally:
        collector.finish(collect)  # once the story _check linked is unreachable: it is collected too


def _check(project: Path, strict: bool, collector: Collector) -> list[Diagnostic]:
    from explainer.rebuild import render_site

    build_day()
    collector.pause()
    diagnostics = Diagnostics()
    linked = load(project, diagnostics)
    _raise_if_failed(diagnostics, strict)
    collector.resume()  # what rendering makes is collected as it goes
    files = render_site(linked, diagnostics, with_images=False).files
    _raise_if_failed(diagnostics, strict)
    add_passthrough(linked.content.project, files, diagnostics)
    _raise_if_failed(diagnostics, strict)
    return diagnostics.sorted()


def build(
    project: Path,
    out: Path | None = None,
    strict: bool = False,
    base_url: str | None = None,
    search: bool | None = None,
    *,
    collect: bool = True,
) -> BuildResult:
    """Build the site, redoing only what changed since the last build (see :mod:`explainer.rebuild`).

    On any error the previous output is left as it was. With ``collect`` (but for the command line, which exits
    next), what the build made and threw away in reference cycles while the collector was paused is collected
    before returning, so a process that goes on (tests, ``serve`` after a build) does not carry it.
    """
    collector = Collector()
    try:
        return _build(project, out, strict, base_url, search, collector)
    finally:
        collector.finish(collect)


def _build(
    project: Path, out: Path | None, strict: bool, base_url: str | None, search: bool | None, collector: Collector
) -> BuildResult:
    project = project.resolve()
    day = build_day().isoformat()  # before the up-to-date check: a build asked for as of no day does not go on
    collector.pause()  # loaded or read, replayed and linked without the collector's passes (explainer.collection)
    check_output_path(out or project / "build")
    out = (out or project / "build").resolve()
    options = {"out": str(out), "base_url": base_url, "search": search, "code": code_stamp()}
    previous, cache_warning = load_cache(project, options)
    ours = (out / MARKER).is_file()  # our own earlier output: it is changed file by file
    found, as_left = stamp_output(out, [MARKER, SEARCH_BUNDLE], previous) if ours else ({}, False)
    # taken before reading, as the inputs the build reads: a save during the build shows next time
    inputs = input_stamps(project, map(Path, previous.themes)) if previous is not None else None
    if previous is not None and ours and previous.unchanged(found, inputs, day):
        if not all(previous.folders.values()):  # some were too new to trust: stamped now, the next check is quick
            previous.folders = folder_stamps(out, previous.outputs)
            save_record(project, previous)
        return _up_to_date(project, out, previous, strict)
    from explainer.reader import ReadCache
    from explainer.rebuild import render_site
    from explainer.render import default_theme, theme_dirs

    guessed_themes = [Path(theme) for theme in previous.themes] if previous else [default_theme()]
    if inputs is None:
        inputs = input_stamps(project, guessed_themes)
    diagnostics = Diagnostics()
    reads = (previous.load_reads(project) if previous is not None else None) or ReadCache()
    linked = load(project, diagnostics, base_url, reads, search)
    themes = theme_dirs(linked)
    check_output_folder(out, project, [project / CONTENT_DIR, *themes])
    _raise_if_failed(diagnostics, strict)
    if themes != guessed_themes:
        inputs = input_stamps(project, themes)
    settings = linked.content.settings
    if settings.search:  # imported only for a build with search
        from explainer.search import PAGEFIND_MISSING, pagefind_executable

        if pagefind_executable() is None:
            raise ContentError([Diagnostic(Span(out), PAGEFIND_MISSING, "reinstall explainer with its dependencies")])

    before = previous.load_render(project) if previous is not None else None
    collector.resume()  # what rendering makes is collected as it goes (see explainer.collection)
    usable = previous if previous is not None and before is not None and ours else None
    # a first build (or one into a folder we did not make) writes each page into a new folder as it is rendered,
    # swapped in once all is done (a failure throws it away); a later build compares pages with its output first
    staging = None if ours else Staging(out)
    try:
        site = render_site(
            linked,
            diagnostics,
            previous=before.state if usable and before else None,
            dirty=_changed_by_hand(found, usable.outputs) if usable else set(),
            stable_paths=unchanged_inputs(usable.inputs, inputs) if usable else None,
            stored=before.bodies if before is not None else None,
            write=staging.write if staging is not None else None,
        )
        collector.pause()  # writing, indexing and saving leave nothing in cycles (a cold build of 10,000 entries)
        _raise_if_failed(diagnostics, strict)
        page_names = {page.output_path for page in site.pages}
        files = site.files  # share images not drawn again are in the output folder already: they are kept
        add_passthrough(project, files, diagnostics, page_names | site.images)
        _raise_if_failed(diagnostics, strict)
        check_output_names(out, files)
        search_signature = hash_parts([site.state.global_digest, *sorted(page_names)]) if settings.search else None
        index: SearchIndex | None = None
        built: Mapping[str, bytes]
        if staging is not None:
            written, index = _write_output(staging, files, page_names | site.images, search=settings.search)
            built, removed = WrittenFiles(out, written), set[str]()
        else:
            reindex = previous is None or search_signature != previous.search_signature
            if settings.search and not reindex and previous is not None:
                index = load_search_index(project, previous.search_digest)
            built, written, removed, index = _update_output(
                out,
                files,
                found=found,
                pages=page_names,
                kept=site.images,
                search=settings.search,
                reindex_anyway=reindex,
                index=index,
            )
    finally:
        if staging is not None:
            staging.discard()  # nothing is left of it once swapped in
    page_count = sum(1 for page in site.pages if page.output is None)
    record = BuildCache(
        str(project),
        options,
        [str(theme) for theme in themes],
        inputs,
        written,
        folder_stamps(  # taken last: every write of this build is behind them
            out,
            written,
            # folders found as the last build left them, but those this build wrote into (or indexed for search)
            previous.folders if previous is not None and as_left and staging is None and not settings.search else None,
            touched=[*built, *removed],
        ),
        search_signature=search_signature,
        page_count=page_count,
        search_digest=save_search_index(project, index) if index is not None else "",
    )
    notes = left_out(linked)
    record.remember(diagnostics, notes)
    collector.pause()
    bodies = _bodies(linked, site, before)
    rendered = Rendered(site.state, bodies)
    if before is not None:  # what was stored and is still as it was stored is written back as it is
        rendered.table, rendered.entries = before.table, before.entries
    save_cache(project, record, rendered, reads.to_bytes())
    return BuildResult(
        out,
        site.pages,
        built,
        diagnostics.sorted(),
        notes,
        page_count,
        len(site.stale),
        site.drawn,
        len(removed),
        cache_warning=cache_warning,
    )


def build_day() -> date:
    """The build's own date (today, or ``SOURCE_DATE_EPOCH``'s); one that is not a date stops the command (see
    :func:`explainer.basics.source_date_epoch`)."""
    try:
        return build_date()
    except ValueError as problem:
        raise UsageError(str(problem)) from None


def _up_to_date(project: Path, out: Path, previous: BuildCache, strict: bool) -> BuildResult:
    """Nothing changed since the last build: say its warnings again, read and write nothing."""
    check_output_folder(out, project, [project / CONTENT_DIR, *map(Path, previous.themes)])
    diagnostics = Diagnostics(previous.diagnostics())
    _raise_if_failed(diagnostics, strict)
    return BuildResult(out, [], {}, diagnostics.sorted(), previous.notes, previous.page_count, up_to_date=True)


def _changed_by_hand(found: dict[str, Stamp], written: dict[str, Stamp]) -> set[str]:
    """Output files that are not as the last build wrote them (edited, deleted or replaced in the folder)."""
    return {name for name in found.keys() | written.keys() if found.get(name) != written.get(name)}


def _update_output(
    out: Path,
    files: dict[str, bytes],
    *,
    found: dict[str, Stamp],
    pages: set[str],
    kept: set[str],
    search: bool,
    reindex_anyway: bool,
    index: SearchIndex | None,
) -> tuple[dict[str, bytes], dict[str, Stamp], set[str], SearchIndex | None]:
    """Change our earlier output file by file: write what differs, delete what is gone, update the search index.

    ``pages`` and ``kept`` (share images) not in ``files`` are unchanged and stay. ``index`` is the last
    build's search index (None: index every page). Returns the files written, every output file's stamp,
    the names removed and the search index now written.
    """
    current = pages | kept | set(files)
    changed = {name: data for name, data in files.items() if name not in found or _differs(out / name, data)}
    removed = set(found) - current  # pages of deleted entries, and anything else put in the folder
    bundle = out / SEARCH_BUNDLE
    search_files: dict[str, bytes] = {}
    stale: set[str] = set()
    whole = search and (reindex_anyway or index is None or not _real_folder(bundle) or not index.on_disk(bundle))
    made = whole
    if search and not whole and index is not None and (changed.keys() & pages or removed):
        from explainer import search as search_module  # imported only for a build with search

        # the index is brought up to date before anything is written, so a failure leaves the site as it was
        html = sorted(name for name in pages if name.endswith(".html"))
        update = index.update
        try:
            _searching(out, lambda: update({n: changed[n] for n in changed.keys() & pages}, html))
            search_files, stale = index.bundle_files(), index.stale()
            made = True
        except search_module.Unsupported:
            whole = True
    if whole:
        index = _index_whole(out, files, pages)
        search_files, stale = index.bundle_files(everything=True), set()
    try:
        _write(out, lambda: update_site(changed, removed, out))
        if whole:
            _write(out, lambda: _replace_bundle(out, search_files))
        elif search_files or stale:
            entry = "pagefind-entry.json"  # written last: it names the metadata file, written first
            first = {f"{SEARCH_BUNDLE}/{name}": data for name, data in search_files.items() if name != entry}
            last = {f"{SEARCH_BUNDLE}/{name}": data for name, data in search_files.items() if name == entry}
            _write(out, lambda: update_site(first, set(), out))
            _write(out, lambda: update_site(last, {f"{SEARCH_BUNDLE}/{name}" for name in stale}, out))
        elif not search:
            _write(out, lambda: remove_folder(bundle))  # no index left holding deleted pages
    except BaseException:
        index = None  # the bundle may be half written: the next build indexes every page
        raise
    if index is not None and made:
        index.written_now()
    stamps = {name: found[name] for name in current - changed.keys() if name in found}
    stamps.update({name: written for name in changed if (written := stamp(out / name)) is not None})
    return changed, stamps, removed, index if search else None


def _index_whole(out: Path, files: dict[str, bytes], pages: Iterable[str], site: Path | None = None) -> SearchIndex:
    """Index every page: those in ``files`` from memory, the rest from the output folder (or ``site``, the new
    site's staging folder)."""
    from explainer.search import SearchIndex

    folder = site or out

    def read(name: str) -> bytes:
        data = files.get(name)
        return data if data is not None else (folder / name).read_bytes()

    names = [name for name in pages if name.endswith(".html")]
    return _searching(out, lambda: SearchIndex.build(names, read))


def _searching(out: Path, step: Callable[[], T]) -> T:
    """Run a step of indexing; Pagefind missing or failing is a clear error, and nothing is written yet."""
    from explainer.search import PagefindError

    try:
        return step()
    except PagefindError as error:
        raise ContentError(
            [Diagnostic(Span(out), str(error), "run the build again; delete .explainer-cache if it keeps failing")]
        ) from None


def _replace_bundle(out: Path, bundle: dict[str, bytes]) -> None:
    """Swap in a whole new search bundle (written beside the site first)."""
    scratch = scratch_folder(out, "search")
    try:
        _write_bundle(scratch, bundle)
        replace_folder(scratch / SEARCH_BUNDLE, out / SEARCH_BUNDLE)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _write_bundle(site: Path, bundle: dict[str, bytes]) -> None:
    """The search bundle's files into ``site``'s search folder (a scratch or staging folder, not yet published)."""
    write_new_files(site / SEARCH_BUNDLE, bundle)


def _write_output(
    staging: Staging, files: dict[str, bytes], made: set[str], *, search: bool
) -> tuple[dict[str, Stamp], SearchIndex | None]:
    """A first build (or one into a folder we did not make): ``files`` join the pages and images written into
    ``staging`` already (``made``), the search index is added, and the whole site is swapped in at once.

    ``files`` is emptied as they are written (the site's JSON exports are megabytes): the search index reads
    every page it needs back from the staging folder."""
    out = staging.out
    index: SearchIndex | None = None
    names = made | files.keys()
    for name in sorted(files):
        staging.write(name, files.pop(name))
    if search:
        index = _index_whole(out, {}, names, staging.folder)
        _write(out, lambda: _write_bundle(staging.folder, index.bundle_files(everything=True)))
    _write(out, staging.publish)
    if index is not None:
        index.written_now()
    stamps = {name: written for name in sorted(names) if (written := stamp(out / name)) is not None}
    return stamps, index


class WrittenFiles(Mapping[str, bytes]):
    """The files a first build wrote, by name, each read back from the output folder when asked for (the build
    did not keep them: each page was written as it was rendered)."""

    def __init__(self, out: Path, names: Iterable[str]):
        self.out = out
        self.names = sorted(names)
        self._known = set(self.names)

    def __getitem__(self, name: str) -> bytes:
        if name not in self._known:
            raise KeyError(name)
        return (self.out / name).read_bytes()

    def __iter__(self) -> Iterator[str]:
        return iter(self.names)

    def __len__(self) -> int:
        return len(self.names)

    def __contains__(self, name: object) -> bool:
        return name in self._known


def _bodies(linked: Linked, site: SiteRender, before: Rendered | None) -> dict[str, str]:
    """Every converted body by the digest of what its HTML depends on, for the next build's exports; each entry's
    digest is kept in the render state, and an entry unchanged since ``before`` (see :attr:`SiteRender.unchanged`)
    takes its digest and HTML from it without working its key out again."""
    from explainer.model import Entry
    from explainer.render import body_key

    renderer = site.renderer
    converted, bodies = renderer.bodies, {}
    digests = site.state.bodies = {}
    unchanged = site.unchanged if before is not None else None
    known, stored = (before.state.bodies, before.bodies) if before is not None else ({}, {})
    for item in [linked.content.story, *linked.content.all_entries()]:
        if item is None:
            continue
        name = item.key if isinstance(item, Entry) else None
        if name is not None and unchanged is not None and unchanged(cast("Entry", item)):
            digest = known.get(name)
            html = stored.get(digest) if digest is not None else None
            if digest is not None and html is not None:
                bodies[digest], digests[name] = html, digest
                continue
        key = body_key(item, linked)
        html = converted.get(key)  # converted by the exports already: its key is not worked out twice
        digest = renderer.body_digest(key)
        bodies[digest] = html if html is not None else renderer.body_html(item)
        digests[name if name is not None else ""] = digest  # "": the story's
    return bodies


def _differs(path: Path, data: bytes) -> bool:
    """Whether writing ``data`` would change the file (size first: cheap, and usually enough).

    Anything but a plain file (a link put in the output) differs: it is replaced, never read through.
    """
    try:
        info = path.lstat()
        if not stat.S_ISREG(info.st_mode) or info.st_size != len(data):
            return True
        return path.read_bytes() != data
    except OSError:
        return True


def _real_folder(path: Path) -> bool:
    return not path.is_symlink() and path.is_dir()


def _write(out: Path, step: Callable[[], None]) -> None:
    """Run one writing step; a file system that refuses (full disk, no permission) is a clear error, not a crash."""
    try:
        step()
    except OSError as exc:
        where = exc.filename or out
        raise UsageError(f"cannot write the site into {display_path(Path(where))}: {exc.strerror or exc}") from None


def check_output_names(out: Path, files: Iterable[str]) -> None:
    """Refuse, before writing anything, a file name the file system would refuse halfway through."""
    limit = name_limit(out)
    for name in files:
        problem = name_problem(out, name, limit)
        if problem is not None:
            raise UsageError(problem)


def add_passthrough(
    project: Path, files: dict[str, bytes], diagnostics: Diagnostics, pages: set[str] | None = None
) -> set[str]:
    """Copy ``PROJECT/static/`` into the site, refusing anything that would replace a built file; the names copied."""
    passthrough = passthrough_files(project, diagnostics)
    if passthrough:
        check_passthrough(project, passthrough, set(files) | (pages or set()), (MARKER, SEARCH_BUNDLE), diagnostics)
        files.update(passthrough)
    return set(passthrough)


def code_stamp() -> str:
    """explainer's version and, for a working copy, when its code last changed: a cache from other code is not used."""
    package = Path(__file__).parent
    return hash_parts(
        [
            __version__,
            *(_installed(name) for name in ("markdown", "jinja2", "babel")),  # babel: dates and numbers
            *(f"{p.name}:{stamp(p)}" for p in sorted(package.glob("*.py"))),
        ]
    )


def _installed(package: str) -> str:
    """Where a library is installed and when its code was written there: another version is another stamp
    (found without importing it, so a build after no change does not)."""
    spec = importlib.util.find_spec(package)
    origin = spec.origin if spec is not None else None
    return f"{package}:{origin}:{stamp(Path(origin)) if origin else None}"


def left_out(linked: Linked) -> list[str]:
    """What a build without base_url cannot make, said once so deployers know."""
    settings = linked.content.settings
    if settings.base_url:
        return []
    made = ", ".join(
        ["sitemap.xml", "feed.xml"]
        + (["share images"] if settings.social_cards else [])
        + (["oEmbed files"] if settings.embeds else [])
    )
    return [
        f"no base_url set (explainer.yml or --base-url): left out {made} and canonical and "
        "Open Graph URLs; 404.html links assume it is served from the site's root folder"
    ]


def _raise_if_failed(diagnostics: Diagnostics, strict: bool) -> None:
    if strict:
        diagnostics.promote_warnings()
    if diagnostics.errors:
        raise ContentError(diagnostics.sorted())
