"""Print the suggestions a project's trained recommenders make, one article a JSON line."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from annotate.management.commands._project import find_project
from annotate.models import ProjectArticle
from annotate.recommend import article_suggestions, latest_recommenders


class Command(BaseCommand):
    help = (
        "Suggestions of PROJECT's (id or name) latest recommenders for its articles (or one "
        "with --article): JSON lines {article, external_id, suggestions: [{start, end, label, "
        "text, score, recommender}]}, offsets in code points."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("project", help="project id or name")
        parser.add_argument("--article", type=int, help="only this article (id)")

    def handle(self, *args: Any, **options: Any) -> None:
        project = find_project(options["project"])
        recommenders = latest_recommenders(project)
        if not recommenders:
            raise CommandError(
                f"project {project.name!r} has no trained recommender: "
                f"run manage.py train_recommenders {project.pk} first"
            )
        rows = ProjectArticle.objects.filter(project=project).order_by("position", "id")
        if options["article"] is not None:
            rows = rows.filter(article_id=options["article"])
            if not rows.exists():
                raise CommandError(f"article {options['article']} is not in {project.name!r}")
        articles = rows.values_list("article_id", "article__external_id", "article__text")
        for article_id, external_id, text in tqdm(
            articles.iterator(chunk_size=200),
            total=rows.count(),
            unit="article",
            disable=None,
            file=self.stderr,
        ):
            suggestions = article_suggestions(
                project, article_id=article_id, text=text, recommenders=recommenders
            )
            line = {"article": article_id, "external_id": external_id, "suggestions": suggestions}
            self.stdout.write(json.dumps(line, ensure_ascii=False))
