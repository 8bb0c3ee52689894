"""Client: call Groq (or any OpenAI-compatible endpoint) with the standard library's ``http.client``.

A driver of ``policy``: ``_ClientBase`` (in ``policy``) builds each request
from the SDK-style configuration, decides retries and maps statuses and
bodies to errors; this module only does the I/O, over kept-alive
``http.client`` connections (``http.ConnectionPool``), sleeping with
``time.sleep``. It does not parse SSE: a streaming response goes to
``Stream`` (``ResponseStream`` for the Responses API), a non-streaming one to
``ChatCompletion.from_dict`` (``Response.from_dict``). Every read
(the response head, a stream's reads, a whole or an error body) ends within
the timeout in total, however the server slices what it sends
(``adapters.read_within``). Transport failures become groqstream errors:
``APIStatusError`` (and one subclass per status), ``APIConnectionError``,
``APITimeoutError``, also when they happen between two chunks mid-stream.

The API key goes into the ``Authorization`` header and nowhere else: not into
``repr``, exception messages, logs or recorded captures. What a request may
carry (header names and values, the key, ``base_url``) is checked in
``sanitize`` before anything is sent, the same for both clients; a URL is
shown (in messages, ``repr`` and ``Response.url``) with its credentials and
secret-looking query values masked.
"""

from __future__ import annotations

import http.client
import sys
import time
import weakref
from types import TracebackType
from typing import IO, TYPE_CHECKING, Any, Iterable, List, Mapping, Optional, Tuple, Type

from ..core.lines import DEFAULT_MAX_EVENT_BYTES
from ..core.stream import DEFAULT_DRAIN_BYTES, DEFAULT_DRAIN_SECONDS, Stream
from ..types import ChatCompletion
from . import policy
from .adapters import read_within, socket_io
from .http import ConnectionPool, Response, response_headers, reusable
from .policy import DEFAULT_BASE_URL, NOT_GIVEN

if TYPE_CHECKING:
    from ..core.response_stream import ResponseStream
    from ..tools.capture import CaptureWriter

    if sys.version_info >= (3, 11):
        from typing import Unpack
    else:
        from typing_extensions import Unpack

    from ..types.responses import Response as ResponseObject
    from ..types.wire import Deviation
    from .params import ChatCompletionParams, ResponseCreateParams

__all__ = ["DEFAULT_BASE_URL", "Client"]

_connection_error = policy.connection_error  # its name before the policy module (tests import it from here)

# Errors on a connection taken from the pool that mean the server closed it while it was idle:
# the request is sent once more on a fresh connection (before any retry counts).
_STALE = (ConnectionResetError, ConnectionAbortedError, BrokenPipeError, http.client.RemoteDisconnected)


