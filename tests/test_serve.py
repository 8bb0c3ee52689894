"""``groqstream serve``: real HTTP on 127.0.0.1, driven by groqstream's clients, http.client and the SDKs."""

from __future__ import annotations

import asyncio
import http.client
import io
import json
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

import pytest

import groqstream as gs
from groqstream.tools.server import Fault, split_blocks
from tests.helpers import (
    capture_paths,
    fixture_paths,
    provider_paths,
    requires_captures,
    requires_providers,
    strip_capture,
)
from tests.servers import eventually, open_fds

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "groqstream" / "sample.sse"
MESSAGES = [{"role": "user", "content": "hi"}]


def timed_capture(gaps: List[float], *, model: str = "m", request: Optional[str] = None) -> bytes:
    """A timed capture of len(gaps) content chunks and [DONE], the i-th arriving gaps[i] after the one before."""
    out = io.BytesIO()
    writer = gs.tools.CaptureWriter(out, model=model, request=request)
    at = 0.0
    for i, gap in enumerate(gaps):
        at += gap
        delta: Dict[str, Any] = {"content": f"w{i} "}
        finish = "stop" if i == len(gaps) - 1 else None
        chunk = {"id": "c", "object": "chat.completion.chunk", "created": 1, "model": model,
                 "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}  # fmt: skip
        writer.write(b"data: " + json.dumps(chunk).encode() + b"\n\n", at=at)
    writer.write(b"data: [DONE]\n\n", at=at)
    writer.close()
    return out.getvalue()


def client_for(server: gs.tools.CaptureServer, **options: Any) -> gs.client.Client:
    options.setdefault("max_retries", 0)
    return gs.client.Client(base_url=server.url + "/v1", api_key="test-key", **options)


def outcome(stream: gs.Stream) -> Tuple[str, Any]:
    """What a reader of *stream* ends with: the completion, or the error and what came before it."""
    try:
        return "ok", stream.final_completion().to_dict()
    except gs.GroqStreamError as exc:
        partial = getattr(exc, "completion", None)
        return type(exc).__name__, partial.to_dict() if partial is not None else None


def raw_post(server: gs.tools.CaptureServer, body: Dict[str, Any], headers: Optional[Dict[str, str]] = None,
             path: str = "/v1/chat/completions") -> Tuple[int, Dict[str, str], bytes]:  # fmt: skip
    host, port = server.url[len("http://") :].rsplit(":", 1)
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        connection.request("POST", path, json.dumps(body), {"Content-Type": "application/json", **(headers or {})})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


# --- faithful bytes ----------------------------------------------------------------------------


def all_captures() -> List[Path]:
    return [SAMPLE, *fixture_paths(), *capture_paths(), *provider_paths()]


def test_each_capture_is_served_byte_for_byte_and_reads_as_offline() -> None:
    paths = all_captures()
    with gs.tools.serve(paths) as server:
        client = client_for(server)
        for path in paths:
            expected_body = strip_capture(path.read_bytes())
            status, headers, body = raw_post(
                server, {"model": "m", "stream": True}, {"X-Groqstream-Capture": path.name}
            )
            assert status == 200 and headers["Transfer-Encoding"] == "chunked", path.name
            assert body == expected_body, path.name
            with client.chat_stream(
                model="m", messages=MESSAGES, extra_headers={"X-Groqstream-Capture": path.stem}
            ) as live:
                served = outcome(live)
            assert served == outcome(gs.Stream(expected_body)), path.name


@requires_captures
@requires_providers
def test_the_shared_captures_are_all_there() -> None:
    assert len(capture_paths()) >= 6 and len(provider_paths()) >= 20


def test_a_timed_capture_is_served_as_the_server_sent_it() -> None:
    data = timed_capture([0.01, 0.02, 0.01])
    header, blocks = split_blocks(data)
    assert header is not None and header.model == "m"
    assert b"".join(b.data for b in blocks) == strip_capture(data)
    assert [b.is_event for b in blocks] == [True, True, True, True]
    assert [b.time for b in blocks] == pytest.approx([0.01, 0.03, 0.04, 0.04])


def test_comment_blocks_crlf_and_an_unterminated_tail_stay_as_they_were() -> None:
    data = b': keep-alive\r\n\r\ndata: {"a": 1}\r\n\r\n\r\nevent: x\ndata: 2\n\ndata: cut'
    header, blocks = split_blocks(data)
    assert header is None
    assert [b.data for b in blocks] == [
        b": keep-alive\r\n\r\n",
        b'data: {"a": 1}\r\n\r\n\r\n',
        b"event: x\ndata: 2\n\n",
        b"data: cut",
    ]
    assert [b.is_event for b in blocks] == [False, True, True, True]
    with gs.tools.serve([("odd.sse", data)]) as server:
        assert raw_post(server, {"stream": True})[2] == data


# --- clients ------------------------------------------------------------------------------


def test_client_stream_chat_and_models() -> None:
    expected = gs.Stream(SAMPLE.read_bytes()).final_completion()
    with gs.tools.serve([SAMPLE], loop=True) as server:
        client = client_for(server)
        with client.chat_stream(model="m", messages=MESSAGES) as stream:
            assert stream.final_completion() == expected
            assert stream.response is not None and stream.response.headers["X-Groqstream-Capture"] == "sample.sse"
        completion = client.chat(model="m", messages=MESSAGES)  # stream: false
        assert completion == expected and completion.usage == expected.usage
        groq_root = gs.client.Client(base_url=server.url + "/openai/v1", api_key="k", max_retries=0)
        assert groq_root.chat_stream(model="m", messages=MESSAGES).text() == expected.choices[0].message.content
        host, port = server.url[len("http://") :].rsplit(":", 1)
        for path in ("/v1/models", "/openai/v1/models"):
            connection = http.client.HTTPConnection(host, int(port))
            connection.request("GET", path)
            listed = json.loads(connection.getresponse().read())
            connection.close()
            assert [m["id"] for m in listed["data"]] == ["llama-3.3-70b-versatile"]


def test_async_client_reads_what_was_recorded() -> None:
    paths = [SAMPLE, *capture_paths()[:3]]

    async def main(server: gs.tools.CaptureServer) -> List[Tuple[str, Any]]:
        async with gs.client.AsyncClient(base_url=server.url + "/v1", api_key="k", max_retries=0) as client:
            results: List[Tuple[str, Any]] = []
            for path in paths:
                stream = await client.chat_stream(
                    model="m", messages=MESSAGES, extra_headers={"X-Groqstream-Capture": path.name}
                )
                async with stream:
                    try:
                        results.append(("ok", (await stream.final_completion()).to_dict()))
                    except gs.GroqStreamError as exc:
                        results.append((type(exc).__name__, None))
            return results

    with gs.tools.serve(paths) as server:
        served = asyncio.run(main(server))
    for path, got in zip(paths, served):
        want = outcome(gs.Stream(strip_capture(path.read_bytes())))
        assert got[0] == want[0] and (got[0] != "ok" or got[1] == want[1]), path.name


def test_stream_false_is_the_accumulated_completion_and_a_broken_capture_says_why() -> None:
    cut = SAMPLE.read_bytes()[:1500]
    with gs.tools.serve([SAMPLE, ("cut.sse", cut)], loop=True) as server:
        status, _, body = raw_post(server, {"model": "m", "messages": MESSAGES})
        assert status == 200 and json.loads(body) == gs.Stream(SAMPLE.read_bytes()).final_completion().to_dict()
        status, _, body = raw_post(server, {"model": "m"}, {"X-Groqstream-Capture": "cut"})
        assert status == 500 and "cut.sse has no complete answer" in json.loads(body)["error"]["message"]


def test_include_usage_false_drops_the_usage_only_chunk() -> None:
    usage = b'data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}\n\n'
    text = b'data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"x"},"finish_reason":"stop"}]}\n\n'
    data = text + usage + b"data: [DONE]\n\n"
    with gs.tools.serve([("u.sse", data)], loop=True) as server:
        assert raw_post(server, {"stream": True, "stream_options": {"include_usage": True}})[2] == data
        assert raw_post(server, {"stream": True})[2] == data  # as recorded when the request does not say
        assert (
            raw_post(server, {"stream": True, "stream_options": {"include_usage": False}})[2]
            == text + b"data: [DONE]\n\n"
        )


# --- timing ---------------------------------------------------------------------------------


def arrival_gaps(server: gs.tools.CaptureServer) -> List[float]:
    client = client_for(server)
    times = []
    with client.chat_stream(model="m", messages=MESSAGES) as stream:
        started = time.monotonic()
        for _ in stream:
            times.append(time.monotonic())
    return [b - a for a, b in zip([started, *times], times)]


def test_recorded_gaps_are_reproduced_and_scaled_by_speed() -> None:
    gaps = [0.02, 0.05, 0.4, 0.05, 0.15, 0.02]
    data = timed_capture(gaps)
    with gs.tools.serve([("t.sse", data)], loop=True) as server:
        seen = arrival_gaps(server)
    # Order, not exact times: the largest recorded gap is the largest seen, and the second the second.
    assert len(seen) == len(gaps)
    ranked = sorted(range(1, len(gaps)), key=lambda i: gaps[i])
    seen_ranked = sorted(range(1, len(seen)), key=lambda i: seen[i])
    assert ranked[-2:] == seen_ranked[-2:], (gaps, seen)
    total = sum(seen[1:])
    assert total >= 0.9 * sum(gaps[1:])  # never sooner than recorded (a loaded machine may be later)
    with gs.tools.serve([("t.sse", data)], loop=True, speed=4.0) as server:
        fast = sum(arrival_gaps(server)[1:])
    assert fast < 0.6 * total
    with gs.tools.serve([("t.sse", data)], loop=True, delay=False) as server:
        assert sum(arrival_gaps(server)) < 0.5 * sum(gaps)


def test_untimed_captures_go_at_the_rate_asked_for() -> None:
    with gs.tools.serve([SAMPLE], loop=True, rate=200.0) as server:
        seen = arrival_gaps(server)
    assert len(seen) == 40  # the sample's chunks ([DONE] is the 41st event)
    assert sum(seen) >= 0.9 * 40 / 200.0


def test_headers_come_before_the_first_events_delay() -> None:
    with gs.tools.serve([("t.sse", timed_capture([0.5, 0.01]))]) as server:
        host, port = server.url[len("http://") :].rsplit(":", 1)
        connection = http.client.HTTPConnection(host, int(port))
        started = time.monotonic()
        connection.request("POST", "/v1/chat/completions", json.dumps({"stream": True}))
        response = connection.getresponse()
        head = time.monotonic() - started
        response.read()
        whole = time.monotonic() - started
        connection.close()
    assert response.status == 200 and head < whole / 2


# --- which capture answers ---------------------------------------------------------------------


def test_playlist_in_order_then_exhausted_and_loop() -> None:
    a, b = ("a.sse", timed_capture([0.0], model="ma")), ("b.sse", timed_capture([0.0], model="mb"))
    with gs.tools.serve([a, b]) as server:
        client = client_for(server)
        assert [client.chat(model="x", messages=MESSAGES).model for _ in range(2)] == ["ma", "mb"]
        with pytest.raises(gs.client.NotFoundError, match="playlist exhausted: all 2 captures"):
            client.chat(model="x", messages=MESSAGES)
    with gs.tools.serve([a, b], loop=True) as server:
        client = client_for(server)
        assert [client.chat(model="x", messages=MESSAGES).model for _ in range(5)] == ["ma", "mb", "ma", "mb", "ma"]


def test_a_header_names_the_capture_and_an_unknown_name_is_a_404_listing_them() -> None:
    a, b = ("a.sse", timed_capture([0.0], model="ma")), ("b.sse", timed_capture([0.0], model="mb"))
    with gs.tools.serve([a, b]) as server:
        client = client_for(server)
        for name, model in (("b.sse", "mb"), ("b", "mb"), ("a", "ma"), ("b", "mb")):
            assert (
                client.chat(model="x", messages=MESSAGES, extra_headers={"X-Groqstream-Capture": name}).model == model
            )
        with pytest.raises(gs.client.NotFoundError, match=r"no capture named 'c' \(captures: a.sse, b.sse\)"):
            client.chat(model="x", messages=MESSAGES, extra_headers={"X-Groqstream-Capture": "c"})


def test_match_by_request_finds_what_chat_record_wrote(tmp_path: Path) -> None:
    hello, bye = [{"role": "user", "content": "hello"}], [{"role": "user", "content": "bye"}]
    # Record two answers with groqstream's own client, as `chat --record` does.
    recorded = []
    for messages, name in ((hello, "hello.sse"), (bye, "bye.sse")):
        with (
            gs.tools.serve([("src.sse", timed_capture([0.0], model="m1"))]) as source,
            open(tmp_path / name, "wb") as fh,
        ):
            client_for(source).chat_stream(model="m1", messages=messages, capture=fh).text()
        recorded.append(tmp_path / name)
        assert (
            f"request={gs.tools.messages_digest(messages)}".encode() in (tmp_path / name).read_bytes().split(b"\n")[0]
        )
    plain = ("other-model.sse", timed_capture([0.0], model="m2"))
    with gs.tools.serve([*recorded, plain], match="request") as server:
        client = client_for(server)
        for messages, name in ((bye, "bye.sse"), (hello, "hello.sse"), (bye, "bye.sse")):
            with client.chat_stream(model="m1", messages=messages) as stream:
                assert stream.response is not None and stream.response.headers["X-Groqstream-Capture"] == name
                stream.text()
        # A capture without a recorded request answers any request for its model.
        assert client.chat(model="m2", messages=hello).model == "m2"
        with pytest.raises(gs.client.NotFoundError, match="no capture matches model 'm1' with messages digest"):
            client.chat(model="m1", messages=[{"role": "user", "content": "never recorded"}])


def test_both_clients_record_the_digest_of_the_messages_they_sent_even_from_a_generator(tmp_path: Path) -> None:
    messages = [{"role": "user", "content": "hello"}]
    with gs.tools.serve([("src.sse", timed_capture([0.0], model="m1"))], loop=True) as source:
        with open(tmp_path / "sync.sse", "wb") as fh:
            client_for(source).chat_stream(model="m1", messages=iter(messages), capture=fh).text()

        async def record() -> None:
            async with gs.client.AsyncClient(base_url=source.url + "/v1", api_key="k", max_retries=0) as client:
                with open(tmp_path / "async.sse", "wb") as fh:
                    await (await client.chat_stream(model="m1", messages=iter(messages), capture=fh)).text()

        asyncio.run(record())
    for name in ("sync.sse", "async.sse"):
        header = (tmp_path / name).read_bytes().split(b"\n")[0]
        assert f"request={gs.tools.messages_digest(messages)}".encode() in header, name


def test_messages_digest_ignores_key_order() -> None:
    assert gs.tools.messages_digest([{"role": "user", "content": "é"}]) == gs.tools.messages_digest(
        [{"content": "é", "role": "user"}]
    )
    assert gs.tools.messages_digest([{"role": "user", "content": "a"}]) != gs.tools.messages_digest(
        [{"role": "user", "content": "b"}]
    )
    assert re.fullmatch(r"[0-9a-f]{16}", gs.tools.messages_digest([]))


# --- faults ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "error", "chunks"),
    [
        ("after=3,cut", gs.IncompleteStreamError, 3),
        ("cut-bytes=500", gs.IncompleteStreamError, 1),
        ("after=2,error", gs.StreamAPIError, 2),
        ("after=3,drop", gs.IncompleteStreamError, 3),
    ],
)
def test_faults_in_the_stream_give_the_client_the_error_it_should(spec: str, error: type, chunks: int) -> None:
    for where in ("server", "header"):
        options = {"fault": spec} if where == "server" else {}
        with gs.tools.serve([SAMPLE], loop=True, **options) as server:
            headers = {"X-Groqstream-Fault": spec} if where == "header" else None
            client = client_for(server)
            received: List[gs.ChatCompletionChunk] = []
            with pytest.raises(error) as caught:
                with client.chat_stream(model="m", messages=MESSAGES, extra_headers=headers) as stream:
                    received.extend(stream)
            assert len(received) == chunks, (spec, where)
            assert caught.value is not None
            if error is gs.IncompleteStreamError:  # what came before the fault is kept
                with pytest.raises(error) as again:
                    client.chat_stream(model="m", messages=MESSAGES, extra_headers=headers).final_completion()
                kept = again.value.completion
                assert kept is not None
                assert kept.choices[0].message.content == "".join(c.choices[0].delta.content or "" for c in received)
            # The server logs a request once it has finished it, which may be just after the client saw the end.
            assert eventually(lambda: len(server.served) == (2 if error is gs.IncompleteStreamError else 1))
            assert server.served[-1].fault == Fault.parse(spec).describe()


