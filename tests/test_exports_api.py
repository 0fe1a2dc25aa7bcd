"""Exports end to end: query layer, REST API (jobs, downloads, tokens), permissions, files that
load in pandas, spans that slice their text, byte-identical re-exports."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import threading
from array import array

import pandas
import pytest
from django.db import connection
from rest_framework.test import APIClient

from annotate import exports as export_edge
from annotate.exports import check_export_options, export_stream
from annotate.lib.exports.split import assign_split, parse_ratios
from annotate.models import ExportToken, Gold, GoldSource, Job, JobKind, JobStatus, Role
from tests.export_files import joined, names, read_zip
from tests.factories import make_annotation, make_article, make_project, make_user, span, span_of

pytestmark = pytest.mark.django_db

TEXTS = [
    "قال المتحدث إن وداعش انسحب من الرقة. وأكد الجيش السوري ذلك؟",
    "😀 أعلن التحالف الدولي بقيادة الولايات المتحدة عن غارات جديدة قرب دير الزور.",
    "نفى مسؤول في «قسد» الأنباء، وقال: “لا صحة لذلك”.\nالتفاصيل لاحقاً.",
    "مقال بلا ذهب بعد.",
]


def gold_content(text, spans, stance):
    return {"spans": spans, "relations": [], "document_labels": {"stance": stance}}


@pytest.fixture
def project_with_gold(settings, tmp_path):
    settings.EXPORT_ROOT = tmp_path / "exports"
    settings.MEDIA_ROOT = tmp_path / "media"
    users = {name: make_user(name) for name in ("manager", "reviewer", "ann1", "ann2", "outsider")}
    articles = [
        make_article(text=t, title=f"مقال {i}", external_id=f"ext-{i}") for i, t in enumerate(TEXTS)
    ]
    project = make_project(
        "Syria stance",
        articles=articles,
        members={
            users["manager"]: Role.MANAGER,
            users["reviewer"]: Role.REVIEWER,
            users["ann1"]: Role.ANNOTATOR,
            users["ann2"]: Role.ANNOTATOR,
        },
    )
    a0, a1, a2, _ = articles
    isis = span(a0.text, a0.text.index("وداعش") + 1, a0.text.index("وداعش") + 5, "MILITARY_GROUP")
    golds = {
        a0: gold_content(
            a0.text,
            [
                isis,
                span_of(a0.text, "الرقة", "GPE"),
                span_of(a0.text, "الجيش السوري", "MILITARY_GROUP"),
            ],
            {"isis": "against", "syrian_army": "favor"},
        ),
        a1: gold_content(
            a1.text,
            [
                span_of(a1.text, "التحالف الدولي", "ORG"),
                span_of(a1.text, "الولايات المتحدة", "GPE"),
                span_of(a1.text, "دير الزور", "GPE"),
            ],
            {"us_coalition": "neutral"},
        ),
        a2: gold_content(a2.text, [span_of(a2.text, "قسد", "MILITARY_GROUP")], {}),
    }
    for article, content in golds.items():
        Gold.objects.create(
            project=project, article=article, content=content, source=GoldSource.ADJUDICATED
        )
    make_annotation(project, a0, users["ann1"], spans=[isis], stance={"isis": "against"})
    make_annotation(project, a0, users["ann2"], spans=[], stance={"isis": "neutral"})
    make_annotation(project, a1, users["ann1"], spans=[], submitted=False)
    return project, articles, users


def export_bytes(project, **options) -> bytes:
    return b"".join(
        export_stream(project, check_export_options(**options), created_at="2024-01-01T00:00:00")
    )


def test_an_export_holds_every_format_and_a_manifest_with_their_hashes(project_with_gold):
    project, _, _ = project_with_gold
    files = read_zip(export_bytes(project))
    assert list(files) == names("jsonl", "conll", "tokens", "csv", "provenance", "raw")
    manifest = json.loads(files["manifest.json"])
    for name, info in manifest["files"].items():
        assert hashlib.sha256(files[name]).hexdigest() == info["sha256"]
        assert len(files[name]) == info["bytes"]
    assert manifest["project"] == {"id": project.pk, "name": "Syria stance"}
    assert manifest["schema_version"] == project.schema_version
    assert manifest["counts"]["gold_articles"]["total"] == 3
    assert manifest["counts"]["articles_in_project"] == 4
    assert manifest["counts"]["articles_without_gold"] == 1
    assert manifest["counts"]["spans"]["GPE"]["total"] == 3
    assert manifest["counts"]["raw_annotations"] == 2
    assert manifest["counts"]["annotators"] == 2
    assert manifest["options"] == {
        "formats": ["jsonl", "conll", "tokens", "csv", "provenance", "raw"],
        "seed": 0,
        "ratios": {"train": 0.8, "dev": 0.1, "test": 0.1},
        "group_by": None,
        "stratify_by": None,
        "stance_title": False,
    }
    # Three gold articles: every split gets one, whatever the thresholds say.
    assert manifest["counts"]["gold_articles"] == {"train": 1, "dev": 1, "test": 1, "total": 3}
    assert manifest["tool"]["version"]
    assert manifest["created_at"] == "2024-01-01T00:00:00"


def test_exported_jsonl_and_csv_load_in_pandas_and_every_span_slices_its_text(
    project_with_gold, tmp_path
):
    project, articles, _ = project_with_gold
    files = read_zip(export_bytes(project, seed=5, ratios="0.5,0.25,0.25"))
    (tmp_path / "gold.jsonl").write_bytes(joined(files, "jsonl"))
    (tmp_path / "stance.csv").write_bytes(joined(files, "csv"))
    (tmp_path / "raw.jsonl").write_bytes(joined(files, "raw"))

    gold = pandas.read_json(tmp_path / "gold.jsonl", lines=True)
    assert list(gold.columns) == [
        "id",
        "external_id",
        "title",
        "text",
        "spans",
        "relations",
        "document_labels",
        "split",
    ]
    assert len(gold) == 3
    spans_checked = 0
    hashes = {a.pk: a.content_hash for a in articles}
    for _, row in gold.iterrows():
        for s in row["spans"]:
            assert row["text"][s["start"] : s["end"]] == s["text"]
            spans_checked += 1
        assert files[f"{row['split']}.jsonl"].count(f'"id":{row["id"]},'.encode()) == 1
    assert sorted(gold["split"]) == ["dev", "test", "train"]
    # Keyed on the content hash (here the thresholds alone give one article each).
    by_threshold = [
        assign_split(hashes[i], seed=5, ratios=parse_ratios("0.5,0.25,0.25")) for i in gold["id"]
    ]
    assert by_threshold == list(gold["split"])
    assert spans_checked == 7
    # The emoji article: code points, not UTF-16 units.
    emoji_row = gold[gold["id"] == articles[1].pk].iloc[0]
    assert emoji_row["text"].startswith("😀")

    stance = pandas.read_csv(tmp_path / "stance.csv")
    assert list(stance.columns) == ["article_id", "target", "label", "split"]
    assert sorted(stance["label"]) == ["against", "favor", "neutral"]

    raw = pandas.read_json(tmp_path / "raw.jsonl", lines=True)
    assert sorted(raw["annotator"]) == ["ann1", "ann2"]  # the draft is not exported


def test_conll_marks_the_clitic_split_and_describes_each_docstart_in_a_side_file(
    project_with_gold,
):
    project, articles, _ = project_with_gold
    files = read_zip(export_bytes(project, formats="conll"))
    conll = joined(files, "conll").decode()
    start = TEXTS[0].index("وداعش")
    assert f"و\t{start}\t{start + 1}\tO\tO\tO\n" in conll
    assert f"داعش\t{start + 1}\t{start + 5}\tB-MILITARY_GROUP\tO\tO\n" in conll
    assert "\n\n" in conll
    assert not any(line.startswith("# ") for line in conll.splitlines())
    texts = {a.pk: a.text for a in articles}
    for split in ("train", "dev", "test"):
        side = [json.loads(line) for line in files[f"conll/{split}.articles.jsonl"].splitlines()]
        documents = files[f"conll/{split}.conll"].decode().split("-DOCSTART-")[1:]
        assert len(side) == len(documents)
        for described, document in zip(side, documents, strict=True):
            assert described["split"] == split
            text = texts[described["id"]]
            for line in document.splitlines()[1:]:
                if line:
                    token, start_, end_, *_tags = line.split("\t")
                    assert text[int(start_) : int(end_)] == token


def test_the_same_state_and_options_give_byte_identical_files(project_with_gold):
    project, _, _ = project_with_gold
    first = read_zip(export_bytes(project, seed=3))
    second = read_zip(export_bytes(project, seed=3))
    for name in names("jsonl", "conll", "tokens", "csv", "provenance", "raw"):
        assert first[name] == second[name]
    # With the same creation time, the whole zip is identical too.
    assert export_bytes(project, seed=3) == export_bytes(project, seed=3)
    other_seed = read_zip(export_bytes(project, seed=4))
    assert json.loads(other_seed["manifest.json"])["options"]["seed"] == 4


def test_a_raw_only_export_still_counts_the_gold(project_with_gold):
    project, _, _ = project_with_gold
    files = read_zip(export_bytes(project, formats=["raw"]))
    assert list(files) == names("raw")
    manifest = json.loads(files["manifest.json"])
    assert manifest["counts"]["gold_articles"]["total"] == 3
    assert manifest["conll"] is None


def test_every_choice_of_formats_gives_the_same_gold_counts(project_with_gold):
    project, _, _ = project_with_gold

    def counts(formats):
        manifest = json.loads(read_zip(export_bytes(project, formats=formats))["manifest.json"])
        raw_only = ("raw_annotations", "annotators")
        return {k: v for k, v in manifest["counts"].items() if k not in raw_only}

    full = counts(["jsonl", "conll", "csv", "raw"])
    assert full["spans"]["GPE"]["total"] == 3
    for formats in (["csv"], ["raw"], ["conll"], ["csv", "raw"], ["jsonl"]):
        assert counts(formats) == full, formats


# ---- REST API ----


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_manager_starts_an_export_job_polls_it_and_downloads_the_zip(project_with_gold):
    project, _, users = project_with_gold
    client = client_for(users["manager"])
    started = client.post(
        f"/api/projects/{project.pk}/exports/",
        {"formats": ["jsonl", "csv"], "seed": 9, "ratios": "0.6,0.2,0.2"},
        format="json",
    )
    assert started.status_code == 202, started.json()
    job = client.get(started.json()["url"]).json()
    assert job["status"] == JobStatus.DONE
    assert job["progress"] == job["total"] == 6
    assert job["result"]["options"]["seed"] == 9
    download = client.get(job["download"])
    assert download.status_code == 200
    assert download["Content-Type"] == "application/zip"
    assert "attachment" in download["Content-Disposition"]
    files = read_zip(b"".join(download.streaming_content))
    assert list(files) == names("jsonl", "csv")
    listed = client.get(f"/api/projects/{project.pk}/exports/").json()
    assert [j["id"] for j in listed] == [job["id"]]


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"formats": ["xml"]}, "formats[0]", "not a valid choice"),
        ({"ratios": "0.5,0.5"}, "ratios", "three ratios"),
        ({"ratios": "0.7,0.2,0.2"}, "ratios", "sum to 1"),
        ({"seed": -1}, "seed", "greater than or equal to 0"),
    ],
)
def test_bad_export_options_are_refused_naming_the_field(project_with_gold, body, field, message):
    project, _, users = project_with_gold
    response = client_for(users["manager"]).post(
        f"/api/projects/{project.pk}/exports/", body, format="json"
    )
    assert response.status_code == 400
    assert response.json()["field"] == field
    assert message in response.json()["detail"]
    assert not Job.objects.exists()


@pytest.mark.parametrize(("who", "status"), [("reviewer", 403), ("ann1", 403), ("outsider", 404)])
def test_only_managers_export(project_with_gold, who, status):
    project, _, users = project_with_gold
    client = client_for(users[who])
    assert (
        client.post(f"/api/projects/{project.pk}/exports/", {}, format="json").status_code == status
    )
    assert client.get(f"/api/projects/{project.pk}/exports/stream/").status_code == status
    assert client.get(f"/api/projects/{project.pk}/export-tokens/").status_code == status


def test_fetching_in_small_chunks_gives_the_same_zip(project_with_gold, monkeypatch):
    project, _, _ = project_with_gold
    whole = export_bytes(project, seed=3)
    monkeypatch.setattr(export_edge, "CHUNK_SIZE", 1)
    assert export_bytes(project, seed=3) == whole


def test_gold_text_also_comes_as_utf8_from_postgresql(project_with_gold):
    project, articles, _ = project_with_gold
    ids = array("q", [a.pk for a in articles[:3]])
    records = list(export_edge.gold_records(project, "train", ids))
    assert [r.text for r in records] == [a.text for a in articles[:3]]
    if connection.vendor == "postgresql":
        assert [r.text_utf8 for r in records] == [a.text.encode() for a in articles[:3]]
    else:
        assert [r.text_utf8 for r in records] == [None] * 3
    light = list(export_edge.gold_records(project, "train", ids, with_text=False))
    assert [(r.text, r.text_utf8) for r in light] == [("", None)] * 3
    assert [r.content for r in light] == [r.content for r in records]


def test_an_export_stream_closed_early_stops_its_threads(project_with_gold):
    project, _, _ = project_with_gold
    stream = export_stream(project, check_export_options(formats="jsonl,conll"))
    assert next(stream)
    stream.close()
    assert [t for t in threading.enumerate() if t.name.startswith("export-")] == []


def test_export_stream_sends_the_zip_without_a_job(project_with_gold):
    project, _, users = project_with_gold
    response = client_for(users["manager"]).get(
        f"/api/projects/{project.pk}/exports/stream/?formats=jsonl&seed=2"
    )
    assert response.status_code == 200
    assert response.streaming
    files = read_zip(b"".join(response.streaming_content))
    assert list(files) == names("jsonl")
    # No export job (the manifest's agreement totals, never built here, were requested).
    assert not Job.objects.exclude(kind=JobKind.AGREEMENT_TOTALS).exists()
    bad = client_for(users["manager"]).get(
        f"/api/projects/{project.pk}/exports/stream/?ratios=2,0,0"
    )
    assert bad.status_code == 400 and bad.json()["field"] == "ratios"


def test_export_tokens_are_shown_once_stored_hashed_and_download_only_their_project(
    project_with_gold,
):
    project, _, users = project_with_gold
    manager = client_for(users["manager"])
    created = manager.post(
        f"/api/projects/{project.pk}/export-tokens/", {"name": "training pipeline"}, format="json"
    )
    assert created.status_code == 201
    key = created.json()["key"]
    stored = ExportToken.objects.get()
    assert stored.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in json.dumps(manager.get(f"/api/projects/{project.pk}/export-tokens/").json())

    job = manager.post(f"/api/projects/{project.pk}/exports/", {}, format="json").json()
    anonymous = APIClient()
    by_header = anonymous.get(job["download"], HTTP_AUTHORIZATION=f"Bearer {key}")
    assert by_header.status_code == 200
    assert joined(read_zip(b"".join(by_header.streaming_content)), "jsonl")
    latest = anonymous.get(
        f"/api/projects/{project.pk}/exports/latest/download/", HTTP_AUTHORIZATION=f"Bearer {key}"
    )
    assert latest.status_code == 200
    streamed = anonymous.get(
        f"/api/projects/{project.pk}/exports/stream/", HTTP_AUTHORIZATION=f"Bearer {key}"
    )
    assert streamed.status_code == 200
    assert ExportToken.objects.get().last_used_at is not None

    # Worth nothing elsewhere: other endpoints, other projects, after revoking.
    assert (
        anonymous.get(
            f"/api/projects/{project.pk}/", HTTP_AUTHORIZATION=f"Bearer {key}"
        ).status_code
        == 401
    )
    assert anonymous.post(f"/api/projects/{project.pk}/exports/?token={key}", {}).status_code == 401
    other = make_project("other", members={users["manager"]: Role.MANAGER})
    refused = anonymous.get(
        f"/api/projects/{other.pk}/exports/latest/download/", HTTP_AUTHORIZATION=f"Bearer {key}"
    )
    assert refused.status_code == 403
    assert "another project" in refused.json()["detail"]
    wrong = anonymous.get(job["download"], HTTP_AUTHORIZATION="Bearer wbx_nope")
    assert wrong.status_code == 401
    assert (
        manager.delete(f"/api/projects/{project.pk}/export-tokens/{stored.pk}/").status_code == 204
    )
    assert anonymous.get(job["download"], HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401


def test_downloads_need_a_manager_or_a_token(project_with_gold):
    project, _, users = project_with_gold
    job = (
        client_for(users["manager"])
        .post(f"/api/projects/{project.pk}/exports/", {}, format="json")
        .json()
    )
    assert APIClient().get(job["download"]).status_code == 401
    assert client_for(users["reviewer"]).get(job["download"]).status_code == 403
    assert client_for(users["outsider"]).get(job["download"]).status_code == 404
    missing = f"/api/projects/{project.pk}/exports/{job['id'] + 100}/download/"
    assert client_for(users["manager"]).get(missing).status_code == 404


def test_latest_download_is_404_before_any_export(project_with_gold):
    project, _, users = project_with_gold
    response = client_for(users["manager"]).get(
        f"/api/projects/{project.pk}/exports/latest/download/"
    )
    assert response.status_code == 404


def test_jobs_are_visible_to_their_starter_and_project_managers_only(project_with_gold):
    project, _, users = project_with_gold
    job = (
        client_for(users["manager"])
        .post(f"/api/projects/{project.pk}/exports/", {}, format="json")
        .json()
    )
    assert client_for(users["reviewer"]).get(job["url"]).status_code == 404
    assert client_for(users["outsider"]).get(job["url"]).status_code == 404
    second_manager = make_user("manager2")
    project.memberships.create(user=second_manager, role=Role.MANAGER)
    assert client_for(second_manager).get(job["url"]).status_code == 200


def test_stance_csv_quotes_are_safe(project_with_gold):
    project, _, _ = project_with_gold
    text = joined(read_zip(export_bytes(project, formats="csv")), "csv").decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {r["target"] for r in rows} == {"isis", "syrian_army", "us_coalition"}


def test_the_manifest_carries_the_agreement_summary_from_the_stored_totals(project_with_gold):
    from annotate.agreement import agreement_report, do_update_contributions
    from annotate.models import AgreementTotals

    project, articles, users = project_with_gold
    # Never built: the export asks for the totals (the immediate task backend builds them).
    first = json.loads(read_zip(export_bytes(project, formats="csv"))["manifest.json"])
    assert first["agreement"]["available"] is True and first["agreement"]["current"] is True
    assert first["agreement"]["source"] == "totals"
    # The same summary as the full recomputation, without computing it.
    report = agreement_report(project)
    assert first["agreement"]["summary"] == json.loads(json.dumps(report["summary"]))
    # A submission the totals have not counted: the summary is reported as not current...
    added = make_annotation(project, articles[3], users["ann1"], spans=[])
    stale = json.loads(read_zip(export_bytes(project, formats="csv"))["manifest.json"])
    assert stale["agreement"]["current"] is False
    # ...and current again once counted, as every submission does.
    do_update_contributions(project, [added.article_id])
    counted = json.loads(read_zip(export_bytes(project, formats="csv"))["manifest.json"])
    assert counted["agreement"]["current"] is True
    assert counted["agreement"]["summary"] == json.loads(
        json.dumps(agreement_report(project)["summary"])
    )
    # A rebuild pending: the last complete figures, not current.
    AgreementTotals.objects.filter(project=project).update(requested=99)
    pending = json.loads(read_zip(export_bytes(project, formats="csv"))["manifest.json"])
    assert pending["agreement"]["available"] is True and pending["agreement"]["current"] is False


def test_an_export_token_in_the_url_is_refused_with_where_it_belongs(project_with_gold):
    """URLs end up in proxy logs: ?token= is a 401 that names the header to use instead."""
    project, _, users = project_with_gold
    created = client_for(users["manager"]).post(
        f"/api/projects/{project.pk}/export-tokens/", {"name": "pipeline"}, format="json"
    )
    key = created.json()["key"]
    for path in ("exports/latest/download/", "exports/stream/"):
        response = APIClient().get(f"/api/projects/{project.pk}/{path}?token={key}")
        assert response.status_code == 401
        assert "Authorization: Bearer" in response.json()["detail"]
    assert ExportToken.objects.get().last_used_at is None


def test_provenance_names_the_source_adjudicator_and_who_supported_each_span(project_with_gold):
    project, articles, users = project_with_gold
    a0 = articles[0]
    Gold.objects.filter(project=project, article=a0).update(updated_by=users["reviewer"])
    files = read_zip(export_bytes(project, formats="jsonl,provenance"))
    rows = {row["id"]: row for row in map(json.loads, joined(files, "provenance").splitlines())}
    assert set(rows) == {a.pk for a in articles[:3]}
    first = rows[a0.pk]
    assert first["source"] == "adjudicated"
    assert first["adjudicator"] == "reviewer"
    assert first["updated_at"]
    assert first["annotators"] == ["ann1", "ann2"]  # submitted only: ann1's draft is not there
    gold = {row["id"]: row for row in map(json.loads, joined(files, "jsonl").splitlines())}
    assert [s["id"] for s in first["spans"]] == [s["id"] for s in gold[a0.pk]["spans"]]
    support = {
        gold[a0.pk]["spans"][i]["text"]: s["supported_by"] for i, s in enumerate(first["spans"])
    }
    assert support == {"داعش": ["ann1"], "الرقة": [], "الجيش السوري": []}
    assert rows[articles[1].pk]["annotators"] == []


def test_the_manifest_states_how_offsets_are_counted_and_the_guidelines_version(
    project_with_gold,
):
    project, _, _ = project_with_gold
    manifest = json.loads(read_zip(export_bytes(project, formats="jsonl"))["manifest.json"])
    assert manifest["offsets"]["unit"] == "unicode code point"
    assert "NFC" in manifest["offsets"]["text"]
    assert manifest["guidelines"] == {"version": 1, "sha256": None}
    project.guidelines = "# Tag every militia as MILITARY_GROUP"
    project.save()
    manifest = json.loads(read_zip(export_bytes(project, formats="jsonl"))["manifest.json"])
    expected = hashlib.sha256(project.guidelines.encode()).hexdigest()
    assert manifest["guidelines"] == {"version": 1, "sha256": expected}
    assert manifest["schema_version"] == project.schema_version
