"""The one-command demo: corpus, users, project; idempotent; refuses to run with DEBUG off."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from annotate.agreement import agreement_report
from annotate.lib.schema import check_schema
from annotate.management.commands import demo
from annotate.models import (
    Annotation,
    Assignment,
    Comment,
    Membership,
    Project,
    ProjectArticle,
    SchemaVersion,
)
from corpus.lib.text import normalise_for_search, tokenize
from corpus.models import Article, Corpus

pytestmark = pytest.mark.django_db


def run_demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", "--no-serve", *args, stdout=out)
    return out.getvalue()


def state() -> list:
    User = get_user_model()
    return [
        list(User.objects.values_list("id", "username", "password", "is_staff").order_by("id")),
        list(Corpus.objects.values_list("id", "name").order_by("id")),
        list(Article.objects.values_list("id", "content_hash").order_by("id")),
        list(Project.objects.values_list("id", "name", "schema_version").order_by("id")),
        list(ProjectArticle.objects.values_list("id", "article_id", "position").order_by("id")),
        list(Membership.objects.values_list("id", "user_id", "role").order_by("id")),
        list(SchemaVersion.objects.values_list("id", "version").order_by("id")),
        list(Assignment.objects.values_list("id", "annotator_id", "status").order_by("id")),
        list(Annotation.objects.values_list("id", "version", "status").order_by("id")),
    ]


def test_demo_builds_corpus_users_and_project(settings):
    settings.DEBUG = True
    output = run_demo()
    corpus = Corpus.objects.get(name="Demo news")
    assert corpus.articles.count() == 12
    assert list(corpus.owners.values_list("username", flat=True)) == ["mona"]
    project = Project.objects.get(name="Demo: Syria news")
    assert check_schema(project.schema) == project.schema
    assert SchemaVersion.objects.filter(project=project, version=1).exists()
    assert list(
        ProjectArticle.objects.filter(project=project).values_list("article_id", flat=True)
    ) == list(corpus.articles.order_by("id").values_list("id", flat=True))
    roles = dict(Membership.objects.filter(project=project).values_list("user__username", "role"))
    assert roles == {
        "mona": "manager",
        "rami": "reviewer",
        "amal": "annotator",
        "badr": "annotator",
        "chadi": "annotator",
    }
    for user in get_user_model().objects.filter(username__in=roles):
        assert user.check_password("arabic-demo-2026")
    assert "imported 12 articles, 0 duplicates" in output
    assert "Logins (password for all: arabic-demo-2026):" in output
    assert "  amal   annotator" in output
    assert "Open http://127.0.0.1:8000/ and log in." in output


def test_demo_has_three_annotators_submitted_work_and_open_queues(settings):
    settings.DEBUG = True
    output = run_demo()
    project = Project.objects.get(name="Demo: Syria news")
    submitted = Annotation.objects.filter(project=project, status="submitted")
    assert sorted(set(submitted.values_list("annotator__username", flat=True))) == [
        "amal",
        "badr",
        "chadi",
    ]
    assert submitted.count() == 24
    assert "24 annotations submitted by amal, badr and chadi" in output
    for annotation in submitted.select_related("article"):
        for span in annotation.content["spans"]:
            assert annotation.article.text[span["start"] : span["end"]] == span["text"]
    # Every annotator still has the last four articles to do, but chadi skipped one of his.
    todo = Assignment.objects.filter(project=project, status="todo")
    assert todo.count() == 11
    # The demo gives the agreement dashboard real numbers to show.
    report = agreement_report(project)
    assert report["counts"]["compared_articles"] == 8, report["counts"]
    assert len(report["annotators"]) == 3


def test_demo_twice_changes_nothing(settings):
    settings.DEBUG = True
    run_demo()
    before = state()
    output = run_demo()
    assert state() == before
    assert "imported 0 articles; 12 were already in corpus 'Demo news' (duplicates)" in output


def test_demo_keeps_an_existing_users_password(settings):
    settings.DEBUG = True
    get_user_model().objects.create_user("amal", password="her own password")
    run_demo()
    assert get_user_model().objects.get(username="amal").check_password("her own password")


def test_demo_refuses_to_run_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="does not run with DEBUG off"):
        run_demo()
    assert not get_user_model().objects.exists()
    run_demo("--force")
    assert get_user_model().objects.filter(username="mona").exists()


def test_demo_articles_hold_the_hard_cases(settings):
    settings.DEBUG = True
    run_demo()
    texts = list(Article.objects.values_list("text", flat=True))
    joined = "\n".join(texts)
    for needle in ["«", "»", "“", "”", "Mark Ellison", "الرَّقَّة", "👍🏽", "وداعش", "١٬٢٠٠"]:
        assert needle in joined, needle
    assert any(ch.isdigit() for ch in joined)
    for text in texts:
        for token in tokenize(text):
            assert text[token.start : token.end] == token.text
    found = Article.objects.filter(search_text__contains=normalise_for_search("الرقة"))
    assert found.count() >= 1


def test_demo_starts_the_server_unless_told_not_to(settings, monkeypatch):
    settings.DEBUG = True
    calls = []
    real_call_command = demo.call_command

    def recording(name, *args, **kwargs):
        if name == "runserver":
            calls.append((args, kwargs))
            return None
        return real_call_command(name, *args, **kwargs)

    monkeypatch.setattr(demo, "call_command", recording)
    call_command("demo", "0.0.0.0:8123", stdout=StringIO())
    assert calls == [(("0.0.0.0:8123",), {"use_reloader": False})]


def test_demo_has_a_skipped_article_with_a_reason_and_a_flag_with_an_answer(settings):
    settings.DEBUG = True
    run_demo()
    project = Project.objects.get(name="Demo: Syria news")
    skipped = Assignment.objects.get(project=project, status="skipped")
    assert skipped.annotator.username == "chadi"
    assert skipped.skip_reason.startswith(project.skip_reasons[0])
    question = Comment.objects.get(project=project, parent__isnull=True)
    assert (question.author.username, question.flag) == ("amal", "question")
    answer = Comment.objects.get(project=project, parent=question)
    assert (answer.author.username, answer.by_lead) == ("rami", True)
    run_demo()
    assert Comment.objects.filter(project=project).count() == 2
