"""WSGI entry point, served by gunicorn in production."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "directory.settings")
application = get_wsgi_application()

# On SQLite, a server without its database file must not start (it would serve an
# empty one); see orgs/sqlite_file.py.
from orgs.sqlite_file import require_database_file  # noqa: E402

require_database_file()
