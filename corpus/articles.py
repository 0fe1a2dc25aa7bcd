"""Editing an article after import: its title and metadata, never its text (every offset points
into the text). Owners of the article's corpus and staff edit; each change is kept as an
ArticleEdit with the values before and after."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from corpus.access import NOT_OWNER, access_article, owns_corpus
from corpus.lib.parsers import MAX_TITLE
from corpus.lib.text import article_search_text, canonicalise
from corpus.models import Article, ArticleEdit
from corpus.search import do_reindex_article

EDITABLE = ("title", "metadata")
# A metadata object larger than this (as JSON) is refused: it is a note, not a document.
MAX_METADATA_BYTES = 64 * 1024
# A title check_article_changes takes, as a regular expression for the API's schema: one line
# (line breaks only around it, where they are stripped) with no NUL character. It leaves out
# the empty title, which the schema allows on its own.
ONE_LINE_TITLE = r"^(\s+|\s*[^\s\x00][^\r\n\x00]*\s*)$"


class ArticleEditError(ValueError):
    """An edit that breaks a rule; `field` names the field at fault (HTTP 400)."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


def access_article_for_edit(user, article_id: int | str) -> Article:
    """The article when the user owns its corpus (or is staff): 404 when they cannot read it,
    403 when they only read it."""
    article = access_article(user, article_id)
    if not owns_corpus(user, article.corpus):
        raise PermissionDenied(NOT_OWNER)
    return article


def check_article_changes(changes: dict[str, Any]) -> dict[str, Any]:
    """The checked values of an edit: {"title": str, "metadata": dict}, either or both."""
    if "text" in changes:
        raise ArticleEditError(
            "text", "an article's text cannot change once imported (offsets point into it)"
        )
    for name in changes:
        if name not in EDITABLE:
            raise ArticleEditError(name, "only the title and the metadata can be edited")
    clean: dict[str, Any] = {}
    if "title" in changes:
        title = changes["title"]
        if not isinstance(title, str):
            raise ArticleEditError("title", "must be text")
        title = canonicalise(title).strip()
        if "\n" in title:
            raise ArticleEditError("title", "must be one line")
        if "\x00" in title:
            raise ArticleEditError("title", "contains a NUL character (U+0000)")
        if len(title) > MAX_TITLE:
            raise ArticleEditError("title", f"must be at most {MAX_TITLE} characters")
        clean["title"] = title
    if "metadata" in changes:
        metadata = changes["metadata"]
        if not isinstance(metadata, dict):
            raise ArticleEditError("metadata", "must be a JSON object")
        encoded = json.dumps(metadata, ensure_ascii=False)
        if "\\u0000" in encoded:
            raise ArticleEditError("metadata", "contains a NUL character (U+0000)")
        if len(encoded.encode()) > MAX_METADATA_BYTES:
            raise ArticleEditError("metadata", f"must be at most {MAX_METADATA_BYTES} bytes")
        clean["metadata"] = metadata
    return clean


def do_edit_article(article: Article, *, by, changes: dict[str, Any]) -> Article:
    """Apply a checked edit; an edit that changes nothing writes nothing."""
    clean = check_article_changes(changes)
    with transaction.atomic():
        locked = Article.objects.select_for_update().get(pk=article.pk)
        diff = {
            name: [getattr(locked, name), value]
            for name, value in clean.items()
            if getattr(locked, name) != value
        }
        if not diff:
            return locked
        for name, value in clean.items():
            setattr(locked, name, value)
        fields = list(diff)
        if "title" in diff:
            locked.search_text = article_search_text(locked.title, locked.text)
            fields.append("search_text")
        locked.save(update_fields=fields)
        if "search_text" in fields:
            do_reindex_article(locked)
        ArticleEdit.objects.create(
            article=locked,
            user=by if by is not None and by.is_authenticated else None,
            changes=diff,
        )
    return locked


def article_edits(article: Article):
    return ArticleEdit.objects.filter(article=article).select_related("user").order_by("at", "id")
