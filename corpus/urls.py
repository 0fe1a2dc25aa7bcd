from django.urls import path

from corpus import api, views

app_name = "corpus"
urlpatterns = [
    path("corpus/articles/", views.article_list, name="article-list"),
    path("corpus/articles/<int:article_id>/", views.article_detail, name="article-detail"),
    path("corpus/import/", views.import_articles, name="import"),
    path("api/corpora/", api.CorpusList.as_view(), name="api-corpus-list"),
    path("api/corpora/<int:corpus_id>/", api.CorpusDetail.as_view(), name="api-corpus-detail"),
    path(
        "api/corpora/<int:corpus_id>/articles/",
        api.CorpusArticleList.as_view(),
        name="api-corpus-articles",
    ),
    path("corpus/corpora/<int:corpus_id>/", views.corpus_detail, name="corpus-detail"),
    path("corpus/corpora/<int:corpus_id>/owners/", views.corpus_add_owner, name="add-owner"),
    path(
        "corpus/corpora/<int:corpus_id>/owners/<int:user_id>/remove/",
        views.corpus_remove_owner,
        name="remove-owner",
    ),
    path(
        "api/corpora/<int:corpus_id>/owners/", api.CorpusOwners.as_view(), name="api-corpus-owners"
    ),
    path(
        "api/corpora/<int:corpus_id>/owners/<int:user_id>/",
        api.CorpusOwner.as_view(),
        name="api-corpus-owner",
    ),
    path("api/corpora/<int:corpus_id>/import/", api.CorpusImport.as_view(), name="api-import"),
    path("api/articles/<int:article_id>/", api.ArticleDetail.as_view(), name="api-article"),
]
