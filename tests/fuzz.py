"""A seeded, stdlib-only fuzzer for groqstream's exception and consistency contract.

    python -m tests.fuzz --minutes 30            # long run; prints throughput, saves failures
    python -m tests.fuzz --count 500 --seed 7    # a fixed number of inputs

Inputs are the repository's fixtures and the real Groq and provider streams
(when the shared folder is there), mutated: bit flips, byte insertions and deletions, spliced
events, rewritten line ends, truncation, repeated or oversized pieces; and
pure random bytes. Each input goes through ``SSEDecoder`` (fed whole and in
random pieces), ``iter_events``, ``Stream``, ``AsyncStream``, the
accumulator, ``ResponseStream`` (the Responses API, strict and not), and the ``stats``/``validate`` reports. The contract checked:

* the only exceptions are ``GroqStreamError`` subclasses (the reports raise
  nothing at all);
* the same bytes give the same events, chunks and outcome however they are
  split, sync or async;
* every run ends (a hang is reported by the time limit per input).

A failing input is saved to ``--out`` (default ``fuzz-failures/``) with its
traceback, so it can be replayed and turned into a regression test.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import random
import resource
import sys
import time
import traceback
from pathlib import Path
from typing import Any, AsyncIterator, Callable, List, Optional, Tuple

import groqstream as gs
from groqstream.tools.report import stats_of, validate
from tests.helpers import random_cuts

HERE = Path(__file__).resolve().parent


def corpus() -> List[bytes]:
    """The seed inputs: the repository's fixtures, and the real captures when present."""
    paths = sorted((HERE / "fixtures").rglob("*.sse"))
    shared = HERE.parent.parent / "shared" / "fixtures"
    for folder in ("captures", "providers"):
        if (shared / folder).is_dir():
            paths += sorted((shared / folder).glob("*.sse"))
    if (shared / "responses").is_dir():  # Responses API streams (#27); the largest would only slow each input
        paths += [p for p in sorted((shared / "responses").glob("*.sse")) if p.stat().st_size < 50000]
    return [p.read_bytes() for p in paths] + [(Path(gs.__file__).parent / "sample.sse").read_bytes()]


def _events_of(data: bytes) -> List[bytes]:
    return [e + b"\n\n" for e in data.split(b"\n\n") if e]


def mutate(rng: random.Random, seeds: List[bytes]) -> bytes:
    """One fuzz input: a seed changed by one to four random mutations, or pure random bytes."""
    if rng.random() < 0.05:
        return bytes(rng.randrange(256) for _ in range(rng.randrange(1, 2000)))
    data = bytearray(rng.choice(seeds))
    if len(data) > 20000 and rng.random() < 0.8:  # keep most inputs small: more of them per second
        start = rng.randrange(len(data) - 10000)
        data = data[start : start + rng.randrange(1, 10000)]
    for _ in range(rng.randint(1, 4)):
        kind = rng.randrange(9)
        if kind == 0 and data:  # flip bits
            for _ in range(rng.randint(1, 8)):
                i = rng.randrange(len(data))
                data[i] ^= 1 << rng.randrange(8)
        elif kind == 1:  # insert bytes, often the interesting ones
            i = rng.randrange(len(data) + 1)
            piece = rng.choice([b"\n", b"\r", b"\r\n", b"\n\n", b":", b"data: ", b"\xef\xbb\xbf", b"\x00", b"\xff",
                                b"event: error\n", b"id: \x00\n", b"retry: 12\n", b"[DONE]", b'{"error":"x"}'])  # fmt: skip
            data[i:i] = piece * rng.randint(1, 3)
        elif kind == 2 and data:  # delete a run
            i = rng.randrange(len(data))
            del data[i : i + rng.randint(1, 64)]
        elif kind == 3:  # splice events from another seed
            other = _events_of(rng.choice(seeds))
            if other:
                i = rng.randrange(len(data) + 1)
                data[i:i] = b"".join(rng.sample(other, min(len(other), rng.randint(1, 3))))
        elif kind == 4:  # rewrite line ends
            ends = [b"\n", b"\r", b"\r\n"]
            data = bytearray(b"".join(line.rstrip(b"\r\n") + rng.choice(ends) for line in bytes(data).splitlines(True)))
        elif kind == 5 and data:  # truncate
            del data[rng.randrange(len(data)) :]
        elif kind == 6 and data:  # repeat a piece
            i = rng.randrange(len(data))
            data[i:i] = data[i : i + rng.randint(1, 200)] * rng.randint(2, 20)
        elif kind == 7:  # a long line, to meet the size limit (the targets run with a small limit)
            i = rng.randrange(len(data) + 1)
            data[i:i] = b"data: " + b"x" * rng.randint(1000, 9000)
        elif kind == 8 and data:  # swap a JSON value for a hostile one
            i = rng.randrange(len(data) + 1)
            data[i:i] = rng.choice([b"NaN", b"-Infinity", b"1e400", b"9" * 5000, b'"\\ud800"', b"[" * 3000,
                                    b'"choices":{}', b"null", b"true", b"1.0", b"1.5", b'"index":2.0,',
                                    b'"content":[{"type":"text","text":"x"}]', b'"content":[{"type":"thinking"}]',
                                    b'"tool_calls":[{"id":"a"}]', b'"delta":null', b'"created":null'])  # fmt: skip
    return bytes(data)


def pieces(rng: random.Random, data: bytes) -> List[bytes]:
    if not data:
        return [data]
    mode = rng.randrange(3)
    if mode == 0:
        return [data]
    if mode == 1:
        return [data[i : i + 1] for i in range(len(data))] if len(data) < 3000 else [data]
    return random_cuts(rng, data, 300)


Outcome = Tuple[List[Any], Optional[str]]

