"""Label Studio's JSON export: a list of tasks, each with its annotations.

    [{"id": 17, "data": {"text": "...", "title": "..."},
      "annotations": [{"id": 5, "completed_by": 2, "was_cancelled": false,
                       "result": [{"id": "aB3x", "from_name": "label", "to_name": "text",
                                   "type": "labels",
                                   "value": {"start": 4, "end": 8, "text": "داعش",
                                             "labels": ["MILITARY_GROUP"]}}, ...]}]}]

(https://labelstud.io/guide/task_format). Every annotation that was not cancelled becomes
one record, its annotator the `completed_by` user (an id, or an object with an e-mail).
The text is `data.text`. A `labels` result becomes one span per label; its `value.text`
settles whether offsets are code points or UTF-16 units (Label Studio has written both).
A document-level `choices` result whose `from_name` is a stance target key (or
`stance_<key>`) becomes the stance for that target; a `relation` result from a claim span to
an entity span becomes the claimant relation. Other results (predictions too) are counted as
ignored. Tasks without annotations are skipped and counted.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from annotate.lib.imports.common import (
    OffsetMode,
    Parsed,
    ParseSummary,
    RecordError,
    RecordProblem,
    TextMap,
    build_span,
    decode,
    external_id_of,
    finish,
    foreign_attributes,
    known_labels,
    safe_span_id,
    title_of,
)
from annotate.lib.schema import claim_key
from corpus.lib.parsers import Origin


def _annotator(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("email") or value.get("username") or value.get("id")
    return None if value in (None, "") else str(value)


OUR_KEYS = frozenset({"spans", "document_labels"})
# Label Studio's JSON-MIN export: one flat object per task, data fields and results at the top
JSON_MIN_KEYS = frozenset({"annotator", "annotation_id", "lead_time"})


def not_label_studio(tasks: list[Any]) -> str | None:
    """What a file given as Label Studio JSON is when it is not that, to refuse it with; None
    when it looks like Label Studio's JSON export (every task has `data`)."""
    if not tasks:
        return "this file holds no tasks ([]): nothing to import"
    first = tasks[0]
    if not isinstance(first, dict):
        return None  # each task is reported on its own
    keys = set(first)
    if "tasks" in keys and "data" not in keys:
        return (
            'this is an object with "tasks", not Label Studio\'s JSON export (a list of tasks '
            'with "data" and "annotations"): export the project as JSON'
        )
    if "data" in keys:
        return None
    if keys >= OUR_KEYS:
        return "this is the workbench's own JSONL (spans, document_labels): use --format ours"
    if keys & JSON_MIN_KEYS:
        return "this is Label Studio JSON-MIN: export as JSON (with annotations), not JSON-MIN"
    return (
        'this is not Label Studio\'s JSON export: its tasks have no "data" (keys: '
        + ", ".join(sorted(map(str, keys))[:8])
        + ")"
    )


