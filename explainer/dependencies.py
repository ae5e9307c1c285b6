"""What a page's render reads, recorded while it renders: the knowledge of which pages an edit affects.

As Lektor records which sources a page used, every page render here records
what it read, whatever template drew it (the default theme or a project's):

- ``("field", identity, name)``: a field of an entry, the story, a source or a
  change, or an attribute of the site view or the chronicle;
- ``("call", owner, name, args)``: a helper of the site view or the chronicle
  (:func:`derived`); its value stands for everything it read, so a weight that
  changes no order re-renders nothing;
- ``("wikilink", text)``: which entry a wikilink's text names;
- ``("page", output path)`` and ``("template", name)``: the page's own plan and
  the templates it is drawn with.

A later build evaluates each read again on the new story (:class:`Evaluator`)
and re-renders exactly the pages with a read whose value changed. A read of
something with no identity to find again (the whole linked story, a renderer)
never compares equal, so a theme that reaches past the documented context is
re-rendered every time rather than left stale.

Recording works by giving the model's classes a recording data descriptor for each
field (and the views a recording ``__getattribute__``) only while pages render
(:func:`recording`), so it costs nothing elsewhere.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import marshal
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from collections.abc import Set as AbstractSet
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

from explainer.dates import PartialDate
from explainer.model import Ref, Snippet

if TYPE_CHECKING:
    from jinja2 import Environment

Read = tuple  # one of the shapes in the module docstring
Function = TypeVar("Function", bound=Callable[..., Any])

POSITIONS = frozenset({"span", "spans", "failed", "body_span", "body_indent", "indent"})
IDENTITY_FIELDS = frozenset({"collection", "slug", "id"})  # part of the identity itself
MISSING = "missing"
VOLATILE = "volatile"  # never equal to itself: the page is always rendered again

_frames: list[set[Read] | None] = []  # the reads of the page being rendered; None while a helper runs
_handlers: dict[type, Callable[[Any], Any]] = {}
_items: dict[int, tuple[str, frozenset[str]]] = {}  # while recording: id of an item -> its key and its fields
_thread: list[int | None] = [None]  # the thread rendering it
_get_ident = threading.get_ident  # asked on every helper call
_original: dict[type, Any] = {}
_fields: dict[type, frozenset[str]] = {}


class Unidentifiable(Exception):
    """An argument a helper cannot be called with again in a later build."""


TAG = "\0@"  # marks a model item's key among plain values


def item_key(value: Any) -> str | None:
    """The key a model item is found by again ("people/ann-lee", "story", "source:id", "change:id"), else None."""
    prefix = getattr(type(value), "_identity_prefix", None)
    if prefix is None:
        return None
    instance = object.__getattribute__(value, "__dict__")
    key = instance.get(_KEY)
    if key is None:  # worked out once per item (an item's kind, slug or id never changes once it is read)
        if prefix == "":
            key = f"{object.__getattribute__(value, 'collection')}/{object.__getattribute__(value, 'slug')}"
        elif prefix == "story":
            key = prefix
        else:
            key = prefix + object.__getattribute__(value, "id")
        instance[_KEY] = key
    return key


_KEY = "\0key"  # where an item keeps its key: not an attribute name, so no field or template meets it


def identity(value: Any) -> Any:
    """How a later build finds ``value`` again: a tagged key for model items, the value for plain data."""
    kind = type(value)
    if value is None or kind is str or kind is int or kind is bool or kind is float:
        return value
    if kind is tuple or kind is list:
        return tuple([identity(item) for item in value])
    known = _items.get(id(value))
    if known is not None:
        return (TAG, known[0])
    if isinstance(value, (str, int, float)):
        return value
    key = item_key(value)
    if key is not None:
        return (TAG, key)
    if isinstance(value, (list, tuple)):
        return tuple(identity(item) for item in value)
    raise Unidentifiable(type(value).__name__)


_PLAIN = frozenset({str, int, float, bool, type(None)})  # what :func:`shallow` gives back as it is


def shallow(value: Any) -> Any:
    """A value as plain data; model items in it stand as their identity (their fields are reads of their own)."""
    kind = type(value)
    if value is None or kind in (str, int, float, bool):
        return value
    if kind is list or kind is tuple:  # plain items kept without a call each (a page's breadcrumbs, a list's paths)
        return tuple([item if type(item) in _PLAIN else shallow(item) for item in value])
    known = _items.get(id(value))
    if known is not None:
        return (TAG, known[0])
    handler = _handlers.get(kind)
    if handler is None:
        handler = _handlers[kind] = _handler(kind)
    return handler(value)


def _handler(kind: type) -> Callable[[Any], Any]:
    """How :func:`shallow` turns values of one type into plain data (worked out once per type)."""
    if issubclass(kind, (str, int, float)):  # Markup is a str: its text is its value
        return lambda value: value
    if getattr(kind, "_identity_prefix", None) is not None:
        return lambda value: (TAG, item_key(value))
    view = getattr(kind, "_view_name", None)
    if view is not None:  # the site view or the chronicle: what a page reads of it is recorded read by read
        return lambda value: ("view", view)
    if getattr(kind, "_opaque", False):
        return _unidentifiable
    if issubclass(kind, PartialDate):
        return lambda value: ("date", value.text, value.iso())
    if issubclass(kind, Snippet):
        return lambda value: ("snippet", value.text)
    if issubclass(kind, Ref):
        return lambda value: ("ref", value.target, identity(value.entry) if value.entry is not None else None)
    if issubclass(kind, (list, tuple)):
        return lambda value: tuple([shallow(item) for item in value])
    if issubclass(kind, (set, frozenset)):
        return lambda value: ("set", tuple(sorted(repr(shallow(item)) for item in value)))
    if issubclass(kind, dict):
        return lambda value: ("dict", tuple(sorted((repr(key), shallow(item)) for key, item in value.items())))
    if dataclasses.is_dataclass(kind) and kind.__module__.startswith("explainer."):
        names = [f.name for f in dataclasses.fields(kind) if f.name not in POSITIONS]
        name = kind.__name__
        get = object.__getattribute__
        return lambda value: (
            name,
            tuple([(field, item if type(item := get(value, field)) in _PLAIN else shallow(item)) for field in names]),
        )
    return _unidentifiable


def _unidentifiable(value: Any) -> Any:
    raise Unidentifiable(type(value).__name__)


def value_digest(value: Any) -> str:
    """A short digest of a value as :func:`shallow` sees it (``VOLATILE`` for what it cannot see)."""
    if value is None or value is True or value is False:
        return repr(value)
    if type(value) is str and len(value) <= 40:  # short text is its own digest
        return "'" + value
    try:
        plain = shallow(value)
    except (Unidentifiable, RecursionError):
        return VOLATILE
    try:  # plain data is tuples, text, numbers and None: marshal writes it as it is, far faster than repr
        data = b"m" + marshal.dumps(plain, _MARSHAL_VERSION)
    except ValueError:  # a subclass of str or int in it (Markup, an enum): marshal takes exact types only
        data = b"r" + repr(plain).encode("utf-8")
    return hashlib.blake2b(data, digest_size=8).hexdigest()


# marshal's format 2: equal values give equal bytes (later formats mark shared and interned objects)
_MARSHAL_VERSION = 2


def short_digest(text: str) -> str:
    """Sixteen hex digits standing for ``text``: reads, templates and items compare by these."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=8).hexdigest()


