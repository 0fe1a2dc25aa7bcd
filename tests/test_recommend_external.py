"""An external model server (Label Studio ML backend protocol) against a real HTTP server on
127.0.0.1: good answers become suggestions with checked offsets; a slow, oversized, malformed
or failing server is a clear error, and never takes the other recommenders down."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import CommandError, call_command

from annotate.errors import ActionError
from annotate.lib.recommend.addresses import parse_networks
from annotate.lib.recommend.external import ExternalModelError, parse_predictions
from annotate.models import Gold, GoldSource, Recommender, SuggestionSettings
from annotate.recommend import (
    do_save_suggestion_settings,
    do_train_recommenders,
    external_predict,
)
from tests.base import ProjectTeam, make_team
from tests.factories import make_annotation, make_article, make_corpus

TEXT = "😀 قال مسؤول إن وداعش هاجم حلب."
LABELS = ["GPE", "MILITARY_GROUP"]


class ModelServer(BaseHTTPRequestHandler):
    """Answers /predict as the test's `mode` says; records what it was sent."""

    mode = "good"
    received: list[dict] = []

    def log_message(self, *args):  # keep test output quiet
        pass

    def do_POST(self):  # noqa: N802 - http.server's name
        length = int(self.headers["Content-Length"])
        body = json.loads(self.rfile.read(length))
        type(self).received.append({"path": self.path, "body": body})
        mode = type(self).mode
        if mode == "slow":
            time.sleep(1.5)
        if mode == "redirect":
            self.send_response(307)
            self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
            self.end_headers()
            return
        if mode == "error":
            self.send_response(500)
            self.end_headers()
            self.wfile.write(b"model crashed: CUDA out of memory")
            return
        answer = self.answer(mode, body["tasks"])
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(answer)

    def answer(self, mode, tasks):
        if mode == "oversized":
            return b"[" + b" " * 3_000_000 + b"]"
        if mode == "malformed":
            return b'{"results": [{"result": [ nope'
        results = []
        for task in tasks:
            text = task["data"]["text"]
            result = []
            for word, label in (("داعش", "MILITARY_GROUP"), ("حلب", "GPE")):
                start = text.find(word)
                if start < 0:
                    continue
                # Label Studio counts UTF-16 units: the emoji before the span is two.
                start16 = len(text[:start].encode("utf-16-le")) // 2
                value = {"start": start16, "end": start16 + len(word), "text": word}
                value["labels"] = ["NOPE" if mode == "unknown_label" else label]
                if mode == "bad_offsets":
                    value["start"] += 1
                result.append({"type": "labels", "value": value, "score": 0.8})
            results.append({"result": result, "score": 0.9, "model_version": "ner-7"})
        if mode == "wrong_count":
            results = results[:-1]
        return json.dumps({"results": results}, ensure_ascii=False).encode()


class QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass  # the client hanging up on an oversized answer is the point of that test


@pytest.fixture
def loopback_allowed(settings):
    """The operator lists 127.0.0.1 among the model-server networks (default: public only)."""
    settings.EXTERNAL_MODEL_NETWORKS = parse_networks(["127.0.0.1"])


@pytest.fixture
def server(loopback_allowed):
    ModelServer.mode = "good"
    ModelServer.received = []
    httpd = QuietServer(("127.0.0.1", 0), ModelServer)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def project(db):
    team = make_team()
    corpus = make_corpus()
    articles = [make_article(corpus, f"{TEXT} الخبر رقم {i}.") for i in range(6)]
    project, _, _ = ProjectTeam.create(team, articles=articles)
    for article in articles:
        start = article.text.index("داعش")
        gpe = article.text.index("حلب")
        spans = [
            {
                "id": "a",
                "start": start,
                "end": start + 4,
                "label": "MILITARY_GROUP",
                "text": "داعش",
                "attributes": {},
            },
            {
                "id": "b",
                "start": gpe,
                "end": gpe + 3,
                "label": "GPE",
                "text": "حلب",
                "attributes": {},
            },
        ]
        Gold.objects.create(
            project=project, article=article, content={"spans": spans}, source=GoldSource.IMPORTED
        )
    return project


