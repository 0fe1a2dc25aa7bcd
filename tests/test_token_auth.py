"""Token authentication of the annotate API: valid, unknown and inactive tokens."""

from django.test import TestCase
from rest_framework.authtoken.models import Token

from tests.base import ProjectTeam, make_team


class TokenAuthenticationTests(TestCase):
    """The team's annotator calls the API with a token instead of a session."""

    @classmethod
    def setUpTestData(cls):
        crew = ProjectTeam.create(make_team())
        cls.user, cls.project = crew.team.annotator, crew.project
        cls.token = Token.objects.create(user=cls.user)

    def get(self, key: str):
        return self.client.get(
            f"/api/projects/{self.project.pk}/queue/", HTTP_AUTHORIZATION=f"Token {key}"
        )

    def test_it_accepts_a_valid_token(self):
        self.assertEqual(self.get(self.token.key).status_code, 200)

    def test_it_rejects_an_unknown_token_with_401(self):
        response = self.get("0" * 40)
        self.assertEqual(response.status_code, 401)
        self.assertEqual(response.json()["detail"], "Invalid token.")

    def test_it_rejects_the_token_of_an_inactive_user_with_401(self):
        self.user.is_active = False
        self.user.save()
        response = self.get(self.token.key)
        self.assertEqual(response.status_code, 401)
        self.assertEqual(response.json()["detail"], "User inactive or deleted.")
