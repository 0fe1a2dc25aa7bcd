"""REST API routes (mounted at /api/)."""

from django.urls import path

import workbench.converters  # noqa: F401  (registers <id:...>)
from annotate.api import (
    agreement,
    annotations,
    comments,
    exports,
    gold,
    imports,
    jobs,
    members,
    people,
    projects,
    recommenders,
    tokens,
)

urlpatterns: list = [
    path("auth/token/", tokens.LoginTokenView.as_view(), name="api-token"),
    path("auth/tokens/", tokens.ApiTokenListView.as_view(), name="api-tokens"),
    path("auth/tokens/current/", tokens.CurrentApiTokenView.as_view(), name="api-token-current"),
    path(
        "auth/tokens/<id:token_id>/", tokens.ApiTokenDetailView.as_view(), name="api-token-detail"
    ),
    # projects
    path("projects/", projects.ProjectListView.as_view(), name="api-projects"),
    path("projects/<id:pid>/", projects.ProjectDetailView.as_view(), name="api-project"),
    path("projects/<id:pid>/schema/", projects.SchemaView.as_view(), name="api-schema-doc"),
    path(
        "projects/<id:pid>/schema/versions/",
        projects.SchemaVersionListView.as_view(),
        name="api-schema-versions",
    ),
    path("projects/<id:pid>/articles/", projects.ArticleListView.as_view(), name="api-articles"),
    path(
        "projects/<id:pid>/articles/<id:aid>/",
        projects.ArticleDetailView.as_view(),
        name="api-article",
    ),
    path("projects/<id:pid>/members/", projects.MemberListView.as_view(), name="api-members"),
    path(
        "projects/<id:pid>/members/<id:uid>/",
        projects.MemberDetailView.as_view(),
        name="api-member",
    ),
    path(
        "projects/<id:pid>/invitations/",
        members.InvitationListView.as_view(),
        name="api-invitations",
    ),
    path(
        "projects/<id:pid>/invitations/<id:iid>/",
        members.InvitationDetailView.as_view(),
        name="api-invitation",
    ),
    path(
        "invitations/accept/",
        members.AcceptInvitationView.as_view(),
        name="api-invitation-accept",
    ),
    path("users/", members.AccountListView.as_view(), name="api-users"),
    path("users/<id:uid>/", members.AccountDetailView.as_view(), name="api-user"),
    path(
        "projects/<id:pid>/assignments/generate/",
        projects.GenerateView.as_view(),
        name="api-generate",
    ),
    path(
        "projects/<id:pid>/assignments/",
        annotations.AssignmentListView.as_view(),
        name="api-assignments",
    ),
    path("projects/<id:pid>/progress/", projects.ProgressView.as_view(), name="api-progress"),
    path("projects/<id:pid>/queue/", annotations.QueueView.as_view(), name="api-queue"),
    path("projects/<id:pid>/queue/next/", annotations.NextView.as_view(), name="api-next"),
    path(
        "projects/<id:pid>/annotations/",
        annotations.ProjectAnnotationListView.as_view(),
        name="api-annotations",
    ),
    # suggestions
    path(
        "projects/<id:pid>/recommenders/",
        recommenders.RecommenderListView.as_view(),
        name="api-recommenders",
    ),
    path(
        "projects/<id:pid>/recommenders/train/",
        recommenders.TrainView.as_view(),
        name="api-recommenders-train",
    ),
    path(
        "projects/<id:pid>/agreement/hand-drawn/",
        recommenders.HandDrawnAgreementView.as_view(),
        name="api-agreement-hand-drawn",
    ),
    path(
        "assignments/<id:asid>/suggestions/",
        recommenders.SuggestionsView.as_view(),
        name="api-suggestions",
    ),
    path(
        "assignments/<id:asid>/suggestions/reject/",
        recommenders.RejectView.as_view(),
        name="api-suggestion-reject",
    ),
    path(
        "assignments/<id:asid>/suggestions/accept/",
        recommenders.AcceptView.as_view(),
        name="api-suggestion-accept",
    ),
    # assignments and annotations
    path(
        "assignments/<id:asid>/", annotations.AssignmentDetailView.as_view(), name="api-assignment"
    ),
    path(
        "assignments/<id:asid>/reassign/",
        annotations.ReassignView.as_view(),
        name="api-reassign",
    ),
    path("assignments/<id:asid>/skip/", annotations.SkipView.as_view(), name="api-skip"),
    path("assignments/<id:asid>/reopen/", annotations.ReopenView.as_view(), name="api-reopen"),
    path(
        "assignments/<id:asid>/annotation/",
        annotations.AnnotationView.as_view(),
        name="api-annotation",
    ),
    path(
        "assignments/<id:asid>/annotation/spans/",
        annotations.SpanListView.as_view(),
        name="api-spans",
    ),
    path(
        "assignments/<id:asid>/annotation/spans/<str:span_id>/",
        annotations.SpanDetailView.as_view(),
        name="api-span",
    ),
    path(
        "assignments/<id:asid>/annotation/submit/",
        annotations.SubmitView.as_view(),
        name="api-submit",
    ),
    path("annotations/<id:anid>/history/", annotations.HistoryView.as_view(), name="api-history"),
    path(
        "assignments/<id:asid>/history/",
        annotations.AssignmentHistoryView.as_view(),
        name="api-assignment-history",
    ),
    # adjudication and gold
    path(
        "projects/<id:pid>/articles/<id:aid>/adjudication/",
        gold.AdjudicationView.as_view(),
        name="api-adjudication",
    ),
    path("projects/<id:pid>/articles/<id:aid>/gold/", gold.GoldView.as_view(), name="api-gold"),
    path(
        "projects/<id:pid>/gold/auto-accept/",
        gold.AutoAcceptView.as_view(),
        name="api-gold-auto-accept",
    ),
    path(
        "projects/<id:pid>/gold/progress/",
        gold.GoldProgressView.as_view(),
        name="api-gold-progress",
    ),
    # exports, export tokens, imports, background jobs
    path("projects/<id:pid>/exports/", exports.ExportListView.as_view(), name="api-exports"),
    path(
        "projects/<id:pid>/exports/stream/",
        exports.ExportStreamView.as_view(),
        name="api-export-stream",
    ),
    path(
        "projects/<id:pid>/exports/latest/download/",
        exports.LatestExportDownloadView.as_view(),
        name="api-export-latest",
    ),
    path(
        "projects/<id:pid>/exports/<id:job_id>/download/",
        exports.ExportDownloadView.as_view(),
        name="api-export-download",
    ),
    path(
        "projects/<id:pid>/export-tokens/",
        exports.ExportTokenListView.as_view(),
        name="api-export-tokens",
    ),
    path(
        "projects/<id:pid>/export-tokens/<id:token_id>/",
        exports.ExportTokenDetailView.as_view(),
        name="api-export-token",
    ),
    path("projects/<id:pid>/imports/", imports.ImportView.as_view(), name="api-imports"),
    path("jobs/<id:job_id>/", jobs.JobView.as_view(), name="api-job"),
    path("jobs/<id:job_id>/retry/", jobs.JobRetryView.as_view(), name="api-job-retry"),
    # comments, flags, skip reasons, reopen requests, guidelines versions
    path(
        "projects/<id:pid>/articles/<id:aid>/comments/",
        comments.ThreadView.as_view(),
        name="api-comments",
    ),
    path(
        "projects/<id:pid>/articles/<id:aid>/comments/read/",
        comments.ThreadReadView.as_view(),
        name="api-comments-read",
    ),
    path(
        "projects/<id:pid>/comments/unread/",
        comments.UnreadRepliesView.as_view(),
        name="api-comments-unread",
    ),
    path("projects/<id:pid>/comments/", comments.OpenThreadsView.as_view(), name="api-threads"),
    path(
        "projects/<id:pid>/skip-reasons/",
        comments.SkipReasonsView.as_view(),
        name="api-skip-reasons",
    ),
    path(
        "projects/<id:pid>/reopen-requests/",
        comments.ReopenRequestsView.as_view(),
        name="api-reopen-requests",
    ),
    path(
        "assignments/<id:asid>/request-reopen/",
        comments.RequestReopenView.as_view(),
        name="api-request-reopen",
    ),
    path("projects/<id:pid>/guidelines/", comments.GuidelinesView.as_view(), name="api-guidelines"),
    path(
        "projects/<id:pid>/guidelines/acknowledge/",
        comments.AcknowledgeGuidelinesView.as_view(),
        name="api-guidelines-ack",
    ),
    path(
        "projects/<id:pid>/guidelines/versions/",
        comments.GuidelinesVersionListView.as_view(),
        name="api-guidelines-versions",
    ),
    # agreement
    path("projects/<id:pid>/agreement/", agreement.AgreementView.as_view(), name="api-agreement"),
    # people: the assignments table, its actions, pace and quality (leads)
    path("projects/<id:pid>/people/", people.PeopleView.as_view(), name="api-people"),
    path(
        "projects/<id:pid>/people/assignments/",
        people.AssignmentTableView.as_view(),
        name="api-people-assignments",
    ),
    path(
        "projects/<id:pid>/people/assignments/bulk/",
        people.BulkView.as_view(),
        name="api-people-bulk",
    ),
    path(
        "projects/<id:pid>/people/<id:uid>/gold/",
        people.AnnotatorGoldView.as_view(),
        name="api-people-gold",
    ),
    path(
        "projects/<id:pid>/people/<id:uid>/gold/<id:aid>/",
        people.AnnotatorGoldArticleView.as_view(),
        name="api-people-gold-article",
    ),
    path(
        "projects/<id:pid>/assignments/preview/",
        people.PreviewView.as_view(),
        name="api-generate-preview",
    ),
    path("assignments/<id:asid>/unassign/", people.UnassignView.as_view(), name="api-unassign"),
    path(
        "assignments/<id:asid>/active-time/",
        people.ActiveTimeView.as_view(),
        name="api-active-time",
    ),
]
