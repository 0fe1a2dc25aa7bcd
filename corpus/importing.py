"""Writing parsed articles into a corpus: batched, de-duplicated, all or nothing.

`do_import_articles` is the one way articles enter the database; the management command,
the REST endpoint, the upload page, the demo and the benchmark all call it, and annotation
imports through `do_import_articles_with_ids`.
"""

from __future__ import annotations

import json
import os
import struct
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from hashlib import sha256
from io import BytesIO, UnsupportedOperation
from typing import Any, Protocol

from django.conf import settings
from django.core.files.uploadhandler import MemoryFileUploadHandler, TemporaryFileUploadHandler
from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone

from corpus.access import check_owns_corpus
from corpus.lib.parsers import (
    BadRecord,
    Format,
    FormatError,
    ParsedArticle,
    Record,
    detect_format,
    parse_files,
    parse_stream,
)
from corpus.lib.preview import PREVIEW_ARTICLES, ImportRules, apply_rules, build_preview
from corpus.lib.text import article_search_texts, content_hash
from corpus.models import Article, Corpus
from corpus.search import schedule_indexing
from workbench.bulk import gc_paused
from workbench.sql import column_of, concrete_field

DEFAULT_BATCH_SIZE = 2000
MAX_CORPUS_NAME: int = concrete_field(Corpus, "name").max_length or 200
# How many bad records an error message lists before it only counts the rest.
SHOWN_ERRORS = 20

ProgressCallback = Callable[[int], None]


class CorpusNameError(ValueError):
    """A corpus name that cannot be used."""


class ImportRejected(Exception):
    """The input holds bad records and skipping them was not asked for: nothing was written.

    `errors` are the bad records (anything whose str() says where and why); the message lists
    the first SHOWN_ERRORS of them.
    """

    def __init__(self, errors: Sequence[Any]) -> None:
        self.errors = list(errors)
        super().__init__(self.message)

    @property
    def message(self) -> str:
        if len(self.errors) == 1:
            return f"{self.errors[0]}; nothing was imported"
        lines = [f"{len(self.errors)} bad records; nothing was imported:", *self.listed()]
        return "\n".join(lines)

    def listed(self) -> list[str]:
        """The first SHOWN_ERRORS bad records, one a line, then how many more there are."""
        lines = [str(error) for error in self.errors[:SHOWN_ERRORS]]
        if len(self.errors) > SHOWN_ERRORS:
            lines.append(f"... and {len(self.errors) - SHOWN_ERRORS} more")
        return lines


class UploadError(ValueError):
    """An upload that cannot be imported at all; `field` names the form field to blame."""

    def __init__(self, field: str, message: str, *, too_large: bool = False) -> None:
        self.field = field
        self.message = message
        self.too_large = too_large
        super().__init__(message)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


@dataclass
class ImportReport:
    """What an import did: articles created, duplicates left out, bad records skipped."""

    corpus: str
    corpus_id: int
    corpus_created: bool = False
    read: int = 0
    created: int = 0
    duplicates_in_corpus: int = 0
    duplicates_in_file: int = 0
    skipped: list[BadRecord] = field(default_factory=list)

    @property
    def duplicates(self) -> int:
        return self.duplicates_in_corpus + self.duplicates_in_file

    @property
    def summary(self) -> str:
        if self.created == 0 and self.duplicates:
            where = []
            if self.duplicates_in_corpus:
                verb = "was" if self.duplicates_in_corpus == 1 else "were"
                where.append(
                    f"{self.duplicates_in_corpus} {verb} already in corpus '{self.corpus}'"
                )
            if self.duplicates_in_file:
                where.append(f"{self.duplicates_in_file} repeated an earlier record")
            text = f"imported 0 articles; {' and '.join(where)} (duplicates)"
        else:
            text = f"imported {_plural(self.created, 'article')}, "
            text += _plural(self.duplicates, "duplicate")
            if self.duplicates:
                parts = []
                if self.duplicates_in_corpus:
                    parts.append(f"{self.duplicates_in_corpus} already in the corpus")
                if self.duplicates_in_file:
                    parts.append(f"{self.duplicates_in_file} repeated in the input")
                text += f" ({', '.join(parts)})"
        if self.skipped:
            text += f"; skipped {_plural(len(self.skipped), 'bad record')}"
        return text

    def as_dict(self) -> dict[str, Any]:
        return {
            "corpus": {"id": self.corpus_id, "name": self.corpus, "created": self.corpus_created},
            "read": self.read,
            "created": self.created,
            "duplicates": self.duplicates,
            "duplicates_in_corpus": self.duplicates_in_corpus,
            "duplicates_in_file": self.duplicates_in_file,
            "skipped": [
                {
                    "file": bad.origin.file,
                    "line": bad.origin.line,
                    "reason": bad.message,
                    "message": str(bad),
                }
                for bad in self.skipped
            ],
            "summary": self.summary,
        }


