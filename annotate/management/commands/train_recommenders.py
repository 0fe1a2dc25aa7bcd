"""Train a project's recommenders from its gold and print their held-out scores."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from annotate.lib.recommend.external import ExternalModelError
from annotate.lib.recommend.gazetteer import GazetteerListError
from annotate.management.commands._project import find_project
from annotate.recommend import do_train_recommenders


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f}"


class Command(BaseCommand):
    help = (
        "Train every enabled recommender of PROJECT (id or name) from its gold (and submitted "
        "work if the project says so), score each on held-out gold articles, and store it as "
        "a new version. Prints precision, recall and F1 per label with the articles behind them."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("project", help="project id or name")

    def handle(self, *args: Any, **options: Any) -> None:
        project = find_project(options["project"])
        with tqdm(total=0, unit="recommender", disable=None, file=self.stderr) as bar:

            def progress(done: int, total: int) -> None:
                bar.total = total
                bar.update(done - bar.n)

            try:
                trained = do_train_recommenders(project, progress=progress)
            except GazetteerListError as exc:
                raise CommandError(f"the project's name list, {exc}") from None
            except ExternalModelError as exc:
                raise CommandError(str(exc)) from None
        for recommender in trained:
            self.stdout.write(
                f"{recommender.kind} v{recommender.version}: trained on "
                f"{recommender.train_articles} articles, scored on "
                f"{recommender.held_out_articles} held-out articles in "
                f"{recommender.seconds:.2f} s; suggests: "
                f"{', '.join(recommender.active_labels) or 'nothing yet'}"
            )
            for score in recommender.scores:
                self.stdout.write(
                    f"  {score['label']:<16} P {_percent(score['precision']):>5}  "
                    f"R {_percent(score['recall']):>5}  F1 {_percent(score['f1']):>5}  "
                    f"gold {score['gold']}  suggested {score['suggested']}"
                )
