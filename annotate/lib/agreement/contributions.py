"""Agreement as sums of per-article contributions, for incremental updates. Pure: no Django.

Every figure of the agreement report is a function of counts that add up over articles (the
unitizing alphas through length histograms, see unitizing.py), so a submission changes only
its article's counts. `article_parts` turns the submitted annotations of one article into
those counts (integers under tuple keys) and the article's own standing (its score, for the
lowest-agreement list); a project's `Totals` are their sum, kept up to date by subtracting an
article's old contribution and adding its new one; assemble.report_from_totals builds the
whole report from the totals, `summary_rows` the summary without the unitizing alphas. Stored,
counts are one JSON object keyed by each key's compact JSON text (`contribution_json`), so
`stored_add` can change totals by an article's keys without decoding the project's.

Integers add exactly in any order, and the measures are computed from the totals only, so the
totals kept up to date through any sequence of changes give the very same summary as totals
summed afresh from every article (tests/test_agreement_contributions.py checks that with
hypothesis, and that the values are those of report.build_report).

What each key counts (`scope` is "*" for the pooled stance items, or a target key):

- ("doc", annotator): submitted annotations; ("article",), ("compared",): articles, and
  articles with two annotators or more; ("compared_by", annotator): compared articles each
  annotator submitted; ("entity_label", label): entity spans on compared articles (which
  labels the span tables list); ("target", target): stance values given (which targets);
- ("st", scope, ...): the stance items (article, target) of the scope: "single" (one rater),
  "items" (two or more), "label" per value given (which values), "rated" per annotator of a
  multi-rated item, "pair" a b x y (Cohen's kappa of a pair), "m" per number of raters
  (Fleiss needs one), "sumsq" and "total" per label (Fleiss), "coinc" m c k: the sum over
  items with m raters of n_c n_k - [c = k] n_c (Krippendorff's alpha, nominal: the
  coincidence matrix is coinc / (m - 1)), "agree" and "pairs" (observed agreement);
- ("sp", a, b, ...): a pair's spans: "articles", "exact"/"overlap" label r (r 0: matched,
  1: spans of a, 2: spans of b), "etag" x y and "ctag" x y (BIO tags of each token),
  "matched", "claimant_agree", "cstance" x y and "cworthy" x y (matched claims);
- ("u", ...): unitizing statistics of compared articles (unitizing.ContinuumStatistics):
  "n" Σ m L, "L" Σ L, "o" label m (Σ δ² of articles with m annotators), "len" label l (units
  of that length), "gap" label g (gaps of the annotators who marked the label), "whole" L
  (annotators of articles of length L: each has the whole article as a gap of every label)
  and "taken" label L (those of them who marked the label, whose gaps "gap" counts);
- ("wk", week, ...): the compared articles whose last submission fell in that ISO week:
  "articles", "m" per number of annotators (the week shows the largest), "span_matched" and
  "span_total" (overlap F1), and the stance items' "items", "pairs", "agree", "total" per
  label and "coinc" m c k as above.

Krippendorff's alpha and Fleiss' kappa are computed in exact rational arithmetic from these
integers and rounded once, so they can differ from report.py's floating-point values in the
last bits (report.py sums floats item by item); every other value is computed as report.py
computes it and is identical.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from itertools import combinations
from typing import Any

import numpy as np

from annotate.lib.agreement.claims import ClaimTally
from annotate.lib.agreement.documents import Doc
from annotate.lib.agreement.labels import kappa_from_confusion
from annotate.lib.agreement.pairwise import span_agreement
from annotate.lib.agreement.report import (
    LabelSpace,
    SummaryRow,
    article_score,
    claim_attribute_agreement,
)
from annotate.lib.agreement.score import Score, mean_score
from annotate.lib.agreement.spans import bio_kappa, prf
from annotate.lib.agreement.unitizing import Continuum, continuum_statistics

Key = tuple[Any, ...]
Contribution = Counter[Key]
POOLED = "*"
CLAIM_TAGS = ("O", "B", "I")
# The summary rows the totals give (report.py's summary without the unitizing alphas).
INCREMENTAL_KEYS = (
    "stance.krippendorff_alpha",
    "stance.fleiss_kappa",
    "stance.cohen_kappa",
    "stance.observed_agreement",
    "spans.f1_exact",
    "spans.f1_overlap",
    "spans.token_kappa",
    "claims.f1_overlap",
    "claims.token_kappa",
    "claims.claimant_agreement",
    "claims.stance_kappa",
    "claims.checkworthy_kappa",
)


class Totals:
    """The sum of a project's article contributions; `add` and `remove` keep it current."""

    def __init__(self, counts: Mapping[Key, int] | None = None) -> None:
        self.counts: Counter[Key] = Counter()
        for key, value in (counts or {}).items():
            if value:
                self.counts[key] = value

    def add(self, contribution: Mapping[Key, int]) -> None:
        for key, value in contribution.items():
            self._change(key, value)

    def remove(self, contribution: Mapping[Key, int]) -> None:
        for key, value in contribution.items():
            self._change(key, -value)

    def _change(self, key: Key, delta: int) -> None:
        value = self.counts.get(key, 0) + delta
        if value:
            self.counts[key] = value
        else:
            self.counts.pop(key, None)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Totals) and self.counts == other.counts

    __hash__ = None  # type: ignore[assignment]

    def as_json(self) -> dict[str, int]:
        """The stored form: {key as compact JSON array text: value} (JSON has no tuple keys;
        one JSON object decodes in C, and `stored_add` changes it without decoding keys)."""
        return contribution_json(self.counts)

    @classmethod
    def from_json(cls, stored: Mapping[str, int] | Iterable[Sequence[Any]]) -> Totals:
        return cls(contribution_from_json(stored))


