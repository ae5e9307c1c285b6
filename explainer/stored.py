"""Typed content to plain JSON and back, checked field by field, for the build cache.

A build after an edit re-parses only the files that changed; every other
file's entries come back from the cache (:class:`explainer.reader.ReadCache`).
They are stored as JSON lists in the order of each class's dataclass fields
and rebuilt by decoders made once per class from its type hints, so each
value is checked against the type its field declares: a cache of the wrong
shape is refused (ValueError) and the story is read from its files. Nothing
is ever executed or imported by name from the cache, and only classes named
here can come back.

Paths, which nearly every position holds, are stored once in a table and
shared by index. Fields the linker fills in (``metadata={"linked": True}``)
are not stored: they come back empty, as the reader leaves them.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any

from explainer.diagnostics import Span
from explainer.model import KINDS

Encode = Callable[[Any], Any]
Decode = Callable[[Any], Any]


class PathTable:
    """Every path the stored values hold, each once; values refer to them by position."""

    def __init__(self, paths: list[str] | None = None) -> None:
        self.paths: list[str] = list(paths or [])
        self._positions = {path: index for index, path in enumerate(self.paths)}
        self._objects: list[Path | None] = [None] * len(self.paths)

    def position(self, path: Path) -> int:
        text = str(path)
        found = self._positions.get(text)
        if found is None:
            found = self._positions[text] = len(self.paths)
            self.paths.append(text)
            self._objects.append(path)
        return found

    def know(self, path: Path) -> None:
        """Use this path object for its text (the reader has it already: no second one is made)."""
        found = self._positions.get(str(path))
        if found is not None and self._objects[found] is None:
            self._objects[found] = path

    def path(self, position: Any) -> Path:
        if type(position) is not int or not 0 <= position < len(self.paths):
            raise ValueError("a stored path is not in the table")
        found = self._objects[position]
        if found is None:
            found = self._objects[position] = Path(self.paths[position])
        return found


def _refuse(what: str) -> ValueError:
    return ValueError(f"a stored value is not {what}")


class Codec:
    """Encoders and decoders for the classes content is made of, made once from their type hints."""

    def __init__(self, table: PathTable) -> None:
        self.table = table
        self._encoders: dict[Any, Encode] = {}
        self._decoders: dict[Any, Decode] = {}
        self._by_tuple: dict[int, tuple[tuple[Any, ...], list[Decode]]] = {}
        self._entries: dict[str, Decode] = {}

    def encode(self, kind: Any, value: Any) -> Any:
        return self._encoder(kind)(value)

    def decode(self, kind: Any, value: Any) -> Any:
        return self._decoder(kind)(value)

    def decoders(self, kinds: tuple[Any, ...]) -> list[Decode]:
        """The decoders of ``kinds`` (a tuple made once, so they are looked up once a codec)."""
        found = self._by_tuple.get(id(kinds))
        if found is None or found[0] is not kinds:
            found = self._by_tuple[id(kinds)] = (kinds, [self._decoder(kind) for kind in kinds])
        return found[1]

    def entries_decoder(self, collection: Any) -> Decode:
        """The decoder of a stored collection's list of entries; ValueError for a name the model does not declare."""
        found = self._entries.get(collection) if type(collection) is str else None
        if found is None:
            found = self._entries[collection] = self._decoder(list[entry_class(collection)])  # type: ignore[misc]
        return found

    def _encoder(self, kind: Any) -> Encode:
        found = self._encoders.get(kind)
        if found is None:
            found = self._encoders[kind] = self._make_encoder(kind)
        return found

    def _decoder(self, kind: Any) -> Decode:
        found = self._decoders.get(kind)
        if found is None:
            found = self._decoders[kind] = self._make_decoder(kind)
        return found

    def _make_encoder(self, kind: Any) -> Encode:
        if kind in (str, int, bool):
            return _same
        if kind is Path:
            return self.table.position
        if kind is Span:
            position = self.table.position
            return lambda span: [position(span.path), span.line, span.column]
        if kind is tuple:  # an entry's order: (file, position)
            return list
        origin, arguments = typing.get_origin(kind), typing.get_args(kind)
        if origin in (typing.Union, types.UnionType):
            return _or_none(self._encoder(_optional(kind)))
        if origin is list or origin is frozenset:
            item = self._encoder(arguments[0])
            if item is _same:
                return sorted if origin is frozenset else list
            return lambda values: [item(value) for value in (sorted(values) if origin is frozenset else values)]
        if origin is dict:
            item = self._encoder(arguments[1])
            if item is _same:
                return dict
            return lambda mapping: {key: item(value) for key, value in mapping.items()}
        if isinstance(kind, type) and dataclasses.is_dataclass(kind):
            stored = _stored_fields(kind)
            encoders = [self._encoder(hint) for _name, hint in stored]
            names = [name for name, _hint in stored]
            return lambda value: [encode(getattr(value, name)) for name, encode in zip(names, encoders, strict=True)]
        raise TypeError(f"cannot store a {kind!r}")

    def _make_decoder(self, kind: Any) -> Decode:
        if kind is str or kind is int or kind is bool:
            return _plain(kind)
        if kind is Path:
            return self.table.path
        if kind is Span:
            path = self.table.path
            whole = _plain(int)

            def span(value: Any) -> Span:
                if type(value) is not list or len(value) != 3:
                    raise _refuse("a position")
                made = object.__new__(Span)
                made.__dict__.update(path=path(value[0]), line=whole(value[1]), column=whole(value[2]))
                return made

            return span
        if kind is tuple:

            def order(value: Any) -> tuple:
                if type(value) is not list or not all(type(part) in (str, int) for part in value):
                    raise _refuse("an order")
                return tuple(value)

            return order
        origin, arguments = typing.get_origin(kind), typing.get_args(kind)
        if origin in (typing.Union, types.UnionType):
            return _or_none(self._decoder(_optional(kind)))
        if origin is list or origin is frozenset:
            item = self._decoder(arguments[0])
            made = frozenset if origin is frozenset else list

            def items(value: Any) -> Any:
                if type(value) is not list:
                    raise _refuse("a list")
                return made([item(one) for one in value])

            return items
        if origin is dict:
            if arguments[0] is not str:
                raise TypeError(f"cannot store a {kind!r}")
            item = self._decoder(arguments[1])

            def mapping(value: Any) -> dict:
                if type(value) is not dict:
                    raise _refuse("a mapping")
                return {key: item(one) for key, one in value.items()}

            return mapping
        if isinstance(kind, type) and dataclasses.is_dataclass(kind):
            return self._record_decoder(kind)
        raise TypeError(f"cannot store a {kind!r}")

    def _record_decoder(self, kind: type) -> Decode:
        """A decoder for one dataclass, written out as Python once (from the class's own field names and type
        hints, never from stored data), so each field's check is inline: plain values and positions, which
        most fields hold, cost no call of their own."""
        stored = _stored_fields(kind)
        linked = {item.name: None for item in dataclasses.fields(kind) if item.metadata.get("linked")}
        names = {"_kind": kind, "_new": object.__new__, "_refuse": _refuse, "_linked": linked, "_path": self.table.path}
        names["_Span"] = Span
        lines = [
            "def record(value):",
            f"    if type(value) is not list or len(value) != {len(stored)}:",
            f"        raise _refuse({'a ' + kind.__name__!r})",
            f"    ({''.join(f'v{n}, ' for n in range(len(stored)))}) = value",
        ]
        made = []
        for number, (name, hint) in enumerate(stored):
            if not name.isidentifier():
                raise TypeError(f"cannot store a field named {name!r}")
            value = f"v{number}"
            optional = typing.get_origin(hint) in (typing.Union, types.UnionType)
            inner = _optional(hint) if optional else hint
            check = _inline_check(inner, value)
            if check is not None:
                condition = f"{value} is not None and ({check})" if optional else check
                what = "a " + getattr(inner, "__name__", "value")
                lines += [f"    if {condition}:", f"        raise _refuse({what!r})"]
                made.append(f"{name!r}: {value}")
            elif inner is Span:
                lines.append(f"    if {value} is not None:" if optional else "    if True:")
                lines += [
                    f"        if {_span_check(value)}:",
                    "            raise _refuse('a position')",
                    f"        s{number} = _new(_Span)",
                    f"        s{number}.__dict__.update(path=_path({value}[0]), line={value}[1], column={value}[2])",
                ]
                if optional:
                    lines += ["    else:", f"        s{number} = None"]
                made.append(f"{name!r}: s{number}")
            elif (container := _container(inner)) is not None:
                # a list of records or positions, or a mapping of them (a record's field positions): made in one
                # comprehension here, each item by its own class's decoder
                item = f"_d{number}"
                names[item] = _Lazy(self, typing.get_args(inner)[-1], names, item)
                indent = "    "
                if optional:
                    lines += [f"    if {value} is None:", f"        x{number} = None", "    else:"]
                    indent = "        "
                if container is list:
                    lines += [
                        f"{indent}if type({value}) is not list:",
                        f"{indent}    raise _refuse('a list')",
                        f"{indent}x{number} = [{item}(one) for one in {value}] if {value} else []",
                    ]
                elif typing.get_args(inner)[-1] is Span:  # each position made in place (no call of its own)
                    made_span = "(s := _new(_Span), s.__dict__.update(path=_path(one[0]), line=one[1], column=one[2]))"
                    lines += [
                        f"{indent}if type({value}) is not dict:",
                        f"{indent}    raise _refuse('a mapping')",
                        f"{indent}for one in {value}.values():",
                        f"{indent}    if {_span_check('one')}:",
                        f"{indent}        raise _refuse('a position')",
                        f"{indent}x{number} = {{key: {made_span}[0] for key, one in {value}.items()}}",
                    ]
                else:
                    lines += [
                        f"{indent}if type({value}) is not dict:",
                        f"{indent}    raise _refuse('a mapping')",
                        f"{indent}x{number} = {{key: {item}(one) for key, one in {value}.items()}}",
                    ]
                made.append(f"{name!r}: x{number}")
            elif (strings := _strings(inner)) is not None:  # a list or set of strings: checked here, copied
                indent = "    "
                if optional:
                    lines += [f"    if {value} is None:", f"        x{number} = None", "    else:"]
                    indent = "        "
                strings_check = f"({value} and not all(type(one) is str for one in {value}))"
                lines += [
                    f"{indent}if type({value}) is not list or {strings_check}:",
                    f"{indent}    raise _refuse('a list of strings')",
                    f"{indent}x{number} = {strings.__name__}({value})",
                ]
                made.append(f"{name!r}: x{number}")
            elif inner is tuple and not optional:  # an entry's order: (file, position)
                lines += [
                    f"    if type({value}) is not list or not all(type(part) in (str, int) for part in {value}):",
                    "        raise _refuse('an order')",
                ]
                made.append(f"{name!r}: tuple({value})")
            elif optional:
                names[f"_d{number}"] = _Lazy(self, inner, names, f"_d{number}")
                made.append(f"{name!r}: None if {value} is None else _d{number}({value})")
            else:
                names[f"_d{number}"] = _Lazy(self, hint, names, f"_d{number}")
                made.append(f"{name!r}: _d{number}({value})")
        lines += [
            "    made = _new(_kind)",
            f"    made.__dict__.update({{{', '.join(made)}}})",
            "    made.__dict__.update(_linked)" if linked else "",
            "    return made",
        ]
        exec("\n".join(lines), names)  # the source is made above from the class's own fields only
        return typing.cast(Decode, names["record"])


