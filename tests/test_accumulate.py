"""ChatCompletionAccumulator: every merge rule, the semantic events, and partial completions."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest

import groqstream as gs
from tests.helpers import CAPTURES, agen, expected, fixture_paths, requires_captures, splits


def chunk(choices: List[Dict[str, Any]], **fields: Any) -> gs.ChatCompletionChunk:
    data: Dict[str, Any] = {"id": "c1", "object": "chat.completion.chunk", "created": 100, "model": "m"}
    data["choices"] = choices
    data.update(fields)
    return gs.ChatCompletionChunk.from_dict(data)


def delta(index: int = 0, finish: Optional[str] = None, **fields: Any) -> Dict[str, Any]:
    return {"index": index, "delta": fields, "finish_reason": finish}


def run(*chunks: gs.ChatCompletionChunk) -> gs.ChatCompletion:
    return gs.accumulate(chunks)


USAGE = {"prompt_tokens": 3, "completion_tokens": 4, "total_tokens": 7}


# --- fixtures: the whole completion, sync and async, at any split ----------------------


def final_dict(mode: str, pieces: List[bytes]) -> Dict[str, Any]:
    """The completion as a dict, from final_completion(), or from the error's partial completion."""

    async def async_final() -> gs.ChatCompletion:
        return await gs.AsyncStream(agen(pieces)).final_completion()

    try:
        completion = gs.Stream(iter(pieces)).final_completion() if mode == "sync" else asyncio.run(async_final())
    except gs.GroqStreamError as exc:
        assert exc.completion is not None
        return {"error": type(exc).__name__, **exc.completion.to_dict()}
    return completion.to_dict()


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("path", fixture_paths(), ids=lambda p: p.stem)
def test_each_fixture_accumulates_to_its_expected_completion(path: Path, mode: str) -> None:
    want = expected(path)
    got = final_dict(mode, [path.read_bytes()])
    error = got.pop("error", None)
    assert (error or "done") == want["outcome"]
    assert got == want["completion"]


@pytest.mark.parametrize("path", fixture_paths(), ids=lambda p: p.stem)
def test_the_completion_does_not_depend_on_how_the_bytes_were_split(path: Path) -> None:
    data = path.read_bytes()
    want = final_dict("sync", [data])
    for pieces in list(splits(data, seed=7, every_offset_limit=0))[::10]:
        assert final_dict("sync", pieces) == want


def test_accumulated_completion_parses_back_as_a_non_streaming_response() -> None:
    path = next(p for p in fixture_paths() if p.stem == "tool-calls-fragments")
    completion = gs.Stream(path.read_bytes()).final_completion()
    again = gs.ChatCompletion.from_dict(json.loads(json.dumps(completion.to_dict())))
    assert again == completion


# --- merge rules ---------------------------------------------------------------------


def test_choices_merge_by_index_in_any_order_and_empty_choices_are_fine() -> None:
    completion = run(
        chunk([delta(2, content="c"), delta(0, content="a")]),
        chunk([]),
        chunk([delta(1, content="b"), delta(0, content="A")]),
    )
    assert [(c.index, c.message.content) for c in completion.choices] == [(0, "aA"), (1, "b"), (2, "c")]


def test_role_is_set_once() -> None:
    completion = run(chunk([delta(role="assistant", content="x")]), chunk([delta(role="tool", content="y")]))
    assert completion.choices[0].message.role == "assistant"


def test_content_and_reasoning_concatenate_and_absent_stays_none() -> None:
    completion = run(
        chunk([delta(reasoning="th")]),
        chunk([delta(reasoning="ink")]),
        chunk([delta(content="")]),
        chunk([delta(content="an")]),
        chunk([delta(content="swer")]),
    )
    message = completion.choices[0].message
    assert (message.reasoning, message.content) == ("think", "answer")
    only_tools = run(chunk([delta(tool_calls=[{"index": 0, "id": "t", "function": {"name": "f", "arguments": "{}"}}])]))
    assert only_tools.choices[0].message.content is None and only_tools.choices[0].message.reasoning is None


def test_unknown_string_delta_keys_keep_their_latest_value() -> None:
    completion = run(
        chunk([delta(reasoning="r", channel="analysis")]),
        chunk([delta(content="c", channel="final")]),
    )
    message = completion.choices[0].message
    assert message.extra == {"channel": "final"}
    assert message.to_dict()["channel"] == "final"


