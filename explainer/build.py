"""The pipeline: read -> model -> link -> validate -> plan pages -> render -> write.

The command line and tests call these functions; each stage lives in its own
module and hands plain data to the next.
"""

from __future__ import annotations

import os
import shutil
import stat
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
import markdown

from explainer import __version__, exports, feeds
from explainer.assets import Assets
from explainer.buildcache import BuildCache, input_stamps, load_cache, output_stamps, save_cache, stamp
from explainer.config import normalise_base_url
from explainer.diagnostics import ContentError, Diagnostic, Diagnostics, Span, UsageError, display_path
from explainer.linker import Linked, link
from explainer.markdown_render import PathologicalMarkdownError
from explainer.model import Entry, Person, Story
from explainer.pages import Page, media_path, plan_pages
from explainer.parallel import map_chunks, worker_count
from explainer.passthrough import check_passthrough, passthrough_files
from explainer.reader import CONTENT_DIR, ReadCache, read_project
from explainer.render import Renderer, body_digest, body_key, default_theme, theme_dirs
from explainer.search import PAGEFIND_MISSING, SEARCH_BUNDLE, index_site, pagefind_executable
from explainer.signatures import Memo, global_signature, hash_parts, page_signature
from explainer.validate import validate
from explainer.writer import (
    MARKER,
    check_output_folder,
    check_output_path,
    remove_folder,
    replace_folder,
    scratch_folder,
    update_site,
    write_site,
)


@dataclass
class BuildResult:
    out: Path
    pages: list[Page]
    files: dict[str, bytes]  # the files this build wrote (all of them unless the cache spared some)
    warnings: list[Diagnostic] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    page_count: int = 0
    rendered: int = 0  # pages rendered by this build
    removed: int = 0  # files deleted from the output folder (pages of removed entries, strays)
    up_to_date: bool = False  # nothing had changed: nothing was read, rendered or written
    cache_warning: str | None = None  # a build cache that could not be used, and why


def load(
    project: Path,
    diagnostics: Diagnostics,
    base_url: str | None = None,
    cache: ReadCache | None = None,
    search: bool | None = None,
) -> Linked:
    """Read, link and validate a project, recording every problem found.

    ``base_url`` and ``search``, when given, override the project's settings (command-line options).
    """
    content = read_project(project, diagnostics, cache)
    if base_url is not None:
        content.settings.base_url = normalise_base_url(base_url)
    if search is not None:
        content.settings.search = search
    linked = link(content, diagnostics)
    if content.story is None and not diagnostics.errors:
        diagnostics.error(Span(content.project / CONTENT_DIR / "story.md"), "the story could not be read")
    validate(linked, diagnostics)
    return linked


