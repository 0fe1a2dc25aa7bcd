"""The hand-written SQL of the hot paths, each query beside its ORM reference.

Every API call into a project, an assignment or a draft runs one of these; building the same
query with the ORM costs more CPU than running it (see workbench.sql). Each fast function
`name` has a reference `name_orm` built from plain querysets, obviously correct and slower;
tests/test_sql_equivalence.py checks with hypothesis that both give the same answer on SQLite
and on PostgreSQL. The functions only fetch: who may see what is decided in annotate.access.
"""

from __future__ import annotations

import functools
from typing import Any

from django.db import connection, transaction
from django.db.models import Exists, F, Subquery, TextField
from django.db.models.functions import Cast, Coalesce

from annotate.models import (
    Annotation,
    AnnotationStatus,
    Assignment,
    AssignmentStatus,
    AuditEvent,
    Membership,
    Project,
    ProjectArticle,
    SuggestionSettings,
)
from corpus.models import Article
from workbench.sql import Columns, column_of, concrete_field, fetch_row, insert_row, split_row

ASSIGNMENT = Columns(Assignment, "asg")
PROJECT = Columns(Project, "p")
ANNOTATION = Columns(Annotation, "an")
# The same columns, the draft left as the database's JSON text (`content_json`) for reads
# that only pass it on.
ANNOTATION_RAW = Columns(Annotation, "an", raw_json=["content"])
# The article without its search folding, which only the search box reads.
ARTICLE_FIELDS = [f.name for f in Article._meta.concrete_fields if f.name != "search_text"]
ARTICLE = Columns(Article, "art", only=ARTICLE_FIELDS)

MEMBER_ROLE = f'LEFT JOIN "{Membership._meta.db_table}" m ON m.project_id = p.id AND m.user_id = %s'
PROJECT_SQL = (
    f'SELECT {PROJECT.sql}, m.role FROM "{Project._meta.db_table}" p '  # noqa: S608 - names
    f"{MEMBER_ROLE} WHERE p.id = %s"
)
PROJECT_ARTICLE_SQL = (
    f"SELECT {PROJECT.sql}, m.role, {ARTICLE.sql} "  # noqa: S608 - names only
    f'FROM "{Project._meta.db_table}" p {MEMBER_ROLE} '
    f'JOIN "{ProjectArticle._meta.db_table}" pa ON pa.project_id = p.id AND pa.article_id = %s '
    f'JOIN "{Article._meta.db_table}" art ON art.id = pa.article_id WHERE p.id = %s'
)


def _member_role_orm(user_id: int, project_id: int) -> str | None:
    return (
        Membership.objects.filter(project_id=project_id, user_id=user_id)
        .values_list("role", flat=True)
        .first()
    )


# The project with the user's membership role ----------------------------------------------


def project_with_role(user_id: int, project_id: int) -> tuple[Project, str | None] | None:
    """The project and `user_id`'s membership role in it (None if not a member); None when
    there is no such project. One query."""
    row = fetch_row(PROJECT_SQL, [user_id, project_id])
    if row is None:
        return None
    project_values, (role,) = split_row(row, PROJECT, 1)
    return PROJECT.build(project_values), role


def project_with_role_orm(user_id: int, project_id: int) -> tuple[Project, str | None] | None:
    """Reference for project_with_role."""
    project = Project.objects.filter(pk=project_id).first()
    if project is None:
        return None
    return project, _member_role_orm(user_id, project_id)


# The project with the role and one of its articles ----------------------------------------


def project_article_with_role(
    user_id: int, project_id: int, article_id: int
) -> tuple[Project, str | None, Article] | None:
    """The project, `user_id`'s membership role and the article (without `search_text`);
    None when there is no such project or the article is not in it. One query."""
    row = fetch_row(PROJECT_ARTICLE_SQL, [user_id, article_id, project_id])
    if row is None:
        return None
    project_values, (role,), article_values = split_row(row, PROJECT, 1, ARTICLE)
    return PROJECT.build(project_values), role, ARTICLE.build(article_values)


def project_article_with_role_orm(
    user_id: int, project_id: int, article_id: int
) -> tuple[Project, str | None, Article] | None:
    """Reference for project_article_with_role."""
    found = project_with_role_orm(user_id, project_id)
    in_project = ProjectArticle.objects.filter(project_id=project_id, article_id=article_id)
    if found is None or not in_project.exists():
        return None
    article = Article.objects.only(*ARTICLE_FIELDS).get(pk=article_id)
    return found[0], found[1], article


