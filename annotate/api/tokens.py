"""API login tokens: log in for a token, list your tokens, revoke one or the one in use.

`POST /api/auth/token/` is throttled before the password is checked (workbench/login_limits.py)
and answers 429 with Retry-After when a limit is reached.
"""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from annotate.api.base import ApiView, ErrorSerializer
from annotate.models import ApiToken
from annotate.tokens import do_create_api_token
from workbench.api_fields import StrictCharField, StrictModelSerializer
from workbench.login_limits import LoginThrottled, guard_login


class LoginSerializer(serializers.Serializer):
    username = StrictCharField(max_length=150)
    password = StrictCharField(max_length=4096, trim_whitespace=False)
    name = StrictCharField(
        max_length=200, required=False, default="", help_text="A label for the new token."
    )


class NewTokenSerializer(serializers.Serializer):
    token = StrictCharField(help_text="Send it as `Authorization: Token <token>`.")
    expires_at = serializers.DateTimeField()


class ApiTokenSerializer(StrictModelSerializer):
    current = serializers.SerializerMethodField(help_text="The token of this very request.")

    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "expires_at", "current"]

    def get_current(self, token: ApiToken) -> bool:
        auth = self.context["request"].auth
        return isinstance(auth, ApiToken) and auth.pk == token.pk


THROTTLED = OpenApiResponse(ErrorSerializer, description="Too many login attempts; Retry-After.")


class LoginTokenView(ApiView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        summary="Log in: a new API token for a username and password",
        request=LoginSerializer,
        responses={200: NewTokenSerializer, 400: ErrorSerializer, 429: THROTTLED},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        data = LoginSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        username = data.validated_data["username"]
        try:
            with guard_login(request, username) as attempt:
                user = authenticate(
                    request._request, username=username, password=data.validated_data["password"]
                )
                if user is None:
                    attempt.failed()
        except LoginThrottled as exc:
            raise exceptions.Throttled(
                wait=exc.retry_after, detail=_("Too many login attempts.")
            ) from None
        if user is None:
            raise exceptions.ValidationError(_("Unable to log in with provided credentials."))
        token, key = do_create_api_token(user, name=data.validated_data["name"])
        return Response({"token": key, "expires_at": token.expires_at})


class CurrentApiTokenView(ApiView):
    @extend_schema(
        summary="Log out: revoke the token this request is made with",
        responses={204: None, 400: ErrorSerializer},
    )
    def delete(self, request: Request) -> Response:
        if not isinstance(request.auth, ApiToken):
            raise exceptions.ValidationError(_("This request is not made with an API token."))
        ApiToken.objects.filter(pk=request.auth.pk).delete()
        return Response(status=204)


class ApiTokenListView(ApiView):
    @extend_schema(
        summary="Your API tokens (their keys are never shown again)",
        responses={200: ApiTokenSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        tokens = ApiToken.objects.filter(user=request.user).order_by("-created_at", "-id")
        return Response(ApiTokenSerializer(tokens, many=True, context={"request": request}).data)


class ApiTokenDetailView(ApiView):
    @extend_schema(
        summary="Revoke one of your API tokens",
        responses={204: None, 404: OpenApiResponse(ErrorSerializer, description="Not yours.")},
    )
    def delete(self, request: Request, token_id: int) -> Response:
        get_object_or_404(ApiToken, pk=token_id, user=request.user).delete()
        return Response(status=204)
