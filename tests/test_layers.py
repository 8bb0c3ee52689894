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
import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Dict, List, Set, Tuple

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
# The client records captures with the tools' CaptureWriter (client.chat_stream(capture=...)): an import
# from the layer above, reported to the lead to decide on (move the writer down, or allow it). Listed
# exactly, so that no other one creeps in.
KNOWN_CLIENT_TO_TOOLS = {
    ("groqstream.client.async_client", "groqstream.tools.capture"),
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


def _type_checking_nodes(tree: ast.AST) -> Set[ast.AST]:
    inside: Set[ast.AST] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            for statement in node.body:
                inside.update(ast.walk(statement))
    return inside


def _guarded_lazy_imports(tree: ast.AST) -> Set[ast.AST]:
    """Imports inside a function body, in a ``try`` whose handlers catch ImportError."""
    guarded: Set[ast.AST] = set()
    for function in ast.walk(tree):
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for node in ast.walk(function):
            if isinstance(node, ast.Try) and any(
                isinstance(h.type, ast.Name) and h.type.id in ("ImportError", "ModuleNotFoundError")
                for h in node.handlers
            ):
                for statement in node.body:
                    guarded.update(n for n in ast.walk(statement) if isinstance(n, ast.ImportFrom))
    return guarded


def package_imports() -> Dict[str, Set[Tuple[str, str]]]:
    """Every import of a groqstream module by a groqstream module, sorted by kind.

    ``run``: executed at some point (module level or inside a function); ``type``: under TYPE_CHECKING only;
    ``guarded``: lazy, in a function, inside ``try: ... except ImportError``.
    """
    found: Dict[str, Set[Tuple[str, str]]] = {"run": set(), "type": set(), "guarded": set()}
    for path in sorted(PACKAGE.rglob("*.py")):
        module = _module_name(path)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        type_only = _type_checking_nodes(tree)
        guarded = _guarded_lazy_imports(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                targets = _resolve(module, path.name == "__init__.py", node)
            elif isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                continue
            kind = "type" if node in type_only else "guarded" if node in guarded else "run"
            for target in targets:
                if target.startswith("groqstream.") and _is_module(target):
                    found[kind].add((module, target))
    return found


def _is_module(name: str) -> bool:
    path = REPO.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _layer(module: str) -> str:
    """``core``, ``types``, ``client``, ``tools``, or ``top`` (groqstream/__init__.py, __main__.py)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and parts[1] in LAYERS) else "top"


def _crossings(pairs: Set[Tuple[str, str]], source: str, targets: Tuple[str, ...]) -> Set[Tuple[str, str]]:
    return {(a, b) for a, b in pairs if _layer(a) == source and _layer(b) in targets}


IMPORTS = package_imports()


def test_the_import_scan_sees_every_layer_and_the_seam() -> None:
    # The scan itself must see imports, or every rule below would pass on nothing.
    run = IMPORTS["run"]
    for source in LAYERS:
        assert any(_layer(a) == source for a, _ in run), source
    assert ("groqstream.core.stream", "groqstream.core.accumulate") in run
    assert ("groqstream.types.wire", "groqstream.types.decoders") in run  # "from . import decoders"
    assert ("groqstream.tools.cli", "groqstream.core.stream") in run or any(
        _layer(a) == "tools" and _layer(b) == "core" for a, b in run
    )


def test_core_imports_nothing_of_the_client_or_tools_but_the_one_guarded_seam() -> None:
    assert _crossings(IMPORTS["run"], "core", ("client", "tools")) == set()
    assert _crossings(IMPORTS["guarded"], "core", ("client", "tools")) == {
        ("groqstream.core.stream", "groqstream.client.adapters"),
    }
    assert _crossings(IMPORTS["type"], "core", ("client", "tools")) <= TYPE_ONLY_UPWARD


def test_types_import_only_the_error_tree_and_partial_json_from_the_core() -> None:
    assert _crossings(IMPORTS["run"] | IMPORTS["guarded"], "types", ("client", "tools")) == set()
    assert _crossings(IMPORTS["type"], "types", ("client", "tools")) <= TYPE_ONLY_UPWARD
    assert _crossings(IMPORTS["run"] | IMPORTS["guarded"], "types", ("core",)) == TYPES_FROM_CORE


def test_the_client_imports_nothing_of_the_tools_but_the_capture_writer() -> None:
    assert _crossings(IMPORTS["run"] | IMPORTS["guarded"], "client", ("tools",)) == KNOWN_CLIENT_TO_TOOLS
    assert _crossings(IMPORTS["type"], "client", ("tools",)) == set()


def test_the_upward_type_only_imports_are_the_known_ones() -> None:
    # core and types are one level (the parser): each uses parts of the other, as the tests above pin.
    order = {"top": -1, "core": 0, "types": 0, "client": 1, "tools": 2}
    upward = {(a, b) for a, b in IMPORTS["type"] if order[_layer(b)] > order[_layer(a)] >= 0}
    assert upward == TYPE_ONLY_UPWARD


def test_the_top_level_package_reaches_the_layers_only_by_name() -> None:
    # groqstream/__init__.py imports its names lazily (importlib.import_module on first use): at run time
    # it imports no submodule itself; __main__ runs the CLI.
    assert {b for a, b in IMPORTS["run"] if a == "groqstream"} == set()
    assert {b for a, b in IMPORTS["run"] if a == "groqstream.__main__"} == {"groqstream.tools.cli"}


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
