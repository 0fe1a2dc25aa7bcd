"""Recommender endpoints: scores and training (leads), suggestions and rejections (assignee)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from annotate.access import LEADS, access_assignment, access_project
from annotate.api.base import ERRORS, ApiView
from annotate.api.jobs import JobSerializer
from annotate.models import Recommender, Role
from annotate.recommend import (
    assignment_stance_suggestions,
    assignment_suggestions,
    do_record_accepted,
    do_reject_suggestion,
    hand_drawn_agreement,
    latest_recommenders,
    settings_of,
)
from annotate.tasks import do_start_training, job_payload
from workbench.api_fields import StrictCharField


def recommender_payload(recommender: Recommender) -> dict:
    return {
        "kind": recommender.kind,
        "version": recommender.version,
        "schema_version": recommender.schema_version,
        "data_hash": recommender.data_hash,
        "train_articles": recommender.train_articles,
        "held_out_articles": recommender.held_out_articles,
        "scores": recommender.scores,
        "active_labels": recommender.active_labels,
        "seconds": recommender.seconds,
        "created_at": recommender.created_at.isoformat(),
    }


class RecommenderListView(ApiView):
    @extend_schema(
        summary="The project's latest recommenders and their held-out scores",
        description=(
            "Per enabled recommender, its newest version: precision, recall and F1 per label "
            "on held-out gold articles (with the counts and articles behind them) and the "
            "labels it may suggest (held-out precision at or above `threshold`)."
        ),
        responses={200: OpenApiResponse(OpenApiTypes.OBJECT), **ERRORS},
    )
    def get(self, request: Request, pid: int) -> Response:
        project = access_project(request.user, pid, roles=LEADS)
        options = settings_of(project)
        return Response(
            {
                "threshold": options.threshold,
                "recommenders": [
                    recommender_payload(r) for r in latest_recommenders(project, options=options)
                ],
            }
        )


class TrainView(ApiView):
    @extend_schema(
        summary="Train the project's recommenders in the background (managers)",
        request=None,
        responses={202: JobSerializer, **ERRORS},
    )
    def post(self, request: Request, pid: int) -> Response:
        project = access_project(request.user, pid, roles=(Role.MANAGER,))
        job = do_start_training(project, user=request.user)
        return Response(job_payload(job, user=request.user), status=202)


class SuggestionsView(ApiView):
    @extend_schema(
        summary="Suggestions for your assignment's article",
        description=(
            "Spans the project's recommenders suggest (start, end in code points, label, "
            "text, score, recommender@version), without spans already in your annotation and "
            "the suggestions you rejected. `unavailable` names recommenders that failed this "
            "time (a model server that is down or answered nonsense) and why; `stance` holds "
            "{target, value, score, recommender} for targets not set yet where the stance "
            "classifier is at least the project's confidence sure. Only the "
            "assigned annotator may ask."
        ),
        responses={200: OpenApiResponse(OpenApiTypes.OBJECT), **ERRORS},
    )
    def get(self, request: Request, asid: int) -> Response:
        assignment = access_assignment(request.user, asid, for_write=True)
        errors: list[str] = []
        found = assignment_suggestions(assignment, user=request.user, errors=errors)
        stance = assignment_stance_suggestions(assignment)
        return Response({"suggestions": found, "stance": stance, "unavailable": errors})


class RejectSerializer(serializers.Serializer):
    start = serializers.IntegerField(min_value=0)
    end = serializers.IntegerField(min_value=1)
    label = StrictCharField(max_length=40)
    recommender = StrictCharField(max_length=40, required=False, default="")


class RejectView(ApiView):
    @extend_schema(
        summary="Reject a suggestion: not shown to you again, and counted at the next training",
        request=RejectSerializer,
        responses={201: OpenApiResponse(OpenApiTypes.OBJECT), **ERRORS},
    )
    def post(self, request: Request, asid: int) -> Response:
        assignment = access_assignment(request.user, asid, for_write=True)
        data = RejectSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rejection = do_reject_suggestion(assignment, user=request.user, **data.validated_data)
        return Response(
            {
                "start": rejection.start,
                "end": rejection.end,
                "label": rejection.label,
                "text": rejection.text,
            },
            status=201,
        )


class AcceptedSpanSerializer(serializers.Serializer):
    span_id = serializers.RegexField(r"^[A-Za-z0-9_\-:.]{1,64}$")
    start = serializers.IntegerField(min_value=0)
    end = serializers.IntegerField(min_value=1)
    label = StrictCharField(max_length=40)
    recommender = StrictCharField(max_length=40)


class SuggestionAcceptSerializer(serializers.Serializer):
    spans = AcceptedSpanSerializer(many=True, allow_empty=False, max_length=5000)


class AcceptView(ApiView):
    @extend_schema(
        summary="Record spans you accepted from suggestions (their provenance)",
        description=(
            "After adding accepted suggestions to your annotation (as spans with these ids), "
            "name the recommender each came from. Exports and agreement tell these spans from "
            "hand-drawn ones while they keep the suggested offsets and label."
        ),
        request=SuggestionAcceptSerializer,
        responses={201: OpenApiResponse(OpenApiTypes.OBJECT), **ERRORS},
    )
    def post(self, request: Request, asid: int) -> Response:
        assignment = access_assignment(request.user, asid, for_write=True)
        data = SuggestionAcceptSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rows = do_record_accepted(assignment, user=request.user, spans=data.validated_data["spans"])
        return Response({"recorded": len(rows)}, status=201)


class HandDrawnAgreementView(ApiView):
    @extend_schema(
        summary="Agreement on hand-drawn spans only",
        description=(
            "The agreement report of /api/projects/{id}/agreement/, computed with every "
            "span accepted from a suggestion left out (so it measures people, not the model), "
            "and `suggestions`: how many submitted spans there are, how many came from "
            "suggestions, and in how many annotations. Computed on each request."
        ),
        responses={200: OpenApiResponse(OpenApiTypes.OBJECT), **ERRORS},
    )
    def get(self, request: Request, pid: int) -> Response:
        project = access_project(request.user, pid, roles=LEADS)
        report, share = hand_drawn_agreement(project)
        return Response({**report.as_dict(), "suggestions": share.as_dict()})
