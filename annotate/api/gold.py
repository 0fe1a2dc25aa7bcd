"""Adjudication and gold endpoints (reviewers and managers)."""

from __future__ import annotations

from django.http import HttpResponse, JsonResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from annotate import gold as gold_actions
from annotate.access import LEADS, access_project, article_in_project
from annotate.api.base import ERRORS, ApiView, ConflictSerializer
from annotate.api.serializers import ContentField
from annotate.models import Gold
from workbench.api_fields import StrictCharField

CONFLICT = {409: OpenApiResponse(ConflictSerializer, description="Stale gold version.")}


class GoldSaveSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        min_value=0, help_text="The gold version you started from; 0 when there is no gold yet."
    )
    content = ContentField()


GOLD_FIELDS = {
    "version": serializers.IntegerField(),
    "content": ContentField(),
    "source": StrictCharField(),
    "inputs_changed": serializers.BooleanField(
        help_text="A submission this gold may have been made from was reopened since."
    ),
    "schema_version": serializers.IntegerField(),
    "updated_by": StrictCharField(allow_null=True),
    "updated_at": serializers.DateTimeField(),
}
GoldSerializer = inline_serializer("Gold", GOLD_FIELDS)
# The Gold component, or null: OpenAPI 3.0 spells it as a nullable allOf.
GOLD_OR_NULL = {"nullable": True, "allOf": [{"$ref": "#/components/schemas/Gold"}]}


class AdjudicationView(ApiView):
    @extend_schema(
        summary="Submitted annotations side by side, merged proposal, open decisions, gold",
        description=(
            "The proposal holds what a strict majority agreed on; every disagreement is an "
            "open decision (a majority too) listing its options with the annotators who chose "
            "them, a suggestion (null for a tie) and the kind of difference (missing_span, "
            "boundary, label, claimant, checkworthy, claim_stance, stance). "
            "Drafts are never shown."
        ),
        responses={200: OpenApiResponse(description="Adjudication data"), **ERRORS},
    )
    def get(self, request: Request, pid: int, aid: int) -> Response:
        project = access_project(request.user, pid, roles=LEADS)
        article = article_in_project(project, aid)
        return Response(gold_actions.adjudication_data(project, article))


class GoldView(ApiView):
    @extend_schema(summary="The article's gold (null when none)", responses={200: GOLD_OR_NULL})
    def get(self, request: Request, pid: int, aid: int) -> HttpResponse:
        project = access_project(request.user, pid, roles=LEADS)
        article = article_in_project(project, aid)
        gold = Gold.objects.filter(project=project, article=article).first()
        if gold is None:
            # DRF renders None as an empty body; the answer is the JSON value null.
            return JsonResponse(None, safe=False)
        return Response(gold_actions.gold_payload(gold))

    @extend_schema(
        summary="Save the article's gold (versioned: 409 when stale)",
        request=GoldSaveSerializer,
        responses={200: GoldSerializer, **ERRORS, **CONFLICT},
    )
    def put(self, request: Request, pid: int, aid: int) -> Response:
        project = access_project(request.user, pid, roles=LEADS)
        article = article_in_project(project, aid)
        data = GoldSaveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        gold = gold_actions.do_save_gold(
            project,
            article,
            user=request.user,
            version=data.validated_data["version"],
            content=data.validated_data["content"],
        )
        return Response(gold_actions.gold_payload(gold))


class AutoAcceptView(ApiView):
    @extend_schema(
        summary="Gold for every article whose annotators all agree; the rest for review",
        description=(
            "Unanimous means: at least two submitted annotations, no assignment of the article "
            "still open, and identical spans, claim attributes, claimants and stance. Articles "
            "with gold already are left alone. `needs_review` gives each other article with "
            "submissions and its reason: single_annotator, incomplete or disagreement; a "
            "disagreement also counts its differences by kind (missing_span, boundary, label, "
            "claimant, checkworthy, claim_stance, stance)."
        ),
        request=None,
        responses={
            200: inline_serializer(
                "AutoAccept",
                {
                    "accepted": serializers.ListField(child=serializers.IntegerField()),
                    "needs_review": serializers.ListField(child=serializers.DictField()),
                },
            ),
            **ERRORS,
        },
    )
    def post(self, request: Request, pid: int) -> Response:
        project = access_project(request.user, pid, roles=LEADS)
        return Response(gold_actions.do_auto_accept_unanimous(project, user=request.user))


class GoldProgressView(ApiView):
    @extend_schema(
        summary="Adjudication progress: articles with gold / total",
        responses={
            200: inline_serializer(
                "GoldProgress",
                {
                    "total": serializers.IntegerField(),
                    "with_gold": serializers.IntegerField(),
                    "with_submissions": serializers.IntegerField(),
                    "awaiting_gold": serializers.IntegerField(),
                },
            ),
            **ERRORS,
        },
    )
    def get(self, request: Request, pid: int) -> Response:
        project = access_project(request.user, pid, roles=LEADS)
        return Response(gold_actions.gold_progress(project))
