"""Create a curator's account: staff, in the `curator` group, never a superuser.

Curators work in the Django admin with exactly the permissions of the group (see
orgs/roles.py). Interactive use prompts for the password twice; scripts pass
`--password-from-env` and put the password in an environment variable
(CURATOR_PASSWORD unless named), never on the command line where `ps` shows it.

    python manage.py create_curator aminata --email aminata@example.org
    CURATOR_PASSWORD=... python manage.py create_curator aminata --password-from-env
"""

import getpass
import os
import sys

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction

from orgs.roles import GROUP_NAME

DEFAULT_PASSWORD_VARIABLE = "CURATOR_PASSWORD"


class Command(BaseCommand):
    help = "Create a curator account (staff, in the curator group) for the admin."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", default="", help="The curator's email address.")
        parser.add_argument(
            "--password-from-env",
            nargs="?",
            const=DEFAULT_PASSWORD_VARIABLE,
            metavar="VARIABLE",
            help=(
                "Read the password from this environment variable "
                f"(default {DEFAULT_PASSWORD_VARIABLE}) instead of prompting."
            ),
        )

    def handle(self, *args, username, email, password_from_env, **options):
        User = get_user_model()
        username = username.strip()
        if not username:
            raise CommandError("The username is empty.")
        if User.objects.filter(username=username).exists():
            raise CommandError(f"A user named {username!r} already exists.")
        if email:
            try:
                validate_email(email)
            except ValidationError as error:
                raise CommandError(f"--email {email!r}: not a valid address.") from error
        try:
            group = Group.objects.get(name=GROUP_NAME)
        except Group.DoesNotExist as error:
            raise CommandError(
                f"The {GROUP_NAME!r} group does not exist: run `manage.py migrate` first."
            ) from error

        user = User(username=username, email=email, is_staff=True)
        password = self.read_password(password_from_env)
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise CommandError("Password refused: " + " ".join(error.messages)) from error

        with transaction.atomic():
            user.set_password(password)
            user.save()
            user.groups.add(group)
        if options["verbosity"] >= 1:
            self.stdout.write(
                self.style.SUCCESS(f"Curator {username!r} created; they can sign in at /admin/.")
            )

    def read_password(self, variable):
        if variable:
            password = os.environ.get(variable, "")
            if not password:
                raise CommandError(f"The environment variable {variable} is empty or unset.")
            return password
        if not sys.stdin.isatty():
            raise CommandError(
                "No terminal to ask for the password: use --password-from-env "
                f"and set {DEFAULT_PASSWORD_VARIABLE}."
            )
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password (again): "):
            raise CommandError("The two passwords differ.")
        if not password:
            raise CommandError("The password is empty.")
        return password
