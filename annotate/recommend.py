"""Recommenders of a project: training them from its data, and their suggestions.

The recommenders themselves are pure code (`annotate/lib/recommend/`); this module feeds
them the project's gold (and, if the project says so, submitted work), stores the trained
models with their held-out scores, and answers suggestions for an article.

Training (`do_train_recommenders`) splits the gold articles by article (seed from the
project's settings), trains each enabled recommender on the training part (plus submitted
work on those articles only, so nothing from a held-out article leaks in), scores it on the
held-out gold with the agreement code, then trains it again on everything and stores it as a
new version with the schema version and the SHA-256 of its training data. A label is
suggested only if its held-out precision reaches the project's threshold and it is an active
(not retired) label of the current schema.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import logging
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F, Max, OuterRef, QuerySet, Subquery

from annotate.agreement import MEASURES, compared_texts, submitted_docs
from annotate.errors import ActionError
from annotate.lib.agreement.report import AgreementReport, build_report, text_lines
from annotate.lib.agreement.spans import Span
from annotate.lib.recommend import crf, gazetteer, stance
from annotate.lib.recommend.addresses import address_allowed, refusal
from annotate.lib.recommend.evaluate import active_labels, score_labels, split_articles
from annotate.lib.recommend.external import ExternalModelError, parse_predictions, predict_request
from annotate.lib.recommend.gazetteer import Gazetteer, Suggestion, build_entries
from annotate.lib.recommend.provenance import (
    Accepted,
    SpanKey,
    SuggestionShare,
    hand_drawn_docs,
)
from annotate.lib.schema import active_targets, claim_key
from annotate.models import (
    Annotation,
    AnnotationStatus,
    ArticleUncertainty,
    Assignment,
    Gold,
    Project,
    ProjectArticle,
    Recommender,
    RecommenderKind,
    SuggestionAcceptance,
    SuggestionRejection,
    SuggestionSettings,
)
from corpus.models import Article

Progress = Callable[[int, int], None]
logger = logging.getLogger(__name__)


def entity_labels(schema: dict[str, Any]) -> list[str]:
    """The entity labels recommenders may suggest: the schema's, retired ones left out."""
    return [label["key"] for label in schema.get("entity_labels", []) if not label.get("retired")]


def span_labels(schema: dict[str, Any]) -> list[str]:
    """Every span label a recommender may suggest: the active entity labels, then the claim
    label unless retired (only the sequence model learns claims)."""
    claim = schema.get("claim_label") or {}
    extra = [claim["key"]] if claim.get("key") and not claim.get("retired") else []
    return [*entity_labels(schema), *extra]


def settings_of(project: Project) -> SuggestionSettings:
    found = SuggestionSettings.objects.filter(project=project).first()
    return found or SuggestionSettings(project=project)


@dataclass(frozen=True)
class _Data:
    """Training material: per article its text and spans (gold, then submitted)."""

    texts: dict[int, str]
    gold: dict[int, list[tuple[int, int, str]]]
    submitted: dict[int, list[list[tuple[int, int, str]]]]
    rejected: list[tuple[str, str]]
    names: list[tuple[str, str]]
    # Per gold article, its stance values by target.
    stance: dict[int, dict[str, str]]
    claim_label: str = "CLAIM"


def _spans(content: dict[str, Any]) -> list[tuple[int, int, str]]:
    return [(span["start"], span["end"], span["label"]) for span in content.get("spans", [])]


