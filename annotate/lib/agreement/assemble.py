"""The whole agreement report assembled from a project's totals. Pure: no Django.

`report_from_totals(totals, space, ...)` gives the AgreementReport that report.build_report
computes from every submitted annotation, but from the summed article contributions
(contributions.py) alone: the cost depends on the number of annotators, labels and weeks, not
on the number of articles. Only the lowest-agreement list is not a sum: the database keeps each
article's standing (contributions.Standing) in an indexed column and passes the lowest rows in.

Equal to build_report's values: every count, F1, Cohen's kappa (pairs and means), observed
agreement, the token kappas and the claim measures are computed from the same integers by the
same expressions, so they are identical. Three are not computed in the same order:
Krippendorff's alpha and Fleiss' kappa of the stance items (pooled, per target, per week) and
the unitizing alphas (uDo, uDe, αU) are computed here in exact rational arithmetic from
integers and rounded once, where build_report adds floats (numpy, the `krippendorff`
package); they agree within 1e-9 relative (tests/test_agreement_assemble.py checks that bound;
the differences seen are about 1e-15).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import combinations
from typing import Any

import numpy as np

from annotate.lib.agreement.contributions import (
    CLAIM_TAGS,
    POOLED,
    Key,
    Totals,
    _alpha,
    _fleiss,
)
from annotate.lib.agreement.labels import kappa_from_confusion
from annotate.lib.agreement.report import (
    REPORT_FORMAT,
    AgreementReport,
    AlphaU,
    Annotator,
    ClaimReport,
    Confusion,
    Counts,
    LabelMeasures,
    LabelPair,
    LabelSpace,
    LowArticle,
    PairClaims,
    PairReport,
    PairSpans,
    PairStance,
    SpanAlphaU,
    SpanReport,
    StanceReport,
    SummaryRow,
    Week,
    prf_table,
    summary_rows,
)
from annotate.lib.agreement.score import Score, mean_score
from annotate.lib.agreement.spans import bio_kappa
from annotate.lib.agreement.unitizing import UnitizingAlpha, UnitizingSums, unitizing_from_sums


class _Parts:
    """The totals sorted by key family, read once."""

    def __init__(self, totals: Totals) -> None:
        self.flat: dict[Key, int] = {}
        self.stance: dict[str, dict[Key, int]] = {}
        self.pairs: dict[tuple[int, int], dict[Key, int]] = {}
        self.weeks: dict[str, dict[Key, int]] = {}
        self.unitizing: dict[Key, int] = {}
        for key, value in totals.counts.items():
            head = key[0]
            if head == "st":
                self.stance.setdefault(key[1], {})[key[2:]] = value
            elif head == "sp":
                self.pairs.setdefault((key[1], key[2]), {})[key[3:]] = value
            elif head == "wk":
                self.weeks.setdefault(key[1], {})[key[2:]] = value
            elif head == "u":
                self.unitizing[key[1:]] = value
            else:
                self.flat[key] = value

    def count(self, *key: Any) -> int:
        return self.flat.get(key, 0)

    def of(self, head: str) -> dict[Any, int]:
        return {key[1]: value for key, value in self.flat.items() if key[0] == head and value}


def _ordered(known: Sequence[str], found: set[str]) -> list[str]:
    return list(dict.fromkeys(known)) + sorted(found - set(known))


def report_from_totals(
    totals: Totals,
    space: LabelSpace,
    *,
    annotator_names: Mapping[int, str] | None = None,
    lowest: Sequence[LowArticle] = (),
) -> AgreementReport:
    """The report of these totals (see the module doc); `lowest` is the lowest-agreement
    list, lowest first, as the database read it."""
    parts = _Parts(totals)
    docs_by = parts.of("doc")
    compared = parts.count("compared")
    n_ann = len(parts.of("compared_by"))
    entity_labels = _ordered(space.entity_labels, set(parts.of("entity_label")))
    span_labels = [*entity_labels, space.claim_label]
    targets = _ordered(space.stance_targets, set(parts.of("target")))
    pooled = _label_measures(parts.stance.get(POOLED, {}), space.stance_values)
    by_target = {t: _label_measures(parts.stance.get(t, {}), space.stance_values) for t in targets}
    stance_labels = pooled.labels
    pair_keys = sorted(p for p, c in parts.pairs.items() if c.get(("articles",), 0))
    exact = np.zeros((3, len(span_labels)), dtype=np.int64)
    overlap = np.zeros((3, len(span_labels)), dtype=np.int64)
    token: list[Score] = []
    claim_token: list[Score] = []
    claim_stance: list[Score] = []
    checkworthy: list[Score] = []
    matched = claimant_agree = stance_agree = 0
    pairs = []
    for a, b in pair_keys:
        counts = parts.pairs[(a, b)]
        pair_exact = _span_table(counts, "exact", span_labels)
        pair_overlap = _span_table(counts, "overlap", span_labels)
        exact += pair_exact
        overlap += pair_overlap
        tags = ["O", *(f"{p}-{label}" for label in entity_labels for p in ("B", "I"))]
        entity_tags = _matrix(counts, "etag", tags)
        pair_token = bio_kappa(entity_tags)
        pair_claim_token = bio_kappa(_matrix(counts, "ctag", CLAIM_TAGS))
        pair_matched = counts.get(("matched",), 0)
        pair_claimant = counts.get(("claimant_agree",), 0)
        if pair_matched:
            pair_cstance = kappa_from_confusion(_used_matrix(counts, "cstance"))
            pair_cworthy = kappa_from_confusion(_used_matrix(counts, "cworthy"))
        else:
            pair_cstance = pair_cworthy = Score.undefined("no_matches")
        token.append(pair_token)
        claim_token.append(pair_claim_token)
        claim_stance.append(pair_cstance)
        checkworthy.append(pair_cworthy)
        matched += pair_matched
        claimant_agree += pair_claimant
        stance_agree += sum(v for k, v in counts.items() if k[0] == "cstance" and k[1] == k[2])
        stance_pair = next((p for p in pooled.pairs if (p.a, p.b) == (a, b)), None)
        pairs.append(
            PairReport(
                a=a,
                b=b,
                articles=counts[("articles",)],
                stance=PairStance(
                    cohen_kappa=(
                        stance_pair.cohen_kappa
                        if stance_pair
                        else Score.undefined("no_common_items")
                    ),
                    confusion=Confusion(
                        stance_labels,
                        stance_pair.confusion
                        if stance_pair
                        else [[0] * len(stance_labels) for _ in stance_labels],
                    ),
                ),
                spans=PairSpans(
                    exact=prf_table(pair_exact, span_labels),
                    overlap=prf_table(pair_overlap, span_labels),
                    token_kappa=pair_token,
                    claim_token_kappa=pair_claim_token,
                    token_confusion=_type_confusion(entity_tags, tags, entity_labels),
                ),
                claims=PairClaims(
                    matched=pair_matched,
                    claimant_agreement=(
                        Score(pair_claimant / pair_matched, items=pair_matched)
                        if pair_matched
                        else Score.undefined("no_matches")
                    ),
                    stance_kappa=pair_cstance,
                    checkworthy_kappa=pair_cworthy,
                ),
            )
        )
    alpha_u = _unitizing(parts, span_labels, continua=compared, coders=n_ann)
    spans = SpanReport(
        labels=span_labels,
        exact=prf_table(exact, span_labels, annotators=n_ann),
        overlap=prf_table(overlap, span_labels, annotators=n_ann),
        token_kappa=mean_score(token, items=compared, annotators=n_ann),
        claim_token_kappa=mean_score(claim_token, items=compared, annotators=n_ann),
        alpha_u=SpanAlphaU(
            entities=AlphaU.of(alpha_u, entity_labels),
            labels={
                label: AlphaU.of(alpha_u, [label])
                for k, label in enumerate(span_labels)
                if alpha_u.units[k]
            },
        ),
    )
    claim = space.claim_label
    claims = ClaimReport(
        label=claim,
        exact=spans.exact.labels.get(claim),
        overlap=spans.overlap.labels.get(claim),
        matched=matched,
        claimant_agreement=(
            Score(claimant_agree / matched, items=matched, annotators=n_ann)
            if matched
            else Score.undefined("no_matches", annotators=n_ann)
        ),
        stance_kappa=mean_score(claim_stance, items=matched, annotators=n_ann),
        stance_observed=(
            Score(stance_agree / matched, items=matched, annotators=n_ann)
            if matched
            else Score.undefined("no_matches", annotators=n_ann)
        ),
        checkworthy_kappa=mean_score(checkworthy, items=matched, annotators=n_ann),
        alpha_u=AlphaU.of(alpha_u, [claim]),
    )
    names = dict(annotator_names or {})
    articles = parts.count("article")
    return AgreementReport(
        format=REPORT_FORMAT,
        annotators=[Annotator(a, names.get(a, str(a)), n) for a, n in sorted(docs_by.items())],
        counts=Counts(
            annotations=sum(docs_by.values()),
            articles=articles,
            compared_articles=compared,
            single_annotated_articles=articles - compared,
            pairs=len(pairs),
        ),
        summary=_summary(pooled, spans, claims, compared=compared, annotators=n_ann),
        stance=StanceReport(values=stance_labels, pooled=pooled, targets=by_target),
        spans=spans,
        claims=claims,
        pairs=pairs,
        lowest_articles=list(lowest),
        weeks=_weeks(parts.weeks, stance_labels),
    )


def _label_measures(counts: Mapping[Key, int], known: Sequence[str]) -> LabelMeasures:
    """labels.label_agreement's measures of one stance scope, from its counts."""
    labels = _ordered(known, {key[1] for key, v in counts.items() if key[0] == "label" and v})
    items = counts.get(("items",), 0)
    raters = sorted(key[1] for key, v in counts.items() if key[0] == "rated" and v)
    n_raters = len(raters)
    index = {label: i for i, label in enumerate(labels)}
    pairs = []
    for a, b in combinations(raters, 2):
        matrix = np.zeros((len(labels), len(labels)), dtype=np.int64)
        for key, value in counts.items():
            if key[0] == "pair" and key[1] == a and key[2] == b:
                matrix[index[key[3]], index[key[4]]] = value
        pairs.append(LabelPair(a, b, kappa_from_confusion(matrix), matrix.tolist()))
    totals = {key[1]: v for key, v in counts.items() if key[0] == "total" and v}
    if n_raters < 2:
        one = Score.undefined("one_rater", items=items, annotators=n_raters)
        cohen = fleiss = alpha = observed = one
    else:
        cohen = mean_score([p.cohen_kappa for p in pairs], items=items, annotators=n_raters)
        fleiss = _fleiss(counts, totals, items=items, annotators=n_raters)
        alpha = _alpha(counts, totals, items=items, annotators=n_raters)
        observed = (
            Score(counts.get(("agree",), 0) / counts[("pairs",)], items=items, annotators=n_raters)
            if items
            else Score.undefined("no_common_items", annotators=n_raters)
        )
    return LabelMeasures(
        labels=labels,
        annotators=raters,
        items=items,
        single_rated_items=counts.get(("single",), 0),
        cohen_kappa=cohen,
        fleiss_kappa=fleiss,
        krippendorff_alpha=alpha,
        observed_agreement=observed,
        pairs=pairs,
    )


