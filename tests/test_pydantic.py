"""pydantic v2 reads the wire dataclasses: ``TypeAdapter(C)`` validates real Groq data into instances and gives a schema.

pydantic is an optional peer (CI step 2b installs it), never a dependency: these tests skip without it. The
real data comes from the shared captures (../shared/fixtures/captures): a chunk as sent, and a non-streaming
response built from a capture's final state (``final_completion().to_dict()``, the shape Groq returns).
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any, List, Tuple

import pytest

import groqstream as gs
from groqstream import types as wire_types
from groqstream.types.wire import WireObject

pydantic = pytest.importorskip("pydantic", reason="pydantic is not installed (optional peer: CI step 2b installs it)")

CAPTURES = Path(__file__).resolve().parent.parent.parent / "shared" / "fixtures" / "captures"
COMPOUND = CAPTURES / "groq-compound-executed-tools-usage-breakdown.sse"
TOOL_CALL = CAPTURES / "groq-gpt-oss-120b-tool-call-usage.sse"

WIRE_CLASSES = [
    value
    for value in (getattr(wire_types, name) for name in wire_types.__all__)
    if isinstance(value, type) and issubclass(value, WireObject) and dataclasses.is_dataclass(value)
]


def _capture(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"shared fixture {path.name} is absent (../shared/fixtures/captures is not in this checkout)")
    return path


def _stream(path: Path) -> Tuple[List[gs.ChatCompletionChunk], gs.ChatCompletion]:
    stream = gs.Stream(_capture(path).read_bytes())
    chunks = list(stream)
    return chunks, stream.final_completion()


def test_the_pydantic_major_version_is_2() -> None:
    assert pydantic.VERSION.startswith("2.")


@pytest.mark.parametrize("cls", WIRE_CLASSES, ids=lambda cls: cls.__name__)
def test_every_wire_class_gets_a_type_adapter_and_a_json_schema(cls: type) -> None:
    schema = pydantic.TypeAdapter(cls).json_schema()
    properties = schema["properties"] if "properties" in schema else schema["$defs"][cls.__name__]["properties"]
    assert set(properties) == {f.name for f in dataclasses.fields(cls)}


def test_a_real_non_streaming_response_validates_into_a_chat_completion() -> None:
    _, completion = _stream(COMPOUND)
    response = json.loads(json.dumps(completion.to_dict()))  # the JSON a non-streaming call returns
    validated = pydantic.TypeAdapter(gs.ChatCompletion).validate_python(response)
    assert type(validated) is gs.ChatCompletion
    assert validated == completion
    assert validated == gs.ChatCompletion.from_dict(response)
    assert validated.to_dict() == response
    assert isinstance(validated.choices[0].message, wire_types.ChatCompletionMessage)
    assert pydantic.TypeAdapter(gs.ChatCompletion).validate_json(json.dumps(response)) == validated


def test_pydantic_drops_unknown_keys_that_from_dict_keeps_in_extra() -> None:
    # pydantic validates the declared fields; unknown keys (gpt-oss's "channel") are ignored, as for any
    # dataclass: from_dict is the reader that keeps them in extra.
    _, completion = _stream(TOOL_CALL)
    response = json.loads(json.dumps(completion.to_dict()))
    assert response["choices"][0]["message"]["channel"] == "analysis"
    validated = pydantic.TypeAdapter(gs.ChatCompletion).validate_python(response)
    message = validated.choices[0].message
    assert message.extra == {} and completion.choices[0].message.extra == {"channel": "analysis"}
    assert message.tool_calls == completion.choices[0].message.tool_calls
    assert validated.usage == completion.usage and validated.id == completion.id


def test_real_chunks_validate_into_chunks_equal_to_the_decoded_ones() -> None:
    chunks, _ = _stream(COMPOUND)
    adapter = pydantic.TypeAdapter(gs.ChatCompletionChunk)
    for chunk in chunks:
        validated = adapter.validate_python(json.loads(json.dumps(chunk.to_dict())))
        assert type(validated) is gs.ChatCompletionChunk
        assert validated == chunk


def test_a_wire_class_can_be_a_field_of_a_pydantic_model() -> None:
    # e.g. a FastAPI response model: class Reply(BaseModel): chunk: ChatCompletionChunk
    Reply = pydantic.create_model("Reply", chunk=(gs.ChatCompletionChunk, ...), usage=(Any, None))

    data = {"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m", "choices": []}
    reply = Reply.model_validate({"chunk": data})
    assert reply.chunk == gs.ChatCompletionChunk.from_dict(data)
    assert "ChatCompletionChunk" in json.dumps(Reply.model_json_schema())


def test_pydantic_refuses_what_the_schema_refuses() -> None:
    with pytest.raises(pydantic.ValidationError, match="prompt_tokens"):
        pydantic.TypeAdapter(wire_types.CompletionUsage).validate_python({"completion_tokens": 1, "total_tokens": 2})


# --- the Responses API's Response -------------------------------------------------------------

RESPONSES = CAPTURES.parent / "responses"
RESPONSE_CAPTURES = [
    "azure-text.sse",  # a message with output_text
    "xai-grok-code-reasoning-summary.sse",  # reasoning summary_text and raw reasoning_text parts
    "openai-web-search-annotations.1.sse",  # a web search call, url_citation annotations
    "openai-mcp-call-o4-mini.sse",  # MCP list tools and an MCP call
]


def _shape(value: Any) -> Any:
    """What pydantic can give back of a wire value: each object's class and fields, but not ``extra``.

    pydantic validates the declared fields and ignores unknown keys (``from_dict`` keeps them in ``extra``),
    so the comparison leaves ``extra`` out; the class of every object is compared, so an item read as its
    base class instead of its own shows.
    """
    if isinstance(value, WireObject):
        fields = {f.name: _shape(getattr(value, f.name)) for f in dataclasses.fields(value) if f.name != "extra"}  # type: ignore[arg-type]
        return type(value).__name__, fields
    if isinstance(value, list):
        return [_shape(item) for item in value]
    return value


@pytest.mark.parametrize("name", RESPONSE_CAPTURES)
def test_a_real_final_response_validates_into_an_equal_response(name: str) -> None:
    path = RESPONSES / name
    if not path.exists():
        pytest.skip(f"shared fixture {name} is absent (../shared/fixtures/responses is not in this checkout)")
    final = gs.ResponseStream(path.read_bytes()).final_response()
    data = json.loads(json.dumps(final.to_dict()))  # what a non-streaming POST /v1/responses returns
    validated = pydantic.TypeAdapter(wire_types.Response).validate_python(data)
    assert validated.output_text == final.output_text
    assert _shape(validated) == _shape(final)
    assert pydantic.TypeAdapter(wire_types.Response).validate_json(json.dumps(data)) == validated


def test_an_item_part_or_annotation_of_an_unknown_type_validates_into_its_base_class() -> None:
    data = {
        "id": "resp_1",
        "output": [
            {
                "type": "message",
                "content": [{"type": "output_text", "text": "Hi", "annotations": [{"type": "new_cite"}]}],
            },
            {"type": "a_new_item_kind", "id": "x_1"},
            {"type": "reasoning", "summary": [{"type": "summary_text", "text": "S"}, {"type": "new_part"}]},
        ],
    }
    validated = pydantic.TypeAdapter(wire_types.Response).validate_python(data)
    message, unknown, reasoning = validated.output or []
    assert isinstance(message, wire_types.ResponseOutputMessage) and message.content
    text = message.content[0]
    assert isinstance(text, wire_types.ResponseOutputText) and text.annotations
    assert type(message) is wire_types.ResponseOutputMessage
    assert type(text.annotations[0]) is wire_types.ResponseAnnotation
    assert type(unknown) is wire_types.ResponseOutputItem and unknown.type == "a_new_item_kind"
    assert [type(part) for part in reasoning.summary] == [
        wire_types.ResponseSummaryText,
        wire_types.ResponseContentPart,
    ]
    assert _shape(validated) == _shape(wire_types.Response.from_dict(data))
