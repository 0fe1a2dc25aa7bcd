"""Corpus ownership (issue 13, finding 5): a corpus belongs to its owners and to the projects
it was given to; the manager of another project neither reads nor writes it.

The people, besides the team (tests/base.py):
- `mona` (the team's manager) owns corpus A and manages project A, which holds one of A's
  articles (`given`); the other (`kept`) is in no project;
- `nadia` manages project B (corpus B is hers) with annotator `hala`: before ownership, as
  a manager of some project, she read corpus A, added `kept` to B (so hala read it) and
  imported into A;
- `rami` (the team's reviewer, in project A) also manages project C: he sees corpus A
  through project A (`given` only), so writes to it are 403 for him, not 404;
- `sami` is staff: every corpus is his to read and manage.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from annotate.models import Role
from annotate.projects import do_add_articles
from corpus.models import Article, Corpus
from tests.factories import make_article, make_corpus, make_project, make_user

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def world(team):
    corpus_a = make_corpus("A", owners=[team.manager])
    given = make_article(corpus_a, text="دخلت القوات مدينة الرَّقَّة صباح الأحد.", title="الرقة")
    kept = make_article(corpus_a, text="بيان عن الأوضاع في دير الزور.", title="دير الزور")
    project_a = make_project(
        "project A", articles=[given], members={**team.roles, team.reviewer: Role.REVIEWER}
    )
    nadia, hala = make_user("nadia"), make_user("hala")
    corpus_b = make_corpus("B", owners=[nadia])
    own_b = make_article(corpus_b, text="خبر في مدوّنة نادية.")
    project_b = make_project(
        "project B", articles=[own_b], members={nadia: Role.MANAGER, hala: Role.ANNOTATOR}
    )
    project_c = make_project("project C", members={team.reviewer: Role.MANAGER})
    return {
        "A": corpus_a,
        "B": corpus_b,
        "given": given,
        "kept": kept,
        "project_a": project_a,
        "project_b": project_b,
        "project_c": project_c,
        "mona": team.manager,
        "nadia": nadia,
        "hala": hala,
        "rami": team.reviewer,
        "sami": team.staff,
        "omar": team.outsider,
    }


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def page(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def jsonl(*texts: str, name: str = "a.jsonl") -> SimpleUploadedFile:
    data = "".join(json.dumps({"text": t}, ensure_ascii=False) + "\n" for t in texts)
    return SimpleUploadedFile(name, data.encode())


def in_project(project) -> set[int]:
    return set(project.articles.values_list("pk", flat=True))


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- the finding, through the API ----------------------------------------------------------


def test_another_projects_manager_cannot_list_or_read_the_corpus(world):
    client, a = api(world["nadia"]), world["A"]
    names = [row["name"] for row in client.get("/api/corpora/").json()["results"]]
    assert names == ["B"]
    assert client.get(f"/api/corpora/{a.pk}/").status_code == 404
    assert client.get(f"/api/corpora/{a.pk}/articles/").status_code == 404
    assert client.get(f"/api/corpora/{a.pk}/articles/", {"q": "الرقة"}).status_code == 404
    for article in (world["given"], world["kept"]):
        assert client.get(f"/api/articles/{article.pk}/").status_code == 404


def test_another_projects_manager_cannot_add_the_corpus_articles_to_their_project(world):
    client, a, kept = api(world["nadia"]), world["A"], world["kept"]
    url = f"/api/projects/{world['project_b'].pk}/articles/"
    before = in_project(world["project_b"])
    response = client.post(url, {"article_ids": [kept.pk]}, format="json")
    assert response.status_code == 400
    assert response.json()["detail"] == f"no article with id {kept.pk}"
    response = client.post(url, {"corpus": a.pk, "all": True}, format="json")
    assert response.status_code == 400
    assert response.json()["detail"] == f"no corpus with id {a.pk}"
    assert in_project(world["project_b"]) == before
    # So project B's annotator cannot read it either.
    hala = api(world["hala"])
    assert hala.get(f"/api/projects/{world['project_b'].pk}/articles/{kept.pk}/").status_code == 404
    assert hala.get(f"/api/articles/{kept.pk}/").status_code == 404


def test_another_projects_manager_cannot_import_into_the_corpus(world):
    a = world["A"]
    response = api(world["nadia"]).post(
        f"/api/corpora/{a.pk}/import/", {"file": jsonl("خبر مدسوس")}, format="multipart"
    )
    assert response.status_code == 404
    assert a.articles.count() == 2


def test_another_projects_manager_cannot_import_annotations_into_the_corpus(
    world, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    project_b = world["project_b"]
    with (FIXTURES / "doccano_export.jsonl").open("rb") as handle:
        response = api(world["nadia"]).post(
            f"/api/projects/{project_b.pk}/imports/",
            {"file": handle, "format": "doccano", "corpus": "A", "annotator": "hala"},
            format="multipart",
        )
    assert response.status_code == 404
    assert world["A"].articles.count() == 2
    with pytest.raises(CommandError, match="--corpus: the corpus 'A' is not yours"):
        call_command(
            "import_annotations",
            "project B",
            str(FIXTURES / "doccano_export.jsonl"),
            "--format=doccano",
            "--annotator=hala",
            "--user=nadia",
            "--corpus=A",
        )
    assert world["A"].articles.count() == 2


# --- what a reader who does not own the corpus may do: read, and nothing else (403) ---------


def test_a_reader_through_a_project_sees_only_that_projects_articles_and_cannot_write(world):
    """rami reads corpus A's `given` through project A, and manages project C."""
    client, a = api(world["rami"]), world["A"]
    assert client.get(f"/api/corpora/{a.pk}/").json()["article_count"] == 1
    assert client.get(f"/api/corpora/{a.pk}/").json()["owned"] is False
    listed = client.get(f"/api/corpora/{a.pk}/articles/").json()["results"]
    assert [row["id"] for row in listed] == [world["given"].pk]
    assert client.get(f"/api/articles/{world['kept'].pk}/").status_code == 404
    response = client.post(
        f"/api/corpora/{a.pk}/import/", {"file": jsonl("خبر")}, format="multipart"
    )
    assert response.status_code == 403
    url = f"/api/projects/{world['project_c'].pk}/articles/"
    assert client.post(url, {"article_ids": [world["given"].pk]}, format="json").status_code == 403
    assert client.post(url, {"corpus": a.pk, "all": True}, format="json").status_code == 403
    assert client.post(url, {"corpus": a.pk, "q": "الرقة"}, format="json").status_code == 403
    assert in_project(world["project_c"]) == set()
    assert client.get(f"/api/corpora/{a.pk}/owners/").status_code == 403
    assert a.articles.count() == 2


