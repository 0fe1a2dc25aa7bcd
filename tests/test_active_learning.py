"""Active learning: with the project setting on, the queue serves the article the sequence
model is least sure about (lowest mean token margin) first; off, queue order holds."""

import pytest

from annotate.models import (
    ArticleUncertainty,
    Assignment,
    Gold,
    GoldSource,
    Role,
    SuggestionSettings,
)
from annotate.queue import do_next
from annotate.recommend import do_train_recommenders
from tests.factories import make_article, make_corpus, make_project, make_user
from tests.test_recommenders_api import SENTENCES, gold_spans

pytestmark = pytest.mark.django_db

FAMILIAR = " ".join(SENTENCES)
STRANGE = "Lorem ipsum 2019 مرحبا بكم xyz ٣٤ كذا وكذا ثم هنا وهناك قال خالد سمير ما قال."


@pytest.fixture
def world():
    annotator = make_user("amal")
    corpus = make_corpus()
    gold_articles = [
        make_article(corpus, " ".join(SENTENCES[(i + k) % 5] for k in range(5)) + f" رقم {i}.")
        for i in range(10)
    ]
    familiar = make_article(corpus, FAMILIAR + " الخبر الأول.")
    strange = make_article(corpus, STRANGE)
    middle = make_article(corpus, SENTENCES[0] + " " + STRANGE)
    queue = [familiar, middle, strange]
    project = make_project(articles=[*gold_articles, *queue], members={annotator: Role.ANNOTATOR})
    for article in gold_articles:
        Gold.objects.create(
            project=project,
            article=article,
            content={"spans": gold_spans(article.text)},
            source=GoldSource.IMPORTED,
        )
    for position, article in enumerate(queue):
        Assignment.objects.create(
            project=project, article=article, annotator=annotator, position=position
        )
    SuggestionSettings.objects.create(project=project, gazetteer=False, stance=False)
    do_train_recommenders(project)
    return project, annotator, queue


def test_training_measures_every_article_without_gold(world):
    project, _annotator, queue = world
    margins = dict(
        ArticleUncertainty.objects.filter(project=project).values_list("article_id", "margin")
    )
    assert set(margins) == {article.pk for article in queue}
    assert all(0 <= m <= 1 for m in margins.values())
    assert margins[queue[0].pk] > margins[queue[2].pk]  # the familiar text is the surest


def test_the_least_certain_article_comes_first_when_the_project_asks(world):
    project, annotator, queue = world
    margins = dict(
        ArticleUncertainty.objects.filter(project=project).values_list("article_id", "margin")
    )
    assignment, _ = do_next(project, annotator)
    assert assignment.article_id == queue[0].pk  # off: queue order
    Assignment.objects.filter(pk=assignment.pk).update(status="todo", started_at=None)
    assignment.annotation.delete()

    SuggestionSettings.objects.filter(project=project).update(active_learning=True)
    assignment, _ = do_next(project, annotator)
    assert assignment.article_id == min(margins, key=margins.get)
    assert assignment.article_id != queue[0].pk
