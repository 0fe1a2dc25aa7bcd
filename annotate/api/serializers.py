"""Serializers of the annotate API: input shapes (checked again by check_/do_ functions) and
output shapes. Content documents and schemas travel as JSON objects and are validated by
annotate.lib.content and annotate.lib.schema, which name the offending field precisely.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from annotate.annotations import MAX_REASON_LENGTH
from annotate.lib.exports import FORMATS as EXPORT_FORMATS
from annotate.lib.imports import FORMATS as IMPORT_FORMATS
from annotate.lib.imports.common import OFFSET_MODES
from annotate.lib.overlap import MAX_K
from annotate.models import (
    Annotation,
    Assignment,
    AuditEvent,
    FlagKind,
    Membership,
    Project,
    ProjectArticle,
    Role,
    SchemaVersion,
)
from corpus.models import Article
from workbench.api_fields import StrictCharField, StrictModelSerializer

# ---- shared JSON shapes (documented as free-form objects) ----


@extend_schema_field(
    {
        "type": "object",
        "description": "Content document: spans, relations, document_labels "
        "(see annotate/lib/content.py). Offsets are code points into the article text.",
        "properties": {
            "spans": {"type": "array", "items": {"type": "object"}},
            "relations": {"type": "array", "items": {"type": "object"}},
            "document_labels": {"type": "object"},
        },
    }
)
class ContentField(serializers.JSONField):
    pass


@extend_schema_field(
    {
        "type": "object",
        "description": "Label schema (see annotate/lib/schema.py): entity_labels, claim_label, "
        "stance_targets, stance_values, claim_stance_values, claimant_values.",
    }
)
class SchemaField(serializers.JSONField):
    pass


# ---- articles ----


class ProjectArticleTextSerializer(StrictModelSerializer):
    length = serializers.SerializerMethodField()

    class Meta:
        model = Article
        fields = [
            "id",
            "corpus",
            "title",
            "text",
            "source",
            "url",
            "published_on",
            "external_id",
            "length",
        ]

    def get_length(self, article: Article) -> int:
        return len(article.text)


class IsoDateTimeField(serializers.DateTimeField):
    """A datetime as `datetime.isoformat()` writes it (UTC as +00:00, not Z): the form of the
    hand-built job and export-token answers."""

    def to_representation(self, value: datetime.datetime | None) -> str | None:
        return value.isoformat() if value is not None else None


def _datetime(value: datetime.datetime | None) -> str | None:
    """A datetime as DRF's DateTimeField writes it (ISO 8601, UTC as Z)."""
    if value is None:
        return None
    text = timezone.localtime(value).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def article_text_data(article: Article) -> dict[str, Any]:
    """ProjectArticleTextSerializer's output, built directly: the article read is hot."""
    return {
        "id": article.pk,
        "corpus": article.corpus_id,
        "title": article.title,
        "text": article.text,
        "source": article.source,
        "url": article.url,
        "published_on": article.published_on.isoformat() if article.published_on else None,
        "external_id": article.external_id,
        "length": len(article.text),
    }


class ProjectArticleSerializer(StrictModelSerializer):
    """An article in a project's list (no text: fetch the detail for that)."""

    id = serializers.IntegerField(source="article_id")
    corpus = serializers.IntegerField(source="article.corpus_id")
    title = StrictCharField(source="article.title")
    source = StrictCharField(source="article.source")
    published_on = serializers.DateField(source="article.published_on", allow_null=True)
    external_id = StrictCharField(source="article.external_id")
    length = serializers.IntegerField()

    class Meta:
        model = ProjectArticle
        fields = [
            "id",
            "corpus",
            "title",
            "source",
            "published_on",
            "external_id",
            "length",
            "position",
            "added_at",
        ]


class AddArticlesSerializer(serializers.Serializer):
    article_ids = serializers.ListField(child=serializers.IntegerField(), required=False)
    corpus = serializers.IntegerField(required=False)
    q = StrictCharField(required=False, allow_blank=True, trim_whitespace=True)
    all = serializers.BooleanField(required=False, default=False)


class AddArticlesResultSerializer(serializers.Serializer):
    added = serializers.IntegerField()
    already = serializers.IntegerField(help_text="Articles that were in the project already.")


# ---- projects ----


class ProjectSerializer(StrictModelSerializer):
    my_role = StrictCharField(read_only=True, allow_null=True)
    article_count = serializers.IntegerField(read_only=True)
    member_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Project
        fields = [
            "id",
            "name",
            "description",
            "guidelines",
            "guidelines_version",
            "skip_reasons",
            "schema_version",
            "overlap_k",
            "overlap_fraction",
            "assignment_seed",
            "created_by",
            "created_at",
            "my_role",
            "article_count",
            "member_count",
        ]