def check_corpus_name(name: str) -> str:
    """The stripped name, or CorpusNameError saying what is wrong with it."""
    name = (name or "").strip()
    if not name:
        raise CorpusNameError("a corpus name is required")
    if len(name) > MAX_CORPUS_NAME:
        raise CorpusNameError(f"a corpus name has at most {MAX_CORPUS_NAME} characters")
    return name


# Rows are written without the ORM: preparing each value through the model fields was most
# of the import time (bench/import_articles.py). Values are adapted exactly as the fields
# would adapt them.
_COLUMNS = (
    "corpus",
    "title",
    "text",
    "source",
    "url",
    "published_on",
    "external_id",
    "content_hash",
    "search_text",
    "metadata",
    "created_at",
)
# The PostgreSQL types of _COLUMNS that the binary COPY below writes.
_POSTGRES_TYPES = (
    "bigint",
    "varchar",
    "text",
    "varchar",
    "varchar",
    "date",
    "varchar",
    "varchar",
    "text",
    "jsonb",
    "timestamp with time zone",
)
# Bytes of COPY data handed to the server at a time, so that it stores one chunk while the
# next is prepared.
COPY_CHUNK_BYTES = 128 * 1024

# (content hash, UTF-8 text, search text, record) of an article to write.
NewArticle = tuple[str, bytes, str, ParsedArticle]


def _quoted_columns() -> str:
    quote = connection.ops.quote_name
    return ", ".join(quote(column_of(Article, name)) for name in _COLUMNS)


def _column_types() -> list[str]:
    """PostgreSQL type names of the `_COLUMNS`, in order (binary COPY needs them exact)."""
    types = []
    for name in _COLUMNS:
        field = concrete_field(Article, name)
        db_type = field.rel_db_type(connection) if field.is_relation else field.db_type(connection)
        types.append(str(db_type).split("(")[0])  # varchar(300) -> varchar
    return types


def _metadata_json(metadata: dict[str, Any]) -> str:
    return json.dumps(metadata, cls=Article._meta.get_field("metadata").encoder)


class _RowWriter:
    """Writes articles of one corpus inside the import's transaction (any database)."""

    def __init__(self, corpus_id: int) -> None:
        self.corpus_id = corpus_id
        self.created_at = timezone.now()

    def existing(self, digests: list[str]) -> set[str]:
        """Which of `digests` the corpus already holds."""
        return set(
            Article.objects.filter(corpus_id=self.corpus_id, content_hash__in=digests)
            .values_list("content_hash", flat=True)
            .order_by()
        )

    def write(self, new: list[NewArticle]) -> None:
        ops = connection.ops
        created_at = ops.adapt_datetimefield_value(self.created_at)
        rows = [
            (
                self.corpus_id,
                record.title,
                record.text,
                record.source,
                record.url,
                ops.adapt_datefield_value(record.published_on),
                record.external_id,
                digest,
                search,
                _metadata_json(record.metadata) if record.metadata else "{}",
                created_at,
            )
            for digest, _, search, record in new
        ]
        table = connection.ops.quote_name(Article._meta.db_table)
        placeholders = ", ".join(["%s"] * len(_COLUMNS))
        # Only model metadata goes into the statement; every value is a parameter.
        sql = f"INSERT INTO {table} ({_quoted_columns()}) VALUES ({placeholders})"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)

    def close(self, exc: BaseException | None = None) -> None:
        pass


