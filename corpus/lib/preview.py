"""Import rules and the preview of an import. Pure: parsed records in, records and a preview out.

Rules say how parsed records become articles:

- the title: ``auto`` (today's default: a .txt file's first non-empty line, the ``title``
  column of JSONL and CSV), ``first_line`` (the first non-empty line of the text; a .txt
  file's is taken out of its text, JSONL/CSV texts stay whole so their offsets hold),
  ``file_name`` (the file's name without its extension; for JSONL/CSV followed by the line),
  ``column`` (the value of `title_column` in JSONL/CSV), or ``none``;
- columns: each extra JSONL/CSV column (one not among the known fields) goes to the article's
  metadata under its name (the default), is ignored, or fills one of the known fields
  (``source``, ``url``, ``published_on``, ``external_id``, ``title``), checked as that field.

A preview reads every record (so it can say what will be refused and why) but keeps only the
first few articles: the articles as they will be stored, every refusal, and the extra
columns found, for the mapping form.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from hashlib import sha256
from typing import Any, Literal

from corpus.lib.parsers import (
    _KNOWN,
    MAX_EXTERNAL_ID,
    MAX_SOURCE,
    MAX_TITLE,
    BadRecord,
    ParsedArticle,
    Record,
    _date_field,
    _FieldError,
    _text_field,
    _url_field,
)

TitleRule = Literal["auto", "first_line", "file_name", "column", "none"]
TITLE_RULES: tuple[TitleRule, ...] = ("auto", "first_line", "file_name", "column", "none")
COLUMN_TARGETS = ("metadata", "ignore", "title", "source", "url", "published_on", "external_id")
PREVIEW_ARTICLES = 5
EXCERPT = 300


class RulesError(ValueError):
    """Rules that cannot be applied; `field` names the option at fault."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


@dataclass(frozen=True)
class ImportRules:
    title: TitleRule = "auto"
    title_column: str = ""
    columns: Mapping[str, str] = field(default_factory=dict)

    @property
    def title_from_first_line(self) -> bool:
        """Whether the .txt parser takes the first line out of the text as the title."""
        return self.title in ("auto", "first_line")


def check_rules(*, title: Any = "auto", title_column: Any = "", columns: Any = None) -> ImportRules:
    """Checked rules, or RulesError naming the option."""
    if title not in TITLE_RULES:
        raise RulesError("title_rule", f"must be one of {', '.join(TITLE_RULES)}, got {title!r}")
    if not isinstance(title_column, str):
        raise RulesError("title_column", "must be a column name")
    title_column = title_column.strip().lower()
    if title == "column" and not title_column:
        raise RulesError("title_column", "name the column that holds the title")
    mapping: dict[str, str] = {}
    for key, target in (columns or {}).items():
        if not isinstance(key, str) or not isinstance(target, str):
            raise RulesError("columns", "map column names to targets")
        name = key.strip().lower()
        if name in _KNOWN:
            raise RulesError(f"columns.{key}", f"{name!r} is a known field; it is always used")
        if target not in COLUMN_TARGETS:
            raise RulesError(
                f"columns.{key}", f"must be one of {', '.join(COLUMN_TARGETS)}, got {target!r}"
            )
        mapping[name] = target
    return ImportRules(title=title, title_column=title_column, columns=mapping)


def _check_field(target: str, value: Any, name: str) -> Any:
    """A mapped column's value checked as the field it fills (as the parsers check it)."""
    if target == "url":
        return _url_field(value, name)
    if target == "published_on":
        return _date_field(value, name)
    limit = {"title": MAX_TITLE, "source": MAX_SOURCE, "external_id": MAX_EXTERNAL_ID}[target]
    return _text_field(value, name, limit)


def _first_line(text: str) -> str:
    for line in text.split("\n"):
        if line.strip():
            return line.strip()[:MAX_TITLE]
    return ""


