"""Shared test helpers: fixtures, captures, re-chunking, and running a stream sync or async."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import random
import sys
import sysconfig
from pathlib import Path
from typing import Any, AsyncIterator, Dict, Iterable, Iterator, List, Optional, Tuple

import pytest

import groqstream as gs

TESTS = Path(__file__).resolve().parent
FIXTURES = TESTS / "fixtures"
# The real Groq captures live beside the repository (read-only, never copied in).
CAPTURES = TESTS.parent.parent / "shared" / "fixtures" / "captures"


def _optional_folder(what: str, folder: Path) -> str:
    """The skip reason of a test that needs a folder of real streams kept outside the repository."""
    relative = "../shared/fixtures/" + folder.name
    return (
        f"needs {what} in {relative} (at {folder}): an optional folder of recorded streams kept beside"
        " the repository, not part of it; the suite passes without it (see the README, Development)"
    )


requires_captures = pytest.mark.skipif(
    not CAPTURES.is_dir(), reason=_optional_folder("the real Groq captures", CAPTURES)
)
# Real streams of other OpenAI-compatible providers, also beside the repository; their expected
# outcomes (written by reading each stream) are ours, in tests/fixtures/providers.
PROVIDERS = TESTS.parent.parent / "shared" / "fixtures" / "providers"
PROVIDER_EXPECTED = FIXTURES / "providers"
requires_providers = pytest.mark.skipif(
    not PROVIDERS.is_dir(), reason=_optional_folder("real streams of other providers", PROVIDERS)
)


def fixture_paths() -> List[Path]:
    """The repository's own .sse fixtures."""
    return sorted(FIXTURES.glob("*.sse"))


def capture_paths() -> List[Path]:
    """The real Groq captures, or [] when the shared folder is absent."""
    return sorted(CAPTURES.glob("*.sse")) if CAPTURES.is_dir() else []


def provider_paths() -> List[Path]:
    """The real provider streams, or [] when the shared folder is absent."""
    return sorted(PROVIDERS.glob("*.sse")) if PROVIDERS.is_dir() else []


def quirk_paths() -> List[Path]:
    """The hand-made streams of provider quirks the real ones do not show (tests/fixtures/quirks)."""
    return sorted((FIXTURES / "quirks").glob("*.sse"))


def expected(path: Path) -> Dict[str, Any]:
    """The hand-written expected outcome stored beside a fixture."""
    result: Dict[str, Any] = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    return result


def splits(
    data: bytes, *, seed: int = 0, every_offset_limit: int = 4096, random_rounds: int = 5
) -> Iterator[List[bytes]]:
    """Yield the same bytes cut into pieces in many ways.

    Whole; one byte at a time; in two at every offset (inputs up to
    *every_offset_limit* bytes, else at 200 seeded offsets); and seeded random
    cuts of 1 to 64 bytes.
    """
    yield [data]
    yield [data[i : i + 1] for i in range(len(data))]
    rng = random.Random(seed)
    offsets: Iterable[int] = range(1, len(data))
    if len(data) > every_offset_limit:
        offsets = sorted(rng.sample(range(1, len(data)), 200))
    for cut in offsets:
        yield [data[:cut], data[cut:]]
    for _ in range(random_rounds):
        yield random_cuts(rng, data, 64)


def random_cuts(rng: random.Random, data: bytes, longest: int) -> List[bytes]:
    """*data* cut into seeded random pieces of 1 to *longest* bytes."""
    pieces, i = [], 0
    while i < len(data):
        n = rng.randint(1, longest)
        pieces.append(data[i : i + n])
        i += n
    return pieces


def decode_events(pieces: Iterable[bytes], **options: Any) -> List[gs.ServerSentEvent]:
    """Feed pieces through one SSEDecoder and return every event, flush included."""
    decoder = gs.SSEDecoder(**options)
    events: List[gs.ServerSentEvent] = []
    for piece in pieces:
        events += decoder.feed(piece)
    events += decoder.flush()
    return events


async def agen(pieces: Iterable[bytes]) -> AsyncIterator[bytes]:
    """An async iterable over pieces, yielding to the loop between them."""
    for piece in pieces:
        await asyncio.sleep(0)
        yield piece


StreamResult = Tuple[List[gs.ChatCompletionChunk], Optional[BaseException]]


def run_stream(mode: str, pieces: List[bytes], **options: Any) -> StreamResult:
    """Read a whole stream with Stream (mode "sync") or AsyncStream ("async").

    Returns every chunk yielded and the exception that ended the stream, if any.
    """
    chunks: List[gs.ChatCompletionChunk] = []
    if mode == "sync":
        try:
            with gs.Stream(iter(pieces), **options) as stream:
                for chunk in stream:
                    chunks.append(chunk)
        except gs.GroqStreamError as exc:
            return chunks, exc
        return chunks, None

    async def consume() -> Optional[BaseException]:
        try:
            async with gs.AsyncStream(agen(pieces), **options) as stream:
                async for chunk in stream:
                    chunks.append(chunk)
        except gs.GroqStreamError as exc:
            return exc
        return None

    error = asyncio.run(consume())
    return chunks, error


def content_of(chunks: Iterable[gs.ChatCompletionChunk], index: int = 0) -> str:
    """Concatenated delta.content of one choice."""
    return "".join(c.delta.content or "" for chunk in chunks for c in chunk.choices if c.index == index)


def strip_capture(data: bytes) -> bytes:
    """A timed capture without the lines CaptureWriter adds: the bytes the server sent."""
    bom = b"\xef\xbb\xbf" if data.startswith(b"\xef\xbb\xbf") else b""  # the writer keeps it first
    return bom + b"".join(
        line
        for line in data[len(bom) :].splitlines(keepends=True)
        if not (line.startswith(b": t=") or line.startswith(b": groqstream-capture "))
    )


def is_stdlib_module(name: str) -> bool:
    """True when *name*'s top-level module is part of the standard library, on every supported Python.

    3.10+ lists the standard library (``sys.stdlib_module_names``); on 3.9 a module is standard when it is
    built in or frozen, or found in the interpreter's own library folder outside site-packages. (A check
    that read "no list, so anything goes" passed on 3.9 whatever was imported.)
    """
    top = name.split(".")[0]
    if top == "__future__" or top in sys.builtin_module_names:
        return True
    listed = getattr(sys, "stdlib_module_names", None)
    if listed is not None:
        return top in listed
    spec = importlib.util.find_spec(top)
    if spec is None:
        return False
    if spec.origin in ("built-in", "frozen"):
        return True
    where = os.path.realpath(spec.origin or next(iter(spec.submodule_search_locations or []), ""))
    if not where or "site-packages" in where or "dist-packages" in where:
        return False
    folders = {os.path.realpath(sysconfig.get_paths()[key]) for key in ("stdlib", "platstdlib")}
    return any(where.startswith(folder + os.sep) for folder in folders)
