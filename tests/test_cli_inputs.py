"""The command line on every kind of input, through the real console script: stdin, many files, non-streams,
exit codes (also when stdout is closed early), --version, reasoning and tool calls in the text output."""

from __future__ import annotations

import gzip
import io
import json
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import IO, Any, List, Optional, Union

import pytest

from groqstream.tools.cli import SAMPLE_PATH, main
from tests.helpers import FIXTURES
from tests.test_cli import sample_text

REPO = Path(__file__).resolve().parent.parent
BODY_PATH = str(Path(SAMPLE_PATH).parent / "sample.sse")  # the sample untimed, as the server sent it
SAMPLE = Path(BODY_PATH).read_bytes()


def command() -> List[str]:
    """The installed console script beside this interpreter, else ``python -m groqstream`` (same entry point)."""
    script = shutil.which("groqstream", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "groqstream"]


def cli(*args: str, stdin: Union[bytes, int, IO[bytes], None] = subprocess.DEVNULL) -> subprocess.CompletedProcess[str]:
    """Run the command line; *stdin* is bytes for a pipe, a file, or DEVNULL (the default: no input)."""
    kwargs: dict[str, Any] = {"input": stdin} if isinstance(stdin, bytes) else {"stdin": stdin}
    result = subprocess.run([*command(), *args], capture_output=True, cwd=REPO, timeout=60, **kwargs)
    return subprocess.CompletedProcess(
        result.args, result.returncode, result.stdout.decode("utf-8"), result.stderr.decode("utf-8")
    )


def in_process(capsys: pytest.CaptureFixture[str], *args: str) -> subprocess.CompletedProcess[str]:
    """``main(args)`` in this process, as ``cli`` reports it: for the cases the real process adds nothing to.

    A process costs about 0.15 s here; the tests below that run many cases run most of them here, and keep
    one real process per case (stdin through the console script).
    """
    code = main(list(args))
    out, err = capsys.readouterr()
    return subprocess.CompletedProcess(list(args), code, out, err)


