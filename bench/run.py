"""The directory's benchmark: how it behaves at 1,000 and 100,000 organisations.

One run builds the databases (SQLite files under bench/data/, PostgreSQL databases
on a cluster this script starts on loopback, or on DATABASE_URL's server), serves
each with gunicorn (production settings, DEBUG off) on loopback, times every URL
in URLS below with a keep-alive HTTP client, serves the same data with Datasette
as the peer to beat, runs a bounded load test with wrk, and writes
bench/RESULTS.md. Every figure is a ratio to /healthz measured in the same run,
because absolute times on a shared 2-core machine mean little.

    bash bench/run                       # everything (about 20-30 minutes)
    bash bench/run --sizes 1000 --dbs sqlite --no-load   # a quick look

Not a test: nothing here runs in CI.
"""

import argparse
import datetime
import http.client
import json
import os
import platform
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

# ---------------------------------------------------------------------------
# What is measured: one row per URL. Edit here. `{slug}` is a published
# organisation; `{deep}` is page 1000 at 100,000 organisations and the last
# page at 1,000. RARE and COMMON are search terms of the synthetic data.
RARE, COMMON = "apiculture", "femmes"
LISTING = "/en/orgs/"
URLS = [
    # key,              path
    ("healthz", "/healthz"),
    # The smallest page through the whole middleware stack and the base template,
    # with no query of its own: where any rendered page starts.
    ("smallest_page", "/en/thanks/"),
    ("home", "/en/"),
    ("listing", "/en/orgs/"),
    ("q_rare", f"/en/orgs/?q={RARE}"),
    ("q_common", f"/en/orgs/?q={COMMON}"),
    ("q_common_nofacets", f"/en/orgs/?q={COMMON}&facets=0"),
    ("filters", "/en/orgs/?region=mopti&focus=youth"),
    ("page_1", "/en/orgs/?page=1"),
    ("deep_page", "/en/orgs/?page={deep}"),
    ("org_page", "/en/orgs/{slug}/"),
    # The cheapest page with a template and a query: what "2x /healthz" competes with.
    ("regions", "/en/regions/"),
    ("region_page", "/en/regions/bamako/"),
    ("api_list", "/api/orgs/"),
]
# The rows above ask for a fresh copy (`Cache-Control: no-cache`), so they time the
# page rendered; these two are a repeat served from the page cache
# (orgs/page_cache.py) and a conditional request with the page's ETag (304).
FRESH = {"Cache-Control": "no-cache"}
CACHED_URLS = [
    # key,              path,        headers (`{etag}`: the page's ETag), shown as
    ("listing_cached", "/en/orgs/", {}, "repeat, from the page cache"),
    ("listing_304", "/en/orgs/", {"If-None-Match": "{etag}"}, "with `If-None-Match`"),
]
NOTES = {key: note for key, _path, _headers, note in CACHED_URLS}
# The peer: the same organisations in Datasette, faceted full-text search.
# It searches the directory's own searched text (search_text), as a prefix, as the
# directory does, so both sides match the same organisations.
DATASETTE_URL = (
    "/cso/orgs.json?_search=%22{term}%22*&_searchmode=raw&_facet=kind&_facet=hq_region"
    "&_facet_array=regions&_facet_array=focus&_size=25"
)
SIZES = [1000, 100_000]
REQUESTS, WARMUP, MAX_SECONDS = int(os.environ.get("BENCH_ROUNDS", "200")), 10, 20
LOAD_SECONDS, LOAD_CONNECTIONS = 60, 16
# ---------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
PYTHON = str(ROOT / ".venv" / "bin" / "python")
BIN = ROOT / ".venv" / "bin"
SECRET = "benchmark-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def django_env(database_url, debug):
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/tmp"),
        "DATABASE_URL": database_url,
        "DEBUG": "1" if debug else "0",
        "SECRET_KEY": SECRET,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "ERROR",
    }
    return env


def manage(*args, database_url, debug=True):
    subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=django_env(database_url, debug), check=True
    )


# --- PostgreSQL ----------------------------------------------------------------


def pg_bin():
    if os.environ.get("CSO_PG_BIN"):
        return Path(os.environ["CSO_PG_BIN"])
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
    if not found:
        sys.exit("PostgreSQL is not installed: apt-get install postgresql postgresql-contrib")
    return found[-1]