def load_tasks(data: bytes, *, name: str) -> list[Any] | str:
    """The tasks of a Label Studio JSON export, or why the file is not one (a sentence)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        tasks = json.loads(decode(data, name=name))
    except RecordProblem as exc:
        return exc.message
    except json.JSONDecodeError as exc:
        return f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
    if isinstance(tasks, dict):
        tasks = [tasks]
    if not isinstance(tasks, list):
        return "expected a JSON list of tasks (Label Studio's JSON export)"
    if (looks_like := not_label_studio(tasks)) is not None:
        return looks_like
    return tasks


def parse_label_studio(
    data: bytes,
    *,
    name: str,
    schema: dict[str, Any],
    offsets: OffsetMode = "auto",
    summary: ParseSummary | None = None,
) -> Iterator[Parsed]:
    summary = summary if summary is not None else ParseSummary()
    tasks = load_tasks(data, name=name)
    if isinstance(tasks, str):
        yield RecordError(Origin(name), tasks)
        return
    labels = known_labels(schema)
    claim = claim_key(schema)
    targets = {t["key"] for t in schema.get("stance_targets", []) if not t.get("retired")}
    stance_values = set(schema.get("stance_values", []))
    for index, task in enumerate(tasks, start=1):
        task_id = task.get("id") if isinstance(task, dict) else None
        where = f"{name}, task {index}" + (f" (id {task_id})" if task_id is not None else "")
        origin = Origin(where)
        if not isinstance(task, dict):
            yield RecordError(origin, "a task must be an object")
            continue
        annotations = [
            a
            for a in task.get("annotations") or []
            if isinstance(a, dict) and not a.get("was_cancelled")
        ]
        if task.get("predictions"):
            summary.ignore("predictions", len(task["predictions"]))
        if not annotations:
            summary.ignore("tasks without annotations")
            continue
        for number, annotation in enumerate(annotations, start=1):
            record_origin = (
                Origin(f"{where}, annotation {number}") if len(annotations) > 1 else origin
            )
            try:
                record = _record(
                    task,
                    annotation,
                    origin=record_origin,
                    schema=schema,
                    labels=labels,
                    claim=claim,
                    targets=targets,
                    stance_values=stance_values,
                    offsets=offsets,
                    summary=summary,
                )
            except RecordProblem as exc:
                yield RecordError(record_origin, exc.message, exc.field)
                continue
            yield record


def _record(
    task: dict[str, Any],
    annotation: dict[str, Any],
    *,
    origin: Origin,
    schema: dict[str, Any],
    labels: dict[str, dict[str, Any]],
    claim: str,
    targets: set[str],
    stance_values: set[str],
    offsets: OffsetMode,
    summary: ParseSummary,
) -> Parsed:
    data = task.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("text"), str):
        raise RecordProblem("data.text", "the task has no text (data.text)")
    mapping = TextMap(data["text"])
    results = annotation.get("result") or []
    if not isinstance(results, list):
        raise RecordProblem("result", "must be a list")
    spans: list[dict[str, Any]] = []
    region_ids: dict[str, list[str]] = {}
    stance: dict[str, str] = {}
    relations = []
    pending: list[tuple[str, dict[str, Any]]] = []
    for i, result in enumerate(results):
        field = f"result[{i}]"
        if not isinstance(result, dict):
            raise RecordProblem(field, "must be an object")
        kind = result.get("type")
        value = result.get("value") or {}
        if kind == "labels":
            chosen = value.get("labels") or []
            if not isinstance(chosen, list) or not chosen:
                raise RecordProblem(f"{field}.value.labels", "must list at least one label")
            expected = value.get("text") if isinstance(value.get("text"), str) else None
            base = safe_span_id(result.get("id"), f"r{i + 1}")
            for j, label in enumerate(chosen):
                span_id = base if len(chosen) == 1 else f"{base}-{j + 1}"
                spans.append(
                    build_span(
                        mapping,
                        start=value.get("start"),
                        end=value.get("end"),
                        label=label,
                        span_id=span_id,
                        expected=expected,
                        mode=offsets,
                        field=f"{field}.value",
                        labels=labels,
                        attributes=foreign_attributes(label, claim=claim),
                    )
                )
                region_ids.setdefault(str(result.get("id")), []).append(span_id)
        elif kind == "choices" and "start" not in value:
            target = str(result.get("from_name", ""))
            target = target.removeprefix("stance_")
            choices = value.get("choices") or []
            if target not in targets:
                summary.ignore("choices that are not stance targets")
                continue
            if len(choices) != 1 or choices[0] not in stance_values:
                raise RecordProblem(
                    f"{field}.value.choices",
                    f"stance must be one of {sorted(stance_values)}, got {choices!r}",
                )
            stance[target] = choices[0]
        elif kind == "relation":
            pending.append((field, result))
        else:
            summary.ignore(f"results of type {kind}")
    # Relations refer to regions by id; read them once every region is known.
    for field, result in pending:
        names = [str(n).lower() for n in result.get("labels") or []]
        if names and "claimant" not in names:
            summary.ignore("relations of other types")
            continue
        sources = region_ids.get(str(result.get("from_id")))
        ends = region_ids.get(str(result.get("to_id")))
        if not sources or not ends:
            raise RecordProblem(field, "the relation refers to a region that is not a span")
        relations.append({"type": "claimant", "from": sources[0], "to": ends[0]})
    return finish(
        origin,
        mapping,
        {"spans": spans, "relations": relations, "document_labels": {"stance": stance}},
        schema=schema,
        title=title_of(data.get("title")),
        external_id=external_id_of(data.get("external_id", task.get("id"))),
        annotator=_annotator(annotation.get("completed_by")),
    )
