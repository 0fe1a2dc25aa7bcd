"""Who may see and change corpora and articles: fetch-and-check in one step.

- Corpus managers (staff, or the manager of at least one project) create corpora, import
  articles and read every article: they choose what goes into their projects.
- Everyone else reads only the articles of the projects they are a member of; any other
  article or corpus does not exist for them (404).

Projects and their members live in the annotate app, which builds on corpus; corpus never
imports annotate (tests/test_architecture.py holds that line). It reaches membership through
the reverse relations annotate's models declare on corpus's Article and on the user model:
`Article.projects` (Project.articles, through ProjectArticle) and `user.memberships`
(Membership.user). The queries are the ones an import of annotate.models would write.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from corpus.models import Article, Corpus

# annotate.models.Role.MANAGER, spelled out rather than imported (see the module docstring).
MANAGER_ROLE = "manager"


def can_manage_corpora(user) -> bool:
    """Staff, and managers of at least one project. Cached on the user for the request."""
    if not user.is_authenticated:
        return False
    cached = getattr(user, "_can_manage_corpora", None)
    if cached is None:
        cached = bool(
            user.is_staff
            or user.is_superuser
            or user.memberships.filter(role=MANAGER_ROLE).exists()
        )
        user._can_manage_corpora = cached
    return cached


def check_can_manage_corpora(user) -> None:
    """PermissionDenied (403) unless the user may create corpora and import articles."""
    if not can_manage_corpora(user):
        raise PermissionDenied(
            "Only staff and project managers can create corpora and import articles."
        )


def readable_articles(user) -> QuerySet[Article]:
    """The articles the user may read."""
    if can_manage_corpora(user):
        return Article.objects.all()
    if not user.is_authenticated:
        return Article.objects.none()
    # Article.projects.through is annotate's ProjectArticle: the same subquery as before.
    project_articles = Article.projects.through.objects
    in_my_projects = project_articles.filter(project__memberships__user=user).values("article_id")
    return Article.objects.filter(pk__in=in_my_projects)


def readable_corpora(user) -> QuerySet[Corpus]:
    """The corpora the user may see: all for corpus managers, else those with readable articles."""
    if can_manage_corpora(user):
        return Corpus.objects.all()
    return Corpus.objects.filter(pk__in=readable_articles(user).values("corpus_id"))


def _pk(value: int | str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


def access_article(user, article_id: int | str) -> Article:
    """The article if the user may read it, else 404."""
    article = readable_articles(user).select_related("corpus").filter(pk=_pk(article_id)).first()
    if article is None:
        raise Http404("No such article.")
    return article


def access_corpus(user, corpus_id: int | str, *, for_import: bool = False) -> Corpus:
    """The corpus if the user may see it (404 otherwise); with `for_import`, 403 unless the
    user is a corpus manager."""
    if for_import:
        check_can_manage_corpora(user)
    corpus = readable_corpora(user).filter(pk=_pk(corpus_id)).first()
    if corpus is None:
        raise Http404("No such corpus.")
    return corpus