_int4 = struct.Struct("!i").pack
_NULL_FIELD = _int4(-1)
_EMPTY_FIELD = _int4(0)
_NO_METADATA = _int4(3) + b"\x01{}"  # jsonb: format version 1, then the JSON text
_POSTGRES_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
_POSTGRES_EPOCH_DAY = date(2000, 1, 1).toordinal()


def _text_value(value: str) -> bytes:
    """A text field of a binary COPY row: its length, then its UTF-8 bytes."""
    if not value:
        return _EMPTY_FIELD
    data = value.encode()
    return _int4(len(data)) + data


class _PostgresCopyWriter(_RowWriter):
    """Streams articles to PostgreSQL with COPY in binary format.

    One COPY stays open across batches until a duplicate lookup needs the connection; rows
    are built by hand in PostgreSQL's binary COPY format (no escaping of the long texts, no
    per-value adaptation), in chunks the server stores while the next chunk is built.
    """

    def __init__(self, corpus_id: int) -> None:
        super().__init__(corpus_id)
        if tuple(_column_types()) != _POSTGRES_TYPES:
            raise RuntimeError(f"corpus_article columns changed: {_column_types()}")
        created_at = self.created_at
        if timezone.is_naive(created_at):  # USE_TZ off: the time is in TIME_ZONE
            created_at = timezone.make_aware(created_at)
        micros = (created_at - _POSTGRES_EPOCH) // timedelta(microseconds=1)
        # Field count, then the corpus id: the same at the start of every row.
        self.row_start = struct.pack("!hiq", len(_COLUMNS), 8, corpus_id)
        self.row_end = struct.pack("!iq", 8, micros)
        self._cursor: Any = None
        self._copy_block: Any = None  # the `with cursor.copy(...)` block, entered by hand
        self._copy: Any = None

    def existing(self, digests: list[str]) -> set[str]:
        self.close()
        table = connection.ops.quote_name(Article._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT content_hash FROM {table} "  # noqa: S608 - model metadata only
                "WHERE corpus_id = %s AND content_hash = ANY(%s)",
                [self.corpus_id, digests],
            )
            return {digest for (digest,) in cursor.fetchall()}

    def _open(self) -> Any:
        table = connection.ops.quote_name(Article._meta.db_table)
        sql = f"COPY {table} ({_quoted_columns()}) FROM STDIN (FORMAT BINARY)"
        self._cursor = connection.cursor()
        self._copy_block = self._cursor.cursor.copy(sql)
        self._copy = copy = self._copy_block.__enter__()
        # The header of the binary format: signature, flags, no extension.
        copy.write(b"PGCOPY\n\xff\r\n\x00" + struct.pack("!ii", 0, 0))
        return copy

    def write(self, new: list[NewArticle]) -> None:
        copy = self._copy or self._open()
        parts: list[bytes] = []
        size = 0
        for digest, text, search_text, record in new:
            title = record.title.encode()
            search = search_text.encode()
            day = record.published_on
            if record.metadata:
                meta = b"\x01" + _metadata_json(record.metadata).encode()
                metadata = _int4(len(meta)) + meta
            else:
                metadata = _NO_METADATA
            row = (
                self.row_start,
                _int4(len(title)),
                title,
                _int4(len(text)),
                text,
                _text_value(record.source),
                _text_value(record.url),
                _NULL_FIELD
                if day is None
                else struct.pack("!ii", 4, day.toordinal() - _POSTGRES_EPOCH_DAY),
                _text_value(record.external_id),
                b"\x00\x00\x00\x40" + digest.encode("ascii"),
                _int4(len(search)),
                search,
                metadata,
                self.row_end,
            )
            parts.extend(row)
            size += len(text) + len(search)
            if size >= COPY_CHUNK_BYTES:
                copy.write(b"".join(parts))
                parts.clear()
                size = 0
        if parts:
            copy.write(b"".join(parts))

    def close(self, exc: BaseException | None = None) -> None:
        """End the open COPY, if any (with `exc`, abort it)."""
        if self._copy is None:
            return
        copy, block, cursor = self._copy, self._copy_block, self._cursor
        self._copy = self._copy_block = self._cursor = None
        try:
            if exc is None:
                copy.write(b"\xff\xff")  # the trailer: no more rows
                block.__exit__(None, None, None)
            else:
                block.__exit__(type(exc), exc, exc.__traceback__)
        finally:
            cursor.close()


