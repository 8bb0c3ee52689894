"""Run the benchmark suite and print one table: ``python -m benchmarks`` (or ``python benchmarks/run.py``).

Everything runs in one process. Targets are interleaved over several rounds
and each figure is the median; ratios compare targets measured side by side.
Before anything is timed, every target's output is checked against
groqstream's (same events; same text and usage), so none is measured doing
less work. Peers are optional (``pip install -e ".[bench]"``); a missing one
is reported. The figures depend on the machine: compare ratios, not times.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

if __package__ in (None, ""):  # `python benchmarks/run.py`
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    __package__ = "benchmarks"

import groqstream as gs

from . import captures, targets

Row = Tuple[str, str, str, str, str, str]  # section, workload, target, per run, throughput, ratio
ROWS: List[Row] = []


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def calibrate(fn: Callable[[], Any], least: float) -> int:
    """How many calls make one timing sample of at least *least* seconds."""
    number = 1
    while True:
        start = time.perf_counter()
        for _ in range(number):
            fn()
        if time.perf_counter() - start >= least or number >= 1 << 20:
            return number
        number *= 2


def measure(candidates: Dict[str, Callable[[], Any]], rounds: int, least: float = 0.05) -> Dict[str, float]:
    """Median seconds per call of each candidate, sampled in interleaved rounds."""
    numbers = {name: calibrate(fn, least) for name, fn in candidates.items()}
    samples: Dict[str, List[float]] = {name: [] for name in candidates}
    for _ in range(rounds):
        for name, fn in candidates.items():
            gc.collect()
            number = numbers[name]
            start = time.perf_counter()
            for _ in range(number):
                fn()
            samples[name].append((time.perf_counter() - start) / number)
    return {name: statistics.median(values) for name, values in samples.items()}


def fmt_time(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds:.2f} s"


def fmt_rate(per_second: float, unit: str) -> str:
    if per_second >= 1e6:
        return f"{per_second / 1e6:.2f} M {unit}/s"
    return f"{per_second / 1e3:.1f} k {unit}/s"


def add_rows(section: str, workload: str, times: Dict[str, float], count: int, unit: str, ours: str) -> None:
    """One row per target; the ratio says how many times faster (or slower) *ours* is than that target."""
    for name, seconds in times.items():
        factor = seconds / times[ours]
        if name == ours:
            ratio = "1.00x (ours)"
        elif factor >= 1:
            ratio = f"ours {factor:.2f}x faster"
        else:  # never "0.68x faster"
            ratio = f"ours {1 / factor:.2f}x slower"
        ROWS.append((section, workload, name, fmt_time(seconds), fmt_rate(count / seconds, unit), ratio))


def checked(
    available: Dict[str, Tuple[Optional[str], Callable[[List[bytes]], Any]]], pieces: List[bytes], workload: str
) -> Dict[str, Callable[[], Any]]:
    """The targets whose library is installed and whose output equals groqstream's, as timing closures."""
    reference = None
    chosen: Dict[str, Callable[[], Any]] = {}
    for name, (module, fn) in available.items():
        if module is not None and not targets.available(module):
            say(f"  {name}: not installed, skipped")
            continue
        result = fn(pieces)
        if reference is None:
            reference = result
        elif result != reference:
            say(f"  {name}: output differs from groqstream's on {workload}; not timed")
            continue
        chosen[name] = lambda fn=fn: fn(pieces)  # type: ignore[misc]
    return chosen


# --- sections ---------------------------------------------------------------------------------


