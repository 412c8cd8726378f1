"""The score per module of the last `bash .ci/mutation` run, and its surviving mutants.

Run from .mutation/: each module's results are in <module>/mutants/<path>.meta, and
the results of its survivors run again on PostgreSQL (.ci/mutation_postgresql.py) in
<module>/postgresql.json. The equivalent mutants, each with its reason, are read from
.ci/mutation-equivalent.txt (`mutant name | reason | fingerprint`) and left out of the
score. Exits 1 when a module is under TARGET.

A mutant's name is its function and a number, and a change to the function can
renumber its mutants, so that an entry names another mutant than the one its reason
describes. The fingerprint, a hash of the change the entry was written for, is
checked against the mutant's change now: an entry that no longer matches is not
counted as equivalent, and its new change is printed to check the reason against.
"""

import hashlib
import json
import os
import sys
from pathlib import Path

TARGET = 90.0
EQUIVALENT = Path(__file__).with_name("mutation-equivalent.txt")
KILLED = {"killed", "timeout", "caught by type check"}
ON_POSTGRESQL = Path("postgresql.json")  # in a module's run directory


def equivalent_mutants():
    """{mutant name: (reason, fingerprint or None)}."""
    listed = {}
    for number, line in enumerate(EQUIVALENT.read_text().splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, reason, *rest = [part.strip() for part in line.split("|")] + [""]
        if not reason or len(rest) > 2:
            sys.exit(f"{EQUIVALENT}:{number}: write `mutant name | why it changes nothing`")
        listed[name] = (reason, rest[0] or None)
    return listed


def fingerprint(diff):
    """A short hash of a mutant's change: its removed and added lines, as indented."""
    changed = [
        line.rstrip()
        for line in diff.splitlines()
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    return hashlib.sha1("\n".join(changed).encode()).hexdigest()[:10]


def statuses_on_sqlite(module):
    """{mutant name: status} of mutmut's run, from inside the module's run directory."""
    from mutmut.stats import status_by_exit_code

    meta = Path("mutants") / f"{module}.meta"
    if not meta.exists():
        sys.exit(f"{Path.cwd() / meta}: no results; did mutmut run?")
    return {
        name: status_by_exit_code[code]
        for name, code in json.loads(meta.read_text())["exit_code_by_key"].items()
    }


def equivalent_in(module, statuses, listed, quiet=False):
    """The mutants of `module` listed as equivalent whose fingerprint still matches
    their change, from inside its run directory. The others are printed (unless
    `quiet`) and left out: counted by their status, as any mutant."""
    # mutmut reads its configuration from the directory it is imported in.
    from mutmut.configuration import reset_config

    reset_config()
    from mutmut.__main__ import get_diff_for_mutant

    prefix = module.removesuffix(".py").replace("/", ".") + "."
    equivalent = set()
    for name, (_reason, written_for) in listed.items():
        if not name.startswith(prefix):
            continue
        if name not in statuses:
            if not quiet:
                print(f"warning: {EQUIVALENT.name} names {name}, which no longer exists")
            continue
        diff = get_diff_for_mutant(name, path=module)
        now = fingerprint(diff)
        if written_for == now:
            equivalent.add(name)
        elif written_for is None:
            equivalent.add(name)
            if not quiet:
                print(f"warning: {EQUIVALENT.name}: {name} has no fingerprint; add `| {now}`")
        elif not quiet:
            print(f"\n# {name}: listed as equivalent for another change, not counted as one")
            print(f"# its change now (fingerprint {now}):\n{diff}")
    return equivalent


def report(module, listed):
    """(row, survivors) for one module, from inside its run directory."""
    from mutmut.__main__ import get_diff_for_mutant

    statuses = statuses_on_sqlite(module)
    equivalent = equivalent_in(module, statuses, listed)
    on_postgresql = json.loads(ON_POSTGRESQL.read_text()) if ON_POSTGRESQL.exists() else {}
    for name, result in on_postgresql.items():
        if result["status"] in KILLED:
            statuses[name] = f"{result['status']} on PostgreSQL"
    # "not checked": left out of a sample (MUTATION_SAMPLE), so not in the score.
    checked = {name: s for name, s in statuses.items() if s != "not checked"}
    counted = {name: s for name, s in checked.items() if name not in equivalent}
    killed = sum(status.removesuffix(" on PostgreSQL") in KILLED for status in counted.values())
    by_postgresql = sum(status.endswith(" on PostgreSQL") for status in counted.values())
    score = 100.0 * killed / len(counted) if counted else 100.0
    survivors = []
    for name, status in sorted(counted.items()):
        if status.removesuffix(" on PostgreSQL") not in KILLED:
            survivors.append(f"# {name}: {status}\n{get_diff_for_mutant(name, path=module)}")
    excluded = len(checked) - len(counted)
    row = (module, len(statuses), len(checked), excluded, killed, by_postgresql, score)
    return row, survivors


def main(modules):
    equivalent = equivalent_mutants()
    rows = []
    for module in modules:
        here = os.getcwd()
        os.chdir(module.removesuffix(".py").replace("/", "."))
        try:
            row, survivors = report(module, equivalent)
        finally:
            os.chdir(here)
        rows.append(row)
        for survivor in survivors:
            print("\n" + survivor)
    print("\n| module | mutants | tested | equivalent | killed | on PostgreSQL | score |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for module, total, tested, excluded, killed, by_postgresql, score in rows:
        counted = f"{killed} of {tested - excluded}"
        print(
            f"| `{module}` | {total} | {tested} | {excluded} | {counted} | {by_postgresql} "
            f"| {score:.1f}% |"
        )
    below = [row[0] for row in rows if row[-1] < TARGET]
    if below:
        print(f"under {TARGET:.0f}%: {', '.join(below)}")
    return 1 if below else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