def as_pg(args):
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


@contextmanager
def postgres_cluster(needed=True):
    """A PostgreSQL cluster on loopback, or DATABASE_URL's server; yields a URL base."""
    if not needed:
        yield None
        return
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        yield os.environ["DATABASE_URL"].rsplit("/", 1)[0]
        return
    binaries = pg_bin()
    directory = Path(tempfile.mkdtemp(prefix="cso-bench-pg."))
    port = free_port()
    if os.geteuid() == 0:
        shutil.chown(directory, "postgres")
    subprocess.run(
        as_pg([str(binaries / "initdb"), "-D", f"{directory}/data", "-U", "postgres",
               "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]),
        check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    options = f"-p {port} -k {directory} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run(
        as_pg([str(binaries / "pg_ctl"), "-D", f"{directory}/data", "-l",
               f"{directory}/server.log", "-w", "-o", options, "start"]),
        check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        yield f"postgres://postgres@127.0.0.1:{port}"
    finally:
        subprocess.run(
            as_pg([str(binaries / "pg_ctl"), "-D", f"{directory}/data", "-m", "fast", "stop"]),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        shutil.rmtree(directory, ignore_errors=True)


def pg_count(url):
    import psycopg

    try:
        with psycopg.connect(url, connect_timeout=5) as conn:
            row = conn.execute(
                "SELECT count(*) FROM orgs_organisation WHERE slug LIKE 'synth-%%'"
            ).fetchone()
            return row[0]
    except psycopg.Error:
        return None


def pg_create(base, name):
    import psycopg

    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


# --- Databases -------------------------------------------------------------------


def build(database_url, size, create=None):
    """Migrate and fill a database with `size` synthetic organisations."""
    log(f"building {size} organisations at {database_url}")
    if create:
        create()
    started = time.monotonic()
    manage("migrate", "--verbosity", "0", database_url=database_url)
    manage("synth_orgs", str(size), "--seed", "1", "--yes", database_url=database_url)
    return time.monotonic() - started


def sqlite_database(size):
    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / f"orgs-{size}.sqlite3"
    url = f"sqlite:///{path}"
    if path.exists():
        with sqlite3.connect(path) as conn:
            try:
                (count,) = conn.execute(
                    "SELECT count(*) FROM orgs_organisation WHERE slug LIKE 'synth-%'"
                ).fetchone()
            except sqlite3.Error:
                count = None
        if count == size:
            manage("migrate", "--verbosity", "0", database_url=url)
            return url, None
        path.unlink()
    return url, build(url, size)


def postgres_database(base, size):
    name = f"cso_bench_{size}"
    url = f"{base}/{name}"
    if pg_count(url) == size:
        manage("migrate", "--verbosity", "0", database_url=url)
        return url, None
    return url, build(url, size, create=lambda: pg_create(base, name))


def sample_slug(database_url):
    """A published organisation in the middle of the alphabet."""
    query = (
        "SELECT slug FROM orgs_organisation WHERE status = 'published' AND sensitive = %s "
        "ORDER BY name LIMIT 1 OFFSET (SELECT count(*) / 2 FROM orgs_organisation)"
    )
    if database_url.startswith("sqlite"):
        with sqlite3.connect(database_url.removeprefix("sqlite:///")) as conn:
            return conn.execute(query.replace("%s", "0")).fetchone()[0]
    import psycopg

    with psycopg.connect(database_url) as conn:
        return conn.execute(query, [False]).fetchone()[0]


def datasette_file(sqlite_url, size):
    """The same published organisations as one flat table with an FTS5 index."""
    target = DATA / f"datasette-{size}" / "cso.db"
    source = Path(sqlite_url.removeprefix("sqlite:///"))
    if target.exists() and target.stat().st_mtime > source.stat().st_mtime:
        return target
    target.unlink(missing_ok=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(target)
    conn.execute(f"ATTACH DATABASE '{source}' AS src")
    conn.executescript(
        """
        CREATE TABLE orgs (
            id INTEGER PRIMARY KEY, slug TEXT, name TEXT, name_original TEXT, acronym TEXT,
            kind TEXT, founded INTEGER, hq_region TEXT, hq_town TEXT, description TEXT,
            search_text TEXT, regions TEXT, focus TEXT
        );
        INSERT INTO orgs
        SELECT o.id, o.slug, o.name, o.name_original, o.acronym, o.kind, o.founded,
               hq.name, o.hq_town, o.description, o.search_text,
               (SELECT json_group_array(r.name) FROM src.orgs_organisation_regions l
                  JOIN src.orgs_region r ON r.id = l.region_id WHERE l.organisation_id = o.id),
               (SELECT json_group_array(f.label_en) FROM src.orgs_organisation_focus_areas l
                  JOIN src.orgs_focusarea f ON f.id = l.focusarea_id
                  WHERE l.organisation_id = o.id)
        FROM src.orgs_organisation o LEFT JOIN src.orgs_region hq ON hq.id = o.hq_region_id
        WHERE o.status = 'published';
        CREATE VIRTUAL TABLE orgs_fts USING fts5(
            search_text,
            content="orgs", content_rowid="id", tokenize="unicode61 remove_diacritics 2"
        );
        INSERT INTO orgs_fts (rowid, search_text) SELECT id, search_text FROM orgs;
        """
    )
    conn.commit()
    conn.execute("DETACH DATABASE src")
    conn.close()
    return target


# --- Servers -----------------------------------------------------------------------


def wait_for(port, path, timeout=600):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("GET", path, headers=HEADERS)
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"nothing answered 200 on 127.0.0.1:{port}{path}")


@contextmanager
def serve(args, port, ready_path, env=None, started=None):
    """Start a server, wait for `ready_path` to answer 200, yield (port, process).

    `started`, a dict, receives the seconds from start to that first 200."""
    DATA.mkdir(parents=True, exist_ok=True)
    errors = open(DATA / f"{Path(args[0]).name}.log", "a")
    began = time.monotonic()
    process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=errors, stderr=errors)
    try:
        wait_for(port, ready_path)
        if started is not None:
            started["seconds"] = time.monotonic() - began
        yield port, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        errors.close()


def gunicorn(database_url, ready_path="/healthz", started=None):
    port = free_port()
    return serve(
        [str(BIN / "gunicorn"), "directory.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", "2", "--log-level", "warning",
         # No recycling: the CPU figures follow the same two worker processes.
         "--max-requests", "0"],  # threads: gunicorn.conf.py
        port, ready_path, env=django_env(database_url, debug=False), started=started,
    )  # fmt: skip


def workers(process):
    """The gunicorn worker processes of a master process: their pids."""
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children")
    return [int(pid) for pid in children.read_text().split()]


def cpu_seconds(pids):
    """CPU time the processes have run, from /proc/<pid>/schedstat (ns on CPU): the
    server's own cost of a request, which other work on a shared machine does not add to."""
    total = 0
    for pid in pids:
        for task in Path(f"/proc/{pid}/task").glob("*"):  # every thread of the worker
            try:
                total += int((task / "schedstat").read_text().split()[0])
            except (OSError, ValueError, IndexError):
                pass
    return total / 1e9


def settled_cpu_seconds(pids, quiet=0.002, limit=0.2):
    """The processes' CPU seconds once they have gone idle. A worker's work for a
    request does not end when the client has the response: it then frees the page's
    objects and closes the request. Read at once, that cost would land on the next
    request timed (a /healthz after a rendered listing looked 60% dearer than one after
    another /healthz); read once idle, it stays with the request that caused it."""
    last, deadline = cpu_seconds(pids), time.perf_counter() + limit
    while time.perf_counter() < deadline:
        time.sleep(quiet)
        now = cpu_seconds(pids)
        if now == last:
            break
        last = now
    return last


def rss_mb(pids):
    """Resident memory of each process, MB."""
    sizes = [0]
    for pid in pids:
        status = Path(f"/proc/{pid}/status")
        lines = status.read_text().splitlines() if status.exists() else []
        for line in lines:
            if line.startswith("VmRSS:"):
                sizes.append(int(line.split()[1]) / 1024)
    return sizes


def datasette(path):
    port = free_port()
    return serve(
        [str(BIN / "datasette"), "serve", str(path), "--host", "127.0.0.1", "--port",
         str(port), "--setting", "sql_time_limit_ms", "20000", "--setting",
         "facet_time_limit_ms", "20000", "--setting", "num_sql_threads", "2"],
        port, "/cso.json",
    )  # fmt: skip


# --- Measuring -----------------------------------------------------------------------

# As behind the production proxy, which terminates TLS: no HTTPS redirect.
HEADERS = {"X-Forwarded-Proto": "https", "Accept-Encoding": "gzip"}


def measure(port, requests, pids=()):
    """Keep-alive requests, {key: (path, extra headers)}, each in turn, round after
    round, so that whatever else the machine is doing weighs on every URL alike: per
    key, the median and 95th percentile (ms) and requests per second of its own time,
    and with `pids` (the server's processes) the median server CPU per request (ms)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    times = {key: [] for key in requests}
    cpu = {key: [] for key in requests}
    statuses = {key: {} for key in requests}
    sizes = {}

    def one(key):
        path, extra = requests[key]
        cpu_before = cpu_seconds(pids)
        started = time.perf_counter()
        conn.request("GET", path, headers={**HEADERS, **extra})
        response = conn.getresponse()
        body = response.read()
        elapsed = time.perf_counter() - started
        cpu[key].append((settled_cpu_seconds(pids) if pids else 0) - cpu_before)
        statuses[key][response.status] = statuses[key].get(response.status, 0) + 1
        sizes[key] = len(body)
        return elapsed

    for _ in range(WARMUP):
        for key in requests:
            one(key)
    for counts in statuses.values():
        counts.clear()
    for spent in cpu.values():
        spent.clear()
    began = time.perf_counter()
    for _ in range(REQUESTS):
        for key in requests:
            times[key].append(one(key))
        if time.perf_counter() - began > MAX_SECONDS * len(requests):
            break
    conn.close()
    results = {}
    for key, measured in times.items():
        measured.sort()
        counts = statuses[key]
        results[key] = {
            "path": requests[key][0],
            "median": statistics.median(measured) * 1000,
            "cpu": statistics.median(cpu[key]) * 1000 if pids else float("nan"),
            "p95": measured[min(len(measured) - 1, int(len(measured) * 0.95))] * 1000,
            "rps": len(measured) / sum(measured),
            "n": len(measured),
            "status": ",".join(
                f"{s}x{n}" if len(counts) > 1 else str(s) for s, n in counts.items()
            ),
            "bytes": sizes[key],
        }
    return results


LUA = """
local paths = {%s}
local counter = 0
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) errors5xx = 0; other = 0 end
function request()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1], {["X-Forwarded-Proto"] = "https"})
end
function response(status, headers, body)
  if status >= 500 then errors5xx = errors5xx + 1 elseif status >= 400 then other = other + 1 end
