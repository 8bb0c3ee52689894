"""The clients' decisions, without I/O: what to send, whether and when to try again, what a response means.

``Client`` (``http.client``, ``time.sleep``) and ``AsyncClient`` (asyncio
streams, ``asyncio.sleep``) are thin drivers of this module: each sends bytes
and reads them in its own way, and asks ``_ClientBase`` (their common base
class, defined here) at every step what to do. Nothing here opens a socket,
reads, writes or sleeps, so every decision is made once, the same for both
clients, and can be tested without a server.

Theory of operation, for one request::

    request = client._build(...)                 # URL, headers, JSON body; refused arguments raise here
    attempt = 0
    loop:
        driver sends request, reads the response head
          - it failed (OSError...):  retry = client._after_failure(request, attempt, exc)
          - a 2xx:                   done (the driver streams the body, or reads it whole:
                                     client._completion(...) turns it into a ChatCompletion,
                                     client._response(...) into a Response, or an error)
          - another status:          driver reads the error body (bounded: MAX_ERROR_BODY bytes,
                                     the timeout in total), retry = client._after_status(request, attempt, info, body)
        driver sleeps retry.delay_or_raise()     # raises the attempt's error when no retry is left
        attempt += 1

What is decided here:

- **The request** (``_build``): the URL from ``base_url``, the endpoint's
  path (``CHAT``: ``/chat/completions``, ``RESPONSES``: ``/responses``) and the queries
  (percent-encoded), the origin and proxy, the headers (defaults, then
  ``default_headers``, then ``extra_headers``; names compared
  case-insensitively; ``None`` removes one; all checked by ``sanitize``), the
  JSON body and the timeout.
- **Retries** (``_retry_delay``): connection errors, 408, 409, 429 and 5xx
  are retried up to ``max_retries`` times, unless ``x-should-retry`` says
  otherwise; the backoff is 0.5 s, 1 s, 2 s... capped at 8 s, times a random
  factor in [0.5, 1]; a longer ``Retry-After`` (or ``retry-after-ms``) wins, up
  to 60 s. A stream that began is never retried (its chunks were yielded).
- **Errors**: an exception of the transport becomes ``APIConnectionError`` or
  ``APITimeoutError`` (``connection_error``), a status becomes its
  ``APIStatusError`` subclass (``core.errors.status_error``), a 2xx that is
  not an event stream ``UnexpectedContentTypeError``, a completion body that
  is not one ``ChunkDecodeError``. None of them shows the key or the URL's
  credentials (``redact_url``).
"""

from __future__ import annotations

import json
import os
import random
import socket
import ssl
import sys
import urllib.parse
from typing import IO, TYPE_CHECKING, Any, Callable, Dict, FrozenSet, List, Mapping, NamedTuple, Optional

from ..core.errors import (
    APIConnectionError,
    APITimeoutError,
    ChunkDecodeError,
    GroqStreamError,
    UnexpectedContentTypeError,
    count,
    retry_after,
    snippet,
    status_error,
)
from ..types import ChatCompletion
from ..types.completion import attach_response
from .http import Headers, Origin, Proxies, Response
from .params import PARAM_NAMES, RESPONSE_PARAM_NAMES, check_params
from .sanitize import check_api_key, check_base_url, check_headers, redact_url

if TYPE_CHECKING:
    from ..tools.capture import CaptureWriter
    from ..types.responses import Response as ResponseObject
    from ..types.wire import Deviation

__all__ = [
    "CHAT",
    "DEFAULT_BASE_URL",
    "MAX_COMPLETION_BODY",
    "MAX_ERROR_BODY",
    "NOT_GIVEN",
    "RESPONSES",
    "UNEXPECTED_BODY",
    "Endpoint",
    "Request",
    "Retry",
    "connection_error",
    "is_event_stream",
]

DEFAULT_BASE_URL = "https://api.groq.com/openai/v1"
"""Groq's OpenAI-compatible API root, used when neither ``base_url=`` nor ``GROQ_BASE_URL`` is given."""
_GROQ_API_PATH = "/openai/v1"  # what the Groq SDK adds to GROQ_BASE_URL (a host)

# Backoff between retries: 0.5 s, 1 s, 2 s ... capped at 8 s, times a random
# factor in [0.5, 1] so many clients retrying together spread out. A server's
# Retry-After wins when it asks for longer, up to _MAX_RETRY_AFTER.
_INITIAL_BACKOFF = 0.5
_MAX_BACKOFF = 8.0
_MAX_RETRY_AFTER = 60.0

MAX_ERROR_BODY = 1 << 20
"""How much of an error body is read: enough for any JSON error, bounded for a hostile one."""
MAX_COMPLETION_BODY = 64 << 20
"""The largest non-streaming response read (a completion of a very long answer is a few MB)."""
UNEXPECTED_BODY = 4096
"""How much of a body a server sent instead of an event stream is kept for the error."""