_KEY_TEXTS: dict[Key, str] = {}  # most keys recur from article to article


def key_text(key: Key) -> str:
    text = _KEY_TEXTS.get(key)
    if text is None:
        if len(_KEY_TEXTS) > 500_000:
            _KEY_TEXTS.clear()
        text = _KEY_TEXTS[key] = json.dumps(key, ensure_ascii=False, separators=(",", ":"))
    return text


def contribution_json(counts: Mapping[Key, int]) -> dict[str, int]:
    return {key_text(key): value for key, value in counts.items() if value}


def contribution_from_json(stored: Mapping[str, int] | Iterable[Sequence[Any]]) -> Contribution:
    """Counts from their stored form (also the older [key..., value] rows)."""
    if not isinstance(stored, Mapping):
        return Counter({tuple(row[:-1]): int(row[-1]) for row in stored})
    if not stored:
        return Counter()
    keys = json.loads("[" + ",".join(stored) + "]")  # every key at once
    return Counter(dict(zip(map(tuple, keys), stored.values(), strict=True)))


def stored_add(total: dict[str, int], stored: Mapping[str, int], sign: int = 1) -> None:
    """Add (sign 1) or subtract (-1) stored counts to stored totals in place, keys as text."""
    for key, value in stored.items():
        new = total.get(key, 0) + sign * value
        if new:
            total[key] = new
        else:
            total.pop(key, None)


def sum_contributions(contributions: Iterable[Mapping[Key, int]]) -> Totals:
    totals = Totals()
    for contribution in contributions:
        totals.add(contribution)
    return totals


# ---- one article ---------------------------------------------------------------------------


def article_contribution(docs: Sequence[Doc], *, text: str, space: LabelSpace) -> Contribution:
    """The counts of one article's submitted annotations (at most one per annotator)."""
    return article_parts(docs, text=text, space=space)[0]


@dataclass(frozen=True)
class Standing:
    """A compared article's own agreement (report.LowArticle without the title): what the
    lowest-agreement list orders by. `score` is None when no part is defined."""

    annotators: int
    score: float | None
    span_f1: float | None
    stance_observed: float | None
    claim_attributes: float | None


