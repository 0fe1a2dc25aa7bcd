"""The report's dataclasses as JSON objects and back, field by field. Pure: no Django.

`to_json(obj)` writes a dataclass's fields in declaration order, each under its name;
`from_json(cls, data)` reads them back, converting by the field types (typing.get_type_hints):
nested dataclasses, `X | None`, `list[X]` and `dict[str, X]` (read lists and dicts are
copies). int, float, str and bool values are taken as they are, as json.loads gives them. A
key missing from `data` takes the field's default, or raises KeyError when there is none; a
type with no JSON form raises TypeError when the class is first written or read.

A field's metadata may change how it is written:

- `json_key("a_spans")`: under another key than the field's name;
- `FLATTEN`: a nested dataclass's keys go into this object itself, not under a key of their
  own, and are read back from it (so a flattened field's default is never used).

The `Codec` mixin gives a dataclass `as_dict()` and `from_dict()` through this module. A class
with its own `as_dict()` or `from_dict()` (Score; PairClaims, which adds a constant key) is
written or read by it wherever it is nested.

How: each type gets, once, a pair of converters (functions of one value), made from the type by
`_converter()`; a dataclass's are its `_Plan`, a list of its fields walked by a loop.
"""

from __future__ import annotations

import dataclasses
import functools
import types
from collections.abc import Callable, Mapping
from typing import Any, Self, Union, get_args, get_origin, get_type_hints

Json = dict[str, Any]
type _Convert = Callable[[Any], Any]

_JSON_KEY = "json_key"
_FLATTEN = "json_flatten"
FLATTEN: Mapping[str, object] = types.MappingProxyType({_FLATTEN: True})
_PLAIN = (int, float, str, bool, type(None))


def json_key(key: str) -> Mapping[str, object]:
    """Field metadata: write and read the field under `key`."""
    return types.MappingProxyType({_JSON_KEY: key})


class Codec:
    """`as_dict()` and `from_dict()` of a dataclass, by to_json() and from_json()."""

    __slots__ = ()

    def as_dict(self) -> Json:
        return to_json(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        return from_json(cls, data)


def to_json(obj: object) -> Json:
    """The dataclass `obj` as a JSON object: its fields in declaration order."""
    return _plan(type(obj)).write(obj)


def from_json[T](cls: type[T], data: Mapping[str, Any]) -> T:
    """The `cls` that to_json() wrote as `data`."""
    result: T = _plan(cls).read(data)
    return result


@dataclasses.dataclass(frozen=True, slots=True)
class _Field:
    name: str
    key: str
    flatten: bool
    default: Callable[[], Any] | None  # makes the value of a missing key; None: no default
    write: _Convert
    read: _Convert


class _Plan:
    """How to write and read one dataclass: its fields, each with its key and converters."""

    def __init__(self, cls: type) -> None:
        if not dataclasses.is_dataclass(cls):
            raise TypeError(f"{cls.__qualname__} is not a dataclass")
        hints = get_type_hints(cls)
        self.cls = cls
        self.fields = [
            _Field(
                name=f.name,
                key=f.metadata.get(_JSON_KEY, f.name),
                flatten=bool(f.metadata.get(_FLATTEN)),
                default=_default(f),
                write=_converter(hints[f.name], reading=False),
                read=_converter(hints[f.name], reading=True),
            )
            for f in dataclasses.fields(cls)
            if f.init
        ]

    def write(self, obj: object) -> Json:
        data: Json = {}
        for f in self.fields:
            value = f.write(getattr(obj, f.name))
            if f.flatten:
                data.update(value)
            else:
                data[f.key] = value
        return data

    def read(self, data: Mapping[str, Any]) -> Any:
        values: dict[str, Any] = {}
        for f in self.fields:
            if f.flatten:
                values[f.name] = f.read(data)
            elif f.key in data:
                values[f.name] = f.read(data[f.key])
            elif f.default is not None:
                values[f.name] = f.default()
            else:
                raise KeyError(f.key)
        return self.cls(**values)


def _default(f: dataclasses.Field[Any]) -> Callable[[], Any] | None:
    """What makes the field's value when its key is missing: its default or default_factory."""
    if f.default is not dataclasses.MISSING:
        value = f.default
        return lambda: value
    if f.default_factory is not dataclasses.MISSING:
        return f.default_factory
    return None


_PLANS: dict[type, _Plan] = {}  # a dict: mypy rejects type[T] as functools.cache keys


def _plan(cls: type) -> _Plan:
    plan = _PLANS.get(cls)
    if plan is None:
        plan = _PLANS[cls] = _Plan(cls)
    return plan


def _same(value: Any) -> Any:
    """The converter of a value JSON holds as it is."""
    return value


@functools.cache
def _converter(tp: Any, *, reading: bool) -> _Convert:
    """The function that writes (or reads) a value of type `tp`."""
    if isinstance(tp, type):
        if issubclass(tp, _PLAIN):
            return _same
        method = "from_dict" if reading else "as_dict"
        owner = next((c for c in tp.__mro__ if method in vars(c)), Codec)
        if owner is not Codec:  # its own as_dict() or from_dict()
            own: _Convert = getattr(tp, method)
            return own
        plan = _plan(tp)
        return plan.read if reading else plan.write
    origin, args = get_origin(tp), get_args(tp)
    if origin in (Union, types.UnionType) and len(args) == 2 and type(None) in args:
        inner = _converter(args[0] if args[1] is type(None) else args[1], reading=reading)
        if inner is _same:
            return _same
        return lambda value: None if value is None else inner(value)
    if origin is list:
        item = _converter(args[0], reading=reading)
        if item is _same:
            return list if reading else _same
        return lambda value: [item(x) for x in value]
    if origin is dict and args[0] is str:
        item = _converter(args[1], reading=reading)
        if item is _same:
            return dict if reading else _same
        return lambda value: {k: item(x) for k, x in value.items()}
    raise TypeError(f"no JSON form for {tp!r}")