class _Lazy:
    """A field's decoder, looked up on first use (so a class may name one defined after it), which then puts the
    decoder itself under its name in the record decoder's globals: later records call it directly."""

    __slots__ = ("codec", "kind", "names", "name")

    def __init__(self, codec: Codec, kind: Any, names: dict[str, Any], name: str) -> None:
        self.codec, self.kind, self.names, self.name = codec, kind, names, name

    def __call__(self, value: Any) -> Any:
        decode = self.names[self.name] = self.codec._decoder(self.kind)
        return decode(value)


def _strings(kind: Any) -> type | None:
    """``list`` or ``frozenset`` for a list or set of strings; else None."""
    origin = typing.get_origin(kind)
    if (origin is list or origin is frozenset) and typing.get_args(kind) == (str,):
        return typing.cast(type, origin)
    return None


def _container(kind: Any) -> type | None:
    """``list`` for a list of records or positions, ``dict`` for a mapping of names to them; else None."""
    origin, arguments = typing.get_origin(kind), typing.get_args(kind)
    if origin is list or (origin is dict and arguments[0] is str):
        item = arguments[-1]
        if item is Span or (isinstance(item, type) and dataclasses.is_dataclass(item)):
            return typing.cast(type, origin)
    return None


def _inline_check(kind: Any, value: str) -> str | None:
    """The condition under which ``value`` (a variable's name) is not a stored ``kind``; None if not inline."""
    if kind is str or kind is int or kind is bool:
        return f"type({value}) is not {kind.__name__}"
    return None


