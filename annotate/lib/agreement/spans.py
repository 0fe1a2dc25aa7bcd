"""Agreement on spans between two annotators of the same article. Pure: no Django.

Matching rules (one annotator, `a`, is read as the reference and the other, `b`, as the
prediction; F1 is symmetric, precision and recall swap with the roles):

- exact: same start, end and label;
- overlap: same label and at least one shared character, matched one-to-one. Candidate pairs
  are taken greedily, largest overlap first; ties go to the pair whose boundaries are closer
  (|start_a - start_b| + |end_a - end_b|), then to the earlier span of a, then of b (by start,
  end). This is deterministic and prefers the obvious partner of a nested span.

Token level: each annotator's spans become BIO tags over the tokens of `corpus.lib.text.tokenize`,
split where a span of either annotator starts or ends inside a word (so `داعش` inside `وداعش`
is a token of its own). Spans are tagged in layers (entities, claims) because claims contain
entities; within a layer, where spans nest or overlap, the longest span owns the token (then
the earlier one, then the label listed first). Cohen's kappa is computed over the paired tags.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from annotate.lib.agreement.codec import Codec, json_key
from annotate.lib.agreement.labels import kappa_from_confusion
from annotate.lib.agreement.score import Score


class Span(NamedTuple):
    """A span reduced to what agreement compares; `id` links claims to claimants.

    A named tuple: a project has a million of these, and tuples are the cheapest to make.
    """

    start: int
    end: int
    label: str
    id: str = ""


def exact_matches(a: Sequence[Span], b: Sequence[Span]) -> list[tuple[int, int]]:
    """Index pairs (i, j) with a[i] and b[j] at the same start, end and label, one-to-one."""
    where: dict[tuple[int, int, str], list[int]] = {}
    for j, s in enumerate(b):
        where.setdefault((s.start, s.end, s.label), []).append(j)
    pairs = []
    for i, s in enumerate(a):
        free = where.get((s.start, s.end, s.label))
        if free:
            pairs.append((i, free.pop(0)))
    return pairs


def overlap_matches(a: Sequence[Span], b: Sequence[Span]) -> list[tuple[int, int]]:
    """One-to-one index pairs (i, j): same label, overlapping, largest overlap first.

    The reference definition; batch.py computes the same for many articles at once.
    """
    candidates = []
    for i, x in enumerate(a):
        for j, y in enumerate(b):
            overlap = min(x.end, y.end) - max(x.start, y.start)
            if overlap > 0 and x.label == y.label:
                distance = abs(x.start - y.start) + abs(x.end - y.end)
                candidates.append((-overlap, distance, x.start, x.end, y.start, y.end, i, j))
    candidates.sort()
    used_a: set[int] = set()
    used_b: set[int] = set()
    pairs = []
    for *_, i, j in candidates:
        if i not in used_a and j not in used_b:
            used_a.add(i)
            used_b.add(j)
            pairs.append((i, j))
    return pairs


@dataclass(frozen=True, slots=True)
class PRF(Codec):
    precision: Score
    recall: Score
    f1: Score
    matched: int
    a_count: int = field(metadata=json_key("a_spans"))
    b_count: int = field(metadata=json_key("b_spans"))


def prf(matched: int, a_count: int, b_count: int, *, annotators: int = 2) -> PRF:
    """Precision = matched / spans of b, recall = matched / spans of a, F1 = 2m / (|a| + |b|)."""
    items = a_count + b_count
    if b_count:
        precision = Score(matched / b_count, items=items, annotators=annotators)
    else:
        precision = Score.undefined("no_predicted_spans", items=items, annotators=annotators)
    if a_count:
        recall = Score(matched / a_count, items=items, annotators=annotators)
    else:
        recall = Score.undefined("no_reference_spans", items=items, annotators=annotators)
    if items:
        f1 = Score(2 * matched / items, items=items, annotators=annotators)
    else:
        f1 = Score.undefined("no_spans", annotators=annotators)
    return PRF(precision, recall, f1, matched, a_count, b_count)


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """np.unique for int arrays, by sorting (faster than numpy 2's hashing on large arrays)."""
    values = np.sort(np.asarray(values, dtype=np.int64))
    if len(values) == 0:
        return values
    return values[np.concatenate(([True], values[1:] != values[:-1]))]


def sorted_isin(values: np.ndarray, sorted_set: np.ndarray) -> np.ndarray:
    """Which of `values` are in `sorted_set` (sorted, unique), by binary search."""
    if len(sorted_set) == 0:
        return np.zeros(len(values), dtype=bool)
    pos = np.minimum(np.searchsorted(sorted_set, values), len(sorted_set) - 1)
    found: np.ndarray = sorted_set[pos] == values
    return found


# --- BIO tags -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Pieces:
    """Tokens split at every span boundary that falls strictly inside a token.

    `starts`/`ends` bound the pieces; `token_start[k]` is true when piece k begins a token of
    the tokenizer; `split_offsets[m]` is an inner split offset and `split_index[m]` the piece
    that begins there.
    """

    starts: np.ndarray
    ends: np.ndarray
    token_start: np.ndarray
    split_offsets: np.ndarray
    split_index: np.ndarray


def make_pieces(tokens: np.ndarray, boundaries: np.ndarray | Iterable[int]) -> Pieces:
    """Split (n, 2) token bounds at those `boundaries` that fall strictly inside a token."""
    tok_starts = tokens[:, 0]
    tok_ends = tokens[:, 1]
    offsets = sorted_unique(
        boundaries
        if isinstance(boundaries, np.ndarray)
        else np.fromiter(boundaries, dtype=np.int64)
    )
    inner = np.empty(0, dtype=np.int64)
    if len(tok_starts) and len(offsets):
        k = np.maximum(np.searchsorted(tok_starts, offsets, side="right") - 1, 0)
        inside = (offsets > tok_starts[k]) & (offsets < tok_ends[k])
        inner = offsets[inside]
    starts = np.concatenate((tok_starts, inner))
    order = np.argsort(starts, kind="stable")
    starts = starts[order]
    ends = np.sort(np.concatenate((tok_ends, inner)))
    token_start = order < len(tok_starts)
    return Pieces(starts, ends, token_start, inner, np.searchsorted(starts, inner))


def owner_key(span: Span, label_rank: dict[str, int]) -> tuple[int, int, int]:
    """Smaller is stronger: the longest span owns a piece, then the earlier, then by label."""
    return (-(span.end - span.start), span.start, label_rank.get(span.label, len(label_rank)))


def piece_owner(pieces: Pieces, spans: Sequence[Span], *, label_rank: dict[str, int]) -> np.ndarray:
    """For each piece, the index in `spans` of the span that owns it (lies over it), or -1."""
    owner = np.full(len(pieces.starts), -1, dtype=np.int64)
    # Paint the weakest first so that the strongest is painted last.
    for i in sorted(range(len(spans)), key=lambda i: owner_key(spans[i], label_rank), reverse=True):
        lo = int(np.searchsorted(pieces.starts, spans[i].start, side="left"))
        hi = int(np.searchsorted(pieces.ends, spans[i].end, side="right"))
        owner[lo:hi] = i
    return owner


def bio_codes(owner: np.ndarray, span_label: np.ndarray) -> np.ndarray:
    """Tag codes per piece from owners: 0 for O, 2k+1 for B-label k, 2k+2 for I-label k.

    `span_label[i]` is the label code of span i. B marks a span's first owned piece after a
    piece it does not own.
    """
    codes = np.zeros(len(owner), dtype=np.int64)
    tagged = owner >= 0
    if not tagged.any():
        return codes
    previous = np.concatenate(([-1], owner[:-1]))
    codes[tagged] = 2 * np.asarray(span_label, dtype=np.int64)[owner[tagged]] + 2
    codes[tagged & (owner != previous)] -= 1
    return codes


def tag_names(labels: Sequence[str]) -> list[str]:
    """The tag of each code of bio_codes, given the labels in code order."""
    names = ["O"]
    for label in labels:
        names += [f"B-{label}", f"I-{label}"]
    return names


def bio_kappa(confusion: np.ndarray) -> Score:
    """Cohen's kappa over paired BIO tags given as a confusion matrix."""
    score = kappa_from_confusion(confusion)
    if score.reason == "no_common_items":
        return Score.undefined("no_tokens")
    return score


def bio_sequences(
    tokens: np.ndarray,
    a: Sequence[Span],
    b: Sequence[Span],
    *,
    labels: Sequence[str],
) -> tuple[list[str], list[str]]:
    """The two BIO tag sequences over the pair's tokens: the reference definition.

    The pair's tokens are the tokenizer's, split where a span of a or b starts or ends inside
    a word; spans of one layer only (entities, or claims) should be passed.
    """
    rank = {label: k for k, label in enumerate(labels)}
    pieces = make_pieces(tokens, [x for s in (*a, *b) for x in (s.start, s.end)])
    names = tag_names(labels)
    result = []
    for spans in (a, b):
        owner = piece_owner(pieces, spans, label_rank=rank)
        codes = bio_codes(owner, np.array([rank[s.label] for s in spans], dtype=np.int64))
        result.append([names[c] for c in codes])
    return result[0], result[1]
