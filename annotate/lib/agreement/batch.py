"""Span and token comparisons for many articles at once, vectorised with numpy. Pure.

The definitions are those of spans.py (exact_matches, overlap_matches, bio_sequences); this
module computes them for every article an annotator pair shares in a handful of array
operations instead of a Python loop per article, which is what makes a 10,000-article
project take seconds. tests/test_agreement_batch.py checks it against spans.py.

All articles are laid end to end on one axis ("global offsets"): article k's offsets are
shifted by base[k], with one separator character between articles so no span or token
crosses from one article into the next.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import chain
from operator import itemgetter

import numpy as np

from annotate.lib.agreement.documents import Doc
from annotate.lib.agreement.spans import Pieces, make_pieces, sorted_isin, sorted_unique
from annotate.lib.agreement.tokens import ranks, token_bounds


@dataclass(frozen=True)
class Layout:
    """Articles laid end to end: `base[k]` is article k's global offset."""

    article_ids: list[int]
    base: np.ndarray
    total: int


def make_layout(article_ids: Sequence[int], texts: Mapping[int, str]) -> Layout:
    lengths = np.fromiter(
        (len(texts.get(a, "")) + 1 for a in article_ids), dtype=np.int64, count=len(article_ids)
    )
    base = np.cumsum(lengths) - lengths
    return Layout(list(article_ids), base, int(lengths.sum()))


def global_tokens(layout: Layout, texts: Mapping[int, str]) -> np.ndarray:
    """Token bounds of all articles in global offsets (one tokenizer pass over them all)."""
    joined = "\n".join(texts.get(a, "") for a in layout.article_ids)
    return token_bounds(joined)


@dataclass(frozen=True)
class SpanTable:
    """One layer's spans (entities or claims) of many documents, as columns."""

    doc: np.ndarray  # index into the docs sequence
    local: np.ndarray  # index within the doc's tuple of this layer
    article: np.ndarray  # article index in the layout
    start: np.ndarray  # global offsets
    end: np.ndarray
    label: np.ndarray  # label code

    def __len__(self) -> int:
        return len(self.doc)


def span_table(
    docs: Sequence[Doc],
    *,
    layer: str,
    doc_article: np.ndarray,
    layout: Layout,
    label_code: Mapping[str, int],
) -> SpanTable:
    """Columns of every `layer` ("entities" or "claims") span of these docs."""
    groups = [getattr(d, layer) for d in docs]
    counts = np.fromiter(map(len, groups), dtype=np.int64, count=len(groups))
    flat = list(chain.from_iterable(groups))
    n = len(flat)
    doc = np.repeat(np.arange(len(docs), dtype=np.int64), counts)
    article = np.asarray(doc_article, dtype=np.int64)[doc]
    shift = layout.base[article] if n else np.zeros(0, dtype=np.int64)
    # Span is a named tuple (start, end, label, id): itemgetter keeps the loops in C.
    start = np.fromiter(map(itemgetter(0), flat), dtype=np.int64, count=n) + shift
    end = np.fromiter(map(itemgetter(1), flat), dtype=np.int64, count=n) + shift
    label = np.fromiter(
        map(label_code.__getitem__, map(itemgetter(2), flat)), dtype=np.int64, count=n
    )
    return SpanTable(doc, ranks(counts), article, start, end, label)


