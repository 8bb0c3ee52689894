"""LineDecoder: bytes in, complete lines out, however the bytes were split.

Theory of operation
-------------------
The SSE grammar ends a line with CRLF, a lone LF or a lone CR, and nothing
else (WHATWG HTML, "Parsing an event stream"). We split on bytes, before any
UTF-8 decoding, for two reasons: a multi-byte character cut across two reads
is reassembled for free (CR and LF never occur inside a UTF-8 sequence), and
U+2028/U+0085, which ``str.splitlines`` would treat as line ends, stay inside
their line. ``bytes.splitlines`` splits on exactly CR, LF and CRLF.

State between reads:

* ``_pending``: the pieces of a line whose end has not arrived. They are kept
  as a list and joined once, when the line ends, so a huge line arriving in
  many small reads costs linear time rather than quadratic re-copying. Reads
  shorter than 4 KiB are gathered into 64 KiB ``bytearray`` pieces as they
  come (each byte copied once more), so memory follows the bytes held and not
  the number of reads: a list entry costs 8 bytes and ``bytes.join`` 80 more
  per piece, which made a 16 MiB line in 1-byte reads cost 1.4 GB (issue 24).
* ``_skip_lf``: the last read ended with CR. That CR ends a line at once (an
  event must not wait for more input), but it may be the first half of a
  CRLF, so an LF at the very start of the next read is dropped
  (eventsource-parser calls this ``skipNextLineFeed``).

Lines are returned *with* their terminator, so the caller can count byte
offsets; ``offset`` and ``batch_offset`` say where in the stream they are.

A line longer than ``max_line_bytes`` raises ``SSEProtocolError`` instead of
growing memory. The check depends only on the stream's bytes, never on how
they were split. Lines completed by the same read before the long one are
returned first; the error is raised by the next call, and by every call after.
"""

from __future__ import annotations

from .errors import SSEProtocolError, snippet

TYPE_CHECKING = False  # as typing's, without importing typing at run time: see docs/architecture.md
if TYPE_CHECKING:
    from typing import List, Optional, Union

__all__ = ["DEFAULT_MAX_EVENT_BYTES", "LineDecoder", "as_bytes"]

# 16 MiB: about 100x the largest chunk seen in real Groq streams (a compound
# model's executed_tools output, ~60 KB), yet small enough that a runaway or
# hostile stream is stopped long before it hurts a process. h11 uses 16 KiB for
# headers; SSE data is bigger, so we follow eventsource-parser's "generous but
# bounded" approach.
DEFAULT_MAX_EVENT_BYTES = 16 * 1024 * 1024

_SHOWN = 100  # bytes of an offending line kept in the error
# Reads shorter than _SMALL_READ are gathered into pieces of up to _GATHERED bytes (module docstring):
# the list then holds at most one entry per 4 KiB held, whatever the reads.
_SMALL_READ = 4096
_GATHERED = 64 * 1024


def as_bytes(data: object) -> bytes:
    """Check and convert one read: ``bytes`` stay, other bytes-likes are copied, anything else is refused."""
    if type(data) is bytes:
        return data
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data)  # a copy: callers may reuse their buffer
    if isinstance(data, str):
        raise TypeError(
            "groqstream decodes bytes but got a str chunk; pass the raw response body "
            "(open files in binary mode 'rb', or use text.encode('utf-8'))"
        )
    if data is None:
        raise TypeError("the source returned None instead of bytes: groqstream needs a blocking source")
    raise TypeError(f"groqstream decodes bytes but got a {type(data).__name__} chunk: {data!r:.60}")


