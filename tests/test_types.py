"""Wire dataclasses: SDK-shaped fields, lossless to_dict, validation with paths."""

from __future__ import annotations

import copy
import dataclasses
import json
import random
from typing import Any, Callable, Dict, Iterator, List, Tuple

import pytest

import groqstream as gs
from groqstream.types.wire import WireObject, _Invalid
from tests.helpers import capture_paths, fixture_paths


def base_chunk(**changes: Any) -> Dict[str, Any]:
    chunk: Dict[str, Any] = {
        "id": "chatcmpl-1",
        "object": "chat.completion.chunk",
        "created": 1763683201,
        "model": "llama-3.1-8b-instant",
        "system_fingerprint": "fp_1",
        "choices": [{"index": 0, "delta": {"content": "hi"}, "logprobs": None, "finish_reason": None}],
    }
    chunk.update(changes)
    return chunk


def test_fields_read_like_the_groq_sdk() -> None:
    chunk = gs.ChatCompletionChunk.from_dict(
        base_chunk(x_groq={"id": "req_1", "usage": {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3}})
    )
    assert chunk.choices[0].delta.content == "hi"
    assert chunk.choices[0].finish_reason is None
    assert chunk.x_groq is not None and chunk.x_groq.usage is not None
    assert chunk.x_groq.usage.total_tokens == 3
    assert isinstance(chunk.choices[0], gs.types.Choice) and isinstance(chunk.choices[0].delta, gs.types.ChoiceDelta)


def test_to_dict_returns_the_source_object_exactly_with_nulls_and_key_order() -> None:
    source = base_chunk(usage=None, x_groq={"id": "r", "seed": 7})
    back = gs.ChatCompletionChunk.from_dict(source).to_dict()
    assert back == source
    assert json.dumps(back) == json.dumps(source)  # same key order, explicit nulls kept


def test_unknown_keys_are_kept_in_extra_at_every_level() -> None:
    source = base_chunk(service_tier="on_demand")
    source["choices"][0]["delta"]["channel"] = "analysis"
    source["choices"][0]["future"] = {"nested": [1, {"a": None}]}
    chunk = gs.ChatCompletionChunk.from_dict(source)
    assert chunk.extra == {} and chunk.service_tier == "on_demand"  # a typed field (OpenAI's) since #12
    assert chunk.choices[0].delta.extra == {"channel": "analysis"}
    assert chunk.choices[0].extra == {"future": {"nested": [1, {"a": None}]}}
    assert chunk.to_dict() == source


def test_from_dict_does_not_modify_or_share_its_input() -> None:
    source = base_chunk(extra_list=[1, 2])
    snapshot = copy.deepcopy(source)
    chunk = gs.ChatCompletionChunk.from_dict(source)
    assert source == snapshot
    out = chunk.to_dict()
    out["extra_list"].append(3)
    out["choices"][0]["delta"]["content"] = "changed"
    assert chunk.to_dict() == snapshot


def test_instances_are_frozen() -> None:
    chunk = gs.ChatCompletionChunk.from_dict(base_chunk())
    with pytest.raises(dataclasses.FrozenInstanceError):
        chunk.id = "other"  # type: ignore[misc]


def test_constructed_instances_dump_required_and_set_fields() -> None:
    delta = gs.types.ChoiceDelta(content="x", extra={"channel": "final"})
    choice = gs.types.Choice(delta=delta, index=0)
    assert choice.to_dict() == {"delta": {"content": "x", "channel": "final"}, "index": 0}


def test_equality_ignores_where_an_instance_came_from() -> None:
    source = base_chunk()
    assert gs.ChatCompletionChunk.from_dict(source) == gs.ChatCompletionChunk.from_dict(copy.deepcopy(source))


def test_integers_where_floats_are_expected_are_kept_as_integers() -> None:
    usage = {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3, "queue_time": 0, "total_time": 1.5}
    parsed = gs.types.CompletionUsage.from_dict(usage)
    assert parsed.queue_time == 0 and type(parsed.queue_time) is int
    assert json.dumps(parsed.to_dict()) == json.dumps(usage)


