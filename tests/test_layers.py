"""The layers hold: the parser path loads only the parser, and imports go one way (docs/architecture.md).

    tools    capture, serve, report, CLI             may import anything below
    client   the HTTP clients; adapters (the drain)  core, types; never tools (see KNOWN_CLIENT_TO_TOOLS)
    types    the wire dataclasses                    core.errors and core.partial_json only
    core     bytes -> events -> chunks -> completion  types; never client or tools, but for one seam

The one seam: ``core/stream.py``'s ``_drain`` imports ``client.adapters`` lazily, inside a ``try``/``except
ImportError`` (a vendored core without ``client/`` simply does not drain). Imports under ``if TYPE_CHECKING:``
never run; the upward ones are listed exactly in TYPE_ONLY_UPWARD, so a new one is seen and decided on.
"""

from __future__ import annotations

import ast
import functools
import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Dict, FrozenSet, List, Set, Tuple

import pytest

from tests.helpers import capture_paths

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "groqstream"
SAMPLE = PACKAGE / "sample.sse"
LAYERS = ("core", "types", "client", "tools")

# (importing module, imported module) pairs that only type checkers see: annotations naming a class of a
# layer above. They cost nothing at run time; a vendored core type-checks against its own Response stand-in.
TYPE_ONLY_UPWARD = {
    ("groqstream.core.errors", "groqstream.client.http"),
    ("groqstream.core.stream", "groqstream.client.http"),
    ("groqstream.types.completion", "groqstream.client.http"),
}
# The client records captures (client.chat_stream(capture=file)) in the tools' capture format: policy.recorder
# imports tools.capture inside the function, only when a capture is asked for (a client without one loads
# nothing of the tools, see below); the clients name CaptureWriter in annotations only. Listed exactly.
KNOWN_CLIENT_TO_TOOLS = {("groqstream.client.policy", "groqstream.tools.capture")}
CLIENT_TO_TOOLS_TYPE_ONLY = {
    ("groqstream.client.async_client", "groqstream.tools.capture"),
    ("groqstream.client.policy", "groqstream.tools.capture"),
    ("groqstream.client.sync_client", "groqstream.tools.capture"),
}
# What the wire types import from the core, exactly: the error tree, and the partial JSON parser (lazily,
# for ChatCompletionMessageToolCallFunction.parsed_arguments()).
TYPES_FROM_CORE = {
    ("groqstream.types.completion", "groqstream.core.partial_json"),
    ("groqstream.types.wire", "groqstream.core.errors"),
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _resolve(module: str, is_package: bool, node: ast.ImportFrom) -> List[str]:
    """The absolute modules a ``from ... import ...`` names (a name may itself be a submodule)."""
    if node.level == 0:
        base = node.module or ""
    else:
        parts = module.split(".")
        keep = len(parts) - node.level + (1 if is_package else 0)
        base = ".".join(parts[:keep] + ([node.module] if node.module else []))
    if not base.startswith("groqstream"):
        return [base]
    # "from . import decoders" imports the submodule groqstream.types.decoders.
    return [base, *(f"{base}.{alias.name}" for alias in node.names)]


def _scan(statements: List[ast.stmt], kind: str, in_function: bool, found: List[Tuple[str, ast.stmt]]) -> None:
    """Each import statement with its kind (``run``, ``type`` or ``guarded``); only statements are walked
    (an import is one), which keeps the scan of the whole package fast."""
    for node in statements:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append((kind, node))
        elif isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            _scan(node.body, "type", in_function, found)
            _scan(node.orelse, kind, in_function, found)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            _scan(node.body, kind, True, found)
        elif isinstance(node, ast.Try):
            catches = any(
                isinstance(h.type, ast.Name) and h.type.id in ("ImportError", "ModuleNotFoundError")
                for h in node.handlers
            )
            # Lazy and guarded: the import may fail, and the function copes.
            _scan(node.body, "guarded" if catches and in_function and kind == "run" else kind, in_function, found)
            for handler in node.handlers:
                _scan(handler.body, kind, in_function, found)
            _scan(node.orelse + node.finalbody, kind, in_function, found)
        else:
            for field in ("body", "orelse", "finalbody"):  # class bodies, loops, with blocks, if/else
                inner = getattr(node, field, None)
                if isinstance(inner, list):
                    _scan(inner, kind, in_function, found)


@functools.cache
def package_imports() -> Dict[str, FrozenSet[Tuple[str, str]]]:
    """Every import of a groqstream module by a groqstream module, sorted by kind.

    ``run``: executed at some point (module level or inside a function); ``type``: under TYPE_CHECKING only;
    ``guarded``: lazy, in a function, inside ``try: ... except ImportError``.
    """
    found: Dict[str, Set[Tuple[str, str]]] = {"run": set(), "type": set(), "guarded": set()}
    for path in sorted(PACKAGE.rglob("*.py")):
        module = _module_name(path)
        statements: List[Tuple[str, ast.stmt]] = []
        _scan(ast.parse(path.read_text(encoding="utf-8")).body, "run", False, statements)
        for kind, node in statements:
            if isinstance(node, ast.ImportFrom):
                targets = _resolve(module, path.name == "__init__.py", node)
            else:
                assert isinstance(node, ast.Import)
                targets = [alias.name for alias in node.names]
            for target in targets:
                if target.startswith("groqstream.") and _is_module(target):
                    found[kind].add((module, target))
    return {kind: frozenset(pairs) for kind, pairs in found.items()}


def _is_module(name: str) -> bool:
    path = REPO.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _layer(module: str) -> str:
    """``core``, ``types``, ``client``, ``tools``, or ``top`` (groqstream/__init__.py, __main__.py)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and parts[1] in LAYERS) else "top"


def _crossings(pairs: FrozenSet[Tuple[str, str]], source: str, targets: Tuple[str, ...]) -> Set[Tuple[str, str]]:
    return {(a, b) for a, b in pairs if _layer(a) == source and _layer(b) in targets}


def test_the_import_scan_sees_every_layer_and_the_seam() -> None:
    # The scan itself must see imports, or every rule below would pass on nothing.
    run = package_imports()["run"]
    for source in LAYERS:
        assert any(_layer(a) == source for a, _ in run), source
    assert ("groqstream.core.stream", "groqstream.core.accumulate") in run
    assert ("groqstream.types", "groqstream.types.decoders") in run  # "from . import decoders as _decoders"
    assert ("groqstream.tools.cli", "groqstream.core.stream") in run or any(
        _layer(a) == "tools" and _layer(b) == "core" for a, b in run
    )


def test_core_imports_nothing_of_the_client_or_tools_but_the_one_guarded_seam() -> None:
    assert _crossings(package_imports()["run"], "core", ("client", "tools")) == set()
    assert _crossings(package_imports()["guarded"], "core", ("client", "tools")) == {
        ("groqstream.core.stream", "groqstream.client.adapters"),
    }
    assert _crossings(package_imports()["type"], "core", ("client", "tools")) <= TYPE_ONLY_UPWARD


def test_types_import_only_the_error_tree_and_partial_json_from_the_core() -> None:
    assert _crossings(package_imports()["run"] | package_imports()["guarded"], "types", ("client", "tools")) == set()
    assert _crossings(package_imports()["type"], "types", ("client", "tools")) <= TYPE_ONLY_UPWARD
    assert _crossings(package_imports()["run"] | package_imports()["guarded"], "types", ("core",)) == TYPES_FROM_CORE


def test_the_client_imports_nothing_of_the_tools_but_the_capture_writer() -> None:
    assert (
        _crossings(package_imports()["run"] | package_imports()["guarded"], "client", ("tools",))
        == KNOWN_CLIENT_TO_TOOLS
    )
    assert _crossings(package_imports()["type"], "client", ("tools",)) == CLIENT_TO_TOOLS_TYPE_ONLY


def test_a_client_without_a_capture_loads_nothing_of_the_tools() -> None:
    code = (
        "import sys\n"
        "from groqstream.client import AsyncClient, Client\n"
        "Client(api_key='k').close()\n"
        "print(sorted(m for m in sys.modules if m.startswith('groqstream.tools')))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_the_upward_type_only_imports_are_the_known_ones() -> None:
    # core and types are one level (the parser): each uses parts of the other, as the tests above pin.
    order = {"top": -1, "core": 0, "types": 0, "client": 1, "tools": 2}
    upward = {(a, b) for a, b in package_imports()["type"] if order[_layer(b)] > order[_layer(a)] >= 0}
    assert upward == TYPE_ONLY_UPWARD | CLIENT_TO_TOOLS_TYPE_ONLY


def test_the_top_level_package_reaches_the_layers_only_by_name() -> None:
    # groqstream/__init__.py imports its names lazily (importlib.import_module on first use): at run time
    # it imports no submodule itself; __main__ runs the CLI.
    assert {b for a, b in package_imports()["run"] if a == "groqstream"} == set()
    assert {b for a, b in package_imports()["run"] if a == "groqstream.__main__"} == {"groqstream.tools.cli"}


PARSER_PATH = textwrap.dedent(
    """
    import asyncio, json, sys
    import groqstream as gs

    def loaded():
        return sorted(m for m in sys.modules if m == "groqstream" or m.startswith("groqstream."))

    report = {}
    outcomes = []
    for path in sys.argv[1:]:
        with gs.Stream(open(path, "rb")) as stream:
            try:
                outcomes.append(stream.final_completion().to_dict())
            except gs.GroqStreamError as error:  # the captures of a mid-stream error end so
                outcomes.append(type(error).__name__)
    report["sync"] = loaded()

    async def pieces(path):
        with open(path, "rb") as file:
            while True:
                block = file.read(997)
                if not block:
                    return
                yield block

    async def main():
        for path in sys.argv[1:]:
            async with gs.AsyncStream(pieces(path)) as stream:
                try:
                    outcomes.append((await stream.final_completion()).to_dict())
                except gs.GroqStreamError as error:
                    outcomes.append(type(error).__name__)

    asyncio.run(main())
    report["async"] = loaded()
    report["outcomes"] = outcomes
    print(json.dumps(report))
    """
)


def _allowed_on_the_parser_path(module: str) -> bool:
    return module in ("groqstream", "groqstream.core", "groqstream.types") or module.startswith(
        ("groqstream.core.", "groqstream.types.")
    )


def test_the_parser_path_sync_and_async_loads_only_the_core_and_the_types() -> None:
    paths = [str(SAMPLE), *map(str, capture_paths())]
    result = subprocess.run(
        [sys.executable, "-c", PARSER_PATH, *paths], capture_output=True, text=True, cwd=REPO, timeout=60
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    for mode in ("sync", "async"):
        assert "groqstream.core.stream" in report[mode] and "groqstream.types.chunk" in report[mode]
        assert [m for m in report[mode] if not _allowed_on_the_parser_path(m)] == [], mode
    # The streams were really read to their final completion, the same sync and async.
    outcomes = report["outcomes"]
    assert len(outcomes) == 2 * len(paths)
    assert outcomes[: len(paths)] == outcomes[len(paths) :]
    assert outcomes[0]["choices"][0]["message"]["content"].endswith("20 °C.")


def test_the_rule_of_the_parser_path_refuses_what_it_must() -> None:
    # The filter above, shown on the names it must refuse (a check that accepted everything would pass too).
    for name in ("groqstream.client", "groqstream.client.adapters", "groqstream.tools.capture", "groqstream.tools"):
        assert not _allowed_on_the_parser_path(name)
    assert _allowed_on_the_parser_path("groqstream.core.errors")
    assert _layer("groqstream.client.adapters") == "client" and _layer("groqstream") == "top"
    assert _layer("groqstream.types") == "types" and _layer("groqstream.__main__") == "top"


RESPONSES_PATH = (
    PARSER_PATH.replace("gs.AsyncStream(", "gs.AsyncResponseStream(")
    .replace("gs.Stream(", "gs.ResponseStream(")
    .replace("final_completion()", "final_response()")
)


def test_the_responses_parser_path_sync_and_async_loads_only_the_core_and_the_types() -> None:
    shared = REPO.parent / "shared" / "fixtures" / "responses"
    paths = [shared / name for name in ("azure-text.sse", "openai-mcp-call-o4-mini.sse", "openai-gpt4o-mini-text.sse")]
    if not all(path.exists() for path in paths):
        pytest.skip("the shared Responses captures are absent (../shared/fixtures/responses)")
    result = subprocess.run(
        [sys.executable, "-c", RESPONSES_PATH, *map(str, paths)], capture_output=True, text=True, cwd=REPO, timeout=60
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    for mode in ("sync", "async"):
        assert "groqstream.core.response_stream" in report[mode] and "groqstream.types.responses" in report[mode]
        assert [m for m in report[mode] if not _allowed_on_the_parser_path(m)] == [], mode
    outcomes = report["outcomes"]
    assert outcomes[: len(paths)] == outcomes[len(paths) :]
    assert [outcome["status"] for outcome in outcomes] == ["completed"] * 2 * len(paths)
