"""Agreement pages for managers and reviewers: the dashboard and the side-by-side view.

The dashboard shows the cached AgreementReport of annotate/agreement.py (dataclasses of
annotate/lib/agreement/report.py); the charts are SVG strings built (and escaped) by
annotate/lib/agreement/svg.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language_bidi, gettext_lazy, ngettext
from django.utils.translation import gettext as _

from annotate.access import LEADS, access_project, article_in_project
from annotate.agreement import (
    MEASURES,
    ArticleSubmissions,
    assembled_report,
    compared_submissions,
    submitted_of_article,
)
from annotate.lib.agreement import svg
from annotate.lib.agreement.differences import KINDS, Difference, differences, parse_span_id
from annotate.lib.agreement.documents import doc_from_content
from annotate.lib.agreement.evidence import ArticleAgreement, article_agreement, token_runs
from annotate.lib.agreement.report import (
    PRF,
    AgreementReport,
    AlphaU,
    Confusion,
    LabelMeasures,
    Week,
    heat_matrix,
    label_space,
    pairs_behind,
    target_pairs,
)
from annotate.lib.agreement.score import PairAccount, Score
from annotate.lib.merge import Submission, merge
from annotate.models import Project

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
PAGE_SIZE = 50

KIND_TEXT: dict[str, Any] = {
    "missing_span": gettext_lazy("Missing span"),
    "boundary": gettext_lazy("Different boundary"),
    "label": gettext_lazy("Different label"),
    "claimant": gettext_lazy("Different claimant"),
    "checkworthy": gettext_lazy("Different check-worthiness"),
    "claim_stance": gettext_lazy("Different stance towards the claim"),
    "stance": gettext_lazy("Different stance"),
}
SPAN_KINDS = ("missing_span", "boundary", "label")


def kind_count_text(kind: str, n: int) -> str:
    """ "2 missing spans", "1 different claimant", ... in the page's language."""
    if kind == "missing_span":
        text = ngettext("%(n)d missing span", "%(n)d missing spans", n)
    elif kind == "boundary":
        text = ngettext("%(n)d different boundary", "%(n)d different boundaries", n)
    elif kind == "label":
        text = ngettext("%(n)d different label", "%(n)d different labels", n)
    elif kind == "claimant":
        text = ngettext("%(n)d different claimant", "%(n)d different claimants", n)
    elif kind == "checkworthy":
        text = ngettext(
            "%(n)d different check-worthiness", "%(n)d different check-worthiness answers", n
        )
    elif kind == "claim_stance":
        text = ngettext(
            "%(n)d different stance towards a claim", "%(n)d different stances towards claims", n
        )
    else:
        text = ngettext(
            "%(n)d different stance towards a target",
            "%(n)d different stances towards targets",
            n,
        )
    return text % {"n": n}


def kind_counts_text(counts: Mapping[str, int]) -> str:
    """Every kind's count in words, joined (e.g. "1 missing span; 2 different claimants")."""
    return "; ".join(kind_count_text(kind, n) for kind, n in counts.items())


CLAIM_KINDS = ("claimant", "checkworthy", "claim_stance")

# The differences behind each summary measure (the door of its number).
MEASURE_KINDS: dict[str, tuple[str, ...]] = {
    "stance.krippendorff_alpha": ("stance",),
    "stance.fleiss_kappa": ("stance",),
    "stance.cohen_kappa": ("stance",),
    "stance.observed_agreement": ("stance",),
    "spans.f1_exact": SPAN_KINDS,
    "spans.f1_overlap": SPAN_KINDS,
    "spans.token_kappa": SPAN_KINDS,
    "spans.alpha_u": SPAN_KINDS,
    "claims.f1_overlap": SPAN_KINDS,
    "claims.token_kappa": SPAN_KINDS,
    "claims.alpha_u": SPAN_KINDS,
    "claims.claimant_agreement": ("claimant",),
    "claims.stance_kappa": ("claim_stance",),
    "claims.checkworthy_kappa": ("checkworthy",),
}
CLAIM_MEASURES = ("claims.f1_overlap", "claims.token_kappa", "claims.alpha_u")
HEAT_KINDS = {"stance_kappa": ("stance",), "span_f1_overlap": SPAN_KINDS, "token_kappa": SPAN_KINDS}