def test_tool_calls_merge_by_sparse_index_taking_first_id_type_and_name() -> None:
    completion = run(
        chunk([delta(tool_calls=[{"index": 7, "id": "call_7", "type": "function", "function": {"name": "g"}}])]),
        chunk([delta(tool_calls=[{"index": 3, "id": "call_3", "function": {"name": "f", "arguments": '{"a"'}}])]),
        chunk([delta(tool_calls=[{"index": 3, "id": "other", "function": {"name": "h", "arguments": ": 1}"}}])]),
        chunk([delta(tool_calls=[{"index": 7, "function": {"arguments": "{}"}}])], x_groq={"id": "r"}),
    )
    calls = completion.choices[0].message.tool_calls
    assert calls is not None
    assert [(c.id, c.type, c.function.name, c.function.arguments) for c in calls] == [
        ("call_3", "function", "f", '{"a": 1}'),
        ("call_7", "function", "g", "{}"),
    ]


def test_a_whole_tool_call_in_one_delta_works() -> None:
    call = {"index": 0, "id": "fc_1", "type": "function", "function": {"name": "f", "arguments": '{"x": 1}'}}
    completion = run(chunk([delta(tool_calls=[call])]), chunk([delta(finish="tool_calls")]))
    calls = completion.choices[0].message.tool_calls
    assert calls is not None and calls[0].to_dict() == {
        "id": "fc_1",
        "function": {"arguments": '{"x": 1}', "name": "f"},
        "type": "function",
    }


def test_executed_tools_and_annotations_are_replaced_not_concatenated() -> None:
    start = {"index": 0, "type": "search", "arguments": '{"q": "x"}', "search_results": {"results": []}}
    finished = dict(start, output="Result text")
    note = {"type": "document_citation", "document_citation": {"document_id": "d", "start_index": 0, "end_index": 1}}
    grown = {"type": "document_citation", "document_citation": {"document_id": "d", "start_index": 0, "end_index": 9}}
    completion = run(
        chunk([delta(executed_tools=[start], annotations=[note])]),
        chunk([delta(executed_tools=[finished], annotations=[grown])]),
    )
    message = completion.choices[0].message
    assert message.executed_tools is not None and len(message.executed_tools) == 1
    assert message.executed_tools[0].arguments == '{"q": "x"}' and message.executed_tools[0].output == "Result text"
    assert message.annotations is not None and len(message.annotations) == 1
    assert message.annotations[0].to_dict() == grown


def test_logprobs_content_extends_in_order() -> None:
    def lp(token: str) -> Dict[str, Any]:
        return {"content": [{"token": token, "logprob": -1.0, "top_logprobs": []}]}

    completion = run(
        chunk([dict(delta(content="a"), logprobs=lp("a"))]),
        chunk([dict(delta(content="b"), logprobs=None)]),
        chunk([dict(delta(content="c"), logprobs=lp("c"))]),
    )
    logprobs = completion.choices[0].logprobs
    assert logprobs is not None and logprobs.content is not None
    assert [t.token for t in logprobs.content] == ["a", "c"]


def test_finish_reason_is_the_last_non_null_value() -> None:
    completion = run(chunk([delta(finish="length")]), chunk([delta(finish=None)]), chunk([delta(finish="stop")]))
    assert completion.choices[0].finish_reason == "stop"
    assert run(chunk([delta(finish="stop")]), chunk([delta()])).choices[0].finish_reason == "stop"


def test_usage_from_either_place_is_never_counted_twice() -> None:
    acc = gs.ChatCompletionAccumulator()
    first = acc.add(chunk([delta(finish="stop")], usage=USAGE, x_groq={"usage": USAGE}))
    again = acc.add(chunk([], usage=USAGE))  # the include_usage chunk repeats it
    assert [type(e) for e in first].count(gs.Usage) == 1 and not any(isinstance(e, gs.Usage) for e in again)
    usage = acc.completion.usage
    assert usage is not None and usage.total_tokens == 7
    only_x_groq = run(chunk([delta(content="x")], x_groq={"usage": USAGE}))
    assert only_x_groq.usage is not None and only_x_groq.usage.prompt_tokens == 3


