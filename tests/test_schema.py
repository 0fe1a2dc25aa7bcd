"""annotate.lib.schema: defaults, validation, and the rules for changing a schema. Pure."""

from __future__ import annotations

import copy

import pytest

from annotate.lib.schema import (
    SchemaError,
    active_targets,
    check_schema,
    check_schema_change,
    claim_key,
    default_schema,
    label_index,
    span_labels,
)


def refused(schema) -> SchemaError:
    with pytest.raises(SchemaError) as info:
        check_schema(schema)
    return info.value


def change_refused(old, new, **used) -> SchemaError:
    kwargs = {"used_labels": set(), "used_targets": set(), "used_values": set()} | used
    with pytest.raises(SchemaError) as info:
        check_schema_change(old, new, **kwargs)
    return info.value


def change(old, new, **used):
    kwargs = {"used_labels": set(), "used_targets": set(), "used_values": set()} | used
    return check_schema_change(old, new, **kwargs)


# ---- defaults ----


def test_default_schema_has_the_design_labels_targets_and_values():
    schema = default_schema()
    assert [lab["key"] for lab in schema["entity_labels"]] == [
        "PER",
        "ORG",
        "LOC",
        "GPE",
        "MILITARY_GROUP",
        "EVENT",
        "DATE",
    ]
    assert claim_key(schema) == "CLAIM"
    assert schema["stance_values"] == ["favor", "against", "neutral", "not_mentioned"]
    assert schema["claim_stance_values"] == ["supports", "refutes", "reports"]
    assert schema["claimant_values"] == ["author", "unattributed"]
    assert [t["key"] for t in schema["stance_targets"]] == ["isis", "syrian_army", "us_coalition"]
    assert [lab["shortcut"] for lab in schema["entity_labels"]] == list("1234567")


def test_default_schema_is_valid_and_canonical():
    assert check_schema(default_schema()) == default_schema()


def test_default_schema_takes_custom_targets():
    schema = default_schema(stance_targets=[("hts", "HTS")])
    assert schema["stance_targets"] == [
        {"key": "hts", "name": "HTS", "required": True, "retired": False}
    ]


def test_defaults_fill_missing_fields():
    schema = check_schema({"entity_labels": [{"key": "PER"}]})
    assert schema["entity_labels"] == [
        {"key": "PER", "name": "PER", "color": "#888888", "shortcut": "", "retired": False}
    ]
    assert schema["claim_label"]["key"] == "CLAIM"
    assert schema["stance_values"] == ["favor", "against", "neutral", "not_mentioned"]


def test_lookup_helpers():
    schema = default_schema()
    assert [lab["key"] for lab in span_labels(schema)][-1] == "CLAIM"
    assert set(label_index(schema)) == {lab["key"] for lab in span_labels(schema)}
    schema["stance_targets"][0]["retired"] = True
    assert [t["key"] for t in active_targets(schema)] == ["syrian_army", "us_coalition"]


# ---- validation ----


def with_label(**fields):
    schema = default_schema()
    schema["entity_labels"][0].update(fields)
    return schema


@pytest.mark.parametrize(
    ("schema", "field", "words"),
    [
        ([], "schema", "must be an object"),
        ({"labels": []}, "labels", "is not a schema field"),
        ({"entity_labels": {}}, "entity_labels", "must be a list"),
        ({"entity_labels": ["PER"]}, "entity_labels[0]", "must be an object"),
        (with_label(key="1PER"), "entity_labels[0].key", "must start with a letter"),
        (with_label(key="PER-X"), "entity_labels[0].key", "letters, digits and _"),
        (with_label(name=" "), "entity_labels[0].name", "non-empty"),
        (with_label(name="x" * 101), "entity_labels[0].name", "at most 100"),
        (with_label(color="red"), "entity_labels[0].color", "colour like"),
        (with_label(shortcut="ab"), "entity_labels[0].shortcut", "one character"),
        (with_label(shortcut="z"), "entity_labels[0].shortcut", "reserved"),
        (with_label(retired="no"), "entity_labels[0].retired", "true or false"),
        (with_label(key="ORG"), "entity_labels[1].key", "used twice"),
        (with_label(key="CLAIM"), "claim_label.key", "used twice"),
        (with_label(shortcut="2"), "entity_labels[1].shortcut", "already the shortcut of PER"),
        ({"stance_targets": [{"key": "a b"}]}, "stance_targets[0].key", "identifier"),
        (
            {"stance_targets": [{"key": "isis"}, {"key": "isis"}]},
            "stance_targets[1].key",
            "listed twice",
        ),
        ({"stance_targets": [{"key": "x", "required": 1}]}, "stance_targets[0].required", ""),
        ({"stance_values": []}, "stance_values", "at least one"),
        ({"stance_values": ["favor", "favor"]}, "stance_values[1]", "listed twice"),
        ({"claim_stance_values": ["ok", "no way"]}, "claim_stance_values[1]", "identifier"),
        ({"claimant_values": "author"}, "claimant_values", "a list"),
        ({"article_clitic": "yes"}, "article_clitic", "true or false"),
    ],
)
def test_it_rejects_invalid_schemas_naming_the_field(schema, field, words):
    error = refused(schema)
    assert error.field == field
    assert words in error.message


