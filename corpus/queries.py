"""Article search and listing shared by the pages and the REST API."""

from __future__ import annotations

from django.db.models import QuerySet

from corpus.lib.text import normalise_for_search
from corpus.models import Article

# Columns a list needs; the text itself stays in the database.
LIST_FIELDS = (
    "id",
    "corpus__id",
    "corpus__name",
    "title",
    "source",
    "url",
    "published_on",
    "external_id",
    "created_at",
)


def search_articles(articles: QuerySet[Article], query: str) -> QuerySet[Article]:
    """Articles whose normalised title and text contain every word of `query`.

    Both sides are folded by `normalise_for_search`, so `الرقة` finds `الرَّقَّة`.
    """
    for term in normalise_for_search(query or "").split():
        articles = articles.filter(search_text__contains=term)
    return articles


def article_list(articles: QuerySet[Article]) -> QuerySet[Article]:
    """A list-ready queryset: the corpus joined, the long text columns left out."""
    return articles.select_related("corpus").only(*LIST_FIELDS).order_by("id")
