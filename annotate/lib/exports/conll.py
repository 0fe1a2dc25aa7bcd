"""CoNLL-2003-style BIO, which standard CoNLL readers take: one token a line,

    token<TAB>start<TAB>end<TAB>NER<TAB>NESTED<TAB>CLAIM

- every article starts with the line `-DOCSTART-\t-X-\t-X-\tO\tO\tO` and a blank line, as in
  CoNLL-2003; there are no comment lines, so a token "#" is a token to every reader. What
  an article is (id, external id, title) is in the side file `<split>.articles.jsonl`: its
  n-th line describes the n-th -DOCSTART- (articles_lines);
- the NER tag is the fourth column, where CoNLL-2003 readers look for it; NESTED is a
  second BIO layer for entities that overlap a kept one, CLAIM the claims in BIO;
- tokens come from corpus.lib.text.tokenize (token_bounds: code-point offsets into the
  article text), cut where any written span boundary falls inside one, so a clitic stays
  outside the entity: و + داعش gives `و O` and `داعش B-MILITARY_GROUP`;
- where entity spans overlap the longest is kept (then the earliest) in NER, the next in
  NESTED, and any further ones are counted as dropped in the manifest; overlapping claims
  likewise in CLAIM;
- a blank line ends each sentence (after . ! ? ؟ or at a line break, never inside an entity);
- tokens never hold whitespace, so splitting a line on whitespace gives the columns. Tokens
  are written as they are, quotes included: pandas reads the file with
  `sep="\t", header=None, quoting=csv.QUOTE_NONE` (with default quoting a lone `"` token
  opens a quoted field; CSV-escaping it would change the token for every CoNLL reader).
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left, bisect_right, insort
from collections import Counter
from collections.abc import Collection, Iterable, Iterator
from typing import Any

from annotate.lib.exports.records import ExportStats, GoldRecord
from corpus.lib.text import Token, token_bounds

SENTENCE_END = frozenset({".", "!", "?", "؟"})
_SENTENCE_MARK = re.compile("[" + re.escape("".join(sorted(SENTENCE_END))) + "]")


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
    if all(start < end for start, end, _ in candidates):
        # Kept spans stay in order and apart: only a candidate's neighbours can overlap it.
        for span in candidates:
            start, end, _ = span
            at = bisect_left(kept, (start,))
            if (at < len(kept) and kept[at][0] < end) or (at and start < kept[at - 1][1]):
                dropped += 1
            else:
                insort(kept, span)
        return kept, dropped
    for start, end, label in candidates:  # offsets that run backwards: never after validation
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


def split_bounds(
    bounds: list[tuple[int, int]], boundaries: Collection[int]
) -> list[tuple[int, int]]:
    """`split_tokens` on (start, end) offsets, `bounds` sorted and not overlapping.

    Each boundary finds the token it falls in by bisection: the work grows with the number
    of boundaries, not of tokens.
    """
    cuts: dict[int, list[int]] = {}
    for boundary in sorted(boundaries):
        index = bisect_left(bounds, (boundary,)) - 1
        if index >= 0 and boundary < bounds[index][1]:
            cuts.setdefault(index, []).append(boundary)
    if not cuts:
        return list(bounds)
    pieces: list[tuple[int, int]] = []
    done = 0
    for index, points in cuts.items():
        pieces += bounds[done:index]
        start, end = bounds[index]
        for point in points:
            pieces.append((start, point))
            start = point
        pieces.append((start, end))
        done = index + 1
    pieces += bounds[done:]
    return pieces


def _offset_texts(numbers: list[str], upto: int) -> list[str]:
    """`numbers` grown so that numbers[i] == str(i) up to `upto`: a lookup is cheaper than
    formatting an int, twice per token. Lists are per export, as long as its longest text."""
    if len(numbers) <= upto:
        numbers.extend(map(str, range(len(numbers), upto + 1)))
    return numbers


DOCSTART = "-DOCSTART-\t-X-\t-X-\tO\tO\tO\n"
NO_LAYERS = "\tO\tO\n"

Triple = tuple[int, int, str]


def conll_layers(
    spans: Iterable[dict[str, Any]], *, entity_labels: Collection[str], claim_label: str | None
) -> tuple[list[Triple], list[Triple], list[Triple], int]:
    """The NER, NESTED and CLAIM layers of an article's spans, and how many spans fit none."""
    spans = list(spans)
    ner, _ = layer_spans(spans, labels=entity_labels)
    rest = Counter((s["start"], s["end"], s["label"]) for s in spans if s["label"] in entity_labels)
    rest.subtract(ner)
    nested, dropped = layer_spans(
        [
            {"start": a, "end": b, "label": c}
            for (a, b, c), n in sorted(rest.items())
            for _ in range(n)
        ],
        labels=entity_labels,
    )
    claims: list[Triple] = []
    if claim_label is not None:
        claims, dropped_claims = layer_spans(spans, labels={claim_label})
        dropped += dropped_claims
    return ner, nested, claims, dropped


