"""Projects, members, assignments, annotations, gold, and their audit trail.

An annotation (and a gold record) stores its content as one JSON document, saved whole under
a version number: spans, relations and document labels. The shape is defined and validated
in `annotate/lib/content.py`; offsets are code points into `Article.text`.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from corpus.models import Article


class Role(models.TextChoices):
    MANAGER = "manager", _("Manager")
    REVIEWER = "reviewer", _("Reviewer")
    ANNOTATOR = "annotator", _("Annotator")


class Project(models.Model):
    """A set of articles, a label schema, guidelines, an overlap policy and members."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    guidelines = models.TextField(_("guidelines (Markdown)"), blank=True)
    # The current label schema (see annotate/lib/schema.py); every change bumps schema_version
    # and leaves a SchemaVersion row behind.
    schema = models.JSONField(default=dict)
    schema_version = models.PositiveIntegerField(default=1)
    # Overlap policy: a fraction `overlap_fraction` of articles gets `overlap_k` annotators,
    # the rest one. overlap_fraction=1 means every article gets k.
    overlap_k = models.PositiveSmallIntegerField(default=1)
    overlap_fraction = models.FloatField(default=1.0)
    assignment_seed = models.IntegerField(default=0)
    articles = models.ManyToManyField(Article, through="ProjectArticle", related_name="projects")
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="projects"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(overlap_k__gte=1), name="overlap_k_gte_1"),
            models.CheckConstraint(
                condition=models.Q(overlap_fraction__gte=0, overlap_fraction__lte=1),
                name="overlap_fraction_0_1",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ProjectArticle(models.Model):
    """An article in a project; `position` fixes the queue order."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="project_articles")
    article = models.ForeignKey(Article, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField(default=0)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "article"], name="article_once_per_project")
        ]

    def __str__(self) -> str:
        return f"{self.article_id} in {self.project_id}"


class SchemaVersion(models.Model):
    """A snapshot of a project's label schema after each change (history of renames too)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="schema_versions")
    version = models.PositiveIntegerField()
    schema = models.JSONField()
    note = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project", "version"]
        constraints = [
            models.UniqueConstraint(fields=["project", "version"], name="schema_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.project_id} schema v{self.version}"


class Membership(models.Model):
    """A user's role in one project."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project", "user"]
        constraints = [
            models.UniqueConstraint(fields=["project", "user"], name="one_membership_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.role}) in {self.project}"


class AssignmentStatus(models.TextChoices):
    TODO = "todo", _("To do")
    IN_PROGRESS = "in_progress", _("In progress")
    SUBMITTED = "submitted", _("Submitted")
    SKIPPED = "skipped", _("Skipped")


class Assignment(models.Model):
    """One slot of work: an article for one annotator (annotator empty = open pool slot)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="assignments")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="assignments")
    annotator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="assignments",
    )
    # Which of the article's k slots this is (0-based); fixed when generated.
    slot = models.PositiveSmallIntegerField(default=0)
    position = models.PositiveIntegerField(default=0)
    status = models.CharField(
        max_length=20, choices=AssignmentStatus.choices, default=AssignmentStatus.TODO
    )
    skip_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["project", "position", "slot", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "article", "slot"], name="one_assignment_per_slot"
            ),
            models.UniqueConstraint(
                fields=["project", "article", "annotator"],
                condition=models.Q(annotator__isnull=False),
                name="article_once_per_annotator",
            ),
        ]
        indexes = [
            models.Index(fields=["project", "annotator", "status", "position"]),
            models.Index(fields=["project", "article", "status"]),
        ]

    def __str__(self) -> str:
        return f"article {self.article_id} for {self.annotator_id or 'pool'} ({self.status})"


class AnnotationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")


