"""What every import parser shares: records, errors, offsets and validation."""

from __future__ import annotations

import json
import re
from collections.abc import Container, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from annotate.lib.content import ContentError, check_content
from annotate.lib.schema import label_index
from corpus.lib.parsers import MAX_EXTERNAL_ID, MAX_TITLE, Origin
from corpus.lib.text import DecodeError, canonicalise, decode_strict, utf16_length

OffsetMode = Literal["auto", "codepoints", "utf16"]
OFFSET_MODES: tuple[OffsetMode, ...] = ("auto", "codepoints", "utf16")
_SAFE_ID = re.compile(r"[^A-Za-z0-9_\-:.]")


@dataclass(frozen=True, slots=True)
class ImportRecord:
    """One annotated article ready to store."""

    origin: Origin
    text: str
    content: dict[str, Any]
    title: str = ""
    external_id: str = ""
    # Who made it, as the file says (a username, an e-mail, a foreign user id), if it does.
    annotator: str | None = None


@dataclass(frozen=True, slots=True)
class RecordError:
    """Why one record (or the whole file) cannot be imported."""

    origin: Origin
    message: str
    field: str = ""

    def __str__(self) -> str:
        where = f"{self.origin}: {self.field}: " if self.field else f"{self.origin}: "
        return where + self.message

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.origin.file,
            "line": self.origin.line,
            "field": self.field,
            "message": self.message,
        }


@dataclass
class ParseSummary:
    """What a parser saw besides records: things it ignored on purpose."""

    ignored: dict[str, int] = field(default_factory=dict)

    def ignore(self, what: str, count: int = 1) -> None:
        self.ignored[what] = self.ignored.get(what, 0) + count


Parsed = ImportRecord | RecordError


class RecordProblem(ValueError):
    """Raised inside a parser for one record; becomes a RecordError."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


def object_with_text(obj: Any, *, what: str) -> tuple[dict[str, Any], str, TextMap]:
    """One JSONL record that must be an object with the `text` of a `what`: the object, the
    text as given and its offset map."""
    if not isinstance(obj, dict):
        raise RecordProblem("line", "expected a JSON object")
    text = obj.get("text")
    if not isinstance(text, str):
        raise RecordProblem("text", f"must be the {what} text")
    return obj, text, TextMap(text)


def safe_span_id(value: Any, fallback: str) -> str:
    text = _SAFE_ID.sub("_", str(value))[:64] if value not in (None, "") else ""
    return text or fallback


def decode(data: bytes, *, name: str) -> str:
    try:
        return decode_strict(data)
    except DecodeError as exc:
        line = data.count(b"\n", 0, exc.position) + 1
        raise RecordProblem(
            "file", f"not valid UTF-8 at byte {exc.position} (line {line}): {exc.reason}"
        ) from None


def json_lines(data: bytes, *, name: str) -> Iterator[tuple[Origin, Any] | RecordError]:
    """(origin, parsed object) per non-blank line, or a RecordError for a bad line."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for number, raw in enumerate(data.split(b"\n"), start=1):
        if not raw.strip():
            continue
        origin = Origin(name, number)
        try:
            line = decode_strict(raw)
        except DecodeError as exc:
            yield RecordError(origin, f"not valid UTF-8 at column {exc.position + 1}: {exc.reason}")
            continue
        try:
            yield origin, json.loads(line)
        except json.JSONDecodeError as exc:
            yield RecordError(origin, f"not valid JSON: {exc.msg} (column {exc.colno})")


def utf16_to_codepoints(text: str, offset: int) -> int | None:
    """The code-point offset of a UTF-16 offset into `text`; None if it splits a pair."""
    units = 0
    for index, char in enumerate(text):
        if units == offset:
            return index
        units += 2 if ord(char) > 0xFFFF else 1
        if units > offset:
            return None
    return len(text) if units == offset else None