def reason_text(reason: str | None) -> str:
    return str(REASON_TEXT.get(reason or "", "")) if reason else ""


@dataclass(frozen=True)
class PairsNote:
    """How many pairs a mean over pairs stands on, and the undefined ones with reasons."""

    pairs: int
    defined: int
    undefined: list[tuple[str, str]]  # ("amal × chadi", why)

    @property
    def text(self) -> str:
        return ngettext(
            "Mean of %(defined)d of %(pairs)d pair.",
            "Mean of %(defined)d of %(pairs)d pairs.",
            self.pairs,
        ) % {"defined": self.defined, "pairs": self.pairs}


def pairs_note(account: PairAccount | None, names: Mapping[int, str]) -> PairsNote | None:
    if account is None:
        return None
    return PairsNote(
        pairs=account.pairs,
        defined=account.defined,
        undefined=[
            (f"{names.get(u.a, u.a)} × {names.get(u.b, u.b)}", reason_text(u.reason))
            for u in account.undefined
        ],
    )


@dataclass(frozen=True)
class SummaryLine:
    key: str
    title: Any
    explanation: Any
    score: Score
    reason_text: str
    door: str = ""
    pairs: PairsNote | None = None


@dataclass(frozen=True)
class LabelLine:
    label: str
    exact: PRF | None
    overlap: PRF | None
    alpha_u: AlphaU | None
    alpha_u_reason: str
    door: str = ""


@dataclass(frozen=True)
class TargetLine:
    key: str
    name: str
    measures: LabelMeasures
    alpha_reason: str
    fleiss_reason: str
    door: str = ""
    pairs: PairsNote | None = None


def door(project: Project, **params: Any) -> str:
    """The page of the articles and spans behind a number, for these filters."""
    query = {k: v for k, v in params.items() if v not in (None, "", ())}
    return reverse("annotate:agreement-articles", args=[project.pk]) + (
        "?" + urlencode(query, doseq=True) if query else ""
    )


def summary_lines(report: AgreementReport, project: Project | None = None) -> list[SummaryLine]:
    names = {a.id: a.name for a in report.annotators}
    claim = report.claims.label
    lines = []
    for row in report.summary:
        title, explanation = MEASURES.get(row.key, (row.key, ""))
        link = ""
        if project is not None:
            label = claim if row.key in CLAIM_MEASURES else None
            link = door(project, kind=MEASURE_KINDS.get(row.key, ()), label=label)
        lines.append(
            SummaryLine(
                row.key,
                title,
                explanation,
                row.score,
                reason_text(row.score.reason),
                door=link,
                pairs=pairs_note(pairs_behind(report, row.key), names),
            )
        )
    return lines


def label_lines(report: AgreementReport, project: Project | None = None) -> list[LabelLine]:
    """The span labels somebody used, or that have an αU."""
    spans = report.spans
    lines = []
    for label in spans.labels:
        exact = spans.exact.labels.get(label)
        overlap = spans.overlap.labels.get(label)
        alpha_u = spans.alpha_u.labels.get(label)
        if exact or overlap or alpha_u:
            reason = reason_text(alpha_u.score.reason if alpha_u else None)
            link = door(project, label=label) if project is not None else ""
            lines.append(LabelLine(label, exact, overlap, alpha_u, reason, link))
    return lines