def test_x_groq_keeps_first_id_and_seed_and_latest_error_and_usage_goes_to_the_top_level() -> None:
    later_usage = dict(USAGE, total_tokens=9)
    breakdown = {"models": [{"model": "a", "usage": USAGE}]}
    completion = run(
        chunk([delta(content="a")], x_groq={"id": "req_first", "seed": 1}),
        chunk([delta(content="b")], x_groq={"id": "req_second", "seed": 2, "usage": USAGE}),
        chunk(
            [delta(finish="stop")], x_groq={"usage": later_usage, "usage_breakdown": breakdown, "error": "e", "new": 1}
        ),
    )
    x_groq = completion.x_groq
    assert x_groq is not None
    assert (x_groq.id, x_groq.seed, x_groq.error) == ("req_first", 1, "e")
    assert x_groq.extra == {"new": 1}
    # As in Groq's non-streaming response: token usage and the breakdown at the top level, not under x_groq.
    assert x_groq.usage is None and completion.usage is not None and completion.usage.total_tokens == 9
    assert completion.usage_breakdown is not None and completion.usage_breakdown.models[0].model == "a"
    out = completion.to_dict()
    assert out["x_groq"] == {"id": "req_first", "seed": 1, "error": "e", "new": 1}
    assert out["usage_breakdown"] == breakdown


def test_first_chunk_id_created_model_and_fingerprint_win() -> None:
    completion = run(
        chunk([delta(content="a")], system_fingerprint=None),
        chunk([delta(content="b")], id="c2", created=200, system_fingerprint="fp_later"),
        chunk([delta(finish="stop")], id="stub", created=300, model="other"),
    )
    assert (completion.id, completion.created, completion.model) == ("c1", 100, "m")
    assert completion.system_fingerprint == "fp_later"  # the first one that was not null
    assert completion.object == "chat.completion"


def test_service_tier_and_unknown_chunk_keys_reach_the_completion() -> None:
    completion = run(chunk([delta(content="a")], future={"x": 1}), chunk([], usage=USAGE, service_tier="flex"))
    assert completion.service_tier == "flex"
    assert completion.extra == {"future": {"x": 1}}
    assert completion.to_dict()["service_tier"] == "flex"


def test_deprecated_function_call_concatenates() -> None:
    completion = run(
        chunk([delta(function_call={"name": "f", "arguments": '{"a"'})]),
        chunk([delta(function_call={"arguments": ": 2}"})]),
    )
    function_call = completion.choices[0].message.function_call
    assert function_call is not None and (function_call.name, function_call.arguments) == ("f", '{"a": 2}')


def test_empty_accumulator_has_an_empty_completion() -> None:
    completion = gs.ChatCompletionAccumulator().completion
    assert completion.choices == [] and completion.id == "" and completion.usage is None


def test_completion_snapshot_is_cached_until_the_next_add() -> None:
    acc = gs.ChatCompletionAccumulator()
    acc.add(chunk([delta(content="a")]))
    first = acc.completion
    assert acc.completion is first
    acc.add(chunk([delta(content="b")]))
    assert acc.completion is not first
    assert (first.choices[0].message.content, acc.completion.choices[0].message.content) == ("a", "ab")


def test_constructed_completion_writes_the_keys_a_non_streaming_response_has() -> None:
    out = run(chunk([delta(content="hi")])).to_dict()
    assert out["system_fingerprint"] is None
    assert out["choices"][0] == {
        "index": 0,
        "message": {"role": "assistant", "content": "hi"},
        "finish_reason": None,
        "logprobs": None,
    }
    assert "usage" not in out and "x_groq" not in out


# --- semantic events -----------------------------------------------------------------


def test_events_for_reasoning_then_content_then_finish() -> None:
    acc = gs.ChatCompletionAccumulator()
    events: List[Any] = []
    for c in [
        chunk([delta(role="assistant", content="")]),
        chunk([delta(reasoning="Let me ")]),
        chunk([delta(reasoning="see.")]),
        chunk([delta(content="Hello")]),
        chunk([delta(content=" there")]),
        chunk([delta(finish="stop")], x_groq={"usage": USAGE}),
    ]:
        events += acc.add(c)
    kinds = [type(e).__name__ for e in events]
    assert kinds == [
        "ReasoningDelta", "ReasoningDelta", "ReasoningDone", "ContentDelta", "ContentDelta",
        "ContentDone", "FinishReason", "Usage",
    ]  # fmt: skip
    assert [e.snapshot for e in events if isinstance(e, gs.ReasoningDelta)] == ["Let me ", "Let me see."]
    assert [e.snapshot for e in events if isinstance(e, gs.ContentDelta)] == ["Hello", "Hello there"]
    assert events[2] == gs.ReasoningDone(0, "Let me see.")
    assert events[5] == gs.ContentDone(0, "Hello there")
    assert events[6] == gs.FinishReason(0, "stop")
    usage = events[7]
    assert isinstance(usage, gs.Usage) and usage.usage.total_tokens == 7


