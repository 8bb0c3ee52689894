"""The replay command, through main([...]) and as a real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from groqstream._cli import SAMPLE_PATH, main
from tests.helpers import CAPTURES, FIXTURES, requires_captures, strip_capture

REPO = Path(__file__).resolve().parent.parent


def sample_text() -> str:
    text = ""
    for block in Path(SAMPLE_PATH).read_text(encoding="utf-8").split("\n\n"):
        if block.startswith("data: {"):
            text += json.loads(block[6:])["choices"][0]["delta"].get("content") or ""
    return text


def test_replay_without_file_prints_the_bundled_sample(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["replay"]) == 0
    out, err = capsys.readouterr()
    assert out == sample_text() + "\n"
    assert err == "-- 40 chunks, finish_reason=stop, usage: 18 prompt + 38 completion = 56 tokens\n"


def test_replay_of_a_file_with_tool_calls_reports_finish_reason(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["replay", str(FIXTURES / "tool-calls-fragments.sse")]) == 0
    out, err = capsys.readouterr()
    assert out == ""
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
    with pytest.raises(SystemExit) as info:
        main([])
    assert info.value.code == 2
    with pytest.raises(SystemExit) as info:
        main(["replay", "a", "b"])
    assert info.value.code == 2


def run(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "groqstream", *args], input=stdin, capture_output=True, cwd=REPO, timeout=60
    )


def test_python_dash_m_replays_the_sample() -> None:
    result = run("replay")
    assert result.returncode == 0
    assert result.stdout.decode("utf-8") == sample_text() + "\n"
    assert b"40 chunks" in result.stderr


def test_python_dash_m_reads_stdin() -> None:
    result = run("replay", "-", stdin=(FIXTURES / "text-crlf.sse").read_bytes())
    assert result.returncode == 0
    assert result.stdout.decode("utf-8") == "Grüße aus Köln — 東京 🚀!\n"


def test_closed_pipe_is_quiet(tmp_path: Path) -> None:
    big = tmp_path / "big.sse"
    big.write_bytes(Path(SAMPLE_PATH).read_bytes().replace(b"data: [DONE]\n\n", b"") * 200 + b"data: [DONE]\n\n")
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

    sample = Path(SAMPLE_PATH).read_bytes()
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
