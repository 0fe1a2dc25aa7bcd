"""Who may see and change corpora and articles: fetch-and-check in one step.

- A corpus belongs to its owners (`Corpus.owners`: whoever created it, and whoever an owner
  or staff granted it to). Owners read all of its articles, import into it, add its articles
  to projects they manage, and grant or revoke ownership.
- Members of a project read the articles of that project (and see the corpora those articles
  come from), whatever their role; reading is all they do with those corpora.
- Staff see and manage every corpus.
- Any other corpus or article does not exist for the user (404); one the user can see but
  does not own is read-only (403 for a write).
- Staff and the managers of at least one project create corpora; the creator becomes an owner.

Projects and their members live in the annotate app, which builds on corpus; corpus never
imports annotate (tests/test_architecture.py holds that line). It reaches membership through
the reverse relations annotate's models declare on corpus's Article and on the user model:
`Article.projects` (Project.articles, through ProjectArticle) and `user.memberships`
(Membership.user). The queries are the ones an import of annotate.models would write.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from corpus.models import Article, Corpus

# annotate.models.Role.MANAGER, spelled out rather than imported (see the module docstring).
MANAGER_ROLE = "manager"
NO_CORPUS = "No such corpus."
NOT_OWNER = "Only the corpus's owners and staff can do this; ask an owner to add you."


def is_corpus_staff(user) -> bool:
    """Staff (and superusers) see and manage every corpus."""
    return bool(user.is_authenticated and (user.is_staff or user.is_superuser))


def can_create_corpora(user) -> bool:
    """Staff, and managers of at least one project. Cached on the user for the request."""
    if not user.is_authenticated:
        return False
    cached = getattr(user, "_can_create_corpora", None)
    if cached is None:
        cached = is_corpus_staff(user) or user.memberships.filter(role=MANAGER_ROLE).exists()
        user._can_create_corpora = cached
    return cached


def check_can_create_corpora(user) -> None:
    """PermissionDenied (403) unless the user may create corpora."""
    if not can_create_corpora(user):
        raise PermissionDenied("Only staff and project managers can create corpora.")


def may_import(user) -> bool:
    """Whether the import page is for the user: they may create a corpus or own one."""
    return can_create_corpora(user) or (user.is_authenticated and user.owned_corpora.exists())


def _owned_ids(user) -> QuerySet:
    return Corpus.owners.through.objects.filter(user=user).values("corpus_id")


def _project_article_ids(user) -> QuerySet:
    # Article.projects.through is annotate's ProjectArticle.
    project_articles = Article.projects.through.objects
    return project_articles.filter(project__memberships__user=user).values("article_id")


def owned_corpora(user) -> QuerySet[Corpus]:
    """The corpora the user may write to: their own; every corpus for staff."""
    if is_corpus_staff(user):
        return Corpus.objects.all()
    if not user.is_authenticated:
        return Corpus.objects.none()
    return Corpus.objects.filter(pk__in=_owned_ids(user))


def readable_articles(user) -> QuerySet[Article]:
    """The articles the user may read: of the corpora they own, and of their projects."""
    if is_corpus_staff(user):
        return Article.objects.all()
    if not user.is_authenticated:
        return Article.objects.none()
    return Article.objects.filter(
        Q(corpus_id__in=_owned_ids(user)) | Q(pk__in=_project_article_ids(user))
    )


def readable_corpora(user) -> QuerySet[Corpus]:
    """The corpora the user may see: owned ones, and those their projects' articles come from."""
    if is_corpus_staff(user):
        return Corpus.objects.all()
    if not user.is_authenticated:
        return Corpus.objects.none()
    in_my_projects = Article.objects.filter(pk__in=_project_article_ids(user)).values("corpus_id")
    return Corpus.objects.filter(Q(pk__in=_owned_ids(user)) | Q(pk__in=in_my_projects))


def owns_corpus(user, corpus: Corpus | int) -> bool:
    """Whether the user may write to the corpus (an owner, or staff)."""
    if is_corpus_staff(user):
        return True
    if not user.is_authenticated:
        return False
    corpus_id = corpus.pk if isinstance(corpus, Corpus) else corpus
    return Corpus.owners.through.objects.filter(corpus_id=corpus_id, user=user).exists()


def check_owns_corpus(user, corpus: Corpus | int) -> None:
    """PermissionDenied (403) unless the user owns the corpus or is staff."""
    if not owns_corpus(user, corpus):
        raise PermissionDenied(NOT_OWNER)


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


def access_corpus(user, corpus_id: int | str, *, for_write: bool = False) -> Corpus:
    """The corpus if the user may see it (404 otherwise); with `for_write` (importing,
    handing out its articles, managing its owners), 403 unless the user owns it or is staff.
    `corpus.is_owned` says whether the user owns it."""
    corpus = readable_corpora(user).filter(pk=_pk(corpus_id)).first()
    if corpus is None:
        raise Http404(NO_CORPUS)
    is_owned = owns_corpus(user, corpus)
    corpus.is_owned = is_owned  # type: ignore[attr-defined]  # the caller's, not a column
    if for_write and not is_owned:
        raise PermissionDenied(NOT_OWNER)
    return corpus


def access_corpus_for_import(user, name: str) -> Corpus | str:
    """Where an import by corpus name goes: the user's own corpus of that name, or the name
    itself when no corpus has it yet (the import creates it; 403 unless the user may create
    corpora). A corpus of that name the user cannot see is 404, one they only read is 403."""
    corpus = Corpus.objects.filter(name=name).first()
    if corpus is None:
        check_can_create_corpora(user)
        return name
    return access_corpus(user, corpus.pk, for_write=True)