end
function done(summary, latency, requests)
  local e, o = 0, 0
  for _, t in ipairs(threads) do e = e + t:get("errors5xx"); o = o + t:get("other") end
  io.write(string.format("RESULT5xx %%d\\nRESULT4xx %%d\\n", e, o))
end
"""


def load_test(port, paths):
    if not shutil.which("wrk"):
        return {"skipped": "wrk is not installed (apt-get install wrk)"}
    script = Path(tempfile.mkstemp(suffix=".lua")[1])
    script.write_text(LUA % ", ".join(json.dumps(p) for p in paths))
    result = subprocess.run(
        ["wrk", "-t2", f"-c{LOAD_CONNECTIONS}", f"-d{LOAD_SECONDS}s", "--timeout", "30s",
         "--latency", "-s", str(script), f"http://127.0.0.1:{port}"],
        capture_output=True, text=True, timeout=LOAD_SECONDS + 120,
    )  # fmt: skip
    script.unlink()
    out = result.stdout
    figures = {"raw": out.strip()}
    for label in ("50%", "75%", "90%", "99%"):
        match = re.search(rf"^\s+{re.escape(label)}\s+(\S+)", out, re.M)
        figures[label] = match.group(1) if match else "?"
    match = re.search(r"Requests/sec:\s+(\S+)", out)
    figures["rps"] = match.group(1) if match else "?"
    match = re.search(r"(\d+) requests in", out)
    figures["requests"] = match.group(1) if match else "?"
    match = re.search(r"Socket errors: (.*)", out)
    figures["socket_errors"] = match.group(1) if match else "none"
    figures["5xx"] = int(re.search(r"RESULT5xx (\d+)", out).group(1))
    figures["4xx"] = int(re.search(r"RESULT4xx (\d+)", out).group(1))
    return figures


# What the facet index (orgs.facets) costs: measured inside Django, not over HTTP.
INDEX_SCRIPT = """
import json, statistics, time
from orgs import facet_changes
from orgs.facets import FacetIndex
position = facet_changes.position()
builds, searches = [], []
for _ in range(3):
    started = time.perf_counter()
    index = FacetIndex.build(position)
    builds.append(time.perf_counter() - started)
    started = time.perf_counter()
    index.query_ids(%r)
    searches.append(time.perf_counter() - started)
