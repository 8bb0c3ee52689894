"""Client and AsyncClient: call Groq (or any OpenAI-compatible endpoint) with the standard library.

Thin adapters: ``_ClientBase`` builds requests from the SDK-style
configuration and decides retries; ``Client`` sends them over kept-alive
``http.client`` connections (``_http``), ``AsyncClient`` over asyncio streams
(``_asyncio_http``). Neither parses SSE: a streaming response goes to
``Stream``/``AsyncStream``, a non-streaming one to ``ChatCompletion.from_dict``.
Transport failures become groqstream errors: ``APIStatusError`` (and one
subclass per status), ``APIConnectionError``, ``APITimeoutError``, also when
they happen between two chunks mid-stream.

The API key goes into the ``Authorization`` header and nowhere else: not into
``repr``, exception messages, logs or recorded captures. What a request may
carry (header names and values, the key, ``base_url``) is checked in
``_sanitize`` before anything is sent, the same for both clients; a URL is
shown (in messages, ``repr`` and ``Response.url``) with its credentials and
secret-looking query values masked.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import socket
import ssl
import sys
import time
import urllib.parse
import weakref
from types import TracebackType
from typing import (
    IO,
    TYPE_CHECKING,
    Any,
    Callable,
    Dict,
    Iterable,
    List,
    Mapping,
    NamedTuple,
    Optional,
    Tuple,
    Type,
)

from ..core.errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    ChunkDecodeError,
    GroqStreamError,
    UnexpectedContentTypeError,
    count,
    retry_after,
    snippet,
    status_error,
)
from ..core.lines import DEFAULT_MAX_EVENT_BYTES
from ..core.stream import DEFAULT_DRAIN_BYTES, DEFAULT_DRAIN_SECONDS, Stream
from ..tools.capture import CaptureWriter, messages_digest
from ..types import ChatCompletion
from ..types.completion import attach_response
from .adapters import read_within
from .http import ConnectionPool, Headers, Origin, Proxies, Response, response_headers, reusable
from .params import check_params
from .sanitize import check_api_key, check_base_url, check_headers, redact_url

if TYPE_CHECKING:
    if sys.version_info >= (3, 11):
        from typing import Unpack
    else:
        from typing_extensions import Unpack

    from ..types.wire import Deviation
    from .params import ChatCompletionParams

__all__ = ["DEFAULT_BASE_URL", "Client"]

DEFAULT_BASE_URL = "https://api.groq.com/openai/v1"
"""Groq's OpenAI-compatible API root, used when neither ``base_url=`` nor ``GROQ_BASE_URL`` is given."""
_GROQ_API_PATH = "/openai/v1"  # what the Groq SDK adds to GROQ_BASE_URL (a host)

# Backoff between retries: 0.5 s, 1 s, 2 s ... capped at 8 s, times a random
# factor in [0.5, 1] so many clients retrying together spread out. A server's
# Retry-After wins when it asks for longer, up to _MAX_RETRY_AFTER.
_INITIAL_BACKOFF = 0.5
_MAX_BACKOFF = 8.0
_MAX_RETRY_AFTER = 60.0
# How much of an error body to read: enough for any JSON error, bounded for a hostile one.
_MAX_ERROR_BODY = 1 << 20
# The largest non-streaming response read (a completion of a very long answer is a few MB).
_MAX_COMPLETION_BODY = 64 << 20
# A body a server sent instead of an event stream: this much is kept for the error.
_UNEXPECTED_BODY = 4096


class _NotGiven:
    """The default of a per-request option that falls back to the client's (``None`` is a value: no timeout)."""

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN: Any = _NotGiven()


def _user_agent() -> str:
    from .. import __version__  # at call time: the package is fully imported by then

    return f"groqstream/{__version__} (Python {sys.version_info[0]}.{sys.version_info[1]})"