# The assignment bundle ---------------------------------------------------------------------


@functools.cache
def _assignment_sql(with_article: bool, with_annotation: bool) -> str:
    columns = [ASSIGNMENT.sql, PROJECT.sql, "m.role"]
    joins = [
        f'JOIN "{Project._meta.db_table}" p ON p.id = asg.project_id',
        f'LEFT JOIN "{Membership._meta.db_table}" m '
        "ON m.project_id = asg.project_id AND m.user_id = %s",
    ]
    if with_article:
        columns.append(ARTICLE.sql)
        joins.append(f'JOIN "{Article._meta.db_table}" art ON art.id = asg.article_id')
    if with_annotation:
        columns.append(ANNOTATION.sql)
        joins.append(f'LEFT JOIN "{Annotation._meta.db_table}" an ON an.assignment_id = asg.id')
    return (
        f"SELECT {', '.join(columns)} "  # noqa: S608 - table and column names, not input
        f'FROM "{Assignment._meta.db_table}" asg {" ".join(joins)} WHERE asg.id = %s'
    )


def _attach_annotation(assignment: Assignment, annotation: Annotation | None) -> None:
    """Cache the annotation (or its absence) on the assignment, and the assignment on it."""
    Assignment.annotation.related.set_cached_value(assignment, annotation)
    if annotation is not None:
        Annotation.assignment.field.set_cached_value(annotation, assignment)


def assignment_bundle(
    user_id: int,
    assignment_id: int,
    *,
    with_article: bool = True,
    with_annotation: bool = False,
    raw_content: bool = False,
) -> tuple[Assignment, str | None] | None:
    """The assignment (its project attached) and `user_id`'s membership role in its project;
    None when there is no such assignment. One query.

    With `with_article` the article (without `search_text`) is attached; with
    `with_annotation`, `assignment.annotation` is cached (raising Annotation.DoesNotExist
    when there is none yet). With `raw_content`, the annotation's content stays deferred and
    its JSON text is `annotation.content_json`.
    """
    row = fetch_row(_assignment_sql(with_article, with_annotation), [user_id, assignment_id])
    if row is None:
        return None
    parts: list[Columns | int] = [ASSIGNMENT, PROJECT, 1]
    if with_article:
        parts.append(ARTICLE)
    if with_annotation:
        parts.append(ANNOTATION)
    values = split_row(row, *parts)
    assignment = ASSIGNMENT.build(values[0])
    assignment.project = PROJECT.build(values[1])
    if with_article:
        assignment.article = ARTICLE.build(values[3])
    if with_annotation:
        annotation_values = values[-1]
        columns = ANNOTATION_RAW if raw_content else ANNOTATION
        annotation = columns.build(annotation_values) if annotation_values[0] is not None else None
        _attach_annotation(assignment, annotation)
    return assignment, values[2][0]


def assignment_bundle_orm(
    user_id: int,
    assignment_id: int,
    *,
    with_article: bool = True,
    with_annotation: bool = False,
    raw_content: bool = False,
) -> tuple[Assignment, str | None] | None:
    """Reference for assignment_bundle."""
    assignments = Assignment.objects.select_related("project")
    if with_article:
        assignments = assignments.select_related("article").defer("article__search_text")
    assignment = assignments.filter(pk=assignment_id).first()
    if assignment is None:
        return None
    if with_annotation:
        annotations = Annotation.objects.filter(assignment_id=assignment_id)
        if raw_content:
            annotations = annotations.defer("content").annotate(
                content_json=Cast("content", TextField())
            )
        _attach_annotation(assignment, annotations.first())
    return assignment, _member_role_orm(user_id, assignment.project_id)


# The draft save ----------------------------------------------------------------------------

SAVED = ("annotation_id", "version")  # audit event columns taken from the updated row


@functools.cache
def _event_fields() -> tuple[Any, ...]:
    """AuditEvent's columns but its id, in table order (computed once, used by every save)."""
    return tuple(field for field in AuditEvent._meta.concrete_fields if field.attname != "id")


@functools.cache
def _update_sql(columns: tuple[str, ...]) -> str:
    """UPDATE of a draft still at a version, setting `columns` and bumping the version."""
    assignments = ", ".join(f'"{column}" = %s' for column in columns)
    return (
        f'UPDATE "{Annotation._meta.db_table}" '  # noqa: S608 - names
        f'SET {assignments}, "version" = "version" + 1 '
        'WHERE "id" = %s AND "version" = %s AND "status" = %s'
    )


