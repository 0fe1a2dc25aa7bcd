"""Browser page routes of the annotate app."""

from django.urls import path

import workbench.converters  # noqa: F401  (registers <id:...>)
from annotate.views import agreement as agreement_pages
from annotate.views import annotate_page
from annotate.views import exports as export_pages
from annotate.views import gold as gold_pages
from annotate.views import projects as project_pages
from annotate.views import suggestions as suggestion_pages

urlpatterns: list = [
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
    path(
        "projects/<id:pid>/members/add/",
        project_pages.project_add_member,
        name="project-add-member",
    ),
    path(
        "projects/<id:pid>/members/<id:uid>/",
        project_pages.project_member,
        name="project-member",
    ),
    path("projects/<id:pid>/schema/", project_pages.project_schema, name="project-schema"),
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
]
