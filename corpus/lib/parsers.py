"""Article files -> parsed records. Pure: bytes in, dataclasses out; no database.

Three formats:

- ``txt``: one article per file; the first non-empty line is the title unless
  ``title_from_first_line=False``; the rest (stripped of surrounding blank lines) is the text.
- ``jsonl``: one JSON object per line; ``text`` is required; ``title``, ``source``, ``url``,
  ``published_on`` (or ``published_date``; an ISO date), ``external_id`` (or ``id``) and
  ``metadata`` (an object) are optional; any other key goes into metadata. Blank lines are
  ignored.
- ``csv``: a header row with a ``text`` column; the other columns map as for JSONL.

Every text is decoded strictly as UTF-8 and canonicalised (BOM, newlines, NFC) here, once.
JSONL and CSV texts are kept exactly as given otherwise, so offsets that come with them stay
valid. Parsers never raise for bad input: they yield a `BadRecord` naming the file and line
(or byte), and the importer decides whether that aborts the import or is skipped.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from corpus.lib.encodings import SAMPLE, foreign_encoding_problem
from corpus.lib.text import DecodeError, canonicalise, decode_strict

Format = Literal["txt", "jsonl", "csv"]
FORMATS: tuple[Format, ...] = ("txt", "jsonl", "csv")
EXTENSIONS: dict[str, Format] = {
    ".txt": "txt",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".csv": "csv",
}

# Column limits of corpus.models.Article, repeated here so parsing stays free of Django.
MAX_TITLE = 1000
MAX_SOURCE = 300
MAX_URL = 2000
MAX_EXTERNAL_ID = 300

FIELD_ALIASES = {
    "published_date": "published_on",
    "id": "external_id",
}
KNOWN_FIELDS = ("text", "title", "source", "url", "published_on", "external_id", "metadata")
_KNOWN = frozenset(KNOWN_FIELDS)


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a record came from: the file name and, for JSONL and CSV, its 1-based line."""

    file: str
    line: int | None = None

    def __str__(self) -> str:
        return self.file if self.line is None else f"{self.file}, line {self.line}"


@dataclass(frozen=True, slots=True)
class ParsedArticle:
    """One article ready to store: canonical text and checked fields."""

    text: str
    origin: Origin
    title: str = ""
    source: str = ""
    url: str = ""
    published_on: date | None = None
    external_id: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class BadRecord:
    """A record (or a whole file) that cannot be imported, and why."""

    origin: Origin
    message: str

    def __str__(self) -> str:
        return f"{self.origin}: {self.message}"


Record = ParsedArticle | BadRecord


class FormatError(ValueError):
    """The format of a file cannot be told, or is not one we read."""


# --- format detection -------------------------------------------------------------------


def detect_format(name: str, *, override: str | None = None) -> Format:
    """The format named by `override`, or else the one the file extension says."""
    if override:
        if override not in FORMATS:
            raise FormatError(f"unknown format {override!r}; use one of {', '.join(FORMATS)}")
        return override
    extension = os.path.splitext(name)[1].lower()
    if extension not in EXTENSIONS:
        raise FormatError(
            f"cannot tell the format of {name!r} from its extension; "
            f"name it .txt, .jsonl or .csv, or give the format ({', '.join(FORMATS)})"
        )
    return EXTENSIONS[extension]


# --- field checks shared by JSONL and CSV ------------------------------------------------


class _FieldError(ValueError):
    pass


def _text_field(value: Any, name: str, limit: int | None) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        text = canonicalise(value).strip()
    elif isinstance(value, bool) or not isinstance(value, int | float):
        raise _FieldError(f"{name} must be a string")
    else:
        text = canonicalise(str(value)).strip()
    if "\x00" in text:
        raise _FieldError(f"{name} contains a NUL character (U+0000)")
    if limit is not None and len(text) > limit:
        raise _FieldError(f"{name} is longer than {limit} characters ({len(text)})")
    return text


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