class Annotation(models.Model):
    """The annotator's work on one assignment: a versioned content document."""

    assignment = models.OneToOneField(
        Assignment, on_delete=models.CASCADE, related_name="annotation"
    )
    # Denormalised from the assignment so agreement and export queries need no joins.
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="annotations")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="annotations")
    annotator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="annotations"
    )
    content = models.JSONField(default=dict)
    schema_version = models.PositiveIntegerField(default=1)
    version = models.PositiveIntegerField(default=1)
    status = models.CharField(
        max_length=20, choices=AnnotationStatus.choices, default=AnnotationStatus.DRAFT
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        # No index on updated_at or version: an autosave then changes no indexed column, so
        # PostgreSQL can update the row in place (HOT) without touching the seven indexes.
        indexes = [models.Index(fields=["project", "status", "article"])]

    def __str__(self) -> str:
        return f"annotation of article {self.article_id} by {self.annotator_id} v{self.version}"


class GoldSource(models.TextChoices):
    ADJUDICATED = "adjudicated", _("Adjudicated by a reviewer")
    UNANIMOUS = "unanimous", _("Accepted automatically (unanimous)")
    IMPORTED = "imported", _("Imported")


class Gold(models.Model):
    """The adjudicated annotation of one article in one project: what exports read."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="gold")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="gold")
    content = models.JSONField(default=dict)
    schema_version = models.PositiveIntegerField(default=1)
    version = models.PositiveIntegerField(default=1)
    source = models.CharField(max_length=20, choices=GoldSource.choices)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["project", "article"]
        constraints = [
            models.UniqueConstraint(fields=["project", "article"], name="one_gold_per_article")
        ]

    def __str__(self) -> str:
        return f"gold for article {self.article_id} v{self.version}"


class AuditAction(models.TextChoices):
    SAVE = "save", _("Saved draft")
    SUBMIT = "submit", _("Submitted")
    REOPEN = "reopen", _("Reopened")
    SKIP = "skip", _("Skipped")
    REASSIGN = "reassign", _("Reassigned")
    GOLD_SAVE = "gold_save", _("Saved gold")
    IMPORT = "import", _("Imported")


class AuditEvent(models.Model):
    """Who changed what, when: one row per change to an annotation, assignment or gold."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="audit_events")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    annotation = models.ForeignKey(
        Annotation, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    # Skips and reassignments may happen before any annotation exists.
    assignment = models.ForeignKey(
        Assignment, null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    gold = models.ForeignKey(
        Gold, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    # Not indexed: every save writes an event, and users are seldom deleted.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    action = models.CharField(max_length=20, choices=AuditAction.choices)
    version = models.PositiveIntegerField(null=True, blank=True)
    # What changed: {"added": [...spans], "removed": [...], "changed": [...], ...}
    changes = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        # Histories are read by annotation, assignment or gold (their foreign key indexes)
        # and project activity by (project, at).
        indexes = [models.Index(fields=["project", "at"])]

    def __str__(self) -> str:
        return f"{self.action} by {self.user_id} at {self.at:%Y-%m-%d %H:%M}"


class AgreementSnapshot(models.Model):
    """Cached agreement results for a project, valid while its fingerprint holds.

    The fingerprint summarises the submitted annotations (count, latest update, schema
    version); any change gives a new fingerprint and the numbers are recomputed.
    """

    project = models.OneToOneField(
        Project, on_delete=models.CASCADE, related_name="agreement_snapshot"
    )
    fingerprint = models.CharField(max_length=200)
    result = models.JSONField()
    computed_at = models.DateTimeField(auto_now=True)
    seconds = models.FloatField(default=0)

    def __str__(self) -> str:
        return f"agreement of project {self.project_id} ({self.fingerprint})"


class AgreementContribution(models.Model):
    """One article's part of the project's agreement counts (lib/agreement/contributions.py),
    kept so that a submission changes the totals by its article's difference only."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    article = models.ForeignKey("corpus.Article", on_delete=models.CASCADE, related_name="+")
    counts = models.JSONField()  # [key..., value] rows

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["project", "article"], name="agreement_contribution_once"
            )
        ]

    def __str__(self) -> str:
        return f"agreement counts of article {self.article_id} in project {self.project_id}"


class AgreementTotals(models.Model):
    """The sum of a project's AgreementContribution rows, and what it was built for: the
    schema version and the fingerprint of the submitted annotations it counts."""

    project = models.OneToOneField(
        Project, on_delete=models.CASCADE, related_name="agreement_totals"
    )
    counts = models.JSONField()
    schema_version = models.PositiveIntegerField()
    fingerprint = models.CharField(max_length=200)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"agreement totals of project {self.project_id} ({self.fingerprint})"


class JobKind(models.TextChoices):
    IMPORT_ARTICLES = "import_articles", _("Import articles")
    IMPORT_ANNOTATIONS = "import_annotations", _("Import annotations")
    EXPORT = "export", _("Export dataset")
    AGREEMENT = "agreement", _("Compute agreement")


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class Job(models.Model):
    """A background job a user started: its progress, result or error, and how to retry it."""

    kind = models.CharField(max_length=30, choices=JobKind.choices)
    project = models.ForeignKey(
        Project, null=True, blank=True, on_delete=models.CASCADE, related_name="jobs"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="jobs"
    )
    params = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=20, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    message = models.CharField(max_length=500, blank=True)
    error = models.TextField(blank=True)
    result = models.JSONField(default=dict, blank=True)
    # The tasks framework's id for the current attempt; a retry enqueues a new one.
    task_id = models.CharField(max_length=200, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Beaten by the running attempt (with progress and on a timer); a running job whose beat
    # is older than JOB_LEASE_SECONDS lost its worker and is failed (annotate/tasks.py).
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"


class ExportToken(models.Model):
    """A project-scoped API token that may download exports and nothing else (ML pipelines)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="export_tokens")
    name = models.CharField(max_length=200)
    # SHA-256 of the token; the token itself is shown once, when created.
    key_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"{self.name} (project {self.project_id})"


class ApiToken(models.Model):
    """A user's REST API login token, kept only as its SHA-256, valid until `expires_at`."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=200, blank=True)
    # The key's first characters, public: lets the owner tell their tokens apart in a list.
    prefix = models.CharField(max_length=12)
    # SHA-256 of the key: the unique index makes the lookup on every API request one probe.
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user_id})"
