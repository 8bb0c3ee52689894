"""PartialJSON: every value shown is a prefix of the final one, whatever the split; the end is json.loads's."""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path
from typing import Any, Callable, Dict, List

import pytest

import groqstream as gs
from tests.helpers import capture_paths, fixture_paths, provider_paths, strip_capture


def is_prefix(partial: Any, final: Any) -> bool:
    """Whether *partial* can grow into *final*: complete values equal, the open one (last) a prefix in turn."""
    if type(final) is dict:
        if type(partial) is not dict:
            return False
        keys, final_keys = list(partial), list(final)
        if keys != final_keys[: len(keys)]:
            return False
        return all(partial[k] == final[k] and same_types(partial[k], final[k]) for k in keys[:-1]) and (
            not keys or is_prefix(partial[keys[-1]], final[keys[-1]])
        )
    if type(final) is list:
        if type(partial) is not list or len(partial) > len(final):
            return False
        n = len(partial)
        return all(same_types(a, b) and a == b for a, b in zip(partial[:-1], final)) and (
            not n or is_prefix(partial[-1], final[n - 1])
        )
    if type(final) is str:
        return type(partial) is str and final.startswith(partial)
    return type(partial) is type(final) and partial == final


def same_types(a: Any, b: Any) -> bool:
    if type(a) is not type(b):
        return False
    if type(a) is dict:
        return list(a) == list(b) and all(same_types(a[k], b[k]) for k in a)
    if type(a) is list:
        return len(a) == len(b) and all(same_types(x, y) for x, y in zip(a, b))
    return True


def strict_loads(text: str) -> Any:
    def refuse(name: str) -> Any:
        raise ValueError(f"{name} is not JSON")

    return json.loads(text, parse_constant=refuse)


def random_value(rng: random.Random, depth: int = 0) -> Any:
    kind = rng.choice(["str", "int", "float", "lit", "obj", "arr"] if depth < 4 else ["str", "int", "float", "lit"])
    if kind == "str":
        alphabet = [
            "a",
            "b",
            " ",
            '"',
            "\\",
            "/",
            "\n",
            "\t",
            "\x01",
            "é",
            "€",
            "😀",
            "\ud83d",
            "z",
            ":",
            ",",
            "}",
            "]",
        ]
        return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 8)))
    if kind == "int":
        return rng.choice([0, 1, -1, 7, 12345678901234567890, -42])
    if kind == "float":
        return rng.choice([0.5, -1.25, 1e-7, 3.0e21, 2.5e-300, 123.456])
    if kind == "lit":
        return rng.choice([True, False, None])
    if kind == "obj":
        return {
            rng.choice(["a", "b", "key", "", "ü", 'a"b']) + str(i): random_value(rng, depth + 1)
            for i in range(rng.randint(0, 4))
        }
    return [random_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]


def random_text(rng: random.Random, value: Any) -> str:
    style = rng.randrange(4)
    if style == 0:
        return json.dumps(value)
    if style == 1:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if style == 2:
        return json.dumps(value, indent=2, ensure_ascii=rng.random() < 0.5)
    return " \n" + json.dumps(value, ensure_ascii=False) + "\t "


def documents() -> List[str]:
    rng = random.Random(16)
    docs = [random_text(rng, random_value(rng)) for _ in range(250)]
    docs += [
        '"\\ud83d\\ude00"',
        '"\\ud83d"',
        '"\\ud83dx"',
        '"\\ud83d\\u0041"',
        "0",
        "-0.5e+3",
        "[]",
        "{}",
        '""',
        "null",
    ]
    return docs + tool_arguments()


def tool_arguments() -> List[str]:
    """The tool-call arguments of the real captures and the repository's fixtures, as they were sent."""
    found = []
    for path in [*fixture_paths(), *capture_paths(), *provider_paths()]:
        try:
            completion = gs.Stream(strip_capture(path.read_bytes())).final_completion()
        except gs.GroqStreamError:
            continue
        for choice in completion.choices:
            for call in choice.message.tool_calls or []:
                if call.function.arguments:
                    found.append(call.function.arguments)
    return found


DOCUMENTS = documents()


def values_per_character(text: str) -> List[Any]:
    parser = gs.PartialJSON()
    values = []
    for ch in text:
        values.append(copy.deepcopy(parser.feed(ch)))
    return values


def test_there_are_real_tool_arguments_among_the_documents() -> None:
    assert len(DOCUMENTS) > 250
    if capture_paths():
        assert len(tool_arguments()) >= 3


