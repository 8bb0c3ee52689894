"""Timed captures: the exact bytes of a stream, with arrival times as SSE comments.

A capture is a plain SSE file: the bytes the server sent. A *timed* capture
adds comment lines, which every SSE parser ignores, so it stays a valid
stream that any parser (the Groq and OpenAI SDKs included) reads unchanged::

    : groqstream-capture 1 model=llama-3.3-70b-versatile start=2026-11-21T00:44:57.123456Z
    : t=0.412031
    data: {"id":"chatcmpl-...", ...}

    : t=0.415877
    data: {"id":"chatcmpl-...", ...}

* The first line names the format, its version, and (when known) the model
  and the UTC time the request was sent.
* ``: t=SECONDS`` precedes each event: seconds from the request to the
  arrival of the read that completed the event (its blank line).
* Everything else is the server's bytes, unchanged and in order: the writer
  only inserts lines between events, and never between a CR and the LF that
  may follow it.

``CaptureWriter`` writes the format; ``CaptureDecoder`` (sans-I/O) and
``iter_capture`` read it back as ``TimedEvent(time, event)`` pairs. An untimed
capture reads the same way, with ``time`` ``None``. The full specification is
docs/capture-format.md.
"""

from __future__ import annotations

import datetime
import time as _time
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any, Callable, Dict, Iterator, List, NamedTuple, Optional

from ..core.chunks import ChunkDecoder
from ..core.lines import DEFAULT_MAX_EVENT_BYTES
from ..core.pipeline import ByteSource, reads
from ..core.sse import ServerSentEvent, SSEDecoder
from ..types import ChatCompletionChunk

if TYPE_CHECKING:
    from ..types.responses import ResponseStreamEvent

__all__ = ["CaptureDecoder", "CaptureHeader", "CaptureWriter", "TimedEvent", "iter_capture", "messages_digest"]

CAPTURE_VERSION = 1
_HEADER = b": groqstream-capture "
_TIME = b": t="
_BLANK = (b"\n", b"\r\n", b"\r")
_BOM = b"\xef\xbb\xbf"


class TimedEvent(NamedTuple):
    """An event read from a capture, with its arrival time."""

    time: Optional[float]
    """Seconds from the request to the event's arrival; ``None`` in an untimed capture."""
    event: ServerSentEvent
    """The event."""


@dataclass(frozen=True)
class CaptureHeader:
    """The first line of a timed capture."""

    version: int
    """The format version (1)."""
    model: Optional[str] = None
    """The model the request named, when recorded."""
    start: Optional[str] = None
    """When the request was sent: ISO 8601 UTC, e.g. ``2026-11-21T00:44:57.123456Z``."""
    request: Optional[str] = None
    """``messages_digest`` of the request's messages, when recorded (``serve --match request`` compares it)."""

    def to_line(self) -> bytes:
        """The header as a capture's first line (with LF)."""
        parts = [f"groqstream-capture {self.version}"]
        if self.model:
            parts.append(f"model={self.model}")
        if self.start:
            parts.append(f"start={self.start}")
        if self.request:
            parts.append(f"request={self.request}")
        return (": " + " ".join(parts) + "\n").encode("utf-8")

    @classmethod
    def from_line(cls, line: bytes) -> Optional[CaptureHeader]:
        """Parse a header line; ``None`` when *line* is not one."""
        if not line.startswith(_HEADER):
            return None
        words = line[len(_HEADER) :].decode("utf-8", "replace").split()
        if not words or not words[0].isdigit():
            return None
        fields: Dict[str, str] = dict(word.split("=", 1) for word in words[1:] if "=" in word)
        return cls(int(words[0]), fields.get("model"), fields.get("start"), fields.get("request"))