def tag_names(entity_labels: Iterable[str]) -> list[str]:
    """The BIO tag set in a fixed order: O, then B- and I- of each label in schema order.
    Token classification writes tags as indices into this list."""
    return ["O", *(f"{prefix}-{label}" for label in entity_labels for prefix in "BI")]


def _tagged(
    text: str,
    spans: list[tuple[int, int, str]],
    *,
    end: str = "",
    also_cut: Iterable[Triple] = (),
) -> tuple[list[tuple[int, int]], list[str], list[tuple[int, int, int, int]]]:
    """The tokens of one article cut at the boundaries of `spans` and `also_cut` (the other
    layers), their BIO tags for `spans` (each followed by `end`), and per span
    (non-overlapping, in order) the token indices [first, stop) it covers with its offsets.
    The one tokenisation CoNLL and token classification share."""
    bounds = token_bounds(text)
    boundaries = {b for start, end, _ in spans for b in (start, end)}
    boundaries.update(b for start, end, _ in also_cut for b in (start, end))
    if boundaries:
        bounds = split_bounds(bounds, boundaries)
    tags, covered = _layer_tags(bounds, spans, end)
    return bounds, tags, covered


def _layer_tags(
    bounds: list[tuple[int, int]], spans: list[Triple], end: str
) -> tuple[list[str], list[tuple[int, int, int, int]]]:
    tags = [f"O{end}"] * len(bounds)
    covered: list[tuple[int, int, int, int]] = []
    for start, stop_at, label in spans:
        first = bisect_left(bounds, (start,))
        stop = bisect_left(bounds, (stop_at,))
        if first < stop:
            tags[first] = f"B-{label}{end}"
            if stop - first > 1:
                tags[first + 1 : stop] = [f"I-{label}{end}"] * (stop - first - 1)
            covered.append((first, stop, start, stop_at))
    return tags, covered


def bio_tokens(
    text: str, spans: list[Triple], *, also_cut: Iterable[Triple] = ()
) -> tuple[list[tuple[int, int]], list[str]]:
    """(start, end) of every token of the article, cut where a span boundary (of `spans` or
    `also_cut`, CoNLL's other layers) falls inside a word (a clitic stays outside the
    entity), and its BIO tag: exactly the CoNLL tokens and NER column."""
    bounds, tags, _ = _tagged(text, spans, also_cut=also_cut)
    return bounds, tags