@pytest.mark.parametrize("index", range(0, len(DOCUMENTS)))
def test_every_prefix_shows_a_prefix_of_the_final_value_and_the_end_is_json_loads(index: int) -> None:
    text = DOCUMENTS[index]
    final = strict_loads(text)
    values = values_per_character(text)
    previous: Any = None
    started = False
    for value in values:
        if value is None and not started:
            continue
        started = True
        assert is_prefix(value, final), (text, value)
        if previous is not None:
            assert is_prefix(previous, value), (text, previous, value)  # nothing flips or vanishes
        previous = value
    parser = gs.PartialJSON()
    parser.feed(text)
    end = parser.finish()
    assert end == final and same_types(end, final)


@pytest.mark.parametrize("seed", range(12))
def test_any_split_gives_the_same_values_at_the_same_positions(seed: int) -> None:
    rng = random.Random(seed)
    for text in rng.sample(DOCUMENTS, 20):
        expected = values_per_character(text)
        parser = gs.PartialJSON()
        position = 0
        while position < len(text):
            size = rng.choice([1, 2, 3, 8, 13, 64, 1000])
            piece = text[position : position + size]
            position += len(piece)
            assert parser.feed(piece) == expected[position - 1], (text, position)
            assert parser.length == position
        assert parser.finish() == strict_loads(text)


def test_what_is_shown_and_what_waits() -> None:
    parser = gs.PartialJSON()
    steps: Dict[str, Any] = {
        '{"a': {},  # a key is not shown before its value begins
        '": ': {},
        "tr": {},  # no `tr` as true
        "ue, ": {"a": True},
        '"n": 1.': {"a": True},  # no `1.` as 1
        "5": {"a": True},
        ",": {"a": True, "n": 1.5},
        ' "s": "x\\': {"a": True, "n": 1.5, "s": "x"},  # a cut escape waits
        "n": {"a": True, "n": 1.5, "s": "x\n"},
        '", "l": [': {"a": True, "n": 1.5, "s": "x\n", "l": []},
        "nul": {"a": True, "n": 1.5, "s": "x\n", "l": []},
        "l]}": {"a": True, "n": 1.5, "s": "x\n", "l": [None]},
    }
    for piece, shown in steps.items():
        assert parser.feed(piece) == shown, piece
    assert parser.done and parser.finish() == shown
    top = gs.PartialJSON()
    assert top.feed("42") is None and not top.has_value  # a top-level number ends only at finish()
    assert top.finish() == 42


def test_the_value_grows_in_place() -> None:
    parser = gs.PartialJSON()
    first = parser.feed('{"rows": [{"a": 1}')
    assert parser.feed(', {"a": 2}]}') is first and first == {"rows": [{"a": 1}, {"a": 2}]}


@pytest.mark.parametrize(
    ("text", "position", "reason"),
    [
        ('{"a" 1}', 5, "expected ':'"),
        ("[1,]", 3, "expected a value"),
        ('{"a": 01}', 6, "not a JSON number: '01'"),
        ('"\\x"', 1, "invalid escape"),
        ('"a\nb"', 2, "control character"),
        ("[NaN]", 1, "expected a value"),
        ('{"a": 1}}', 8, "expected the end of the text"),
        ('{"a": 1', 7, "the text ends where ',' or a closing bracket was expected"),
        ('{"a": "b', 8, "the text ends inside a string"),
        ("", 0, "the text ends where a value was expected"),
        ("tru", 0, "ends inside 'true'"),
    ],
)
def test_invalid_or_cut_text_is_named_with_its_position(text: str, position: int, reason: str) -> None:
    parser = gs.PartialJSON()
    with pytest.raises(gs.InvalidJSONError) as caught:
        parser.feed(text)
        parser.finish()
    assert caught.value.position == position and reason in caught.value.reason
    assert isinstance(caught.value, ValueError) and f"at character {position}" in str(caught.value)
    with pytest.raises(gs.InvalidJSONError):  # it stays failed
        parser.feed("1")


@pytest.mark.parametrize("seed", range(8))
def test_broken_documents_fail_exactly_when_json_loads_fails(seed: int) -> None:
    rng = random.Random(1000 + seed)
    for text in rng.sample(DOCUMENTS, 40):
        cut = rng.randrange(len(text) + 1)
        mutated = rng.choice(
            [text[:cut], text[:cut] + rng.choice(['"', "}", "]", ",", ":", "x", "\\", "1", " "]) + text[cut:]]
        )
        try:
            want: Any = strict_loads(mutated)
        except ValueError:
            want = "error"
        parser = gs.PartialJSON()
        try:
            parser.feed(mutated)
            got = parser.finish()
        except gs.InvalidJSONError:
            got = "error"
        assert got == want and (got == "error" or same_types(got, want)), mutated