def events_section(rounds: int, chunks: int, extra: Sequence[Tuple[str, bytes]]) -> None:
    data = captures.capture("text", chunks)
    small = captures.capture("text", max(50, chunks // 10))
    workloads = [
        (f"text {chunks} chunks, 4 KiB reads", captures.split_every(data, 4096), data),
        (f"text {chunks} chunks, one read per event", captures.split_events(data), data),
        (f"text {max(50, chunks // 10)} chunks, 1-byte reads", captures.split_every(small, 1), small),
    ]
    workloads += [(f"{name}, 4 KiB reads", captures.split_every(body, 4096), body) for name, body in extra]
    for workload, pieces, body in workloads:
        say(f"events: {workload}")
        chosen = checked(targets.EVENT_TARGETS, pieces, workload)
        count = len(targets.events_groqstream([body]))
        add_rows("events", workload, measure(chosen, rounds), count, "events", "groqstream.iter_events")


def typed_section(rounds: int, chunks: int, big: int, extra: Sequence[Tuple[str, bytes]]) -> None:
    workloads = [(f"{kind} {chunks} chunks", captures.capture(kind, chunks)) for kind in captures.KINDS]
    workloads += list(extra)
    for workload, data in workloads:
        say(f"typed: {workload}")
        pieces = captures.split_every(data, 4096)
        chosen = checked(targets.TYPED_TARGETS, pieces, workload)
        count = data.count(b"chat.completion.chunk")
        add_rows("typed", workload + ", 4 KiB reads", measure(chosen, rounds), count, "chunks", "groqstream.Stream")
    say(f"typed: text {big} chunks (groqstream only; peers would take minutes)")
    data = captures.capture("text", big)
    pieces = captures.split_every(data, 4096)
    times = measure({"groqstream.Stream": lambda: targets.typed_groqstream(pieces)}, max(3, rounds // 2), least=0.0)
    add_rows("typed", f"text {big} chunks, 4 KiB reads", times, big, "chunks", "groqstream.Stream")


def accumulate_section(rounds: int, chunks: int) -> None:
    for kind in ("text", "tools", "n3"):
        data = captures.capture(kind, chunks)
        pieces = captures.split_every(data, 4096)
        say(f"accumulate: {kind}")
        assert targets.accumulate_groqstream(pieces)[1] == targets.typed_groqstream(pieces)[1]
        times = measure(
            {
                "Stream(accumulate=False), iterate": lambda pieces=pieces: targets.typed_groqstream(pieces),
                "accumulate(Stream(...))": lambda pieces=pieces: targets.accumulate_groqstream(pieces),
            },
            rounds,
        )
        add_rows("accumulate", f"{kind} {chunks} chunks", times, chunks, "chunks", "Stream(accumulate=False), iterate")


def floors_section(rounds: int, chunks: int) -> None:
    """groqstream against what pure Python costs at the least, for plain text and for the heaviest chunks."""
    for kind in ("text", "logprobs"):
        data = captures.capture(kind, chunks)
        pieces = captures.split_every(data, 4096)
        say(f"floors: {kind}")
        count = chunks
        assert targets.floor_split(data) == count + 1 and targets.floor_split_json(data) == count
        times = measure(
            {
                "groqstream.Stream": lambda pieces=pieces: targets.typed_groqstream(pieces),
                "groqstream.iter_events": lambda pieces=pieces: targets.events_groqstream(pieces),
                "floor: bytes.split": lambda data=data: targets.floor_split(data),
                "floor: split + decode": lambda data=data: targets.floor_split_decode(data),
                "floor: split + json.loads": lambda data=data: targets.floor_split_json(data),
            },
            rounds,
        )
        add_rows("floors", f"{kind} {chunks} chunks, 4 KiB reads", times, count, "chunks", "groqstream.Stream")


def scaling_section(cap: float) -> None:
    """One event of 2/4/8/16 MiB in 4 KiB reads: time and growth per doubling."""

    def ours(pieces: List[bytes]) -> targets.Events:
        # The default limit (16 MiB) would stop the largest event: raise it for this test.
        return [(e.event, e.data) for e in gs.iter_events(pieces, max_event_bytes=64 << 20)]

    available = {"groqstream.iter_events": (None, ours)}
    available.update({k: v for k, v in targets.EVENT_TARGETS.items() if k in ("groq SDK SSEDecoder", "sseclient-py")})
    for name, (module, fn) in available.items():
        if module is not None and not targets.available(module):
            say(f"  {name}: not installed, skipped")
            continue
        previous = None
        for mib in (2, 4, 8, 16):
            payload = b"data: " + b"x" * (mib << 20) + b"\n\n"
            pieces = captures.split_every(payload, 4096)
            say(f"scaling: {name} {mib} MiB")
            samples = []
            for _ in range(9):  # median of up to 9 runs; slow (quadratic) targets get fewer
                gc.collect()
                start = time.perf_counter()
                (event,) = fn(pieces)
                samples.append(time.perf_counter() - start)
                if sum(samples) > 1.0:
                    break
            seconds = statistics.median(samples)
            assert len(event[1]) == mib << 20
            growth = f"x{seconds / previous:.2f} per doubling" if previous else "—"
            ROWS.append(("scaling", f"one {mib} MiB event, 4 KiB reads", name, fmt_time(seconds), "", growth))
            previous = seconds
            if seconds > cap:
                say(f"  {name}: {fmt_time(seconds)} at {mib} MiB; larger sizes skipped")
                break


def memory_section(total_mb: int) -> None:
    """Peak traced memory while streaming a capture generated on the fly, never held whole."""
    largest = max(len(e) for e in captures.events("text", 50))  # same builder as huge(): the largest event
    bound = (1 << 20) + 2 * largest
    for name in ("groqstream.iter_events", "groqstream.Stream(accumulate=False)"):
        say(f"memory: {name} over {total_mb} MB")
        # Warm up first: lazy imports and caches made on first use are not streaming memory.
        list(gs.iter_events(captures.huge(200_000)))
        list(gs.Stream(captures.huge(200_000), accumulate=False))
        gc.collect()
        tracemalloc.start()
        tracemalloc.reset_peak()
        count = 0
        if name.startswith("groqstream.iter_events"):
            for _ in gs.iter_events(captures.huge(total_mb * 1_000_000)):
                count += 1
        else:
            for chunk in gs.Stream(captures.huge(total_mb * 1_000_000), accumulate=False):
                count += len(chunk.choices)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        verdict = "within" if peak < bound else "OVER"
        ROWS.append(
            (
                "memory",
                f"{total_mb} MB stream, 64 KiB reads ({count} items)",
                name,
                f"peak {peak / 1024:.0f} KiB",
                "",
                f"{verdict} bound {bound / 1024:.0f} KiB",
            )
        )


def import_section(rounds: int) -> None:
    """Import time in fresh interpreters, interleaved: the import statement only, and with first use."""
    code = {
        "import groqstream": "import groqstream",
        "import groqstream + first use": "import groqstream as g; g.Stream; g.ChatCompletionChunk; g.iter_events",
        "import groq": "import groq",
    }
    chosen = {k: v for k, v in code.items() if k != "import groq" or targets.available("groq")}
    samples: Dict[str, List[float]] = {k: [] for k in chosen}
    for _ in range(rounds):
        for name, statement in chosen.items():
            probe = f"import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
            out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
            samples[name].append(float(out))
    times = {k: statistics.median(v) for k, v in samples.items()}
    for name, seconds in times.items():
        ratio = (
            f"groq {times['import groq'] / seconds:.1f}x slower"
            if "import groq" in times and name != "import groq"
            else ""
        )
        ROWS.append(("import", "fresh interpreter, median", name, fmt_time(seconds), "", ratio))


def print_table() -> None:
    headers = ("section", "workload", "target", "per run", "throughput", "ratio")
    widths = [max(len(str(row[i])) for row in [headers, *ROWS]) for i in range(len(headers))]
    line = "| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths)) + " |"
    print(line)
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in ROWS:
        print("| " + " | ".join(str(c).ljust(w) for c, w in zip(row, widths)) + " |")


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--rounds", type=int, default=7, help="interleaved rounds per measurement (median)")
    parser.add_argument("--chunks", type=int, default=2000, help="chunks in the main generated streams")
    parser.add_argument("--big", type=int, default=100_000, help="chunks in the large stream (groqstream only)")
    parser.add_argument("--memory-mb", type=int, default=100, help="size of the streamed capture for the memory test")
    parser.add_argument("--file", action="append", default=[], metavar="SSE", help="also measure this capture")
    parser.add_argument(
        "--only",
        default="events,typed,accumulate,floors,scaling,memory,import",
        help="comma-separated sections to run",
    )
    parser.add_argument("--quick", action="store_true", help="fewer rounds and smaller inputs, for a smoke test")
    args = parser.parse_args(argv)
    if args.quick:
        args.rounds, args.chunks, args.big, args.memory_mb = 3, 300, 5000, 5
    extra = [(os.path.basename(path), Path(path).read_bytes()) for path in args.file]
    sections = set(args.only.split(","))
    peers = [m for m in ("groq", "openai", "httpx_sse", "sseclient", "httpx") if targets.available(m)]
    print(
        f"groqstream {gs.__version__}, Python {platform.python_version()} on {platform.machine()}, "
        f"{os.cpu_count()} cores; peers: {', '.join(peers) or 'none'}; rounds: {args.rounds}\n"
    )
    if "events" in sections:
        events_section(args.rounds, args.chunks, extra)
    if "typed" in sections:
        typed_section(args.rounds, args.chunks, args.big, extra)
    if "accumulate" in sections:
        accumulate_section(args.rounds, args.chunks)
    if "floors" in sections:
        floors_section(args.rounds, args.chunks)
    if "scaling" in sections:
        scaling_section(cap=8.0)
    if "memory" in sections:
        memory_section(args.memory_mb)
    if "import" in sections:
        import_section(max(args.rounds, 7))
    print_table()
    return 0


if __name__ == "__main__":
    sys.exit(main())