def target_lines(
    report: AgreementReport, schema: dict[str, Any], project: Project | None = None
) -> list[TargetLine]:
    names = {a.id: a.name for a in report.annotators}
    return [
        TargetLine(
            key=key,
            name=_target_name(schema, key),
            measures=measures,
            alpha_reason=reason_text(measures.krippendorff_alpha.reason),
            fleiss_reason=reason_text(measures.fleiss_kappa.reason),
            door=door(project, kind="stance", target=key) if project is not None else "",
            pairs=pairs_note(target_pairs(measures), names),
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


def _confusion(block: Confusion | None, *, flip: bool, link: Any = None) -> dict[str, Any] | None:
    """Rows and cells of a confusion table; `link(row label, column label)` gives each
    non-empty cell its door."""
    if block is None:
        return None
    matrix = block.matrix
    if flip:
        matrix = [list(row) for row in zip(*matrix, strict=True)]
    labels = block.labels
    return {
        "labels": labels,
        "rows": [
            {
                "label": label,
                "cells": [
                    {
                        "n": n,
                        "same": i == j,
                        "door": link(label, labels[j]) if link and n else "",
                    }
                    for j, n in enumerate(row)
                ],
            }
            for i, (label, row) in enumerate(zip(labels, matrix, strict=True))
        ],
    }


def _heat_maps(
    report: AgreementReport, *, rtl: bool, project: Project
) -> list[tuple[str, SafeString]]:
    names = [a.name for a in report.annotators]
    ids = [a.id for a in report.annotators]
    shared = {(p.a, p.b) for p in report.pairs} | {(p.b, p.a) for p in report.pairs}

    def links(measure: str) -> list[list[str | None]]:
        return [
            [
                door(project, a=x, b=y, kind=HEAT_KINDS[measure]) if (x, y) in shared else None
                for y in ids
            ]
            for x in ids
        ]

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
                    links=links(measure),
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
    stored = assembled_report(project)
    report = stored.report
    rtl = get_language_bidi()
    name_of = {a.id: a.name for a in report.annotators}
    a, b = _pair_choice(request, list(name_of))
    pair = report.pair(a, b) if a is not None and b is not None and a != b else None
    flip = a is not None and b is not None and a > b
    span_labels = label_lines(report, project)

    def cell_door(kind: str) -> Any:
        if pair is None:
            return None
        return lambda x, y: door(project, a=a, b=b, cell=kind, x=x, y=y)

    context = {
        "project": project,
        "report": report,
        "meta": stored.meta,
        "pending": stored.pending,
        "built_at": stored.built_at,
        "summary": summary_lines(report, project),
        "heat_maps": _heat_maps(report, rtl=rtl, project=project),
        "span_labels": span_labels,
        "label_bars": _label_bars(span_labels, rtl=rtl),
        "targets": target_lines(report, project.schema, project),
        "annotators": report.annotators,
        "chosen_a": a,
        "chosen_b": b,
        "name_a": name_of.get(a, "") if a is not None else "",
        "name_b": name_of.get(b, "") if b is not None else "",
        "pair": pair,
        "pair_reason": reason_text(pair.stance.cohen_kappa.reason) if pair else "",
        "stance_confusion": _confusion(
            pair.stance.confusion if pair else None, flip=flip, link=cell_door("stance")
        ),
        "token_confusion": _confusion(
            pair.spans.token_confusion if pair else None, flip=flip, link=cell_door("tokens")
        ),
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
    text: str,
    spans: list[dict[str, Any]],
    *,
    label_index: dict[str, int],
    claim_label: str,
    kind_of: Mapping[tuple[int, int, str], str] | None = None,
) -> list[dict[str, Any]]:
    """The text cut at every span boundary; each piece says which spans cover it.

    Entity pieces take the colour class of their innermost (shortest) entity span; pieces
    inside a claim are underlined; a piece under two entity spans is marked nested. With
    `kind_of` ((start, end, label) -> kind of difference), a piece under a span the
    annotators differ on is marked "diff diff-<kind>" (the innermost such span's kind).
    """
    kind_of = kind_of or {}
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
        kinds = [
            kind
            for s in sorted(covering, key=lambda s: s["end"] - s["start"])
            if (kind := kind_of.get((s["start"], s["end"], s["label"])))
        ]
        if kinds:
            classes += ["diff", f"diff-{kinds[0]}"]
        pieces.append(
            {
                "text": text[start:end],
                "classes": " ".join(classes),
                "labels": ", ".join(s["label"] for s in covering),
                "kind": str(KIND_TEXT[kinds[0]]) if kinds else "",
            }
        )
    return pieces


@login_required
def compare_article(request: HttpRequest, pid: int, aid: int) -> HttpResponse:
    """Submitted annotations of one article side by side over its text (read-only), with
    what they differ on highlighted and listed, each difference linked to its decision."""
    project = access_project(request.user, pid, roles=LEADS)
    article = article_in_project(project, aid)
    space = label_space(project.schema)
    labels = [*space.entity_labels, space.claim_label]
    label_index = {label: k for k, label in enumerate(labels)}
    annotations = submitted_of_article(project, article)
    ids = [annotation.annotator_id for annotation, _name in annotations]
    chosen = _chosen_pair(request, ids)
    if chosen is not None:
        annotations = [(an, name) for an, name in annotations if an.annotator_id in chosen]
    subs = [Submission(name, annotation.content or {}) for annotation, name in annotations]
    merged = merge(subs, claim_label=space.claim_label)
    found = differences(merged, subs, claim_label=space.claim_label)
    values = {
        d["id"]: {_option_text(o["value"], article.text): o["annotators"] for o in d["options"]}
        for d in merged["decisions"]
    }
    kind_of: dict[tuple[int, int, str], str] = {}
    for diff in found:
        if diff.start is not None and diff.end is not None and diff.label:
            kind_of.setdefault((diff.start, diff.end, diff.label), diff.kind)
    stance_kinds = {d.target for d in found if d.kind == "stance"}
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
                kind_of=kind_of,
                differing_targets=stance_kinds,
            ),
        }
        for annotation, name in annotations
    ]
    legend = [{"label": label, "palette": k % PALETTE_SIZE} for k, label in enumerate(labels)]
    rows = [
        {
            **vars(_difference_row(d, text=article.text, schema=project.schema, values=values)),
            "url": adjudicate_url(project, article.pk, d.decision),
        }
        for d in found
    ]
    context = {
        "project": project,
        "article": article,
        "columns": columns,
        "legend": legend,
        "claim_label": space.claim_label,
        "differences": rows,
        "diff_legend": [(k, KIND_TEXT[k]) for k in KINDS],
        "pair": chosen,
        "all_url": reverse("annotate:agreement-compare", args=[project.pk, article.pk]),
        "adjudicate_url": adjudicate_url(project, article.pk),
    }
    return render(request, "annotate/agreement/compare.html", context)


