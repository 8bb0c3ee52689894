"""Every Python code block in README.md and docs/ runs as written (or says it is a fragment, and compiles).

A block runs in a fresh interpreter, in a folder holding ``capture.sse`` (the bundled sample), with
``GROQ_API_KEY`` set and ``GROQ_BASE_URL`` pointing at a local keep-alive server that answers streaming
requests with the sample and non-streaming ones with a completion, so the client examples run unchanged.
A block whose first line is ``# fragment: ...`` (it needs names the text around it describes) is only compiled.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import inspect
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any, Dict, Iterator, List, Set, Tuple

import pytest

import groqstream as gs
from tests import helpers
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


def _mypy_file(doc: str, line: int, code: str) -> Tuple[str, int]:
    """A block as a module mypy can check, and how many lines were put before the block's first line.

    A fragment uses names the text around it describes (``response``, ``stream``): they are left undefined, so
    mypy reads them as ``Any`` and checks everything the block does with groqstream's own values. A fragment
    that awaits at top level (the body of an async function) is checked inside one.
    """
    if not code.startswith(FRAGMENT):
        return code, 0
    head = '# mypy: disable-error-code="name-defined"\n'
    if not re.search(r"\bas gs$", code, re.M):
        head += "import groqstream as gs\n"
    try:
        compile(code, f"{doc}:{line}", "exec")
    except SyntaxError:  # top-level await, async for, async with
        head += "async def _fragment() -> None:\n"
        code = textwrap.indent(code, "    ")
    return head + code, head.count("\n")


# Third-party libraries in the recipes (and vendoring.md's example project) are read as Any, installed or not:
# the check is about groqstream's types.
MYPY_CONFIG = """\
[mypy]
strict = True
mypy_path = {repo}
[mypy-httpx.*,requests.*,aiohttp.*,groq.*,openai.*,myapp.*]
follow_imports = skip
ignore_missing_imports = True
"""


def test_code_blocks_pass_mypy_strict(tmp_path: Path) -> None:
    """The README promises typed use: every block type-checks as written (one mypy run over all of them)."""
    if importlib.util.find_spec("mypy") is None:
        pytest.skip("mypy is not installed (pip install -e '.[dev]' installs it)")
    where: Dict[str, Tuple[str, int, int]] = {}
    for number, (doc, line, code) in enumerate(BLOCKS):
        source, added = _mypy_file(doc, line, code)
        name = f"block_{number:03d}.py"
        (tmp_path / name).write_text(source, encoding="utf-8")
        where[name] = (doc, line, added)
    (tmp_path / "mypy.ini").write_text(MYPY_CONFIG.format(repo=REPO), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", "mypy.ini", "--no-incremental", "--no-error-summary", *where],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )

    def in_the_doc(match: re.Match[str]) -> str:  # block_007.py:3: -> README.md:118:
        doc, line, added = where[match.group(1)]
        return f"{doc}:{line + int(match.group(2)) - added}:"

    report = re.sub(r"^(block_\d+\.py):(\d+):", in_the_doc, result.stdout, flags=re.M)
    assert result.returncode == 0, report + result.stderr


def test_the_api_reference_signatures_match_the_code() -> None:
    """Each ``gs.Name(parameters)`` in api.md (or ``gs.client.Client(...)``, any dotted path under ``gs``) names the
    parameters the code takes, keyword-only after ``*``."""
    text = re.sub(r"\n\s*", " ", (REPO / "docs" / "api.md").read_text(encoding="utf-8"))
    checked = set()
    for match in re.finditer(r"`gs\.([\w.]+)\(([^`]*)\)(?: -> [^`]*)?`", text):
        dotted, documented = match.groups()
        if documented.strip() == "...":
            continue  # "the same arguments as ..."
        target: Any = gs
        for part in dotted.split("."):
            target = getattr(target, part)
        expected: List[Tuple[str, bool]] = []
        keyword_only = False
        for part in (p.strip() for p in documented.split(",")):
            if part == "*":
                keyword_only = True
            elif part:
                expected.append((part.split("=")[0].strip().lstrip("*"), keyword_only))
        actual = [
            (p.name, p.kind is inspect.Parameter.KEYWORD_ONLY) for p in inspect.signature(target).parameters.values()
        ]
        assert expected == actual, f"api.md: {match.group(0)[:80]}"
        checked.add(dotted)
    assert len(checked) >= 20
    # The moved names are checked where they now live, as the page spells them.
    assert {"client.Client", "tools.CaptureWriter", "tools.CaptureServer", "Stream", "SSEDecoder"} <= checked


API_SECTIONS = {
    "groqstream": "## `groqstream`: the parser",
    "groqstream.types": "## `groqstream.types`: the wire types",
    "groqstream.client": "## `groqstream.client`: the HTTP clients",
    "groqstream.tools": "## `groqstream.tools`: captures and serve",
}


def api_sections() -> Dict[str, str]:
    """docs/api.md cut at its ``## `` headings, keyed by heading line."""
    text = (REPO / "docs" / "api.md").read_text(encoding="utf-8")
    parts = re.split(r"^(## .*)$", text, flags=re.M)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts), 2)}


