"""The stance recommender: the stored numbers predict what scikit-learn predicts; trained on
gold per target, scored on held-out articles, suggested only above the confidence threshold."""

import json
import random

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from annotate.lib.recommend.stance import StanceModel, train_stance, words
from annotate.lib.schema import check_schema
from annotate.models import Gold, GoldSource, SuggestionSettings
from annotate.recommend import assignment_stance_suggestions, do_train_recommenders
from tests.base import ProjectTeam, make_team
from tests.factories import make_annotation, make_article, make_corpus

AGAINST = ["هاجم", "قتل", "دمر", "إرهاب", "جرائم", "وحشية"]
FAVOR = ["حرر", "ساعد", "بطولة", "نصر", "حماية", "أنقذ"]
NEUTRAL = ["اجتماع", "بيان", "تقرير", "زيارة", "مؤتمر", "لقاء"]
FILLER = ["قال", "مصدر", "في", "المدينة", "اليوم", "إن", "الوضع", "على", "من"]


def article(rng, value):
    cue = {"against": AGAINST, "favor": FAVOR, "neutral": NEUTRAL}[value]
    text = [rng.choice(FILLER) for _ in range(30)]
    for _ in range(4):
        text.insert(rng.randrange(len(text)), "و" + rng.choice(cue))
    return " ".join(["داعش", *text]) + "."


def examples(n, seed=0, values=("against", "favor", "neutral")):
    rng = random.Random(seed)
    return [(article(rng, values[i % len(values)]), values[i % len(values)]) for i in range(n)]


@pytest.mark.parametrize("values", [("against", "favor"), ("against", "favor", "neutral")])
def test_the_stored_model_predicts_exactly_what_scikit_learn_predicts(values):
    train = examples(60, values=values)
    model = train_stance(train, target="isis")
    again = StanceModel.from_json(json.loads(json.dumps(model.to_json())))
    vectorizer = TfidfVectorizer(analyzer=words, sublinear_tf=True)
    matrix = vectorizer.fit_transform([t for t, _ in train])
    reference = LogisticRegression(max_iter=2000, C=4.0).fit(matrix, [v for _, v in train])
    for text, _ in examples(20, seed=1, values=values) + [("نص لا يعرفه النموذج", "")]:
        expected = reference.predict_proba(vectorizer.transform([text]))[0]
        got = again.probabilities(text)
        assert list(got) == list(reference.classes_)
        np.testing.assert_allclose(list(got.values()), expected, rtol=0, atol=1e-9)


def test_one_value_only_gives_no_model():
    assert train_stance(examples(10, values=("against",)), target="isis") is None


def test_a_value_is_suggested_only_above_the_confidence_threshold():
    model = train_stance(examples(90), target="isis")
    text = article(random.Random(5), "against")
    value, probability = model.suggest(text, confidence=0.0)
    assert value == "against"
    assert model.suggest(text, confidence=probability + 1e-9) is None


@pytest.fixture
def project(db):
    team = make_team()
    corpus = make_corpus()
    data = examples(40, seed=3)
    articles = [make_article(corpus, f"{text} رقم {i}") for i, (text, _) in enumerate(data)]
    target_article = make_article(corpus, article(random.Random(9), "against"))
    project, _, _ = ProjectTeam.create(team, articles=[*articles, target_article])
    for created, (_, value) in zip(articles, data, strict=True):
        stance = {"isis": value, "syrian_army": "neutral", "us_coalition": "not_mentioned"}
        Gold.objects.create(
            project=project,
            article=created,
            content={"spans": [], "document_labels": {"stance": stance}},
            source=GoldSource.IMPORTED,
        )
    SuggestionSettings.objects.create(
        project=project, gazetteer=False, crf=False, threshold=0.7, stance_confidence=0.5
    )
    assignment = make_annotation(project, target_article, team.annotator, submitted=False)
    return project, assignment.assignment


def test_stance_is_scored_on_held_out_gold_and_suggested_for_unset_targets(project):
    project, assignment = project
    (recommender,) = do_train_recommenders(project)
    scores = {row["label"]: row for row in recommender.scores}
    assert recommender.kind == "stance"
    assert scores["isis"]["gold"] == recommender.held_out_articles == 8
    assert scores["isis"]["precision"] >= 0.7
    # syrian_army is "neutral" everywhere: one value, no model, never suggested.
    assert scores["syrian_army"]["suggested"] == 0
    assert recommender.active_labels == ["isis"]
    (suggestion,) = assignment_stance_suggestions(assignment)
    assert (suggestion["target"], suggestion["value"]) == ("isis", "against")
    assert suggestion["score"] >= 0.5 and suggestion["recommender"] == "stance@1"

    # Already set by the annotator: not suggested.
    annotation = assignment.annotation
    annotation.content = {**annotation.content, "document_labels": {"stance": {"isis": "favor"}}}
    annotation.save()
    assert assignment_stance_suggestions(assignment) == []


def test_a_retired_target_is_never_suggested(project):
    project, assignment = project
    do_train_recommenders(project)
    schema = json.loads(json.dumps(project.schema))
    for target in schema["stance_targets"]:
        if target["key"] == "isis":
            target["retired"] = True
    project.schema = check_schema(schema)
    project.save()
    assert assignment_stance_suggestions(assignment) == []
