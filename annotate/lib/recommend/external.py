"""An external model server speaking the Label Studio ML backend protocol. Pure: no Django.

The request is what Label Studio sends to `POST {url}/predict`:

    {"tasks": [{"id": 17, "data": {"text": "..."}}], "label_config": "<View>...</View>",
     "project": "3", "params": {}}

and the answer is a list of predictions, one per task in order, either as the list itself or
under "results" (both are in use):

    {"results": [{"result": [{"from_name": "label", "to_name": "text", "type": "labels",
                              "value": {"start": 0, "end": 4, "text": "داعش",
                                        "labels": ["MILITARY_GROUP"]},
                              "score": 0.93}],
                  "score": 0.9, "model_version": "v3"}]}

Offsets are read as Label Studio writes them (code points or UTF-16 units, decided by the
region's text where it carries one, as imports do), must slice the article's text and never
split a letter from its marks; labels must be active entity labels of the schema. Anything
else makes the whole answer an error naming the task and region: a model that answers
garbage is not half-trusted.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import quoteattr

from annotate.lib.imports.common import RecordProblem, resolve_offsets
from annotate.lib.recommend.gazetteer import Suggestion
from corpus.lib.text import is_cluster_boundary

KIND = "external"


class ExternalModelError(ValueError):
    """The model server could not be used: unreachable, too slow, too big, or malformed."""


def label_config(labels: Sequence[str]) -> str:
    """The labelling config the backend is told about: one Labels tag over one Text."""
    choices = "".join(f"<Label value={quoteattr(label)}/>" for label in labels)
    return (
        f'<View><Labels name="label" toName="text">{choices}</Labels>'
        '<Text name="text" value="$text"/></View>'
    )


def predict_request(texts: Sequence[str], *, labels: Sequence[str], project: str) -> bytes:
    """The JSON body of `POST /predict` for these texts (task ids are their positions)."""
    tasks = [{"id": index, "data": {"text": text}} for index, text in enumerate(texts)]
    body = {"tasks": tasks, "label_config": label_config(labels), "project": project, "params": {}}
    return json.dumps(body, ensure_ascii=False).encode()


def parse_predictions(
    data: bytes, *, texts: Sequence[str], labels: Sequence[str], recommender: str = KIND
) -> tuple[list[list[Suggestion]], str]:
    """Suggestions per text from the server's answer, and the model version it names."""
    try:
        payload = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ExternalModelError(f"the answer is not JSON: {exc}") from None
    predictions = payload.get("results") if isinstance(payload, dict) else payload
    if not isinstance(predictions, list):
        raise ExternalModelError(
            'the answer is neither a list of predictions nor an object with "results"'
        )
    if len(predictions) != len(texts):
        raise ExternalModelError(
            f"the answer has {len(predictions)} predictions for {len(texts)} tasks"
        )
    allowed = set(labels)
    versions = set()
    found: list[list[Suggestion]] = []
    for index, (prediction, text) in enumerate(zip(predictions, texts, strict=True)):
        if not isinstance(prediction, dict):
            raise ExternalModelError(f"prediction {index}: must be an object")
        version = prediction.get("model_version")
        if version is not None:
            versions.add(str(version)[:40])
        try:
            found.append(
                _suggestions(prediction, text=text, allowed=allowed, recommender=recommender)
            )
        except RecordProblem as problem:
            raise ExternalModelError(
                f"prediction {index}: {problem.field}: {problem.message}"
            ) from None
    return found, ",".join(sorted(versions))


def _suggestions(
    prediction: dict[str, Any], *, text: str, allowed: set[str], recommender: str
) -> list[Suggestion]:
    results = prediction.get("result") or []
    if not isinstance(results, list):
        raise RecordProblem("result", "must be a list")
    default_score = _score(prediction.get("score"), "score", 1.0)
    found = []
    for i, region in enumerate(results):
        field = f"result[{i}]"
        if not isinstance(region, dict):
            raise RecordProblem(field, "must be an object")
        if region.get("type") != "labels":
            continue  # choices, relations, ...: not spans
        value = region.get("value")
        if not isinstance(value, dict):
            raise RecordProblem(f"{field}.value", "must be an object")
        chosen = value.get("labels")
        if not isinstance(chosen, list) or not chosen:
            raise RecordProblem(f"{field}.value.labels", "must list at least one label")
        expected = value.get("text") if isinstance(value.get("text"), str) else None
        start, end = resolve_offsets(
            text,
            value.get("start"),
            value.get("end"),
            expected=expected,
            mode="auto",
            field=f"{field}.value",
        )
        for name, offset in (("start", start), ("end", end)):
            if not is_cluster_boundary(text, offset):
                raise RecordProblem(f"{field}.value.{name}", "splits a letter from its marks")
        score = _score(region.get("score"), f"{field}.score", default_score)
        for label in chosen:
            if label not in allowed:
                raise RecordProblem(f"{field}.value.labels", f"unknown or retired label {label!r}")
            found.append(Suggestion(start, end, label, text[start:end], score, recommender))
    return found


def _score(value: Any, field: str, default: float) -> float:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise RecordProblem(field, f"must be a number from 0 to 1, got {value!r}")
    return float(value)