class ProjectCreateSerializer(serializers.Serializer):
    name = StrictCharField(max_length=200)
    description = StrictCharField(required=False, allow_blank=True, default="")
    guidelines = StrictCharField(
        required=False, allow_blank=True, default="", trim_whitespace=False
    )
    schema = SchemaField(required=False, help_text="Omit for the default schema.")
    overlap_k = serializers.IntegerField(required=False, default=1)
    overlap_fraction = serializers.FloatField(required=False, default=1.0)
    assignment_seed = serializers.IntegerField(required=False, default=0)


class ProjectUpdateSerializer(serializers.Serializer):
    name = StrictCharField(max_length=200, required=False)
    description = StrictCharField(required=False, allow_blank=True)
    guidelines = StrictCharField(required=False, allow_blank=True, trim_whitespace=False)
    guidelines_summary = StrictCharField(
        required=False,
        allow_blank=True,
        max_length=500,
        help_text="What changed in the guidelines (kept with the new guidelines version).",
    )
    skip_reasons = serializers.ListField(
        child=StrictCharField(max_length=200),
        required=False,
        max_length=20,
        help_text="The reasons annotators pick from when skipping (empty: the defaults).",
    )
    overlap_k = serializers.IntegerField(required=False)
    overlap_fraction = serializers.FloatField(required=False)
    assignment_seed = serializers.IntegerField(required=False)


class SchemaDocumentSerializer(serializers.Serializer):
    schema = SchemaField()
    version = serializers.IntegerField()


class SchemaUpdateSerializer(serializers.Serializer):
    schema = SchemaField()
    note = StrictCharField(required=False, allow_blank=True, default="", max_length=500)


class SchemaVersionSerializer(StrictModelSerializer):
    schema = SchemaField()
    created_by_username = StrictCharField(
        source="created_by.username", read_only=True, default=None
    )

    class Meta:
        model = SchemaVersion
        fields = ["version", "schema", "note", "created_by", "created_by_username", "created_at"]


# ---- members ----


class MemberSerializer(StrictModelSerializer):
    username = StrictCharField(source="user.username", read_only=True)

    class Meta:
        model = Membership
        fields = ["user", "username", "role", "created_at"]


class MemberCreateSerializer(serializers.Serializer):
    user = serializers.IntegerField(required=False, help_text="User id (or give username).")
    username = StrictCharField(required=False)
    role = serializers.ChoiceField(choices=Role.choices)


class MemberUpdateSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices)


# ---- assignments and queue ----


class AssignmentSerializer(StrictModelSerializer):
    article_title = StrictCharField(source="article.title", read_only=True)
    annotator_username = StrictCharField(source="annotator.username", read_only=True, default=None)
    annotation = serializers.SerializerMethodField(help_text="The annotation's id, once started.")

    class Meta:
        model = Assignment
        fields = [
            "id",
            "project",
            "article",
            "article_title",
            "annotator",
            "annotator_username",
            "slot",
            "position",
            "status",
            "skip_reason",
            "reopen_reason",
            "reopened_at",
            "reopen_request",
            "reopen_requested_at",
            "created_at",
            "started_at",
            "submitted_at",
            "annotation",
        ]

    def get_annotation(self, assignment: Assignment) -> int | None:
        # List querysets annotate annotation_id (see assignments_with_annotation_id) to avoid
        # one query per row; single objects fall back to a lookup.
        if hasattr(assignment, "annotation_id"):
            return assignment.annotation_id
        return Annotation.objects.filter(assignment=assignment).values_list("id", flat=True).first()


class GenerateSerializer(serializers.Serializer):
    k = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_K, help_text="Annotators per overlap article."
    )
    fraction = serializers.FloatField(
        required=False, help_text="Share of articles that get k annotators (the rest get one)."
    )
    seed = serializers.IntegerField(required=False)
    mode = serializers.ChoiceField(choices=["preassign", "pool"], default="preassign")


class GenerateResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    total = serializers.IntegerField()
    mode = StrictCharField()
    k = serializers.IntegerField()
    fraction = serializers.FloatField()
    seed = serializers.IntegerField()


class ReassignSerializer(serializers.Serializer):
    annotator = serializers.IntegerField(help_text="User id of an annotator member.")


class SkipSerializer(serializers.Serializer):
    choice = StrictCharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="One of the project's skip reasons (GET .../skip-reasons/).",
    )
    reason = StrictCharField(
        required=False,
        allow_blank=True,
        default="",
        trim_whitespace=True,
        help_text="Free text; needed when no choice is given.",
    )


