"""The gazetteer recommender: names the team has marked, suggested wherever they recur. Pure.

Entries are (surface form, label) pairs with counts, from gold spans, submitted spans and
uploaded lists. They are matched on normalised tokens (`arabic.norm_tokens`), so spelling
variants with or without tashkeel, tatweel or hamza match, and clitic-aware: an entry matches
a word after its proclitics (داعش in وداعش and لداعش), the suggestion starting on the bare
word. A match covers whole tokens (the first one possibly cut after its proclitics), never
part of a token otherwise and never across a line break. Scanning left to right, the longest
entry wins at each token (then the smaller cut); matches do not overlap.

A form's label is the one it was given most often (ties: the label first in the schema);
its score is that label's share of the form's uses. A rejected suggestion takes one use away
from the form and label it suggested (the score drops); one rejected as often as it was
marked is no longer suggested with that label.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from annotate.lib.recommend.arabic import (
    NormToken,
    gap_allows_join,
    norm_tokens,
    normalise_phrase,
    proclitic_cuts,
)

KIND = "gazetteer"
# A name longer than this many tokens is a phrase, not a name: not an entry.
MAX_ENTRY_TOKENS = 8
MAX_LIST_BYTES = 2_000_000


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A suggested span: code-point offsets into the article, its label, text and score."""

    start: int
    end: int
    label: str
    text: str
    score: float
    recommender: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "label": self.label,
            "text": self.text,
            "score": round(self.score, 4),
            "recommender": self.recommender,
        }


@dataclass(frozen=True, slots=True)
class Entry:
    """One normalised name, the label it is suggested with, and how sure the gazetteer is."""

    tokens: tuple[str, ...]
    label: str
    score: float


class GazetteerListError(ValueError):
    """An uploaded list that cannot be read; `line` is 1-based."""

    def __init__(self, line: int, message: str) -> None:
        self.line = line
        self.message = message
        super().__init__(f"line {line}: {message}")


def parse_name_list(
    data: str, *, labels: Sequence[str], default_label: str | None
) -> list[tuple[str, str]]:
    """An uploaded list: CSV rows `form,label`, or one name per line (with `default_label`).

    Blank lines and lines starting with # are skipped. A label must be one of `labels`.
    """
    if len(data.encode("utf-8")) > MAX_LIST_BYTES:
        raise GazetteerListError(0, f"the list is larger than {MAX_LIST_BYTES:,} bytes")
    pairs: list[tuple[str, str]] = []
    reader = csv.reader(io.StringIO(data))
    for row in reader:
        number = reader.line_num
        cells = [cell.strip() for cell in row]
        if not cells or not any(cells) or cells[0].startswith("#"):
            continue
        if len(cells) > 2:
            raise GazetteerListError(
                number, f"expected `name` or `name,label`, got {len(cells)} cells"
            )
        form = cells[0]
        label = cells[1] if len(cells) == 2 and cells[1] else default_label
        if label is None:
            raise GazetteerListError(
                number, f"{form!r} has no label and no default label was given"
            )
        if label not in labels:
            raise GazetteerListError(
                number, f"unknown label {label!r} (labels: {', '.join(labels)})"
            )
        if not any(token.kind in ("word", "number") for token in norm_tokens(form)):
            raise GazetteerListError(number, "the name has no letters or digits")
        pairs.append((form, label))
    return pairs


def build_entries(
    marked: Iterable[tuple[str, str]],
    *,
    labels: Sequence[str],
    rejected: Iterable[tuple[str, str]] = (),
) -> list[Entry]:
    """Entries from (form, label) uses: gold and submitted spans, uploaded names.

    Labels not in `labels` (retired or removed ones, claims) are left out; `rejected` holds
    the (form, label) of rejected suggestions.
    """
    allowed = {label: rank for rank, label in enumerate(labels)}
    uses: dict[tuple[str, ...], Counter[str]] = {}
    for form, label in marked:
        if label not in allowed:
            continue
        tokens = normalise_phrase(form)
        if tokens and len(tokens) <= MAX_ENTRY_TOKENS:
            uses.setdefault(tokens, Counter())[label] += 1
    refused: dict[tuple[str, ...], Counter[str]] = {}
    for form, label in rejected:
        refused.setdefault(normalise_phrase(form), Counter())[label] += 1
    entries = []
    for tokens, counts in uses.items():
        against = refused.get(tokens, Counter())
        positive = {label: n - against[label] for label, n in counts.items() if n > against[label]}
        if not positive:
            continue
        label = min(positive, key=lambda key: (-positive[key], allowed[key]))
        entries.append(Entry(tokens, label, positive[label] / sum(counts.values())))
    entries.sort(key=lambda entry: (entry.tokens, entry.label))
    return entries


class Gazetteer:
    """Entries indexed by their first token, longest first, ready to match articles."""

    def __init__(self, entries: Iterable[Entry]) -> None:
        self.entries = sorted(entries, key=lambda entry: (entry.tokens, entry.label))
        self._by_first: dict[str, list[Entry]] = {}
        for entry in self.entries:
            self._by_first.setdefault(entry.tokens[0], []).append(entry)
        for candidates in self._by_first.values():
            candidates.sort(key=lambda entry: (-len(entry.tokens), -sum(map(len, entry.tokens))))

    def to_json(self) -> list[dict[str, Any]]:
        return [
            {"tokens": list(e.tokens), "label": e.label, "score": e.score} for e in self.entries
        ]

    @classmethod
    def from_json(cls, data: Iterable[Mapping[str, Any]]) -> Gazetteer:
        return cls(
            Entry(tuple(item["tokens"]), item["label"], float(item["score"])) for item in data
        )

    def suggest(
        self, text: str, *, labels: Iterable[str] | None = None, recommender: str = KIND
    ) -> list[Suggestion]:
        """Suggestions in `text` (the article's NFC text), in order; only `labels` if given."""
        allowed = None if labels is None else frozenset(labels)
        tokens = norm_tokens(text)
        found: list[Suggestion] = []
        i = 0
        while i < len(tokens):
            best = self._best_at(text, tokens, i, allowed)
            if best is None:
                i += 1
                continue
            entry, cut = best
            last = tokens[i + len(entry.tokens) - 1]
            start = tokens[i].offset_of(cut)
            found.append(
                Suggestion(
                    start, last.end, entry.label, text[start : last.end], entry.score, recommender
                )
            )
            i += len(entry.tokens)
        return found

    def _best_at(
        self, text: str, tokens: list[NormToken], i: int, allowed: frozenset[str] | None
    ) -> tuple[Entry, int] | None:
        """The longest entry that matches at token i (then the smaller cut), with its cut."""
        best: tuple[Entry, int] | None = None
        best_key: tuple[int, int, int] | None = None
        first = tokens[i]
        for cut in proclitic_cuts(first, text):
            for entry in self._by_first.get(first.norm[cut:], ()):
                if allowed is not None and entry.label not in allowed:
                    continue
                if not _rest_matches(text, tokens, i, entry.tokens):
                    continue
                key = (len(entry.tokens), sum(map(len, entry.tokens)), -cut)
                if best_key is None or key > best_key:
                    best, best_key = (entry, cut), key
                break  # candidates are longest first: the first that matches is this cut's best
        return best


def _rest_matches(text: str, tokens: list[NormToken], i: int, names: tuple[str, ...]) -> bool:
    if i + len(names) > len(tokens):
        return False
    for k in range(1, len(names)):
        if tokens[i + k].norm != names[k] or not gap_allows_join(
            text, tokens[i + k - 1], tokens[i + k]
        ):
            return False
    return True