def check(project: Path, strict: bool = False) -> list[Diagnostic]:
    """Everything a build checks, rendering included, writing nothing; raises ContentError on errors."""
    diagnostics = Diagnostics()
    linked = load(project, diagnostics)
    _raise_if_failed(diagnostics, strict)
    files = render_site(linked, plan_pages(linked), diagnostics)
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
) -> BuildResult:
    """Build the site, redoing only what changed since the last build (see :mod:`explainer.buildcache`).

    On any error the previous output is left as it was.
    """
    project = project.resolve()
    check_output_path(out or project / "build")
    out = (out or project / "build").resolve()
    options = {"out": str(out), "base_url": base_url, "search": search, "code": code_stamp()}
    previous, cache_warning = load_cache(project, options)
    found = output_stamps(out, [MARKER, SEARCH_BUNDLE]) if previous is not None and (out / MARKER).is_file() else {}
    if previous is not None and found and previous.unchanged(project, found):
        check_output_folder(out, project, [project / CONTENT_DIR, *map(Path, previous.themes)])
        diagnostics = Diagnostics(previous.diagnostics())
        _raise_if_failed(diagnostics, strict)
        return BuildResult(out, [], {}, diagnostics.sorted(), previous.notes, previous.page_count, up_to_date=True)

    guessed_themes = [Path(theme) for theme in previous.themes] if previous else [default_theme()]
    inputs = input_stamps(project, guessed_themes)  # taken before reading: a save during the build shows next time
    diagnostics = Diagnostics()
    linked = load(project, diagnostics, base_url, search=search)
    themes = theme_dirs(linked)
    check_output_folder(out, project, [project / CONTENT_DIR, *themes])
    _raise_if_failed(diagnostics, strict)
    if themes != guessed_themes:
        inputs = input_stamps(project, themes)
    settings = linked.content.settings
    if settings.search and pagefind_executable() is None:
        raise ContentError([Diagnostic(Span(out), PAGEFIND_MISSING, "reinstall explainer with its dependencies")])

    pages = plan_pages(linked)
    assets = collect_assets(linked)
    everything = global_signature(linked, assets.names)
    memo = Memo()
    signatures = {page.output_path: page_signature(page, linked, assets.names, memo) for page in pages}
    reuse = (
        previous is not None
        and previous.global_signature == everything
        and settings.theme is None
        and (out / MARKER).is_file()
    )
    previous_pages = previous.pages if previous is not None and reuse else {}
    previous_outputs = previous.outputs if previous is not None and reuse else {}
    stale = [
        page
        for page in pages
        if not reuse
        or signatures[page.output_path] != previous_pages.get(page.output_path)
        or found.get(page.output_path) != previous_outputs.get(page.output_path)
    ]
    renderer = Renderer(linked, assets, stored=previous.bodies if previous else None)
    files = render_pages(renderer, stale, diagnostics, worker_count(len(stale)))
    _raise_if_failed(diagnostics, strict)
    files.update(assets.files)
    files.update(site_files(linked, pages, renderer))
    add_passthrough(project, files, diagnostics, set(signatures))
    _raise_if_failed(diagnostics, strict)
    check_output_names(out, files)
    notes = left_out(linked)
    indexed = (f"{name}:{signature}" for name, signature in sorted(signatures.items()))
    search_signature = hash_parts([everything, *indexed]) if settings.search else None

    if (out / MARKER).is_file():  # our own earlier output: change only what differs, file by file
        found = found or output_stamps(out, [MARKER, SEARCH_BUNDLE])
        current = set(signatures) | set(files)
        files = {name: data for name, data in files.items() if name not in found or _differs(out / name, data)}
        removed = set(found) - current  # pages of deleted entries, and anything else put in the folder
        reindex = settings.search and (
            files.keys() & signatures.keys()
            or removed
            or previous is None
            or not _real_folder(out / SEARCH_BUNDLE)
            or search_signature != previous.search_signature
        )
        # the index is made before anything is written, so a failure leaves the site as it was
        scratch = _index_beside(out, files, sorted(signatures)) if reindex else None
        try:
            _write(out, lambda: update_site(files, removed, out))
            if scratch is not None:
                _write(out, lambda: replace_folder(scratch / SEARCH_BUNDLE, out / SEARCH_BUNDLE))
            elif not settings.search:
                _write(out, lambda: remove_folder(out / SEARCH_BUNDLE))  # no index left holding deleted pages
        finally:
            if scratch is not None:
                shutil.rmtree(scratch, ignore_errors=True)
        outputs = {name: found[name] for name in current - files.keys() if name in found}
    else:

        def add_search(staging: Path) -> None:
            problem = index_site(staging)
            if problem is not None:
                raise ContentError([Diagnostic(Span(out), problem, "reinstall explainer with its dependencies")])

        _write(out, lambda: write_site(files, out, add_search if settings.search else None))
        outputs, removed = {}, set()
    outputs.update({name: written for name in files if (written := stamp(out / name)) is not None})
    page_count = sum(1 for page in pages if page.output is None)
    record = BuildCache(
        str(project),
        options,
        [str(theme) for theme in themes],
        inputs,
        everything,
        signatures,
        {name: value for name, value in outputs.items() if value is not None},
        {
            body_digest(body_key(item, linked)): renderer.body_html(item)
            for item in [linked.content.story, *linked.content.all_entries()]
            if item is not None
        },
        search_signature,
        page_count,
    )
    record.remember(diagnostics.sorted(), notes)
    save_cache(project, record)
    return BuildResult(
        out,
        pages,
        files,
        diagnostics.sorted(),
        notes,
        page_count,
        len(stale),
        len(removed),
        cache_warning=cache_warning,
    )


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


