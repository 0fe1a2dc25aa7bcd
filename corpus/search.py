"""Article search: the word index (PostgreSQL) and keyset pages of matching articles.

What matches is corpus.lib.search's rule (every query word's core among the article's word
cores). Two paths give the same answer:

- indexed (PostgreSQL): `corpus_articlewords` holds each article's cores as a tsvector under
  a GIN index; a query is one `@@` against it. The import does not write it (a GIN index
  cut imports tenfold): `schedule_indexing()`, called once per import, queues
  `index_articles` for the worker when the import commits, which indexes every article above
  the highest indexed id in batches (`do_index_articles`; `manage.py index_articles` does
  the same by hand). Articles an import committed after a later one was already
  indexed are picked up by the next run's sweep;
- scanned: articles above the highest indexed id (all of them on SQLite) are read in id
  order, narrowed by a substring test per core in SQL and checked word by word in Python.
  So an article is found the moment its import commits; until the indexer has caught up
  its part of the search costs a scan of the not-yet-indexed articles.

Pages are keysets on the article id (`after`, an opaque cursor), never OFFSET.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import BigIntegerField, ExpressionWrapper, F, QuerySet
from django.tasks import task

from corpus.lib.search import (
    findable,
    matches,
    query_cores,
    text_cores,
    tsquery_literal,
    tsvector_literal,
    walk_in_id_order,
)
from corpus.models import Article, ArticleWords
from corpus.queries import article_list
from workbench.cursor import CursorError, decode_cursor, encode_cursor

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
# Characters of a query (the pages and the API refuse longer ones).
MAX_SEARCH = 500
INDEX_BATCH = 2000
# Rows read per query on the scanned path.
SCAN_CHUNK = 500
# pg_advisory_lock key: one indexer at a time ("wbsearch").
INDEX_LOCK = 0x7762736561726368

WORDS_TABLE = ArticleWords._meta.db_table
ARTICLE_TABLE = Article._meta.db_table


def uses_word_index() -> bool:
    return connection.vendor == "postgresql"


def indexed_through() -> int:
    """The highest article id in the word index (0 without one): the indexer's mark."""
    if not uses_word_index():
        return 0
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(article_id), 0) FROM {WORDS_TABLE}")  # noqa: S608
        return cursor.fetchone()[0]


# --- the indexer -------------------------------------------------------------------------


def _write_words(rows: list[tuple[int, str]]) -> None:
    """Index these (id, search_text) rows, none of them indexed yet: one COPY."""
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(
            f"COPY {WORDS_TABLE} (article_id, words) FROM STDIN"  # noqa: S608
        ) as copy,
    ):
        for article_id, search_text in rows:
            copy.write_row((article_id, tsvector_literal(text_cores(search_text))))


def _index_rows(sql: str, params: list) -> int:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
        if rows:
            _write_words(rows)
    return len(rows)


def do_index_articles(*, batch_size: int = INDEX_BATCH) -> int:
    """Index every article not in the word index yet; returns how many. PostgreSQL only.

    One indexer at a time (an advisory lock; a second waits and then finds little to do).
    First the sweep: articles below the mark but missing (an import that committed after a
    later one had been indexed); then everything above the mark, in id order, a committed
    batch at a time, so the mark only rises and searches see each batch at once.
    """
    if not uses_word_index():
        return 0
    done = 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [INDEX_LOCK])
    try:
        mark = indexed_through()
        while True:
            count = _index_rows(
                f"SELECT a.id, a.search_text FROM {ARTICLE_TABLE} a "  # noqa: S608
                f"WHERE a.id <= %s AND NOT EXISTS (SELECT 1 FROM {WORDS_TABLE} w "
                "WHERE w.article_id = a.id) ORDER BY a.id LIMIT %s",
                [mark, batch_size],
            )
            done += count
            if count < batch_size:
                break
        while True:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT id FROM {ARTICLE_TABLE} WHERE id > %s "  # noqa: S608
                    "ORDER BY id OFFSET %s LIMIT 1",
                    [mark, batch_size - 1],
                )
                last = cursor.fetchone()
            upper = last[0] if last else None
            count = _index_rows(
                f"SELECT id, search_text FROM {ARTICLE_TABLE} "  # noqa: S608
                "WHERE id > %s AND (%s::bigint IS NULL OR id <= %s) ORDER BY id",
                [mark, upper, upper],
            )
            done += count
            if upper is None:
                break
            mark = upper
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [INDEX_LOCK])
    return done


def do_reindex_article(article: Article) -> None:
    """After a title edit: refresh the article's row if the indexer has written it already
    (if not, the indexer will read the new text)."""
    if uses_word_index():
        ArticleWords.objects.filter(article_id=article.pk).update(
            words=tsvector_literal(text_cores(article.search_text))
        )


@task()
def index_articles() -> int:
    """Bring the word index up to date (queued by each import)."""
    return do_index_articles()


def enqueue_indexer() -> None:
    index_articles.enqueue()


