"""People through the API: a project's invitations (managers), accepting one (the link's key
is the credential), and accounts (site staff). Members themselves are in api/projects.py."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import get_language
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from annotate import members as people
from annotate.access import access_project
from annotate.api.base import ERRORS, ApiView, ConflictSerializer, ErrorSerializer, ListView
from annotate.api.serializers import MemberSerializer
from annotate.models import Invitation, Role
from workbench.api_fields import StrictBooleanField, StrictCharField, StrictModelSerializer

MANAGERS = (Role.MANAGER,)


class InvitationSerializer(StrictModelSerializer):
    invited_by = StrictCharField(source="invited_by.username", read_only=True, default=None)

    class Meta:
        model = Invitation
        fields = ["id", "email", "role", "invited_by", "created_at", "expires_at"]


class InviteSerializer(serializers.Serializer):
    email = StrictCharField(
        required=False, max_length=254, help_text="Invite a new person (or the account using it)."
    )
    username = StrictCharField(
        required=False, max_length=150, help_text="Add an existing account at once."
    )
    role = serializers.ChoiceField(choices=Role.choices)


class InviteResultSerializer(serializers.Serializer):
    member = MemberSerializer(
        required=False, help_text="Set when an existing account joined at once."
    )
    invitation = InvitationSerializer(required=False)
    link = StrictCharField(
        required=False, help_text="The invitation's one-time link: shown only in this answer."
    )
    emailed = serializers.BooleanField(required=False)


class AcceptSerializer(serializers.Serializer):
    token = StrictCharField(max_length=100, help_text="The key at the end of the link.")
    username = StrictCharField(max_length=150)
    password = StrictCharField(max_length=4096, trim_whitespace=False)


class AcceptedSerializer(serializers.Serializer):
    user = serializers.IntegerField()
    username = StrictCharField()
    project = serializers.IntegerField()
    role = serializers.ChoiceField(choices=Role.choices)


class AccountSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    username = StrictCharField(read_only=True)
    email = StrictCharField(read_only=True)
    is_active = serializers.BooleanField(read_only=True)
    is_staff = serializers.BooleanField(read_only=True)
    date_joined = serializers.DateTimeField(read_only=True)
    last_login = serializers.DateTimeField(read_only=True, allow_null=True)


class AccountCreateSerializer(serializers.Serializer):
    username = StrictCharField(max_length=150)
    email = StrictCharField(required=False, allow_blank=True, default="", max_length=254)
    password = StrictCharField(
        required=False,
        max_length=4096,
        trim_whitespace=False,
        help_text="Without one, the answer carries a link for the person to set it.",
    )
    is_staff = StrictBooleanField(required=False, default=False)


class AccountCreatedSerializer(AccountSerializer):
    set_password_link = StrictCharField(required=False)


class AccountUpdateSerializer(serializers.Serializer):
    is_active = StrictBooleanField(help_text="Left out: the account is not changed.")


class InvitationListView(ListView):
    serializer_class = InvitationSerializer

    @extend_schema(
        summary="Open invitations of the project (managers)",
        responses=InvitationSerializer(many=True),
    )
    def get(self, request: Request, pid: int) -> Response:
        project = access_project(request.user, pid, roles=MANAGERS)
        return self.page_of(people.open_invitations(project))

    @extend_schema(
        summary="Invite by e-mail or username (managers)",
        description=(
            "A username, or an e-mail address that one active account uses, joins that account "
            "at once (`member`). Any other address gets an invitation whose one-time `link` "
            "(shown only here) lets the person choose a username and password; it is e-mailed "
            "too (`emailed` says whether that worked). Inviting an address again replaces "
            "its open invitation."
        ),
        request=InviteSerializer,
        responses={201: InviteResultSerializer, **ERRORS},
    )
    def post(self, request: Request, pid: int) -> Response:
        project = access_project(request.user, pid, roles=MANAGERS)
        data = InviteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = people.do_invite(
            project,
            by=request.user,
            role=data.validated_data["role"],
            email=data.validated_data.get("email"),
            username=data.validated_data.get("username"),
        )
        if result.membership is not None:
            body = {"member": MemberSerializer(result.membership).data}
        else:
            assert result.invitation is not None and result.key is not None
            link = request.build_absolute_uri(people.invitation_path(result.key))
            emailed = people.send_invitation_email(
                result.invitation, link=link, language=get_language()
            )
            body = {
                "invitation": InvitationSerializer(result.invitation).data,
                "link": link,
                "emailed": emailed,
            }
        return Response(body, status=status.HTTP_201_CREATED)


class InvitationDetailView(ApiView):
    @extend_schema(
        summary="Withdraw an open invitation (managers): its link stops working",
        responses={204: None, 409: ConflictSerializer, **ERRORS},
    )
    def delete(self, request: Request, pid: int, iid: int) -> Response:
        project = access_project(request.user, pid, roles=MANAGERS)
        invitation = get_object_or_404(Invitation, project=project, pk=iid)
        people.do_cancel_invitation(invitation)
        return Response(status=status.HTTP_204_NO_CONTENT)


class AcceptInvitationView(ApiView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        summary="Accept an invitation: create the account and join the project",
        request=AcceptSerializer,
        responses={201: AcceptedSerializer, 400: ErrorSerializer},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        data = AcceptSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user, invitation = people.do_accept_invitation(
            data.validated_data["token"],
            username=data.validated_data["username"],
            password=data.validated_data["password"],
        )
        return Response(
            {
                "user": user.pk,
                "username": user.get_username(),
                "project": invitation.project_id,
                "role": invitation.role,
            },
            status=status.HTTP_201_CREATED,
        )


class AccountListView(ListView):
    serializer_class = AccountSerializer

    @extend_schema(
        summary="Every account (site staff)",
        parameters=[OpenApiParameter("q", str, description="Part of a username or e-mail.")],
        responses=AccountSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        people.check_can_manage_accounts(request.user)
        return self.page_of(people.accounts(q=request.query_params.get("q", "").strip()[:150]))

    @extend_schema(
        summary="Create an account (site staff)",
        request=AccountCreateSerializer,
        responses={201: AccountCreatedSerializer, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        people.check_can_manage_accounts(request.user)
        data = AccountCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        password = data.validated_data.get("password")
        user = people.do_create_account(
            by=request.user,
            username=data.validated_data["username"],
            email=data.validated_data["email"],
            password=password,
            is_staff=data.validated_data["is_staff"],
        )
        body = dict(AccountSerializer(user).data)
        if password is None:
            body["set_password_link"] = request.build_absolute_uri(people.set_password_path(user))
        return Response(body, status=status.HTTP_201_CREATED)


class AccountDetailView(ApiView):
    @extend_schema(summary="One account (site staff)", responses={200: AccountSerializer, **ERRORS})
    def get(self, request: Request, uid: int) -> Response:
        people.check_can_manage_accounts(request.user)
        return Response(AccountSerializer(get_object_or_404(people.accounts(), pk=uid)).data)

    @extend_schema(
        summary="Deactivate or reactivate an account (site staff)",
        description="Deactivating logs the person out everywhere and deletes their API "
        "tokens; their work stays.",
        request=AccountUpdateSerializer,
        responses={200: AccountSerializer, **ERRORS},
    )
    def patch(self, request: Request, uid: int) -> Response:
        people.check_can_manage_accounts(request.user)
        user = get_object_or_404(people.accounts(), pk=uid)
        data = AccountUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        if "is_active" in data.validated_data:
            people.do_set_active(user, by=request.user, active=data.validated_data["is_active"])
        return Response(AccountSerializer(user).data)
