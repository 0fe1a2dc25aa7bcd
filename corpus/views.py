"""Corpus pages: the searchable article list."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def article_list(request: HttpRequest) -> HttpResponse:
    return render(request, "corpus/article_list.html", {"articles": []})