def _chosen_pair(request: HttpRequest, ids: list[int]) -> tuple[int, int] | None:
    """The two annotators of ?a=&b= when both submitted this article, else None (all)."""
    try:
        a, b = int(request.GET.get("a", "")), int(request.GET.get("b", ""))
    except ValueError:
        return None
    return (a, b) if a != b and a in ids and b in ids else None


def _compare_column(
    content: dict[str, Any],
    *,
    text: str,
    schema: dict[str, Any],
    label_index: dict[str, int],
    claim_label: str,
    kind_of: Mapping[tuple[int, int, str], str] | None = None,
    differing_targets: set[str | None] | None = None,
) -> dict[str, Any]:
    """One annotation's stance, highlighted text and span list on the side-by-side page."""
    kind_of = kind_of or {}
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
            {
                "target": _target_name(schema, key),
                "value": value,
                "differs": key in (differing_targets or set()),
            }
            for key, value in sorted(stance.items())
        ],
        "segments": highlight_segments(
            text, spans, label_index=label_index, claim_label=claim_label, kind_of=kind_of
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
                "kind": (kind := kind_of.get((s["start"], s["end"], s["label"]), "")),
                "kind_text": str(KIND_TEXT.get(kind, "")),
            }
            for s in spans
        ],
    }


# ---- the articles and spans behind a number ------------------------------------------------


class BadFilter(ValueError):
    """A filter of the evidence page that cannot be met (HTTP 400 with the message)."""


