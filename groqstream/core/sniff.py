"""What an input is when it is no event stream: one answer for the CLI and for ``Stream``.

``not_a_stream(head, complete=...)`` looks at the first bytes of an input and
names what it recognisably is instead (compressed data, an HTML page, a JSON
document or error, binary data, text without one SSE line), with what to do
about it; ``None`` when it may be an event stream. The CLI asks before it
plays an input; ``Stream`` asks only when the input ended without one event,
so a real stream is never judged by its look. Pure functions, no I/O.
"""

from __future__ import annotations

from .errors import snippet

TYPE_CHECKING = False  # as typing's, without importing typing at run time: see docs/architecture.md
if TYPE_CHECKING:
    from typing import Optional

__all__ = ["not_a_stream"]

_BOM = b"\xef\xbb\xbf"
# Magic numbers of what a capture is not, and how to get the stream out of it.
_MAGIC = (
    (b"\x1f\x8b", "gzip-compressed data, not an event stream: decompress it first (gunzip -c FILE)"),
    (b"\x28\xb5\x2f\xfd", "zstd-compressed data, not an event stream: decompress it first (zstd -dc FILE)"),
    (b"BZh", "bzip2-compressed data, not an event stream: decompress it first (bunzip2 -c FILE)"),
    (b"\xfd7zXZ\x00", "xz-compressed data, not an event stream: decompress it first (xz -dc FILE)"),
    (b"PK\x03\x04", "a zip archive, not an event stream: unzip it first"),
)
_SSE_LINE_STARTS = (b"data", b"event", b"id", b"retry", b":")


def not_a_stream(head: bytes, *, complete: bool) -> Optional[str]:
    """Say what *head* is when it is recognisably not an event stream; ``None`` when it may be one.

    Args:
        head: the start of the input (all of it when *complete*).
        complete: *head* is the whole input, so an empty input and text
            without a single SSE line can be named too.

    Returns:
        For compressed data, an HTML page, a JSON document (a non-streaming
        response) or error, binary data, and (when *complete*) an empty
        input or text without a single SSE line: what it is, with what to do
        about it, e.g. ``"an HTML page, not an event stream (an error page
        from a proxy or the server?)"``. ``None`` otherwise.
    """
    if not head:
        return "empty: no bytes at all" if complete else None
    for magic, what in _MAGIC:
        if head.startswith(magic):
            return what
    text = head[len(_BOM) :] if head.startswith(_BOM) else head
    text = text.lstrip(b" \t\r\n")
    lower = text[:200].lower()
    if lower.startswith((b"<!doctype html", b"<html", b"<head", b"<body")) or (
        lower.startswith(b"<") and b"html" in lower
    ):
        return "an HTML page, not an event stream (an error page from a proxy or the server?)"
    if text.startswith((b"{", b"[")) and not any(line.startswith(_SSE_LINE_STARTS) for line in text.splitlines()[1:50]):
        if b'"error"' in text[:1000]:
            return "a JSON error response, not an event stream: " + snippet(text[:300].decode("utf-8", "replace"), 200)
        return 'a JSON document, not an event stream: a non-streaming response? ask with "stream": true'
    sample = head[:4096]
    controls = sum(1 for byte in sample if byte < 9 or 13 < byte < 32 or byte == 0x7F)
    if b"\x00" in sample or controls * 20 > len(sample):
        return "binary data, not an event stream"
    if complete and not any(line.lstrip(_BOM).startswith(_SSE_LINE_STARTS) for line in head.splitlines()):
        return "text without a single SSE line (data:, event:, id:, retry: or a : comment): not an event stream"
    return None