@functools.cache
def _update_and_audit_sql(columns: tuple[str, ...]) -> str:
    """The same UPDATE with its audit event INSERTed by the same statement (PostgreSQL: data
    modifying CTEs; one round trip, atomic without BEGIN/COMMIT)."""
    event_columns = ", ".join(f'"{field.column}"' for field in _event_fields())
    values = ", ".join(
        f'saved."{field.attname}"' if field.attname in SAVED else "%s" for field in _event_fields()
    )
    saved = f'{_update_sql(columns)} RETURNING "id" AS "annotation_id", "version"'
    return (
        f"WITH saved AS ({saved}) "  # noqa: S608 - table and column names only
        f'INSERT INTO "{AuditEvent._meta.db_table}" ({event_columns}) '
        f"SELECT {values} FROM saved"
    )


def _update_params(pk: int, version: int, fields: dict[str, Any]) -> tuple[tuple[str, ...], list]:
    prepared = [(concrete_field(Annotation, name), value) for name, value in fields.items()]
    params = [field.get_db_prep_save(value, connection) for field, value in prepared]
    params += [pk, version, AnnotationStatus.DRAFT]
    return tuple(column_of(Annotation, name) for name in fields), params


def save_draft_row_in_one_statement(
    pk: int, *, version: int, fields: dict[str, Any], event: dict[str, Any]
) -> bool:
    """save_draft_row as one statement (PostgreSQL only)."""
    columns, params = _update_params(pk, version, fields)
    params += [
        field.get_db_prep_save(event[field.attname], connection)
        for field in _event_fields()
        if field.attname not in SAVED
    ]
    with connection.cursor() as cursor:
        cursor.execute(_update_and_audit_sql(columns), params)
        return cursor.rowcount == 1


def save_draft_row_in_two_statements(
    pk: int, *, version: int, fields: dict[str, Any], event: dict[str, Any]
) -> bool:
    """save_draft_row as an UPDATE then an INSERT in one transaction (any database)."""
    columns, params = _update_params(pk, version, fields)
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(_update_sql(columns), params)
        if cursor.rowcount != 1:
            return False
        insert_row(AuditEvent, event)
        return True


def save_draft_row(pk: int, *, version: int, fields: dict[str, Any], event: dict[str, Any]) -> bool:
    """Set `fields`, bump the version and write the audit `event` (AuditEvent attname ->
    value), if the annotation is still a draft at `version`; False (nothing written) otherwise.

    Hand-written: every autosave runs it. Values are prepared by their model fields. The
    event's `annotation_id` and `version` are those of the row (its id, `version` + 1).
    """
    if connection.vendor == "postgresql":
        return save_draft_row_in_one_statement(pk, version=version, fields=fields, event=event)
    return save_draft_row_in_two_statements(pk, version=version, fields=fields, event=event)


def save_draft_row_orm(
    pk: int, *, version: int, fields: dict[str, Any], event: dict[str, Any]
) -> bool:
    """Reference for save_draft_row."""
    with transaction.atomic():
        updated = Annotation.objects.filter(
            pk=pk, version=version, status=AnnotationStatus.DRAFT
        ).update(version=F("version") + 1, **fields)
        if not updated:
            return False
        audit = AuditEvent.objects.create(**{**event, "annotation_id": pk, "version": version + 1})
        # `at` is auto_now_add, which create() overrides with the clock.
        AuditEvent.objects.filter(pk=audit.pk).update(at=event["at"])
        return True


# One span added in one statement (PostgreSQL) ----------------------------------------------


