"""The people the tests talk about, and the project team they form.

Every test that needs users speaks of them by what they may do, never as `user3`:

- `manager` (mona) runs a project: members, articles, schema, assignments, exports;
- `reviewer` (rami) watches agreement and adjudicates into gold;
- `annotator` (amal), `annotator2` (badr), `annotator3` (chadi) annotate, so there is
  agreement to measure (usernames sort in that order);
- `outsider` (omar) is logged in but a member of nothing: every project URL is 404 for him;
- `staff` (sami) may create projects and corpora but belongs to no project.

The usernames are the demo's (`manage.py demo`). `make_team()` builds them; the `team`
fixture (tests/conftest.py) builds them once per test module and hands each test its own copy.
`ProjectTeam` is a project with the team as members in their roles.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from annotate.models import Project, Role
from corpus.models import Article
from tests.factories import PASSWORD, make_project, make_user


@dataclass(frozen=True)
class Team:
    manager: Any
    reviewer: Any
    annotator: Any
    annotator2: Any
    annotator3: Any
    outsider: Any
    staff: Any

    def __getitem__(self, who: str):
        """`team["reviewer"]`: for tests parametrized over who is asking."""
        return getattr(self, who)

    @property
    def roles(self) -> dict[Any, str]:
        """Each member's role in a project of the team (the outsider and staff are not in)."""
        return {
            self.manager: Role.MANAGER,
            self.reviewer: Role.REVIEWER,
            self.annotator: Role.ANNOTATOR,
            self.annotator2: Role.ANNOTATOR,
            self.annotator3: Role.ANNOTATOR,
        }


def make_team() -> Team:
    return Team(
        manager=make_user("mona"),
        reviewer=make_user("rami"),
        annotator=make_user("amal"),
        annotator2=make_user("badr"),
        annotator3=make_user("chadi"),
        outsider=make_user("omar"),
        staff=make_user("sami", is_staff=True),
    )


@dataclass
class ProjectTeam:
    """A project whose members are the team, in their roles, with its articles in order."""

    team: Team
    project: Project
    articles: list[Article] = field(default_factory=list)

    @classmethod
    def create(
        cls, team: Team, *, articles: list[Article] = (), without: tuple[str, ...] = (), **fields
    ) -> ProjectTeam:
        """`without` names members to leave out (e.g. ("annotator3",))."""
        left_out = {team[who] for who in without}
        members = {user: role for user, role in team.roles.items() if user not in left_out}
        project = make_project(articles=list(articles), members=members, **fields)
        return cls(team=team, project=project, articles=list(articles))

    def __iter__(self):
        """Unpacks as `project, articles, team`."""
        return iter((self.project, self.articles, self.team))


def login(client, user):
    """`client` logged in as `user` through the login form's backend (password and session)."""
    assert client.login(username=user.username, password=PASSWORD)
    return client


__all__ = ["ProjectTeam", "Team", "login", "make_team"]
