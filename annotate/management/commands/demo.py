"""python manage.py demo: a running workbench with demo data, in one command.

Migrates the database, imports the demo corpus shipped in corpus/demo/articles.jsonl, creates
the demo users (a manager, a reviewer and three annotators, all with the published password
below) and the project "Demo: Syria news" holding every demo article, prints the logins, then
starts the development server. Running it again changes nothing. Because the password is
public, it refuses to run when DEBUG is off unless --force is given.

Each step is a function so the demo can grow (assignments, sample annotations) step by step.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from annotate.models import Membership, Project, Role
from annotate.projects import do_add_articles, do_create_project
from annotate.schema import default_schema
from corpus.importing import ImportReport, do_import_articles
from corpus.models import Corpus
from corpus.parsers import parse_jsonl

# Published on purpose (demo data only); the command refuses to run with DEBUG off.
DEMO_PASSWORD = "arabic-demo-2026"  # noqa: S105
DEMO_CORPUS = "Demo news"
DEMO_PROJECT = "Demo: Syria news"
DEMO_FILE = Path(settings.BASE_DIR) / "corpus" / "demo" / "articles.jsonl"
# (username, role in the demo project, display name)
DEMO_USERS: tuple[tuple[str, str, str], ...] = (
    ("mona", Role.MANAGER, "Mona"),
    ("rami", Role.REVIEWER, "Rami"),
    ("amal", Role.ANNOTATOR, "Amal"),
    ("badr", Role.ANNOTATOR, "Badr"),
    ("chadi", Role.ANNOTATOR, "Chadi"),
)
DEMO_GUIDELINES = """\
# Demo guidelines

Mark **entities** (PER, ORG, LOC, GPE, MILITARY_GROUP, EVENT, DATE) and **claims** (CLAIM, with
the claimant and whether it is check-worthy), then give the article's **stance** towards each
target (ISIS, the Syrian army, the US-led coalition).

- Mark a name without its clitics: in `وداعش` mark only `داعش`.
- Quotes are part of a claim only when the claim is the quoted words.
- Dates: mark the whole expression, e.g. `آذار/مارس 2019`.
"""


def build_demo_corpus() -> tuple[Corpus, ImportReport]:
    """The demo corpus with every article of corpus/demo/articles.jsonl (imported once)."""
    records = parse_jsonl(DEMO_FILE.read_bytes(), name=DEMO_FILE.name)
    report = do_import_articles(DEMO_CORPUS, records)
    return Corpus.objects.get(pk=report.corpus_id), report


def build_demo_users() -> dict[str, object]:
    """The demo users by username; existing users are left as they are."""
    User = get_user_model()
    users = {}
    for username, role, display in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username,
            # The manager is staff: staff create projects and see the admin.
            defaults={"first_name": display, "is_staff": role == Role.MANAGER},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        users[username] = user
    return users


def build_demo_project(corpus: Corpus, users: dict[str, object]) -> Project:
    """The demo project: default schema, every demo article, the demo users as members."""
    project = Project.objects.filter(name=DEMO_PROJECT).first()
    if project is None:
        project = do_create_project(
            user=users["mona"],
            name=DEMO_PROJECT,
            description="Syria news, 2017-2019: entities, claims and stance. Demo data.",
            guidelines=DEMO_GUIDELINES,
            schema=default_schema(),
            # Every article goes to all three annotators, so agreement has data everywhere.
            overlap_k=3,
            overlap_fraction=1.0,
            assignment_seed=2026,
        )
    do_add_articles(project, corpus=corpus, all_of_corpus=True)
    roles = dict(Membership.objects.filter(project=project).values_list("user_id", "role"))
    for username, role, _display in DEMO_USERS:
        user = users[username]
        if user.pk not in roles:
            Membership.objects.create(project=project, user=user, role=role)
    return project


def build_demo() -> tuple[Corpus, dict[str, object], Project, ImportReport]:
    with transaction.atomic():
        corpus, report = build_demo_corpus()
        users = build_demo_users()
        project = build_demo_project(corpus, users)
    return corpus, users, project, report


class Command(BaseCommand):
    help = (
        "Migrate, load the demo corpus, users and project, print the logins and start the "
        "development server. Idempotent. Refuses to run with DEBUG off unless --force."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "addrport", nargs="?", default="127.0.0.1:8000", help="where to serve (runserver)"
        )
        parser.add_argument(
            "--no-serve", action="store_true", help="set up the demo data, do not serve"
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="run even with DEBUG off (creates users with a published password)",
        )

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "The demo creates users with a published password, so it does not run with "
                "DEBUG off. Use a development setup, or pass --force if you really mean it."
            )
        call_command("migrate", interactive=False, verbosity=0)
        corpus, users, project, report = build_demo()

        addrport = options["addrport"]
        host_port = addrport if ":" in addrport else f"127.0.0.1:{addrport}"
        url = f"http://{host_port}/"
        out = self.stdout
        out.write(f"Demo corpus {corpus.name!r}: {report.summary}")
        out.write(f"Demo project {project.name!r}: {project.project_articles.count()} articles")
        out.write("")
        out.write(f"Logins (password for all: {DEMO_PASSWORD}):")
        for username, role, _display in DEMO_USERS:
            out.write(f"  {username:<6} {role}")
        out.write("")
        out.write(f"Open {url} and log in.")
        if not options["no_serve"]:
            call_command("runserver", addrport, use_reloader=False)
