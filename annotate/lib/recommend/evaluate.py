"""Held-out evaluation of a recommender, scored by the agreement code. Pure: no Django.

Gold articles are split by article (never a span at a time, so a name seen in training is not
counted as found in the same article): each article's place is fixed by the SHA-256 of the
seed and its id, and the HELD_OUT share with the smallest hashes is held out (at least one
article once there are two). A recommender trained on the rest suggests on the held-out
articles, and its suggestions are compared with their gold by `annotate.lib.agreement.spans`
(exact match: same start, end and label), gold as the reference and suggestions as the
prediction, summed over the articles. A label may be suggested only where its held-out
precision reaches the project's threshold.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from annotate.lib.agreement.spans import Span, exact_matches, prf

HELD_OUT = 0.2


def split_articles(article_ids: Iterable[int], *, seed: int) -> tuple[list[int], list[int]]:
    """(training ids, held-out ids), both sorted; deterministic for a seed."""
    ids = sorted(set(article_ids))
    if len(ids) < 2:
        return ids, []
    ranked = sorted(ids, key=lambda i: hashlib.sha256(f"{seed}:{i}".encode()).hexdigest())
    count = min(len(ids) - 1, max(1, round(len(ids) * HELD_OUT)))
    held = set(ranked[:count])
    return [i for i in ids if i not in held], sorted(held)


@dataclass(frozen=True, slots=True)
class LabelScore:
    """Held-out precision, recall and F1 of one label, and the counts behind them."""

    label: str
    precision: float | None
    recall: float | None
    f1: float | None
    matched: int
    gold: int
    suggested: int
    articles: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
            "matched": self.matched,
            "gold": self.gold,
            "suggested": self.suggested,
            "articles": self.articles,
        }


def score_labels(
    pairs: Iterable[tuple[Sequence[Span], Sequence[Span]]], *, labels: Sequence[str]
) -> list[LabelScore]:
    """Per label, (gold, suggested) spans of each held-out article compared by exact match.

    `articles` is the number of held-out articles behind the figure.
    """
    matched = dict.fromkeys(labels, 0)
    gold = dict.fromkeys(labels, 0)
    suggested = dict.fromkeys(labels, 0)
    articles = 0
    for reference, prediction in pairs:
        articles += 1
        for label in labels:
            a = [span for span in reference if span.label == label]
            b = [span for span in prediction if span.label == label]
            matched[label] += len(exact_matches(a, b))
            gold[label] += len(a)
            suggested[label] += len(b)
    scores = []
    for label in labels:
        measured = prf(matched[label], gold[label], suggested[label])
        scores.append(
            LabelScore(
                label,
                measured.precision.value,
                measured.recall.value,
                measured.f1.value,
                matched[label],
                gold[label],
                suggested[label],
                articles,
            )
        )
    return scores


def active_labels(scores: Iterable[LabelScore], *, threshold: float) -> list[str]:
    """Labels whose held-out precision is defined and reaches the threshold."""
    return [s.label for s in scores if s.precision is not None and s.precision >= threshold]
