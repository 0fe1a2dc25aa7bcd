"""The train/dev/test split stratified by label (annotate/lib/exports/split.py): how the ratios
round, that every label is spread over the splits, grouping on top, and that the split stays
the same after a round trip into another project."""

from __future__ import annotations

import hashlib
import io
import json
from collections import Counter

import pytest
from django.core.management import call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from annotate.errors import ActionError
from annotate.exports import check_export_options, export_stream
from annotate.lib.exports.split import (
    SPLITS,
    Apportion,
    SplitError,
    article_stratum,
    check_stratify_by,
    parse_ratios,
    plan_stratified_split,
    split_counts,
    unit_key,
)
from annotate.models import Gold, GoldSource
from tests.export_files import read_zip
from tests.factories import make_article, make_project, make_user, span_of

RATIOS = ["0.8,0.1,0.1", "0.7,0.15,0.15", "0.6,0.2,0.2", "0.5,0.5,0", "0.34,0.33,0.33", "1,0,0"]


def key(n: int) -> str:
    return hashlib.sha256(f"article {n}".encode()).hexdigest()


# ---- how the ratios round ----


def test_ratios_round_to_the_documented_counts():
    ratios = parse_ratios("0.8,0.1,0.1")
    assert split_counts(10, ratios) == (8, 1, 1)
    assert split_counts(8, ratios) == (6, 1, 1)
    assert split_counts(3, ratios) == (3, 0, 0)  # the fill rule then moves two
    assert split_counts(1000, ratios) == (800, 100, 100)
    assert split_counts(7, parse_ratios("0.5,0.5,0")) == (4, 3, 0)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(RATIOS), st.lists(st.integers(0, 60), min_size=1, max_size=8))
def test_each_split_stays_within_one_unit_of_its_share_however_units_arrive(ratios_text, sizes):
    ratios = parse_ratios(ratios_text)
    apportion = Apportion(ratios)
    total = [0, 0, 0]
    handed = 0
    for size in sizes:
        got = apportion.take(size)
        assert sum(got) == size and min(got) >= 0
        total = [a + b for a, b in zip(total, got, strict=True)]
        handed += size
        for count, ratio in zip(total, ratios.as_tuple(), strict=True):
            assert abs(count - handed * ratio) < 1 + 1e-9
    # Taking the units in several batches or at once gives the same totals.
    assert tuple(total) == split_counts(handed, ratios)


# ---- the stratified plan ----


def units_strategy():
    return st.lists(
        st.tuples(st.integers(0, 400), st.sampled_from(["PER", "ORG", "LOC", "", "GPE"])),
        min_size=1,
        max_size=60,
        unique_by=lambda unit: unit[0],
    )


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 2**63 - 1), units_strategy(), st.sampled_from(RATIOS))
def test_every_label_is_spread_over_the_splits_in_the_ratios(seed, numbers, ratios_text):
    ratios = parse_ratios(ratios_text)
    units = [(key(n), label) for n, label in numbers]
    plan = plan_stratified_split(units, seed=seed, ratios=ratios)
    splits = {k: plan.split_of(k) for k, _ in units}
    # Deterministic and independent of the order the articles come in.
    again = plan_stratified_split(list(reversed(units)), seed=seed, ratios=ratios)
    assert {k: again.split_of(k) for k, _ in units} == splits
    # Every split with a ratio above zero has a unit once there are three; one of ratio 0 none.
    used = set(splits.values())
    for split, ratio in zip(SPLITS, ratios.as_tuple(), strict=True):
        if ratio == 0:
            assert split not in used
        elif len(units) >= 3:
            assert split in used
    # Per label: within one unit of its share of each split (plus the few filling moves).
    moves = len(plan.moved)
    by_label: dict[str, Counter[str]] = {}
    for k, label in units:
        by_label.setdefault(label, Counter())[splits[k]] += 1
    for counts in by_label.values():
        n = sum(counts.values())
        for split, ratio in zip(SPLITS, ratios.as_tuple(), strict=True):
            assert abs(counts[split] - n * ratio) <= 1.5 + moves
    # Totals: the rounded counts of the whole, before the filling moves.
    if moves == 0:
        assert tuple(Counter(splits.values())[s] for s in SPLITS) == split_counts(
            len(units), ratios
        )


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 2**63 - 1), units_strategy())
def test_within_a_label_the_lowest_positions_go_to_train_the_highest_to_test(seed, numbers):
    from annotate.lib.exports.split import split_position

    ratios = parse_ratios("0.6,0.2,0.2")
    units = [(key(n), label) for n, label in numbers]
    plan = plan_stratified_split(units, seed=seed, ratios=ratios)
    if plan.moved:
        return
    for label in {label for _, label in units}:
        ordered = sorted((split_position(k, seed), k) for k, lab in units if lab == label)
        ranks = [SPLITS.index(plan.split_of(k)) for _, k in ordered]
        assert ranks == sorted(ranks)


@settings(max_examples=100, deadline=None)
@given(
    st.integers(0, 2**63 - 1),
    st.lists(
        st.tuples(st.integers(0, 10), st.sampled_from(["PER", "ORG", "LOC"])),
        min_size=1,
        max_size=40,
    ),
)
def test_a_group_shares_one_split_and_takes_the_label_most_of_its_articles_have(seed, articles):
    ratios = parse_ratios("0.5,0.25,0.25")
    units = [
        (unit_key(key(i), f"story-{group}"), label) for i, (group, label) in enumerate(articles)
    ]
    plan = plan_stratified_split(units, seed=seed, ratios=ratios)
    by_group: dict[str, set[str]] = {}
    for k, _ in units:
        by_group.setdefault(k, set()).add(plan.split_of(k))
    assert all(len(splits) == 1 for splits in by_group.values())
    assert len(plan.assigned or {}) == len(by_group)


