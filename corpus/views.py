"""Corpus pages: the searchable article list, an article, a corpus with its owners, and the
import page."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from corpus.access import (
    access_article,
    access_corpus,
    access_corpus_for_import,
    may_import,
    owned_corpora,
    owns_corpus,
    readable_articles,
    readable_corpora,
)
from corpus.articles import (
    ArticleEditError,
    access_article_for_edit,
    article_edits,
    do_edit_article,
)
from corpus.forms import COLUMN_CHOICES, ArticleEditForm, ImportForm, OwnerForm
from corpus.importing import (
    CorpusNameError,
    ImportRejected,
    UploadError,
    check_corpus_name,
    check_request_size,
    do_import_uploads,
    preview_uploads,
)
from corpus.lib.preview import ImportRules, RulesError, check_rules
from corpus.models import Corpus
from corpus.owners import (
    OwnershipError,
    corpus_owners,
    do_add_owner,
    do_remove_owner,
    find_owner_candidate,
)
from corpus.search import MAX_SEARCH, search_page
from workbench.cursor import CursorError

PAGE_SIZE = 25
COUNT_LIMIT = 1000
# How many bad records the import page lists; the count says how many there were.
LISTED_ERRORS = 200


@login_required
def article_list(request: HttpRequest) -> HttpResponse:
    corpora = readable_corpora(request.user).order_by("name")
    articles = readable_articles(request.user)
    selected = None
    corpus_id = request.GET.get("corpus", "")
    if corpus_id:
        selected = corpora.filter(pk=int(corpus_id) if corpus_id.isdigit() else -1).first()
        articles = articles.filter(corpus=selected) if selected else articles.none()
    query = request.GET.get("q", "").strip()[:MAX_SEARCH]
    after = request.GET.get("after", "")
    try:
        page = search_page(articles, query, after=after, limit=PAGE_SIZE)
    except CursorError:
        return HttpResponseBadRequest(_("This page link is not valid: start from the first page."))
    keep = {key: value for key, value in (("q", query), ("corpus", corpus_id)) if value}
    # The whole list is counted up to a limit (a count of a million rows is not cheap); a
    # search is not counted at all.
    shown = None if query else articles[: COUNT_LIMIT + 1].count()
    return render(
        request,
        "corpus/article_list.html",
        {
            "articles": page.rows,
            "next_cursor": page.next_cursor,
            "is_first_page": not after,
            "count": shown,
            "count_limit": COUNT_LIMIT,
            "query": query,
            "corpora": corpora,
            "selected_corpus": selected,
            "filter_query": urlencode(keep),
            "can_import": may_import(request.user),
        },
    )


@login_required
def article_detail(request: HttpRequest, article_id: int) -> HttpResponse:
    """An article; its corpus's owners (and staff) also get the form to edit its title and
    metadata, and the history of those edits."""
    article = access_article(request.user, article_id)
    context: dict = {"article": article}
    if owns_corpus(request.user, article.corpus):
        context.update(
            edit_form=ArticleEditForm(
                initial={
                    "title": article.title,
                    "metadata": json.dumps(article.metadata, ensure_ascii=False, indent=2),
                }
            ),
            edits=list(article_edits(article)),
        )
    return render(request, "corpus/article_detail.html", context)


@login_required
@require_POST
def article_edit(request: HttpRequest, article_id: int) -> HttpResponse:
    article = access_article_for_edit(request.user, article_id)
    form = ArticleEditForm(request.POST)
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        messages.error(request, f"{form.fields[field].label}: {errors[0]}")
        return redirect("corpus:article-detail", article_id=article.pk)
    try:
        metadata = json.loads(form.cleaned_data["metadata"] or "{}")
    except json.JSONDecodeError as exc:
        messages.error(
            request,
            _("Metadata: not valid JSON at line %(line)d: %(error)s")
            % {"line": exc.lineno, "error": exc.msg},
        )
        return redirect("corpus:article-detail", article_id=article.pk)
    try:
        do_edit_article(
            article,
            by=request.user,
            changes={"title": form.cleaned_data["title"], "metadata": metadata},
        )
    except ArticleEditError as exc:
        messages.error(request, f"{exc.field}: {exc.message}")
    else:
        messages.success(request, _("Article saved. Its text is unchanged."))
    return redirect("corpus:article-detail", article_id=article.pk)


def rules_from_form(data: dict, post) -> ImportRules:
    """The import rules of the form: the title rule, and each `map.<column>` select."""
    columns = {
        key.removeprefix("map."): value for key, value in post.items() if key.startswith("map.")
    }
    return check_rules(
        title=data.get("title_rule") or "auto",
        title_column=data.get("title_column") or "",
        columns=columns,
    )


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@login_required
def import_articles(request: HttpRequest) -> HttpResponse:
    """The upload page. A plain form post renders the report; the page's script posts with
    `Accept: application/json` and gets the report (or the errors) as JSON.

    Into a corpus the user owns (staff: any), or a new one they create (staff and project
    managers); a corpus of that name they only read is 403, one they cannot see 404."""
    if not may_import(request.user):
        raise PermissionDenied("Only corpus owners, staff and project managers import articles.")
    form = ImportForm(initial={"corpus": request.GET.get("corpus", "")})
    preview = None
    report = None
    failure: dict | None = None
    status = 200
    if request.method == "POST":
        try:
            check_request_size(request.META)
        except UploadError as exc:
            failure, status = {"detail": exc.message, "field": exc.field}, 413
        else:
            form = ImportForm(request.POST, request.FILES)
            if not form.is_valid():
                field, messages = next(iter(form.errors.items()))
                detail = messages[0] if field == "__all__" else f"{field}: {messages[0]}"
                failure, status = {"detail": detail, "field": field}, 400
            else:
                data = form.cleaned_data
                try:
                    target = access_corpus_for_import(
                        request.user, check_corpus_name(data["corpus"])
                    )
                    rules = rules_from_form(data, request.POST)
                    if "preview" in request.POST:
                        preview = preview_uploads(
                            target, data["file"], format=data["format"] or None, rules=rules
                        )
                        if _wants_json(request):
                            return JsonResponse(preview)
                    else:
                        report = do_import_uploads(
                            target,
                            data["file"],
                            format=data["format"] or None,
                            skip_bad=data["skip_bad"],
                            rules=rules,
                            created_by=request.user,
                        )
                except RulesError as exc:
                    failure, status = {"detail": exc.message, "field": exc.field}, 400
                except CorpusNameError as exc:
                    failure, status = {"detail": str(exc), "field": "corpus"}, 400
                except Http404:
                    failure, status = {"detail": _("No such corpus."), "field": "corpus"}, 404
                except PermissionDenied:
                    name = data["corpus"].strip()
                    if Corpus.objects.filter(name=name).exists():
                        detail = _("You do not own the corpus “%(name)s”; ask one of its owners.")
                    else:  # an owner who is not a manager: they may not create corpora
                        detail = _("Only staff and project managers can create a corpus.")
                    failure = {"detail": detail % {"name": name}, "field": "corpus"}
                    status = 403
                except UploadError as exc:
                    failure = {"detail": exc.message, "field": exc.field}
                    status = 413 if exc.too_large else 400
                except ImportRejected as exc:
                    failure = {
                        "detail": exc.message,
                        "field": "file",
                        "errors": [str(bad) for bad in exc.errors[:LISTED_ERRORS]],
                        "error_count": len(exc.errors),
                    }
                    status = 400
    if report is not None:
        result = report.as_dict()
        result["articles_url"] = (
            f"{reverse('corpus:article-list')}?{urlencode({'corpus': report.corpus_id})}"
        )
    else:
        result = None
    if request.method == "POST" and _wants_json(request):
        return JsonResponse(result if failure is None else failure, status=status)
    texts = {
        "uploading": _("Uploading… %(percent)s%%"),
        "importing": _("Upload complete. Importing articles…"),
        "failed": _("The import failed; nothing was imported."),
        "network": _("The upload failed (network error). Nothing was imported."),
        "skipped": _("Skipped records"),
        "errors": _("Bad records"),
        "view": _("View the imported articles"),
        "more": _("… and %(count)s more"),
        "previewing": _("Reading the files…"),
        "preview_title": _("Preview: %(count)s articles to import into “%(corpus)s”"),
        "duplicates": _(
            "Left out as duplicates: %(already)s already in the corpus, %(repeated)s repeated "
            "in the upload."
        ),
        "refused": _("%(count)s refused"),
        "refused_all": _(
            "Importing stops at the first refusal and writes nothing, unless “Skip bad records” "
            "is ticked."
        ),
        "from": _("From"),
        "title": _("Title"),
        "text": _("Text"),
        "metadata": _("Metadata"),
        "no_title": _("(no title)"),
        "import_n": _("Import %(count)s articles"),
        "stale": _("The options changed: preview again before importing."),
    }
    return render(
        request,
        "corpus/import.html",
        {
            "form": form,
            "report": result,
            "failure": failure,
            "corpus_names": owned_corpora(request.user)
            .order_by("name")
            .values_list("name", flat=True),
            "upload_texts": texts,
            "preview": preview,
            "column_choices": [[value, str(label)] for value, label in COLUMN_CHOICES],
        },
        status=status,
    )


@login_required
def corpus_detail(request: HttpRequest, corpus_id: int) -> HttpResponse:
    """A corpus you can see; its owners (and the forms to change them) for owners and staff."""
    corpus = access_corpus(request.user, corpus_id)
    context = {
        "corpus": corpus,
        "article_count": readable_articles(request.user).filter(corpus=corpus).count(),
        "articles_url": f"{reverse('corpus:article-list')}?{urlencode({'corpus': corpus.pk})}",
    }
    if corpus.is_owned:
        context.update(owners=corpus_owners(corpus), owner_form=OwnerForm())
    return render(request, "corpus/corpus_detail.html", context)


@login_required
@require_POST
def corpus_add_owner(request: HttpRequest, corpus_id: int) -> HttpResponse:
    corpus = access_corpus(request.user, corpus_id, for_write=True)
    form = OwnerForm(request.POST)
    if form.is_valid():
        try:
            user = find_owner_candidate(username=form.cleaned_data["username"])
        except OwnershipError:
            messages.error(
                request,
                _("No active user is called “%(name)s”.") % {"name": form.cleaned_data["username"]},
            )
        else:
            if do_add_owner(corpus, user=user):
                messages.success(
                    request, _("%(name)s now owns this corpus.") % {"name": user.username}
                )
            else:
                messages.info(
                    request, _("%(name)s already owns this corpus.") % {"name": user.username}
                )
    else:
        messages.error(request, _("Give the username of the new owner."))
    return redirect("corpus:corpus-detail", corpus_id=corpus.pk)


@login_required
@require_POST
def corpus_remove_owner(request: HttpRequest, corpus_id: int, user_id: int) -> HttpResponse:
    corpus = access_corpus(request.user, corpus_id, for_write=True)
    try:
        do_remove_owner(corpus, user_id=user_id)
    except OwnershipError as exc:
        if exc.code == "last_owner":
            messages.error(request, _("A corpus keeps at least one owner; add another first."))
        else:
            messages.error(request, _("That user does not own this corpus."))
        return redirect("corpus:corpus-detail", corpus_id=corpus.pk)
    messages.success(request, _("Ownership revoked."))
    if not readable_corpora(request.user).filter(pk=corpus.pk).exists():
        return redirect("corpus:article-list")  # they gave up their own last way in
    return redirect("corpus:corpus-detail", corpus_id=corpus.pk)
