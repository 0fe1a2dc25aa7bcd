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
    # Every change of `guidelines` bumps this and leaves a GuidelinesVersion row behind.
    guidelines_version = models.PositiveIntegerField(default=1)
    # The reasons an annotator picks from when skipping (free text may be added); empty means
    # annotate.comments.DEFAULT_SKIP_REASONS.
    skip_reasons = models.JSONField(default=list, blank=True)
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
    # Set when a lead reopens submitted work (shown to the annotator, who finds the
    # assignment at the head of their queue); cleared when it is submitted again.
    reopen_reason = models.TextField(blank=True)
    reopened_at = models.DateTimeField(null=True, blank=True)
    # The annotator's own request to reopen a submitted assignment, until a lead acts on it.
    reopen_request = models.TextField(blank=True)
    reopen_requested_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # Time the annotator spent on the annotation page with it focused and in use, in
    # milliseconds, as the page measured and reported it (static/js/active-time.js): idle gaps
    # over a minute and time in other windows are not counted.
    active_ms = models.PositiveBigIntegerField(default=0)

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
            # The people page's assignments table, in queue order, a page at a time by keyset.
            models.Index(fields=["project", "position", "id"], name="assignment_queue_order"),
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
    # A submission this gold was made from was reopened since: the gold needs another look.
    inputs_changed = models.BooleanField(default=False)
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
    REQUEST_REOPEN = "request_reopen", _("Asked to reopen")
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
    kept so that a submission changes the totals by its article's difference only, with the
    article's own agreement (its standing), which the lowest-agreement list orders by."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    article = models.ForeignKey("corpus.Article", on_delete=models.CASCADE, related_name="+")
    counts = models.JSONField()  # [key..., value] rows
    annotators = models.PositiveSmallIntegerField(default=0)
    # The mean of the parts below that are defined; null when none is (or one annotator).
    score = models.FloatField(null=True)
    span_f1 = models.FloatField(null=True)
    stance_observed = models.FloatField(null=True)
    claim_attributes = models.FloatField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["project", "article"], name="agreement_contribution_once"
            )
        ]
        indexes = [
            models.Index(
                fields=["project", "score", "article"],
                condition=models.Q(score__isnull=False),
                name="agreement_lowest",
            )
        ]

    def __str__(self) -> str:
        return f"agreement counts of article {self.article_id} in project {self.project_id}"


class AgreementTotals(models.Model):
    """The sum of a project's AgreementContribution rows, and what it was built for: the
    schema version and the bulk-change generation it counts. `requested` goes up with every
    change the totals cannot follow article by article (an import, a schema change); while it
    is ahead of `built`, a rebuild job is pending and the totals are the last complete ones."""

    project = models.OneToOneField(
        Project, on_delete=models.CASCADE, related_name="agreement_totals"
    )
    counts = models.JSONField()
    schema_version = models.PositiveIntegerField()
    fingerprint = models.CharField(max_length=200)
    requested = models.PositiveIntegerField(default=0)
    built = models.PositiveIntegerField(default=0)
    built_at = models.DateTimeField(null=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"agreement totals of project {self.project_id} ({self.fingerprint})"

    @property
    def pending(self) -> bool:
        return self.requested > self.built


class JobKind(models.TextChoices):
    IMPORT_ARTICLES = "import_articles", _("Import articles")
    IMPORT_ANNOTATIONS = "import_annotations", _("Import annotations")
    EXPORT = "export", _("Export dataset")
    AGREEMENT = "agreement", _("Compute agreement")
    AGREEMENT_TOTALS = "agreement_totals", _("Rebuild agreement totals")
    TRAIN_RECOMMENDERS = "train_recommenders", _("Train recommenders")


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


class GuidelinesVersion(models.Model):
    """A project's guidelines text after each change, with what the change was about."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="guidelines_versions"
    )
    version = models.PositiveIntegerField()
    text = models.TextField(blank=True)
    summary = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project", "version"]
        constraints = [
            models.UniqueConstraint(fields=["project", "version"], name="guidelines_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.project_id} guidelines v{self.version}"


class GuidelinesRead(models.Model):
    """The guidelines version a member last acknowledged in a project."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    version = models.PositiveIntegerField()
    at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "user"], name="guidelines_read_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} read guidelines v{self.version} of {self.project_id}"


class FlagKind(models.TextChoices):
    BAD_TEXT = "bad_text", _("Bad text")
    OFF_TOPIC = "off_topic", _("Off-topic")
    DUPLICATE = "duplicate", _("Duplicate")
    QUESTION = "question", _("Guideline question")


class Comment(models.Model):
    """One message in the thread of a (project, article): a comment, a flag, or a reply.

    A reply points at the comment it answers (always a thread's first-level comment). Who may
    read which comment is annotate.comments.visible_comments's rule (blinding).
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="comments")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Set on the author's role when writing: blinding depends on it, not on today's role.
    by_lead = models.BooleanField(default=False)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    flag = models.CharField(max_length=20, choices=FlagKind.choices, blank=True)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["project", "article", "created_at"])]

    def __str__(self) -> str:
        return f"comment {self.pk} on article {self.article_id}"


class CommentRead(models.Model):
    """When a user last read the thread of a (project, article): later replies are unread."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "article", "user"], name="comment_read_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} read article {self.article_id} thread at {self.at}"