LIMIT = 8192  # a small size limit, so the limit paths are met often


def run_events(parts: List[bytes]) -> Outcome:
    decoder = gs.SSEDecoder(max_event_bytes=LIMIT)
    got: List[Any] = []
    try:
        for part in parts:
            got += [(e.event, e.data, e.id, e.retry, e.offset) for e in decoder.feed(part)]
        decoder.flush()
    except gs.GroqStreamError as exc:
        return got, f"{type(exc).__name__}: {exc}"
    return got, None


def run_stream(parts: List[bytes], strict: bool = False) -> Outcome:
    got: List[Any] = []
    stream = gs.Stream(iter(parts), max_event_bytes=LIMIT, strict=strict)
    try:
        for chunk in stream:
            got.append(chunk.to_dict())
        stream.final_completion().to_dict()
    except gs.GroqStreamError as exc:
        if exc.completion is not None:
            exc.completion.to_dict()
        return got, f"{type(exc).__name__}: {exc}"
    finally:
        got.append([str(d) for d in stream.deviations])
    return got, None


def run_async_stream(parts: List[bytes]) -> Outcome:
    async def source() -> AsyncIterator[bytes]:
        for part in parts:
            yield part

    async def consume() -> Outcome:
        got: List[Any] = []
        try:
            async with gs.AsyncStream(source(), max_event_bytes=LIMIT) as stream:
                async for chunk in stream:
                    got.append(chunk.to_dict())
        except gs.GroqStreamError as exc:
            return got, f"{type(exc).__name__}: {exc}"
        return got, None

    return asyncio.run(consume())


def run_response_stream(parts: List[bytes], strict: bool = False) -> Outcome:
    """A Responses stream (#27): its events' JSON and how it ended (the final Response's JSON, or the error)."""
    stream = gs.ResponseStream(iter(parts), max_event_bytes=LIMIT, strict=strict)
    got: List[Any] = []
    try:
        got += [event.to_dict() for event in stream]
        got.append(stream.final_response().to_dict())
    except gs.GroqStreamError as exc:
        return got, f"{type(exc).__name__}: {exc}"
    return got, None


def check(data: bytes, rng: random.Random) -> None:
    """Run one input through everything; raise AssertionError (or anything else) on a broken contract."""
    split = pieces(rng, data)
    whole_events = run_events([data])
    assert run_events(split) == whole_events, "events differ between whole and split input"
    whole = run_stream([data])
    assert run_stream(split) == whole, "chunks or outcome differ between whole and split input"
    strict = run_stream(split, strict=True)
    assert strict == run_stream([data], strict=True), "strict: chunks or outcome differ with the split"
    if strict[1] is None:  # what strict reads, the lenient decoder reads the same way, with no deviation
        assert whole == strict, "a stream strict accepts reads differently leniently"
    if rng.random() < 0.2:  # asyncio.run per input is slow: a sample is enough
        assert run_async_stream(split) == (whole[0][:-1], whole[1]), "async differs from sync"
    if whole_events[1] is None:
        events = [(e.event, e.data, e.id, e.retry, e.offset) for e in gs.iter_events(split, max_event_bytes=LIMIT)]
        assert events == whole_events[0], "iter_events differs from SSEDecoder"
    responses = run_response_stream([data])
    assert run_response_stream(split) == responses, "Responses: events or outcome differ between whole and split"
    assert run_response_stream(split, strict=True) == run_response_stream([data], strict=True), "Responses strict"
    validate(data)
    validate(data, strict=True)
    stats_of(data)


def run(*, seed: int, count: Optional[int] = None, seconds: Optional[float] = None, out: Optional[Path] = None,
        report: Callable[[str], None] = lambda line: None) -> Tuple[int, List[Tuple[bytes, str]]]:  # fmt: skip
    """Fuzz until *count* inputs or *seconds* have gone by; return (inputs run, failures)."""
    rng = random.Random(seed)
    seeds = corpus()
    failures: List[Tuple[bytes, str]] = []
    start = time.monotonic()
    done = 0
    next_report = start + 60
    while (count is None or done < count) and (seconds is None or time.monotonic() - start < seconds):
        data = mutate(rng, seeds)
        try:
            check(data, random.Random(rng.random()))
        except Exception:
            text = traceback.format_exc()
            failures.append((data, text))
            if out is not None:
                out.mkdir(parents=True, exist_ok=True)
                name = hashlib.sha256(data).hexdigest()[:16]
                (out / f"crash-{name}.sse").write_bytes(data)
                (out / f"crash-{name}.txt").write_text(text, encoding="utf-8")
        done += 1
        if time.monotonic() > next_report:
            next_report += 60
            elapsed = time.monotonic() - start
            report(f"{elapsed / 60:.0f} min: {done} inputs ({done / elapsed:.0f}/s), {len(failures)} failures")
    return done, failures


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    parser.add_argument("--minutes", type=float, help="run for this long")
    parser.add_argument("--count", type=int, help="run this many inputs")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path("fuzz-failures"), help="where failing inputs are saved")
    args = parser.parse_args(argv)
    if args.minutes is None and args.count is None:
        args.count = 1000
    start = time.monotonic()
    done, failures = run(
        seed=args.seed,
        count=args.count,
        seconds=args.minutes * 60 if args.minutes is not None else None,
        out=args.out,
        report=lambda line: print(line, flush=True),
    )
    elapsed = time.monotonic() - start
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{done} inputs in {elapsed / 60:.1f} min ({done / elapsed:.0f}/s), seed {args.seed}, "
          f"{len(failures)} failures, peak RSS {peak_mib:.0f} MiB")  # fmt: skip
    for data, text in failures[:5]:
        print(f"--- {len(data)} bytes: {text.strip().splitlines()[-1]}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
