"""``groqstream serve``: a local chat-completions endpoint that answers with captures, timing and faults included.

Any client (the Groq and OpenAI SDKs, curl, httpx, groqstream's own) can be
pointed at it. A request is answered with a capture's bytes exactly as the
server sent them (a timed capture's header and ``: t=`` lines dropped), each
event block in its own chunk of a chunked body, at its recorded time. What is
served is chosen per request (``CaptureServer``'s ``match``, or the
``X-Groqstream-Capture`` header), and faults (``Fault``) can be asked for per
server or per request (``X-Groqstream-Fault``). docs/serve.md is the guide.

The parts that do not touch a socket (reading a capture into blocks,
choosing one, parsing a fault) are plain functions and classes; the handler
is a thin layer over ``http.server``.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import IO, Any, Callable, Dict, Iterator, List, NamedTuple, Optional, Sequence, Tuple, Union

from ._capture import CaptureHeader, messages_digest
from ._errors import GroqStreamError

__all__ = ["Capture", "CaptureServer", "Fault", "ServedRequest", "serve"]

CHAT_PATHS = ("/openai/v1/chat/completions", "/v1/chat/completions")
MODELS_PATHS = ("/openai/v1/models", "/v1/models")
CAPTURE_HEADER = "X-Groqstream-Capture"
FAULT_HEADER = "X-Groqstream-Fault"
_TIME = b": t="
_BOM = b"\xef\xbb\xbf"


# --- captures as blocks ---------------------------------------------------------------------


class Block(NamedTuple):
    """One flush of a served stream: an event block's bytes as the server sent them."""

    time: Optional[float]
    """Seconds from the request at which the block arrived (a timed capture); ``None`` if untimed."""
    data: bytes
    """The bytes: the block's lines and the blank line that ends it (or an unterminated tail)."""
    is_event: bool
    """Whether the block dispatches an event (has a ``data`` line): what fault counts count."""


def split_blocks(data: bytes) -> Tuple[Optional[CaptureHeader], List[Block]]:
    """A capture's header (``None`` if untimed) and the server's bytes cut into blocks at blank lines.

    The blocks joined are exactly the bytes the server sent: for a timed
    capture, everything but the header line and the ``: t=`` lines the writer
    inserted (docs/capture-format.md); for an untimed one, the file.
    """
    prefix = b""
    if data.startswith(_BOM):
        prefix, data = _BOM, data[len(_BOM) :]
    lines = data.splitlines(keepends=True)
    header = CaptureHeader.from_line(lines[0]) if lines else None
    if header is not None:
        lines = lines[1:]
    blocks: List[Block] = []
    pending: List[bytes] = [prefix] if prefix else []
    when: Optional[float] = None
    at_start = True  # at the start of a block: where the writer puts its time lines
    for line in lines:
        if header is not None and at_start and line.startswith(_TIME):
            try:
                when = float(line[len(_TIME) :].strip())
                continue
            except ValueError:
                pass  # not the writer's: the server's own comment
        pending.append(line)
        if line in (b"\n", b"\r\n", b"\r"):
            if at_start and blocks and not any(p.strip() for p in pending[:-1]):
                # An extra blank line between blocks: it belongs to the block before (no event of its own).
                last = blocks[-1]
                blocks[-1] = last._replace(data=last.data + b"".join(pending))
            else:
                blocks.append(_block(when, pending))
            pending, at_start = [], True
        else:
            at_start = False
    if pending:
        blocks.append(_block(when, pending))  # an unterminated tail, sent as it was
    return header, blocks


def _data_json(block: Block) -> Any:
    """The JSON of the block's first ``data:`` line; ``None`` when it has none, or it is not JSON."""
    for line in block.data.splitlines():
        if line.startswith(b"data:"):
            try:
                return json.loads(line[5:])
            except ValueError:
                return None
    return None


def _block(when: Optional[float], lines: List[bytes]) -> Block:
    is_event = any(line.startswith(b"data") and line[4:5] in (b":", b"\n", b"\r", b"") for line in lines)
    return Block(when, b"".join(lines), is_event)