def record(read: Read) -> None:
    """Note a read for the page being rendered (nothing when no page is)."""
    if _frames and (frame := _frames[-1]) is not None:
        frame.add(read)


class _RecordedField:
    """A model field while pages render (a data descriptor in the class): reading it notes the read.

    Only fields cost a Python call; methods, properties and ``isinstance`` checks read at C speed. Each
    item's read is made once and shared by every page that reads it.
    """

    __slots__ = ("name", "default", "reads")

    def __init__(self, name: str, default: Any):
        self.name = name
        self.default = default  # the class attribute it stands in for (a dataclass default), else _NOTHING
        self.reads: dict[int, Read] = {}  # id of an item -> ("field", its key, name)

    def __get__(self, item: Any, owner: type | None = None) -> Any:
        if item is None:
            if self.default is _NOTHING:
                raise AttributeError(self.name)
            return self.default
        if _frames and (frame := _frames[-1]) is not None:
            read = self.reads.get(id(item))
            if read is None:
                read = self._read(item)
            frame.add(read)
        try:
            return item.__dict__[self.name]
        except KeyError:
            if self.default is _NOTHING:
                raise AttributeError(self.name) from None
            return self.default

    def __set__(self, item: Any, value: Any) -> None:
        item.__dict__[self.name] = value

    def __delete__(self, item: Any) -> None:
        del item.__dict__[self.name]

    def _read(self, item: Any) -> Read:
        known = _items.get(id(item))
        if known is None:  # an item made while rendering: nothing to find it by later
            return _VOLATILE_READ
        read = self.reads[id(item)] = ("field", known[0], self.name)
        return read


