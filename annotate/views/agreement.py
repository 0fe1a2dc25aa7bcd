"""Agreement pages for managers and reviewers: the dashboard and the side-by-side view.

The dashboard shows the cached AgreementReport of annotate/agreement.py (dataclasses of
annotate/lib/agreement/report.py); the charts are SVG strings built (and escaped) by
annotate/lib/agreement/svg.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language_bidi, gettext_lazy
from django.utils.translation import gettext as _

from annotate.access import LEADS, access_project, article_in_project
from annotate.agreement import MEASURES, project_report, submitted_of_article
from annotate.lib.agreement import svg
from annotate.lib.agreement.report import (
    PRF,
    AgreementReport,
    AlphaU,
    Confusion,
    LabelMeasures,
    Week,
    heat_matrix,
    label_space,
)
from annotate.lib.agreement.score import Score

REASON_TEXT: dict[str, Any] = {
    "one_rater": gettext_lazy("Undefined: fewer than two annotators."),
    "no_common_items": gettext_lazy("Undefined: no item was labelled by two annotators."),
    "no_variation": gettext_lazy(
        "Undefined: every rating uses the same label, so agreement by chance is already 1."
    ),
    "unequal_raters": gettext_lazy(
        "Not shown: items have different numbers of annotators (see Krippendorff's alpha)."
    ),
    "no_spans": gettext_lazy("Undefined: neither annotator marked a span."),
    "no_reference_spans": gettext_lazy("Undefined: the first annotator marked no span."),
    "no_predicted_spans": gettext_lazy("Undefined: the second annotator marked no span."),
    "no_tokens": gettext_lazy("Undefined: no token to compare."),
    "no_matches": gettext_lazy("Undefined: no claim was marked by both annotators."),
}

PALETTE_SIZE = 12


def reason_text(reason: str | None) -> str:
    return str(REASON_TEXT.get(reason or "", "")) if reason else ""


@dataclass(frozen=True)
class SummaryLine:
    key: str
    title: Any
    explanation: Any
    score: Score
    reason_text: str


@dataclass(frozen=True)
class LabelLine:
    label: str
    exact: PRF | None
    overlap: PRF | None
    alpha_u: AlphaU | None
    alpha_u_reason: str


@dataclass(frozen=True)
class TargetLine:
    key: str
    name: str
    measures: LabelMeasures
    alpha_reason: str
    fleiss_reason: str


def summary_lines(report: AgreementReport) -> list[SummaryLine]:
    lines = []
    for row in report.summary:
        title, explanation = MEASURES.get(row.key, (row.key, ""))
        lines.append(
            SummaryLine(row.key, title, explanation, row.score, reason_text(row.score.reason))
        )
    return lines


def label_lines(report: AgreementReport) -> list[LabelLine]:
    """The span labels somebody used, or that have an αU."""
    spans = report.spans
    lines = []
    for label in spans.labels:
        exact = spans.exact.labels.get(label)
        overlap = spans.overlap.labels.get(label)
        alpha_u = spans.alpha_u.labels.get(label)
        if exact or overlap or alpha_u:
            reason = reason_text(alpha_u.score.reason if alpha_u else None)
            lines.append(LabelLine(label, exact, overlap, alpha_u, reason))
    return lines


def target_lines(report: AgreementReport, schema: dict[str, Any]) -> list[TargetLine]:
    return [
        TargetLine(
            key=key,
            name=_target_name(schema, key),
            measures=measures,
            alpha_reason=reason_text(measures.krippendorff_alpha.reason),
            fleiss_reason=reason_text(measures.fleiss_kappa.reason),
        )
        for key, measures in report.stance.targets.items()
    ]


def _pair_choice(request: HttpRequest, ids: list[int]) -> tuple[int | None, int | None]:
    """The two annotators chosen in the form (?a=&b=), or the first two."""

    def pick(name: str, default: int | None) -> int | None:
        try:
            value = int(request.GET.get(name, ""))
        except ValueError:
            return default
        return value if value in ids else default

    a = pick("a", ids[0] if ids else None)
    b = pick("b", ids[1] if len(ids) > 1 else None)
    return a, b


def _confusion(block: Confusion | None, *, flip: bool) -> dict[str, Any] | None:
    if block is None:
        return None
    matrix = block.matrix
    if flip:
        matrix = [list(row) for row in zip(*matrix, strict=True)]
    return {
        "labels": block.labels,
        "rows": [
            {"label": label, "cells": [{"n": n, "same": i == j} for j, n in enumerate(row)]}
            for i, (label, row) in enumerate(zip(block.labels, matrix, strict=True))
        ],
    }


def _heat_maps(report: AgreementReport, *, rtl: bool) -> list[tuple[str, SafeString]]:
    names = [a.name for a in report.annotators]
    return [
        (
            title,
            mark_safe(  # noqa: S308 - svg.py escapes every text it draws
                svg.heat_map(
                    names,
                    heat_matrix(report, measure),
                    title=str(title),
                    rtl=rtl,
                    undefined_text=_("undefined"),
                    self_text=_("same annotator"),
                )
            ),
        )
        for measure, title in (
            ("stance_kappa", _("Stance: Cohen's kappa")),
            ("span_f1_overlap", _("Spans: F1 (overlap)")),
            ("token_kappa", _("Entities: token kappa")),
        )
    ]


def _label_bars(lines: list[LabelLine], *, rtl: bool) -> SafeString | str:
    if not lines:
        return ""
    bars = [(row.label, row.overlap.f1.value if row.overlap else None) for row in lines]
    return mark_safe(  # noqa: S308 - escaped by svg.py
        svg.bar_chart(
            bars, title=_("F1 per label (overlap match)"), rtl=rtl, undefined_text=_("undefined")
        )
    )


def _over_time(weeks: list[Week], *, rtl: bool) -> SafeString | str:
    if not weeks:
        return ""
    return mark_safe(  # noqa: S308 - escaped by svg.py
        svg.line_chart(
            [w.week for w in weeks],
            [
                (_("Stance: Krippendorff's alpha"), [w.stance_alpha.value for w in weeks]),
                (_("Spans: F1 (overlap)"), [w.span_f1_overlap.value for w in weeks]),
            ],
            title=_("Agreement by week of submission"),
            rtl=rtl,
        )
    )


@login_required
def agreement_dashboard(request: HttpRequest, pid: int) -> HttpResponse:
    project = access_project(request.user, pid, roles=LEADS)
    stored = project_report(project)
    report = stored.report
    rtl = get_language_bidi()
    name_of = {a.id: a.name for a in report.annotators}
    a, b = _pair_choice(request, list(name_of))
    pair = report.pair(a, b) if a is not None and b is not None and a != b else None
    flip = a is not None and b is not None and a > b
    span_labels = label_lines(report)
    context = {
        "project": project,
        "report": report,
        "meta": stored.meta,
        "summary": summary_lines(report),
        "heat_maps": _heat_maps(report, rtl=rtl),
        "span_labels": span_labels,
        "label_bars": _label_bars(span_labels, rtl=rtl),
        "targets": target_lines(report, project.schema),
        "annotators": report.annotators,
        "chosen_a": a,
        "chosen_b": b,
        "name_a": name_of.get(a, "") if a is not None else "",
        "name_b": name_of.get(b, "") if b is not None else "",
        "pair": pair,
        "pair_reason": reason_text(pair.stance.cohen_kappa.reason) if pair else "",
        "stance_confusion": _confusion(pair.stance.confusion if pair else None, flip=flip),
        "token_confusion": _confusion(pair.spans.token_confusion if pair else None, flip=flip),
        "same_pair": a is not None and a == b,
        "over_time": _over_time(report.weeks, rtl=rtl),
    }
    return render(request, "annotate/agreement/dashboard.html", context)


def _target_name(schema: dict[str, Any], key: str) -> str:
    for target in schema.get("stance_targets", []):
        if target["key"] == key:
            return target.get("name", key)
    return key


def highlight_segments(
    text: str, spans: list[dict[str, Any]], *, label_index: dict[str, int], claim_label: str
) -> list[dict[str, Any]]:
    """The text cut at every span boundary; each piece says which spans cover it.

    Entity pieces take the colour class of their innermost (shortest) entity span; pieces
    inside a claim are underlined; a piece under two entity spans is marked nested.
    """
    cuts = sorted({0, len(text), *(s["start"] for s in spans), *(s["end"] for s in spans)})
    pieces = []
    for start, end in zip(cuts, cuts[1:], strict=False):
        if start >= end:
            continue
        covering = [s for s in spans if s["start"] <= start and end <= s["end"]]
        entities = sorted(
            (s for s in covering if s["label"] != claim_label), key=lambda s: s["end"] - s["start"]
        )
        in_claim = any(s["label"] == claim_label for s in covering)
        classes = []
        if entities:
            k = label_index.get(entities[0]["label"], 0) % PALETTE_SIZE
            classes += ["hl", f"lab-{k}"]
            if len(entities) > 1:
                classes.append("nested")
        if in_claim:
            classes.append("in-claim")
        pieces.append(
            {
                "text": text[start:end],
                "classes": " ".join(classes),
                "labels": ", ".join(s["label"] for s in covering),
            }
        )
    return pieces


@login_required
def compare_article(request: HttpRequest, pid: int, aid: int) -> HttpResponse:
    """Every submitted annotation of one article side by side over its text (read-only)."""
    project = access_project(request.user, pid, roles=LEADS)
    article = article_in_project(project, aid)
    space = label_space(project.schema)
    labels = [*space.entity_labels, space.claim_label]
    label_index = {label: k for k, label in enumerate(labels)}
    columns = [
        {
            "annotator": name,
            "submitted_at": annotation.submitted_at,
            **_compare_column(
                annotation.content or {},
                text=article.text,
                schema=project.schema,
                label_index=label_index,
                claim_label=space.claim_label,
            ),
        }
        for annotation, name in submitted_of_article(project, article)
    ]
    legend = [{"label": label, "palette": k % PALETTE_SIZE} for k, label in enumerate(labels)]
    context = {
        "project": project,
        "article": article,
        "columns": columns,
        "legend": legend,
        "claim_label": space.claim_label,
    }
    return render(request, "annotate/agreement/compare.html", context)


def _compare_column(
    content: dict[str, Any],
    *,
    text: str,
    schema: dict[str, Any],
    label_index: dict[str, int],
    claim_label: str,
) -> dict[str, Any]:
    """One annotation's stance, highlighted text and span list on the side-by-side page."""
    spans = sorted(
        (s for s in content.get("spans", []) if 0 <= s["start"] < s["end"] <= len(text)),
        key=lambda s: (s["start"], s["end"], s["label"]),
    )
    by_id = {s["id"]: s for s in spans}
    claimant_of = {
        r["from"]: by_id.get(r["to"])
        for r in content.get("relations", [])
        if r.get("type") == "claimant"
    }
    stance = (content.get("document_labels") or {}).get("stance", {})
    return {
        "stance": [
            {"target": _target_name(schema, key), "value": value}
            for key, value in sorted(stance.items())
        ],
        "segments": highlight_segments(
            text, spans, label_index=label_index, claim_label=claim_label
        ),
        "spans": [
            {
                **s,
                "palette": label_index.get(s["label"], 0) % PALETTE_SIZE,
                "covered": text[s["start"] : s["end"]],
                "claimant": (
                    claimant_of[s["id"]]["text"]
                    if claimant_of.get(s["id"])
                    else (s.get("attributes") or {}).get("claimant")
                ),
            }
            for s in spans
        ],
    }