def _load(project: Project, options: SuggestionSettings) -> _Data:
    claim = claim_key(project.schema)
    gold: dict[int, list[tuple[int, int, str]]] = {}
    stance: dict[int, dict[str, str]] = {}
    for article_id, content in Gold.objects.filter(project=project).values_list(
        "article_id", "content"
    ):
        gold[article_id] = _spans(content)
        stance[article_id] = dict((content.get("document_labels") or {}).get("stance") or {})
    submitted: dict[int, list[list[tuple[int, int, str]]]] = {}
    if options.learn_from_submitted:
        rows = Annotation.objects.filter(project=project, status=AnnotationStatus.SUBMITTED)
        for article_id, content in rows.values_list("article_id", "content").iterator(
            chunk_size=500
        ):
            submitted.setdefault(article_id, []).append(_spans(content))
    ids = set(gold) | set(submitted)
    texts = dict(Article.objects.filter(pk__in=ids).values_list("pk", "text"))
    rejected = list(
        SuggestionRejection.objects.filter(project=project)
        .order_by("pk")
        .values_list("text", "label")
    )
    names: list[tuple[str, str]] = []
    if options.name_list:
        names = gazetteer.parse_name_list(
            options.name_list,
            labels=entity_labels(project.schema),
            default_label=options.name_list_label or None,
        )
    return _Data(texts, gold, submitted, rejected, names, stance, claim)


def _data_hash(data: _Data, kind: str, options: SuggestionSettings, schema_version: int) -> str:
    digest = hashlib.sha256()
    header = [kind, schema_version, options.learn_from_submitted, options.seed]
    digest.update(json.dumps(header).encode())
    for article_id in sorted(data.texts):
        record = [
            hashlib.sha256(data.texts[article_id].encode()).hexdigest(),
            sorted(data.gold.get(article_id, [])),
            sorted(data.stance.get(article_id, {}).items()),
            sorted(sorted(spans) for spans in data.submitted.get(article_id, [])),
        ]
        digest.update(json.dumps(record, ensure_ascii=False).encode())
    digest.update(json.dumps([data.rejected, data.names], ensure_ascii=False).encode())
    return digest.hexdigest()


def _documents(data: _Data, article_ids: Iterable[int]) -> list[crf.Document]:
    documents = []
    for article_id in article_ids:
        text = data.texts[article_id]
        if article_id in data.gold:
            documents.append(crf.Document(text, data.gold[article_id]))
        documents += [crf.Document(text, spans) for spans in data.submitted.get(article_id, [])]
    return documents


def _forms(data: _Data, article_ids: Iterable[int]) -> list[tuple[str, str]]:
    return [
        (document.text[start:end], label)
        for document in _documents(data, article_ids)
        for start, end, label in document.spans
    ]


Trained = tuple[bytes, Callable[[str], list[Suggestion]]]


def _train_gazetteer(data: _Data, article_ids: list[int], labels: list[str]) -> Trained:
    entries = build_entries(
        [*_forms(data, article_ids), *data.names], labels=labels, rejected=data.rejected
    )
    model = Gazetteer(entries)
    return json.dumps(model.to_json(), ensure_ascii=False).encode(), model.suggest


def _train_crf(data: _Data, article_ids: list[int], labels: list[str]) -> Trained:
    allowed = set(labels)
    documents = [
        crf.Document(doc.text, [span for span in doc.spans if span[2] in allowed])
        for doc in _documents(data, article_ids)
    ]
    model_bytes = crf.train_layers(documents, claim_label=data.claim_label)
    return model_bytes, crf.LayeredModel(model_bytes).suggest


