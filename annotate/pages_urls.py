"""Browser page routes of the annotate app."""

from django.urls import path

from annotate.views import agreement as agreement_pages
from annotate.views import annotate_page
from annotate.views import exports as export_pages
from annotate.views import gold as gold_pages
from annotate.views import projects as project_pages

urlpatterns: list = [
    path(
        "projects/<int:pid>/annotate/",
        annotate_page.project_annotate,
        name="project-annotate",
    ),
    path(
        "assignments/<int:asid>/annotate/",
        annotate_page.assignment_annotate,
        name="assignment-annotate",
    ),
    # project pages
    path("projects/new/", project_pages.project_create, name="project-create"),
    path("projects/<int:pid>/", project_pages.project_detail, name="project-detail"),
    path("projects/<int:pid>/settings/", project_pages.project_settings, name="project-settings"),
    path(
        "projects/<int:pid>/assignments/generate/",
        project_pages.project_generate,
        name="project-generate",
    ),
    path(
        "projects/<int:pid>/articles/add/",
        project_pages.project_add_articles,
        name="project-add-articles",
    ),
    path(
        "projects/<int:pid>/members/add/",
        project_pages.project_add_member,
        name="project-add-member",
    ),
    path(
        "projects/<int:pid>/members/<int:uid>/",
        project_pages.project_member,
        name="project-member",
    ),
    path("projects/<int:pid>/schema/", project_pages.project_schema, name="project-schema"),
    path(
        "assignments/<int:asid>/reassign/",
        project_pages.assignment_reassign,
        name="assignment-reassign",
    ),
    path(
        "assignments/<int:asid>/reopen/",
        project_pages.assignment_reopen,
        name="assignment-reopen",
    ),
    # agreement (managers and reviewers)
    path("projects/<int:pid>/agreement/", agreement_pages.agreement_dashboard, name="agreement"),
    path(
        "projects/<int:pid>/articles/<int:aid>/compare/",
        agreement_pages.compare_article,
        name="agreement-compare",
    ),
    # adjudication (managers and reviewers)
    path(
        "projects/<int:pid>/adjudicate/",
        gold_pages.adjudication_list,
        name="adjudication-list",
    ),
    path(
        "projects/<int:pid>/articles/<int:aid>/adjudicate/",
        gold_pages.adjudicate_article,
        name="adjudicate-article",
    ),
    # exports, export tokens and imports (managers)
    path("projects/<int:pid>/exports/", export_pages.data_page, name="project-exports"),
]
