"""Plain helper functions that build test data with sensible defaults."""

from __future__ import annotations

import itertools
from typing import Any

from django.contrib.auth import get_user_model

from annotate.models import Membership, Project, ProjectArticle, Role
from annotate.schema import default_schema
from corpus.models import Article, Corpus
from corpus.text import canonicalise, content_hash, normalise_for_search

_counter = itertools.count(1)
PASSWORD = "correct horse battery staple"


def make_user(username: str | None = None, **extra: Any):
    username = username or f"user{next(_counter)}"
    return get_user_model().objects.create_user(username=username, password=PASSWORD, **extra)


def make_corpus(name: str | None = None) -> Corpus:
    return Corpus.objects.create(name=name or f"corpus {next(_counter)}")


def make_article(corpus: Corpus | None = None, text: str | None = None, **fields: Any) -> Article:
    corpus = corpus or make_corpus()
    text = canonicalise(text or f"قال المتحدث إن الاجتماع رقم {next(_counter)} انتهى.")
    title = fields.pop("title", "")
    return Article.objects.create(
        corpus=corpus,
        text=text,
        title=title,
        content_hash=content_hash(text),
        search_text=normalise_for_search(f"{title}\n{text}"),
        **fields,
    )


def make_project(
    name: str | None = None,
    *,
    articles: list[Article] = (),
    members: dict[Any, str] | None = None,
    **fields: Any,
) -> Project:
    fields.setdefault("schema", default_schema())
    project = Project.objects.create(name=name or f"project {next(_counter)}", **fields)
    ProjectArticle.objects.bulk_create(
        ProjectArticle(project=project, article=article, position=i)
        for i, article in enumerate(articles)
    )
    for user, role in (members or {}).items():
        Membership.objects.create(project=project, user=user, role=role)
    return project


__all__ = ["PASSWORD", "Role", "make_article", "make_corpus", "make_project", "make_user"]
