"""Imports into a project: round trip of our export, Label Studio and doccano files, through
the command and the REST API; all or nothing; per-record errors; permissions."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from annotate.exports import check_export_options, export_stream
from annotate.lib.content import check_content
from annotate.models import (
    Annotation,
    AnnotationStatus,
    AuditAction,
    AuditEvent,
    Gold,
    GoldSource,
    JobStatus,
    ProjectArticle,
    Role,
)
from corpus.lib.text import content_hash, normalise_for_search
from corpus.models import Article
from tests.export_files import joined, read_zip
from tests.factories import (
    make_annotation,
    make_article,
    make_corpus,
    make_project,
    make_user,
    span,
    span_of,
)

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def users():
    result = {name: make_user(name) for name in ("manager", "reviewer", "ann1", "ann2", "outsider")}
    result["ann1"].email = "ann1@example.org"
    result["ann1"].save()
    return result


def members(users):
    return {
        users["manager"]: Role.MANAGER,
        users["reviewer"]: Role.REVIEWER,
        users["ann1"]: Role.ANNOTATOR,
        users["ann2"]: Role.ANNOTATOR,
    }


def exported(project, format: str) -> bytes:
    """The export's files of `format` ("jsonl", "raw"), splits joined."""
    data = b"".join(
        export_stream(project, check_export_options(seed=1), created_at="2024-01-01T00:00:00")
    )
    return joined(read_zip(data), format)


@pytest.fixture
def source(users):
    texts = [
        "قال المتحدث إن وداعش انسحب من الرقة. وأكد الجيش السوري ذلك؟",
        "😀 أعلن التحالف الدولي عن غارات جديدة قرب دير الزور.",
    ]
    corpus = make_corpus("news")
    articles = [
        make_article(corpus, text=t, external_id=f"e{i}", title=f"t{i}")
        for i, t in enumerate(texts)
    ]
    project = make_project("source", articles=articles, members=members(users))
    a0, a1 = articles
    claim_text = "وداعش انسحب من الرقة"
    claim = dict(
        span_of(a0.text, claim_text, "CLAIM", checkworthy=True, claimant=None, stance="reports"),
        id="c1",
    )
    army = dict(span_of(a0.text, "الجيش السوري", "MILITARY_GROUP"), id="e1")
    isis = span(
        a0.text,
        a0.text.index("وداعش") + 1,
        a0.text.index("وداعش") + 5,
        "MILITARY_GROUP",
        span_id="e2",
    )
    gold0 = {
        "spans": [claim, army, isis],
        "relations": [{"type": "claimant", "from": "c1", "to": "e1"}],
        "document_labels": {"stance": {"isis": "against"}},
    }
    gold1 = {
        "spans": [span_of(a1.text, "دير الزور", "GPE")],
        "relations": [],
        "document_labels": {"stance": {"us_coalition": "neutral"}},
    }
    Gold.objects.create(project=project, article=a0, content=gold0, source=GoldSource.ADJUDICATED)
    Gold.objects.create(project=project, article=a1, content=gold1, source=GoldSource.ADJUDICATED)
    make_annotation(project, a0, users["ann1"], spans=[army, isis], stance={"isis": "against"})
    make_annotation(project, a0, users["ann2"], spans=[isis], stance={"isis": "neutral"})
    make_annotation(project, a1, users["ann2"], spans=[span_of(a1.text, "دير الزور", "LOC")])
    return project


