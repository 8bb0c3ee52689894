"""The typed and events paths of this checkout against another tree, in one process, interleaved.

``python -m benchmarks.against TREE [--rounds N]`` copies TREE's ``groqstream/`` and this checkout's into a
temporary folder as two packages (``gs_before`` and ``gs_after``: the package uses relative imports only, so a
copy under another name is the same code), imports both, and times the workloads of ``python -m benchmarks
--only typed,events`` on each, alternating which goes first every round. CPU time (``time.process_time``), not
wall time, so that other work on a shared machine moves both sides alike; it prints the minimum and median of
each side and their ratios (after/before: below 1 is faster). Use it to show that a change keeps the hot path's
speed, e.g. against the tree before it: ``git worktree add ../before <commit>``.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import shutil
import statistics
import sys
import tempfile
import time
from functools import partial
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from . import captures

HERE = Path(__file__).resolve().parent.parent


def _typed(gs: Any, pieces: List[bytes], accumulate: bool) -> int:
    with gs.Stream(pieces, accumulate=accumulate) as stream:
        return sum(1 for _ in stream)


def _events(gs: Any, pieces: List[bytes]) -> int:
    return sum(1 for _ in gs.iter_events(pieces))


def workloads(chunks: int) -> List[Tuple[str, Callable[[Any], int]]]:
    """(name, run(gs)) for every typed and events workload of the main benchmark."""
    work: List[Tuple[str, Callable[[Any], int]]] = []
    for kind in captures.KINDS:
        pieces = captures.split_every(captures.capture(kind, chunks), 4096)
        for accumulate in (False, True):
            name = f"typed {kind}, 4 KiB reads, accumulate={accumulate}"
            work.append((name, partial(_typed, pieces=pieces, accumulate=accumulate)))
    data = captures.capture("text", chunks)
    reads, events = captures.split_every(data, 4096), captures.split_events(data)
    work.append(("events text, 4 KiB reads", partial(_events, pieces=reads)))
    work.append(("events text, one read per event", partial(_events, pieces=events)))
    return work


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.against", description=__doc__.split("\n\n")[0])
    parser.add_argument("tree", type=Path, help="the other checkout (the 'before' side)")
    parser.add_argument("--rounds", type=int, default=21, help="rounds per workload (default 21)")
    parser.add_argument("--chunks", type=int, default=2000, help="chunks per stream (default 2000)")
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="groqstream-against-"))
    try:
        for name, tree in (("gs_before", args.tree.resolve()), ("gs_after", HERE)):
            shutil.copytree(tree / "groqstream", folder / name, ignore=shutil.ignore_patterns("__pycache__"))
        sys.path.insert(0, str(folder))
        before, after = importlib.import_module("gs_before"), importlib.import_module("gs_after")
        print(f"Python {sys.version.split()[0]}; before: {args.tree}, after: {HERE}; {args.rounds} rounds, CPU time\n")
        print("| workload | before min / median | after min / median | after/before (min) | (median) |")
        print("|---|---|---|---|---|")
        for name, run in workloads(args.chunks):
            assert run(before) == run(after), f"{name}: the two trees disagree"
            times: Dict[str, List[float]] = {"before": [], "after": []}
            for index in range(args.rounds):
                order = ((before, "before"), (after, "after"))
                for gs, side in order if index % 2 == 0 else order[::-1]:
                    gc.collect()
                    started = time.process_time()
                    run(gs)
                    times[side].append(time.process_time() - started)
            b_min, a_min = min(times["before"]), min(times["after"])
            b_med, a_med = statistics.median(times["before"]), statistics.median(times["after"])
            print(
                f"| {name} | {b_min * 1e3:.2f} / {b_med * 1e3:.2f} ms | {a_min * 1e3:.2f} / {a_med * 1e3:.2f} ms "
                f"| {a_min / b_min:.3f} | {a_med / b_med:.3f} |"
            )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