@functools.cache
def _add_span_sql() -> str:
    """Access check, duplicate checks, the span inserted at its sorted place, the version
    bumped and the audit event written: one statement (see annotate.span_saves).

    The sort key is the one of annotate.lib.content.span_sort_key: (start, end, label, id),
    the strings compared by code point (COLLATE "C" compares UTF-8 bytes, which order as code
    points do); the span goes after every span with a key not greater, as bisect.bisect puts it.
    """
    event_columns = ", ".join(f'"{field.column}"' for field in _event_fields())
    values = ", ".join(
        f'saved."{field.attname}"' if field.attname in SAVED else f"%(event_{field.attname})s"
        for field in _event_fields()
    )
    spans = "an.\"content\" -> 'spans'"
    key = (
        "((s->>'start')::int, (s->>'end')::int, "
        "(s->>'label') COLLATE \"C\", (s->>'id') COLLATE \"C\")"
    )
    new_key = (
        '(%(start)s::int, %(end)s::int, %(label)s::text COLLATE "C", %(id)s::text COLLATE "C")'
    )
    return (
        "WITH target AS ("  # noqa: S608 - table and column names only
        f'SELECT an."id", {spans} AS spans FROM "{Annotation._meta.db_table}" an '
        f'JOIN "{Assignment._meta.db_table}" asg ON asg."id" = an."assignment_id" '
        f'JOIN "{Project._meta.db_table}" p ON p."id" = asg."project_id" '
        f'JOIN "{Article._meta.db_table}" art ON art."id" = asg."article_id" '
        'WHERE an."assignment_id" = %(assignment)s::bigint AND an."version" = %(version)s::int '
        'AND an."status" = %(draft)s::text '
        'AND asg."annotator_id" = %(user)s::bigint AND asg."status" = %(in_progress)s::text '
        'AND asg."project_id" = %(project)s::bigint AND asg."article_id" = %(article)s::bigint '
        'AND p."schema_version" = %(schema_version)s::int '
        'AND p."created_at" = %(project_created_at)s::timestamptz '
        'AND art."content_hash" = %(content_hash)s::text '
        f'AND (%(superuser)s::boolean OR EXISTS (SELECT 1 FROM "{Membership._meta.db_table}" m '
        'WHERE m."project_id" = asg."project_id" AND m."user_id" = %(user)s::bigint)) '
        f"AND jsonb_array_length({spans}) < %(max_spans)s::int "
        f"AND NOT ({spans} @> %(same_id)s::jsonb) AND NOT ({spans} @> %(same_place)s::jsonb)"
        "), saved AS ("
        f'UPDATE "{Annotation._meta.db_table}" an SET "content" = jsonb_insert(an."content", '
        "ARRAY['spans', (SELECT count(*) FROM jsonb_array_elements(t.spans) s "
        f"WHERE {key} <= {new_key})::text], %(span)s::jsonb), "
        '"version" = an."version" + 1, "schema_version" = %(schema_version)s::int, '
        '"updated_at" = %(now)s::timestamptz '
        'FROM target t WHERE an."id" = t."id" AND an."version" = %(version)s::int '
        'AND an."status" = %(draft)s::text '
        'RETURNING an."id" AS "annotation_id", an."version"'
        "), audit AS ("
        f'INSERT INTO "{AuditEvent._meta.db_table}" ({event_columns}) SELECT {values} FROM saved'
        ') SELECT "annotation_id", "version" FROM saved'
    )


def add_span_in_one_statement(
    *,
    assignment_id: int,
    user_id: int,
    superuser: bool,
    version: int,
    span: dict[str, Any],
    expect: dict[str, Any],
    max_spans: int,
    event: dict[str, Any],
) -> tuple[int, int] | None:
    """Add the canonical `span` to the draft of `assignment_id` if `user_id` is its annotator
    (a member of the project, or a superuser), the assignment is in progress, the draft is a
    draft at `version` with fewer than `max_spans` spans and none with the span's id or its
    (start, end, label), and the project, article and schema are still those of `expect`
    (project, article, schema_version, project_created_at, content_hash). Writes the audit
    `event` (AuditEvent attname -> value; annotation and version come from the row).

    (annotation id, new version), or None when any condition fails: nothing is written then.
    PostgreSQL only; the reference is annotate.annotations.do_add_span.
    """
    json_param = functools.partial(connection.ops.adapt_json_value, encoder=None)
    params: dict[str, Any] = {
        "assignment": assignment_id,
        "version": version,
        "draft": AnnotationStatus.DRAFT,
        "user": user_id,
        "in_progress": AssignmentStatus.IN_PROGRESS,
        "superuser": superuser,
        "max_spans": max_spans,
        "same_id": json_param([{"id": span["id"]}]),
        "same_place": json_param(
            [{"start": span["start"], "end": span["end"], "label": span["label"]}]
        ),
        "start": span["start"],
        "end": span["end"],
        "label": span["label"],
        "id": span["id"],
        "span": json_param(span),
        "now": event["at"],
        **expect,
    }
    for field in _event_fields():
        if field.attname not in SAVED:
            params[f"event_{field.attname}"] = field.get_db_prep_save(
                event[field.attname], connection
            )
    with connection.cursor() as cursor:
        cursor.execute(_add_span_sql(), params)
        row = cursor.fetchone()
    return (row[0], row[1]) if row is not None else None