def _article_from_fields(fields: dict[str, Any], origin: Origin, *, nul: bool = True) -> Record:
    """Check one JSONL object or CSV row (keys already stripped) and build the article.

    `nul=False` says the text cannot hold U+0000 (JSON without a \\u escape), sparing a scan.
    """
    try:
        if not _ALIASED.isdisjoint(fields):
            fields = {FIELD_ALIASES.get(key, key): value for key, value in fields.items()}
        if "text" not in fields:
            raise _FieldError("missing the required field 'text'")
        raw_text = fields["text"]
        if not isinstance(raw_text, str):
            raise _FieldError("text must be a string")
        text = canonicalise(raw_text)
        if not text or text.isspace():
            raise _FieldError("empty article (text is blank)")
        if nul:
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
        if not _KNOWN.issuperset(fields):
            metadata = {
                **{key: value for key, value in fields.items() if key not in _KNOWN},
                **metadata,
            }
        elif metadata:
            metadata = {**metadata}
        published_on = fields.get("published_on")
        title = _text_field(fields.get("title"), "title", MAX_TITLE)
        source = _text_field(fields.get("source"), "source", MAX_SOURCE)
        url = _url_field(fields["url"], "url") if "url" in fields else ""
        day = None if published_on is None else _date_field(published_on, "published_on")
        external_id = _text_field(fields.get("external_id"), "external_id", MAX_EXTERNAL_ID)
        if metadata and _holds_nul(metadata):
            raise _FieldError("metadata contains a NUL character (U+0000)")
        return ParsedArticle(
            text=text,
            origin=origin,
            title=title,
            source=source,
            url=url,
            published_on=day,
            external_id=external_id,
            metadata=metadata,
        )
    except _FieldError as exc:
        return BadRecord(origin, str(exc))


_ALIASED = frozenset(FIELD_ALIASES)


