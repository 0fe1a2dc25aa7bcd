"""The unzipped export loads with Hugging Face `datasets` as it is: three splits from the
dataset card's YAML header, named and typed features; the split can be grouped by a metadata
field. No network: `datasets` reads the local folder only."""

from __future__ import annotations

import json
import zipfile

import pytest

from annotate.exports import check_export_options, export_stream
from annotate.models import Gold, GoldSource
from tests.export_files import read_zip
from tests.factories import make_article, make_project, span_of

pytestmark = pytest.mark.django_db

STORIES = ["منبج", "الرقة", "دير الزور", "تدمر"]


@pytest.fixture
def project():
    articles = []
    for i in range(12):
        place = STORIES[i % 4]
        text = f"قال مسؤول إن الجيش السوري دخل {place} اليوم. وهذا الخبر رقم {i}."
        articles.append(make_article(text=text, title=f"خبر {i}", metadata={"story": place}))
    project = make_project("Datasets", articles=articles)
    for article in articles:
        Gold.objects.create(
            project=project,
            article=article,
            content={
                "spans": [span_of(article.text, "الجيش السوري", "MILITARY_GROUP")],
                "relations": [],
                "document_labels": {"stance": {"syrian_army": "neutral"}},
            },
            source=GoldSource.ADJUDICATED,
        )
    return project


def unzip(project, tmp_path, **options):
    data = b"".join(
        export_stream(project, check_export_options(**options), created_at="2024-01-01T00:00:00")
    )
    folder = tmp_path / "export"
    (tmp_path / "export.zip").write_bytes(data)
    with zipfile.ZipFile(tmp_path / "export.zip") as archive:
        archive.extractall(folder)
    return folder, read_zip(data)


@pytest.fixture
def load_dataset(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    datasets = pytest.importorskip("datasets")

    def load(folder, *args):
        return datasets.load_dataset(str(folder), *args, cache_dir=str(tmp_path / "cache"))

    return load


def test_the_unzipped_export_loads_as_three_splits_with_named_features(
    project, tmp_path, load_dataset
):
    folder, files = unzip(project, tmp_path, formats="jsonl,raw")
    dataset = load_dataset(folder)
    assert sorted(dataset) == ["dev", "test", "train"]
    assert sum(len(dataset[split]) for split in dataset) == 12
    assert all(len(dataset[split]) for split in dataset)
    features = dataset["train"].features
    assert list(features) == [
        "id",
        "external_id",
        "title",
        "text",
        "spans",
        "relations",
        "document_labels",
        "split",
    ]
    assert features["id"].dtype == "int64"
    assert features["spans"].feature["start"].dtype == "int64"
    assert features["document_labels"]["stance"]["syrian_army"].dtype == "string"
    for split in dataset:
        for row in dataset[split]:
            assert row["split"] == split
            for span in row["spans"]:
                assert row["text"][span["start"] : span["end"]] == span["text"]
    card = files["README.md"].decode()
    assert card.startswith("---\nconfigs:\n- config_name: default\n")
    assert "code point" in card


def test_token_classification_loads_with_class_label_names(project, tmp_path, load_dataset):
    folder, files = unzip(project, tmp_path, formats="jsonl,tokens")
    dataset = load_dataset(folder, "tokens")
    assert sorted(dataset) == ["dev", "test", "train"]
    features = dataset["train"].features
    assert list(features) == ["id", "external_id", "tokens", "ner_tags", "token_offsets", "split"]
    names = features["ner_tags"].feature.names
    assert names[:3] == ["O", "B-PER", "I-PER"]
    assert "B-MILITARY_GROUP" in names and "B-CLAIM" not in names
    manifest = json.loads(files["manifest.json"])
    assert manifest["token_classification"]["features"]["ner_tags"]["class_label"]["names"] == names
    gold = {row["id"]: row for split in dataset for row in load_dataset(folder)[split]}
    for split in dataset:
        for row in dataset[split]:
            tags = [names[i] for i in row["ner_tags"]]
            entity = [t for t, tag in zip(row["tokens"], tags, strict=True) if tag != "O"]
            assert entity == ["الجيش", "السوري"]
            assert tags[row["tokens"].index("الجيش")] == "B-MILITARY_GROUP"
            text = gold[row["id"]]["text"]
            for token, (start, end) in zip(row["tokens"], row["token_offsets"], strict=True):
                assert text[start:end] == token


def test_group_by_keeps_a_story_in_one_split(project, tmp_path):
    _, files = unzip(project, tmp_path, formats="jsonl", group_by="story", seed=3)
    split_of_story: dict[str, set[str]] = {}
    for split in ("train", "dev", "test"):
        for line in files[f"{split}.jsonl"].splitlines():
            row = json.loads(line)
            place = next(p for p in STORIES if p in row["text"])
            split_of_story.setdefault(place, set()).add(split)
    assert all(len(splits) == 1 for splits in split_of_story.values())
    # Four stories, three splits: every split has one.
    assert set().union(*split_of_story.values()) == {"train", "dev", "test"}
    manifest = json.loads(files["manifest.json"])
    assert manifest["options"]["group_by"] == "story"
    assert manifest["split"]["key"] == "metadata.story"