def write(tmp_path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_gold_round_trip_into_a_new_project_gives_byte_identical_gold(source, users, tmp_path):
    gold_file = write(tmp_path, "gold.jsonl", exported(source, "jsonl"))
    target = make_project("target", members=members(users))
    out = io.StringIO()
    call_command(
        "import_annotations",
        str(target.pk),
        str(gold_file),
        "--format=ours",
        "--as-gold",
        "--corpus=news",
        stdout=out,
    )
    assert "Imported 2 gold" in out.getvalue()
    # Same corpus: the very same articles are reused, so even ids and splits agree.
    assert exported(target, "jsonl") == exported(source, "jsonl")
    assert set(Gold.objects.filter(project=target).values_list("source", flat=True)) == {
        GoldSource.IMPORTED
    }
    assert AuditEvent.objects.filter(project=target, action=AuditAction.IMPORT).count() == 2


def test_gold_round_trip_into_a_fresh_corpus_reproduces_every_document(source, users, tmp_path):
    gold_file = write(tmp_path, "gold.jsonl", exported(source, "jsonl"))
    target = make_project("fresh", members=members(users))
    call_command("import_annotations", "fresh", str(gold_file), "--format=ours", "--as-gold")
    assert Article.objects.count() == 4  # new articles in the import corpus

    def documents(project):
        rows = [json.loads(line) for line in exported(project, "jsonl").splitlines()]
        return sorted(
            (
                r["text"],
                r["external_id"],
                r["title"],
                r["spans"],
                r["relations"],
                r["document_labels"],
                r["split"],
            )
            for r in rows
        )

    # New article ids on the other side, yet every article keeps its split: it is keyed on
    # the text's content hash, not on the id.
    source_ids = {
        r["text"]: r["id"] for r in map(json.loads, exported(source, "jsonl").split(b"\n")[:-1])
    }
    target_ids = {
        r["text"]: r["id"] for r in map(json.loads, exported(target, "jsonl").split(b"\n")[:-1])
    }
    assert source_ids.keys() == target_ids.keys() and source_ids != target_ids
    assert documents(target) == documents(source)


def test_raw_round_trip_gives_each_annotator_the_same_annotations(source, users, tmp_path):
    raw_file = write(tmp_path, "raw.jsonl", exported(source, "raw"))
    target = make_project("raw target", members=members(users))
    call_command("import_annotations", str(target.pk), str(raw_file), "--format=ours")

    def annotations(project):
        return sorted(
            (
                a.article.text,
                a.annotator.username,
                json.dumps(check_content(a.content, text=a.article.text, schema=project.schema)),
            )
            for a in Annotation.objects.filter(project=project).select_related(
                "article", "annotator"
            )
        )

    assert annotations(target) == annotations(source)
    assert set(Annotation.objects.filter(project=target).values_list("status", flat=True)) == {
        AnnotationStatus.SUBMITTED
    }
    assert ProjectArticle.objects.filter(project=target).count() == 2


def test_label_studio_import_maps_annotators_by_email_and_by_the_explicit_map(users):
    project = make_project("ls", members=members(users))
    out = io.StringIO()
    call_command(
        "import_annotations",
        "ls",
        str(FIXTURES / "label_studio_export.json"),
        "--format=label-studio",
        "--map-annotator=2=ann2",
        "--user=manager",
        stdout=out,
    )
    assert "Imported 3 annotations" in out.getvalue()
    assert "ignored 1 predictions" in out.getvalue()
    rows = sorted(
        (a.annotator.username, len(a.content["spans"]))
        for a in Annotation.objects.filter(project=project).select_related("annotator")
    )
    assert rows == [("ann1", 2), ("ann1", 4), ("ann2", 2)]
    for annotation in Annotation.objects.filter(project=project).select_related("article"):
        for s in annotation.content["spans"]:
            assert annotation.article.text[s["start"] : s["end"]] == s["text"]
    assert AuditEvent.objects.filter(action=AuditAction.IMPORT, user=users["manager"]).count() == 3


def test_doccano_import_attaches_to_existing_project_articles(users):
    text = "استعاد الجيش السوري السيطرة على مدينة تدمر بعد معارك مع تنظيم داعش."
    existing = make_article(text=text)
    project = make_project("dc", articles=[existing], members=members(users))
    call_command(
        "import_annotations",
        "dc",
        str(FIXTURES / "doccano_export.jsonl"),
        "--format=doccano",
        "--annotator=ann1",
    )
    annotations = Annotation.objects.filter(project=project)
    assert annotations.count() == 2
    assert annotations.filter(article=existing).count() == 1
    assert ProjectArticle.objects.filter(project=project).count() == 2


def test_texts_already_in_the_import_corpus_are_reused_and_new_ones_stored_like_any_import(
    users,
):
    first = "استعاد الجيش السوري السيطرة على مدينة تدمر بعد معارك مع تنظيم داعش."
    second = "قالت وكالة سانا إن الطيران الروسي قصف مواقع في إدلب."
    waiting = make_article(corpus=make_corpus("dc (imported)"), text=first)
    project = make_project("dc", members=members(users))
    call_command(
        "import_annotations",
        "dc",
        str(FIXTURES / "doccano_export.jsonl"),
        "--format=doccano",
        "--annotator=ann1",
        "--corpus=   ",  # blank: the default import corpus
    )
    assert Article.objects.filter(text=first).get() == waiting
    created = Article.objects.get(text=second)
    assert created.corpus.name == "dc (imported)"
    assert created.content_hash == content_hash(second)
    assert created.search_text == normalise_for_search(f"\n{second}")
    in_project = ProjectArticle.objects.filter(project=project).values_list("article", flat=True)
    assert set(in_project) == {waiting.pk, created.pk}


def test_bad_records_abort_the_import_naming_file_and_line(users, tmp_path):
    make_project("strict", members=members(users))
    path = write(
        tmp_path,
        "mixed.jsonl",
        (
            '{"text": "سطر سليم فيه داعش", "label": [[13, 17, "ORG"]]}\n'
            '{"text": "سطر فيه خطأ", "label": [[0, 3, "ALIEN"]]}\n'
            '{"text": "سطر آخر", "label": [[2, 1, "ORG"]]}\n'
        ).encode(),
    )
    with pytest.raises(CommandError) as caught:
        call_command(
            "import_annotations", "strict", str(path), "--format=doccano", "--annotator=ann1"
        )
    message = str(caught.value)
    assert "2 bad record(s); nothing was imported" in message
    assert f"{path}, line 2: label[0].label: unknown label 'ALIEN'" in message
    assert f"{path}, line 3: label[0]: offsets [2, 1) are inverted" in message
    assert not Annotation.objects.exists()
    assert not Article.objects.exists()

    out = io.StringIO()
    call_command(
        "import_annotations",
        "strict",
        str(path),
        "--format=doccano",
        "--annotator=ann1",
        "--skip-bad",
        stdout=out,
    )
    assert Annotation.objects.count() == 1
    assert "skipped" in out.getvalue() and "line 2" in out.getvalue()


def test_importing_the_same_annotations_twice_is_refused(users):
    make_project("twice", members=members(users))
    args = (
        "import_annotations",
        "twice",
        str(FIXTURES / "doccano_export.jsonl"),
        "--format=doccano",
        "--annotator=ann1",
    )
    call_command(*args)
    with pytest.raises(CommandError, match="ann1 already has an assignment for this article"):
        call_command(*args)
    assert Annotation.objects.count() == 2


def test_command_errors_name_the_problem(users, tmp_path):
    make_project("p", members=members(users))
    with pytest.raises(CommandError, match="no project with id or name 'nope'"):
        call_command("import_annotations", "nope", "x", "--format=ours")
    with pytest.raises(CommandError, match="cannot read"):
        call_command("import_annotations", "p", str(tmp_path / "missing.jsonl"), "--format=ours")
    with pytest.raises(CommandError, match="--annotator: no member 'outsider'"):
        call_command(
            "import_annotations",
            "p",
            str(FIXTURES / "doccano_export.jsonl"),
            "--format=doccano",
            "--annotator=outsider",
        )
    with pytest.raises(CommandError, match="choose the annotator"):
        call_command(
            "import_annotations", "p", str(FIXTURES / "doccano_export.jsonl"), "--format=doccano"
        )


# ---- REST API ----


def upload(client, project, path: Path, **fields):
    with path.open("rb") as handle:
        return client.post(
            f"/api/projects/{project.pk}/imports/", {"file": handle, **fields}, format="multipart"
        )


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_api_import_runs_as_a_job(users, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    project = make_project("api", members=members(users))
    response = upload(
        client_for(users["manager"]),
        project,
        FIXTURES / "doccano_entities.jsonl",
        format="doccano",
        offsets="utf16",
        annotator="ann2",
    )
    assert response.status_code == 202, response.json()
    job = response.json()
    assert job["status"] == JobStatus.DONE
    assert job["result"]["annotations"] == 2
    assert Annotation.objects.filter(project=project, annotator=users["ann2"]).count() == 2
    assert not list((tmp_path / "imports").iterdir())  # the upload is gone once imported


def test_api_import_with_bad_records_fails_the_job_with_every_error_and_writes_nothing(
    users, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    project = make_project("api-bad", members=members(users))
    client = client_for(users["manager"])
    # The first line is good; the second names a label the schema does not have (doccano
    # offsets are code points, so an emoji is no longer an error of its own).
    lines = (FIXTURES / "doccano_entities.jsonl").read_bytes().splitlines(keepends=True)
    bad = write(tmp_path, "doccano_entities.jsonl", lines[0] + lines[1].replace(b'"LOC"', b'"BAD"'))
    response = upload(client, project, bad, format="doccano", annotator="ann2")
    job = response.json()
    assert job["status"] == JobStatus.FAILED
    assert "1 bad record(s); nothing was imported" in job["error"]
    assert job["result"]["errors"] == [
        {
            "file": "doccano_entities.jsonl",
            "line": 2,
            "field": "entities[1].label",
            "message": job["result"]["errors"][0]["message"],
        }
    ]
    assert "unknown label" in job["result"]["errors"][0]["message"]
    assert not Annotation.objects.exists()
    assert job["retry"]


@pytest.mark.parametrize(("who", "status"), [("reviewer", 403), ("ann1", 403), ("outsider", 404)])
def test_only_managers_import(users, who, status):
    project = make_project("perm", members=members(users))
    response = upload(
        client_for(users[who]), project, FIXTURES / "doccano_export.jsonl", format="doccano"
    )
    assert response.status_code == status
    assert not Annotation.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"format": "brat"}, "format"),
        ({"format": "doccano", "offsets": "bytes"}, "offsets"),
        ({"format": "doccano", "annotator": "nobody"}, "annotator"),
    ],
)
def test_api_import_refuses_bad_options(users, fields, field):
    project = make_project("opts", members=members(users))
    response = upload(
        client_for(users["manager"]), project, FIXTURES / "doccano_export.jsonl", **fields
    )
    assert response.status_code == 400
    assert response.json()["field"] == field


def test_api_import_without_a_file(users):
    project = make_project("nofile", members=members(users))
    response = client_for(users["manager"]).post(
        f"/api/projects/{project.pk}/imports/", {"format": "ours"}, format="multipart"
    )
    assert response.status_code == 400
    assert response.json()["field"] == "file"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"[]", "holds no tasks"),
        (b'{"tasks": []}', 'an object with "tasks"'),
        (b'[{"id":1,"text":"x","annotator":3,"annotation_id":2,"lead_time":4.5}]', "JSON-MIN"),
    ],
)
def test_a_file_that_is_not_label_studio_json_is_refused_saying_what_it_is(
    source, tmp_path, data, message
):
    path = write(tmp_path, "tasks.json", data)
    with pytest.raises(CommandError, match=message):
        call_command(
            "import_annotations",
            str(source.pk),
            str(path),
            "--format=label-studio",
            stdout=io.StringIO(),
        )