class LineDecoder:
    """Split a byte stream into lines ending in CR, LF or CRLF.

    Args:
        max_line_bytes: longest line accepted, terminator excluded.
    """

    def __init__(self, *, max_line_bytes: int = DEFAULT_MAX_EVENT_BYTES) -> None:
        if max_line_bytes < 1:
            raise ValueError(f"max_line_bytes must be at least 1, got {max_line_bytes!r}")
        self.max_line_bytes = max_line_bytes
        #: Stream offset of the first byte not yet returned in a complete line.
        self.offset = 0
        #: Stream offset of the first line returned by the latest ``feed``.
        self.batch_offset = 0
        self._pending: List[Union[bytes, bytearray]] = []
        self._pending_len = 0
        self._skip_lf = False
        self._error: Optional[SSEProtocolError] = None

    @property
    def pending_bytes(self) -> int:
        """How many bytes of an unterminated line are held."""
        return self._pending_len

    @property
    def pending_head(self) -> bytes:
        """The first byte of the unterminated line held (``b""`` when none): ``b":"`` starts a comment."""
        return bytes(self._pending[0][:1]) if self._pending else b""

    @property
    def holding(self) -> bool:
        """True when part of a line, or a CR that an LF may follow, is held from an earlier read, or after an error."""
        return bool(self._pending) or self._skip_lf or self._error is not None

    def feed(self, data: bytes) -> List[bytes]:
        """Add bytes; return every line they completed, each with its terminator.

        Args:
            data: the next bytes of the stream (``bytes``; may be empty).

        Returns:
            The complete lines, in order, terminators kept (``b"\\r\\n"``,
            ``b"\\n"`` or ``b"\\r"``).

        Raises:
            SSEProtocolError: a line is longer than ``max_line_bytes``.
        """
        block = self.feed_block(data)
        return block.splitlines(keepends=True) if block else []

    def feed_block(self, data: bytes) -> bytes:
        """Like ``feed``, but the complete lines come back as one ``bytes`` (``b""`` for none).

        The SSE decoder splits the block itself: a block holding whole events
        can then be handled an event at a time instead of a line at a time.
        """
        if self._error is not None:
            raise self._error
        if not self._pending and not self._skip_lf and data[-1:] == b"\n":
            # The usual read: whole lines and nothing held from before.
            self.batch_offset = self.offset
            self.offset += len(data)
            return self._check_lengths(data) if len(data) > self.max_line_bytes else data
        if self._skip_lf and data:
            self._skip_lf = False
            if data[0] == 10:  # the LF of a CRLF whose CR ended the last read
                data = data[1:]
                self.offset += 1
        end = max(data.rfind(b"\n"), data.rfind(b"\r"))
        if end < 0:
            if data:
                self._hold(data)
                self._pending_len += len(data)
                if self._pending_len > self.max_line_bytes:
                    self._fail(self.offset, self._head())
            return b""
        rest = data[end + 1 :]
        if self._pending:
            self._pending.append(data[: end + 1])
            block = b"".join(self._pending)
        else:
            block = data[: end + 1] if rest else data
        self._skip_lf = not rest and block[-1] == 13
        self._pending = [rest] if rest else []
        self._pending_len = len(rest)
        self.batch_offset = self.offset
        self.offset += len(block)
        # Only a block longer than the limit can hold a line longer than it.
        if len(block) > self.max_line_bytes:
            return self._check_lengths(block)
        if self._pending_len > self.max_line_bytes:
            self._defer(self.offset, rest, block)
        return block

    def _hold(self, data: bytes) -> None:
        """Keep *data*, part of a line whose end has not arrived: as it is, or gathered when it is small."""
        pending = self._pending
        if len(data) >= _SMALL_READ:
            pending.append(data)
        elif pending and type(pending[-1]) is bytearray and len(pending[-1]) < _GATHERED:
            pending[-1] += data  # amortized: a bytearray grows in place
        else:
            pending.append(bytearray(data))

    def flush(self) -> List[bytes]:
        """Mark the end of input; return the unterminated last line, if any, without terminator.

        Raises:
            SSEProtocolError: the decoder had already failed.
        """
        if self._error is not None:
            raise self._error
        tail = b"".join(self._pending)
        self._pending = []
        self._pending_len = 0
        self._skip_lf = False
        self.batch_offset = self.offset
        self.offset += len(tail)
        return [tail] if tail else []

    def _head(self) -> bytes:
        """The first bytes of the held line, however the reads cut it (the error shows them)."""
        head = b""
        for piece in self._pending:
            head += piece[: _SHOWN - len(head)]
            if len(head) >= _SHOWN:
                break
        return head

    def _check_lengths(self, block: bytes) -> bytes:
        offset = self.batch_offset
        for line in block.splitlines(keepends=True):
            if len(line.rstrip(b"\r\n")) > self.max_line_bytes:
                good = block[: offset - self.batch_offset]
                self._defer(offset, line, good)
                return good
            offset += len(line)
        if self._pending_len > self.max_line_bytes:
            self._defer(self.offset, self._head(), block)
        return block

    def _defer(self, offset: int, text: bytes, good: bytes) -> None:
        """Fail now if no line came before the long one; else fail on the next call."""
        if not good:
            self._fail(offset, text)
        self._error = self._error_for(offset, text)

    def _fail(self, offset: int, text: bytes) -> None:
        self._error = self._error_for(offset, text)
        raise self._error

    def _error_for(self, offset: int, text: bytes) -> SSEProtocolError:
        # Show only bytes that are there whenever the error fires (the limit is
        # noticed once limit + 1 bytes are held), so the message does not
        # depend on how the reads cut the line.
        text = bytes(text[: min(_SHOWN, self.max_line_bytes + 1)])
        return SSEProtocolError(
            f"line starting at byte {offset} is longer than max_event_bytes={self.max_line_bytes} "
            f"without a line end: {snippet(text)}",
            offset=offset,
            limit=self.max_line_bytes,
            text=text,
        )
