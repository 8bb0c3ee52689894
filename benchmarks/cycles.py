"""CPU cycles per chunk, counted by ``perf stat``: repeatable where wall-clock time on a shared machine is not.

``python -m benchmarks.cycles`` runs each target in a fresh interpreter twice, once with no passes over the
stream and once with ``--passes`` passes, under ``perf stat -e cycles:u``; the difference divided by the
chunks read is the figure (setup, imports and the generation of the capture cancel out). It takes the
smallest of ``--tries`` measurements. Needs Linux ``perf`` (Debian: linux-perf) and, for the SDK row, the
``bench`` extra. The same figures to about 1% from run to run, whatever else the machine is doing.

``python -m benchmarks.cycles --run KIND TARGET PASSES`` is the measured process itself.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from typing import Callable, Dict, List, Optional, Sequence

from benchmarks import captures, targets

CHUNKS = 2000


def _targets(data: bytes) -> Dict[str, Callable[[], object]]:
    pieces = captures.split_every(data, 4096)
    payloads = [part[6:] for part in data.split(b"\n\n")[:-1] if part != b"data: [DONE]"]

    def loads_and_drop() -> None:  # parse every payload and let it go, as a stream does
        for payload in payloads:
            json.loads(payload)

    return {
        "groqstream.Stream": lambda: targets.typed_groqstream(pieces),
        "groq SDK Stream": lambda: targets.typed_groq(pieces),
        "floor: json.loads": loads_and_drop,
        "groqstream.iter_events": lambda: targets.events_groqstream(pieces),
    }


def run(kind: str, target: str, passes: int) -> None:
    work = _targets(captures.capture(kind, CHUNKS))[target]
    work()  # warm up: imports, first-use costs
    for _ in range(passes):
        work()


def cycles(kind: str, target: str, passes: int) -> int:
    command = ["perf", "stat", "-x,", "-e", "cycles:u", sys.executable, "-m", "benchmarks.cycles", "--run"]
    result = subprocess.run([*command, kind, target, str(passes)], capture_output=True, text=True, check=True)
    line = next(line for line in result.stderr.splitlines() if "cycles" in line)
    return int(line.split(",")[0])


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.cycles", description=__doc__)
    parser.add_argument("--kinds", default="text,logprobs", help="comma-separated stream kinds")
    parser.add_argument("--passes", type=int, default=40)
    parser.add_argument("--tries", type=int, default=3)
    parser.add_argument("--run", nargs=3, metavar=("KIND", "TARGET", "PASSES"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.run:
        run(args.run[0], args.run[1], int(args.run[2]))
        return 0
    if shutil.which("perf") is None:
        print("perf not found: install linux-perf (Debian) to count cycles", file=sys.stderr)
        return 2
    for kind in args.kinds.split(","):
        rows: List[str] = []
        for name in _targets(b""):
            if name == "groq SDK Stream" and not targets.available("groq"):
                rows.append(f"  {name:24s} skipped (groq not installed)")
                continue
            per_chunk = min(
                (cycles(kind, name, args.passes) - cycles(kind, name, 0)) / args.passes / CHUNKS
                for _ in range(args.tries)
            )
            rows.append(f"  {name:24s} {per_chunk / 1000:8.1f} k cycles/chunk")
        print(f"{kind} ({CHUNKS} chunks, 4 KiB reads, user-mode cycles):")
        print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
