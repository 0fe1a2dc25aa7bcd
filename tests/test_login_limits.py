"""Login throttling on the login form and POST /api/auth/token/ (workbench/login_limits.py):
refused before the password is hashed, per username and per IP, and only for a while."""

from unittest import mock

from django.contrib.auth.backends import ModelBackend
from django.core import mail
from django.test import TestCase, override_settings
from rest_framework.test import APIClient

from tests.factories import make_user
from workbench import login_limits

PASSWORD = "correct horse battery"
WINDOW = 900


def api_login(password: str, *, ip: str = "10.0.0.1", username: str = "amal"):
    return APIClient(REMOTE_ADDR=ip).post(
        "/api/auth/token/", {"username": username, "password": password}, format="json"
    )


@override_settings(
    LOGIN_WINDOW_SECONDS=WINDOW, LOGIN_ATTEMPTS_PER_IP=30, LOGIN_FAILURES_PER_USER=10
)
class LoginLimitTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.user = make_user("amal")
        cls.user.set_password(PASSWORD)
        cls.user.save()

    def form_login(self, password: str, *, ip: str = "10.0.0.1"):
        return self.client.post(
            "/accounts/login/", {"username": "amal", "password": password}, REMOTE_ADDR=ip
        )

    def test_forty_wrong_passwords_then_the_right_one_is_refused_by_the_api(self):
        for _ in range(40):
            self.assertIn(api_login("guess").status_code, {400, 429})
        response = api_login(PASSWORD)
        self.assertEqual(response.status_code, 429)
        self.assertIn("Too many login attempts", response.json()["detail"])
        self.assertGreater(int(response.headers["Retry-After"]), 0)

    def test_forty_wrong_passwords_then_the_right_one_is_refused_by_the_form(self):
        for _ in range(40):
            self.form_login("guess")
        response = self.form_login(PASSWORD)
        self.assertEqual(response.status_code, 429)
        self.assertContains(response, "Too many login attempts", status_code=429)
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_a_locked_username_is_refused_from_every_address_until_the_cool_off(self):
        for i in range(10):
            self.assertEqual(api_login("guess", ip=f"10.0.1.{i}").status_code, 400)
        self.assertEqual(api_login(PASSWORD, ip="192.0.2.7").status_code, 429)
        self.assertEqual(self.form_login(PASSWORD, ip="192.0.2.8").status_code, 429)
        later = login_limits.time.time() + WINDOW + 1
        with mock.patch.object(login_limits.time, "time", return_value=later):
            self.assertEqual(api_login(PASSWORD, ip="192.0.2.7").status_code, 200)
            response = self.form_login(PASSWORD, ip="192.0.2.8")
        self.assertRedirects(response, "/", fetch_redirect_response=False)

    def test_one_address_gets_a_bounded_number_of_tries_over_many_usernames(self):
        for i in range(30):
            self.assertEqual(api_login("guess", username=f"user{i}").status_code, 400)
        self.assertEqual(api_login(PASSWORD).status_code, 429)
        self.assertEqual(api_login(PASSWORD, ip="10.0.0.2").status_code, 200)

    def test_a_hostile_burst_costs_no_password_hash_once_refused(self):
        with mock.patch.object(
            ModelBackend, "authenticate", autospec=True, side_effect=ModelBackend.authenticate
        ) as checked:
            for _ in range(200):
                api_login("guess")
                self.form_login("guess")
        # Ten wrong passwords lock the username; nothing after that reaches the hasher.
        self.assertEqual(checked.call_count, 10)

    def test_a_second_login_from_an_address_that_is_mid_login_is_refused_at_once(self):
        request = APIClient(REMOTE_ADDR="10.0.0.9").get("/").wsgi_request
        with (
            login_limits.guard_login(request, "someone"),
            mock.patch.object(ModelBackend, "authenticate") as checked,
        ):
            response = api_login(PASSWORD, ip="10.0.0.9")
        self.assertEqual(response.status_code, 429)
        checked.assert_not_called()
        self.assertEqual(api_login(PASSWORD, ip="10.0.0.9").status_code, 200)

    @override_settings(LOGIN_CONCURRENT=1)
    def test_clients_on_many_addresses_share_a_bounded_number_of_password_checks(self):
        other = APIClient(REMOTE_ADDR="198.51.100.1").get("/").wsgi_request
        with (
            login_limits.guard_login(other, "someone"),
            mock.patch.object(ModelBackend, "authenticate") as checked,
        ):
            by_api = api_login(PASSWORD, ip="203.0.113.1")
            by_form = self.form_login(PASSWORD, ip="203.0.113.2")
        self.assertEqual(by_api.status_code, 429)
        self.assertEqual(by_api.headers["Retry-After"], "1")
        self.assertEqual(by_form.status_code, 429)
        checked.assert_not_called()
        # The slot is free again once the other check has finished.
        self.assertEqual(api_login(PASSWORD, ip="203.0.113.1").status_code, 200)

    @override_settings(LOGIN_CONCURRENT=1)
    def test_a_password_check_that_crashes_frees_its_slot(self):
        crash = RuntimeError("worker died mid-check")
        with (
            mock.patch.object(ModelBackend, "authenticate", side_effect=crash),
            self.assertRaises(RuntimeError),
        ):
            api_login(PASSWORD, ip="203.0.113.3")
        self.assertEqual(api_login(PASSWORD, ip="203.0.113.4").status_code, 200)

    def test_a_successful_login_is_not_counted_against_the_username(self):
        for _ in range(25):
            self.assertEqual(api_login(PASSWORD).status_code, 200)