def _row_writer(corpus_id: int) -> _RowWriter:
    if connection.vendor == "postgresql":
        return _PostgresCopyWriter(corpus_id)
    return _RowWriter(corpus_id)


def _batches(records: Iterable[Record], size: int) -> Iterable[list[Record]]:
    batch: list[Record] = []
    for record in records:
        batch.append(record)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def search_texts(records: Sequence[ParsedArticle]) -> list[str]:
    """`Article.search_text` of each record, for a whole batch at once: the one place an import
    computes it (corpus.lib.text.article_search_texts)."""
    return article_search_texts([(record.title, record.text) for record in records])


def do_import_articles(
    corpus: Corpus | str,
    records: Iterable[Record],
    *,
    skip_bad: bool = False,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: ProgressCallback | None = None,
    created_by: Any = None,
) -> ImportReport:
    """Import parsed records into `corpus` (a Corpus, or a name: created when missing).

    Given a name and `created_by`, a new corpus is owned by `created_by`, and an existing one
    must be theirs already (PermissionDenied otherwise). Given a Corpus, the caller checked.
    Without `created_by` (the operator's commands) nothing is checked.

    All or nothing: when a record is bad and `skip_bad` is false, the remaining input is still
    read to report every bad record, then ImportRejected is raised and nothing is written (nor
    is a new corpus created). With `skip_bad`, bad records are listed in the report and the
    rest imported. Records whose text is already in the corpus, or repeats an earlier record,
    are counted as duplicates and left out. Works in batches of `batch_size`: one query per
    batch finds the duplicates already in the corpus (none when the corpus was empty), and the
    new articles are written in bulk (PostgreSQL: streamed with COPY, one statement across
    batches while no lookup interrupts it, so that the server stores rows while the next
    batch is parsed). `progress(n)` is called after each batch with the number of records
    read so far.
    """
    with transaction.atomic(), gc_paused():
        created = False
        if isinstance(corpus, str):
            corpus, created = Corpus.objects.get_or_create(
                name=check_corpus_name(corpus), defaults={"created_by": created_by}
            )
            if created and created_by is not None:
                corpus.owners.add(created_by)
            elif created_by is not None:
                # The callers checked (corpus.access.access_corpus_for_import); this holds
                # when a corpus of that name appeared since, created by someone else.
                check_owns_corpus(created_by, corpus)
        # Serialise imports into one corpus, so two of them cannot race on the same text.
        Corpus.objects.select_for_update().filter(pk=corpus.pk).exists()
        # Under that lock an empty corpus stays empty but for this import: nothing to look up.
        look_up = not created and Article.objects.filter(corpus=corpus).exists()
        report = ImportReport(corpus=corpus.name, corpus_id=corpus.pk, corpus_created=created)
        errors: list[BadRecord] = []
        seen: set[str] = set()
        writer = _row_writer(corpus.pk)
        try:
            for batch in _batches(records, batch_size):
                report.read += len(batch)
                fresh: dict[str, tuple[str, bytes, ParsedArticle]] = {}
                for record in batch:
                    if isinstance(record, BadRecord):
                        errors.append(record)
                        continue
                    if errors and not skip_bad:
                        continue  # nothing will be written; only look for more bad records
                    text = record.text.encode()
                    digest = sha256(text).hexdigest()  # corpus.lib.text.content_hash
                    if digest in seen:
                        report.duplicates_in_file += 1
                        continue
                    seen.add(digest)
                    fresh[digest] = (digest, text, record)
                if fresh and (skip_bad or not errors):
                    existing = writer.existing(list(fresh)) if look_up else set()
                    report.duplicates_in_corpus += len(existing)
                    kept = [row for digest, row in fresh.items() if digest not in existing]
                    if kept:
                        searched = search_texts([record for _, _, record in kept])
                        writer.write(
                            [
                                (digest, text, search, record)
                                for (digest, text, record), search in zip(
                                    kept, searched, strict=True
                                )
                            ]
                        )
                    report.created += len(kept)
                if progress is not None:
                    progress(report.read)
        except BaseException as exc:
            writer.close(exc)
            raise
        writer.close()
        if errors and not skip_bad:
            raise ImportRejected(errors)
        report.skipped = errors
        schedule_indexing()
        return report


