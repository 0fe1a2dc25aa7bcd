"""Plain helper functions that build test data with sensible defaults."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from annotate.lib.schema import default_schema
from annotate.models import (
    Annotation,
    AnnotationStatus,
    Assignment,
    AssignmentStatus,
    Membership,
    Project,
    ProjectArticle,
    Role,
)
from corpus.lib.text import article_search_text, canonicalise, content_hash
from corpus.models import Article, Corpus

_counter = itertools.count(1)
PASSWORD = "correct horse battery staple"


def make_user(username: str | None = None, **extra: Any):
    username = username or f"user{next(_counter)}"
    return get_user_model().objects.create_user(username=username, password=PASSWORD, **extra)


def make_api_token(user) -> str:
    """A new REST API login token of `user`: its key, for `Authorization: Token <key>`."""
    from annotate.tokens import do_create_api_token

    return do_create_api_token(user)[1]


def make_corpus(name: str | None = None, *, owners: Iterable[Any] = ()) -> Corpus:
    corpus = Corpus.objects.create(name=name or f"corpus {next(_counter)}")
    if owners:
        corpus.owners.add(*owners)
    return corpus


def make_article(corpus: Corpus | None = None, text: str | None = None, **fields: Any) -> Article:
    corpus = corpus or make_corpus()
    text = canonicalise(text or f"قال المتحدث إن الاجتماع رقم {next(_counter)} انتهى.")
    title = fields.pop("title", "")
    return Article.objects.create(
        corpus=corpus,
        text=text,
        title=title,
        content_hash=content_hash(text),
        search_text=article_search_text(title, text),
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


def span(text: str, start: int, end: int, label: str, span_id: str | None = None, **attributes):
    """A content-document span over `text[start:end]` (code points)."""
    return {
        "id": span_id or f"s{start}-{end}-{label}",
        "start": start,
        "end": end,
        "label": label,
        "text": text[start:end],
        "attributes": attributes,
    }


def span_of(text: str, word: str, label: str, occurrence: int = 0, **attributes):
    """A span over the n-th occurrence of `word` in `text`."""
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(word, start + 1)
    return span(text, start, start + len(word), label, **attributes)


def make_annotation(
    project: Project,
    article: Article,
    annotator,
    *,
    spans: list[dict] = (),
    relations: list[dict] = (),
    stance: dict[str, str] | None = None,
    submitted: bool = True,
    submitted_at=None,
) -> Annotation:
    """An assignment plus its annotation, submitted by default. Content is taken as given."""
    when = submitted_at or timezone.now()
    slot = Assignment.objects.filter(project=project, article=article).count()
    assignment = Assignment.objects.create(
        project=project,
        article=article,
        annotator=annotator,
        slot=slot,
        status=AssignmentStatus.SUBMITTED if submitted else AssignmentStatus.IN_PROGRESS,
        submitted_at=when if submitted else None,
    )
    return Annotation.objects.create(
        assignment=assignment,
        project=project,
        article=article,
        annotator=annotator,
        content={
            "spans": list(spans),
            "relations": list(relations),
            "document_labels": {"stance": dict(stance or {})},
        },
        schema_version=project.schema_version,
        status=AnnotationStatus.SUBMITTED if submitted else AnnotationStatus.DRAFT,
        submitted_at=when if submitted else None,
    )


__all__ = [
    "PASSWORD",
    "Role",
    "make_annotation",
    "make_article",
    "make_corpus",
    "make_project",
    "make_user",
    "span",
    "span_of",
]
