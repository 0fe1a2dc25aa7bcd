"""Label schemas: their shape, defaults, validation and the rules for changing them. Pure.

A schema is a JSON document stored on the project:

    {
      "entity_labels": [{"key": "PER", "name": "Person", "color": "#e6194b",
                         "shortcut": "1", "retired": false,
                         "description": "people, by name"  (optional)}, ...],
      "claim_label": {"key": "CLAIM", "name": "Claim", "color": "#911eb4", "shortcut": "c",
                      "retired": false},
      "stance_targets": [{"key": "isis", "name": "ISIS", "required": true, "retired": false}],
      "stance_values": ["favor", "against", "neutral", "not_mentioned"],
      "claim_stance_values": ["supports", "refutes", "reports"],
      "claimant_values": ["author", "unattributed"],
      "article_clitic": true
    }

Label keys are stable identifiers stored in annotations; names are display text and can be
renamed freely. A label that annotations use can be retired (no new spans) but not removed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

DEFAULT_ENTITY_LABELS: list[tuple[str, str, str]] = [
    ("PER", "Person", "#e6194b"),
    ("ORG", "Organisation", "#3cb44b"),
    ("LOC", "Location", "#4363d8"),
    ("GPE", "Geo-political entity", "#f58231"),
    ("MILITARY_GROUP", "Military group", "#800000"),
    ("EVENT", "Event", "#008080"),
    ("DATE", "Date", "#9a6324"),
]
DEFAULT_STANCE_VALUES = ["favor", "against", "neutral", "not_mentioned"]
DEFAULT_CLAIM_STANCE_VALUES = ["supports", "refutes", "reports"]
CLAIMANT_VALUES = ["author", "unattributed"]
DEFAULT_STANCE_TARGETS: list[tuple[str, str]] = [
    ("isis", "ISIS"),
    ("syrian_army", "The Syrian army"),
    ("us_coalition", "The US-led coalition"),
]

KEY_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,39}$")
COLOR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
# A label's description: a hint shown as the palette button's tooltip.
MAX_DESCRIPTION = 300
# Keys the annotation page reserves for itself.
RESERVED_SHORTCUTS = frozenset({"?", "z", "Z", "Enter", "Escape", " "})


class SchemaError(ValueError):
    """A schema or schema change is invalid; `field` names the offending part."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


def default_schema(*, stance_targets: Iterable[tuple[str, str]] | None = None) -> dict[str, Any]:
    targets = DEFAULT_STANCE_TARGETS if stance_targets is None else list(stance_targets)
    return {
        "entity_labels": [
            {"key": key, "name": name, "color": color, "shortcut": str(i), "retired": False}
            for i, (key, name, color) in enumerate(DEFAULT_ENTITY_LABELS, start=1)
        ],
        "claim_label": {
            "key": "CLAIM",
            "name": "Claim",
            "color": "#911eb4",
            "shortcut": "c",
            "retired": False,
        },
        "stance_targets": [
            {"key": key, "name": name, "required": True, "retired": False} for key, name in targets
        ],
        "stance_values": list(DEFAULT_STANCE_VALUES),
        "claim_stance_values": list(DEFAULT_CLAIM_STANCE_VALUES),
        "claimant_values": list(CLAIMANT_VALUES),
        "article_clitic": True,
    }


def _require(obj: Any, field: str, kind: type | tuple[type, ...], what: str) -> Any:
    if not isinstance(obj, kind) or isinstance(obj, bool) and kind is not bool:
        raise SchemaError(field, f"must be {what}")
    return obj


def _check_label(label: Any, field: str) -> dict[str, Any]:
    _require(label, field, dict, "an object")
    key = label.get("key")
    if not isinstance(key, str) or not KEY_RE.match(key):
        raise SchemaError(
            f"{field}.key", "must start with a letter and hold only letters, digits and _"
        )
    name = label.get("name", key)
    if not isinstance(name, str) or not name.strip() or len(name) > 100:
        raise SchemaError(f"{field}.name", "must be a non-empty text of at most 100 characters")
    color = label.get("color", "#888888")
    if not isinstance(color, str) or not COLOR_RE.match(color):
        raise SchemaError(f"{field}.color", "must be a colour like #1f6feb")
    shortcut = label.get("shortcut", "")
    if not isinstance(shortcut, str) or len(shortcut) > 1:
        raise SchemaError(f"{field}.shortcut", "must be one character or empty")
    if shortcut in RESERVED_SHORTCUTS:
        raise SchemaError(f"{field}.shortcut", f"{shortcut!r} is reserved by the annotation page")
    retired = label.get("retired", False)
    _require(retired, f"{field}.retired", bool, "true or false")
    description = label.get("description", "")
    if not isinstance(description, str) or len(description) > MAX_DESCRIPTION:
        raise SchemaError(
            f"{field}.description", f"must be a text of at most {MAX_DESCRIPTION} characters"
        )
    checked: dict[str, Any] = {
        "key": key,
        "name": name.strip(),
        "color": color,
        "shortcut": shortcut,
        "retired": retired,
    }
    # Only when given, so schemas saved before descriptions existed stay canonical as they are.
    if description.strip():
        checked["description"] = description.strip()
    return checked


def _check_values(values: Any, field: str) -> list[str]:
    _require(values, field, list, "a list of values")
    if not values:
        raise SchemaError(field, "must hold at least one value")
    seen: set[str] = set()
    for i, value in enumerate(values):
        if not isinstance(value, str) or not KEY_RE.match(value):
            raise SchemaError(f"{field}[{i}]", "must be an identifier like 'favor'")
        if value in seen:
            raise SchemaError(f"{field}[{i}]", f"{value!r} is listed twice")
        seen.add(value)
    return list(values)


