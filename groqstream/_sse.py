"""Server-sent events: ``ServerSentEvent`` and the sans-I/O ``SSEDecoder``.

Bytes go in through ``feed``; every event those bytes completed comes out.
The decoder follows the WHATWG HTML Standard, section 9.2.6 "Parsing an event
stream" and "Interpreting an event stream", field by field:

* UTF-8, invalid bytes replaced by U+FFFD (or rejected, with
  ``unicode_errors="strict"``); one leading byte-order mark is stripped.
* Lines end at CRLF, LF or CR (see ``_lines``).
* A line starting with ``:`` is a comment. Otherwise the field name runs to
  the first ``:``, and one space after it is dropped from the value; a line
  with no ``:`` is a field name with an empty value.
* ``event`` sets the type, ``data`` appends a line, ``id`` sets the last
  event ID unless the value contains U+0000, ``retry`` is kept only when it
  is all ASCII digits, and any other field is ignored.
* A blank line dispatches the event when its data buffer is not empty, and
  always resets the event type.
* At end of input an unterminated event is discarded.

Nothing else is rejected: the spec is lenient, and so are we. The one
addition is a size limit (``max_event_bytes``) so memory stays bounded.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, List, Optional

from ._errors import SSEProtocolError, snippet
from ._lines import DEFAULT_MAX_EVENT_BYTES, LineDecoder, as_bytes

__all__ = ["SSEDecoder", "ServerSentEvent"]

_BOM = b"\xef\xbb\xbf"
_COLON = 58
_RETRY_DIGITS = 18
_new = object.__new__


@dataclass(frozen=True)
class ServerSentEvent:
    """One dispatched server-sent event."""

    event: str = "message"
    """The event type: ``"message"`` when the block had no ``event`` field or an empty one."""
    data: str = ""
    """The ``data`` lines of the block joined with LF (no trailing LF)."""
    id: str = ""
    """The last event ID: sticky across events, ``""`` until an ``id`` field sets it."""
    retry: Optional[int] = None
    """The reconnection time in ms from a valid ``retry`` field in this event's own block, else ``None``."""
    offset: Optional[int] = field(default=None, compare=False)
    """Byte offset in the stream of the event's first line; ``None`` for events built by hand.

    Not part of equality: two events with the same fields are equal wherever they were.
    """

    def json(self) -> Any:
        """Return ``json.loads(self.data)``.

        Raises:
            json.JSONDecodeError: the data is not JSON.
        """
        return json.loads(self.data)


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
        self.last_event_id = ""
        """The last event ID buffer: what a reconnecting client sends as ``Last-Event-ID``."""
        self.reconnection_time: Optional[int] = None
        """The latest valid ``retry`` value in ms seen anywhere in the stream, else ``None``."""

    done = False
    """Always false: an SSE stream ends only when its input does (``ChunkDecoder`` ends at ``[DONE]``)."""

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
        if self._error is not None:
            raise self._error
        if type(data) is not bytes:
            data = as_bytes(data)
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

    def flush(self) -> List[ServerSentEvent]:
        """Mark the end of input. An unterminated last event is discarded, as the spec says.

        Returns:
            Always an empty list (kept for the same ``feed``/``flush`` shape as every stage).

        Raises:
            SSEProtocolError: the decoder had failed.
        """
        if self._error is not None:
            raise self._error
        self._lines.flush()
        self._data = []
        self._data_bytes = 0
        self._event = ""
        self._retry = None
        self._block_offset = -1
        return []

    def _comment(self, line: bytes, offset: int, dispatched: int) -> None:
        """Hook for subclasses that read comments (timed captures); *dispatched* events precede it in this feed."""

    def _interpret_block(self, block: bytes, events: List[ServerSentEvent]) -> None:
        """Interpret a block of complete lines, a whole event at a time where that is safe.

        Most chat streams are nothing but ``data: {...}`` lines, each followed
        by a blank line. Split at blank lines, such an event is one part with
        no LF inside, and becomes an event in a handful of operations instead
        of a pass through the field rules per line. Everything else (CR line
        ends, comments, other fields, several data lines, an event begun in an
        earlier read, the BOM at the start) goes through ``_interpret``, the
        rules line by line; both give the same events.
        """
        offset = self._lines.batch_offset
        if self._at_start or b"\r" in block:
            self._interpret(block.splitlines(keepends=True), events, offset)
            return
        clean = self._block_offset < 0 and not self._data and not self._event and self._retry is None
        size = len(block)
        if (
            clean
            and block[:6] == b"data: "
            and block[-2:] == b"\n\n"
            and block.find(b"\n", 6, size - 2) == -1
            and size - 2 < self.max_event_bytes
        ):
            # Exactly one event, the shape of most reads from a live stream:
            # no split, and no copy besides the decode (a 16 MiB event is copied
            # twice, not four times).
            try:
                data = block[6 : size - 2].decode("utf-8", self.unicode_errors)
            except UnicodeDecodeError:
                pass  # strict mode: the rules below report where
            else:
                event = _new(ServerSentEvent)
                event.__dict__.update(event="message", data=data, id=self.last_event_id, retry=None, offset=offset)
                events.append(event)
                return
        parts = block.split(b"\n\n")
        tail = parts.pop()  # complete lines of an event whose blank line has not come yet
        errors = self.unicode_errors
        # Only the first part can continue an event begun in an earlier read:
        # every part ends with a blank line, which leaves the state clean. And
        # in a block under the size limit, no part can be over it.
        small = len(block) < self.max_event_bytes
        for part in parts:
            if clean and part[:6] == b"data: " and b"\n" not in part and (small or len(part) < self.max_event_bytes):
                try:
                    data = part[6:].decode("utf-8", errors)
                except UnicodeDecodeError:
                    pass  # strict mode: let the rules below report where
                else:
                    event = _new(ServerSentEvent)
                    event.__dict__.update(event="message", data=data, id=self.last_event_id, retry=None, offset=offset)
                    events.append(event)
                    offset += len(part) + 2
                    continue
            self._interpret((part + b"\n\n").splitlines(keepends=True), events, offset)
            offset += len(part) + 2
            clean = True
        if tail:
            self._interpret(tail.splitlines(keepends=True), events, offset)

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
                    events.append(
                        ServerSentEvent(
                            self._event or "message",
                            "\n".join(self._data),
                            self.last_event_id,
                            self._retry,
                            self._block_offset,
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