@pytest.fixture
def fast(settings):
    settings.EXTERNAL_MODEL_TIMEOUT = 0.5
    settings.EXTERNAL_MODEL_MAX_BYTES = 1_000_000


def test_a_good_answer_becomes_suggestions_with_code_point_offsets(server, project, fast):
    found, version = external_predict(server, [TEXT], labels=LABELS, project=project)
    assert version == "ner-7"
    assert [(TEXT[s.start : s.end], s.label, s.score) for s in found[0]] == [
        ("داعش", "MILITARY_GROUP", 0.8),
        ("حلب", "GPE", 0.8),
    ]
    (request,) = ModelServer.received
    assert request["path"] == "/predict"
    assert request["body"]["tasks"] == [{"id": 0, "data": {"text": TEXT}}]
    assert '<Label value="GPE"/>' in request["body"]["label_config"]


@pytest.mark.parametrize(
    ("mode", "message"),
    [
        ("slow", "did not answer within 0.5 s"),
        ("oversized", "answered more than 1,000,000 bytes"),
        ("malformed", "the answer is not JSON"),
        ("error", "answered HTTP 500: model crashed: CUDA out of memory"),
        ("wrong_count", "the answer has 0 predictions for 1 tasks"),
        ("unknown_label", "prediction 0: result[0].value.labels: unknown or retired label 'NOPE'"),
        ("bad_offsets", "prediction 0: result[0].value.text: offsets"),
    ],
)
def test_a_bad_server_is_a_clear_error(server, project, fast, mode, message):
    ModelServer.mode = mode
    with pytest.raises(ExternalModelError) as caught:
        external_predict(server, [TEXT], labels=LABELS, project=project)
    assert message in str(caught.value)
    assert "/predict" in str(caught.value)


def test_an_unreachable_server_is_a_clear_error(project, fast, loopback_allowed):
    with pytest.raises(ExternalModelError, match="cannot reach the model server"):
        external_predict("http://127.0.0.1:9", [TEXT], labels=LABELS, project=project)


def test_the_server_is_scored_on_held_out_gold_and_then_suggests(server, project, fast):
    do_save_suggestion_settings(
        project,
        gazetteer_on=True,
        crf_on=False,
        external_on=True,
        external_url=server,
        threshold="0.7",
        learn_from_submitted=False,
        name_list="",
        name_list_label="",
    )
    trained = {r.kind: r for r in do_train_recommenders(project)}
    external = trained["external"]
    scores = {row["label"]: row for row in external.scores}
    assert scores["GPE"]["precision"] == 1.0
    assert scores["GPE"]["articles"] == external.held_out_articles == 1
    assert set(external.active_labels) == {"GPE", "MILITARY_GROUP"}
    assert json.loads(bytes(external.model)) == {"url": server}

    team_annotator = project.memberships.get(role="annotator", user__username="amal").user
    article = project.articles.first()
    assignment = make_annotation(project, article, team_annotator, submitted=False).assignment
    from annotate.recommend import assignment_suggestions

    errors: list[str] = []
    found = assignment_suggestions(assignment, user=team_annotator, errors=errors)
    assert {(s["text"], s["recommender"]) for s in found} >= {("حلب", "gazetteer@1")}
    assert errors == []

    # The server goes down: the gazetteer still suggests, and the failure is named.
    ModelServer.mode = "malformed"
    found = assignment_suggestions(assignment, user=team_annotator, errors=errors)
    assert {s["recommender"] for s in found} == {"gazetteer@1"}
    assert errors and errors[0].startswith("external@1: the model server at")


