"""``chat``: what ``--record FILE`` leaves on disk when the stream fails or the command is interrupted (#24 item
12), and the API key checked before anything is sent (#25)."""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable, List, Optional

import pytest

import groqstream as gs
from groqstream.tools.cli import main
from tests.helpers import strip_capture
from tests.servers import WAIT, RawServer, SSEServer

REPO = Path(__file__).resolve().parent.parent
BODY = (Path(gs.__file__).parent / "sample.sse").read_bytes()
EVENTS = [event + b"\n\n" for event in BODY.split(b"\n\n")[:-1]]
EARLIER = b": an earlier capture, which must survive\n"
CHAT = [sys.executable, "-m", "groqstream", "chat", "Hi"]


def chunked(data: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(data), data)


def stream_server(after: Callable[[socket.socket], None], events: int = 3) -> RawServer:
    """A hostile server: the response's headers and *events* events of the sample, then *after* (cut, stall...)."""

    def scenario(conn: socket.socket) -> None:
        conn.settimeout(WAIT)
        request = b""
        while b"\r\n\r\n" not in request:
            request += conn.recv(65536)
        head, _, body = request.partition(b"\r\n\r\n")
        length = int(
            next(line.split(b":")[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length"))
        )
        while len(body) < length:
            body += conn.recv(65536)
        conn.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
            + b"".join(chunked(event) for event in EVENTS[:events])
        )
        after(conn)

    return RawServer(scenario)


def cut(conn: socket.socket) -> None:
    conn.shutdown(socket.SHUT_RDWR)  # mid-stream: no terminating chunk, no [DONE]


def error_event(conn: socket.socket) -> None:
    conn.sendall(chunked(b'event: error\ndata: {"error": {"message": "overloaded", "type": "server_error"}}\n\n'))
    conn.sendall(b"0\r\n\r\n")


@pytest.mark.parametrize("ending", [cut, error_event], ids=["cut", "error-event"])
def test_a_stream_that_fails_midway_never_replaces_file_and_its_capture_goes_beside_it(
    ending: Callable[[socket.socket], None],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("GROQ_API_KEY", raising=False)
    record = tmp_path / "answer.sse"
    record.write_bytes(EARLIER)
    with stream_server(ending) as server:
        host, port = server.address
        status = main(["chat", "Hi", "--record", str(record), "--base-url", f"http://{host}:{port}/v1"])
    assert server.error is None
    assert status == 1
    assert record.read_bytes() == EARLIER
    partial = tmp_path / "answer.sse.partial"
    assert strip_capture(partial.read_bytes()).startswith(b"".join(EVENTS[:3]))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["answer.sse", "answer.sse.partial"]
    err = capsys.readouterr().err
    assert f"the partial capture is in {partial}" in err and f"{record} was left as it was" in err


def test_a_complete_stream_replaces_file_and_removes_an_old_partial_capture(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GROQ_API_KEY", raising=False)
    record = tmp_path / "answer.sse"
    record.write_bytes(EARLIER)
    with stream_server(cut) as server:
        host, port = server.address
        assert main(["chat", "Hi", "--record", str(record), "--base-url", f"http://{host}:{port}/v1"]) == 1
    assert (tmp_path / "answer.sse.partial").exists()
    with SSEServer(lambda handler: handler.send_body(BODY)) as ok:
        assert main(["chat", "Hi", "--record", str(record), "--base-url", ok.url]) == 0
    assert strip_capture(record.read_bytes()) == BODY
    assert sorted(p.name for p in tmp_path.iterdir()) == ["answer.sse"]  # the stale partial capture is gone
    assert "partial" not in capsys.readouterr().err.split("\n")[-2]


def read_until(proc: subprocess.Popen[bytes], wanted: bytes, timeout: float) -> bytes:
    """Read the process's stdout until *wanted* shows (or *timeout* passes): it is printing the stream."""
    assert proc.stdout is not None
    seen = b""
    deadline = time.monotonic() + timeout
    while wanted not in seen and time.monotonic() < deadline:
        ready, _, _ = select.select([proc.stdout], [], [], 0.1)
        if ready:
            data = os.read(proc.stdout.fileno(), 65536)
            if not data:
                break
            seen += data
    return seen


@pytest.mark.parametrize(("signum", "status"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["INT", "TERM"])
def test_a_signal_mid_stream_keeps_file_and_leaves_no_temporary_file(signum: int, status: int, tmp_path: Path) -> None:
    release = threading.Event()
    record = tmp_path / "answer.sse"
    record.write_bytes(EARLIER)

    def stall(conn: socket.socket) -> None:
        release.wait(WAIT)  # mid-stream, until the test ends

    with stream_server(stall) as server:
        host, port = server.address
        env = {k: v for k, v in os.environ.items() if k not in ("GROQ_API_KEY", "GROQ_BASE_URL")}
        proc = subprocess.Popen(
            [*CHAT, "--record", str(record), "--base-url", f"http://{host}:{port}/v1"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=REPO,
            env=env,
        )
        try:
            # The third event's text on the screen: the stream is under way, and all the server sent has come.
            assert b"Server-sent events " in read_until(proc, b"Server-sent events ", WAIT)
            proc.send_signal(signum)
            _, err = proc.communicate(timeout=WAIT)
        finally:
            release.set()
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
    assert proc.returncode == status, err
    assert b"Traceback" not in err
    assert record.read_bytes() == EARLIER
    partial = tmp_path / "answer.sse.partial"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["answer.sse", "answer.sse.partial"]
    assert strip_capture(partial.read_bytes()) == b"".join(EVENTS[:3])
    assert b"interrupted" in err and str(partial).encode() in err


def test_a_request_that_fails_before_the_stream_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GROQ_API_KEY", raising=False)
    with SSEServer(lambda handler: handler.send_json(404, {"error": {"message": "no such model"}})) as server:
        assert main(["chat", "Hi", "--record", str(tmp_path / "new.sse"), "--base-url", server.url]) == 1
    assert list(tmp_path.iterdir()) == []


# --- the API key ------------------------------------------------------------------------------


class NoNetwork:
    """Stands in for the socket functions a request would use: records each attempt, and refuses it."""

    def __init__(self) -> None:
        self.attempts: List[Any] = []

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.attempts.append(args)
        raise OSError("the test allows no network")


@pytest.mark.parametrize("base_url", [None, "https://api.example.com/openai/v1", "http://gpu-box.example:8000/v1"])
def test_chat_without_an_api_key_says_so_before_sending_anything(
    base_url: Optional[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("GROQ_API_KEY", raising=False)
    monkeypatch.delenv("GROQ_BASE_URL", raising=False)
    guard = NoNetwork()
    monkeypatch.setattr(socket, "create_connection", guard)
    monkeypatch.setattr(socket, "getaddrinfo", guard)
    argv = ["chat", "Hi"] + (["--base-url", base_url] if base_url else [])
    assert main(argv) == 2
    assert guard.attempts == []
    err = capsys.readouterr().err
    assert err.startswith("groqstream: error: GROQ_API_KEY is not set") and err.count("\n") == 1
    monkeypatch.setenv("GROQ_API_KEY", "")  # set but empty is no key either
    assert main(argv) == 2 and guard.attempts == []


def test_a_key_is_not_needed_for_a_server_on_this_machine(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("GROQ_API_KEY", raising=False)
    with SSEServer(lambda handler: handler.send_body(BODY), keep_alive=False) as server:
        for host in ("127.0.0.1", "localhost"):
            url = server.url.replace("127.0.0.1", host)
            assert main(["chat", "Hi", "--base-url", url]) == 0, capsys.readouterr().err
        monkeypatch.setenv("GROQ_BASE_URL", f"http://127.0.0.1:{server.port}")  # a host, as the SDK reads it
        assert main(["chat", "Hi"]) == 0
    assert all("authorization" not in request["headers"] for request in server.requests)
    assert len(server.requests) == 3
    capsys.readouterr()


def test_the_missing_key_message_shows_no_credentials_of_the_url(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("GROQ_API_KEY", raising=False)
    monkeypatch.setattr(socket, "create_connection", NoNetwork())
    monkeypatch.setattr(socket, "getaddrinfo", NoNetwork())
    assert main(["chat", "Hi", "--base-url", "https://user:s3cret@api.example.com/v1?api-key=hush"]) == 2
    err = capsys.readouterr().err
    assert "s3cret" not in err and "hush" not in err and "api.example.com" in err


def test_json_of_the_request_is_unchanged_by_the_key_check(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GROQ_API_KEY", "gsk_cli_test")
    with SSEServer(lambda handler: handler.send_body(BODY)) as server:
        assert main(["chat", "Hi", "--base-url", server.url]) == 0
    assert json.loads(server.requests[0]["body"])["messages"] == [{"role": "user", "content": "Hi"}]
    assert server.requests[0]["headers"]["authorization"] == "Bearer gsk_cli_test"


def test_a_capture_that_cannot_be_written_midway_is_a_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GROQ_API_KEY", raising=False)
    record = tmp_path / "answer.sse"
    record.write_bytes(EARLIER)
    (tmp_path / "answer.sse.partial").mkdir()  # the first byte of the answer cannot be written (as root too)
    with SSEServer(lambda handler: handler.send_body(BODY)) as server:
        assert main(["chat", "Hi", "--record", str(record), "--base-url", server.url]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"groqstream: error: cannot write {record}.partial: ") and err.count("\n") == 1, err
    assert record.read_bytes() == EARLIER