class Capture:
    """A capture file loaded for serving: its blocks, model, and what a non-streaming answer would be.

    Args:
        source: a path, or ``(name, bytes)``.
    """

    def __init__(self, source: Union[str, os.PathLike[str], Tuple[str, bytes]]) -> None:
        if isinstance(source, tuple):
            self.name, raw = source
            self.path: Optional[Path] = None
        else:
            self.path = Path(source)
            self.name = self.path.name
            raw = self.path.read_bytes()
        self.raw = raw
        """The file's bytes."""
        self.header, self.blocks = split_blocks(raw)
        self.body = b"".join(block.data for block in self.blocks)
        """The bytes a client receives: the server's bytes as recorded."""
        self.model = (self.header.model if self.header else None) or self._first_model()
        """The model the capture answers for: its header's, else its first chunk's (``None`` if neither)."""
        self.events = sum(block.is_event for block in self.blocks)
        self.timed = self.header is not None and any(block.time is not None for block in self.blocks)

    @property
    def stem(self) -> str:
        """The name without its extension (``answer`` for ``answer.sse``): also accepted by the header."""
        return self.name.rsplit(".", 1)[0] if "." in self.name else self.name

    def _first_model(self) -> Optional[str]:
        for block in self.blocks:
            obj = _data_json(block)
            if isinstance(obj, dict) and isinstance(obj.get("model"), str) and obj["model"]:
                return str(obj["model"])
        return None

    def problems(self) -> List[str]:
        """What ``groqstream validate`` finds wrong in the capture (empty when it is a clean stream)."""
        from ._report import not_a_stream, validate

        problem = not_a_stream(self.raw, complete=True)
        if problem is not None:
            return [problem]
        return [f"{f.code}: {f.message}" for f in validate(self.raw) if f.severity == "problem"]

    def completion(self) -> Dict[str, Any]:
        """The non-streaming answer: the accumulated completion as JSON (``stream: false``).

        Raises:
            GroqStreamError: the capture does not accumulate to a completion (cut, or an error event).
        """
        from ._stream import Stream

        return Stream(self.body).final_completion().to_dict()

    def usage_only(self, block: Block) -> bool:
        """Whether *block* is a usage-only chunk (no choices, a usage): what ``include_usage: false`` drops."""
        obj = _data_json(block)
        return isinstance(obj, dict) and obj.get("choices") == [] and obj.get("usage") is not None


# --- faults ---------------------------------------------------------------------------------


class Fault:
    """A failure to serve instead of (or in the middle of) a capture, as ``groqstream serve --fault`` spells it.

    The spelling is comma-separated items (also the ``X-Groqstream-Fault``
    header's value)::

        status=429, retry-after=2   answer with this status and an API error, no stream
        after=3, cut                end the body after 3 events (no [DONE]: a truncated stream)
        cut-bytes=200               end the body after 200 bytes
        after=2, stall=5            pause 5 seconds after 2 events, then go on
        after=1, error              send an in-band error event after 1 event, then end
        after=2, drop               close the connection in the middle of the 3rd event

    ``after`` counts events (blocks with a ``data`` line) and defaults to 0.
    """

    ACTIONS = ("cut", "error", "drop")

    def __init__(
        self,
        *,
        status: Optional[int] = None,
        retry_after: Optional[float] = None,
        after: int = 0,
        action: Optional[str] = None,
        cut_bytes: Optional[int] = None,
        stall: Optional[float] = None,
    ) -> None:
        self.status = status
        self.retry_after = retry_after
        self.after = after
        self.action = action
        self.cut_bytes = cut_bytes
        self.stall = stall

    @classmethod
    def parse(cls, text: str) -> Fault:
        """Read the spelling above.

        Raises:
            ValueError: an unknown item or a bad value, named.
        """
        values: Dict[str, Any] = {}
        for item in (part.strip() for part in text.split(",")):
            if not item:
                continue
            key, has_value, value = item.partition("=")
            key, value = key.strip(), value.strip()
            if key in cls.ACTIONS and not has_value:
                if "action" in values:
                    raise ValueError(f"two actions: {values['action']} and {key}")
                values["action"] = key
            elif key in ("status", "after", "cut-bytes") and has_value:
                number = _fault_value(item, int, value)
                if number < 0 or (key == "status" and not 400 <= number <= 599):
                    raise ValueError(f"{key}={value} is out of range")
                values[key.replace("-", "_")] = number
            elif key in ("retry-after", "stall") and has_value:
                seconds = _fault_value(item, float, value)
                if not seconds >= 0:
                    raise ValueError(f"{key}={value} is not a number of seconds")
                values[key.replace("-", "_")] = seconds
            else:
                raise ValueError(
                    f"unknown fault item {item!r} (items: status=CODE, retry-after=SECONDS, after=N, cut, "
                    "cut-bytes=N, stall=SECONDS, error, drop)"
                )
        return cls(**values)

    def __repr__(self) -> str:
        items = [f"{k}={v!r}" for k, v in vars(self).items() if v not in (None, 0)]
        return f"Fault({', '.join(items)})"

    def describe(self) -> str:
        """The fault in its own spelling, for the log."""
        parts = []
        if self.status is not None:
            parts.append(f"status={self.status}")
        if self.retry_after is not None:
            parts.append(f"retry-after={self.retry_after:g}")
        if self.after:
            parts.append(f"after={self.after}")
        if self.stall is not None:
            parts.append(f"stall={self.stall:g}")
        if self.cut_bytes is not None:
            parts.append(f"cut-bytes={self.cut_bytes}")
        if self.action:
            parts.append(self.action)
        return ",".join(parts)