# Content hashes per query when looking up article ids (within every database's limit on
# query parameters).
LOOKUP_BATCH = 1000


def article_ids(corpus: Corpus | int, digests: Iterable[str]) -> dict[str, int]:
    """The ids of the corpus's articles with these content hashes, by content hash."""
    wanted = sorted(set(digests))
    found: dict[str, int] = {}
    for start in range(0, len(wanted), LOOKUP_BATCH):
        found.update(
            Article.objects.filter(
                corpus=corpus, content_hash__in=wanted[start : start + LOOKUP_BATCH]
            ).values_list("content_hash", "id")
        )
    return found


def do_import_articles_with_ids(
    corpus: Corpus | str, records: Sequence[ParsedArticle], *, created_by: Any = None
) -> tuple[ImportReport, dict[str, int]]:
    """Import `records` as do_import_articles does, and say which article holds each text.

    Returns the report and, by content hash, the id of every record's article: the new one,
    or the one the corpus already had. For imports that attach more to the articles
    (annotate/imports.py).
    """
    with transaction.atomic():
        report = do_import_articles(corpus, records, created_by=created_by)
        ids = article_ids(report.corpus_id, (content_hash(record.text) for record in records))
    return report, ids


# --- uploads (the REST endpoint and the upload page) -------------------------------------


class UploadedFileLike(Protocol):
    name: str | None
    size: int | None

    def read(self) -> bytes: ...


def human_size(size: int) -> str:
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def _too_large(size: int) -> UploadError:
    limit = settings.MAX_UPLOAD_BYTES
    return UploadError(
        "file",
        f"the upload is {human_size(size)} ({size} bytes), more than the limit of "
        f"{human_size(limit)} ({limit} bytes)",
        too_large=True,
    )


def check_upload_size(size: int) -> None:
    """UploadError (too_large) when `size` bytes exceed settings.MAX_UPLOAD_BYTES."""
    if size > settings.MAX_UPLOAD_BYTES:
        raise _too_large(size)


# Room for the multipart envelope around the files themselves.
MULTIPART_OVERHEAD = 64 * 1024


