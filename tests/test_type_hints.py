"""The wire types are standard dataclasses that tools reading annotations (typing, dataclasses) understand.

``typing.get_type_hints(C)`` needs no extra argument and returns exactly the
dataclass fields: the decoding machinery's per-class state never reaches the
annotations. pydantic is tested in tests/test_pydantic.py (an optional peer).
"""

from __future__ import annotations

import dataclasses
import inspect
import pickle
import typing
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest

import groqstream as gs
from groqstream import types as wire_types
from groqstream.core import accumulate
from groqstream.types import decoders
from groqstream.types.wire import WireObject

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "groqstream" / "sample.sse"

PUBLIC_CLASSES = sorted(
    {
        value
        for module, names in ((wire_types, wire_types.__all__), (gs, gs.__all__))
        for value in (getattr(module, name) for name in names)
        if isinstance(value, type) and (dataclasses.is_dataclass(value) or issubclass(value, WireObject))
    },
    key=lambda cls: cls.__qualname__,
)
WIRE_CLASSES: List[Any] = [
    cls for cls in PUBLIC_CLASSES if issubclass(cls, WireObject) and dataclasses.is_dataclass(cls)
]


def test_the_public_classes_include_every_wire_class_and_the_events() -> None:
    names = {cls.__name__ for cls in PUBLIC_CLASSES}
    assert {"ChatCompletionChunk", "ChatCompletion", "CompletionUsage", "Deviation", "ContentDelta", "Usage"} <= names
    chat = [cls for cls in WIRE_CLASSES if not cls.__module__.endswith(".responses")]
    assert len(chat) == 40
    for cls in chat:  # each bound to the generated function of its name: go-to-definition lands there
        assert cls._decode is getattr(decoders, f"decode_{cls.__name__}"), cls
    # The Responses API's classes (read by a table of their own, types/responses.py) are public too.
    responses = {cls for cls in WIRE_CLASSES if cls.__module__.endswith(".responses")}
    assert {"Response", "ResponseTextDeltaEvent", "ResponseStreamEvent"} <= {cls.__name__ for cls in responses}
    assert len(responses) > 90


@pytest.mark.parametrize("cls", PUBLIC_CLASSES, ids=lambda cls: cls.__name__)
def test_get_type_hints_needs_no_arguments_and_returns_exactly_the_fields(cls: type) -> None:
    hints = typing.get_type_hints(cls)
    if cls is WireObject:  # the base: no field of its own, and none of the machinery's state
        assert hints == {}
        return
    assert set(hints) == {f.name for f in dataclasses.fields(cls)}, cls


@pytest.mark.parametrize("cls", WIRE_CLASSES, ids=lambda cls: cls.__name__)
def test_every_wire_class_has_extra_and_no_machinery_in_its_annotations(cls: type) -> None:
    hints = typing.get_type_hints(cls)
    assert hints["extra"] == Dict[str, Any]
    for klass in cls.__mro__:
        own = klass.__dict__.get("__annotations__", {})  # noqa: RUF063 - the class's own, as dataclasses reads it
        assert not [name for name in own if name.startswith("_")], klass


def test_the_hints_name_the_classes_themselves() -> None:
    hints = typing.get_type_hints(gs.ChatCompletionChunk)
    assert hints["usage"] == Optional[wire_types.CompletionUsage]
    assert hints["choices"] == List[wire_types.Choice]
    assert typing.get_type_hints(wire_types.ContentPart)["thinking"] == Optional[List[wire_types.ContentPart]]


def test_the_literal_aliases_are_typing_literals() -> None:
    assert typing.get_args(wire_types.KnownRole) == ("system", "user", "assistant", "tool")
    assert "tool_calls" in typing.get_args(wire_types.KnownFinishReason)
    assert set(typing.get_args(gs.types.__dict__["KnownFinishReason"])) >= {"stop", "length"}
    assert typing.get_args(accumulate.AccumulatorEvent)[0] is gs.ContentDelta


def _decoded() -> List[Any]:
    stream = gs.Stream(SAMPLE.read_bytes())
    chunks = list(stream)
    return [*chunks, stream.final_completion()]


def test_dataclasses_functions_work_on_decoded_objects() -> None:
    objects = _decoded()
    first: gs.ChatCompletionChunk = objects[0]
    completion: gs.ChatCompletion = objects[-1]
    assert dataclasses.is_dataclass(first) and dataclasses.is_dataclass(type(completion))
    as_dict = dataclasses.asdict(first)
    assert as_dict["choices"][0]["delta"]["role"] == "assistant" and as_dict["extra"] == {}
    assert dataclasses.asdict(completion)["choices"][0]["message"]["content"] == completion.choices[0].message.content
    changed = dataclasses.replace(first, model="other")
    assert changed.model == "other" and changed.choices == first.choices and first.model != "other"
    assert changed.to_dict()["model"] == "other"
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.model = "x"  # type: ignore[misc]  # frozen: what a type checker refuses too


def test_decoded_and_constructed_objects_compare_and_hash_by_their_fields() -> None:
    usage = gs.types.CompletionUsage.from_dict({"completion_tokens": 1, "prompt_tokens": 2, "total_tokens": 3})
    same = gs.types.CompletionUsage(completion_tokens=1, prompt_tokens=2, total_tokens=3)
    other = gs.types.CompletionUsage(completion_tokens=1, prompt_tokens=2, total_tokens=4)
    assert usage == same and usage is not same and usage != other
    # Hashing hashes the fields (extra is a dict: unhashable), as the standard frozen dataclass does.
    with pytest.raises(TypeError, match="unhashable"):
        hash(usage)
    assert gs.Deviation("missing-key", "id", "absent") == gs.Deviation("missing-key", "id", "absent")
    assert hash(gs.Deviation("missing-key", "id", "absent")) == hash(gs.Deviation("missing-key", "id", "absent"))
    assert gs.Deviation("missing-key", "id", "absent") != gs.Deviation("null-key", "id", "absent")


def test_the_standard_decorator_made_the_classes() -> None:
    params = gs.ChatCompletionChunk.__dataclass_params__  # type: ignore[attr-defined]
    assert params.frozen and not params.repr and params.eq
    assert "__init__" in gs.ChatCompletionChunk.__dict__  # the decorator's own, made at import
    assert list(inspect.signature(gs.ChatCompletionChunk).parameters)[:3] == ["id", "choices", "created"]
    assert repr(gs.types.CompletionUsage(completion_tokens=1, prompt_tokens=2, total_tokens=3)) == (
        "CompletionUsage(completion_tokens=1, prompt_tokens=2, total_tokens=3)"
    )


def test_decoded_objects_pickle() -> None:
    for obj in _decoded():
        again = pickle.loads(pickle.dumps(obj))
        assert again == obj and again.to_dict() == obj.to_dict()
