"""The whole agreement report of a project, built from plain data. Pure: no Django.

`build_report(docs, texts=..., schema=...)` takes the submitted annotations (documents.Doc),
the text of each article and the label schema, and returns one JSON-serialisable dict: a
summary of every measure, the per-pair and per-label details, confusion matrices, the
articles with the lowest agreement and agreement by ISO week. Pages, the REST API and the
management command all show this dict, so they always agree.

Only articles annotated by two or more annotators are compared; each pair of annotators is
compared on the articles both annotated. Krippendorff's unitizing alpha (unitizing.py) takes
all annotators of every compared article at once, per span label and over the entity labels.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import combinations
from typing import Any

import numpy as np

from annotate.lib.agreement import batch, unitizing
from annotate.lib.agreement.claims import UNSET, ClaimTally
from annotate.lib.agreement.documents import Doc
from annotate.lib.agreement.labels import (
    alpha_from_table,
    cohen_kappa,
    label_agreement,
    observed_from_table,
)
from annotate.lib.agreement.score import Score, mean_score
from annotate.lib.agreement.spans import bio_kappa, prf

# Bump when the report's shape or any definition changes: cached reports are then rebuilt.
# 2: Krippendorff's unitizing alpha (summary, spans.alpha_u, claims.alpha_u).
REPORT_FORMAT = 2
LOWEST_ARTICLES = 25


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
    completed: datetime | None = None

    def span_f1(self) -> float | None:
        return 2 * self.span_matched / self.span_total if self.span_total else None

    def stance_observed(self) -> float | None:
        return self.stance_agree / self.stance_pairs if self.stance_pairs else None

    def score(self) -> float | None:
        parts = [x for x in (self.span_f1(), self.stance_observed()) if x is not None]
        return sum(parts) / len(parts) if parts else None


def _iso_week(when: datetime | None) -> str | None:
    if when is None:
        return None
    year, week, _ = when.isocalendar()
    return f"{year}-W{week:02d}"


def _ordered(known: Sequence[str], found: set[str]) -> list[str]:
    return list(dict.fromkeys(known)) + sorted(found - set(known))


def build_report(
    docs: Sequence[Doc],
    *,
    texts: Mapping[int, str],
    schema: Mapping[str, Any],
    annotator_names: Mapping[int, str] | None = None,
    lowest: int = LOWEST_ARTICLES,
) -> dict[str, Any]:
    """Every agreement measure over these submitted annotations (see the module doc)."""
    space = label_space(schema)
    names = dict(annotator_names or {})
    by_article: dict[int, list[Doc]] = defaultdict(list)
    for doc in docs:
        by_article[doc.article].append(doc)
    for group in by_article.values():
        group.sort(key=lambda d: d.annotator)
    compared = {a: g for a, g in by_article.items() if len(g) >= 2}
    annotators = sorted({d.annotator for d in docs})
    compared_annotators = sorted({d.annotator for g in compared.values() for d in g})
    n_ann = len(compared_annotators)

    entity_labels = _ordered(
        space.entity_labels, {s.label for g in compared.values() for d in g for s in d.entities}
    )
    stance_targets = _ordered(
        space.stance_targets, {t for g in by_article.values() for d in g for t in d.stance}
    )

    # Document labels: stance per target, each (article, target) an item.
    pooled: dict[tuple[int, str], dict[int, str]] = {}
    per_target: dict[str, dict[int, dict[int, str]]] = {t: {} for t in stance_targets}
    for article, group in by_article.items():
        for doc in group:
            for target, value in doc.stance.items():
                pooled.setdefault((article, target), {})[doc.annotator] = value
                per_target[target].setdefault(article, {})[doc.annotator] = value
    stance_pooled = label_agreement(pooled, labels=space.stance_values)
    stance_by_target = {
        t: label_agreement(per_target[t], labels=space.stance_values) for t in stance_targets
    }

    # Spans, tokens and claims: all shared articles of a pair at once.
    spans = _span_agreement(
        compared, texts=texts, entity_labels=entity_labels, claim_label=space.claim_label
    )
    articles = []
    for k, article in enumerate(spans.article_ids):
        group = compared[article]
        tally = _ArticleTally(
            article=article,
            annotators=len(group),
            span_matched=int(spans.article_matched[k]),
            span_total=int(spans.article_total[k]),
            completed=max(
                (d.submitted_at for d in group if d.submitted_at is not None), default=None
            ),
        )
        for target in stance_targets:
            values = [d.stance[target] for d in group if target in d.stance]
            for x, y in combinations(values, 2):
                tally.stance_pairs += 1
                tally.stance_agree += x == y
        articles.append(tally)

    span_labels = entity_labels + [space.claim_label]
    n_labels = len(span_labels)
    exact_all = np.zeros((3, n_labels), dtype=np.int64)
    overlap_all = np.zeros((3, n_labels), dtype=np.int64)
    claims_all = ClaimTally()
    token_scores, claim_token_scores = [], []
    stance_kappas, checkworthy_kappas = [], []
    projection = _type_projection(len(entity_labels))
    pair_rows = []
    for (a, b), pt in sorted(spans.pairs.items()):
        exact_all += pt.exact
        overlap_all += pt.overlap
        claims_all.merge(pt.claims)
        token = bio_kappa(pt.entity_tags)
        claim_token = bio_kappa(pt.claim_tags)
        claim_stance = _matched_kappa(pt.claims.stance_a, pt.claims.stance_b)
        checkworthy = _matched_kappa(pt.claims.checkworthy_a, pt.claims.checkworthy_b)
        token_scores.append(token)
        claim_token_scores.append(claim_token)
        stance_kappas.append(claim_stance)
        checkworthy_kappas.append(checkworthy)
        stance_pair = stance_pooled.cohen.get((a, b)) or Score.undefined("no_common_items")
        stance_matrix = stance_pooled.confusion.get((a, b))
        if stance_matrix is None:
            stance_matrix = np.zeros((len(stance_pooled.labels),) * 2, dtype=np.int64)
        pair_rows.append(
            {
                "a": a,
                "b": b,
                "articles": pt.articles,
                "stance": {
                    "cohen_kappa": stance_pair.as_dict(),
                    "confusion": {
                        "labels": stance_pooled.labels,
                        "matrix": stance_matrix.tolist(),
                    },
                },
                "spans": {
                    "exact": _prf_table(pt.exact, span_labels),
                    "overlap": _prf_table(pt.overlap, span_labels),
                    "token_kappa": token.as_dict(),
                    "claim_token_kappa": claim_token.as_dict(),
                    "token_confusion": {
                        "labels": ["O", *entity_labels],
                        "matrix": (projection.T @ pt.entity_tags @ projection).tolist(),
                    },
                },
                "claims": _claims_dict(pt.claims, claim_stance, checkworthy),
            }
        )

    exact_table = _prf_table(exact_all, span_labels, annotators=n_ann)
    overlap_table = _prf_table(overlap_all, span_labels, annotators=n_ann)
    n_compared = len(compared)
    token_mean = mean_score(token_scores, items=n_compared, annotators=n_ann)
    claim_token_mean = mean_score(claim_token_scores, items=n_compared, annotators=n_ann)
    claim_stance_mean = mean_score(stance_kappas, items=claims_all.matched, annotators=n_ann)
    checkworthy_mean = mean_score(checkworthy_kappas, items=claims_all.matched, annotators=n_ann)
    claimant = (
        Score(
            claims_all.claimant_agree / claims_all.matched,
            items=claims_all.matched,
            annotators=n_ann,
        )
        if claims_all.matched
        else Score.undefined("no_matches", annotators=n_ann)
    )
    claim_stance_observed = _observed(claims_all.stance_a, claims_all.stance_b, n_ann)
    claim_overlap = overlap_table["labels"].get(space.claim_label)
    claim_exact = exact_table["labels"].get(space.claim_label)
    no_claims = Score.undefined("no_spans", annotators=n_ann)
    alpha_u = spans.alpha_u
    summary = [
        ("stance.krippendorff_alpha", stance_pooled.alpha),
        ("stance.fleiss_kappa", stance_pooled.fleiss),
        ("stance.cohen_kappa", stance_pooled.cohen_mean),
        ("stance.observed_agreement", stance_pooled.observed),
        ("spans.f1_exact", _score_of(exact_table["micro"]["f1"])),
        ("spans.f1_overlap", _score_of(overlap_table["micro"]["f1"])),
        ("spans.token_kappa", token_mean),
        ("spans.alpha_u", alpha_u.joint_alpha(entity_labels)),
        ("claims.f1_overlap", _score_of(claim_overlap["f1"]) if claim_overlap else no_claims),
        ("claims.token_kappa", claim_token_mean),
        ("claims.alpha_u", alpha_u.label_alpha(space.claim_label)),
        ("claims.claimant_agreement", claimant),
        ("claims.stance_kappa", claim_stance_mean),
        ("claims.checkworthy_kappa", checkworthy_mean),
    ]
    if n_ann < 2:
        one = Score.undefined("one_rater", items=n_compared, annotators=n_ann)
        summary = [(key, one) for key, _ in summary]

    return {
        "format": REPORT_FORMAT,
        "annotators": [
            {
                "id": a,
                "name": names.get(a, str(a)),
                "annotations": sum(1 for d in docs if d.annotator == a),
            }
            for a in annotators
        ],
        "counts": {
            "annotations": len(docs),
            "articles": len(by_article),
            "compared_articles": n_compared,
            "single_annotated_articles": len(by_article) - n_compared,
            "pairs": len(pair_rows),
        },
        "summary": [{"key": key, **score.as_dict()} for key, score in summary],
        "stance": {
            "values": stance_pooled.labels,
            "pooled": stance_pooled.as_dict(),
            "targets": {t: stance_by_target[t].as_dict() for t in stance_targets},
        },
        "spans": {
            "labels": span_labels,
            "exact": exact_table,
            "overlap": overlap_table,
            "token_kappa": token_mean.as_dict(),
            "claim_token_kappa": claim_token_mean.as_dict(),
            "alpha_u": {
                "entities": alpha_u.joint_dict(entity_labels),
                "labels": {
                    label: alpha_u.label_dict(label)
                    for k, label in enumerate(span_labels)
                    if alpha_u.units[k]
                },
            },
        },
        "claims": {
            "label": space.claim_label,
            "exact": claim_exact,
            "overlap": claim_overlap,
            "matched": claims_all.matched,
            "claimant_agreement": claimant.as_dict(),
            "stance_kappa": claim_stance_mean.as_dict(),
            "stance_observed": claim_stance_observed.as_dict(),
            "checkworthy_kappa": checkworthy_mean.as_dict(),
            "alpha_u": alpha_u.label_dict(space.claim_label),
        },
        "pairs": pair_rows,
        "lowest_articles": _lowest(articles, lowest),
        "weeks": _weeks(articles, pooled, stance_pooled.labels),
    }


@dataclass
class _PairSpans:
    """Span, token and claim tallies of one annotator pair over the articles both did."""

    articles: int
    exact: np.ndarray  # rows: matched, spans of a, spans of b; one column per span label
    overlap: np.ndarray
    entity_tags: np.ndarray
    claim_tags: np.ndarray
    claims: ClaimTally


@dataclass
class _SpanAgreement:
    article_ids: list[int]
    article_matched: np.ndarray
    article_total: np.ndarray
    pairs: dict[tuple[int, int], _PairSpans]
    alpha_u: unitizing.UnitizingAlpha  # labels: the entity labels, then the claim label


@dataclass
class _Own:
    """One annotator's spans (indices into the tables), articles and BIO codes."""

    entities: np.ndarray
    claims: np.ndarray
    present: np.ndarray
    entity_tags: batch.Tags
    claim_tags: batch.Tags