def check_model_url(url: str) -> str:
    """An http(s) URL of a model server, or ActionError.

    A host that is an address, or a name that resolves now, must be allowed by
    `annotate.lib.recommend.addresses` (public, or in EXTERNAL_MODEL_NETWORKS). A name that
    does not resolve yet is accepted: every connection is checked again when it is made.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or not parts.hostname:
        raise ActionError("external_url", f"must be an http:// or https:// URL, got {url!r}")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise ActionError("external_url", f"has no valid port: {url!r}") from None
    try:
        found = socket.getaddrinfo(parts.hostname, port, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        found = []
    for *_, sockaddr in found:
        address = str(sockaddr[0])
        if not address_allowed(address, settings.EXTERNAL_MODEL_NETWORKS):
            raise ActionError("external_url", refusal(parts.hostname, address))
    return url.rstrip("/")


def _checked_connection(address, *args, **kwargs):
    """socket.create_connection that refuses a peer the model-server rule does not allow.

    Checked after connecting, on the address actually reached, so a name that resolves to
    another address later (DNS rebinding) is caught too; nothing has been sent yet.
    """
    sock = socket.create_connection(address, *args, **kwargs)
    peer = sock.getpeername()[0]
    if not address_allowed(peer, settings.EXTERNAL_MODEL_NETWORKS):
        sock.close()
        raise ExternalModelError(f"cannot use the model server: {refusal(address[0], peer)}")
    return sock


class _CheckedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = _checked_connection


class _CheckedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = _checked_connection


class _CheckedHTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req):
        return self.do_open(_CheckedHTTPConnection, req)


class _CheckedHTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req):
        context = getattr(self, "_context", None)  # set by HTTPSHandler.__init__
        return self.do_open(_CheckedHTTPSConnection, req, context=context)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A model server answers where it was asked; a redirect could lead anywhere."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        raise ExternalModelError(
            f"the model server at {req.full_url} answered a redirect ({code}) to {newurl}; "
            "give the URL it redirects to instead"
        )


def _model_server_opener() -> urllib.request.OpenerDirector:
    """No proxies, no redirects, and every connection's peer address checked."""
    return urllib.request.build_opener(
        urllib.request.ProxyHandler({}),
        _CheckedHTTPHandler(),
        _CheckedHTTPSHandler(),
        _NoRedirects(),
    )


def external_predict(
    url: str, texts: list[str], *, labels: list[str], project: Project
) -> tuple[list[list[Suggestion]], str]:
    """Ask the model server at `url` (Label Studio ML backend protocol) about these texts.

    At most EXTERNAL_MODEL_TIMEOUT seconds for the whole answer and EXTERNAL_MODEL_MAX_BYTES
    of it; any failure is an ExternalModelError saying what went wrong. Proxies and redirects
    are not used, and the server must be at an allowed address (`check_model_url`).
    """
    timeout = float(getattr(settings, "EXTERNAL_MODEL_TIMEOUT", 10))
    limit = int(getattr(settings, "EXTERNAL_MODEL_MAX_BYTES", 5_000_000))
    try:
        endpoint = f"{check_model_url(url)}/predict"
    except ActionError as exc:
        raise ExternalModelError(f"cannot use the model server at {url}: {exc.message}") from None
    body = predict_request(texts, labels=labels, project=str(project.pk))
    request = urllib.request.Request(  # noqa: S310 - check_model_url allows http(s) only
        endpoint,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "Accept": "application/json"},
    )
    opener = _model_server_opener()
    deadline = time.monotonic() + timeout
    chunks: list[bytes] = []
    received = 0
    try:
        with opener.open(request, timeout=timeout) as response:
            while True:
                if time.monotonic() > deadline:
                    raise TimeoutError
                chunk = response.read(65536)
                if not chunk:
                    break
                received += len(chunk)
                if received > limit:
                    raise ExternalModelError(
                        f"the model server at {endpoint} answered more than {limit:,} bytes"
                    )
                chunks.append(chunk)
    except urllib.error.HTTPError as exc:
        detail = exc.read(300).decode("utf-8", "replace")
        raise ExternalModelError(
            f"the model server at {endpoint} answered HTTP {exc.code}: {detail}"
        ) from None
    except (TimeoutError, OSError) as exc:
        if isinstance(exc, TimeoutError) or "timed out" in str(exc):
            raise ExternalModelError(
                f"the model server at {endpoint} did not answer within {timeout:g} s"
            ) from None
        reason = getattr(exc, "reason", exc)
        raise ExternalModelError(f"cannot reach the model server at {endpoint}: {reason}") from None
    try:
        return parse_predictions(b"".join(chunks), texts=texts, labels=labels)
    except ExternalModelError as exc:
        raise ExternalModelError(f"the model server at {endpoint}: {exc}") from None