def resolve_offsets(
    text: str,
    start: Any,
    end: Any,
    *,
    expected: str | None,
    mode: OffsetMode,
    field: str,
) -> tuple[int, int]:
    """Code-point offsets into `text` of a span given by a foreign tool.

    Browser-based tools count UTF-16 code units (some versions of Label Studio and doccano
    do, others count code points); the two differ only after a character outside the Basic
    Multilingual Plane, such as an emoji. With `mode` "auto" the span's own text decides
    when the record carries it; without it, a text that has such characters before the span
    end is ambiguous and the user must say which.
    """
    for name, value in (("start", start), ("end", end)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise RecordProblem(f"{field}.{name}", f"must be an integer offset, got {value!r}")
    if start < 0 or end <= start:
        raise RecordProblem(field, f"offsets [{start}, {end}) are inverted or negative")
    candidates: list[tuple[str, int, int]] = []
    if mode in ("auto", "codepoints"):
        candidates.append(("code points", start, end))
    if mode in ("auto", "utf16"):
        s16, e16 = utf16_to_codepoints(text, start), utf16_to_codepoints(text, end)
        if s16 is not None and e16 is not None:
            candidates.append(("UTF-16 code units", s16, e16))
        elif mode == "utf16":
            raise RecordProblem(
                field, f"UTF-16 offsets [{start}, {end}) split a character or pass the end"
            )
    if expected is not None:
        for _, s, e in candidates:
            if e <= len(text) and text[s:e] == expected:
                return s, e
        _, s, e = candidates[0] if candidates else ("", start, end)
        tried = " and ".join(kind for kind, _, _ in candidates)
        raise RecordProblem(
            f"{field}.text",
            f"offsets [{start}, {end}) do not match the span text {expected!r} "
            f"(text[{s}:{e}] is {text[s:e]!r}; tried {tried})",
        )
    if mode == "auto" and utf16_length(text[: min(end, len(text))]) != min(end, len(text)):
        raise RecordProblem(
            field,
            "the text has characters outside the Basic Multilingual Plane (e.g. emoji) before "
            "this span and the record does not carry the span text, so its offsets could be "
            "code points or UTF-16 units; import again choosing offsets codepoints or utf16",
        )
    _, s, e = candidates[0]
    if e > len(text):
        raise RecordProblem(
            f"{field}.end", f"offset {end} is past the end of the text ({len(text)} characters)"
        )
    return s, e


class TextMap:
    """Offsets into a text as given, mapped onto its canonical form (see canonicalise)."""

    def __init__(self, raw: str) -> None:
        self.raw = raw
        self.text = canonicalise(raw)
        self.identity = self.text == raw

    def offset(self, raw_offset: int) -> int:
        if self.identity:
            return raw_offset
        return len(canonicalise(self.raw[:raw_offset]))


def text_field(value: Any, *, field: str, limit: int) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise RecordProblem(field, "must be a string")
    result = " ".join(str(value).split())
    if len(result) > limit:
        raise RecordProblem(field, f"at most {limit} characters, got {len(result)}")
    return result


def title_of(value: Any) -> str:
    return text_field(value, field="title", limit=MAX_TITLE)


def external_id_of(value: Any) -> str:
    return text_field(value, field="external_id", limit=MAX_EXTERNAL_ID)


# Other tools' claim spans carry none of our claim attributes: they start unset.
CLAIM_ATTRIBUTES = {"checkworthy": None, "claimant": None, "stance": None}


def foreign_attributes(label: Any, *, claim: str | None) -> dict[str, Any] | None:
    """The attributes of another tool's span: a claim's, unset; none for an entity."""
    return dict(CLAIM_ATTRIBUTES) if label == claim else None


def build_span(
    mapping: TextMap,
    *,
    start: Any,
    end: Any,
    label: Any,
    span_id: str,
    expected: str | None,
    mode: OffsetMode,
    field: str,
    labels: dict[str, dict[str, Any]],
    attributes: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A content-document span from a foreign span, on the canonical text."""
    if not isinstance(label, str) or label not in labels:
        known = ", ".join(sorted(k for k, v in labels.items() if not v.get("retired")))
        raise RecordProblem(f"{field}.label", f"unknown label {label!r} (project labels: {known})")
    if labels[label].get("retired"):
        raise RecordProblem(f"{field}.label", f"label {label!r} is retired: it takes no new spans")
    raw_start, raw_end = resolve_offsets(
        mapping.raw, start, end, expected=expected, mode=mode, field=field
    )
    s, e = mapping.offset(raw_start), mapping.offset(raw_end)
    return {
        "id": span_id,
        "start": s,
        "end": e,
        "label": label,
        "text": mapping.text[s:e],
        "attributes": attributes or {},
    }


def finish(
    origin: Origin,
    mapping: TextMap,
    content: dict[str, Any],
    *,
    schema: dict[str, Any],
    title: str = "",
    external_id: str = "",
    annotator: str | None = None,
) -> Parsed:
    """Validate the content against the canonical text and schema; a record or an error."""
    if not mapping.text.strip():
        return RecordError(origin, "the text is empty", "text")
    try:
        clean = check_content(content, text=mapping.text, schema=schema)
    except ContentError as exc:
        return RecordError(origin, exc.message, exc.field)
    return ImportRecord(
        origin=origin,
        text=mapping.text,
        content=clean,
        title=title,
        external_id=external_id,
        annotator=annotator,
    )


def known_labels(schema: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The schema's span labels by key (retired ones included, to name them in errors)."""
    return label_index(schema)


# ---- who the records' annotators are ----------------------------------------------------


def parse_annotator_map(values: Iterable[str]) -> dict[str, str]:
    """`NAME=MEMBER` pairs (several per value, comma-separated) as {casefolded NAME: MEMBER}:
    records that name NAME are imported as the project member MEMBER. RecordProblem on a
    pair without "=" or with an empty side, or a NAME mapped twice."""
    mapping: dict[str, str] = {}
    for value in values:
        for pair in value.split(","):
            if not pair.strip():
                continue
            name, equals, member = (part.strip() for part in pair.partition("="))
            if not equals or not name or not member:
                raise RecordProblem(
                    "map_annotator", f"{pair.strip()!r} is not NAME=MEMBER (e.g. 2=amal)"
                )
            folded = name.casefold()
            if folded in mapping and mapping[folded] != member:
                raise RecordProblem("map_annotator", f"{name!r} is mapped twice")
            mapping[folded] = member
    return mapping


def unknown_annotators(records: Iterable[ImportRecord], *, known: Container[str]) -> dict[str, int]:
    """The annotators the records name (as written) that are not in `known` (casefolded),
    with how many records each; records that name nobody are not counted."""
    unknown: dict[str, int] = {}
    for record in records:
        name = record.annotator
        if name and name.casefold() not in known:
            unknown[name] = unknown.get(name, 0) + 1
    return unknown
