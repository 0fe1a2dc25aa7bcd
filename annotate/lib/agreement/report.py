"""The whole agreement report of a project, built from plain data. Pure: no Django.

`build_report(docs, texts=..., schema=...)` takes the submitted annotations (documents.Doc),
the text of each article and the label schema, and returns an AgreementReport: a summary of
every measure, the per-pair and per-label details, confusion matrices, the articles with the
lowest agreement and agreement by ISO week. Pages, the REST API and the management command
all show this report, so they always agree; `as_dict()` is the JSON document the API and the
command print and the cache stores, `AgreementReport.from_dict` reads it back.

Only articles annotated by two or more annotators are compared; each pair of annotators is
compared on the articles both annotated (pairwise.py). Krippendorff's unitizing alpha
(unitizing.py) takes all annotators of every compared article at once, per span label and
over the entity labels.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import combinations
from typing import Any, Self

import numpy as np

from annotate.lib.agreement.claims import (
    ENTITY,
    UNSET,
    ClaimTally,
    checkworthy_value,
    claimant_kind,
)
from annotate.lib.agreement.codec import FLATTEN, Codec, Json
from annotate.lib.agreement.documents import Doc
from annotate.lib.agreement.labels import (
    LabelAgreement,
    alpha_from_table,
    cohen_kappa,
    label_agreement,
    observed_from_table,
)
from annotate.lib.agreement.pairwise import PairCounts, SpanAgreement, span_agreement
from annotate.lib.agreement.score import REASONS, PairAccount, Score, mean_score, pair_account
from annotate.lib.agreement.spans import PRF, bio_kappa, overlap_matches, prf
from annotate.lib.agreement.unitizing import UnitizingAlpha

# Bump when the report's shape or any definition changes: cached reports are then rebuilt.
# 2: Krippendorff's unitizing alpha (summary, spans.alpha_u, claims.alpha_u).
# 3: an article's score includes the claim attributes (lowest_articles[].claim_attributes).
REPORT_FORMAT = 3
LOWEST_ARTICLES = 25


# The report. Each class's as_dict() is its part of the JSON document: its fields in this
# order, under their names (codec.py); from_dict() reads it back. Mappings keep the order they
# were built (or stored) in.


@dataclass(frozen=True)
class AlphaU(Codec):
    """Krippendorff's unitizing alpha with uDo, uDe and the number of units behind them."""

    score: Score = field(metadata=FLATTEN)
    observed_disagreement: float
    expected_disagreement: float
    units: int

    @classmethod
    def of(cls, alpha: UnitizingAlpha, labels: Sequence[str]) -> AlphaU:
        return cls.from_dict(alpha.joint_dict(labels))


@dataclass(frozen=True)
class PRFTable(Codec):
    """P/R/F1 micro-averaged over the span labels, and per label either annotator used."""

    micro: PRF
    labels: dict[str, PRF]


@dataclass(frozen=True)
class Confusion(Codec):
    """Rows: the first annotator's labels; columns: the second's."""

    labels: list[str]
    matrix: list[list[int]]


@dataclass(frozen=True)
class PairStance(Codec):
    cohen_kappa: Score
    confusion: Confusion


@dataclass(frozen=True)
class PairSpans(Codec):
    exact: PRFTable
    overlap: PRFTable
    token_kappa: Score
    claim_token_kappa: Score
    token_confusion: Confusion  # entity type of each token: "O", then the entity labels


@dataclass(frozen=True)
class PairClaims(Codec):
    """Attributes of the claims both annotators marked (matched by overlap)."""

    matched: int
    claimant_agreement: Score
    stance_kappa: Score
    checkworthy_kappa: Score

    def as_dict(self) -> Json:
        # How an attribute nobody set is counted, for readers of the document (not read back).
        return {**super().as_dict(), "unset": UNSET}


@dataclass(frozen=True)
class PairReport(Codec):
    """Two annotators (a < b) compared on the `articles` they both submitted."""

    a: int
    b: int
    articles: int
    stance: PairStance
    spans: PairSpans
    claims: PairClaims