def test_project_members_still_read_their_projects_articles(world, team):
    for who in ("hala", "nadia"):
        assert api(world[who]).get(f"/api/corpora/{world['B'].pk}/").status_code == 200
    amal = api(team.annotator)
    assert amal.get(f"/api/articles/{world['given'].pk}/").status_code == 200
    assert amal.get(f"/api/articles/{world['kept'].pk}/").status_code == 404


def test_re_adding_an_article_already_in_the_project_needs_no_ownership(world):
    """Project A's manager loses nothing by not owning: articles already there stay."""
    project_a = world["project_a"]
    result = do_add_articles(project_a, by=world["rami"], article_ids=[world["given"].pk])
    assert (result.added, result.already) == (0, 1)


# --- owners, staff, and a granted owner may ----------------------------------------------


def test_the_owner_reads_adds_and_imports(world):
    client, a, kept = api(world["mona"]), world["A"], world["kept"]
    assert client.get(f"/api/corpora/{a.pk}/").json() | {"created_at": None} == {
        "id": a.pk,
        "name": "A",
        "description": "",
        "created_at": None,
        "article_count": 2,
        "owned": True,
    }
    assert client.get(f"/api/articles/{kept.pk}/").status_code == 200
    url = f"/api/projects/{world['project_a'].pk}/articles/"
    assert client.post(url, {"article_ids": [kept.pk]}, format="json").json() == {
        "added": 1,
        "already": 0,
    }
    response = client.post(
        f"/api/corpora/{a.pk}/import/", {"file": jsonl("خبر جديد")}, format="multipart"
    )
    assert response.status_code == 200
    assert a.articles.count() == 3