@override_settings(NUM_PROXIES=1)
def test_behind_a_proxy_the_address_comes_from_x_forwarded_for(rf):
    request = rf.get("/", REMOTE_ADDR="10.9.9.9", HTTP_X_FORWARDED_FOR="203.0.113.5, 198.51.100.2")
    assert login_limits.client_ip(request) == "198.51.100.2"


def test_without_proxies_x_forwarded_for_is_ignored(rf):
    request = rf.get("/", REMOTE_ADDR="10.9.9.9", HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert login_limits.client_ip(request) == "10.9.9.9"


@override_settings(
    LOGIN_WINDOW_SECONDS=WINDOW,
    RESET_REQUESTS_PER_IP=5,
    RESET_MAILS_PER_ADDRESS=2,
)
class PasswordResetLimitTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.user = make_user("amal")
        cls.user.email = "amal@example.org"
        cls.user.set_password(PASSWORD)
        cls.user.save()

    def reset(self, email: str, *, ip: str = "10.0.0.1"):
        return self.client.post("/accounts/password_reset/", {"email": email}, REMOTE_ADDR=ip)

    def test_one_address_gets_a_bounded_number_of_reset_mails_from_anywhere(self):
        for i in range(2):
            self.assertRedirects(
                self.reset("amal@example.org", ip=f"10.0.2.{i}"),
                "/accounts/password_reset/done/",
                fetch_redirect_response=False,
            )
        response = self.reset("AMAL@Example.org", ip="10.0.2.9")
        self.assertContains(response, "Too many password reset requests", status_code=429)
        self.assertEqual(len(mail.outbox), 2)

    def test_one_client_gets_a_bounded_number_of_requests_over_many_addresses(self):
        for i in range(5):
            self.assertEqual(self.reset(f"nobody{i}@example.org").status_code, 302)
        self.assertEqual(self.reset("amal@example.org").status_code, 429)
        self.assertEqual(self.reset("amal@example.org", ip="10.0.0.2").status_code, 302)

    def test_an_address_without_an_account_is_counted_the_same_so_the_limit_reveals_nothing(self):
        for _ in range(2):
            self.assertEqual(self.reset("ghost@example.org", ip="10.0.3.1").status_code, 302)
        self.assertEqual(self.reset("ghost@example.org", ip="10.0.3.2").status_code, 429)