import tracemalloc
tracemalloc.start()
index = FacetIndex.build(position)
index.query_ids(%r)
held = tracemalloc.get_traced_memory()[0]  # everything the index keeps, Python objects too
tracemalloc.stop()
bitmaps = [index.published, *(b for o in index.options.values() for b in o.values()),
           *index.name_postings]
print(json.dumps({
    "build_ms": statistics.median(builds) * 1000,
    "search_ms": statistics.median(searches) * 1000,
    "bytes": held,
    "bitmaps": len(bitmaps),
}))
"""


def index_figures(database_url):
    out = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", INDEX_SCRIPT % (COMMON, COMMON)],
        cwd=ROOT, env=django_env(database_url, debug=False), check=True,
        capture_output=True, text=True,
    ).stdout  # fmt: skip
    return json.loads(out.strip().splitlines()[-1])


# --- The run -----------------------------------------------------------------------------


# A curator's save, from another process: one published organisation's description.
SAVE_SCRIPT = """
from orgs.models import Organisation
org = Organisation.objects.published().order_by("pk")[%d]
org.description_en = org.description_en.rstrip(" .") + " ."
org.save()
"""
STORE_INDEX = (
    "from orgs.facets import current_index; current_index(); "
    "from orgs.public_text import current; current()"
)
EXPORTS = [("export_csv", "/export/orgs.csv"), ("export_hxl", "/export/orgs.hxl.csv")]
AFTER_SAVE_ROUNDS = 3


def one_request(port, path, pids, headers=None):
    """(status, bytes, wall seconds, server CPU seconds, headers) of one GET."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    before, started = cpu_seconds(pids), time.perf_counter()
    conn.request("GET", path, headers=headers or {"X-Forwarded-Proto": "https"})
    response = conn.getresponse()
    size, status = 0, response.status
    try:
        while chunk := response.read(1 << 16):
            size += len(chunk)
    except http.client.IncompleteRead as cut:
        size, status = size + len(cut.partial), f"{status}, cut short"
    wall = time.perf_counter() - started
    conn.close()
    return status, size, wall, cpu_seconds(pids) - before, dict(response.getheaders())


