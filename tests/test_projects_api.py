"""Projects through the REST API: creation, schema versions, articles, members, assignment
generation, token auth, and the whole journey a client makes through the API alone."""

from __future__ import annotations

import copy

import pytest
from rest_framework.test import APIClient

from annotate.lib.schema import default_schema
from annotate.models import (
    Annotation,
    Assignment,
    Membership,
    Project,
    ProjectArticle,
    Role,
    SchemaVersion,
)
from tests.factories import (
    PASSWORD,
    make_annotation,
    make_article,
    make_corpus,
    make_project,
    make_user,
    span_of,
)

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def staff(team):
    """The team's staff member: may create projects, and manages those created."""
    return team.staff


@pytest.fixture
def project(staff):
    response = client_for(staff).post("/api/projects/", {"name": "Syria 2017"}, format="json")
    assert response.status_code == 201, response.content
    return Project.objects.get(pk=response.json()["id"])


# ---- projects ----


def test_staff_create_a_project_and_become_its_manager(staff):
    response = client_for(staff).post(
        "/api/projects/",
        {"name": "  Claims  ", "guidelines": "# Mark claims\n", "overlap_k": 2},
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["name"] == "Claims"
    assert body["my_role"] == "manager"
    assert body["schema_version"] == 1
    assert body["overlap_k"] == 2
    project = Project.objects.get(pk=body["id"])
    assert project.schema == default_schema()
    assert Membership.objects.get(project=project).user == staff
    assert SchemaVersion.objects.get(project=project).version == 1


def test_non_staff_cannot_create_projects():
    response = client_for(make_user()).post("/api/projects/", {"name": "x"}, format="json")
    assert response.status_code == 403
    assert not Project.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x", "overlap_k": 0}, "overlap_k"),
        ({"name": "x", "overlap_fraction": 2}, "overlap_fraction"),
        ({"name": "x", "schema": {"entity_labels": [{"key": "1"}]}}, "schema.entity_labels[0].key"),
    ],
)
def test_project_creation_errors_name_the_field(staff, body, field):
    response = client_for(staff).post("/api/projects/", body, format="json")
    assert response.status_code == 400
    assert response.json()["field"] == field
    assert not Project.objects.exists()


def test_project_names_are_unique(staff, project):
    response = client_for(staff).post("/api/projects/", {"name": "Syria 2017"}, format="json")
    assert response.status_code == 400
    assert response.json()["field"] == "name"
    assert "already exists" in response.json()["detail"]


def test_project_list_shows_own_projects_with_role_and_counts(staff, project):
    annotator = make_user()
    project.memberships.create(user=annotator, role=Role.ANNOTATOR)
    make_project(name="someone else's")
    body = client_for(annotator).get("/api/projects/").json()
    assert body["count"] == 1
    (row,) = body["results"]
    assert (row["name"], row["my_role"], row["member_count"]) == ("Syria 2017", "annotator", 2)
    superuser = make_user(is_superuser=True)
    rows = client_for(superuser).get("/api/projects/").json()["results"]
    assert {r["my_role"] for r in rows} == {"manager"}
    assert len(rows) == 2


def test_managers_patch_project_fields(staff, project):
    response = client_for(staff).patch(
        f"/api/projects/{project.pk}/",
        {"guidelines": "Mark **every** claim.", "overlap_fraction": 0.25},
        format="json",
    )
    assert response.status_code == 200
    project.refresh_from_db()
    assert project.guidelines == "Mark **every** claim."
    assert project.overlap_fraction == 0.25


def test_a_project_with_annotations_cannot_be_deleted(staff, project):
    article = make_article()
    ProjectArticle.objects.create(project=project, article=article)
    make_annotation(project, article, make_user())
    response = client_for(staff).delete(f"/api/projects/{project.pk}/")
    assert response.status_code == 409
    assert Project.objects.filter(pk=project.pk).exists()
    Annotation.objects.all().delete()
    assert client_for(staff).delete(f"/api/projects/{project.pk}/").status_code == 204
    assert not Project.objects.filter(pk=project.pk).exists()


# ---- schema ----


