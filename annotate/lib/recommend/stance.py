"""The stance recommender: per stance target, a linear text classifier over the article. Pure.

Trained with scikit-learn (TF-IDF over the article's normalised words with proclitics
stripped, sublinear term frequency, then logistic regression) on the gold stance of each
target; stored as plain numbers (vocabulary, idf, coefficients, intercepts), so predicting
needs numpy only and no pickled object is ever loaded from the database. `probabilities`
computes exactly what scikit-learn's `predict_proba` does (tests check it to 1e-9). A value is
suggested only when its probability reaches the project's confidence threshold.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from annotate.lib.recommend.arabic import norm_tokens, strip_proclitics

KIND = "stance"


def words(text: str) -> list[str]:
    """The article as the classifier reads it: normalised words and numbers, proclitics off."""
    return [
        strip_proclitics(token.norm) if token.kind == "word" else token.norm
        for token in norm_tokens(text)
        if token.kind in ("word", "number")
    ]


@dataclass(frozen=True)
class StanceModel:
    """One target's classifier as plain numbers."""

    target: str
    classes: list[str]
    vocabulary: dict[str, int]
    idf: list[float]
    coef: list[list[float]]
    intercept: list[float]

    def to_json(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "classes": self.classes,
            "vocabulary": self.vocabulary,
            "idf": self.idf,
            "coef": self.coef,
            "intercept": self.intercept,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StanceModel:
        return cls(
            data["target"],
            list(data["classes"]),
            dict(data["vocabulary"]),
            list(data["idf"]),
            [list(row) for row in data["coef"]],
            list(data["intercept"]),
        )

    def probabilities(self, text: str) -> dict[str, float]:
        """P(value | article) for each value the model knows (scikit-learn's predict_proba)."""
        counts = Counter(self.vocabulary[w] for w in words(text) if w in self.vocabulary)
        x = np.zeros(len(self.vocabulary))
        for index, count in counts.items():
            x[index] = (1.0 + np.log(count)) * self.idf[index]
        norm = np.linalg.norm(x)
        if norm:
            x /= norm
        decision = np.asarray(self.coef) @ x + np.asarray(self.intercept)
        if len(self.classes) == 2:
            positive = 1.0 / (1.0 + np.exp(-decision[0]))
            values = np.array([1.0 - positive, positive])
        else:
            shifted = np.exp(decision - decision.max())
            values = shifted / shifted.sum()
        return {value: float(p) for value, p in zip(self.classes, values, strict=True)}

    def suggest(self, text: str, *, confidence: float) -> tuple[str, float] | None:
        """The most probable value and its probability, if it reaches `confidence`."""
        probabilities = self.probabilities(text)
        value = max(probabilities, key=lambda key: (probabilities[key], key))
        return (value, probabilities[value]) if probabilities[value] >= confidence else None


def train_stance(examples: Sequence[tuple[str, str]], *, target: str) -> StanceModel | None:
    """A classifier from (article text, stance value) pairs; None with fewer than two values."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    if len({value for _, value in examples}) < 2:
        return None
    vectorizer = TfidfVectorizer(analyzer=words, sublinear_tf=True)
    matrix = vectorizer.fit_transform([text for text, _ in examples])
    classifier = LogisticRegression(max_iter=2000, C=4.0)
    classifier.fit(matrix, [value for _, value in examples])
    vocabulary = {str(word): int(index) for word, index in vectorizer.vocabulary_.items()}
    return StanceModel(
        target,
        [str(value) for value in classifier.classes_],
        vocabulary,
        [float(v) for v in vectorizer.idf_],
        [[float(v) for v in row] for row in classifier.coef_],
        [float(v) for v in classifier.intercept_],
    )


@dataclass(frozen=True, slots=True)
class StanceScore:
    """Held-out figures of one target: suggestions made, how many right, out of how many."""

    target: str
    suggested: int
    correct: int
    gold: int

    def as_dict(self) -> dict[str, Any]:
        precision = self.correct / self.suggested if self.suggested else None
        return {
            "label": self.target,
            "precision": precision,
            "recall": self.correct / self.gold if self.gold else None,
            "f1": (2 * self.correct / (self.suggested + self.gold))
            if self.suggested + self.gold
            else None,
            "matched": self.correct,
            "gold": self.gold,
            "suggested": self.suggested,
            "articles": self.gold,
        }
