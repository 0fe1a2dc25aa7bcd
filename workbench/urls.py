from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from annotate.views.projects import home
from workbench import views

urlpatterns = [
    # The site's root is the user's projects: the URL root may route to an app's view.
    path("", home, name="home"),
    path("health/", views.health, name="health"),
    path("accounts/", include("workbench.accounts")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("corpus.urls")),
    path("", include("annotate.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The init script comes from /api/docs/?script= (no inline script under the CSP).
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api-schema", template_name="api/swagger_ui.html"
        ),
        name="api-docs",
    ),
]

# JSON errors under /api/, the HTML pages elsewhere (workbench/errors.py).
handler400 = "workbench.errors.bad_request"
handler403 = "workbench.errors.permission_denied"
handler404 = "workbench.errors.page_not_found"
handler500 = "workbench.errors.server_error"