def _span_agreement(
    compared: Mapping[int, Sequence[Doc]],
    *,
    texts: Mapping[int, str],
    entity_labels: list[str],
    claim_label: str,
) -> _SpanAgreement:
    article_ids = sorted(compared)
    n_articles = len(article_ids)
    layout = batch.make_layout(article_ids, texts)
    docs = [d for article in article_ids for d in compared[article]]
    article_index = {a: k for k, a in enumerate(article_ids)}
    doc_article = np.fromiter(
        (article_index[d.article] for d in docs), dtype=np.int64, count=len(docs)
    )
    doc_annotator = np.fromiter((d.annotator for d in docs), dtype=np.int64, count=len(docs))
    n_labels = len(entity_labels)
    ent = batch.span_table(
        docs,
        layer="entities",
        doc_article=doc_article,
        layout=layout,
        label_code={lab: k for k, lab in enumerate(entity_labels)},
    )
    # Claims are one label whatever they are called.
    clm = batch.span_table(
        docs, layer="claims", doc_article=doc_article, layout=layout, label_code=defaultdict(int)
    )
    grid = batch.make_grid(batch.global_tokens(layout, texts), layout, [ent, clm])
    entity_rank = np.arange(max(n_labels, 1), dtype=np.int64)
    claim_rank = np.zeros(1, dtype=np.int64)
    ent_annotator = doc_annotator[ent.doc]
    clm_annotator = doc_annotator[clm.doc]
    entity_counts = np.fromiter((len(d.entities) for d in docs), dtype=np.int64, count=len(docs))
    doc_offset = np.cumsum(entity_counts) - entity_counts

    own: dict[int, _Own] = {}
    for annotator in sorted(set(doc_annotator.tolist())):
        ent_idx = np.flatnonzero(ent_annotator == annotator)
        clm_idx = np.flatnonzero(clm_annotator == annotator)
        present = np.zeros(n_articles, dtype=bool)
        present[doc_article[doc_annotator == annotator]] = True
        own[annotator] = _Own(
            entities=ent_idx,
            claims=clm_idx,
            present=present,
            entity_tags=batch.annotator_tags(grid, ent, ent_idx, label_rank=entity_rank),
            claim_tags=batch.annotator_tags(grid, clm, clm_idx, label_rank=claim_rank),
        )

    article_matched = np.zeros(n_articles, dtype=np.int64)
    article_total = np.zeros(n_articles, dtype=np.int64)
    pairs: dict[tuple[int, int], _PairSpans] = {}
    n_tags = 1 + 2 * n_labels
    for a, b in combinations(sorted(own), 2):
        x, y = own[a], own[b]
        shared = x.present & y.present
        n_shared = int(shared.sum())
        if n_shared == 0:
            continue
        ia = x.entities[shared[ent.article[x.entities]]]
        ib = y.entities[shared[ent.article[y.entities]]]
        ca = x.claims[shared[clm.article[x.claims]]]
        cb = y.claims[shared[clm.article[y.claims]]]
        counts_a = np.append(np.bincount(ent.label[ia], minlength=n_labels), len(ca))
        counts_b = np.append(np.bincount(ent.label[ib], minlength=n_labels), len(cb))
        exact_e, _ = batch.exact_pairs(ent, ia, ib)
        exact_c, _ = batch.exact_pairs(clm, ca, cb)
        over_ea, over_eb = batch.overlap_pairs(ent, ia, ib)
        over_ca, over_cb = batch.overlap_pairs(clm, ca, cb)
        exact_matched = np.bincount(ent.label[exact_e], minlength=n_labels)
        overlap_matched = np.bincount(ent.label[over_ea], minlength=n_labels)
        exact = np.vstack((np.append(exact_matched, len(exact_c)), counts_a, counts_b))
        overlap = np.vstack((np.append(overlap_matched, len(over_ca)), counts_a, counts_b))
        for table, idx in ((ent, over_ea), (clm, over_ca)):
            article_matched += np.bincount(table.article[idx], minlength=n_articles)
        for table, idx in ((ent, ia), (ent, ib), (clm, ca), (clm, cb)):
            article_total += np.bincount(table.article[idx], minlength=n_articles)
        entity_tags = batch.pair_confusion(grid, shared, x.entity_tags, y.entity_tags, size=n_tags)
        claim_tags = batch.pair_confusion(grid, shared, x.claim_tags, y.claim_tags, size=3)
        claims = _claim_pairs(docs, clm, over_ca, over_cb, over_ea, over_eb, doc_offset)
        pairs[(a, b)] = _PairSpans(n_shared, exact, overlap, entity_tags, claim_tags, claims)
    alpha_u = _unitizing_alpha(
        ent, clm, layout, doc_article, doc_annotator, texts, [*entity_labels, claim_label]
    )
    return _SpanAgreement(article_ids, article_matched, article_total, pairs, alpha_u)


