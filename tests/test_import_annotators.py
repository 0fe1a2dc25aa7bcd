# ruff: noqa: F811 - the fixtures imported from another test module are redefined as arguments
"""Foreign and re-imported annotations name their annotators: a name that is not a project
member is refused (naming every such annotator, nothing written) unless mapped explicitly to a
member, through the command and the REST API. And the refusals of files that are not the
named format, with a non-zero exit or a 400."""

from __future__ import annotations

import io
import json
import re

import pytest
from django.core.management import CommandError, call_command

from annotate.lib.imports.common import RecordProblem, parse_annotator_map, unknown_annotators
from annotate.models import Annotation, Assignment, AuditEvent, Job, JobStatus, ProjectArticle, Role
from corpus.models import Article
from tests.factories import make_project
from tests.test_imports_api import (  # noqa: F401 - fixtures
    FIXTURES,
    client_for,
    exported,
    source,
    upload,
    users,
    write,
)

pytestmark = pytest.mark.django_db


def only_some_members(users):
    """ann2 is not in this project."""
    return {users["manager"]: Role.MANAGER, users["ann1"]: Role.ANNOTATOR}


def nothing_written(project) -> None:
    assert not Annotation.objects.filter(project=project).exists()
    assert not Assignment.objects.filter(project=project).exists()
    assert not ProjectArticle.objects.filter(project=project).exists()
    assert not AuditEvent.objects.filter(project=project).exists()


# ---- pure ----


def test_annotator_map_pairs():
    assert parse_annotator_map(["2=amal", "Bob@X.org = badr, 7=amal"]) == {
        "2": "amal",
        "bob@x.org": "badr",
        "7": "amal",
    }
    for bad in (["amal"], ["=amal"], ["2="], ["2=amal", "2=badr"]):
        with pytest.raises(RecordProblem) as caught:
            parse_annotator_map(bad)
        assert caught.value.field == "map_annotator"


def test_unknown_annotators_are_counted_as_written_and_nobody_is_not_one():
    from annotate.lib.imports.common import ImportRecord
    from corpus.lib.parsers import Origin

    def record(annotator):
        return ImportRecord(Origin("f"), "نص", {}, annotator=annotator)

    records = [record("Zaid"), record("zaid"), record("amal"), record(None), record("2")]
    assert unknown_annotators(records, known={"amal", "zaid"}) == {"2": 1}
    assert unknown_annotators(records, known={"amal"}) == {"Zaid": 1, "zaid": 1, "2": 1}


# ---- the command ----


def test_reimporting_raw_annotations_of_a_non_member_is_refused_naming_them(
    source,
    users,
    tmp_path,
):
    raw = write(tmp_path, "raw.jsonl", exported(source, "raw"))
    target = make_project("target", members=only_some_members(users))
    with pytest.raises(CommandError) as caught:
        call_command(
            "import_annotations",
            str(target.pk),
            str(raw),
            "--format=ours",
            "--annotator=ann1",  # a default for records naming nobody does not take ann2's
            stdout=io.StringIO(),
        )
    message = str(caught.value)
    assert message.startswith("--map-annotator: the file names 1 annotator(s)")
    assert "'ann2' (2 records)" in message
    assert "Nothing was imported" in message
    nothing_written(target)
    assert Article.objects.count() == 2  # the source's only: no import corpus was filled


def test_a_mapped_annotator_is_imported_as_the_member_named(source, users, tmp_path):
    raw = write(tmp_path, "raw.jsonl", exported(source, "raw"))
    target = make_project("target", members=only_some_members(users))
    out = io.StringIO()
    call_command(
        "import_annotations",
        str(target.pk),
        str(raw),
        "--format=ours",
        "--map-annotator",
        "ANN2=manager",
        "--corpus=news",
        stdout=out,
    )
    assert "Imported 3 annotations" in out.getvalue()
    owners = sorted(
        Annotation.objects.filter(project=target).values_list("annotator__username", flat=True)
    )
    assert owners == ["ann1", "manager", "manager"]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("ann2", "--map-annotator: 'ann2' is not NAME=MEMBER"),
        ("ann2=outsider", "--map-annotator: 'outsider' (for 'ann2') is not a member"),
        ("ann2=ghost", "--map-annotator: 'ghost' (for 'ann2') is not a member"),
    ],
)
def test_a_bad_map_is_refused_before_reading_the_file(source, users, tmp_path, value, message):
    raw = write(tmp_path, "raw.jsonl", exported(source, "raw"))
    target = make_project("target", members=only_some_members(users))
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command(
            "import_annotations",
            str(target.pk),
            str(raw),
            "--format=ours",
            f"--map-annotator={value}",
        )
    nothing_written(target)


