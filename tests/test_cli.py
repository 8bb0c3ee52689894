"""The replay command, through main([...]) and as a real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest

import groqstream as gs
from groqstream.tools.cli import SAMPLE_PATH, main
from tests.helpers import CAPTURES, FIXTURES, requires_captures, strip_capture

REPO = Path(__file__).resolve().parent.parent


BODY_PATH = str(Path(gs.__file__).parent / "sample.sse")  # the sample as the server sent it (untimed)
BODY = Path(BODY_PATH).read_bytes()


def sample_text() -> str:
    text = ""
    for block in BODY.decode("utf-8").split("\n\n"):
        if block.startswith("data: {"):
            text += json.loads(block[6:])["choices"][0]["delta"].get("content") or ""
    return text


def test_replay_without_file_prints_the_bundled_sample(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["replay"]) == 0
    out, err = capsys.readouterr()
    assert out == sample_text() + "\n"
    assert err == "-- 40 chunks, finish_reason=stop, usage: 18 prompt + 38 completion = 56 tokens\n"


def test_replay_of_a_file_with_tool_calls_shows_them_and_reports_finish_reason(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["replay", str(FIXTURES / "tool-calls-fragments.sse")]) == 0
    out, err = capsys.readouterr()
    assert out == '[tool call] get_weather({"city": "Paris", "unit": "c"})\n[tool call] get_time({"tz": "CET"})\n'
    assert "finish_reason=tool_calls" in err and "= 21 tokens" in err


def test_replay_of_a_truncated_stream_prints_text_then_fails(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["replay", str(FIXTURES / "truncated.sse")]) == 1
    out, err = capsys.readouterr()
    assert out == "Cut short\n"
    assert err.startswith("groqstream: error in ") and "without 'data: [DONE]' after 2 chunks" in err
    assert err.count("\n") == 1


def test_replay_of_a_missing_file_is_a_one_line_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["replay", str(tmp_path / "nope.sse")]) == 2
    _, err = capsys.readouterr()
    assert err.startswith("groqstream: error: cannot open ") and err.count("\n") == 1


def test_replay_of_garbage_is_a_one_line_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "bad.sse"
    path.write_bytes(b"data: {not json\n\n")
    assert main(["replay", str(path)]) == 1
    _, err = capsys.readouterr()
    assert "invalid JSON" in err and err.count("\n") == 1


@requires_captures
def test_replay_of_a_midstream_error_capture_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["replay", str(CAPTURES / "groq-gpt-oss-120b-error-after-content.sse")]) == 1
    _, err = capsys.readouterr()
    assert "Tool choice is required" in err


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["replay", "--speed", "0"], ["replay", "--realtime", "--speed", "2"], ["replay", "--frobnicate"]):
        with pytest.raises(SystemExit) as info:
            main(argv)
        assert info.value.code == 2
    capsys.readouterr()
    for argv, says in (
        (["stats"], "stats needs a FILE"),  # (pytest's stdin is no input)
        (["validate"], "validate needs a FILE"),
        (["replay", "--rate", "5"], "--rate paces an untimed capture"),
        (["replay", "--sample", SAMPLE_PATH], "--sample plays the bundled sample"),
    ):
        assert main(argv) == 2
        assert says in capsys.readouterr().err


def run(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "groqstream", *args], input=stdin, capture_output=True, cwd=REPO, timeout=60
    )


def test_python_dash_m_replays_the_sample() -> None:
    result = run("replay", "--sample")
    assert result.returncode == 0
    assert result.stdout.decode("utf-8") == sample_text() + "\n"
    assert b"40 chunks" in result.stderr


def test_python_dash_m_reads_stdin() -> None:
    result = run("replay", "-", stdin=(FIXTURES / "text-crlf.sse").read_bytes())
    assert result.returncode == 0
    assert result.stdout.decode("utf-8") == "Grüße aus Köln — 東京 🚀!\n"


def test_closed_pipe_is_quiet(tmp_path: Path) -> None:
    big = tmp_path / "big.sse"
    big.write_bytes(BODY.replace(b"data: [DONE]\n\n", b"") * 200 + b"data: [DONE]\n\n")
    with open(big, "rb") as stdin:
        proc = subprocess.Popen(
            [sys.executable, "-m", "groqstream", "replay", "-"],
            stdin=stdin,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=REPO,
        )
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.close()  # the reader goes away at once, like `| head -c 0`
        err = proc.stderr.read()
        proc.stderr.close()
        assert proc.wait(timeout=60) == 0
    assert b"Traceback" not in err, err


def test_help_lists_examples() -> None:
    result = run("replay", "--help")
    assert result.returncode == 0 and b"examples:" in result.stdout


def test_replay_format_final_prints_the_completion_json(capsys: pytest.CaptureFixture[str]) -> None:
    path = FIXTURES / "parallel-tool-calls.sse"
    assert main(["replay", "--format", "final", str(path)]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out) == json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))["completion"]
    assert err == ""


def test_replay_format_final_of_a_broken_stream_prints_the_partial_completion(
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = FIXTURES / "x-groq-error.sse"
    assert main(["replay", "--format", "final", str(path)]) == 1
    out, err = capsys.readouterr()
    assert json.loads(out) == json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))["completion"]
    assert "model overloaded" in err and err.count("\n") == 1


def test_unknown_format_is_a_usage_error() -> None:
    with pytest.raises(SystemExit) as info:
        main(["replay", "--format", "xml"])
    assert info.value.code == 2


# --- chat, against a local server ---------------------------------------------------------


def test_chat_streams_the_answer_records_it_and_replay_plays_it_back(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.servers import Handler, SSEServer

    sample = BODY
    monkeypatch.setenv("GROQ_API_KEY", "gsk_cli_test")

    def scenario(handler: Handler) -> None:
        handler.send_body(sample)

    record = tmp_path / "answer.sse"
    with SSEServer(scenario) as server:
        status = main(
            [
                "chat",
                "Hello?",
                "--model",
                "m1",
                "--system",
                "Be brief.",
                "--record",
                str(record),
                "--base-url",
                server.url,
            ]
        )
    assert status == 0
    out, err = capsys.readouterr()
    assert out == sample_text() + "\n"
    assert "40 chunks, finish_reason=stop" in err and "56 tokens" in err
    request = json.loads(server.requests[0]["body"])
    assert request["model"] == "m1" and request["stream"] is True
    assert request["messages"] == [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hello?"}]
    assert server.requests[0]["headers"]["authorization"] == "Bearer gsk_cli_test"
    recorded = record.read_bytes()
    assert recorded.startswith(b": groqstream-capture 1 model=m1 start=")
    assert strip_capture(recorded) == sample
    assert main(["replay", str(record)]) == 0
    assert capsys.readouterr().out == out


def test_chat_http_error_is_one_line(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.servers import Handler, SSEServer

    monkeypatch.setenv("GROQ_API_KEY", "gsk_cli_test")

    def scenario(handler: Handler) -> None:
        handler.send_json(404, {"error": {"message": "The model `nope` does not exist", "code": "model_not_found"}})

    with SSEServer(scenario) as server:
        assert main(["chat", "Hi", "--model", "nope", "--base-url", server.url]) == 1
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1
    assert "HTTP 404" in err and "model_not_found" in err and "gsk_cli_test" not in err


def test_chat_record_path_that_cannot_be_written_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert (
        main(["chat", "Hi", "--record", str(tmp_path / "missing" / "x.sse"), "--base-url", "http://127.0.0.1:9"]) == 2
    )
    assert capsys.readouterr().err.startswith("groqstream: error: cannot write ")


def test_chat_record_never_damages_an_existing_capture_when_the_request_fails(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time as time_module

    from tests.servers import Handler, SSEServer, free_port

    monkeypatch.setenv("GROQ_API_KEY", "gsk_cli_test")
    # A refused connection is retried after a backoff (about 2.5 s in all here): what is asserted is the file,
    # not the waiting, so the client's sleeps return at once.
    monkeypatch.setattr(time_module, "sleep", lambda seconds: None)
    record = tmp_path / "keep.sse"
    record.write_bytes(b"an earlier capture\n")
    record.chmod(0o640)

    def unauthorized(handler: Handler) -> None:
        handler.send_json(401, {"error": {"message": "Invalid API Key"}})

    with SSEServer(unauthorized) as server:
        assert main(["chat", "Hi", "--record", str(record), "--base-url", server.url]) == 1
    assert main(["chat", "Hi", "--record", str(record), "--base-url", f"http://127.0.0.1:{free_port()}"]) == 1
    assert record.read_bytes() == b"an earlier capture\n"
    fresh = tmp_path / "new.sse"
    assert main(["chat", "Hi", "--record", str(fresh), "--base-url", f"http://127.0.0.1:{free_port()}"]) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.sse"]  # no empty file, no temporary left
    capsys.readouterr()
    sample = BODY
    with SSEServer(lambda handler: handler.send_body(sample)) as server:
        assert main(["chat", "Hi", "--record", str(record), "--base-url", server.url]) == 0
    assert strip_capture(record.read_bytes()) == sample  # a stream that started replaces it
    assert record.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.sse"]


# --- replay formats, pacing, many files ------------------------------------------------------


def timed_sample(tmp_path: Path, gap: float = 0.02) -> Path:
    import io

    import groqstream as gs

    out = io.BytesIO()
    writer = gs.tools.CaptureWriter(out, model="m", clock=lambda: 0.0)
    for i, event in enumerate(BODY.split(b"\n\n")[:-1]):
        writer.write(event + b"\n\n", at=gap * i)
    writer.close()
    path = tmp_path / "timed.sse"
    path.write_bytes(out.getvalue())
    return path


def test_replay_formats_events_chunks_and_jsonl(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = timed_sample(tmp_path)
    assert main(["replay", "--format", "events", str(path)]) == 0
    events = capsys.readouterr().out.splitlines()
    assert len(events) == 41 and events[0].startswith("#0 t=0.000000 event='message' id='' data='{")
    assert events[-1] == "#40 t=0.800000 event='message' id='' data='[DONE]'"
    assert main(["replay", "--format", "chunks", str(path)]) == 0
    chunks = capsys.readouterr().out.splitlines()
    assert len(chunks) == 40 and chunks[1].startswith("#1 t=0.020000 ChatCompletionChunk(id='chatcmpl-")
    assert main(["replay", "--format", "jsonl", str(path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    original = [json.loads(b[6:]) for b in BODY.decode("utf-8").split("\n\n") if b.startswith("data: {")]
    assert [json.loads(line) for line in lines] == original


def test_replay_realtime_and_speed_pace_a_timed_capture(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import time as time_module

    path = timed_sample(tmp_path, gap=0.5)
    clock = [0.0]
    slept: List[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock[0] += seconds

    monkeypatch.setattr(time_module, "monotonic", lambda: clock[0])
    monkeypatch.setattr(time_module, "sleep", sleep)
    assert main(["replay", "--realtime", "--format", "events", str(path)]) == 0
    assert sum(slept) == pytest.approx(20.0) and len(slept) == 40  # 41 events, 0.5 s apart
    slept.clear()
    assert main(["replay", "--speed", "4", "--format", "events", str(path)]) == 0
    assert sum(slept) == pytest.approx(5.0)
    slept.clear()
    assert main(["replay", "--speed", "1", "--rate", "10", "--format", "events", BODY_PATH]) == 0  # untimed
    assert sum(slept) == pytest.approx(4.0)
    slept.clear()
    assert main(["replay", "--format", "events", str(path)]) == 0
    assert slept == []  # no pacing asked: as fast as possible


def test_replay_many_files_with_headers_final_array_and_status(capsys: pytest.CaptureFixture[str]) -> None:
    files = [str(FIXTURES / "text-crlf.sse"), str(FIXTURES / "truncated.sse"), str(FIXTURES / "text-cr.sse")]
    assert main(["replay", *files]) == 1  # one of them is broken; the others still play
    out, err = capsys.readouterr()
    assert out.count("==> ") == 3 and "Carriage returns only." in out and "Grüße aus Köln" in out
    assert err.count("groqstream: error in ") == 1
    assert main(["replay", "--format", "final", files[0], files[2]]) == 0
    completions = json.loads(capsys.readouterr().out)
    assert [c["choices"][0]["message"]["content"] for c in completions] == [
        "Grüße aus Köln — 東京 🚀!",
        "Carriage returns only.",
    ]


def test_replay_shows_a_progress_bar_only_on_a_terminal(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import io
    import sys

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    files = [str(FIXTURES / "text-crlf.sse")] * 3
    assert main(["replay", "--format", "jsonl", *files]) == 0
    assert "\r[" + "#" * 30 + "] 3/3 files\n" in terminal.getvalue()
    monkeypatch.undo()
    assert main(["replay", "--format", "jsonl", *files]) == 0
    assert "files" not in capsys.readouterr().err


# --- stats and validate ---------------------------------------------------------------------


def test_stats_text_json_and_svg(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = timed_sample(tmp_path)
    svg = tmp_path / "timeline.svg"
    assert main(["stats", str(path), "--svg", str(svg)]) == 0
    out = capsys.readouterr().out
    assert "tokens                 18 prompt + 38 completion = 56" in out
    assert "time to first output   20.0 ms" in out and "gaps between chunks" in out and "10-100 ms |" in out
    assert svg.read_text(encoding="utf-8").startswith("<svg ")
    assert main(["stats", "--json", str(path), BODY_PATH]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [d["timed"] for d in data] == [True, False]
    assert data[0]["gap_p50"] == pytest.approx(0.02) and data[1]["total_tokens"] == 56


def test_stats_svg_needs_one_timed_capture(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["stats", BODY_PATH, "--svg", str(tmp_path / "x.svg")]) == 2  # a usage error
    assert "is not a timed capture" in capsys.readouterr().err
    assert main(["stats", SAMPLE_PATH, SAMPLE_PATH, "--svg", str(tmp_path / "x.svg")]) == 2
    assert "exactly one FILE" in capsys.readouterr().err


def test_validate_text_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    clean, bad = str(FIXTURES / "validate" / "clean.sse"), str(FIXTURES / "validate" / "invalid-json.sse")
    assert main(["validate", clean]) == 0
    assert capsys.readouterr().out == f"{clean}: clean, 0 notes\n"
    assert main(["validate", clean, bad]) == 1
    out = capsys.readouterr().out
    assert f"{bad}: 1 problem, 0 notes\n" in out and "invalid-json        event 1, byte 218: invalid JSON" in out
    assert main(["validate", "--json", bad]) == 1
    (report,) = json.loads(capsys.readouterr().out)
    assert report["problems"] == 1 and report["findings"][0]["code"] == "invalid-json"
    assert report["findings"][0]["offset"] == 218 and report["findings"][0]["event_index"] == 1


def test_missing_files_are_one_line_usage_errors(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    for command in ("replay", "stats", "validate"):
        assert main([command, str(tmp_path / "nope.sse")]) == 2
        err = capsys.readouterr().err
        assert err.startswith("groqstream: error: cannot open ") and err.count("\n") == 1


@pytest.mark.parametrize(
    ("argv", "status", "expect"),
    [
        (["replay", "--format", "final", "-"], 0, b'"object": "chat.completion"'),
        (["stats", "-"], 0, b"18 prompt + 38 completion = 56"),
        (["validate", "-"], 0, b"stdin: clean"),
    ],
)
def test_each_subcommand_runs_as_a_real_process_on_stdin(argv: List[str], status: int, expect: bytes) -> None:
    result = run(*argv, stdin=Path(SAMPLE_PATH).read_bytes())
    assert result.returncode == status and expect in result.stdout and b"Traceback" not in result.stderr


@pytest.mark.parametrize("command", ["replay", "stats", "validate", "chat"])
def test_each_subcommand_has_help_with_examples(command: str) -> None:
    result = run(command, "--help")
    assert result.returncode == 0 and b"examples:" in result.stdout


def test_garbage_input_never_gives_a_traceback(tmp_path: Path) -> None:
    import random

    rng = random.Random(11)
    path = tmp_path / "garbage.sse"
    path.write_bytes(bytes(rng.randrange(256) for _ in range(3000)) + b"\n\ndata: {\n\n")
    for command in ("replay", "stats", "validate"):
        result = run(command, str(path))
        assert result.returncode == 1 and b"Traceback" not in result.stderr, (command, result.stderr)


def test_chat_runs_as_a_real_process_against_a_local_server(tmp_path: Path) -> None:
    import os

    from tests.servers import Handler, SSEServer

    sample = BODY

    def scenario(handler: Handler) -> None:
        handler.send_body(sample)

    record = tmp_path / "answer.sse"
    with SSEServer(scenario) as server:
        env = {**os.environ, "GROQ_API_KEY": "gsk_subprocess", "GROQ_BASE_URL": server.url}
        result = subprocess.run(
            [sys.executable, "-m", "groqstream", "chat", "Hi", "--record", str(record)],
            capture_output=True,
            cwd=REPO,
            env=env,
            timeout=60,
        )
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode("utf-8") == sample_text() + "\n"
    assert b"56 tokens" in result.stderr
    assert strip_capture(record.read_bytes()) == sample


def test_validate_notes_what_it_reads_leniently_and_strict_makes_it_a_problem(
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = str(FIXTURES / "quirks" / "missing-envelope-keys.sse")
    assert main(["validate", path]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{path}: clean, ")
    assert "note     float-for-integer   event 0, byte 0: created: 1757876416.5661082 where an integer" in out
    assert "note     missing-key         event 3, byte " in out and "model: absent; read as ''" in out
    assert main(["validate", "--strict", path]) == 1
    out = capsys.readouterr().out
    assert "problem  invalid-chunk       event 0, byte 0: ChatCompletionChunk.created: expected an integer" in out
    assert "missing-key" not in out


def test_replay_reads_what_real_servers_send_unless_strict(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(FIXTURES / "quirks" / "gemini-tool-calls-without-index.sse")
    assert main(["replay", "--format", "final", path]) == 0
    calls = json.loads(capsys.readouterr().out)["choices"][0]["message"]["tool_calls"]
    assert [c["id"] for c in calls] == ["call_paris", "call_tokyo", "call_lima"]
    assert main(["replay", "--strict", path]) == 1
    err = capsys.readouterr().err
    assert "choices[0].delta.tool_calls[0].index: missing required key" in err


def test_chat_shows_reasoning_and_tool_calls_as_replay_does(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def chunk(delta: Dict[str, Any], finish: Optional[str] = None) -> bytes:
        obj = {"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m",
               "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}  # fmt: skip
        return b"data: " + json.dumps(obj).encode() + b"\n\n"

    call = {"index": 0, "id": "call_1", "type": "function", "function": {"name": "look", "arguments": '{"q": 1}'}}
    body = b"".join(
        [
            chunk({"reasoning": "Think first."}),
            chunk({"content": "Let me look."}),
            chunk({"tool_calls": [call]}),
            chunk({}, "tool_calls"),
            b"data: [DONE]\n\n",
        ]
    )
    monkeypatch.setenv("GROQ_API_KEY", "gsk_cli_test")
    with gs.tools.serve([("think.sse", body)], loop=True) as server:
        assert main(["chat", "Hi", "--base-url", server.url + "/v1"]) == 0
        shown = capsys.readouterr().out
        assert main(["chat", "Hi", "--base-url", server.url + "/v1", "--no-reasoning", "--no-tool-calls"]) == 0
        plain = capsys.readouterr().out
    assert shown == '[reasoning] Think first.\nLet me look.\n[tool call] look({"q": 1})\n'
    assert plain == "Let me look.\n"


def test_chat_with_a_key_read_with_its_newline_is_a_one_line_error_without_the_key(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GROQ_API_KEY", "gsk_secret_from_a_file\n")
    assert main(["chat", "Hi", "--base-url", "http://127.0.0.1:9/v1"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("groqstream: error: ") and err.count("\n") == 1
    assert "GROQ_API_KEY" in err and "gsk_secret" not in err


def test_chat_names_the_server_of_a_failed_stream_without_its_credentials(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.servers import Handler, SSEServer

    monkeypatch.delenv("GROQ_API_KEY", raising=False)
    cut = BODY[: BODY.index(b"\n\n", len(BODY) // 2) + 2]  # a stream that ends mid-answer

    def scenario(handler: Handler) -> None:
        handler.send_body(cut)

    with SSEServer(scenario) as server:
        url = server.url.replace("http://", "http://someone:s3cret@")
        assert main(["chat", "Hi", "--base-url", url]) == 1
    err = capsys.readouterr().err
    assert "error in the response from http://***@127.0.0.1" in err and "s3cret" not in err


def test_the_summary_counts_one_chunk_in_the_singular(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "one.sse"
    chunk = {"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m"}
    choice = {"index": 0, "delta": {"content": "Hi"}, "finish_reason": "stop"}
    path.write_text(f"data: {json.dumps({**chunk, 'choices': [choice]})}\n\ndata: [DONE]\n\n")
    assert main(["replay", str(path)]) == 0
    assert capsys.readouterr().err.startswith("-- 1 chunk, finish_reason=stop")


def test_validate_reads_an_unterminated_done_at_the_end_as_a_note_unless_strict(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "gemini.sse"
    path.write_bytes(BODY.rstrip(b"\n"))  # 'data: [DONE]' without its blank line, as Gemini ends
    assert BODY.endswith(b"data: [DONE]\n\n")
    assert main(["validate", str(path)]) == 0
    out = capsys.readouterr().out
    assert "unterminated-done" in out and "no-done" not in out and "unterminated-event" not in out
    assert main(["validate", "--strict", str(path)]) == 1
    assert "unterminated-event" in capsys.readouterr().out
