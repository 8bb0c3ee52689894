"""The groqstream exception tree, and nothing else.

Every error that bad input can cause is a ``GroqStreamError``::

    GroqStreamError(Exception)            catch-all for this library
    ├── SSEProtocolError(ValueError)      a line or event went past the size limit, or strict UTF-8 failed
    ├── ChunkDecodeError(ValueError)      event data is not JSON, or not shaped like a chunk
    ├── InvalidJSONError(ValueError)      tool-call arguments (or a JSON answer) are not one valid JSON value
    ├── StreamAPIError                    the server reported an error inside the stream
    ├── IncompleteStreamError             the stream ended before ``data: [DONE]``, an error, or every choice's finish
    ├── StreamClosedError(RuntimeError)   a Stream was iterated after an explicit close()
    └── (raised by Client, before or while it reads the HTTP response)
        ├── APIStatusError                a non-2xx response
        │   ├── BadRequestError                400
        │   ├── AuthenticationError            401
        │   ├── PermissionDeniedError          403
        │   ├── NotFoundError                  404
        │   ├── RequestTooLargeError           413
        │   ├── UnprocessableEntityError       422
        │   ├── RateLimitError                 429 (retry_after)
        │   └── InternalServerError            5xx
        ├── UnexpectedContentTypeError    a 2xx response that is not text/event-stream
        └── APIConnectionError            refused, DNS, TLS, reset
            └── APITimeoutError           connect or read timeout (also between two chunks)

Errors carry their context as attributes (byte offsets, event index, the
offending event) as well as in the message, so callers never parse text.
"""

from __future__ import annotations

import json

TYPE_CHECKING = False  # as typing's, without importing typing at run time: see docs/architecture.md
if TYPE_CHECKING:
    from typing import Any, Dict, Mapping, Optional, Tuple, Type

    from ..client.http import Response
    from ..types import ChatCompletion
    from .sse import ServerSentEvent

__all__ = [
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ChunkDecodeError",
    "GroqStreamError",
    "IncompleteStreamError",
    "InvalidJSONError",
    "InternalServerError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "RequestTooLargeError",
    "SSEProtocolError",
    "StreamAPIError",
    "StreamClosedError",
    "UnexpectedContentTypeError",
    "UnprocessableEntityError",
]

# Long enough to recognise the offending text, short enough that a 16 MiB line
# never lands in a log. eventsource-parser uses 20 characters; chunks are JSON,
# where the first 60 characters usually still show which key went wrong.
_SNIPPET_CHARS = 60


def snippet(value: object, limit: int = _SNIPPET_CHARS) -> str:
    """Return a ``repr`` of *value* cut to about *limit* characters.

    ``repr`` escapes control characters, so attacker-controlled text cannot
    write terminal escape sequences through an error message. Containers are
    shown a few items and levels deep, so a huge or deeply nested value costs
    neither memory nor recursion.
    """
    if isinstance(value, (str, bytes)):
        if len(value) > limit:
            return f"{value[:limit]!r}... ({len(value)} in all)"
        return repr(value)
    import reprlib  # only on the error path

    short = reprlib.Repr()
    short.maxlevel, short.maxlist, short.maxdict, short.maxstring, short.maxother = 3, 4, 4, limit, limit
    try:
        return short.repr(value)
    except RecursionError:  # pragma: no cover - reprlib stops at maxlevel; kept as a last guard
        return f"<{type(value).__name__} nested too deeply to show>"


def count(number: int, noun: str) -> str:
    """``"1 chunk"``, ``"2 chunks"``: a count as a message prints it."""
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _server_said(type: Optional[str], code: Optional[str], message: str) -> str:  # noqa: A002 - the wire's names
    """``"type/code: message"`` for an error the server reported, the message cut to 300 characters."""
    label = "/".join(part for part in (type, code) if part)
    return f"{label + ': ' if label else ''}{snippet(message, 300)}"


class GroqStreamError(Exception):
    """Base class of every error groqstream raises for bad input or a server fault."""

    completion: Optional[ChatCompletion] = None
    """What the stream had delivered before the error, as a partial ``ChatCompletion``.

    Set when the error came out of ``final_completion()``, ``text()`` or
    ``accumulate()``; ``None`` otherwise.
    """