def _connection_error(exc: BaseException, url: str, chunks_received: Optional[int] = None) -> APIConnectionError:
    """Name what failed, without the request's headers (they hold the key).

    *chunks_received* is ``None`` before the response began, else how many chunks the stream had yielded.
    """
    reason = getattr(exc, "reason", None)  # urllib's URLError wraps the real one
    if not isinstance(reason, BaseException):
        reason = exc
    chunks = chunks_received or 0
    if chunks_received is None:
        where = "connecting to"
    else:
        where = "while streaming" if chunks else "while reading the response of"
    if isinstance(reason, (socket.timeout, TimeoutError)):
        return APITimeoutError(f"timed out {where} {url} after {count(chunks, 'chunk')}", chunks_received=chunks)
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
    return APIConnectionError(f"{kind} {where} {url}: {reason}", chunks_received=chunks)


class _Request(NamedTuple):
    """One request, built once and sent (again, on a retry) as is."""

    url: str  # as shown in messages and Response.url: credentials and secret query values masked
    origin: Origin
    target: str  # what goes on the request line
    headers: Dict[str, str]
    body: bytes
    timeout: Optional[float]


# Errors on a connection taken from the pool that mean the server closed it while it was idle:
# the request is sent once more on a fresh connection (before any retry counts).
_STALE = (ConnectionResetError, ConnectionAbortedError, BrokenPipeError, http.client.RemoteDisconnected)