@dataclass(frozen=True)
class Filters:
    """What the evidence page lists: differences of these kinds / this label / target, between
    this pair (a, b) or everyone, or the tokens or stances of a confusion cell (x, y)."""

    a: int | None = None
    b: int | None = None
    kinds: tuple[str, ...] = ()
    label: str = ""
    target: str = ""
    cell: str = ""  # "tokens" or "stance"
    x: str = ""
    y: str = ""

    @property
    def pair(self) -> tuple[int, int] | None:
        return (self.a, self.b) if self.a is not None and self.b is not None else None

    def query(self, **changes: Any) -> dict[str, Any]:
        values = {
            "a": self.a,
            "b": self.b,
            "kind": self.kinds,
            "label": self.label,
            "target": self.target,
            "cell": self.cell,
            "x": self.x,
            "y": self.y,
            **changes,
        }
        return {k: v for k, v in values.items() if v not in (None, "", ())}


def read_filters(request: HttpRequest, annotators: Iterable[int]) -> Filters:
    """The filters of the query string; raises BadFilter naming what is wrong."""
    known = set(annotators)
    get = request.GET

    def annotator(name: str) -> int | None:
        raw = get.get(name, "")
        if raw == "":
            return None
        try:
            value = int(raw)
        except ValueError:
            raise BadFilter(_("%(name)s must be an annotator id.") % {"name": name}) from None
        if value not in known:
            raise BadFilter(_("No annotator %(id)s in this project's agreement.") % {"id": value})
        return value

    a, b = annotator("a"), annotator("b")
    if (a is None) != (b is None):
        raise BadFilter(_("Give both annotators of a pair (a and b), or neither."))
    if a is not None and a == b:
        raise BadFilter(_("Choose two different annotators."))
    kinds = tuple(k for k in get.getlist("kind") if k)
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise BadFilter(_("Unknown kind of difference: %(kind)s.") % {"kind": unknown[0]})
    cell = get.get("cell", "")
    if cell not in ("", "tokens", "stance"):
        raise BadFilter(_("cell must be tokens or stance."))
    if cell and (a is None or not get.get("x") or not get.get("y")):
        raise BadFilter(_("A confusion cell needs a pair (a, b) and its row and column (x, y)."))
    return Filters(
        a=a,
        b=b,
        kinds=kinds,
        label=get.get("label", ""),
        target=get.get("target", ""),
        cell=cell,
        x=get.get("x", ""),
        y=get.get("y", ""),
    )


@dataclass
class EvidenceRow:
    """One line under an article: a difference (or a run of tokens, or a stance) with the
    text it is about, who said what, and its decision in adjudication."""

    kind: str
    kind_text: str
    text: str
    who: list[str]
    decision: str | None
    tokens: int = 0
    target: str = ""


@dataclass
class EvidenceArticle:
    article: int
    title: str
    agreement: ArticleAgreement
    rows: list[EvidenceRow] = field(default_factory=list)
    compare_url: str = ""
    adjudicate_url: str = ""


def adjudicate_url(project: Project, article: int, decision: str | None = None) -> str:
    url = reverse("annotate:adjudicate-article", args=[project.pk, article])
    return url + ("?" + urlencode({"decision": decision}) if decision else "")


def _docs(item: ArticleSubmissions, claim_label: str) -> list[Any]:
    return [
        doc_from_content(
            content, article=item.article, annotator=annotator, claim_label=claim_label
        )
        for annotator, _name, content in item.submissions
    ]