class _NotGiven:
    """The default of a per-request option that falls back to the client's (``None`` is a value: no timeout)."""

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN: Any = _NotGiven()


def _user_agent() -> str:
    from .. import __version__  # at call time: the package is fully imported by then

    return f"groqstream/{__version__} (Python {sys.version_info[0]}.{sys.version_info[1]})"


class Request(NamedTuple):
    """One request, built once and sent (again, on a retry) as is."""

    url: str  # as shown in messages and Response.url: credentials and secret query values masked
    origin: Origin
    target: str  # what goes on the request line
    headers: Dict[str, str]
    body: bytes
    timeout: Optional[float]


class Endpoint(NamedTuple):
    """What differs between the APIs a client calls; everything else (headers, retries, errors) is shared."""

    path: str
    """Added to ``base_url``: ``/chat/completions``, ``/responses``."""
    param_names: FrozenSet[str]
    """The request parameters taken by name (``params.py``); another keyword is a ``TypeError``."""


CHAT = Endpoint("/chat/completions", PARAM_NAMES)
"""Chat Completions: ``chat_stream()`` and ``chat()``."""
RESPONSES = Endpoint("/responses", RESPONSE_PARAM_NAMES)
"""The Responses API (#27): ``responses_stream()`` and ``responses()``; Groq serves it at ``/openai/v1/responses``."""


class Retry(NamedTuple):
    """What to do after a failed attempt: wait *delay* seconds and send again, or (``None``) raise *error*."""

    error: GroqStreamError
    delay: Optional[float]

    def delay_or_raise(self) -> float:
        """The seconds to wait before the next attempt; raises ``error`` when there is none."""
        if self.delay is None:
            raise self.error
        return self.delay


def connection_error(
    exc: BaseException, url: str, chunks_received: Optional[int] = None, *, unit: str = "chunk"
) -> APIConnectionError:
    """The groqstream error for a transport's exception: what failed and where, without the request's headers.

    Args:
        exc: what the transport raised (an ``OSError``, ``http.client.HTTPException``, urllib's ``URLError``...).
        url: the request's URL as shown (``Request.url``: masked).
        chunks_received: ``None`` before the response began, else how many chunks the stream had yielded.
        unit: what the stream yields, for the message: ``"chunk"``, or ``"event"`` for a Responses stream.
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
        return APITimeoutError(f"timed out {where} {url} after {count(chunks, unit)}", chunks_received=chunks)
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


def is_event_stream(headers: Headers) -> bool:
    """True when a response's ``Content-Type`` is ``text/event-stream`` (parameters ignored)."""
    return headers.get("content-type", "").split(";", 1)[0].strip().lower() == "text/event-stream"


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