def test_schema_changes_are_versioned(staff, project):
    client = client_for(staff)
    body = client.get(f"/api/projects/{project.pk}/schema/").json()
    assert body["version"] == 1
    schema = copy.deepcopy(body["schema"])
    schema["entity_labels"][0]["name"] = "Person (named)"
    response = client.put(
        f"/api/projects/{project.pk}/schema/", {"schema": schema, "note": "rename"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["version"] == 2
    # The same schema again is not a new version.
    again = client.put(f"/api/projects/{project.pk}/schema/", {"schema": schema}, format="json")
    assert again.json()["version"] == 2
    versions = client.get(f"/api/projects/{project.pk}/schema/versions/").json()["results"]
    assert [(v["version"], v["note"]) for v in versions] == [(1, "created"), (2, "rename")]
    assert versions[1]["schema"]["entity_labels"][0]["name"] == "Person (named)"
    assert versions[1]["created_by_username"] == staff.username
    assert versions[0]["schema"]["entity_labels"][0]["name"] == "Person"


def test_a_label_used_by_an_annotation_cannot_be_deleted_only_retired(staff, project):
    article = make_article()
    ProjectArticle.objects.create(project=project, article=article)
    text = article.text
    make_annotation(
        project, article, make_user(), spans=[span_of(text, "المتحدث", "PER")], submitted=False
    )
    client = client_for(staff)
    schema = default_schema()
    schema["entity_labels"] = schema["entity_labels"][1:]
    response = client.put(f"/api/projects/{project.pk}/schema/", {"schema": schema}, format="json")
    assert response.status_code == 400
    assert response.json()["field"] == "schema.entity_labels"
    assert "retire it" in response.json()["detail"]
    project.refresh_from_db()
    assert project.schema_version == 1
    schema = default_schema()
    schema["entity_labels"][0]["retired"] = True
    response = client.put(f"/api/projects/{project.pk}/schema/", {"schema": schema}, format="json")
    assert response.status_code == 200
    assert response.json()["schema"]["entity_labels"][0]["retired"] is True


def test_a_label_used_by_gold_cannot_be_deleted(staff, project):
    from annotate.models import Gold

    article = make_article()
    Gold.objects.create(
        project=project,
        article=article,
        source="adjudicated",
        content={
            "spans": [span_of(article.text, "الاجتماع", "EVENT")],
            "relations": [],
            "document_labels": {"stance": {}},
        },
    )
    schema = default_schema()
    schema["entity_labels"] = [lab for lab in schema["entity_labels"] if lab["key"] != "EVENT"]
    response = client_for(staff).put(
        f"/api/projects/{project.pk}/schema/", {"schema": schema}, format="json"
    )
    assert response.status_code == 400
    assert "'EVENT'" in response.json()["detail"]


def test_invalid_schema_names_the_field(staff, project):
    schema = default_schema()
    schema["stance_values"] = []
    response = client_for(staff).put(
        f"/api/projects/{project.pk}/schema/", {"schema": schema}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["field"] == "schema.stance_values"


# ---- articles ----


@pytest.fixture
def corpus():
    corpus = make_corpus("news")
    make_article(corpus, text="أعلن الجيش السوري السيطرة على الرقة.", title="الرقة")
    make_article(corpus, text="قال التحالف إن الغارات استهدفت مواقع داعش.", title="غارات")
    make_article(corpus, text="زار الوفد دمشق يوم الأحد.", title="زيارة")
    return corpus


def test_add_articles_by_search_is_normalised_and_idempotent(staff, project, corpus):
    client = client_for(staff)
    url = f"/api/projects/{project.pk}/articles/"
    # With diacritics and a hamza variant, the search still finds the plain spelling.
    response = client.post(url, {"corpus": corpus.pk, "q": "الرَّقَّة"}, format="json")
    assert response.status_code == 200
    assert response.json() == {"added": 1, "already": 0}
    response = client.post(url, {"corpus": corpus.pk, "all": True}, format="json")
    assert response.json() == {"added": 2, "already": 1}
    response = client.post(url, {"corpus": corpus.pk, "all": True}, format="json")
    assert response.json() == {"added": 0, "already": 3}
    rows = client.get(url).json()["results"]
    assert [r["position"] for r in rows] == [0, 1, 2]
    assert rows[0]["title"] == "الرقة"
    assert "text" not in rows[0]
    assert rows[0]["length"] == len("أعلن الجيش السوري السيطرة على الرقة.")
    assert [r["title"] for r in client.get(url, {"q": "داعش"}).json()["results"]] == ["غارات"]


def test_add_articles_by_ids(staff, project, corpus):
    ids = list(corpus.articles.values_list("pk", flat=True))
    url = f"/api/projects/{project.pk}/articles/"
    response = client_for(staff).post(url, {"article_ids": ids[:2]}, format="json")
    assert response.json() == {"added": 2, "already": 0}
    response = client_for(staff).post(url, {"article_ids": [ids[2], 99999]}, format="json")
    assert response.status_code == 400
    assert response.json()["field"] == "article_ids"
    assert "99999" in response.json()["detail"]
    assert ProjectArticle.objects.filter(project=project).count() == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "corpus"),
        ({"corpus": 99999, "all": True}, "corpus"),
        ({"corpus": "CORPUS", "q": ""}, "q"),
        ({"article_ids": ["x"]}, "article_ids[0]"),
        ({"article_ids": []}, "article_ids"),
    ],
)
def test_add_articles_errors_name_the_field(staff, project, corpus, body, field):
    if body.get("corpus") == "CORPUS":
        body = body | {"corpus": corpus.pk}
    response = client_for(staff).post(f"/api/projects/{project.pk}/articles/", body, format="json")
    assert response.status_code == 400
    assert response.json()["field"] == field