class _ResponseBody:
    """A streaming response as ``Stream``'s source: ``read1`` with errors mapped, bytes optionally recorded.

    ``Stream`` drains what is left of the body after the stream's end (it
    finds the ``http.client`` response as ``raw``, see ``client/adapters.py``). On
    ``close()`` the connection goes back to the pool when the body was read
    to its end; after an early ``break``, an error or a drain that ran out of
    bounds, it is closed.
    """

    def __init__(
        self,
        client: Client,
        request: policy.Request,
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
        self._raw_io = socket_io(response)  # its SocketIO, whose recvs read_within bounds
        self._capture = capture
        self.stream: Optional[Stream] = None
        self.response_stream: Optional[ResponseStream] = None  # the reader when this is a Responses stream

    def _chunks(self) -> int:
        if self.response_stream is not None:
            return self.response_stream.events_received
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
            unit = "chunk" if self.response_stream is None else "event"
            raise policy.connection_error(exc, self._request.url, self._chunks(), unit=unit) from exc
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


class Client(policy._ClientBase):
    """A Groq client on the standard library, with the Groq SDK's configuration and kept-alive connections.

    ``chat_stream()`` starts a streaming chat completion (a ``Stream``);
    ``chat()`` returns a whole ``ChatCompletion``. ``responses_stream()`` and
    ``responses()`` do the same for the Responses API (a ``ResponseStream``, a
    ``groqstream.types.Response``), with the same configuration, retries and errors. Connections are kept alive
    in a pool per scheme, host and port, shared safely between threads;
    ``close()`` (or leaving a ``with Client() as client:`` block) closes them.

    Args:
        api_key: the API key; default: the ``GROQ_API_KEY`` environment variable.
        base_url: the OpenAI-style API root, e.g. ``http://localhost:8000/v1``;
            requests go to ``{base_url}/chat/completions`` and ``{base_url}/responses``. Default: the
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
        self._sleep = time.sleep
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
            policy.CHAT, "chat_stream", dict(params), fields={"model": model, "messages": messages}, stream=True,
            extra_headers=extra_headers, extra_query=extra_query, extra_body=extra_body, timeout=timeout,
        )  # fmt: skip
        recorder = policy.recorder(capture, model, messages)
        connection, response, info = self._send(request)
        if not policy.is_event_stream(info.headers):
            raise self._unexpected(info, self._finish(request, connection, response, limit=policy.UNEXPECTED_BODY))
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
            policy.CHAT, "chat", dict(params), fields={"model": model, "messages": list(messages)}, stream=False,
            extra_headers=extra_headers, extra_query=extra_query, extra_body=extra_body, timeout=timeout,
        )  # fmt: skip
        connection, response, info = self._send(request)
        raw = self._finish(request, connection, response, limit=policy.MAX_COMPLETION_BODY + 1, whole=True)
        return self._completion(request, raw, info, strict=strict, deviations=deviations)

    def responses_stream(
        self,
        *,
        model: str,
        input: Any,  # noqa: A002 - the API's name for it
        capture: Optional[IO[bytes]] = None,
        strict: bool = False,
        max_event_bytes: int = DEFAULT_MAX_EVENT_BYTES,
        unicode_errors: str = "replace",
        drain_bytes: int = DEFAULT_DRAIN_BYTES,
        drain_seconds: float = DEFAULT_DRAIN_SECONDS,
        extra_headers: Optional[Mapping[str, Optional[str]]] = None,
        extra_query: Optional[Mapping[str, object]] = None,
        extra_body: Optional[Mapping[str, Any]] = None,
        timeout: Optional[float] = NOT_GIVEN,
        **params: Unpack[ResponseCreateParams],
    ) -> ResponseStream:
        """Start a streaming Responses API request (``POST {base_url}/responses``) and return its ``ResponseStream``.

        Configuration, retries (before the stream begins, never after) and errors are ``chat_stream``'s.

        Args:
            model: the model ID, e.g. ``"openai/gpt-oss-20b"``.
            input: the input, as the API takes it: a string, or a list of input items.
            capture: a binary file to record the response in, as a timed capture
                (docs/capture-format.md; its ``request`` digest is of *input*). The file is left open.
            strict, max_event_bytes, unicode_errors, drain_bytes, drain_seconds:
                the ``ResponseStream``'s options (never sent to the server).
            extra_headers, extra_query, extra_body, timeout: as for ``chat_stream``.
            **params: the request parameters (``instructions``, ``tools``,
                ``max_output_tokens``, ``reasoning``...; see ``ResponseCreateParams``).
                An unknown one raises ``TypeError``.

        Returns:
            A ``ResponseStream`` over the response (its ``response`` has the status and headers);
            use it in a ``with`` block.

        Raises:
            APIStatusError: a non-2xx response (a subclass per status).
            UnexpectedContentTypeError: a 2xx response that is not an event stream.
            APIConnectionError, APITimeoutError: the connection failed.
        """
        from ..core.response_stream import ResponseStream  # on first use: a chat client never loads it

        request = self._build(
            policy.RESPONSES, "responses_stream", dict(params), fields={"model": model, "input": input}, stream=True,
            extra_headers=extra_headers, extra_query=extra_query, extra_body=extra_body, timeout=timeout,
        )  # fmt: skip
        recorder = policy.recorder(capture, model, input)
        connection, response, info = self._send(request)
        if not policy.is_event_stream(info.headers):
            raise self._unexpected(info, self._finish(request, connection, response, limit=policy.UNEXPECTED_BODY))
        source = _ResponseBody(self, request, connection, response, recorder)
        try:
            stream = ResponseStream(
                source, strict=strict, max_event_bytes=max_event_bytes, unicode_errors=unicode_errors,
                drain_bytes=drain_bytes, drain_seconds=drain_seconds,
            )  # fmt: skip
        except BaseException:  # a bad option: the connection is not left open
            source.close()
            raise
        stream.response = info
        source.response_stream = stream
        return stream

    def responses(
        self,
        *,
        model: str,
        input: Any,  # noqa: A002 - the API's name for it
        strict: bool = False,
        deviations: Optional[List[Deviation]] = None,
        extra_headers: Optional[Mapping[str, Optional[str]]] = None,
        extra_query: Optional[Mapping[str, object]] = None,
        extra_body: Optional[Mapping[str, Any]] = None,
        timeout: Optional[float] = NOT_GIVEN,
        **params: Unpack[ResponseCreateParams],
    ) -> ResponseObject:
        """Ask for a whole response (``"stream": false``) and return it as a ``groqstream.types.Response``.

        Args:
            model, input, extra_headers, extra_query, extra_body, timeout, **params:
                as for ``responses_stream``.
            strict, deviations: as for ``chat`` (the Responses types read the same either way).

        Returns:
            The ``Response`` as the server sent it (a ``"failed"`` or ``"incomplete"`` one too: see its
            ``status``, ``error`` and ``incomplete_details``).

        Raises:
            APIStatusError, APIConnectionError, APITimeoutError: as ``responses_stream``.
            ChunkDecodeError: the body is not a JSON object, or a value has the wrong JSON type.
        """
        request = self._build(
            policy.RESPONSES, "responses", dict(params), fields={"model": model, "input": input}, stream=False,
            extra_headers=extra_headers, extra_query=extra_query, extra_body=extra_body, timeout=timeout,
        )  # fmt: skip
        connection, response, info = self._send(request)
        raw = self._finish(request, connection, response, limit=policy.MAX_COMPLETION_BODY + 1, whole=True)
        return self._response(request, raw, info, strict=strict, deviations=deviations)

    def _send(self, request: policy.Request) -> Tuple[http.client.HTTPConnection, http.client.HTTPResponse, Response]:
        """Send *request* until a 2xx response arrives, as the policy decides; raise the last error."""
        attempt = 0
        while True:
            try:
                connection, response = self._exchange(request)
            except (OSError, http.client.HTTPException) as exc:
                retry = self._after_failure(request, attempt, exc)
            else:
                info = Response(
                    response.status, response_headers(response), request.url,
                    reason_phrase=response.reason, http_version="HTTP/1.0" if response.version == 10 else "HTTP/1.1",
                )  # fmt: skip
                if 200 <= response.status < 300:
                    return connection, response, info
                body = self._finish(request, connection, response, limit=policy.MAX_ERROR_BODY)
                retry = self._after_status(request, attempt, info, body)
            self._sleep(retry.delay_or_raise())
            attempt += 1

    def _exchange(self, request: policy.Request) -> Tuple[http.client.HTTPConnection, http.client.HTTPResponse]:
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
        request: policy.Request,
        connection: http.client.HTTPConnection,
        response: http.client.HTTPResponse,
        *,
        limit: int,
        whole: bool = False,
    ) -> bytes:
        """Read at most *limit* bytes of a non-streaming body within the timeout in total, then pool or close."""
        keep = False
        try:
            # In total, as a stream's reads: one read(limit) recvs as often as the server slices the body.
            raw: bytes = read_within(socket_io(response), request.timeout, response.read, limit)
            keep = reusable(response)
        except (OSError, http.client.HTTPException) as exc:
            raw = self._unread(request, exc, whole=whole)
        finally:
            response.close()
            if keep:
                self._pool.release(request.origin, connection)
            else:
                connection.close()
        return raw

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
