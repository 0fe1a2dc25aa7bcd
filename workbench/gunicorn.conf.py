"""gunicorn settings for the production profile; every value can be overridden by env."""

import multiprocessing
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
# Stateless workers: recycle now and then to cap memory growth from long uptimes.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = 500
# Load the app once in the master, then fork: workers start (and restart after max_requests)
# with every module imported, instead of paying for it on their first request. No database
# connection is opened while loading.
preload_app = os.environ.get("GUNICORN_PRELOAD", "1") != "0"
accesslog = None  # requests are logged as JSON by workbench.middleware.RequestLogMiddleware
errorlog = "-"
wsgi_app = "workbench.wsgi:application"
