"""What the ratio scripts share: the criterion runs to read and their medians.

Every ratio is taken between medians of the same run (target/criterion/<group>/<id>/new), so
the shared machine's speed cancels out. Pass several criterion directories (copies of
target/criterion from separate runs) to see each run side by side.
"""
import glob
import json
import os
import sys

ROOT = os.path.join(os.path.dirname(__file__), "..", "..", "target", "criterion")


def runs():
    """The criterion directories named on the command line, else this checkout's."""
    return sys.argv[1:] or [ROOT]


def load(path):
    """Median (ns) of every benchmark of one criterion directory, by `group/id`."""
    medians = {}
    for f in glob.glob(os.path.join(path, "**", "new", "estimates.json"), recursive=True):
        key = os.path.relpath(f, path)[: -len("/new/estimates.json")]
        with open(f) as fh:
            medians[key] = json.load(fh)["median"]["point_estimate"]
    return medians


def print_ratios(rows, medians):
    """One markdown row per (name, target, f): f(medians of a run) for each run."""
    print(f"| ratio | target | {' | '.join(f'run {i + 1}' for i in range(len(medians)))} |")
    print(f"|---|---|{'---|' * len(medians)}")
    for name, target, f in rows:
        cells = []
        for m in medians:
            try:
                cells.append(f"{f(m):.2f}")
            except KeyError:
                cells.append("n/a")
        print(f"| {name} | {target} | {' | '.join(cells)} |")
