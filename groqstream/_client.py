"""Client: call Groq (or any OpenAI-compatible endpoint) with urllib and stream typed chunks.

A thin adapter: it builds the request, opens it (with retries before the
stream starts), checks the status and content type, and hands the response to
``Stream``. It parses no SSE itself. Transport failures become groqstream
errors: ``APIStatusError`` (and one subclass per status), ``APIConnectionError``,
``APITimeoutError``, also when they happen between two chunks mid-stream.

The API key goes into the ``Authorization`` header and nowhere else: not into
``repr``, exception messages, logs or recorded captures.
"""

from __future__ import annotations

import email.utils
import http.client
import json
import os
import random
import socket
import ssl
import sys
import time
import urllib.error
import urllib.request
from typing import IO, Any, Callable, Dict, Iterable, Mapping, Optional, Type

from ._capture import CaptureWriter
from ._errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    GroqStreamError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    RequestTooLargeError,
    UnexpectedContentTypeError,
    UnprocessableEntityError,
)
from ._stream import Stream

__all__ = ["DEFAULT_BASE_URL", "Client"]

DEFAULT_BASE_URL = "https://api.groq.com/openai/v1"
"""Groq's OpenAI-compatible API root; ``GROQ_BASE_URL`` overrides it."""

# Backoff between retries: 0.5 s, 1 s, 2 s ... capped at 8 s, times a random
# factor in [0.5, 1] so many clients retrying together spread out. A server's
# Retry-After wins when it asks for longer, up to _MAX_RETRY_AFTER.
_INITIAL_BACKOFF = 0.5
_MAX_BACKOFF = 8.0
_MAX_RETRY_AFTER = 60.0
# How much of an error body to read: enough for any JSON error, bounded for a hostile one.
_MAX_ERROR_BODY = 1 << 20