def test_tool_call_delta_logprobs_and_compound_types_parse() -> None:
    source = base_chunk(
        choices=[
            {
                "index": 0,
                "delta": {
                    "tool_calls": [
                        {"index": 1, "id": "c", "type": "function", "function": {"name": "f", "arguments": "{"}}
                    ],
                    "executed_tools": [
                        {
                            "index": 0,
                            "type": "search",
                            "arguments": "{}",
                            "search_results": {"results": [{"title": "t", "url": "u", "score": 0.5}]},
                            "code_results": [
                                {"text": "ok", "chart": {"type": "bar", "elements": [{"label": "a", "value": 1}]}}
                            ],
                            "browser_results": [{"title": "t", "url": "u"}],
                        }
                    ],
                    "annotations": [
                        {
                            "type": "document_citation",
                            "document_citation": {"document_id": "d", "start_index": 0, "end_index": 2},
                        }
                    ],
                },
                "logprobs": {"content": [{"token": "a", "logprob": -0.1, "bytes": [97], "top_logprobs": []}]},
                "finish_reason": None,
            }
        ],
        x_groq={
            "usage_breakdown": {
                "models": [{"model": "m", "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}]
            },
            "debug": {"input_token_ids": [1, 2], "output_tokens": ["a"]},
        },
    )
    chunk = gs.ChatCompletionChunk.from_dict(source)
    delta = chunk.choices[0].delta
    assert delta.tool_calls is not None and delta.tool_calls[0].function is not None
    assert delta.tool_calls[0].function.name == "f"
    assert delta.executed_tools is not None and delta.executed_tools[0].search_results is not None
    assert isinstance(delta.executed_tools[0].search_results.results, list)
    assert isinstance(delta.annotations, list) and isinstance(delta.annotations[0], gs.types.Annotation)
    logprobs = chunk.choices[0].logprobs
    assert logprobs is not None and logprobs.content is not None and logprobs.content[0].bytes == [97]
    assert chunk.x_groq is not None and chunk.x_groq.usage_breakdown is not None
    assert chunk.x_groq.usage_breakdown.models[0].usage.total_tokens == 2
    assert chunk.to_dict() == source


@pytest.mark.parametrize(
    ("change", "path", "reason"),
    [
        (lambda c: c.pop("id"), "id", "missing required key"),
        (lambda c: c.update(created=None), "created", "expected a value, got null"),
        (lambda c: c.update(created="soon"), "created", "expected an integer, got string 'soon'"),
        (lambda c: c.update(created=True), "created", "expected an integer, got boolean True"),
        (lambda c: c.update(choices={}), "choices", "expected an array, got object {}"),
        (lambda c: c["choices"][0].pop("delta"), "choices[0].delta", "missing required key"),
        (lambda c: c["choices"][0].update(delta=[]), "choices[0].delta", "expected an object, got array []"),
        (lambda c: c["choices"][0]["delta"].update(content=5), "choices[0].delta.content", "expected a string"),
        (
            lambda c: c["choices"][0]["delta"].update(tool_calls=[{"index": "0"}]),
            "choices[0].delta.tool_calls[0].index",
            "expected an integer",
        ),
        (lambda c: c.update(usage={"prompt_tokens": 1}), "usage.completion_tokens", "missing required key"),
        (
            lambda c: c.update(x_groq={"usage": {"total_tokens": 1.5}}),
            "x_groq.usage.total_tokens",
            "expected an integer",
        ),
    ],
)
def test_bad_shapes_raise_chunk_decode_error_naming_the_path(change: Any, path: str, reason: str) -> None:
    source = base_chunk()
    change(source)
    with pytest.raises(gs.ChunkDecodeError) as info:
        gs.ChatCompletionChunk.from_dict(source)
    assert info.value.path == path
    assert info.value.reason.startswith(reason)
    assert f"ChatCompletionChunk.{path}: {reason}" in str(info.value)
    assert isinstance(info.value, ValueError)


def test_from_dict_of_a_non_object_raises() -> None:
    with pytest.raises(gs.ChunkDecodeError, match="expected an object, got array"):
        gs.ChatCompletionChunk.from_dict([])  # type: ignore[arg-type]


def test_every_public_wire_class_documents_every_field() -> None:
    import inspect
    import sys

    for name in gs.__all__:
        cls = getattr(gs, name)
        if isinstance(cls, type) and dataclasses.is_dataclass(cls) and issubclass(cls, WireObject):
            assert cls.__doc__, name
            source = inspect.getsource(sys.modules[cls.__module__])
            for f in dataclasses.fields(cls):
                # Each field line is followed by its docstring (an attribute docstring).
                block = source[source.index(f"class {name}(") :]
                line = block[block.index(f"\n    {f.name}: ") :].split("\n")
                assert line[2].strip().startswith('"""'), f"{name}.{f.name} has no docstring"


@pytest.mark.parametrize("path", fixture_paths() + capture_paths(), ids=lambda p: p.name)
def test_every_chunk_of_every_stream_round_trips_exactly(path: Any) -> None:
    count = 0
    for event in gs.iter_events(path.read_bytes()):
        if event.event != "message" or event.data == "[DONE]":
            continue
        source = event.json()
        if "error" in source:
            continue
        chunk = gs.ChatCompletionChunk.from_dict(source)
        assert json.dumps(chunk.to_dict()) == json.dumps(source)
        count += 1
    assert count > 0


def test_a_string_where_a_number_is_expected_is_rejected() -> None:
    with pytest.raises(gs.ChunkDecodeError, match=r"usage\.queue_time: expected a number, got string '0.1'"):
        gs.ChatCompletionChunk.from_dict(
            base_chunk(usage={"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2, "queue_time": "0.1"})
        )


@pytest.mark.parametrize(
    ("items", "path", "reason"),
    [
        ([104, "i"], "choices[0].logprobs.content[0].bytes[1]", "expected an integer, got string 'i'"),
        ([104, True], "choices[0].logprobs.content[0].bytes[1]", "expected an integer, got boolean True"),
        ([104, 105, 1.5], "choices[0].logprobs.content[0].bytes[2]", "expected an integer, got number 1.5"),
        ([None, 105], "choices[0].logprobs.content[0].bytes[0]", "expected an integer, got null"),
        ([*range(300), False], "choices[0].logprobs.content[0].bytes[300]", "expected an integer, got boolean False"),
        ({"a": 1}, "choices[0].logprobs.content[0].bytes", "expected an array, got object"),
    ],
)
def test_a_wrong_item_in_a_list_of_scalars_names_its_index(items: Any, path: str, reason: str) -> None:
    token = {"token": "hi", "logprob": -0.5, "bytes": items, "top_logprobs": []}
    source = base_chunk(choices=[{"index": 0, "delta": {}, "logprobs": {"content": [token]}}])
    with pytest.raises(gs.ChunkDecodeError) as info:
        gs.ChatCompletionChunk.from_dict(source)
    assert info.value.path == path and info.value.reason.startswith(reason)


def test_numbers_in_a_list_of_floats_may_be_integers() -> None:
    element = gs.types.ExecutedToolCodeResultChartElement.from_dict({"label": "a", "outliers": [1, 2.5, -3]})
    assert element.outliers == [1, 2.5, -3]
    with pytest.raises(gs.ChunkDecodeError, match=r"outliers\[2\]: expected a number, got string"):
        gs.types.ExecutedToolCodeResultChartElement.from_dict({"label": "a", "outliers": [1, 2.5, "x"]})


# --- the generated decoders: in-place decoding, the general path, errors on the stream path --------------


def decode_on_the_stream_path(source: Any) -> gs.ChatCompletionChunk:
    """Decode *source* as ChunkDecoder does: parsed from JSON text and decoded in place (no copy)."""
    (chunk,) = gs.ChunkDecoder().feed(gs.ServerSentEvent(data=json.dumps(source)))
    return chunk


LOGPROB = {"token": "hi", "logprob": -0.5, "bytes": [104, 105], "top_logprobs": []}
TOP = {"token": "hi", "logprob": -0.5, "bytes": [104, 105]}


@pytest.mark.parametrize(
    ("source", "path", "reason"),
    [
        # Earlier items were decoded in place before the bad one: the index is still the bad one's.
        (
            base_chunk(choices=[{"index": i, "delta": {"content": "x" if i < 2 else 5}} for i in range(3)]),
            "choices[2].delta.content",
            "expected a string, got number 5",
        ),
        (
            base_chunk(
                choices=[
                    {
                        "index": 0,
                        "delta": {},
                        "logprobs": {"content": [LOGPROB, {**LOGPROB, "top_logprobs": [TOP, {}]}]},
                    }
                ]
            ),
            "choices[0].logprobs.content[1].top_logprobs[1].token",
            "missing required key",
        ),
        # An unknown key sends the object down the general path: the same error comes out.
        (
            base_chunk(choices=[{"index": 0, "delta": {"content": 5}, "new": 1}]),
            "choices[0].delta.content",
            "expected a string",
        ),
        # Two bad nested values: the first in field order (delta before logprobs), whatever the key order.
        (
            base_chunk(choices=[{"logprobs": {"content": 1}, "delta": [], "index": 0}]),
            "choices[0].delta",
            "expected an object",
        ),
        (
            base_chunk(choices=[{"logprobs": {"content": 1}, "delta": [], "index": 0, "new": 1}]),
            "choices[0].delta",
            "expected an object",
        ),
        # A wrong scalar is found before any nested value is decoded.
        (base_chunk(choices=[{"index": "0", "delta": []}]), "choices[0].index", "expected an integer"),
        (base_chunk(choices=[{"index": 0, "delta": {}, "finish_reason": 1}]), "choices[0].finish_reason", "expected"),
    ],
)
def test_errors_name_the_same_path_on_both_paths(source: Any, path: str, reason: str) -> None:
    for decode in (gs.ChatCompletionChunk.from_dict, decode_on_the_stream_path):
        with pytest.raises(gs.ChunkDecodeError) as info:
            decode(source)
        assert (info.value.path, info.value.reason[: len(reason)]) == (path, reason), decode


def test_the_stream_path_gives_what_from_dict_gives() -> None:
    source = base_chunk(
        choices=[
            {"index": 0, "delta": {"content": "a"}, "logprobs": {"content": [LOGPROB]}, "finish_reason": None},
            {"index": 1, "delta": {"tool_calls": [{"index": 0, "function": {"arguments": "{}"}}]}},
        ],
        x_groq={"id": "r", "usage": {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3}},
        service_tier="on_demand",
    )
    chunk = decode_on_the_stream_path(source)
    assert chunk == gs.ChatCompletionChunk.from_dict(source)
    assert json.dumps(chunk.to_dict()) == json.dumps(source)
    assert chunk.service_tier == "on_demand" and chunk.extra == {} and chunk.choices[1].extra == {}


@pytest.mark.parametrize(
    "top",
    [
        {"token": "a", "logprob": -1.0},  # the optional key absent
        {"token": "a", "logprob": -1.0, "bytes": None},  # present and null
        {"token": "a", "logprob": -1.0, "new": 1},  # absent, and an unknown key in its place
        {"token": "a", "logprob": -1.0, "bytes": None, "new": 1},
        {"token": "a", "logprob": -1.0, "bytes": [97], "new": 1},
        {"token": "a", "new": 1, "logprob": -1.0, "bytes": [97], "newer": None},
    ],
)
def test_objects_counted_by_their_keys_keep_unknown_keys_and_nulls(top: Dict[str, Any]) -> None:
    # TopLogprob and ChoiceLogprobs have one optional field: their decoders count keys instead of a set check.
    logprobs = {"content": [{**top, "top_logprobs": [top]}], **{k: v for k, v in top.items() if k.startswith("new")}}
    source = base_chunk(choices=[{"index": 0, "delta": {}, "logprobs": logprobs}])
    unknown = {k: v for k, v in top.items() if k.startswith("new")}
    for chunk in (gs.ChatCompletionChunk.from_dict(source), decode_on_the_stream_path(source)):
        decoded = chunk.choices[0].logprobs
        assert decoded is not None and decoded.extra == unknown
        assert decoded.content is not None and decoded.content[0].top_logprobs[0].extra == unknown
        assert decoded.content[0].extra == unknown and decoded.content[0].bytes == top.get("bytes")
        assert json.dumps(chunk.to_dict()) == json.dumps(source)


@pytest.mark.parametrize("key", ["to_dict", "extra", "_present", "_constructed", "__class__", "_decode", "from_dict"])
def test_unknown_keys_named_like_attributes_stay_in_extra(key: str) -> None:
    source = base_chunk(**{key: {"a": 1}})
    source["choices"][0][key] = [1]
    for chunk in (gs.ChatCompletionChunk.from_dict(source), decode_on_the_stream_path(source)):
        assert chunk.extra == {key: {"a": 1}} and chunk.choices[0].extra == {key: [1]}
        assert type(chunk) is gs.ChatCompletionChunk and callable(chunk.to_dict)
        assert json.dumps(chunk.to_dict()) == json.dumps(source)


def test_extra_without_unknown_keys_is_an_empty_read_only_dict() -> None:
    first, second = decode_on_the_stream_path(base_chunk()), decode_on_the_stream_path(base_chunk())
    assert first.extra == {} and first.choices[0].delta.extra == {} and isinstance(first.extra, dict)
    assert json.dumps(first.extra) == "{}" and dataclasses.asdict(first)["extra"] == {}
    changes: List[Callable[[Dict[str, Any]], object]] = [
        lambda extra: extra.__setitem__("x", 1),
        lambda extra: extra.update(x=1),
        lambda extra: extra.setdefault("x", 1),
        lambda extra: extra.pop("x"),
        lambda extra: extra.clear(),
    ]
    for change in changes:
        with pytest.raises(TypeError, match="read-only"):
            change(first.extra)
    assert second.extra == {} and gs.ChatCompletionChunk.from_dict(base_chunk()).extra == {}
    # An instance's own extra is an ordinary dict.
    assert type(gs.ChatCompletionChunk.from_dict(base_chunk(tier="x")).extra) is dict


def test_decoded_chunks_copy_pickle_and_replace() -> None:
    import pickle

    source = base_chunk(usage=None, x_groq={"id": "r"}, service_tier="flex")
    chunk = decode_on_the_stream_path(source)
    for twin in (copy.copy(chunk), copy.deepcopy(chunk), pickle.loads(pickle.dumps(chunk))):
        assert twin == chunk
        assert json.dumps(twin.to_dict()) == json.dumps(source)
    # replace() goes through the constructor: the result dumps as a constructed instance does
    replaced = dataclasses.replace(chunk, model="other")
    assert replaced.model == "other" and replaced.choices == chunk.choices
    assert "usage" not in replaced.to_dict() and replaced.to_dict()["service_tier"] == "flex"


def test_absent_optional_fields_read_their_defaults() -> None:
    chunk = decode_on_the_stream_path(base_chunk())
    assert chunk.usage is None and chunk.x_groq is None and chunk.choices[0].delta.tool_calls is None
    assert "usage" not in chunk.to_dict() and "usage" not in vars(chunk)


# --- each generated decoder against the general decoder, on mutated objects ------------------------------

_WRONG_VALUES: List[Any] = [None, True, 0, -1.5, "x", [], {}, [True], [1, "x"], [{}], {"a": 1}]


def _wire_objects(value: Any) -> Iterator[WireObject]:
    """Every wire object inside a decoded value, itself first."""
    if isinstance(value, WireObject):
        yield value
        for name in value._convert:  # the fields, without extra
            yield from _wire_objects(getattr(value, name))
    elif type(value) is list:
        for item in value:
            yield from _wire_objects(item)


def _fixture_objects() -> Dict[str, Tuple[type, Dict[str, Any]]]:
    """One JSON object per (class, key set) found in the fixtures' chunks."""
    found: Dict[str, Tuple[type, Dict[str, Any]]] = {}
    for path in fixture_paths():
        for event in gs.iter_events(path.read_bytes()):
            try:
                source = json.loads(event.data)
                chunk = gs.ChatCompletionChunk.from_dict(source)
            except (ValueError, gs.ChunkDecodeError):
                continue  # [DONE], error objects
            for obj in _wire_objects(chunk):
                as_dict = obj.to_dict()
                found.setdefault(f"{type(obj).__name__}{sorted(as_dict)}", (type(obj), as_dict))
    return found


def _mutated(rng: random.Random, source: Dict[str, Any]) -> Dict[str, Any]:
    """*source* with one to three top-level changes: a key dropped, nulled, retyped, added, or a list item."""
    data = copy.deepcopy(source)
    for _ in range(rng.randint(1, 3)):
        key = rng.choice(sorted(data) or ["id"])
        action = rng.randrange(5)
        if action == 0:
            data.pop(key, None)
        elif action == 1:
            data[key] = None
        elif action == 2:
            data[key] = copy.deepcopy(rng.choice(_WRONG_VALUES))
        elif action == 3:
            data[rng.choice(["new", "extra", "zz"])] = copy.deepcopy(rng.choice(_WRONG_VALUES))
        elif type(data.get(key)) is list:
            data[key] = [*data[key], copy.deepcopy(rng.choice(_WRONG_VALUES))]
    return data


def _outcome(decode: Callable[[Any], Any], data: Dict[str, Any]) -> Tuple[Any, ...]:
    try:
        obj = decode(copy.deepcopy(data))
    except _Invalid as exc:
        return ("invalid", exc.where(), exc.reason)
    return ("decoded", obj, dict(obj.extra), json.dumps(obj.to_dict()))


def test_each_generated_decoder_answers_as_the_general_decoder() -> None:
    samples = _fixture_objects()
    # The fixtures reach the classes of text, tool-call, logprob and usage chunks; the key-counting ones too.
    assert {"TopLogprob", "ChatCompletionTokenLogprob", "ChoiceLogprobs", "ChoiceDelta", "CompletionUsage"} <= {
        cls.__name__ for cls, _ in samples.values()
    }
    rng = random.Random(2026)
    checked = 0
    for name, (cls, source) in sorted(samples.items()):
        for _ in range(60):
            data = _mutated(rng, source)
            fast = _outcome(cls._decode, data)  # type: ignore[attr-defined]
            general = _outcome(cls._decode_general, data)  # type: ignore[attr-defined]
            assert fast == general, (name, data)
            checked += fast[0] == "decoded"
    assert checked > 100  # not only errors: unknown keys and nulls that decode were compared too


# --- what other OpenAI-compatible servers send (#12) -------------------------------------------


def test_fields_beyond_groqs_schema_are_typed() -> None:
    source = base_chunk(
        service_tier="default",
        choices=[
            {
                "index": 0,
                "delta": {
                    "refusal": "I can't",
                    "reasoning_content": "think",
                    "reasoning_details": [{"type": "reasoning.text", "text": "t", "format": "f", "index": 0}],
                },
                "logprobs": {"content": None, "refusal": [{"token": "I", "logprob": -0.1, "top_logprobs": []}]},
            }
        ],
        usage={
            "prompt_tokens": 1,
            "completion_tokens": 2,
            "total_tokens": 3,
            "prompt_tokens_details": {"cached_tokens": None, "audio_tokens": 0},
            "completion_tokens_details": {"accepted_prediction_tokens": 1, "rejected_prediction_tokens": 0},
        },
    )
    chunk = gs.ChatCompletionChunk.from_dict(source)  # strict: all of this is in the schema
    delta = chunk.choices[0].delta
    assert (delta.refusal, delta.reasoning_content, chunk.service_tier) == ("I can't", "think", "default")
    assert delta.reasoning_details is not None and delta.reasoning_details[0].text == "t"
    assert delta.reasoning_text == "think" and delta.extra == {}
    logprobs = chunk.choices[0].logprobs
    assert logprobs is not None and logprobs.refusal is not None and logprobs.refusal[0].token == "I"
    usage = chunk.usage
    assert usage is not None and usage.prompt_tokens_details is not None and usage.completion_tokens_details
    assert (
        usage.prompt_tokens_details.cached_tokens is None and usage.completion_tokens_details.reasoning_tokens is None
    )
    assert usage.completion_tokens_details.accepted_prediction_tokens == 1
    assert json.dumps(chunk.to_dict()) == json.dumps(source)


@pytest.mark.parametrize(
    ("delta", "reasoning"),
    [
        ({"reasoning": "a", "reasoning_content": "b"}, "a"),
        ({"reasoning_content": "b"}, "b"),
        ({"content": [{"type": "thinking", "thinking": [{"type": "text", "text": "c"}]}]}, "c"),
        (
            {
                "reasoning_details": [
                    {"type": "reasoning.summary", "summary": "d"},
                    {"type": "reasoning.text", "text": "e"},
                ]
            },
            "de",
        ),
        ({"reasoning_details": [{"type": "reasoning.encrypted", "data": "x"}]}, None),
        ({"content": "answer"}, None),
    ],
)
def test_reasoning_text_reads_whatever_key_the_provider_used(delta: Dict[str, Any], reasoning: Any) -> None:
    chunk = gs.ChatCompletionChunk.from_dict(base_chunk(choices=[{"index": 0, "delta": delta}]), strict=False)
    assert chunk.choices[0].delta.reasoning_text == reasoning


def test_from_dict_reads_leniently_when_asked_and_lists_what_it_accepted() -> None:
    source = base_chunk(created=1.5e9, choices=[{"delta": {"content": [{"type": "text", "text": "hi"}]}}])
    del source["id"]
    with pytest.raises(gs.ChunkDecodeError):
        gs.ChatCompletionChunk.from_dict(source)
    deviations: List[gs.Deviation] = []
    chunk = gs.ChatCompletionChunk.from_dict(source, strict=False, deviations=deviations)
    assert (chunk.id, chunk.created, chunk.choices[0].index, chunk.choices[0].delta.content) == (
        "",
        1500000000,
        0,
        "hi",
    )
    assert [(d.rule, d.path) for d in deviations] == [
        ("float-for-integer", "created"),
        ("missing-key", "id"),
        ("missing-key", "choices[0].index"),
        ("content-parts", "choices[0].delta.content"),
    ]
    assert all(d.event_index is None and d.count == 1 for d in deviations)
    assert json.dumps(chunk.to_dict()) == json.dumps(source)
    assert gs.ChatCompletionChunk.from_dict(source, strict=False).to_dict() == source  # deviations are optional


def test_a_null_required_key_read_leniently_is_written_back_as_null() -> None:
    source = base_chunk(model=None)
    chunk = gs.ChatCompletionChunk.from_dict(source, strict=False)
    assert chunk.model == "" and json.dumps(chunk.to_dict()) == json.dumps(source)


def test_usage_without_counters_reads_them_as_zero_and_the_total_as_their_sum() -> None:
    deviations: List[gs.Deviation] = []
    usage = gs.types.CompletionUsage.from_dict(
        {"prompt_tokens": 4.0, "completion_tokens": 5}, strict=False, deviations=deviations
    )
    assert (usage.prompt_tokens, usage.completion_tokens, usage.total_tokens) == (4, 5, 9)
    assert type(usage.prompt_tokens) is int
    assert [(d.rule, d.path) for d in deviations] == [
        ("float-for-integer", "prompt_tokens"),
        ("missing-key", "total_tokens"),
    ]
    assert usage.to_dict() == {"prompt_tokens": 4.0, "completion_tokens": 5}


# --- the non-streaming responses of Groq and OpenAI (#12) --------------------------------------------

GROQ_RESPONSE: Dict[str, Any] = {
    "id": "chatcmpl-f51b2cd2-bef7-417e-964e-a08f0b513c22",
    "object": "chat.completion",
    "created": 1730241104,
    "model": "openai/gpt-oss-20b",
    "choices": [
        {
            "index": 0,
            "message": {"role": "assistant", "content": "Fast inference matters.", "reasoning": "Be brief."},
            "logprobs": None,
            "finish_reason": "stop",
        }
    ],
    "usage": {
        "queue_time": 0.037493756,
        "prompt_tokens": 18,
        "prompt_time": 0.000680594,
        "completion_tokens": 556,
        "completion_time": 0.463333333,
        "total_tokens": 574,
        "total_time": 0.464013927,
    },
    "usage_breakdown": {
        "models": [
            {
                "model": "openai/gpt-oss-20b",
                "usage": {"prompt_tokens": 18, "completion_tokens": 556, "total_tokens": 574},
            }
        ]
    },
    "mcp_list_tools": [
        {
            "id": "mcp_1",
            "server_label": "docs",
            "tools": [
                {"name": "search", "description": "Search", "input_schema": {"type": "object"}, "annotations": None}
            ],
            "type": "mcp_list_tools",
        }
    ],
    "system_fingerprint": "fp_179b0f92c9",
    "x_groq": {"id": "req_01jbd6g2qdfw2adyrt2az8hz4w", "usage": {"dram_cached_tokens": 0, "sram_cached_tokens": 12}},
    "service_tier": "on_demand",
}

OPENAI_RESPONSE: Dict[str, Any] = {
    "id": "chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG",
    "object": "chat.completion",
    "created": 1741570283,
    "model": "gpt-4o-search-preview-2025-03-11",
    "choices": [
        {
            "index": 0,
            "message": {
                "role": "assistant",
                "content": "Groq builds LPUs.",
                "refusal": None,
                "annotations": [
                    {
                        "type": "url_citation",
                        "url_citation": {
                            "end_index": 17,
                            "start_index": 0,
                            "title": "Groq",
                            "url": "https://groq.com/",
                        },
                    }
                ],
                "tool_calls": [
                    {"id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{}"}},
                    {"id": "call_2", "type": "custom", "custom": {"name": "code_exec", "input": "print('hi')"}},
                ],
            },
            "logprobs": {"content": None, "refusal": None},
            "finish_reason": "tool_calls",
        }
    ],
    "usage": {
        "prompt_tokens": 9,
        "completion_tokens": 570,
        "total_tokens": 579,
        "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
        "completion_tokens_details": {
            "reasoning_tokens": 0,
            "audio_tokens": 0,
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0,
        },
    },
    "service_tier": "default",
    "system_fingerprint": None,
}


def test_a_groq_non_streaming_response_reads_with_its_own_x_groq() -> None:
    completion = gs.ChatCompletion.from_dict(GROQ_RESPONSE)
    x_groq = completion.x_groq
    assert isinstance(x_groq, gs.types.ChatCompletionXGroq) and isinstance(x_groq.usage, gs.types.XGroqUsage)
    assert (x_groq.id, x_groq.usage.sram_cached_tokens) == ("req_01jbd6g2qdfw2adyrt2az8hz4w", 12)
    assert completion.usage is not None and completion.usage.total_tokens == 574
    assert completion.usage_breakdown is not None and completion.usage_breakdown.models[0].usage.total_tokens == 574
    (mcp,) = completion.mcp_list_tools or []
    assert mcp.tools is not None and mcp.tools[0].input_schema == {"type": "object"}
    assert completion.choices[0].message.reasoning_text == "Be brief."
    assert json.dumps(completion.to_dict()) == json.dumps(GROQ_RESPONSE)
    out = completion.to_dict()
    out["mcp_list_tools"][0]["tools"][0]["input_schema"]["type"] = "changed"
    assert completion.to_dict() == GROQ_RESPONSE  # JSON-valued fields are copied too


def test_an_openai_non_streaming_response_reads_refusal_url_citations_and_custom_tool_calls() -> None:
    completion = gs.ChatCompletion.from_dict(OPENAI_RESPONSE)
    message = completion.choices[0].message
    assert message.refusal is None and message.annotations is not None
    citation = message.annotations[0].url_citation
    assert citation is not None and (citation.url, citation.end_index) == ("https://groq.com/", 17)
    function, custom = message.tool_calls or []
    assert (function.type, function.function.name, function.custom) == ("function", "f", None)
    assert custom.type == "custom" and custom.custom is not None and custom.custom.input == "print('hi')"
    assert (custom.function.name, custom.function.arguments) == ("", "")  # a custom call has no function
    assert completion.service_tier == "default"
    assert json.dumps(completion.to_dict()) == json.dumps(OPENAI_RESPONSE)


def test_a_chunks_repr_shows_what_is_set_not_every_none() -> None:
    chunk = gs.ChatCompletionChunk.from_dict(base_chunk())
    assert repr(chunk) == (
        "ChatCompletionChunk(id='chatcmpl-1', choices=[Choice(delta=ChoiceDelta(content='hi'), index=0)],"
        " created=1763683201, model='llama-3.1-8b-instant', object='chat.completion.chunk', system_fingerprint='fp_1')"
    )
    assert "None" not in repr(chunk)
    # Unknown keys show as extra; a constructed instance reads the same, and its repr rebuilds it.
    assert repr(gs.types.ChoiceDelta.from_dict({"channel": "analysis"})) == "ChoiceDelta(extra={'channel': 'analysis'})"
    usage = gs.types.CompletionUsage(completion_tokens=2, prompt_tokens=1, total_tokens=3)
    assert eval(repr(usage), vars(gs.types)) == usage  # our own repr, of our own object
    # Required fields show even when empty: what the class needs is always visible.
    assert repr(gs.ChatCompletionChunk.from_dict(base_chunk(choices=[]))).startswith(
        "ChatCompletionChunk(id='chatcmpl-1', choices=[], created="
    )


def test_a_chunks_text_is_choice_zeros_content_and_never_raises() -> None:
    assert gs.ChatCompletionChunk.from_dict(base_chunk()).text == "hi"
    usage = {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3}
    usage_only = gs.ChatCompletionChunk.from_dict(base_chunk(choices=[], usage=usage))
    assert usage_only.text == ""  # where chunk.choices[0] raises IndexError
    role_only = base_chunk(choices=[{"index": 0, "delta": {"role": "assistant"}, "finish_reason": None}])
    assert gs.ChatCompletionChunk.from_dict(role_only).text == ""
    # With n > 1, the choice whose index is 0 (as Stream.text()), wherever it is in the list.
    two = base_chunk(
        choices=[{"index": 1, "delta": {"content": "b"}}, {"index": 0, "delta": {"content": "a"}}],
    )
    assert gs.ChatCompletionChunk.from_dict(two).text == "a"
    # Not a wire field: not in the dataclass fields, not in to_dict(), not in ==.
    chunk = gs.ChatCompletionChunk.from_dict(base_chunk())
    assert "text" not in {f.name for f in dataclasses.fields(chunk)}
    assert "text" not in chunk.to_dict() and chunk.to_dict() == base_chunk()
    assert gs.ChatCompletionChunk.from_dict(base_chunk(text="sent")).extra == {"text": "sent"}
    assert gs.ChatCompletionChunk.from_dict(base_chunk(text="sent")).text == "hi"