def test_article_detail_only_for_articles_in_the_project(staff, project, corpus):
    inside, outside = corpus.articles.all()[:2]
    ProjectArticle.objects.create(project=project, article=inside)
    client = client_for(staff)
    body = client.get(f"/api/projects/{project.pk}/articles/{inside.pk}/").json()
    assert set(body) >= {
        "id",
        "title",
        "text",
        "source",
        "url",
        "published_on",
        "external_id",
        "length",
    }
    assert body["text"] == inside.text
    assert client.get(f"/api/projects/{project.pk}/articles/{outside.pk}/").status_code == 404


# ---- members ----


def test_members_are_added_changed_and_removed(staff, project):
    client = client_for(staff)
    url = f"/api/projects/{project.pk}/members/"
    ann = make_user("annotator1")
    response = client.post(url, {"username": "annotator1", "role": "annotator"}, format="json")
    assert response.status_code == 201
    assert response.json()["role"] == "annotator"
    again = client.post(url, {"user": ann.pk, "role": "annotator"}, format="json")
    assert again.status_code == 200
    response = client.patch(f"{url}{ann.pk}/", {"role": "reviewer"}, format="json")
    assert response.json()["role"] == "reviewer"
    rows = client.get(url).json()["results"]
    assert {(r["username"], r["role"]) for r in rows} == {
        (staff.username, "manager"),
        ("annotator1", "reviewer"),
    }
    assert client.delete(f"{url}{ann.pk}/").status_code == 204
    assert not Membership.objects.filter(project=project, user=ann).exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"username": "nobody", "role": "annotator"}, "username"),
        ({"user": 99999, "role": "annotator"}, "user"),
        ({"role": "annotator"}, "user"),
        ({"username": "sami", "role": "boss"}, "role"),
    ],
)
def test_member_errors_name_the_field(staff, project, body, field):
    response = client_for(staff).post(f"/api/projects/{project.pk}/members/", body, format="json")
    assert response.status_code == 400
    assert response.json()["field"] == field


def test_the_last_manager_stays(staff, project):
    client = client_for(staff)
    url = f"/api/projects/{project.pk}/members/{staff.pk}/"
    response = client.patch(url, {"role": "annotator"}, format="json")
    assert response.status_code == 400
    assert "last manager" in response.json()["detail"]
    assert client.delete(url).status_code == 400
    assert Membership.objects.get(project=project, user=staff).role == Role.MANAGER


# ---- assignments ----


def test_generate_via_api_and_filter_assignments(staff, project, corpus):
    client = client_for(staff)
    annotators = [make_user(f"a{i}") for i in range(3)]
    for user in annotators:
        project.memberships.create(user=user, role=Role.ANNOTATOR)
    client.post(
        f"/api/projects/{project.pk}/articles/", {"corpus": corpus.pk, "all": True}, format="json"
    )
    url = f"/api/projects/{project.pk}/assignments/generate/"
    response = client.post(url, {"k": 2, "fraction": 1, "seed": 7}, format="json")
    assert response.status_code == 200
    assert response.json() | {"fraction": 1} == {
        "created": 6,
        "total": 6,
        "mode": "preassign",
        "k": 2,
        "fraction": 1,
        "seed": 7,
    }
    assert (
        client.post(url, {"k": 2, "fraction": 1, "seed": 7}, format="json").json()["created"] == 0
    )
    listing = client.get(
        f"/api/projects/{project.pk}/assignments/", {"annotator": annotators[0].pk}
    ).json()
    assert listing["count"] == 2
    assert {r["annotator_username"] for r in listing["results"]} == {"a0"}
    progress = client.get(f"/api/projects/{project.pk}/progress/").json()
    assert [row["total"] for row in progress] == [2, 2, 2]
    assert {row["username"] for row in progress} == {"a0", "a1", "a2"}
    response = client.post(url, {"k": 4}, format="json")
    assert response.status_code == 400
    assert response.json()["field"] == "k"
    response = client.post(url, {"mode": "lottery"}, format="json")
    assert response.status_code == 400
    assert response.json()["field"] == "mode"


