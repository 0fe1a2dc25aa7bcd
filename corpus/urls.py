from django.urls import path

import workbench.converters  # noqa: F401  (registers <id:...>)
from corpus import api, views

app_name = "corpus"
urlpatterns = [
    path("corpus/articles/", views.article_list, name="article-list"),
    path("corpus/articles/<id:article_id>/", views.article_detail, name="article-detail"),
    path("corpus/articles/<id:article_id>/edit/", views.article_edit, name="article-edit"),
    path("corpus/import/", views.import_articles, name="import"),
    path("api/corpora/", api.CorpusList.as_view(), name="api-corpus-list"),
    path("api/corpora/<id:corpus_id>/", api.CorpusDetail.as_view(), name="api-corpus-detail"),
    path(
        "api/corpora/<id:corpus_id>/articles/",
        api.CorpusArticleList.as_view(),
        name="api-corpus-articles",
    ),
    path("corpus/corpora/<id:corpus_id>/", views.corpus_detail, name="corpus-detail"),
    path("corpus/corpora/<id:corpus_id>/owners/", views.corpus_add_owner, name="add-owner"),
    path(
        "corpus/corpora/<id:corpus_id>/owners/<id:user_id>/remove/",
        views.corpus_remove_owner,
        name="remove-owner",
    ),
    path(
        "api/corpora/<id:corpus_id>/owners/", api.CorpusOwners.as_view(), name="api-corpus-owners"
    ),
    path(
        "api/corpora/<id:corpus_id>/owners/<id:user_id>/",
        api.CorpusOwner.as_view(),
        name="api-corpus-owner",
    ),
    path("api/corpora/<id:corpus_id>/import/", api.CorpusImport.as_view(), name="api-import"),
    path(
        "api/corpora/<id:corpus_id>/import/stream/",
        api.CorpusImportStream.as_view(),
        name="api-import-stream",
    ),
    path(
        "api/corpora/<id:corpus_id>/import/preview/",
        api.CorpusImportPreview.as_view(),
        name="api-import-preview",
    ),
    path("api/articles/<id:article_id>/", api.ArticleDetail.as_view(), name="api-article"),
    path(
        "api/articles/<id:article_id>/edits/",
        api.ArticleEdits.as_view(),
        name="api-article-edits",
    ),
]