# One span removed in one statement (PostgreSQL) --------------------------------------------

# Audit event columns a removal takes from the updated row (the rest: user, action, time).
REMOVED = ("annotation_id", "version", "changes", "project_id", "article_id", "assignment_id")


@functools.cache
def _remove_span_sql() -> str:
    """Access check, the span and the relations that use it removed (the others keep their
    order), the version bumped and the audit event written with what diff_content records
    for a removal: one statement (see annotate.span_saves)."""
    event_columns = ", ".join(f'"{field.column}"' for field in _event_fields())
    values = ", ".join(
        f'saved."{field.attname}"' if field.attname in REMOVED else f"%(event_{field.attname})s"
        for field in _event_fields()
    )
    spans = "jsonb_array_elements(t.content -> 'spans') WITH ORDINALITY s(value, n)"
    relations = "jsonb_array_elements(t.content -> 'relations') WITH ORDINALITY r(value, n)"
    uses = "%(id)s::text IN (r.value ->> 'from', r.value ->> 'to')"
    return (
        "WITH target AS ("  # noqa: S608 - table and column names only
        f'SELECT an."id", an."content", p."schema_version" FROM "{Annotation._meta.db_table}" an '
        f'JOIN "{Assignment._meta.db_table}" asg ON asg."id" = an."assignment_id" '
        f'JOIN "{Project._meta.db_table}" p ON p."id" = asg."project_id" '
        'WHERE an."assignment_id" = %(assignment)s::bigint AND an."version" = %(version)s::int '
        'AND an."status" = %(draft)s::text '
        'AND asg."annotator_id" = %(user)s::bigint AND asg."status" = %(in_progress)s::text '
        f'AND (%(superuser)s::boolean OR EXISTS (SELECT 1 FROM "{Membership._meta.db_table}" m '
        'WHERE m."project_id" = asg."project_id" AND m."user_id" = %(user)s::bigint)) '
        "AND an.\"content\" -> 'spans' @> %(same_id)s::jsonb"
        '), parts AS (SELECT t."id", t."schema_version", '
        f"(SELECT coalesce(jsonb_agg(s.value ORDER BY s.n), '[]') FROM {spans} "
        "WHERE s.value ->> 'id' IS DISTINCT FROM %(id)s::text) AS spans, "
        f"(SELECT jsonb_agg(s.value ORDER BY s.n) FROM {spans} "
        "WHERE s.value ->> 'id' = %(id)s::text) AS removed, "
        f"(SELECT coalesce(jsonb_agg(r.value ORDER BY r.n), '[]') FROM {relations} "
        f"WHERE NOT coalesce({uses}, false)) AS relations, "
        "(SELECT jsonb_agg(jsonb_build_array(x.kind, x.source, x.target) ORDER BY "
        'x.kind COLLATE "C", x.source COLLATE "C", x.target COLLATE "C") FROM ('
        "SELECT DISTINCT r.value ->> 'type' AS kind, r.value ->> 'from' AS source, "
        f"r.value ->> 'to' AS target FROM {relations} WHERE {uses}) x) AS relations_removed "
        "FROM target t"
        "), saved AS ("
        f'UPDATE "{Annotation._meta.db_table}" an SET "content" = '
        "jsonb_set(jsonb_set(an.\"content\", '{spans}', parts.spans), '{relations}', "
        'parts.relations), "version" = an."version" + 1, '
        '"schema_version" = parts."schema_version", "updated_at" = %(now)s::timestamptz '
        'FROM parts WHERE an."id" = parts."id" AND an."version" = %(version)s::int '
        'AND an."status" = %(draft)s::text '
        'RETURNING an."id" AS "annotation_id", an."version", an."project_id", '
        'an."article_id", an."assignment_id", '
        "jsonb_build_object('spans_removed', parts.removed) || CASE WHEN "
        "parts.relations_removed IS NULL THEN '{}'::jsonb ELSE "
        "jsonb_build_object('relations_removed', parts.relations_removed) END AS \"changes\""
        "), audit AS ("
        f'INSERT INTO "{AuditEvent._meta.db_table}" ({event_columns}) SELECT {values} FROM saved'
        ') SELECT "annotation_id", "version" FROM saved'
    )


