"""The query planner's statistics, refreshed after writes that change the data's shape.

SQLite keeps none until ANALYZE runs, and then guesses. At 100,000 organisations it
guessed wrong: the home page's recently updated organisations read every published
row (550 ms, 0.1 ms after ANALYZE), and the API's partnerships started from the
organisations instead of their index (110 ms, 3 ms after). PostgreSQL's autovacuum
analyses by itself, but only after a while; doing it at once costs little.
"""

from django.db import connections


def refresh(using="default"):
    with connections[using].cursor() as cursor:
        cursor.execute("ANALYZE")


def refresh_after_migrate(using="default", plan=None, **kwargs):
    """post_migrate receiver: after migrations ran (not after a test flush, plan None)."""
    if plan:
        refresh(using)
