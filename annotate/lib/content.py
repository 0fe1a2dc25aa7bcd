"""The annotation content document: its shape, validation and diff. Pure: no Django.

Annotations and gold records store one JSON document each:

    {
      "spans": [
        {"id": "s1", "start": 12, "end": 16, "label": "MILITARY_GROUP", "text": "داعش",
         "attributes": {}},
        {"id": "s2", "start": 40, "end": 95, "label": "CLAIM", "text": "...",
         "attributes": {"checkworthy": true, "claimant": null, "stance": "reports"}}
      ],
      "relations": [{"type": "claimant", "from": "s2", "to": "s1"}],
      "document_labels": {"stance": {"isis": "against", "syrian_army": "neutral"}}
    }

- offsets are Unicode code points into the article text, `0 <= start < end <= len(text)`,
  `text[start:end] == span["text"]`, and neither end splits a letter from its marks;
- span ids are client-chosen strings, unique within the document, used by relations;
- claim spans carry `checkworthy` (true/false/null), `claimant` ("author", "unattributed" or
  null when a claimant relation names an entity span) and `stance` towards the claim (one of
  the schema's claim stance values, or null);
- a claimant relation goes from a claim span to an entity span; one per claim;
- `document_labels.stance` maps stance target keys to stance values.

`check_content` returns the canonical document (spans sorted by start, end, label, id) or
raises ContentError naming the field.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from typing import Any

from annotate.lib.schema import claim_key, label_index
from corpus.lib.text import is_cluster_boundary

SPAN_ID_RE = re.compile(r"^[A-Za-z0-9_\-:.]{1,64}$")
MAX_SPANS = 5000
RELATION_TYPES = ("claimant",)


class ContentError(ValueError):
    """Invalid annotation content; `field` is a path like spans[3].end."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


def empty_content() -> dict[str, Any]:
    return {"spans": [], "relations": [], "document_labels": {"stance": {}}}