class ReasonSerializer(serializers.Serializer):
    reason = StrictCharField(allow_blank=True, trim_whitespace=True)


class OptionalReasonSerializer(serializers.Serializer):
    reason = StrictCharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=MAX_REASON_LENGTH,
        help_text="Required when reopening submitted work; shown to the annotator.",
    )


class CommentCreateSerializer(serializers.Serializer):
    body = StrictCharField(trim_whitespace=False, help_text="Markdown, up to 5,000 chars.")
    flag = serializers.ChoiceField(
        choices=["", *FlagKind.values],
        required=False,
        default="",
        help_text="Makes the comment a flag of the article (first-level comments only).",
    )
    parent = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="The comment this answers."
    )


class CommentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    article = serializers.IntegerField()
    parent = serializers.IntegerField(allow_null=True)
    author = StrictCharField(allow_null=True)
    by_lead = serializers.BooleanField()
    flag = StrictCharField()
    flag_name = StrictCharField()
    body = StrictCharField()
    body_html = StrictCharField(help_text="The body's Markdown, rendered and sanitised.")
    created_at = serializers.DateTimeField()
    unread = serializers.BooleanField(required=False)


class ThreadCommentSerializer(CommentSerializer):
    replies = CommentSerializer(many=True)


class OpenThreadSerializer(CommentSerializer):
    article_title = StrictCharField()
    replies = serializers.IntegerField()
    answered = serializers.BooleanField()


class UnreadRepliesSerializer(serializers.Serializer):
    article = serializers.IntegerField()
    title = StrictCharField()
    count = serializers.IntegerField()
    assignment = serializers.IntegerField(allow_null=True)


class GuidelinesChangeSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    summary = StrictCharField()
    at = serializers.DateTimeField()


class DiffLineSerializer(serializers.Serializer):
    op = StrictCharField(help_text='"+" added, "-" removed, " " unchanged, "…" gap')
    text = StrictCharField()


class GuidelinesStateSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    read_version = serializers.IntegerField(allow_null=True)
    changed = serializers.BooleanField()
    changes = GuidelinesChangeSerializer(many=True)
    diff = DiffLineSerializer(many=True)
    text = StrictCharField()
    html = StrictCharField()


class AcknowledgeSerializer(serializers.Serializer):
    version = serializers.IntegerField()


class GuidelinesVersionSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    summary = StrictCharField()
    text = StrictCharField()
    created_by = StrictCharField(source="created_by.username", allow_null=True, default=None)
    created_at = serializers.DateTimeField()


class ProgressSerializer(serializers.Serializer):
    annotator = serializers.IntegerField()
    username = StrictCharField()
    todo = serializers.IntegerField()
    in_progress = serializers.IntegerField()
    submitted = serializers.IntegerField()
    skipped = serializers.IntegerField()
    total = serializers.IntegerField()


class QueueSerializer(serializers.Serializer):
    done = serializers.IntegerField(help_text="Own assignments submitted or skipped.")
    total = serializers.IntegerField(help_text="Own assignments plus claimable pool articles.")
    current = serializers.IntegerField(allow_null=True, help_text="Assignment in progress.")
    todo = serializers.IntegerField()
    in_progress = serializers.IntegerField()
    submitted = serializers.IntegerField()
    skipped = serializers.IntegerField()
    available_in_pool = serializers.IntegerField()


# ---- annotations ----


class AnnotationSerializer(StrictModelSerializer):
    content = ContentField()
    annotator_username = StrictCharField(source="annotator.username", read_only=True)

    class Meta:
        model = Annotation
        fields = [
            "id",
            "assignment",
            "project",
            "article",
            "annotator",
            "annotator_username",
            "version",
            "status",
            "content",
            "schema_version",
            "created_at",
            "updated_at",
            "submitted_at",
        ]


def annotation_data(annotation: Annotation, *, with_content: bool = True) -> dict[str, Any]:
    """AnnotationSerializer's output, built directly: reads and saves of a draft are hot.
    Without `with_content`, the content is left out (the caller adds it as JSON text)."""
    data = {
        "id": annotation.pk,
        "assignment": annotation.assignment_id,
        "project": annotation.project_id,
        "article": annotation.article_id,
        "annotator": annotation.annotator_id,
        "annotator_username": annotation.annotator.username,
        "version": annotation.version,
        "status": annotation.status,
        "schema_version": annotation.schema_version,
        "created_at": _datetime(annotation.created_at),
        "updated_at": _datetime(annotation.updated_at),
        "submitted_at": _datetime(annotation.submitted_at),
    }
    if with_content:
        data["content"] = annotation.content
    return data


class SaveSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        min_value=1, help_text="The version the content was read at."
    )
    content = ContentField()


@extend_schema_field(
    {
        "type": "object",
        "description": "One span: id (client-chosen, unique in the document), start, end "
        "(code points), label, text (text[start:end]), attributes (claims only).",
    }
)
class SpanField(serializers.JSONField):
    pass


class SpanAddSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, help_text="The version the draft was read at.")
    span = SpanField()


class SpanSavedSerializer(serializers.Serializer):
    annotation = serializers.IntegerField()
    version = serializers.IntegerField(help_text="The draft's new version.")
    span = SpanField(required=False, help_text="The span as stored (added spans only).")


class SubmitSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1)
    content = ContentField(required=False, help_text="Omit to submit the saved draft.")


def assignment_data(assignment: Assignment, *, annotation_id: int | None) -> dict[str, Any]:
    """AssignmentSerializer's output, built directly: `next` answers with it (the article and
    the annotator come with the assignment; `annotation_id` is the started annotation's)."""
    annotator = assignment.annotator
    return {
        "id": assignment.pk,
        "project": assignment.project_id,
        "article": assignment.article_id,
        "article_title": assignment.article.title,
        "annotator": assignment.annotator_id,
        "annotator_username": None if annotator is None else annotator.username,
        "slot": assignment.slot,
        "position": assignment.position,
        "status": assignment.status,
        "skip_reason": assignment.skip_reason,
        "reopen_reason": assignment.reopen_reason,
        "reopened_at": _datetime(assignment.reopened_at),
        "reopen_request": assignment.reopen_request,
        "reopen_requested_at": _datetime(assignment.reopen_requested_at),
        "created_at": _datetime(assignment.created_at),
        "started_at": _datetime(assignment.started_at),
        "submitted_at": _datetime(assignment.submitted_at),
        "annotation": annotation_id,
    }


class NextSerializer(serializers.Serializer):
    assignment = AssignmentSerializer()
    article = ProjectArticleTextSerializer()
    annotation = AnnotationSerializer()


class AuditEventSerializer(StrictModelSerializer):
    username = StrictCharField(source="user.username", read_only=True, default=None)
    changes = serializers.JSONField()

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "action",
            "user",
            "username",
            "version",
            "changes",
            "at",
            "assignment",
            "annotation",
            "article",
        ]


# ---- exports and imports ----------------------------------------------------------------


class ExportStartSerializer(serializers.Serializer):
    formats = serializers.ListField(
        child=serializers.ChoiceField(choices=EXPORT_FORMATS),
        required=False,
        allow_empty=False,
        min_length=1,
    )
    seed = serializers.IntegerField(required=False, default=0, min_value=0)
    ratios = StrictCharField(
        required=False, default="0.8,0.1,0.1", help_text="train,dev,test, summing to 1"
    )
    group_by = StrictCharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="an article metadata key: articles with the same value share a split",
    )
    stratify_by = StrictCharField(
        required=False,
        allow_blank=True,
        default="",
        help_text='stratify the split by label: "spans" or "stance:<target key>"',
    )
    stance_title = serializers.BooleanField(
        required=False, default=False, help_text="a title column in the stance CSV"
    )


class TokenCreateSerializer(serializers.Serializer):
    name = StrictCharField(max_length=200)


class ExportTokenSerializer(serializers.Serializer):
    """The shape of annotate.exports.token_payload (documentation only)."""

    # Given the token it writes token_payload's answer (tests/test_api_answers_match_serializers).

    id = serializers.IntegerField()
    name = StrictCharField()
    created_at = IsoDateTimeField()
    created_by = StrictCharField(source="created_by.username", allow_null=True)
    last_used_at = IsoDateTimeField(allow_null=True)
    revoked = serializers.BooleanField()


class ImportSerializer(serializers.Serializer):
    file = serializers.FileField()
    format = serializers.ChoiceField(choices=IMPORT_FORMATS)
    offsets = serializers.ChoiceField(choices=OFFSET_MODES, default="auto")
    as_gold = serializers.BooleanField(default=False)
    skip_bad = serializers.BooleanField(default=False)
    annotator = StrictCharField(
        required=False, allow_blank=True, help_text="User name for records naming nobody."
    )
    map_annotator = serializers.ListField(
        child=StrictCharField(max_length=2000),
        required=False,
        default=list,
        help_text=(
            "NAME=MEMBER (repeat the field, or comma-separate): records the file credits to "
            "NAME are imported as project member MEMBER. A file naming annotators who are "
            "neither members nor mapped fails the job naming them, with nothing written."
        ),
    )
    corpus = StrictCharField(required=False, allow_blank=True, max_length=200)
