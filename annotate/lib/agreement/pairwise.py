"""Span, token and claim tallies of every annotator pair, all articles at once. Pure: no Django.

`span_agreement(compared, ...)` lays the compared articles end to end (batch.py) and, for each
pair of annotators, counts exact and overlap matches per span label, the BIO tag confusion of
entities and of claims, and the attributes of matched claims; per article it counts the
matched and total spans that the lowest-agreement list scores; and it computes
Krippendorff's unitizing alpha of every span label (unitizing.py). report.py turns these
counts into the report.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np

from annotate.lib.agreement import batch, unitizing
from annotate.lib.agreement.claims import ClaimTally
from annotate.lib.agreement.documents import Doc


@dataclass
class PairCounts:
    """Span, token and claim tallies of one annotator pair over the articles both did."""

    articles: int
    exact: np.ndarray  # rows: matched, spans of a, spans of b; one column per span label
    overlap: np.ndarray
    entity_tags: np.ndarray
    claim_tags: np.ndarray
    claims: ClaimTally


@dataclass
class SpanAgreement:
    article_ids: list[int]
    article_matched: np.ndarray
    article_total: np.ndarray
    pairs: dict[tuple[int, int], PairCounts]
    alpha_u: unitizing.UnitizingAlpha  # labels: the entity labels, then the claim label


@dataclass
class _Own:
    """One annotator's spans (indices into the tables), articles and BIO codes."""

    entities: np.ndarray
    claims: np.ndarray
    present: np.ndarray
    entity_tags: batch.Tags
    claim_tags: batch.Tags


@dataclass
class _Tables:
    """The compared documents as columns: their spans, tokens and who wrote them."""

    docs: list[Doc]
    n_articles: int
    n_labels: int
    layout: batch.Layout
    doc_article: np.ndarray
    doc_annotator: np.ndarray
    ent: batch.SpanTable
    clm: batch.SpanTable
    grid: batch.TagGrid
    doc_offset: np.ndarray  # index of each document's first entity in the entity table


def span_agreement(
    compared: Mapping[int, Sequence[Doc]],
    *,
    texts: Mapping[int, str],
    entity_labels: list[str],
    claim_label: str,
) -> SpanAgreement:
    t = _tables(compared, texts=texts, entity_labels=entity_labels)
    own = _annotators(t)
    article_matched = np.zeros(t.n_articles, dtype=np.int64)
    article_total = np.zeros(t.n_articles, dtype=np.int64)
    pairs: dict[tuple[int, int], PairCounts] = {}
    for a, b in combinations(sorted(own), 2):
        counts = _pair_counts(t, own[a], own[b], article_matched, article_total)
        if counts is not None:
            pairs[(a, b)] = counts
    alpha_u = _unitizing_alpha(t, texts, [*entity_labels, claim_label])
    return SpanAgreement(t.layout.article_ids, article_matched, article_total, pairs, alpha_u)


def _tables(
    compared: Mapping[int, Sequence[Doc]], *, texts: Mapping[int, str], entity_labels: list[str]
) -> _Tables:
    article_ids = sorted(compared)
    layout = batch.make_layout(article_ids, texts)
    docs = [d for article in article_ids for d in compared[article]]
    article_index = {a: k for k, a in enumerate(article_ids)}
    doc_article = np.fromiter(
        (article_index[d.article] for d in docs), dtype=np.int64, count=len(docs)
    )
    doc_annotator = np.fromiter((d.annotator for d in docs), dtype=np.int64, count=len(docs))
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
    entity_counts = np.fromiter((len(d.entities) for d in docs), dtype=np.int64, count=len(docs))
    return _Tables(
        docs=docs,
        n_articles=len(article_ids),
        n_labels=len(entity_labels),
        layout=layout,
        doc_article=doc_article,
        doc_annotator=doc_annotator,
        ent=ent,
        clm=clm,
        grid=grid,
        doc_offset=np.cumsum(entity_counts) - entity_counts,
    )


def _annotators(t: _Tables) -> dict[int, _Own]:
    entity_rank = np.arange(max(t.n_labels, 1), dtype=np.int64)
    claim_rank = np.zeros(1, dtype=np.int64)
    ent_annotator = t.doc_annotator[t.ent.doc]
    clm_annotator = t.doc_annotator[t.clm.doc]
    own: dict[int, _Own] = {}
    for annotator in sorted(set(t.doc_annotator.tolist())):
        ent_idx = np.flatnonzero(ent_annotator == annotator)
        clm_idx = np.flatnonzero(clm_annotator == annotator)
        present = np.zeros(t.n_articles, dtype=bool)
        present[t.doc_article[t.doc_annotator == annotator]] = True
        own[annotator] = _Own(
            entities=ent_idx,
            claims=clm_idx,
            present=present,
            entity_tags=batch.annotator_tags(t.grid, t.ent, ent_idx, label_rank=entity_rank),
            claim_tags=batch.annotator_tags(t.grid, t.clm, clm_idx, label_rank=claim_rank),
        )
    return own


def _pair_counts(
    t: _Tables, x: _Own, y: _Own, article_matched: np.ndarray, article_total: np.ndarray
) -> PairCounts | None:
    """One pair's tallies (None when they share no article); adds the pair's matched and
    total spans per article to article_matched and article_total."""
    ent, clm, n_labels, n_articles = t.ent, t.clm, t.n_labels, t.n_articles
    shared = x.present & y.present
    n_shared = int(shared.sum())
    if n_shared == 0:
        return None
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
    n_tags = 1 + 2 * n_labels
    entity_tags = batch.pair_confusion(t.grid, shared, x.entity_tags, y.entity_tags, size=n_tags)
    claim_tags = batch.pair_confusion(t.grid, shared, x.claim_tags, y.claim_tags, size=3)
    claims = _claim_pairs(t.docs, clm, over_ca, over_cb, over_ea, over_eb, t.doc_offset)
    return PairCounts(n_shared, exact, overlap, entity_tags, claim_tags, claims)


def _unitizing_alpha(
    t: _Tables, texts: Mapping[int, str], labels: list[str]
) -> unitizing.UnitizingAlpha:
    """αU of every span label over all compared articles: each article one continuum (its
    text in code points), every annotator of it a coder; claims the last label."""
    ent, clm, layout = t.ent, t.clm, t.layout
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
        doc_continuum=t.doc_article,
        doc_coder=t.doc_annotator,
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