def article_parts(
    docs: Sequence[Doc], *, text: str, space: LabelSpace
) -> tuple[Contribution, Standing | None]:
    """The article's counts, and its standing when two annotators or more submitted it."""
    counts: Contribution = Counter()
    if not docs:
        return counts, None
    docs = sorted(docs, key=lambda d: d.annotator)
    counts[("article",)] += 1
    for doc in docs:
        counts[("doc", doc.annotator)] += 1
        for target in doc.stance:
            counts[("target", target)] += 1
    _stance(counts, docs)
    if len(docs) < 2:
        return counts, None
    counts[("compared",)] += 1
    for doc in docs:
        counts[("compared_by", doc.annotator)] += 1
        for span in doc.entities:
            counts[("entity_label", span.label)] += 1
    matched, total = _spans(counts, docs, text=text, space=space)
    _unitizing(counts, docs, text=text, space=space)
    stance_agree = stance_pairs = 0
    for target in sorted({t for d in docs for t in d.stance}):
        values = [d.stance[target] for d in docs if target in d.stance]
        for x, y in combinations(values, 2):
            stance_pairs += 1
            stance_agree += x == y
    claim_agree, claim_answers = claim_attribute_agreement(docs)
    span_f1 = 2 * matched / total if total else None
    stance_observed = stance_agree / stance_pairs if stance_pairs else None
    claims = claim_agree / claim_answers if claim_answers else None
    last = max((d.submitted_at for d in docs if d.submitted_at is not None), default=None)
    week = _iso_week(last)
    if week is not None:
        _week(counts, ("wk", week), docs, matched=matched, total=total)
    standing = Standing(
        annotators=len(docs),
        score=article_score(span_f1, stance_observed, claims),
        span_f1=span_f1,
        stance_observed=stance_observed,
        claim_attributes=claims,
    )
    return counts, standing


def _week(
    counts: Contribution, prefix: Key, docs: Sequence[Doc], *, matched: int, total: int
) -> None:
    """The article's part of its ISO week's figures (report._weeks): articles, the largest
    number of annotators, span matches, and the stance items rated twice or more."""
    counts[(*prefix, "articles")] += 1
    counts[(*prefix, "m", len(docs))] += 1
    if matched:
        counts[(*prefix, "span_matched")] += matched
    if total:
        counts[(*prefix, "span_total")] += total
    for target in sorted({t for d in docs for t in d.stance}):
        values = Counter(d.stance[target] for d in docs if target in d.stance)
        m = sum(values.values())
        if m < 2:
            continue
        counts[(*prefix, "items")] += 1
        counts[(*prefix, "pairs")] += m * (m - 1) // 2
        for c, n_c in values.items():
            counts[(*prefix, "total", c)] += n_c
            counts[(*prefix, "agree")] += n_c * (n_c - 1) // 2
            for k, n_k in values.items():
                coincidences = n_c * n_k - (n_c if c == k else 0)
                if coincidences:
                    counts[(*prefix, "coinc", m, c, k)] += coincidences


def _unitizing(counts: Contribution, docs: Sequence[Doc], *, text: str, space: LabelSpace) -> None:
    """The article's unitizing statistics (unitizing.continuum_statistics) under ("u", ...)."""
    continuum = Continuum(
        len(text),
        {
            d.annotator: [
                *((s.start, s.end, s.label) for s in d.entities),
                *((s.start, s.end, space.claim_label) for s in d.claims),
            ]
            for d in docs
        },
    )
    stats = continuum_statistics(continuum)
    counts[("u", "n")] += stats.coders * stats.length
    counts[("u", "L")] += stats.length
    for label, value in stats.observed.items():
        counts[("u", "o", label, stats.coders)] += value
    for (label, length), value in stats.unit_lengths.items():
        counts[("u", "len", label, length)] += value
    for (label, length), value in stats.gaps.items():
        counts[("u", "gap", label, length)] += value
    if stats.length:
        counts[("u", "whole", stats.length)] += stats.coders
        for label, value in stats.coders_with.items():
            counts[("u", "taken", label, stats.length)] += value


def _iso_week(when: datetime | None) -> str | None:
    if when is None:
        return None
    year, week, _ = when.isocalendar()
    return f"{year}-W{week:02d}"


