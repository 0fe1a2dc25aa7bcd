"""Recommender endpoints: who may see scores, train, get suggestions and reject them."""

import pytest
from rest_framework.test import APIClient

from annotate.models import (
    Assignment,
    Gold,
    GoldSource,
    Recommender,
    SuggestionAcceptance,
    SuggestionRejection,
    SuggestionSettings,
)
from annotate.recommend import do_train_recommenders
from tests.base import ProjectTeam, make_team
from tests.factories import make_annotation, make_article, make_corpus, span_of

pytestmark = pytest.mark.django_db

SENTENCES = [
    "قال مسؤول إن داعش هاجم مدينة حلب صباح اليوم.",
    "وأعلن الجيش السوري أنه صد هجوم داعش قرب دمشق.",
    "وذكرت مصادر أن مقاتلي داعش انسحبوا من حلب.",
    "وقال سكان في دمشق إن الجيش السوري دخل المدينة.",
    "وأكد بيان أن داعش خسر مواقع في حلب ودمشق.",
]
NAMES = [("داعش", "MILITARY_GROUP"), ("الجيش السوري", "MILITARY_GROUP"), ("حلب", "GPE")]
NAMES += [("دمشق", "GPE")]


def gold_spans(text):
    spans = []
    for name, label in NAMES:
        start = text.find(name)
        while start != -1:
            before = text[start - 1] if start else " "
            if before in " و":
                spans.append(span_of(text, name, label, text[:start].count(name)))
            start = text.find(name, start + 1)
    return spans


@pytest.fixture
def world():
    team = make_team()
    corpus = make_corpus()
    articles = [
        make_article(
            corpus, " ".join(SENTENCES[(i + k) % 5] for k in range(5)) + f" الخبر رقم {i}."
        )
        for i in range(10)
    ]
    articles.append(make_article(corpus, "هاجم وداعش مدينة لحلب. ودخل الجيش السوري دمشق."))
    project, _, _ = ProjectTeam.create(team, articles=articles)
    for article in articles[:10]:
        Gold.objects.create(
            project=project,
            article=article,
            content={"spans": gold_spans(article.text)},
            source=GoldSource.IMPORTED,
        )
    # Two annotators share the target article; the sample rule has a test of its own.
    SuggestionSettings.objects.create(project=project, threshold=0.5, off_on_overlap=False)
    do_train_recommenders(project)
    target = articles[10]
    mine = make_annotation(project, target, team.annotator, submitted=False).assignment
    theirs = make_annotation(project, target, team.annotator2, submitted=False).assignment
    return {"project": project, "team": team, "mine": mine, "theirs": theirs, "article": target}


def client_for(user):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


WHO = ["manager", "reviewer", "annotator", "annotator2", "outsider", "anonymous"]


def user_of(world, who):
    return None if who == "anonymous" else world["team"][who]


@pytest.mark.parametrize(
    ("who", "status"),
    list(zip(WHO, [200, 200, 403, 403, 404, 401], strict=True)),
)
def test_scores_are_for_leads(world, who, status):
    response = client_for(user_of(world, who)).get(
        f"/api/projects/{world['project'].pk}/recommenders/"
    )
    assert response.status_code == status, response.content
    if status == 200:
        body = response.json()
        assert [r["kind"] for r in body["recommenders"]] == ["gazetteer", "crf", "stance"]
        gazetteer = body["recommenders"][0]
        assert gazetteer["held_out_articles"] == 2
        assert {s["label"] for s in gazetteer["scores"]} >= {"GPE", "MILITARY_GROUP"}
        assert "MILITARY_GROUP" in gazetteer["active_labels"]


def test_the_score_list_takes_a_fixed_number_of_queries(world, django_assert_num_queries):
    client = client_for(world["team"].manager)
    url = f"/api/projects/{world['project'].pk}/recommenders/"
    # the project with the role, the settings, the recommenders
    with django_assert_num_queries(3):
        assert client.get(url).status_code == 200
    do_train_recommenders(world["project"])
    with django_assert_num_queries(3):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize(
    ("who", "status"),
    list(zip(WHO, [202, 403, 403, 403, 404, 401], strict=True)),
)
def test_training_is_for_managers(world, who, status):
    before = Recommender.objects.count()
    response = client_for(user_of(world, who)).post(
        f"/api/projects/{world['project'].pk}/recommenders/train/"
    )
    assert response.status_code == status, response.content
    if status == 202:
        assert response.json()["status"] == "done"
        assert Recommender.objects.count() == before + 3
    else:
        assert Recommender.objects.count() == before


@pytest.mark.parametrize(
    ("who", "status"),
    list(zip(WHO, [403, 403, 200, 404, 404, 401], strict=True)),
)
def test_suggestions_are_for_the_assignee_only(world, who, status):
    response = client_for(user_of(world, who)).get(
        f"/api/assignments/{world['mine'].pk}/suggestions/"
    )
    assert response.status_code == status, response.content
    if status == 200:
        text = world["article"].text
        found = response.json()["suggestions"]
        got = {(text[s["start"] : s["end"]], s["label"]) for s in found}
        # داعش inside وداعش and حلب inside لحلب, on the bare word
        assert ("داعش", "MILITARY_GROUP") in got
        assert ("حلب", "GPE") in got
        for s in found:
            assert text[s["start"] : s["end"]] == s["text"]


def test_suggestions_leave_out_what_the_annotator_already_marked(world):
    mine = world["mine"]
    text = world["article"].text
    annotation = mine.annotation
    annotation.content = {"spans": [span_of(text, "حلب", "GPE")]}
    annotation.save()
    found = client_for(world["team"].annotator).get(f"/api/assignments/{mine.pk}/suggestions/")
    assert ("حلب", "GPE") not in {(s["text"], s["label"]) for s in found.json()["suggestions"]}


