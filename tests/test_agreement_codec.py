"""codec.py: dataclasses to JSON objects and back, by their fields and types. Pure: no database.

The report's own round trip (every class, byte for byte) is tested in test_agreement_batch.py
and test_agreement_golden.py; these are the codec's rules one at a time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from annotate.lib.agreement.codec import FLATTEN, Codec, from_json, json_key, to_json
from annotate.lib.agreement.score import Score


@dataclass(frozen=True)
class Leaf(Codec):
    name: str
    weight: float


@dataclass(frozen=True)
class Tree(Codec):
    z_first: int
    leaves: list[Leaf]
    by_name: dict[str, Leaf]
    matrix: list[list[int]]
    best: Leaf | None
    score: Score  # its own as_dict()/from_dict()
    renamed: int = field(metadata=json_key("renamed_in_json"))
    note: str | None = None


@dataclass(frozen=True)
class Flat(Codec):
    key: str
    score: Score = field(metadata=FLATTEN)


def tree() -> Tree:
    return Tree(
        z_first=1,
        leaves=[Leaf("a", 0.5), Leaf("b", 1.0)],
        by_name={"b": Leaf("b", 1.0), "a": Leaf("a", 0.5)},
        matrix=[[1, 2], [3, 4]],
        best=None,
        score=Score.undefined("no_spans", annotators=2),
        renamed=7,
    )


def test_it_writes_fields_in_declaration_order_and_mappings_in_their_order():
    data = tree().as_dict()
    assert list(data) == [
        "z_first",
        "leaves",
        "by_name",
        "matrix",
        "best",
        "score",
        "renamed_in_json",
        "note",
    ]
    assert list(data["by_name"]) == ["b", "a"]
    assert data["leaves"] == [{"name": "a", "weight": 0.5}, {"name": "b", "weight": 1.0}]
    assert data["best"] is None


def test_it_writes_a_class_with_its_own_as_dict_by_it():
    assert tree().as_dict()["score"] == Score.undefined("no_spans", annotators=2).as_dict()


def test_it_reads_back_what_it_wrote():
    value = tree()
    assert Tree.from_dict(value.as_dict()) == value
    with_best = Tree(**{**vars(value), "best": Leaf("c", 2.0), "note": "n"})
    assert from_json(Tree, to_json(with_best)) == with_best


def test_a_flattened_field_shares_the_object():
    row = Flat("spans.f1", Score(0.5, items=3, annotators=2))
    data = row.as_dict()
    assert data == {"key": "spans.f1", **Score(0.5, items=3, annotators=2).as_dict()}
    assert Flat.from_dict(data) == row


def test_read_lists_and_dicts_are_copies():
    data = tree().as_dict()
    read = Tree.from_dict(data)
    assert read.matrix == data["matrix"] and read.matrix[0] is not data["matrix"][0]


def test_a_missing_key_takes_the_default_or_raises_key_error():
    data = tree().as_dict()
    del data["note"]
    assert Tree.from_dict(data).note is None
    del data["renamed_in_json"]
    with pytest.raises(KeyError, match="renamed_in_json"):
        Tree.from_dict(data)


def test_a_type_with_no_json_form_is_refused():
    @dataclass
    class Odd(Codec):
        pair: tuple[int, int]

    with pytest.raises(TypeError, match="no JSON form"):
        Odd((1, 2)).as_dict()


def test_only_dataclasses_are_written():
    class NotData(Codec):
        pass

    with pytest.raises(TypeError, match="not a dataclass"):
        NotData().as_dict()


@dataclass(frozen=True)
class Tagged(Leaf):
    def as_dict(self) -> dict[str, Any]:
        return {**super().as_dict(), "kind": "leaf"}


@dataclass(frozen=True)
class Holder(Codec):
    leaf: Tagged


def test_a_subclass_that_adds_a_key_is_written_by_its_as_dict_wherever_nested():
    data = Holder(Tagged("a", 1.0)).as_dict()
    assert data == {"leaf": {"name": "a", "weight": 1.0, "kind": "leaf"}}
    assert Holder.from_dict(data) == Holder(Tagged("a", 1.0))
