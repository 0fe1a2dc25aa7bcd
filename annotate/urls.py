"""URLs of the annotate app: pages and the REST API. Each area keeps its own url module."""

from django.urls import include, path

app_name = "annotate"
urlpatterns = [
    path("api/", include("annotate.api.urls")),
    path("", include("annotate.pages_urls")),
]
