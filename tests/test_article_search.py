"""Article search: what a query word matches (corpus/lib/search.py), the word index
(PostgreSQL) and the scan (every database) giving the same answers, and keyset pages."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given
from hypothesis import strategies as st
from rest_framework.test import APIClient

from corpus import search
from corpus.lib.search import (
    MAX_CORE,
    matches,
    query_cores,
    text_cores,
    tsquery_literal,
    tsvector_literal,
    walk_in_id_order,
    word_core,
)
from corpus.lib.text import normalise_for_search
from corpus.models import Article
from corpus.search import do_index_articles, indexed_through, matching_ids, search_page
from tests.factories import make_article, make_corpus

on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the word index is PostgreSQL's"
)

# --- the rule (pure) ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "core"),
    [
        ("الرقة", "رقه"),
        ("الرَّقَّة", "رقه"),
        ("وبالرقة", "رقه"),
        ("للرقة", "رقه"),
        ("والرقة", "رقه"),
        ("للتحالف", "تحالف"),
        ("التحالف", "تحالف"),
        ("وتحالف", "تحالف"),
        ("بلد", "بلد"),  # ب alone is never stripped
        ("ولد", "ولد"),  # و only when three letters stay
        ("كمال", "كمال"),
        ("برقة", "برقه"),
        ("ال", "ال"),  # the article itself stays a word
        ("Reuters", "reuters"),
        ("٢٠١٧", "2017"),
    ],
)
def test_a_word_loses_its_proclitics_and_nothing_else(written, core):
    assert query_cores(written) == [core]


def test_a_query_matches_words_not_substrings():
    text = normalise_for_search("دخلت القوات وبالرقة بيانا للتحالف")
    assert matches(text, query_cores("الرقة"))
    assert matches(text, query_cores("التحالف الرَّقَّة"))
    assert not matches(text, query_cores("رق"))
    assert not matches(text, query_cores("الرقة دمشق"))
    assert matches(text, query_cores("، ؟"))  # no words: everything matches


ARABIC = st.text(alphabet="بتثجحخدذرزسشصضطظعغفقكلمنهوي", min_size=2, max_size=8)


@given(word=ARABIC, prefix=st.sampled_from(["ال", "وال", "بال", "كال", "فال", "لل", "وبال"]))
def test_every_article_prefix_reduces_to_the_bare_word(word, prefix):
    assert word_core(prefix + word) == word
    assert matches(prefix + word, query_cores("ال" + word))


@given(text=st.text(max_size=60), query=st.text(max_size=12))
def test_matching_is_the_subset_test_of_cores(text, query):
    folded = normalise_for_search(text)
    assert matches(folded, query_cores(query)) == (set(query_cores(query)) <= text_cores(folded))


def test_over_long_words_are_never_indexed_nor_found():
    long_word = "ب" * (MAX_CORE + 1)
    assert text_cores(long_word) == set()
    assert query_cores(long_word) == [long_word]


def test_the_id_walk_is_for_queries_whose_rarest_word_is_common():
    shares = {"قوات": 0.9, "تحالف": 0.3, "رقه": 0.01}
    assert walk_in_id_order(["قوات"], shares)
    assert walk_in_id_order(["قوات", "تحالف"], shares)
    assert not walk_in_id_order(["قوات", "رقه"], shares)  # the rare word narrows it most
    assert not walk_in_id_order(["قوات", "ثجغصف"], shares)  # unknown: rarer than all
    assert not walk_in_id_order(["قوات"], {})  # no statistics yet


def test_literals_quote_apostrophes_and_backslashes():
    assert tsvector_literal(["b", "a'b", "c\\d"]) == "'a''b' 'b' 'c\\\\d'"
    assert tsquery_literal(["a'b", "x"]) == "'a''b' & 'x'"


@on_postgres
@pytest.mark.django_db
def test_postgres_reads_the_literals_verbatim():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT %s::tsvector @@ %s::tsquery, %s::tsvector @@ %s::tsquery",
            [
                tsvector_literal(["a'b", "c\\d", "رقه"]),
                tsquery_literal(["a'b", "رقه"]),
                tsvector_literal(["the", "a"]),  # no stop words, no stemming
                tsquery_literal(["the"]),
            ],
        )
        assert cursor.fetchone() == (True, True)


# --- both paths over the database ----------------------------------------------------------

TEXTS = [
    "دخلت القوات مدينة الرَّقَّة صباح الأحد.",
    "قال مصدر إن الاشتباكات وبالرقة توقفت.",
    "أعلن التحالف الدولي تنفيذ غارات.",
    "بيان للتحالف عن الغارات في دير الزور.",
    "خبر عن برقة في ليبيا.",
    "الرقة ودير الزور في تقرير واحد.",
    "تقرير آخر بلا ذكر للمدينة.",
]
QUERIES = ["الرقة", "للتحالف", "التحالف الدولي", "دير الزور", "تقرير", "رق", "ليبيا", "", "؟"]


def reference(articles, query: str) -> list[int]:
    cores = query_cores(query)
    return [a.pk for a in articles.order_by("pk") if matches(a.search_text, cores)]


def every_page(articles, query: str, limit: int) -> list[int]:
    found: list[int] = []
    after = ""
    while True:
        page = search_page(articles, query, after=after, limit=limit)
        found += [row.pk for row in page.rows]
        if page.next_cursor is None:
            return found
        after = page.next_cursor


@pytest.mark.django_db
@pytest.mark.parametrize("query", QUERIES)
def test_pages_by_cursor_list_exactly_the_matching_articles(query):
    corpus = make_corpus("c")
    for text in TEXTS:
        make_article(corpus, text=text)
    make_article(make_corpus("other"), text="الرقة في مجموعة أخرى.")
    articles = Article.objects.filter(corpus=corpus)
    assert every_page(articles, query, limit=2) == reference(articles, query)


@on_postgres
@pytest.mark.django_db
@pytest.mark.parametrize("query", QUERIES)
def test_indexed_and_scanned_articles_answer_alike(query, monkeypatch):
    corpus = make_corpus("c")
    for text in TEXTS:
        make_article(corpus, text=text)
    assert do_index_articles(batch_size=3) == len(TEXTS)
    for text in TEXTS:  # the same texts again, not indexed yet
        make_article(corpus, text=text + " (٢)")
    articles = Article.objects.filter(corpus=corpus)
    assert indexed_through() == articles.order_by("pk")[len(TEXTS) - 1].pk
    expected = reference(articles, query)
    assert every_page(articles, query, limit=3) == expected
    # Half of the answer came from the index: the indexed path alone agrees.
    mark = indexed_through()
    if query_cores(query):
        assert [pk for pk in expected if pk <= mark] == [
            pk for pk in matching_ids(articles, query, after=0, limit=100) if pk <= mark
        ]
    assert do_index_articles() == len(TEXTS)
    assert every_page(articles, query, limit=3) == expected
    # With statistics that call every word common, the walk in id order answers alike.
    monkeypatch.setattr(search, "common_word_shares", lambda: dict.fromkeys(query_cores(query), 1))
    assert every_page(articles, query, limit=3) == expected


@on_postgres
@pytest.mark.django_db
def test_the_index_looks_further_ahead_when_other_corpora_hold_the_first_matches():
    crowd = make_corpus("crowd")
    mine = make_corpus("mine")
    for i in range(260):
        make_article(crowd, text=f"الرقة خبر {i}")
    wanted = [make_article(mine, text=f"وبالرقة خبر {i}") for i in range(3)]
    do_index_articles()
    with CaptureQueriesContext(connection) as queries:
        ids = matching_ids(Article.objects.filter(corpus=mine), "الرقة", after=0, limit=2)
    assert ids == [wanted[0].pk, wanted[1].pk]
    # The mark; 100 proposals, none in the corpus; 400 more (the last 163), three kept. No
    # scan: the page is full.
    assert len(queries) == 5


@on_postgres
@pytest.mark.django_db
def test_a_title_edit_refreshes_the_indexed_words(team):
    from corpus.articles import do_edit_article

    corpus = make_corpus("c", owners=[team.manager])
    article = make_article(corpus, text="نص بلا عنوان.")
    do_index_articles()
    assert search_page(Article.objects.all(), "الرقة").rows == []
    do_edit_article(article, by=team.manager, changes={"title": "معركة الرقة"})
    assert search_page(Article.objects.all(), "الرقة").rows == [article]


# --- the API and its refusals -------------------------------------------------------------


@pytest.fixture
def api_world(team):
    corpus = make_corpus("أخبار", owners=[team.manager])
    rows = [make_article(corpus, text=text) for text in TEXTS]
    client = APIClient()
    client.force_authenticate(team.manager)
    return {"url": f"/api/corpora/{corpus.pk}/articles/", "client": client, "rows": rows}


@pytest.mark.django_db
def test_the_api_searches_words_with_clitics_and_tashkeel(api_world):
    client, url, rows = api_world["client"], api_world["url"], api_world["rows"]
    body = client.get(url, {"q": "الرَّقَّة", "limit": 2}).json()
    assert [row["id"] for row in body["results"]] == [rows[0].pk, rows[1].pk]
    body = client.get(url, {"q": "الرقة", "limit": 2, "after": body["next"]}).json()
    assert [row["id"] for row in body["results"]] == [rows[5].pk]
    assert body["next"] is None
    body = client.get(url, {"q": "للتحالف"}).json()
    assert [row["id"] for row in body["results"]] == [rows[2].pk, rows[3].pk]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"after": "nonsense"}, "after"),
        ({"after": "WyJ4IiwgMV0"}, "after"),  # ["x", 1]: a cursor of another list
        ({"after": "WzEsIHRydWVd"}, "after"),  # [1, true]
        ({"limit": "0"}, "limit"),
        ({"limit": "201"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"q": "ب" * 501}, "q"),
    ],
)
def test_bad_parameters_are_400_naming_them(api_world, params, field):
    response = api_world["client"].get(api_world["url"], params)
    assert response.status_code == 400
    assert response.json()["field"] == field
