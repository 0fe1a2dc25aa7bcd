"""Merge submitted annotations of one article into a gold proposal. Pure: no Django.

Input: each annotator's submitted content document (see annotate/lib/content.py) with a display
name. Output: a proposal (a content document: the spans a strict majority marked, and for
attributes and stance the majority value, or the plurality value where one exists) plus the
open decisions a reviewer settles, each with its options and who chose them:

- a span is identified by (start, end, label). Marked by more than half of the annotators it
  goes into the proposal. Unless every annotator marked it, it is a decision ``span:<id>``:
  a *majority* span (in the proposal, suggested: accept), a *tie* (exactly half: no
  suggestion) or a *minority* span (suggested: reject);
- claim attributes (check-worthy, claim stance, claimant) are voted among the annotators who
  marked that claim span. The claimant is one vote whether it was given as a value ("author",
  "unattributed") or as a claimant relation to an entity span. Unless all of them gave the
  same value it is a decision ``attr:<span id>:<name>``: a *majority* (its value in the
  proposal and suggested), *no_majority* (the unique plurality value suggested) or a *tie*;
- the document stance per target is voted among all annotators (one who left a target empty
  votes for nothing). Unless all gave the same value it is a decision ``stance:<target>``,
  with the same reasons.

So every disagreement is a decision: a two-to-one majority goes into the proposal but the
reviewer still sees, and settles, the decision (never a silent majority).

Span ids in the proposal are derived from the span (``s<start>-<end>-<label>``), so the same
span has the same id in every merge and decisions can refer to it.

An article is *unanimous* when at least two annotators submitted and every one of them gave
exactly the same spans, claim attributes, claimants and stance. One annotator alone is never
unanimous: nobody checked their work.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from annotate.lib.content import span_sort_key

ATTRIBUTES = ("checkworthy", "stance")
SpanKey = tuple[int, int, str]


@dataclass(frozen=True, slots=True)
class Submission:
    """One annotator's submitted content, as stored."""

    annotator: str
    content: Mapping[str, Any]


def span_id(key: SpanKey) -> str:
    start, end, label = key
    return f"s{start}-{end}-{label}"


def _span_key(span: Mapping[str, Any]) -> SpanKey:
    return (int(span["start"]), int(span["end"]), str(span["label"]))


def _claimants(content: Mapping[str, Any]) -> dict[SpanKey, Any]:
    """Each claim span's claimant: a value, ("span", key) for a relation, or None."""
    by_id = {span["id"]: span for span in content.get("spans", [])}
    related: dict[str, SpanKey] = {}
    for relation in content.get("relations", []):
        if relation.get("type") == "claimant" and relation.get("to") in by_id:
            related[relation["from"]] = _span_key(by_id[relation["to"]])
    result: dict[SpanKey, Any] = {}
    for span in content.get("spans", []):
        value = (span.get("attributes") or {}).get("claimant")
        if value is None and span["id"] in related:
            value = ("span", related[span["id"]])
        result[_span_key(span)] = value
    return result


def _claimant_json(value: Any) -> Any:
    """A claimant vote as JSON: "author", "unattributed", None or {"span": "<span id>"}."""
    if isinstance(value, tuple):
        return {"span": span_id(value[1])}
    return value


def _vote(votes: Mapping[str, Any]) -> tuple[Any, bool, bool, list[dict[str, Any]]]:
    """Count votes (annotator -> hashable value, None for no value).

    Returns (plurality value or None, whether it is a strict majority, whether the plurality
    is unique, and the options with their annotators, most votes first).
    """
    counts = Counter(votes.values())
    ranked = sorted(counts.items(), key=lambda item: (-item[1], repr(item[0])))
    best, best_count = ranked[0]
    majority = best_count * 2 > len(votes)
    unique = len(ranked) == 1 or ranked[1][1] < best_count
    options = [
        {"value": value, "annotators": sorted(a for a, v in votes.items() if v == value)}
        for value, _ in ranked
    ]
    return (best if unique else None), majority, unique, options


def _span_reason(count: int, n: int) -> str:
    if count * 2 > n:
        return "majority"
    return "tie" if count * 2 == n else "minority"


def _span_suggestion(count: int, n: int) -> str | None:
    if count * 2 > n:
        return "accept"
    return None if count * 2 == n else "reject"


def _vote_reason(*, majority: bool, unique: bool) -> str:
    if majority:
        return "majority"
    return "no_majority" if unique else "tie"


