"""`manage.py export_dataset`: the zip, its options, byte-identical re-runs, clear errors."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core.management import CommandError, call_command

from annotate.models import Gold, GoldSource
from tests.export_files import joined, names
from tests.factories import make_article, make_project, span_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def project():
    texts = ["أعلن الجيش السوري سيطرته على تدمر.", "قالت قسد إن الهجوم فشل.", "نص ثالث بلا ذهب."]
    articles = [make_article(text=t) for t in texts]
    project = make_project("Export me", articles=articles)
    for article, word, label in (
        (articles[0], "تدمر", "LOC"),
        (articles[1], "قسد", "MILITARY_GROUP"),
    ):
        Gold.objects.create(
            project=project,
            article=article,
            content={
                "spans": [span_of(article.text, word, label)],
                "relations": [],
                "document_labels": {"stance": {"isis": "not_mentioned"}},
            },
            source=GoldSource.ADJUDICATED,
        )
    return project


def run(*args) -> str:
    out = io.StringIO()
    call_command("export_dataset", *args, stdout=out)
    return out.getvalue()


def members(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_it_writes_the_chosen_formats_and_reports_hashes(project, tmp_path):
    out = tmp_path / "data.zip"
    printed = run(
        str(project.pk),
        "--format",
        "jsonl,csv",
        "--out",
        str(out),
        "--seed",
        "4",
        "--ratios",
        "0.5,0.5,0",
    )
    files = members(out)
    assert list(files) == names("jsonl", "csv")
    manifest = json.loads(files["manifest.json"])
    assert manifest["options"]["seed"] == 4
    assert manifest["counts"]["gold_articles"]["test"] == 0  # ratio 0: stays empty
    assert files["test.jsonl"] == b""
    assert "2 gold articles" in printed
    assert manifest["files"]["train.jsonl"]["sha256"] in printed
    assert len(joined(files, "jsonl").splitlines()) == 2


def test_a_project_is_found_by_name_and_a_directory_gets_a_file_name(project, tmp_path):
    run("Export me", "--out", str(tmp_path))
    written = list(tmp_path.glob("*.zip"))
    assert [p.name for p in written] == [f"project-{project.pk}-export.zip"]
    assert list(members(written[0])) == names(
        "jsonl", "conll", "tokens", "csv", "provenance", "raw"
    )


def test_rerunning_gives_byte_identical_files(project, tmp_path):
    run(str(project.pk), "--out", str(tmp_path / "a.zip"), "--seed", "7")
    run(str(project.pk), "--out", str(tmp_path / "b.zip"), "--seed", "7")
    first, second = members(tmp_path / "a.zip"), members(tmp_path / "b.zip")
    for name in first:
        if name != "manifest.json":
            assert first[name] == second[name], name
    a, b = json.loads(first["manifest.json"]), json.loads(second["manifest.json"])
    a.pop("created_at"), b.pop("created_at")
    assert a == b


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "xml"], "--format: unknown format 'xml'"),
        (["--ratios", "0.9,0.9,0"], "--ratios: ratios must sum to 1"),
        (["--seed", "soon"], "--seed: must be an integer"),
        (["--group-by", "a.b"], "--group-by: must be a metadata key"),
    ],
)
def test_bad_options_are_command_errors(project, tmp_path, args, message):
    with pytest.raises(CommandError, match=message):
        run(str(project.pk), "--out", str(tmp_path / "x.zip"), *args)
    assert not (tmp_path / "x.zip").exists()


def test_an_unknown_project_is_named(tmp_path):
    with pytest.raises(CommandError, match="no project with id or name 'ghost'"):
        run("ghost", "--out", str(tmp_path / "x.zip"))


def test_an_unwritable_path_is_a_command_error(project, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(CommandError, match="cannot write"):
        run(str(project.pk), "--out", str(blocker / "x.zip"))
