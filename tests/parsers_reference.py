"""The JSONL parsing corpus.lib.parsers used before its single-decode fast path (commit ef887aa).

Kept verbatim (with canonicalise from corpus.lib.text of the same commit) as the oracle
`corpus.lib.parsers.parse_jsonl` is compared with in
tests/test_fast_jsonl_parser_matches_reference.py. Builds the application's own ParsedArticle
and BadRecord. Not used by the application.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

from corpus.lib.parsers import BadRecord, Origin, ParsedArticle, Record
from corpus.lib.text import DecodeError, decode_strict

BOM = "\ufeff"
MAX_TITLE = 1000
MAX_SOURCE = 300
MAX_URL = 2000
MAX_EXTERNAL_ID = 300

FIELD_ALIASES = {
    "published_date": "published_on",
    "id": "external_id",
}
KNOWN_FIELDS = ("text", "title", "source", "url", "published_on", "external_id", "metadata")


def canonicalise(text: str) -> str:
    """The stored form: BOM removed, CRLF and CR to LF, Unicode NFC. Idempotent."""
    text = text.lstrip(BOM)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text)


class _FieldError(ValueError):
    pass


def _text_field(value: Any, name: str, limit: int | None) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _FieldError(f"{name} must be a string")
    value = canonicalise(str(value)).strip()
    if "\x00" in value:
        raise _FieldError(f"{name} contains a NUL character (U+0000)")
    if limit is not None and len(value) > limit:
        raise _FieldError(f"{name} is longer than {limit} characters ({len(value)})")
    return value


def _date_field(value: Any, name: str) -> date | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise _FieldError(f"{name} must be an ISO date (YYYY-MM-DD), got {value!r}")
    text = value.strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(text).date()
    except ValueError:
        raise _FieldError(f"{name} must be an ISO date (YYYY-MM-DD), got {value!r}") from None


def _url_field(value: Any, name: str) -> str:
    url = _text_field(value, name, MAX_URL)
    if url:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise _FieldError(f"{name} must be an http(s) URL, got {url!r}")
    return url


def _article_from_fields(fields: dict[str, Any], origin: Origin) -> Record:
    """Check one JSONL object or CSV row (keys already stripped) and build the article."""
    try:
        fields = {FIELD_ALIASES.get(key, key): value for key, value in fields.items()}
        if "text" not in fields:
            raise _FieldError("missing the required field 'text'")
        raw_text = fields["text"]
        if not isinstance(raw_text, str):
            raise _FieldError("text must be a string")
        text = canonicalise(raw_text)
        if not text.strip():
            raise _FieldError("empty article (text is blank)")
        check_no_nul(text)
        metadata = fields.get("metadata")
        if metadata is None or metadata == "":
            metadata = {}
        elif isinstance(metadata, str):
            # CSV cells hold metadata as a JSON object.
            try:
                metadata = json.loads(metadata)
            except json.JSONDecodeError:
                raise _FieldError("metadata must be a JSON object") from None
        if not isinstance(metadata, dict):
            raise _FieldError("metadata must be a JSON object")
        extra = {key: value for key, value in fields.items() if key not in KNOWN_FIELDS}
        return ParsedArticle(
            text=text,
            origin=origin,
            title=_text_field(fields.get("title"), "title", MAX_TITLE),
            source=_text_field(fields.get("source"), "source", MAX_SOURCE),
            url=_url_field(fields.get("url"), "url"),
            published_on=_date_field(fields.get("published_on"), "published_on"),
            external_id=_text_field(fields.get("external_id"), "external_id", MAX_EXTERNAL_ID),
            metadata={**extra, **metadata},
        )
    except _FieldError as exc:
        return BadRecord(origin, str(exc))


def check_no_nul(text: str) -> None:
    """Databases cannot store U+0000 in text; refuse it with its offset."""
    offset = text.find("\x00")
    if offset >= 0:
        raise _FieldError(f"text contains a NUL character (U+0000) at offset {offset}")


def parse_jsonl(data: bytes, *, name: str) -> Iterator[Record]:
    """One article per non-blank line of a JSON Lines file."""
    offset = 0
    if data.startswith(b"\xef\xbb\xbf"):
        offset = 3
    line_number = 0
    for raw in data[offset:].split(b"\n"):
        line_number += 1
        start = offset
        offset += len(raw) + 1
        if not raw.strip():
            continue
        origin = Origin(name, line_number)
        try:
            line = decode_strict(raw)
        except DecodeError as exc:
            position = start + exc.position
            yield BadRecord(origin, f"not valid UTF-8 at byte {position}: {exc.reason}")
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield BadRecord(origin, f"not valid JSON: {exc.msg} (column {exc.colno})")
            continue
        if not isinstance(obj, dict):
            kind = type(obj).__name__
            kind = {"list": "an array", "str": "a string", "NoneType": "null"}.get(kind, kind)
            yield BadRecord(origin, f"expected a JSON object, got {kind}")
            continue
        yield _article_from_fields({str(key).strip(): obj[key] for key in obj}, origin)
