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
  own, and are read back from it.

The `Codec` mixin gives a dataclass `as_dict()` and `from_dict()` through this module. A class
with its own `as_dict()` or `from_dict()` (Score; PairClaims, which adds a constant key) is
written or read by it wherever it is nested.
"""

from __future__ import annotations

import dataclasses
import types
from collections.abc import Callable, Mapping
from typing import Any, Self, Union, get_args, get_origin, get_type_hints

Json = dict[str, Any]

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


class _Plan:
    """A dataclass's write and read functions, made once from its fields and their types.

    They are generated source, as dataclasses makes __init__: the very code of hand-written
    as_dict()/from_dict() methods, and as fast. (A loop over the fields testing each one's
    conversion took 25% longer to read and write a whole report.)
    """

    def __init__(self, cls: type) -> None:
        if not dataclasses.is_dataclass(cls):
            raise TypeError(f"{cls.__qualname__} is not a dataclass")
        hints = get_type_hints(cls)
        names: dict[str, Any] = {"cls": cls}
        items: list[str] = []
        positional: list[str] = []  # positional arguments are the fastest to pass
        keywords: list[str] = []
        for f in dataclasses.fields(cls):
            if not f.init:
                continue
            key = f.metadata.get(_JSON_KEY, f.name)
            value = _source(hints[f.name], f"obj.{f.name}", reading=False, names=names)
            if f.metadata.get(_FLATTEN):
                items.append(f"**{value}")
                value = _source(hints[f.name], "data", reading=True, names=names)
            else:
                items.append(f"{key!r}: {value}")
                value = _source(hints[f.name], f"data[{key!r}]", reading=True, names=names)
            if f.default is not dataclasses.MISSING:
                value = f"{value} if {key!r} in data else {_name(names, f.default)}"
            elif f.default_factory is not dataclasses.MISSING:
                value = f"{value} if {key!r} in data else {_name(names, f.default_factory)}()"
            if f.kw_only:
                keywords.append(f"{f.name}={value}")
            else:
                positional.append(value)
        exec(  # noqa: S102 - source made of field names, repr()s of keys and generated names
            f"def write(obj):\n    return {{{', '.join(items)}}}\n"
            f"def read(data):\n    return cls({', '.join(positional + keywords)})\n",
            names,
        )
        self.write: Callable[[object], Json] = names["write"]
        self.read: Callable[[Mapping[str, Any]], Any] = names["read"]


_PLANS: dict[type, _Plan] = {}


def _plan(cls: type) -> _Plan:
    plan = _PLANS.get(cls)
    if plan is None:
        plan = _PLANS[cls] = _Plan(cls)
    return plan


def _source(tp: Any, value: str, *, reading: bool, names: dict[str, Any]) -> str:
    """Source of the expression that writes (or reads) `value`, of type `tp`."""
    if isinstance(tp, type):
        if issubclass(tp, _PLAIN):
            return value
        method = "from_dict" if reading else "as_dict"
        owner = next((c for c in tp.__mro__ if method in vars(c)), Codec)
        if owner is not Codec:  # its own as_dict() or from_dict()
            return f"{_name(names, getattr(tp, method))}({value})"
        plan = _plan(tp)
        return f"{_name(names, plan.read if reading else plan.write)}({value})"
    origin, args = get_origin(tp), get_args(tp)
    if origin in (Union, types.UnionType) and len(args) == 2 and type(None) in args:
        var = _name(names, None)
        inner_type = args[0] if args[1] is type(None) else args[1]
        inner = _source(inner_type, var, reading=reading, names=names)
        if inner == var:
            return value
        return f"(None if ({var} := {value}) is None else {inner})"
    if origin is list:
        var = _name(names, None)
        item = _source(args[0], var, reading=reading, names=names)
        if item == var:
            return f"list({value})" if reading else value
        return f"[{item} for {var} in {value}]"
    if origin is dict and args[0] is str:
        var = _name(names, None)
        item = _source(args[1], var, reading=reading, names=names)
        if item == var:
            return f"dict({value})" if reading else value
        return f"{{k{var}: {item} for k{var}, {var} in {value}.items()}}"
    raise TypeError(f"no JSON form for {tp!r}")


def _name(names: dict[str, Any], value: object) -> str:
    """A new name in the generated functions' namespace, bound to `value`."""
    name = f"_{len(names)}"
    names[name] = value
    return name
