"""REST API routes (mounted at /api/)."""

from django.urls import path

from annotate.api import agreement, annotations, exports, gold, imports, jobs, projects, tokens

urlpatterns: list = [
    path("auth/token/", tokens.LoginTokenView.as_view(), name="api-token"),
    path("auth/tokens/", tokens.ApiTokenListView.as_view(), name="api-tokens"),
    path("auth/tokens/current/", tokens.CurrentApiTokenView.as_view(), name="api-token-current"),
    path(
        "auth/tokens/<int:token_id>/", tokens.ApiTokenDetailView.as_view(), name="api-token-detail"
    ),
    # projects
    path("projects/", projects.ProjectListView.as_view(), name="api-projects"),
    path("projects/<int:pid>/", projects.ProjectDetailView.as_view(), name="api-project"),
    path("projects/<int:pid>/schema/", projects.SchemaView.as_view(), name="api-schema-doc"),
    path(
        "projects/<int:pid>/schema/versions/",
        projects.SchemaVersionListView.as_view(),
        name="api-schema-versions",
    ),
    path("projects/<int:pid>/articles/", projects.ArticleListView.as_view(), name="api-articles"),
    path(
        "projects/<int:pid>/articles/<int:aid>/",
        projects.ArticleDetailView.as_view(),
        name="api-article",
    ),
    path("projects/<int:pid>/members/", projects.MemberListView.as_view(), name="api-members"),
    path(
        "projects/<int:pid>/members/<int:uid>/",
        projects.MemberDetailView.as_view(),
        name="api-member",
    ),
    path(
        "projects/<int:pid>/assignments/generate/",
        projects.GenerateView.as_view(),
        name="api-generate",
    ),
    path(
        "projects/<int:pid>/assignments/",
        annotations.AssignmentListView.as_view(),
        name="api-assignments",
    ),
    path("projects/<int:pid>/progress/", projects.ProgressView.as_view(), name="api-progress"),
    path("projects/<int:pid>/queue/", annotations.QueueView.as_view(), name="api-queue"),
    path("projects/<int:pid>/queue/next/", annotations.NextView.as_view(), name="api-next"),
    path(
        "projects/<int:pid>/annotations/",
        annotations.ProjectAnnotationListView.as_view(),
        name="api-annotations",
    ),
    # assignments and annotations
    path(
        "assignments/<int:asid>/", annotations.AssignmentDetailView.as_view(), name="api-assignment"
    ),
    path(
        "assignments/<int:asid>/reassign/",
        annotations.ReassignView.as_view(),
        name="api-reassign",
    ),
    path("assignments/<int:asid>/skip/", annotations.SkipView.as_view(), name="api-skip"),
    path("assignments/<int:asid>/reopen/", annotations.ReopenView.as_view(), name="api-reopen"),
    path(
        "assignments/<int:asid>/annotation/",
        annotations.AnnotationView.as_view(),
        name="api-annotation",
    ),
    path(
        "assignments/<int:asid>/annotation/spans/",
        annotations.SpanListView.as_view(),
        name="api-spans",
    ),
    path(
        "assignments/<int:asid>/annotation/spans/<str:span_id>/",
        annotations.SpanDetailView.as_view(),
        name="api-span",
    ),
    path(
        "assignments/<int:asid>/annotation/submit/",
        annotations.SubmitView.as_view(),
        name="api-submit",
    ),
    path("annotations/<int:anid>/history/", annotations.HistoryView.as_view(), name="api-history"),
    path(
        "assignments/<int:asid>/history/",
        annotations.AssignmentHistoryView.as_view(),
        name="api-assignment-history",
    ),
    # adjudication and gold
    path(
        "projects/<int:pid>/articles/<int:aid>/adjudication/",
        gold.AdjudicationView.as_view(),
        name="api-adjudication",
    ),
    path("projects/<int:pid>/articles/<int:aid>/gold/", gold.GoldView.as_view(), name="api-gold"),
    path(
        "projects/<int:pid>/gold/auto-accept/",
        gold.AutoAcceptView.as_view(),
        name="api-gold-auto-accept",
    ),
    path(
        "projects/<int:pid>/gold/progress/",
        gold.GoldProgressView.as_view(),
        name="api-gold-progress",
    ),
    # exports, export tokens, imports, background jobs
    path("projects/<int:pid>/exports/", exports.ExportListView.as_view(), name="api-exports"),
    path(
        "projects/<int:pid>/exports/stream/",
        exports.ExportStreamView.as_view(),
        name="api-export-stream",
    ),
    path(
        "projects/<int:pid>/exports/latest/download/",
        exports.LatestExportDownloadView.as_view(),
        name="api-export-latest",
    ),
    path(
        "projects/<int:pid>/exports/<int:job_id>/download/",
        exports.ExportDownloadView.as_view(),
        name="api-export-download",
    ),
    path(
        "projects/<int:pid>/export-tokens/",
        exports.ExportTokenListView.as_view(),
        name="api-export-tokens",
    ),
    path(
        "projects/<int:pid>/export-tokens/<int:token_id>/",
        exports.ExportTokenDetailView.as_view(),
        name="api-export-token",
    ),
    path("projects/<int:pid>/imports/", imports.ImportView.as_view(), name="api-imports"),
    path("jobs/<int:job_id>/", jobs.JobView.as_view(), name="api-job"),
    path("jobs/<int:job_id>/retry/", jobs.JobRetryView.as_view(), name="api-job-retry"),
    # agreement
    path("projects/<int:pid>/agreement/", agreement.AgreementView.as_view(), name="api-agreement"),
]
