"""Importing groqstream runs none of its own code as source: no exec, eval or compile; generated code is a file.

The wire classes are made by the standard ``dataclasses.dataclass`` (its own
``exec`` is the standard library's, not groqstream's) and their decoders are
ordinary functions in ``groqstream/types/decoders.py``, written ahead of time
by ``tools/generate_decoders.py``: a test checks that file is current.
"""

from __future__ import annotations

import ast
import importlib.util
import pickle
import subprocess
import sys
import typing
from pathlib import Path
from typing import Any, List, Optional

import pytest

import groqstream as gs
from groqstream.core import sse as _sse
from groqstream.types import decoders as _decoders

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "groqstream"


def run_python(code: str, *flags: str) -> str:
    result = subprocess.run(
        [sys.executable, *flags, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


# An audit hook that records every "exec" and "compile" event with the file of the Python code that asked for
# it (the hook's caller's caller: frame 0 is the hook, frame 1 the code that called exec/compile). Module
# imports are exec'd by importlib and the dataclass decorator execs from dataclasses.py: neither is
# groqstream's own code. Last, a function whose code claims a file inside groqstream calls compile(), to show
# that such a call would be seen.
_AUDIT = """
import sys
PACKAGE = {package!r}
seen = []
def hook(event, args):
    if event in ("exec", "compile"):
        caller = sys._getframe(1).f_code.co_filename
        seen.append((event, caller))
sys.addaudithook(hook)
import groqstream as gs
stream = gs.Stream(open("groqstream/sample.sse", "rb"))
for chunk in stream:
    pass
stream.final_completion()
ours = [(event, caller) for event, caller in seen if caller.startswith(PACKAGE)]
stdlib = [caller for event, caller in seen if caller.endswith("dataclasses.py")]
namespace = {{}}
exec(compile("def probe():\\n    return compile('1', 'x', 'eval')\\n", PACKAGE + "/probe.py", "exec"), namespace)
namespace["probe"]()
probe = [caller for event, caller in seen if caller == PACKAGE + "/probe.py"]
print(repr(ours), len(stdlib) > 0, len(probe))
"""


def test_importing_and_reading_a_stream_runs_no_exec_or_compile_of_groqstream_code() -> None:
    out = run_python(_AUDIT.format(package=str(PACKAGE)), "-S")
    ours, dataclasses_seen, probe = out.rsplit(" ", 2)
    assert ours == "[]", out
    assert dataclasses_seen == "True", out  # the hook saw the standard decorator's exec: it was listening
    assert int(probe) >= 1, out  # and it would have seen a compile() made from groqstream's code


def _calls_of_exec_eval_compile(path: Path, root: Path = ROOT) -> List[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else None
            if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "builtins":
                name = func.attr
            if name in ("exec", "eval", "compile", "__import__"):
                found.append(f"{path.relative_to(root)}:{node.lineno}: {name}(")
    return found


def test_groqstream_contains_no_exec_eval_or_compile_call() -> None:
    files = sorted(PACKAGE.rglob("*.py"))
    assert len(files) > 20
    found = [call for path in files for call in _calls_of_exec_eval_compile(path)]
    assert found == []


def test_the_ast_check_finds_such_a_call(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("import builtins, re\nre.compile('x')\nexec('1')\nbuiltins.eval('1')\n", encoding="utf-8")
    assert [line.split(": ")[1] for line in _calls_of_exec_eval_compile(sample, tmp_path)] == ["exec(", "eval("]


def test_the_command_line_help_loads_no_type_module() -> None:
    out = run_python(
        "import sys, contextlib, io\n"
        "from groqstream.tools.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try: main(['--help'])\n"
        "    except SystemExit: pass\n"
        "print(sorted(m for m in sys.modules if m.startswith('groqstream.')))\n"
    )
    assert "groqstream.types.chunk" not in out and "groqstream.tools.cli" in out, out


# --- the generated decoders ------------------------------------------------------------------


def _generator() -> Any:
    spec = importlib.util.spec_from_file_location("generate_decoders", ROOT / "tools" / "generate_decoders.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_generated_decoders_are_current() -> None:
    result = subprocess.run(
        [sys.executable, "tools/generate_decoders.py", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr + "\nrun: python tools/generate_decoders.py"
    assert "current" in result.stdout


def test_the_check_fails_on_a_stale_file_and_writing_makes_it_current(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    generator = _generator()
    target = tmp_path / "decoders.py"
    target.write_text(Path(_decoders.__file__).read_text(encoding="utf-8").replace("v0", "w0", 1), encoding="utf-8")
    generator.TARGET = target
    assert generator.main(["--check"]) == 1
    assert "STALE" in capsys.readouterr().out
    assert generator.main([]) == 0
    assert target.read_text(encoding="utf-8") == Path(_decoders.__file__).read_text(encoding="utf-8")
    assert generator.main(["--check"]) == 0


def test_the_decoders_call_each_other_by_name() -> None:
    source = Path(_decoders.__file__).read_text(encoding="utf-8")
    tree = ast.parse(source)
    functions = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
    called = {
        node.func.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id.startswith("decode_")
        and node.func.id != "decode_item"  # the one local: a table lookup in a delta's quick path
    }
    assert {"decode_Choice", "decode_ChoiceDelta", "decode_CompletionUsage"} <= called <= functions
    assert "= None" not in source.split("def ", 1)[0]  # no placeholders rebound per class
    assert gs.ChatCompletionChunk._decode is _decoders.decode_ChatCompletionChunk
    assert _decoders.decode_Choice.__code__.co_filename == _decoders.__file__


def test_decoded_objects_pickle_and_compare() -> None:
    chunk = next(iter(gs.Stream(Path(ROOT / "groqstream" / "sample.sse").read_bytes())))
    again = pickle.loads(pickle.dumps(chunk))
    assert again == chunk and again.to_dict() == chunk.to_dict()
    assert again != pickle.loads(pickle.dumps(gs.ChatCompletionChunk.from_dict({**chunk.to_dict(), "model": "x"})))


# --- the one stand-in left in the core ---------------------------------------------------------


def test_server_sent_event_is_the_named_tuple_typing_would_make() -> None:
    class Reference(typing.NamedTuple):
        event: str = "message"
        data: str = ""
        id: str = ""
        retry: Optional[int] = None
        offset: Optional[int] = None

    event = gs.ServerSentEvent(data="x", offset=3)
    assert gs.ServerSentEvent._fields == Reference._fields
    assert gs.ServerSentEvent._field_defaults == Reference._field_defaults
    assert (
        gs.ServerSentEvent.__module__ == "groqstream.core.sse" and gs.ServerSentEvent.__qualname__ == "ServerSentEvent"
    )
    assert list(gs.ServerSentEvent.__annotations__) == list(Reference.__annotations__)
    assert event == gs.ServerSentEvent(data="x") and event != ("message", "x", "", None, 3)
    assert event._replace(data="y").data == "y" and tuple(event) == ("message", "x", "", None, 3)
    assert pickle.loads(pickle.dumps(event)) == event
    assert gs.ServerSentEvent.json.__doc__ and (gs.ServerSentEvent.__doc__ or "").startswith("One dispatched")
    assert _sse.ServerSentEvent is gs.ServerSentEvent
