"""gunicorn's production configuration, read from the environment.

    gunicorn directory.wsgi        # from the project root: gunicorn reads this file

Behind a TLS-terminating proxy (nginx, a load balancer) that sets X-Forwarded-Proto.
"""

import gc
import multiprocessing
import os

# The master loads the application and the facet index, objects that live as long as
# the process: Python's garbage collector, run again and again while they are made,
# would look through all of them each time for cycles they never form (a tenth of
# the start at 100,000 organisations). It is off until they are loaded, and then
# they are frozen (`when_ready`).
gc.disable()

bind = os.environ.get("BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
# Two processes per core plus one.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
# Threaded workers: the pages are short database reads, but an export of the whole
# directory streams for seconds, and a sync worker is killed by `timeout` while it
# answers one request, cutting the file. A threaded worker's main loop tells the
# arbiter it is alive whatever its threads are doing, so `timeout` only catches a
# worker that is stuck, never a long download.
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = 30
# Load the application once, in the master, before forking the workers. The check
# that refuses to start without the SQLite file (directory/wsgi.py) then runs once,
# at start: a worker replaced later (recycled, or after a crash) while the file is
# briefly away is forked from the loaded app and answers 503 until the file is
# back, where a worker that imported the app itself would fail to boot and make
# gunicorn halt the whole server. A code deploy restarts gunicorn (a HUP reloads
# only the configuration).
preload_app = True


def when_ready(server):
    """Bring the facet index and the table of withheld terms up to date in the master,
    once, before the workers are forked from it: each starts with them, loaded from
    the stored index (orgs/facet_snapshot.py) rather than built in every worker on its
    first listing. A database that is away now only leaves that to the workers.

    Then what the master holds is frozen (`gc.freeze`, as Python's documentation
    advises before forking): no collection, in the master or a worker, looks through
    those objects again, nor writes to their memory, which the workers share."""
    try:
        load_in_master(server)
    finally:
        gc.freeze()
        gc.enable()


def load_in_master(server):
    from django.conf import settings

    if not settings.configured:  # the app is not loaded in the master
        return
    from django.db import DatabaseError

    from orgs import facets, public_text

    try:
        facets.current_index()
        public_text.current()
    except DatabaseError as error:
        server.log.warning("Facet index not loaded before the workers start: %s", error)


def pre_fork(server, worker):
    """No database connection the master may hold is shared with a worker."""
    from django.conf import settings
    from django.db import connections

    if settings.configured:  # the app is loaded in the master (preload_app)
        connections.close_all()


graceful_timeout = 20
# Recycle workers now and then, so a slow leak never grows for ever.
max_requests = 2000
max_requests_jitter = 200
# The proxies whose X-Forwarded-* headers gunicorn trusts.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("ACCESS_LOG") or None  # "-" for stdout
errorlog = "-"
# The longest request line gunicorn allows (its default, 4094, answers 414 before
# Django sees the request): a shared listing address with many filters fits, and an
# absurd page number of thousands of digits reaches the API, which says 400 in JSON.
limit_request_line = 8190
# gunicorn's control socket (one default path per user, $HOME/.gunicorn/gunicorn.ctl)
# is not used here, and two servers on one machine would take it from each other.
control_socket_disable = True
