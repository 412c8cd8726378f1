"""`migrate`, which on SQLite first creates the database file if there is none.

Everything else opens only an existing file (see orgs/sqlite_file.py), so a moved or
deleted database is an error rather than a new, empty directory.
"""

from django.core.management.commands.migrate import Command as MigrateCommand

from orgs.sqlite_file import create_if_missing


class Command(MigrateCommand):
    def execute(self, *args, **options):
        # Before the system checks, which already open the database.
        create_if_missing(options.get("database") or "default")
        return super().execute(*args, **options)