def _train_external(
    data: _Data, article_ids: list[int], labels: list[str], *, url: str, project: Project
) -> Trained:
    """Nothing to train: the server is asked, and scored on held-out gold like the others."""

    def suggest(text: str) -> list[Suggestion]:
        return external_predict(url, [text], labels=labels, project=project)[0][0]

    return json.dumps({"url": check_model_url(url)}).encode(), suggest


TRAINERS: dict[str, Callable[[_Data, list[int], list[str]], Trained]] = {
    RecommenderKind.GAZETTEER: _train_gazetteer,
    RecommenderKind.CRF: _train_crf,
}


def enabled_kinds(options: SuggestionSettings) -> list[str]:
    kinds = [kind for kind in RecommenderKind.values if getattr(options, kind)]
    if not options.external_url and RecommenderKind.EXTERNAL in kinds:
        kinds.remove(RecommenderKind.EXTERNAL)
    return kinds


Scored = tuple[bytes, list[dict[str, Any]], list[str]]


def _span_recommender(
    kind: str,
    data: _Data,
    train_ids: list[int],
    held_ids: list[int],
    *,
    project: Project,
    options: SuggestionSettings,
) -> Scored:
    """Train on the training articles, score on the held-out gold, train again on all."""
    labels = (
        span_labels(project.schema)
        if kind == RecommenderKind.CRF
        else entity_labels(project.schema)
    )
    trainer = TRAINERS.get(kind) or partial(
        _train_external, url=options.external_url, project=project
    )
    _, suggest = trainer(data, train_ids, labels)
    pairs = [
        (
            [Span(*span) for span in data.gold[article_id]],
            [Span(s.start, s.end, s.label) for s in suggest(data.texts[article_id])],
        )
        for article_id in held_ids
    ]
    scores = score_labels(pairs, labels=labels)
    model_bytes, _ = trainer(data, sorted(data.texts), labels)
    return (
        model_bytes,
        [score.as_dict() for score in scores],
        active_labels(scores, threshold=options.threshold),
    )


def _stance_models(
    data: _Data, article_ids: Iterable[int], targets: list[str]
) -> dict[str, stance.StanceModel]:
    models = {}
    for target in targets:
        examples = [
            (data.texts[a], data.stance[a][target])
            for a in article_ids
            if target in data.stance.get(a, {})
        ]
        model = stance.train_stance(examples, target=target)
        if model is not None:
            models[target] = model
    return models


def _stance_recommender(
    data: _Data,
    train_ids: list[int],
    held_ids: list[int],
    *,
    project: Project,
    options: SuggestionSettings,
) -> Scored:
    """Per active stance target: train on the training articles' gold stance, count how often
    a suggestion above the confidence threshold is right on the held-out articles, then train
    on all. A target is suggested where that precision reaches the project's threshold."""
    targets = [t["key"] for t in active_targets(project.schema)]
    gold_ids = [a for a in train_ids if a in data.stance]
    models = _stance_models(data, gold_ids, targets)
    scores = []
    for target in targets:
        held = [a for a in held_ids if target in data.stance.get(a, {})]
        suggested = correct = 0
        model = models.get(target)
        if model is not None:
            for article_id in held:
                text = data.texts[article_id]
                found = model.suggest(text, confidence=options.stance_confidence)
                if found is not None:
                    suggested += 1
                    correct += found[0] == data.stance[article_id][target]
        scores.append(stance.StanceScore(target, suggested, correct, len(held)).as_dict())
    final = _stance_models(data, sorted(data.stance), targets)
    model_bytes = json.dumps(
        {target: model.to_json() for target, model in final.items()}, ensure_ascii=False
    ).encode()
    active = [
        row["label"]
        for row in scores
        if row["precision"] is not None and row["precision"] >= options.threshold
    ]
    return model_bytes, scores, active