def _index_beside(out: Path, files: dict[str, bytes], pages: list[str]) -> Path:
    """The search index of the site as it is about to be, made in a scratch folder beside ``out``.

    The scratch site holds the new pages and links to the unchanged ones, so
    indexing reads what readers will get without touching the published site.
    """
    scratch = scratch_folder(out, "search")
    try:
        site = scratch / "site"
        for name in pages:
            target = site / name
            target.parent.mkdir(parents=True, exist_ok=True)
            if name in files:
                target.write_bytes(files[name])
            else:
                try:
                    os.link(out / name, target)
                except OSError:  # a file system without hard links
                    shutil.copyfile(out / name, target, follow_symlinks=False)
        problem = index_site(site, scratch / SEARCH_BUNDLE)
        if problem is not None:
            raise ContentError(
                [Diagnostic(Span(out), problem, "run the build again; delete .explainer-cache if it keeps failing")]
            )
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    return scratch


def _write(out: Path, step: Callable[[], None]) -> None:
    """Run one writing step; a file system that refuses (full disk, no permission) is a clear error, not a crash."""
    try:
        step()
    except OSError as exc:
        where = exc.filename or out
        raise UsageError(f"cannot write the site into {display_path(Path(where))}: {exc.strerror or exc}") from None


def check_output_names(out: Path, files: dict[str, bytes]) -> None:
    """Refuse, before writing anything, a file name the file system would refuse halfway through."""
    limit = _name_limit(out)
    for name in files:
        for part in name.split("/"):
            if len(part.encode("utf-8")) > limit:
                raise UsageError(
                    f"cannot write {name[:80]}...: a name in it is longer than the {limit} bytes the "
                    f"file system allows; shorten the slug or file name it comes from"
                )
        if len(str(out / name).encode("utf-8")) > 4000:
            raise UsageError(f"cannot write {name[:80]}...: the path is too long; build into a shorter --out folder")


def _name_limit(out: Path) -> int:
    folder = out
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    try:
        return min(255, os.pathconf(folder, "PC_NAME_MAX"))
    except (OSError, ValueError, AttributeError):
        return 255


def add_passthrough(
    project: Path, files: dict[str, bytes], diagnostics: Diagnostics, pages: set[str] | None = None
) -> None:
    """Copy ``PROJECT/static/`` into the site, refusing anything that would replace a built file."""
    passthrough = passthrough_files(project, diagnostics)
    if passthrough:
        check_passthrough(project, passthrough, set(files) | (pages or set()), (MARKER, SEARCH_BUNDLE), diagnostics)
        files.update(passthrough)


def code_stamp() -> str:
    """explainer's version and, for a working copy, when its code last changed: a cache from other code is not used."""
    package = Path(__file__).parent
    return hash_parts(
        [
            __version__,
            markdown.__version__,
            jinja2.__version__,
            *(f"{p.name}:{stamp(p)}" for p in sorted(package.glob("*.py"))),
        ]
    )


def left_out(linked: Linked) -> list[str]:
    """What a build without base_url cannot make, said once so deployers know."""
    if linked.content.settings.base_url:
        return []
    return [
        "no base_url set (explainer.yml or --base-url): left out sitemap.xml, feed.xml and canonical and "
        "Open Graph URLs; 404.html links assume it is served from the site's root folder"
    ]


def render_site(linked: Linked, pages: list[Page], diagnostics: Diagnostics) -> dict[str, bytes]:
    """Every output file as bytes: pages, fingerprinted assets, feeds and open data."""
    assets = collect_assets(linked)
    renderer = Renderer(linked, assets)
    files = dict(assets.files)
    files.update(render_pages(renderer, pages, diagnostics, worker_count(len(pages))))
    if not diagnostics.errors:
        files.update(site_files(linked, pages, renderer))
    return files


def collect_assets(linked: Linked) -> Assets:
    """Theme static files (the project's theme overriding by name) and the images entries use."""
    assets = Assets()
    for theme in reversed(theme_dirs(linked)):
        if (theme / "static").is_dir():
            assets.add_folder(theme / "static", "static")
    content_dir = linked.content.project / CONTENT_DIR
    for person in linked.content.entries["people"]:
        if isinstance(person, Person) and person.image:
            published = media_path(content_dir, person.image)
            image = (content_dir / person.image).resolve()  # read from where it is published from
            if published is not None and published not in assets.names and image.is_file():
                assets.add(published, image.read_bytes())
    return assets


@dataclass
class _Rendered:
    """One chunk's pages, what went wrong in it, and the bodies it converted (for the exports)."""

    files: dict[str, bytes] = field(default_factory=dict)
    body_errors: list[Diagnostic] = field(default_factory=list)
    template_error: Diagnostic | None = None
    bodies: dict[tuple, str] = field(default_factory=dict)