def _fault_value(item: str, convert: Callable[[str], Any], value: str) -> Any:
    """*value* of a fault item as a number, or the ``ValueError`` that names the item."""
    try:
        return convert(value)
    except ValueError as exc:
        raise ValueError(f"bad value in fault item {item!r}: {exc}") from None


# --- choosing a capture -------------------------------------------------------------------------


class _NotServed(Exception):
    """A request that gets an API error instead of a capture."""

    def __init__(self, status: int, message: str, kind: str = "invalid_request_error", code: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.kind = kind
        self.code = code


class _Chooser:
    """Which capture answers a request: by name, in order (a playlist), or by request (model and messages)."""

    def __init__(self, captures: List[Capture], match: str, loop: bool) -> None:
        if match not in ("order", "request"):
            raise ValueError(f"match must be 'order' or 'request', not {match!r}")
        self.captures = captures
        self.match = match
        self.loop = loop
        self._next = 0
        self._turns: Dict[Tuple[str, ...], int] = {}
        self._lock = threading.Lock()

    def choose(self, name: Optional[str], body: Dict[str, Any]) -> Capture:
        if name:
            for capture in self.captures:
                if name in (capture.name, capture.stem):
                    return capture
            names = ", ".join(c.name for c in self.captures)
            raise _NotServed(404, f"no capture named {name!r} (captures: {names})", code="capture_not_found")
        if self.match == "request":
            return self._by_request(body)
        with self._lock:
            if self._next >= len(self.captures):
                if not self.loop:
                    raise _NotServed(
                        404,
                        f"playlist exhausted: all {len(self.captures)} captures were served "
                        "(serve with --loop to start again, or name one with X-Groqstream-Capture)",
                        code="playlist_exhausted",
                    )
                self._next = 0
            capture = self.captures[self._next]
            self._next += 1
            return capture

    def _by_request(self, body: Dict[str, Any]) -> Capture:
        model = body.get("model")
        digest = messages_digest(body.get("messages"))
        exact = [c for c in self.captures if c.header and c.header.request == digest and c.model in (model, None)]
        by_model = [c for c in self.captures if not (c.header and c.header.request) and c.model in (model, None)]
        candidates = exact or by_model
        if not candidates:
            raise _NotServed(
                404,
                f"no capture matches model {model!r} with messages digest {digest} "
                f"(captures: {', '.join(f'{c.name} model={c.model}' for c in self.captures)})",
                code="capture_not_found",
            )
        key = tuple(c.name for c in candidates)
        with self._lock:  # several captures for one request: served in turn
            turn = self._turns.get(key, 0)
            self._turns[key] = turn + 1
        return candidates[turn % len(candidates)]


# --- the server ------------------------------------------------------------------------------------


class ServedRequest(NamedTuple):
    """One request the server answered, as its log line says."""

    method: str
    path: str
    status: int
    capture: Optional[str]
    events: int
    bytes: int
    seconds: float
    api_key: bool
    fault: str


class CaptureServer:
    """A threaded local endpoint answering chat-completion requests with captures.

    Args:
        captures: capture files (paths), or ``(name, bytes)`` pairs.
        host, port: where to listen; port 0 picks a free one (see ``url``).
        match: ``"order"`` (a playlist: each request gets the next capture)
            or ``"request"`` (the capture recorded for the request's model and
            messages: docs/serve.md says the rule). The ``X-Groqstream-Capture``
            header, naming a capture, wins over both.
        loop: start the playlist again once every capture was served.
        speed: replay timed captures this many times faster (2.0: half the gaps).
        delay: ``False`` sends every block at once (each still its own chunk).
        rate: events per second for untimed captures (``None``: at once).
        fault: a ``Fault`` (or its spelling) for every request; the
            ``X-Groqstream-Fault`` header overrides it per request.
        log: where to write one line per request (a text file such as
            ``sys.stderr``), or ``None``. ``served`` keeps them all.

    Use it as a context manager (it starts on entry and stops on exit), or
    call ``start()`` and ``close()``.
    """

    def __init__(
        self,
        captures: Sequence[Union[str, os.PathLike[str], Tuple[str, bytes]]],
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        match: str = "order",
        loop: bool = False,
        speed: float = 1.0,
        delay: bool = True,
        rate: Optional[float] = None,
        fault: Union[Fault, str, None] = None,
        log: Optional[IO[str]] = None,
    ) -> None:
        if not captures:
            raise ValueError("serve needs at least one capture")
        if not speed > 0:
            raise ValueError(f"speed must be positive, not {speed!r}")
        if rate is not None and not rate > 0:
            raise ValueError(f"rate must be positive, not {rate!r}")
        self.captures = [c if isinstance(c, Capture) else Capture(c) for c in captures]
        self._chooser = _Chooser(self.captures, match, loop)
        self.speed = speed
        self.delay = delay
        self.rate = rate
        self.fault = Fault.parse(fault) if isinstance(fault, str) else fault
        self.log = log
        self.served: List[ServedRequest] = []
        """Every request answered so far, in order."""
        self._stopping = threading.Event()
        self._log_lock = threading.Lock()
        self._httpd = _HTTPServer((host, port), _Handler)
        self._httpd.owner = self
        self._thread: Optional[threading.Thread] = None

    @property
    def url(self) -> str:
        """``http://HOST:PORT``: the Groq SDK's ``base_url``; add ``/v1`` for the OpenAI SDK or groqstream's client."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def models(self) -> List[str]:
        """The models of the captures, sorted (``GET /v1/models`` lists them)."""
        return sorted({c.model for c in self.captures if c.model})

    def start(self) -> CaptureServer:
        """Serve in a background thread; returns the server."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._httpd.serve_forever, args=(0.05,), name="groqstream-serve", daemon=True
            )  # polls for close() every 50 ms (the default half second would make each close that slow)
            self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in this thread until ``close()`` (from another thread) or Ctrl-C (``KeyboardInterrupt``)."""
        self._httpd.serve_forever()

    def close(self) -> None:
        """Stop: pending stalls and delays end at once, the listening socket is closed."""
        self._stopping.set()
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> CaptureServer:
        return self.start()

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    # --- what the handler calls -------------------------------------------------------------

    def _record(self, entry: ServedRequest) -> None:
        with self._log_lock:
            self.served.append(entry)
            if self.log is not None:
                what = f"capture={entry.capture} events={entry.events} bytes={entry.bytes}" if entry.capture else ""
                fault = f" fault={entry.fault}" if entry.fault else ""
                line = (
                    f"serve: {entry.method} {entry.path} {entry.status} {what} {entry.seconds:.3f}s "
                    f"api-key={'yes' if entry.api_key else 'no'}{fault}"
                )
                try:
                    self.log.write(" ".join(line.split()) + "\n")
                    self.log.flush()
                except (OSError, ValueError):
                    pass  # a closed log must not break serving

    def _wait_until(self, started: float, at: float) -> bool:
        """Sleep until *at* seconds after *started*; False when the server is stopping."""
        remaining = started + at - time.monotonic()
        if remaining > 0:
            return not self._stopping.wait(remaining)
        return not self._stopping.is_set()

    def _schedule(self, capture: Capture) -> Iterator[Tuple[float, Block]]:
        """Each block with the time, in seconds after the request, to send it."""
        events = 0
        for block in capture.blocks:
            if not self.delay:
                at = 0.0
            elif capture.timed:
                at = (block.time or 0.0) / self.speed
            elif self.rate is not None:
                at = events / self.rate
            else:
                at = 0.0
            events += block.is_event
            yield at, block


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True  # a client holding a connection open must not keep the process alive
    allow_reuse_address = True
    owner: CaptureServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError, socket.timeout)):
            return  # a client that went away (or stayed idle too long) is no error of the server's
        super().handle_error(request, client_address)


class _Cut(Exception):
    """The connection is to be closed without finishing the response (the ``drop`` fault)."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, and chunked bodies
    timeout = 120  # seconds a kept-alive connection may stay idle (or a write block) before it is closed
    server: _HTTPServer
    server_version = "groqstream-serve"

    def setup(self) -> None:
        super().setup()
        # Each event goes out on its own, at once: without this, Nagle's algorithm holds a small write back
        # until the client acknowledges the one before, which a client delays (up to 40 ms on Linux).
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass  # one line per request is written by CaptureServer._record instead

    def _owner(self) -> CaptureServer:
        return self.server.owner

    def do_GET(self) -> None:
        started = time.monotonic()
        path = self.path.split("?", 1)[0].rstrip("/")
        if path in MODELS_PATHS:
            models = [
                {"id": m, "object": "model", "created": 0, "owned_by": "groqstream-serve"} for m in self._owner().models
            ]
            status = self._json(200, {"object": "list", "data": models})
        else:
            status = self._error(
                _NotServed(404, f"no route for GET {path} (try POST /v1/chat/completions)", code="not_found")
            )
        self._done(started, status, None, 0, 0, "")

    def do_POST(self) -> None:
        started = time.monotonic()
        owner = self._owner()
        path = self.path.split("?", 1)[0].rstrip("/")
        capture: Optional[Capture] = None
        fault = owner.fault
        fault_text = ""
        events = sent = 0
        try:
            body = self._read_body()
            if path not in CHAT_PATHS:
                raise _NotServed(
                    404, f"no route for POST {path} (the endpoints: {', '.join(CHAT_PATHS)})", code="not_found"
                )
            header = self.headers.get(FAULT_HEADER)
            if header is not None:
                try:
                    fault = Fault.parse(header)
                except ValueError as exc:
                    raise _NotServed(400, f"{FAULT_HEADER}: {exc}") from None
            fault_text = fault.describe() if fault else ""
            capture = owner._chooser.choose(self.headers.get(CAPTURE_HEADER), body)
            if fault is not None and fault.status is not None:
                raise _NotServed(
                    fault.status,
                    f"fault asked for: status {fault.status}",
                    kind="rate_limit_exceeded" if fault.status == 429 else "internal_server_error",
                    code="fault",
                )
            if body.get("stream") is True:
                events, sent = self._stream(capture, body, fault, started)
                status = 200
            else:
                try:
                    completion = capture.completion()
                except GroqStreamError as exc:
                    raise _NotServed(
                        500, f"capture {capture.name} has no complete answer: {exc}", "api_error"
                    ) from None
                status = self._json(200, completion)
        except _NotServed as exc:
            status = self._error(exc, retry_after=fault.retry_after if exc.code == "fault" and fault else None)
        except _Cut:
            status = 200
            self.close_connection = True
        except (ConnectionError, socket.timeout):  # the client went away
            status = 499
            self.close_connection = True
        self._done(started, status, capture, events, sent, fault_text)

    def _done(
        self, started: float, status: int, capture: Optional[Capture], events: int, sent: int, fault: str
    ) -> None:
        api_key = bool(self.headers.get("Authorization") or self.headers.get("api-key"))
        name = capture.name if capture else None
        seconds = time.monotonic() - started
        entry = ServedRequest(self.command, self.path, status, name, events, sent, seconds, api_key, fault)
        self._owner()._record(entry)

    def _read_body(self) -> Dict[str, Any]:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if self.command != "POST":
            return {}
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            raise _NotServed(400, "the request body is not JSON") from None
        if not isinstance(body, dict):
            raise _NotServed(400, "the request body is not a JSON object")
        return body

    def _json(self, status: int, payload: Any, headers: Optional[Dict[str, str]] = None) -> int:
        data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)
        return status

    def _error(self, exc: _NotServed, retry_after: Optional[float] = None) -> int:
        headers = {"Retry-After": f"{retry_after:g}"} if retry_after is not None else {}
        error = {"message": exc.message, "type": exc.kind, "code": exc.code or None}
        return self._json(exc.status, {"error": error}, headers)

    def _stream(
        self, capture: Capture, body: Dict[str, Any], fault: Optional[Fault], started: float
    ) -> Tuple[int, int]:
        owner = self._owner()
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("X-Groqstream-Capture", capture.name)
        self.end_headers()
        self.wfile.flush()  # the headers at once, before the first event's delay
        options = body.get("stream_options")
        drop_usage = isinstance(options, dict) and options.get("include_usage") is False
        events = sent = 0
        stalled = False
        for at, block in owner._schedule(capture):
            if drop_usage and block.is_event and capture.usage_only(block):
                continue
            if fault is not None and events >= fault.after:
                if fault.stall is not None and not stalled:
                    stalled = True
                    if not owner._wait_until(time.monotonic(), fault.stall):
                        break
                    started += fault.stall  # the rest keeps its gaps
                if fault.action == "cut":
                    break
                if fault.action == "error":
                    error = {"error": {"message": "fault asked for: an error event", "type": "internal_server_error"}}
                    sent += self._chunk(b"data: " + json.dumps(error).encode() + b"\n\n")
                    events += 1
                    break
                if fault.action == "drop" and block.is_event:
                    self._chunk(block.data[: max(1, len(block.data) // 2)])
                    self.wfile.flush()
                    self.connection.shutdown(socket.SHUT_RDWR)
                    raise _Cut
            if not owner._wait_until(started, at):
                break
            data = block.data
            if fault is not None and fault.cut_bytes is not None:
                data = data[: max(0, fault.cut_bytes - sent)]
                if not data:
                    break
            sent += self._chunk(data)
            events += block.is_event
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()
        return events, sent

    def _chunk(self, data: bytes) -> int:
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()  # each block on its own, as the server sent it
        return len(data)


def serve(captures: Sequence[Union[str, os.PathLike[str], Tuple[str, bytes]]], **options: Any) -> CaptureServer:
    """Start a ``CaptureServer`` in a background thread and return it (``close()`` it, or use ``with``)."""
    return CaptureServer(captures, **options).start()


def run(args: Any, out: IO[str], err: IO[str]) -> int:
    """``groqstream serve``: load, report what does not validate, serve until Ctrl-C."""
    try:
        server = CaptureServer(
            args.captures, host=args.host, port=args.port, match=args.match, loop=args.loop,
            speed=args.speed, delay=not args.no_delay, rate=args.rate, fault=args.fault, log=err,
        )  # fmt: skip
    except OSError as exc:
        err.write(f"groqstream serve: cannot listen or read: {exc}\n")
        return 2
    except ValueError as exc:
        err.write(f"groqstream serve: {exc}\n")
        return 2
    for capture in server.captures:
        kind = "timed" if capture.timed else "untimed"
        err.write(f"serve: {capture.name}: {capture.events} events, {kind}, model={capture.model or '?'}\n")
        problems = capture.problems()
        for problem in problems[:3]:
            err.write(f"serve: {capture.name}: does not validate: {problem}\n")
        if len(problems) > 3:
            err.write(f"serve: {capture.name}: ... and {len(problems) - 3} more problems\n")
    err.write(
        f"serve: listening on {server.url} (Groq SDK base_url={server.url}, OpenAI SDK base_url={server.url}/v1); "
        "Ctrl-C stops\n"
    )
    err.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        err.write("serve: stopped\n")
    finally:
        server.close()
    return 0
