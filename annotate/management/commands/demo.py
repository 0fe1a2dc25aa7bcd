"""python manage.py demo: a running workbench with demo data, in one command.

Migrates the database, imports the demo corpus shipped in corpus/demo/articles.jsonl, creates
the demo users (a manager, a reviewer and three annotators, all with the published password
below) and the project "Demo: Syria news" holding every demo article, prints the logins, then
starts the development server. Running it again changes nothing. Because the password is
public, it refuses to run when DEBUG is off unless --force is given.

Each step is a function so the demo can grow (assignments, sample annotations) step by step.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from annotate.annotations import do_save_draft, do_start_assignment, do_submit
from annotate.comments import do_comment, do_skip_with_reason
from annotate.gold import do_save_gold
from annotate.lib.merge import Submission, merge
from annotate.lib.schema import default_schema
from annotate.models import (
    Annotation,
    Assignment,
    AssignmentStatus,
    Comment,
    FlagKind,
    Gold,
    Membership,
    Project,
    Role,
)
from annotate.projects import do_add_articles, do_create_project
from annotate.queue import do_generate_assignments
from corpus.importing import ImportReport, do_import_articles
from corpus.lib.parsers import parse_jsonl
from corpus.lib.text import is_cluster_boundary
from corpus.models import Corpus
from corpus.owners import do_add_owner

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


def build_demo_corpus(owner) -> tuple[Corpus, ImportReport]:
    """The demo corpus with every article of corpus/demo/articles.jsonl (imported once),
    owned by `owner` (the demo's manager)."""
    records = parse_jsonl(DEMO_FILE.read_bytes(), name=DEMO_FILE.name)
    report = do_import_articles(DEMO_CORPUS, records)
    corpus = Corpus.objects.get(pk=report.corpus_id)
    do_add_owner(corpus, user=owner)
    return corpus, report


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
    do_add_articles(project, by=users["mona"], corpus=corpus, all_of_corpus=True)
    roles = dict(Membership.objects.filter(project=project).values_list("user_id", "role"))
    for username, role, _display in DEMO_USERS:
        user = users[username]
        if user.pk not in roles:
            Membership.objects.create(project=project, user=user, role=role)
    return project


# What the demo annotators find in the text: (surface form, label). Clitics stay outside.
DEMO_GAZETTEER: tuple[tuple[str, str], ...] = (
    ("قوات سوريا الديمقراطية", "MILITARY_GROUP"),
    ("التحالف الدولي", "MILITARY_GROUP"),
    ("الجيش السوري", "MILITARY_GROUP"),
    ("داعش", "MILITARY_GROUP"),
    ("الولايات المتحدة", "GPE"),
    ("الرَّقَّة", "GPE"),
    ("دير الزور", "GPE"),
    ("البوكمال", "GPE"),
    ("حلب", "GPE"),
    ("دمشق", "GPE"),
    ("منبج", "GPE"),
    ("سراقب", "GPE"),
    ("الباغوز", "LOC"),
    ("القريتين", "LOC"),
    ("الفرات", "LOC"),
    ("مخيم عين عيسى", "LOC"),
    ("معبر نصيب", "LOC"),
    ("Mark Ellison", "PER"),
    ("Sarah Whitfield", "PER"),
    ("وزارة الخارجية الروسية", "ORG"),
    ("وزارة الدفاع الروسية", "ORG"),
    ("صباح الإثنين", "DATE"),
)
# How each demo annotator departs from the gazetteer, so agreement has something to measure.
DEMO_HABITS = {
    "amal": {"skip_every": 0, "relabel": {}, "stance_shift": 0},
    "badr": {"skip_every": 4, "relabel": {"التحالف الدولي": "ORG"}, "stance_shift": 3},
    "chadi": {"skip_every": 3, "relabel": {"داعش": "ORG", "الرَّقَّة": "LOC"}, "stance_shift": 2},
}
DEMO_SUBMITTED_ARTICLES = 8  # of 12: the rest stay in the annotators' queues
DEMO_GOLD_ARTICLES = 5  # of the submitted ones: adjudicated by the reviewer
QUOTE_RE = re.compile(r"[«“]([^»”]{8,400})[»”]")


def _find_spans(text: str, username: str) -> list[dict]:
    habits = DEMO_HABITS[username]
    spans: list[dict] = []
    taken: list[tuple[int, int]] = []
    n = 0
    for surface, label in DEMO_GAZETTEER:
        for match in re.finditer(re.escape(surface), text):
            start, end = match.span()
            if any(s < end and start < e for s, e in taken):
                continue
            if not (is_cluster_boundary(text, start) and is_cluster_boundary(text, end)):
                continue
            n += 1
            if habits["skip_every"] and n % habits["skip_every"] == 0:
                continue
            taken.append((start, end))
            spans.append(
                {
                    "id": f"e{start}",
                    "start": start,
                    "end": end,
                    "label": habits["relabel"].get(surface, label),
                    "text": text[start:end],
                    "attributes": {},
                }
            )
    return spans


def demo_content(text: str, username: str, article_index: int) -> dict:
    """A plausible annotation of `text` by one demo annotator (deterministic)."""
    spans = _find_spans(text, username)
    relations = []
    quote = QUOTE_RE.search(text)
    if quote:
        start, end = quote.span(1)
        claimant = max(
            (s for s in spans if s["end"] <= quote.start()), default=None, key=lambda s: s["end"]
        )
        by_entity = claimant is not None and username != "chadi"
        spans.append(
            {
                "id": f"c{start}",
                "start": start,
                "end": end,
                "label": "CLAIM",
                "text": text[start:end],
                "attributes": {
                    "checkworthy": article_index % 3 != 0 or username == "badr",
                    "claimant": None if by_entity else "unattributed",
                    "stance": "reports" if username != "badr" or article_index % 2 else "supports",
                },
            }
        )
        if by_entity:
            relations.append({"type": "claimant", "from": f"c{start}", "to": claimant["id"]})
    mentioned = {
        "isis": "داعش" in text or "التنظيم" in text,
        "syrian_army": "الجيش السوري" in text,
        "us_coalition": "التحالف" in text,
    }
    stance = {}
    shift = DEMO_HABITS[username]["stance_shift"]
    for i, (target, present) in enumerate(mentioned.items()):
        value = ("against" if target == "isis" else "neutral") if present else "not_mentioned"
        if shift and (article_index + i) % shift == 0 and present:
            value = "neutral" if value == "against" else "against"
        stance[target] = value
    return {"spans": spans, "relations": relations, "document_labels": {"stance": stance}}


def build_demo_work(project: Project, users: dict[str, object]) -> int:
    """Assignments for everyone, and submitted work by all three annotators on the first
    articles (spread over past weeks so agreement over time has points). Returns how many
    annotations were submitted now (0 when the demo already has them)."""
    do_generate_assignments(project)
    if Annotation.objects.filter(project=project).exists():
        return 0
    articles = list(
        project.project_articles.order_by("position").select_related("article")[
            :DEMO_SUBMITTED_ARTICLES
        ]
    )
    now = timezone.now()
    submitted = 0
    for index, project_article in enumerate(articles):
        article = project_article.article
        for username in DEMO_HABITS:
            assignment = Assignment.objects.get(
                project=project, article=article, annotator=users[username]
            )
            content = demo_content(article.text, username, index)
            annotation = _submit(assignment, users[username], content)
            when = now - timedelta(days=7 * (len(articles) - index) // 2, hours=index)
            Annotation.objects.filter(pk=annotation.pk).update(submitted_at=when)
            # Active time as the annotation page would have measured it: 3 to 14 minutes.
            minutes = 3 + (index * 5 + len(username) * 3) % 12
            Assignment.objects.filter(pk=assignment.pk).update(
                submitted_at=when, active_ms=minutes * 60_000 + index * 7_000
            )
            submitted += 1
    build_demo_gold(project, users, articles[:DEMO_GOLD_ARTICLES])
    return submitted


DEMO_SKIP_REASONS = [
    "ليست خبرًا: قائمة الموقع أو تعليقات القرّاء",
    "مكررة (خبر آخر بالنص نفسه)",
    "النص مقطوع أو تالف",
    "خارج موضوع المشروع",
]
DEMO_QUESTION = (
    "هل يُعدّ **المتحدث باسم** جهةٍ ما شخصًا (PER) حين لا يُذكر اسمه؟\n\n"
    "Does an unnamed *spokesman* count as PER?"
)
DEMO_ANSWER = (
    "لا: علّم الجهة نفسها (ORG أو MILITARY_GROUP) واجعلها صاحبة الادعاء. "
    "No: mark the organisation, and make it the claimant."
)


def build_demo_talk(project: Project, users: dict[str, object]) -> None:
    """Skip reasons, one article skipped with a reason (chadi's last), and one flagged with a
    question that the reviewer answered (amal's first open article). Once only."""
    if Comment.objects.filter(project=project).exists():
        return
    Project.objects.filter(pk=project.pk).update(skip_reasons=DEMO_SKIP_REASONS)
    project.skip_reasons = DEMO_SKIP_REASONS
    open_articles = list(
        project.project_articles.order_by("position").values_list("article_id", flat=True)
    )[DEMO_SUBMITTED_ARTICLES:]
    skipped = Assignment.objects.get(
        project=project, article_id=open_articles[-1], annotator=users["chadi"]
    )
    skipped.project = project
    do_skip_with_reason(
        skipped,
        user=users["chadi"],
        choice=DEMO_SKIP_REASONS[0],
        note="الصفحة روابط وتعليقات فقط",
    )
    flagged = Assignment.objects.select_related("article").get(
        project=project, article_id=open_articles[0], annotator=users["amal"]
    )
    project.my_role = Role.ANNOTATOR  # type: ignore[attr-defined]  # as access_* sets it
    question = do_comment(
        project, flagged.article, user=users["amal"], body=DEMO_QUESTION, flag=FlagKind.QUESTION
    )
    project.my_role = Role.REVIEWER  # type: ignore[attr-defined]
    do_comment(
        project, flagged.article, user=users["rami"], body=DEMO_ANSWER, parent_id=question.pk
    )


def build_demo_gold(project: Project, users: dict[str, object], project_articles) -> None:
    """The reviewer's gold on the first submitted articles: the majority of the three
    annotations (every annotator then has articles to be measured against gold)."""
    for project_article in project_articles:
        article = project_article.article
        if Gold.objects.filter(project=project, article=article).exists():
            continue
        submissions = [
            Submission(username, content)
            for username, content in Annotation.objects.filter(
                project=project, article=article
            ).values_list("annotator__username", "content")
        ]
        proposal = merge(submissions, claim_label="CLAIM")["proposal"]
        do_save_gold(project, article, user=users["rami"], version=0, content=proposal)


def _submit(assignment: Assignment, user, content: dict) -> Annotation:
    annotation = do_start_assignment(assignment, user=user)
    annotation = do_save_draft(assignment, user=user, version=annotation.version, content=content)
    return do_submit(assignment, user=user, version=annotation.version)


def build_demo() -> tuple[Corpus, dict[str, object], Project, ImportReport]:
    with transaction.atomic():
        users = build_demo_users()
        corpus, report = build_demo_corpus(users["mona"])
        project = build_demo_project(corpus, users)
        build_demo_work(project, users)
        build_demo_talk(project, users)
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
        submitted = Assignment.objects.filter(
            project=project, status=AssignmentStatus.SUBMITTED
        ).count()
        out.write(
            f"Demo project {project.name!r}: {project.project_articles.count()} articles, "
            f"{submitted} annotations submitted by amal, badr and chadi"
        )
        out.write("")
        out.write(f"Logins (password for all: {DEMO_PASSWORD}):")
        for username, role, _display in DEMO_USERS:
            out.write(f"  {username:<6} {role}")
        out.write("")
        out.write(f"Open {url} and log in.")
        if not options["no_serve"]:
            call_command("runserver", addrport, use_reloader=False)
