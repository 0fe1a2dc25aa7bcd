# ruff: noqa: F811 - the fixtures imported from another test module are redefined as arguments
"""Export options beyond the split ratios, through every way in: the stance CSV's title column
and the stratified split, from the command, the REST API (job and stream) and the data page."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from annotate.lib.exports.records import GoldRecord
from annotate.lib.exports.stance_csv import stance_csv_lines
from annotate.models import Job, JobKind, JobStatus
from tests.export_files import joined, read_zip
from tests.test_exports_api import client_for, project_with_gold  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def test_stance_csv_with_title_quotes_an_arabic_title_with_commas_and_quotes():
    record = GoldRecord(
        article_id=7,
        external_id="e7",
        title='عنوان، فيه "اقتباس", وفاصلة',
        text="",
        content={"document_labels": {"stance": {"isis": "against", "syrian_army": "favor"}}},
        split="dev",
    )
    rows = list(csv.reader(io.StringIO("".join(stance_csv_lines([record], with_title=True)))))
    assert rows == [
        ["article_id", "title", "target", "label", "split"],
        ["7", 'عنوان، فيه "اقتباس", وفاصلة', "isis", "against", "dev"],
        ["7", 'عنوان، فيه "اقتباس", وفاصلة', "syrian_army", "favor", "dev"],
    ]
    without = list(csv.reader(io.StringIO("".join(stance_csv_lines([record])))))
    assert without[0] == ["article_id", "target", "label", "split"]


def stance_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(joined(read_zip(data), "csv").decode())))


def test_the_command_writes_the_title_column_with_stance_title(project_with_gold, tmp_path):
    project, articles, _ = project_with_gold
    out = tmp_path / "with.zip"
    call_command(
        "export_dataset",
        str(project.pk),
        "--out",
        str(out),
        "--format",
        "csv",
        "--stance-title",
        stdout=io.StringIO(),
    )
    rows = stance_rows(out.read_bytes())
    assert rows[0] == ["article_id", "title", "target", "label", "split"]
    titles = {article.pk: article.title for article in articles}
    assert {(int(r[0]), r[1]) for r in rows[1:]} == {
        (articles[0].pk, titles[articles[0].pk]),
        (articles[1].pk, titles[articles[1].pk]),
    }
    manifest = json.loads(read_zip(out.read_bytes())["manifest.json"])
    assert manifest["options"]["stance_title"] is True
    plain = tmp_path / "without.zip"
    call_command(
        "export_dataset",
        str(project.pk),
        "--out",
        str(plain),
        "--format",
        "csv",
        stdout=io.StringIO(),
    )
    assert stance_rows(plain.read_bytes())[0] == ["article_id", "target", "label", "split"]


def test_the_rest_job_and_stream_take_stance_title_and_stratify_by(project_with_gold):
    project, _, users = project_with_gold
    client = client_for(users["manager"])
    started = client.post(
        f"/api/projects/{project.pk}/exports/",
        {"formats": ["csv"], "stance_title": True, "stratify_by": "spans"},
        format="json",
    )
    assert started.status_code == 202, started.json()
    job = client.get(started.json()["url"]).json()
    assert job["status"] == JobStatus.DONE
    assert job["result"]["options"]["stance_title"] is True
    assert job["result"]["options"]["stratify_by"] == "spans"
    files = b"".join(client.get(job["download"]).streaming_content)
    assert stance_rows(files)[0][1] == "title"
    streamed = client.get(
        f"/api/projects/{project.pk}/exports/stream/?formats=csv&stance_title=true"
        "&stratify_by=stance:isis"
    )
    assert streamed.status_code == 200
    data = b"".join(streamed.streaming_content)
    assert stance_rows(data)[0][1] == "title"
    assert json.loads(read_zip(data)["manifest.json"])["options"]["stratify_by"] == "stance:isis"


@pytest.mark.parametrize(
    ("body", "field"),
    [({"stratify_by": "colour"}, "stratify_by"), ({"stance_title": "maybe"}, "stance_title")],
)
def test_bad_options_are_refused_with_400_and_no_job(project_with_gold, body, field):
    project, _, users = project_with_gold
    client = client_for(users["manager"])
    response = client.post(f"/api/projects/{project.pk}/exports/", body, format="json")
    assert response.status_code == 400
    assert response.json()["field"] == field
    assert not Job.objects.exists()
    query = "&".join(f"{k}={v}" for k, v in body.items())
    streamed = client.get(f"/api/projects/{project.pk}/exports/stream/?{query}")
    assert streamed.status_code == 400
    assert streamed.json()["field"] == field


def test_the_data_page_offers_and_passes_the_options(project_with_gold, client):
    project, _, users = project_with_gold
    client.force_login(users["manager"])
    url = reverse("annotate:project-exports", args=[project.pk])
    page = client.get(url).content.decode()
    assert 'name="stance_title"' in page
    assert 'value="stance:isis"' in page and 'value="spans"' in page
    assert 'name="group_by"' in page
    response = client.post(
        url,
        {
            "action": "export",
            "formats": ["csv"],
            "stance_title": "on",
            "stratify_by": "stance:isis",
            "group_by": "story",
        },
    )
    assert response.status_code == 302
    job = Job.objects.get(kind=JobKind.EXPORT)
    assert job.params["stance_title"] is True
    assert job.params["stratify_by"] == "stance:isis"
    assert job.params["group_by"] == "story"
    refused = client.post(url, {"action": "export", "stratify_by": "colour"})
    assert refused.status_code == 200
    assert "stratify_by" in refused.content.decode()
    assert Job.objects.filter(kind=JobKind.EXPORT).count() == 1
