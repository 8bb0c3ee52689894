"""Promises about the package itself: public names, stdlib only, vendoring, version."""

from __future__ import annotations

import ast
import itertools
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Set

import pytest

import groqstream as gs
from tests.helpers import is_stdlib_module

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "groqstream"


def test_all_is_sorted_unique_and_complete() -> None:
    assert gs.__all__ == sorted(set(gs.__all__))
    exports = gs._EXPORTS
    assert set(gs.__all__) == set(exports) | {"__version__"}
    # The TYPE_CHECKING imports (what type checkers see) name exactly the same things.
    tree = ast.parse((PACKAGE / "__init__.py").read_text(encoding="utf-8"))
    checked = {
        alias.name: "." + str(node.module)
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module is not None
        for alias in node.names
    }
    assert checked == exports
    for name in gs.__all__:
        assert getattr(gs, name) is not None
        assert name in dir(gs)
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        gs.nope  # noqa: B018


def test_import_loads_no_submodule_until_a_name_is_used() -> None:
    code = "import sys, groqstream; print(sorted(m for m in sys.modules if m.startswith('groqstream.')))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert result.stdout.strip() == "[]"
    code = "import sys, groqstream; groqstream.Stream; print('groqstream.client.sync_client' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert result.stdout.strip() == "False"  # the client's urllib/ssl load only for those who use it


def test_every_public_name_has_a_docstring() -> None:
    for name in gs.__all__:
        value = getattr(gs, name)
        if (callable(value) and not name[0].isupper()) or isinstance(value, type):
            assert value.__doc__, name


def test_the_contract_names_from_the_issue_exist() -> None:
    for name in [
        "SSEDecoder", "ServerSentEvent", "iter_events", "aiter_events", "Stream", "AsyncStream",
        "ChatCompletionChunk", "Choice", "ChoiceDelta", "ChoiceDeltaToolCall", "ChoiceDeltaToolCallFunction",
        "ChoiceDeltaFunctionCall", "ChoiceLogprobs", "ChatCompletionTokenLogprob", "TopLogprob", "CompletionUsage",
        "XGroq", "UsageBreakdown", "Annotation", "ExecutedTool", "GroqStreamError", "SSEProtocolError",
        "ChunkDecodeError", "StreamAPIError", "IncompleteStreamError", "StreamClosedError",
    ]:  # fmt: skip
        assert name in gs.__all__ or name in gs.types.__all__, name
    assert issubclass(gs.SSEProtocolError, ValueError) and issubclass(gs.ChunkDecodeError, ValueError)
    assert issubclass(gs.StreamClosedError, RuntimeError)
    for error in (gs.SSEProtocolError, gs.ChunkDecodeError, gs.StreamAPIError, gs.IncompleteStreamError):
        assert issubclass(error, gs.GroqStreamError)


def test_version_lives_only_in_dunder_version() -> None:
    assert re.fullmatch(r"\d+\.\d+\.\d+", gs.__version__)
    pyproject = (REPO / "pyproject.toml").read_text()
    assert 'dynamic = ["version"]' in pyproject and 'path = "groqstream/__init__.py"' in pyproject
    assert gs.__version__ not in pyproject


