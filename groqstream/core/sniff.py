"""What an input is when it is no event stream: one answer for the CLI and for ``Stream``.

``sniff(head, complete=...)`` looks at the first bytes of an input and names
what it recognisably is instead (compressed data, an HTML page, a JSON
document or error, binary data, text without one SSE line): a ``NotAStream``
whose ``kind`` is for code to decide on and whose ``message`` says it to a
person, with what to do about it; ``None`` when it may be an event stream.
``not_a_stream`` is the message alone, as the CLI prints it. The CLI asks
before it plays an input; ``Stream`` asks only when the input ended without
one event, so a real stream is never judged by its look. Pure functions, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import snippet

TYPE_CHECKING = False  # as typing's, without importing typing at run time: see docs/architecture.md
if TYPE_CHECKING:
    from typing import Optional

__all__ = ["KINDS", "NotAStream", "not_a_stream", "sniff"]

# Every ``NotAStream.kind``: code decides on these, never on the wording of a message (which is the CLI's).
KINDS = ("empty", "gzip", "zstd", "bzip2", "xz", "zip", "html", "json-error", "json", "binary", "text")

_BOM = b"\xef\xbb\xbf"
# Magic numbers of what a capture is not, its kind, and how to get the stream out of it.
_MAGIC = (
    (b"\x1f\x8b", "gzip", "gzip-compressed data, not an event stream: decompress it first (gunzip -c FILE)"),
    (b"\x28\xb5\x2f\xfd", "zstd", "zstd-compressed data, not an event stream: decompress it first (zstd -dc FILE)"),
    (b"BZh", "bzip2", "bzip2-compressed data, not an event stream: decompress it first (bunzip2 -c FILE)"),
    (b"\xfd7zXZ\x00", "xz", "xz-compressed data, not an event stream: decompress it first (xz -dc FILE)"),
    (b"PK\x03\x04", "zip", "a zip archive, not an event stream: unzip it first"),
)
_SSE_LINE_STARTS = (b"data", b"event", b"id", b"retry", b":")


@dataclass(frozen=True)
class NotAStream:
    """What an input recognisably is instead of an event stream."""

    kind: str
    """One of ``KINDS``: ``"json-error"`` (a JSON body with an ``"error"`` key), ``"html"``, ``"gzip"``..."""
    message: str
    """What it is and what to do about it, as the CLI says it."""


def not_a_stream(head: bytes, *, complete: bool) -> Optional[str]:
    """Say what *head* is when it is recognisably not an event stream; ``None`` when it may be one.

    The message of ``sniff(head, complete=complete)``, for a person to read.

    Args:
        head: the start of the input (all of it when *complete*).
        complete: *head* is the whole input, so an empty input and text
            without a single SSE line can be named too.

    Returns:
        What it is, with what to do about it, e.g. ``"an HTML page, not an
        event stream (an error page from a proxy or the server?)"``; ``None``
        when it may be an event stream.
    """
    found = sniff(head, complete=complete)
    return None if found is None else found.message


def sniff(head: bytes, *, complete: bool) -> Optional[NotAStream]:
    """What *head* is when it is recognisably not an event stream; ``None`` when it may be one.

    Args:
        head: the start of the input (all of it when *complete*).
        complete: *head* is the whole input, so an empty input and text
            without a single SSE line can be named too.

    Returns:
        A ``NotAStream`` for compressed data, an HTML page, a JSON document
        (a non-streaming response) or error, binary data, and (when
        *complete*) an empty input or text without a single SSE line.
        ``None`` otherwise.
    """
    if not head:
        return NotAStream("empty", "empty: no bytes at all") if complete else None
    for magic, kind, what in _MAGIC:
        if head.startswith(magic):
            return NotAStream(kind, what)
    text = head[len(_BOM) :] if head.startswith(_BOM) else head
    text = text.lstrip(b" \t\r\n")
    lower = text[:200].lower()
    if lower.startswith((b"<!doctype html", b"<html", b"<head", b"<body")) or (
        lower.startswith(b"<") and b"html" in lower
    ):
        return NotAStream("html", "an HTML page, not an event stream (an error page from a proxy or the server?)")
    if text.startswith((b"{", b"[")) and not any(line.startswith(_SSE_LINE_STARTS) for line in text.splitlines()[1:50]):
        if b'"error"' in text[:1000]:
            shown = snippet(text[:300].decode("utf-8", "replace"), 200)
            return NotAStream("json-error", "a JSON error response, not an event stream: " + shown)
        return NotAStream(
            "json", 'a JSON document, not an event stream: a non-streaming response? ask with "stream": true'
        )
    sample = head[:4096]
    controls = sum(1 for byte in sample if byte < 9 or 13 < byte < 32 or byte == 0x7F)
    if b"\x00" in sample or controls * 20 > len(sample):
        return NotAStream("binary", "binary data, not an event stream")
    if complete and not any(line.lstrip(_BOM).startswith(_SSE_LINE_STARTS) for line in head.splitlines()):
        return NotAStream(
            "text", "text without a single SSE line (data:, event:, id:, retry: or a : comment): not an event stream"
        )
    return None
