from django.urls import path

from corpus import views

app_name = "corpus"
urlpatterns = [
    path("corpus/articles/", views.article_list, name="article-list"),
]
