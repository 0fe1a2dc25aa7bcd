"""The Suggestions page: held-out scores with article counts for leads; training and settings
for managers; bad settings refused with nothing written."""

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from annotate.lib.recommend.addresses import parse_networks
from annotate.models import Job, SuggestionSettings
from tests.test_recommenders_api import world  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


def url(world):  # noqa: F811
    return f"/projects/{world['project'].pk}/suggestions/"


def client_for(user, *, language="en"):
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


@pytest.mark.parametrize(
    ("who", "status"),
    [("manager", 200), ("reviewer", 200), ("annotator", 403), ("outsider", 404)],
)
def test_the_page_is_for_leads(world, who, status):  # noqa: F811
    response = client_for(world["team"][who]).get(url(world))
    assert response.status_code == status
    if status == 200:
        page = response.content.decode()
        assert "scored on 2 held-out articles" in page
        assert "MILITARY_GROUP" in page
        assert ("Train now" in page) == (who == "manager")


def test_anonymous_visitors_are_sent_to_the_login(world):  # noqa: F811
    response = Client().get(url(world))
    assert response.status_code == 302
    assert "/login" in response["Location"] or "login" in response["Location"]


def test_the_page_shows_each_labels_scores_and_articles(world):  # noqa: F811
    page = client_for(world["team"].reviewer).get(url(world)).content.decode()
    gazetteer = page.split('id="rec-gazetteer"')[1].split("</section>")[0]
    rows = {
        row.split("</th>")[0].split(">")[-1]: [cell.split("<")[0] for cell in row.split("<td>")[1:]]
        for row in gazetteer.split('<th scope="row" dir="ltr">')[1:]
        for row in ["x>" + row]
    }
    # label -> precision, recall, F1, gold, suggested, articles, suggests
    assert rows["GPE"][5] == "2"
    assert rows["MILITARY_GROUP"][0] == "100.0"


def test_the_page_works_in_arabic(world):  # noqa: F811
    response = client_for(world["team"].manager, language="ar").get(url(world))
    page = response.content.decode()
    assert 'dir="rtl"' in page
    assert "الاقتراحات" in page
    assert "درّب الآن" in page


@pytest.mark.parametrize("who", ["reviewer", "annotator"])
def test_only_managers_train_or_change_settings(world, who):  # noqa: F811
    client = client_for(world["team"][who])
    assert client.post(url(world), {"action": "train"}).status_code == 403
    assert client.post(url(world), {"action": "settings", "threshold": "0.1"}).status_code == 403
    assert not Job.objects.exists()
    assert SuggestionSettings.objects.get(project=world["project"]).threshold == 0.5


def test_a_manager_trains_from_the_page(world):  # noqa: F811
    response = client_for(world["team"].manager).post(url(world), {"action": "train"})
    assert response.status_code == 302
    job = Job.objects.get(kind="train_recommenders")
    assert job.status == "done"
    page = client_for(world["team"].manager).get(url(world)).content.decode()
    assert "v2" in page


def test_a_manager_saves_settings_with_an_uploaded_name_list(world):  # noqa: F811
    upload = SimpleUploadedFile("names.csv", "إدلب,GPE\nمنبج\n".encode())
    response = client_for(world["team"].manager).post(
        url(world),
        {
            "action": "settings",
            "gazetteer": "on",
            "threshold": "0.9",
            "name_list_label": "GPE",
            "name_file": upload,
        },
    )
    assert response.status_code == 302
    options = SuggestionSettings.objects.get(project=world["project"])
    assert (options.gazetteer, options.crf, options.threshold) == (True, False, 0.9)
    assert options.name_list == "إدلب,GPE\nمنبج\n"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"threshold": "2"}, "threshold: must be between 0 and 1"),
        ({"threshold": "x"}, "threshold: must be a number"),
        ({"threshold": "0.5", "name_list": "حلب,GPE\nمنبج,NOPE"}, "line 2: unknown label"),
        ({"threshold": "0.5", "name_list_label": "NOPE"}, "name_list_label: unknown"),
    ],
)
def test_bad_settings_are_refused_and_nothing_is_written(world, fields, message):  # noqa: F811
    response = client_for(world["team"].manager).post(url(world), {"action": "settings", **fields})
    assert response.status_code == 400
    assert message in response.content.decode()
    options = SuggestionSettings.objects.get(project=world["project"])
    assert (options.threshold, options.name_list, options.crf) == (0.5, "", True)


def test_a_manager_points_the_project_at_a_model_server(world, settings):  # noqa: F811
    client = client_for(world["team"].manager)
    fields = {"action": "settings", "threshold": "0.7", "external": "on"}
    response = client.post(url(world), {**fields, "external_url": "file:///etc/passwd"})
    assert response.status_code == 400
    assert "external_url: must be an http:// or https:// URL" in response.content.decode()
    response = client.post(url(world), {**fields, "external_url": "http://10.0.0.5:9090/"})
    assert response.status_code == 400
    assert "10.0.0.5 is not a public address" in response.content.decode()
    settings.EXTERNAL_MODEL_NETWORKS = parse_networks(["10.0.0.0/8"])
    response = client.post(url(world), {**fields, "external_url": "http://10.0.0.5:9090/"})
    assert response.status_code == 302
    options = SuggestionSettings.objects.get(project=world["project"])
    assert (options.external, options.external_url) == (True, "http://10.0.0.5:9090")
