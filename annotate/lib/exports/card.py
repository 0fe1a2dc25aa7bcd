"""The dataset card: README.md at the top of the zip, with the YAML header the Hugging Face
`datasets` library reads (https://huggingface.co/docs/hub/datasets-manual-configuration and
https://huggingface.co/docs/hub/datasets-cards): one configuration per loadable format with
its data files per split, and the features of each, so that

    datasets.load_dataset("path/to/unzipped")          # gold JSONL: train, dev, test
    datasets.load_dataset("path/to/unzipped", "raw")   # raw per-annotator JSONL

give three splits with named, typed columns. Only JSON Lines files are configurations:
`datasets` picks one loader for all configurations of a folder, so the stance CSV and the
CoNLL files are listed for pandas and CoNLL readers instead. The YAML is written by hand
(every key and label is an identifier, every path fixed), in a fixed order: same inputs,
same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from annotate.lib.exports import file_name
from annotate.lib.exports.split import SPLITS

# A feature: (name, dtype) for a value, (name, [features]) for a struct,
# (name, ("list", [features])) for a list of structs, (name, ("values", dtype)) for a list of
# values, (name, ("pairs", dtype)) for a list of lists of values, (name, ("class_labels",
# [names])) for a list of ints with names (datasets' ClassLabel). The YAML is the form
# `datasets.Features._to_yaml_list` writes.
Feature = tuple[str, Any]

CLAIM_ATTRIBUTES: list[Feature] = [
    ("checkworthy", "bool"),
    ("claimant", "string"),
    ("stance", "string"),
]


def _span_features() -> list[Feature]:
    return [
        ("id", "string"),
        ("start", "int64"),
        ("end", "int64"),
        ("label", "string"),
        ("text", "string"),
        ("attributes", CLAIM_ATTRIBUTES),
    ]


def gold_features(stance_targets: Iterable[str]) -> list[Feature]:
    """The columns of the gold JSONL, in the order the writer writes them."""
    targets: list[Feature] = [(target, "string") for target in stance_targets]
    return [
        ("id", "int64"),
        ("external_id", "string"),
        ("title", "string"),
        ("text", "string"),
        ("spans", ("list", _span_features())),
        ("relations", ("list", [("type", "string"), ("from", "string"), ("to", "string")])),
        # An empty struct does not load: a schema without targets gets a placeholder type.
        ("document_labels", [("stance", targets)] if targets else "null"),
        ("split", "string"),
    ]


def token_features(tag_names: list[str]) -> list[Feature]:
    """The columns of the token-classification JSONL (tokens.py)."""
    return [
        ("id", "int64"),
        ("external_id", "string"),
        ("tokens", ("values", "string")),
        ("ner_tags", ("class_labels", tag_names)),
        ("token_offsets", ("pairs", "int64")),
        ("split", "string"),
    ]


def _quote(value: str) -> str:
    """A YAML scalar: JSON strings are valid YAML double-quoted scalars."""
    return json.dumps(value, ensure_ascii=False)


def _features_yaml(features: list[Feature], indent: int) -> list[str]:
    pad = " " * indent
    lines = []
    for name, kind in features:
        lines.append(f"{pad}- name: {_quote(name)}")
        if isinstance(kind, str):
            lines.append(f"{pad}  dtype: {kind}")
        elif isinstance(kind, list):
            lines.append(f"{pad}  struct:")
            lines += _features_yaml(kind, indent + 2)
        elif kind[0] == "list":
            lines.append(f"{pad}  list:")
            lines += _features_yaml(kind[1], indent + 2)
        elif kind[0] == "values":
            lines.append(f"{pad}  list: {kind[1]}")
        elif kind[0] == "pairs":
            lines.append(f"{pad}  list:")
            lines.append(f"{pad}    list: {kind[1]}")
        elif kind[0] == "class_labels":
            lines.append(f"{pad}  list:")
            lines.append(f"{pad}    class_label:")
            lines.append(f"{pad}      names:")
            lines += [f"{pad}        '{i}': {_quote(n)}" for i, n in enumerate(kind[1])]
        else:  # pragma: no cover - a programming error
            raise ValueError(f"unknown feature kind {kind!r}")
    return lines


def card_header(configs: Mapping[str, tuple[str, list[Feature] | None]]) -> list[str]:
    """The YAML front matter: `configs` maps a configuration name to (format, features);
    the first configuration is the default one."""
    lines = ["---", "configs:"]
    for i, (config, (format, _)) in enumerate(configs.items()):
        lines.append(f"- config_name: {config}")
        if i == 0:
            lines.append("  default: true")
        lines.append("  data_files:")
        for split in SPLITS:
            lines.append(f"  - split: {split}")
            lines.append(f"    path: {file_name(format, split)}")
    described = [(config, features) for config, (_, features) in configs.items() if features]
    if described:
        lines.append("dataset_info:")
        for config, features in described:
            lines.append(f"- config_name: {config}")
            lines.append("  features:")
            lines += _features_yaml(features or [], 4)
    lines.append("---")
    return lines


def dataset_card(
    *,
    title: str,
    configs: Mapping[str, tuple[str, list[Feature] | None]],
    counts: Mapping[str, int],
    split_rule: str,
    files: Iterable[str],
    notes: Iterable[str] = (),
) -> bytes:
    """README.md: the YAML header, then what the files are, for a human reader."""
    lines = card_header(configs)
    lines += [
        "",
        f"# {title}",
        "",
        "Exported by the Arabic news annotation workbench. `manifest.json` lists every file",
        "with its SHA-256, the label set, counts and options.",
        "",
        "## Splits",
        "",
        "| split | gold articles |",
        "|---|---|",
        *[f"| {split} | {counts.get(split, 0)} |" for split in SPLITS],
        "",
        split_rule,
        "",
        "## Offsets",
        "",
        "Every offset is a Unicode code point index into the NFC-normalised `text` shipped",
        "with it (`text[start:end]` in Python), not a UTF-16 or byte index.",
        "",
        "## Files",
        "",
        *[f"- `{name}`" for name in files],
        *(["", "## Notes", "", *notes] if notes else []),
        "",
    ]
    return "\n".join(lines).encode("utf-8")