def stance_suggestions(
    project: Project, *, text: str, given: dict[str, str], recommender: Recommender
) -> list[dict[str, Any]]:
    """Stance values the classifier is sure enough of, for active targets not yet set."""
    options = settings_of(project)
    live = {t["key"] for t in active_targets(project.schema)}
    models = json.loads(bytes(recommender.model))
    found = []
    for target in recommender.active_labels:
        if target not in live or target in given or target not in models:
            continue
        model = stance.StanceModel.from_json(models[target])
        guess = model.suggest(text, confidence=options.stance_confidence)
        if guess is not None:
            found.append(
                {
                    "target": target,
                    "value": guess[0],
                    "score": round(guess[1], 4),
                    "recommender": f"{recommender.kind}@{recommender.version}",
                }
            )
    return found


def do_train_recommenders(
    project: Project, *, user=None, progress: Progress | None = None
) -> list[Recommender]:
    """Train, score and store every enabled recommender of the project (a new version each)."""
    options = settings_of(project)
    data = _load(project, options)
    train_ids, held_ids = split_articles(data.gold, seed=options.seed)
    train_ids = sorted(set(train_ids) | (set(data.submitted) - set(held_ids)))
    kinds = enabled_kinds(options)
    stored = []
    for step, kind in enumerate(kinds):
        began = time.perf_counter()
        if kind == RecommenderKind.STANCE:
            model_bytes, scores, active = _stance_recommender(
                data, train_ids, held_ids, project=project, options=options
            )
        else:
            model_bytes, scores, active = _span_recommender(
                kind, data, train_ids, held_ids, project=project, options=options
            )
        with transaction.atomic():
            latest = Recommender.objects.filter(project=project, kind=kind).aggregate(
                Max("version")
            )["version__max"]
            stored.append(
                Recommender.objects.create(
                    project=project,
                    kind=kind,
                    version=(latest or 0) + 1,
                    schema_version=project.schema_version,
                    data_hash=_data_hash(data, kind, options, project.schema_version),
                    model=model_bytes,
                    scores=scores,
                    active_labels=active,
                    train_articles=len(train_ids),
                    held_out_articles=len(held_ids),
                    seconds=round(time.perf_counter() - began, 3),
                    created_by=user,
                )
            )
        if progress:
            progress(step + 1, len(kinds))
    crf_model = next((r for r in stored if r.kind == RecommenderKind.CRF), None)
    if crf_model is not None:
        store_uncertainty(project, crf_model, gold_ids=set(data.gold))
    return stored


def store_uncertainty(project: Project, recommender: Recommender, *, gold_ids: set[int]) -> int:
    """The CRF's mean token margin on every project article without gold (active learning)."""
    model = crf.LayeredModel(bytes(recommender.model))
    rows = []
    articles = ProjectArticle.objects.filter(project=project).exclude(article_id__in=gold_ids)
    for article_id, text in articles.values_list("article_id", "article__text").iterator(
        chunk_size=200
    ):
        margins = model.token_margins(text)
        margin = sum(margins) / len(margins) if margins else 1.0
        rows.append(
            ArticleUncertainty(
                project=project,
                article_id=article_id,
                margin=margin,
                recommender=f"{recommender.kind}@{recommender.version}",
            )
        )
    with transaction.atomic():
        ArticleUncertainty.objects.filter(project=project).delete()
        ArticleUncertainty.objects.bulk_create(rows, batch_size=500)
    return len(rows)


def uncertain_first(project: Project, assignments: QuerySet[Assignment]) -> QuerySet[Assignment]:
    """`assignments` least certain article first when the project asks for active learning
    (articles never measured last, then queue order); unchanged otherwise."""
    if not SuggestionSettings.objects.filter(project=project, active_learning=True).exists():
        return assignments
    margin = ArticleUncertainty.objects.filter(
        project=project, article_id=OuterRef("article_id")
    ).values("margin")[:1]
    return assignments.annotate(margin=Subquery(margin)).order_by(
        F("margin").asc(nulls_last=True), "position", "slot", "id"
    )