def test_a_stall_trips_the_clients_read_timeout_and_otherwise_only_delays() -> None:
    with gs.tools.serve([SAMPLE], loop=True) as server:
        client = client_for(server, timeout=0.3)
        with pytest.raises(gs.APITimeoutError):
            client.chat_stream(
                model="m", messages=MESSAGES, extra_headers={"X-Groqstream-Fault": "after=1,stall=3"}
            ).text()
        started = time.monotonic()
        text = (
            client_for(server)
            .chat_stream(model="m", messages=MESSAGES, extra_headers={"X-Groqstream-Fault": "after=5,stall=0.4"})
            .text()
        )
        assert time.monotonic() - started >= 0.35
        assert text == gs.Stream(SAMPLE.read_bytes()).text()


@pytest.mark.parametrize(
    ("status", "error"),
    [(429, gs.client.RateLimitError), (500, gs.client.InternalServerError), (503, gs.client.InternalServerError)],
)
def test_status_faults_with_retry_after(status: int, error: type) -> None:
    with gs.tools.serve([SAMPLE], loop=True, fault=f"status={status},retry-after=0.2") as server:
        code, headers, body = raw_post(server, {"stream": True})
        assert code == status and headers["Retry-After"] == "0.2"
        assert json.loads(body)["error"]["message"] == f"fault asked for: status {status}"
        client = client_for(server, max_retries=1)
        started = time.monotonic()
        with pytest.raises(error):
            client.chat_stream(model="m", messages=MESSAGES)
        assert time.monotonic() - started >= 0.15  # the retry waited as Retry-After said
        assert eventually(lambda: len(server.served) == 3)
        assert [entry.status for entry in server.served] == [status] * 3