def remove_span_in_one_statement(
    *,
    assignment_id: int,
    user_id: int,
    superuser: bool,
    version: int,
    span_id: str,
    event: dict[str, Any],
) -> tuple[int, int] | None:
    """Remove span `span_id` and the relations that use it from the draft of `assignment_id`
    on the same conditions as add_span_in_one_statement (but the article and schema, which a
    removal does not read), if the draft has that span. Writes the audit `event` (its
    `changes` are made by the statement). (annotation id, new version), or None: nothing
    written. PostgreSQL only; the reference is annotate.annotations.do_remove_span.

    `event` holds the audit event's user, action and time; the rest comes from the row."""
    params: dict[str, Any] = {
        "assignment": assignment_id,
        "version": version,
        "draft": AnnotationStatus.DRAFT,
        "user": user_id,
        "in_progress": AssignmentStatus.IN_PROGRESS,
        "superuser": superuser,
        "same_id": connection.ops.adapt_json_value([{"id": span_id}], None),
        "id": span_id,
        "now": event["at"],
    }
    for field in _event_fields():
        if field.attname not in REMOVED:
            params[f"event_{field.attname}"] = field.get_db_prep_save(
                event.get(field.attname), connection
            )
    with connection.cursor() as cursor:
        cursor.execute(_remove_span_sql(), params)
        row = cursor.fetchone()
    return (row[0], row[1]) if row is not None else None


# The annotator's own next assignment ---------------------------------------------------------

_OWN = (
    f'SELECT id FROM "{Assignment._meta.db_table}" '  # noqa: S608 - names only
    "WHERE project_id = %s AND annotator_id = %s AND status = %s"
)
NEXT_OWN_SQL = (
    f"SELECT {ASSIGNMENT.sql}, {ARTICLE.sql}, {ANNOTATION.sql}, "  # noqa: S608 - names only
    f'EXISTS (SELECT 1 FROM "{SuggestionSettings._meta.db_table}" ss '
    "WHERE ss.project_id = %s AND ss.active_learning) "
    f'FROM "{Assignment._meta.db_table}" asg '
    f'JOIN "{Article._meta.db_table}" art ON art.id = asg.article_id '
    f'LEFT JOIN "{Annotation._meta.db_table}" an ON an.assignment_id = asg.id '
    f"WHERE asg.id = COALESCE(({_OWN} "
    "ORDER BY reopened_at DESC NULLS LAST, position, slot, id LIMIT 1), "
    f"({_OWN} ORDER BY position, slot, id LIMIT 1))"
)


def next_own_assignment(user_id: int, project_id: int) -> tuple[Assignment, bool] | None:
    """`user_id`'s own next assignment in the project, its article (without `search_text`)
    attached and its annotation cached, and whether the project orders todo work by
    uncertainty (active learning); None when the user has no work in progress or todo. One
    query.

    Reopened work first (most recently reopened first), then other work in progress, then
    todo by queue position: each choice is a walk of the (project, annotator, status,
    position) index.
    """
    row = fetch_row(
        NEXT_OWN_SQL,
        [
            project_id,
            project_id,
            user_id,
            AssignmentStatus.IN_PROGRESS,
            project_id,
            user_id,
            AssignmentStatus.TODO,
        ],
    )
    if row is None:
        return None
    assignment_values, article_values, annotation_values, (active,) = split_row(
        row, ASSIGNMENT, ARTICLE, ANNOTATION, 1
    )
    assignment = ASSIGNMENT.build(assignment_values)
    assignment.article = ARTICLE.build(article_values)
    annotation = ANNOTATION.build(annotation_values) if annotation_values[0] is not None else None
    _attach_annotation(assignment, annotation)
    return assignment, bool(active)


def next_own_assignment_orm(user_id: int, project_id: int) -> tuple[Assignment, bool] | None:
    """Reference for next_own_assignment."""
    own = Assignment.objects.filter(project_id=project_id, annotator_id=user_id)
    in_progress = (
        own.filter(status=AssignmentStatus.IN_PROGRESS)
        .order_by(F("reopened_at").desc(nulls_last=True), "position", "slot", "id")
        .values("id")[:1]
    )
    todo = own.filter(status=AssignmentStatus.TODO).order_by("position", "slot", "id")
    active = SuggestionSettings.objects.filter(project_id=project_id, active_learning=True)
    assignment = (
        Assignment.objects.select_related("article", "annotation")
        .defer("article__search_text")
        .filter(pk=Coalesce(Subquery(in_progress), Subquery(todo.values("id")[:1])))
        .annotate(active_learning=Exists(active))
        .first()
    )
    if assignment is None:
        return None
    return assignment, assignment.active_learning
