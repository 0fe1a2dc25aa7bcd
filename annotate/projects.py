"""Projects: creation, settings, the versioned label schema, articles and members.

Each do_* function validates, then changes the database in one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Count, IntegerField, Max, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from annotate.agreement import do_request_rebuild
from annotate.errors import ActionError, ConflictError
from annotate.guideline_versions import check_summary, do_change_guidelines, record_first_version
from annotate.lib.content import used_vocabulary
from annotate.lib.overlap import OverlapError, check_policy
from annotate.lib.schema import check_schema, check_schema_change, default_schema
from annotate.models import (
    AgreementTotals,
    Annotation,
    Assignment,
    Gold,
    Membership,
    Project,
    ProjectArticle,
    Role,
    SchemaVersion,
)
from annotate.queue import release_unstarted
from corpus.access import check_owns_corpus, owned_corpora, readable_articles, readable_corpora
from corpus.lib.text import normalise_for_search
from corpus.models import Article, Corpus

MAX_NAME_LENGTH = 200
MAX_GUIDELINES_LENGTH = 200_000
MAX_QUERY_LENGTH = 200
BATCH = 1000
EDITABLE_FIELDS = frozenset(
    {
        "name",
        "description",
        "guidelines",
        "guidelines_summary",
        "skip_reasons",
        "overlap_k",
        "overlap_fraction",
        "assignment_seed",
    }
)
MAX_SKIP_REASONS = 20
MAX_SKIP_REASON_LENGTH = 200


def projects_for(user) -> QuerySet[Project]:
    """The user's projects with their role and counts, in one query."""
    projects = Project.objects.all()
    if not user.is_superuser:
        projects = projects.filter(memberships__user=user)
    role = Membership.objects.filter(project=OuterRef("pk"), user=user).values("role")[:1]
    my_role = Subquery(role) if not user.is_superuser else Value(Role.MANAGER)
    return projects.annotate(
        my_role=my_role,
        article_count=_count_per_project(ProjectArticle),
        member_count=_count_per_project(Membership),
    ).order_by("name")


