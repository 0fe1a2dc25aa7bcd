"""People: invitations into a project, accepting one, the members page, staff's accounts and
`manage.py createuser`, through pages, the REST API and the command."""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone
from rest_framework.test import APIClient

from annotate.annotations import do_start_assignment, do_submit
from annotate.members import do_invite
from annotate.models import (
    Annotation,
    ApiToken,
    Assignment,
    AuditEvent,
    Invitation,
    Membership,
    Role,
)
from tests.base import ProjectTeam, login
from tests.factories import PASSWORD, make_api_token, make_article, make_user

pytestmark = pytest.mark.django_db
User = get_user_model()
NEW_PASSWORD = "olive trees by the river 2026"
STANCE = {"isis": "favor", "syrian_army": "against", "us_coalition": "neutral"}


@pytest.fixture
def project(team):
    return ProjectTeam.create(team, articles=[make_article(), make_article()]).project


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def invite(project, manager, email="new.person@example.org", role=Role.ANNOTATOR):
    result = do_invite(project, by=manager, role=role, email=email)
    return result.invitation, result.key


# ---- inviting ----


def test_inviting_an_email_stores_only_the_keys_hash_and_mails_the_link(team, project):
    response = api(team.manager).post(
        f"/api/projects/{project.pk}/invitations/",
        {"email": "Layla@Example.org", "role": "annotator"},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    link = body["link"]
    key = link.rstrip("/").rsplit("/", 1)[1]
    assert link == f"http://testserver/invitations/{key}/"
    assert body["emailed"] is True
    assert body["invitation"]["email"] == "Layla@Example.org"
    invitation = Invitation.objects.get()
    assert invitation.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in str(Invitation.objects.values().get())
    assert invitation.expires_at > timezone.now() + timedelta(days=6)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["Layla@Example.org"]
    assert link in mail.outbox[0].body
    assert project.name in mail.outbox[0].subject


def test_inviting_the_same_address_again_replaces_the_old_link(team, project):
    _, first = invite(project, team.manager)
    _, second = invite(project, team.manager, role=Role.REVIEWER)
    assert Invitation.objects.count() == 1
    client = api()
    refused = client.post(
        "/api/invitations/accept/",
        {"token": first, "username": "layla", "password": NEW_PASSWORD},
        format="json",
    )
    assert refused.status_code == 400
    assert refused.json()["field"] == "token"
    accepted = client.post(
        "/api/invitations/accept/",
        {"token": second, "username": "layla", "password": NEW_PASSWORD},
        format="json",
    )
    assert accepted.status_code == 201
    assert accepted.json()["role"] == "reviewer"


def test_inviting_a_username_or_a_known_address_adds_the_account_at_once(team, project):
    outsider = team.outsider
    outsider.email = "omar@example.org"
    outsider.save()
    client = api(team.manager)
    response = client.post(
        f"/api/projects/{project.pk}/invitations/",
        {"email": "OMAR@example.org", "role": "reviewer"},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["member"]["username"] == "omar"
    assert Membership.objects.get(project=project, user=outsider).role == Role.REVIEWER
    staff = team.staff
    response = client.post(
        f"/api/projects/{project.pk}/invitations/",
        {"username": "sami", "role": "annotator"},
        format="json",
    )
    assert response.status_code == 201
    assert Membership.objects.get(project=project, user=staff).role == Role.ANNOTATOR
    assert not Invitation.objects.exists()
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "not an address", "role": "annotator"}, "email"),
        ({"email": "a@example.org", "username": "omar", "role": "annotator"}, "email"),
        ({"role": "annotator"}, "email"),
        ({"username": "nobody", "role": "annotator"}, "username"),
        ({"email": "a@example.org", "role": "boss"}, "role"),
    ],
)
def test_invitation_errors_name_the_field_and_change_nothing(team, project, body, field):
    response = api(team.manager).post(
        f"/api/projects/{project.pk}/invitations/", body, format="json"
    )
    assert response.status_code == 400
    assert response.json()["field"] == field
    assert not Invitation.objects.exists()
    assert Membership.objects.filter(project=project).count() == 5


def test_invitation_list_and_withdrawal(team, project, django_assert_num_queries):
    for i in range(3):
        invite(project, team.manager, email=f"p{i}@example.org")
    client = api(team.manager)
    with django_assert_num_queries(3):  # project with role, count, page (inviters joined)
        response = client.get(f"/api/projects/{project.pk}/invitations/")
    assert response.status_code == 200
    assert [row["email"] for row in response.json()["results"]] == [
        "p2@example.org",
        "p1@example.org",
        "p0@example.org",
    ]
    assert response.json()["results"][0]["invited_by"] == "mona"
    first = Invitation.objects.get(email="p0@example.org")
    assert client.delete(f"/api/projects/{project.pk}/invitations/{first.pk}/").status_code == 204
    assert not Invitation.objects.filter(pk=first.pk).exists()


