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

import collections
import contextlib
import errno
import io
import ipaddress
import json
import math
import os
import selectors
import signal
import socket
import socketserver
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import IO, Any, Callable, Deque, Dict, Iterator, List, NamedTuple, Optional, Sequence, Tuple, Union

from ..client.sanitize import redact_url
from ..core.errors import GroqStreamError
from .capture import CHAT, RESPONSES, CaptureHeader, capture_format, messages_digest

__all__ = ["Capture", "CaptureServer", "Fault", "ServedRequest", "serve"]

CHAT_PATHS = ("/openai/v1/chat/completions", "/v1/chat/completions")
RESPONSES_PATHS = ("/openai/v1/responses", "/v1/responses")
"""The Responses API's endpoints: answered from Responses captures (``Capture.format``), chat's from chat ones."""
MODELS_PATHS = ("/openai/v1/models", "/v1/models")
CAPTURE_HEADER = "X-Groqstream-Capture"
FAULT_HEADER = "X-Groqstream-Fault"
_TIME = b": t="
_BOM = b"\xef\xbb\xbf"

# The bounds that let serve run unattended in a test suite (docs/serve.md, "Limits"). Each is a keyword of
# CaptureServer and an option of the command.
DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024
"""Largest request body read (8 MiB). A chat request is kilobytes; a long conversation with a few images as
data URLs is a few MiB (the real API's own limit is of this order). Past it: 413, the connection closed."""
DEFAULT_MAX_CONNECTIONS = 256
"""Connections served at once, one thread each. Past it a new connection gets a 503 with Retry-After and is
closed: a test suite's clients are a few dozen; a flood must not grow threads without end."""
DEFAULT_IDLE_TIMEOUT = 15.0
"""Seconds a connection may be silent (between requests, or inside one) before it is closed and its thread
freed. Longer than the pool expiry of httpx (5 s); groqstream's clients replace a pooled connection closed
while idle."""
DEFAULT_REQUEST_TIMEOUT = 30.0
"""Seconds from a request's first byte by which its head and body must have arrived, in total; past it: 408,
the connection closed. The idle timeout bounds each read; without this, a client sending a byte every 14 s
could hold a connection (one of ``max_connections``) for as long as it liked."""
DEFAULT_KEEP_SERVED = 1000
"""How many ``ServedRequest`` entries ``CaptureServer.served`` keeps (the newest); ``requests`` counts all."""
FAULT_SPELLINGS_KEPT = 1000
"""How many ``X-Groqstream-Fault`` spellings with ``times=N`` have their use counted (the most recently used):
a client sending a new spelling with every request must not grow the server. A spelling pushed out is counted
from zero if it comes again (its fault applies again)."""
BACKLOG = 128
"""Connections the kernel holds until they are accepted (http.server's default, 5, reset a burst of clients)."""
_MAX_STALL = 86400.0  # a day: longer is a mistake, and threading's waits overflow near 2**63 ns
_ACCEPT_BACKOFF = (0.01, 0.25)  # first and longest wait after accept fails for lack of descriptors
LINGER_SECONDS = 1.0
"""How long a connection refused past ``max_connections`` is held after its 503, to read (and drop) what its
client still sends: closing at once would answer those bytes with a reset, and the client would see "connection
reset" instead of the 503. A client that reads the 503 and closes ends it sooner."""
_LINGER_CONNECTIONS = 64  # refused connections held at once; past it the next is closed at once
_LINGER_BYTES = 1024 * 1024  # the most read (and dropped) from one refused connection
_LOG_PATH_CHARS = 200  # a path longer than this is cut in the log line (its request line may be 64 KiB)


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
        self.format = capture_format(self.body)
        """``"chat"`` or ``"responses"``: which endpoint the capture answers (``CHAT_PATHS``, ``RESPONSES_PATHS``)."""
        self.model = (self.header.model if self.header else None) or self._first_model()
        """The model the capture answers for: its header's, else its first chunk's or response's (else ``None``)."""
        self.events = sum(block.is_event for block in self.blocks)
        self.timed = self.header is not None and any(block.time is not None for block in self.blocks)

    @property
    def stem(self) -> str:
        """The name without its extension (``answer`` for ``answer.sse``): also accepted by the header."""
        return self.name.rsplit(".", 1)[0] if "." in self.name else self.name

    def _first_model(self) -> Optional[str]:
        for block in self.blocks:
            obj = _data_json(block)
            if isinstance(obj, dict) and isinstance(obj.get("response"), dict):  # a Responses event's snapshot
                obj = obj["response"]
            if isinstance(obj, dict) and isinstance(obj.get("model"), str) and obj["model"]:
                return str(obj["model"])
        return None

    def problems(self) -> List[str]:
        """What ``groqstream validate`` finds wrong in the capture (empty when it is a clean stream)."""
        from .report import not_a_stream, validate

        problem = not_a_stream(self.raw, complete=True)
        if problem is not None:
            return [problem]
        return [f"{f.code}: {f.message}" for f in validate(self.raw) if f.severity == "problem"]

    def completion(self) -> Dict[str, Any]:
        """The non-streaming answer (``stream: false``): the accumulated completion as JSON, or for a
        Responses capture the final ``Response``.

        Raises:
            GroqStreamError: the capture does not accumulate to an answer (cut, or an error event).
        """
        if self.format == RESPONSES:
            from ..core.response_stream import ResponseStream

            return ResponseStream(self.body).final_response().to_dict()
        from ..core.stream import Stream

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
        status=429, times=1         only the first request gets the fault; later ones are served

    ``after`` counts events (blocks with a ``data`` line) and defaults to 0.
    ``times=N`` limits the fault to the first N requests it applies to: for
    ``--fault``, the server's first N requests; for the header, the first N
    requests carrying that same spelling (a client's retries resend it).
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
        times: Optional[int] = None,
    ) -> None:
        self.status = status
        self.retry_after = retry_after
        self.after = after
        self.action = action
        self.cut_bytes = cut_bytes
        self.stall = stall
        self.times = times

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
            elif key in ("status", "after", "cut-bytes", "times") and has_value:
                number = _fault_value(item, int, value)
                if number < (1 if key == "times" else 0) or (key == "status" and not 400 <= number <= 599):
                    raise ValueError(f"{key}={value} is out of range")
                values[key.replace("-", "_")] = number
            elif key in ("retry-after", "stall") and has_value:
                seconds = _fault_value(item, float, value)
                # Finite and at most a day: inf or 1e300 would overflow the server's wait, after the headers.
                if not (math.isfinite(seconds) and 0 <= seconds <= _MAX_STALL):
                    raise ValueError(f"{key}={value} is not a number of seconds from 0 to {_MAX_STALL:g}")
                values[key.replace("-", "_")] = seconds
            else:
                raise ValueError(
                    f"unknown fault item {item!r} (items: status=CODE, retry-after=SECONDS, after=N, cut, "
                    "cut-bytes=N, stall=SECONDS, error, drop, times=N)"
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
        if self.times is not None:
            parts.append(f"times={self.times}")
        return ",".join(parts)


def _fault_value(item: str, convert: Callable[[str], Any], value: str) -> Any:
    """*value* of a fault item as a number, or the ``ValueError`` that names the item."""
    try:
        return convert(value)
    except ValueError:
        # Not the conversion's own message: int() of a 5,000-digit value quotes Python's digit limit.
        raise ValueError(f"bad value in fault item {_printable(item, 60)!r}: not a number") from None


# The error body's "type" (and "code", where the real API sets one) for a status fault, as Groq's and
# OpenAI's APIs answer: 4xx are "invalid_request_error", a 401 says "invalid_api_key", a 429 is a rate limit
# ("requests"/"tokens" in the type, "rate_limit_exceeded" in the code), 5xx "internal_server_error".
_FAULT_ERRORS = {401: ("invalid_request_error", "invalid_api_key"), 429: ("requests", "rate_limit_exceeded")}


def _fault_error_event(wire_format: str, sent: int) -> bytes:
    """The event block of ``Fault(action="error")``: chat's in-band ``{"error": ...}``, or a Responses ``error``
    event (typed flat, as the SDKs type it, numbered after the *sent* events before it)."""
    message = "fault asked for: an error event"
    if wire_format == RESPONSES:
        event = {"type": "error", "code": "server_error", "message": message, "param": None, "sequence_number": sent}
        return b"event: error\ndata: " + json.dumps(event).encode() + b"\n\n"
    error = {"error": {"message": message, "type": "internal_server_error"}}
    return b"data: " + json.dumps(error).encode() + b"\n\n"


def _fault_error(status: int) -> Tuple[str, str]:
    """``(type, code)`` of the error body a status fault answers with."""
    if status in _FAULT_ERRORS:
        return _FAULT_ERRORS[status]
    return ("invalid_request_error" if status < 500 else "internal_server_error"), "fault"


def _printable(text: str, limit: int = _LOG_PATH_CHARS) -> str:
    """*text* with every unprintable character escaped (``\\x1b``, ``\\u202e``) and cut to *limit* characters.

    What reaches the log from the network (a method, a path) goes through this: a raw ESC would let a client
    drive the terminal that shows the log. A backslash is escaped too, so an escape seen is one made here.
    Not ``core.errors.snippet`` (a ``repr``): that quotes the text and cuts the input, not the escaped output,
    so 200 characters of ``\\U`` escapes would print 2,000; nor ``client.sanitize._describe``, which names one
    character of a value that must not be shown at all.
    """
    out: List[str] = []
    size = 0
    for char in text:
        if char.isprintable() and char != "\\":
            piece = char
        elif char == "\\":
            piece = "\\\\"
        elif ord(char) <= 0xFF:
            piece = f"\\x{ord(char):02x}"
        else:
            piece = f"\\u{ord(char):04x}" if ord(char) <= 0xFFFF else f"\\U{ord(char):08x}"
        if size + len(piece) > limit:
            out.append("\u2026")
            break
        out.append(piece)
        size += len(piece)
    return "".join(out)


# --- choosing a capture -------------------------------------------------------------------------


class _NotServed(Exception):
    """A request that gets an API error instead of a capture."""

    def __init__(
        self,
        status: int,
        message: str,
        kind: str = "invalid_request_error",
        code: str = "",
        *,
        close: bool = False,
        retry_after: Optional[float] = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.kind = kind
        self.code = code
        self.close = close
        """Close the connection after the answer: the request's body was not read, so nothing after it can be."""
        self.retry_after = retry_after


_FORMAT_NAMES = {CHAT: "chat", RESPONSES: "Responses API"}


class _Chooser:
    """Which capture answers a request: by name, in order (a playlist), or by request (model and messages)."""

    def __init__(self, captures: List[Capture], match: str, loop: bool) -> None:
        if match not in ("order", "request"):
            raise ValueError(f"match must be 'order' or 'request', not {match!r}")
        self.captures = captures
        self.match = match
        self.loop = loop
        self._next: Dict[str, int] = {}  # each format's playlist has its own place
        self._turns: Dict[Tuple[str, ...], int] = {}
        self._lock = threading.Lock()

    def choose(self, name: Optional[str], body: Dict[str, Any], wire_format: str = CHAT) -> Capture:
        """The capture that answers a request to an endpoint of *wire_format* (``"chat"`` or ``"responses"``).

        Only captures of that format are candidates: a chat capture never
        answers ``/v1/responses``, nor a Responses one ``/v1/chat/completions``.
        """
        if name:
            for capture in self.captures:
                if name in (capture.name, capture.stem):
                    if capture.format != wire_format:
                        where = RESPONSES_PATHS[1] if capture.format == RESPONSES else CHAT_PATHS[1]
                        raise _NotServed(
                            404,
                            f"capture {capture.name} is a {_FORMAT_NAMES[capture.format]} stream: "
                            f"ask for it at {where}",
                            code="capture_not_found",
                        )
                    return capture
            names = ", ".join(c.name for c in self.captures)
            raise _NotServed(404, f"no capture named {name!r} (captures: {names})", code="capture_not_found")
        captures = [c for c in self.captures if c.format == wire_format]
        if not captures:
            raise _NotServed(
                404,
                f"no {_FORMAT_NAMES[wire_format]} capture to answer with (captures: "
                f"{', '.join(f'{c.name} ({c.format})' for c in self.captures)})",
                code="capture_not_found",
            )
        if self.match == "request":
            return self._by_request(body, captures, wire_format)
        with self._lock:
            place = self._next.get(wire_format, 0)
            if place >= len(captures):
                kind = "Responses API " if wire_format == RESPONSES else ""  # chat's message as it always was
                if not self.loop:
                    raise _NotServed(
                        404,
                        f"playlist exhausted: all {len(captures)} {kind}captures were served "
                        "(serve with --loop to start again, or name one with X-Groqstream-Capture)",
                        code="playlist_exhausted",
                    )
                place = 0
            self._next[wire_format] = place + 1
            return captures[place]

    def _by_request(self, body: Dict[str, Any], captures: List[Capture], wire_format: str) -> Capture:
        model = body.get("model")
        # A chat request's conversation is its messages; a Responses request's is its input.
        digest = messages_digest(body.get("input" if wire_format == RESPONSES else "messages"))
        exact = [c for c in captures if c.header and c.header.request == digest and c.model in (model, None)]
        by_model = [c for c in captures if not (c.header and c.header.request) and c.model in (model, None)]
        candidates = exact or by_model
        if not candidates:
            raise _NotServed(
                404,
                f"no capture matches model {model!r} with messages digest {digest} "
                f"(captures: {', '.join(f'{c.name} model={c.model}' for c in captures)})",
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
    """The request's target, the value of a secret-looking query parameter masked (``?api-key=***``)."""
    status: int
    capture: Optional[str]
    events: int
    """Events sent (whole blocks written), whatever the outcome: a client that left mid-stream included."""
    bytes: int
    """Body bytes written (chunk framing not counted), whatever the outcome."""
    seconds: float
    api_key: bool
    fault: str
    """The fault applied, in its spelling; ``""`` when none was (or its ``times`` were used up)."""
    error: str = ""
    """Why the request failed on the server's side (a malformed request, a client gone), ``""`` otherwise."""


class CaptureServer:
    """A threaded local endpoint answering chat-completion requests with captures.

    Args:
        captures: capture files (paths), or ``(name, bytes)`` pairs.
        host, port: where to listen; port 0 picks a free one (see ``url``).
            IPv6 addresses (``::1``) work; an address other machines can
            reach (``0.0.0.0``, ``::``) gets a warning in the log.
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
            ``sys.stderr``), or ``None``.
        max_body_bytes: the largest request body read; a larger one is a 413.
        max_connections: connections served at once; past it a new one gets a 503.
        idle_timeout: seconds a connection may be silent before it is closed.
        request_timeout: seconds from a request's first byte by which all of its head and body must have
            arrived; past it a 408, and the connection is closed.
        keep_served: how many entries ``served`` keeps (the newest).

    Raises:
        ValueError: a bad option. OSError: the address cannot be listened on.

    Use it as a context manager (it starts on entry and stops on exit), or
    call ``start()`` and ``close()``.
    """

    poll_interval: float = 0.05
    """Seconds between the ``start()`` thread's looks at ``close()``: a close waits up to this long.

    The default half second of ``socketserver`` would make each close that slow; 50 ms costs nothing idle.
    A program (or test suite) that starts and closes many servers may lower it on the class.
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
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
        idle_timeout: float = DEFAULT_IDLE_TIMEOUT,
        request_timeout: float = DEFAULT_REQUEST_TIMEOUT,
        keep_served: int = DEFAULT_KEEP_SERVED,
    ) -> None:
        if not captures:
            raise ValueError("serve needs at least one capture")
        if not speed > 0:
            raise ValueError(f"speed must be positive, not {speed!r}")
        if rate is not None and not rate > 0:
            raise ValueError(f"rate must be positive, not {rate!r}")
        for name, value in (("max_body_bytes", max_body_bytes), ("max_connections", max_connections),
                            ("keep_served", keep_served)):  # fmt: skip
            if isinstance(value, bool) or not isinstance(value, int) or value < (0 if name == "keep_served" else 1):
                raise ValueError(f"{name} must be a positive whole number, not {value!r}")
        for name, seconds in (("idle_timeout", idle_timeout), ("request_timeout", request_timeout)):
            if isinstance(seconds, bool) or not (isinstance(seconds, (int, float)) and 0 < seconds <= _MAX_STALL):
                raise ValueError(f"{name} must be a number of seconds from 0 to {_MAX_STALL:g}, not {seconds!r}")
        self.captures = [c if isinstance(c, Capture) else Capture(c) for c in captures]
        self._chooser = _Chooser(self.captures, match, loop)
        self.speed = speed
        self.delay = delay
        self.rate = rate
        self.fault = Fault.parse(fault) if isinstance(fault, str) else fault
        self.log = log
        self.max_body_bytes = max_body_bytes
        self.max_connections = max_connections
        self.idle_timeout = float(idle_timeout)
        self.request_timeout = float(request_timeout)
        self.served: Deque[ServedRequest] = collections.deque(maxlen=keep_served)
        """The newest ``keep_served`` requests answered, in order (older ones are dropped: memory stays bounded)."""
        self.requests = 0
        """How many requests were answered in all."""
        self.refused = 0
        """How many connections were refused with a 503 because ``max_connections`` were open."""
        self._fault_uses: collections.OrderedDict[Tuple[str, str], int] = collections.OrderedDict()
        """Uses of each fault spelling with ``times``, least recently used first (at most FAULT_SPELLINGS_KEPT)."""
        self._stopping = threading.Event()
        self._log_lock = threading.Lock()
        family = _family(host, port)
        self._httpd = _HTTPServer((host, port), _Handler, family, self)
        self._thread: Optional[threading.Thread] = None
        if not self.loopback:
            self._write_log(
                f"serve: warning: {self.url} is reachable from other machines (no authentication); "
                "--host 127.0.0.1 keeps it on this one"
            )

    @property
    def url(self) -> str:
        """``http://HOST:PORT``: the Groq SDK's ``base_url``; add ``/v1`` for the OpenAI SDK or groqstream's client."""
        host, port = self._httpd.server_address[:2]
        host = str(host)
        return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"

    @property
    def loopback(self) -> bool:
        """Whether the server listens on a loopback address only (reachable from this machine alone)."""
        host = str(self._httpd.server_address[0]).split("%", 1)[0]
        try:
            return ipaddress.ip_address(host).is_loopback
        except ValueError:
            return False

    @property
    def models(self) -> List[str]:
        """The models of the captures, sorted (``GET /v1/models`` lists them)."""
        return sorted({c.model for c in self.captures if c.model})

    def start(self) -> CaptureServer:
        """Serve in a background thread; returns the server."""
        _load_thread_exit()
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._httpd.serve_forever, args=(self.poll_interval,), name="groqstream-serve", daemon=True
            )
            self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in this thread until ``close()`` (from another thread) or Ctrl-C (``KeyboardInterrupt``)."""
        _load_thread_exit()
        self._httpd.serve_forever()

    def close(self) -> None:
        """Stop: pending stalls and delays end at once, the listening socket is closed."""
        self._stopping.set()
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
            self._thread = None
        self._httpd.server_close()
        self._httpd.lingerer.close()

    def __enter__(self) -> CaptureServer:
        return self.start()

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    # --- what the handler calls -------------------------------------------------------------

    def _record(self, entry: ServedRequest) -> None:
        with self._log_lock:
            self.served.append(entry)
            self.requests += 1
        what = f"capture={entry.capture} events={entry.events} bytes={entry.bytes}" if entry.capture else ""
        fault = f" fault={entry.fault}" if entry.fault else ""
        error = f" error={entry.error}" if entry.error else ""
        # Method and path come from the network: escaped, and the query (which may hold a key) left out.
        path, query, _ = entry.path.partition("?")
        self._write_log(
            f"serve: {_printable(entry.method, 20)} {_printable(path)}{'?…' if query else ''} {entry.status} {what} "
            f"{entry.seconds:.3f}s api-key={'yes' if entry.api_key else 'no'}{fault}{error}"
        )

    def _write_log(self, line: str) -> None:
        if self.log is None:
            return
        with self._log_lock:
            try:
                self.log.write(" ".join(line.split()) + "\n")
                self.log.flush()
            except (OSError, ValueError):
                pass  # a closed log must not break serving

    def _take_fault(self, fault: Optional[Fault], source: str) -> Optional[Fault]:
        """*fault*, unless its ``times`` are used up: counted per source (flag or header) and spelling."""
        if fault is None or fault.times is None:
            return fault
        key = (source, fault.describe())
        with self._log_lock:
            uses = self._fault_uses.pop(key, 0)
            self._fault_uses[key] = min(uses + 1, fault.times)  # re-inserted: now the most recently used
            if len(self._fault_uses) > FAULT_SPELLINGS_KEPT:
                self._fault_uses.popitem(last=False)
        return None if uses >= fault.times else fault

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


def _load_thread_exit() -> None:
    """End one thread now, so that what a thread's end needs is loaded before descriptors can run out.

    glibc loads libgcc_s (one file descriptor) the first time a thread exits; a process at its descriptor
    limit then aborts ("libgcc_s.so.1 must be installed for pthread_exit to work") when a handler thread ends.
    """
    thread = threading.Thread(target=int, name="groqstream-serve-warmup")
    thread.start()
    thread.join()


def _family(host: str, port: int) -> int:
    """The address family to listen with: IPv6 for ``::1`` or a name that resolves only to IPv6."""
    if host in ("", "0.0.0.0"):
        return socket.AF_INET
    try:
        infos = socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM, 0, socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise OSError(f"cannot resolve the address {host!r}: {exc.strerror}") from None
    return int(infos[0][0])


# accept() failing with these means "no descriptor (or memory) for a new connection now": the connection waits
# in the backlog, and accepting again at once fails again (a busy loop: issue #24).
_ACCEPT_EXHAUSTED = {errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM}


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True  # a client holding a connection open must not keep the process alive
    allow_reuse_address = True
    request_queue_size = BACKLOG

    def __init__(self, address: Tuple[str, int], handler: Any, family: int, owner: CaptureServer) -> None:
        self.address_family = family
        self.owner = owner
        self._open = 0  # connections being served (each a thread)
        self._open_lock = threading.Lock()
        self._backoff = 0.0
        self.lingerer = _Lingerer(owner._stopping)
        super().__init__(address, handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind asks DNS for the host's full name (getfqdn), which can take seconds for 0.0.0.0
        # or ::, and is never used here.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)

    def get_request(self) -> Tuple[socket.socket, Any]:
        try:
            request = super().get_request()
        except OSError as exc:
            if exc.errno in _ACCEPT_EXHAUSTED:
                # Back off (10 ms, doubling to 250 ms) instead of spinning; close() still stops within 250 ms.
                # Connections already open keep being served, and free descriptors as they end.
                first, longest = _ACCEPT_BACKOFF
                self._backoff = min(longest, max(first, self._backoff * 2))
                self.owner._stopping.wait(self._backoff)
            raise  # socketserver drops the failed accept and polls again
        self._backoff = 0.0
        return request

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            full = self._open >= self.owner.max_connections
            if not full:
                self._open += 1
        if full:
            self._refuse(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:  # no thread could be started: this connection is not open after all
            with self._open_lock:
                self._open -= 1
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self._open_lock:
                self._open -= 1

    def _refuse(self, request: socket.socket) -> None:
        """Answer a connection past ``max_connections`` with a 503, without a thread, and close it."""
        owner = self.owner
        with owner._log_lock:
            owner.refused += 1
        message = f"serve is at its limit of {owner.max_connections} open connections (max_connections)"
        body = json.dumps({"error": {"message": message, "type": "internal_server_error", "code": "overloaded"}})
        head = (
            "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nRetry-After: 1\r\nConnection: close\r\n\r\n"
        )
        try:
            # Never wait here (this is the accept loop): a few hundred bytes fit any fresh socket's buffer.
            request.setblocking(False)
            _discard_arrived(request)  # what has arrived: a socket closed with unread bytes is reset at once
            request.send((head + body).encode())
            request.shutdown(socket.SHUT_WR)  # the 503, then a FIN: the client reads to the end of the answer
        except OSError:
            request.close()
        else:
            # Not closed yet: the client may still be writing its request (http.client writes the head, then
            # the body; the connection is often refused before either arrives). Bytes arriving at a closed
            # socket are answered with a reset, which fails the client's next write before it reads the 503:
            # 26 of 30 Client calls saw "connection reset". The lingerer reads and drops them until the client
            # closes, for a second at most, in one thread for all refused connections.
            self.lingerer.add(request)
        owner._write_log(f"serve: refused a connection: {message}")

    def handle_error(self, request: Any, client_address: Any) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError, socket.timeout)):
            return  # a client that went away (or stayed idle too long) is no error of the server's
        # One line, not a traceback: the handler answers every request it can, so this is a connection the
        # handler could not even answer (the log says what, for a bug report).
        self.owner._write_log(f"serve: error on a connection: {type(exc).__name__}: {_printable(str(exc))}")


def _discard_arrived(sock: socket.socket, limit: int = _LINGER_BYTES) -> int:
    """Read and drop what the non-blocking *sock* has received so far, never waiting.

    Returns:
        How many bytes were read; -1 once the client closed its side (or the connection broke), or
        *limit* was reached: nothing more is worth reading.
    """
    read = 0
    while read < limit:
        try:
            piece = sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return read  # nothing more has arrived
        except OSError:
            return -1
        if not piece:
            return -1
        read += len(piece)
    return -1


class _Lingerer:
    """Refused connections after their 503: what their clients still send is read and dropped until they close.

    Lingering close, as nginx and Apache do it. Bounded three ways: ``LINGER_SECONDS`` per connection,
    ``_LINGER_BYTES`` read from each, ``_LINGER_CONNECTIONS`` at once (past it a refused connection is closed
    at once). One thread, started when there is a connection to hold and ending when there is none.
    """

    def __init__(self, stopping: threading.Event) -> None:
        self._stopping = stopping
        self._lock = threading.Lock()
        self._new: List[socket.socket] = []  # handed over, not yet watched
        self._held = 0  # handed over and not closed yet
        self._thread: Optional[threading.Thread] = None

    def add(self, sock: socket.socket) -> None:
        """Hold *sock* (non-blocking, its answer sent) until its client closes; or close it now if full."""
        with self._lock:
            if self._held < _LINGER_CONNECTIONS and not self._stopping.is_set():
                if self._thread is None:
                    thread = threading.Thread(target=self._run, name="groqstream-serve-linger", daemon=True)
                    try:
                        thread.start()
                        self._thread = thread
                    except RuntimeError:  # no thread to be had: close at once, as when full
                        pass
                if self._thread is not None:
                    self._new.append(sock)
                    self._held += 1
                    return
        sock.close()

    def close(self) -> None:
        """Wait for the held connections to be closed (the server is stopping: at most one 20 ms turn)."""
        with self._lock:
            thread = self._thread
        if thread is not None:
            thread.join(1.0)

    def _run(self) -> None:
        selector = selectors.DefaultSelector()
        ends: Dict[socket.socket, Tuple[float, int]] = {}  # each held socket: when to close it, bytes read
        try:
            while True:
                with self._lock:
                    for sock in self._new:
                        selector.register(sock, selectors.EVENT_READ, sock)
                        ends[sock] = (time.monotonic() + LINGER_SECONDS, 0)
                    self._new.clear()
                    if not ends:
                        self._thread = None  # under the lock: add() starts a new thread from now on
                        return
                done: List[socket.socket] = []
                for key, _ in selector.select(0.02):  # also how soon a newly added connection is watched
                    sock = key.data  # registered with itself as its data: typed, unlike key.fileobj
                    until, total = ends[sock]
                    read = _discard_arrived(sock, _LINGER_BYTES - total)
                    if read < 0:
                        done.append(sock)
                    else:
                        ends[sock] = (until, total + read)
                now = time.monotonic()
                stopping = self._stopping.is_set()
                done.extend(s for s, (until, _) in ends.items() if (now >= until or stopping) and s not in done)
                for sock in done:
                    selector.unregister(sock)
                    sock.close()
                    del ends[sock]
                with self._lock:
                    self._held -= len(done)
        finally:
            selector.close()


class _TooSlow(Exception):
    """A request's head and body did not arrive within ``request_timeout`` of its first byte."""


class _DeadlineReader(io.RawIOBase):
    """A handler's connection as the raw stream under its ``rfile``, with a deadline for each request.

    Each read waits at most the idle timeout, as before; while a request is being read (its head, then its
    body), at most until the request's deadline too, which its first byte sets. A client trickling a byte
    every few seconds passes the first bound on every read; the second ends it.
    """

    def __init__(self, handler: _Handler) -> None:
        super().__init__()
        self._handler = handler
        self._sock: socket.socket = handler.connection

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        handler = self._handler
        owner = handler.server.owner
        deadline = handler._deadline if handler._reading else None
        shortened = False
        if deadline is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise _TooSlow
            if remaining < owner.idle_timeout:
                self._sock.settimeout(remaining)
                shortened = True
        try:
            read = self._sock.recv_into(buffer)
        except socket.timeout:
            if shortened:
                raise _TooSlow from None
            raise
        finally:
            if shortened:  # back to the idle timeout, which also bounds the answer's writes
                self._sock.settimeout(owner.idle_timeout)
        if read and handler._reading and handler._deadline is None:
            handler._deadline = time.monotonic() + owner.request_timeout
        return read


class _Cut(Exception):
    """The connection is to be closed without finishing the response (the ``drop`` fault)."""


_DIGITS = frozenset("0123456789")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, and chunked bodies
    server: _HTTPServer
    server_version = "groqstream-serve"

    def setup(self) -> None:
        super().setup()
        # A connection silent this long (idle between requests, or stuck inside one) is closed, its thread freed.
        self.connection.settimeout(self.server.owner.idle_timeout)
        # Reads through _DeadlineReader: each bounded by the idle timeout, a request's all by request_timeout.
        self.rfile.close()  # the socket's own reader: closed, or the socket would stay open after its close()
        self.rfile = io.BufferedReader(_DeadlineReader(self))
        self._deadline: Optional[float] = None
        """When the request being read must have arrived (monotonic); ``None`` until its first byte."""
        self._reading = True
        """Whether a request's head or body is being read (what the deadline applies to)."""
        # Each event goes out on its own, at once: without this, Nagle's algorithm holds a small write back
        # until the client acknowledges the one before, which a client delays (up to 40 ms on Linux).
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._events = self._sent = 0
        self._replied = False

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass  # one line per request is written by CaptureServer._record instead

    def _owner(self) -> CaptureServer:
        return self.server.owner

    def send_error(self, code: int, message: Optional[str] = None, explain: Optional[str] = None) -> None:
        """What http.server answers a request it cannot parse with: the API's JSON error shape, not HTML."""
        # http.server calls this for a bad request line (400), one too long (414), too many or too long header
        # lines (431), and a method with no do_* (501, which is a 405 here: the method is known, not served).
        started = time.monotonic()
        if code == 501:
            code, message = 405, f"method {_printable(self.command or '', 20)} is not allowed (GET and POST are)"
        text = message or self.responses.get(code, ("error",))[0]
        self.close_connection = True  # after a request that could not be read, nothing on the connection can be
        if self.request_version == "HTTP/0.9":
            # http.server's guess for a line it could not split; HTTP/0.9 answers have no status line or headers,
            # which no client of this server could read. Nobody speaks 0.9 any more: answer with a status line.
            self.request_version = "HTTP/1.0"
        self._json(code, {"error": {"message": text, "type": "invalid_request_error", "code": None}},
                   {"Connection": "close", **({"Allow": "GET, POST"} if code == 405 else {})})  # fmt: skip
        self._done(started, code, None, "", error="bad request")

    def handle_one_request(self) -> None:
        """Read one request and answer it; a 408 if its head does not arrive within ``request_timeout``."""
        self._deadline, self._reading = None, True
        # What the previous request on this connection left: a 408 before the new request line is read must
        # neither log the old method and path nor be answered without a status line (HTTP/0.9).
        self.command, self.path, self.request_version = "", "", "HTTP/1.1"
        self.__dict__.pop("headers", None)
        try:
            super().handle_one_request()
        except _TooSlow:
            deadline = self._deadline if self._deadline is not None else time.monotonic()
            started = deadline - self._owner().request_timeout  # the request's first byte
            self.close_connection = True
            with contextlib.suppress(OSError):
                self._error(self._too_slow())
            self._done(started, 408, None, "", error="request too slow")

    def _too_slow(self) -> _NotServed:
        seconds = self._owner().request_timeout
        return _NotServed(
            408,
            f"the request did not arrive in full within {seconds:g} s of its first byte (request_timeout, "
            "--request-timeout)",
            code="request_timeout",
            close=True,
        )

    def handle_expect_100(self) -> bool:
        """A client asking before it sends a body (curl does past 1 MiB) hears the 413 now, not "100 Continue"."""
        try:
            self._body_length()
        except _NotServed as exc:
            started = time.monotonic()
            self.close_connection = True
            self._done(started, self._error(exc), None, "")
            return False
        return super().handle_expect_100()

    def do_GET(self) -> None:
        started = time.monotonic()
        self._reading = False  # a GET's body is never read
        self._events = self._sent = 0
        self._replied = False
        path = self.path.split("?", 1)[0]
        if self.headers.get("Content-Length", "0").strip() not in ("", "0") or "Transfer-Encoding" in self.headers:
            self.close_connection = True  # a body on a GET is never read: the next request cannot be found
        if path.rstrip("/") in MODELS_PATHS:
            models = [
                {"id": m, "object": "model", "created": 0, "owned_by": "groqstream-serve"} for m in self._owner().models
            ]
            status = self._json(200, {"object": "list", "data": models})
        else:
            status = self._error(
                _NotServed(
                    404,
                    f"no route for GET {path} (try POST /v1/chat/completions, POST /v1/responses or GET /v1/models)",
                    code="not_found",
                )
            )
        self._done(started, status, None, "")

    def do_POST(self) -> None:
        started = time.monotonic()
        self._events = self._sent = 0
        self._replied = False
        owner = self._owner()
        path = self.path.split("?", 1)[0]
        capture: Optional[Capture] = None
        fault_text = error = ""
        try:
            body = self._read_body()
            route = path.rstrip("/")
            if route not in CHAT_PATHS + RESPONSES_PATHS:
                endpoints = ", ".join(CHAT_PATHS + RESPONSES_PATHS)
                raise _NotServed(404, f"no route for POST {path} (the endpoints: {endpoints})", code="not_found")
            wire_format = RESPONSES if route in RESPONSES_PATHS else CHAT
            fault, source = owner.fault, "flag"
            header = self.headers.get(FAULT_HEADER)
            if header is not None:
                try:
                    fault, source = Fault.parse(header), "header"
                except ValueError as exc:
                    raise _NotServed(400, f"{FAULT_HEADER}: {exc}") from None
            capture = owner._chooser.choose(self.headers.get(CAPTURE_HEADER), body, wire_format)
            fault = owner._take_fault(fault, source)
            fault_text = fault.describe() if fault else ""
            if fault is not None and fault.status is not None:
                kind, code = _fault_error(fault.status)
                raise _NotServed(
                    fault.status, f"fault asked for: status {fault.status}", kind, code, retry_after=fault.retry_after
                )
            if body.get("stream") is True:
                self._stream(capture, body, fault, started)
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
            if exc.close:
                self.close_connection = True
            status = self._error(exc)
        except _Cut:
            status = 200
            self.close_connection = True
        except (ConnectionError, socket.timeout) as exc:  # the client went away, or stopped reading
            status = 200 if self._replied else 499
            error = "client gone" if isinstance(exc, ConnectionError) else "client timed out"
            self.close_connection = True
        except Exception as exc:  # a bug here: answer (if still possible) rather than leave the client hanging
            error = f"internal error: {type(exc).__name__}"
            self.close_connection = True
            status = 500
            if not self._replied:
                with contextlib.suppress(OSError):
                    self._error(_NotServed(500, f"serve failed on this request: {type(exc).__name__}", "api_error"))
        self._done(started, status, capture, fault_text, error=error)

    def _done(self, started: float, status: int, capture: Optional[Capture], fault: str, error: str = "") -> None:
        headers = getattr(self, "headers", None)  # none when the request line itself was bad
        api_key = bool(headers and (headers.get("Authorization") or headers.get("api-key")))
        name = capture.name if capture else None
        seconds = time.monotonic() - started
        # The query may carry a key (?api-key=...): kept with such values masked, by the clients' own rule.
        path = redact_url(getattr(self, "path", "") or "-")
        entry = ServedRequest(
            self.command or "-", path, status, name, self._events, self._sent, seconds, api_key, fault, error,
        )  # fmt: skip
        self._owner()._record(entry)

    def _body_length(self) -> int:
        """The request body's length from its headers, or the ``_NotServed`` that refuses it."""
        if "Transfer-Encoding" in self.headers:
            # Every client that sends JSON sends a Content-Length; a chunked body is not worth a parser here.
            raise _NotServed(411, "a request body must come with Content-Length (not chunked)", close=True)
        values = self.headers.get_all("Content-Length") or []
        if not values:
            return 0
        value = values[0].strip()
        if len(set(v.strip() for v in values)) > 1 or not value or not set(value) <= _DIGITS:
            # Not "1e3", not "-1", not two different lengths (which two servers could read differently).
            shown = _printable(", ".join(values), 40)
            raise _NotServed(400, f"Content-Length: {shown!r} is not one number of bytes", close=True)
        limit = self._owner().max_body_bytes
        if len(value) > 20 or int(value) > limit:  # 20 digits: int() of a huge value is never needed
            raise _NotServed(
                413,
                f"the request body is {value if len(value) <= 20 else 'over 10^20'} bytes; serve reads at most "
                f"{limit} (max_body_bytes, --max-body)",
                code="request_too_large",
                close=True,
            )
        return int(value)

    def _read_body(self) -> Dict[str, Any]:
        length = self._body_length()
        try:
            raw = self.rfile.read(length) if length else b""
        except _TooSlow:
            raise self._too_slow() from None
        finally:
            self._reading = False
        if len(raw) < length:
            raise ConnectionResetError("the client closed the connection before the end of the body")
        try:
            body = json.loads(raw or b"{}")
        except (ValueError, RecursionError):  # RecursionError: nesting deeper than the interpreter's stack
            raise _NotServed(400, "the request body is not JSON") from None
        if not isinstance(body, dict):
            raise _NotServed(400, "the request body is not a JSON object")
        return body

    def _json(self, status: int, payload: Any, headers: Optional[Dict[str, str]] = None) -> int:
        data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        self._replied = True
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        return status

    def _error(self, exc: _NotServed) -> int:
        headers = {"Retry-After": f"{exc.retry_after:g}"} if exc.retry_after is not None else {}
        if exc.close:
            headers["Connection"] = "close"
        error = {"message": exc.message, "type": exc.kind, "code": exc.code or None}
        return self._json(exc.status, {"error": error}, headers)

    def _stream(self, capture: Capture, body: Dict[str, Any], fault: Optional[Fault], started: float) -> None:
        """Send *capture* as an event stream; what went out is counted in ``_events``/``_sent`` as it goes."""
        owner = self._owner()
        self._replied = True
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("X-Groqstream-Capture", capture.name)
        self.end_headers()
        self.wfile.flush()  # the headers at once, before the first event's delay
        options = body.get("stream_options")
        drop_usage = isinstance(options, dict) and options.get("include_usage") is False
        stalled = False
        for at, block in owner._schedule(capture):
            if drop_usage and block.is_event and capture.usage_only(block):
                continue
            if fault is not None and self._events >= fault.after:
                if fault.stall is not None and not stalled:
                    stalled = True
                    if not owner._wait_until(time.monotonic(), fault.stall):
                        break
                    started += fault.stall  # the rest keeps its gaps
                if fault.action == "cut":
                    break
                if fault.action == "error":
                    self._chunk(_fault_error_event(capture.format, self._events))
                    self._events += 1
                    break
                if fault.action == "drop" and block.is_event:
                    self._chunk(block.data[: max(1, len(block.data) // 2)])
                    self.connection.shutdown(socket.SHUT_RDWR)
                    raise _Cut
            if not owner._wait_until(started, at):
                break
            data = block.data
            if fault is not None and fault.cut_bytes is not None:
                data = data[: max(0, fault.cut_bytes - self._sent)]
                if not data:
                    break
            self._chunk(data)
            self._events += block.is_event
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()  # each block on its own, as the server sent it
        self._sent += len(data)  # counted once written: what the client was sent, whatever happens next


def serve(captures: Sequence[Union[str, os.PathLike[str], Tuple[str, bytes]]], **options: Any) -> CaptureServer:
    """Start a ``CaptureServer`` in a background thread and return it (``close()`` it, or use ``with``)."""
    return CaptureServer(captures, **options).start()


def _stop_on_sigterm() -> Optional[Any]:
    """Make SIGTERM (what kill, CI and docker send) stop serve as Ctrl-C does; the handler it replaced."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGTERM"):
        return None

    def stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    return signal.signal(signal.SIGTERM, stop)


def run(args: Any, out: IO[str], err: IO[str]) -> int:
    """``groqstream serve``: load, report what does not validate, serve until Ctrl-C or SIGTERM."""
    try:
        server = CaptureServer(
            args.captures, host=args.host, port=args.port, match=args.match, loop=args.loop,
            speed=args.speed, delay=not args.no_delay, rate=args.rate, fault=args.fault, log=err,
            max_body_bytes=args.max_body, max_connections=args.max_connections, idle_timeout=args.idle_timeout,
            request_timeout=args.request_timeout,
        )  # fmt: skip
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            err.write(
                f"groqstream serve: port {args.port} on {args.host} is in use (another serve?); "
                "choose another with --port, or --port 0 for a free one\n"
            )
        else:
            err.write(f"groqstream serve: cannot listen or read: {exc}\n")
        return 2
    except ValueError as exc:
        err.write(f"groqstream serve: {exc}\n")
        return 2
    for capture in server.captures:
        kind = "timed" if capture.timed else "untimed"
        shape = ", Responses API (POST /v1/responses)" if capture.format == RESPONSES else ""
        err.write(f"serve: {capture.name}: {capture.events} events, {kind}, model={capture.model or '?'}{shape}\n")
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
    previous = _stop_on_sigterm()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        err.write("serve: stopped\n")
    finally:
        server.close()
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    return 0
