"""Partial JSON while it streams: groqstream.PartialJSON against partial-json-parser and jiter (optional peers).

``python -m benchmarks.partial_json [--pieces 8] [--rounds 5]`` builds tool-call argument documents of 1 KB to
50 KB (an object with a path, a list of rows and a long text, as an agent writing a file or a table sends),
cuts each into pieces of ``--pieces`` characters, and for each parser reads the value after every piece, as a
UI would: ``PartialJSON.feed(piece)``; ``partial_json_parser.loads(prefix)`` and ``jiter.from_json(prefix,
partial_mode="trailing-strings")``, which parse the whole prefix again each time. Before timing, every parser's
last value is checked against ``json.loads``. Each figure is the median over ``--rounds`` interleaved rounds,
each round's the best of a few runs after a ``gc.collect()``: microseconds per piece, the ratios to the peers
(above 1: groqstream is faster), and the growth of the total time per doubling of the document (2.0 is
linear). Compare ratios, not times: the machine is shared.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's groqstream

import groqstream as gs

SIZES_KB = [1, 2, 4, 8, 16, 32, 50]


def document(size: int) -> str:
    """A tool-call argument document of about *size* characters."""
    rows: List[Dict[str, Any]] = []
    value: Dict[str, Any] = {"path": "reports/quarterly/summary.md", "overwrite": True, "rows": rows, "content": ""}
    i = 0
    while len(json.dumps(value)) < size * 0.6:
        rows.append({"id": i, "name": f"item \u00e9 {i}", "tags": ["a", "b\n"], "score": i * 1.25, "ok": i % 3 == 0})
        i += 1
    text = 'Lorem ipsum dolor sit amet, "consectetur" adipiscing elit.\n'
    while len(json.dumps(value)) < size:
        value["content"] += text
    return json.dumps(value, ensure_ascii=False)


def run_groqstream(pieces: List[str]) -> Any:
    parser = gs.PartialJSON()
    value = None
    for piece in pieces:
        value = parser.feed(piece)
    return value


def reparsing(parse: Callable[[str], Any]) -> Callable[[List[str]], Any]:
    def run(pieces: List[str]) -> Any:
        prefix, value = "", None
        for piece in pieces:
            prefix += piece
            value = parse(prefix)
        return value

    return run


def best_time(run: Callable[[List[str]], Any], pieces: List[str]) -> float:
    """The best of a few runs (as many as fit in 0.1 s, at most 5), each after a collection.

    The peers allocate much more than groqstream; collecting first keeps their
    garbage from being collected inside the next target's timing.
    """
    best = float("inf")
    spent = 0.0
    for _ in range(5):
        gc.collect()
        started = time.perf_counter()
        run(pieces)
        elapsed = time.perf_counter() - started
        best, spent = min(best, elapsed), spent + elapsed
        if spent > 0.1:
            break
    return best


def peers() -> Dict[str, Callable[[List[str]], Any]]:
    found: Dict[str, Callable[[List[str]], Any]] = {"groqstream.PartialJSON": run_groqstream}
    try:
        import partial_json_parser

        found["partial-json-parser"] = reparsing(partial_json_parser.loads)
    except ImportError:
        print("partial-json-parser is not installed (pip install partial-json-parser): skipped", file=sys.stderr)
    try:
        import jiter

        found["jiter"] = reparsing(lambda prefix: jiter.from_json(prefix.encode(), partial_mode="trailing-strings"))
    except ImportError:
        print("jiter is not installed (pip install jiter): skipped", file=sys.stderr)
    return found


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.partial_json", description=__doc__.split("\n\n")[0])
    parser.add_argument("--pieces", type=int, default=8, help="characters per piece (default 8)")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds (median)")
    parser.add_argument("--sizes", default=",".join(map(str, SIZES_KB)), help="document sizes in KB")
    parser.add_argument("--only-groqstream", action="store_true", help="no peers: its growth, with many rounds")
    args = parser.parse_args(argv)
    targets = {"groqstream.PartialJSON": run_groqstream} if args.only_groqstream else peers()
    sizes = [int(s) for s in args.sizes.split(",")]
    docs = {kb: document(kb * 1024) for kb in sizes}
    cut = {kb: [d[i : i + args.pieces] for i in range(0, len(d), args.pieces)] for kb, d in docs.items()}
    for kb, doc in docs.items():  # same answer before any timing
        for name, run in targets.items():
            if run(cut[kb]) != json.loads(doc):
                raise SystemExit(f"{name} did not read the {kb} KB document")
    times: Dict[str, Dict[int, List[float]]] = {name: {kb: [] for kb in sizes} for name in targets}
    for _ in range(args.rounds):
        for kb in sizes:
            for name, run in targets.items():
                times[name][kb].append(best_time(run, cut[kb]))
    medians = {name: {kb: statistics.median(v) for kb, v in by.items()} for name, by in times.items()}
    print(f"Python {sys.version.split()[0]}, {args.pieces}-character pieces, medians of {args.rounds} rounds\n")
    names = list(targets)
    print("| document | " + " | ".join(f"{n} (µs/piece)" for n in names) + " | " + " | ".join(
        f"vs {n}" for n in names[1:]) + " |")  # fmt: skip
    print("|---" * (1 + 2 * len(names) - 1) + "|")
    ours = medians["groqstream.PartialJSON"]
    for kb in sizes:
        per_piece = [f"{medians[n][kb] / len(cut[kb]) * 1e6:.2f}" for n in names]
        ratios = [f"{medians[n][kb] / ours[kb]:.1f}x" for n in names[1:]]
        print(f"| {kb} KB ({len(cut[kb])} pieces) | " + " | ".join(per_piece + ratios) + " |")
    print("\ngrowth of the total time per doubling (2.0 = linear):")
    for name in names:
        steps = [
            f"{a}->{b} KB: {(medians[name][b] / medians[name][a]) ** (1 / math.log2(b / a)):.2f}x"
            for a, b in zip(sizes, sizes[1:])
        ]
        print(f"  {name}: " + ", ".join(steps))
    return 0


if __name__ == "__main__":
    sys.exit(main())
