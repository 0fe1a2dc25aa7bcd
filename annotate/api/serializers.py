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

from annotate.lib.exports import FORMATS as EXPORT_FORMATS
from annotate.lib.imports import FORMATS as IMPORT_FORMATS
from annotate.lib.imports.common import OFFSET_MODES
from annotate.models import (
    Annotation,
    Assignment,
    AuditEvent,
    Membership,
    Project,
    ProjectArticle,
    Role,
    SchemaVersion,
)
from corpus.models import Article

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


class ProjectArticleTextSerializer(serializers.ModelSerializer):
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


class ProjectArticleSerializer(serializers.ModelSerializer):
    """An article in a project's list (no text: fetch the detail for that)."""

    id = serializers.IntegerField(source="article_id")
    corpus = serializers.IntegerField(source="article.corpus_id")
    title = serializers.CharField(source="article.title")
    source = serializers.CharField(source="article.source")
    published_on = serializers.DateField(source="article.published_on", allow_null=True)
    external_id = serializers.CharField(source="article.external_id")
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
    q = serializers.CharField(required=False, allow_blank=True, trim_whitespace=True)
    all = serializers.BooleanField(required=False, default=False)


class AddArticlesResultSerializer(serializers.Serializer):
    added = serializers.IntegerField()
    already = serializers.IntegerField(help_text="Articles that were in the project already.")


# ---- projects ----


class ProjectSerializer(serializers.ModelSerializer):
    my_role = serializers.CharField(read_only=True, allow_null=True)
    article_count = serializers.IntegerField(read_only=True)
    member_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Project
        fields = [
            "id",
            "name",
            "description",
            "guidelines",
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
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    guidelines = serializers.CharField(
        required=False, allow_blank=True, default="", trim_whitespace=False
    )
    schema = SchemaField(required=False, help_text="Omit for the default schema.")
    overlap_k = serializers.IntegerField(required=False, default=1)
    overlap_fraction = serializers.FloatField(required=False, default=1.0)
    assignment_seed = serializers.IntegerField(required=False, default=0)


class ProjectUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    guidelines = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    overlap_k = serializers.IntegerField(required=False)
    overlap_fraction = serializers.FloatField(required=False)
    assignment_seed = serializers.IntegerField(required=False)


class SchemaDocumentSerializer(serializers.Serializer):
    schema = SchemaField()
    version = serializers.IntegerField()


class SchemaUpdateSerializer(serializers.Serializer):
    schema = SchemaField()
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class SchemaVersionSerializer(serializers.ModelSerializer):
    schema = SchemaField()
    created_by_username = serializers.CharField(
        source="created_by.username", read_only=True, default=None
    )

    class Meta:
        model = SchemaVersion
        fields = ["version", "schema", "note", "created_by", "created_by_username", "created_at"]


# ---- members ----


class MemberSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)

    class Meta:
        model = Membership
        fields = ["user", "username", "role", "created_at"]


class MemberCreateSerializer(serializers.Serializer):
    user = serializers.IntegerField(required=False, help_text="User id (or give username).")
    username = serializers.CharField(required=False)
    role = serializers.ChoiceField(choices=Role.choices)


class MemberUpdateSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices)


# ---- assignments and queue ----


class AssignmentSerializer(serializers.ModelSerializer):
    article_title = serializers.CharField(source="article.title", read_only=True)
    annotator_username = serializers.CharField(
        source="annotator.username", read_only=True, default=None
    )
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
        required=False, min_value=1, max_value=50, help_text="Annotators per overlap article."
    )
    fraction = serializers.FloatField(
        required=False, help_text="Share of articles that get k annotators (the rest get one)."
    )
    seed = serializers.IntegerField(required=False)
    mode = serializers.ChoiceField(choices=["preassign", "pool"], default="preassign")


class GenerateResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    total = serializers.IntegerField()
    mode = serializers.CharField()
    k = serializers.IntegerField()
    fraction = serializers.FloatField()
    seed = serializers.IntegerField()


class ReassignSerializer(serializers.Serializer):
    annotator = serializers.IntegerField(help_text="User id of an annotator member.")


class SkipSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, trim_whitespace=True)


class ProgressSerializer(serializers.Serializer):
    annotator = serializers.IntegerField()
    username = serializers.CharField()
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


class AnnotationSerializer(serializers.ModelSerializer):
    content = ContentField()
    annotator_username = serializers.CharField(source="annotator.username", read_only=True)

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


class NextSerializer(serializers.Serializer):
    assignment = AssignmentSerializer()
    article = ProjectArticleTextSerializer()
    annotation = AnnotationSerializer()


class AuditEventSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True, default=None)
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
    ratios = serializers.CharField(
        required=False, default="0.8,0.1,0.1", help_text="train,dev,test, summing to 1"
    )
    group_by = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="an article metadata key: articles with the same value share a split",
    )
    stratify_by = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text='stratify the split by label: "spans" or "stance:<target key>"',
    )
    stance_title = serializers.BooleanField(
        required=False, default=False, help_text="a title column in the stance CSV"
    )


class TokenCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)


class ExportTokenSerializer(serializers.Serializer):
    """The shape of annotate.exports.token_payload (documentation only)."""

    # Given the token it writes token_payload's answer (tests/test_api_answers_match_serializers).

    id = serializers.IntegerField()
    name = serializers.CharField()
    created_at = IsoDateTimeField()
    created_by = serializers.CharField(source="created_by.username", allow_null=True)
    last_used_at = IsoDateTimeField(allow_null=True)
    revoked = serializers.BooleanField()


class ImportSerializer(serializers.Serializer):
    file = serializers.FileField()
    format = serializers.ChoiceField(choices=IMPORT_FORMATS)
    offsets = serializers.ChoiceField(choices=OFFSET_MODES, default="auto")
    as_gold = serializers.BooleanField(default=False)
    skip_bad = serializers.BooleanField(default=False)
    annotator = serializers.CharField(
        required=False, allow_blank=True, help_text="User name for records naming nobody."
    )
    map_annotator = serializers.ListField(
        child=serializers.CharField(max_length=2000),
        required=False,
        default=list,
        help_text=(
            "NAME=MEMBER (repeat the field, or comma-separate): records the file credits to "
            "NAME are imported as project member MEMBER. A file naming annotators who are "
            "neither members nor mapped fails the job naming them, with nothing written."
        ),
    )
    corpus = serializers.CharField(required=False, allow_blank=True, max_length=200)
