"""Server-sent events: ``ServerSentEvent`` and the sans-I/O ``SSEDecoder``.

Bytes go in through ``feed``; every event those bytes completed comes out.
The decoder follows the WHATWG HTML Standard, section 9.2.6 "Parsing an event
stream" and "Interpreting an event stream", field by field:

* UTF-8, invalid bytes replaced by U+FFFD (or rejected, with
  ``unicode_errors="strict"``); one leading byte-order mark is stripped.
* Lines end at CRLF, LF or CR (see ``core/lines.py``).
* A line starting with ``:`` is a comment. Otherwise the field name runs to
  the first ``:``, and one space after it is dropped from the value; a line
  with no ``:`` is a field name with an empty value.
* ``event`` sets the type, ``data`` appends a line, ``id`` sets the last
  event ID unless the value contains U+0000, ``retry`` is kept only when it
  is all ASCII digits, and any other field is ignored.
* A blank line dispatches the event when its data buffer is not empty, and
  always resets the event type.
* At end of input an unterminated event is discarded (``unterminated`` then
  says what it would have been: the chunk layer reads a ``data: [DONE]``
  missing its blank line as ``[DONE]``).

Nothing else is rejected: the spec is lenient, and so are we. The one
addition is a size limit (``max_event_bytes``) so memory stays bounded.
"""

from __future__ import annotations

import json
from collections import namedtuple

from .errors import SSEProtocolError, snippet
from .lines import DEFAULT_MAX_EVENT_BYTES, LineDecoder, as_bytes

TYPE_CHECKING = False  # as typing's, without importing typing at run time: see docs/architecture.md
if TYPE_CHECKING:
    from typing import Any, List, NamedTuple, Optional
else:

    class _NamedTupleClass(type):
        """``typing.NamedTuple``'s class syntax, without importing typing: the class is a ``collections.namedtuple``.

        As typing does it: the annotated names are the fields, their values
        the defaults, and everything else in the body (docstring, methods) is
        set on the named tuple.
        """

        def __new__(cls, name: str, bases: Any, namespace: Any) -> Any:
            if not bases:  # NamedTuple itself
                return super().__new__(cls, name, bases, namespace)
            fields = list(namespace.get("__annotations__", {}))
            made = namedtuple(name, fields, defaults=[namespace[f] for f in fields if f in namespace])
            for key, value in namespace.items():
                if key not in fields and key not in ("__module__", "__annotations__"):
                    setattr(made, key, value)
            made.__module__ = namespace["__module__"]
            made.__annotations__ = namespace.get("__annotations__", {})
            return made

    NamedTuple = _NamedTupleClass("NamedTuple", (), {})

__all__ = ["SSEDecoder", "ServerSentEvent"]

_BOM = b"\xef\xbb\xbf"
_COLON = 58
_RETRY_DIGITS = 18


class ServerSentEvent(NamedTuple):
    """One dispatched server-sent event: an immutable named tuple.

    A named tuple rather than a dataclass because a stream creates one per
    event: building a tuple is a single C call, about a third of the cost of
    filling a frozen dataclass, and the fields read as fast.
    """

    event: str = "message"
    """The event type: ``"message"`` when the block had no ``event`` field or an empty one."""
    data: str = ""
    """The ``data`` lines of the block joined with LF (no trailing LF)."""
    id: str = ""
    """The last event ID: sticky across events, ``""`` until an ``id`` field sets it."""
    retry: Optional[int] = None
    """The reconnection time in ms from a valid ``retry`` field in this event's own block, else ``None``."""
    offset: Optional[int] = None
    """Byte offset in the stream of the event's first line; ``None`` for events built by hand.

    Not part of equality or the hash: two events with the same fields are equal wherever they were.
    """

    def json(self) -> Any:
        """Return ``json.loads(self.data)``.

        Raises:
            json.JSONDecodeError: the data is not JSON.
        """
        return json.loads(self.data)

    # Equality compares the four fields, not the offset; and an event never
    # equals a bare tuple (which the tuple comparison would allow).
    def __eq__(self, other: object) -> bool:
        if isinstance(other, ServerSentEvent):
            return self[:4] == other[:4]
        return False if isinstance(other, tuple) else NotImplemented

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    def __hash__(self) -> int:
        return hash(self[:4])


# ``_tuple_new(ServerSentEvent, (event, data, id, retry, offset))`` builds an
# event in one C call, skipping the Python-level ``__new__`` of the named tuple.
_tuple_new = tuple.__new__


