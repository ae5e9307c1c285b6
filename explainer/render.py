"""Pages to HTML with Jinja2 and Python-Markdown (the "render" stage).

Templates are looked up in the project's theme first and the default theme
second (a ``ChoiceLoader``), so a newsroom overrides one template by name and
inherits the rest.
"""

from __future__ import annotations

import hashlib
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import quote

import markdown
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, pass_context, select_autoescape
from markupsafe import Markup

from explainer import i18n
from explainer.assets import Assets
from explainer.basics import SEARCH_BUNDLE
from explainer.compiled import bytecode_cache
from explainer.context import SiteView
from explainer.dates import PartialDate
from explainer.dependencies import record
from explainer.embeds import EMBED_SCRIPT, oembed_path
from explainer.embeds import enabled as oembeds_enabled
from explainer.feeds import FEED_FILE
from explainer.linker import Linked, find_wikilinks, wikilink_targets
from explainer.markdown_render import MarkdownRenderer
from explainer.model import Entry, Person, Snippet, Story
from explainer.pages import (
    CITED_INLINE,
    CORRECTIONS_URL,
    INDEX_PAGES,
    SEARCH_URL,
    SOURCES_PAGE_SIZE,
    SOURCES_URL,
    UPDATES_URL,
    Page,
    media_path,
)
from explainer.reader import CONTENT_DIR
from explainer.share_images import ShareImage, card_for, enabled, has_image, image_path
from explainer.structured_data import inline_text, plain_text, structured_data
from explainer.urls import relative, resolve_xrefs

SINCE_SCRIPT = "static/since.js"


def body_key(item: Entry | Story, linked: Linked) -> tuple:
    """What a body's HTML depends on: its text, the settings, and each wikilink's target and title."""
    settings = (linked.content.settings.unsafe_html, i18n.active().quotes())
    return (item.body, settings, _targets(wikilink_targets(item), linked))


def snippet_key(snippet: Snippet, linked: Linked) -> tuple:
    """What a short Markdown field's HTML depends on, as :func:`body_key`."""
    found = [target for target, _shown, _span in find_wikilinks(snippet.text, snippet.span, snippet.indent)]
    settings = (linked.content.settings.unsafe_html, i18n.active().quotes())
    return ("snippet", snippet.text, settings, _targets(found, linked))


def _targets(found: list[str], linked: Linked) -> tuple:
    targets = []
    for target in found:
        record(("wikilink", target))
        entry = linked.wikilinks.get(target)
        if entry is not None:
            aliases = tuple(entry.aliases) if isinstance(entry, Person) else ()
            targets.append((target, entry.path, entry.title, aliases))
    return tuple(targets)


def body_digest(key: tuple) -> str:
    """A body key as a short string, for the build cache (the converter's version is part of it)."""
    return hashlib.sha256(repr((markdown.__version__, key)).encode("utf-8")).hexdigest()


def default_theme() -> Path:
    """The theme shipped inside the package (``themes/default`` in the repository)."""
    return Path(str(files("explainer.themes") / "default"))


def theme_dirs(linked: Linked) -> list[Path]:
    """Theme folders in lookup order: the project's own first, then the default."""
    custom = linked.content.settings.theme
    return [custom, default_theme()] if custom else [default_theme()]


def template_names(theme: Path) -> list[str]:
    """The templates a theme folder holds, by name."""
    folder = theme / "templates"
    return sorted(FileSystemLoader(str(folder)).list_templates()) if folder.is_dir() else []


def typeset_output(value: object) -> object:
    """What a template prints, with the typography Markdown bodies get (:func:`explainer.i18n.typeset`): a title or
    summary reads "crew’s" beside a body's "crew’s". Only plain text is touched: HTML (``Markup``: bodies, macros,
    translated messages) was typeset where it was made, and a web address (``://``) is used as written."""
    if type(value) is str and ("'" in value or '"' in value) and "://" not in value:
        return i18n.typeset(value)
    return value


def _typeset_values(function: Any) -> Any:
    """A newstyle gettext function whose ``%(name)s`` values are typeset as printed values are (the translated
    message itself is the theme's, written with the right marks)."""

    @pass_context
    def typeset_values(context: Any, *args: Any, **values: Any) -> Any:
        if values:
            values = {name: typeset_output(value) for name, value in values.items()}
        return function(context, *args, **values)

    return typeset_values


def make_environment(themes: list[Path]) -> Environment:
    """The templates' environment; compiled templates are kept between builds (:mod:`explainer.compiled`)."""
    loader = ChoiceLoader([FileSystemLoader(str(theme / "templates")) for theme in themes])
    options: dict[str, Any] = {"extensions": ["jinja2.ext.i18n"], "trim_blocks": True, "lstrip_blocks": True}
    env = Environment(
        loader=loader,
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        finalize=typeset_output,
        # the code depends on these options, on autoescaping every template and on having a finalize step
        bytecode_cache=bytecode_cache(repr([sorted(options.items()), "autoescape everything", "finalize"])),
        **options,
    )
    env.filters["human"] = lambda date: date.human() if isinstance(date, PartialDate) else ""
    env.filters["number"] = lambda value: i18n.active().number(value)
    env.filters["iso"] = lambda date: date.iso() if isinstance(date, PartialDate) else ""
    return env


