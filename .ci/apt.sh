# Debian packages for .ci/test, .ci/mutation and bench/run (sourced).
#
#   install_packages PACKAGE...   installs them with apt-get, as root or through sudo;
#                                 nothing at all (not even apt's index) when none is given
#   have_postgres                 true when a PostgreSQL server's programs are installed

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

install_packages() {
    [ "$#" -gt 0 ] || return 0
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

have_postgres() { ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; }
