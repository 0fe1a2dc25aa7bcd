"""Browser page routes of the annotate app."""

from django.urls import path

import workbench.converters  # noqa: F401  (registers <id:...>)
from annotate.views import agreement as agreement_pages
from annotate.views import annotate_page, schema_editor
from annotate.views import comments as comment_pages
from annotate.views import exports as export_pages
from annotate.views import gold as gold_pages
from annotate.views import members as member_pages
from annotate.views import people as people_pages
from annotate.views import projects as project_pages
from annotate.views import suggestions as suggestion_pages

urlpatterns: list = [
    path("projects/<id:pid>/discussions/", comment_pages.discussions, name="discussions"),
    path(
        "projects/<id:pid>/articles/<id:aid>/discussion/",
        comment_pages.discussion,
        name="discussion",
    ),
    path(
        "projects/<id:pid>/articles/<id:aid>/discussion/reopen/<id:asid>/",
        comment_pages.discussion_reopen,
        name="discussion-reopen",
    ),
    path(
        "projects/<id:pid>/annotate/",
        annotate_page.project_annotate,
        name="project-annotate",
    ),
    path(
        "assignments/<id:asid>/annotate/",
        annotate_page.assignment_annotate,
        name="assignment-annotate",
    ),
    # project pages
    path("projects/new/", project_pages.project_create, name="project-create"),
    path("projects/<id:pid>/", project_pages.project_detail, name="project-detail"),
    path("projects/<id:pid>/settings/", project_pages.project_settings, name="project-settings"),
    path(
        "projects/<id:pid>/assignments/generate/",
        project_pages.project_generate,
        name="project-generate",
    ),
    path(
        "projects/<id:pid>/articles/add/",
        project_pages.project_add_articles,
        name="project-add-articles",
    ),
    # people: members, invitations, accounts
    path("projects/<id:pid>/members/", member_pages.members_page, name="project-members"),
    path(
        "projects/<id:pid>/members/invite/",
        member_pages.member_invite,
        name="project-invite",
    ),
    path(
        "projects/<id:pid>/members/<id:uid>/",
        member_pages.member_change,
        name="project-member",
    ),
    path(
        "projects/<id:pid>/invitations/<id:iid>/cancel/",
        member_pages.invitation_cancel,
        name="invitation-cancel",
    ),
    path("invitations/<str:key>/", member_pages.invitation_accept, name="invitation-accept"),
    path("people/", member_pages.accounts_page, name="accounts"),
    path("people/new/", member_pages.account_create, name="account-create"),
    path("people/<id:uid>/active/", member_pages.account_active, name="account-active"),
    path("projects/<id:pid>/schema/", project_pages.project_schema, name="project-schema"),
    path("projects/<id:pid>/schema/edit/", schema_editor.schema_editor, name="project-schema-edit"),
    path(
        "assignments/<id:asid>/reassign/",
        project_pages.assignment_reassign,
        name="assignment-reassign",
    ),
    path(
        "assignments/<id:asid>/reopen/",
        project_pages.assignment_reopen,
        name="assignment-reopen",
    ),
    # suggestions (managers and reviewers)
    path(
        "projects/<id:pid>/suggestions/",
        suggestion_pages.suggestions_page,
        name="project-suggestions",
    ),
    # agreement (managers and reviewers)
    path("projects/<id:pid>/agreement/", agreement_pages.agreement_dashboard, name="agreement"),
    path(
        "projects/<id:pid>/agreement/articles/",
        agreement_pages.agreement_articles,
        name="agreement-articles",
    ),
    path(
        "projects/<id:pid>/articles/<id:aid>/compare/",
        agreement_pages.compare_article,
        name="agreement-compare",
    ),
    # adjudication (managers and reviewers)
    path(
        "projects/<id:pid>/adjudicate/",
        gold_pages.adjudication_list,
        name="adjudication-list",
    ),
    path(
        "projects/<id:pid>/articles/<id:aid>/adjudicate/",
        gold_pages.adjudicate_article,
        name="adjudicate-article",
    ),
    # exports, export tokens and imports (managers)
    path("projects/<id:pid>/exports/", export_pages.data_page, name="project-exports"),
    # people: assignments, progress, pace and quality (managers and reviewers)
    path("projects/<id:pid>/people/", people_pages.people_page, name="project-people"),
    path(
        "projects/<id:pid>/people/actions/",
        people_pages.people_action,
        name="project-people-action",
    ),
    path(
        "projects/<id:pid>/people/<id:uid>/",
        people_pages.annotator_page,
        name="project-annotator",
    ),
    path(
        "projects/<id:pid>/people/<id:uid>/articles/<id:aid>/",
        people_pages.annotator_article,
        name="project-annotator-article",
    ),
]
