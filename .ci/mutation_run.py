"""mutmut's command line, without its second clean pass over the tests.

mutmut first runs the selected tests once, unmutated, to learn which test reaches
which function (and stops if any fails), then runs them all again, unmutated,
before the first mutant. `.ci/mutation` starts every module from a fresh copy, so
the first pass has always just run: the second doubles a module's set-up time on
two shared cores and tells nothing new.

MUTATION_SAMPLE=N tests N mutants per run, drawn at random with a fixed seed, for
an estimate of the score when there is no time for all of them.

Code that runs when a module is imported (orgs.schema's field types, built by
orgs.seed_schema and orgs.backup_schema as they are imported) has run once, unmutated,
before mutmut forks the process for each mutant, so its mutants would never run. For
those functions (BUILT_AT_IMPORT), the forked process imports the modules that call
them again once its mutant is set, and their mutants run against every test of the
module's test files (mutmut would credit them to whichever test ran first).
"""

import importlib
import os
import random
import sys

from mutmut import __main__ as mutmut_main
from mutmut.state import state
from mutmut.stats import save_stats
from mutmut.workers import isolation
from mutmut.workers.isolation import ForkRunner

ForkRunner.run_clean_tests = lambda self, tests: 0

# Mutated module: (the modules that call it as they are imported, the functions called).
BUILT_AT_IMPORT = {
    "orgs.schema": (
        ("orgs.seed_schema", "orgs.backup_schema"),
        (
            "field_type",
            "short_text",
            "text_list",
            "_text_checker",
            "_short_text_checker",
            "_date_checker",
            "_integer_checker",
            "_bounds",
        ),
    ),
}


def built_at_import(mangled_name):
    """The modules to import again for a mutant of this function, or ()."""
    for module, (importers, functions) in BUILT_AT_IMPORT.items():
        if any(mangled_name == f"{module}.x_{function}" for function in functions):
            return importers
    return ()


set_mutant_under_test = isolation.set_mutant_under_test


def forget_content_type_ids():
    """Empty Django's cache of content types, in the process forked for a mutant.

    mutmut ran the tests once in the process it forks from. A transactional test
    (`django_db(transaction=True)`, as tests/test_migrations.py's) flushes its
    database, and Django then creates the content types again under new ids, which
    the cache keeps. The forked process tests on a fresh copy of the migrated file
    (tests/conftest.py), whose ids are the old ones: the admin's log entries then
    named a content type that is not there, and a test failed whatever the mutant
    (every mutant of orgs.search_upkeep reached by the admin test was "killed")."""
    from django.apps import apps

    if apps.ready and apps.is_installed("django.contrib.contenttypes"):
        from django.contrib.contenttypes.models import ContentType

        ContentType.objects.clear_cache()


def set_mutant_and_rebuild(name):
    """In the process forked for a mutant: import again what was built from its function."""
    set_mutant_under_test(name)
    forget_content_type_ids()
    importers = built_at_import((name or "").rpartition("__mutmut_")[0])
    try:
        for importer in importers:
            if importer in sys.modules:  # else its first import, to come, sees the mutant
                importlib.reload(sys.modules[importer])
    except Exception:  # the mutant breaks the import itself: every test would fail
        os._exit(1)


isolation.set_mutant_under_test = set_mutant_and_rebuild

collect_stats = mutmut_main.run_stats_collection


def stats_with_import_time_tests(*args, **kwargs):
    """Credit the functions run at import with every test of the module's test files.

    Not only the tests that call into the module as they run: a test can read only
    what was built at import (tests/test_seed_schema.py compares the JSON Schema that
    the seed types carry), and it alone notices a mutant of that part."""
    collect_stats(*args, **kwargs)
    tests_by_function = state().tests_by_mangled_function_name
    every_test = set(state().duration_by_test)  # every test the first pass ran
    for module, (_importers, functions) in BUILT_AT_IMPORT.items():
        for function in functions:
            tests_by_function[f"{module}.x_{function}"] = set(every_test)
    save_stats()


mutmut_main.run_stats_collection = stats_with_import_time_tests

SAMPLE = int(os.environ.get("MUTATION_SAMPLE") or 0)
if SAMPLE:
    every_mutant = mutmut_main.collect_source_file_mutation_data

    def sampled_mutants(*, mutant_names):
        mutants, by_path = every_mutant(mutant_names=mutant_names)
        if len(mutants) > SAMPLE:
            mutants = random.Random(2026).sample(sorted(mutants, key=lambda m: m[1]), SAMPLE)
        return mutants, by_path

    mutmut_main.collect_source_file_mutation_data = sampled_mutants

if __name__ == "__main__":
    sys.exit(mutmut_main.cli())
