"""The sequence recommender: a linear-chain CRF over tokens (python-crfsuite). Pure: no Django.

Items are the tokenizer's tokens, one sentence a sequence. A span's first token is tagged
`B<k>-LABEL` where k is how many normalised characters of proclitics come before the span
inside that token (0, 1 or 2: داعش in وداعش is `B1-…`), so the model learns where to cut
the clitics and a suggestion starts on the bare word; later tokens are `I-LABEL`. A span
ends at the end of its last token. Spans that start further inside a word, or overlap a span
already tagged (claims contain entities: one model per layer), are left out of training.

Features suit Arabic: the normalised form and the form with proclitics stripped, prefixes and
suffixes of both, whether ال follows the proclitics, the shape (script, length, digits,
Latin, punctuation), and the same for the neighbouring tokens.
"""

from __future__ import annotations

import base64
import bisect
import json
import os
import re
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pycrfsuite

from annotate.lib.recommend.arabic import (
    SENTENCE_END,
    NormToken,
    norm_tokens,
    proclitic_cuts,
    strip_proclitics,
)
from annotate.lib.recommend.gazetteer import Suggestion

KIND = "crf"
MAX_CUT = 2
TAG_RE = re.compile(r"^(?:B(?P<cut>[0-2])|I)-(?P<label>.+)$")
# L1/L2 regularisation and iterations: crfsuite's L-BFGS defaults are far too many iterations
# for a recommender retrained while people work; 60 converge on the demo and the bench.
TRAIN_PARAMS: dict[str, Any] = {"c1": 0.05, "c2": 0.01, "max_iterations": 60}

Features = list[str]


@dataclass(frozen=True, slots=True)
class Document:
    """An article's text and its spans (start, end, label) in one layer."""

    text: str
    spans: Sequence[tuple[int, int, str]]


def sentences(tokens: list[NormToken], text: str) -> list[list[int]]:
    """Token indexes grouped into sentences (split after . ! ? ؟ and at line breaks)."""
    result: list[list[int]] = []
    current: list[int] = []
    for i, token in enumerate(tokens):
        if current and "\n" in text[tokens[i - 1].end : token.start]:
            result.append(current)
            current = []
        current.append(i)
        if token.kind == "punct" and token.norm in SENTENCE_END:
            result.append(current)
            current = []
    if current:
        result.append(current)
    return result


_LATIN = re.compile("[a-z]")
_DIGIT = re.compile(r"\d")


def _base(token: NormToken) -> tuple[str, str, str, str]:
    """A token's own forms: normalised, without proclitics, without ال too, and its shape."""
    norm = token.norm
    if token.kind != "word":
        return norm, norm, norm, token.kind
    stem = strip_proclitics(norm)
    bare = stem[2:] if stem.startswith("ال") and len(stem) > 3 else stem
    shape = "latin" if _LATIN.search(norm) else f"ar{min(len(norm), 8)}"
    return norm, stem, bare, shape


def token_features(tokens: list[NormToken], sentence: list[int], text: str) -> list[Features]:
    """The feature strings of each token of a sentence (`text` is the article's)."""
    bases = [_base(tokens[i]) for i in sentence]
    rows: list[Features] = []
    last = len(sentence) - 1
    for position, (norm, stem, bare, shape) in enumerate(bases):
        row = ["bias", f"n={norm}", f"stem={stem}", f"bare={bare}", f"shape={shape}"]
        size = len(stem)
        if size > 1:
            row += [f"p1={stem[:1]}", f"s1={stem[-1:]}"]
        if size > 2:
            row += [f"p2={stem[:2]}", f"s2={stem[-2:]}"]
        if size > 3:
            row += [f"p3={stem[:3]}", f"s3={stem[-3:]}"]
        row += [f"np1={norm[:1]}", f"np2={norm[:2]}", f"cut={len(norm) - size}"]
        if stem.startswith("ال"):
            row.append("al")
        if _DIGIT.search(norm):
            row.append("digit")
        if position > 0:
            before = bases[position - 1]
            row += [f"-1:n={before[0]}", f"-1:stem={before[1]}", f"-1:bare={before[2]}"]
            row.append(f"-1:n|n={before[0]}|{stem}")
            row.append(f"-2:n={bases[position - 2][0]}" if position > 1 else "-2:edge")
        else:
            row += ["-1:edge", "-2:edge"]
        if position < last:
            after = bases[position + 1]
            row += [f"1:n={after[0]}", f"1:stem={after[1]}", f"1:bare={after[2]}"]
            row.append(f"2:n={bases[position + 2][0]}" if position + 1 < last else "2:edge")
        else:
            row += ["1:edge", "2:edge"]
        rows.append(row)
    return rows


def _tags(tokens: list[NormToken], spans: Iterable[tuple[int, int, str]]) -> list[str]:
    """BIO tags with the proclitic cut of each span's first token (see the module docstring)."""
    tags = ["O"] * len(tokens)
    starts = [t.start for t in tokens]
    for start, end, label in sorted(spans, key=lambda span: (span[0], -span[1])):
        first = bisect.bisect_right(starts, start) - 1
        if first < 0 or start >= tokens[first].end:
            continue  # the span starts in a space
        token = tokens[first]
        cut = token.cut_at(start)
        if cut is None or cut > MAX_CUT:
            continue
        last = first
        while last + 1 < len(tokens) and starts[last + 1] < end:
            last += 1
        if any(tag != "O" for tag in tags[first : last + 1]):
            continue
        tags[first] = f"B{cut}-{label}"
        for k in range(first + 1, last + 1):
            tags[k] = f"I-{label}"
    return tags