def _unitizing_alpha(
    ent: batch.SpanTable,
    clm: batch.SpanTable,
    layout: batch.Layout,
    doc_article: np.ndarray,
    doc_annotator: np.ndarray,
    texts: Mapping[int, str],
    labels: list[str],
) -> unitizing.UnitizingAlpha:
    """αU of every span label over all compared articles: each article one continuum (its
    text in code points), every annotator of it a coder; claims the last label."""
    n_entity_labels = len(labels) - 1
    article = np.concatenate((ent.article, clm.article))
    base = layout.base[article] if len(article) else np.zeros(0, dtype=np.int64)
    units = unitizing.UnitTable(
        doc=np.concatenate((ent.doc, clm.doc)),
        label=np.concatenate((ent.label, clm.label + n_entity_labels)),
        start=np.concatenate((ent.start, clm.start)) - base,
        end=np.concatenate((ent.end, clm.end)) - base,
    )
    lengths = np.fromiter(
        (len(texts.get(a, "")) for a in layout.article_ids),
        dtype=np.int64,
        count=len(layout.article_ids),
    )
    return unitizing.unitizing_alpha_columns(
        units,
        doc_continuum=doc_article,
        doc_coder=doc_annotator,
        lengths=lengths,
        labels=labels,
    )


def _claim_pairs(
    docs: Sequence[Doc],
    clm: batch.SpanTable,
    claims_a: np.ndarray,
    claims_b: np.ndarray,
    ents_a: np.ndarray,
    ents_b: np.ndarray,
    doc_offset: np.ndarray,
) -> ClaimTally:
    """Compare the attributes of matched claims (global indices into the claim table)."""
    tally = ClaimTally()
    entity_match: dict[int, int] | None = None
    for i, j in zip(claims_a.tolist(), claims_b.tolist(), strict=True):
        doc_a, doc_b = int(clm.doc[i]), int(clm.doc[j])
        info_a = docs[doc_a].claim_info[int(clm.local[i])]
        info_b = docs[doc_b].claim_info[int(clm.local[j])]
        matched = False
        if info_a.claimant_span is not None and info_b.claimant_span is not None:
            if entity_match is None:
                entity_match = dict(zip(ents_a.tolist(), ents_b.tolist(), strict=True))
            ent_a = _entity_index(docs[doc_a], info_a.claimant_span, int(doc_offset[doc_a]))
            ent_b = _entity_index(docs[doc_b], info_b.claimant_span, int(doc_offset[doc_b]))
            matched = ent_a is not None and ent_b is not None and entity_match.get(ent_a) == ent_b
        tally.add(info_a, info_b, claimants_matched=matched)
    return tally


