"""Admin for corpora and articles: search (including the normalised form), filters, and
article text shown read-only, since text and offsets never change after import."""

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from corpus.lib.text import article_search_text, normalise_for_search
from corpus.models import Article, Corpus
from corpus.search import do_reindex_article


@admin.register(Corpus)
class CorpusAdmin(admin.ModelAdmin):
    list_display = ["name", "article_count", "created_by", "created_at"]
    search_fields = ["name", "description"]
    readonly_fields = ["created_by", "created_at"]
    autocomplete_fields = ["owners"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_count=Count("articles"))

    @admin.display(description=_("articles"), ordering="article_count")
    def article_count(self, corpus: Corpus) -> int:
        return corpus.article_count


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["id", "title", "corpus", "source", "published_on", "external_id", "created_at"]
    list_display_links = ["id", "title"]
    list_filter = ["corpus", "source", "published_on"]
    list_select_related = ["corpus"]
    search_fields = ["title", "external_id", "source", "search_text"]
    date_hierarchy = "published_on"
    readonly_fields = ["corpus", "text", "content_hash", "created_at"]
    fields = [
        "corpus",
        "title",
        "source",
        "url",
        "published_on",
        "external_id",
        "metadata",
        "text",
        "content_hash",
        "created_at",
    ]

    def get_search_results(self, request, queryset, search_term):
        # Fold the query the way search_text was folded, so الرقة finds الرَّقَّة here too.
        return super().get_search_results(request, queryset, normalise_for_search(search_term))

    def has_add_permission(self, request) -> bool:
        return False  # articles enter through import, which canonicalises and de-duplicates

    def save_model(self, request, obj, form, change):
        obj.search_text = article_search_text(obj.title, obj.text)
        super().save_model(request, obj, form, change)
        do_reindex_article(obj)
