"""Agreement pages for managers and reviewers: the dashboard and the side-by-side view.

Both read the cached report of annotate/agreement.py; the charts are SVG strings
built (and escaped) by annotate/lib/agreement/svg.py.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.utils.translation import get_language_bidi, gettext_lazy
from django.utils.translation import gettext as _

from annotate.access import LEADS, access_project, article_in_project
from annotate.agreement import agreement_report
from annotate.lib.agreement import svg
from annotate.lib.agreement.report import heat_matrix, label_space
from annotate.models import Annotation, AnnotationStatus

# Title and one-line explanation of each summary measure (keys of report["summary"]).
MEASURES: dict[str, tuple[Any, Any]] = {
    "stance.krippendorff_alpha": (
        gettext_lazy("Stance: Krippendorff's alpha"),
        gettext_lazy(
            "Agreement on stance labels beyond chance, over every article and target; "
            "1 is perfect, 0 is chance, missing labels allowed."
        ),
    ),
    "stance.fleiss_kappa": (
        gettext_lazy("Stance: Fleiss' kappa"),
        gettext_lazy(
            "Chance-corrected agreement of all annotators at once; needs the same number of "
            "annotators on every item."
        ),
    ),
    "stance.cohen_kappa": (
        gettext_lazy("Stance: Cohen's kappa (mean of pairs)"),
        gettext_lazy(
            "Chance-corrected agreement of each pair of annotators on the items both "
            "labelled, averaged over the pairs."
        ),
    ),
    "stance.observed_agreement": (
        gettext_lazy("Stance: observed agreement"),
        gettext_lazy(
            "Share of pairs of annotators who gave an article the same stance towards a "
            "target (not corrected for chance)."
        ),
    ),
    "spans.f1_exact": (
        gettext_lazy("Spans: F1, exact match"),
        gettext_lazy(
            "How often two annotators marked exactly the same span with the same label "
            "(start, end and label equal)."
        ),
    ),
    "spans.f1_overlap": (
        gettext_lazy("Spans: F1, overlap match"),
        gettext_lazy(
            "Like exact match, but spans with the same label that share any character count "
            "as the same mention (paired one to one)."
        ),
    ),
    "spans.token_kappa": (
        gettext_lazy("Entities: token-level kappa"),
        gettext_lazy(
            "Cohen's kappa over the BIO tag of every token (words split at span boundaries), "
            "averaged over pairs; corrects for the many untagged tokens."
        ),
    ),
    "spans.alpha_u": (
        gettext_lazy("Entities: Krippendorff's unitizing alpha (αU)"),
        gettext_lazy(
            "All annotators at once: how far their entity spans differ in where they begin and "
            "end, and in what they leave unmarked, counted in characters against chance; 1 is "
            "perfect, 0 is chance."
        ),
    ),
    "claims.f1_overlap": (
        gettext_lazy("Claims: F1, overlap match"),
        gettext_lazy("How often two annotators marked the same claim (sharing characters)."),
    ),
    "claims.token_kappa": (
        gettext_lazy("Claims: token-level kappa"),
        gettext_lazy("Cohen's kappa over in-claim / outside-claim tags of every token."),
    ),
    "claims.alpha_u": (
        gettext_lazy("Claims: Krippendorff's unitizing alpha (αU)"),
        gettext_lazy(
            "The same for claims: how closely the stretches of text all annotators marked as "
            "claims coincide, against chance."
        ),
    ),
    "claims.claimant_agreement": (
        gettext_lazy("Claims: same claimant"),
        gettext_lazy(
            "Among claims both annotators marked, the share with the same claimant (the same "
            "entity mention, the author, or unattributed)."
        ),
    ),
    "claims.stance_kappa": (
        gettext_lazy("Claims: stance towards the claim (kappa)"),
        gettext_lazy(
            "Chance-corrected agreement on supports / refutes / reports for claims both "
            "annotators marked."
        ),
    ),
    "claims.checkworthy_kappa": (
        gettext_lazy("Claims: check-worthiness (kappa)"),
        gettext_lazy("Chance-corrected agreement on check-worthy yes / no for matched claims."),
    ),
}

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


def summary_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for entry in report["summary"]:
        title, explanation = MEASURES.get(entry["key"], (entry["key"], ""))
        rows.append(
            {
                **entry,
                "title": title,
                "explanation": explanation,
                "reason_text": reason_text(entry["reason"]),
            }
        )
    return rows


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


def _confusion(pair: dict[str, Any] | None, key: str, *, flip: bool) -> dict[str, Any] | None:
    if pair is None:
        return None
    data = pair[key] if key == "stance" else pair["spans"]
    block = data["confusion"] if key == "stance" else data["token_confusion"]
    matrix = block["matrix"]
    if flip:
        matrix = [list(row) for row in zip(*matrix, strict=True)]
    labels = block["labels"]
    return {
        "labels": labels,
        "rows": [
            {"label": label, "cells": [{"n": n, "same": i == j} for j, n in enumerate(row)]}
            for i, (label, row) in enumerate(zip(labels, matrix, strict=True))
        ],
    }


@login_required
def agreement_dashboard(request: HttpRequest, pid: int) -> HttpResponse:
    project = access_project(request.user, pid, roles=LEADS)
    report = agreement_report(project)
    rtl = get_language_bidi()
    names = [a["name"] for a in report["annotators"]]
    ids = [a["id"] for a in report["annotators"]]
    name_of = dict(zip(ids, names, strict=True))
    undefined = _("undefined")
    heat_maps = [
        (
            title,
            mark_safe(  # noqa: S308 - svg.py escapes every text it draws
                svg.heat_map(
                    names,
                    heat_matrix(report, measure),
                    title=str(title),
                    rtl=rtl,
                    undefined_text=undefined,
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
    span_labels = []
    alpha_u = report["spans"]["alpha_u"]["labels"]
    for label in report["spans"]["labels"]:
        exact = report["spans"]["exact"]["labels"].get(label)
        overlap = report["spans"]["overlap"]["labels"].get(label)
        if exact or overlap or label in alpha_u:
            span_labels.append(
                {
                    "label": label,
                    "exact": exact,
                    "overlap": overlap,
                    "alpha_u": alpha_u.get(label),
                    "alpha_u_reason": reason_text((alpha_u.get(label) or {}).get("reason")),
                }
            )
    label_bars = (
        mark_safe(  # noqa: S308 - escaped by svg.py
            svg.bar_chart(
                [
                    (row["label"], row["overlap"]["f1"]["value"] if row["overlap"] else None)
                    for row in span_labels
                ],
                title=_("F1 per label (overlap match)"),
                rtl=rtl,
                undefined_text=undefined,
            )
        )
        if span_labels
        else ""
    )
    targets = [
        {
            "key": key,
            "name": _target_name(project.schema, key),
            **data,
            "alpha_reason": reason_text(data["krippendorff_alpha"]["reason"]),
            "fleiss_reason": reason_text(data["fleiss_kappa"]["reason"]),
        }
        for key, data in report["stance"]["targets"].items()
    ]
    a, b = _pair_choice(request, ids)
    pair = None
    if a is not None and b is not None and a != b:
        lo, hi = sorted((a, b))
        pair = next((p for p in report["pairs"] if (p["a"], p["b"]) == (lo, hi)), None)
    flip = a is not None and b is not None and a > b
    weeks = report["weeks"]
    over_time = ""
    if weeks:
        over_time = mark_safe(  # noqa: S308 - escaped by svg.py
            svg.line_chart(
                [w["week"] for w in weeks],
                [
                    (
                        _("Stance: Krippendorff's alpha"),
                        [w["stance_alpha"]["value"] for w in weeks],
                    ),
                    (_("Spans: F1 (overlap)"), [w["span_f1_overlap"]["value"] for w in weeks]),
                ],
                title=_("Agreement by week of submission"),
                rtl=rtl,
            )
        )
    context = {
        "project": project,
        "report": report,
        "summary": summary_rows(report),
        "heat_maps": heat_maps,
        "span_labels": span_labels,
        "label_bars": label_bars,
        "targets": targets,
        "annotators": report["annotators"],
        "chosen_a": a,
        "chosen_b": b,
        "name_a": name_of.get(a, ""),
        "name_b": name_of.get(b, ""),
        "pair": pair,
        "pair_reason": (reason_text(pair["stance"]["cohen_kappa"]["reason"]) if pair else ""),
        "stance_confusion": _confusion(pair, "stance", flip=flip),
        "token_confusion": _confusion(pair, "spans", flip=flip),
        "same_pair": a is not None and a == b,
        "over_time": over_time,
        "weeks": weeks,
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
    annotations = list(
        Annotation.objects.filter(
            project=project, article=article, status=AnnotationStatus.SUBMITTED
        ).order_by("annotator_id")
    )
    users = dict(
        get_user_model()
        .objects.filter(id__in=[a.annotator_id for a in annotations])
        .values_list("id", "username")
    )
    columns = []
    for annotation in annotations:
        content = annotation.content or {}
        spans = sorted(
            (
                s
                for s in content.get("spans", [])
                if 0 <= s["start"] < s["end"] <= len(article.text)
            ),
            key=lambda s: (s["start"], s["end"], s["label"]),
        )
        by_id = {s["id"]: s for s in spans}
        claimant_of = {
            r["from"]: by_id.get(r["to"])
            for r in content.get("relations", [])
            if r.get("type") == "claimant"
        }
        columns.append(
            {
                "annotator": users.get(annotation.annotator_id, str(annotation.annotator_id)),
                "submitted_at": annotation.submitted_at,
                "stance": [
                    {"target": _target_name(project.schema, key), "value": value}
                    for key, value in sorted(
                        (content.get("document_labels") or {}).get("stance", {}).items()
                    )
                ],
                "segments": highlight_segments(
                    article.text, spans, label_index=label_index, claim_label=space.claim_label
                ),
                "spans": [
                    {
                        **s,
                        "palette": label_index.get(s["label"], 0) % PALETTE_SIZE,
                        "covered": article.text[s["start"] : s["end"]],
                        "claimant": (
                            claimant_of[s["id"]]["text"]
                            if claimant_of.get(s["id"])
                            else (s.get("attributes") or {}).get("claimant")
                        ),
                    }
                    for s in spans
                ],
            }
        )
    legend = [{"label": label, "palette": k % PALETTE_SIZE} for k, label in enumerate(labels)]
    context = {
        "project": project,
        "article": article,
        "columns": columns,
        "legend": legend,
        "claim_label": space.claim_label,
    }
    return render(request, "annotate/agreement/compare.html", context)