def test_tool_call_events_name_the_call_and_finish_it_when_the_next_index_starts() -> None:
    acc = gs.ChatCompletionAccumulator()
    events: List[Any] = []
    for c in [
        chunk(
            [
                delta(
                    tool_calls=[{"index": 1, "id": "a", "type": "function", "function": {"name": "f", "arguments": ""}}]
                )
            ]
        ),
        chunk([delta(tool_calls=[{"index": 1, "function": {"arguments": '{"x"'}}])]),
        chunk([delta(tool_calls=[{"index": 1, "function": {"arguments": ": 1}"}}])]),
        chunk([delta(tool_calls=[{"index": 4, "id": "b", "function": {"name": "g", "arguments": "{}"}}])]),
        chunk([delta(finish="tool_calls")]),
    ]:
        events += acc.add(c)
    args = [(e.tool_index, e.name, e.delta, e.arguments) for e in events if isinstance(e, gs.ToolCallArgumentsDelta)]
    assert args == [(1, "f", '{"x"', '{"x"'), (1, "f", ": 1}", '{"x": 1}'), (4, "g", "{}", "{}")]
    done = [
        (i, e.tool_index, e.tool_call.function.arguments)
        for i, e in enumerate(events)
        if isinstance(e, gs.ToolCallDone)
    ]
    assert done == [(2, 1, '{"x": 1}'), (4, 4, "{}")]  # the first is done before index 4's fragment
    assert isinstance(events[-1], gs.FinishReason)


def test_executed_tool_updates_are_reported() -> None:
    acc = gs.ChatCompletionAccumulator()
    events = acc.add(chunk([delta(executed_tools=[{"index": 0, "type": "search", "arguments": "{}"}])]))
    assert [(type(e).__name__, getattr(e, "tool_index", None)) for e in events] == [("ExecutedToolUpdate", 0)]


def test_old_snapshots_stay_correct_when_read_late() -> None:
    acc = gs.ChatCompletionAccumulator()
    deltas = [e for word in ["a", "b", "c"] for e in acc.add(chunk([delta(content=word)]))]
    assert [e.snapshot for e in reversed(deltas) if isinstance(e, gs.ContentDelta)] == ["abc", "ab", "a"]


# --- streams and errors ------------------------------------------------------------------


SAMPLE = (Path(gs.__file__).parent / "sample.sse").read_bytes()


def test_final_completion_after_a_loop_covers_the_whole_stream() -> None:
    with gs.Stream(SAMPLE) as stream:
        seen = [c for _, c in zip(range(5), stream)]
        completion = stream.final_completion()
        assert stream.text() == completion.choices[0].message.content
    assert len(seen) == 5
    content = completion.choices[0].message.content
    assert content is not None and content.startswith("Server-sent events") and content.endswith("20 °C.")
    assert stream.final_completion() is completion  # finished: still available after the with block


def test_final_completion_of_a_stream_closed_early_raises_stream_closed() -> None:
    stream = gs.Stream(SAMPLE)
    next(stream)
    stream.close()
    with pytest.raises(gs.StreamClosedError) as info:
        stream.final_completion()
    assert info.value.completion is not None and info.value.completion.choices[0].message.role == "assistant"


def test_final_completion_raises_the_stream_error_with_the_partial_completion_every_time() -> None:
    body = SAMPLE[: SAMPLE.index(b"data: [DONE]") - 300]
    stream = gs.Stream(body)
    with pytest.raises(gs.IncompleteStreamError) as first:
        for _ in stream:
            pass
    with pytest.raises(gs.IncompleteStreamError) as again:
        stream.final_completion()
    assert again.value is first.value
    partial = again.value.completion
    assert partial is not None
    # The cut falls inside the last chunk (finish_reason and usage): every content chunk is in.
    assert partial.choices[0].message.content == gs.Stream(SAMPLE).text()
    assert partial.choices[0].finish_reason is None and partial.usage is None


def test_accumulate_attaches_the_partial_completion_to_errors() -> None:
    body = SAMPLE[: SAMPLE.index(b"data: [DONE]")] + b'event: error\ndata: {"error": {"message": "boom"}}\n\n'
    with pytest.raises(gs.StreamAPIError) as info:
        gs.accumulate(gs.Stream(body))
    assert info.value.completion is not None and info.value.completion.choices[0].finish_reason == "stop"


def test_async_text_and_final_completion() -> None:
    async def main() -> tuple[str, gs.ChatCompletion]:
        text = await gs.AsyncStream(agen([SAMPLE])).text()
        completion = await gs.AsyncStream(agen([SAMPLE[:3000], SAMPLE[3000:]])).final_completion()
        return text, completion

    text, completion = asyncio.run(main())
    assert text == completion.choices[0].message.content and text.endswith("20 °C.")