def run_site(database_url, size):
    slug = sample_slug(database_url)
    deep = "1000" if size >= 100_000 else "last"
    results = {}
    requests = {key: (path.format(slug=slug, deep=deep), FRESH) for key, path in URLS}
    started = {}
    # A restarted server's database holds the stored facet index (orgs/facet_snapshot.py)
    # and table of withheld terms (orgs/public_text_snapshot.py) that the last server
    # built: so does this one, before its start is timed.
    manage("shell", "-c", STORE_INDEX, database_url=database_url, debug=False)
    # Ready when the listing first answers 200: the cold start, index loaded.
    with gunicorn(database_url, ready_path=LISTING, started=started) as (port, process):
        pids = workers(process)
        etag = one_request(port, LISTING, pids, HEADERS)[4].get("ETag", "")
        for key, path, headers, _note in CACHED_URLS:
            requests[key] = (path, {k: v.format(etag=etag) for k, v in headers.items()})
        measured = measure(port, requests, pids)
        for key in requests:
            results[key] = measured[key]
            log(
                f"  {key:20} {results[key]['median']:8.1f} ms  cpu {results[key]['cpu']:7.2f} ms"
                f"  {results[key]['status']}"
            )
        extra = {"cold_start_s": started["seconds"]}
        for key, path in EXPORTS:
            status, body, wall, cpu, headers = one_request(port, path, pids)
            extra[key] = {
                "status": status, "bytes": body, "wall_s": wall, "cpu_s": cpu,
                "count": headers.get("X-Total-Count", "?"),
            }  # fmt: skip
            log(f"  {key:20} {wall:8.1f} s  cpu {cpu:6.2f} s  {body:,} bytes")
        after = []
        for n in range(AFTER_SAVE_ROUNDS):
            manage("shell", "-c", SAVE_SCRIPT % n, database_url=database_url, debug=False)
            # Both workers rebuild or update: time the first listing on each.
            for _worker in pids:
                after.append(one_request(port, LISTING, pids)[3] * 1000)
        extra["after_save_ms"] = statistics.median(after)
        extra["rss_mb"] = max(rss_mb(pids))
        log(f"  after save {extra['after_save_ms']:.1f} ms cpu; RSS {extra['rss_mb']:.0f} MB")
    return results, extra