def _span_table(counts: Mapping[Key, int], kind: str, labels: Sequence[str]) -> np.ndarray:
    table = np.zeros((3, len(labels)), dtype=np.int64)
    index = {label: k for k, label in enumerate(labels)}
    for key, value in counts.items():
        if key[0] == kind:
            table[key[2], index[key[1]]] = value
    return table


def _matrix(counts: Mapping[Key, int], kind: str, names: Sequence[str]) -> np.ndarray:
    """The pair's ("kind", x, y) counts as a matrix over `names`."""
    index = {name: i for i, name in enumerate(names)}
    matrix = np.zeros((len(names), len(names)), dtype=np.int64)
    for key, value in counts.items():
        if key[0] == kind:
            matrix[index[key[1]], index[key[2]]] = value
    return matrix


def _used_matrix(counts: Mapping[Key, int], kind: str) -> np.ndarray:
    """The same over the names used, sorted (what cohen_kappa builds from two lists)."""
    names = sorted({name for key in counts if key[0] == kind for name in key[1:3]})
    return _matrix(counts, kind, names)


def _type_confusion(tags: np.ndarray, names: Sequence[str], labels: Sequence[str]) -> Confusion:
    """The BIO tag matrix by entity type: "O", then the entity labels."""
    types = ["O", *labels]
    of = [0 if name == "O" else 1 + list(labels).index(name[2:]) for name in names]
    projection = np.zeros((len(names), len(types)), dtype=np.int64)
    projection[np.arange(len(names)), of] = 1
    return Confusion(types, (projection.T @ tags @ projection).tolist())