class _ClientBase:
    """What Client and AsyncClient share: configuration, building requests, the retry policy."""

    def __init__(
        self,
        *,
        api_key: Optional[str] = None,
        base_url: Optional[str] = None,
        timeout: Optional[float] = 60.0,
        max_retries: int = 2,
        default_headers: Optional[Mapping[str, str]] = None,
        default_query: Optional[Mapping[str, object]] = None,
        ssl_context: Optional[ssl.SSLContext] = None,
    ) -> None:
        if max_retries < 0:
            raise ValueError(f"max_retries must be 0 or more, got {max_retries!r}")
        if timeout is not None and not timeout > 0:
            raise ValueError(f"timeout must be a positive number of seconds or None, got {timeout!r}")
        if api_key is None:
            api_key = os.environ.get("GROQ_API_KEY")
            if api_key is not None:
                check_api_key(api_key, source="api_key (from GROQ_API_KEY)")
        self.api_key = api_key
        self._proxies = Proxies()
        if base_url is None:
            host = os.environ.get("GROQ_BASE_URL")
            if host:
                check_base_url(host, source="base_url (from GROQ_BASE_URL)")
            base_url = _groq_api_root(host) if host else DEFAULT_BASE_URL
        self.base_url = base_url
        self.timeout = timeout
        """Seconds for connecting and for each read (so also between two chunks); ``None`` waits forever."""
        self.max_retries = max_retries
        """Retries of a request that failed before its response began (see ``Client``)."""
        self.default_headers: Dict[str, str] = dict(default_headers or {})
        """Headers sent with every request (``extra_headers=`` adds to them, or removes one with ``None``)."""
        check_headers(self.default_headers, argument="default_headers")  # a bad one fails here, not at a request
        self.default_query: Dict[str, object] = dict(default_query or {})
        """Query parameters added to every request's URL (percent-encoded, so they cannot break the request)."""
        self._ssl_context = ssl_context if ssl_context is not None else ssl.create_default_context()
        self._closed = False
        self._sleep: Callable[[float], Any] = time.sleep
        self._init_transport()

    def _init_transport(self) -> None:
        """Set up what the subclass sends requests with (its connection pool)."""
        raise NotImplementedError

    @property
    def api_key(self) -> Optional[str]:
        """The API key (``GROQ_API_KEY`` by default); it never appears in a ``repr`` or an error."""
        return self._api_key

    @api_key.setter
    def api_key(self, value: Optional[str]) -> None:
        if value is not None:
            check_api_key(value)  # a ValueError naming it, never showing it, before it reaches a header
        self._api_key = value

    @property
    def base_url(self) -> str:
        """The API root requests go to: ``{base_url}/chat/completions`` (shown masked, see ``redact_url``)."""
        return self._base_url

    @base_url.setter
    def base_url(self, value: str) -> None:
        check_base_url(value)
        value = value.rstrip("/")
        self._proxies.origin(value)  # a base_url that is not http(s) fails here, not at the first request
        self._base_url = value

    def __repr__(self) -> str:
        key = "set" if self._api_key else "not set"
        url = redact_url(self._base_url)
        return f"{type(self).__name__}(base_url={url!r}, timeout={self.timeout!r}, api_key={key})"

    def _build(
        self,
        method: str,
        params: Dict[str, Any],
        *,
        model: str,
        messages: Iterable[Mapping[str, Any]],
        stream: bool,
        extra_headers: Optional[Mapping[str, Optional[str]]],
        extra_query: Optional[Mapping[str, object]],
        extra_body: Optional[Mapping[str, Any]],
        timeout: Any,
    ) -> _Request:
        """The request for a chat completion; ``TypeError`` for an unknown parameter."""
        check_params(method, params)
        # Checked at every request: default_headers is a plain dict the caller may change after construction.
        check_headers(self.default_headers, argument="default_headers")
        check_headers(extra_headers or {}, argument="extra_headers")
        if self._closed:
            raise RuntimeError(f"this {type(self).__name__} was closed: make a new one to send requests")
        body = {"model": model, "messages": list(messages), **params, "stream": stream, **(extra_body or {})}
        url = f"{self.base_url}/chat/completions"
        query = {**self.default_query, **(extra_query or {})}
        if query:
            url += ("&" if "?" in url else "?") + urllib.parse.urlencode(query, doseq=True)
        origin, path = self._proxies.origin(url)
        headers: Dict[str, Optional[str]] = {
            "Accept": "text/event-stream" if stream else "application/json",
            "Content-Type": "application/json",
            "User-Agent": _user_agent(),
        }
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        if origin.proxy is not None and origin.proxy[2] and origin.scheme == "http":  # (a tunnel sends it in CONNECT)
            headers["Proxy-Authorization"] = origin.proxy[2]
        _merge_headers(headers, self.default_headers)
        _merge_headers(headers, extra_headers or {})
        return _Request(
            url=redact_url(url),  # only ever shown (origin and target carry the real one)
            origin=origin,
            target=origin.target(path),
            headers={name: value for name, value in headers.items() if value is not None},
            body=json.dumps(body).encode(),
            timeout=self.timeout if timeout is NOT_GIVEN else timeout,
        )

    def _retry_delay(self, attempt: int, headers: Optional[Mapping[str, str]], status: int = 0) -> Optional[float]:
        """Seconds to wait before retrying (``None``: do not retry), as the SDKs decide.

        Retried: connection errors (*headers* ``None``), 408, 409, 429 and 5xx;
        a response's ``x-should-retry: true/false`` overrides the status.
        """
        if attempt >= self.max_retries:
            return None
        asked = None
        if headers is not None:
            should = headers.get("x-should-retry")
            if should == "false" or (should != "true" and status not in (408, 409, 429) and status < 500):
                return None
            asked = retry_after(headers)
        delay: float = min(_MAX_BACKOFF, _INITIAL_BACKOFF * 2.0**attempt) * random.uniform(0.5, 1.0)
        if asked is not None:
            delay = max(delay, min(asked, _MAX_RETRY_AFTER)) if asked > 0 else 0.0
        return delay

    def _error_for(self, request: _Request, response: Response, raw: bytes) -> APIStatusError:
        return status_error(
            response.status_code, response.headers, raw, key_missing=not self._api_key, response=response
        )

    @staticmethod
    def _decode_completion(
        raw: bytes, response: Response, *, strict: bool, deviations: Optional[List[Deviation]]
    ) -> ChatCompletion:
        """The non-streaming body as a ``ChatCompletion`` (``ChunkDecodeError`` when it is not one)."""
        try:
            data = json.loads(raw.decode("utf-8"))
            problem = None if isinstance(data, dict) else f"a JSON {type(data).__name__}, not an object"
        except (UnicodeDecodeError, ValueError) as exc:
            problem = f"not JSON ({exc})"
        if problem is not None:
            raise ChunkDecodeError(
                f"the response from {response.url} is {problem}: {snippet(raw, 200)}", path="$", reason=problem
            )
        completion = ChatCompletion.from_dict(data, strict=strict, deviations=deviations)
        return attach_response(completion, response)

    @staticmethod
    def _unexpected(response: Response, start: bytes) -> UnexpectedContentTypeError:
        return UnexpectedContentTypeError(
            status_code=response.status_code,
            content_type=response.headers.get("content-type", ""),
            headers=dict(response.headers),
            body=start,
            response=response,
        )