def merge(submissions: Sequence[Submission], *, claim_label: str) -> dict[str, Any]:
    """The proposal, open decisions and per-span support for one article's submissions."""
    annotators = sorted(s.annotator for s in submissions)
    n = len(submissions)
    spans: dict[SpanKey, dict[str, Any]] = {}
    supporters: dict[SpanKey, list[str]] = {}
    attribute_votes: dict[SpanKey, dict[str, dict[str, Any]]] = {}
    stance_votes: dict[str, dict[str, str]] = {}
    for submission in submissions:
        content = submission.content
        claimants = _claimants(content)
        seen: set[SpanKey] = set()
        for span in content.get("spans", []):
            key = _span_key(span)
            if key in seen:
                continue
            seen.add(key)
            spans.setdefault(key, span)
            supporters.setdefault(key, []).append(submission.annotator)
            if key[2] == claim_label:
                attrs = span.get("attributes") or {}
                votes = attribute_votes.setdefault(key, {name: {} for name in ATTRIBUTES})
                votes.setdefault("claimant", {})
                for name in ATTRIBUTES:
                    votes[name][submission.annotator] = attrs.get(name)
                votes["claimant"][submission.annotator] = claimants.get(key)
        stance = (content.get("document_labels") or {}).get("stance") or {}
        for target, value in stance.items():
            if value is not None:
                stance_votes.setdefault(target, {})[submission.annotator] = value

    decisions: list[dict[str, Any]] = []
    proposal_spans: list[dict[str, Any]] = []
    span_decisions: dict[SpanKey, dict[str, Any]] = {}
    relations: list[tuple[SpanKey, SpanKey]] = []
    for key in sorted(spans):
        sid = span_id(key)
        submitted = spans[key]
        attributes: dict[str, Any] = {}
        attr_decisions: list[dict[str, Any]] = []
        if key[2] == claim_label:
            attributes, claimant_ref, attr_decisions = _merge_claim(sid, attribute_votes[key])
            if claimant_ref is not None:
                relations.append((key, claimant_ref))
        merged = {
            "id": sid,
            "start": key[0],
            "end": key[1],
            "label": key[2],
            "text": submitted.get("text", ""),
            "attributes": attributes,
        }
        count = len(supporters[key])
        if count * 2 > n:
            proposal_spans.append(merged)
        if count < n:
            span_decisions[key] = {
                "id": f"span:{sid}",
                "kind": "span",
                "reason": _span_reason(count, n),
                "span": merged,
                "options": [
                    {"value": "accept", "annotators": sorted(supporters[key])},
                    {
                        "value": "reject",
                        "annotators": sorted(set(annotators) - set(supporters[key])),
                    },
                ],
                "suggestion": _span_suggestion(count, n),
            }
            decisions.append(span_decisions[key])
        decisions.extend(attr_decisions)

    accepted = {_span_key(span) for span in proposal_spans}
    proposal_relations = [
        {"type": "claimant", "from": span_id(source), "to": span_id(target)}
        for source, target in relations
        if source in accepted and target in accepted
    ]
    # A claimant relation whose ends are not both accepted rides along with the open span
    # decision, so that accepting the span(s) restores it.
    for source, target in relations:
        if source in accepted and target in accepted:
            continue
        holder = next(
            (span_decisions[key] for key in (source, target) if key not in accepted), None
        )
        if holder is not None:
            holder["relation"] = {
                "type": "claimant",
                "from": span_id(source),
                "to": span_id(target),
            }

    proposal_stance: dict[str, str] = {}
    for target in sorted(stance_votes):
        given = stance_votes[target]
        choice, majority, unique, options = _vote({a: given.get(a) for a in annotators})
        if choice is not None:
            proposal_stance[target] = choice
        if len(options) > 1:
            decisions.append(
                {
                    "id": f"stance:{target}",
                    "kind": "stance",
                    "target": target,
                    "reason": _vote_reason(majority=majority, unique=unique),
                    "options": options,
                    "suggestion": choice,
                }
            )

    proposal = {
        "spans": sorted(proposal_spans, key=span_sort_key),
        "relations": sorted(proposal_relations, key=lambda r: (r["type"], r["from"], r["to"])),
        "document_labels": {"stance": proposal_stance},
    }
    return {
        "annotators": annotators,
        "proposal": proposal,
        "decisions": decisions,
        "support": {span_id(key): sorted(names) for key, names in sorted(supporters.items())},
        "unanimous": is_unanimous([s.content for s in submissions]),
    }


def _merge_claim(
    sid: str, votes: dict[str, dict[str, Any]]
) -> tuple[dict[str, Any], SpanKey | None, list[dict[str, Any]]]:
    """Majority attributes of one claim span among its supporters, and the open ones."""
    attributes: dict[str, Any] = {"checkworthy": None, "claimant": None, "stance": None}
    claimant_ref: SpanKey | None = None
    decisions = []
    for name in (*ATTRIBUTES, "claimant"):
        choice, majority, unique, options = _vote(votes[name])
        if name == "claimant":
            if isinstance(choice, tuple):
                claimant_ref = choice[1]
            else:
                attributes["claimant"] = choice
            for option in options:
                option["value"] = _claimant_json(option["value"])
            choice = _claimant_json(choice)
        else:
            attributes[name] = choice
        if len(options) > 1:
            decisions.append(
                {
                    "id": f"attr:{sid}:{name}",
                    "kind": "attribute",
                    "span_id": sid,
                    "attribute": name,
                    "reason": _vote_reason(majority=majority, unique=unique),
                    "options": options,
                    "suggestion": choice,
                }
            )
    return attributes, claimant_ref, decisions


def _projection(content: Mapping[str, Any]) -> tuple[frozenset[Any], tuple[Any, ...]]:
    """What two annotators must share to agree: spans with attributes and claimants, stance."""
    claimants = _claimants(content)
    spans = frozenset(
        (
            *_span_key(span),
            (span.get("attributes") or {}).get("checkworthy"),
            (span.get("attributes") or {}).get("stance"),
            claimants.get(_span_key(span)),
        )
        for span in content.get("spans", [])
    )
    stance = (content.get("document_labels") or {}).get("stance") or {}
    return spans, tuple(sorted((k, v) for k, v in stance.items() if v is not None))


def is_unanimous(contents: Iterable[Mapping[str, Any]]) -> bool:
    """At least two documents, all with the same spans, attributes, claimants and stance."""
    projections = [_projection(content) for content in contents]
    return len(projections) >= 2 and all(p == projections[0] for p in projections[1:])
