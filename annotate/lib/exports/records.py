"""The plain records export writers consume, and the counts they keep for the manifest."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any


class ExportError(ValueError):
    """Stored data that cannot be exported faithfully (a span that does not slice its text)."""


@dataclass(frozen=True, slots=True)
class GoldRecord:
    """One article with its gold content and split."""

    article_id: int
    external_id: str
    title: str
    text: str
    content: dict[str, Any]
    split: str
    # The same text as UTF-8, where the database handed it over so (PostgreSQL): the JSONL
    # writer copies it instead of encoding `text` again.
    text_utf8: bytes | None = None


@dataclass(frozen=True, slots=True)
class RawRecord:
    """One submitted annotation by one annotator."""

    annotation_id: int
    article_id: int
    external_id: str
    title: str
    text: str
    annotator: str
    submitted_at: str | None
    schema_version: int
    content: dict[str, Any]
    split: str
    # Provenance: (span id, recommender@version) of each span accepted from a suggestion and
    # not changed since; every other span was drawn by hand.
    suggested: tuple[tuple[str, str], ...] = ()
    # The same text as UTF-8 where the database handed it over so (PostgreSQL); the records
    # of one article share it, and the JSONL writer escapes it once for all of them.
    text_utf8: bytes | None = None


@dataclass
class ExportStats:
    """Running counts, filled while records stream past, for the manifest."""

    articles: Counter[str] = field(default_factory=Counter)
    # split -> label -> spans
    spans: defaultdict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    stance: defaultdict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    raw_annotations: int = 0
    annotators: set[str] = field(default_factory=set)
    conll_tokens: int = 0
    conll_sentences: int = 0
    conll_overlapping_dropped: int = 0

    def count_gold(self, record: GoldRecord) -> None:
        split = record.split
        self.articles[split] += 1
        labels = self.spans[split]
        for span in record.content.get("spans", ()):
            labels[span["label"]] += 1
        stance = record.content.get("document_labels", {}).get("stance", {})
        for target, value in stance.items():
            self.stance[target][value] += 1

    def count_raw(self, record: RawRecord) -> None:
        self.raw_annotations += 1
        self.annotators.add(record.annotator)


def counting_gold(records: Iterable[GoldRecord], stats: ExportStats) -> Iterator[GoldRecord]:
    """Pass records through, counting them (wrap exactly one pass over the gold records)."""
    for record in records:
        stats.count_gold(record)
        yield record


def counting_raw(records: Iterable[RawRecord], stats: ExportStats) -> Iterator[RawRecord]:
    for record in records:
        stats.count_raw(record)
        yield record