@dataclass(frozen=True)
class LabelPair(Codec):
    a: int
    b: int
    cohen_kappa: Score
    confusion: list[list[int]]


@dataclass(frozen=True)
class LabelMeasures(Codec):
    """Every label measure over one set of stance ratings (labels.LabelAgreement)."""

    labels: list[str]
    annotators: list[int]
    items: int
    single_rated_items: int
    cohen_kappa: Score  # the mean over the pairs
    fleiss_kappa: Score
    krippendorff_alpha: Score
    observed_agreement: Score
    pairs: list[LabelPair]

    @classmethod
    def of(cls, agreement: LabelAgreement) -> LabelMeasures:
        return cls.from_dict(agreement.as_dict())


@dataclass(frozen=True)
class StanceReport(Codec):
    values: list[str]
    pooled: LabelMeasures  # every (article, target) an item
    targets: dict[str, LabelMeasures]


@dataclass(frozen=True)
class SpanAlphaU(Codec):
    entities: AlphaU  # over the entity labels at once
    labels: dict[str, AlphaU]  # the span labels someone used, claims included


@dataclass(frozen=True)
class SpanReport(Codec):
    labels: list[str]  # the entity labels, then the claim label
    exact: PRFTable
    overlap: PRFTable
    token_kappa: Score
    claim_token_kappa: Score
    alpha_u: SpanAlphaU


@dataclass(frozen=True)
class ClaimReport(Codec):
    label: str
    exact: PRF | None  # None: nobody marked a claim on a compared article
    overlap: PRF | None
    matched: int
    claimant_agreement: Score
    stance_kappa: Score
    stance_observed: Score
    checkworthy_kappa: Score
    alpha_u: AlphaU


@dataclass(frozen=True)
class Annotator(Codec):
    id: int
    name: str
    annotations: int  # submitted, compared or not


@dataclass(frozen=True)
class Counts(Codec):
    annotations: int
    articles: int
    compared_articles: int
    single_annotated_articles: int
    pairs: int


@dataclass(frozen=True)
class SummaryRow(Codec):
    key: str  # "stance.krippendorff_alpha", ...: the same keys in every report
    score: Score = field(metadata=FLATTEN)


@dataclass(frozen=True)
class LowArticle(Codec):
    """One of the articles with the lowest agreement; the title is the database edge's.

    `score` is the mean of the parts that are defined: span F1 (overlap), stance observed
    agreement, and claim attributes (the share of agreeing claimant, check-worthiness and
    claim-stance answers over the claims two annotators both marked)."""

    article: int
    annotators: int
    score: float
    span_f1_overlap: float | None
    stance_observed: float | None
    claim_attributes: float | None = None
    title: str | None = None

    def as_dict(self) -> Json:
        data = super().as_dict()
        if self.title is None:  # built without the database: the document has no "title"
            del data["title"]
        return data


@dataclass(frozen=True)
class Week(Codec):
    """Agreement of the articles whose last annotation was submitted in this ISO week."""

    week: str  # "2026-W02"
    articles: int
    stance_alpha: Score
    stance_observed: Score
    span_f1_overlap: Score