@pytest.mark.parametrize(
    ("who", "status"),
    list(zip(WHO, [403, 403, 201, 404, 404, 401], strict=True)),
)
def test_rejecting_is_for_the_assignee_only(world, who, status):
    text = world["article"].text
    start = text.index("داعش")
    body = {"start": start, "end": start + 4, "label": "MILITARY_GROUP", "recommender": "crf@1"}
    response = client_for(user_of(world, who)).post(
        f"/api/assignments/{world['mine'].pk}/suggestions/reject/", body, format="json"
    )
    assert response.status_code == status, response.content
    assert SuggestionRejection.objects.count() == (1 if status == 201 else 0)


def test_a_rejected_suggestion_is_not_suggested_again_to_that_annotator(world):
    text = world["article"].text
    start = text.index("داعش")
    client = client_for(world["team"].annotator)
    url = f"/api/assignments/{world['mine'].pk}/suggestions/"
    body = {"start": start, "end": start + 4, "label": "MILITARY_GROUP"}
    assert client.post(f"{url}reject/", body, format="json").status_code == 201
    assert client.post(f"{url}reject/", body, format="json").status_code == 201  # idempotent
    assert SuggestionRejection.objects.get().text == "داعش"
    keys = {(s["start"], s["end"], s["label"]) for s in client.get(url).json()["suggestions"]}
    assert (start, start + 4, "MILITARY_GROUP") not in keys
    theirs = client_for(world["team"].annotator2).get(
        f"/api/assignments/{world['theirs'].pk}/suggestions/"
    )
    keys = {(s["start"], s["end"], s["label"]) for s in theirs.json()["suggestions"]}
    assert (start, start + 4, "MILITARY_GROUP") in keys


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"start": 5, "end": 3, "label": "GPE"}, "end", "0 <= start < end"),
        ({"start": 0, "end": 10_000, "label": "GPE"}, "end", "0 <= start < end"),
        ({"start": 0, "end": 3, "label": "NOPE"}, "label", "unknown or retired label"),
        ({"start": 0, "end": 3, "label": 7}, "label", "expected a JSON string"),
        ({"start": "x", "end": 3, "label": "GPE"}, "start", "integer"),
    ],
)
def test_a_bad_rejection_is_a_400_naming_the_field(world, body, field, message):
    response = client_for(world["team"].annotator).post(
        f"/api/assignments/{world['mine'].pk}/suggestions/reject/", body, format="json"
    )
    assert response.status_code == 400, response.content
    assert response.json()["field"] == field
    assert message in response.json()["detail"]
    assert not SuggestionRejection.objects.exists()
    assert Assignment.objects.filter(pk=world["mine"].pk).exists()


def accept_body(world):
    text = world["article"].text
    start = text.index("داعش")
    return {
        "spans": [
            {
                "span_id": "s1",
                "start": start,
                "end": start + 4,
                "label": "MILITARY_GROUP",
                "recommender": "gazetteer@1",
            }
        ]
    }


@pytest.mark.parametrize(
    ("who", "status"),
    list(zip(WHO, [403, 403, 201, 404, 404, 401], strict=True)),
)
def test_recording_accepted_suggestions_is_for_the_assignee_only(world, who, status):
    response = client_for(user_of(world, who)).post(
        f"/api/assignments/{world['mine'].pk}/suggestions/accept/",
        accept_body(world),
        format="json",
    )
    assert response.status_code == status, response.content
    assert SuggestionAcceptance.objects.count() == (1 if status == 201 else 0)


def test_recording_the_same_span_again_replaces_its_provenance(world):
    client = client_for(world["team"].annotator)
    url = f"/api/assignments/{world['mine'].pk}/suggestions/accept/"
    body = accept_body(world)
    assert client.post(url, body, format="json").json() == {"recorded": 1}
    body["spans"][0]["recommender"] = "crf@1"
    assert client.post(url, body, format="json").status_code == 201
    assert list(SuggestionAcceptance.objects.values_list("span_id", "recommender")) == [
        ("s1", "crf@1")
    ]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"end": 10_000}, "spans[0].end"),
        ({"span_id": "bad id!"}, "spans[0].span_id"),
        ({"start": -1}, "spans[0].start"),
    ],
)
def test_a_bad_acceptance_is_a_400_and_nothing_is_recorded(world, change, field):
    body = accept_body(world)
    body["spans"] = [body["spans"][0] | change, *body["spans"]]
    response = client_for(world["team"].annotator).post(
        f"/api/assignments/{world['mine'].pk}/suggestions/accept/", body, format="json"
    )
    assert response.status_code == 400, response.content
    assert response.json()["field"] == field
    assert not SuggestionAcceptance.objects.exists()


def test_the_page_offers_suggestions_only_off_the_agreement_sample(world):
    from annotate.recommend import suggestions_shown

    mine = world["mine"]  # the article has two annotators: in the agreement sample
    assert suggestions_shown(mine)
    client = client_for(world["team"].annotator)
    assert client.get(f"/api/assignments/{mine.pk}/suggestions/").json()["suggestions"]
    SuggestionSettings.objects.filter(project=world["project"]).update(off_on_overlap=True)
    mine = Assignment.objects.get(pk=mine.pk)
    assert not suggestions_shown(mine)
    answer = client.get(f"/api/assignments/{mine.pk}/suggestions/").json()
    assert answer == {"suggestions": [], "stance": [], "unavailable": []}
    Recommender.objects.all().delete()
    assert not suggestions_shown(Assignment.objects.get(pk=mine.pk))
