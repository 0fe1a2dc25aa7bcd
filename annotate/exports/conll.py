"""CoNLL-style BIO: one token a line, `token<TAB>start<TAB>end<TAB>tag`.

- tokens come from corpus.text.tokenize (token_bounds: code-point offsets into the article text);
- a token is split where an entity span boundary falls inside it, so a clitic stays outside
  the entity: و + داعش gives `و O` and `داعش B-MILITARY_GROUP`;
- entity labels only (claims are sentence-length and live in the JSONL); where entity spans
  overlap or nest, the longest is kept (then the earliest) and the others are counted as
  dropped in the manifest - BIO has one layer;
- a blank line ends each sentence (after . ! ? ؟ or at a line break, never inside an entity);
- each article starts with comment lines: `# article_id = 12`, `# external_id = ...`,
  `# split = train`; comments only ever come first, so a "#" token is never taken for one.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Collection, Iterable, Iterator
from typing import Any

from annotate.exports.records import ExportStats, GoldRecord
from corpus.text import Token, token_bounds

SENTENCE_END = frozenset({".", "!", "?", "؟"})


def layer_spans(
    spans: Iterable[dict[str, Any]], *, labels: Collection[str]
) -> tuple[list[tuple[int, int, str]], int]:
    """Non-overlapping entity spans for one BIO layer, and how many were dropped."""
    candidates = sorted(
        ((s["start"], s["end"], s["label"]) for s in spans if s["label"] in labels),
        key=lambda s: (-(s[1] - s[0]), s[0], s[2]),
    )
    kept: list[tuple[int, int, str]] = []
    dropped = 0
    for start, end, label in candidates:
        if any(start < k_end and k_start < end for k_start, k_end, _ in kept):
            dropped += 1
            continue
        kept.append((start, end, label))
    kept.sort()
    return kept, dropped


def split_tokens(tokens: Iterable[Token], boundaries: Collection[int]) -> Iterator[Token]:
    """Cut tokens at every boundary that falls strictly inside one."""
    ordered = sorted(boundaries)
    for token in tokens:
        cuts = [b for b in ordered if token.start < b < token.end] if ordered else []
        if not cuts:
            yield token
            continue
        start = token.start
        for cut in [*cuts, token.end]:
            piece = token.text[start - token.start : cut - token.start]
            yield Token(start, cut, piece, token.kind)
            start = cut


def _clean_comment(value: object) -> str:
    return " ".join(str(value).split())


def split_bounds(
    bounds: Iterable[tuple[int, int]], boundaries: Collection[int]
) -> list[tuple[int, int]]:
    """`split_tokens` on (start, end) offsets."""
    ordered = sorted(boundaries)
    if not ordered:
        return list(bounds)
    pieces = []
    for start, end in bounds:
        i = bisect_right(ordered, start)
        while i < len(ordered) and ordered[i] < end:
            pieces.append((start, ordered[i]))
            start = ordered[i]
            i += 1
        pieces.append((start, end))
    return pieces


def bio_lines(
    text: str, spans: list[tuple[int, int, str]], stats: ExportStats | None = None
) -> Iterator[str]:
    """Token lines of one article with blank lines between sentences."""
    # Works on token offsets (not Token objects): CoNLL writes millions of tokens.
    bounds = split_bounds(token_bounds(text), {b for start, end, _ in spans for b in (start, end)})
    span_index = 0
    current: tuple[int, int, str] | None = None
    begun = False
    previous_end = -1
    in_sentence = False
    tokens = sentences = 0
    find = text.find
    for start, end in bounds:
        while span_index < len(spans) and spans[span_index][1] <= start:
            span_index += 1
        candidate = spans[span_index] if span_index < len(spans) else None
        inside = candidate is not None and candidate[0] <= start and end <= candidate[1]
        if (
            in_sentence
            and find("\n", previous_end, start) != -1
            and not (inside and current == candidate)
        ):
            yield "\n"
            in_sentence = False
            sentences += 1
        piece = text[start:end]
        if inside:
            assert candidate is not None
            if current != candidate:
                current, begun = candidate, False
            yield f"{piece}\t{start}\t{end}\t{'I' if begun else 'B'}-{candidate[2]}\n"
            begun = True
        else:
            current = None
            yield f"{piece}\t{start}\t{end}\tO\n"
        in_sentence = True
        previous_end = end
        tokens += 1
        if piece in SENTENCE_END and not (inside and current and end < current[1]):
            yield "\n"
            in_sentence = False
            sentences += 1
    if in_sentence:
        yield "\n"
        sentences += 1
    if stats is not None:
        stats.conll_tokens += tokens
        stats.conll_sentences += sentences


def conll_lines(
    records: Iterable[GoldRecord],
    *,
    entity_labels: Collection[str],
    stats: ExportStats | None = None,
) -> Iterator[str]:
    for record in records:
        spans, dropped = layer_spans(record.content.get("spans", []), labels=entity_labels)
        if stats is not None:
            stats.conll_overlapping_dropped += dropped
        yield f"# article_id = {record.article_id}\n"
        if record.external_id:
            yield f"# external_id = {_clean_comment(record.external_id)}\n"
        yield f"# split = {record.split}\n"
        yield from bio_lines(record.text, spans, stats)
