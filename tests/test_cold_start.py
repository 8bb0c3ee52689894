"""What makes the first chunk quick: deferred dataclasses, generated decoders, no typing at run time.

Each of these changes how the classes are built, not what they are, so the
tests compare them with what the standard machinery makes: the standard
``@dataclass(frozen=True)`` on the same class body, ``typing.NamedTuple``,
the decoders compiled from source.
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import pickle
import subprocess
import sys
import threading
import typing
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

import pytest

import groqstream as gs
from groqstream import types as _types
from groqstream.core import accumulate as _accumulate
from groqstream.core import sse as _sse
from groqstream.types import decoders as _decoders
from groqstream.types import wire as _wire
from groqstream.types._dataclass import dataclass as deferred_dataclass
from groqstream.types._dataclass import declared_fields, field, is_declared, is_made

ROOT = Path(__file__).resolve().parent.parent
DECLARED = [
    cls
    for module in (_types.shared, _types.chunk, _types.completion, _accumulate, _wire)
    for cls in vars(module).values()
    if isinstance(cls, type) and is_declared(cls) and cls.__module__ == module.__name__
]


def run_python(code: str, *flags: str) -> str:
    result = subprocess.run(
        [sys.executable, *flags, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_every_public_dataclass_is_declared_deferred() -> None:
    names = {cls.__name__ for cls in DECLARED}
    assert {"ChatCompletionChunk", "ChatCompletion", "Deviation", "ContentDelta", "Usage"} <= names
    assert len(DECLARED) >= 50


def test_the_first_chunk_imports_neither_typing_nor_dataclasses_and_compiles_nothing() -> None:
    # Only what groqstream itself imports counts: -S keeps site (and the .pth files of whatever is installed)
    # from loading typing first, and what was there before the import is left out anyway.
    out = run_python(
        "import sys\n"
        "before = set(sys.modules)\n"
        "import groqstream as gs\n"
        "from groqstream.types import _dataclass, wire as _wire\n"
        "chunk = next(iter(gs.Stream(open('groqstream/sample.sse', 'rb'))))\n"
        "assert chunk.choices[0].delta.role == 'assistant'\n"
        "made = [c.__name__ for c in _dataclass._records if _dataclass.is_made(c)]\n"
        "loaded = set(sys.modules) - before\n"
        "print(sorted(m for m in ('typing', 'dataclasses', 'inspect') if m in loaded), made,"
        " _wire.compiled_at_import)\n",
        "-S",
    )
    assert out.split() == ["[]", "[]", "[]"], out


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


# --- deferred dataclasses: the same classes as the standard decorator's ----------------------


def _declare(decorator: Any, field_: Any) -> Any:
    """One class body, declared with *decorator* and *field_*: exercising defaults, factories, repr/compare."""

    @decorator(frozen=True)
    class Sample:
        """A sample."""

        name: str
        count: int = 1
        tags: List[str] = field_(default_factory=list)
        hidden: Optional[str] = field_(default=None, repr=False, compare=False, metadata={"wire": False})
        kind: typing.ClassVar[str] = "sample"

        def shout(self) -> str:
            return self.name.upper()

    return Sample


Standard = _declare(dataclasses.dataclass, dataclasses.field)
Deferred = _declare(deferred_dataclass, field)


def test_a_deferred_dataclass_is_made_on_first_use_only() -> None:
    cls = _declare(deferred_dataclass, field)
    assert not is_made(cls)
    assert cls.kind == "sample" and cls.count == 1 and cls.hidden is None  # class attributes as the decorator leaves
    assert "tags" not in cls.__dict__  # a default_factory field has none
    assert cls("a").shout() == "A"
    assert is_made(cls)


@pytest.mark.parametrize("first_use", ["construct", "fields", "is_dataclass", "repr", "eq", "setattr", "signature"])
def test_any_first_use_makes_the_class(first_use: str) -> None:
    cls = _declare(deferred_dataclass, field)
    decoded = object.__new__(cls)  # as the decoders make instances: no __init__
    decoded.__dict__.update(name="x", tags=[])
    uses: Dict[str, Callable[[], object]] = {
        "construct": lambda: cls("x"),
        "fields": lambda: dataclasses.fields(cls),
        "is_dataclass": lambda: dataclasses.is_dataclass(decoded),
        "repr": lambda: repr(decoded),
        "eq": lambda: decoded == decoded,
        "setattr": lambda: setattr(decoded, "name", "y"),
        "signature": lambda: inspect.signature(cls),
    }
    try:
        uses[first_use]()
    except dataclasses.FrozenInstanceError:
        assert first_use == "setattr"
    assert is_made(cls)
    assert [f.name for f in dataclasses.fields(cls)] == ["name", "count", "tags", "hidden"]


def test_made_classes_behave_as_the_standard_decorator_makes_them() -> None:
    a, b = Standard("n", 2, ["t"], "h"), Deferred("n", 2, ["t"], "h")
    assert repr(b) == repr(a).replace("Standard", "Deferred") or repr(b) == repr(a)
    assert str(inspect.signature(Deferred)) == str(inspect.signature(Standard))
    assert Deferred("n") == Deferred("n", hidden="other")  # compare=False
    assert Deferred("n") != Deferred("m")
    assert Deferred("n").tags == [] and Deferred("n").tags is not Deferred("n").tags
    for attr in ("name", "type", "default", "init", "repr", "compare", "hash", "metadata"):
        assert [getattr(f, attr) for f in dataclasses.fields(Deferred)] == [
            getattr(f, attr) for f in dataclasses.fields(Standard)
        ], attr
    assert dataclasses.asdict(b) == dataclasses.asdict(a)
    assert dataclasses.replace(b, count=5).count == 5
    with pytest.raises(dataclasses.FrozenInstanceError, match="cannot assign to field 'name'"):
        b.name = "other"
    with pytest.raises(dataclasses.FrozenInstanceError):
        del b.count
    assert hash(Deferred("n", tags=None)) == hash(Deferred("n", tags=None))
    if sys.version_info >= (3, 10):
        assert Deferred.__match_args__ == Standard.__match_args__
    assert Deferred.__doc__ == "A sample." and Deferred.kind == "sample"


def test_declared_fields_say_what_dataclasses_fields_will() -> None:
    for cls in DECLARED:
        declared = declared_fields(cls)
        real = dataclasses.fields(cls)
        assert [(f.name, f.type) for f in declared] == [(f.name, f.type) for f in real], cls
        assert [f.default is dataclasses.MISSING for f in real] == [f.default is _missing() for f in declared], cls
        assert [dict(f.metadata) for f in real] == [f.metadata for f in declared], cls


def _missing() -> Any:
    from groqstream.types._dataclass import MISSING

    return MISSING


def test_an_inherited_dataclass_is_made_with_its_base() -> None:
    text = _accumulate._Text()
    text.pieces.append("ab")
    event = gs.ContentDelta(0, "ab", text, 1)
    assert [f.name for f in dataclasses.fields(gs.ContentDelta)] == ["index", "delta", "_text", "_count"]
    assert repr(event) == "ContentDelta(index=0, delta='ab')"
    assert event.snapshot == "ab"


def test_threads_making_a_class_at_once_all_get_it_whole() -> None:
    out = run_python(
        "import threading, groqstream as gs\n"
        "barrier, errors, made = threading.Barrier(8), [], []\n"
        "def use():\n"
        "    barrier.wait()\n"
        "    try:\n"
        "        made.append(repr(gs.types.CompletionUsage(completion_tokens=1, prompt_tokens=2, total_tokens=3)))\n"
        "        made.append(str(gs.Deviation('missing-key', 'id', 'absent')))\n"
        "    except Exception as exc:\n"
        "        errors.append(repr(exc))\n"
        "threads = [threading.Thread(target=use) for _ in range(8)]\n"
        "[t.start() for t in threads]; [t.join() for t in threads]\n"
        "print(len(made), len(set(made)), errors)\n"
    )
    assert out.split() == ["16", "2", "[]"], out


def test_decoded_objects_pickle_and_compare_before_and_after_making() -> None:
    chunk = next(iter(gs.Stream(Path(ROOT / "groqstream" / "sample.sse").read_bytes())))
    again = pickle.loads(pickle.dumps(chunk))
    assert again == chunk and again.to_dict() == chunk.to_dict()


# --- the generated decoders ------------------------------------------------------------------


def test_the_generated_decoders_are_current() -> None:
    text = Path(_decoders.__file__).read_text(encoding="utf-8")
    assert text == _wire.generated_decoders_source(), "run: python tools/generate_decoders.py"
    assert _wire.compiled_at_import == []


def test_a_changed_declaration_is_compiled_from_source_not_taken_from_the_file() -> None:
    cls = gs.types.ChoiceDeltaToolCallFunction
    source = cls._decoder_source.replace("return general(data)", "return general(data)  # changed", 1)
    before = list(_wire.compiled_at_import)
    try:
        decode = _wire._decoder_function(cls.__name__, source, dict(cls._decoder_namespace))
        assert _wire.compiled_at_import == [*before, cls.__name__]
        assert decode.__code__.co_filename.startswith("<groqstream decoder")
        assert decode({"name": "f"}).name == "f"
    finally:
        _wire.compiled_at_import[:] = before
    generated = _wire._decoder_function(cls.__name__, cls._decoder_source, dict(cls._decoder_namespace))
    assert generated.__code__ is _decoders.decode_ChoiceDeltaToolCallFunction.__code__


# --- typing only for type checkers -----------------------------------------------------------


def _type_checking_value(module: Any, name: str) -> Any:
    """What *module*'s ``if TYPE_CHECKING:`` block assigns to *name*, evaluated with typing's names."""
    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            namespace: Dict[str, Any] = {**vars(typing), **vars(module)}
            return eval(compile(ast.Expression(node.value), module.__file__, "eval"), namespace)
    raise AssertionError(f"{name} not assigned in {module.__name__}")


@pytest.mark.parametrize(
    ("module", "name"),
    [(_types, "KnownFinishReason"), (_types, "KnownRole"), (_accumulate, "AccumulatorEvent")],
)
def test_the_aliases_are_what_type_checkers_see(module: Any, name: str) -> None:
    assert getattr(module, name) == _type_checking_value(module, name)


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


def test_type_hints_resolve_given_typings_names() -> None:
    # The annotations are strings naming typing constructs that the modules import only for type checkers
    # (docs/api.md): typing.get_type_hints needs typing's names as localns.
    for cls in DECLARED:
        hints = typing.get_type_hints(cls, localns=vars(typing))
        assert {f.name for f in dataclasses.fields(cls)} <= set(hints), cls
    assert (
        typing.get_type_hints(gs.ChatCompletionChunk, localns=vars(typing))["usage"]
        == Optional[gs.types.CompletionUsage]
    )


def test_classes_made_in_threads_keep_the_fields_of_decoded_objects_readable() -> None:
    # While a class is being made, instances decoded meanwhile still read their defaults (never a Field).
    cls = _declare(deferred_dataclass, field)
    decoded = object.__new__(cls)
    decoded.__dict__.update(name="x", tags=[])
    seen: List[Any] = []
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            seen.append(decoded.count)
            seen.append(decoded.hidden)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        cls("made")
    finally:
        stop.set()
        reader.join()
    assert set(seen) <= {1, None}