# --- in the accumulator -------------------------------------------------------------------------

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def chunk(delta: Dict[str, Any], finish: Any = None) -> bytes:
    obj = {"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m",
           "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}  # fmt: skip
    return b"data: " + json.dumps(obj).encode() + b"\n\n"


def tool_stream(fragments: List[str]) -> bytes:
    first = {
        "tool_calls": [{"index": 0, "id": "call_1", "type": "function", "function": {"name": "write", "arguments": ""}}]
    }
    parts = [chunk(first)]
    parts += [chunk({"tool_calls": [{"index": 0, "function": {"arguments": f}}]}) for f in fragments]
    return b"".join([*parts, chunk({}, "tool_calls"), b"data: [DONE]\n\n"])


def test_tool_call_deltas_carry_the_arguments_as_they_grow() -> None:
    arguments = '{"path": "notes/todo.md", "lines": [1, 22, 333], "append": true}'
    fragments = [arguments[i : i + 5] for i in range(0, len(arguments), 5)]
    accumulator = gs.ChatCompletionAccumulator()
    shown, done = [], []
    for c in gs.Stream(tool_stream(fragments), accumulate=False):
        for event in accumulator.add(c):
            if isinstance(event, gs.ToolCallArgumentsDelta):
                shown.append(copy.deepcopy(event.partial))
                assert is_prefix(event.partial, json.loads(arguments))
            elif isinstance(event, gs.ToolCallDone):
                done.append(event)
    assert shown[0] == {} and {"path": "notes"} in shown and shown[-1] == json.loads(arguments)
    assert {"path": "notes/todo.md", "lines": [1, 2]} not in shown  # 22 was never shown as 2
    assert done and done[0].parsed_arguments() == json.loads(arguments)
    calls = accumulator.completion.choices[0].message.tool_calls or []
    assert calls[0].function.parsed_arguments() == json.loads(arguments)


def test_cut_arguments_are_reported_by_the_strict_parse_not_defaulted() -> None:
    accumulator = gs.ChatCompletionAccumulator()
    events = [
        e for c in gs.Stream(tool_stream(['{"path": "a', '.md", "n": 1']), accumulate=False) for e in accumulator.add(c)
    ]
    partial = [e.partial for e in events if isinstance(e, gs.ToolCallArgumentsDelta)]
    assert partial == [{"path": "a.md"}, {"path": "a.md"}]  # the number never ended
    done = next(e for e in events if isinstance(e, gs.ToolCallDone))
    with pytest.raises(gs.InvalidJSONError) as caught:
        done.parsed_arguments()
    assert caught.value.position == len('{"path": "a.md", "n": 1') and "ends where" in caught.value.reason


def test_invalid_arguments_keep_the_last_valid_partial_value() -> None:
    accumulator = gs.ChatCompletionAccumulator()
    events = [
        e
        for c in gs.Stream(tool_stream(['{"a": 1, ', "oops", '"b": 2}']), accumulate=False)
        for e in accumulator.add(c)
    ]
    partial = [e.partial for e in events if isinstance(e, gs.ToolCallArgumentsDelta)]
    assert partial == [{"a": 1}, {"a": 1}, {"a": 1}]
    with pytest.raises(gs.InvalidJSONError, match="at character 9"):
        next(e for e in events if isinstance(e, gs.ToolCallDone)).parsed_arguments()


def test_content_deltas_of_a_json_answer_carry_the_partial_value() -> None:
    answer = '{"rows": [{"name": "Ada"}, {"name": "Grace"}]}'
    data = b"".join(
        [
            *(chunk({"content": answer[i : i + 7]}) for i in range(0, len(answer), 7)),
            chunk({}, "stop"),
            b"data: [DONE]\n\n",
        ]
    )
    accumulator = gs.ChatCompletionAccumulator()
    shown = [
        copy.deepcopy(e.partial)
        for c in gs.Stream(data, accumulate=False)
        for e in accumulator.add(c)
        if isinstance(e, gs.ContentDelta)
    ]
    assert shown[0] == {} and {"rows": [{"name": "A"}]} in shown and shown[-1] == json.loads(answer)


def test_the_real_fragmented_fixture_shows_growing_arguments() -> None:
    accumulator = gs.ChatCompletionAccumulator()
    seen: Dict[int, List[Any]] = {}
    for c in gs.Stream((FIXTURES / "tool-calls-fragments.sse").read_bytes(), accumulate=False):
        for event in accumulator.add(c):
            if isinstance(event, gs.ToolCallArgumentsDelta):
                seen.setdefault(event.tool_index, []).append(copy.deepcopy(event.partial))
    calls = accumulator.completion.choices[0].message.tool_calls or []
    assert calls and len(seen) == len(calls)
    for tool_index, call in zip(sorted(seen), calls):
        final = call.function.parsed_arguments()
        values = seen[tool_index]
        assert all(v is None or is_prefix(v, final) for v in values) and values[-1] == final


def test_replay_events_shows_the_partial_arguments() -> None:
    from tests.test_cli_inputs import cli

    result = cli("replay", "--format", "events", str(FIXTURES / "tool-calls-fragments.sse"))
    lines = [line for line in result.stdout.splitlines() if "arguments so far" in line]
    assert result.returncode == 0 and len(lines) >= 2
    assert lines[-1].startswith("    tool call ") and lines[-1].rstrip().endswith("}")


# --- linear in the total input, however it is fed (issue 24) ---------------------------------------------------


def test_a_long_number_fed_a_character_at_a_time_is_read_in_linear_time() -> None:
    # Each character used to re-scan the whole number so far: 50k digits took seconds (100k: 14 s).
    import time

    parser = gs.PartialJSON()
    started = time.monotonic()
    parser.feed("[0.")
    for _ in range(50_000):
        parser.feed("7")
    parser.feed("]")
    assert time.monotonic() - started < 1.5  # about 0.1 s; quadratic was 3.5 s and more
    assert parser.finish() == [0.7777777777777778]


def count_joined(monkeypatch: pytest.MonkeyPatch) -> Callable[[], int]:
    """Count the characters PartialJSON copies into shown strings (every join goes through ``_join``)."""
    from groqstream.core import partial_json as _partial_json

    copied = [0]
    join = _partial_json._join

    def counting_join(parts: List[str]) -> str:
        text = join(parts)
        copied[0] += len(text)
        return text

    monkeypatch.setattr(_partial_json, "_join", counting_join)
    return lambda: copied[0]


def test_a_long_string_fed_a_character_at_a_time_costs_linear_work(monkeypatch: pytest.MonkeyPatch) -> None:
    # Showing the open string after every feed re-joined all of it: 1M characters took 23 s. Count what is
    # copied into shown strings: linear means a bounded number of copies per character fed.
    copied = count_joined(monkeypatch)
    parser = gs.PartialJSON()
    size = 300_000
    parser.feed('{"s": "')
    for _ in range(size):
        parser.feed("x")
    assert len(parser.value["s"]) == size  # reading `value` shows all of it
    assert parser.feed('"}') == {"s": "x" * size}
    assert copied() < 3000 * size  # quadratic would be size * size / 2 = 150_000 * size


@pytest.mark.parametrize("kind", ["tool-call", "content"])
def test_partial_read_on_every_event_of_a_long_string_costs_linear_work(
    kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The documented path: one character per chunk, `.partial` read on each event. It re-joined the whole open
    # string on every read (1M characters: 17.5 s); it shows what the last feed showed, in bounded steps.
    copied = count_joined(monkeypatch)
    size = 20_000
    fragments = ['{"s": "', *["x"] * size, '"}']
    if kind == "tool-call":
        data = tool_stream(fragments)
    else:
        data = b"".join([*(chunk({"content": f}) for f in fragments), chunk({}, "stop"), b"data: [DONE]\n\n"])
    accumulator = gs.ChatCompletionAccumulator()
    fed = -len(fragments[0])
    for c in gs.Stream(data, accumulate=False):
        for event in accumulator.add(c):
            if isinstance(event, (gs.ToolCallArgumentsDelta, gs.ContentDelta)):
                fed += len(event.delta)
                shown = event.partial["s"]
                if fed <= size:  # the open string: shown in steps, never far behind
                    assert 0 <= fed - len(shown) <= fed // 1000 + 1
    assert shown == "x" * size  # whole once it ended
    assert copied() < 3000 * size  # quadratic would be size * size / 2 = 10_000 * size


def test_a_shown_string_only_grows_and_is_complete_when_read_or_ended() -> None:
    parser = gs.PartialJSON()
    parser.feed('["')
    shown = ""
    for i in range(20_000):
        value = parser.feed("ab"[i % 2])
        assert value[0].startswith(shown) and ("ab" * 10_000).startswith(value[0])
        shown = value[0]
    assert parser.value == ["ab" * 10_000]
    assert parser.feed('"]') == ["ab" * 10_000]


@pytest.mark.parametrize("digits", [4_301, 100_000])
def test_an_integer_longer_than_pythons_limit_is_invalid_json(digits: int) -> None:
    # int() raises a plain ValueError past sys.get_int_max_str_digits() (4,300): that must not escape.
    parser = gs.PartialJSON()
    with pytest.raises(gs.InvalidJSONError, match="digits") as info:
        parser.feed("[" + "7" * digits + "]")
    assert info.value.position == 1
    with pytest.raises(gs.InvalidJSONError):
        parser.feed("1")  # failed for good
    top = gs.PartialJSON()
    top.feed("9" * digits)
    with pytest.raises(gs.InvalidJSONError, match="digits"):
        top.finish()


def test_an_integer_at_pythons_limit_is_read() -> None:
    assert gs.PartialJSON().feed("[" + "7" * 4_300 + "]") == [int("7" * 4_300)]