def latest_recommenders(
    project: Project, *, options: SuggestionSettings | None = None
) -> list[Recommender]:
    """The newest version of each enabled recommender kind (one query given `options`)."""
    kinds = enabled_kinds(options or settings_of(project))
    newest: dict[str, Recommender] = {}
    for recommender in Recommender.objects.filter(project=project, kind__in=kinds).order_by(
        "kind", "-version"
    ):
        newest.setdefault(recommender.kind, recommender)
    return [newest[kind] for kind in kinds if kind in newest]


def _suggester(recommender: Recommender) -> Callable[..., list[Suggestion]]:
    data = bytes(recommender.model)
    if recommender.kind == RecommenderKind.GAZETTEER:
        return Gazetteer.from_json(json.loads(data)).suggest
    if recommender.kind == RecommenderKind.EXTERNAL:
        url = json.loads(data)["url"]

        def ask(text: str, *, labels: Iterable[str]) -> list[Suggestion]:
            found = external_predict(
                url, [text], labels=sorted(labels), project=recommender.project
            )
            return found[0][0]

        return ask
    return crf.LayeredModel(data).suggest


def article_suggestions(
    project: Project,
    *,
    article_id: int,
    text: str,
    user=None,
    existing: Iterable[tuple[int, int, str]] = (),
    recommenders: list[Recommender] | None = None,
    errors: list[str] | None = None,
) -> list[dict[str, Any]]:
    """Suggestions for one article: active labels of the current schema only, without what
    the user already marked or rejected, one per (start, end, label), best score first
    where recommenders agree, in text order. A model server that fails is skipped and its
    error appended to `errors`."""
    chosen = latest_recommenders(project) if recommenders is None else recommenders
    schema_labels = set(span_labels(project.schema))
    skip = {tuple(span) for span in existing}
    if user is not None:
        skip |= set(
            SuggestionRejection.objects.filter(
                project=project, article_id=article_id, user=user
            ).values_list("start", "end", "label")
        )
    best: dict[tuple[int, int, str], dict[str, Any]] = {}
    for recommender in chosen:
        labels = schema_labels & set(recommender.active_labels)
        if not labels or recommender.kind == RecommenderKind.STANCE:
            continue
        try:
            found = _suggester(recommender)(text, labels=labels)
        except ExternalModelError as exc:
            # One server down must not take the other recommenders' suggestions with it.
            logger.warning("project %s: %s", project.pk, exc)
            if errors is not None:
                errors.append(f"{recommender.kind}@{recommender.version}: {exc}")
            continue
        for suggestion in found:
            key = (suggestion.start, suggestion.end, suggestion.label)
            if key in skip:
                continue
            item = {
                **suggestion.as_dict(),
                "recommender": f"{recommender.kind}@{recommender.version}",
            }
            if key not in best or item["score"] > best[key]["score"]:
                best[key] = item
    return [best[key] for key in sorted(best)]


def assignment_suggestions(
    assignment: Assignment, *, user, errors: list[str] | None = None
) -> list[dict[str, Any]]:
    """Suggestions for the assignee's article, without the spans already in their annotation
    (none on an agreement-sample article of a project that keeps suggestions off there)."""
    if settings_of(assignment.project).off_on_overlap and in_agreement_sample(assignment):
        return []
    annotation = Annotation.objects.filter(assignment=assignment).only("content").first()
    existing = []
    if annotation is not None:
        existing = [(s["start"], s["end"], s["label"]) for s in annotation.content.get("spans", [])]
    return article_suggestions(
        assignment.project,
        article_id=assignment.article_id,
        text=assignment.article.text,
        user=user,
        existing=existing,
        errors=errors,
    )