def _stance(counts: Contribution, docs: Sequence[Doc]) -> None:
    items: list[tuple[str, dict[int, str]]] = []
    targets = sorted({t for d in docs for t in d.stance})
    for target in targets:
        by = {d.annotator: d.stance[target] for d in docs if target in d.stance}
        items.append((target, by))
    for target, by in items:
        for scope in (POOLED, target):
            _stance_item(counts, scope, by)


def _stance_item(counts: Contribution, scope: str, by: Mapping[int, str]) -> None:
    for value in by.values():
        counts[("st", scope, "label", value)] += 1
    m = len(by)
    if m < 2:
        counts[("st", scope, "single")] += 1
        return
    counts[("st", scope, "items")] += 1
    counts[("st", scope, "m", m)] += 1
    counts[("st", scope, "pairs")] += m * (m - 1) // 2
    raters = sorted(by)
    for annotator in raters:
        counts[("st", scope, "rated", annotator)] += 1
    for a, b in combinations(raters, 2):
        counts[("st", scope, "pair", a, b, by[a], by[b])] += 1
    values = Counter(by.values())
    counts[("st", scope, "sumsq")] += sum(n * n for n in values.values())
    for c, n_c in values.items():
        counts[("st", scope, "total", c)] += n_c
        counts[("st", scope, "agree")] += n_c * (n_c - 1) // 2
        for k, n_k in values.items():
            coincidences = n_c * n_k - (n_c if c == k else 0)
            if coincidences:
                counts[("st", scope, "coinc", m, c, k)] += coincidences


def _spans(
    counts: Contribution, docs: Sequence[Doc], *, text: str, space: LabelSpace
) -> tuple[int, int]:
    """The pairs' span counts; returns the article's (matched, total) overlap spans."""
    found = {s.label for d in docs for s in d.entities}
    labels = list(dict.fromkeys(space.entity_labels)) + sorted(found - set(space.entity_labels))
    article = docs[0].article
    result = span_agreement(
        {article: list(docs)},
        texts={article: text},
        entity_labels=labels,
        claim_label=space.claim_label,
    )
    span_labels = [*labels, space.claim_label]
    tags = ["O", *(f"{p}-{label}" for label in labels for p in ("B", "I"))]
    for (a, b), pair in result.pairs.items():
        counts[("sp", a, b, "articles")] += pair.articles
        for kind, table in (("exact", pair.exact), ("overlap", pair.overlap)):
            for k, label in enumerate(span_labels):
                for r in range(3):
                    if table[r, k]:
                        counts[("sp", a, b, kind, label, r)] += int(table[r, k])
        _matrix(counts, ("sp", a, b, "etag"), pair.entity_tags, tags)
        _matrix(counts, ("sp", a, b, "ctag"), pair.claim_tags, CLAIM_TAGS)
        _claims(counts, ("sp", a, b), pair.claims)
    return int(result.article_matched[0]), int(result.article_total[0])


def _matrix(counts: Contribution, prefix: Key, matrix: np.ndarray, names: Sequence[str]) -> None:
    rows, cols = np.nonzero(matrix)
    for i, j in zip(rows.tolist(), cols.tolist(), strict=True):
        counts[(*prefix, names[i], names[j])] += int(matrix[i, j])


def _claims(counts: Contribution, prefix: Key, tally: ClaimTally) -> None:
    if tally.matched:
        counts[(*prefix, "matched")] += tally.matched
    if tally.claimant_agree:
        counts[(*prefix, "claimant_agree")] += tally.claimant_agree
    for x, y in zip(tally.stance_a, tally.stance_b, strict=True):
        counts[(*prefix, "cstance", x, y)] += 1
    for x, y in zip(tally.checkworthy_a, tally.checkworthy_b, strict=True):
        counts[(*prefix, "cworthy", x, y)] += 1


# ---- the summary from the totals -----------------------------------------------------------