@dataclass(frozen=True)
class AgreementReport(Codec):
    format: int
    annotators: list[Annotator]
    counts: Counts
    summary: list[SummaryRow]
    stance: StanceReport
    spans: SpanReport
    claims: ClaimReport
    pairs: list[PairReport]
    lowest_articles: list[LowArticle]
    weeks: list[Week]

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Raises KeyError, TypeError or ValueError when `data` is not a report of this format."""
        if data["format"] != REPORT_FORMAT:
            raise ValueError(f"report format {data['format']!r}, not {REPORT_FORMAT}")
        return super().from_dict(data)

    def pair(self, a: int, b: int) -> PairReport | None:
        """The comparison of these two annotators (in either order), if they share articles."""
        lo, hi = sorted((a, b))
        return next((p for p in self.pairs if (p.a, p.b) == (lo, hi)), None)


# Building the report.


@dataclass(frozen=True)
class LabelSpace:
    """The label vocabulary, in schema order, that the report lays its tables out by."""

    entity_labels: list[str]
    claim_label: str
    stance_targets: list[str]
    stance_values: list[str]
    claim_stance_values: list[str]


def label_space(schema: Mapping[str, Any]) -> LabelSpace:
    return LabelSpace(
        entity_labels=[lab["key"] for lab in schema.get("entity_labels", [])],
        claim_label=(schema.get("claim_label") or {}).get("key", "CLAIM"),
        stance_targets=[t["key"] for t in schema.get("stance_targets", [])],
        stance_values=list(schema.get("stance_values", [])),
        claim_stance_values=list(schema.get("claim_stance_values", [])),
    )


@dataclass
class _ArticleTally:
    article: int
    annotators: int
    span_matched: int = 0
    span_total: int = 0
    stance_agree: int = 0
    stance_pairs: int = 0
    claim_agree: int = 0
    claim_answers: int = 0
    completed: datetime | None = None

    def span_f1(self) -> float | None:
        return 2 * self.span_matched / self.span_total if self.span_total else None

    def stance_observed(self) -> float | None:
        return self.stance_agree / self.stance_pairs if self.stance_pairs else None

    def claim_attributes(self) -> float | None:
        return self.claim_agree / self.claim_answers if self.claim_answers else None

    def score(self) -> float | None:
        return article_score(self.span_f1(), self.stance_observed(), self.claim_attributes())


def article_score(
    span_f1: float | None, stance_observed: float | None, claim_attributes: float | None
) -> float | None:
    """An article's agreement: the mean of its defined parts (None when none is)."""
    parts = [x for x in (span_f1, stance_observed, claim_attributes) if x is not None]
    return sum(parts) / len(parts) if parts else None


def claim_attribute_agreement(docs: Sequence[Doc]) -> tuple[int, int]:
    """(agreeing, compared) claim attribute answers of one article's annotations: for each
    pair of annotators and each claim both marked (overlap match), their claimant,
    check-worthiness and claim stance, three answers compared, as claims.claim_tally counts
    them."""
    agree = answers = 0
    for a, b in combinations(docs, 2):
        if not (a.claims and b.claims):
            continue
        for i, j in overlap_matches(a.claims, b.claims):
            info_a, info_b = a.claim_info[i], b.claim_info[j]
            answers += 3
            agree += (info_a.stance or UNSET) == (info_b.stance or UNSET)
            agree += checkworthy_value(info_a.checkworthy) == checkworthy_value(info_b.checkworthy)
            kind_a, kind_b = claimant_kind(info_a), claimant_kind(info_b)
            if kind_a == kind_b and (
                kind_a != ENTITY
                or _entities_matched(a, b, info_a.claimant_span, info_b.claimant_span)
            ):
                agree += 1
    return agree, answers


def _entities_matched(a: Doc, b: Doc, id_a: str | None, id_b: str | None) -> bool:
    """Whether overlap matching (spans.overlap_matches over all entity spans) pairs the entity
    span `id_a` of a with `id_b` of b. Only the spans linked to them through same-label
    overlaps can change that pairing, so only those are matched (much faster on long
    articles, the same result)."""
    index_a = {s.id: k for k, s in enumerate(a.entities)}
    index_b = {s.id: k for k, s in enumerate(b.entities)}
    start_a, start_b = index_a.get(id_a or ""), index_b.get(id_b or "")
    if start_a is None or start_b is None:
        return False
    linked: tuple[set[int], set[int]] = ({start_a}, set())
    sides = (a.entities, b.entities)
    frontier = [(0, start_a)]
    while frontier:
        side, k = frontier.pop()
        x, other = sides[side][k], 1 - side
        for m, y in enumerate(sides[other]):
            if (
                m not in linked[other]
                and y.label == x.label
                and min(x.end, y.end) > max(x.start, y.start)
            ):
                linked[other].add(m)
                frontier.append((other, m))
    keep_a, keep_b = sorted(linked[0]), sorted(linked[1])
    pairs = overlap_matches([a.entities[k] for k in keep_a], [b.entities[k] for k in keep_b])
    return any(keep_a[i] == start_a and keep_b[j] == start_b for i, j in pairs)