def _difference_row(
    diff: Difference, *, text: str, schema: dict[str, Any], values: Mapping[str, Mapping[str, Any]]
) -> EvidenceRow:
    """A difference as a row; `values`: decision id -> option value -> annotators."""
    if diff.kind == "stance":
        covered = _target_name(schema, diff.target or "")
    elif diff.start is not None and diff.end is not None:
        covered = text[diff.start : diff.end]
    else:
        covered = ""
    who: list[str] = []
    if diff.kind in SPAN_KINDS:
        who.append(
            _("%(names)s: %(label)s here")
            % {"names": ", ".join(diff.annotators), "label": diff.label}
        )
        for other in diff.others:
            who.append(
                _("%(name)s: %(label)s on «%(text)s»")
                % {
                    "name": other.annotator,
                    "label": other.label,
                    "text": text[other.start : other.end],
                }
            )
        if not diff.others:
            who.append(_("the others: nothing here"))
    else:
        for value, names in values.get(diff.decision, {}).items():
            who.append(f"{', '.join(names)}: {value}")
    return EvidenceRow(
        kind=diff.kind,
        kind_text=str(KIND_TEXT[diff.kind]),
        text=covered,
        who=who,
        decision=diff.decision,
        target=diff.target or "",
    )


def _option_text(value: Any, text: str = "") -> str:
    """An option of a decision in words; a claimant entity as its label and covered text."""
    if value is None:
        return _("(none)")
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    if isinstance(value, dict) and "span" in value:
        start, end, label = parse_span_id(str(value["span"]))
        if start is not None and end is not None:
            return f"{label} «{text[start:end]}»"
        return str(value["span"])
    return str(value)


def _evidence_for(
    item: ArticleSubmissions,
    filters: Filters,
    *,
    project: Project,
    names: Mapping[int, str],
    entity_labels: Sequence[str],
    claim_label: str,
) -> EvidenceArticle | None:
    """The rows of one article that the filters select (None: nothing selected)."""
    subs = [Submission(name, content) for _id, name, content in item.submissions]
    merged = merge(subs, claim_label=claim_label)
    found = differences(merged, subs, claim_label=claim_label)
    values = {
        d["id"]: {_option_text(o["value"], item.text): o["annotators"] for o in d["options"]}
        for d in merged["decisions"]
    }
    docs = _docs(item, claim_label)
    rows: list[EvidenceRow] = []
    if filters.cell == "tokens":
        by_id = {d.annotator: d for d in docs}
        doc_a, doc_b = by_id[filters.a], by_id[filters.b]
        runs = token_runs(item.text, doc_a.entities, doc_b.entities, labels=entity_labels)
        for run in runs:
            if (run.a_type, run.b_type) != (filters.x, filters.y):
                continue
            decision = next(
                (
                    d.decision
                    for d in found
                    if d.kind in SPAN_KINDS
                    and d.start is not None
                    and d.end is not None
                    and d.start < run.end
                    and run.start < d.end
                    and d.label in (run.a_type, run.b_type)
                ),
                None,
            )
            rows.append(
                EvidenceRow(
                    kind="tokens",
                    kind_text=ngettext("%(n)d token", "%(n)d tokens", run.tokens)
                    % {"n": run.tokens},
                    text=item.text[run.start : run.end],
                    who=[
                        f"{names.get(doc_a.annotator, '')}: {run.a_type}",
                        f"{names.get(doc_b.annotator, '')}: {run.b_type}",
                    ],
                    decision=decision,
                    tokens=run.tokens,
                )
            )
    elif filters.cell == "stance":
        by_id = {d.annotator: d for d in docs}
        doc_a, doc_b = by_id[filters.a], by_id[filters.b]
        for target in sorted(set(doc_a.stance) & set(doc_b.stance)):
            if (doc_a.stance[target], doc_b.stance[target]) != (filters.x, filters.y):
                continue
            decision = f"stance:{target}" if filters.x != filters.y else None
            rows.append(
                EvidenceRow(
                    kind="stance",
                    kind_text=str(KIND_TEXT["stance"]) if decision else _("Same stance"),
                    text=_target_name(project.schema, target),
                    who=[
                        f"{names.get(doc_a.annotator, '')}: {filters.x}",
                        f"{names.get(doc_b.annotator, '')}: {filters.y}",
                    ],
                    decision=decision,
                    tokens=1,
                    target=target,
                )
            )
    else:
        for diff in found:
            if filters.kinds and diff.kind not in filters.kinds:
                continue
            if filters.label and diff.label != filters.label:
                continue
            if filters.target and diff.target != filters.target:
                continue
            rows.append(_difference_row(diff, text=item.text, schema=project.schema, values=values))
    if not rows:
        return None
    compare = reverse("annotate:agreement-compare", args=[project.pk, item.article])
    if filters.pair:
        compare += "?" + urlencode({"a": filters.a, "b": filters.b})
    return EvidenceArticle(
        article=item.article,
        title=item.title,
        agreement=article_agreement(docs),
        rows=rows,
        compare_url=compare,
        adjudicate_url=adjudicate_url(project, item.article),
    )


