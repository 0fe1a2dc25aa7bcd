"""Admin for the annotation models.

Annotation content, gold content and the audit trail are read-only here: edits go through the
versioned, audited do_* functions (the API and the pages), never around them.
"""

from django.contrib import admin

from annotate.models import (
    AgreementSnapshot,
    Annotation,
    Assignment,
    AuditEvent,
    ExportToken,
    Gold,
    Job,
    Membership,
    Project,
    SchemaVersion,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["name", "schema_version", "overlap_k", "overlap_fraction", "created_at"]
    search_fields = ["name", "description"]
    readonly_fields = ["schema", "schema_version", "created_by", "created_at"]
    fields = [
        "name",
        "description",
        "guidelines",
        "overlap_k",
        "overlap_fraction",
        "assignment_seed",
        "schema_version",
        "schema",
        "created_by",
        "created_at",
    ]
    inlines = [MembershipInline]

    def has_add_permission(self, request) -> bool:
        # New projects need a schema version and a manager: the home page and the API
        # create them through do_create_project.
        return False


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "project", "role", "created_at"]
    list_filter = ["role", "project"]
    list_select_related = ["user", "project"]
    search_fields = ["user__username", "project__name"]
    autocomplete_fields = ["user", "project"]


@admin.register(SchemaVersion)
class SchemaVersionAdmin(admin.ModelAdmin):
    list_display = ["project", "version", "note", "created_by", "created_at"]
    list_filter = ["project"]
    list_select_related = ["project", "created_by"]
    readonly_fields = ["project", "version", "schema", "note", "created_by", "created_at"]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["id", "project", "article", "annotator", "slot", "status", "started_at"]
    list_filter = ["status", "project"]
    list_select_related = ["project", "article", "annotator"]
    search_fields = ["annotator__username", "article__title", "skip_reason"]
    raw_id_fields = ["article"]
    readonly_fields = [
        "project",
        "article",
        "annotator",
        "slot",
        "position",
        "status",
        "skip_reason",
        "created_at",
        "started_at",
        "submitted_at",
    ]

    def has_add_permission(self, request) -> bool:
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Annotation)
class AnnotationAdmin(ReadOnlyAdmin):
    list_display = ["id", "project", "article", "annotator", "status", "version", "updated_at"]
    list_filter = ["status", "project"]
    list_select_related = ["project", "article", "annotator"]
    search_fields = ["annotator__username", "article__title"]


@admin.register(Gold)
class GoldAdmin(ReadOnlyAdmin):
    list_display = ["id", "project", "article", "source", "version", "updated_by", "updated_at"]
    list_filter = ["source", "project"]
    list_select_related = ["project", "article", "updated_by"]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "action", "user", "project", "article", "version"]
    list_filter = ["action", "project"]
    list_select_related = ["user", "project", "article"]
    search_fields = ["user__username"]
    date_hierarchy = "at"

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AgreementSnapshot)
class AgreementSnapshotAdmin(ReadOnlyAdmin):
    list_display = ["project", "fingerprint", "computed_at", "seconds"]


@admin.register(Job)
class JobAdmin(ReadOnlyAdmin):
    list_display = ["id", "kind", "project", "user", "status", "progress", "total", "created_at"]
    list_filter = ["kind", "status"]
    list_select_related = ["project", "user"]


@admin.register(ExportToken)
class ExportTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "project", "created_by", "created_at", "last_used_at", "revoked"]
    list_filter = ["revoked", "project"]
    readonly_fields = ["project", "name", "key_hash", "created_by", "created_at", "last_used_at"]
    fields = ["project", "name", "revoked", "key_hash", "created_by", "created_at", "last_used_at"]

    def has_add_permission(self, request) -> bool:
        return False