def messages_digest(messages: Any) -> str:
    """A stable digest of a request's ``messages``, as a timed capture's header records it (``request=``).

    The first 16 hex digits of the SHA-256 of the messages as canonical JSON:
    keys sorted, no spaces, non-ASCII characters as UTF-8. Two requests with
    the same messages have the same digest whatever their key order.
    """
    import hashlib  # here: only recording and serving need it
    import json

    text = json.dumps(messages, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


class CaptureWriter:
    """Write a timed capture: the bytes received, with ``: t=`` comments before each event.

    Args:
        file: a binary file open for writing. ``close()`` finishes the capture
            but leaves the file open: its owner closes it.
        model: the model the request named, for the header.
        start: when the request was sent (UTC); default: now.
        request: ``messages_digest`` of the request's messages, for the header.
        clock: seconds as a float, for the arrival times (default ``time.monotonic``);
            the clock's value at construction is time zero.
    """

    def __init__(
        self,
        file: IO[bytes],
        *,
        model: Optional[str] = None,
        start: Optional[datetime.datetime] = None,
        clock: Callable[[], float] = _time.monotonic,
        request: Optional[str] = None,
    ) -> None:
        self._file = file
        self._clock = clock
        self._zero = clock()
        when = (start or datetime.datetime.now(datetime.timezone.utc)).astimezone(datetime.timezone.utc)
        stamp = when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        self.header = CaptureHeader(CAPTURE_VERSION, model, stamp, request)
        """The header written on the capture's first line."""
        self._pending: List[bytes] = []
        self._last_time = 0.0
        self._started = False

    def write(self, data: bytes, at: Optional[float] = None) -> None:
        """Record bytes as they arrive.

        Args:
            data: the bytes just received, exactly as received.
            at: their arrival time in seconds since the request; default: now
                by the writer's clock.
        """
        self._last_time = at if at is not None else self._clock() - self._zero
        self._pending.append(bytes(data))
        if b"\n" not in data and b"\r" not in data:
            return  # no line ended: nothing can be complete yet (and no re-copying of a long line)
        buffer = b"".join(self._pending)
        start = cut = position = 0
        lines = buffer.splitlines(keepends=True)
        for i, line in enumerate(lines):
            position += len(line)
            # A lone CR at the very end may be the first half of a CRLF: wait for the next byte.
            if line in _BLANK and not (i == len(lines) - 1 and line == b"\r"):
                self._emit(buffer[start:position])
                start = cut = position
        self._pending = [buffer[cut:]] if cut < len(buffer) else []

    def close(self) -> None:
        """Write what is left (an unterminated last event, as received) and flush. The file stays open."""
        tail = b"".join(self._pending)
        self._pending = []
        self._emit(tail)
        self._file.flush()

    def _emit(self, record: bytes) -> None:
        if not self._started:
            self._started = True
            if record.startswith(_BOM):  # a BOM belongs at the very start of the stream, before our header
                self._file.write(_BOM)
                record = record[len(_BOM) :]
            self._file.write(self.header.to_line())
        if record and record not in _BLANK:
            self._file.write(b"%s%.6f\n" % (_TIME, self._last_time))
        self._file.write(record)


class _CommentDecoder(SSEDecoder):
    """An SSEDecoder that notes the capture comments it passes, with their place among the events."""

    def __init__(self, *, max_event_bytes: int, unicode_errors: str) -> None:
        super().__init__(max_event_bytes=max_event_bytes, unicode_errors=unicode_errors)
        self.marks: List[tuple[int, bytes]] = []

    def _comment(self, line: bytes, offset: int, dispatched: int) -> None:
        if line.startswith(b": "):
            self.marks.append((dispatched, line))


class CaptureDecoder:
    """Sans-I/O capture reader: feed bytes, get ``TimedEvent`` pairs.

    Untimed captures (plain SSE) give ``time=None``. Options are those of ``SSEDecoder``.
    """

    def __init__(self, *, max_event_bytes: int = DEFAULT_MAX_EVENT_BYTES, unicode_errors: str = "replace") -> None:
        self._sse = _CommentDecoder(max_event_bytes=max_event_bytes, unicode_errors=unicode_errors)
        self._time: Optional[float] = None
        self.header: Optional[CaptureHeader] = None
        """The capture's header, once its first line has been read (``None`` for untimed captures)."""

    @property
    def sse(self) -> SSEDecoder:
        """The underlying SSE decoder (byte counts, last event ID)."""
        return self._sse

    def feed(self, data: bytes) -> List[TimedEvent]:
        """Add bytes; return the events they completed, each with its arrival time.

        Raises:
            SSEProtocolError: as ``SSEDecoder.feed``.
        """
        events = self._sse.feed(data)
        marks, self._sse.marks = self._sse.marks, []
        out: List[TimedEvent] = []
        done = 0
        for dispatched, line in marks:
            out += [TimedEvent(self._time, event) for event in events[done:dispatched]]
            done = dispatched
            self._note(line)
        out += [TimedEvent(self._time, event) for event in events[done:]]
        return out

    def flush(self) -> List[TimedEvent]:
        """End of input (an unterminated last event is discarded, as for ``SSEDecoder``)."""
        return [TimedEvent(self._time, event) for event in self._sse.flush()]

    def _note(self, line: bytes) -> None:
        if line.startswith(_TIME):
            try:
                value = float(line[len(_TIME) :].rstrip(b"\r\n"))
            except ValueError:
                return  # another tool's comment that happens to look similar: not ours
            if value == value and value >= 0:  # not NaN, not negative
                self._time = value
        elif self.header is None:
            self.header = CaptureHeader.from_line(line)


def iter_capture(
    source: ByteSource, *, max_event_bytes: int = DEFAULT_MAX_EVENT_BYTES, unicode_errors: str = "replace"
) -> Iterator[TimedEvent]:
    """Yield ``TimedEvent(time, event)`` pairs from a capture (timed or not).

    Args:
        source: any sync byte source (``bytes``, a binary file, ...). It is not closed.
        max_event_bytes, unicode_errors: as for ``SSEDecoder``.
    """
    decoder = CaptureDecoder(max_event_bytes=max_event_bytes, unicode_errors=unicode_errors)
    for data in reads(source):
        yield from decoder.feed(data)
    yield from decoder.flush()


@dataclass(frozen=True)
class TimedChunk:
    """Internal: an event of a capture, its time, and the chunk it carried (if any)."""

    time: Optional[float]
    """Seconds from the request to the event's arrival; ``None`` in an untimed capture."""
    event: ServerSentEvent
    """The event."""
    chunk: Optional[ChatCompletionChunk]
    """The chunk the event carried; ``None`` for ``[DONE]`` and events that carry none."""


def iter_timed_chunks(
    source: ByteSource, *, require_done: Optional[bool] = None, strict: bool = False
) -> Iterator[TimedChunk]:
    """Yield every event of a capture with its time and decoded chunk, stopping at ``[DONE]``.

    Raises what ``Stream`` raises (``StreamAPIError``, ``ChunkDecodeError``,
    ``IncompleteStreamError``...), after every item before the fault.
    """
    reader = CaptureDecoder()
    decoder = ChunkDecoder(require_done=require_done, strict=strict)
    for data in reads(source):
        for timed in reader.feed(data):
            chunks = decoder.feed(timed.event)
            yield TimedChunk(timed.time, timed.event, chunks[0] if chunks else None)
            if decoder.done:
                decoder.flush()  # raises a pending x_groq.error
                return
    pending = reader.sse.pending_bytes if reader.sse.pending_data else 0
    received = reader.sse.bytes_received
    reader.flush()
    decoder.end(bytes_received=received, pending_bytes=pending, unterminated=reader.sse.unterminated)


# --- which wire format a capture holds ---------------------------------------------------------

CHAT = "chat"
RESPONSES = "responses"
# How much of a capture is looked at for its first event: any real first event fits (a Responses
# response.created carries the request's instructions and tools, a few KiB).
_FORMAT_HEAD_BYTES = 65536


def capture_format(data: bytes) -> str:
    """``"responses"`` when *data* (a capture, or its start) is a Responses API stream, else ``"chat"``.

    Decided by the first event that carries data: an ``event: response.*``
    line, or JSON data with a string ``type`` and no ``choices`` (a Responses
    event, ``error`` events included; a chat chunk has ``object`` and
    ``choices``, no ``type``). Anything else, and an input with no event in
    its first 64 KiB, is read as chat, whose errors then say what it is.
    """
    import json

    for timed in CaptureDecoder().feed(data[:_FORMAT_HEAD_BYTES]):
        event = timed.event
        if event.event.startswith("response."):
            return RESPONSES
        if not event.data or event.data.strip() == "[DONE]":
            continue
        try:
            payload = json.loads(event.data)
        except (ValueError, RecursionError):
            return CHAT
        is_event = type(payload) is dict and isinstance(payload.get("type"), str) and "choices" not in payload
        return RESPONSES if is_event else CHAT
    return CHAT


class TimedResponseEvent(NamedTuple):
    """Internal: an event of a Responses capture, its time, and the typed event it carried (if any)."""

    time: Optional[float]
    event: ServerSentEvent
    chunk: Optional[ResponseStreamEvent]
    """The typed event (named ``chunk`` as in ``TimedChunk``, so the two unpack alike); ``None`` for
    ``[DONE]`` and events without data."""


def iter_timed_responses(source: ByteSource, *, strict: bool = False) -> Iterator[TimedResponseEvent]:
    """Yield every event of a Responses capture with its time and typed event, stopping at the terminal event.

    Raises what ``ResponseStream`` raises (``StreamAPIError`` after the
    terminal event that follows an ``error``, ``ChunkDecodeError``,
    ``IncompleteStreamError``...), after every item before the fault.
    """
    from ..core.responses import ResponseEventDecoder

    reader = CaptureDecoder()
    decoder = ResponseEventDecoder(strict=strict)
    for data in reads(source):
        for timed in reader.feed(data):
            yield TimedResponseEvent(timed.time, timed.event, decoder.decode_event(timed.event))
            if decoder.done:
                decoder.end()  # raises the error an error event or response.failed reported
                return
    pending = reader.sse.pending_bytes if reader.sse.pending_data else 0
    received = reader.sse.bytes_received
    reader.flush()
    unterminated = reader.sse.unterminated
    # A whole terminal event without its blank line is the end (unterminated-terminal), as ResponseStream reads it.
    for typed in decoder.end(bytes_received=received, pending_bytes=pending, unterminated=unterminated):
        assert unterminated is not None  # end() returns an event only when it read this one
        yield TimedResponseEvent(reader._time, unterminated, typed)
    decoder.end()  # raises the error response.failed reported