@dataclass
class _Input:
    """The submitted annotations grouped by article, and the labels the tables use."""

    space: LabelSpace
    by_article: dict[int, list[Doc]]
    compared: dict[int, list[Doc]]  # the articles with two annotators or more
    n_annotators: int  # annotators of the compared articles
    entity_labels: list[str]
    stance_targets: list[str]

    @property
    def span_labels(self) -> list[str]:
        return [*self.entity_labels, self.space.claim_label]


@dataclass
class _Stance:
    pooled: dict[tuple[int, str], dict[int, str]]  # (article, target) -> {annotator: value}
    agreement: LabelAgreement
    by_target: dict[str, LabelAgreement]


@dataclass
class _PairTotals:
    """Sums and per-pair scores over every pair, for the summary."""

    exact: np.ndarray
    overlap: np.ndarray
    claims: ClaimTally = field(default_factory=ClaimTally)
    token: list[Score] = field(default_factory=list)
    claim_token: list[Score] = field(default_factory=list)
    claim_stance: list[Score] = field(default_factory=list)
    checkworthy: list[Score] = field(default_factory=list)


def build_report(
    docs: Sequence[Doc],
    *,
    texts: Mapping[int, str],
    schema: Mapping[str, Any],
    annotator_names: Mapping[int, str] | None = None,
    lowest: int = LOWEST_ARTICLES,
) -> AgreementReport:
    """Every agreement measure over these submitted annotations (see the module doc)."""
    given = _group(docs, label_space(schema))
    stance = _stance(given)
    spans = span_agreement(
        given.compared,
        texts=texts,
        entity_labels=given.entity_labels,
        claim_label=given.space.claim_label,
    )
    articles = _article_tallies(given, spans)
    totals = _PairTotals(
        exact=np.zeros((3, len(given.span_labels)), dtype=np.int64),
        overlap=np.zeros((3, len(given.span_labels)), dtype=np.int64),
    )
    pairs = [
        _pair_report(given, stance.agreement, a, b, counts, totals)
        for (a, b), counts in sorted(spans.pairs.items())
    ]
    span_report = _span_report(given, totals, spans.alpha_u)
    claim_report = _claim_report(given, totals, span_report, spans.alpha_u)
    names = dict(annotator_names or {})
    return AgreementReport(
        format=REPORT_FORMAT,
        annotators=[
            Annotator(a, names.get(a, str(a)), sum(1 for d in docs if d.annotator == a))
            for a in sorted({d.annotator for d in docs})
        ],
        counts=Counts(
            annotations=len(docs),
            articles=len(given.by_article),
            compared_articles=len(given.compared),
            single_annotated_articles=len(given.by_article) - len(given.compared),
            pairs=len(pairs),
        ),
        summary=_summary(given, stance.agreement, span_report, claim_report),
        stance=StanceReport(
            values=stance.agreement.labels,
            pooled=LabelMeasures.of(stance.agreement),
            targets={t: LabelMeasures.of(stance.by_target[t]) for t in given.stance_targets},
        ),
        spans=span_report,
        claims=claim_report,
        pairs=pairs,
        lowest_articles=_lowest(articles, lowest),
        weeks=_weeks(articles, stance.pooled, stance.agreement.labels),
    )


def _ordered(known: Sequence[str], found: set[str]) -> list[str]:
    return list(dict.fromkeys(known)) + sorted(found - set(known))


def _group(docs: Sequence[Doc], space: LabelSpace) -> _Input:
    by_article: dict[int, list[Doc]] = defaultdict(list)
    for doc in docs:
        by_article[doc.article].append(doc)
    for group in by_article.values():
        group.sort(key=lambda d: d.annotator)
    compared = {a: g for a, g in by_article.items() if len(g) >= 2}
    return _Input(
        space=space,
        by_article=by_article,
        compared=compared,
        n_annotators=len({d.annotator for g in compared.values() for d in g}),
        entity_labels=_ordered(
            space.entity_labels,
            {s.label for g in compared.values() for d in g for s in d.entities},
        ),
        stance_targets=_ordered(
            space.stance_targets, {t for g in by_article.values() for d in g for t in d.stance}
        ),
    )