def _bio(
    text: str,
    spans: list[tuple[int, int, str]],
    numbers: list[str],
    layers: tuple[list[Triple], list[Triple]] | None = None,
) -> tuple[list[str], int]:
    """The lines of one article (token lines, and "\n" for each blank line between
    sentences) and its number of tokens.

    Works on whole lists rather than token by token: token offsets come from the tokenizer
    as a list, cuts at span boundaries and the B/I tags are placed by bisection, sentence
    breaks are looked up from the few sentence marks and line breaks in the text, and the
    lines are formatted in one comprehension (CoNLL writes millions of tokens).
    """
    if layers is None:  # the NER column alone
        bounds, tags, covered = _tagged(text, spans, end="\n")
    elif not layers[0] and not layers[1]:
        bounds, tags, covered = _tagged(text, spans, end=NO_LAYERS)
    else:
        bounds, tags, covered = _tagged(text, spans, also_cut=[*layers[0], *layers[1]])
        nested, _ = _layer_tags(bounds, layers[0], "\t")
        claims, _ = _layer_tags(bounds, layers[1], "\n")
        tags = [f"{a}\t{b}{c}" for a, b, c in zip(tags, nested, claims, strict=True)]
    count = len(bounds)
    if not count:
        return [], 0
    firsts = [first for first, _, _, _ in covered]

    def entity_of(index: int) -> tuple[int, int, int, int] | None:
        at = bisect_right(firsts, index) - 1
        if at >= 0 and index < covered[at][1]:
            return covered[at]
        return None

    # A sentence ends after a sentence mark that is a token of its own, unless it is inside
    # an entity that goes on after it.
    breaks = set()
    for match in _SENTENCE_MARK.finditer(text):
        position = match.start()
        index = bisect_left(bounds, (position,))
        if index < count and bounds[index][1] == position + 1 and bounds[index][0] == position:
            entity = entity_of(index)
            if entity is None or position + 1 >= entity[3]:
                breaks.add(index)
    # And before a token that follows a line break, unless the entity goes on across it.
    position = text.find("\n")
    while position != -1:
        index = bisect_left(bounds, (position,))
        if 0 < index < count and index - 1 not in breaks:
            entity = entity_of(index - 1)
            if entity is None or index >= entity[1]:
                breaks.add(index - 1)
        position = text.find("\n", bounds[index][0] if index < count else len(text))
    breaks.add(count - 1)
    number = _offset_texts(numbers, len(text))
    lines = [
        f"{text[start:end]}\t{number[start]}\t{number[end]}\t{tag}"
        for (start, end), tag in zip(bounds, tags, strict=True)
    ]
    for index in sorted(breaks, reverse=True):
        lines.insert(index + 1, "\n")
    return lines, count


def bio_lines(
    text: str, spans: list[tuple[int, int, str]], stats: ExportStats | None = None
) -> Iterator[str]:
    """Token lines of one article with blank lines between sentences."""
    lines, tokens = _bio(text, spans, [])
    if stats is not None:
        stats.conll_tokens += tokens
        stats.conll_sentences += len(lines) - tokens
    return iter(lines)


def _article_lines(
    record: GoldRecord,
    entity_labels: Collection[str],
    claim_label: str | None,
    stats: ExportStats | None,
    numbers: list[str],
) -> list[str]:
    ner, nested, claims, dropped = conll_layers(
        record.content.get("spans", []), entity_labels=entity_labels, claim_label=claim_label
    )
    lines, tokens = _bio(record.text, ner, numbers, (nested, claims))
    if stats is not None:
        stats.conll_overlapping_dropped += dropped
        stats.conll_tokens += tokens
        stats.conll_sentences += len(lines) - tokens
    return [DOCSTART, "\n", *lines]


def conll_lines(
    records: Iterable[GoldRecord],
    *,
    entity_labels: Collection[str],
    claim_label: str | None = None,
    stats: ExportStats | None = None,
) -> Iterator[str]:
    numbers: list[str] = []
    for record in records:
        yield from _article_lines(record, entity_labels, claim_label, stats, numbers)


def conll_articles(
    records: Iterable[GoldRecord],
    *,
    entity_labels: Collection[str],
    claim_label: str | None = None,
    stats: ExportStats | None = None,
) -> Iterator[str]:
    """`conll_lines` joined: one string per article."""
    numbers: list[str] = []
    for record in records:
        yield "".join(_article_lines(record, entity_labels, claim_label, stats, numbers))


_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def articles_lines(records: Iterable[GoldRecord]) -> Iterator[str]:
    """The side file of a CoNLL file: line n describes the article of its n-th -DOCSTART-."""
    for number, record in enumerate(records, start=1):
        yield (
            _dumps(
                {
                    "doc": number,
                    "id": record.article_id,
                    "external_id": record.external_id,
                    "title": record.title,
                    "split": record.split,
                }
            )
            + "\n"
        )