# ---- accepting ----


def test_a_new_person_accepts_in_the_browser_and_lands_in_their_queue(client, team, project):
    _, key = invite(project, team.manager, email="layla@example.org")
    page = client.get(f"/invitations/{key}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert project.name in html
    assert 'value="layla"' in html  # the username suggested from the address
    response = client.post(
        f"/invitations/{key}/",
        {"username": "layla", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/projects/{project.pk}/annotate/"
    layla = User.objects.get(username="layla")
    assert layla.email == "layla@example.org"
    assert layla.check_password(NEW_PASSWORD)
    assert Membership.objects.get(project=project, user=layla).role == Role.ANNOTATOR
    invitation = Invitation.objects.get()
    assert invitation.accepted_by == layla and invitation.accepted_at is not None
    assert client.get("/").context["user"] == layla  # logged in
    again = client.get(f"/invitations/{key}/")
    assert again.status_code == 404
    assert "already used" in again.content.decode()


def test_a_manager_invitation_lands_on_the_project_page(client, team, project):
    _, key = invite(project, team.manager, email="lead@example.org", role=Role.MANAGER)
    response = client.post(
        f"/invitations/{key}/",
        {"username": "lead", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response["Location"] == f"/projects/{project.pk}/"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"username": "layla", "password1": "123", "password2": "123"}, "too short"),
        ({"username": "layla", "password1": NEW_PASSWORD, "password2": "other"}, "differ"),
        ({"username": "amal", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}, "taken"),
        ({"username": "bad name!", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}, "valid"),
    ],
)
def test_a_refused_acceptance_says_why_and_keeps_the_invitation(
    client, team, project, data, message
):
    _, key = invite(project, team.manager)
    response = client.post(f"/invitations/{key}/", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Invitation.objects.get().accepted_at is None
    assert not User.objects.filter(username="layla").exists()
    assert Membership.objects.filter(project=project).count() == 5


def test_expired_unknown_and_malformed_links_are_refused(client, team, project):
    invitation, key = invite(project, team.manager)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())
    response = client.get(f"/invitations/{key}/")
    assert response.status_code == 404
    assert "expired" in response.content.decode()
    assert client.get("/invitations/wbi_nothing/").status_code == 404
    assert client.get("/invitations/x/").status_code == 404
    refused = api().post(
        "/api/invitations/accept/",
        {"token": key, "username": "layla", "password": NEW_PASSWORD},
        format="json",
    )
    assert refused.status_code == 400
    assert "expired" in refused.json()["detail"]
    assert not User.objects.filter(username="layla").exists()


def test_a_withdrawn_invitation_no_longer_works(client, team, project):
    invitation, key = invite(project, team.manager)
    login(client, team.manager)
    client.post(f"/projects/{project.pk}/invitations/{invitation.pk}/cancel/")
    assert not Invitation.objects.exists()
    client.logout()
    assert client.get(f"/invitations/{key}/").status_code == 404


def test_accepting_through_the_api_gives_an_account_that_logs_in(team, project):
    _, key = invite(project, team.manager)
    response = api().post(
        "/api/invitations/accept/",
        {"token": key, "username": "layla", "password": NEW_PASSWORD},
        format="json",
    )
    assert response.status_code == 201
    layla = User.objects.get(username="layla")
    assert response.json() == {
        "user": layla.pk,
        "username": "layla",
        "project": project.pk,
        "role": "annotator",
    }
    token = api().post(
        "/api/auth/token/", {"username": "layla", "password": NEW_PASSWORD}, format="json"
    )
    assert token.status_code == 200
    weak = api().post(
        "/api/invitations/accept/",
        {"token": key, "username": "other", "password": NEW_PASSWORD},
        format="json",
    )
    assert weak.status_code == 400 and weak.json()["field"] == "token"


# ---- the members page ----


def test_members_page_by_role(client, team, project):
    url = f"/projects/{project.pk}/members/"
    login(client, team.manager)
    html = client.get(url).content.decode()
    assert 'id="invite-form"' in html and "amal" in html
    login(client, team.reviewer)
    response = client.get(url)
    assert response.status_code == 200
    assert 'id="invite-form"' not in response.content.decode()
    login(client, team.annotator)
    assert client.get(url).status_code == 403
    login(client, team.outsider)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


@pytest.mark.parametrize(
    ("who", "path", "data"),
    [
        ("reviewer", "members/invite/", {"who": "x@example.org", "role": "annotator"}),
        ("annotator", "members/invite/", {"who": "x@example.org", "role": "annotator"}),
        ("reviewer", "members/{uid}/", {"role": "reviewer"}),
        ("annotator", "members/{uid}/", {"remove": "1"}),
        ("reviewer", "invitations/{iid}/cancel/", {}),
    ],
)
def test_only_managers_post_the_members_forms(client, team, project, who, path, data):
    invitation, _ = invite(project, team.manager)
    path = path.format(uid=team.annotator3.pk, iid=invitation.pk)
    login(client, team[who])
    assert client.post(f"/projects/{project.pk}/{path}", data).status_code == 403
    login(client, team.outsider)
    assert client.post(f"/projects/{project.pk}/{path}", data).status_code == 404
    assert Invitation.objects.get() == invitation
    assert Membership.objects.get(project=project, user=team.annotator3).role == Role.ANNOTATOR


def test_the_invitation_link_is_shown_once_on_the_members_page(client, team, project):
    login(client, team.manager)
    response = client.post(
        f"/projects/{project.pk}/members/invite/",
        {"who": "layla@example.org", "role": "annotator"},
        follow=True,
    )
    assert "Invitation sent to layla@example.org." in messages_of(response)
    link = mail.outbox[0].body.split("http://testserver", 1)[1].split()[0]
    html = response.content.decode()
    assert f'value="http://testserver{link}"' in html
    assert "layla@example.org" in html  # in the open invitations too
    again = client.get(f"/projects/{project.pk}/members/").content.decode()
    assert link not in again


def test_removing_a_member_keeps_their_submitted_work_and_its_history(client, team, project):
    article = project.project_articles.first().article
    assignment = Assignment.objects.create(
        project=project, article=article, annotator=team.annotator
    )
    do_start_assignment(assignment, user=team.annotator)
    content = {"spans": [], "relations": [], "document_labels": {"stance": STANCE}}
    do_submit(assignment, user=team.annotator, version=1, content=content)
    events = AuditEvent.objects.filter(project=project).count()
    assert events > 0
    login(client, team.manager)
    response = client.post(
        f"/projects/{project.pk}/members/{team.annotator.pk}/", {"remove": "1"}, follow=True
    )
    assert "amal removed; their submitted work stays in the project." in messages_of(response)
    assert not Membership.objects.filter(project=project, user=team.annotator).exists()
    assert Annotation.objects.get(assignment=assignment).status == "submitted"
    assert AuditEvent.objects.filter(project=project).count() == events


# ---- accounts (site staff) ----


def test_staff_create_an_account_without_a_password_and_get_a_set_password_link(client, team):
    login(client, team.staff)
    response = client.post(
        "/people/new/", {"username": "nadia", "email": "nadia@example.org"}, follow=True
    )
    assert "Account nadia created." in messages_of(response)
    nadia = User.objects.get(username="nadia")
    assert not nadia.has_usable_password()
    html = response.content.decode()
    start = html.index('id="set-password-url"')
    url = html[start:].split('value="', 1)[1].split('"', 1)[0]
    assert url.startswith("http://testserver/accounts/reset/")
    client.logout()
    form = client.get(url.removeprefix("http://testserver"), follow=True)
    assert form.context["validlink"] is True
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert done.status_code == 302
    nadia.refresh_from_db()
    assert nadia.check_password(NEW_PASSWORD)


def test_staff_deactivate_and_reactivate_an_account(client, team):
    amal = team.annotator
    key = make_api_token(amal)
    amal_client = login(type(client)(), amal)
    login(client, team.staff)
    client.post(f"/people/{amal.pk}/active/", {"active": "0"})
    amal.refresh_from_db()
    assert not amal.is_active
    assert not ApiToken.objects.filter(user=amal).exists()
    assert amal_client.get("/").status_code == 302  # logged out
    assert APIClient().get("/api/projects/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 401
    html = client.get("/people/").content.decode()
    assert "deactivated" in html
    client.post(f"/people/{amal.pk}/active/", {"active": "1"})
    amal.refresh_from_db()
    assert amal.is_active
    assert type(client)().login(username="amal", password=PASSWORD)


def test_staff_cannot_deactivate_themselves_or_other_staff(client, team):
    other_staff = make_user("salma", is_staff=True)
    login(client, team.staff)
    response = client.post(f"/people/{team.staff.pk}/active/", {"active": "0"}, follow=True)
    assert any("your own account" in m for m in messages_of(response))
    assert client.post(f"/people/{other_staff.pk}/active/", {"active": "0"}).status_code == 403
    other_staff.refresh_from_db()
    team.staff.refresh_from_db()
    assert other_staff.is_active and team.staff.is_active


def test_accounts_pages_are_for_staff_only(client, team):
    for who in ("manager", "annotator", "outsider"):
        login(client, team[who])
        assert client.get("/people/").status_code == 403
        assert client.post("/people/new/", {"username": "x"}).status_code == 403
        assert (
            client.post(f"/people/{team.annotator2.pk}/active/", {"active": "0"}).status_code == 403
        )
    client.logout()
    assert client.get("/people/").status_code == 302
    assert not User.objects.filter(username="x").exists()
    assert User.objects.get(pk=team.annotator2.pk).is_active


def test_accounts_api(team, django_assert_num_queries):
    client = api(team.staff)
    with django_assert_num_queries(2):  # count, page
        response = client.get("/api/users/?q=a")
    assert response.status_code == 200
    names = [row["username"] for row in response.json()["results"]]
    assert names == ["amal", "badr", "chadi", "mona", "omar", "rami", "sami"]
    created = client.post(
        "/api/users/", {"username": "nadia", "email": "nadia@example.org"}, format="json"
    )
    assert created.status_code == 201
    assert created.json()["set_password_link"].startswith("http://testserver/accounts/reset/")
    weak = client.post("/api/users/", {"username": "weak", "password": "123"}, format="json")
    assert weak.status_code == 400 and weak.json()["field"] == "password"
    assert not User.objects.filter(username="weak").exists()
    taken = client.post("/api/users/", {"username": "AMAL"}, format="json")
    assert taken.status_code == 400 and taken.json()["field"] == "username"
    staff = client.post("/api/users/", {"username": "boss", "is_staff": True}, format="json")
    assert staff.status_code == 403  # only superusers make staff
    patched = client.patch(f"/api/users/{team.annotator.pk}/", {"is_active": False}, format="json")
    assert patched.status_code == 200 and patched.json()["is_active"] is False
    assert (
        client.patch(f"/api/users/{team.staff.pk}/", {"is_active": False}, format="json").json()[
            "field"
        ]
        == "is_active"
    )


def test_a_blank_password_in_a_form_is_refused_not_taken_as_left_out(team):
    response = api(team.staff).post(
        "/api/users/", {"username": "nadia", "password": ""}, format="multipart"
    )
    assert response.status_code == 400, response.content
    assert response.json()["field"] == "password"
    assert not User.objects.filter(username="nadia").exists()


def test_patching_an_account_with_nothing_changes_nothing(team):
    client = api(team.staff)
    url = f"/api/users/{team.annotator.pk}/"
    for body_format in ("json", "multipart"):
        response = client.patch(url, {}, format=body_format)
        assert response.status_code == 200, response.content
        assert response.json()["is_active"] is True
    assert User.objects.get(pk=team.annotator.pk).is_active


def test_an_account_is_deactivated_by_true_or_false_only(team):
    client = api(team.staff)
    url = f"/api/users/{team.annotator.pk}/"
    for body, body_format in [({"is_active": "0"}, "multipart"), ({"is_active": 0}, "json")]:
        refused = client.patch(url, body, format=body_format)
        assert refused.status_code == 400, refused.content
        assert refused.json()["field"] == "is_active"
    assert User.objects.get(pk=team.annotator.pk).is_active
    taken = client.patch(url, {"is_active": "false"}, format="multipart")
    assert taken.status_code == 200 and taken.json()["is_active"] is False
    assert not User.objects.get(pk=team.annotator.pk).is_active


# ---- manage.py createuser ----


def test_createuser_with_a_password_from_stdin_joins_a_project(team, project):
    out = io.StringIO()
    call_command(
        "createuser",
        "nadia",
        "--email=nadia@example.org",
        "--password-stdin",
        f"--project={project.name}",
        "--role=reviewer",
        stdin=io.StringIO(NEW_PASSWORD + "\n"),
        stdout=out,
    )
    nadia = User.objects.get(username="nadia")
    assert nadia.check_password(NEW_PASSWORD)
    assert Membership.objects.get(project=project, user=nadia).role == Role.REVIEWER
    assert out.getvalue() == f"created nadia\nmember of {project.name} as reviewer\n"


def test_createuser_without_a_password_prints_a_set_password_link():
    out = io.StringIO()
    call_command("createuser", "nadia", "--base-url=https://annotate.example.org/", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "created nadia"
    assert lines[1].startswith("set-password link: https://annotate.example.org/accounts/reset/")
    assert not User.objects.get(username="nadia").has_usable_password()


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["amal"], "", "username: the username 'amal' is taken"),
        (["nadia", "--password-stdin"], "123\n", "password: This password is too short"),
        (["nadia", "--password-stdin"], "", "standard input held no password"),
        (["nadia", "--role=manager"], "", "--role needs --project"),
        (["nadia", "--project=nope"], "", "no project with id or name 'nope'"),
        (["nadia", "--email=nope"], "", "email: 'nope' is not an e-mail address"),
    ],
)
def test_createuser_errors_change_nothing(team, args, stdin, message):
    with pytest.raises(CommandError, match=message):
        call_command("createuser", *args, stdin=io.StringIO(stdin), stdout=io.StringIO())
    assert not User.objects.filter(username="nadia").exists()
