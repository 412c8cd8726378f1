"""The mutants that survive a module's run on SQLite, run again on PostgreSQL.

`.ci/mutation` runs the mutants on SQLite, where code that only PostgreSQL runs (a
tsquery, an array parameter, an `as_postgresql`) reaches no test: its mutants
survive, or reach no test at all. Each such mutant is run once more against its
module's test files on a PostgreSQL server, stopping at the first failure, which
kills it. A clean run comes first: tests that fail without a mutant would kill every
mutant. The results go to postgresql.json in the run directory, which
.ci/mutation_report.py reads.

    python mutation_postgresql.py MODULE DATABASE_URL TEST_FILE...  # in the run directory
"""

import json
import os
import re
import subprocess
import sys

from mutation_report import (
    KILLED,
    ON_POSTGRESQL,
    equivalent_in,
    equivalent_mutants,
    statuses_on_sqlite,
)

TIMEOUT = 20 * 60  # seconds for one mutant's tests; the slowest file takes about 3 minutes
NO_TESTS_COLLECTED = 5  # pytest's exit code


def run_tests(mutant, database_url, tests):
    """(pytest's exit code, or "timeout"; the first failing test or "") with `mutant` on."""
    env = {**os.environ, "DATABASE_URL": database_url, "MUTANT_UNDER_TEST": mutant}
    env.pop("CSO_TEST_DB_TEMPLATE", None)  # a SQLite file, for the SQLite runs only
    command = [
        # A new test database for each mutant: a mutant of code that migrations run
        # (a table's definition) leaves its schema behind, recorded as migrated, and on
        # a reused database the next mutant's tests failed on it, a false kill.
        *(sys.executable, "-m", "pytest", *tests, "-x", "-q", "--create-db"),
        *("-p", "no:cacheprovider", "-p", "no:xdist", "-m", "not browser and not reads_source"),
    ]
    try:
        done = subprocess.run(
            command, cwd="mutants", env=env, capture_output=True, text=True, timeout=TIMEOUT
        )
    except subprocess.TimeoutExpired:
        return "timeout", ""
    if done.returncode == 0:
        return 0, ""
    failed = re.search(r"^(?:FAILED|ERROR) (\S+)", done.stdout, re.MULTILINE)
    return done.returncode, failed.group(1) if failed else done.stdout[-2000:]


def main(module, database_url, tests):
    statuses = statuses_on_sqlite(module)
    # The same equivalents the report leaves out: an entry written for another change
    # is run here as any survivor.
    equivalent = equivalent_in(module, statuses, equivalent_mutants(), quiet=True)
    left = sorted(
        name
        for name, status in statuses.items()
        if status not in KILLED and status != "not checked" and name not in equivalent
    )
    results = {}
    if left:
        code, output = run_tests("", database_url, tests)
        if code != 0:
            sys.exit(f"{module}: the tests fail on PostgreSQL without a mutant:\n{output}")
    for name in left:
        code, failed = run_tests(name, database_url, tests)
        if code == "timeout":
            status = "timeout"
        elif code in (0, NO_TESTS_COLLECTED):
            status, failed = "survived", ""
        else:
            status = "killed"
        failed = failed.strip().splitlines()[-1] if failed.strip() else ""
        results[name] = {"status": status, "test": failed}
        print(f"{name}: {status} on PostgreSQL {failed}".rstrip(), flush=True)
    ON_POSTGRESQL.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3:])