def _convert_body(renderer: Renderer, item: Entry | Story) -> Diagnostic | None:
    try:
        renderer.body_html(item)
    except RecursionError:
        return Diagnostic(
            item.body_span or item.span,
            "the Markdown is nested too deeply to render",
            "use fewer levels of nested lists or quotes",
        )
    except PathologicalMarkdownError as problem:  # found before converting: at the line to fix
        start = item.body_span or item.span
        indent = item.body_indent if isinstance(item, Entry) else 0
        column = problem.column + (start.column - 1 if problem.line_offset == 0 else indent)
        return Diagnostic(Span(start.path, start.line + problem.line_offset, column), problem.message, problem.hint)
    return None


def _render_chunk(renderer: Renderer, pages: Sequence[Page]) -> _Rendered:
    result = _Rendered()
    first_new = len(renderer.converted)
    result.body_errors = [
        error for page in pages if page.entry is not None if (error := _convert_body(renderer, page.entry)) is not None
    ]
    if result.body_errors:
        return result
    for page in pages:
        try:
            result.files[page.output_path] = renderer.render(page).encode("utf-8")
        except jinja2.TemplateSyntaxError as exc:
            result.template_error = Diagnostic(
                Span(Path(exc.filename or exc.name or "template"), exc.lineno or 1, 1),
                f"template error: {exc.message}",
                "fix the theme template",
            )
            break
        except Exception as exc:  # noqa: BLE001 - a theme's template may fail in any way; report, don't crash
            result.template_error = Diagnostic(
                _template_span(exc, page),
                f"template error while rendering {page.output_path}: {type(exc).__name__}: {exc}",
                "check the names and filters the template uses",
            )
            break
    result.bodies = {key: renderer.bodies[key] for key in renderer.converted[first_new:]}
    return result


def render_pages(renderer: Renderer, pages: list[Page], diagnostics: Diagnostics, workers: int = 1) -> dict[str, bytes]:
    """The given pages as HTML, in ``workers`` processes; a broken body or template becomes a diagnostic.

    Every body that cannot be converted is reported; of template errors, only the first page's.
    """
    story = renderer.site.content.story
    if story is not None and (error := _convert_body(renderer, story)) is not None:
        diagnostics.items.append(error)
    chunks = map_chunks(_render_chunk, renderer, pages, workers)  # workers inherit the story's converted body
    for chunk in chunks:
        diagnostics.items.extend(chunk.body_errors)
        renderer.bodies.update(chunk.bodies)
    if diagnostics.errors:
        return {}
    for chunk in chunks:
        if chunk.template_error is not None:
            diagnostics.items.append(chunk.template_error)
            return {}
    return {name: data for chunk in chunks for name, data in chunk.files.items()}


def site_files(linked: Linked, pages: list[Page], renderer: Renderer) -> dict[str, bytes]:
    """robots.txt, the sitemap and feeds (with base_url), story.json and timeline.json.

    A living story's feeds are its changes: ``feed.xml`` for the whole story and
    ``<kind>/<slug>/feed.xml`` for each entry; a version-1 story keeps its one feed of entries.
    """
    base_url = linked.content.settings.base_url
    chronicle = renderer.site.chronicle
    files = {"robots.txt": feeds.robots(base_url)}
    if base_url:
        files[feeds.SITEMAP_FILE] = feeds.sitemap(pages, base_url, chronicle)
        if chronicle.is_living:
            files.update(feeds.change_feeds(chronicle, base_url, renderer.site.title, renderer.snippet_html))
        else:
            files[feeds.FEED_FILE] = feeds.atom(linked, base_url, renderer.site.title)
    files[exports.STORY_JSON] = exports.story_json(linked, base_url, chronicle)
    files[exports.TIMELINE_JSON] = exports.timeline_json(linked, renderer.body_for_root, base_url)
    return files


def _template_span(exc: Exception, page: Page) -> Span:
    """The template file and line an exception was raised from, when Jinja2's traceback tells."""
    tb = exc.__traceback__
    found = Span(Path(page.template))
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(".html"):
            found = Span(Path(filename), tb.tb_lineno, 1)
        tb = tb.tb_next
    return found


def _raise_if_failed(diagnostics: Diagnostics, strict: bool) -> None:
    if strict:
        diagnostics.promote_warnings()
    if diagnostics.errors:
        raise ContentError(diagnostics.sorted())