def _file_title(article: ParsedArticle) -> str:
    stem = os.path.splitext(os.path.basename(article.origin.file))[0]
    title = stem if article.origin.line is None else f"{stem} {article.origin.line}"
    return title[:MAX_TITLE]


def apply_rule(article: ParsedArticle, rules: ImportRules) -> Record:
    """One parsed article under `rules` (a bad mapped value makes it a BadRecord)."""
    metadata = dict(article.metadata)
    changes: dict[str, Any] = {}
    try:
        for column, target in rules.columns.items():
            if column not in metadata or target == "metadata":
                continue
            value = metadata.pop(column)
            if target != "ignore":
                changes[target] = _check_field(target, value, column)
        title = changes.get("title", article.title)
        if rules.title == "column":
            if rules.title_column == "title":
                title = article.title
            else:
                value = metadata.pop(rules.title_column, None)
                title = _text_field(value, rules.title_column, MAX_TITLE)
        elif rules.title == "first_line" and article.origin.line is not None:
            title = _first_line(article.text)
        elif rules.title == "file_name":
            title = _file_title(article)
        elif rules.title == "none":
            title = ""
    except _FieldError as exc:
        return BadRecord(article.origin, str(exc))
    changes["title"] = title
    if metadata != article.metadata:
        changes["metadata"] = metadata
    return replace(article, **changes)


def apply_rules(records: Iterable[Record], rules: ImportRules) -> Iterator[Record]:
    if rules.title == "auto" and not rules.columns:
        yield from records  # what the parsers give is already the default
        return
    for record in records:
        yield record if isinstance(record, BadRecord) else apply_rule(record, rules)


@dataclass(frozen=True)
class PreviewArticle:
    origin: str
    title: str
    excerpt: str
    length: int
    source: str
    url: str
    published_on: str | None
    external_id: str
    metadata: dict[str, Any]


@dataclass
class Preview:
    """The first articles as they will be stored, every refusal, and what else was found."""

    articles: list[PreviewArticle] = field(default_factory=list)
    refused: list[BadRecord] = field(default_factory=list)
    count: int = 0
    files: list[str] = field(default_factory=list)
    extra_columns: list[str] = field(default_factory=list)
    repeated: int = 0
    digests: set[str] = field(default_factory=set)  # SHA-256 of each article's text

    def as_dict(self) -> dict[str, Any]:
        return {
            "count": self.count,
            "files": self.files,
            "articles": [vars(article) for article in self.articles],
            "refused": [
                {
                    "file": bad.origin.file,
                    "line": bad.origin.line,
                    "reason": bad.message,
                    "message": str(bad),
                }
                for bad in self.refused
            ],
            "extra_columns": self.extra_columns,
            "repeated": self.repeated,
        }


def build_preview(
    records: Iterable[Record],
    *,
    limit: int = PREVIEW_ARTICLES,
    original_columns: Iterable[str] = (),
) -> Preview:
    """Read every record; keep the first `limit` articles, all refusals and the metadata keys
    (the extra columns the mapping can send elsewhere, with those already mapped)."""
    preview = Preview()
    columns: dict[str, None] = dict.fromkeys(original_columns)
    files: dict[str, None] = {}
    seen = preview.digests
    for record in records:
        files.setdefault(record.origin.file)
        if isinstance(record, BadRecord):
            preview.refused.append(record)
            continue
        digest = sha256(record.text.encode()).hexdigest()
        if digest in seen:
            preview.repeated += 1
            continue
        seen.add(digest)
        preview.count += 1
        columns.update(dict.fromkeys(record.metadata))
        if len(preview.articles) < limit:
            preview.articles.append(
                PreviewArticle(
                    origin=str(record.origin),
                    title=record.title,
                    excerpt=record.text[:EXCERPT],
                    length=len(record.text),
                    source=record.source,
                    url=record.url,
                    published_on=record.published_on.isoformat() if record.published_on else None,
                    external_id=record.external_id,
                    metadata=record.metadata,
                )
            )
    preview.files = list(files)
    preview.extra_columns = list(columns)
    return preview
