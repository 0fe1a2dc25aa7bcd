"""manifest.json: what an export holds and how to check it.

Everything in it is determined by the project state and the options, except `created_at`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from annotate.lib.exports import EXPORT_FORMAT_VERSION
from annotate.lib.exports.archive import FileInfo
from annotate.lib.exports.conll import tag_names
from annotate.lib.exports.records import ExportStats
from annotate.lib.exports.split import SPLITS
from annotate.lib.schema import claim_key, span_labels


def label_set(schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "span_labels": [label["key"] for label in span_labels(schema) if label],
        "retired_labels": [label["key"] for label in span_labels(schema) if label.get("retired")],
        "claim_label": claim_key(schema),
        "stance_targets": [target["key"] for target in schema.get("stance_targets", [])],
        "stance_values": list(schema.get("stance_values", [])),
        "claim_stance_values": list(schema.get("claim_stance_values", [])),
        "claimant_values": list(schema.get("claimant_values", [])),
    }


def _per_split(counter: Any) -> dict[str, int]:
    counts = {split: int(counter.get(split, 0)) for split in SPLITS}
    counts["total"] = sum(counts.values())
    return counts


def build_manifest(
    *,
    project: dict[str, Any],
    schema: dict[str, Any],
    schema_version: int,
    options: dict[str, Any],
    split: dict[str, Any],
    stats: ExportStats,
    files: Iterable[FileInfo],
    articles_in_project: int,
    agreement: dict[str, Any] | None,
    guidelines: dict[str, Any] | None = None,
    tool: dict[str, str],
    created_at: str,
) -> bytes:
    labels = label_set(schema)
    entity_labels = [key for key in labels["span_labels"] if key != labels["claim_label"]]
    found = {label for counter in stats.spans.values() for label in counter}
    span_counts = {
        label: _per_split({split: stats.spans[split][label] for split in list(stats.spans)})
        for label in [*labels["span_labels"], *sorted(found - set(labels["span_labels"]))]
    }
    manifest = {
        "format_version": EXPORT_FORMAT_VERSION,
        "tool": tool,
        "created_at": created_at,
        "project": project,
        "schema_version": schema_version,
        # How every offset in every file is to be read (a JavaScript consumer would otherwise
        # assume UTF-16 units).
        "offsets": {
            "unit": "unicode code point",
            "text": "NFC-normalised, LF line ends, as shipped in the gold JSONL `text`",
            "slice": "text[start:end] (end exclusive)",
        },
        "guidelines": guidelines,
        "label_set": labels,
        "schema": schema,
        "options": options,
        "split": split,
        "counts": {
            "articles_in_project": articles_in_project,
            "gold_articles": _per_split(stats.articles),
            "articles_without_gold": articles_in_project - sum(stats.articles.values()),
            "spans": span_counts,
            "stance": {
                target: {value: counter[value] for value in sorted(counter)}
                for target, counter in sorted(stats.stance.items())
            },
            "raw_annotations": stats.raw_annotations,
            "annotators": len(stats.annotators),
        },
        "conll": (
            {
                "columns": ["token", "start", "end", "ner", "nested", "claim"],
                "tagged_labels": entity_labels,
                "claim_label": labels["claim_label"],
                "tokens": stats.conll_tokens,
                "sentences": stats.conll_sentences,
                "overlapping_spans_dropped": stats.conll_overlapping_dropped,
            }
            if "conll" in options.get("formats", ())
            else None
        ),
        "token_classification": (
            {
                "features": {"ner_tags": {"class_label": {"names": tag_names(entity_labels)}}},
                "files": "tokens/{train,dev,test}.jsonl",
            }
            if "tokens" in options.get("formats", ())
            else None
        ),
        "agreement": agreement,
        "files": {
            info.name: {"sha256": info.sha256, "bytes": info.bytes, "lines": info.lines}
            for info in files
        },
    }
    return (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