def assignment_stance_suggestions(assignment: Assignment) -> list[dict[str, Any]]:
    """Stance suggestions for the assignee's article: targets they have not set yet."""
    if settings_of(assignment.project).off_on_overlap and in_agreement_sample(assignment):
        return []
    newest = next(
        (r for r in latest_recommenders(assignment.project) if r.kind == RecommenderKind.STANCE),
        None,
    )
    if newest is None:
        return []
    annotation = Annotation.objects.filter(assignment=assignment).only("content").first()
    given: dict[str, str] = {}
    if annotation is not None:
        given = (annotation.content.get("document_labels") or {}).get("stance") or {}
    return stance_suggestions(
        assignment.project, text=assignment.article.text, given=given, recommender=newest
    )


def do_reject_suggestion(
    assignment: Assignment, *, user, start: int, end: int, label: str, recommender: str = ""
) -> SuggestionRejection:
    """Remember that the assignee rejected a suggestion (idempotent); checks the span."""
    text = assignment.article.text
    if not 0 <= start < end <= len(text):
        raise ActionError("end", f"offsets must satisfy 0 <= start < end <= {len(text)}")
    if label not in span_labels(assignment.project.schema):
        raise ActionError("label", f"unknown or retired label {label!r}")
    rejection, _created = SuggestionRejection.objects.get_or_create(
        project=assignment.project,
        article_id=assignment.article_id,
        user=user,
        start=start,
        end=end,
        label=label,
        defaults={"text": text[start:end], "recommender": recommender[:40]},
    )
    return rejection