def _strings(value: Any) -> Iterator[str]:
    """Every string in a JSON value, keys too; with a stack, as JSON may nest deeper than
    Python recursion goes."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item)
            stack.extend(item.values())


def _holds_nul(value: Any) -> bool:
    """Whether a JSON value has U+0000 in a string or key (PostgreSQL's jsonb refuses it)."""
    return any("\x00" in string for string in _strings(value))


def check_no_nul(text: str) -> None:
    """Databases cannot store U+0000 in text; refuse it with its offset."""
    if "\x00" in text:
        offset = text.find("\x00")
        raise _FieldError(f"text contains a NUL character (U+0000) at offset {offset}")


def _decode_error(error: DecodeError, data: bytes, offset: int = 0) -> str:
    position = offset + error.position
    line = data.count(b"\n", 0, position) + 1
    return f"not valid UTF-8 at byte {position} (line {line}): {error.reason}"


# --- the three formats -------------------------------------------------------------------


def parse_txt(data: bytes, *, name: str, title_from_first_line: bool = True) -> Record:
    """One article from one plain-text file."""
    origin = Origin(name)
    try:
        content = canonicalise(decode_strict(data))
    except DecodeError as exc:
        return BadRecord(origin, _decode_error(exc, data))
    title = ""
    body = content
    if title_from_first_line:
        lines = content.split("\n")
        for index, line in enumerate(lines):
            if line.strip():
                title = line.strip()
                body = "\n".join(lines[index + 1 :])
                break
        if len(title) > MAX_TITLE:
            return BadRecord(
                origin,
                f"the first line is too long for a title ({len(title)} characters, at most "
                f"{MAX_TITLE}); import without titles from the first line",
            )
    body = body.strip()
    if not body:
        what = "only a title line" if title else "the file is blank"
        return BadRecord(origin, f"empty article ({what})")
    try:
        check_no_nul(title)
        check_no_nul(body)
    except _FieldError as exc:
        return BadRecord(origin, str(exc))
    return ParsedArticle(text=body, origin=origin, title=title)


# What `bytes.strip()` removes: a line of only these is blank.
_ASCII_SPACE = " \t\n\r\x0b\x0c"
# A JSON escape of a UTF-16 surrogate; a lone one decodes to text that is not Unicode.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def parse_jsonl(data: bytes, *, name: str) -> Iterator[Record]:
    """One article per non-blank line of a JSON Lines file.

    Each line is decoded on its own: as fast as one decoding of the whole file, without a
    second copy of the file as text in memory (two to four times its size in bytes). A line
    that is not UTF-8 is a bad record naming the byte (counted from the file's start).
    """
    yield from parse_jsonl_stream((data,), name=name)


_BOM = b"\xef\xbb\xbf"


def parse_jsonl_stream(chunks: Iterable[bytes], *, name: str) -> Iterator[Record]:
    """`parse_jsonl` of a file that arrives in pieces (an upload as it is received): the same
    records, line numbers and byte offsets, each line parsed as soon as it is whole, so only
    the unfinished last line is held."""
    line_number = 0
    offset = 0  # the position in the file of `pending`'s first byte
    pending = b""
    started = False
    for chunk in chunks:
        data = pending + chunk if pending else chunk
        if not started:
            if len(data) < len(_BOM) and _BOM.startswith(data):
                pending = data  # too short yet to tell a byte order mark
                continue
            started = True
            if data.startswith(_BOM):
                data = data[len(_BOM) :]
                offset = len(_BOM)
        last = data.rfind(b"\n")
        if last < 0:
            pending = data
            continue
        yield from _jsonl_lines(data, last, name=name, first_line=line_number + 1, offset=offset)
        line_number += data.count(b"\n", 0, last + 1)
        offset += last + 1
        pending = data[last + 1 :]
    if not started and pending.startswith(_BOM):
        pending, offset = pending[len(_BOM) :], len(_BOM)
    # The end of the file ends the last line, with a newline or without.
    yield from _jsonl_lines(
        pending + b"\n", len(pending), name=name, first_line=line_number + 1, offset=offset
    )


def _jsonl_lines(
    data: bytes, last: int, *, name: str, first_line: int, offset: int
) -> Iterator[Record]:
    """The records of the lines of `data` up to its newline at `last`; `data` starts the file's
    line `first_line`, at byte `offset` of the file."""
    view = memoryview(data)
    line_number = first_line - 1
    position = 0
    while position <= last:
        end = data.find(b"\n", position, last + 1)
        line_start = position
        position = end + 1
        line_number += 1
        try:
            line = str(view[line_start:end], "utf-8")
        except UnicodeDecodeError as exc:
            yield BadRecord(
                Origin(name, line_number),
                f"not valid UTF-8 at byte {offset + line_start + exc.start}: {exc.reason}",
            )
            continue
        if line.strip(_ASCII_SPACE):
            yield _jsonl_record(line, Origin(name, line_number))


def _jsonl_record(line: str, origin: Origin) -> Record:
    """The record of one line."""
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        return BadRecord(origin, f"not valid JSON: {exc.msg} (column {exc.colno})")
    except RecursionError:
        return BadRecord(origin, "not valid JSON: nested too deeply")
    except ValueError as exc:  # a number too long to convert
        return BadRecord(origin, f"not valid JSON: {exc}")
    if not isinstance(obj, dict):
        kind = type(obj).__name__
        kind = {"list": "an array", "str": "a string", "NoneType": "null"}.get(kind, kind)
        return BadRecord(origin, f"expected a JSON object, got {kind}")
    escaped = "\\u" in line
    return _jsonl_object(
        obj,
        origin,
        escaped=escaped,
        surrogates=escaped and bool(_SURROGATE_ESCAPE.search(line)),
    )


def _jsonl_object(
    obj: dict[str, Any], origin: Origin, *, escaped: bool, surrogates: bool
) -> Record:
    """The record of a line's JSON object. `escaped`: the line has a \\u escape, the only way
    JSON text holds U+0000; `surrogates`: one of them may be half of a UTF-16 surrogate pair."""
    if surrogates:
        problem = _lone_surrogate(obj)
        if problem:
            return BadRecord(origin, problem)
    for key in obj:
        if key != key.strip():
            obj = {key.strip(): obj[key] for key in obj}
            break
    return _article_from_fields(obj, origin, nul=escaped)


def _lone_surrogate(obj: dict[str, Any]) -> str | None:
    """Where a JSON object holds half of a UTF-16 surrogate pair (text no database stores)."""
    for key, value in obj.items():
        for string in _strings([key, value]):
            match = _SURROGATE.search(string)
            if match:
                code = ord(match.group())
                return (
                    f"{key.strip()!r} holds an unpaired surrogate (\\u{code:04x}): not Unicode text"
                )
    return None


def parse_csv(data: bytes, *, name: str) -> Iterator[Record]:
    """One article per row of a CSV file whose header has a `text` column."""
    try:
        content = canonicalise(decode_strict(data))
    except DecodeError as exc:
        yield BadRecord(Origin(name), _decode_error(exc, data))
        return
    # Articles can be longer than the csv module's default field limit of 128 KiB.
    csv.field_size_limit(2**31 - 1)
    reader = csv.reader(io.StringIO(content, newline=""), strict=True)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        yield BadRecord(Origin(name, 1), f"malformed CSV header: {exc}")
        return
    if header is None:
        yield BadRecord(Origin(name), "the file is empty (no header row)")
        return
    columns = [column.strip().lower() for column in header]
    if "text" not in columns:
        shown = ", ".join(repr(column) for column in columns)
        yield BadRecord(Origin(name, 1), f"no 'text' column in the header (columns: {shown})")
        return
    line_number = reader.line_num
    while True:
        row_start = line_number + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield BadRecord(Origin(name, row_start), f"malformed CSV: {exc}")
            return
        line_number = reader.line_num
        origin = Origin(name, row_start)
        if not row or all(not cell.strip() for cell in row):
            continue
        if len(row) != len(columns):
            yield BadRecord(origin, f"{len(row)} fields, but the header has {len(columns)} columns")
            continue
        # An empty cell means "not given", except for the text, which must then be refused.
        cells = {
            column: cell
            for column, cell in zip(columns, row, strict=True)
            if cell != "" or column == "text"
        }
        yield _article_from_fields(cells, origin)


def parse_bytes(
    data: bytes,
    *,
    name: str,
    format: Format | None = None,
    title_from_first_line: bool = True,
) -> Iterator[Record]:
    """The records of one file, in the given format or the one its extension says.

    A file in another encoding than UTF-8 (Windows-1256, UTF-16, ...) is one bad record
    naming that encoding and how to convert it (corpus.lib.encodings)."""
    chosen = detect_format(name, override=format)
    problem = foreign_encoding_problem(data, name=name)
    if problem is not None:
        yield BadRecord(Origin(name), problem)
        return
    if chosen == "txt":
        yield parse_txt(data, name=name, title_from_first_line=title_from_first_line)
    elif chosen == "jsonl":
        yield from parse_jsonl(data, name=name)
    else:
        yield from parse_csv(data, name=name)


def parse_files(
    files: Iterable[tuple[str, bytes]],
    *,
    format: Format | None = None,
    title_from_first_line: bool = True,
) -> Iterator[Record]:
    """The records of several (name, bytes) files, one after the other."""
    for name, data in files:
        yield from parse_bytes(
            data, name=name, format=format, title_from_first_line=title_from_first_line
        )


def parse_stream(
    chunks: Iterable[bytes],
    *,
    name: str,
    format: Format | None = None,
    title_from_first_line: bool = True,
) -> Iterator[Record]:
    """`parse_bytes` of a file that arrives in pieces. A JSONL file is parsed as its lines
    arrive; a .txt or CSV file once it is whole (a CSV record may span lines, and its text
    is canonicalised as a whole). The encoding check reads the file's first SAMPLE bytes."""
    chosen = detect_format(name, override=format)
    pieces = iter(chunks)
    head: list[bytes] = []
    size = 0
    for chunk in pieces:
        head.append(chunk)
        size += len(chunk)
        if size > SAMPLE:
            break
    start = b"".join(head)
    problem = foreign_encoding_problem(start, name=name)
    if problem is not None:
        yield BadRecord(Origin(name), problem)
        for _ in pieces:  # the rest is read, as a whole file would have been
            pass
        return
    if chosen == "jsonl":
        yield from parse_jsonl_stream(itertools.chain((start,), pieces), name=name)
    else:
        data = b"".join((start, *pieces))
        yield from parse_bytes(
            data, name=name, format=chosen, title_from_first_line=title_from_first_line
        )


# --- reading from disk --------------------------------------------------------------------


def list_source_files(path: Path, *, format: Format | None = None) -> list[Path]:
    """The files to import from `path`: the file itself, or a folder's files in name order.

    A folder contributes its files with a known extension (.txt, .jsonl, .csv), or, when a
    format is given, every file whose extension means that format. Hidden files are ignored.
    Raises FileNotFoundError or FormatError with a message naming the path.
    """
    if path.is_file():
        return [path]
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such file or folder")
    if not path.is_dir():
        raise FileNotFoundError(f"{path}: not a file or folder")
    wanted = {ext for ext, fmt in EXTENSIONS.items() if format is None or fmt == format}
    files = sorted(
        child
        for child in path.iterdir()
        if child.is_file() and not child.name.startswith(".") and child.suffix.lower() in wanted
    )
    if not files:
        kinds = ", ".join(sorted(wanted))
        raise FormatError(f"{path}: no files to import (looked for {kinds})")
    return files


def read_files(paths: Iterable[Path]) -> Iterator[tuple[str, bytes]]:
    """(name, bytes) for each path, read one at a time."""
    for path in paths:
        yield str(path), path.read_bytes()