def run_datasette(path):
    results = {}
    urls = {term: DATASETTE_URL.format(term=term) for term in (RARE, COMMON)}
    with datasette(path) as (port, _process):
        measured = measure(port, {"floor": ("/-/versions.json", {})} | {
            term: (url, {}) for term, url in urls.items()
        })  # fmt: skip
    results["floor"] = measured["floor"]
    for term in urls:
        results[term] = measured[term]
        log(f"  datasette {term:10} {results[term]['median']:8.1f} ms")
    return results


def ratio(a, b):
    return a / b if b else float("nan")


# The targets of issue 13: server CPU per request, ratios from one run.
CACHED_LIMIT = 1.5
SCALE_KEYS = ["listing", "q_rare", "q_common", "filters", "region_page", "api_list"]
SCALE_LIMIT, FLOOR_LIMIT, EXPORT_LIMIT_S, SAVE_LIMIT, INDEX_LIMIT_MB, COLD_LIMIT_S = (
    1.3,
    5,
    3,
    2,
    100,
    1,
)


def targets(db, by_size, extra, index):
    """(target, value, limit, met) rows for one database, on server CPU per request."""
    rows = []
    big, small = by_size.get(100_000), by_size.get(1000)

    def add(name, value, limit):
        rows.append((f"{db}: {name}", value, limit, value <= limit))

    if big:
        more = extra[(db, 100_000)]
        add("100k page 1000 / page 1 (CPU)", ratio(big["deep_page"]["cpu"], big["page_1"]["cpu"]),
            SCALE_LIMIT)  # fmt: skip
        add("100k listing / healthz (CPU)", ratio(big["listing"]["cpu"], big["healthz"]["cpu"]),
            FLOOR_LIMIT)  # fmt: skip
        for key, _path in EXPORTS:
            add(f"100k {key}, CPU seconds", more[key]["cpu_s"], EXPORT_LIMIT_S)
        add("100k first listing after a save / steady (CPU)",
            ratio(more["after_save_ms"], big["listing"]["cpu"]), SAVE_LIMIT)  # fmt: skip
        add("100k facet index, MB", index[(db, 100_000)]["bytes"] / 1e6, INDEX_LIMIT_MB)
        add(f"100k cold start to the first 200 on {LISTING}, s", more["cold_start_s"],
            COLD_LIMIT_S)  # fmt: skip
    for size, results in sorted(by_size.items()):
        floor = results["healthz"]["cpu"]
        name = f"{size // 1000}k"
        cached, not_modified = results["listing_cached"]["cpu"], results["listing_304"]["cpu"]
        add(f"{name} repeat listing from the page cache / healthz (CPU)",
            ratio(cached, floor), CACHED_LIMIT)  # fmt: skip
        add(f"{name} 304 to If-None-Match / healthz (CPU)",
            ratio(not_modified, floor), CACHED_LIMIT)  # fmt: skip
    if big and small:
        for key in SCALE_KEYS:
            add(f"{key} 100k / 1k (CPU)", ratio(big[key]["cpu"], small[key]["cpu"]), SCALE_LIMIT)
    return rows


def machine():
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = Path("/proc/meminfo").read_text().split("\n")[0].split(":")[1].strip()
    load = os.getloadavg()
    return (
        f"{platform.node()}: {os.cpu_count()} CPUs ({cpu}), {mem} memory, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}; load average at start "
        f"{load[0]:.1f} {load[1]:.1f} {load[2]:.1f} (a shared machine)"
    )


