"""The permission matrix: every endpoint × every role × the user's own project or another one.

Roles, relative to the annotation `A` works on in project P:
- manager, reviewer: leads of P (the manager is also staff, so may create projects);
- annotator: `A`, who owns the assignment under test;
- other_annotator: an annotator of P with work of their own (blind: never sees A's);
- outsider: an annotator in an unrelated project;
- anonymous: not logged in (401 with WWW-Authenticate: Token).
For "other", the same request targets project Q, where none of them is a member: 404 for all
(a project you are not in does not exist for you), 401 for anonymous.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from rest_framework.test import APIClient

from annotate.annotations import do_save_draft, do_start_assignment, do_submit
from annotate.members import do_invite
from annotate.models import Annotation, Assignment, AssignmentStatus, Role
from tests.factories import make_article, make_corpus, make_project, make_user

pytestmark = pytest.mark.django_db

ROLES = ["manager", "reviewer", "annotator", "other_annotator", "outsider", "anonymous"]
STANCE = {"isis": "favor", "syrian_army": "against", "us_coalition": "neutral"}
FULL = {"spans": [], "relations": [], "document_labels": {"stance": STANCE}}


def build_project(tag: str, people: dict[str, Any]) -> dict[str, Any]:
    corpus = make_corpus(f"corpus {tag}")
    articles = [make_article(corpus, title=f"{tag}{i}") for i in range(4)]
    project = make_project(
        f"project {tag}",
        articles=articles,
        members={
            people["manager"]: Role.MANAGER,
            people["reviewer"]: Role.REVIEWER,
            people["annotator"]: Role.ANNOTATOR,
            people["other_annotator"]: Role.ANNOTATOR,
            people["third"]: Role.ANNOTATOR,
        },
    )
    ann, other = people["annotator"], people["other_annotator"]

    def assign(article, user, slot=0, status=AssignmentStatus.TODO):
        return Assignment.objects.create(
            project=project, article=article, annotator=user, slot=slot, status=status
        )

    working = assign(articles[0], ann)
    do_start_assignment(working, user=ann)
    do_save_draft(working, user=ann, version=1, content={"spans": []})
    submitted = assign(articles[1], ann)
    do_start_assignment(submitted, user=ann)
    do_submit(submitted, user=ann, version=1, content=FULL)
    todo = assign(articles[2], ann)
    assign(articles[0], other, slot=1)  # other annotator's own work, same article as A's draft
    invitation = do_invite(
        project, by=people["manager"], role=Role.ANNOTATOR, email=f"new-{tag}@example.org"
    ).invitation
    return {
        "invitation": invitation,
        "project": project,
        "articles": articles,
        "working": working,
        "submitted": submitted,
        "todo": todo,
        "annotation": Annotation.objects.get(assignment=working),
        "people": people,
    }


@pytest.fixture
def world():
    def people(tag, *, staff=False):
        return {
            "manager": make_user(f"{tag}_manager", is_staff=staff),
            "reviewer": make_user(f"{tag}_reviewer"),
            "annotator": make_user(f"{tag}_annotator"),
            "other_annotator": make_user(f"{tag}_other"),
            "third": make_user(f"{tag}_third"),
            "newcomer": make_user(f"{tag}_newcomer"),
        }

    own_people = people("p", staff=True)
    own = build_project("P", own_people)
    other = build_project("Q", people("q"))
    outsider = make_user("outsider")
    make_project("project Z", articles=[make_article()], members={outsider: Role.ANNOTATOR})
    users = dict(own_people, outsider=outsider)
    return {"own": own, "other": other, "users": users}


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    url: Any  # (target world) -> str
    expected: dict[str, int]  # role -> status, in the user's own project
    body: Any = None  # (target world) -> dict
    per_project: bool = True


def codes(manager, reviewer, annotator, other_annotator, outsider=404, anonymous=401):
    return {
        "manager": manager,
        "reviewer": reviewer,
        "annotator": annotator,
        "other_annotator": other_annotator,
        "outsider": outsider,
        "anonymous": anonymous,
    }


MEMBERS_READ = codes(200, 200, 200, 200)
MANAGER_ONLY = codes(200, 403, 403, 403)


def p(w):
    return f"/api/projects/{w['project'].pk}"


def a0(w):
    """The article both annotators of the project were given (A's draft, the other's todo)."""
    return f"{p(w)}/articles/{w['articles'][0].pk}"


ENDPOINTS = [
    Endpoint(
        "project list",
        "get",
        lambda w: "/api/projects/",
        codes(200, 200, 200, 200, 200),
        per_project=False,
    ),
    Endpoint(
        "project create",
        "post",
        lambda w: "/api/projects/",
        codes(201, 403, 403, 403, 403),
        body=lambda w: {"name": "brand new"},
        per_project=False,
    ),
    Endpoint("project detail", "get", lambda w: f"{p(w)}/", MEMBERS_READ),
    Endpoint(
        "project patch",
        "patch",
        lambda w: f"{p(w)}/",
        MANAGER_ONLY,
        body=lambda w: {"guidelines": "new"},
    ),
    # The project holds annotations, so even its manager gets 409 rather than a deletion.
    Endpoint("project delete", "delete", lambda w: f"{p(w)}/", codes(409, 403, 403, 403)),
    Endpoint("schema read", "get", lambda w: f"{p(w)}/schema/", MEMBERS_READ),
    Endpoint(
        "schema write",
        "put",
        lambda w: f"{p(w)}/schema/",
        MANAGER_ONLY,
        body=lambda w: {"schema": w["project"].schema, "note": "same"},
    ),
    Endpoint("schema versions", "get", lambda w: f"{p(w)}/schema/versions/", MEMBERS_READ),
    Endpoint("article list", "get", lambda w: f"{p(w)}/articles/", MEMBERS_READ),
    Endpoint(
        "article add",
        "post",
        lambda w: f"{p(w)}/articles/",
        MANAGER_ONLY,
        body=lambda w: {"article_ids": [w["articles"][0].pk]},
    ),
    Endpoint(
        "article detail", "get", lambda w: f"{p(w)}/articles/{w['articles'][0].pk}/", MEMBERS_READ
    ),
    Endpoint("member list", "get", lambda w: f"{p(w)}/members/", codes(200, 200, 403, 403)),
    Endpoint(
        "member add",
        "post",
        lambda w: f"{p(w)}/members/",
        codes(201, 403, 403, 403),
        body=lambda w: {"user": w["people"]["newcomer"].pk, "role": "reviewer"},
    ),
    Endpoint(
        "member change",
        "patch",
        lambda w: f"{p(w)}/members/{w['people']['third'].pk}/",
        MANAGER_ONLY,
        body=lambda w: {"role": "reviewer"},
    ),
    Endpoint(
        "member remove",
        "delete",
        lambda w: f"{p(w)}/members/{w['people']['third'].pk}/",
        codes(204, 403, 403, 403),
    ),
    Endpoint("invitation list", "get", lambda w: f"{p(w)}/invitations/", MANAGER_ONLY),
    Endpoint(
        "invite",
        "post",
        lambda w: f"{p(w)}/invitations/",
        codes(201, 403, 403, 403),
        body=lambda w: {"email": "someone@example.org", "role": "annotator"},
    ),
    Endpoint(
        "invitation withdraw",
        "delete",
        lambda w: f"{p(w)}/invitations/{w['invitation'].pk}/",
        codes(204, 403, 403, 403),
    ),
    # Accounts belong to the site, not a project: staff only (the manager here is staff).
    Endpoint(
        "account list",
        "get",
        lambda w: "/api/users/",
        codes(200, 403, 403, 403, 403),
        per_project=False,
    ),
    Endpoint(
        "account create",
        "post",
        lambda w: "/api/users/",
        codes(201, 403, 403, 403, 403),
        body=lambda w: {"username": "fresh", "password": "a long new passphrase 42"},
        per_project=False,
    ),
    Endpoint(
        "account detail",
        "get",
        lambda w: f"/api/users/{w['people']['third'].pk}/",
        codes(200, 403, 403, 403, 403),
        per_project=False,
    ),
    Endpoint(
        "account deactivate",
        "patch",
        lambda w: f"/api/users/{w['people']['third'].pk}/",
        codes(200, 403, 403, 403, 403),
        body=lambda w: {"is_active": False},
        per_project=False,
    ),
    Endpoint(
        "generate",
        "post",
        lambda w: f"{p(w)}/assignments/generate/",
        MANAGER_ONLY,
        body=lambda w: {"k": 1, "fraction": 1, "seed": 1, "mode": "pool"},
    ),
    Endpoint("assignment list", "get", lambda w: f"{p(w)}/assignments/", MEMBERS_READ),
    Endpoint("progress", "get", lambda w: f"{p(w)}/progress/", MEMBERS_READ),
    Endpoint("queue", "get", lambda w: f"{p(w)}/queue/", MEMBERS_READ),
    Endpoint("queue next", "post", lambda w: f"{p(w)}/queue/next/", codes(403, 403, 200, 200)),
    Endpoint("annotation list", "get", lambda w: f"{p(w)}/annotations/", MEMBERS_READ),
    Endpoint(
        "assignment detail",
        "get",
        lambda w: f"/api/assignments/{w['working'].pk}/",
        codes(200, 200, 200, 404),
    ),
    Endpoint(
        "reassign",
        "post",
        lambda w: f"/api/assignments/{w['todo'].pk}/reassign/",
        codes(200, 403, 403, 404),
        body=lambda w: {"annotator": w["people"]["third"].pk},
    ),
    Endpoint(
        "skip",
        "post",
        lambda w: f"/api/assignments/{w['working'].pk}/skip/",
        codes(403, 403, 200, 404),
        body=lambda w: {"reason": "off topic"},
    ),
    Endpoint(
        "reopen",
        "post",
        lambda w: f"/api/assignments/{w['submitted'].pk}/reopen/",
        codes(200, 200, 403, 404),
        body=lambda w: {"reason": "the date is a DATE span"},
    ),
    Endpoint(
        "annotation read",
        "get",
        lambda w: f"/api/assignments/{w['working'].pk}/annotation/",
        codes(200, 200, 200, 404),
    ),
    Endpoint(
        "annotation read (submitted)",
        "get",
        lambda w: f"/api/assignments/{w['submitted'].pk}/annotation/",
        codes(200, 200, 200, 404),
    ),
    Endpoint(
        "annotation save",
        "put",
        lambda w: f"/api/assignments/{w['working'].pk}/annotation/",
        codes(403, 403, 200, 404),
        body=lambda w: {"version": 2, "content": {"spans": []}},
    ),
    Endpoint(
        "annotation submit",
        "post",
        lambda w: f"/api/assignments/{w['working'].pk}/annotation/submit/",
        codes(403, 403, 200, 404),
        body=lambda w: {"version": 2, "content": FULL},
    ),
    Endpoint(
        "history",
        "get",
        lambda w: f"/api/annotations/{w['annotation'].pk}/history/",
        codes(200, 200, 403, 403),
    ),
    Endpoint(
        "assignment history",
        "get",
        lambda w: f"/api/assignments/{w['working'].pk}/history/",
        codes(200, 200, 403, 404),
    ),
    # issue 14: comments and flags, skip reasons, reopen requests, guidelines versions
    Endpoint("thread read", "get", lambda w: f"{a0(w)}/comments/", MEMBERS_READ),
    Endpoint(
        "comment",
        "post",
        lambda w: f"{a0(w)}/comments/",
        codes(201, 201, 201, 201),
        body=lambda w: {"body": "Does a spokesman count as PER?", "flag": "question"},
    ),
    Endpoint(
        "comment on an article not given to you",
        "post",
        lambda w: f"{p(w)}/articles/{w['articles'][3].pk}/comments/",
        codes(201, 201, 400, 400),
        body=lambda w: {"body": "junk"},
    ),
    Endpoint(
        "thread mark read", "post", lambda w: f"{a0(w)}/comments/read/", codes(204, 204, 204, 204)
    ),
    Endpoint("unread replies", "get", lambda w: f"{p(w)}/comments/unread/", MEMBERS_READ),
    Endpoint("open threads", "get", lambda w: f"{p(w)}/comments/", codes(200, 200, 403, 403)),
    Endpoint("skip reasons", "get", lambda w: f"{p(w)}/skip-reasons/", MEMBERS_READ),
    Endpoint(
        "reopen requests", "get", lambda w: f"{p(w)}/reopen-requests/", codes(200, 200, 403, 403)
    ),
    Endpoint(
        "request reopen",
        "post",
        lambda w: f"/api/assignments/{w['submitted'].pk}/request-reopen/",
        codes(403, 403, 200, 404),
        body=lambda w: {"reason": "I missed a claim"},
    ),
    Endpoint("guidelines", "get", lambda w: f"{p(w)}/guidelines/", MEMBERS_READ),
    Endpoint(
        "guidelines acknowledge",
        "post",
        lambda w: f"{p(w)}/guidelines/acknowledge/",
        MEMBERS_READ,
        body=lambda w: {"version": 1},
    ),
    Endpoint("guidelines versions", "get", lambda w: f"{p(w)}/guidelines/versions/", MEMBERS_READ),
]


def cases():
    for endpoint in ENDPOINTS:
        for role in ROLES:
            yield pytest.param(endpoint, role, "own", id=f"{endpoint.name}-{role}-own")
            if endpoint.per_project:
                yield pytest.param(endpoint, role, "other", id=f"{endpoint.name}-{role}-other")


@pytest.mark.parametrize(("endpoint", "role", "which"), list(cases()))
def test_permission_matrix(world, endpoint, role, which):
    target = world[which]
    client = APIClient()
    if role != "anonymous":
        client.force_authenticate(world["users"][role])
    url = endpoint.url(target)
    body = endpoint.body(target) if endpoint.body else None
    response = getattr(client, endpoint.method)(url, body, format="json")
    own_or_anonymous = which == "own" or role == "anonymous"
    expected = endpoint.expected[role] if own_or_anonymous else 404
    assert response.status_code == expected, (response.status_code, response.content[:300])
    if response.status_code == 401:
        assert response["WWW-Authenticate"] == "Token"
    if response.status_code in (403, 404, 401):
        assert "detail" in response.json()


def test_blind_lists_never_carry_other_annotators_work(world):
    """The list endpoints an annotator can read hold only their own assignments/annotations."""
    own = world["own"]
    client = APIClient()
    other = world["users"]["other_annotator"]
    client.force_authenticate(other)
    pid = own["project"].pk
    assignments = client.get(f"/api/projects/{pid}/assignments/").json()["results"]
    assert assignments and {a["annotator"] for a in assignments} == {other.pk}
    annotations = client.get(f"/api/projects/{pid}/annotations/").json()["results"]
    assert annotations == []
    filtered = client.get(
        f"/api/projects/{pid}/annotations/", {"annotator": world["users"]["annotator"].pk}
    ).json()
    assert filtered["results"] == []
    progress = client.get(f"/api/projects/{pid}/progress/").json()
    assert [row["annotator"] for row in progress] == [other.pk]


def test_an_annotator_cannot_read_articles_outside_their_projects(world):
    client = APIClient()
    client.force_authenticate(world["users"]["annotator"])
    foreign = world["other"]["articles"][0]
    own_pid = world["own"]["project"].pk
    # Not through their own project's URL either.
    assert client.get(f"/api/projects/{own_pid}/articles/{foreign.pk}/").status_code == 404