def test_staff_read_and_manage_every_corpus(world):
    client, a = api(world["sami"]), world["A"]
    names = [row["name"] for row in client.get("/api/corpora/").json()["results"]]
    assert names == ["A", "B"]
    assert client.get(f"/api/articles/{world['kept'].pk}/").status_code == 200
    response = client.post(
        f"/api/corpora/{a.pk}/import/", {"file": jsonl("خبر من الطاقم")}, format="multipart"
    )
    assert response.status_code == 200
    assert client.get(f"/api/corpora/{a.pk}/owners/").json() == [
        {"id": world["mona"].pk, "username": "mona"}
    ]
    assert client.post(f"/api/corpora/{a.pk}/owners/", {"username": "sami"}).status_code == 201
    result = do_add_articles(world["project_b"], by=world["sami"], corpus=a, all_of_corpus=True)
    assert result.added == 3


def test_a_granted_owner_reads_adds_and_imports_until_revoked(world):
    a, kept, nadia = world["A"], world["kept"], world["nadia"]
    response = api(world["mona"]).post(f"/api/corpora/{a.pk}/owners/", {"username": "nadia"})
    assert response.status_code == 201
    assert [row["username"] for row in response.json()] == ["mona", "nadia"]
    assert (
        api(world["mona"]).post(f"/api/corpora/{a.pk}/owners/", {"user": nadia.pk}).status_code
        == 200
    )

    client = api(nadia)
    assert client.get(f"/api/articles/{kept.pk}/").status_code == 200
    url = f"/api/projects/{world['project_b'].pk}/articles/"
    assert client.post(url, {"article_ids": [kept.pk]}, format="json").json()["added"] == 1
    hala = api(world["hala"])
    assert hala.get(f"/api/projects/{world['project_b'].pk}/articles/{kept.pk}/").status_code == 200
    response = client.post(
        f"/api/corpora/{a.pk}/import/", {"file": jsonl("خبر من نادية")}, format="multipart"
    )
    assert response.status_code == 200

    # An owner may revoke another (or leave); the project keeps what it was given.
    assert api(world["mona"]).delete(f"/api/corpora/{a.pk}/owners/{nadia.pk}/").status_code == 204
    assert client.get(f"/api/articles/{kept.pk}/").status_code == 200  # in project B now
    response = client.post(
        f"/api/corpora/{a.pk}/import/", {"file": jsonl("خبر آخر")}, format="multipart"
    )
    assert response.status_code == 403


def test_owner_management_errors(world):
    a, mona = world["A"], world["mona"]
    client = api(mona)
    response = client.post(f"/api/corpora/{a.pk}/owners/", {"username": "nobody"})
    assert response.status_code == 400
    assert response.json() == {"detail": "username: no such user", "field": "username"}
    response = client.delete(f"/api/corpora/{a.pk}/owners/{mona.pk}/")
    assert response.status_code == 400
    assert "at least one owner" in response.json()["detail"]
    response = client.delete(f"/api/corpora/{a.pk}/owners/{world['omar'].pk}/")
    assert response.json()["detail"] == "user: not an owner of this corpus"
    for who, status in (("nadia", 404), ("omar", 404), ("hala", 404), ("rami", 403)):
        other = api(world[who])
        assert other.get(f"/api/corpora/{a.pk}/owners/").status_code == status
        assert other.post(f"/api/corpora/{a.pk}/owners/", {"username": who}).status_code == status
        assert other.delete(f"/api/corpora/{a.pk}/owners/{mona.pk}/").status_code == status
    assert list(a.owners.all()) == [mona]