class SSEProtocolError(GroqStreamError, ValueError):
    """A line or an event's data went past ``max_event_bytes``, or strict UTF-8 decoding failed.

    The decoder that raised stays failed: every later ``feed``/``flush`` raises
    the same error again.

    Attributes:
        offset: byte offset in the stream where the offending line (or event) starts.
        limit: the size limit that was exceeded, or ``None`` for a decoding error.
        text: the first bytes of the offending line.
    """

    def __init__(self, message: str, *, offset: int, limit: Optional[int] = None, text: bytes = b"") -> None:
        super().__init__(message)
        self.offset = offset
        self.limit = limit
        self.text = text


class ChunkDecodeError(GroqStreamError, ValueError):
    """An event's data is not JSON, or the JSON is not shaped like a chat-completion chunk.

    Attributes:
        path: where in the JSON object the problem is, e.g. ``"choices[0].delta"``
            (``""`` for the object itself or for invalid JSON).
        reason: what was expected and what arrived.
        event: the offending ``ServerSentEvent``, when the error came from a stream.
        event_index: 0-based index of that event among the stream's dispatched events.
        offset: byte offset of that event in the stream.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str = "",
        reason: str = "",
        event: Optional[ServerSentEvent] = None,
        event_index: Optional[int] = None,
        offset: Optional[int] = None,
    ) -> None:
        super().__init__(message)
        self.path = path
        self.reason = reason
        self.event = event
        self.event_index = event_index
        self.offset = offset


class InvalidJSONError(GroqStreamError, ValueError):
    """A JSON text that is not one valid JSON value: a tool call's arguments, a JSON answer (``PartialJSON``).

    Attributes:
        reason: what was expected and what arrived (or that the text ended early).
        position: 0-based character position in the text where it went wrong or ended.
        text: the text around that position.
    """

    def __init__(self, reason: str, *, position: int, text: str = "") -> None:
        around = f" near {snippet(text)}" if text else ""
        super().__init__(f"invalid JSON at character {position}: {reason}{around}")
        self.reason = reason
        self.position = position
        self.text = text


class StreamAPIError(GroqStreamError):
    """The server reported an error inside an otherwise successful (HTTP 200) stream.

    Groq does this in three ways, all raised as this class: an ``event: error``
    block, a data object with a top-level ``"error"`` key, and a chunk whose
    ``x_groq.error`` is set (that chunk is yielded before this is raised).

    Attributes:
        message: the server's error message.
        type: the error type, e.g. ``"invalid_request_error"``, or ``None``.
        code: the error code as a string, e.g. ``"tool_use_failed"``, or ``None``.
        status_code: the HTTP-like status the body names (e.g. ``400``), or ``None``.
        failed_generation: the model output that failed validation, when the server sends it.
        body: the error object as parsed (the value of ``"error"`` when nested), or the raw text.
        chunks_received: how many chunks the stream yielded before the error.
        event: the ``ServerSentEvent`` that carried the error (``None`` when the
            whole body was a JSON error instead of an event stream).

    The constructor's *where* replaces the message's "after N chunks (event at
    byte B)" (for a body that was a JSON error: "instead of an event stream").
    """

    def __init__(
        self,
        message: str,
        *,
        type: Optional[str] = None,  # noqa: A002 - mirrors the wire key
        code: Optional[str] = None,
        status_code: Optional[int] = None,
        failed_generation: Optional[str] = None,
        body: Any = None,
        chunks_received: int = 0,
        event: Optional[ServerSentEvent] = None,
        where: Optional[str] = None,
    ) -> None:
        if where is None:
            where = f"after {count(chunks_received, 'chunk')}"
            if event is not None and event.offset is not None:
                where += f" (event at byte {event.offset})"
        super().__init__(f"server reported an error {where}: {_server_said(type, code, message)}")
        self.message = message
        self.type = type
        self.code = code
        self.status_code = status_code
        self.failed_generation = failed_generation
        self.body = body
        self.chunks_received = chunks_received
        self.event = event


class IncompleteStreamError(GroqStreamError):
    """The stream ended without ``data: [DONE]`` and without an error, and was not finished.

    A stream without ``[DONE]`` is still complete when every choice that
    appeared has a ``finish_reason`` (some servers never send ``[DONE]``);
    this is raised when one has none, when the last event was cut off, or
    when ``[DONE]`` was required (``require_done=True``, ``strict=True``).
    Raised only after every complete chunk has been yielded, so truncation is
    never silent and never loses data.

    Attributes:
        chunks_received: how many chunks were yielded.
        bytes_received: how many bytes the source delivered (``None`` when the
            raiser saw events, not bytes: ``ChunkDecoder``).
        pending_bytes: bytes of an unterminated last event that were discarded
            (``None`` when unknown).
        unfinished: the indices of the choices that never got a
            ``finish_reason`` (``None`` when ``[DONE]`` was required regardless).
        looks_like: what the input is when it was no event stream at all (not
            one event in it), in the words of the CLI: ``"an HTML page, not an
            event stream (...)"``, ``"gzip-compressed data, ..."``, ``"binary
            data, ..."``, ``"a JSON document, ..."``; ``None`` for a stream that
            was cut short. The message then starts with "the input is ...".
    """

    def __init__(
        self,
        *,
        chunks_received: int,
        bytes_received: Optional[int] = None,
        pending_bytes: Optional[int] = None,
        unfinished: Optional[Tuple[int, ...]] = None,
        looks_like: Optional[str] = None,
    ) -> None:
        size = f" and {count(bytes_received, 'byte')}" if bytes_received is not None else ""
        tail = ""
        if pending_bytes:
            verb = "was" if pending_bytes == 1 else "were"
            tail = f"; {count(pending_bytes, 'byte')} of an unterminated event {verb} discarded"
        if unfinished:
            which = ", ".join(map(str, unfinished))
            tail += f"; choice{'s' if len(unfinished) > 1 else ''} {which} had no finish_reason"
        if looks_like:  # no event at all: what the input is says it all, its size shows how much there was
            message = f"the input is {looks_like}"
            message += f" ({count(bytes_received, 'byte')}, not one event)" if bytes_received else ""
        else:
            message = f"stream ended without 'data: [DONE]' after {count(chunks_received, 'chunk')}{size}{tail}"
        super().__init__(message)
        self.chunks_received = chunks_received
        self.bytes_received = bytes_received
        self.pending_bytes = pending_bytes
        self.unfinished = unfinished
        self.looks_like = looks_like


class StreamClosedError(GroqStreamError, RuntimeError):
    """A ``Stream`` or ``AsyncStream`` was iterated after an explicit ``close()``/``aclose()``."""


# --- raised by Client -----------------------------------------------------------------


class APIStatusError(GroqStreamError):
    """The server answered with a non-2xx status before any stream began.

    Attributes:
        status_code: the HTTP status.
        message: the error message from the JSON body (or the start of the raw body).
        type: the error ``type`` from the body, or ``None``.
        code: the error ``code`` from the body as a string, or ``None``.
        request_id: the ``x-request-id`` response header, or ``None``.
        headers: the response headers (lower-case names).
        body: the error object (the value of ``"error"`` when nested), else the
            parsed JSON body, or the raw text when it is not JSON.
        response: the ``Response`` (status, case-insensitive headers, URL), or
            ``None`` for an error built by hand.
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        type: Optional[str] = None,  # noqa: A002 - mirrors the wire key
        code: Optional[str] = None,
        request_id: Optional[str] = None,
        headers: Optional[Dict[str, str]] = None,
        body: Any = None,
        response: Optional[Response] = None,
    ) -> None:
        rid = f" (request {request_id})" if request_id else ""
        super().__init__(f"HTTP {status_code}{rid}: {_server_said(type, code, message)}")
        self.status_code = status_code
        self.message = message
        self.type = type
        self.code = code
        self.request_id = request_id
        self.headers = headers or {}
        self.body = body
        self.response = response