def _unitizing(
    parts: _Parts, labels: Sequence[str], *, continua: int, coders: int
) -> UnitizingAlpha:
    observed: dict[tuple[str, int], int] = {}
    unit_lengths: dict[tuple[str, int], int] = {}
    gaps: dict[tuple[str, int], int] = {}
    whole: dict[int, int] = {}
    taken: dict[tuple[str, int], int] = {}
    into = {"o": observed, "len": unit_lengths, "gap": gaps, "taken": taken}
    for key, value in parts.unitizing.items():
        target = into.get(key[0])
        if target is not None:
            target[key[1:]] = value
        elif key[0] == "whole":
            whole[key[1]] = value
    sums = UnitizingSums(
        n=parts.unitizing.get(("n",), 0),
        total=parts.unitizing.get(("L",), 0),
        continua=continua,
        coders=coders,
        observed=observed,
        unit_lengths=unit_lengths,
        gaps=gaps,
        whole=whole,
        whole_taken=taken,
    )
    return unitizing_from_sums(sums, labels)


def _weeks(weeks: Mapping[str, Mapping[Key, int]], stance_labels: Sequence[str]) -> list[Week]:
    result = []
    for week in sorted(w for w, counts in weeks.items() if counts.get(("articles",), 0)):
        counts = weeks[week]
        annotators = max(key[1] for key, v in counts.items() if key[0] == "m" and v)
        items = counts.get(("items",), 0)
        totals = {key[1]: v for key, v in counts.items() if key[0] == "total" and v}
        alpha = _alpha(counts, totals, items=items, annotators=annotators)
        if items == 0:
            observed = Score.undefined("no_common_items", annotators=annotators)
        else:
            observed = Score(
                counts.get(("agree",), 0) / counts[("pairs",)], items=items, annotators=annotators
            )
        matched, total = counts.get(("span_matched",), 0), counts.get(("span_total",), 0)
        result.append(
            Week(
                week=week,
                articles=counts[("articles",)],
                stance_alpha=alpha,
                stance_observed=observed,
                span_f1_overlap=(
                    Score(2 * matched / total, items=total, annotators=annotators)
                    if total
                    else Score.undefined("no_spans", annotators=annotators)
                ),
            )
        )
    return result


def _summary(
    stance: LabelMeasures,
    spans: SpanReport,
    claims: ClaimReport,
    *,
    compared: int,
    annotators: int,
) -> list[SummaryRow]:
    """report._summary's rows, in its order."""
    scores = (
        stance.krippendorff_alpha,
        stance.fleiss_kappa,
        stance.cohen_kappa,
        stance.observed_agreement,
    )
    return summary_rows(scores, spans, claims, compared=compared, annotators=annotators)
