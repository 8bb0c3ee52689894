"""Responses streams to the final Response: groqstream against openai-python, on the same captures, one run.

    python -m benchmarks.responses [--repeat N]

For every capture in ../shared/fixtures/responses that ends normally, both
sides start from the body's bytes and end with the final ``Response``:

* groqstream: ``gs.ResponseStream(body).final_response()``;
* openai-python: its SSE decoder (``openai._streaming.SSEDecoder``), its
  event parsing (``construct_type`` into ``ResponseStreamEvent``, what
  ``client.responses.create(stream=True)`` does per event) and its
  accumulator (``ResponseStreamState.handle_event``), the final response
  being the completed event's, parsed as ``responses.stream()`` does.

Needs ``openai`` installed (a benchmark-only peer, never a dependency).
Prints per-capture times (best of ``--repeat``) and the total ratio.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any, Callable, List, Tuple

import groqstream as gs

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "fixtures" / "responses"


def _openai_final(data: bytes) -> Any:
    from openai import omit
    from openai._models import construct_type
    from openai._streaming import SSEDecoder
    from openai.lib.streaming.responses._responses import ResponseStreamState
    from openai.types.responses import ResponseStreamEvent

    state: Any = ResponseStreamState(input_tools=omit, text_format=omit)
    final = None
    for sse in SSEDecoder().iter_bytes(iter([data])):
        if sse.data.startswith("[DONE]"):
            break
        event = construct_type(type_=ResponseStreamEvent, value=sse.json())
        for handled in state.handle_event(event):
            if handled.type == "response.completed":
                final = handled.response
    return final


def _groqstream_final(data: bytes) -> Any:
    return gs.ResponseStream(data).final_response()


def _best(fn: Callable[[bytes], Any], data: bytes, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn(data)
        best = min(best, time.perf_counter() - start)
    return best


def main(argv: Any = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    import warnings

    warnings.filterwarnings("ignore")  # pydantic's serializer warns on the SDK's own unions: not ours to show
    if not SHARED.is_dir():
        print(f"the shared Responses captures are absent ({SHARED})")
        return 1
    rows: List[Tuple[str, float, float]] = []
    failures: List[str] = []
    for path in sorted(SHARED.glob("*.sse")):
        data = path.read_bytes()
        try:
            _groqstream_final(data)
        except gs.GroqStreamError:
            continue  # the error and the cut captures: no final response to race to
        try:
            if _openai_final(data) is None:
                failures.append(f"{path.name}: openai-python gave no final response")
                continue
        except Exception as exc:  # the SDK's accumulator raises on some real streams: counted, not timed
            failures.append(f"{path.name}: openai-python raised {type(exc).__name__}: {str(exc)[:80]}")
            continue
        ours = _best(_groqstream_final, data, args.repeat)
        theirs = _best(_openai_final, data, args.repeat)
        rows.append((path.name, ours, theirs))
    width = max(len(name) for name, _, _ in rows)
    print(f"{'capture':<{width}}  {'groqstream':>11}  {'openai':>11}  ratio")
    for name, ours, theirs in rows:
        print(f"{name:<{width}}  {ours * 1e3:9.2f}ms  {theirs * 1e3:9.2f}ms  {theirs / ours:5.1f}x")
    total_ours = sum(r[1] for r in rows)
    total_theirs = sum(r[2] for r in rows)
    print(
        f"{f'total ({len(rows)} captures)':<{width}}  {total_ours * 1e3:9.2f}ms  "
        f"{total_theirs * 1e3:9.2f}ms  {total_theirs / total_ours:5.1f}x"
    )
    for failure in failures:
        print(failure)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