def _groq_api_root(host: str) -> str:
    """``GROQ_BASE_URL`` as the Groq SDK reads it: a host, to which ``/openai/v1`` is added.

    A value that already ends in ``/openai/v1`` is taken as it is (the SDK would double the path and get 404s).
    """
    host = host.rstrip("/")
    return host if host.endswith(_GROQ_API_PATH) else host + _GROQ_API_PATH


def _merge_headers(headers: Dict[str, Optional[str]], extra: Mapping[str, Optional[str]]) -> None:
    """Add *extra* to *headers*, names compared case-insensitively (``None`` removes one)."""
    lower = {name.lower(): name for name in headers}
    for name, value in extra.items():
        existing = lower.get(name.lower())
        if existing is not None and existing != name:
            del headers[existing]
        headers[name] = value
        lower[name.lower()] = name


def _is_event_stream(headers: Headers) -> bool:
    return headers.get("content-type", "").split(";", 1)[0].strip().lower() == "text/event-stream"


# --- sync -------------------------------------------------------------------------------------------


class _ResponseBody:
    """A streaming response as ``Stream``'s source: ``read1`` with errors mapped, bytes optionally recorded.

    ``Stream`` drains what is left of the body after the stream's end (it
    finds the ``http.client`` response as ``raw``, see ``_drain``). On
    ``close()`` the connection goes back to the pool when the body was read
    to its end; after an early ``break``, an error or a drain that ran out of
    bounds, it is closed.
    """

    def __init__(
        self,
        client: Client,
        request: _Request,
        connection: http.client.HTTPConnection,
        response: http.client.HTTPResponse,
        capture: Optional[CaptureWriter],
    ) -> None:
        self._client = client
        self._request = request
        self._connection = connection
        self._response = response
        self.raw = response
        """The ``http.client`` response (for ``Stream``'s drain to find its socket)."""
        self.status = response.status
        """The response's HTTP status (a 2xx: other statuses raise before a stream begins)."""
        self._raw_io = getattr(response.fp, "raw", None)  # its SocketIO, whose recvs read_within bounds
        self._capture = capture
        self.stream: Optional[Stream] = None

    def _chunks(self) -> int:
        return self.stream.chunks_received if self.stream is not None else 0

    def read1(self, size: int) -> bytes:
        try:
            # Within the timeout in total: one read1 may recv many times (chunk-size lines, trailers).
            data: bytes = read_within(self._raw_io, self._request.timeout, self._response.read1, size)
        except http.client.IncompleteRead:
            # The server closed before the body's end: the stream simply ended
            # early, and Stream reports that as IncompleteStreamError after
            # every complete chunk.
            return b""
        except (OSError, http.client.HTTPException) as exc:
            raise _connection_error(exc, self._request.url, self._chunks()) from exc
        if self._capture is not None and data:
            self._capture.write(data)
        return data

    def close(self) -> None:
        keep = False
        try:
            keep = reusable(self._response)
            if self._capture is not None:
                self._capture.close()  # the tail of a cut stream is kept too
        finally:
            self._response.close()
            if keep:
                self._client._pool.release(self._request.origin, self._connection)
            else:
                self._connection.close()