class BadRequestError(APIStatusError):
    """HTTP 400: the request was malformed (unknown model parameter, bad messages...)."""


class AuthenticationError(APIStatusError):
    """HTTP 401: the API key is missing or wrong."""


class PermissionDeniedError(APIStatusError):
    """HTTP 403: the key may not use this model or endpoint."""


class NotFoundError(APIStatusError):
    """HTTP 404: unknown model or wrong ``base_url``."""


class ConflictError(APIStatusError):
    """HTTP 409: the request conflicts with the server's state; retried, as the SDKs do."""


class RequestTooLargeError(APIStatusError):
    """HTTP 413: the request body is too large."""


class UnprocessableEntityError(APIStatusError):
    """HTTP 422: the request was understood but cannot be processed."""


class RateLimitError(APIStatusError):
    """HTTP 429: rate limited.

    Attributes:
        retry_after: seconds to wait, from the ``Retry-After`` header, or ``None``.
    """

    def __init__(self, message: str, *, retry_after: Optional[float] = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class InternalServerError(APIStatusError):
    """HTTP 5xx: the server failed; worth retrying."""


class UnexpectedContentTypeError(GroqStreamError):
    """A 2xx response that is not ``text/event-stream`` (for example a JSON body from a server that ignored ``stream``).

    Attributes:
        status_code: the HTTP status.
        content_type: the response's ``Content-Type``.
        headers: the response headers.
        body: the first bytes of the body.
        response: the ``Response``, or ``None`` for an error built by hand.
    """

    def __init__(
        self,
        *,
        status_code: int,
        content_type: str,
        headers: Dict[str, str],
        body: bytes,
        response: Optional[Response] = None,
    ) -> None:
        super().__init__(
            f"expected a text/event-stream response, got HTTP {status_code} with content type "
            f"{content_type!r}: {snippet(body, 200)}"
        )
        self.status_code = status_code
        self.content_type = content_type
        self.headers = headers
        self.body = body
        self.response = response


class APIConnectionError(GroqStreamError):
    """The connection failed: refused, DNS lookup, TLS, or reset (before or during the stream).

    Attributes:
        chunks_received: chunks yielded before the failure (0 when it happened before the stream).
    """

    def __init__(self, message: str, *, chunks_received: int = 0) -> None:
        super().__init__(message)
        self.chunks_received = chunks_received


class APITimeoutError(APIConnectionError):
    """Connecting, or waiting for the next bytes of the stream, took longer than the client's ``timeout``."""


# --- an HTTP status as an error: the one mapping the clients and Stream(response) share ------------------

_STATUS_ERRORS: Dict[int, Type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    413: RequestTooLargeError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def _parse_retry_after(value: Optional[str]) -> Optional[float]:
    """Seconds from a ``Retry-After`` header: a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            import email.utils  # only for the HTTP-date form

            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        import time

        seconds = when.timestamp() - time.time()
    return max(0.0, seconds) if seconds == seconds else None  # NaN is not a delay


def retry_after(headers: Mapping[str, str]) -> Optional[float]:
    """The delay a response asks for: ``retry-after-ms`` (OpenAI's, the SDKs read it first), else ``Retry-After``."""
    milliseconds = _parse_retry_after(headers.get("retry-after-ms"))
    return milliseconds / 1000.0 if milliseconds is not None else _parse_retry_after(headers.get("retry-after"))


def status_error(
    status: int,
    headers: Mapping[str, str],
    raw: bytes,
    *,
    key_missing: bool = False,
    response: Optional[Response] = None,
) -> APIStatusError:
    """Build the ``APIStatusError`` subclass for a non-2xx response from its status, headers and body."""
    try:
        body: Any = json.loads(raw.decode("utf-8", "replace"))
    except (ValueError, RecursionError):  # not JSON, or nested past the recursion limit: shown as text
        body = raw.decode("utf-8", "replace")
    error = body.get("error", body) if isinstance(body, dict) else body
    if isinstance(error, dict):
        message = error.get("message")
        message = message if isinstance(message, str) else json.dumps(error)[:1000]
        kind = error.get("type") if isinstance(error.get("type"), str) else None
        code = error.get("code")
        code = None if code is None or isinstance(code, bool) else str(code)
    else:
        message, kind, code = (str(error)[:1000] or f"HTTP {status}"), None, None
    if status == 401 and key_missing:
        message += " (no API key was given: set GROQ_API_KEY or pass api_key=)"
    cls = _STATUS_ERRORS.get(status, InternalServerError if status >= 500 else APIStatusError)
    fields: Dict[str, Any] = dict(
        status_code=status,
        type=kind,
        code=code,
        request_id=headers.get("x-request-id"),
        headers={name.lower(): headers[name] for name in headers},
        body=error,
        response=response,
    )
    if cls is RateLimitError:
        fields["retry_after"] = retry_after(headers)
    return cls(message, **fields)