class _ClientBase:
    """What Client and AsyncClient share: the configuration, and every decision about a request (no I/O)."""

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
        """Seconds for connecting, for the response's head and for each read, each in total; ``None``: no limit."""
        self.max_retries = max_retries
        """Retries of a request that failed before its response began (see ``Client``)."""
        self.default_headers: Dict[str, str] = dict(default_headers or {})
        """Headers sent with every request (``extra_headers=`` adds to them, or removes one with ``None``)."""
        check_headers(self.default_headers, argument="default_headers")  # a bad one fails here, not at a request
        self.default_query: Dict[str, object] = dict(default_query or {})
        """Query parameters added to every request's URL (percent-encoded, so they cannot break the request)."""
        self._ssl_context = ssl_context if ssl_context is not None else ssl.create_default_context()
        self._closed = False
        self._init_transport()

    _sleep: Callable[[float], Any]
    """What the driver waits between attempts with (``time.sleep``, ``asyncio.sleep``); tests replace it."""

    def _init_transport(self) -> None:
        """Set up what the driver sends requests with (its connection pool) and ``_sleep``."""
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
        """The API root, as given (masked in repr and messages).

        Requests go to ``{base_url}/chat/completions`` and ``{base_url}/responses``.
        """
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

    # --- the request ------------------------------------------------------------------------------------

    def _build(
        self,
        endpoint: Endpoint,
        method: str,
        params: Dict[str, Any],
        *,
        fields: Mapping[str, Any],
        stream: bool,
        extra_headers: Optional[Mapping[str, Optional[str]]],
        extra_query: Optional[Mapping[str, object]],
        extra_body: Optional[Mapping[str, Any]],
        timeout: Any,
    ) -> Request:
        """The request for *endpoint* (``CHAT`` or ``RESPONSES``); ``TypeError`` for an unknown parameter.

        *fields* are the endpoint's required keys (``model`` and ``messages``, or ``model`` and ``input``),
        first in the body; then the named *params*, ``stream``, and ``extra_body`` over them all.
        """
        check_params(method, params, endpoint.param_names)
        # Checked at every request: default_headers is a plain dict the caller may change after construction.
        check_headers(self.default_headers, argument="default_headers")
        check_headers(extra_headers or {}, argument="extra_headers")
        if self._closed:
            raise RuntimeError(f"this {type(self).__name__} was closed: make a new one to send requests")
        body = {**fields, **params, "stream": stream, **(extra_body or {})}
        url = self.base_url + endpoint.path
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
        return Request(
            url=redact_url(url),  # only ever shown (origin and target carry the real one)
            origin=origin,
            target=origin.target(path),
            headers={name: value for name, value in headers.items() if value is not None},
            body=json.dumps(body).encode(),
            timeout=self.timeout if timeout is NOT_GIVEN else timeout,
        )

    # --- after an attempt ---------------------------------------------------------------------------------

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

    def _after_failure(self, request: Request, attempt: int, exc: BaseException) -> Retry:
        """Attempt *attempt* (0 first) of *request* failed before a response head arrived, with *exc*."""
        error = connection_error(exc, request.url)
        error.__cause__ = exc
        return Retry(error, self._retry_delay(attempt, None))

    def _after_status(self, request: Request, attempt: int, response: Response, body: bytes) -> Retry:
        """Attempt *attempt* of *request* got a non-2xx *response*, whose body began with *body*."""
        error = status_error(
            response.status_code, response.headers, body, key_missing=not self._api_key, response=response
        )
        return Retry(error, self._retry_delay(attempt, response.headers, response.status_code))

    # --- what a body means --------------------------------------------------------------------------------

    @staticmethod
    def _unread(request: Request, exc: BaseException, *, whole: bool) -> bytes:
        """The body that could not be read: an error for a completion (*whole*), else nothing (``b""``).

        An error body or the start of an unexpected one only adds detail to the error raised anyway.
        """
        if whole:
            raise connection_error(exc, request.url, 0) from exc
        return b""

    @staticmethod
    def _json_body(request: Request, raw: bytes, response: Response) -> Dict[str, Any]:
        """A non-streaming body (up to ``MAX_COMPLETION_BODY`` + 1 bytes read) as a JSON object.

        Raises:
            APIConnectionError: the body is larger than ``MAX_COMPLETION_BODY``.
            ChunkDecodeError: the body is not a JSON object (nor JSON nested within the recursion limit).
        """
        if len(raw) > MAX_COMPLETION_BODY:
            raise APIConnectionError(f"the response from {request.url} is larger than {MAX_COMPLETION_BODY} bytes")
        try:
            data = json.loads(raw.decode("utf-8"))
            problem = None if isinstance(data, dict) else f"a JSON {type(data).__name__}, not an object"
        except (UnicodeDecodeError, ValueError) as exc:
            problem = f"not JSON ({exc})"
        except RecursionError:
            problem = "not JSON (nested deeper than the recursion limit)"
        if problem is not None:
            raise ChunkDecodeError(
                f"the response from {response.url} is {problem}: {snippet(raw, 200)}", path="$", reason=problem
            )
        result: Dict[str, Any] = data
        return result

    @staticmethod
    def _completion(
        request: Request,
        raw: bytes,
        response: Response,
        *,
        strict: bool,
        deviations: Optional[List[Deviation]],
    ) -> ChatCompletion:
        """A non-streaming chat body as a ``ChatCompletion`` (errors as ``_json_body``, or the schema's)."""
        data = _ClientBase._json_body(request, raw, response)
        completion = ChatCompletion.from_dict(data, strict=strict, deviations=deviations)
        return attach_response(completion, response)

    @staticmethod
    def _response(
        request: Request,
        raw: bytes,
        response: Response,
        *,
        strict: bool,
        deviations: Optional[List[Deviation]],
    ) -> ResponseObject:
        """A non-streaming Responses body as a ``groqstream.types.Response`` (errors as ``_completion``).

        Imported here: the Responses types load on first use, so a chat client never pays for them.
        """
        from ..types.responses import Response as ResponseObject

        data = _ClientBase._json_body(request, raw, response)
        return ResponseObject.from_dict(data, strict=strict, deviations=deviations)

    @staticmethod
    def _unexpected(response: Response, start: bytes) -> UnexpectedContentTypeError:
        """The error for a 2xx response that is not an event stream, with the first bytes of its body."""
        return UnexpectedContentTypeError(
            status_code=response.status_code,
            content_type=response.headers.get("content-type", ""),
            headers=dict(response.headers),
            body=start,
            response=response,
        )


def recorder(capture: Optional[IO[bytes]], model: str, request: Any) -> Optional[CaptureWriter]:
    """The timed-capture writer for ``chat_stream(capture=file)`` or ``responses_stream(capture=file)``, or ``None``.

    Its time zero is now (before the request is sent); the digest of
    *request* (the chat ``messages``, or the Responses ``input``) lets
    ``groqstream serve --match request`` find this answer. The capture
    format is the tools' (``tools/capture.py``): imported here, only when a
    capture is asked for, so the clients load nothing of the tools otherwise.
    """
    if capture is None:
        return None
    from ..tools.capture import CaptureWriter, messages_digest

    return CaptureWriter(capture, model=model, request=messages_digest(request))
