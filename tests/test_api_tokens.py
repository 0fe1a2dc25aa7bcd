"""REST API login tokens: hashed at rest, expiring, listed and revoked by their owner, revoked
by a password change or reset, and still sent as `Authorization: Token <key>`."""

import hashlib
import importlib
from datetime import timedelta
from types import SimpleNamespace

from django.apps import apps
from django.core import mail
from django.db import connection
from django.test import TestCase, override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from annotate.api.authentication import LeanTokenAuthentication
from annotate.models import ApiToken
from tests.factories import make_api_token, make_project, make_user

PASSWORD = "correct horse battery"


class ApiTokenTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.user = make_user("tokenuser", email="tokenuser@example.org")
        cls.user.set_password(PASSWORD)
        cls.user.save()
        cls.other = make_user("other")
        cls.project = make_project(members={cls.user: "annotator"})

    def login(self, **extra) -> dict:
        response = APIClient().post(
            "/api/auth/token/",
            {"username": "tokenuser", "password": PASSWORD, **extra},
            format="json",
        )
        self.assertEqual(response.status_code, 200, response.content)
        return response.json()

    def get(self, key: str):
        return APIClient().get(
            f"/api/projects/{self.project.pk}/queue/", HTTP_AUTHORIZATION=f"Token {key}"
        )

    def test_logging_in_answers_a_token_and_its_expiry_and_stores_only_its_hash(self):
        before = timezone.now()
        body = self.login()
        token = ApiToken.objects.get(user=self.user)
        self.assertEqual(token.key_hash, hashlib.sha256(body["token"].encode()).hexdigest())
        self.assertTrue(body["token"].startswith(token.prefix))
        self.assertNotIn(body["token"], str(list(ApiToken.objects.values())))
        self.assertGreaterEqual(token.expires_at, before + timedelta(days=30))
        self.assertEqual(body["expires_at"][:19], token.expires_at.isoformat()[:19])
        self.assertEqual(self.get(body["token"]).status_code, 200)

    def test_it_rejects_an_unknown_token_with_401(self):
        response = self.get("0" * 40)
        self.assertEqual(response.status_code, 401)
        self.assertEqual(response.json()["detail"], "Invalid token.")

    def test_it_rejects_the_token_of_an_inactive_user_with_401(self):
        key = make_api_token(self.user)
        self.user.is_active = False
        self.user.save()
        response = self.get(key)
        self.assertEqual(response.status_code, 401)
        self.assertEqual(response.json()["detail"], "User inactive or deleted.")

    def test_an_expired_token_is_refused(self):
        key = make_api_token(self.user)
        ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
        response = self.get(key)
        self.assertEqual(response.status_code, 401)
        self.assertIn("expired", response.json()["detail"])

    @override_settings(API_TOKEN_DAYS=2)
    def test_the_lifetime_is_a_setting(self):
        self.login()
        lifetime = ApiToken.objects.get().expires_at - timezone.now()
        self.assertLess(lifetime, timedelta(days=2, seconds=5))

    def test_authenticating_a_token_is_one_query(self):
        key = make_api_token(self.user)
        with self.assertNumQueries(1):
            user, token = LeanTokenAuthentication().authenticate_credentials(key)
        self.assertEqual(user, self.user)
        self.assertEqual(token.user_id, self.user.pk)

    def test_the_owner_lists_their_tokens_without_keys_and_sees_which_is_current(self):
        first = self.login(name="laptop")["token"]
        self.login(name="pipeline")
        make_api_token(self.other)
        client = APIClient(HTTP_AUTHORIZATION=f"Token {first}")
        with self.assertNumQueries(2):  # authentication, the list
            listed = client.get("/api/auth/tokens/").json()
        self.assertEqual([t["name"] for t in listed], ["pipeline", "laptop"])
        self.assertEqual([t["current"] for t in listed], [False, True])
        self.assertNotIn("token", listed[0])
        self.assertNotIn(first, str(listed))

    def test_the_owner_revokes_one_token_and_nobody_else_can(self):
        key = self.login()["token"]
        spare = self.login()["token"]
        token = ApiToken.objects.get(key_hash=hashlib.sha256(key.encode()).hexdigest())
        outsider = APIClient(HTTP_AUTHORIZATION=f"Token {make_api_token(self.other)}")
        self.assertEqual(outsider.delete(f"/api/auth/tokens/{token.pk}/").status_code, 404)
        owner = APIClient(HTTP_AUTHORIZATION=f"Token {spare}")
        self.assertEqual(owner.delete(f"/api/auth/tokens/{token.pk}/").status_code, 204)
        self.assertEqual(self.get(key).status_code, 401)
        self.assertEqual(self.get(spare).status_code, 200)

    def test_logging_out_revokes_the_token_in_use(self):
        key = self.login()["token"]
        client = APIClient(HTTP_AUTHORIZATION=f"Token {key}")
        self.assertEqual(client.delete("/api/auth/tokens/current/").status_code, 204)
        self.assertEqual(self.get(key).status_code, 401)

    def test_changing_the_password_on_its_page_revokes_every_token(self):
        key = self.login()["token"]
        self.client.login(username="tokenuser", password=PASSWORD)
        response = self.client.post(
            "/accounts/password_change/",
            {
                "old_password": PASSWORD,
                "new_password1": "a brand new secret",
                "new_password2": "a brand new secret",
            },
        )
        self.assertRedirects(response, "/accounts/password_change/done/")
        self.assertEqual(self.get(key).status_code, 401)
        self.assertFalse(ApiToken.objects.filter(user=self.user).exists())

    def test_resetting_the_password_by_mail_revokes_every_token(self):
        key = self.login()["token"]
        response = self.client.post("/accounts/password_reset/", {"email": "tokenuser@example.org"})
        self.assertRedirects(response, "/accounts/password_reset/done/")
        self.assertEqual(len(mail.outbox), 1)
        link = next(line for line in mail.outbox[0].body.splitlines() if "/reset/" in line)
        path = link[link.index("/accounts/reset/") :]
        form = self.client.get(path, follow=True)
        self.assertEqual(form.status_code, 200)
        done = self.client.post(
            form.redirect_chain[-1][0],
            {"new_password1": "a brand new secret", "new_password2": "a brand new secret"},
        )
        self.assertRedirects(done, "/accounts/reset/done/")
        self.assertEqual(self.get(key).status_code, 401)

    def test_other_users_tokens_survive_a_password_change(self):
        kept = make_api_token(self.other)
        self.user.set_password("another secret phrase")
        self.user.save()
        self.assertTrue(ApiToken.objects.filter(user=self.other).exists())
        self.assertEqual(LeanTokenAuthentication().authenticate_credentials(kept)[0], self.other)


class PlainTokenMigrationTests(TestCase):
    def test_plain_tokens_become_hashed_ones_that_still_work(self):
        user = make_user("legacy")
        key = "0123456789abcdef0123456789abcdef01234567"
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, user_id integer, "
                "created timestamp)"
            )
            cursor.execute(
                "INSERT INTO authtoken_token (key, user_id, created) VALUES (%s, %s, %s)",
                [key, user.pk, timezone.now()],
            )
        migration = importlib.import_module("annotate.migrations.0007_hash_plain_api_tokens")
        migration.hash_plain_tokens(apps, SimpleNamespace(connection=connection))
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM authtoken_token")
            self.assertEqual(cursor.fetchone()[0], 0)
        self.assertEqual(LeanTokenAuthentication().authenticate_credentials(key)[0], user)
        self.assertNotIn(key, str(list(ApiToken.objects.values())))
