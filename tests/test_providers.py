"""Real streams of 20 other OpenAI-compatible providers, and hand-made streams of the quirks they do not show.

Each stream has an expected outcome in JSON, written by reading the stream
(tests/fixtures/providers/*.json for ../shared/fixtures/providers/*.sse,
tests/fixtures/quirks/*.json beside their streams): the number of chunks,
the deviations a Stream records, what strict=True raises, and the final
completion as ``to_dict()`` gives it. Every stream is checked whole, one byte
at a time and at seeded random splits, sync and async.
"""

from __future__ import annotations

import asyncio
import json
import random
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import pytest

import groqstream as gs
from tests.helpers import (
    CAPTURES,
    PROVIDER_EXPECTED,
    agen,
    capture_paths,
    provider_paths,
    quirk_paths,
    random_cuts,
    requires_captures,
    requires_providers,
)

STREAMS = provider_paths() + quirk_paths()


def expected_of(path: Path) -> Dict[str, Any]:
    folder = PROVIDER_EXPECTED if path.parent.name == "providers" else path.parent
    result: Dict[str, Any] = json.loads((folder / f"{path.stem}.json").read_text(encoding="utf-8"))
    return result


def needs_shared(path: Path) -> Any:
    """The stream as a test parameter: skipped with a reason when it lives in the absent shared folder."""
    marks = [requires_providers] if path.parent.name == "providers" else []
    return pytest.param(path, id=path.stem, marks=marks)


PARAMS = [needs_shared(p) for p in STREAMS]


def the_ways_to_split(data: bytes) -> List[Tuple[str, List[bytes]]]:
    rng = random.Random(len(data))
    ways = [("whole", [data]), ("bytes", [data[i : i + 1] for i in range(len(data))])]
    ways += [(f"random{n}", random_cuts(rng, data, 97)) for n in range(3)]
    return ways


Outcome = Tuple[int, Dict[str, Any], List[Dict[str, Any]]]


def read(mode: str, pieces: List[bytes], **options: Any) -> Outcome:
    """Chunks yielded, the final completion as a dict, and the deviations, from Stream or AsyncStream."""

    def as_dicts(stream: Any) -> List[Dict[str, Any]]:
        return [
            {"rule": d.rule, "path": d.path, "event_index": d.event_index, "count": d.count} for d in stream.deviations
        ]

    if mode == "sync":
        with gs.Stream(iter(pieces), **options) as stream:
            count = sum(1 for _ in stream)
            return count, stream.final_completion().to_dict(), as_dicts(stream)

    async def main() -> Outcome:
        async with gs.AsyncStream(agen(pieces), **options) as stream:
            count = 0
            async for _ in stream:
                count += 1
            completion = await stream.final_completion()
            return count, completion.to_dict(), as_dicts(stream)

    return asyncio.run(main())


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("path", PARAMS)
def test_each_stream_reads_to_its_expected_completion_however_it_is_split(path: Path, mode: str) -> None:
    want = expected_of(path)
    data = path.read_bytes()
    for how, pieces in the_ways_to_split(data):
        count, completion, deviations = read(mode, pieces)
        assert count == want["chunks"], how
        assert completion == want["completion"], how
        assert deviations == want["deviations"], how


@pytest.mark.parametrize("path", PARAMS)
def test_strict_rejects_each_deviation_with_its_path(path: Path) -> None:
    want = expected_of(path)["strict"]
    chunks: List[gs.ChatCompletionChunk] = []
    error: Optional[gs.GroqStreamError] = None
    try:
        with gs.Stream(path.read_bytes(), strict=True) as stream:
            for chunk in stream:
                chunks.append(chunk)
    except gs.GroqStreamError as exc:
        error = exc
    if want is None:
        assert error is None and stream.deviations == []
        return
    assert type(error).__name__ == want["error"]
    assert len(chunks) == want["chunks_before"]  # what came before the departure was still delivered
    if isinstance(error, gs.ChunkDecodeError):
        assert (error.path, error.event_index) == (want["path"], want["event_index"])
        assert str(error).startswith(f"event #{want['event_index']} at byte ")


@pytest.mark.parametrize("path", PARAMS)
def test_every_chunk_gives_back_the_json_it_was_read_from(path: Path) -> None:
    for event in gs.iter_events(path.read_bytes()):
        if event.data.strip() == "[DONE]":
            continue
        decoder = gs.ChunkDecoder()
        (chunk,) = decoder.feed(event)
        assert json.dumps(chunk.to_dict()) == json.dumps(json.loads(event.data))  # absent stays absent


@pytest.mark.parametrize("path", PARAMS)
def test_the_accumulated_completion_reads_back_as_a_non_streaming_response(path: Path) -> None:
    completion = gs.Stream(path.read_bytes()).final_completion()
    deviations: List[gs.Deviation] = []
    again = gs.ChatCompletion.from_dict(completion.to_dict(), strict=False, deviations=deviations)
    assert again.to_dict() == completion.to_dict()
    # Only what the completion took over as sent departs again: a usage object (written back exactly) and
    # Mistral's content parts (its own non-streaming shape). Everything the accumulator built is in the schema.
    assert all(d.path.startswith("usage.") or d.rule == "content-parts" for d in deviations), deviations


@requires_providers
def test_every_provider_stream_has_an_expected_outcome() -> None:
    streams = {p.stem for p in provider_paths()}
    assert streams == {p.stem for p in PROVIDER_EXPECTED.glob("*.json")}
    assert len(streams) == 28


@requires_captures
@pytest.mark.parametrize("path", capture_paths(), ids=lambda p: p.stem)
def test_groq_streams_need_no_tolerance(path: Path) -> None:
    """Groq's own streams follow Groq's schema: strict or not, the same chunks and no deviation."""
    data = path.read_bytes()

    def run(strict: bool) -> Tuple[List[Any], Optional[str], List[gs.Deviation]]:
        stream = gs.Stream(data, strict=strict)
        chunks: List[Any] = []
        try:
            for chunk in stream:
                chunks.append(chunk.to_dict())
        except gs.GroqStreamError as exc:
            return chunks, f"{type(exc).__name__}: {exc}", stream.deviations
        return chunks, None, stream.deviations

    lenient, strict = run(False), run(True)
    assert lenient == strict and lenient[2] == []
    assert CAPTURES in path.parents
