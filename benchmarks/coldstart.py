"""Cold start in fresh processes: the first typed chunk, and ``groqstream --help``, net of the interpreter.

``python -m benchmarks.coldstart [--against TREE] [--runs N]`` starts N fresh interpreters per case,
interleaved, and prints the medians: a bare interpreter (``-c pass``), the first typed chunk of the bundled
sample (``import groqstream``, ``gs.Stream(...)``, first ``next``), and ``python -m groqstream --help``; the
last two less the first. ``--against`` measures another checkout the same way (e.g. an older commit, made
with ``git worktree add``), side by side, with the ratios. ``python -X importtime`` shows where the time goes.
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
    "first typed chunk": [
        "-c",
        "import groqstream as gs; next(iter(gs.Stream(open('groqstream/sample.sse', 'rb'))))",
    ],
    "groqstream --help": ["-m", "groqstream", "--help"],
}


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
    print("| tree | interpreter | first typed chunk | groqstream --help |")
    print("|---|---|---|---|")
    for tree in trees:
        m = medians[tree]
        base = m["interpreter"]
        print(
            f"| {tree} | {base * 1000:.1f} ms | +{(m['first typed chunk'] - base) * 1000:.1f} ms "
            f"| +{(m['groqstream --help'] - base) * 1000:.1f} ms |"
        )
    if args.against:
        ours, theirs = medians[here], medians[trees[1]]
        for case in ("first typed chunk", "groqstream --help"):
            net_ours = ours[case] - ours["interpreter"]
            net_theirs = theirs[case] - theirs["interpreter"]
            print(f"\n{case}: {net_theirs / net_ours:.2f}x as fast as {trees[1]}" if net_ours > 0 else "")
    return 0


if __name__ == "__main__":
    sys.exit(main())