def test_text_of_a_stream_without_choice_zero_is_empty() -> None:
    body = b'data: {"id":"a","object":"x","created":1,"model":"m","choices":[]}\n\ndata: [DONE]\n\n'
    assert gs.Stream(body).text() == ""


# --- real captures -----------------------------------------------------------------------


def capture(name: str) -> bytes:
    return (CAPTURES / f"{name}.sse").read_bytes()


@requires_captures
def test_capture_tool_call_with_both_usage_forms() -> None:
    completion = gs.Stream(capture("groq-gpt-oss-120b-tool-call-usage")).final_completion()
    choice = completion.choices[0]
    assert choice.finish_reason == "tool_calls"
    assert choice.message.tool_calls is not None and len(choice.message.tool_calls) == 1
    call = choice.message.tool_calls[0]
    assert (call.function.name, call.function.arguments) == ("get_something_by_name", '{"name":"example"}')
    assert completion.usage is not None and (completion.usage.prompt_tokens, completion.usage.total_tokens) == (
        304,
        353,
    )
    assert (
        completion.x_groq is not None and completion.x_groq.id is not None and completion.x_groq.id.startswith("req_")
    )


@requires_captures
def test_capture_reasoning_with_channel() -> None:
    completion = gs.Stream(capture("groq-gpt-oss-120b-reasoning-content-usage")).final_completion()
    message = completion.choices[0].message
    assert message.reasoning and message.content
    assert message.extra.get("channel") in {"analysis", "final"}


@requires_captures
def test_capture_compound_keeps_one_executed_tool_and_the_first_id() -> None:
    data = capture("groq-compound-executed-tools-usage-breakdown")
    completion = gs.Stream(data).final_completion()
    assert completion.id != "stub" and completion.id == json.loads(data.split(b"\n\n")[0][6:])["id"]
    tools = completion.choices[0].message.executed_tools
    assert tools is not None and len(tools) == 1
    assert tools[0].arguments == '{"query": "What is the weather in San Francisco today?"}'  # not doubled
    assert tools[0].output is not None
    assert completion.usage is not None and completion.usage.total_tokens == 5362
    assert completion.usage_breakdown is not None and len(completion.usage_breakdown.models) == 4
    assert completion.x_groq is None  # its one x_groq held only usage and the breakdown, both top-level now


@requires_captures
@pytest.mark.parametrize(
    ("name", "chunks"),
    [("groq-gpt-oss-120b-midstream-error-event", 94), ("groq-gpt-oss-120b-error-after-content", 85)],
)
def test_capture_errors_keep_the_partial_completion(name: str, chunks: int) -> None:
    stream = gs.Stream(capture(name))
    with pytest.raises(gs.StreamAPIError) as info:
        stream.final_completion()
    partial = info.value.completion
    assert partial is not None and info.value.chunks_received == chunks
    message = partial.choices[0].message
    assert message.reasoning or message.content


@requires_captures
def test_capture_long_reasoning_stream_at_random_splits_gives_one_completion() -> None:
    data = capture("groq-deepseek-r1-parsed-reasoning")
    want = gs.Stream(data).final_completion()
    assert want.usage is not None and want.usage.completion_tokens == 1509
    for pieces in list(splits(data, seed=3, every_offset_limit=0, random_rounds=2))[-2:]:
        assert gs.Stream(iter(pieces)).final_completion() == want


# --- what other OpenAI-compatible servers send (#12) ---------------------------------------------


def test_reasoning_content_and_refusal_concatenate_into_their_own_fields() -> None:
    acc = gs.ChatCompletionAccumulator()
    events: List[Any] = []
    for c in [
        chunk([delta(role="assistant", content=None, reasoning_content="")]),
        chunk([delta(content=None, reasoning_content="Hmm, ")]),
        chunk([delta(content=None, reasoning_content="easy.")]),
        chunk([delta(content="4", reasoning_content=None)]),
        chunk([delta(finish="stop", content="")]),
    ]:
        events += acc.add(c)
    message = acc.completion.choices[0].message
    assert (message.reasoning_content, message.content, message.reasoning) == ("Hmm, easy.", "4", None)
    assert message.reasoning_text == "Hmm, easy."
    assert [e.snapshot for e in events if isinstance(e, gs.ReasoningDelta)] == ["Hmm, ", "Hmm, easy."]
    assert gs.ReasoningDone(0, "Hmm, easy.") in events
    assert "reasoning" not in message.to_dict() and message.to_dict()["reasoning_content"] == "Hmm, easy."
    refused = (
        run(
            chunk([delta(role="assistant", content=None, refusal="")]),
            chunk([delta(refusal="I can't ")]),
            chunk([delta(refusal="help.", finish="stop")]),
        )
        .choices[0]
        .message
    )
    assert (refused.refusal, refused.content) == ("I can't help.", None)