def _fraction(value: Any, field: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ActionError(field, "must be a number between 0 and 1") from None
    if not 0 <= number <= 1:
        raise ActionError(field, f"must be between 0 and 1, got {number}")
    return number


def do_save_suggestion_settings(
    project: Project,
    *,
    gazetteer_on: bool,
    crf_on: bool,
    external_on: bool = False,
    external_url: str = "",
    stance_on: bool = True,
    stance_confidence: Any = 0.8,
    threshold: Any,
    learn_from_submitted: bool,
    off_on_overlap: bool = True,
    active_learning: bool = False,
    name_list: str,
    name_list_label: str,
) -> SuggestionSettings:
    """Check and store the project's recommender settings; nothing is written on an error."""
    value = _fraction(threshold, "threshold")
    confidence = _fraction(stance_confidence, "stance_confidence")
    external_url = external_url.strip()
    if external_url:
        if len(external_url) > 500:
            raise ActionError("external_url", "must be at most 500 characters")
        external_url = check_model_url(external_url)
    elif external_on:
        raise ActionError("external_url", "give the model server's URL to use it")
    labels = entity_labels(project.schema)
    if name_list_label and name_list_label not in labels:
        raise ActionError("name_list_label", f"unknown or retired label {name_list_label!r}")
    try:
        gazetteer.parse_name_list(name_list, labels=labels, default_label=name_list_label or None)
    except gazetteer.GazetteerListError as exc:
        raise ActionError("name_list", str(exc)) from None
    options = settings_of(project)
    options.gazetteer = gazetteer_on
    options.crf = crf_on
    options.external = external_on
    options.stance = stance_on
    options.stance_confidence = confidence
    options.external_url = external_url
    options.threshold = value
    options.learn_from_submitted = learn_from_submitted
    options.off_on_overlap = off_on_overlap
    options.active_learning = active_learning
    options.name_list = name_list
    options.name_list_label = name_list_label
    options.save()
    return options


def in_agreement_sample(assignment: Assignment) -> bool:
    """Whether the assignment's article is annotated by more than one person (overlap)."""
    return (
        Assignment.objects.filter(
            project_id=assignment.project_id, article_id=assignment.article_id
        )
        .exclude(pk=assignment.pk)
        .exists()
    )


def suggestions_shown(assignment: Assignment) -> bool:
    """Whether the annotation page offers suggestions on this assignment: a recommender is
    trained, and the article is not in the agreement sample of a project that keeps
    suggestions off there (so agreement measures people, not the model)."""
    options = settings_of(assignment.project)
    if not Recommender.objects.filter(project_id=assignment.project_id).exists():
        return False
    return not (options.off_on_overlap and in_agreement_sample(assignment))


def do_record_accepted(
    assignment: Assignment, *, user, spans: list[dict[str, Any]]
) -> list[SuggestionAcceptance]:
    """Remember which spans of the assignee's annotation were accepted from a suggestion (and
    from which recommender and version): the span's provenance."""
    text = assignment.article.text
    rows = []
    for index, span in enumerate(spans):
        start, end = span["start"], span["end"]
        if not 0 <= start < end <= len(text):
            raise ActionError(
                f"spans[{index}].end", f"offsets must satisfy 0 <= start < end <= {len(text)}"
            )
        rows.append(
            SuggestionAcceptance(
                project_id=assignment.project_id,
                assignment=assignment,
                user=user,
                span_id=span["span_id"],
                start=start,
                end=end,
                label=span["label"],
                recommender=span["recommender"],
            )
        )
    with transaction.atomic():
        SuggestionAcceptance.objects.filter(
            assignment=assignment, span_id__in=[row.span_id for row in rows]
        ).delete()
        return SuggestionAcceptance.objects.bulk_create(rows)


def accepted_suggestions(assignment_ids: Iterable[int]) -> dict[int, dict[str, Accepted]]:
    """Per assignment, span id -> (start, end, label, recommender) of each accepted suggestion."""
    result: dict[int, dict[str, Accepted]] = {}
    rows = SuggestionAcceptance.objects.filter(assignment_id__in=list(assignment_ids))
    for assignment_id, span_id, start, end, label, recommender in rows.values_list(
        "assignment_id", "span_id", "start", "end", "label", "recommender"
    ).iterator(chunk_size=2000):
        result.setdefault(assignment_id, {})[span_id] = (start, end, label, recommender)
    return result


def accepted_by_author(project: Project) -> dict[tuple[int, int], set[SpanKey]]:
    """(article, annotator) -> keys of the spans their annotation took from suggestions."""
    result: dict[tuple[int, int], set[SpanKey]] = {}
    rows = SuggestionAcceptance.objects.filter(project=project).values_list(
        "assignment__article_id", "assignment__annotator_id", "span_id", "start", "end", "label"
    )
    for article_id, annotator_id, span_id, start, end, label in rows.iterator(chunk_size=2000):
        result.setdefault((article_id, annotator_id), set()).add((span_id, start, end, label))
    return result


def hand_drawn_agreement(project: Project) -> tuple[AgreementReport, SuggestionShare]:
    """The agreement report computed on hand-drawn spans only (suggestion-born spans,
    entities and claims, left out), with how many submitted spans came from suggestions.
    Not cached."""
    docs, share = hand_drawn_docs(submitted_docs(project), accepted_by_author(project))
    names = dict(
        get_user_model()
        .objects.filter(id__in={doc.annotator for doc in docs})
        .values_list("id", "username")
    )
    report = build_report(
        docs, texts=compared_texts(project), schema=project.schema, annotator_names=names
    )
    return report, share


def hand_drawn_lines(project: Project) -> list[str]:
    """The hand-drawn report as the agreement command prints it."""
    report, share = hand_drawn_agreement(project)
    titles = {key: str(title) for key, (title, _) in MEASURES.items()}
    return [
        *text_lines(report, project=project.name, titles=titles),
        "",
        f"(hand-drawn spans only: {share.from_suggestions} of {share.spans} submitted "
        f"spans came from suggestions and are left out, in "
        f"{share.annotations_with_suggestions} annotations)",
    ]


def suggestion_share(project: Project) -> SuggestionShare:
    """How many submitted spans there are and how many came from suggestions."""
    return hand_drawn_docs(submitted_docs(project), accepted_by_author(project))[1]