def _stance(given: _Input) -> _Stance:
    """Document labels: stance per target, each (article, target) an item."""
    pooled: dict[tuple[int, str], dict[int, str]] = {}
    per_target: dict[str, dict[int, dict[int, str]]] = {t: {} for t in given.stance_targets}
    for article, group in given.by_article.items():
        for doc in group:
            for target, value in doc.stance.items():
                pooled.setdefault((article, target), {})[doc.annotator] = value
                per_target[target].setdefault(article, {})[doc.annotator] = value
    values = given.space.stance_values
    return _Stance(
        pooled=pooled,
        agreement=label_agreement(pooled, labels=values),
        by_target={t: label_agreement(per_target[t], labels=values) for t in per_target},
    )


def _article_tallies(given: _Input, spans: SpanAgreement) -> list[_ArticleTally]:
    articles = []
    for k, article in enumerate(spans.article_ids):
        group = given.compared[article]
        tally = _ArticleTally(
            article=article,
            annotators=len(group),
            span_matched=int(spans.article_matched[k]),
            span_total=int(spans.article_total[k]),
            completed=max(
                (d.submitted_at for d in group if d.submitted_at is not None), default=None
            ),
        )
        for target in given.stance_targets:
            values = [d.stance[target] for d in group if target in d.stance]
            for x, y in combinations(values, 2):
                tally.stance_pairs += 1
                tally.stance_agree += x == y
        tally.claim_agree, tally.claim_answers = claim_attribute_agreement(group)
        articles.append(tally)
    return articles


def _pair_report(
    given: _Input,
    stance: LabelAgreement,
    a: int,
    b: int,
    counts: PairCounts,
    totals: _PairTotals,
) -> PairReport:
    """One pair's report; adds its counts and scores to totals."""
    totals.exact += counts.exact
    totals.overlap += counts.overlap
    totals.claims.merge(counts.claims)
    token = bio_kappa(counts.entity_tags)
    claim_token = bio_kappa(counts.claim_tags)
    claim_stance = _matched_kappa(counts.claims.stance_a, counts.claims.stance_b)
    checkworthy = _matched_kappa(counts.claims.checkworthy_a, counts.claims.checkworthy_b)
    totals.token.append(token)
    totals.claim_token.append(claim_token)
    totals.claim_stance.append(claim_stance)
    totals.checkworthy.append(checkworthy)
    stance_matrix = stance.confusion.get((a, b))
    if stance_matrix is None:
        stance_matrix = np.zeros((len(stance.labels),) * 2, dtype=np.int64)
    projection = _type_projection(len(given.entity_labels))
    tally = counts.claims
    return PairReport(
        a=a,
        b=b,
        articles=counts.articles,
        stance=PairStance(
            cohen_kappa=stance.cohen.get((a, b)) or Score.undefined("no_common_items"),
            confusion=Confusion(stance.labels, stance_matrix.tolist()),
        ),
        spans=PairSpans(
            exact=prf_table(counts.exact, given.span_labels),
            overlap=prf_table(counts.overlap, given.span_labels),
            token_kappa=token,
            claim_token_kappa=claim_token,
            token_confusion=Confusion(
                ["O", *given.entity_labels],
                (projection.T @ counts.entity_tags @ projection).tolist(),
            ),
        ),
        claims=PairClaims(
            matched=tally.matched,
            claimant_agreement=(
                Score(tally.claimant_agree / tally.matched, items=tally.matched)
                if tally.matched
                else Score.undefined("no_matches")
            ),
            stance_kappa=claim_stance,
            checkworthy_kappa=checkworthy,
        ),
    )