def _count_per_project(model, **filters) -> Coalesce:
    rows = (
        model.objects.filter(project=OuterRef("pk"), **filters)
        .order_by()
        .values("project")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def can_create_projects(user) -> bool:
    return bool(user.is_authenticated and (user.is_staff or user.is_superuser))


def check_can_create_project(user) -> None:
    if not can_create_projects(user):
        raise PermissionDenied("Only staff users can create projects.")


def _check_name(name: Any, *, exclude: int | None = None) -> str:
    if not isinstance(name, str) or not name.strip():
        raise ActionError("name", "a project needs a name")
    name = name.strip()
    if len(name) > MAX_NAME_LENGTH:
        raise ActionError("name", f"must be at most {MAX_NAME_LENGTH} characters")
    clash = Project.objects.filter(name=name)
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise ActionError("name", f"a project named {name!r} already exists")
    return name


def _check_text(value: Any, field: str, limit: int) -> str:
    if not isinstance(value, str):
        raise ActionError(field, "must be text")
    if len(value) > limit:
        raise ActionError(field, f"must be at most {limit} characters")
    return value


def check_skip_reasons(reasons: Any) -> list[str]:
    """The project's list of skip reasons: distinct, non-empty lines of text."""
    if not isinstance(reasons, list) or len(reasons) > MAX_SKIP_REASONS:
        raise ActionError("skip_reasons", f"must be a list of at most {MAX_SKIP_REASONS} texts")
    clean: list[str] = []
    for i, reason in enumerate(reasons):
        if not isinstance(reason, str) or not reason.strip():
            raise ActionError(f"skip_reasons[{i}]", "must be a non-empty text")
        reason = " ".join(reason.split())
        if len(reason) > MAX_SKIP_REASON_LENGTH:
            raise ActionError(
                f"skip_reasons[{i}]", f"must be at most {MAX_SKIP_REASON_LENGTH} characters"
            )
        if reason in clean:
            raise ActionError(f"skip_reasons[{i}]", f"{reason!r} is listed twice")
        clean.append(reason)
    return clean


def check_project_fields(changes: dict[str, Any], *, project: Project | None = None) -> dict:
    """Validated values for the editable project fields in `changes`."""
    for extra in sorted(set(changes) - EDITABLE_FIELDS):
        raise ActionError(extra, "is not an editable project field")
    clean: dict[str, Any] = {}
    if "name" in changes:
        clean["name"] = _check_name(changes["name"], exclude=project.pk if project else None)
    if "description" in changes:
        clean["description"] = _check_text(changes["description"], "description", 5000)
    if "guidelines" in changes:
        clean["guidelines"] = _check_text(
            changes["guidelines"], "guidelines", MAX_GUIDELINES_LENGTH
        )
    if "guidelines_summary" in changes:
        clean["guidelines_summary"] = check_summary(changes["guidelines_summary"])
    if "skip_reasons" in changes:
        clean["skip_reasons"] = check_skip_reasons(changes["skip_reasons"])
    k = changes.get("overlap_k", project.overlap_k if project else 1)
    fraction = changes.get("overlap_fraction", project.overlap_fraction if project else 1.0)
    if "overlap_k" in changes or "overlap_fraction" in changes:
        try:
            check_policy(k=k, fraction=fraction)
        except OverlapError as exc:
            raise ActionError(
                "overlap_k" if exc.field == "k" else "overlap_fraction", exc.message
            ) from None
        clean["overlap_k"] = k
        clean["overlap_fraction"] = float(fraction)
    if "assignment_seed" in changes:
        seed = changes["assignment_seed"]
        if isinstance(seed, bool) or not isinstance(seed, int) or abs(seed) > 2**31 - 1:
            raise ActionError("assignment_seed", "must be a whole number")
        clean["assignment_seed"] = seed
    return clean


def do_create_project(
    *,
    user,
    name: str,
    description: str = "",
    guidelines: str = "",
    schema: dict[str, Any] | None = None,
    overlap_k: int = 1,
    overlap_fraction: float = 1.0,
    assignment_seed: int = 0,
) -> Project:
    """A new project with `user` as its manager and schema version 1 on record."""
    check_can_create_project(user)
    fields = check_project_fields(
        {
            "name": name,
            "description": description,
            "guidelines": guidelines,
            "overlap_k": overlap_k,
            "overlap_fraction": overlap_fraction,
            "assignment_seed": assignment_seed,
        }
    )
    canonical = check_schema(default_schema() if schema is None else schema)
    with transaction.atomic():
        try:
            with transaction.atomic():
                project = Project.objects.create(
                    **fields, schema=canonical, schema_version=1, created_by=user
                )
        except IntegrityError:
            # Another request created the same name since the check.
            raise ActionError(
                "name", f"a project named {fields['name']!r} already exists"
            ) from None
        SchemaVersion.objects.create(
            project=project, version=1, schema=canonical, note="created", created_by=user
        )
        record_first_version(project, by=user)
        Membership.objects.create(project=project, user=user, role=Role.MANAGER)
    project.my_role = Role.MANAGER  # type: ignore[attr-defined]  # as annotate.access sets it
    return project


def do_update_project(project: Project, *, by, changes: dict[str, Any]) -> Project:
    """Change name, description, guidelines or the overlap policy defaults."""
    clean = check_project_fields(changes, project=project)
    summary = clean.pop("guidelines_summary", "")
    guidelines = clean.pop("guidelines", None)
    try:
        with transaction.atomic():
            if guidelines is not None:
                do_change_guidelines(project, by=by, text=guidelines, summary=summary)
            if clean:
                for field, value in clean.items():
                    setattr(project, field, value)
                project.save(update_fields=list(clean))
    except IntegrityError:
        raise ActionError("name", f"a project named {clean.get('name')!r} already exists") from None
    return project


def do_delete_project(project: Project, *, by) -> None:
    """Delete a project that holds no annotation work; one with work cannot be deleted."""
    with transaction.atomic():
        annotations = Annotation.objects.filter(project=project).count()
        gold = Gold.objects.filter(project=project).count()
        if annotations or gold:
            raise ConflictError(
                f"The project holds {annotations} annotations and {gold} gold records; "
                "it cannot be deleted."
            )
        project.delete()


def project_contents(project: Project) -> Iterator[dict[str, Any]]:
    """Every annotation and gold document of the project (streamed)."""
    yield from (
        Annotation.objects.filter(project=project)
        .values_list("content", flat=True)
        .iterator(chunk_size=500)
    )
    yield from (
        Gold.objects.filter(project=project)
        .values_list("content", flat=True)
        .iterator(chunk_size=500)
    )


def do_update_schema(project: Project, *, by, schema: Any, note: str = "") -> Project:
    """Replace the schema with a checked successor: bumps schema_version, keeps a snapshot.

    Labels, targets and values used by any annotation or gold record can be retired or renamed
    (the key stays), never removed. An unchanged schema creates no new version.
    """
    note = _check_text(note or "", "note", 500)
    with transaction.atomic():
        locked = Project.objects.select_for_update().get(pk=project.pk)
        labels, targets, values = used_vocabulary(project_contents(locked))
        canonical = check_schema_change(
            locked.schema,
            schema,
            used_labels=labels,
            used_targets=targets,
            used_values=values,
        )
        if canonical != locked.schema:
            locked.schema = canonical
            locked.schema_version += 1
            locked.save(update_fields=["schema", "schema_version"])
            SchemaVersion.objects.create(
                project=locked,
                version=locked.schema_version,
                schema=canonical,
                note=note,
                created_by=by if by is not None and by.is_authenticated else None,
            )
            if AgreementTotals.objects.filter(project=locked).exists():
                # The labels the tables list changed: the totals are rebuilt in the background.
                do_request_rebuild(locked, user=by)
    project.schema = locked.schema
    project.schema_version = locked.schema_version
    return project


@dataclass(frozen=True)
class AddResult:
    added: int
    already: int


def _article_ids(
    project: Project,
    *,
    by,
    article_ids: Iterable[Any] | None,
    corpus: Any,
    q: str | None,
    all_of_corpus: bool,
) -> list[int]:
    if article_ids is not None:
        if corpus is not None or q or all_of_corpus:
            raise ActionError("article_ids", "give either article_ids or a corpus, not both")
        ids: list[int] = []
        for i, value in enumerate(article_ids):
            if isinstance(value, bool) or not isinstance(value, int):
                raise ActionError(f"article_ids[{i}]", "must be an article id")
            ids.append(value)
        if not ids:
            raise ActionError("article_ids", "must list at least one article")
        # Articles the user cannot read do not exist for them; of the rest, those already in
        # the project need no ownership (adding them again changes nothing).
        found = dict(
            readable_articles(by).filter(pk__in=ids).values_list("pk", "corpus_id").iterator()
        )
        missing = sorted(set(ids) - set(found))
        if missing:
            shown = ", ".join(str(m) for m in missing[:10])
            raise ActionError("article_ids", f"no article with id {shown}")
        present = set(
            ProjectArticle.objects.filter(project=project, article_id__in=ids).values_list(
                "article_id", flat=True
            )
        )
        needed = {corpus_id for pk, corpus_id in found.items() if pk not in present}
        if needed:
            owned = set(owned_corpora(by).filter(pk__in=needed).values_list("pk", flat=True))
            if needed - owned:
                raise PermissionDenied(
                    "Only articles of corpora you own can be added to a project; ask the "
                    "corpus's owners."
                )
        return sorted(set(ids))
    if corpus is None:
        raise ActionError("corpus", "give article_ids, or a corpus with q or all")
    if isinstance(corpus, Corpus):
        corpus = corpus.pk
    if isinstance(corpus, bool) or not isinstance(corpus, int):
        raise ActionError("corpus", "must be a corpus id")
    # A corpus the user cannot see does not exist for them; one they only read is 403.
    if not readable_corpora(by).filter(pk=corpus).exists():
        raise ActionError("corpus", f"no corpus with id {corpus}")
    check_owns_corpus(by, corpus)
    articles = Article.objects.filter(corpus_id=corpus)
    if all_of_corpus:
        if q:
            raise ActionError("q", "give either q or all, not both")
    else:
        if not isinstance(q, str) or not q.strip():
            raise ActionError("q", "give a search text, or all: true for the whole corpus")
        if len(q) > MAX_QUERY_LENGTH:
            raise ActionError("q", f"must be at most {MAX_QUERY_LENGTH} characters")
        articles = articles.filter(search_text__contains=normalise_for_search(q.strip()))
    return list(articles.order_by("pk").values_list("pk", flat=True))


def do_add_articles(
    project: Project,
    *,
    by,
    article_ids: Iterable[Any] | None = None,
    corpus: Any = None,
    q: str | None = None,
    all_of_corpus: bool = False,
) -> AddResult:
    """Add articles by id, by a normalised search in a corpus, or a whole corpus.

    `by` must own the articles' corpus (or be staff): a corpus or article they cannot read is
    "no such", one they only read (through a project) is PermissionDenied.

    Idempotent: articles already in the project are counted, not added twice. New articles go
    to the end of the queue in id order.
    """
    ids = _article_ids(
        project, by=by, article_ids=article_ids, corpus=corpus, q=q, all_of_corpus=all_of_corpus
    )
    with transaction.atomic():
        Project.objects.select_for_update().filter(pk=project.pk).first()
        present = set(
            ProjectArticle.objects.filter(project=project).values_list("article_id", flat=True)
        )
        new_ids = [article_id for article_id in ids if article_id not in present]
        start = ProjectArticle.objects.filter(project=project).aggregate(m=Max("position"))["m"]
        start = -1 if start is None else start
        ProjectArticle.objects.bulk_create(
            (
                ProjectArticle(project=project, article_id=article_id, position=start + 1 + i)
                for i, article_id in enumerate(new_ids)
            ),
            batch_size=BATCH,
        )
    return AddResult(added=len(new_ids), already=len(ids) - len(new_ids))


def check_role(role: Any) -> str:
    if role not in Role.values:
        raise ActionError("role", f"must be one of {list(Role.values)}, got {role!r}")
    return str(role)


def _managers_left(project: Project, *, without) -> int:
    return (
        Membership.objects.filter(project=project, role=Role.MANAGER).exclude(user=without).count()
    )


def find_user(*, user_id: Any = None, username: Any = None):
    """The user named by id or username, or ActionError naming the field."""
    users = get_user_model().objects.filter(is_active=True)
    if user_id is not None:
        if isinstance(user_id, bool) or not isinstance(user_id, int):
            raise ActionError("user", "must be a user id")
        found = users.filter(pk=user_id).first()
        if found is None:
            raise ActionError("user", f"no active user with id {user_id}")
        return found
    if isinstance(username, str) and username.strip():
        found = users.filter(username=username.strip()).first()
        if found is None:
            raise ActionError("username", f"no active user named {username.strip()!r}")
        return found
    raise ActionError("user", "give a user id or a username")


def do_set_member(project: Project, *, by, user, role: str) -> Membership:
    """Add `user` with `role`, or change their role. The last manager cannot step down."""
    role = check_role(role)
    with transaction.atomic():
        Project.objects.select_for_update().filter(pk=project.pk).first()
        membership = Membership.objects.filter(project=project, user=user).first()
        if membership is None:
            return Membership.objects.create(project=project, user=user, role=role)
        if (
            membership.role == Role.MANAGER
            and role != Role.MANAGER
            and not _managers_left(project, without=user)
        ):
            raise ActionError("role", "the project's last manager cannot change role")
        if membership.role == Role.ANNOTATOR and role != Role.ANNOTATOR:
            release_unstarted(project, user)
        membership.role = role
        membership.save(update_fields=["role"])
    return membership


def do_remove_member(project: Project, *, by, user) -> None:
    """Remove `user`; their unstarted assignments return to the pool, started work stays."""
    with transaction.atomic():
        Project.objects.select_for_update().filter(pk=project.pk).first()
        membership = Membership.objects.filter(project=project, user=user).first()
        if membership is None:
            raise ActionError("user", f"{user} is not a member of this project")
        if membership.role == Role.MANAGER and not _managers_left(project, without=user):
            raise ActionError("user", "the project's last manager cannot be removed")
        release_unstarted(project, user)
        membership.delete()


@dataclass(frozen=True)
class SetupState:
    """How far a project's set-up is: what the project page's checklist shows."""

    schema_version: int
    active_labels: int
    articles: int
    annotators: int
    assignments: int
    has_guidelines: bool


def setup_state(project: Project) -> SetupState:
    """The checklist's counts in one query (the schema and guidelines are on the project)."""
    counts = (
        Project.objects.filter(pk=project.pk)
        .annotate(
            n_articles=_count_per_project(ProjectArticle),
            n_annotators=_count_per_project(Membership, role=Role.ANNOTATOR),
            n_assignments=_count_per_project(Assignment),
        )
        .values("n_articles", "n_annotators", "n_assignments")
        .get()
    )
    labels = [
        label
        for label in [*project.schema.get("entity_labels", []), project.schema.get("claim_label")]
        if label and not label.get("retired")
    ]
    return SetupState(
        schema_version=project.schema_version,
        active_labels=len(labels),
        articles=counts["n_articles"],
        annotators=counts["n_annotators"],
        assignments=counts["n_assignments"],
        has_guidelines=bool(project.guidelines.strip()),
    )
