"""Pages to HTML with Jinja2 and Python-Markdown (the "render" stage).

Templates are looked up in the project's theme first and the default theme
second (a ``ChoiceLoader``), so a newsroom overrides one template by name and
inherits the rest.
"""

from __future__ import annotations

import gettext
import hashlib
import re
from collections import ChainMap
from collections.abc import Callable, MutableMapping
from importlib.resources import files
from pathlib import Path
from types import BuiltinFunctionType, FunctionType, MethodType
from typing import Any
from urllib.parse import quote

import markdown
import markupsafe
from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    StrictUndefined,
    Template,
    nodes,
    pass_eval_context,
    select_autoescape,
)
from jinja2.compiler import CodeGenerator, Frame, optimizeconst
from jinja2.environment import TemplateModule
from jinja2.nodes import EvalContext
from jinja2.runtime import Context, Macro, missing, new_context
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
from explainer.urls import from_root, relative, resolve_xrefs, to_root

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


# functions and methods: what Jinja2 hands them is said by their own jinja_pass_arg mark, if any
_PLAIN_CALLABLES = frozenset({FunctionType, MethodType, BuiltinFunctionType})
_EVAL_CONTEXT = pass_eval_context(lambda: None).jinja_pass_arg  # type: ignore[attr-defined]  # the mark's value


