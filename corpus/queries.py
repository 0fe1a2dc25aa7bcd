"""Article listing shared by the pages and the REST API (search: corpus/search.py)."""

from __future__ import annotations

from django.db.models import QuerySet

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


def article_list(articles: QuerySet[Article]) -> QuerySet[Article]:
    """A list-ready queryset: the corpus joined, the long text columns left out."""
    return articles.select_related("corpus").only(*LIST_FIELDS).order_by("id")