def test_training_with_a_failing_server_is_a_command_error_and_stores_nothing(
    server, project, fast
):
    SuggestionSettings.objects.create(
        project=project, gazetteer=False, crf=False, external=True, external_url=server
    )
    ModelServer.mode = "slow"
    with pytest.raises(ExternalModelError, match="did not answer within"):
        do_train_recommenders(project)
    assert not Recommender.objects.exists()
    with pytest.raises(CommandError, match="did not answer within"):
        call_command("train_recommenders", str(project.pk))


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://example.org/model", "must be an http:// or https:// URL"),
        ("file:///etc/passwd", "must be an http:// or https:// URL"),
        ("", "give the model server's URL"),
    ],
)
def test_only_http_model_servers_are_accepted(project, url, message):
    from annotate.errors import ActionError

    with pytest.raises(ActionError, match=message):
        do_save_suggestion_settings(
            project,
            gazetteer_on=True,
            crf_on=False,
            external_on=True,
            external_url=url,
            threshold="0.7",
            learn_from_submitted=False,
            name_list="",
            name_list_label="",
        )
    assert not SuggestionSettings.objects.filter(project=project).exists()


def test_the_parser_takes_a_bare_list_of_predictions_too():
    data = json.dumps([{"result": [{"type": "choices", "value": {"choices": ["x"]}}]}]).encode()
    assert parse_predictions(data, texts=[TEXT], labels=LABELS) == ([[]], "")


def _save_url(project, url):
    return do_save_suggestion_settings(
        project,
        gazetteer_on=True,
        crf_on=False,
        external_on=True,
        external_url=url,
        threshold="0.7",
        learn_from_submitted=False,
        name_list="",
        name_list_label="",
    )


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9090",
        "http://localhost:9090",
        "http://[::1]:9090",
        "http://[::ffff:127.0.0.1]:9090",
        "http://169.254.169.254/latest",
        "http://10.0.0.5:9090",
        "http://0.0.0.0:9090",
    ],
)
def test_internal_addresses_are_refused_unless_the_operator_lists_them(project, settings, url):
    settings.EXTERNAL_MODEL_NETWORKS = ()
    with pytest.raises(ActionError, match="is not a public address.*EXTERNAL_MODEL_NETWORKS"):
        _save_url(project, url)
    assert not SuggestionSettings.objects.filter(project=project).exists()


def test_a_listed_network_may_hold_the_model_server(project, settings):
    settings.EXTERNAL_MODEL_NETWORKS = parse_networks(["10.0.0.0/8"])
    assert _save_url(project, "http://10.0.0.5:9090/").external_url == "http://10.0.0.5:9090"
    with pytest.raises(ActionError, match="192.168.1.4 is not a public address"):
        _save_url(project, "http://192.168.1.4:9090")


def test_a_stored_url_no_longer_allowed_is_refused_before_asking(server, project, fast, settings):
    settings.EXTERNAL_MODEL_NETWORKS = ()
    with pytest.raises(ExternalModelError, match="127.0.0.1 is not a public address"):
        external_predict(server, [TEXT], labels=LABELS, project=project)
    assert ModelServer.received == []


def test_every_connection_is_checked_again_when_it_is_made(
    server, project, fast, settings, monkeypatch
):
    """A name that resolved to a public address when checked but leads inside when connecting
    (DNS rebinding) is refused on the address actually reached, before anything is sent."""
    settings.EXTERNAL_MODEL_NETWORKS = ()
    monkeypatch.setattr("annotate.recommend.check_model_url", lambda url: url.rstrip("/"))
    with pytest.raises(ExternalModelError, match="127.0.0.1 is not a public address"):
        external_predict(server, [TEXT], labels=LABELS, project=project)
    assert ModelServer.received == []


def test_a_redirect_is_refused_and_not_followed(server, project, fast):
    ModelServer.mode = "redirect"
    with pytest.raises(ExternalModelError, match=r"answered a redirect \(307\) to http://169"):
        external_predict(server, [TEXT], labels=LABELS, project=project)
    assert len(ModelServer.received) == 1


def test_an_https_connection_is_checked_before_the_handshake(
    server, project, fast, settings, monkeypatch
):
    settings.EXTERNAL_MODEL_NETWORKS = ()
    monkeypatch.setattr("annotate.recommend.check_model_url", lambda url: url.rstrip("/"))
    url = server.replace("http://", "https://")
    with pytest.raises(ExternalModelError, match="127.0.0.1 is not a public address"):
        external_predict(url, [TEXT], labels=LABELS, project=project)
    assert ModelServer.received == []