def test_the_message_has_refusal_null_when_the_first_delta_had_it_and_not_otherwise() -> None:
    openai_like = run(chunk([delta(role="assistant", content="", refusal=None)]), chunk([delta(content="hi")]))
    assert openai_like.choices[0].message.to_dict() == {"role": "assistant", "content": "hi", "refusal": None}
    groq_like = run(chunk([delta(role="assistant", content="")]), chunk([delta(content="hi")]))
    assert groq_like.choices[0].message.to_dict() == {"role": "assistant", "content": "hi"}


def test_logprobs_refusal_extends_and_a_list_that_was_always_null_stays_null() -> None:
    def token(text: str) -> Dict[str, Any]:
        return {"token": text, "logprob": -0.5, "top_logprobs": []}

    completion = run(
        chunk([dict(delta(refusal=""), logprobs={"content": None, "refusal": []})]),
        chunk([dict(delta(refusal="No"), logprobs={"content": None, "refusal": [token("No")]})]),
        chunk([dict(delta(refusal="."), logprobs={"content": None, "refusal": [token(".")]})]),
        chunk([dict(delta(finish="stop"), logprobs=None)]),
    )
    logprobs = completion.choices[0].logprobs
    assert logprobs is not None and logprobs.content is None
    assert logprobs.refusal is not None and [t.token for t in logprobs.refusal] == ["No", "."]
    assert completion.to_dict()["choices"][0]["logprobs"] == {"content": None, "refusal": [token("No"), token(".")]}
    nulls = run(chunk([dict(delta(content="a"), logprobs={"content": None})]), chunk([delta(finish="stop")]))
    assert nulls.to_dict()["choices"][0]["logprobs"] == {"content": None}
    never = run(chunk([dict(delta(content="a"), logprobs=None)]))
    assert never.choices[0].logprobs is None


def test_padding_and_per_token_keys_do_not_reach_the_completion() -> None:
    completion = run(
        chunk([dict(delta(content="2", token_id=17), text="2", seed=None)], obfuscation="pad1"),
        chunk([dict(delta(content="", token_id=1, finish="eos"), text="", seed=931)], obfuscation="pad2"),
    )
    assert completion.extra == {}
    assert completion.choices[0].message.extra == {}
    assert completion.choices[0].extra == {"seed": 931}


def test_null_and_empty_values_never_replace_an_earlier_unknown_value() -> None:
    report = {"input": {"flagged": False}}
    filters = {"hate": {"filtered": False}}
    completion = run(
        chunk([dict(delta(content="a"), content_filter_results=filters)], moderation=report, provider="X"),
        chunk([dict(delta(finish="stop"), content_filter_results={})], moderation=None, provider="Y"),
        chunk([], moderation=None),
    )
    assert completion.extra == {"moderation": report, "provider": "Y"}
    assert completion.choices[0].extra == {"content_filter_results": filters}
    first_null = run(chunk([delta(content="a", graph_data=None)]), chunk([delta(content="b", graph_data=None)]))
    assert first_null.choices[0].message.to_dict()["graph_data"] is None  # the key is kept, with the null it had


def test_a_choice_key_that_names_a_field_of_the_finished_choice_is_not_carried() -> None:
    writer_like = {"content": "Sure", "role": "assistant"}
    completion = run(chunk([dict(delta(content="Sure"), message=writer_like, trace_details=None)]))
    choice = completion.choices[0]
    assert choice.extra == {"trace_details": None} and choice.message.content == "Sure"
    assert list(choice.to_dict()).count("message") == 1 and choice.to_dict()["message"]["content"] == "Sure"


