"""python manage.py index_articles

Bring the search word index up to date (PostgreSQL): every article imported since it last
ran. A worker (TASKS_BACKEND=database) does this after each import by itself; run this where
there is none, e.g. from cron. Until then new articles are still found, by a slower scan."""

import time

from django.core.management.base import BaseCommand
from django.db import connection

from corpus.search import do_index_articles


class Command(BaseCommand):
    help = "Index the words of every article not in the search index yet (PostgreSQL)."

    def handle(self, *args, **options) -> None:
        if connection.vendor != "postgresql":
            self.stdout.write("No word index on this database: search scans the articles.")
            return
        started = time.perf_counter()
        count = do_index_articles()
        self.stdout.write(f"Indexed {count} articles in {time.perf_counter() - started:.1f} s.")
