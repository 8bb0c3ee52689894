"""stats and validate as a newcomer meets them (#25): the timed sample, usage as a note, reasoning tokens, Groq's
timings, n>1 streams, the JSON figures, and the progress bar of a multi-file run on a terminal."""

from __future__ import annotations

import io
import json
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest

import groqstream as gs
from groqstream.tools.cli import SAMPLE_PATH, main
from groqstream.tools.report import stats_of, validate
from tests.helpers import FIXTURES, PROVIDERS, provider_paths, requires_providers, strip_capture
from tests.test_cli import run, sample_text

BODY = (Path(gs.__file__).parent / "sample.sse").read_bytes()


def chunk(
    delta: Dict[str, Any],
    finish: Optional[str] = None,
    *,
    index: int = 0,
    usage: Optional[Dict[str, Any]] = None,
    x_groq: Optional[Dict[str, Any]] = None,
) -> bytes:
    payload: Dict[str, Any] = {
        "id": "chatcmpl-s",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "m",
        "choices": [{"index": index, "delta": delta, "finish_reason": finish}],
    }
    if usage is not None:
        payload["usage"] = usage
    if x_groq is not None:
        payload["x_groq"] = x_groq
    return b"data: " + json.dumps(payload).encode() + b"\n\n"


def write(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


# --- the bundled sample is a timed capture -----------------------------------------------------


def test_the_bundled_sample_is_timed_and_is_the_plain_sample_plus_arrival_times() -> None:
    timed = Path(SAMPLE_PATH).read_bytes()
    assert timed.startswith(b": groqstream-capture 1 model=llama-3.3-70b-versatile start=")
    assert strip_capture(timed) == BODY  # the same bytes as the plain sample.sse, so the two cannot drift
    times = [t.time or 0.0 for t in gs.tools.iter_capture(timed)]
    assert len(times) == 41 and times[0] > 0.2 and times == sorted(times)


def test_replay_of_the_sample_prints_the_same_text_and_summary(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["replay", "--sample"]) == 0
    out, err = capsys.readouterr()
    assert out == gs.Stream(BODY).text() + "\n" == sample_text() + "\n"
    assert err == "-- 40 chunks, finish_reason=stop, usage: 18 prompt + 38 completion = 56 tokens\n"


def test_stats_svg_works_on_the_sample(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    svg = tmp_path / "sample.svg"
    assert main(["stats", "--sample", "--svg", str(svg)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("the bundled sample:\n") and "time to first output   224.5 ms" in out
    root = ET.fromstring(svg.read_text(encoding="utf-8"))
    assert root.tag.endswith("svg")
    assert main(["stats", SAMPLE_PATH, "--svg", str(tmp_path / "again.svg")]) == 0  # by its path, as well
    assert main(["validate", "--sample"]) == 0
    assert capsys.readouterr().out.endswith("the bundled sample: clean, 0 notes\n")


def test_the_documented_way_to_time_any_capture_through_serve_works(tmp_path: Path) -> None:
    """docs/capture-format.md: `serve FILE --rate N`, then `chat ... --base-url ... --record` with no API key."""
    import os

    untimed = write(tmp_path, "untimed.sse", BODY)
    timed = tmp_path / "timed.sse"
    with gs.tools.serve([untimed], rate=200) as server:
        env = {k: v for k, v in os.environ.items() if k not in ("GROQ_API_KEY", "GROQ_BASE_URL")}
        import subprocess

        result = subprocess.run(
            [sys.executable, "-m", "groqstream", "chat", "x", "--base-url", server.url + "/v1", "--record", str(timed)],
            capture_output=True,
            env=env,
            timeout=60,
        )
    assert result.returncode == 0, result.stderr
    assert strip_capture(timed.read_bytes()) == BODY
    stats = stats_of(timed.read_bytes())
    assert stats.timed and stats.gap_p50 is not None and stats.gap_p50 > 0.001  # paced at 200 events per second


# --- validate: no usage is a note -------------------------------------------------------------


NO_USAGE = chunk({"role": "assistant", "content": "Hi"}) + chunk({}, "stop") + b"data: [DONE]\n\n"


def test_a_stream_without_usage_is_a_note_unless_usage_is_required(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (finding,) = validate(NO_USAGE)
    assert (finding.severity, finding.code) == ("note", "no-usage")
    assert "stream_options" in finding.message  # says how to ask for it
    assert [f.severity for f in validate(NO_USAGE, require_usage=True)] == ["problem"]
    assert [f.severity for f in validate(NO_USAGE, strict=True)] == ["note"]  # the schema does not need usage
    path = write(tmp_path, "no-usage.sse", NO_USAGE)
    assert main(["validate", path]) == 0
    assert capsys.readouterr().out.startswith(f"{path}: clean, 1 note\n")
    assert main(["validate", "--require-usage", path]) == 1
    assert "problem  no-usage" in capsys.readouterr().out


@requires_providers
def test_no_real_provider_stream_fails_validate_only_for_lacking_usage() -> None:
    without_usage = 0
    for path in provider_paths():
        findings = validate(path.read_bytes())
        problems = [f.code for f in findings if f.severity == "problem"]
        assert "no-usage" not in problems, path.name
        if any(f.code == "no-usage" for f in findings):
            without_usage += 1
            required = validate(path.read_bytes(), require_usage=True)
            assert "no-usage" in [f.code for f in required if f.severity == "problem"], path.name
    assert without_usage >= 5, f"expected several streams without usage in {PROVIDERS}"


# --- stats: tokens, timings, choices, JSON ----------------------------------------------------


def stats_text(tmp_path: Path, data: bytes, capsys: pytest.CaptureFixture[str]) -> str:
    main(["stats", write(tmp_path, "s.sse", data)])
    return capsys.readouterr().out


def test_stats_shows_reasoning_tokens_so_the_sum_adds_up(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # xAI: reasoning tokens outside completion_tokens (12 + 1 + 290 = 303)
    xai = {"prompt_tokens": 12, "completion_tokens": 1, "total_tokens": 303}
    xai["completion_tokens_details"] = {"reasoning_tokens": 290}  # type: ignore[assignment]
    out = stats_text(tmp_path, chunk({"content": "4"}, "stop", usage=xai) + b"data: [DONE]\n\n", capsys)
    assert "tokens                 12 prompt + 1 completion + 290 reasoning = 303\n" in out
    assert main(["replay", str(tmp_path / "s.sse")]) == 0  # replay's and chat's summary line add up too
    assert capsys.readouterr().err.endswith("usage: 12 prompt + 1 completion + 290 reasoning = 303 tokens\n")
    # OpenAI, DeepSeek: reasoning tokens inside completion_tokens (6 + 212 = 218, 198 of them reasoning)
    inside = {"prompt_tokens": 6, "completion_tokens": 212, "total_tokens": 218}
    inside["completion_tokens_details"] = {"reasoning_tokens": 198}  # type: ignore[assignment]
    out = stats_text(tmp_path, chunk({"content": "4"}, "stop", usage=inside) + b"data: [DONE]\n\n", capsys)
    assert "tokens                 6 prompt + 212 completion (198 of them reasoning) = 218\n" in out
    assert main(["stats", "--json", str(tmp_path / "s.sse")]) == 0
    assert json.loads(capsys.readouterr().out)[0]["reasoning_tokens"] == 198


def test_stats_shows_groq_timings_only_for_streams_that_have_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    usage = {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4}
    out = stats_text(tmp_path, chunk({"content": "a"}, "stop", usage=usage) + b"data: [DONE]\n\n", capsys)
    assert "3 prompt + 1 completion = 4" in out and "Groq's timings" not in out
    assert main(["stats", "--sample"]) == 0
    assert "Groq's timings         queue 41.7 ms, prompt 2.1 ms, completion 78.2 ms" in capsys.readouterr().out


def test_stats_of_a_stream_with_several_choices_says_it_counts_choice_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = (
        chunk({"content": "one"})
        + chunk({"content": "two, longer"}, index=1)
        + chunk({"content": "three"}, index=2)
        + chunk({}, "stop")
        + chunk({}, "length", index=1)
        + chunk({}, "stop", index=2)
        + b"data: [DONE]\n\n"
    )
    out = stats_text(tmp_path, data, capsys)
    assert "choices                3: output figures below are choice 0's; chunks and tokens count all\n" in out
    assert "content / reasoning    3 / 0 characters" in out
    assert main(["stats", "--json", str(tmp_path / "s.sse")]) == 0
    assert json.loads(capsys.readouterr().out)[0]["choices"] == 3
    single = stats_text(tmp_path, NO_USAGE, capsys)
    assert "choices" not in single


def test_stats_json_rounds_to_the_microsecond_and_names_keys_as_the_text_does(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["stats", "--json", "--sample"]) == 0
    (figures,) = json.loads(capsys.readouterr().out)
    assert "time_to_first_output" in figures and "time_to_first_token" not in figures
    assert figures["time_to_first_output"] == 0.22451
    floats = [value for value in figures.values() if isinstance(value, float)]
    assert floats and all(value == round(value, 6) for value in floats)
    assert figures["queue_time"] == 0.041718  # Groq's own figure, to the microsecond as well
    for key in ("gap_p50", "total_time", "tokens_per_second", "chunks_per_second"):
        assert len(repr(figures[key]).split(".")[1]) <= 6, (key, figures[key])


# --- several files on a terminal ----------------------------------------------------------------


def screen(text: str) -> List[str]:
    """What a terminal shows for *text*: CR returns to the line's start, ESC [K erases to its end."""
    lines: List[str] = []
    for raw in text.split("\n"):
        line: List[str] = []
        column = 0
        for part in re.split(r"(\r|\x1b\[K)", raw):
            if part == "\r":
                column = 0
            elif part == "\x1b[K":
                del line[column:]
            else:
                line[column : column + len(part)] = list(part)
                column += len(part)
        lines.append("".join(line))
    return lines


def test_the_progress_bar_is_cleared_before_each_files_header_on_a_terminal(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()  # stdout and stderr on one screen, as in a terminal
    monkeypatch.setattr(sys, "stdout", terminal)
    monkeypatch.setattr(sys, "stderr", terminal)
    files = [str(FIXTURES / "text-crlf.sse"), str(FIXTURES / "truncated.sse"), str(FIXTURES / "text-cr.sse")]
    assert main(["replay", *files]) == 1
    shown = screen(terminal.getvalue())
    monkeypatch.undo()
    headers = [line for line in shown if "==>" in line]
    assert len(headers) == 3 and all(line.startswith("==> ") for line in headers), shown
    errors = [line for line in shown if "groqstream: error" in line]
    assert len(errors) == 1 and errors[0].startswith("groqstream: error in "), shown
    assert shown[-2] == "[" + "#" * 30 + "] 3/3 files"  # the bar, on a line of its own at the end
    assert "Carriage returns only." in shown


def test_a_real_process_plays_the_sample_unchanged() -> None:
    result = run("replay", "--sample")
    assert result.returncode == 0 and result.stdout.decode("utf-8") == sample_text() + "\n"
    assert result.stderr == b"-- 40 chunks, finish_reason=stop, usage: 18 prompt + 38 completion = 56 tokens\n"
