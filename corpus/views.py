"""Corpus pages: the searchable article list, an article, and the import page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from corpus.access import (
    access_article,
    can_manage_corpora,
    check_can_manage_corpora,
    readable_articles,
    readable_corpora,
)
from corpus.forms import ImportForm
from corpus.importing import (
    ImportRejected,
    UploadError,
    check_request_size,
    do_import_uploads,
)
from corpus.queries import article_list as list_ready
from corpus.queries import search_articles

PAGE_SIZE = 25
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
    query = request.GET.get("q", "").strip()
    articles = list_ready(search_articles(articles, query))
    page = Paginator(articles, PAGE_SIZE).get_page(request.GET.get("page"))
    keep = {key: value for key, value in (("q", query), ("corpus", corpus_id)) if value}
    return render(
        request,
        "corpus/article_list.html",
        {
            "page": page,
            "articles": page.object_list,
            "query": query,
            "corpora": corpora,
            "selected_corpus": selected,
            "filter_query": urlencode(keep),
            "can_import": can_manage_corpora(request.user),
        },
    )


@login_required
def article_detail(request: HttpRequest, article_id: int) -> HttpResponse:
    article = access_article(request.user, article_id)
    return render(request, "corpus/article_detail.html", {"article": article})


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@login_required
def import_articles(request: HttpRequest) -> HttpResponse:
    """The upload page. A plain form post renders the report; the page's script posts with
    `Accept: application/json` and gets the report (or the errors) as JSON."""
    check_can_manage_corpora(request.user)
    form = ImportForm(initial={"corpus": request.GET.get("corpus", "")})
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
                    report = do_import_uploads(
                        data["corpus"],
                        data["file"],
                        format=data["format"] or None,
                        skip_bad=data["skip_bad"],
                        title_from_first_line=not data["no_title"],
                        created_by=request.user,
                    )
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
    }
    return render(
        request,
        "corpus/import.html",
        {
            "form": form,
            "report": result,
            "failure": failure,
            "corpus_names": readable_corpora(request.user)
            .order_by("name")
            .values_list("name", flat=True),
            "upload_texts": texts,
        },
        status=status,
    )