class Renderer:
    """Renders planned pages; Markdown bodies are converted once and reused."""

    def __init__(
        self,
        linked: Linked,
        assets: Assets,
        bodies: dict | None = None,
        environment: Environment | None = None,
        stored: dict[str, str] | None = None,
        language: i18n.Language | None = None,
    ):
        self.language = language if language is not None else i18n.english()
        i18n.activate(self.language)
        self.site = SiteView(linked)
        self.linked = linked
        # an environment may be reused between builds for its compiled templates; the globals set below
        # are this build's (templates read them live through the environment)
        self.env = environment if environment is not None else make_environment(theme_dirs(linked))
        self.env.install_gettext_translations(self.language.translations, newstyle=True)  # type: ignore[attr-defined]
        for name in ("gettext", "ngettext"):
            self.env.globals[name] = _typeset_values(self.env.globals[name])
        self.markdown = MarkdownRenderer(linked.wikilinks, linked.content.settings.unsafe_html, self.language.quotes())
        # converted bodies, keyed by everything the HTML depends on; may be shared between builds
        self.bodies: dict[tuple, str] = {} if bodies is None else bodies
        self.converted: list[tuple] = []  # keys of the bodies this renderer converted, in order
        self.stored = stored or {}  # bodies converted by an earlier build, by body_digest
        self._digests: dict[tuple, str] = {}
        base_url = self.base_url = linked.content.settings.base_url
        self.share_images = enabled(linked.content.settings.social_cards, base_url)
        self.oembeds = oembeds_enabled(linked.content.settings.embeds, base_url)
        self.env.globals.update(
            site=self.site,
            index_urls={c: v[0] for c, v in INDEX_PAGES.items()},
            sources_url=SOURCES_URL,
            cited_inline=CITED_INLINE,
            sources_page_size=SOURCES_PAGE_SIZE,
            search_url=SEARCH_URL if linked.content.settings.search else None,
            updates_url=UPDATES_URL,
            corrections_url=CORRECTIONS_URL,
            # the "since your last visit" script, on every page of a story that records changes
            since_script=SINCE_SCRIPT if self.site.chronicle.is_living and SINCE_SCRIPT in assets.names else None,
            base_url=base_url,
            # the script an embeddable card reports its height with
            embed_script=EMBED_SCRIPT if EMBED_SCRIPT in assets.names else None,
            asset=assets.url,
            media=lambda image: quote(assets.url(media_path(linked.content.project / CONTENT_DIR, image) or "")),
            feed_url=FEED_FILE if base_url else None,
            search_bundle=SEARCH_BUNDLE,
            # the theme's own CSS, trusted like its templates, for pages that inline it
            stylesheet=lambda: Markup(assets.files[assets.url("static/style.css")].decode("utf-8")),
        )

    def body_digest(self, key: tuple) -> str:
        """:func:`body_digest`, worked out once per body (a build asks for each twice: exports, then the cache)."""
        found = self._digests.get(key)
        if found is None:
            found = self._digests[key] = body_digest(key)
        return found

    def body_html(self, item: Entry | Story) -> str:
        key = body_key(item, self.linked)
        if key not in self.bodies:
            stored = self.stored.get(self.body_digest(key)) if self.stored else None
            if stored is not None:
                self.bodies[key] = stored
            else:
                self.bodies[key] = self.markdown.convert(item.body) if item.body.strip() else ""
                self.converted.append(key)
        return self.bodies[key]

    def snippet_html(self, snippet: Snippet | None, page_url: str = "") -> Markup:
        """A short Markdown field (an answer, a correction, an update) as inline HTML, links relative to a page.

        One paragraph loses its ``<p>`` so it sits inside a list item or a sentence; more stay blocks."""
        if snippet is None:
            return Markup("")
        key = snippet_key(snippet, self.linked)
        if key not in self.bodies:
            html = self.markdown.convert(snippet.text).strip()
            if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
                html = html[3:-4]
            self.bodies[key] = html
        return Markup(resolve_xrefs(self.bodies[key], page_url))

    def body_for_root(self, item: Entry | Story) -> str:
        """A body with links relative to the site root (for exports)."""
        return resolve_xrefs(self.body_html(item), "")

    def render(self, page: Page) -> str:
        template = self.env.get_template(page.template)
        base_url = self.base_url

        def url(target: str | Entry) -> str:
            path = target.path if isinstance(target, Entry) else target
            if page.output is not None and base_url:  # the 404 page is served at any depth
                return base_url + relative("", path)
            return relative(page.path, path)

        def body(item: Entry | Story) -> Markup:
            return Markup(resolve_xrefs(self.body_html(item), page.path))

        def absolute(path: str) -> str:
            """An absolute URL with base_url; without it, the path from the site root."""
            return (base_url or "") + path

        def json_ld() -> Markup:
            return structured_data(
                page,
                self.site,
                absolute,
                lambda item: plain_text(self.body_html(item)),
                lambda snippet: inline_text(self.snippet_html(snippet)),
            )

        def snippet(item: Snippet | None) -> Markup:
            return self.snippet_html(item, page.path)

        def share_image() -> ShareImage | None:
            """The page's share image: its absolute address, size and what it shows in words; none without one."""
            if not self.share_images or not has_image(page):
                return None
            return ShareImage(
                f"{base_url}{image_path(page)}", card_for(page, self.site.title, base_url, self.site.statuses).alt
            )

        def oembed_url() -> str | None:
            """The absolute address of the page's oEmbed file, for its discovery link; none without one."""
            return f"{base_url}{oembed_path(page)}" if self.oembeds and page.embed else None

        return template.render(
            page=page,
            entry=page.entry,
            url=url,
            body=body,
            snippet=snippet,
            json_ld=json_ld,
            share_image=share_image,
            oembed_url=oembed_url,
        )