def _describe(filters: Filters, names: Mapping[int, str], schema: dict[str, Any]) -> list[str]:
    """The filters in words, one phrase each, for the page's heading."""
    parts = []
    if filters.pair:
        parts.append(f"{names.get(filters.a or 0, '')} × {names.get(filters.b or 0, '')}")
    if filters.cell == "tokens":
        parts.append(
            _("tokens typed %(x)s by %(a)s and %(y)s by %(b)s")
            % {
                "x": filters.x,
                "y": filters.y,
                "a": names.get(filters.a or 0, ""),
                "b": names.get(filters.b or 0, ""),
            }
        )
    elif filters.cell == "stance":
        parts.append(
            _("stance %(x)s by %(a)s and %(y)s by %(b)s")
            % {
                "x": filters.x,
                "y": filters.y,
                "a": names.get(filters.a or 0, ""),
                "b": names.get(filters.b or 0, ""),
            }
        )
    if filters.label:
        parts.append(_("label %(label)s") % {"label": filters.label})
    if filters.target:
        parts.append(_("target %(target)s") % {"target": _target_name(schema, filters.target)})
    if filters.kinds:
        parts.append(", ".join(str(KIND_TEXT[k]) for k in filters.kinds))
    return parts


@login_required
def agreement_articles(request: HttpRequest, pid: int) -> HttpResponse:
    """The articles and spans behind an agreement number: every difference the filters select,
    article by article (lowest agreement first), each linked to its decision in adjudication."""
    project = access_project(request.user, pid, roles=LEADS)
    report = assembled_report(project).report
    names = {a.id: a.name for a in report.annotators}
    try:
        filters = read_filters(request, names)
    except BadFilter as error:
        return render(
            request,
            "annotate/agreement/bad_filter.html",
            {"project": project, "message": str(error)},
            status=400,
        )
    space = label_space(project.schema)
    entity_labels = [label for label in report.spans.labels if label != space.claim_label]
    found = []
    for item in compared_submissions(project, annotators=filters.pair):
        evidence = _evidence_for(
            item,
            filters,
            project=project,
            names=names,
            entity_labels=entity_labels,
            claim_label=space.claim_label,
        )
        if evidence is not None:
            found.append(evidence)
    found.sort(key=lambda e: (e.agreement.score is None, e.agreement.score or 0.0, e.article))
    rows = sum(len(e.rows) for e in found)
    tokens = sum(r.tokens for e in found for r in e.rows)
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode(filters.query(), doseq=True)
    if filters.cell == "tokens":
        what = ngettext("%(n)d token", "%(n)d tokens", tokens) % {"n": tokens}
    elif filters.cell == "stance":
        what = ngettext("%(n)d stance", "%(n)d stances", rows) % {"n": rows}
    else:
        what = ngettext("%(n)d difference", "%(n)d differences", rows) % {"n": rows}
    where = ngettext("in %(n)d article", "in %(n)d articles", len(found)) % {"n": len(found)}
    context = {
        "count_text": f"{what} {where}",
        "project": project,
        "filters": filters,
        "description": _describe(filters, names, project.schema),
        "page": page,
        "articles": len(found),
        "rows": rows,
        "tokens": tokens,
        "query": query,
        "kinds": [(k, KIND_TEXT[k], door(project, **filters.query(kind=(k,)))) for k in KINDS],
        "all_kinds": door(project, **filters.query(kind=())),
    }
    return render(request, "annotate/agreement/articles.html", context)