def check_request_size(meta: Mapping[str, Any]) -> None:
    """UploadError (too_large) when a request's Content-Length is above the upload limit,
    allowing for the multipart envelope; the files themselves are checked again once read."""
    try:
        length = int(meta.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length - MULTIPART_OVERHEAD > settings.MAX_UPLOAD_BYTES:
        raise _too_large(length)


# Import uploads are read whole into memory to be parsed, so up to the upload limit they are
# received into memory as well (not into a temporary file to be read back), in chunks large
# enough that reading the request body is a few copies of it, not a hundred.
UPLOAD_CHUNK_BYTES = 4 * 1024 * 1024


class ImportMemoryUploadHandler(MemoryFileUploadHandler):
    """Receives an import upload into memory when the request is within the upload limit."""

    chunk_size = UPLOAD_CHUNK_BYTES

    def handle_raw_input(
        self,
        input_data: Any,
        META: Mapping[str, Any],  # noqa: N803 - Django's name
        content_length: int,
        boundary: bytes,  # type: ignore[override]  # Django passes bytes; the stubs say str
        encoding: str | None = None,
    ) -> None:
        # As Django's handler: a seekable stream tells its true size (Content-Length can be
        # absent or understated on ASGI); on WSGI the stream enforces Content-Length.
        stream = getattr(input_data, "_stream", input_data)
        try:
            content_length = stream.seek(0, os.SEEK_END)
        except (UnsupportedOperation, AttributeError):
            pass
        else:
            stream.seek(0)
        limit = settings.MAX_UPLOAD_BYTES + MULTIPART_OVERHEAD
        self.activated = content_length is not None and content_length <= limit


class ImportTemporaryFileUploadHandler(TemporaryFileUploadHandler):
    """Django's temporary file for anything larger (refused later), read in large chunks."""

    chunk_size = UPLOAD_CHUNK_BYTES


def use_import_upload_handlers(request: HttpRequest) -> None:
    """Receive the files of `request` as imports want them; before its body is read."""
    request.upload_handlers = [
        ImportMemoryUploadHandler(request),
        ImportTemporaryFileUploadHandler(request),
    ]


def _uploaded_bytes(upload: UploadedFileLike) -> bytes:
    """The content of an upload; of one received into memory, without a copy of it."""
    held = getattr(upload, "file", None)
    if isinstance(held, BytesIO) and held.tell() == 0:
        return held.getvalue()
    return upload.read()


def _upload_records(
    files: Sequence[UploadedFileLike], *, format: Format | None, rules: ImportRules
) -> Iterator[Record]:
    """The records of uploaded files under `rules`, after checking the upload as a whole
    (present, within the size limit, each file of a known format): UploadError otherwise."""
    if not files:
        raise UploadError("file", "choose a file to import")
    check_upload_size(sum(f.size or 0 for f in files))
    names = [f.name or "upload" for f in files]
    try:
        for name in names:
            detect_format(name, override=format)
    except FormatError as exc:
        raise UploadError("format", str(exc)) from None
    contents = [(name, _uploaded_bytes(f)) for name, f in zip(names, files, strict=True)]
    records = parse_files(
        contents, format=format, title_from_first_line=rules.title_from_first_line
    )
    return apply_rules(records, rules)


def do_import_uploads(
    corpus: Corpus | str,
    files: Sequence[UploadedFileLike],
    *,
    format: Format | None = None,
    skip_bad: bool = False,
    title_from_first_line: bool = True,
    rules: ImportRules | None = None,
    created_by: Any = None,
) -> ImportReport:
    """Check uploaded files (present, within the size limit, a known format) and import them.

    `rules` (corpus.lib.preview) choose the title and map extra columns; without them
    `title_from_first_line` says whether a .txt file's first line is its title.
    Raises UploadError for a problem with the upload as a whole, ImportRejected for bad
    records (see do_import_articles).
    """
    if rules is None:
        rules = ImportRules(title="auto" if title_from_first_line else "none")
    return do_import_articles(
        corpus,
        _upload_records(files, format=format, rules=rules),
        skip_bad=skip_bad,
        created_by=created_by,
    )


# --- a file sent as the request body, imported as it arrives ---------------------------------

# Bytes read from the request at a time: a few hundred articles.
STREAM_CHUNK_BYTES = 1024 * 1024
# What a raw upload's Content-Type says about its format.
STREAM_MEDIA_TYPES: dict[str, Format] = {
    "application/x-ndjson": "jsonl",
    "application/jsonl": "jsonl",
    "application/x-jsonlines": "jsonl",
    "text/csv": "csv",
    "text/plain": "txt",
}
# The Content-Type that leaves the format to `format` or to the file name's extension.
STREAM_ANY_TYPE = "application/octet-stream"


class UploadInterrupted(UploadError):
    """The request body ended before its Content-Length: the client went away mid-upload."""

    def __init__(self, received: int, expected: int) -> None:
        super().__init__(
            "file",
            f"the upload ended after {received} of its {expected} bytes (the connection was "
            "closed); nothing was imported",
        )


def stream_format(content_type: str, *, format: Format | None, name: str) -> Format:
    """The format of a raw upload: `format` when given, else what its Content-Type says, else
    its name's extension (application/octet-stream); UploadError (field `format`) otherwise."""
    media_type = content_type.split(";", 1)[0].strip().lower()
    try:
        if format or media_type in ("", STREAM_ANY_TYPE):
            return detect_format(name, override=format)
    except FormatError as exc:
        raise UploadError("format", str(exc)) from None
    if media_type in STREAM_MEDIA_TYPES:
        return STREAM_MEDIA_TYPES[media_type]
    known = ", ".join([*STREAM_MEDIA_TYPES, STREAM_ANY_TYPE])
    raise UploadError("format", f"cannot import a body of type {media_type!r}; send one of {known}")


def read_body(stream: Any, length: int, *, chunk_size: int = STREAM_CHUNK_BYTES) -> Iterator[bytes]:
    """The `length` bytes of a request body, in chunks as they arrive; UploadInterrupted when
    the body ends before them (a server hands a closed connection's body over cut short) or
    reading it fails."""
    received = 0
    while received < length:
        try:
            chunk = stream.read(min(chunk_size, length - received))
        except OSError as exc:  # the connection reset (Django's UnreadablePostError too)
            raise UploadInterrupted(received, length) from exc
        if not chunk:
            raise UploadInterrupted(received, length)
        received += len(chunk)
        yield chunk


def do_import_stream(
    corpus: Corpus,
    stream: Any,
    *,
    length: int,
    name: str,
    format: Format,
    rules: ImportRules,
    skip_bad: bool = False,
    created_by: Any = None,
) -> ImportReport:
    """Import a file of `length` bytes read from `stream` (a request body) as it arrives.

    A JSONL file is parsed line by line as it is received, in the importer's reading thread,
    while the rows before are written; a .txt or CSV file is read whole first. The checks and
    the outcome are those of do_import_uploads: all or nothing unless `skip_bad`, and a body
    cut short (UploadInterrupted) writes nothing either.
    """
    if length <= 0:
        raise UploadError("file", "the request body is empty: send the file as the body")
    check_upload_size(length)
    records = parse_stream(
        read_body(stream, length),
        name=name,
        format=format,
        title_from_first_line=rules.title_from_first_line,
    )
    return do_import_articles(
        corpus, apply_rules(records, rules), skip_bad=skip_bad, created_by=created_by
    )


def preview_uploads(
    corpus: Corpus | str,
    files: Sequence[UploadedFileLike],
    *,
    format: Format | None = None,
    rules: ImportRules | None = None,
    limit: int = PREVIEW_ARTICLES,
) -> dict[str, Any]:
    """What importing `files` would do, writing nothing: the first `limit` articles as they
    will be stored, every refused record or file and why, the extra columns found, and how
    many articles are already in the corpus (left out as duplicates)."""
    rules = rules or ImportRules()
    preview = build_preview(
        _upload_records(files, format=format, rules=rules),
        limit=limit,
        original_columns=rules.columns,
    )
    body = preview.as_dict()
    body["already_in_corpus"] = 0
    if isinstance(corpus, Corpus):
        # Only the texts in the corpus matter; the preview holds hashes of the new ones.
        digests = list(preview.digests)
        found = 0
        for start in range(0, len(digests), LOOKUP_BATCH):
            found += Article.objects.filter(
                corpus=corpus, content_hash__in=digests[start : start + LOOKUP_BATCH]
            ).count()
        body["already_in_corpus"] = found
    body["corpus"] = {
        "name": corpus.name if isinstance(corpus, Corpus) else corpus,
        "exists": isinstance(corpus, Corpus),
    }
    return body


__all__ = [
    "DEFAULT_BATCH_SIZE",
    "MAX_CORPUS_NAME",
    "CorpusNameError",
    "ImportRejected",
    "ImportReport",
    "UploadError",
    "article_ids",
    "check_corpus_name",
    "check_request_size",
    "check_upload_size",
    "do_import_articles",
    "do_import_articles_with_ids",
    "do_import_stream",
    "do_import_uploads",
    "preview_uploads",
    "search_texts",
    "use_import_upload_handlers",
]