def exact_pairs(table: SpanTable, ia: np.ndarray, ib: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Matched span indices (into table) with the same start, end and label.

    Spans of one document are distinct in (start, end, label), as check_content requires.
    """
    if len(ia) == 0 or len(ib) == 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    width = int(max(table.end[ia].max(), table.end[ib].max())) + 1
    n_labels = int(table.label.max()) + 1

    def key(idx: np.ndarray) -> np.ndarray:
        packed: np.ndarray = (
            table.start[idx] * width + (table.end[idx] - table.start[idx])
        ) * n_labels + table.label[idx]
        return packed

    _, pa, pb = np.intersect1d(key(ia), key(ib), assume_unique=True, return_indices=True)
    return ia[pa], ib[pb]


def overlap_pairs(
    table: SpanTable, ia: np.ndarray, ib: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Matched span indices under the overlap rule of spans.overlap_matches."""
    empty = np.empty(0, dtype=np.int64)
    if len(ia) == 0 or len(ib) == 0:
        return empty, empty
    # Spread labels apart on the axis so that only same-label spans can overlap.
    stride = int(max(table.end[ia].max(), table.end[ib].max())) + 1
    a_start = table.label[ia] * stride + table.start[ia]
    a_end = table.label[ia] * stride + table.end[ia]
    order_b = np.argsort(table.label[ib] * stride + table.start[ib], kind="stable")
    ib = ib[order_b]
    b_start = table.label[ib] * stride + table.start[ib]
    b_end = table.label[ib] * stride + table.end[ib]
    longest_b = int((b_end - b_start).max())
    # b overlaps a iff b_start < a_end and b_end > a_start; b_end > a_start needs
    # b_start > a_start - longest_b, which bounds a window of b (sorted by start).
    lo = np.searchsorted(b_start, a_start - longest_b + 1, side="left")
    hi = np.searchsorted(b_start, a_end, side="left")
    width = np.maximum(hi - lo, 0)
    ca = np.repeat(np.arange(len(ia), dtype=np.int64), width)
    cb = np.repeat(lo, width) + ranks(width)
    overlap = np.minimum(a_end[ca], b_end[cb]) - np.maximum(a_start[ca], b_start[cb])
    keep = overlap > 0
    ca, cb, overlap = ca[keep], cb[keep], overlap[keep]
    if len(ca) == 0:
        return empty, empty
    # A candidate whose two spans have no other candidate is matched whatever the order.
    alone = (np.bincount(ca, minlength=len(ia))[ca] == 1) & (
        np.bincount(cb, minlength=len(ib))[cb] == 1
    )
    matched_a = [ca[alone]]
    matched_b = [cb[alone]]
    rest = ~alone
    if rest.any():
        ra, rb, ro = ca[rest], cb[rest], overlap[rest]
        distance = np.abs(a_start[ra] - b_start[rb]) + np.abs(a_end[ra] - b_end[rb])
        order = np.lexsort((b_end[rb], b_start[rb], a_end[ra], a_start[ra], distance, -ro))
        used_a: set[int] = set()
        used_b: set[int] = set()
        picked_a, picked_b = [], []
        for i, j in zip(ra[order].tolist(), rb[order].tolist(), strict=True):
            if i in used_a or j in used_b:
                continue
            used_a.add(i)
            used_b.add(j)
            picked_a.append(i)
            picked_b.append(j)
        matched_a.append(np.array(picked_a, dtype=np.int64))
        matched_b.append(np.array(picked_b, dtype=np.int64))
    return ia[np.concatenate(matched_a)], ib[np.concatenate(matched_b)]


@dataclass(frozen=True)
class TagGrid:
    """All articles' tokens split at every span boundary, with each piece's article.

    `token_starts[k]` counts the pieces of article k that begin a tokenizer token.
    """

    pieces: Pieces
    article: np.ndarray
    token_starts: np.ndarray


def make_grid(tokens: np.ndarray, layout: Layout, tables: Sequence[SpanTable]) -> TagGrid:
    boundaries = np.concatenate([np.concatenate((t.start, t.end)) for t in tables])
    pieces = make_pieces(tokens, boundaries)
    article = np.searchsorted(layout.base, pieces.starts, side="right") - 1
    token_starts = np.bincount(
        article[pieces.token_start], minlength=len(layout.article_ids)
    ).astype(np.int64)
    return TagGrid(pieces, article, token_starts)


@dataclass(frozen=True)
class Tags:
    """One annotator's BIO tags, sparse: the tagged pieces (sorted) and their codes, and the
    pieces that begin where one of the annotator's spans splits a token."""

    index: np.ndarray
    code: np.ndarray
    split: np.ndarray


def annotator_tags(
    grid: TagGrid, table: SpanTable, idx: np.ndarray, *, label_rank: np.ndarray
) -> Tags:
    """BIO tags of the spans `idx` (one annotator's) on the grid.

    Same rules as spans.piece_owner and spans.bio_codes: the longest span, then the earlier
    one, then the label ranked first owns a piece; B marks a span's first owned piece after a
    piece it does not own. Codes: 2k+1 for B-label k, 2k+2 for I-label k (O is implicit).
    """
    pieces = grid.pieces
    empty = np.empty(0, dtype=np.int64)
    if len(idx) == 0 or len(pieces.starts) == 0:
        return Tags(empty, empty, empty)
    start, end, label = table.start[idx], table.end[idx], table.label[idx]
    # Strength: rank in (longest, earliest, best label) order, 1 = weakest.
    strongest_first = np.lexsort((label_rank[label], start, -(end - start)))
    strength = np.empty(len(idx), dtype=np.int64)
    strength[strongest_first] = np.arange(len(idx), 0, -1)
    lo = np.searchsorted(pieces.starts, start, side="left")
    hi = np.searchsorted(pieces.ends, end, side="right")
    width = np.maximum(hi - lo, 0)
    covered = np.repeat(lo, width) + ranks(width)
    best = np.zeros(len(pieces.starts), dtype=np.int64)
    np.maximum.at(best, covered, np.repeat(strength, width))
    index = sorted_unique(covered)
    by_strength = np.empty(len(idx) + 1, dtype=np.int64)
    by_strength[strength] = np.arange(len(idx))
    owner = by_strength[best[index]]
    code = 2 * label[owner] + 2
    begins = np.ones(len(index), dtype=bool)
    begins[1:] = (index[1:] != index[:-1] + 1) | (owner[1:] != owner[:-1])
    code[begins] -= 1
    split = empty
    if len(pieces.split_offsets):
        own = sorted_unique(np.concatenate((start, end)))
        split = pieces.split_index[sorted_isin(pieces.split_offsets, own)]
    return Tags(index, code, np.sort(split))


def _lookup(tags: Tags, pieces: np.ndarray) -> np.ndarray:
    """The code of each piece in tags (0 for O)."""
    if len(tags.index) == 0:
        return np.zeros(len(pieces), dtype=np.int64)
    pos = np.minimum(np.searchsorted(tags.index, pieces), len(tags.index) - 1)
    return np.where(tags.index[pos] == pieces, tags.code[pos], 0)


def pair_confusion(
    grid: TagGrid, shared_articles: np.ndarray, a: Tags, b: Tags, *, size: int
) -> np.ndarray:
    """size x size counts of (tag of a, tag of b) over the pair's tokens in shared articles.

    The pair's tokens are the pieces that begin a tokenizer token or a split made by a or b;
    a token of the pair spans pieces that both annotators tag alike, so its first piece
    stands for it. Only pieces someone tagged are visited; the rest count as (O, O).
    """
    splits = sorted_unique(np.concatenate((a.split, b.split)))
    splits = splits[shared_articles[grid.article[splits]]]
    tokens = int(grid.token_starts[shared_articles].sum()) + len(splits)
    tagged = sorted_unique(np.concatenate((a.index, b.index)))
    tagged = tagged[shared_articles[grid.article[tagged]]]
    tagged = tagged[grid.pieces.token_start[tagged] | sorted_isin(tagged, splits)]
    codes = _lookup(a, tagged) * size + _lookup(b, tagged)
    matrix = np.bincount(codes, minlength=size * size).reshape(size, size)
    matrix[0, 0] += tokens - len(tagged)
    return matrix
