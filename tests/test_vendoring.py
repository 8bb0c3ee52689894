"""The parser can be vendored alone: exactly what docs/vendoring.md says to copy works, under another name.

The list of what to copy is read from the page, so the page and this test cannot drift apart: the bullet list
of "What to copy: the parser alone" and the ``cp`` commands under it must name the same files, and the test
copies those into ``myapp/_vendor/groqstream/`` of a temporary folder. A fresh interpreter then reads the
bundled sample and the real Groq captures through the copy (``Stream``, ``AsyncStream``, ``final_completion()``)
and the results are compared with the installed package's; urllib, ``http.client`` and httpx responses from a
local server are read as responses (without ``client/``, nothing drains them: they are closed at the end).
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any, Dict, Iterator, List, Set

import pytest

import groqstream as gs
from tests.helpers import capture_paths
from tests.servers import Handler, SSEServer

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "groqstream"
SAMPLE = PACKAGE / "sample.sse"
VENDORING = REPO / "docs" / "vendoring.md"
SECTION = "## What to copy: the parser alone"


def _section() -> str:
    text = VENDORING.read_text(encoding="utf-8")
    assert SECTION in text, f"docs/vendoring.md has no {SECTION!r} section"
    return text.split(SECTION, 1)[1].split("\n## ", 1)[0]


def listed_paths() -> List[str]:
    """The repository paths the section's bullet list names (``groqstream/core/`` is a folder)."""
    return re.findall(r"^- `(groqstream/[^`]*)`", _section(), re.M)


def copied_paths() -> Set[str]:
    """What the section's ``cp`` commands copy from the repository (a folder as ``groqstream/core/``)."""
    block = re.search(r"^```sh\n(.*?)^```", _section(), re.S | re.M)
    assert block is not None, "the section has no sh block"
    copied: Set[str] = set()
    for line in block.group(1).splitlines():
        words = shlex.split(line, comments=True)
        if not words or words[0] != "cp":
            continue
        recursive = "-r" in words
        for source in (w for w in words[1:-1] if not w.startswith("-")):
            if source == "LICENSE":
                continue  # beside the copy, not inside it
            copied.add(source.rstrip("/") + ("/" if recursive else ""))
    return copied


def test_the_page_lists_the_core_and_its_cp_commands_copy_exactly_the_list() -> None:
    paths = listed_paths()
    assert paths == ["groqstream/__init__.py", "groqstream/py.typed", "groqstream/core/", "groqstream/types/"]
    assert copied_paths() == set(paths)
    for path in paths:
        assert (REPO / path).exists(), path


