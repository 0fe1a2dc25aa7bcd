"""What the annotation page tells the annotator in words: the submission confirmation on the
next page, counts in the right plural form in both languages, lists joined the language's way,
and label colours from the palette."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client
from django.utils import translation
from django.utils.translation import ngettext

from annotate.annotations import do_start_assignment, do_submit
from annotate.lib.palette import PALETTE
from annotate.models import Assignment, Role
from annotate.queue import do_generate_assignments
from annotate.views.annotate_page import script_plurals, script_strings
from annotate.views.plurals import plural_forms
from tests.factories import make_article, make_corpus, make_project, make_user

pytestmark = pytest.mark.django_db


def submitted_world():
    amal, badr = make_user("amal"), make_user("badr")
    corpus = make_corpus()
    articles = [
        make_article(corpus, text="قالت الوزارة إن الجيش انسحب.", title="العنوان الأول"),
        make_article(corpus, text="دخل الجيش مدينة الرقة.", title="العنوان الثاني"),
    ]
    project = make_project(articles=articles, members={amal: Role.ANNOTATOR, badr: Role.ANNOTATOR})
    project.schema["stance_targets"] = []
    project.save()
    do_generate_assignments(project, k=2, fraction=1.0, seed=1, mode="preassign")
    first = Assignment.objects.filter(project=project, annotator=amal).order_by("position")[0]
    annotation = do_start_assignment(first, user=amal)
    do_submit(first, user=amal, version=annotation.version)
    badrs = Assignment.objects.filter(project=project, annotator=badr, article=first.article).get()
    return project, amal, badr, first, badrs


def client_for(user, language="en"):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def messages_on(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_the_page_after_a_submission_names_the_article_submitted():
    project, amal, _badr, first, _ = submitted_world()
    response = client_for(amal).get(
        f"/projects/{project.pk}/annotate/?submitted={first.pk}", follow=True
    )
    assert response.status_code == 200
    assert response.redirect_chain[-1][0].endswith("/annotate/")
    assert "Submitted: العنوان الأول." in response.content.decode()


def test_the_confirmation_is_in_arabic_for_an_arabic_reader():
    project, amal, _badr, first, _ = submitted_world()
    response = client_for(amal, "ar").get(
        f"/projects/{project.pk}/annotate/?submitted={first.pk}", follow=True
    )
    assert "أُرسل: العنوان الأول." in response.content.decode()


@pytest.mark.parametrize("value", ["abc", "-1", "999999", ""])
def test_a_bad_or_unknown_submitted_id_is_ignored(value):
    project, amal, _badr, _first, _ = submitted_world()
    response = client_for(amal).get(f"/projects/{project.pk}/annotate/?submitted={value}")
    assert response.status_code == 302
    follow = client_for(amal).get(response.url)
    assert "Submitted:" not in follow.content.decode()


def test_nobody_is_told_about_another_annotators_or_an_unsubmitted_assignment():
    project, amal, badr, first, badrs = submitted_world()
    # Badr asks about Amal's submitted assignment: no title of hers leaks, no error either.
    response = client_for(badr).get(
        f"/projects/{project.pk}/annotate/?submitted={first.pk}", follow=True
    )
    assert response.status_code == 200
    assert "Submitted:" not in response.content.decode()
    # Badr's own assignment is not submitted: nothing to confirm.
    response = client_for(badr).get(
        f"/projects/{project.pk}/annotate/?submitted={badrs.pk}", follow=True
    )
    assert "Submitted:" not in response.content.decode()


def test_an_outsider_still_gets_404_whatever_the_query():
    project, _amal, _badr, first, _ = submitted_world()
    outsider = make_user("omar")
    response = client_for(outsider).get(f"/projects/{project.pk}/annotate/?submitted={first.pk}")
    assert response.status_code == 404


def test_counts_take_the_plural_form_of_each_language():
    with translation.override("en"):
        plurals = script_plurals()
        assert plurals["spans"] == {"one": "%(count)s span", "other": "%(count)s spans"}
        assert plurals["claims"]["one"] == "%(count)s claim"
        assert script_strings()["list_separator"] == ", "
    with translation.override("ar"):
        plurals = script_plurals()
        assert set(plurals["spans"]) == {"zero", "one", "two", "few", "many", "other"}
        assert plurals["spans"]["two"] == "نطاقان"
        assert plurals["claims"]["one"] == "ادعاء واحد"
        assert plurals["spans"]["few"] == "%(count)s نطاقات"
        assert script_strings()["list_separator"] == "، "


def test_each_sample_number_picks_the_form_ngettext_gives_it():
    # The JavaScript picks the category with Intl.PluralRules; the template of that category
    # must be what ngettext gives for any number of it (3-10 few, 11-99 many in Arabic).
    def message(n):
        return ngettext("%(count)s span", "%(count)s spans", n)

    with translation.override("ar"):
        forms = plural_forms(message, "ar")
        for n, category in [(0, "zero"), (1, "one"), (2, "two"), (7, "few"), (42, "many")]:
            assert forms[category] == message(n), n
        assert forms["other"] == message(101)


def test_the_page_data_carries_palette_colours_and_plurals():
    project, amal, _badr, _first, _ = submitted_world()
    second = Assignment.objects.filter(project=project, annotator=amal).order_by("position")[1]
    response = client_for(amal).get(f"/assignments/{second.pk}/annotate/")
    data = json.loads(
        re.search(
            r'<script id="page-data" type="application/json">(.*?)</script>',
            response.content.decode(),
            re.S,
        ).group(1)
    )
    assert [label["color"] for label in data["labels"]] == list(PALETTE)
    assert data["all_labels"]["PER"]["ink"] == "#ffffff"
    assert data["all_labels"]["ORG"]["line"] == "dashed"
    assert data["plurals"]["spans"]["other"] == "%(count)s spans"
    assert 'data-line="dotted"' in response.content.decode()