def _span_check(value: str) -> str:
    """The condition under which ``value`` (a variable's name) is not a stored position, ``[path, line, column]``
    (its path is checked by the table)."""
    parts = f"type({value}[1]) is not int or type({value}[2]) is not int"
    return f"type({value}) is not list or len({value}) != 3 or {parts}"


def _same(value: Any) -> Any:
    return value


def _plain(kind: type) -> Decode:
    def check(value: Any) -> Any:
        if type(value) is not kind:
            raise _refuse(f"a {kind.__name__}")
        return value

    return check


def _or_none(inner: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda value: None if value is None else inner(value)


def _optional(kind: Any) -> Any:
    """The one type besides None of an optional field (the model has no other unions)."""
    others = [argument for argument in typing.get_args(kind) if argument is not type(None)]
    if len(others) != 1:
        raise TypeError(f"cannot store a {kind!r}")
    return others[0]


def _stored_fields(kind: type) -> list[tuple[str, Any]]:
    """A class's fields in order with their types, without those the linker fills in."""
    hints = typing.get_type_hints(kind)
    return [(item.name, hints[item.name]) for item in dataclasses.fields(kind) if not item.metadata.get("linked")]


def entry_class(collection: Any) -> type:
    """The class a stored collection's entries are made as; only the kinds the model declares."""
    kind = KINDS.get(collection) if type(collection) is str else None
    if kind is None:
        raise _refuse("a kind of entry")
    return kind.entry_class
