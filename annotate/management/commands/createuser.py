"""Create an account for scripted set-ups, optionally straight into a project with a role."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from annotate.errors import ActionError
from annotate.management.commands._project import find_project
from annotate.members import create_account, set_password_path
from annotate.models import Role
from annotate.projects import do_set_member


class Command(BaseCommand):
    stealth_options = ("stdin",)
    help = (
        "Create the account USERNAME. The password is read from standard input with "
        "--password-stdin (one line; never put it on the command line); without it the "
        "account has no password and the command prints a link where its owner sets one. "
        "--project and --role make the account a member of that project."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("--email", default="")
        parser.add_argument("--staff", action="store_true", help="may create projects, corpora")
        parser.add_argument(
            "--password-stdin", action="store_true", help="read the password from stdin"
        )
        parser.add_argument("--project", help="project id or name to join")
        parser.add_argument(
            "--role", choices=list(Role.values), help="role in --project (default annotator)"
        )
        parser.add_argument(
            "--base-url",
            default="http://127.0.0.1:8000",
            help="the site's address, for the set-password link (default %(default)s)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["role"] and not options["project"]:
            raise CommandError("--role needs --project")
        project = find_project(options["project"]) if options["project"] else None
        password = None
        if options["password_stdin"]:
            password = options.get("stdin", sys.stdin).readline().rstrip("\r\n")
            if not password:
                raise CommandError("--password-stdin: standard input held no password")
        try:
            with transaction.atomic():
                user = create_account(
                    username=options["username"],
                    email=options["email"],
                    password=password,
                    is_staff=options["staff"],
                )
                if project is not None:
                    do_set_member(
                        project, by=None, user=user, role=options["role"] or Role.ANNOTATOR
                    )
        except ActionError as exc:
            raise CommandError(f"{exc.field}: {exc.message}") from None
        self.stdout.write(f"created {user.get_username()}")
        if project is not None:
            self.stdout.write(f"member of {project.name} as {options['role'] or Role.ANNOTATOR}")
        if password is None:
            link = options["base_url"].rstrip("/") + set_password_path(user)
            self.stdout.write(f"set-password link: {link}")