class SSEDecoder:
    """Sans-I/O server-sent events decoder: feed bytes, get ``ServerSentEvent`` objects.

    Args:
        max_event_bytes: longest line, and largest total of one event's
            ``data`` lines, in bytes. Past it ``SSEProtocolError`` is raised.
        unicode_errors: ``"replace"`` (the spec: invalid UTF-8 becomes U+FFFD)
            or ``"strict"`` (invalid UTF-8 raises ``SSEProtocolError``).
    """

    def __init__(self, *, max_event_bytes: int = DEFAULT_MAX_EVENT_BYTES, unicode_errors: str = "replace") -> None:
        if unicode_errors not in ("replace", "strict"):
            raise ValueError(f"unicode_errors must be 'replace' or 'strict', got {unicode_errors!r}")
        self.max_event_bytes = max_event_bytes
        self.unicode_errors = unicode_errors
        self._lines = LineDecoder(max_line_bytes=max_event_bytes)
        self._at_start = True
        self._data: List[str] = []
        self._data_bytes = 0
        self._event = ""
        self._retry: Optional[int] = None
        self._block_offset = -1
        self._error: Optional[SSEProtocolError] = None
        # True when nothing is held from earlier reads (no part line, no event
        # begun, no BOM still possible, no error): a read that is one whole
        # event can then be decoded on its own, without the line decoder.
        self._idle = False
        self.last_event_id = ""
        """The last event ID buffer: what a reconnecting client sends as ``Last-Event-ID``."""
        self.reconnection_time: Optional[int] = None
        """The latest valid ``retry`` value in ms seen anywhere in the stream, else ``None``."""

    done = False
    """Always false: an SSE stream ends only when its input does (``ChunkDecoder`` ends at ``[DONE]``)."""

    unterminated: Optional[ServerSentEvent] = None
    """After ``flush``: the event the input's last, unterminated block would have dispatched had a blank
    line ended it (its last line may lack its line end too), else ``None``. The SSE rules discard it;
    ``ChunkStreamDecoder`` reads a ``data: [DONE]`` without its blank line as ``[DONE]``."""

    @property
    def bytes_received(self) -> int:
        """How many bytes have been fed so far."""
        return self._lines.offset + self._lines.pending_bytes

    @property
    def pending_bytes(self) -> int:
        """Bytes fed that do not yet belong to a dispatched or discarded event."""
        if self._block_offset < 0:
            return self._lines.pending_bytes
        return self.bytes_received - self._block_offset

    @property
    def pending_data(self) -> bool:
        """True when ending the input now would discard data: an unterminated event's data lines, or part of a
        line that is not a comment (it may be the start of one)."""
        return bool(self._data) or self._lines.pending_head not in (b"", b":")

    def feed(self, data: bytes) -> List[ServerSentEvent]:
        """Add bytes; return every event they completed.

        Args:
            data: the next bytes of the stream, split anywhere.

        Returns:
            The events dispatched by blank lines within these bytes, in order.

        Raises:
            SSEProtocolError: past ``max_event_bytes``, or invalid UTF-8 in
                strict mode. Events completed before the fault are returned
                first and the error is raised by the next call; the decoder
                stays failed.
        """
        if self._idle and type(data) is bytes and data[:6] == b"data: ":
            # One read holding exactly one one-line data event, the shape of most
            # reads from a live stream: no line splitting, no copy besides the
            # slice and the decode (a 16 MiB event is copied twice, not four times).
            # The first LF is the last byte but one and the last is LF too; no CR.
            size = len(data)
            if (
                data.find(b"\n") == size - 2
                and data[-1] == 10
                and data.find(b"\r") < 0
                and size <= self.max_event_bytes
            ):
                try:
                    text = data[6 : size - 2].decode()
                except UnicodeDecodeError:
                    pass  # invalid UTF-8: the rules below replace it, or report where (strict)
                else:
                    lines = self._lines
                    offset = lines.batch_offset = lines.offset
                    lines.offset = offset + size
                    return [_tuple_new(ServerSentEvent, ("message", text, self.last_event_id, None, offset))]
        if self._error is not None:
            raise self._error
        if type(data) is not bytes:
            data = as_bytes(data)
        self._idle = False
        events: List[ServerSentEvent] = []
        try:
            block = self._lines.feed_block(data)
            if block:
                self._interpret_block(block, events)
        except SSEProtocolError as exc:
            self._error = exc
            if not events:
                raise
            return events
        self._idle = self._block_offset < 0 and not self._at_start and not self._lines.holding
        return events

    def flush(self) -> List[ServerSentEvent]:
        """Mark the end of input. An unterminated last event is discarded, as the spec says.

        Returns:
            Always an empty list (kept for the same ``feed``/``flush`` shape as every stage).

        Raises:
            SSEProtocolError: the decoder had failed.
        """
        if self._error is not None:
            raise self._error
        tail = self._lines.flush()
        if self._data or tail:
            self.unterminated = self._would_dispatch(tail)
        self._idle = False
        self._data = []
        self._data_bytes = 0
        self._event = ""
        self._retry = None
        self._block_offset = -1
        return []

    def _would_dispatch(self, tail: List[bytes]) -> Optional[ServerSentEvent]:
        """The event a blank line would dispatch now, after *tail* (the unterminated last line, if any).

        The same field rules, applied to a copy of the stream's end: the event
        is not dispatched, and neither the last event ID nor the reconnection
        time changes. A last line that is a comment is left out (a subclass
        may read comments: ``CaptureDecoder``'s times).
        """
        lines = [line for line in tail if line[:1] != b":"] + [b""]
        events: List[ServerSentEvent] = []
        kept = self.last_event_id, self.reconnection_time
        try:
            self._interpret(lines, events, self._lines.batch_offset)
        except SSEProtocolError:  # past a limit, or invalid UTF-8 with strict decoding: nothing it could be
            return None
        finally:
            self.last_event_id, self.reconnection_time = kept
        return events[0] if events else None

    def _comment(self, line: bytes, offset: int, dispatched: int) -> None:
        """Hook for subclasses that read comments (timed captures); *dispatched* events precede it in this feed."""

    def _interpret_block(self, block: bytes, events: List[ServerSentEvent]) -> None:
        """Interpret a block of complete lines, a whole run of events at once where that is safe.

        Most chat streams are nothing but ``data: {...}`` lines, each followed
        by a blank line. When a block is exactly a run of such events (LF line
        ends, no other field, no event begun in an earlier read), one split at
        the separator ``LF LF "data: "`` yields the events' data directly, and
        each becomes an event in a handful of operations. Anything else (CR
        line ends, comments, other fields, several data lines, the BOM, strict
        decoding that fails, a block that starts or ends mid-event) goes
        through ``_interpret``, the rules line by line, for the whole block;
        both give the same events.
        """
        start = offset = self._lines.batch_offset
        size = len(block)
        if self._block_offset < 0 and block[:6] == b"data: " and block[-2:] == b"\n\n" and block.find(b"\r") < 0:
            datas = block[6 : size - 2].split(b"\n\ndata: ")
            # Each data line within the limit (the line decoder checked each line against it).
            if size <= self.max_event_bytes or max(map(len, datas)) + 7 <= self.max_event_bytes:
                self._at_start = False  # the first line is a data line: there is no BOM to strip
                first, append = len(events), events.append
                last_event_id = self.last_event_id
                for data in datas:
                    if data.find(b"\n") >= 0:
                        break  # more than one line in this event: not a run of one-line events
                    try:
                        text = data.decode()
                    except UnicodeDecodeError:
                        break  # invalid UTF-8: the rules below replace it, or report where (strict)
                    append(_tuple_new(ServerSentEvent, ("message", text, last_event_id, None, offset)))
                    offset += len(data) + 8  # the data, LF LF, and the next "data: "
                else:
                    return
                del events[first:]
        self._interpret(block.splitlines(keepends=True), events, start)

    def _interpret(self, lines: List[bytes], events: List[ServerSentEvent], offset: int) -> None:
        """Apply the field rules to each line, from stream offset *offset*."""
        errors = self.unicode_errors
        for raw in lines:
            start = offset
            offset += len(raw)
            line = raw.rstrip(b"\r\n")  # exactly the terminator: CR and LF never occur inside a line
            if self._at_start:
                self._at_start = False
                if line.startswith(_BOM):  # "UTF-8 decode" strips one leading BOM
                    line = line[3:]
                    start += 3
            if not line:
                if self._data:
                    data = "\n".join(self._data)
                    events.append(
                        _tuple_new(
                            ServerSentEvent,
                            (self._event or "message", data, self.last_event_id, self._retry, self._block_offset),
                        )
                    )
                    self._data = []
                    self._data_bytes = 0
                self._event = ""
                self._retry = None
                self._block_offset = -1
                continue
            if self._block_offset < 0:
                self._block_offset = start
            if line[0] == _COLON:
                self._comment(line, start, len(events))
                continue  # a comment: ignored by the SSE rules
            try:
                text = line.decode("utf-8", errors)
            except UnicodeDecodeError as exc:
                raise SSEProtocolError(
                    f"invalid UTF-8 at byte {start + exc.start} (unicode_errors='strict'): {snippet(line[:100])}",
                    offset=start + exc.start,
                    text=line[:100],
                ) from None
            name, colon, value = text.partition(":")
            if colon and value[:1] == " ":
                value = value[1:]
            if name == "data":
                self._data_bytes += len(line) + 1
                if self._data_bytes > self.max_event_bytes:
                    raise SSEProtocolError(
                        f"event starting at byte {self._block_offset} has more than "
                        f"max_event_bytes={self.max_event_bytes} bytes of data lines",
                        offset=self._block_offset,
                        limit=self.max_event_bytes,
                        text=line[:100],
                    )
                self._data.append(value)
            elif name == "event":
                self._event = value
            elif name == "id":
                if "\x00" not in value:
                    self.last_event_id = value
            elif name == "retry":
                # More than 18 digits (over 31 million years in ms) is no reconnection time, and a
                # huge one would make int() fail (Python 3.11+) or take quadratic time: ignored.
                if value.isdigit() and value.isascii() and len(value) <= _RETRY_DIGITS:
                    self._retry = self.reconnection_time = int(value)
            # Any other field name is ignored, as the spec says.
