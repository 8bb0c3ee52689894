"""stats, validate and the SVG timeline, computed directly from captures."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import List

import pytest

import groqstream as gs
from groqstream.tools.report import gap_histogram, stats_of, timeline_svg, validate
from tests.helpers import FIXTURES, capture_paths, fixture_paths, requires_captures

VALIDATE = FIXTURES / "validate"
SAMPLE = (Path(gs.__file__).parent / "sample.sse").read_bytes()
SINGLE_PROBLEM = {
    "bom": "bom",
    "invalid-utf8": "invalid-utf8",
    "invalid-json": "invalid-json",
    "invalid-chunk": "invalid-chunk",
    "invalid-chunk-type": "invalid-chunk",
    "no-done": "no-done",
    "data-after-done": "data-after-done",
    "error-event": "error-event",
    "no-usage": "no-usage",
}


# Seeded problems that a Stream reads unless strict=True: the note validate gives instead.
READ_LENIENTLY = {
    "invalid-chunk": ("missing-key", 1, "model: absent; read as ''"),  # a chunk without "model"
    "no-done": (
        "no-done",
        None,
        "no 'data: [DONE]', but every choice has a finish_reason: read as the end of the stream",
    ),
}


def problems(data: bytes, strict: bool = False) -> List[str]:
    # Usage is required here: a stream without it is a problem only then (a note otherwise, #25).
    return [f.code for f in validate(data, strict=strict, require_usage=True) if f.severity == "problem"]


@pytest.mark.parametrize("name", sorted(SINGLE_PROBLEM))
def test_validate_finds_each_seeded_problem_and_nothing_else(name: str) -> None:
    data = (VALIDATE / f"{name}.sse").read_bytes()
    assert problems(data, strict=True) == [SINGLE_PROBLEM[name]]
    if name in READ_LENIENTLY:  # a problem only with strict; otherwise read, and noted (#12)
        code, event_index, message = READ_LENIENTLY[name]
        assert problems(data) == []
        (note,) = [f for f in validate(data) if f.code == code]
        assert (note.severity, note.event_index, note.message) == ("note", event_index, message)
    else:
        assert problems(data) == [SINGLE_PROBLEM[name]]


def test_validate_names_the_byte_offset_and_event_of_each_problem() -> None:
    data = (VALIDATE / "invalid-json.sse").read_bytes()
    (finding,) = [f for f in validate(data) if f.severity == "problem"]
    assert finding.event_index == 1 and finding.offset == data.index(b'data: {"id": ')
    utf8 = (VALIDATE / "invalid-utf8.sse").read_bytes()
    (bad,) = validate(utf8)
    assert bad.offset == utf8.index(b"\xe9") and bad.event_index == 1
    cut = (VALIDATE / "unterminated-event.sse").read_bytes()
    first = next(f for f in validate(cut) if f.code == "unterminated-event")
    assert first.offset == cut.rindex(b"\n\n") + 2 and first.event_index == 3


def test_validate_reports_the_error_event_code_and_message() -> None:
    (finding,) = validate((VALIDATE / "error-event.sse").read_bytes())
    assert "tool_use_failed" in finding.message and "Tool call validation failed" in finding.message


def test_an_unterminated_event_also_means_no_done() -> None:
    assert problems((VALIDATE / "unterminated-event.sse").read_bytes()) == ["unterminated-event", "no-done"]


def test_notes_name_unknown_keys_and_changing_ids_without_problems() -> None:
    findings = validate((VALIDATE / "notes-only.sse").read_bytes())
    assert [(f.severity, f.code) for f in findings] == [
        ("note", "unknown-key"),
        ("note", "id-changed"),
        ("note", "created-changed"),
    ]
    assert "choices[].delta.channel" in findings[0].message and findings[0].event_index == 0


@pytest.mark.parametrize(
    "path",
    [
        VALIDATE / "clean.sse",
        *[p for p in fixture_paths() if p.stem in ("text-crlf", "tool-calls-fragments", "parallel-tool-calls")],
    ],
    ids=lambda p: p.stem,
)
def test_clean_streams_have_no_problems(path: Path) -> None:
    assert problems(path.read_bytes()) == []


@requires_captures
@pytest.mark.parametrize("path", capture_paths(), ids=lambda p: p.stem)
def test_real_captures_have_problems_only_when_they_hold_an_error(path: Path) -> None:
    found = problems(path.read_bytes())
    assert found == (["error-event"] if "error" in path.stem else [])


def test_validate_copes_with_random_garbage() -> None:
    import random

    rng = random.Random(5)
    for _ in range(50):
        data = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 400)))
        for finding in validate(data):
            assert finding.severity in ("problem", "note")


# --- stats ---------------------------------------------------------------------------------


def timed_sample() -> bytes:
    out = io.BytesIO()
    writer = gs.tools.CaptureWriter(out, model="m", clock=lambda: 0.0)
    events = SAMPLE.split(b"\n\n")[:-1]
    for i, event in enumerate(events):
        writer.write(event + b"\n\n", at=0.25 + 0.01 * i + (0.5 if i >= 20 else 0.0))
    writer.close()
    return out.getvalue()


def test_stats_of_an_untimed_capture() -> None:
    stats = stats_of(SAMPLE)
    assert (stats.chunks, stats.events, stats.bytes) == (40, 41, len(SAMPLE))
    assert stats.content_chars == len(gs.Stream(SAMPLE).text())
    assert (stats.finish_reason, stats.prompt_tokens, stats.completion_tokens, stats.total_tokens) == (
        "stop",
        18,
        38,
        56,
    )
    assert stats.queue_time == pytest.approx(0.041718233)
    assert not stats.timed and stats.time_to_first_output is None and stats.gap_p50 is None


def test_stats_of_a_timed_capture() -> None:
    stats = stats_of(timed_sample())
    assert stats.timed
    # Event 0 holds role and an empty content; the first text arrives with event 1.
    assert stats.time_to_first_output == pytest.approx(0.26)
    assert stats.total_time == pytest.approx(0.25 + 0.39 + 0.5)
    assert stats.gap_max == pytest.approx(0.51) and stats.gap_p50 == pytest.approx(0.01)
    assert stats.tokens_per_second == pytest.approx(38 / (0.25 + 0.39 + 0.5 - 0.26))  # usage's completion tokens
    assert stats.chunks_per_second == pytest.approx(stats.text_chunks / (0.25 + 0.39 + 0.5 - 0.26))
    assert len(stats.gaps) == 39 and stats.timeline[0][1] == 1 and stats.timeline[0][0] == pytest.approx(0.26)
    assert {kind for _, _, kind in stats.timeline} == {"text"} and stats.text_chunks == len(stats.timeline)


def timed(events: List[bytes], step: float = 0.1) -> bytes:
    out = io.BytesIO()
    writer = gs.tools.CaptureWriter(out, model="m", clock=lambda: 0.0)
    for i, event in enumerate(events):
        writer.write(event, at=step * (i + 1))
    writer.close()
    return out.getvalue()


def delta_event(delta: str, finish: str = "null") -> bytes:
    return (
        b'data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,'
        b'"delta":' + delta.encode() + b',"finish_reason":' + finish.encode() + b"}]}\n\n"
    )


def test_stats_count_chunks_as_chunks_and_tokens_only_from_usage() -> None:
    events = [delta_event('{"content":"two words "}') for _ in range(5)] + [b"data: [DONE]\n\n"]
    stats = stats_of(timed(events))
    assert stats.completion_tokens is None and stats.tokens_per_second is None
    assert stats.text_chunks == 5 and stats.chunks_per_second == pytest.approx(5 / 0.4)  # as tokens per second


def test_stats_tell_reasoning_and_tool_call_chunks_apart_and_time_an_error() -> None:
    events = [
        delta_event('{"reasoning":"thinking"}'),
        delta_event('{"tool_calls":[{"index":0,"id":"t","type":"function","function":{"name":"f","arguments":""}}]}'),
        delta_event('{"tool_calls":[{"index":0,"function":{"arguments":"{}"}}]}'),
        b'event: error\ndata: {"error":{"message":"boom","type":"internal_server_error"}}\n\n',
    ]
    stats = stats_of(timed(events))
    assert (stats.reasoning_chunks, stats.tool_call_chunks, stats.text_chunks) == (1, 2, 0)
    assert [kind for _, _, kind in stats.timeline] == ["reasoning", "tool-call", "tool-call"]
    assert stats.error is not None and stats.error_time == pytest.approx(0.3)  # the last event before it


def test_stats_describe_a_broken_stream_instead_of_raising() -> None:
    stats = stats_of((VALIDATE / "error-event.sse").read_bytes())
    assert stats.error is not None and stats.error.startswith("StreamAPIError") and stats.chunks == 2


def test_gap_histogram_counts_by_decade() -> None:
    lines = gap_histogram([0.0005, 0.002, 0.003, 0.05, 2.0])
    assert [line.split()[-1] for line in lines] == ["1", "2", "1", "0", "1"]
    assert lines[1].count("#") == 40


# --- SVG ------------------------------------------------------------------------------------


def test_svg_is_well_formed_with_the_line_and_both_marks() -> None:
    stats = stats_of(timed_sample())
    svg = timeline_svg(stats, "groqstream: <sample> & co")
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    assert root.tag == f"{ns}svg"
    classes = [el.get("class") for el in root.iter() if el.get("class")]
    assert "chunks" in classes and classes.count("first-token") == 2 and classes.count("finish") == 2
    (line,) = [el for el in root.iter(f"{ns}polyline") if el.get("class") == "chunks"]
    assert len(line.get("points", "").split()) == 2 * len(stats.timeline) + 1  # a step per chunk
    assert classes.count("chunks text") == len(stats.timeline) and "error" not in classes
    texts = "".join(el.text or "" for el in root.iter(f"{ns}text"))
    assert "first output 0.260 s" in texts and "finish (stop)" in texts and "<sample> & co" in texts
    assert "usage: 38 completion tokens in 40 chunks" in texts and "chunks with output received" in texts
    assert "http" not in svg.replace("http://www.w3.org/2000/svg", "")  # self-contained: nothing to fetch


def test_svg_marks_reasoning_tool_calls_and_the_error_and_draws_a_stream_without_output() -> None:
    events = [
        delta_event('{"reasoning":"thinking"}'),
        delta_event('{"tool_calls":[{"index":0,"id":"t","type":"function","function":{"name":"f","arguments":"{}"}}]}'),
        b'event: error\ndata: {"error":{"message":"boom","type":"internal_server_error"}}\n\n',
    ]
    root = ET.fromstring(timeline_svg(stats_of(timed(events)), "t"))
    classes = [el.get("class") for el in root.iter() if el.get("class")]
    assert "chunks reasoning" in classes and "chunks tool-call" in classes and classes.count("error") == 2
    texts = [el.text or "" for el in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "reasoning" in texts and "tool call" in texts  # the legend
    assert any(text.startswith("error: StreamAPIError") for text in texts)
    assert any("tokens not reported" in text for text in texts)
    empty = ET.fromstring(timeline_svg(stats_of(timed([delta_event('{"role":"assistant"}', '"stop"')])), "t"))
    assert any("no chunk with text, reasoning or a tool call" in (el.text or "") for el in empty.iter())
