"""The word index is filled after an import commits, by the worker, never by the import.

Transactional tests (the hook runs on commit), kept apart from the module-scoped team
fixtures of tests/test_article_search.py, which hold a transaction open."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from corpus import search
from corpus.importing import ImportRejected, do_import_articles
from corpus.lib.parsers import BadRecord, Origin, ParsedArticle
from corpus.models import Article, ArticleWords
from corpus.search import do_index_articles

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the word index is PostgreSQL's"
)
TEXTS = ["دخلت القوات مدينة الرَّقَّة.", "بيان للتحالف.", "خبر ثالث.", "خبر رابع.", "خبر خامس."]


def records(texts):
    return [ParsedArticle(text=t, origin=Origin("t.jsonl", i)) for i, t in enumerate(texts)]


@pytest.mark.django_db(transaction=True)
def test_an_import_queues_the_indexer_for_the_worker_when_it_commits(settings, monkeypatch):
    settings.TASKS_BACKEND = "database"
    queued = []
    monkeypatch.setattr(search, "enqueue_indexer", lambda: queued.append(1))
    with pytest.raises(ImportRejected), transaction.atomic():
        do_import_articles("news", [*records(TEXTS), BadRecord(Origin("t", 9), "bad")])
    assert queued == []
    with transaction.atomic():
        do_import_articles("news", records(TEXTS))
        assert queued == []  # not before it commits
    assert queued == [1]
    assert not ArticleWords.objects.exists()  # the import itself indexed nothing
    call_command("index_articles", stdout=StringIO())
    assert ArticleWords.objects.count() == len(TEXTS)


@pytest.mark.django_db(transaction=True)
def test_without_a_worker_the_import_queues_nothing_and_a_late_commit_is_swept_up():
    do_import_articles("news", records(TEXTS))
    assert not ArticleWords.objects.exists()
    assert do_index_articles() == len(TEXTS)
    # An article below the mark that is missing (its import committed late) is swept up.
    middle = Article.objects.order_by("pk")[2]
    ArticleWords.objects.filter(article=middle).delete()
    assert do_index_articles() == 1
    assert ArticleWords.objects.filter(article=middle).exists()
