"""Recommenders trained from a project's gold: the CRF on the demo, held-out scores computed by
the agreement code, thresholds, retired labels, rejections, the job and the commands."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from annotate.lib.agreement.spans import Span, exact_matches, prf
from annotate.lib.recommend.crf import LayeredModel as Model
from annotate.lib.recommend.evaluate import split_articles
from annotate.lib.schema import check_schema
from annotate.management.commands.demo import build_demo, demo_content
from annotate.models import (
    Gold,
    GoldSource,
    Job,
    JobStatus,
    ProjectArticle,
    Recommender,
    SuggestionRejection,
    SuggestionSettings,
)
from annotate.recommend import article_suggestions, do_train_recommenders, latest_recommenders
from annotate.tasks import do_start_training

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    """The demo project with gold on all twelve articles (the demo's careful annotator's work,
    replacing the gold the demo adjudicated on a few)."""
    _corpus, users, project, _report = build_demo()
    rows = ProjectArticle.objects.filter(project=project).order_by("position")
    for index, row in enumerate(rows.select_related("article")):
        content = demo_content(row.article.text, "amal", index)
        Gold.objects.update_or_create(
            project=project,
            article=row.article,
            defaults={"content": content, "source": GoldSource.IMPORTED},
        )
    return project, users


def gold_entities(project):
    return {
        article_id: [
            Span(s["start"], s["end"], s["label"])
            for s in content["spans"]
            if s["label"] != "CLAIM"
        ]
        for article_id, content in Gold.objects.filter(project=project).values_list(
            "article_id", "content"
        )
    }


def test_the_crf_trains_on_the_demo_gold_and_is_scored_by_the_agreement_code(demo):
    project, users = demo
    trained = {r.kind: r for r in do_train_recommenders(project, user=users["mona"])}
    assert set(trained) == {"gazetteer", "crf", "stance"}
    model = trained["crf"]
    assert model.version == 1
    assert model.schema_version == project.schema_version
    assert len(model.data_hash) == 64
    assert (model.train_articles, model.held_out_articles) == (10, 2)
    # Entities and claims, each layer its own model; claims scored like every label.
    assert {"MILITARY_GROUP", "GPE", "CLAIM"} <= Model(bytes(model.model)).labels()
    assert "CLAIM" in {row["label"] for row in model.scores}

    # The held-out figures, recomputed here from the same split with the agreement code.
    gold = gold_entities(project)
    _train, held = split_articles(gold, seed=0)
    texts = dict(
        ProjectArticle.objects.filter(project=project).values_list("article_id", "article__text")
    )
    # The stored model saw every article; retrain on the training split to redo the figures.
    crf_scores = {row["label"]: row for row in model.scores}
    from annotate.recommend import TRAINERS, _load, settings_of

    data = _load(project, settings_of(project))
    _bytes, suggest = TRAINERS["crf"](data, _train, list(crf_scores))
    for label in ("MILITARY_GROUP", "GPE"):
        matched = gold_n = suggested_n = 0
        for article_id in held:
            a = [s for s in gold[article_id] if s.label == label]
            b = [
                Span(s.start, s.end, s.label)
                for s in suggest(texts[article_id])
                if s.label == label
            ]
            matched += len(exact_matches(a, b))
            gold_n += len(a)
            suggested_n += len(b)
        expected = prf(matched, gold_n, suggested_n)
        assert crf_scores[label]["precision"] == expected.precision.value
        assert crf_scores[label]["recall"] == expected.recall.value
        assert crf_scores[label]["f1"] == expected.f1.value
        assert crf_scores[label]["articles"] == 2
    # Which two articles are held out follows their ids (PostgreSQL's sequences run on across
    # tests), so whether they hold a MILITARY_GROUP name varies; that the model learnt the
    # label does not: on the articles it was trained on it finds most of those names.
    found = gold_n = 0
    for article_id in _train:
        a = [s for s in gold[article_id] if s.label == "MILITARY_GROUP"]
        b = [Span(s.start, s.end, s.label) for s in suggest(texts[article_id])]
        found += len(exact_matches(a, [s for s in b if s.label == "MILITARY_GROUP"]))
        gold_n += len(a)
    assert gold_n > 0 and found / gold_n > 0.5

    # The same data gives the same hash; a new training is a new version.
    again = {r.kind: r for r in do_train_recommenders(project)}
    assert again["crf"].version == 2
    assert again["crf"].data_hash == model.data_hash


def test_only_labels_whose_held_out_precision_reaches_the_threshold_are_suggested(demo):
    project, _users = demo
    SuggestionSettings.objects.create(project=project, threshold=1.0, crf=False, stance=False)
    (gazetteer,) = do_train_recommenders(project)
    perfect = [s["label"] for s in gazetteer.scores if s["precision"] == 1.0]
    assert gazetteer.active_labels == perfect
    row = ProjectArticle.objects.filter(project=project).select_related("article").first()
    found = article_suggestions(project, article_id=row.article_id, text=row.article.text)
    assert found
    assert {s["label"] for s in found} <= set(perfect)
    for s in found:
        assert row.article.text[s["start"] : s["end"]] == s["text"]
        assert s["recommender"] == "gazetteer@1"

    SuggestionSettings.objects.filter(project=project).update(threshold=0.0)
    # A threshold of 0 still needs a defined precision: labels never suggested on held-out
    # articles stay off.
    (gazetteer,) = do_train_recommenders(project)
    assert set(gazetteer.active_labels) == {
        s["label"] for s in gazetteer.scores if s["precision"] is not None
    }


def test_a_retired_label_is_never_suggested(demo):
    project, _users = demo
    SuggestionSettings.objects.create(project=project, threshold=0.0)
    do_train_recommenders(project)
    row = ProjectArticle.objects.filter(project=project).select_related("article").first()
    text = row.article.text
    before = article_suggestions(project, article_id=row.article_id, text=text)
    retired = before[0]["label"]

    schema = json.loads(json.dumps(project.schema))
    for label in schema["entity_labels"]:
        if label["key"] == retired:
            label["retired"] = True
    project.schema = check_schema(schema)
    project.save()
    after = article_suggestions(project, article_id=row.article_id, text=text)
    # The stored models still know the label; the suggestions leave it out.
    assert retired in Model(bytes(latest_recommenders(project)[1].model)).labels()
    assert retired not in {s["label"] for s in after}
    # Retrained after the retirement, no model even learns it.
    trained = do_train_recommenders(project)
    crf = next(r for r in trained if r.kind == "crf")
    assert retired not in Model(bytes(crf.model)).labels()
    assert retired not in {s["label"] for s in crf.scores}


def test_rejections_hide_the_suggestion_from_that_annotator_and_feed_the_next_training(demo):
    project, users = demo
    SuggestionSettings.objects.create(project=project, threshold=0.0, crf=False, stance=False)
    do_train_recommenders(project)
    row = ProjectArticle.objects.filter(project=project).select_related("article").first()
    text = row.article.text
    found = article_suggestions(project, article_id=row.article_id, text=text, user=users["badr"])
    target = found[0]
    SuggestionRejection.objects.create(
        project=project,
        article_id=row.article_id,
        user=users["badr"],
        start=target["start"],
        end=target["end"],
        label=target["label"],
        text=target["text"],
        recommender=target["recommender"],
    )
    key = (target["start"], target["end"], target["label"])
    for_badr = article_suggestions(
        project, article_id=row.article_id, text=text, user=users["badr"]
    )
    assert key not in {(s["start"], s["end"], s["label"]) for s in for_badr}
    for_amal = article_suggestions(
        project, article_id=row.article_id, text=text, user=users["amal"]
    )
    assert key in {(s["start"], s["end"], s["label"]) for s in for_amal}

    first = Recommender.objects.get(project=project, kind="gazetteer", version=1)
    (second,) = do_train_recommenders(project)
    assert second.data_hash != first.data_hash
    uses = {tuple(e["tokens"]): e for e in json.loads(bytes(second.model))}
    before = {tuple(e["tokens"]): e for e in json.loads(bytes(first.model))}
    changed = [k for k in before if before[k] != uses.get(k)]
    assert changed  # the rejected name lost weight (or its entry)


def test_the_training_job_runs_in_the_background_and_records_its_result(demo):
    project, users = demo
    job = do_start_training(project, user=users["mona"])
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error
    assert [r["kind"] for r in job.result["recommenders"]] == ["gazetteer", "crf", "stance"]
    assert [r.kind for r in latest_recommenders(project)] == ["gazetteer", "crf", "stance"]
    assert Job.objects.filter(project=project, kind="train_recommenders").count() == 1


def test_the_commands_train_and_print_suggestions(demo):
    project, _users = demo
    with pytest.raises(CommandError, match="no trained recommender"):
        call_command("suggest", str(project.pk), stdout=StringIO(), stderr=StringIO())
    out = StringIO()
    call_command("train_recommenders", project.name, stdout=out, stderr=StringIO())
    assert "crf v1: trained on 10 articles, scored on 2 held-out articles" in out.getvalue()
    assert "MILITARY_GROUP" in out.getvalue()
    out = StringIO()
    call_command("suggest", str(project.pk), stdout=out, stderr=StringIO())
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(lines) == 12
    texts = dict(
        ProjectArticle.objects.filter(project=project).values_list("article_id", "article__text")
    )
    assert sum(len(line["suggestions"]) for line in lines) > 0
    for line in lines:
        for s in line["suggestions"]:
            assert texts[line["article"]][s["start"] : s["end"]] == s["text"]
    with pytest.raises(CommandError, match="no project"):
        call_command("train_recommenders", "nope", stdout=StringIO(), stderr=StringIO())
    with pytest.raises(CommandError, match="is not in"):
        call_command("suggest", str(project.pk), "--article", "999999", stdout=StringIO())


def test_a_bad_name_list_is_a_command_error_naming_the_line(demo):
    project, _users = demo
    SuggestionSettings.objects.create(project=project, name_list="داعش,MILITARY_GROUP\nحلب,NOPE\n")
    with pytest.raises(CommandError, match="line 2: unknown label 'NOPE'"):
        call_command("train_recommenders", str(project.pk), stdout=StringIO(), stderr=StringIO())
    assert not Recommender.objects.filter(project=project).exists()