LS_REFUSALS = [
    (b"[]", "holds no tasks"),
    (b'{"tasks": []}', 'an object with "tasks"'),
    (
        b'[{"id":1,"text":"x","label":[],"annotator":3,"annotation_id":2,"lead_time":4.5}]',
        "this is Label Studio JSON-MIN: export as JSON",
    ),
    (
        b'{"id":1,"external_id":"","title":"","text":"\xd9\x86\xd8\xb5","spans":[],'
        b'"relations":[],"document_labels":{"stance":{}},"split":"train"}\n',
        "the workbench's own JSONL (spans, document_labels): use --format ours",
    ),
]


@pytest.mark.parametrize(("data", "message"), LS_REFUSALS)
def test_the_command_exits_non_zero_on_a_file_that_is_not_label_studio_json(
    users,
    tmp_path,
    data,
    message,
):
    project = make_project("ls", members=only_some_members(users))
    path = write(tmp_path, "tasks.json", data)
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command(
            "import_annotations",
            str(project.pk),
            str(path),
            "--format=label-studio",
            "--annotator=ann1",
            stdout=io.StringIO(),
        )
    nothing_written(project)


def test_doccano_offsets_after_an_emoji_are_code_points_by_default(users, tmp_path):
    project = make_project("dc", members=only_some_members(users))
    text = "أعلنت قسد 🕊️ وقف إطلاق النار في منبج."
    start = text.index("منبج")
    line = json.dumps({"id": 9, "text": text, "label": [[start, start + 4, "LOC"]]})
    path = write(tmp_path, "emoji.jsonl", line.encode())
    call_command(
        "import_annotations",
        str(project.pk),
        str(path),
        "--format=doccano",
        "--annotator=ann1",
        stdout=io.StringIO(),
    )
    (annotation,) = Annotation.objects.filter(project=project).select_related("article")
    (only,) = annotation.content["spans"]
    assert annotation.article.text[only["start"] : only["end"]] == "منبج"


# ---- REST ----


@pytest.mark.parametrize(("data", "message"), LS_REFUSALS)
def test_the_api_answers_400_to_a_file_that_is_not_label_studio_json(
    users,
    tmp_path,
    settings,
    data,
    message,
):
    settings.MEDIA_ROOT = tmp_path / "media"
    project = make_project("ls", members=only_some_members(users))
    path = write(tmp_path, "tasks.json", data)
    response = upload(client_for(users["manager"]), project, path, format="label-studio")
    assert response.status_code == 400
    body = response.json()
    assert body["field"] == "file"
    assert message in body["detail"]
    assert not Job.objects.exists()
    nothing_written(project)


def test_the_api_job_fails_naming_unmapped_annotators_and_writes_nothing(
    source,
    users,
    tmp_path,
    settings,
):
    settings.MEDIA_ROOT = tmp_path / "media"
    raw = write(tmp_path, "raw.jsonl", exported(source, "raw"))
    target = make_project("target", members=only_some_members(users))
    client = client_for(users["manager"])
    refused = upload(client, target, raw, format="ours")
    assert refused.status_code == 202
    job = refused.json()
    assert job["status"] == JobStatus.FAILED
    assert "'ann2' (2 records)" in job["error"]
    nothing_written(target)


def test_the_api_imports_a_mapped_annotator_as_the_member(source, users, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    raw = write(tmp_path, "raw.jsonl", exported(source, "raw"))
    target = make_project("target", members=only_some_members(users))
    response = upload(
        client_for(users["manager"]),
        target,
        raw,
        format="ours",
        map_annotator=["ann2=manager"],
    )
    job = response.json()
    assert job["status"] == JobStatus.DONE, job
    owners = sorted(
        Annotation.objects.filter(project=target).values_list("annotator__username", flat=True)
    )
    assert owners == ["ann1", "manager", "manager"]


@pytest.mark.parametrize(
    ("value", "message"),
    [("ann2", "is not NAME=MEMBER"), ("ann2=outsider", "is not a member of this project")],
)
def test_the_api_refuses_a_bad_map_with_400(source, users, tmp_path, settings, value, message):
    settings.MEDIA_ROOT = tmp_path / "media"
    raw = write(tmp_path, "raw.jsonl", exported(source, "raw"))
    target = make_project("target", members=only_some_members(users))
    response = upload(
        client_for(users["manager"]), target, raw, format="ours", map_annotator=[value]
    )
    assert response.status_code == 400
    assert response.json()["field"] == "map_annotator"
    assert message in response.json()["detail"]
    assert not Job.objects.filter(project=target).exists()


def test_the_data_page_field_sends_several_pairs_comma_separated(source, users, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    raw = write(tmp_path, "raw.jsonl", exported(source, "raw"))
    target = make_project("target", members={users["manager"]: Role.MANAGER})
    response = upload(
        client_for(users["manager"]),
        target,
        raw,
        format="ours",
        map_annotator="ann1=manager, ANN2 = manager",
    )
    job = response.json()
    # Both map to the manager, who then has two annotations of the first article: refused
    # record by record, which shows both names were mapped (no "not members" refusal).
    assert job["status"] == JobStatus.FAILED
    assert "not members of this project" not in job["error"]
    assert "the same text by manager appears earlier in this file" in job["error"]
