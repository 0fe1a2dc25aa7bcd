"""Corpora and their articles. Article text is immutable once imported."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Corpus(models.Model):
    """A named collection of articles, the unit of import and de-duplication."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Who may read, import into and hand out the whole corpus (corpus/access.py); project
    # members read only the articles of their projects.
    owners = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="owned_corpora",
        blank=True,
        verbose_name=_("owners"),
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = _("corpora")

    def __str__(self) -> str:
        return self.name


class Article(models.Model):
    """One news article. Offsets everywhere are code points into `text` as stored."""

    # No index of its own: the unique (corpus, content_hash) index serves every lookup by
    # corpus, and one index fewer to update per row is faster imports.
    corpus = models.ForeignKey(
        Corpus, on_delete=models.CASCADE, related_name="articles", db_index=False
    )
    title = models.CharField(_("title"), max_length=1000, blank=True)
    text = models.TextField(_("text"))
    source = models.CharField(_("source"), max_length=300, blank=True)
    url = models.URLField(_("URL"), max_length=2000, blank=True)
    published_on = models.DateField(_("published on"), null=True, blank=True)
    external_id = models.CharField(_("external id"), max_length=300, blank=True)
    # SHA-256 of the canonical text: the identity used for de-duplication.
    content_hash = models.CharField(max_length=64)
    # Normalised title + text (no tashkeel/tatweel, unified alef and hamza) for search only;
    # always written by corpus.lib.text.article_search_text.
    search_text = models.TextField(editable=False, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["corpus", "content_hash"], name="article_unique_text_per_corpus"
            ),
            models.CheckConstraint(condition=~models.Q(text=""), name="article_text_not_empty"),
        ]
        indexes = [models.Index(fields=["corpus", "external_id"])]

    def __str__(self) -> str:
        return self.title or self.text[:60]


class WordsField(models.TextField):
    """A PostgreSQL tsvector; plain text elsewhere (SQLite has no word index)."""

    def db_type(self, connection) -> str:
        return "tsvector" if connection.vendor == "postgresql" else "text"


@WordsField.register_lookup
class WordsMatch(models.Lookup):
    """`words__matches="'a' & 'b'"`: the tsvector holds the tsquery (PostgreSQL)."""

    lookup_name = "matches"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} @@ ({rhs})::tsquery", (*lhs_params, *rhs_params)


class ArticleWords(models.Model):
    """The word index of one article (PostgreSQL): the cores of its words
    (corpus.lib.search), filled by corpus.search.do_index_articles after an import."""

    article = models.OneToOneField(
        Article, on_delete=models.CASCADE, primary_key=True, related_name="words"
    )
    words = WordsField()

    def __str__(self) -> str:
        return f"words of article {self.article_id}"


class ArticleEdit(models.Model):
    """One change of an article's title or metadata (the text never changes): who, when, and
    each changed field's value before and after, as {"title": [old, new]}."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="edits")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    changes = models.JSONField()
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.article_id} @ {self.at:%Y-%m-%d %H:%M}"