def schedule_indexing() -> None:
    """Queue the indexer once the current transaction commits: the import's only hook.

    Only where a worker runs tasks (TASKS_BACKEND=database): the immediate backend would
    index inside the importing request, the very cost the index was kept out of it for.
    Without a worker the new articles are found by the scan until `manage.py
    index_articles` runs."""
    if uses_word_index() and settings.TASKS_BACKEND != "immediate":
        transaction.on_commit(enqueue_indexer)


# --- search ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchPage:
    rows: list[Article]
    next_cursor: str | None


def check_after(after: str) -> int:
    """The article id a cursor continues after (0 for none); CursorError if it is not one."""
    if not after:
        return 0
    value, pk = decode_cursor(after)
    if value != pk or pk < 0:
        raise CursorError("is not a cursor of this list")
    return pk


_SHARES: dict[str, Any] = {"at": float("-inf"), "shares": {}}
# How long the statistics are kept in a process (ANALYZE, run by autovacuum, renews them).
SHARES_SECONDS = 300


def common_word_shares() -> dict[str, float]:
    """The share of articles holding each of the most common words, from PostgreSQL's
    statistics of the word index (empty before its first ANALYZE); cached for a while."""
    now = time.monotonic()
    if now - _SHARES["at"] > SHARES_SECONDS:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT most_common_elems::text::text[], most_common_elem_freqs "
                "FROM pg_stats WHERE tablename = %s AND attname = 'words'",
                [WORDS_TABLE],
            )
            row = cursor.fetchone()
        shares = dict(zip(row[0], row[1], strict=False)) if row and row[0] else {}
        _SHARES.update(at=now, shares=shares)
    return _SHARES["shares"]


def _indexed_ids(
    articles: QuerySet[Article], cores: list[str], *, after: int, mark: int, limit: int
) -> list[int]:
    """Matching ids up to the mark: the index alone proposes, in id order, then `articles`
    (corpus, access) keeps what it may. Two simple queries instead of one join, because for
    a join the planner walks every article when a rare word has fewer hits than a page; on
    the index alone it picks the GIN index for rare words and the id order for common ones.
    """
    query = tsquery_literal(cores)
    # The planner guesses a word's frequency from its statistics and, for a rare word it
    # does not know, guesses far too high and walks the ids (half a second over a million
    # articles); so the choice is made here from the same statistics.
    order = (
        F("article_id")
        if walk_in_id_order(cores, common_word_shares())
        else ExpressionWrapper(F("article_id") + 0, output_field=BigIntegerField())
    )
    found: list[int] = []
    batch = max(2 * limit, 100)
    while len(found) < limit and after < mark:
        proposed = list(
            ArticleWords.objects.filter(
                words__matches=query, article_id__gt=after, article_id__lte=mark
            )
            .order_by(order)
            .values_list("article_id", flat=True)[:batch]
        )
        if not proposed:
            break
        kept = set(articles.filter(pk__in=proposed).values_list("pk", flat=True))
        found += [pk for pk in proposed if pk in kept]
        if len(proposed) < batch:
            break
        after = proposed[-1]
        batch *= 4  # the articles at hand are few among those matching: look further ahead
    return found[:limit]


def _scanned_ids(
    articles: QuerySet[Article], cores: list[str], *, after: int, limit: int
) -> list[int]:
    candidates = articles.filter(pk__gt=after)
    for core in cores:
        candidates = candidates.filter(search_text__contains=core)
    found: list[int] = []
    last = after
    while len(found) < limit:
        chunk = list(
            candidates.filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", "search_text")[:SCAN_CHUNK]
        )
        found.extend(pk for pk, text in chunk if matches(text, cores))
        if len(chunk) < SCAN_CHUNK:
            break
        last = chunk[-1][0]
    return found[:limit]


def matching_ids(articles: QuerySet[Article], query: str, *, after: int, limit: int) -> list[int]:
    """Up to `limit` ids, ascending, above `after`, of `articles` matching `query`."""
    cores = query_cores(query)
    if not cores:
        return list(
            articles.filter(pk__gt=after).order_by("pk").values_list("pk", flat=True)[:limit]
        )
    if not findable(cores):
        return []
    mark = indexed_through()
    found = _indexed_ids(articles, cores, after=after, mark=mark, limit=limit) if mark else []
    if len(found) < limit:
        found += _scanned_ids(articles, cores, after=max(after, mark), limit=limit - len(found))
    return found


def search_page(
    articles: QuerySet[Article], query: str, *, after: str = "", limit: int = PAGE_SIZE
) -> SearchPage:
    """One page of `articles` matching `query` (all of them for an empty query), by id,
    list-ready (corpus joined, no text); `next_cursor` continues after it.

    One query without words; with words, one for the index's mark, two for the index (more
    when `articles` keeps few of the matches), one for the scan above the mark, one for the
    rows."""
    start = check_after(after)
    if query_cores(query):
        ids = matching_ids(articles, query, after=start, limit=limit + 1)
        rows = list(article_list(Article.objects.filter(pk__in=ids[:limit])))
    else:
        rows = list(article_list(articles.filter(pk__gt=start))[: limit + 1])
        ids = [row.pk for row in rows]
        rows = rows[:limit]
    cursor = encode_cursor(ids[limit - 1], ids[limit - 1]) if len(ids) > limit else None
    return SearchPage(rows, cursor)