def test_creators_own_what_they_create(world):
    nadia = world["nadia"]
    response = api(nadia).post("/api/corpora/", {"name": "جديدة"}, format="json")
    assert response.status_code == 201
    assert response.json()["owned"] is True
    assert list(Corpus.objects.get(name="جديدة").owners.all()) == [nadia]
    upload = jsonl("خبر")
    response = page(nadia).post("/corpus/import/", {"corpus": "من الصفحة", "file": upload})
    assert response.status_code == 200
    assert list(Corpus.objects.get(name="من الصفحة").owners.all()) == [nadia]


def test_annotation_imports_create_corpora_their_importer_owns(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    project_b = world["project_b"]
    with (FIXTURES / "doccano_export.jsonl").open("rb") as handle:
        response = api(world["nadia"]).post(
            f"/api/projects/{project_b.pk}/imports/",
            {"file": handle, "format": "doccano", "annotator": "hala"},
            format="multipart",
        )
    assert response.status_code == 202, response.json()
    assert response.json()["status"] == "done", response.json()
    corpus = Corpus.objects.get(name="project B (imported)")
    assert list(corpus.owners.all()) == [world["nadia"]]


def test_list_queries_stay_bounded(world):
    for i in range(5):
        make_article(make_corpus(f"more {i}", owners=[world["mona"]]), text=f"خبر رقم {i}")
    for who in ("mona", "rami", "sami"):
        client = api(world[who])
        client.get("/api/corpora/")  # warm up
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/api/corpora/").status_code == 200
        assert len(queries) <= 2, (who, [q["sql"] for q in queries])  # count, page
        url = f"/api/corpora/{world['A'].pk}/articles/"
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        assert len(queries) <= 4, who  # corpus, ownership, count, page


# --- the pages -----------------------------------------------------------------------------


def test_pages_hide_the_corpus_from_another_projects_manager(world):
    client, a, kept = page(world["nadia"]), world["A"], world["kept"]
    response = client.get("/corpus/articles/")
    assert {article.corpus.name for article in response.context["articles"]} == {"B"}
    assert [c.name for c in response.context["corpora"]] == ["B"]
    response = client.get("/corpus/articles/", {"corpus": a.pk})
    assert list(response.context["articles"]) == []
    assert client.get(f"/corpus/articles/{kept.pk}/").status_code == 404
    assert client.get(f"/corpus/corpora/{a.pk}/").status_code == 404
    assert client.post(f"/corpus/corpora/{a.pk}/owners/", {"username": "nadia"}).status_code == 404


def test_project_page_offers_only_owned_corpora_and_refuses_others(world):
    client, project_b = page(world["nadia"]), world["project_b"]
    response = client.get(f"/projects/{project_b.pk}/")
    choices = [
        str(label) for _, label in response.context["articles_form"].fields["corpus"].choices
    ]
    assert choices[1:] == ["B"]
    before = in_project(project_b)
    response = client.post(
        f"/projects/{project_b.pk}/articles/add/",
        {"corpus": world["A"].pk, "all": "on"},
        follow=True,
    )
    assert any(m.startswith("corpus: ") for m in messages_of(response))
    assert in_project(project_b) == before


def test_import_page_refuses_a_corpus_that_is_not_yours(world):
    headers = {"Accept": "application/json"}
    response = page(world["nadia"]).post(
        "/corpus/import/", {"corpus": "A", "file": jsonl("خبر")}, headers=headers
    )
    assert response.status_code == 404
    assert response.json() == {"detail": "No such corpus.", "field": "corpus"}
    response = page(world["rami"]).post(
        "/corpus/import/", {"corpus": "A", "file": jsonl("خبر")}, headers=headers
    )
    assert response.status_code == 403
    assert response.json()["field"] == "corpus"
    assert world["A"].articles.count() == 2
    # The owner imports; the datalist offers only the corpora one may import into.
    client = page(world["mona"])
    response = client.post(
        "/corpus/import/", {"corpus": "A", "file": jsonl("خبر")}, headers=headers
    )
    assert response.status_code == 200
    assert list(client.get("/corpus/import/").context["corpus_names"]) == ["A"]


def test_corpus_page_lets_owners_grant_and_revoke(world):
    a, mona, nadia = world["A"], world["mona"], world["nadia"]
    client = page(mona)
    response = client.get(f"/corpus/corpora/{a.pk}/")
    assert response.status_code == 200
    assert [o.username for o in response.context["owners"]] == ["mona"]
    response = client.post(f"/corpus/corpora/{a.pk}/owners/", {"username": "nadia"}, follow=True)
    assert messages_of(response) == ["nadia now owns this corpus."]
    assert set(a.owners.all()) == {mona, nadia}
    response = client.post(f"/corpus/corpora/{a.pk}/owners/", {"username": "nobody"}, follow=True)
    assert messages_of(response) == ["No active user is called “nobody”."]
    response = client.post(f"/corpus/corpora/{a.pk}/owners/{nadia.pk}/remove/", follow=True)
    assert messages_of(response) == ["Ownership revoked."]
    response = client.post(f"/corpus/corpora/{a.pk}/owners/{mona.pk}/remove/", follow=True)
    assert messages_of(response) == ["A corpus keeps at least one owner; add another first."]
    assert list(a.owners.all()) == [mona]
    # A reader through a project sees the page, without the owners; changing them is 403.
    response = page(world["rami"]).get(f"/corpus/corpora/{a.pk}/")
    assert response.status_code == 200
    assert "owners" not in response.context
    rami = page(world["rami"])
    assert rami.post(f"/corpus/corpora/{a.pk}/owners/", {"username": "rami"}).status_code == 403
    assert rami.post(f"/corpus/corpora/{a.pk}/owners/{mona.pk}/remove/").status_code == 403


def test_corpus_page_is_translated(world):
    client = page(world["mona"])
    response = client.get(f"/corpus/corpora/{world['A'].pk}/", HTTP_ACCEPT_LANGUAGE="ar")
    assert "المالكون" in response.content.decode()


# --- the operator's command and the migration -----------------------------------------------


def test_import_command_is_unrestricted_and_records_an_owner(world, tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_text('{"text": "خبر من المشغّل"}\n', encoding="utf-8")
    call_command("import_articles", str(path), "--corpus", "A", "--owner", "nadia", verbosity=0)
    assert set(world["A"].owners.all()) == {world["mona"], world["nadia"]}
    assert world["A"].articles.count() == 3
    with pytest.raises(CommandError, match="--owner: no user 'nobody'"):
        call_command("import_articles", str(path), "--corpus", "C", "--owner", "nobody")
    assert not Corpus.objects.filter(name="C").exists()


def test_migration_makes_owners_of_the_managers_whose_projects_use_the_corpus(world):
    from importlib import import_module

    migration = import_module("annotate.migrations.0008_corpus_owners_from_projects")
    unused = Corpus.objects.create(name="unused", created_by=world["nadia"])
    orphan = Corpus.objects.create(name="orphan", created_by=world["omar"])
    Corpus.owners.through.objects.all().delete()
    migration.owners_from_projects(apps, None)
    owners = {c.name: {u.username for u in c.owners.all()} for c in Corpus.objects.all()}
    assert owners == {
        "A": {"mona"},  # project A's manager; rami manages C, which holds nothing of A
        "B": {"nadia"},
        "unused": {"nadia"},  # its creator still manages a project
        "orphan": set(),  # staff only: omar manages nothing
    }
    assert unused and orphan
    assert Article.objects.count() == 3


def test_a_granted_owner_who_manages_nothing_imports_but_creates_no_corpus(world, team):
    """amal (an annotator) owns corpus A once granted: she imports into it, not a new one."""
    world["A"].owners.add(team.annotator)
    client = page(team.annotator)
    headers = {"Accept": "application/json"}
    assert client.get("/corpus/import/").status_code == 200
    response = client.post(
        "/corpus/import/", {"corpus": "A", "file": jsonl("خبر")}, headers=headers
    )
    assert response.status_code == 200
    response = client.post(
        "/corpus/import/", {"corpus": "جديدة", "file": jsonl("خبر")}, headers=headers
    )
    assert response.status_code == 403
    assert response.json() == {
        "detail": "Only staff and project managers can create a corpus.",
        "field": "corpus",
    }
    assert not Corpus.objects.filter(name="جديدة").exists()
