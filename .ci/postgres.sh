# A throwaway PostgreSQL cluster on loopback, for .ci/test and .ci/mutation (sourced).
# initdb and postgres refuse to run as root, so as root they run as the postgres user.
#
#   start_postgres PORT   starts one; sets PG_BIN and PG_URL (without a database name)
#   stop_postgres         stops it and removes its files (for the caller's EXIT trap)

as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

start_postgres() {
    PG_BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
    PG_DIR="$(mktemp -d /tmp/cso-pg.XXXXXX)"
    if [ "$(id -u)" = 0 ]; then chown postgres "$PG_DIR"; fi
    as_pg "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    # Settings for a cluster whose data may be lost (as Django's own CI runs): no
    # flush to disk, no full pages or extra WAL written, no JIT spending the two cores
    # the tests and the server share. Autovacuum every 10 s: each test's rolled-back
    # rows stay in the tables and their indexes until vacuumed, and the foreign-key
    # checks at each test's end looked through them (in one test process, 16.9 ms a
    # test on average, against 5.4 with it on); over a whole run the server's CPU,
    # vacuum included, fell from 107 to 97 s (one run each, both 5:4x in all).
    local settings="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    settings+=" -c wal_level=minimal -c max_wal_senders=0 -c jit=off"
    settings+=" -c autovacuum=on -c autovacuum_naptime=10s"
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w \
        -o "-p $1 -k $PG_DIR -c listen_addresses=127.0.0.1 $settings" start >/dev/null
    PG_URL="postgres://postgres@127.0.0.1:$1"
}

stop_postgres() {
    [ -n "${PG_DIR:-}" ] || return 0
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
}