_NOTHING = object()
_VOLATILE_READ = ("volatile",)
_installed: list[tuple[type, str, Any]] = []  # while recording: each class's field replaced, and what it was


def _view_getattribute(self: Any, name: str) -> Any:
    """For the site view and the chronicle: their instance attributes are the values they computed."""
    value = object.__getattribute__(self, name)
    if _frames and (frame := _frames[-1]) is not None and name in object.__getattribute__(self, "__dict__"):
        frame.add(("field", type(self)._view_name, name))
    return value


def recorded_fields(cls: type) -> frozenset[str]:
    if cls not in _fields:
        names = {f.name for f in dataclasses.fields(cls)} if dataclasses.is_dataclass(cls) else set()
        _fields[cls] = frozenset(names - POSITIONS - IDENTITY_FIELDS)
    return _fields[cls]


@contextmanager
def recording(
    model: list[type],
    views: list[type],
    items: Iterable[Any],
    registered: dict[int, tuple[str, frozenset[str]]] | None = None,
) -> Iterator[None]:
    """Give ``model`` classes (and their subclasses) recording fields and ``views`` recording attribute access
    for a while.

    ``items`` are every model item a page may read (all alive meanwhile, so their ids name them), but for those
    ``registered`` already names (by id: each item's key and :func:`recorded_fields`), when given."""
    _items.clear()
    if registered is not None:
        _items.update(registered)
    for item in items:
        key = item_key(item)
        if key is not None:
            _items[id(item)] = (key, recorded_fields(type(item)))
    for cls in model:
        for sub in [cls, *_subclasses(cls)]:
            for name in recorded_fields(sub):
                _install(sub, name)
    for cls in views:
        _original[cls] = cls.__dict__.get("__getattribute__")
        cls.__getattribute__ = _view_getattribute  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        _items.clear()
        while _installed:
            cls, name, before = _installed.pop()
            if before is _NOTHING:
                delattr(cls, name)
            else:
                setattr(cls, name, before)
        for cls in views:
            if _original.pop(cls, None) is None:
                del cls.__getattribute__
            else:  # pragma: no cover - no class here defines its own
                cls.__getattribute__ = _original[cls]  # type: ignore[method-assign]


def _install(cls: type, name: str) -> None:
    """Put a recording field in ``cls`` for ``name``, unless a property or method of that name answers instead."""
    found = next((klass.__dict__[name] for klass in cls.__mro__ if name in klass.__dict__), _NOTHING)
    if isinstance(found, _RecordedField):
        found = found.default
    elif found is not _NOTHING and hasattr(type(found), "__get__"):
        return
    before = cls.__dict__.get(name, _NOTHING)
    if isinstance(before, _RecordedField):
        return
    _installed.append((cls, name, before))
    setattr(cls, name, _RecordedField(name, found))


def _subclasses(cls: type) -> list[type]:
    found: list[type] = []
    subclass: type
    for subclass in cls.__subclasses__():
        found += [subclass, *_subclasses(subclass)]
    return found


@contextmanager
def page_reads() -> Iterator[set[Read]]:
    """Collect the reads of one page render (in this thread: a preview's request thread may read meanwhile)."""
    reads: set[Read] = set()
    _frames.append(reads)
    _thread[0] = threading.get_ident()
    try:
        yield reads
    finally:
        _frames.pop()