def test_fault_spelling_errors_are_named() -> None:
    assert Fault.parse("after=2, stall=1.5").describe() == "after=2,stall=1.5"
    for bad, message in [("explode", "unknown fault item 'explode'"), ("status=200", "out of range"),
                         ("after=x", "bad value in fault item 'after=x'"), ("cut,drop", "two actions")]:  # fmt: skip
        with pytest.raises(ValueError, match=message):
            Fault.parse(bad)
    with gs.tools.serve([SAMPLE]) as server:
        status, _, body = raw_post(server, {"stream": True}, {"X-Groqstream-Fault": "explode"})
        assert status == 400 and "X-Groqstream-Fault: unknown fault item" in json.loads(body)["error"]["message"]


# --- operations -------------------------------------------------------------------------------


def test_twenty_concurrent_clients_are_served() -> None:
    # Each client takes its first chunk, then waits until all 20 have theirs before reading on: a server that
    # served one request at a time would never let the barrier open (no timing is asserted).
    barrier = threading.Barrier(20, timeout=60)
    results: List[str] = []
    errors: List[BaseException] = []
    with gs.tools.serve([("t.sse", timed_capture([0.01] * 20))], loop=True) as server:
        want = gs.Stream(strip_capture(server.captures[0].raw)).text()

        def one() -> None:
            try:
                with client_for(server, timeout=120).chat_stream(model="m", messages=MESSAGES) as stream:
                    first = next(iter(stream))
                    barrier.wait()
                    rest = "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
                results.append((first.choices[0].delta.content or "") + rest)
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=one) for _ in range(20)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert not errors and results == [want] * 20


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="counting file descriptors needs Linux /proc")
def test_no_file_descriptor_growth_over_500_requests() -> None:
    with gs.tools.serve([SAMPLE], loop=True, delay=False) as server:
        client = client_for(server)
        for _ in range(20):  # warm up: threads, pools
            client.chat_stream(model="m", messages=MESSAGES).text()
        before = len(list(open_fds()))
        for i in range(500):
            if i % 2:
                client.chat_stream(model="m", messages=MESSAGES).text()
            else:
                raw_post(server, {"stream": True})  # a new connection each time, closed by the client
        time.sleep(0.2)
        after = len(list(open_fds()))
        client.close()
    assert after - before <= 2, (before, after)
    assert eventually(lambda: len(server.served) == 520)