def _int(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ContentError(field, "must be an integer (a code-point offset)")
    return value


def _describe_position(text: str, offset: int) -> str:
    before = text[max(0, offset - 8) : offset]
    after = text[offset : offset + 8]
    return f"offset {offset} (between {before!r} and {after!r})"


def check_span(
    span: Any,
    *,
    field: str,
    text: str,
    labels: dict[str, dict[str, Any]],
    claim_label: str,
    schema: dict[str, Any],
    allow_retired: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    if not isinstance(span, dict):
        raise ContentError(field, "must be an object")
    for extra in sorted(set(span) - {"id", "start", "end", "label", "text", "attributes"}):
        raise ContentError(f"{field}.{extra}", "is not a span field")
    span_id = span.get("id")
    if not isinstance(span_id, str) or not SPAN_ID_RE.match(span_id):
        raise ContentError(f"{field}.id", "must be 1-64 letters, digits or _-:.")
    start = _int(span.get("start"), f"{field}.start")
    end = _int(span.get("end"), f"{field}.end")
    if start < 0:
        raise ContentError(f"{field}.start", f"must be >= 0, got {start}")
    if end > len(text):
        raise ContentError(
            f"{field}.end", f"must be <= {len(text)} (the article's length), got {end}"
        )
    if start >= end:
        raise ContentError(f"{field}.end", f"must be greater than start ({start}), got {end}")
    for name, offset in (("start", start), ("end", end)):
        if not is_cluster_boundary(text, offset):
            raise ContentError(
                f"{field}.{name}",
                f"splits a letter from its diacritics at {_describe_position(text, offset)}",
            )
    covered = span.get("text")
    if not isinstance(covered, str):
        raise ContentError(f"{field}.text", "must be the covered text")
    if text[start:end] != covered:
        raise ContentError(
            f"{field}.text",
            f"does not match the article: text[{start}:{end}] is {text[start:end]!r}, "
            f"got {covered!r}",
        )
    label_key = span.get("label")
    if not isinstance(label_key, str) or label_key not in labels:
        raise ContentError(f"{field}.label", f"unknown label {label_key!r}")
    if labels[label_key].get("retired") and label_key not in allow_retired:
        raise ContentError(f"{field}.label", f"label {label_key!r} is retired")
    attributes = span.get("attributes", {})
    if attributes is None:
        attributes = {}
    if not isinstance(attributes, dict):
        raise ContentError(f"{field}.attributes", "must be an object")
    if label_key == claim_label:
        attributes = _check_claim_attributes(attributes, field=f"{field}.attributes", schema=schema)
    elif attributes:
        raise ContentError(
            f"{field}.attributes", f"entity spans take no attributes, got {sorted(attributes)}"
        )
    return {
        "id": span_id,
        "start": start,
        "end": end,
        "label": label_key,
        "text": covered,
        "attributes": attributes,
    }


def _check_claim_attributes(
    attributes: dict[str, Any], *, field: str, schema: dict[str, Any]
) -> dict[str, Any]:
    for extra in sorted(set(attributes) - {"checkworthy", "claimant", "stance"}):
        raise ContentError(f"{field}.{extra}", "is not a claim attribute")
    checkworthy = attributes.get("checkworthy")
    if checkworthy is not None and not isinstance(checkworthy, bool):
        raise ContentError(f"{field}.checkworthy", "must be true, false or null")
    claimant = attributes.get("claimant")
    claimant_values = schema.get("claimant_values", [])
    if claimant is not None and claimant not in claimant_values:
        raise ContentError(
            f"{field}.claimant",
            f"must be one of {claimant_values} or null (with a claimant relation)",
        )
    stance = attributes.get("stance")
    stance_values = schema.get("claim_stance_values", [])
    if stance is not None and stance not in stance_values:
        raise ContentError(f"{field}.stance", f"must be one of {stance_values} or null")
    return {"checkworthy": checkworthy, "claimant": claimant, "stance": stance}


def span_sort_key(span: dict[str, Any]) -> tuple[int, int, str, str]:
    return (span["start"], span["end"], span["label"], span["id"])


def check_content(
    content: Any,
    *,
    text: str,
    schema: dict[str, Any],
    allow_retired: Iterable[str] = (),
) -> dict[str, Any]:
    """Validate a content document against the article text and the project schema.

    `allow_retired` lists retired label and stance target keys the document may keep because
    it already had them (a draft started before the retirement stays saveable).
    """
    if not isinstance(content, dict):
        raise ContentError("content", "must be an object with spans, relations, document_labels")
    for extra in sorted(set(content) - {"spans", "relations", "document_labels"}):
        raise ContentError(extra, "is not a content field")
    spans_in = content.get("spans", [])
    if not isinstance(spans_in, list):
        raise ContentError("spans", "must be a list")
    if len(spans_in) > MAX_SPANS:
        raise ContentError("spans", f"at most {MAX_SPANS} spans per article")
    labels = label_index(schema)
    claim_label = claim_key(schema)
    retired_ok = frozenset(allow_retired)
    spans = [
        check_span(
            span,
            field=f"spans[{i}]",
            text=text,
            labels=labels,
            claim_label=claim_label,
            schema=schema,
            allow_retired=retired_ok,
        )
        for i, span in enumerate(spans_in)
    ]
    by_id: dict[str, dict[str, Any]] = {}
    seen: dict[tuple[int, int, str], int] = {}
    for i, span in enumerate(spans):
        if span["id"] in by_id:
            raise ContentError(f"spans[{i}].id", f"span id {span['id']!r} is used twice")
        by_id[span["id"]] = span
        identity = (span["start"], span["end"], span["label"])
        if identity in seen:
            raise ContentError(
                f"spans[{i}]",
                f"duplicates spans[{seen[identity]}] (same start, end and label)",
            )
        seen[identity] = i

    relations = _check_relations(content.get("relations", []), by_id=by_id, claim_label=claim_label)
    document_labels = _check_document_labels(
        content.get("document_labels", {}), schema=schema, allow_retired=retired_ok
    )
    spans.sort(key=span_sort_key)
    relations.sort(key=lambda r: (r["type"], r["from"], r["to"]))
    return {"spans": spans, "relations": relations, "document_labels": document_labels}


def with_span_added(
    content: dict[str, Any],
    span: Any,
    *,
    text: str,
    schema: dict[str, Any],
    allow_retired: Iterable[str] = (),
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A canonical document plus one new span: (new document, the canonical span).

    `content` is already canonical (as stored), so only the new span is checked: its fields,
    that its id is new and that no span has the same start, end and label. The spans stay
    sorted. Cost is one span's check, not the whole document's.
    """
    spans = content.get("spans", [])
    if len(spans) >= MAX_SPANS:
        raise ContentError("span", f"at most {MAX_SPANS} spans per article")
    checked = check_span(
        span,
        field="span",
        text=text,
        labels=label_index(schema),
        claim_label=claim_key(schema),
        schema=schema,
        allow_retired=frozenset(allow_retired),
    )
    identity = (checked["start"], checked["end"], checked["label"])
    for i, other in enumerate(spans):
        if other["id"] == checked["id"]:
            raise ContentError("span.id", f"span id {checked['id']!r} is already used")
        if (other["start"], other["end"], other["label"]) == identity:
            raise ContentError("span", f"duplicates spans[{i}] (same start, end and label)")
    at = bisect.bisect(spans, span_sort_key(checked), key=span_sort_key)
    return {**content, "spans": [*spans[:at], checked, *spans[at:]]}, checked


def with_span_removed(content: dict[str, Any], span_id: str) -> dict[str, Any]:
    """A canonical document without span `span_id` and without the relations that use it."""
    spans = content.get("spans", [])
    kept = [span for span in spans if span["id"] != span_id]
    if len(kept) == len(spans):
        raise ContentError("span_id", f"no span with id {span_id!r} in this annotation")
    relations = [
        relation
        for relation in content.get("relations", [])
        if span_id not in (relation["from"], relation["to"])
    ]
    return {**content, "spans": kept, "relations": relations}


def _check_relations(
    relations_in: Any, *, by_id: dict[str, dict[str, Any]], claim_label: str
) -> list[dict[str, Any]]:
    if not isinstance(relations_in, list):
        raise ContentError("relations", "must be a list")
    relations = []
    claimed: set[str] = set()
    for i, relation in enumerate(relations_in):
        field = f"relations[{i}]"
        if not isinstance(relation, dict):
            raise ContentError(field, "must be an object")
        for extra in sorted(set(relation) - {"type", "from", "to"}):
            raise ContentError(f"{field}.{extra}", "is not a relation field")
        kind = relation.get("type")
        if kind not in RELATION_TYPES:
            raise ContentError(f"{field}.type", f"must be one of {list(RELATION_TYPES)}")
        source, target = relation.get("from"), relation.get("to")
        if not isinstance(source, str) or source not in by_id:
            raise ContentError(f"{field}.from", f"no span with id {source!r}")
        if not isinstance(target, str) or target not in by_id:
            raise ContentError(f"{field}.to", f"no span with id {target!r}")
        if by_id[source]["label"] != claim_label:
            raise ContentError(f"{field}.from", "a claimant relation starts at a claim span")
        if by_id[target]["label"] == claim_label:
            raise ContentError(f"{field}.to", "a claimant relation ends at an entity span")
        if source in claimed:
            raise ContentError(f"{field}.from", f"claim {source!r} already has a claimant")
        if by_id[source]["attributes"].get("claimant") is not None:
            raise ContentError(
                f"{field}.from",
                f"claim {source!r} is marked {by_id[source]['attributes']['claimant']!r}; "
                "a claimant relation needs claimant null",
            )
        claimed.add(source)
        relations.append({"type": kind, "from": source, "to": target})
    return relations


def _check_document_labels(
    labels_in: Any, *, schema: dict[str, Any], allow_retired: frozenset[str] = frozenset()
) -> dict[str, Any]:
    if not isinstance(labels_in, dict):
        raise ContentError("document_labels", "must be an object")
    for extra in sorted(set(labels_in) - {"stance"}):
        raise ContentError(f"document_labels.{extra}", "is not a document label")
    stance_in = labels_in.get("stance", {})
    if not isinstance(stance_in, dict):
        raise ContentError("document_labels.stance", "must map target keys to stance values")
    targets = {t["key"]: t for t in schema.get("stance_targets", [])}
    values = schema.get("stance_values", [])
    stance = {}
    for key in sorted(stance_in):
        field = f"document_labels.stance.{key}"
        if key not in targets:
            raise ContentError(field, f"unknown stance target {key!r}")
        value = stance_in[key]
        if value is None:
            continue
        if targets[key].get("retired") and key not in allow_retired:
            raise ContentError(field, f"stance target {key!r} is retired")
        if not isinstance(value, str) or value not in values:
            raise ContentError(field, f"must be one of {values}, got {value!r}")
        stance[key] = value
    return {"stance": stance}


def missing_required_stance(content: dict[str, Any], schema: dict[str, Any]) -> list[str]:
    """Required, active stance targets that have no value yet (submission needs them all)."""
    given = content.get("document_labels", {}).get("stance", {})
    return [
        t["key"]
        for t in schema.get("stance_targets", [])
        if t.get("required") and not t.get("retired") and t["key"] not in given
    ]


def used_vocabulary(contents: Iterable[dict[str, Any]]) -> tuple[set[str], set[str], set[str]]:
    """Labels, stance targets and values that these documents use (guards schema changes)."""
    labels: set[str] = set()
    targets: set[str] = set()
    values: set[str] = set()
    for content in contents:
        for span in content.get("spans", []):
            if span.get("label"):
                labels.add(span["label"])
            attrs = span.get("attributes") or {}
            for name in ("claimant", "stance"):
                if attrs.get(name):
                    values.add(attrs[name])
        for key, value in content.get("document_labels", {}).get("stance", {}).items():
            targets.add(key)
            if value:
                values.add(value)
    return labels, targets, values


def diff_content(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """What changed between two canonical documents, for the audit trail."""

    def by_id(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
        return {span["id"]: span for span in doc.get("spans", [])}

    old_spans, new_spans = by_id(old), by_id(new)
    added = [new_spans[k] for k in new_spans.keys() - old_spans.keys()]
    removed = [old_spans[k] for k in old_spans.keys() - new_spans.keys()]
    changed = [
        {"id": k, "before": old_spans[k], "after": new_spans[k]}
        for k in new_spans.keys() & old_spans.keys()
        if old_spans[k] != new_spans[k]
    ]
    changes: dict[str, Any] = {}
    if added:
        changes["spans_added"] = sorted(added, key=span_sort_key)
    if removed:
        changes["spans_removed"] = sorted(removed, key=span_sort_key)
    if changed:
        changes["spans_changed"] = sorted(changed, key=lambda c: c["id"])
    old_rel = {(r["type"], r["from"], r["to"]) for r in old.get("relations", [])}
    new_rel = {(r["type"], r["from"], r["to"]) for r in new.get("relations", [])}
    if new_rel - old_rel:
        changes["relations_added"] = [list(r) for r in sorted(new_rel - old_rel)]
    if old_rel - new_rel:
        changes["relations_removed"] = [list(r) for r in sorted(old_rel - new_rel)]
    old_doc = old.get("document_labels", {}).get("stance", {})
    new_doc = new.get("document_labels", {}).get("stance", {})
    stance_changes = {
        key: [old_doc.get(key), new_doc.get(key)]
        for key in sorted(old_doc.keys() | new_doc.keys())
        if old_doc.get(key) != new_doc.get(key)
    }
    if stance_changes:
        changes["stance"] = stance_changes
    return changes