def test_pool_assignments_filter(staff, project, corpus):
    client = client_for(staff)
    client.post(
        f"/api/projects/{project.pk}/articles/", {"corpus": corpus.pk, "all": True}, format="json"
    )
    client.post(
        f"/api/projects/{project.pk}/assignments/generate/", {"mode": "pool"}, format="json"
    )
    listing = client.get(f"/api/projects/{project.pk}/assignments/", {"annotator": "pool"})
    assert listing.json()["count"] == 3


# ---- authentication ----


def test_token_authentication():
    user = make_user("tokenuser")
    client = APIClient()
    response = client.post(
        "/api/auth/token/", {"username": "tokenuser", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200
    token = response.json()["token"]
    assert client.get("/api/projects/").status_code == 401
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/projects/").status_code == 200
    bad = APIClient().post(
        "/api/auth/token/", {"username": "tokenuser", "password": "wrong"}, format="json"
    )
    assert bad.status_code == 400
    assert user.api_tokens.count() == 1


def test_session_authentication_needs_csrf_for_writes(staff):
    client = APIClient(enforce_csrf_checks=True)
    client.login(username=staff.username, password=PASSWORD)
    assert client.get("/api/projects/").status_code == 200
    assert client.post("/api/projects/", {"name": "x"}, format="json").status_code == 403


# ---- the whole journey, API only ----


def test_a_client_does_everything_through_the_api(corpus):
    make_user("boss", is_staff=True)
    for name in ("ann1", "ann2"):
        make_user(name)

    def login(username):
        client = APIClient()
        token = client.post(
            "/api/auth/token/", {"username": username, "password": PASSWORD}, format="json"
        ).json()["token"]
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        return client

    boss = login("boss")
    pid = boss.post("/api/projects/", {"name": "journey"}, format="json").json()["id"]
    assert (
        boss.post(
            f"/api/projects/{pid}/articles/", {"corpus": corpus.pk, "all": True}, format="json"
        ).json()["added"]
        == 3
    )
    for name in ("ann1", "ann2"):
        assert (
            boss.post(
                f"/api/projects/{pid}/members/",
                {"username": name, "role": "annotator"},
                format="json",
            ).status_code
            == 201
        )
    generated = boss.post(
        f"/api/projects/{pid}/assignments/generate/",
        {"k": 2, "fraction": 0.34, "seed": 1},
        format="json",
    ).json()
    assert generated["created"] == 4  # one article gets two annotators, the others one

    ann = login("ann1")
    work = ann.post(f"/api/projects/{pid}/queue/next/").json()
    text = work["article"]["text"]
    word = next(w for w in ("داعش", "الجيش السوري", "دمشق") if w in text)
    content = {
        "spans": [
            span_of(text, word, "ORG", span_id="e1"),
            {
                **span_of(text, text.split()[0], "CLAIM", span_id="c1"),
                "attributes": {"checkworthy": False, "claimant": None, "stance": "reports"},
            },
        ],
        "relations": [{"type": "claimant", "from": "c1", "to": "e1"}],
        "document_labels": {
            "stance": {"isis": "against", "syrian_army": "neutral", "us_coalition": "not_mentioned"}
        },
    }
    asid = work["assignment"]["id"]
    saved = ann.put(
        f"/api/assignments/{asid}/annotation/",
        {"version": work["annotation"]["version"], "content": content},
        format="json",
    )
    assert saved.status_code == 200, saved.content
    submitted = ann.post(
        f"/api/assignments/{asid}/annotation/submit/",
        {"version": saved.json()["version"]},
        format="json",
    )
    assert submitted.status_code == 200
    back = ann.get(f"/api/assignments/{asid}/annotation/").json()
    assert back["status"] == "submitted"
    article = ann.get(f"/api/projects/{pid}/articles/{work['article']['id']}/").json()
    for item in back["content"]["spans"]:
        assert article["text"][item["start"] : item["end"]] == item["text"]
    assert back["content"]["relations"] == content["relations"]
    assert Assignment.objects.get(pk=asid).status == "submitted"