def write_results(report, args, started_at, load_at_start):
    lines = [
        "# Benchmark results",
        "",
        f"- Date: {started_at:%Y-%m-%d %H:%M} UTC; git commit {report['commit']}",
        f"- Machine: {load_at_start}",
        f"- Command: `{' '.join(['bash bench/run', *sys.argv[1:]])}`",
        f"- Method: gunicorn, 2 sync workers, DEBUG off, production settings, on loopback; "
        f"one keep-alive client requesting every URL in turn, round after round "
        f"({WARMUP} warm-up rounds, then up to {REQUESTS} rounds or {MAX_SECONDS} s per URL), "
        "so that the shared machine's other work weighs on every URL alike. Ratios are of "
        "medians to `/healthz` measured in the same server run. Datasette "
        f"{report.get('datasette_version', '?')} serves the same published organisations "
        "(one table, FTS5) on loopback.",
        "",
    ]
    for db, by_size in report["sites"].items():
        for size, results in by_size.items():
            built = report["build_seconds"].get((db, size))
            note = f", built in {built:.0f} s" if built else ", reused"
            lines += [
                f"## {db}, {size:,} organisations{note}",
                "",
                "| URL | status | median ms | p95 ms | req/s | CPU ms | CPU × healthz "
                "| CPU 100k/1k |",
                "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
            ]
            floor = results["healthz"]["cpu"]
            small = by_size.get(1000)
            for key in results:
                r = results[key]
                scale = ""
                if size != 1000 and small:
                    scale = f"{ratio(r['cpu'], small[key]['cpu']):.2f}"
                note = f" ({NOTES[key]})" if key in NOTES else ""
                lines.append(
                    f"| `{r['path']}`{note} | {r['status']} | {r['median']:.1f} | {r['p95']:.1f} "
                    f"| {r['rps']:.1f} | {r['cpu']:.2f} | {ratio(r['cpu'], floor):.1f} | {scale} |"
                )
            more = report["extra"][(db, size)]
            lines += [
                "",
                f"Cold start (gunicorn started to the first 200 on `{LISTING}`): "
                f"{more['cold_start_s']:.2f} s. First listing after a curator's save: "
                f"{more['after_save_ms']:.1f} ms CPU (steady: {results['listing']['cpu']:.1f}). "
                f"Largest worker's resident memory at the end: {more['rss_mb']:.0f} MB.",
                "",
                "| export | status | organisations | bytes | wall s | CPU s |",
                "| --- | --- | ---: | ---: | ---: | ---: |",
            ]
            for key, _path in EXPORTS:
                e = more[key]
                lines.append(
                    f"| {key} | {e['status']} | {e['count']} | {e['bytes']:,} | "
                    f"{e['wall_s']:.1f} | {e['cpu_s']:.2f} |"
                )
            lines.append("")
    if report["datasette"]:
        lines += [
            "## Datasette, the peer",
            "",
            "| size | URL | median ms | p95 ms | req/s |",
            "| ---: | --- | ---: | ---: | ---: |",
        ]
        for size, by_term in report["datasette"].items():
            for r in by_term.values():
                lines.append(
                    f"| {size:,} | `{r['path']}` | {r['median']:.1f} | {r['p95']:.1f} "
                    f"| {r['rps']:.1f} |"
                )
        lines.append("")
    if report["index"]:
        lines += [
            "## The facet index (orgs.facets), per server process",
            "",
            "Built whole by a server with no stored index, or after a change of regions, "
            "focus areas or more than 500 organisations at once (a curator's save updates "
            "it: orgs.facet_upkeep); a text query's matches are fetched once per query and "
            f"version (here `{COMMON}`, its first time). Medians of 3.",
            "",
            "| database | organisations | build ms | first search ms | bitmaps | bytes held |",
            "| --- | ---: | ---: | ---: | ---: | ---: |",
        ]
        for (db, size), f in report["index"].items():
            lines.append(
                f"| {db} | {size:,} | {f['build_ms']:.0f} | {f['search_ms']:.0f} "
                f"| {f['bitmaps']} | {f['bytes']:,} |"
            )
        lines.append("")
    lines += ["## Targets", "", "| target | value | limit | met |", "| --- | ---: | ---: | --- |"]
    for name, value, limit, met in report["targets"]:
        lines.append(f"| {name} | {value:.2f} | {limit} | {'yes' if met else '**no**'} |")
    lines.append("")
    if report["load"]:
        lines += [
            f"## Load: wrk, {LOAD_SECONDS} s, {LOAD_CONNECTIONS} connections, 2 threads, "
            "rotating over every URL above",
            "",
            "| database | requests | req/s | p50 | p75 | p90 | p99 | 5xx | 4xx | socket errors |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
        ]
        for name, f in report["load"].items():
            if "skipped" in f:
                lines.append(f"| {name} | {f['skipped']} |")
                continue
            lines.append(
                f"| {name} | {f['requests']} | {f['rps']} | {f['50%']} | {f['75%']} "
                f"| {f['90%']} | {f['99%']} | {f['5xx']} | {f['4xx']} | {f['socket_errors']} |"
            )
        lines.append("")
    lines += report.get("notes", [])
    (ROOT / args.output).write_text("\n".join(lines) + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--dbs", default="sqlite,postgres")
    parser.add_argument("--no-load", action="store_true", help="skip the wrk load test")
    parser.add_argument("--no-datasette", action="store_true")
    parser.add_argument("--output", default="bench/RESULTS.md", help="where to write")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    dbs = args.dbs.split(",")
    started_at = datetime.datetime.now(datetime.UTC)
    load_at_start = machine()
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    report = {
        "commit": commit,
        "sites": {},
        "datasette": {},
        "build_seconds": {},
        "load": {},
        "index": {},
        "extra": {},
    }

    # Static files as production serves them: hashed, compressed, by WhiteNoise.
    manage("collectstatic", "--noinput", "--verbosity", "0", database_url="sqlite://", debug=False)

    with postgres_cluster(needed="postgres" in dbs) as pg_base:
        for db in dbs:
            report["sites"][db] = {}
            for size in sizes:
                if db == "sqlite":
                    url, built = sqlite_database(size)
                else:
                    url, built = postgres_database(pg_base, size)
                report["build_seconds"][(db, size)] = built
                log(f"{db} {size}" + (f" (built in {built:.0f} s)" if built else ""))
                report["sites"][db][size], report["extra"][(db, size)] = run_site(url, size)
                report["index"][(db, size)] = index_figures(url)
                if size == max(sizes) and not args.no_load:
                    log(f"load test on {db} {size}")
                    paths = [r["path"] for r in report["sites"][db][size].values()]
                    with gunicorn(url) as (port, _process):
                        report["load"][f"{db} {size:,}"] = load_test(port, paths)
    if not args.no_datasette:
        report["datasette_version"] = subprocess.run(
            [str(BIN / "datasette"), "--version"], capture_output=True, text=True
        ).stdout.split()[-1]
        for size in sizes:
            url, _built = sqlite_database(size)
            log(f"datasette {size}")
            report["datasette"][size] = run_datasette(datasette_file(url, size))
    report["targets"] = [
        row
        for db, by_size in report["sites"].items()
        for row in targets(db, by_size, report["extra"], report["index"])
    ]
    nofacets = [
        db
        for db, by_size in report["sites"].items()
        for results in by_size.values()
        if results["q_common"]["bytes"] == results["q_common_nofacets"]["bytes"]
    ]
    report["notes"] = []
    if nofacets:
        report["notes"].append(
            "Note: `facets=0` gave a page of the same size as with facets on "
            f"{', '.join(sorted(set(nofacets)))}: the listing probably ignores it, so the "
            "facets-versus-none target measures nothing there yet."
        )
    expected = {"listing_304": "304"}
    failing = [r for db in report["sites"].values() for s in db.values() for k, r in s.items()
               if r["status"] != expected.get(k, "200")]  # fmt: skip
    if failing:
        report["notes"].append(
            "Note: some URLs did not answer 200 (see the status column): their figures time "
            "an error page, not the page itself."
        )
    write_results(report, args, started_at, load_at_start)
    log(f"wrote {ROOT / args.output}")


if __name__ == "__main__":
    main()
