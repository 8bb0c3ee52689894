"""Cold start in fresh processes, net of the interpreter: the default parser path at three points, and ``--help``.

``python -m benchmarks.coldstart [--against TREE] [--runs N]`` starts N fresh interpreters per case,
interleaved, and prints the medians less a bare interpreter's (``-c pass``). The cases, each from
``import groqstream`` on, reading the bundled sample with ``gs.Stream`` and its defaults (``accumulate=True``):

* first chunk: the first ``next`` (a role-only chunk: no text yet);
* first text token: iterating until a chunk's ``text`` is not empty (the accumulator has merged text);
* final completion: ``final_completion()`` over the whole sample;
* ``python -m groqstream --help``.

``--against`` measures another checkout the same way (e.g. an older commit, made with ``git worktree add``),
interleaved with this one, with the ratios. ``python -X importtime`` shows where the time goes.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List, Optional, Sequence

CASES = {
    "interpreter": ["-c", "pass"],
    "first chunk": [
        "-c",
        "import groqstream as gs; next(iter(gs.Stream(open('groqstream/sample.sse', 'rb'))))",
    ],
    "first text token": [
        "-c",
        "import groqstream as gs\nfor c in gs.Stream(open('groqstream/sample.sse', 'rb')):\n    if c.text: break",
    ],
    "final completion": [
        "-c",
        "import groqstream as gs; gs.Stream(open('groqstream/sample.sse', 'rb')).final_completion()",
    ],
    "groqstream --help": ["-m", "groqstream", "--help"],
}
MEASURED = [case for case in CASES if case != "interpreter"]


def run_once(tree: Path, args: List[str]) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-E", *args],  # -E: no PYTHON* variables (a PYTHONPATH would change what is imported)
        cwd=tree,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=True,
    )
    return time.perf_counter() - started


def measure(trees: Sequence[Path], runs: int) -> Dict[Path, Dict[str, float]]:
    times: Dict[Path, Dict[str, List[float]]] = {tree: {case: [] for case in CASES} for tree in trees}
    for _ in range(runs):  # interleaved, so a busy moment of the machine hits every case alike
        for tree in trees:
            for case, args in CASES.items():
                times[tree][case].append(run_once(tree, args))
    return {tree: {case: statistics.median(values) for case, values in cases.items()} for tree, cases in times.items()}


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.coldstart", description=__doc__.split("\n\n")[0])
    parser.add_argument("--against", type=Path, metavar="TREE", help="another checkout to compare with")
    parser.add_argument("--runs", type=int, default=15, help="fresh processes per case (median)")
    args = parser.parse_args(argv)
    here = Path(__file__).resolve().parent.parent
    trees = [here] + ([args.against.resolve()] if args.against else [])
    medians = measure(trees, args.runs)
    print(f"Python {sys.version.split()[0]}, {args.runs} runs per case, medians, net of the interpreter\n")
    print("| tree | interpreter | " + " | ".join(MEASURED) + " |")
    print("|---|---|" + "---|" * len(MEASURED))
    for tree in trees:
        m = medians[tree]
        base = m["interpreter"]
        cells = " | ".join(f"+{(m[case] - base) * 1000:.1f} ms" for case in MEASURED)
        print(f"| {tree} | {base * 1000:.1f} ms | {cells} |")
    if args.against:
        ours, theirs = medians[here], medians[trees[1]]
        print()
        for case in MEASURED:
            net_ours = ours[case] - ours["interpreter"]
            net_theirs = theirs[case] - theirs["interpreter"]
            if net_ours > 0:
                print(f"{case}: {net_theirs / net_ours:.2f}x as fast as {trees[1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