def _entity_index(doc: Doc, span_id: str, offset: int) -> int | None:
    """Global entity-table index of the span with this id in doc, if any."""
    for k, span in enumerate(doc.entities):
        if span.id == span_id:
            return offset + k
    return None


def _type_projection(n_labels: int) -> np.ndarray:
    """Maps BIO tag codes to entity types: O -> 0, B-k and I-k -> k + 1."""
    projection = np.zeros((1 + 2 * n_labels, 1 + n_labels), dtype=np.int64)
    projection[0, 0] = 1
    for k in range(n_labels):
        projection[2 * k + 1, k + 1] = 1
        projection[2 * k + 2, k + 1] = 1
    return projection


def _prf_table(counts: np.ndarray, labels: Sequence[str], *, annotators: int = 2) -> dict[str, Any]:
    """P/R/F1 per label (labels either annotator used) and micro-averaged over labels."""
    matched, a_count, b_count = (row.tolist() for row in counts)
    return {
        "micro": prf(sum(matched), sum(a_count), sum(b_count), annotators=annotators).as_dict(),
        "labels": {
            label: prf(matched[k], a_count[k], b_count[k], annotators=annotators).as_dict()
            for k, label in enumerate(labels)
            if a_count[k] or b_count[k]
        },
    }


def _score_of(data: Mapping[str, Any]) -> Score:
    return Score(
        data["value"],
        items=data["items"],
        annotators=data["annotators"],
        reason=data["reason"] or "",
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


def _claims_dict(tally: ClaimTally, stance: Score, checkworthy: Score) -> dict[str, Any]:
    claimant = (
        Score(tally.claimant_agree / tally.matched, items=tally.matched)
        if tally.matched
        else Score.undefined("no_matches")
    )
    return {
        "matched": tally.matched,
        "claimant_agreement": claimant.as_dict(),
        "stance_kappa": stance.as_dict(),
        "checkworthy_kappa": checkworthy.as_dict(),
        "unset": UNSET,
    }


def _lowest(articles: list[_ArticleTally], limit: int) -> list[dict[str, Any]]:
    scored = [t for t in articles if t.score() is not None]
    scored.sort(key=lambda t: (t.score(), t.article))
    return [
        {
            "article": t.article,
            "annotators": t.annotators,
            "score": t.score(),
            "span_f1_overlap": t.span_f1(),
            "stance_observed": t.stance_observed(),
        }
        for t in scored[:limit]
    ]


def _weeks(
    articles: list[_ArticleTally],
    pooled: Mapping[tuple[int, str], Mapping[int, str]],
    stance_labels: list[str],
) -> list[dict[str, Any]]:
    """Agreement of the articles completed (last submission) in each ISO week."""
    week_of = {t.article: _iso_week(t.completed) for t in articles}
    weeks = sorted({w for w in week_of.values() if w is not None})
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
    for week in weeks:
        group = [t for t in articles if week_of[t.article] == week]
        annotators = max(t.annotators for t in group)
        table = np.array(rows_by_week.get(week, []), dtype=np.int64).reshape(-1, len(stance_labels))
        matched = sum(t.span_matched for t in group)
        total = sum(t.span_total for t in group)
        f1 = (
            Score(2 * matched / total, items=total, annotators=annotators)
            if total
            else Score.undefined("no_spans", annotators=annotators)
        )
        result.append(
            {
                "week": week,
                "articles": len(group),
                "stance_alpha": alpha_from_table(table, annotators=annotators).as_dict(),
                "stance_observed": observed_from_table(table, annotators=annotators).as_dict(),
                "span_f1_overlap": f1.as_dict(),
            }
        )
    return result


# Per-pair values that the annotator x annotator heat maps can show.
HEAT_MEASURES: dict[str, tuple[str, ...]] = {
    "stance_kappa": ("stance", "cohen_kappa"),
    "span_f1_overlap": ("spans", "overlap", "micro", "f1"),
    "span_f1_exact": ("spans", "exact", "micro", "f1"),
    "token_kappa": ("spans", "token_kappa"),
}


def heat_matrix(report: Mapping[str, Any], measure: str) -> list[list[float | None]]:
    """Annotator x annotator values of one per-pair measure (None: undefined or no overlap).

    The diagonal is None: an annotator is not compared with themself.
    """
    path = HEAT_MEASURES[measure]
    ids = [a["id"] for a in report["annotators"]]
    pos = {a: i for i, a in enumerate(ids)}
    matrix: list[list[float | None]] = [[None] * len(ids) for _ in ids]
    for row in report["pairs"]:
        node: Any = row
        for key in path:
            node = node[key]
        i, j = pos[row["a"]], pos[row["b"]]
        matrix[i][j] = matrix[j][i] = node["value"]
    return matrix