class Client(_ClientBase):
    """A Groq client on the standard library, with the Groq SDK's configuration and kept-alive connections.

    ``chat_stream()`` starts a streaming chat completion (a ``Stream``);
    ``chat()`` returns a whole ``ChatCompletion``. Connections are kept alive
    in a pool per scheme, host and port, shared safely between threads;
    ``close()`` (or leaving a ``with Client() as client:`` block) closes them.

    Args:
        api_key: the API key; default: the ``GROQ_API_KEY`` environment variable.
        base_url: the OpenAI-style API root, e.g. ``http://localhost:8000/v1``;
            requests go to ``{base_url}/chat/completions``. Default: the
            ``GROQ_BASE_URL`` environment variable read as the Groq SDK reads
            it (a host such as ``https://api.groq.com``, to which
            ``/openai/v1`` is added), else ``https://api.groq.com/openai/v1``.
        timeout: seconds to wait to connect, for the response's head, and for
            each read of a stream's body, each in total however the server slices
            what it sends (so also between two chunks of a stream; not a
            deadline for a whole stream); ``None`` waits forever.
        max_retries: how many times to retry a request that failed with a
            connection error, 408, 409, 429 or 5xx, before its response
            began (``Retry-After`` honoured up to 60 s). Never retried once a
            stream began.
        default_headers: headers sent with every request (they win over the
            defaults, ``Authorization`` included).
        default_query: query parameters added to every request's URL.
        ssl_context: the TLS settings; default: ``ssl.create_default_context()``
            (certificates and host names verified).

    Proxies come from the environment (``HTTPS_PROXY``, ``HTTP_PROXY``,
    ``NO_PROXY``), read when the client is made.
    """

    def _init_transport(self) -> None:
        self._pool = ConnectionPool(self._ssl_context)
        # A client dropped without close() still closes its idle connections (no ResourceWarning, no fd kept).
        weakref.finalize(self, self._pool.close)

    def chat_stream(
        self,
        *,
        model: str,
        messages: Iterable[Mapping[str, Any]],
        capture: Optional[IO[bytes]] = None,
        require_done: Optional[bool] = None,
        strict: bool = False,
        max_event_bytes: int = DEFAULT_MAX_EVENT_BYTES,
        unicode_errors: str = "replace",
        accumulate: bool = True,
        drain_bytes: int = DEFAULT_DRAIN_BYTES,
        drain_seconds: float = DEFAULT_DRAIN_SECONDS,
        extra_headers: Optional[Mapping[str, Optional[str]]] = None,
        extra_query: Optional[Mapping[str, object]] = None,
        extra_body: Optional[Mapping[str, Any]] = None,
        timeout: Optional[float] = NOT_GIVEN,
        **params: Unpack[ChatCompletionParams],
    ) -> Stream:
        """Start a streaming chat completion and return its ``Stream``.

        Args:
            model: the model ID, e.g. ``"llama-3.3-70b-versatile"``.
            messages: the conversation, as the API takes it.
            capture: a binary file to record the response in, as a timed capture
                (docs/capture-format.md). The file is left open.
            require_done, strict, max_event_bytes, unicode_errors, accumulate,
                drain_bytes, drain_seconds: the ``Stream``'s options (never sent to the server).
            extra_headers: headers for this request (``None`` removes one).
            extra_query: query parameters for this request.
            extra_body: JSON keys added to the body, over the named parameters.
            timeout: this request's timeout instead of the client's.
            **params: the request parameters (``temperature``, ``tools``,
                ``stream_options``...; see ``ChatCompletionParams``). An
                unknown one raises ``TypeError``.

        Returns:
            A ``Stream`` over the response (its ``response`` has the status and headers);
            use it in a ``with`` block.

        Raises:
            APIStatusError: a non-2xx response (a subclass per status).
            UnexpectedContentTypeError: a 2xx response that is not an event stream.
            APIConnectionError, APITimeoutError: the connection failed.
        """
        messages = list(messages)  # read once: it goes into the body and into the capture's digest
        request = self._build(
            "chat_stream", dict(params), model=model, messages=messages, stream=True,
            extra_headers=extra_headers, extra_query=extra_query, extra_body=extra_body, timeout=timeout,
        )  # fmt: skip
        recorder = (  # time zero: now; the digest lets `groqstream serve --match request` find this answer
            CaptureWriter(capture, model=model, request=messages_digest(messages)) if capture is not None else None
        )
        connection, response, info = self._send(request)
        if not _is_event_stream(info.headers):
            raise self._unexpected(info, self._finish(request, connection, response, limit=_UNEXPECTED_BODY))
        source = _ResponseBody(self, request, connection, response, recorder)
        try:
            stream = Stream(
                source, require_done=require_done, strict=strict, max_event_bytes=max_event_bytes,
                unicode_errors=unicode_errors, accumulate=accumulate, drain_bytes=drain_bytes,
                drain_seconds=drain_seconds,
            )  # fmt: skip
        except BaseException:  # a bad option: the connection is not left open
            source.close()
            raise
        stream.response = info
        source.stream = stream
        return stream

    def chat(
        self,
        *,
        model: str,
        messages: Iterable[Mapping[str, Any]],
        strict: bool = False,
        deviations: Optional[List[Deviation]] = None,
        extra_headers: Optional[Mapping[str, Optional[str]]] = None,
        extra_query: Optional[Mapping[str, object]] = None,
        extra_body: Optional[Mapping[str, Any]] = None,
        timeout: Optional[float] = NOT_GIVEN,
        **params: Unpack[ChatCompletionParams],
    ) -> ChatCompletion:
        """Ask for a whole chat completion (``"stream": false``) and return it, typed.

        Args:
            model, messages, extra_headers, extra_query, extra_body, timeout, **params:
                as for ``chat_stream``.
            strict: refuse every departure from the schema (as ``from_dict(strict=True)``).
            deviations: a list that gets a ``Deviation`` for each departure read (``strict=False``).

        Returns:
            The ``ChatCompletion``; its ``response`` has the status and headers.

        Raises:
            APIStatusError, APIConnectionError, APITimeoutError: as ``chat_stream``.
            ChunkDecodeError: the body is not a chat completion.
        """
        request = self._build(
            "chat", dict(params), model=model, messages=messages, stream=False,
            extra_headers=extra_headers, extra_query=extra_query, extra_body=extra_body, timeout=timeout,
        )  # fmt: skip
        connection, response, info = self._send(request)
        raw = self._finish(request, connection, response, limit=_MAX_COMPLETION_BODY, whole=True)
        return self._decode_completion(raw, info, strict=strict, deviations=deviations)

    def _send(self, request: _Request) -> Tuple[http.client.HTTPConnection, http.client.HTTPResponse, Response]:
        """Send *request* until a 2xx response arrives; retry as ``_retry_delay`` says; raise the last error."""
        attempt = 0
        while True:
            error: GroqStreamError
            try:
                connection, response = self._exchange(request)
            except (OSError, http.client.HTTPException) as exc:
                error = _connection_error(exc, request.url)
                error.__cause__ = exc
                delay = self._retry_delay(attempt, None)
            else:
                info = Response(
                    response.status, response_headers(response), request.url,
                    reason_phrase=response.reason, http_version="HTTP/1.0" if response.version == 10 else "HTTP/1.1",
                )  # fmt: skip
                if 200 <= response.status < 300:
                    return connection, response, info
                raw = self._finish(request, connection, response, limit=_MAX_ERROR_BODY)
                error = self._error_for(request, info, raw)
                delay = self._retry_delay(attempt, info.headers, info.status_code)
            if delay is None:
                raise error
            self._sleep(delay)
            attempt += 1

    def _exchange(self, request: _Request) -> Tuple[http.client.HTTPConnection, http.client.HTTPResponse]:
        """Send once; a pooled connection the server closed while idle is replaced by a fresh one, once."""
        connection, reused = self._pool.connection(request.origin, request.timeout)
        while True:
            try:
                connection.request("POST", request.target, request.body, request.headers)
                return connection, connection.getresponse()
            except _STALE:
                connection.close()
                if not reused:
                    raise
                connection, reused = self._pool.connection(request.origin, request.timeout, fresh=True)
            except BaseException:  # a timeout, Ctrl-C...: this connection's state is unknown
                connection.close()
                raise

    def _finish(
        self,
        request: _Request,
        connection: http.client.HTTPConnection,
        response: http.client.HTTPResponse,
        *,
        limit: int,
        whole: bool = False,
    ) -> bytes:
        """Read a non-streaming body (at most *limit* bytes), then pool or close the connection."""
        keep = False
        try:
            raw = response.read(limit + 1) if whole else response.read(limit)
            if whole and len(raw) > limit:
                raise APIConnectionError(f"the response from {request.url} is larger than {limit} bytes")
            keep = reusable(response)
            return raw
        except (OSError, http.client.HTTPException) as exc:
            if whole:
                raise _connection_error(exc, request.url, 0) from exc
            return b""
        finally:
            response.close()
            if keep:
                self._pool.release(request.origin, connection)
            else:
                connection.close()

    def close(self) -> None:
        """Close the kept-alive connections; streams still open keep theirs until they end. Later requests raise."""
        self._closed = True
        self._pool.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self, exc_type: Optional[Type[BaseException]], exc: Optional[BaseException], tb: Optional[TracebackType]
    ) -> None:
        self.close()