def test_content_parts_merge_by_kind_and_their_text_is_the_content() -> None:
    def thinking(text: str) -> Dict[str, Any]:
        return {"type": "thinking", "thinking": [{"type": "text", "text": text}]}

    acc = gs.ChatCompletionAccumulator()
    events: List[Any] = []
    sources = [
        [delta(role="assistant", content=[thinking("The user")])],
        [delta(content=[thinking(" asks 2+2.")])],
        [delta(content=[{"type": "text", "text": "2 + 2"}])],
        [delta(content=[{"type": "text", "text": " = 4"}])],
        [delta(content="", finish="stop")],
    ]
    for choices in sources:
        events += acc.add(gs.ChatCompletionChunk.from_dict(chunk_source(choices), strict=False))
    message = acc.completion.choices[0].message
    assert message.content == "2 + 2 = 4" and message.reasoning_text == "The user asks 2+2."
    assert message.to_dict()["content"] == [thinking("The user asks 2+2."), {"type": "text", "text": "2 + 2 = 4"}]
    assert [type(e).__name__ for e in events][:4] == [
        "ReasoningDelta",
        "ReasoningDelta",
        "ReasoningDone",
        "ContentDelta",
    ]
    # Plain text before the first parts, and after them, joins the text part.
    mixed = gs.ChatCompletionAccumulator()
    for choices in [[delta(content="A")], [delta(content=[thinking("t")])], [delta(content="B")], [delta(content="C")]]:
        mixed.add(gs.ChatCompletionChunk.from_dict(chunk_source(choices), strict=False))
    parts = mixed.completion.choices[0].message.to_dict()["content"]
    assert parts == [{"type": "text", "text": "A"}, thinking("t"), {"type": "text", "text": "BC"}]
    assert mixed.completion.choices[0].message.content == "ABC"


def chunk_source(choices: List[Dict[str, Any]], **fields: Any) -> Dict[str, Any]:
    return {"id": "c1", "object": "chat.completion.chunk", "created": 100, "model": "m", "choices": choices, **fields}


def test_reasoning_details_merge_by_index_and_the_same_text_under_two_keys_is_reported_once() -> None:
    def detail(**fields: Any) -> Dict[str, Any]:
        return {"type": "reasoning.text", "format": "anthropic-claude-v1", "index": 0, **fields}

    acc = gs.ChatCompletionAccumulator()
    events: List[Any] = []
    for c in [
        chunk([delta(reasoning=None, reasoning_details=[detail(text="", signature="")])]),
        chunk([delta(reasoning="Two ", reasoning_details=[detail(text="Two ")])]),
        chunk([delta(reasoning="plus two.", reasoning_details=[detail(text="plus two.")])]),
        chunk([delta(reasoning=None, reasoning_details=[detail(signature="Et0B")])]),
        chunk([delta(reasoning_details=[{"type": "reasoning.encrypted", "data": "gAAA", "index": 1, "id": "rs_1"}])]),
        chunk([delta(content="4", reasoning_details=[])]),
    ]:
        events += acc.add(c)
    message = acc.completion.choices[0].message
    assert message.reasoning == "Two plus two."
    assert [e.delta for e in events if isinstance(e, gs.ReasoningDelta)] == ["Two ", "plus two."]
    assert message.to_dict()["reasoning_details"] == [
        {
            "type": "reasoning.text",
            "text": "Two plus two.",
            "signature": "Et0B",
            "format": "anthropic-claude-v1",
            "index": 0,
        },
        {"type": "reasoning.encrypted", "data": "gAAA", "id": "rs_1", "index": 1},
    ]


def test_a_tool_call_re_sent_whole_under_its_id_is_not_doubled() -> None:
    first = {"index": 0, "id": "call_1", "type": "function", "function": {"name": "f", "arguments": '{"a": '}}
    acc = gs.ChatCompletionAccumulator()
    events: List[Any] = []
    for c in [
        chunk([delta(tool_calls=[first])]),
        chunk([delta(tool_calls=[{**first, "function": {"arguments": '{"a": 1'}}])]),  # a longer snapshot
        chunk([delta(tool_calls=[{"index": 0, "function": {"arguments": "}"}}])]),  # a plain fragment
        chunk([delta(tool_calls=[{**first, "function": {"name": "f", "arguments": '{"a": 1}'}}])]),  # whole again
        chunk([delta(tool_calls=[{"index": 0, "id": "other", "function": {"arguments": ""}}], finish="tool_calls")]),
    ]:
        events += acc.add(c)
    (call,) = acc.completion.choices[0].message.tool_calls or []
    assert (call.id, call.function.name, call.function.arguments) == ("call_1", "f", '{"a": 1}')  # by index: one call
    deltas = [e.delta for e in events if isinstance(e, gs.ToolCallArgumentsDelta)]
    assert deltas == ['{"a": ', "1", "}"]
    # Without the same id, a fragment equal to the arguments so far is a fragment: it is added.
    again = run(
        chunk([delta(tool_calls=[{"index": 0, "id": "c", "function": {"arguments": "ab"}}])]),
        chunk([delta(tool_calls=[{"index": 0, "function": {"arguments": "ab"}}])]),
    )
    assert (again.choices[0].message.tool_calls or [])[0].function.arguments == "abab"