def documented_names(section: str) -> Set[str]:
    """The identifiers inside the section's inline code spans (code blocks left out)."""
    section = re.sub(r"^```.*?^```", "", section, flags=re.S | re.M)
    return {word for span in re.findall(r"`([^`\n]+)`", section) for word in re.findall(r"\w+", span)}


@pytest.mark.parametrize("module", sorted(API_SECTIONS))
def test_every_exported_name_is_documented_in_its_modules_section_of_the_api_reference(module: str) -> None:
    exported = importlib.import_module(module).__all__
    sections = api_sections()
    assert API_SECTIONS[module] in sections, f"api.md has no section {API_SECTIONS[module]!r}"
    names = documented_names(sections[API_SECTIONS[module]])
    assert [name for name in exported if name not in names] == []
    assert len(exported) >= 9  # the module really exports something: the check saw names


def test_the_api_reference_has_a_moved_names_note() -> None:
    moved = api_sections()["## Moved names"]
    assert "DeprecationWarning" in moved and "gs.client.Client" in moved and "gs.types.CompletionUsage" in moved


def test_the_parser_namespace_stays_small() -> None:
    # What a parser user sees: at most 40 names (h11 exports 23); the wire types, clients and tools have modules.
    assert len(gs.__all__) <= 40


def test_the_readme_quotes_no_commit_hash() -> None:
    # A hash means nothing to a reader of a release, and goes stale: say which change instead.
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    hashes = [h for h in re.findall(r"\b[0-9a-f]{7,40}\b", readme) if re.search(r"[a-f]", h) and re.search(r"\d", h)]
    assert hashes == []


def test_vendoring_says_what_python_dash_i_does_to_sys_path() -> None:
    vendoring = (REPO / "docs" / "vendoring.md").read_text(encoding="utf-8")
    assert "python -I" in vendoring and "sys.path" in vendoring


def test_the_readme_says_what_the_shared_fixtures_are_and_that_the_suite_passes_without_them() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    development = readme.split("## Development", 1)[1].split("\n## ", 1)[0]
    assert "../shared/fixtures" in development and "passes without" in development
    # The skip lines say the same plainly, with the path.
    for mark in (helpers.requires_captures, helpers.requires_providers):
        reason = mark.kwargs["reason"]
        assert "passes without" in reason and "../shared/fixtures/" in reason, reason


def test_every_test_the_security_review_names_exists() -> None:
    """docs/security.md promises each bound by naming its test: a renamed or deleted test must not leave a claim."""
    text = (REPO / "docs" / "security.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`(test_\w+)`", text))
    assert len(named) > 30
    defined = set()
    for path in (REPO / "tests").glob("test_*.py"):
        defined.update(re.findall(r"^(?:async )?def (test_\w+)", path.read_text(encoding="utf-8"), re.M))
    assert sorted(named - defined) == []
    for path in re.findall(r"`(tests/[\w/.]+\.py)`", text):
        assert (REPO / path).is_file(), path


def test_the_readmes_two_first_commands_work_from_a_fresh_clone(tmp_path: Path) -> None:
    """The replay runs from the tracked files alone (what a clone has), and the test command's extra exists."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = re.search(r"^```sh\n(.*?)^```", readme, re.S | re.M)
    assert block is not None and readme.index(block.group(0)) < readme.index("\n## ")  # the first thing shown
    replay, setup = [line.split("#")[0].strip() for line in block.group(1).splitlines()[:2]]
    assert replay == "python -m groqstream replay --sample"
    assert (
        setup
        == 'python -m venv .venv && . .venv/bin/activate && python -m pip install -e ".[test]" && python -m pytest'
    )
    assert re.search(r'^test = \["pytest"\]$', (REPO / "pyproject.toml").read_text(encoding="utf-8"), re.M)
    if shutil.which("git") is None or not (REPO / ".git").exists():
        pytest.skip("not a git checkout: the tracked files are unknown")
    listed = subprocess.run(
        ["git", "ls-files", "-z", "groqstream"], cwd=REPO, capture_output=True, timeout=30, check=True
    ).stdout
    for name in filter(None, listed.decode().split("\0")):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO / name, tmp_path / name)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONDONTWRITEBYTECODE", "PYTHONSAFEPATH")}
    result = subprocess.run(
        [sys.executable, *replay.split()[1:]], cwd=tmp_path, env=env, capture_output=True, timeout=60
    )
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")
    assert b"20 \xc2\xb0C." in result.stdout and b"40 chunks" in result.stderr
    assert (tmp_path / "groqstream" / "__pycache__").is_dir()  # the clone's copy ran, not an installed one