class _View:
    """The totals sorted by key shape, read once per summary."""

    def __init__(self, totals: Totals) -> None:
        self.flat: dict[Key, int] = {}
        self.stance: dict[str, dict[Key, int]] = {}
        self.pairs: dict[tuple[int, int], dict[Key, int]] = {}
        for key, value in totals.counts.items():
            if key[0] == "st":
                self.stance.setdefault(key[1], {})[key[2:]] = value
            elif key[0] == "sp":
                self.pairs.setdefault((key[1], key[2]), {})[key[3:]] = value
            else:
                self.flat[key] = value

    def count(self, *key: Any) -> int:
        return self.flat.get(key, 0)


def summary_rows(totals: Totals, space: LabelSpace) -> list[SummaryRow]:
    """The summary rows of INCREMENTAL_KEYS, as report.build_report computes them."""
    view = _View(totals)
    compared = view.count("compared")
    n_ann = sum(1 for key in view.flat if key[0] == "compared_by")
    stance = _stance_scores(view.stance.get(POOLED, {}), space)
    pairs = sorted(p for p, counts in view.pairs.items() if counts.get(("articles",), 0))
    exact, overlap = Counter[int](), Counter[int]()
    claim_overlap = Counter[int]()
    token: list[Score] = []
    claim_token: list[Score] = []
    claim_stance: list[Score] = []
    checkworthy: list[Score] = []
    matched = claimant_agree = 0
    for pair in pairs:
        counts = view.pairs[pair]
        for key, value in counts.items():
            if key[0] == "exact":
                exact[key[2]] += value
            elif key[0] == "overlap":
                overlap[key[2]] += value
                if key[1] == space.claim_label:
                    claim_overlap[key[2]] += value
        token.append(bio_kappa(_confusion(counts, "etag")))
        claim_token.append(bio_kappa(_confusion(counts, "ctag")))
        pair_matched = counts.get(("matched",), 0)
        matched += pair_matched
        claimant_agree += counts.get(("claimant_agree",), 0)
        for kind, scores in (("cstance", claim_stance), ("cworthy", checkworthy)):
            if pair_matched:
                scores.append(kappa_from_confusion(_confusion(counts, kind)))
            else:
                scores.append(Score.undefined("no_matches"))
    f1_exact = prf(exact[0], exact[1], exact[2], annotators=n_ann).f1
    f1_overlap = prf(overlap[0], overlap[1], overlap[2], annotators=n_ann).f1
    if claim_overlap[1] or claim_overlap[2]:
        claims_f1 = prf(claim_overlap[0], claim_overlap[1], claim_overlap[2], annotators=n_ann).f1
    else:
        claims_f1 = Score.undefined("no_spans", annotators=n_ann)
    claimant = (
        Score(claimant_agree / matched, items=matched, annotators=n_ann)
        if matched
        else Score.undefined("no_matches", annotators=n_ann)
    )
    rows = [
        SummaryRow("stance.krippendorff_alpha", stance["alpha"]),
        SummaryRow("stance.fleiss_kappa", stance["fleiss"]),
        SummaryRow("stance.cohen_kappa", stance["cohen"]),
        SummaryRow("stance.observed_agreement", stance["observed"]),
        SummaryRow("spans.f1_exact", f1_exact),
        SummaryRow("spans.f1_overlap", f1_overlap),
        SummaryRow("spans.token_kappa", mean_score(token, items=compared, annotators=n_ann)),
        SummaryRow("claims.f1_overlap", claims_f1),
        SummaryRow("claims.token_kappa", mean_score(claim_token, items=compared, annotators=n_ann)),
        SummaryRow("claims.claimant_agreement", claimant),
        SummaryRow(
            "claims.stance_kappa", mean_score(claim_stance, items=matched, annotators=n_ann)
        ),
        SummaryRow(
            "claims.checkworthy_kappa", mean_score(checkworthy, items=matched, annotators=n_ann)
        ),
    ]
    if n_ann < 2:
        one = Score.undefined("one_rater", items=compared, annotators=n_ann)
        rows = [SummaryRow(row.key, one) for row in rows]
    return rows


