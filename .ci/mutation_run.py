"""mutmut's command line, without its second clean pass over the tests.

mutmut first runs the selected tests once, unmutated, to learn which test reaches
which function (and stops if any fails), then runs them all again, unmutated,
before the first mutant. `.ci/mutation` starts every module from a fresh copy, so
the first pass has always just run: the second doubles a module's set-up time on
two shared cores and tells nothing new.

MUTATION_SAMPLE=N tests N mutants per run, drawn at random with a fixed seed, for
an estimate of the score when there is no time for all of them.
"""

import os
import random
import sys

from mutmut import __main__ as mutmut_main
from mutmut.workers.isolation import ForkRunner

ForkRunner.run_clean_tests = lambda self, tests: 0

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