def derived(method: Function) -> Function:
    """A helper whose value stands for what it read: recorded as a call, evaluated again by a later build.

    Values are kept per instance (a helper is asked the same by many pages). A call
    with an argument that has no identity is transparent instead: its reads are the page's.
    """
    name = method.__name__
    # the memo's key and the read of a call with one model item or one text, made once each (pages ask the same
    # helper of the same entry or status thousands of times): by the item's key, by the text; each with its class
    by_item: dict[str, tuple[tuple, Read, type]] = {}
    by_text: dict[str, tuple[tuple, Read, type]] = {}

    @functools.wraps(method)
    def wrapper(self: Any, *args: Any) -> Any:
        cls = type(self)
        if len(args) == 1:
            arg = args[0]
            if type(arg) is str:
                made = by_text.get(arg)
                if made is None or made[2] is not cls:
                    made = by_text[arg] = _call_read(cls, name, (arg,))
            elif (known := _items.get(id(arg))) is not None:
                made = by_item.get(known[0])
                if made is None or made[2] is not cls:
                    made = by_item[known[0]] = _call_read(cls, name, ((TAG, known[0]),))
            else:
                made = None
        else:
            made = None
        if made is None:
            try:
                made = _call_read(cls, name, identity(args))
            except Unidentifiable:
                return method(self, *args)
        key = made[0]
        instance = object.__getattribute__(self, "__dict__")
        memo = instance.get("_derived")
        if memo is None:
            memo = instance["_derived"] = {}
        here = bool(_frames) and _thread[0] == _get_ident()
        if here and (frame := _frames[-1]) is not None:
            frame.add(made[1])
        found = memo.get(key, _NOTHING)
        if found is not _NOTHING:
            return found
        if not here:  # nothing recorded in this thread: a plain call, kept
            memo[key] = method(self, *args)
            return memo[key]
        _frames.append(None)  # what the helper reads is its value's business, not the page's
        try:
            memo[key] = method(self, *args)
        finally:
            _frames.pop()
        return memo[key]

    wrapper._derived_method = method  # type: ignore[attr-defined]  # for call_again
    return wrapper  # type: ignore[return-value]


def _call_read(cls: type, name: str, arguments: tuple) -> tuple[tuple, Read, type]:
    """A derived helper's memo key and read for a call with ``arguments`` (their identity), and the class asked."""
    return (name, arguments), ("call", getattr(cls, "_view_name", None), name, arguments), cls


def call_again(view: Any, name: str, key: Any, args: tuple) -> Any:
    """A derived helper's answer for a recorded call: ``key`` is the identity of ``args`` the read holds, so
    the answer is found in (or kept for) the view's memo without working the identity out again."""
    instance = object.__getattribute__(view, "__dict__")
    memo = instance.get("_derived")
    if memo is None:
        memo = instance["_derived"] = {}
    found = memo.get((name, key), _NOTHING)
    if found is _NOTHING:
        method = getattr(type(view), name)._derived_method
        found = memo[(name, key)] = method(view, *args)
    return found