def training_sequences(document: Document) -> list[tuple[list[Features], list[str]]]:
    tokens = norm_tokens(document.text)
    tags = _tags(tokens, document.spans)
    return [
        (token_features(tokens, sentence, document.text), [tags[i] for i in sentence])
        for sentence in sentences(tokens, document.text)
    ]


def train(documents: Iterable[Document], *, params: dict[str, Any] | None = None) -> bytes:
    """Train a model on the documents; the model file's bytes (empty if nothing to learn)."""
    trainer = pycrfsuite.Trainer(verbose=False)
    trainer.set_params({**TRAIN_PARAMS, **(params or {}), "feature.possible_transitions": True})
    items = 0
    for document in documents:
        for features, tags in training_sequences(document):
            trainer.append(features, tags)
            items += 1
    if not items:
        return b""
    handle, path = tempfile.mkstemp(suffix=".crfsuite")
    os.close(handle)
    try:
        trainer.train(path)
        with open(path, "rb") as model:
            return model.read()
    finally:
        os.unlink(path)


class Model:
    """A trained model ready to tag articles."""

    def __init__(self, data: bytes) -> None:
        self._tagger = pycrfsuite.Tagger()
        # The tagger reads the model from this buffer without copying it: keep it alive.
        self._data = bytes(data)
        if data:
            self._tagger.open_inmemory(self._data)
        self.empty = not data

    def labels(self) -> set[str]:
        if self.empty:
            return set()
        return {m["label"] for tag in self._tagger.labels() if (m := TAG_RE.match(tag))}

    def suggest(
        self, text: str, *, labels: Iterable[str] | None = None, recommender: str = KIND
    ) -> list[Suggestion]:
        """Suggestions in `text`; a span's score is the model's probability of its tags."""
        if self.empty:
            return []
        allowed = None if labels is None else frozenset(labels)
        tokens = norm_tokens(text)
        found: list[Suggestion] = []
        for sentence in sentences(tokens, text):
            features = token_features(tokens, sentence, text)
            tags = self._tagger.tag(features)
            found += self._spans(text, tokens, sentence, tags, allowed, recommender)
        return found

    def _spans(
        self,
        text: str,
        tokens: list[NormToken],
        sentence: list[int],
        tags: list[str],
        allowed: frozenset[str] | None,
        recommender: str,
    ) -> list[Suggestion]:
        found = []
        k = 0
        while k < len(tags):
            match = TAG_RE.match(tags[k])
            if not match or match["cut"] is None:
                k += 1
                continue
            label, cut = match["label"], int(match["cut"])
            last = k
            while last + 1 < len(tags) and tags[last + 1] == f"I-{label}":
                last += 1
            first = tokens[sentence[k]]
            if cut in proclitic_cuts(first, text) and (allowed is None or label in allowed):
                score = min(self._tagger.marginal(tags[j], j) for j in range(k, last + 1))
                start, end = first.offset_of(cut), tokens[sentence[last]].end
                found.append(Suggestion(start, end, label, text[start:end], score, recommender))
            k = last + 1
        return found

    def token_margins(self, text: str) -> list[float]:
        """Per token, the probability of its best tag minus the second best (uncertainty)."""
        if self.empty:
            return []
        tokens = norm_tokens(text)
        tag_names = self._tagger.labels()
        margins = []
        for sentence in sentences(tokens, text):
            self._tagger.set(token_features(tokens, sentence, text))
            for j in range(len(sentence)):
                probabilities = sorted(
                    (self._tagger.marginal(t, j) for t in tag_names), reverse=True
                )
                margins.append(
                    probabilities[0] - (probabilities[1] if len(probabilities) > 1 else 0)
                )
        return margins


# ---- layers: entities and claims ----------------------------------------------------------
# Claims contain entities, so one tag per token cannot hold both: each layer has its own model,
# stored together as one JSON document of base64 model files.

LAYERS = ("entities", "claims")


def train_layers(
    documents: Iterable[Document], *, claim_label: str, params: dict[str, Any] | None = None
) -> bytes:
    """A model per layer (entity spans; claim spans), packed into one stored file."""
    documents = list(documents)
    layers = {
        "entities": [
            Document(d.text, [s for s in d.spans if s[2] != claim_label]) for d in documents
        ],
        "claims": [
            Document(d.text, [s for s in d.spans if s[2] == claim_label]) for d in documents
        ],
    }
    packed = {
        name: base64.b64encode(train(docs, params=params)).decode("ascii")
        for name, docs in layers.items()
    }
    return json.dumps({"format": 1, "layers": packed}, sort_keys=True).encode()


class LayeredModel:
    """The stored entity and claim models, suggesting and measuring together."""

    def __init__(self, data: bytes) -> None:
        layers = json.loads(data)["layers"] if data else {}
        self.layers = {
            name: Model(base64.b64decode(layers[name]) if name in layers else b"")
            for name in LAYERS
        }

    def labels(self) -> set[str]:
        return set().union(*(model.labels() for model in self.layers.values()))

    def suggest(
        self, text: str, *, labels: Iterable[str] | None = None, recommender: str = KIND
    ) -> list[Suggestion]:
        allowed = None if labels is None else list(labels)
        found = []
        for model in self.layers.values():
            found += model.suggest(text, labels=allowed, recommender=recommender)
        return sorted(found, key=lambda s: (s.start, s.end, s.label))

    def token_margins(self, text: str) -> list[float]:
        """The entity layer's margins: what active learning orders by."""
        return self.layers["entities"].token_margins(text)