def vendor(root: Path) -> Path:
    """Copy what the page lists into ``root/myapp/_vendor/groqstream``; return that folder."""
    target = root / "myapp" / "_vendor" / "groqstream"
    target.mkdir(parents=True)
    (root / "myapp" / "__init__.py").write_text("")
    (root / "myapp" / "_vendor" / "__init__.py").write_text("")
    for path in listed_paths():
        if path.endswith("/"):
            shutil.copytree(REPO / path, target / Path(path).name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(REPO / path, target / Path(path).name)
    return target


# Run in the temporary folder: prints, per file, what sync and async reading gave.
READ_FILES = textwrap.dedent(
    """
    import asyncio, json, sys
    from myapp._vendor import groqstream as gs

    def outcome(stream, get):
        chunks = []
        try:
            for chunk in stream:
                chunks.append(chunk.to_dict())
            final = get()
        except gs.GroqStreamError as error:
            final = [type(error).__name__, str(error)]
        return {"chunks": chunks, "final": final, "deviations": [str(d) for d in stream.deviations]}

    async def pieces(path):
        with open(path, "rb") as file:
            while True:
                block = file.read(1009)
                if not block:
                    return
                yield block

    async def read_async(path):
        async with gs.AsyncStream(pieces(path)) as stream:
            chunks = []
            try:
                async for chunk in stream:
                    chunks.append(chunk.to_dict())
                final = (await stream.final_completion()).to_dict()
            except gs.GroqStreamError as error:
                final = [type(error).__name__, str(error)]
            return {"chunks": chunks, "final": final, "deviations": [str(d) for d in stream.deviations]}

    report = {}
    for path in sys.argv[1:]:
        with gs.Stream(open(path, "rb")) as stream:
            sync = outcome(stream, lambda: stream.final_completion().to_dict())
        report[path] = {"sync": sync, "async": asyncio.run(read_async(path))}
    # Every public name resolves from the copy; the layers left out are absent, and say so.
    names = [name for name in gs.__all__ if getattr(gs, name) is None]
    try:
        gs.client
    except ImportError:
        names.append("no client")
    loaded = sorted(m for m in sys.modules if m.split(".")[0] == "groqstream")
    print(json.dumps({"report": report, "names": names, "installed_copy_loaded": loaded}))
    """
)


def _read_installed(path: str) -> Dict[str, Any]:
    """What the installed package gives for one file, in READ_FILES's shape."""

    def outcome(stream: gs.Stream) -> Dict[str, Any]:
        chunks: List[Any] = []
        final: Any
        try:
            for chunk in stream:
                chunks.append(chunk.to_dict())
            final = stream.final_completion().to_dict()
        except gs.GroqStreamError as error:
            final = [type(error).__name__, str(error)]
        return {"chunks": chunks, "final": final, "deviations": [str(d) for d in stream.deviations]}

    async def read_async() -> Dict[str, Any]:
        async def pieces() -> Any:
            with open(path, "rb") as file:
                while True:
                    block = file.read(1009)
                    if not block:
                        return
                    yield block

        async with gs.AsyncStream(pieces()) as stream:
            chunks: List[Any] = []
            final: Any
            try:
                async for chunk in stream:
                    chunks.append(chunk.to_dict())
                final = (await stream.final_completion()).to_dict()
            except gs.GroqStreamError as error:
                final = [type(error).__name__, str(error)]
            return {"chunks": chunks, "final": final, "deviations": [str(d) for d in stream.deviations]}

    with gs.Stream(open(path, "rb")) as stream:
        sync = outcome(stream)
    return {"sync": sync, "async": asyncio.run(read_async())}


def _clean_env() -> Dict[str, str]:
    """The environment without proxies (loopback only) and without a PYTHONPATH that could reach the repo."""
    env = dict(os.environ)
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy", "PYTHONPATH"):
        env.pop(name, None)
    return env


def test_the_vendored_core_reads_the_sample_and_the_captures_as_the_installed_package_does(tmp_path: Path) -> None:
    vendor(tmp_path)
    paths = [str(SAMPLE), *map(str, capture_paths())]
    # "-c" puts the working directory first on sys.path, so myapp is the temporary one.
    result = subprocess.run(
        [sys.executable, "-c", READ_FILES, *paths],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=_clean_env(),
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["installed_copy_loaded"] == [], "the installed groqstream was imported, not the copy"
    assert out["names"] == ["no client"]
    for path in paths:
        installed = _read_installed(path)
        assert out["report"][path] == installed, path
        assert installed["sync"] == installed["async"], path
    sample = out["report"][str(SAMPLE)]["sync"]
    assert len(sample["chunks"]) == 40 and sample["final"]["choices"][0]["message"]["content"].endswith("20 °C.")


def test_the_vendored_core_copy_holds_no_client_or_tools(tmp_path: Path) -> None:
    target = vendor(tmp_path)
    names = {p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file()}
    assert {n.split("/")[0] for n in names} == {"__init__.py", "py.typed", "core", "types"}
    assert "core/stream.py" in names and "types/decoders.py" in names


# Run in the temporary folder with a server's URL: reads the sample from urllib, http.client and (when
# installed) httpx responses through the copy.
READ_RESPONSES = textwrap.dedent(
    """
    import http.client, json, sys, urllib.parse, urllib.request
    from myapp._vendor import groqstream as gs

    url = sys.argv[1]
    results = {}

    def read(name, response, closed):
        with gs.Stream(response) as stream:
            text = stream.final_completion().choices[0].message.content
        results[name] = [text, stream.chunks_received, closed()]

    response = urllib.request.urlopen(urllib.request.Request(url, data=b"{}"), timeout=10)
    read("urllib", response, lambda: response.closed)
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    connection.request("POST", "/", body=b"{}")
    raw = connection.getresponse()
    read("http.client", raw, raw.isclosed)
    connection.close()
    try:
        import httpx
    except ImportError:
        pass
    else:
        with httpx.Client(trust_env=False, timeout=10) as client:
            with client.stream("POST", url, content=b"{}") as answer:
                read("httpx", answer, lambda: answer.is_closed)
    results["loaded"] = sorted(m for m in sys.modules if m.startswith(("groqstream", "myapp._vendor.groqstream.")))
    print(json.dumps(results))
    """
)


def _send_sample(handler: Handler) -> None:
    handler.send_body(SAMPLE.read_bytes())


@pytest.fixture()
def server() -> Iterator[SSEServer]:
    with SSEServer(_send_sample, keep_alive=True) as running:
        yield running


def test_http_responses_passed_to_the_vendored_stream_are_read_as_responses(tmp_path: Path, server: SSEServer) -> None:
    vendor(tmp_path)
    result = subprocess.run(
        [sys.executable, "-c", READ_RESPONSES, f"http://127.0.0.1:{server.port}/"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=_clean_env(),
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    expected_text = gs.Stream(SAMPLE.read_bytes()).text()
    transports = ["urllib", "http.client"] + (["httpx"] if importlib.util.find_spec("httpx") else [])
    for name in transports:
        text, chunks, closed = out[name]
        assert (text, chunks, closed) == (expected_text, 40, True), name
    # The copy has no client/: nothing was imported from it (the drain's seam found nothing, and said nothing).
    loaded = out["loaded"]
    assert "myapp._vendor.groqstream.core.stream" in loaded
    assert [m for m in loaded if ".groqstream.client" in m or ".groqstream.tools" in m] == []
    assert [m for m in loaded if m.split(".")[0] == "groqstream"] == []


# The Responses API comes with the copy too: per file, the final Response (or the error) of sync and async reading.
READ_RESPONSES_API = textwrap.dedent(
    """
    import asyncio, json, sys
    from myapp._vendor import groqstream as gs

    def final(read):
        try:
            return read().to_dict()
        except gs.GroqStreamError as error:
            return [type(error).__name__, str(error)]

    async def read_async(path):
        async def pieces():
            with open(path, "rb") as file:
                while block := file.read(997):
                    yield block
        async with gs.AsyncResponseStream(pieces()) as stream:
            try:
                return (await stream.final_response()).to_dict()
            except gs.GroqStreamError as error:
                return [type(error).__name__, str(error)]

    report = {}
    for path in sys.argv[1:]:
        with gs.ResponseStream(open(path, "rb")) as stream:
            report[path] = [final(stream.final_response), asyncio.run(read_async(path))]
    print(json.dumps({"report": report, "loaded": sorted(m for m in sys.modules if m.split(".")[0] == "groqstream")}))
    """
)


def test_the_vendored_core_reads_responses_streams_as_the_installed_package_does(tmp_path: Path) -> None:
    vendor(tmp_path)
    fixtures = REPO / "tests" / "fixtures" / "responses"
    shared = REPO.parent / "shared" / "fixtures" / "responses"
    paths = sorted(map(str, fixtures.glob("*.sse"))) + sorted(map(str, shared.glob("*.sse")))[:12]
    assert len(paths) >= 10
    result = subprocess.run(
        [sys.executable, "-c", READ_RESPONSES_API, *paths],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=_clean_env(),
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["loaded"] == [], "the installed groqstream was imported, not the copy"
    for path in paths:
        with gs.ResponseStream(open(path, "rb")) as stream:
            try:
                installed: Any = stream.final_response().to_dict()
            except gs.GroqStreamError as error:
                installed = [type(error).__name__, str(error)]
        assert out["report"][path] == [installed, installed], path
