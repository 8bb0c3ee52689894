"""Every Python code block in README.md and docs/ runs as written (or says it is a fragment, and compiles).

A block runs in a fresh interpreter, in a folder holding ``capture.sse`` (the bundled sample), with
``GROQ_API_KEY`` set and ``GROQ_BASE_URL`` pointing at a local keep-alive server that answers streaming
requests with the sample and non-streaming ones with a completion, so the client examples run unchanged.
A block whose first line is ``# fragment: ...`` (it needs names the text around it describes) is only compiled.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Iterator, List, Tuple

import pytest

from tests.servers import Handler, SSEServer

REPO = Path(__file__).resolve().parent.parent
SAMPLE = (REPO / "groqstream" / "sample.sse").read_bytes()
FRAGMENT = "# fragment: "
COMPLETION = {
    "id": "chatcmpl-docs",
    "object": "chat.completion",
    "created": 1,
    "model": "llama-3.3-70b-versatile",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hi!"}, "finish_reason": "stop"}],
    "usage": {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3},
}


def blocks() -> Iterator[Tuple[str, int, str]]:
    """(file, line, code) of every ```python block."""
    for path in [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]:
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"^```python\n(.*?)^```", text, re.S | re.M):
            yield path.relative_to(REPO).as_posix(), text[: match.start()].count("\n") + 1, match.group(1)


BLOCKS: List[Tuple[str, int, str]] = list(blocks())


def answer(handler: Handler) -> None:
    headers = {"x_request_id": "req_docs", "x_ratelimit_remaining_tokens": "5999"}
    if json.loads(handler.server.requests[-1]["body"]).get("stream"):
        handler.start_sse(200, "text/event-stream", **headers)
        handler.chunk(SAMPLE)
        handler.end()
    else:
        handler.send_json(200, COMPLETION, **headers)


@pytest.fixture(scope="module")
def server() -> Iterator[SSEServer]:
    with SSEServer(answer, keep_alive=True) as running:
        yield running


def test_the_docs_have_code_blocks() -> None:
    assert len(BLOCKS) >= 10
    assert sum(not code.startswith(FRAGMENT) for _, _, code in BLOCKS) >= 6  # most of them run


@pytest.mark.parametrize(("doc", "line", "code"), BLOCKS, ids=[f"{d}:{n}" for d, n, _ in BLOCKS])
def test_code_block_runs_as_written(doc: str, line: int, code: str, server: SSEServer, tmp_path: Path) -> None:
    # Every block is valid Python (a fragment may await at top level, as inside the function it belongs to).
    compile(code, f"{doc}:{line}", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    if code.startswith(FRAGMENT):
        assert len(code.splitlines()[0]) > len(FRAGMENT) + 10, "a fragment says what it needs"
        return
    shutil.copy(REPO / "groqstream" / "sample.sse", tmp_path / "capture.sse")
    (tmp_path / "block.py").write_text(code, encoding="utf-8")
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "GROQ_API_KEY": "gsk_docs_test",
        "GROQ_BASE_URL": f"http://127.0.0.1:{server.port}",
    }
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        env.pop(name, None)
    result = subprocess.run(
        [sys.executable, "block.py"], cwd=tmp_path, env=env, capture_output=True, timeout=60, stdin=subprocess.DEVNULL
    )
    assert result.returncode == 0, f"{doc}:{line} failed:\n{result.stderr.decode('utf-8', 'replace')}"