def test_one_log_line_per_request_saying_whether_a_key_came() -> None:
    log = io.StringIO()
    with gs.tools.serve([SAMPLE], loop=True, log=log) as server:
        client_for(server).chat_stream(model="m", messages=MESSAGES).text()
        raw_post(server, {"stream": True})
    assert eventually(lambda: len(log.getvalue().splitlines()) == 2)
    lines = log.getvalue().splitlines()
    assert re.fullmatch(
        r"serve: POST /v1/chat/completions 200 capture=sample.sse events=41 bytes=\d+ \d+\.\d{3}s api-key=yes", lines[0]
    )
    assert lines[1].endswith("api-key=no")


def test_close_ends_a_stall_at_once() -> None:
    server = gs.tools.serve([SAMPLE], loop=True, fault="after=1,stall=30")
    errors: List[BaseException] = []

    def read() -> None:
        try:
            client_for(server, timeout=60).chat_stream(model="m", messages=MESSAGES).text()
        except BaseException as exc:
            errors.append(exc)

    reader = threading.Thread(target=read)
    reader.start()
    time.sleep(0.3)
    started = time.monotonic()
    server.close()
    reader.join(10)
    assert not reader.is_alive() and time.monotonic() - started < 5
    assert errors and isinstance(errors[0], gs.IncompleteStreamError)


