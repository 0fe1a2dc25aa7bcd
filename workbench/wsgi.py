import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workbench.settings")
application = get_wsgi_application()
# Load every URL module (and with them the views, DRF and the API schema code) now rather than
# on each worker's first request: with gunicorn's preload_app the workers fork with it done.
get_resolver().url_patterns  # noqa: B018 - evaluated for its side effect