def test_a_retired_label_may_share_a_shortcut():
    schema = with_label(shortcut="2", retired=True)
    assert check_schema(schema)["entity_labels"][0]["shortcut"] == "2"


def test_names_are_trimmed():
    assert check_schema(with_label(name="  Person "))["entity_labels"][0]["name"] == "Person"


# ---- changes ----


def test_renaming_a_used_label_keeps_its_key():
    old = default_schema()
    new = copy.deepcopy(old)
    new["entity_labels"][0]["name"] = "Person or persona"
    result = change(old, new, used_labels={"PER"})
    assert result["entity_labels"][0] == {**old["entity_labels"][0], "name": "Person or persona"}


def test_a_used_label_cannot_be_removed_only_retired():
    old = default_schema()
    new = copy.deepcopy(old)
    del new["entity_labels"][0]
    error = change_refused(old, new, used_labels={"PER"})
    assert error.field == "entity_labels"
    assert "label 'PER' is used by annotations: retire it" in error.message
    new = copy.deepcopy(old)
    new["entity_labels"][0]["retired"] = True
    assert change(old, new, used_labels={"PER"})["entity_labels"][0]["retired"] is True


def test_an_unused_label_can_be_removed_and_new_ones_added():
    old = default_schema()
    new = copy.deepcopy(old)
    del new["entity_labels"][0]
    new["entity_labels"].append({"key": "WEAPON", "name": "Weapon", "color": "#123456"})
    result = change(old, new, used_labels={"ORG"})
    assert [lab["key"] for lab in result["entity_labels"]][-1] == "WEAPON"


def test_a_used_claim_label_cannot_be_removed():
    old = default_schema()
    new = copy.deepcopy(old)
    new["claim_label"]["key"] = "ASSERTION"
    error = change_refused(old, new, used_labels={"CLAIM"})
    assert "'CLAIM' is used" in error.message


def test_a_used_label_cannot_switch_between_entity_and_claim():
    old = default_schema()
    new = copy.deepcopy(old)
    new["entity_labels"] = [lab for lab in new["entity_labels"] if lab["key"] != "EVENT"]
    new["entity_labels"].append({"key": "CLAIM", "name": "Claim as entity"})
    new["claim_label"] = {"key": "EVENT", "name": "Event claim"}
    error = change_refused(old, new, used_labels={"EVENT"})
    assert error.field == "claim_label.key"
    assert "cannot switch" in error.message


def test_a_used_stance_target_cannot_be_removed():
    old = default_schema()
    new = copy.deepcopy(old)
    new["stance_targets"] = new["stance_targets"][1:]
    error = change_refused(old, new, used_targets={"isis"})
    assert error.field == "stance_targets"
    assert "'isis'" in error.message
    assert change(old, new, used_targets={"syrian_army"})["stance_targets"][0]["key"] == (
        "syrian_army"
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("stance_values", "neutral"),
        ("claim_stance_values", "reports"),
        ("claimant_values", "unattributed"),
    ],
)
def test_a_used_value_cannot_be_removed(field, value):
    old = default_schema()
    new = copy.deepcopy(old)
    new[field] = [v for v in new[field] if v != value]
    error = change_refused(old, new, used_values={value})
    assert error.field == field
    assert f"{value!r} is used" in error.message
    assert change(old, new, used_values=set())[field] == new[field]


def test_a_change_is_validated_as_a_schema_too():
    old = default_schema()
    new = copy.deepcopy(old)
    new["entity_labels"][0]["color"] = "blue"
    assert change_refused(old, new).field == "entity_labels[0].color"
