"""Each test process's database (tests/databases.py): a copy of the run's migrated
database, with every migration applied, and never that database itself."""

import os

from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from . import databases

APPLIED = "SELECT app, name FROM django_migrations ORDER BY app, name"


def test_each_process_tests_on_its_own_copy_of_the_runs_migrated_database(db):
    template = str(databases.migrated())
    here = connection.settings_dict["NAME"]
    if databases.on_postgresql():
        assert here != template
    else:
        assert not os.path.samefile(here, template)
    with connection.cursor() as cursor:
        cursor.execute(APPLIED)
        applied_here = cursor.fetchall()
    assert len(applied_here) > 20  # Django's apps' and ours
    assert applied_here == databases.query(template, APPLIED)
    executor = MigrationExecutor(connection)
    assert executor.migration_plan(executor.loader.graph.leaf_nodes()) == []