def _span_report(given: _Input, totals: _PairTotals, alpha_u: UnitizingAlpha) -> SpanReport:
    labels, n_ann, n_compared = given.span_labels, given.n_annotators, len(given.compared)
    return SpanReport(
        labels=labels,
        exact=prf_table(totals.exact, labels, annotators=n_ann),
        overlap=prf_table(totals.overlap, labels, annotators=n_ann),
        token_kappa=mean_score(totals.token, items=n_compared, annotators=n_ann),
        claim_token_kappa=mean_score(totals.claim_token, items=n_compared, annotators=n_ann),
        alpha_u=SpanAlphaU(
            entities=AlphaU.of(alpha_u, given.entity_labels),
            labels={
                label: AlphaU.of(alpha_u, [label])
                for k, label in enumerate(labels)
                if alpha_u.units[k]
            },
        ),
    )


def _claim_report(
    given: _Input, totals: _PairTotals, spans: SpanReport, alpha_u: UnitizingAlpha
) -> ClaimReport:
    label, n_ann, claims = given.space.claim_label, given.n_annotators, totals.claims
    return ClaimReport(
        label=label,
        exact=spans.exact.labels.get(label),
        overlap=spans.overlap.labels.get(label),
        matched=claims.matched,
        claimant_agreement=(
            Score(claims.claimant_agree / claims.matched, items=claims.matched, annotators=n_ann)
            if claims.matched
            else Score.undefined("no_matches", annotators=n_ann)
        ),
        stance_kappa=mean_score(totals.claim_stance, items=claims.matched, annotators=n_ann),
        stance_observed=_observed(claims.stance_a, claims.stance_b, n_ann),
        checkworthy_kappa=mean_score(totals.checkworthy, items=claims.matched, annotators=n_ann),
        alpha_u=AlphaU.of(alpha_u, [label]),
    )


def _summary(
    given: _Input, stance: LabelAgreement, spans: SpanReport, claims: ClaimReport
) -> list[SummaryRow]:
    return summary_rows(
        (stance.alpha, stance.fleiss, stance.cohen_mean, stance.observed),
        spans,
        claims,
        compared=len(given.compared),
        annotators=given.n_annotators,
    )


def summary_rows(
    stance: tuple[Score, Score, Score, Score],
    spans: SpanReport,
    claims: ClaimReport,
    *,
    compared: int,
    annotators: int,
) -> list[SummaryRow]:
    """The summary's rows, in order, from the stance scores (Krippendorff's alpha, Fleiss'
    kappa, mean Cohen's kappa, observed agreement) and the span and claim reports; every row
    is undefined ("one_rater") with fewer than two annotators. The full report and the one
    assembled from stored totals both use it."""
    no_claims = Score.undefined("no_spans", annotators=annotators)
    alpha, fleiss, cohen, observed = stance
    summary = [
        SummaryRow("stance.krippendorff_alpha", alpha),
        SummaryRow("stance.fleiss_kappa", fleiss),
        SummaryRow("stance.cohen_kappa", cohen),
        SummaryRow("stance.observed_agreement", observed),
        SummaryRow("spans.f1_exact", spans.exact.micro.f1),
        SummaryRow("spans.f1_overlap", spans.overlap.micro.f1),
        SummaryRow("spans.token_kappa", spans.token_kappa),
        SummaryRow("spans.alpha_u", spans.alpha_u.entities.score),
        SummaryRow("claims.f1_overlap", claims.overlap.f1 if claims.overlap else no_claims),
        SummaryRow("claims.token_kappa", spans.claim_token_kappa),
        SummaryRow("claims.alpha_u", claims.alpha_u.score),
        SummaryRow("claims.claimant_agreement", claims.claimant_agreement),
        SummaryRow("claims.stance_kappa", claims.stance_kappa),
        SummaryRow("claims.checkworthy_kappa", claims.checkworthy_kappa),
    ]
    if annotators < 2:
        one = Score.undefined("one_rater", items=compared, annotators=annotators)
        summary = [SummaryRow(row.key, one) for row in summary]
    return summary


def _type_projection(n_labels: int) -> np.ndarray:
    """Maps BIO tag codes to entity types: O -> 0, B-k and I-k -> k + 1."""
    projection = np.zeros((1 + 2 * n_labels, 1 + n_labels), dtype=np.int64)
    projection[0, 0] = 1
    for k in range(n_labels):
        projection[2 * k + 1, k + 1] = 1
        projection[2 * k + 2, k + 1] = 1
    return projection