def chunk(delta: dict[str, Any], finish: Optional[str] = None) -> bytes:
    payload = {
        "id": "chatcmpl-r",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "openai/gpt-oss-20b",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return b"data: " + json.dumps(payload).encode() + b"\n\n"


REASONING = (
    chunk({"role": "assistant", "content": ""})
    + chunk({"reasoning": "The user greets. "})
    + chunk({"reasoning": "Answer briefly."})
    + chunk({"content": "Hello"})
    + chunk({"content": " there."}, "stop")
    + b"data: [DONE]\n\n"
)


# --- where the input comes from -------------------------------------------------------------------


@pytest.mark.parametrize("subcommand", ["replay", "stats", "validate"])
def test_a_pipe_or_a_regular_file_on_stdin_is_the_input(subcommand: str, tmp_path: Path) -> None:
    piped = cli(subcommand, stdin=SAMPLE)
    assert piped.returncode == 0, piped.stderr
    path = tmp_path / "capture.sse"
    path.write_bytes((FIXTURES / "text-crlf.sse").read_bytes())
    with open(path, "rb") as fh:
        redirected = cli(subcommand, stdin=fh)  # groqstream replay < capture.sse
    assert redirected.returncode == 0, redirected.stderr
    if subcommand == "replay":
        assert piped.stdout == sample_text() + "\n"
        assert redirected.stdout == "Grüße aus Köln — 東京 🚀!\n"
    elif subcommand == "stats":
        assert piped.stdout.startswith("stdin:") and "40 / 41" in piped.stdout
    else:
        assert piped.stdout.startswith("stdin: clean")


def test_no_input_replays_the_sample_and_stats_and_validate_ask_for_a_file() -> None:
    replay = cli("replay")  # stdin is /dev/null: no input
    assert replay.returncode == 0 and replay.stdout == sample_text() + "\n"
    assert cli("replay", "--sample", stdin=b"data: ignored\n\n").stdout == sample_text() + "\n"
    for subcommand in ("stats", "validate"):
        result = cli(subcommand)
        assert result.returncode == 2
        assert result.stderr == f"groqstream: error: {subcommand} needs a FILE, or a capture piped into stdin ('-')\n"


@pytest.mark.parametrize("subcommand", ["replay", "stats"])
def test_an_empty_pipe_is_an_empty_input(subcommand: str) -> None:
    result = cli(subcommand, stdin=b"")
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.startswith("groqstream: error: stdin: empty input: nothing came in on stdin")


# --- many files: every one is tried ---------------------------------------------------------------


def test_every_file_is_tried_each_broken_one_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good_a, good_b = str(FIXTURES / "text-crlf.sse"), str(FIXTURES / "text-cr.sse")
    missing = str(tmp_path / "missing.sse")
    result = cli("replay", good_a, missing, good_b)
    assert result.returncode == 2
    assert "Grüße aus Köln" in result.stdout and "Carriage returns only." in result.stdout
    assert f"groqstream: error: cannot open {missing}: No such file or directory\n" in result.stderr
    final = in_process(capsys, "replay", "--format", "final", good_a, missing, good_b)
    assert final.returncode == 2
    contents = [c["choices"][0]["message"]["content"] for c in json.loads(final.stdout)]
    assert contents == ["Grüße aus Köln — 東京 🚀!", "Carriage returns only."]
    for subcommand in ("stats", "validate"):
        result = in_process(capsys, subcommand, "--json", good_a, missing, good_b)
        assert result.returncode == 2
        assert [entry["file"] for entry in json.loads(result.stdout)] == [good_a, good_b]
        assert result.stderr.count("\n") == 1 and "cannot open" in result.stderr


# --- inputs that are no event stream --------------------------------------------------------------

COMPLETION = {
    "id": "chatcmpl-1",
    "object": "chat.completion",
    "created": 1,
    "model": "m",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hi"}, "finish_reason": "stop"}],
}
NOT_STREAMS = {
    "page.html": (b"<!DOCTYPE html>\n<html><body><h1>502 Bad Gateway</h1></body></html>\n", "an HTML page"),
    "completion.json": (json.dumps(COMPLETION, indent=2).encode(), 'a non-streaming response? ask with "stream": true'),
    "error.json": (
        b'{"error": {"message": "Invalid API Key", "type": "invalid_request_error"}}',
        "a JSON error response",
    ),
    "capture.sse.gz": (gzip.compress(SAMPLE), "gzip-compressed data, not an event stream: decompress it first"),
    "random.bin": (random.Random(7).randbytes(5000), "binary data, not an event stream"),
    "empty.sse": (b"", "empty: no bytes at all"),
    "notes.txt": (b"just some text\nwith two lines\n", "text without a single SSE line"),
}


@pytest.mark.parametrize("name", sorted(NOT_STREAMS))
def test_an_input_that_is_no_event_stream_is_named_as_such(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data, says = NOT_STREAMS[name]
    path = tmp_path / name
    path.write_bytes(data)
    for subcommand in ("replay", "stats"):
        result = in_process(capsys, subcommand, str(path))
        assert result.returncode == 1, result.stderr
        assert result.stderr.count("\n") == 1 and result.stderr.startswith(f"groqstream: error: {path}: ")
        assert says in result.stderr
    validated = in_process(capsys, "validate", str(path))
    assert validated.returncode == 1
    lines = validated.stdout.splitlines()
    assert lines[0] == f"{path}: 1 problem, 0 notes" and "not-an-event-stream" in lines[1] and says in lines[1]
    piped = cli("replay", stdin=data)  # the same through stdin
    assert piped.returncode == 1 and (says in piped.stderr or "empty input" in piped.stderr)


def test_validate_caps_repeated_problems_of_one_kind_with_a_count(tmp_path: Path) -> None:
    path = tmp_path / "bad.sse"
    path.write_bytes(b"".join(b"data: {not json %d\n\n" % i for i in range(30)) + b"data: [DONE]\n\n")
    result = cli("validate", str(path))
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0] == f"{path}: 30 problems, 1 note"  # and no-usage, a note
    assert sum("invalid-json" in line for line in lines) == 11  # ten shown, then the count
    assert lines[-1].strip() == "invalid-json        ... and 20 more of this kind (--json lists them)"
    assert len(json.loads(cli("validate", "--json", str(path)).stdout)[0]["findings"]) == 31


# --- exit codes, --version, help -------------------------------------------------------------------


def test_version_and_bare_command() -> None:
    from groqstream import __version__

    version = cli("--version")
    assert version.returncode == 0 and version.stdout.startswith(f"groqstream {__version__} (Python ")
    bare = cli()
    assert bare.returncode == 0 and bare.stdout.startswith("usage: groqstream") and "replay" in bare.stdout


def test_exit_status_holds_when_stdout_is_closed_early(tmp_path: Path) -> None:
    path = tmp_path / "bad.sse"
    path.write_bytes(b"".join(b"data: {not json %d\n\n" % i for i in range(3000)))
    for args, status in ((["validate", str(path)], 1), (["replay", "--format", "events", str(path)], 1)):
        process = subprocess.Popen([*command(), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=REPO)
        assert process.stdout is not None and process.stderr is not None
        process.stdout.readline()  # `| head -1`
        process.stdout.close()
        err = process.stderr.read()
        process.stderr.close()
        assert process.wait(timeout=60) == status, err
        assert b"Traceback" not in err
    paced = subprocess.Popen(  # --realtime stops waiting once nobody reads: 40 events at 10/s would take 4 s
        [*command(), "replay", "--speed", "1", "--rate", "10", "--format", "events", BODY_PATH],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert paced.stdout is not None and paced.stderr is not None
    started = time.monotonic()
    paced.stdout.readline()
    paced.stdout.close()
    paced.stderr.read()
    paced.stderr.close()
    assert paced.wait(timeout=60) == 0 and time.monotonic() - started < 3.5
    good = subprocess.Popen(
        [*command(), "replay", "--format", "events", SAMPLE_PATH], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert good.stdout is not None and good.stderr is not None
    good.stdout.close()
    good.stderr.read()
    good.stderr.close()
    assert good.wait(timeout=60) == 0  # a clean stream is still 0


# --- what replay shows -----------------------------------------------------------------------------


def test_replay_shows_reasoning_and_tool_calls_apart_from_the_answer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "reasoning.sse"
    path.write_bytes(REASONING)
    shown = cli("replay", str(path))
    assert shown.returncode == 0
    assert shown.stdout == "[reasoning] The user greets. Answer briefly.\nHello there.\n"
    assert in_process(capsys, "replay", "--no-reasoning", str(path)).stdout == "Hello there.\n"
    tools = str(FIXTURES / "tool-calls-fragments.sse")
    assert in_process(capsys, "replay", "--no-tool-calls", tools).stdout == ""
    assert in_process(capsys, "replay", tools).stdout.count("[tool call] ") == 2


def test_replay_dims_reasoning_on_a_terminal(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    monkeypatch.setattr(sys, "stdout", terminal)
    path = tmp_path / "reasoning.sse"
    path.write_bytes(REASONING)
    assert main(["replay", str(path)]) == 0
    assert terminal.getvalue() == "\x1b[2m[reasoning] The user greets. Answer briefly.\x1b[0m\nHello there.\n"


def test_jsonl_prints_each_payload_exactly_as_received() -> None:
    result = cli("replay", "--format", "jsonl", SAMPLE_PATH)
    payloads = [block[6:] for block in SAMPLE.decode("utf-8").split("\n\n") if block.startswith("data: {")]
    assert result.stdout.splitlines() == payloads