def _confusion(counts: Mapping[Key, int], kind: str) -> np.ndarray:
    """A square matrix of the pair counts under ("kind", x, y), over the names used."""
    cells = {(key[1], key[2]): value for key, value in counts.items() if key[0] == kind}
    names = sorted({name for cell in cells for name in cell})
    index = {name: i for i, name in enumerate(names)}
    matrix = np.zeros((len(names), len(names)), dtype=np.int64)
    for (x, y), value in cells.items():
        matrix[index[x], index[y]] = value
    return matrix


def _stance_scores(counts: Mapping[Key, int], space: LabelSpace) -> dict[str, Score]:
    items = counts.get(("items",), 0)
    raters = sorted(key[1] for key in counts if key[0] == "rated")
    n_raters = len(raters)
    if n_raters < 2:
        one = Score.undefined("one_rater", items=items, annotators=n_raters)
        return {"alpha": one, "fleiss": one, "cohen": one, "observed": one}
    cohen = []
    for a, b in combinations(raters, 2):
        cells = {
            (key[3], key[4]): value
            for key, value in counts.items()
            if key[0] == "pair" and key[1] == a and key[2] == b
        }
        names = sorted({name for cell in cells for name in cell})
        index = {name: i for i, name in enumerate(names)}
        matrix = np.zeros((len(names), len(names)), dtype=np.int64)
        for (x, y), value in cells.items():
            matrix[index[x], index[y]] = value
        cohen.append(kappa_from_confusion(matrix))
    totals = {key[1]: value for key, value in counts.items() if key[0] == "total"}
    return {
        "alpha": _alpha(counts, totals, items=items, annotators=n_raters),
        "fleiss": _fleiss(counts, totals, items=items, annotators=n_raters),
        "cohen": mean_score(cohen, items=items, annotators=n_raters),
        "observed": (
            Score(counts.get(("agree",), 0) / counts[("pairs",)], items=items, annotators=n_raters)
            if items
            else Score.undefined("no_common_items", annotators=n_raters)
        ),
    }


def _fleiss(
    counts: Mapping[Key, int], totals: Mapping[str, int], *, items: int, annotators: int
) -> Score:
    """Fleiss' kappa, exact: P̄ = (Σ Σ n_ij² - N m) / (N m (m - 1)), P_e = Σ (n_j / Nm)²."""
    if items == 0:
        return Score.undefined("no_common_items", annotators=annotators)
    sizes = [key[1] for key in counts if key[0] == "m"]
    if len(sizes) != 1:
        return Score.undefined("unequal_raters", items=items, annotators=annotators)
    m = sizes[0]
    n_total = sum(totals.values())
    square = sum(n * n for n in totals.values())
    if square == n_total * n_total:
        return Score.undefined("no_variation", items=items, annotators=annotators)
    p_mean = Fraction(counts[("sumsq",)] - items * m, items * m * (m - 1))
    p_expected = Fraction(square, n_total * n_total)
    return Score(
        float((p_mean - p_expected) / (1 - p_expected)), items=items, annotators=annotators
    )


def _alpha(
    counts: Mapping[Key, int], totals: Mapping[str, int], *, items: int, annotators: int
) -> Score:
    """Krippendorff's alpha, nominal, exact: 1 - (n - 1) Σ_{c≠k} o_ck / Σ_{c≠k} n_c n_k with
    o_ck = Σ_items n_c n_k / (m - 1) and n_c = Σ_k o_ck the pairable values of c."""
    if items == 0:
        return Score.undefined("no_common_items", annotators=annotators)
    if sum(1 for n in totals.values() if n) < 2:
        return Score.undefined("no_variation", items=items, annotators=annotators)
    disagree = Fraction(0)
    for key, value in counts.items():
        if key[0] == "coinc" and key[2] != key[3]:
            disagree += Fraction(value, key[1] - 1)
    n = sum(totals.values())
    chance = n * n - sum(v * v for v in totals.values())
    return Score(float(1 - (n - 1) * disagree / chance), items=items, annotators=annotators)