_STATUS_ERRORS: Dict[int, Type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    413: RequestTooLargeError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def _user_agent() -> str:
    from . import __version__  # at call time: the package is fully imported by then

    return f"groqstream/{__version__} (Python {sys.version_info[0]}.{sys.version_info[1]}; urllib)"


def _parse_retry_after(value: Optional[str]) -> Optional[float]:
    """Seconds from a ``Retry-After`` header: a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        seconds = when.timestamp() - time.time()
    return max(0.0, seconds) if seconds == seconds else None  # NaN is not a delay


def status_error(status: int, headers: Mapping[str, str], raw: bytes, *, key_missing: bool = False) -> APIStatusError:
    """Build the ``APIStatusError`` subclass for a non-2xx response from its status, headers and body."""
    try:
        body: Any = json.loads(raw.decode("utf-8", "replace"))
    except ValueError:
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
        headers=dict(headers),
        body=error,
    )
    if cls is RateLimitError:
        fields["retry_after"] = _parse_retry_after(headers.get("retry-after"))
    return cls(message, **fields)


def _connection_error(exc: BaseException, url: str, chunks_received: int = 0) -> APIConnectionError:
    """Name what failed, without the request's headers (they hold the key)."""
    reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    where = "while streaming" if chunks_received else "connecting to"
    if isinstance(reason, (socket.timeout, TimeoutError)):
        return APITimeoutError(
            f"timed out {where} {url} after {chunks_received} chunks", chunks_received=chunks_received
        )
    if isinstance(reason, ssl.SSLError):
        kind = "TLS error"
    elif isinstance(reason, socket.gaierror):
        kind = "DNS lookup failed"
    elif isinstance(reason, ConnectionRefusedError):
        kind = "connection refused"
    elif isinstance(reason, (ConnectionResetError, ConnectionAbortedError, BrokenPipeError)):
        kind = "connection reset"
    else:
        kind = "connection failed"
    return APIConnectionError(f"{kind} {where} {url}: {reason}", chunks_received=chunks_received)


class _ResponseBody:
    """The response as a byte source for ``Stream``: ``read1``, errors mapped, bytes optionally recorded."""

    def __init__(self, response: Any, url: str, capture: Optional[CaptureWriter]) -> None:
        self._response = response
        self._url = url
        self._capture = capture
        self.chunks_received: Callable[[], int] = lambda: 0

    def read1(self, size: int) -> bytes:
        try:
            data: bytes = self._response.read1(size)
        except http.client.IncompleteRead:
            # The server closed before the body's end: the stream simply ended
            # early, and Stream reports that as IncompleteStreamError after
            # every complete chunk.
            return b""
        except (OSError, http.client.HTTPException) as exc:
            raise _connection_error(exc, self._url, self.chunks_received()) from exc
        if self._capture is not None and data:
            self._capture.write(data)
        return data

    def close(self) -> None:
        try:
            if self._capture is not None:
                self._capture.close()  # the tail of a cut stream is kept too
        finally:
            self._response.close()


class Client:
    """A small Groq client on ``urllib``: ``chat_stream()`` posts a streaming chat completion.

    Args:
        api_key: the API key; default: the ``GROQ_API_KEY`` environment variable.
        base_url: the API root; default: ``GROQ_BASE_URL`` or ``https://api.groq.com/openai/v1``.
        timeout: seconds to wait to connect, and for each read (so also between
            two chunks of a stream); ``None`` waits forever.
        max_retries: how many times to retry a request that failed with 429,
            a 5xx status or a connection error, before any byte of the stream
            was read. Never retried once streaming began.
        ssl_context: the TLS settings; default: ``ssl.create_default_context()``
            (certificates and host names verified).
        headers: extra request headers (``Authorization`` cannot be overridden here).
    """

    def __init__(
        self,
        *,
        api_key: Optional[str] = None,
        base_url: Optional[str] = None,
        timeout: Optional[float] = 60.0,
        max_retries: int = 2,
        ssl_context: Optional[ssl.SSLContext] = None,
        headers: Optional[Mapping[str, str]] = None,
    ) -> None:
        if max_retries < 0:
            raise ValueError(f"max_retries must be 0 or more, got {max_retries!r}")
        self._api_key = api_key if api_key is not None else os.environ.get("GROQ_API_KEY")
        self.base_url = (base_url or os.environ.get("GROQ_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")
        """The API root requests go to."""
        self.timeout = timeout
        """Seconds for connecting and for each read."""
        self.max_retries = max_retries
        """Retries before the stream starts."""
        self._ssl_context = ssl_context if ssl_context is not None else ssl.create_default_context()
        self._headers = {k: v for k, v in (headers or {}).items() if k.lower() != "authorization"}
        self._sleep: Callable[[float], None] = time.sleep

    def __repr__(self) -> str:
        key = "set" if self._api_key else "not set"
        return f"Client(base_url={self.base_url!r}, timeout={self.timeout!r}, api_key={key})"

    def chat_stream(
        self,
        *,
        model: str,
        messages: Iterable[Mapping[str, Any]],
        capture: Optional[IO[bytes]] = None,
        **params: Any,
    ) -> Stream:
        """Start a streaming chat completion and return its ``Stream``.

        Args:
            model: the model ID, e.g. ``"llama-3.3-70b-versatile"``.
            messages: the conversation, as the API takes it.
            capture: a binary file to record the response in, as a timed capture
                (docs/capture-format.md): every byte as received, with arrival
                times, so ``groqstream replay`` can play it back at its pace.
                The file is left open.
            **params: any other request parameter (``temperature``, ``tools``,
                ``stream_options``...), passed through as JSON.

        Returns:
            A ``Stream`` over the response; use it in a ``with`` block.

        Raises:
            APIStatusError: a non-2xx response (a subclass per status).
            UnexpectedContentTypeError: a 2xx response that is not an event stream.
            APIConnectionError, APITimeoutError: the connection failed.
        """
        url = f"{self.base_url}/chat/completions"
        body = json.dumps({**params, "model": model, "messages": list(messages), "stream": True}).encode()
        recorder = CaptureWriter(capture, model=model) if capture is not None else None  # time zero: now
        response = self._open(url, body)
        headers = {k.lower(): v for k, v in response.headers.items()}
        content_type = response.headers.get_content_type()
        if content_type != "text/event-stream":
            try:
                start = response.read(4096)
            except OSError:
                start = b""
            response.close()
            raise UnexpectedContentTypeError(
                status_code=response.status, content_type=headers.get("content-type", ""), headers=headers, body=start
            )
        source = _ResponseBody(response, url, recorder)
        stream = Stream(source)
        source.chunks_received = lambda: stream.chunks_received
        return stream

    def _request(self, url: str, body: bytes) -> urllib.request.Request:
        headers = {
            **self._headers,
            "Content-Type": "application/json",
            "Accept": "text/event-stream",
            "User-Agent": self._headers.get("User-Agent", _user_agent()),
        }
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        return urllib.request.Request(url, data=body, headers=headers, method="POST")

    def _open(self, url: str, body: bytes) -> Any:
        """Open the request, retrying 429, 5xx and connection errors with backoff."""
        attempt = 0
        while True:
            error: GroqStreamError
            retry_after: Optional[float] = None
            try:
                return urllib.request.urlopen(self._request(url, body), timeout=self.timeout, context=self._ssl_context)
            except urllib.error.HTTPError as exc:
                with exc:
                    raw = exc.read(_MAX_ERROR_BODY)
                headers = {k.lower(): v for k, v in exc.headers.items()}
                error = status_error(exc.code, headers, raw, key_missing=not self._api_key)
                retryable = exc.code == 429 or exc.code >= 500
                retry_after = _parse_retry_after(headers.get("retry-after"))
            except (OSError, http.client.HTTPException) as exc:  # URLError is an OSError
                error = _connection_error(exc, url)
                error.__cause__ = exc
                retryable = True
            if not retryable or attempt >= self.max_retries:
                raise error
            self._sleep(self._backoff(attempt, retry_after))
            attempt += 1

    @staticmethod
    def _backoff(attempt: int, retry_after: Optional[float]) -> float:
        delay: float = min(_MAX_BACKOFF, _INITIAL_BACKOFF * 2.0**attempt) * random.uniform(0.5, 1.0)
        if retry_after is not None:
            delay = max(delay, min(retry_after, _MAX_RETRY_AFTER)) if retry_after > 0 else 0.0
        return delay