def prf_table(counts: np.ndarray, labels: Sequence[str], *, annotators: int = 2) -> PRFTable:
    """P/R/F1 per label (labels either annotator used) and micro-averaged over labels."""
    matched, a_count, b_count = (row.tolist() for row in counts)
    return PRFTable(
        micro=prf(sum(matched), sum(a_count), sum(b_count), annotators=annotators),
        labels={
            label: prf(matched[k], a_count[k], b_count[k], annotators=annotators)
            for k, label in enumerate(labels)
            if a_count[k] or b_count[k]
        },
    )


def _matched_kappa(a: list[str], b: list[str]) -> Score:
    if not a:
        return Score.undefined("no_matches")
    return cohen_kappa(a, b)


def _observed(a: list[str], b: list[str], annotators: int) -> Score:
    if not a:
        return Score.undefined("no_matches", annotators=annotators)
    agree = sum(x == y for x, y in zip(a, b, strict=True))
    return Score(agree / len(a), items=len(a), annotators=annotators)


def _lowest(articles: list[_ArticleTally], limit: int) -> list[LowArticle]:
    scored = [(score, t) for t in articles if (score := t.score()) is not None]
    scored.sort(key=lambda st: (st[0], st[1].article))
    return [
        LowArticle(
            t.article, t.annotators, score, t.span_f1(), t.stance_observed(), t.claim_attributes()
        )
        for score, t in scored[:limit]
    ]


def _iso_week(when: datetime | None) -> str | None:
    if when is None:
        return None
    year, week, _ = when.isocalendar()
    return f"{year}-W{week:02d}"


def _weeks(
    articles: list[_ArticleTally],
    pooled: Mapping[tuple[int, str], Mapping[int, str]],
    stance_labels: list[str],
) -> list[Week]:
    """Agreement of the articles completed (last submission) in each ISO week."""
    week_of = {t.article: _iso_week(t.completed) for t in articles}
    index = {label: i for i, label in enumerate(stance_labels)}
    rows_by_week: dict[str, list[list[int]]] = defaultdict(list)
    for (article, _target), by in pooled.items():
        week = week_of.get(article)
        if week is None or len(by) < 2:
            continue
        row = [0] * len(stance_labels)
        for value in by.values():
            row[index[value]] += 1
        rows_by_week[week].append(row)
    result = []
    for week in sorted({w for w in week_of.values() if w is not None}):
        group = [t for t in articles if week_of[t.article] == week]
        annotators = max(t.annotators for t in group)
        table = np.array(rows_by_week.get(week, []), dtype=np.int64).reshape(-1, len(stance_labels))
        matched = sum(t.span_matched for t in group)
        total = sum(t.span_total for t in group)
        result.append(
            Week(
                week=week,
                articles=len(group),
                stance_alpha=alpha_from_table(table, annotators=annotators),
                stance_observed=observed_from_table(table, annotators=annotators),
                span_f1_overlap=(
                    Score(2 * matched / total, items=total, annotators=annotators)
                    if total
                    else Score.undefined("no_spans", annotators=annotators)
                ),
            )
        )
    return result


# Reading the report.

# Per-pair values that the annotator x annotator heat maps can show.
HEAT_MEASURES: dict[str, Callable[[PairReport], Score]] = {
    "stance_kappa": lambda pair: pair.stance.cohen_kappa,
    "span_f1_overlap": lambda pair: pair.spans.overlap.micro.f1,
    "span_f1_exact": lambda pair: pair.spans.exact.micro.f1,
    "token_kappa": lambda pair: pair.spans.token_kappa,
}


# The summary measures that are means over annotator pairs, with the per-pair scores.
PAIR_MEANS: dict[str, Callable[[AgreementReport], list[tuple[int, int, Score]]]] = {
    "stance.cohen_kappa": lambda r: [(p.a, p.b, p.cohen_kappa) for p in r.stance.pooled.pairs],
    "spans.token_kappa": lambda r: [(p.a, p.b, p.spans.token_kappa) for p in r.pairs],
    "claims.token_kappa": lambda r: [(p.a, p.b, p.spans.claim_token_kappa) for p in r.pairs],
    "claims.stance_kappa": lambda r: [(p.a, p.b, p.claims.stance_kappa) for p in r.pairs],
    "claims.checkworthy_kappa": lambda r: [(p.a, p.b, p.claims.checkworthy_kappa) for p in r.pairs],
}