class _TemplateContext(Context):
    """Jinja2's template context, with a short way through the calls a page makes thousands of times.

    Every ``{{ f(x) }}`` in a template goes through :meth:`call`, which looks twice whether ``f`` wants the
    context, the evaluation context or the environment. A macro always wants the evaluation context and a plain
    function or method without a ``jinja_pass_arg`` mark wants nothing, so those are called straight away,
    with exactly the arguments Jinja2's own path would give them; anything else takes that path.
    """

    def call(__self, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805 - Jinja2's own signature
        kind = type(__obj)
        if kind is Macro:
            if kwargs:
                kwargs.pop("_block_vars", None)
                kwargs.pop("_loop_vars", None)
            # a macro given at most its own arguments: its function called with what Macro.__call__ would hand it
            # (``missing`` for each argument left out, so the macro takes its default), without its general handling
            # (Jinja2 3.1's Macro; a Macro without these attributes takes Jinja2's own path)
            count = getattr(__obj, "_argument_count", None)
            if (
                count is not None
                and len(args) <= count
                and not (getattr(__obj, "caller", True) or __obj.catch_kwargs or __obj.catch_varargs)
            ):
                if kwargs:  # arguments by name fill those after the positional ones, as Macro.__call__ fills them
                    rest = __obj.arguments[len(args) :]
                    arguments = (*args, *[kwargs.get(name, missing) for name in rest])
                    plain = all(name in rest for name in kwargs)  # else Macro.__call__ says what is wrong
                else:
                    arguments = (*args, *(missing,) * (count - len(args))) if len(args) < count else args
                    plain = True
                if plain:
                    try:
                        html = __obj._func(*arguments)
                    except StopIteration:
                        return __self.environment.undefined(
                            "value was undefined because a callable raised a StopIteration exception"
                        )
                    return Markup(html) if __self.eval_ctx.autoescape else html
            args = (__self.eval_ctx, *args)
        elif kind in _PLAIN_CALLABLES:
            # a bound method's attributes are its function's, but asking the method for one it lacks costs a raised
            # and caught AttributeError (a site helper's every call): the function is asked instead
            wants = getattr(__obj.__func__ if kind is MethodType else __obj, "jinja_pass_arg", None)
            if wants is _EVAL_CONTEXT:
                args = (__self.eval_ctx, *args)
            elif wants is not None:
                return super().call(__obj, *args, **kwargs)
        else:
            return super().call(__obj, *args, **kwargs)
        if kwargs:
            kwargs.pop("_block_vars", None)
            kwargs.pop("_loop_vars", None)
        try:
            return __obj(*args, **kwargs)
        except StopIteration:
            return __self.environment.undefined(
                "value was undefined because a callable raised a StopIteration exception"
            )


class _ImportedContext(_TemplateContext):
    """The context of a template imported "with context" (``macros.html``), which notes the names its top level reads.

    A module whose top level reads nothing and only defines macros is the same for every page: its macros look
    each name up when they are called, in this context's ``parent`` (the importing page's variables), so one
    module serves every page of a build with ``parent`` pointed at the page importing it (:class:`_Template`).
    """

    watched: list[str] | None = None  # the names read while the module's top level runs; None once it has run

    def resolve_or_missing(self, key: str) -> Any:
        if self.watched is not None:
            self.watched.append(key)
        if key in self.vars:
            return self.vars[key]
        if key in self.parent:
            return self.parent[key]
        return missing

    def get_all(self) -> dict[str, Any]:
        if self.watched is not None:
            self.watched.append("*")  # handed on whole (an import with context inside the module)
        return super().get_all()


# markupsafe's escaping of a plain string, without the Markup it wraps the answer in (None: not found, use escape)
_escape_text: Callable[[str], str] | None = getattr(markupsafe, "_escape_inner", None)


def _escape_output(value: object) -> str:
    """What ``{{ value }}`` writes, as :func:`markupsafe.escape` gives it, for the output of a template only.

    Jinja2 escapes every ``{{ }}`` with ``escape``, which wraps each answer in a new ``Markup``; in output the
    answer is only joined with the rest of the page, a macro's or a block's text (made ``Markup`` once, whole),
    so the plain escaped string serves and saves the wrapping.
    """
    kind = type(value)
    if kind is str:
        return _escape_text(value)  # type: ignore[misc, arg-type]  # set whenever this is used; a str
    if kind is Markup:
        return value  # type: ignore[return-value]  # already safe: escape gives the same text
    return markupsafe.escape(value)


def _typeset_escape(value: object) -> str:
    """``escape(finalize(value))`` in one call: what an autoescaped ``{{ value }}`` writes (:func:`typeset_output`,
    then :func:`_escape_output`), as the code :class:`_CodeGenerator` compiles calls it."""
    if type(value) is str:
        if ("'" in value or '"' in value) and "://" not in value:
            value = i18n.typeset(value)
            if type(value) is not str:
                return _escape_output(value)
        return _escape_text(value)  # type: ignore[misc]  # set whenever this is used
    if type(value) is Markup:
        return value  # already safe: escape gives the same text
    return markupsafe.escape(value)


_NO_ATTRIBUTE = object()  # what getattr gives for an attribute a value lacks, in :class:`_CodeGenerator`'s code


class _CodeGenerator(CodeGenerator):
    """Jinja2's code generator, with fewer Python calls for what every page does most: print and read attributes.

    Jinja2 writes ``escape(environment.finalize(value))`` for every output: two calls and a look-up, hundreds of
    thousands a build. Where the output is escaped (known when compiling: not inside a scope that switches
    autoescaping at run time) and finalized by :func:`typeset_output` without arguments of its own, it writes
    ``_typeset_escape(value)`` instead, the same text. Constants are finalized and escaped when compiled, as before.
    """

    def _one_call(self, frame: Frame, finalize: Any) -> bool:
        return (
            _escape_text is not None
            and not frame.eval_ctx.volatile
            and bool(frame.eval_ctx.autoescape)
            and finalize.src == "environment.finalize("
            and self.environment.finalize is typeset_output
        )

    @optimizeconst
    def visit_Getattr(self, node: nodes.Getattr, frame: Frame) -> None:  # noqa: N802 - Jinja2's visitor name
        """``x.name`` as the builtin ``getattr`` with a default, and Jinja2's ``environment.getattr`` (which tries
        ``x["name"]``, else is undefined) only when the attribute is missing: the same value without a Python call
        for each of the hundreds of thousands of attributes a build's pages read. ``x`` is evaluated once."""
        if self.environment.is_async or self.environment.sandboxed:
            super().visit_Getattr(node, frame)
            return
        value, owner = self.temporary_identifier(), self.temporary_identifier()
        self.write(f"({value} if ({value} := getattr(({owner} := ")
        self.visit(node.node, frame)
        self.write(f"), {node.attr!r}, _no_attribute)) is not _no_attribute else environment.getattr({owner}, ")
        self.write(f"{node.attr!r}))")

    def _output_child_pre(self, node: nodes.Expr, frame: Frame, finalize: Any) -> None:
        if self._one_call(frame, finalize):
            self.write("_typeset_escape(")
        else:
            super()._output_child_pre(node, frame, finalize)

    def _output_child_post(self, node: nodes.Expr, frame: Frame, finalize: Any) -> None:
        if self._one_call(frame, finalize):
            self.write(")")
        else:
            super()._output_child_post(node, frame, finalize)


class _Template(Template):
    """A compiled template whose imports "with context" are made once per build where that gives the same module.

    Every page imports ``macros.html`` with context, and Jinja2 runs its top level again for each import: a new
    context and a new ``Macro`` for each of its macros, on every page. A module whose top level read no name from
    the page (so defines the same macros whatever the page) and exports only macros is kept for the build
    (``imported`` on the environment, emptied by each :class:`Renderer`) and handed to the next page importing it,
    its context's variables now that page's: its macros read ``url``, ``site`` or ``page`` when called, as a fresh
    module's would, and record their reads in the page rendering then. Anything else (a top level that reads a
    name, sets a variable or imports with context) gets a fresh module, as Jinja2 makes it. This relies on pages
    being rendered one at a time in a process (no page is rendered while another is).
    """

    environment: _Environment

    @classmethod
    def _from_namespace(cls, environment: Environment, namespace: MutableMapping[str, Any], globals: Any) -> Template:
        # the compiled code escapes output only with the name ``escape`` it imports: each template's own copy
        if _escape_text is not None and namespace.get("escape") is markupsafe.escape:
            namespace["escape"] = _escape_output
        namespace["_typeset_escape"] = _typeset_escape  # named by the code of :class:`_CodeGenerator`
        namespace["_no_attribute"] = _NO_ATTRIBUTE
        return super()._from_namespace(environment, namespace, globals)

    def new_context(self, vars: dict[str, Any] | None = None, shared: bool = False, locals: Any = None) -> Context:
        """Jinja2's context for a render, its globals (a ``ChainMap`` of the template's and the environment's, which
        Jinja2 copies and lists key by key in Python, some 5 us a page) first made one dict, at C speed: the same
        names, in the same order, each with the value the ``ChainMap`` gives."""
        found = self.globals
        if type(found) is ChainMap:
            flat: dict[str, Any] = {}
            for mapping in reversed(found.maps):
                flat.update(mapping)
            found = flat
        return new_context(self.environment, self.name, self.blocks, vars, shared, found, locals)

    def make_module(
        self, vars: dict[str, Any] | None = None, shared: bool = False, locals: Any = None
    ) -> TemplateModule:
        imported = self.environment.imported
        if not shared or vars is None or imported.get(self, True) is None:
            return super().make_module(vars, shared, locals)
        if locals:  # the importing template's own variables so far (an earlier import's module), as Jinja2 adds them
            known = {name: value for name, value in locals.items() if value is not missing}
            if known:
                vars = {**vars, **known}
        found = imported.get(self)
        if found is not None:
            module, context = found
            context.parent = vars
            return module
        context = _ImportedContext(self.environment, vars, self.name, self.blocks, globals=self.globals)
        context.watched = []
        module = TemplateModule(self, context)
        same_everywhere = not context.watched and all(type(value) is Macro for value in context.get_exported().values())
        context.watched = None
        imported[self] = (module, context) if same_everywhere else None
        return module


class _Environment(Environment):
    """Jinja2's environment with this module's template and context classes, and the build's imported modules."""

    template_class = _Template
    context_class = _TemplateContext
    code_generator_class = _CodeGenerator

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        # imports "with context" made once for the build (:class:`_Template`), by template; None: made every time
        self.imported: dict[Template, tuple[TemplateModule, Context] | None] = {}


# a placeholder that puts a value's text in (or a literal %)
_NAMED_TEXT = re.compile(r"%(?:%|\([^)]*\)s)")
# a value as ``Markup % {...}`` puts it into a %(name)s placeholder: escaped (plain text where it can be)
_escape_value: Callable[[object], str] = _escape_output if _escape_text is not None else markupsafe.escape


def _only_named_text(text: str) -> bool:
    """Whether every placeholder of a message is ``%(name)s``: then ``Markup(text % {name: escape(value)})`` is what
    ``Markup``'s own ``%`` gives, without its helper object for each value (a list line fills one or two)."""
    return "%" not in _NAMED_TEXT.sub("", text)


def _gettext_callables(translations: gettext.NullTranslations) -> dict[str, Any]:
    """``_``, ``gettext`` and ``ngettext`` for templates, as Jinja2's new-style gettext makes them.

    A message is always a format string (a literal % is written %%) and, with autoescaping, Markup, so the
    values filled in are escaped. Jinja2's own hand the call on through the template context twice; these
    take the evaluation context only, and keep each message's translation (and each message without values,
    whole) for the build, as a build's catalog does not change.
    """
    translated: dict[str, Markup] = {}
    named: dict[str, bool] = {}  # by message: whether its translation's every placeholder is %(name)s
    finished: dict[str, Markup] = {}

    @pass_eval_context
    def gettext(context: EvalContext, message: str, /, **variables: Any) -> str:
        if variables:  # values are printed text: typeset as {{ }} output is (the message is the theme's own)
            variables = {name: typeset_output(value) for name, value in variables.items()}
        if not context.autoescape:
            return translations.gettext(message) % variables
        if not variables:
            found = finished.get(message)
            if found is None:
                found = finished[message] = Markup(translations.gettext(message)) % variables
            return found
        text = translated.get(message)
        if text is None:
            text = translated[message] = Markup(translations.gettext(message))
            named[message] = _only_named_text(text)
        if named[message]:
            return Markup(str.__mod__(text, {name: _escape_value(value) for name, value in variables.items()}))
        return text % variables

    @pass_eval_context
    def ngettext(context: EvalContext, singular: str, plural: str, num: int, /, **variables: Any) -> str:
        variables = {name: typeset_output(value) for name, value in variables.items()}
        variables.setdefault("num", num)
        text = translations.ngettext(singular, plural, num)
        return (Markup(text) if context.autoescape else text) % variables

    return {"_": gettext, "gettext": gettext, "ngettext": ngettext}


def make_environment(themes: list[Path]) -> Environment:
    """The templates' environment; compiled templates are kept between builds (:mod:`explainer.compiled`)."""
    loader = ChoiceLoader([FileSystemLoader(str(theme / "templates")) for theme in themes])
    options: dict[str, Any] = {"extensions": ["jinja2.ext.i18n"], "trim_blocks": True, "lstrip_blocks": True}
    env = _Environment(
        loader=loader,
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        finalize=typeset_output,
        # the code depends on these options, on autoescaping every template and on having a finalize step
        bytecode_cache=bytecode_cache(
            repr([sorted(options.items()), "autoescape everything", "finalize", "_typeset_escape", "getattr"])
        ),
        **options,
        # a template's file is checked for changes once a build (:func:`drop_changed_templates`), not on every
        # use: a page's template, its base and its macros would each cost a stat per page
        auto_reload=False,
    )
    env.filters["human"] = lambda date: date.human() if isinstance(date, PartialDate) else ""
    env.filters["number"] = lambda value: i18n.active().number(value)
    env.filters["iso"] = lambda date: date.iso() if isinstance(date, PartialDate) else ""
    return env


def drop_changed_templates(env: Environment) -> None:
    """Forget the compiled templates whose file changed or went since they were compiled (an environment kept
    between builds, as ``serve`` keeps it, compiles them again when a page asks)."""
    if env.cache is None:
        return
    for key, template in list(env.cache.items()):
        if not template.is_up_to_date:
            del env.cache[key]


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
        site: SiteView | None = None,
    ):
        self.language = language if language is not None else i18n.english()
        i18n.activate(self.language)
        self.site = site if site is not None else SiteView(linked)  # a view made for ``linked``, when given
        self.linked = linked
        # an environment may be reused between builds for its compiled templates; the globals set below
        # are this build's (templates read them live through the environment)
        self.env = environment if environment is not None else make_environment(theme_dirs(linked))
        drop_changed_templates(self.env)
        if isinstance(self.env, _Environment):
            self.env.imported.clear()  # modules hold nothing of an earlier build's, but are remade for each
        self.env.install_gettext_translations(self.language.translations, newstyle=True)  # type: ignore[attr-defined]
        self.env.globals.update(_gettext_callables(self.language.translations))
        self.markdown = MarkdownRenderer(linked.wikilinks, linked.content.settings.unsafe_html, self.language.quotes())
        # converted bodies, keyed by everything the HTML depends on; may be shared between builds
        self.bodies: dict[tuple, str] = {} if bodies is None else bodies
        self.converted: list[tuple] = []  # keys of the bodies this renderer converted, in order
        self.stored = stored or {}  # bodies converted by an earlier build, by body_digest
        self._digests: dict[tuple, str] = {}
        self._links: dict[str, dict[str, str]] = {}  # by a page's way back to the root: each link's from_root
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
        root = to_root(page.path)  # the way back to the site root, for every link the page makes

        absolute_links = page.output is not None and base_url  # the 404 page is served at any depth
        links = self._links.get(root)
        if links is None:
            links = self._links[root] = {}

        def url(target: str | Entry) -> str:
            path = target.path if isinstance(target, Entry) else target
            if absolute_links:
                return (base_url or "") + relative("", path)  # base_url is set: absolute_links says so
            if type(path) is not str:  # a str's subclass (Markup) gives its own kind of answer: not kept
                return from_root(root, path)
            found = links.get(path)
            if found is None:
                found = links[path] = from_root(root, path)
            return found

        def body(item: Entry | Story) -> Markup:
            return Markup(resolve_xrefs(self.body_html(item), page.path))

        def linked_here(html: str) -> Markup:
            """HTML drawn once for every page (the who-says-what picture), its ``xref:`` links made relative here."""
            return Markup(resolve_xrefs(str(html), page.path))

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
            linked_here=linked_here,
            snippet=snippet,
            json_ld=json_ld,
            share_image=share_image,
            oembed_url=oembed_url,
        )