def test_import_loads_only_stdlib_modules() -> None:
    code = textwrap.dedent(
        """
        import sys
        before = set(sys.modules)
        import groqstream, groqstream.tools.cli, groqstream.client, groqstream.types
        groqstream.client.Client, groqstream.client.AsyncClient, groqstream.tools.serve
        list(groqstream.Stream(b"data: [DONE]\\n\\n"))
        print(",".join(sorted({m.split(".")[0] for m in set(sys.modules) - before} - {"groqstream"})))
        """
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert result.returncode == 0, result.stderr
    loaded = result.stdout.strip().split(",")
    assert "json" in loaded and "ssl" in loaded  # the check below sees what was imported
    assert [m for m in loaded if not is_stdlib_module(m)] == []


def test_the_stdlib_check_refuses_what_is_not_stdlib() -> None:
    # On every version (3.9 has no sys.stdlib_module_names): a third-party or missing module is refused.
    for name in ("json", "asyncio.streams", "_io", "ssl", "http.client", "__future__", "typing"):
        assert is_stdlib_module(name), name
    for name in ("pytest", "_pytest", "groqstream", "tests", "no_such_module_here"):
        assert not is_stdlib_module(name), name


def _type_checking_only(tree: ast.AST) -> Set[ast.AST]:
    """The nodes inside ``if TYPE_CHECKING:`` blocks (never run)."""
    inside: Set[ast.AST] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            for statement in node.body:
                inside.update(ast.walk(statement))
    return inside


def test_package_source_uses_only_relative_and_stdlib_imports() -> None:
    checked = set()
    for path in sorted(PACKAGE.rglob("*.py")):  # every layer, not only the top-level files
        tree = ast.parse(path.read_text(encoding="utf-8"))
        checking_only = _type_checking_only(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                where = path.relative_to(PACKAGE).as_posix()
                assert top != "groqstream", f"{where}: absolute import of {name}"
                if top == "typing_extensions" and node in checking_only:
                    continue  # for the type checker only (it ships these stubs); never imported at run time
                assert is_stdlib_module(name), f"{where}: imports {name}"
                checked.add(top)
    assert {"json", "socket", "asyncio", "ssl", "http"} <= checked  # the walk reached the client and the core


def test_vendored_copy_works_as_a_sub_package(tmp_path: Path) -> None:
    target = tmp_path / "myapp" / "_vendor"
    target.mkdir(parents=True)
    (tmp_path / "myapp" / "__init__.py").write_text("")
    (target / "__init__.py").write_text("")
    shutil.copytree(PACKAGE, target / "groqstream", ignore=shutil.ignore_patterns("__pycache__"))
    code = textwrap.dedent(
        """
        import sys
        from myapp._vendor import groqstream as gs
        assert "groqstream" not in sys.modules, "the installed copy was imported"
        from myapp._vendor.groqstream.tools.cli import SAMPLE_PATH
        with gs.Stream(open(SAMPLE_PATH, "rb")) as stream:
            text = "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
        print(text[-6:])
        """
    )
    # "-c" puts the working directory first on sys.path, ahead of any installed groqstream.
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "20 °C."
    # What docs/vendoring.md says of isolated mode: -I leaves the working directory off sys.path, so the
    # application (and its copy) is found only once the program puts its folder there.
    isolated = [sys.executable, "-I", "-c"]
    result = subprocess.run([*isolated, "import myapp"], capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert "No module named 'myapp'" in result.stderr
    code = f"import sys; sys.path.insert(0, {str(tmp_path)!r}); from myapp._vendor import groqstream as gs; gs.Stream"
    result = subprocess.run([*isolated, code], capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert result.returncode == 0, result.stderr


def test_vendored_cli_runs_from_the_copy(tmp_path: Path) -> None:
    shutil.copytree(PACKAGE, tmp_path / "groqstream", ignore=shutil.ignore_patterns("__pycache__"))
    code = textwrap.dedent(
        """
        import runpy, sys
        import groqstream
        assert groqstream.__file__.startswith(sys.argv[1]), groqstream.__file__
        sys.argv = ["groqstream", "replay", "--sample"]
        runpy.run_module("groqstream", run_name="__main__")
        """
    )
    result = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, cwd=tmp_path, timeout=60)
    assert result.returncode == 0, result.stderr
    assert b"40 chunks" in result.stderr


def test_py_typed_is_shipped() -> None:
    assert (PACKAGE / "py.typed").exists()
    # hatchling ships every file of the package folder (CI checks the built wheel holds py.typed and sample.sse)
    assert 'packages = ["groqstream"]' in (REPO / "pyproject.toml").read_text()


def test_dir_shows_the_public_names_and_no_machinery() -> None:
    names = dir(gs)
    assert "TYPE_CHECKING" not in names and "_EXPORTS" not in names
    assert [n for n in names if not n.startswith("__")] == sorted(
        (set(gs.__all__) - {"__version__"}) | {"client", "tools", "types"}
    )
    assert "__version__" in names and "__doc__" in names
    with pytest.raises(AttributeError):
        gs.TYPE_CHECKING  # noqa: B018


def test_the_package_docstring_example_runs_on_a_usage_only_chunk() -> None:
    # help(gs) shows this example first: it must not fail on the chunk `include_usage` adds (`"choices": []`).
    after = (gs.__doc__ or "").split("::\n", 1)[1].splitlines()
    block = itertools.takewhile(lambda line: not line or line.startswith("    "), after)  # the indented lines
    code = textwrap.dedent("\n".join(block))
    assert "gs.Stream(response)" in code
    body = (
        b'data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m",'
        b'"choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":"stop"}]}\n\n'
        b'data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[],'
        b'"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}\n\n'
        b"data: [DONE]\n\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", f"import io\nresponse = io.BytesIO({body!r})\n{code}"],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Hi"


LICENSE_HOLDER = "Copyright (c) 2026 the groqstream developers"


def test_the_license_is_at_the_root_and_its_notice_in_the_package() -> None:
    license_text = (REPO / "LICENSE").read_text(encoding="utf-8")
    assert license_text.startswith("MIT License\n") and LICENSE_HOLDER in license_text
    assert 'license = "MIT"' in (REPO / "pyproject.toml").read_text()
    # A copied groqstream/ folder carries the notice: the first line of its __init__.py.
    first = (PACKAGE / "__init__.py").read_text(encoding="utf-8").splitlines()[0]
    assert first == f"# SPDX-License-Identifier: MIT. {LICENSE_HOLDER} (the LICENSE file)."


def test_every_moved_name_still_works_with_a_warning_naming_its_new_place() -> None:
    moved = gs._MOVED
    assert len(moved) + len(gs.__all__) - 1 >= 103  # every name the 0.1.0 development namespace had
    for name, layer in moved.items():
        with pytest.warns(DeprecationWarning, match=rf"groqstream\.{name} moved to groqstream\.{layer}\.{name}"):
            value = getattr(gs, name)
        assert value is getattr(getattr(gs, layer), name), name
        assert name in getattr(gs, layer).__all__, name
        assert name not in gs.__all__ and name not in dir(gs)
    with pytest.warns(DeprecationWarning, match="the HTTP response; groqstream.types.Response is the Responses API"):
        assert gs.Response is gs.client.Response