def test_a_rare_label_gets_into_dev_and_test_where_thresholds_alone_would_miss_it():
    ratios = parse_ratios("0.8,0.1,0.1")
    units = [(key(i), "PER") for i in range(90)] + [(key(1000 + i), "EVENT") for i in range(10)]
    plan = plan_stratified_split(units, seed=0, ratios=ratios)
    events = Counter(plan.split_of(k) for k, label in units if label == "EVENT")
    people = Counter(plan.split_of(k) for k, label in units if label == "PER")
    assert events == {"train": 8, "dev": 1, "test": 1}
    assert people == {"train": 72, "dev": 9, "test": 9}


def test_stratum_of_an_article():
    content = {
        "spans": [{"label": "ORG"}, {"label": "PER"}, {"label": "PER"}, {"label": "LOC"}],
        "document_labels": {"stance": {"isis": "against"}},
    }
    assert article_stratum(content, "spans") == "PER"
    assert article_stratum({"spans": [{"label": "ORG"}, {"label": "LOC"}]}, "spans") == "LOC"
    assert article_stratum({"spans": []}, "spans") == ""
    assert article_stratum(content, "stance:isis") == "against"
    assert article_stratum(content, "stance:syrian_army") == ""
    assert check_stratify_by("spans") == "spans"
    assert check_stratify_by("stance:isis") == "stance:isis"
    assert check_stratify_by("") is None
    for bad in ("label", "stance:", "stance:1x", "stance:a-b", 3):
        with pytest.raises(SplitError, match="stratify_by") as caught:
            check_stratify_by(bad)
        assert caught.value.field == "stratify_by"


# ---- through the export ----


LABELS = ["PER", "ORG", "LOC", "GPE", "EVENT"]


@pytest.fixture
def project(db):
    articles = []
    labels = []
    for i in range(40):
        label = LABELS[0] if i % 8 else LABELS[1 + (i // 8) % 4]
        text = f"قال مسؤول إن الجيش السوري دخل المدينة رقم {i} اليوم."
        article = make_article(text=text, title=f"خبر {i}", metadata={"story": f"s{i % 13}"})
        articles.append(article)
        labels.append(label)
    project = make_project("Stratified", articles=articles)
    for article, label in zip(articles, labels, strict=True):
        Gold.objects.create(
            project=project,
            article=article,
            content={
                "spans": [span_of(article.text, "الجيش السوري", label)],
                "relations": [],
                "document_labels": {"stance": {"isis": "against" if label == "PER" else "favor"}},
            },
            source=GoldSource.ADJUDICATED,
        )
    return project


def split_by_text(project, **options) -> dict[str, str]:
    data = b"".join(
        export_stream(project, check_export_options(**options), created_at="2024-01-01T00:00")
    )
    files = read_zip(data)
    result = {}
    for split in SPLITS:
        for line in files[f"{split}.jsonl"].splitlines():
            row = json.loads(line)
            result[row["text"]] = split
    return result


def test_the_export_spreads_each_label_and_records_the_rule(project):
    splits = split_by_text(project, formats="jsonl", stratify_by="spans")
    per_label: dict[str, Counter[str]] = {}
    for gold in Gold.objects.filter(project=project).select_related("article"):
        per_label.setdefault(gold.content["spans"][0]["label"], Counter())[
            splits[gold.article.text]
        ] += 1
    # PER: 35 articles, 28/4/3 or so; every rarer label (1 or 2 articles) is in train first.
    assert per_label["PER"]["dev"] >= 3 and per_label["PER"]["test"] >= 3
    data = b"".join(
        export_stream(project, check_export_options(formats="jsonl", stratify_by="spans"))
    )
    manifest = json.loads(read_zip(data)["manifest.json"])
    assert manifest["options"]["stratify_by"] == "spans"
    assert manifest["split"]["stratify_by"] == "spans"
    assert "stratified by the span label" in manifest["split"]["rule"]


def test_grouping_and_stratifying_together_keep_stories_whole(project):
    splits = split_by_text(project, formats="jsonl", group_by="story", stratify_by="stance:isis")
    stories: dict[str, set[str]] = {}
    for gold in Gold.objects.filter(project=project).select_related("article"):
        stories.setdefault(gold.article.metadata["story"], set()).add(splits[gold.article.text])
    assert all(len(s) == 1 for s in stories.values())
    assert set(splits.values()) == {"train", "dev", "test"}


def test_a_stratified_split_is_the_same_after_a_round_trip_into_a_new_project(project, tmp_path):
    options = {"formats": "jsonl", "stratify_by": "spans", "seed": 5}
    before = split_by_text(project, **options)
    data = b"".join(export_stream(project, check_export_options(**options)))
    files = read_zip(data)
    gold_file = tmp_path / "gold.jsonl"
    gold_file.write_bytes(b"".join(files[f"{split}.jsonl"] for split in SPLITS))
    manager = make_user("importer")
    target = make_project("Elsewhere", members={manager: "manager"})
    call_command(
        "import_annotations",
        str(target.pk),
        str(gold_file),
        "--format=ours",
        "--as-gold",
        "--corpus=fresh",
        stdout=io.StringIO(),
    )
    assert Gold.objects.filter(project=target).count() == 40
    assert split_by_text(target, **options) == before


def test_bad_stratify_option_is_refused_naming_it(project, tmp_path):
    with pytest.raises(ActionError) as caught:
        check_export_options(stratify_by="colour")
    assert caught.value.field == "stratify_by"
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="--stratify-by: use"):
        call_command(
            "export_dataset", str(project.pk), "--out", str(tmp_path), "--stratify-by", "colour"
        )
    assert not list(tmp_path.iterdir())