class Invitation(models.Model):
    """An invitation into a project by e-mail: its link, used once before `expires_at`, lets
    the invited person choose a username and password. Only the key's SHA-256 is kept."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=20, choices=Role.choices)
    key_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # Inviting the same address again replaces its open invitation.
            models.UniqueConstraint(
                fields=["project", "email"],
                condition=models.Q(accepted_at__isnull=True),
                name="one_open_invitation_per_email",
            )
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.project_id} ({self.role})"


# --- Suggestions (annotate/recommend.py) -----------------------------------------------------


class SuggestionSettings(models.Model):
    """A project's recommender settings: which run, how sure they must be, what they learn from."""

    project = models.OneToOneField(
        Project, on_delete=models.CASCADE, related_name="suggestion_settings"
    )
    gazetteer = models.BooleanField(_("gazetteer"), default=True)
    crf = models.BooleanField(_("sequence model (CRF)"), default=True)
    stance = models.BooleanField(_("stance classifier"), default=True)
    # A stance value is suggested only when the classifier gives it this probability.
    stance_confidence = models.FloatField(_("stance confidence"), default=0.8)
    # A model server speaking the Label Studio ML backend protocol (POST {url}/predict).
    external = models.BooleanField(_("external model server"), default=False)
    external_url = models.URLField(_("model server URL"), max_length=500, blank=True)
    # A label is suggested only where held-out precision reaches this.
    threshold = models.FloatField(_("precision threshold"), default=0.7)
    learn_from_submitted = models.BooleanField(_("learn from submitted work"), default=False)
    # Names uploaded by a manager: CSV `name,label` or one name per line (default label).
    name_list = models.TextField(blank=True)
    name_list_label = models.CharField(max_length=40, blank=True)
    seed = models.IntegerField(default=0)
    # Serve each annotator's to-do articles least certain first (mean CRF token margin).
    active_learning = models.BooleanField(
        _("serve the most uncertain articles first"), default=False
    )
    # No suggestions on articles with more than one annotator (the agreement sample), so that
    # inter-annotator agreement measures people, not the model.
    off_on_overlap = models.BooleanField(
        _("no suggestions on agreement-sample articles"), default=True
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(threshold__gte=0, threshold__lte=1),
                name="suggestion_threshold_0_1",
            )
        ]

    def __str__(self) -> str:
        return f"suggestion settings of project {self.project_id}"


class RecommenderKind(models.TextChoices):
    GAZETTEER = "gazetteer", _("Gazetteer")
    CRF = "crf", _("Sequence model (CRF)")
    EXTERNAL = "external", _("External model server")
    STANCE = "stance", _("Stance classifier")


class Recommender(models.Model):
    """One trained recommender: its model, what it was trained on, and its held-out scores."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="recommenders")
    kind = models.CharField(max_length=20, choices=RecommenderKind.choices)
    version = models.PositiveIntegerField()
    schema_version = models.PositiveIntegerField()
    # SHA-256 of the training data (texts, spans, rejections, names, settings).
    data_hash = models.CharField(max_length=64)
    model = models.BinaryField()
    # Per label: precision, recall, F1 and counts on held-out gold (evaluate.LabelScore).
    scores = models.JSONField(default=list)
    active_labels = models.JSONField(default=list)
    train_articles = models.PositiveIntegerField(default=0)
    held_out_articles = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project", "kind", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "kind", "version"], name="recommender_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} v{self.version} of project {self.project_id}"


class SuggestionRejection(models.Model):
    """A suggestion an annotator rejected: not shown to them again, and fed to training."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    label = models.CharField(max_length=40)
    text = models.TextField()
    recommender = models.CharField(max_length=40)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["project", "article", "user", "start", "end", "label"],
                name="rejection_once",
            ),
            models.CheckConstraint(
                condition=models.Q(start__lt=models.F("end")), name="rejection_start_lt_end"
            ),
        ]

    def __str__(self) -> str:
        return f"rejected {self.label} {self.start}-{self.end} in {self.article_id}"


class SuggestionAcceptance(models.Model):
    """A span the annotator accepted from a suggestion: its provenance (recommender@version).

    Kept beside the annotation (keyed by the span's id) rather than inside its content, so the
    content document stays the annotator's; a span moved or relabelled after acceptance no
    longer matches and counts as drawn by hand.
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="suggestion_acceptances"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    span_id = models.CharField(max_length=64)
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    label = models.CharField(max_length=40)
    recommender = models.CharField(max_length=40)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assignment", "span_id"], name="acceptance_once"),
            models.CheckConstraint(
                condition=models.Q(start__lt=models.F("end")), name="acceptance_start_lt_end"
            ),
        ]

    def __str__(self) -> str:
        return f"span {self.span_id} of {self.assignment_id} from {self.recommender}"


class ArticleUncertainty(models.Model):
    """How sure the sequence model is about an article without gold: its mean token margin
    (best tag's probability minus the second's; low is unsure). Orders the queue when the
    project asks for active learning."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    margin = models.FloatField()
    recommender = models.CharField(max_length=40)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "article"], name="uncertainty_once")
        ]

    def __str__(self) -> str:
        return f"article {self.article_id}: margin {self.margin:.3f}"
