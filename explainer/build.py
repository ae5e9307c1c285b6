"""The pipeline: read -> model -> link -> validate -> plan pages -> render -> write.

The command line and tests call these functions; each stage lives in its own
module and hands plain data to the next.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import jinja2

from explainer import exports, feeds
from explainer.assets import Assets
from explainer.config import normalise_base_url
from explainer.diagnostics import ContentError, Diagnostic, Diagnostics, Span
from explainer.linker import Linked, link
from explainer.model import Person
from explainer.pages import Page, media_path, plan_pages
from explainer.parallel import map_chunks, worker_count
from explainer.reader import CONTENT_DIR, ReadCache, read_project
from explainer.render import Renderer, theme_dirs
from explainer.search import index_site
from explainer.validate import validate
from explainer.writer import check_output_folder, write_site


@dataclass
class BuildResult:
    out: Path
    pages: list[Page]
    files: dict[str, bytes]
    warnings: list[Diagnostic] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def load(project: Path, diagnostics: Diagnostics, base_url: str | None = None,
         cache: ReadCache | None = None, search: bool | None = None) -> Linked:
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
    render_site(linked, plan_pages(linked), diagnostics)
    _raise_if_failed(diagnostics, strict)
    return diagnostics.sorted()


def build(project: Path, out: Path | None = None, strict: bool = False, base_url: str | None = None,
          search: bool | None = None) -> BuildResult:
    """Build the site; on any error the previous output is left as it was."""
    project = project.resolve()
    out = (out or project / "build").resolve()
    diagnostics = Diagnostics()
    linked = load(project, diagnostics, base_url, search=search)
    check_output_folder(out, project, [project / CONTENT_DIR, *theme_dirs(linked)])
    _raise_if_failed(diagnostics, strict)
    pages = plan_pages(linked)
    files = render_site(linked, pages, diagnostics)
    _raise_if_failed(diagnostics, strict)
    notes = left_out(linked)

    def add_search(staging: Path) -> None:
        problem = index_site(staging)
        if problem is not None:
            raise ContentError([Diagnostic(Span(out), problem, "reinstall explainer with its dependencies")])

    write_site(files, out, add_search if linked.content.settings.search else None)
    return BuildResult(out, pages, files, diagnostics.sorted(), notes)


def left_out(linked: Linked) -> list[str]:
    """What a build without base_url cannot make, said once so deployers know."""
    if linked.content.settings.base_url:
        return []
    return ["no base_url set (explainer.yml or --base-url): left out sitemap.xml, feed.xml and canonical and "
            "Open Graph URLs; 404.html links assume it is served from the site's root folder"]


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
    content_dir = (linked.content.project / CONTENT_DIR).resolve()
    for person in linked.content.entries["people"]:
        if isinstance(person, Person) and person.image:
            image = (content_dir / person.image).resolve()
            if image.is_file() and image.is_relative_to(content_dir):
                assets.add(media_path(person.image), image.read_bytes())
    return assets


@dataclass
class _Rendered:
    """One chunk's pages, what went wrong in it, and the bodies it converted (for the exports)."""

    files: dict[str, bytes] = field(default_factory=dict)
    body_errors: list[Diagnostic] = field(default_factory=list)
    template_error: Diagnostic | None = None
    bodies: dict[tuple, str] = field(default_factory=dict)


def _render_chunk(renderer: Renderer, pages: Sequence[Page]) -> _Rendered:
    result = _Rendered()
    first_new = len(renderer.converted)
    story = renderer.site.content.story
    for item in [*([story] if story else []), *(page.entry for page in pages if page.entry is not None)]:
        try:
            renderer.body_html(item)
        except RecursionError:
            result.body_errors.append(Diagnostic(item.body_span or item.span,
                                                 "the Markdown is nested too deeply to render",
                                                 "use fewer levels of nested lists or quotes"))
    if result.body_errors:
        return result
    for page in pages:
        try:
            result.files[page.output_path] = renderer.render(page).encode("utf-8")
        except jinja2.TemplateSyntaxError as exc:
            result.template_error = Diagnostic(Span(Path(exc.filename or exc.name or "template"), exc.lineno or 1, 1),
                                               f"template error: {exc.message}", "fix the theme template")
            break
        except Exception as exc:  # noqa: BLE001 - a theme's template may fail in any way; report, don't crash
            result.template_error = Diagnostic(
                _template_span(exc, page), f"template error while rendering {page.output_path}: "
                f"{type(exc).__name__}: {exc}", "check the names and filters the template uses")
            break
    result.bodies = {key: renderer.bodies[key] for key in renderer.converted[first_new:]}
    return result


def render_pages(renderer: Renderer, pages: list[Page], diagnostics: Diagnostics, workers: int = 1) -> dict[str, bytes]:
    """The given pages as HTML, in ``workers`` processes; a broken body or template becomes a diagnostic.

    Every body that cannot be converted is reported; of template errors, only the first page's.
    """
    chunks = map_chunks(_render_chunk, renderer, pages, workers)
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
    """robots.txt, the sitemap and feed (with base_url), story.json and timeline.json."""
    base_url = linked.content.settings.base_url
    files = {"robots.txt": feeds.robots(base_url)}
    if base_url:
        files[feeds.SITEMAP_FILE] = feeds.sitemap(pages, linked, base_url)
        files[feeds.FEED_FILE] = feeds.atom(linked, base_url, renderer.site.title)
    files[exports.STORY_JSON] = exports.story_json(linked, base_url)
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