# --- the command ---------------------------------------------------------------------------------


def start_cli(*args: str) -> Tuple[subprocess.Popen[str], str, List[str]]:
    process = subprocess.Popen(
        [sys.executable, "-m", "groqstream", "serve", "--port", "0", *args],
        cwd=ROOT, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert process.stderr is not None
    lines = []
    for line in process.stderr:
        lines.append(line)
        match = re.search(r"listening on (http://\S+)", line)
        if match:
            return process, match.group(1), lines
    raise AssertionError("".join(lines))


def test_the_command_serves_reports_bad_captures_and_stops_cleanly_on_ctrl_c(tmp_path: Path) -> None:
    broken = tmp_path / "broken.sse"
    broken.write_bytes(b'data: {"id": oops}\n\n')
    process, url, lines = start_cli(str(SAMPLE), str(broken), "--loop")
    try:
        assert any("broken.sse: does not validate" in line for line in lines), lines
        assert any(
            line.startswith("serve: sample.sse: 41 events, untimed, model=llama-3.3-70b-versatile") for line in lines
        )
        client = gs.client.Client(base_url=url + "/v1", api_key="k", max_retries=0)
        assert client.chat_stream(model="m", messages=MESSAGES).text() == gs.Stream(SAMPLE.read_bytes()).text()
    finally:
        process.send_signal(signal.SIGINT)
        _, rest = process.communicate(timeout=20)
    assert process.returncode == 0
    assert "serve: POST /v1/chat/completions 200 capture=sample.sse" in rest and "serve: stopped" in rest


def test_the_command_refuses_a_bad_fault_and_a_missing_file() -> None:
    for args, message in [(["--fault", "explode"], "--fault: unknown fault item"), ([], "cannot listen or read")]:
        target = [str(SAMPLE)] if args else ["/nonexistent.sse"]
        result = subprocess.run(
            [sys.executable, "-m", "groqstream", "serve", "--port", "0", *target, *args],
            cwd=ROOT, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert result.returncode == 2 and message in result.stderr, result.stderr


# --- the SDKs (optional peers) -----------------------------------------------------------------------


def sdk_text(chunks: Iterator[Any]) -> Tuple[str, List[Tuple[str, str]], Optional[int]]:
    text: List[str] = []
    calls: Dict[int, Tuple[str, str]] = {}
    usage: Optional[int] = None
    for chunk in chunks:
        if getattr(chunk, "usage", None) is not None:
            usage = chunk.usage.total_tokens
        x_groq = getattr(chunk, "x_groq", None)  # the OpenAI SDK keeps it as a plain dict
        x_usage = x_groq.get("usage") if isinstance(x_groq, dict) else getattr(x_groq, "usage", None)
        if x_usage is not None:
            usage = x_usage["total_tokens"] if isinstance(x_usage, dict) else x_usage.total_tokens
        for choice in chunk.choices:
            text.append(choice.delta.content or "")
            for call in choice.delta.tool_calls or []:
                name, args = calls.get(call.index, ("", ""))
                calls[call.index] = (name + (call.function.name or ""), args + (call.function.arguments or ""))
    return "".join(text), [calls[i] for i in sorted(calls)], usage


def ours(path: Path) -> Tuple[str, List[Tuple[str, str]], Optional[int]]:
    completion = gs.Stream(strip_capture(path.read_bytes())).final_completion()
    message = completion.choices[0].message
    calls = [(c.function.name, c.function.arguments) for c in message.tool_calls or []]
    return message.content or "", calls, completion.usage.total_tokens if completion.usage else None


def sdk_paths() -> List[Path]:
    # Groq's own complete answers: the SDKs read them as any server's.
    names = ("groq-gpt-oss-120b-tool-call-usage.sse", "groq-gpt-oss-120b-reasoning-content-usage.sse")
    return [SAMPLE, *(p for p in capture_paths() if p.name in names)]


@pytest.mark.parametrize("sdk", ["groq", "openai"])
def test_the_sdks_assemble_what_the_capture_holds(sdk: str) -> None:
    module = pytest.importorskip(sdk, reason=f"the {sdk} SDK is not installed (optional: CI installs it)")
    with gs.tools.serve(sdk_paths(), loop=True) as server:
        if sdk == "groq":
            client = module.Groq(api_key="k", base_url=server.url, max_retries=0)
        else:
            client = module.OpenAI(api_key="k", base_url=server.url + "/v1", max_retries=0)
        for path in sdk_paths():
            chunks = client.chat.completions.create(
                model="m", messages=MESSAGES, stream=True, extra_headers={"X-Groqstream-Capture": path.name}
            )
            assert sdk_text(iter(chunks)) == ours(path), path.name
        error = module.RateLimitError
        with pytest.raises(error):
            client.chat.completions.create(
                model="m", messages=MESSAGES, stream=True, extra_headers={"X-Groqstream-Fault": "status=429"}
            )
        assert [m.id for m in client.models.list().data] == server.models