class Evaluator:
    """Every read as it is now, digested once however many pages made it."""

    def __init__(
        self,
        items: dict[str, Any],
        views: dict[str, Any],
        wikilinks: dict[str, Any],
        pages: dict[str, Any],
        environment: Environment,
    ):
        self.items = items  # every model item by its key (item_key)
        self.views = views  # "site", "chronicle" -> the objects
        self.wikilinks = wikilinks
        self.pages = pages
        self.environment = environment
        self.digests: dict[Read, str] = {}
        self.known: Mapping[Read, str] = {}  # an earlier render's digests, for the reads :meth:`trust` allows
        self.stable_items: AbstractSet[str] = frozenset()
        self.same_structure = False
        self.same_templates = False
        self._holds = self._rule()

    def trust(
        self,
        known: Mapping[Read, str],
        stable_items: AbstractSet[str],
        same_structure: bool,
        same_templates: bool = False,
    ) -> None:
        """Take an earlier render's digests as they are for reads that cannot have changed since.

        A field of an item read from an unchanged file is as it was; and when no item changed anything but
        its body's text (the same links), neither did any helper's answer, page plan or wikilink target.
        ``same_templates``: no template file changed (``serve`` knows which files did).
        """
        self.known, self.stable_items, self.same_structure = known, stable_items, same_structure
        self.same_templates = same_templates
        self._holds = self._rule()

    def __call__(self, read: Read) -> str:
        found = self.digests.get(read)
        if found is None:
            if self.known and self.trusted(read):  # nothing known (a first build): nothing to trust
                found = self.known.get(read)
            if found is None:
                found = self._evaluate(read)
            self.digests[read] = found
        return found

    def trusted(self, read: Read) -> bool:
        """Whether an earlier render's digest of ``read`` holds now (when it has one; never a volatile one)."""
        return self._holds(read, self.known.get(read))

    def untrusted(self) -> list[Read]:
        """The reads of the earlier render that :meth:`trusted` does not trust, found in one pass (a build after an
        edit looks at every read of the last render's table, tens of thousands)."""
        holds = self._holds
        return [read for read, digest in self.known.items() if not holds(read, digest)]

    def _rule(self) -> Callable[[Read, str | None], bool]:
        """Whether an earlier digest of a read holds now, as :meth:`trust` was told: the one rule both
        :meth:`trusted` and :meth:`untrusted` ask (made once, so neither looks its settings up read by read)."""
        stable, views, structure = self.stable_items, self.views, self.same_structure
        kinds = {"template"} if self.same_templates else set()
        if structure:
            kinds |= {"call", "page", "wikilink"}

        def holds(read: Read, digest: str | None) -> bool:
            if digest == VOLATILE:
                return False
            if read[0] == "field":
                return read[1] in stable or (structure and read[1] in views)
            return read[0] in kinds

        return holds

    def _evaluate(self, read: Read) -> str:
        what = read[0]
        if what == "field":
            owner = self.views[read[1]] if read[1] in self.views else self._find(read[1])
            if owner is None:
                return MISSING
            return value_digest(object.__getattribute__(owner, read[2]) if hasattr(owner, read[2]) else MISSING)
        if what == "call":
            view = self.views[read[1]]
            try:
                args = tuple(self._argument(arg) for arg in read[3])
            except LookupError:
                return MISSING
            helper = getattr(type(view), read[2], None)
            if isinstance(helper, property):
                return value_digest(getattr(view, read[2]))
            if hasattr(helper, "_derived_method") and not _frames:
                return value_digest(call_again(view, read[2], read[3], args))
            return value_digest(getattr(view, read[2])(*args))
        if what == "wikilink":
            return value_digest(self.wikilinks.get(read[1]))
        if what == "page":
            return value_digest(self.pages.get(read[1]))
        if what == "template":
            return template_digest(self.environment, read[1])
        return VOLATILE

    def _find(self, key: Any) -> Any:
        return self.items.get(key) if isinstance(key, str) else None

    def _argument(self, arg: Any) -> Any:
        if isinstance(arg, tuple) and len(arg) == 2 and arg[0] == TAG:
            found = self._find(arg[1])
            if found is None:
                raise LookupError(arg[1])
            return found
        if isinstance(arg, tuple):
            return [self._argument(item) for item in arg]
        return arg


_template_closures: dict[tuple[str, str], tuple[str, ...]] = {}
# a quoted template name, or anything else (a name made at run time: depends on every template)
_REFERENCE = re.compile(r"""\{%-?\s*(?:extends|include|import|from)\s+(?:(["'])(.*?)\1(\s*[~+|.\[(])?|(\S))""")


def template_digest(environment: Environment, name: str) -> str:
    """The sources of a template and every template it extends, imports or includes, as the loader finds them.

    A template that names another at run time (not a quoted name) depends on every template there is.
    """
    loader = environment.loader
    assert loader is not None
    seen: dict[str, str] = {}
    pending = [name]
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        try:
            source, filename, _ = loader.get_source(environment, current)
        except Exception:  # noqa: BLE001 - a missing template: the render reports it
            seen[current] = MISSING
            continue
        seen[current] = f"{filename}:{short_digest(source)}"
        key = (current, seen[current])
        if key not in _template_closures:
            found = _REFERENCE.findall(source)
            dynamic = any(match[2] or match[3] for match in found)
            _template_closures[key] = tuple(loader.list_templates()) if dynamic else tuple(match[1] for match in found)
        pending.extend(_template_closures[key])
    return short_digest(repr(sorted(seen.items())))