def test_tool_calls_without_index_from_a_stream_become_separate_calls() -> None:
    body = b"".join(
        b"data: " + json.dumps(chunk_source(choices)).encode() + b"\n\n"
        for choices in [
            [delta(tool_calls=[{"id": "a", "function": {"name": "f", "arguments": '{"x":'}}])],
            [delta(tool_calls=[{"function": {"arguments": " 1}"}}])],
            [delta(tool_calls=[{"id": "b", "function": {"name": "g", "arguments": "{}"}}])],
            [delta(tool_calls=[{"id": "a", "function": {"name": "f", "arguments": '{"x": 1}'}}], finish="tool_calls")],
        ]
    )
    acc = gs.ChatCompletionAccumulator()
    events = [e for c in gs.Stream(body, require_done=False) for e in acc.add(c)]
    calls = acc.completion.choices[0].message.tool_calls or []
    assert [(c.id, c.function.name, c.function.arguments, c.type) for c in calls] == [
        ("a", "f", '{"x": 1}', "function"),
        ("b", "g", "{}", "function"),
    ]
    assert [(e.tool_index, e.tool_call.id) for e in events if isinstance(e, gs.ToolCallDone)] == [(0, "a"), (1, "b")]


def test_usage_sent_on_every_chunk_ends_as_the_last_report() -> None:
    def usage(n: int) -> Dict[str, int]:
        return {"prompt_tokens": 11, "completion_tokens": n, "total_tokens": 11 + n}

    completion = run(*[chunk([delta(content="x")], usage=usage(n)) for n in (1, 3, 5)], chunk([], usage=None))
    assert completion.usage is not None and completion.usage.total_tokens == 16


def test_the_first_id_model_and_created_that_are_not_empty_win() -> None:
    completion = run(
        chunk([], id="", model="", created=0, prompt_filter_results=[{"prompt_index": 0}]),
        chunk([delta(content="a")], id="chatcmpl-1", model="gpt-4.1", created=1774962762),
        chunk([delta(content="b")], id="chatcmpl-2", model="other", created=1),
    )
    assert (completion.id, completion.model, completion.created) == ("chatcmpl-1", "gpt-4.1", 1774962762)
    assert completion.extra == {"prompt_filter_results": [{"prompt_index": 0}]}


def test_top_level_usage_breakdown_and_mcp_list_tools_become_completion_fields() -> None:
    breakdown = {"models": [{"model": "a", "usage": USAGE}]}
    tools = [{"id": "mcp_1", "server_label": "docs", "tools": [{"name": "search"}]}]
    completion = run(chunk([delta(content="a")], mcp_list_tools=tools), chunk([], usage_breakdown=breakdown))
    assert completion.usage_breakdown is not None and completion.usage_breakdown.models[0].model == "a"
    assert completion.mcp_list_tools is not None and completion.mcp_list_tools[0].server_label == "docs"
    assert completion.extra == {}
    out = completion.to_dict()
    assert (out["usage_breakdown"], out["mcp_list_tools"]) == (breakdown, tools)


def test_a_top_level_usage_breakdown_of_another_shape_stays_an_unknown_key() -> None:
    completion = run(chunk([delta(content="a")], usage_breakdown={"models": "all"}))
    assert completion.usage_breakdown is None and completion.extra == {"usage_breakdown": {"models": "all"}}


def test_usage_sent_inside_the_choice_becomes_the_completions_usage() -> None:
    # Moonshot/Kimi put the usage of the whole request in choices[0].usage of the last chunk.
    usage = {"prompt_tokens": 19, "completion_tokens": 13, "total_tokens": 32}
    body = (
        b'data: {"id":"cmpl-1","object":"chat.completion.chunk","created":1,"model":"moonshot-v1-8k",'
        b'"choices":[{"index":0,"delta":{"role":"assistant","content":"Hi"},"finish_reason":null}]}\n\n'
        b'data: {"id":"cmpl-1","object":"chat.completion.chunk","created":1,"model":"moonshot-v1-8k",'
        b'"choices":[{"index":0,"delta":{},"finish_reason":"stop","usage":' + json.dumps(usage).encode() + b"}]}\n\n"
        b"data: [DONE]\n\n"
    )
    stream = gs.Stream(body)
    completion = stream.final_completion()
    assert completion.usage == gs.types.CompletionUsage.from_dict(usage)
    assert "usage" not in completion.choices[0].extra  # it moved to the completion: not kept twice
    assert completion.to_dict()["usage"] == usage
    assert [d.rule for d in stream.deviations] == ["usage-in-choice"]