def pairs_behind(report: AgreementReport, key: str) -> PairAccount | None:
    """The pairs behind a summary measure that is a mean over pairs (None for the others)."""
    pairs = PAIR_MEANS.get(key)
    return pair_account(pairs(report)) if pairs else None


def target_pairs(measures: LabelMeasures) -> PairAccount:
    """The pairs behind one stance target's mean Cohen's kappa."""
    return pair_account((p.a, p.b, p.cohen_kappa) for p in measures.pairs)


def heat_matrix(report: AgreementReport, measure: str) -> list[list[float | None]]:
    """Annotator x annotator values of one per-pair measure (None: undefined or no overlap).

    The diagonal is None: an annotator is not compared with themself.
    """
    value_of = HEAT_MEASURES[measure]
    pos = {a.id: i for i, a in enumerate(report.annotators)}
    matrix: list[list[float | None]] = [[None] * len(pos) for _ in pos]
    for pair in report.pairs:
        i, j = pos[pair.a], pos[pair.b]
        matrix[i][j] = matrix[j][i] = value_of(pair).value
    return matrix


def text_lines(report: AgreementReport, *, project: str, titles: Mapping[str, str]) -> list[str]:
    """The report as plain text: counts, a table of the summary (each measure's title from
    `titles`, by summary key), then a table of the pairs."""
    counts = report.counts
    lines = [
        f"Agreement of {project!r}: {counts.annotations} submitted annotations, "
        f"{counts.compared_articles} articles annotated by two or more "
        f"({counts.single_annotated_articles} by one, not compared)."
    ]
    rows: list[tuple[str, ...]] = [("measure", "value", "items", "annotators", "note")]
    names = {a.id: a.name for a in report.annotators}
    left_out: list[str] = []
    for row in report.summary:
        score = row.score
        title = titles.get(row.key, row.key)
        note = REASONS[score.reason] if score.reason else ""
        account = pairs_behind(report, row.key)
        if account is not None and account.pairs:
            behind = f"mean of {account.defined} of {account.pairs} pairs"
            note = f"{note}; {behind}" if note else behind
            left_out += [
                f"{title}: {names.get(u.a, u.a)} × {names.get(u.b, u.b)} left out, "
                f"{REASONS[u.reason]}"
                for u in account.undefined
            ]
        rows.append((title, _text(score), str(score.items), str(score.annotators), note))
    lines += _table(rows)
    if left_out:
        lines += ["", "Undefined pairs, left out of the means:", *left_out]
    if report.pairs:
        names = {a.id: a.name for a in report.annotators}
        pair_rows: list[tuple[str, ...]] = [
            ("pair", "articles", "stance κ", "span F1 exact", "span F1 overlap", "token κ")
        ]
        for pair in report.pairs:
            pair_rows.append(
                (
                    f"{names.get(pair.a, pair.a)} × {names.get(pair.b, pair.b)}",
                    str(pair.articles),
                    _text(pair.stance.cohen_kappa),
                    _text(pair.spans.exact.micro.f1),
                    _text(pair.spans.overlap.micro.f1),
                    _text(pair.spans.token_kappa),
                )
            )
        lines += ["", *_table(pair_rows)]
    return lines


def _text(score: Score) -> str:
    return "undefined" if score.value is None else f"{score.value:.3f}"


def _table(rows: list[tuple[str, ...]]) -> list[str]:
    """Columns padded to their widest cell: the first and last left-aligned, the rest right."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for k, row in enumerate(rows):
        cells = [
            cell.ljust(widths[i]) if i in (0, len(row) - 1) else cell.rjust(widths[i])
            for i, cell in enumerate(row)
        ]
        lines.append("  ".join(cells).rstrip())
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    return lines