def check_schema(schema: Any) -> dict[str, Any]:
    """Validate a schema document and return it in canonical form (defaults filled)."""
    _require(schema, "schema", dict, "an object")
    known = {
        "entity_labels",
        "claim_label",
        "stance_targets",
        "stance_values",
        "claim_stance_values",
        "claimant_values",
        "article_clitic",
    }
    for extra in sorted(set(schema) - known):
        raise SchemaError(extra, "is not a schema field")
    labels_in = _require(schema.get("entity_labels", []), "entity_labels", list, "a list")
    entity_labels = [_check_label(lab, f"entity_labels[{i}]") for i, lab in enumerate(labels_in)]
    claim_label = _check_label(
        schema.get("claim_label", default_schema()["claim_label"]), "claim_label"
    )
    keys: set[str] = set()
    shortcuts: dict[str, str] = {}
    for i, label in enumerate([*entity_labels, claim_label]):
        field = f"entity_labels[{i}]" if i < len(entity_labels) else "claim_label"
        if label["key"] in keys:
            raise SchemaError(f"{field}.key", f"label key {label['key']!r} is used twice")
        keys.add(label["key"])
        if label["shortcut"] and not label["retired"]:
            if label["shortcut"] in shortcuts:
                raise SchemaError(
                    f"{field}.shortcut",
                    f"{label['shortcut']!r} is already the shortcut of "
                    f"{shortcuts[label['shortcut']]}",
                )
            shortcuts[label["shortcut"]] = label["key"]
    targets_in = _require(schema.get("stance_targets", []), "stance_targets", list, "a list")
    targets = []
    target_keys: set[str] = set()
    for i, target in enumerate(targets_in):
        field = f"stance_targets[{i}]"
        _require(target, field, dict, "an object")
        key = target.get("key")
        if not isinstance(key, str) or not KEY_RE.match(key):
            raise SchemaError(f"{field}.key", "must be an identifier like 'isis'")
        if key in target_keys:
            raise SchemaError(f"{field}.key", f"target {key!r} is listed twice")
        target_keys.add(key)
        name = target.get("name", key)
        if not isinstance(name, str) or not name.strip():
            raise SchemaError(f"{field}.name", "must be a non-empty text")
        required = _require(target.get("required", True), f"{field}.required", bool, "true/false")
        retired = _require(target.get("retired", False), f"{field}.retired", bool, "true/false")
        targets.append({"key": key, "name": name.strip(), "required": required, "retired": retired})
    article_clitic = _require(
        schema.get("article_clitic", True), "article_clitic", bool, "true or false"
    )
    return {
        "entity_labels": entity_labels,
        "claim_label": claim_label,
        "stance_targets": targets,
        "stance_values": _check_values(
            schema.get("stance_values", DEFAULT_STANCE_VALUES), "stance_values"
        ),
        "claim_stance_values": _check_values(
            schema.get("claim_stance_values", DEFAULT_CLAIM_STANCE_VALUES), "claim_stance_values"
        ),
        "claimant_values": _check_values(
            schema.get("claimant_values", CLAIMANT_VALUES), "claimant_values"
        ),
        "article_clitic": article_clitic,
    }


def check_schema_change(
    old: dict[str, Any],
    new: dict[str, Any],
    *,
    used_labels: set[str],
    used_targets: set[str],
    used_values: set[str],
) -> dict[str, Any]:
    """Validate `new` as a successor of `old` and return it canonical.

    A label, target or value that annotations use may be retired or renamed, never removed.
    """
    new = check_schema(new)
    old_keys = {lab["key"] for lab in span_labels(old)}
    new_keys = {lab["key"] for lab in span_labels(new)}
    for key in sorted((old_keys - new_keys) & used_labels):
        raise SchemaError(
            "entity_labels", f"label {key!r} is used by annotations: retire it instead of deleting"
        )
    old_claim, new_claim = claim_key(old), claim_key(new)
    for key in sorted(used_labels & old_keys & new_keys):
        if (key == old_claim) != (key == new_claim):
            raise SchemaError(
                "claim_label.key",
                f"label {key!r} is used by annotations and cannot switch between entity and claim",
            )
    old_targets = {t["key"] for t in old.get("stance_targets", [])}
    new_targets = {t["key"] for t in new["stance_targets"]}
    for key in sorted((old_targets - new_targets) & used_targets):
        raise SchemaError(
            "stance_targets", f"target {key!r} is used by annotations: retire it instead"
        )
    for field in ("stance_values", "claim_stance_values", "claimant_values"):
        removed = set(old.get(field, [])) - set(new[field])
        for value in sorted(removed & used_values):
            raise SchemaError(
                field, f"value {value!r} is used by annotations and cannot be removed"
            )
    return new


def span_labels(schema: dict[str, Any]) -> list[dict[str, Any]]:
    """Every span label, entity labels first, then the claim label."""
    return [*schema.get("entity_labels", []), schema.get("claim_label", {})]


def label_index(schema: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {label["key"]: label for label in span_labels(schema) if label}


def claim_key(schema: dict[str, Any]) -> str:
    return str(schema.get("claim_label", {}).get("key", "CLAIM"))


def active_targets(schema: dict[str, Any]) -> list[dict[str, Any]]:
    return [t for t in schema.get("stance_targets", []) if not t.get("retired")]
