"""AsyncClient: ``Client`` for asyncio, on the standard library's asyncio streams.

A driver of ``policy``, as ``Client`` is: the configuration, requests, retry
decisions and errors are ``_ClientBase``'s; this module sends the requests
with ``asyncio_http``, sleeps with ``asyncio.sleep``, and keeps idle
connections per client (they belong to the event loop that opened them).
Every read is an ``await`` given the timeout (``within``). See
``asyncio_http`` for why asyncio streams rather than a thread bridge.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import sys
import weakref
from types import TracebackType
from typing import IO, TYPE_CHECKING, Any, Dict, Iterable, List, Mapping, Optional, Tuple, Type

from ..core.errors import APIConnectionError
from ..core.lines import DEFAULT_MAX_EVENT_BYTES
from ..core.stream import DEFAULT_DRAIN_BYTES, DEFAULT_DRAIN_SECONDS, AsyncStream
from ..core.timeout import within
from ..types import ChatCompletion
from . import policy
from .asyncio_http import AsyncConnection, AsyncResponse, connect
from .http import MAX_IDLE_PER_ORIGIN, Origin, Response
from .policy import NOT_GIVEN
from .sync_client import _STALE

if TYPE_CHECKING:
    from ..core.response_stream import AsyncResponseStream
    from ..tools.capture import CaptureWriter

    if sys.version_info >= (3, 11):
        from typing import Unpack
    else:
        from typing_extensions import Unpack

    from ..types.responses import Response as ResponseObject
    from ..types.wire import Deviation
    from .params import ChatCompletionParams, ResponseCreateParams

__all__ = ["AsyncClient"]


def _as_socket_error(exc: BaseException) -> BaseException:
    """asyncio's TimeoutError as socket's (they are different classes before Python 3.11), for the policy."""
    return socket.timeout(str(exc) or "timed out") if isinstance(exc, asyncio.TimeoutError) else exc


def _failure(
    exc: BaseException, url: str, chunks_received: Optional[int] = None, *, unit: str = "chunk"
) -> APIConnectionError:
    """``policy.connection_error`` for asyncio's failures."""
    return policy.connection_error(_as_socket_error(exc), url, chunks_received, unit=unit)


class _AsyncResponseBody:
    """A streaming response as ``AsyncStream``'s source (``read``, ``aclose``); see ``_ResponseBody``."""

    def __init__(
        self, client: AsyncClient, request: policy.Request, response: AsyncResponse, capture: Optional[CaptureWriter]
    ) -> None:
        self._client = client
        self._request = request
        self._response = response
        self._capture = capture
        self.stream: Optional[AsyncStream] = None
        self.response_stream: Optional[AsyncResponseStream] = None  # the reader when this is a Responses stream

    def __aiter__(self) -> _AsyncResponseBody:  # AsyncStream takes async iterables; it reads with read()
        return self

    async def __anext__(self) -> bytes:
        data = await self.read(65536)
        if not data:
            raise StopAsyncIteration
        return data

    async def read(self, size: int) -> bytes:
        try:
            data: bytes = await within(self._response.read(size), self._request.timeout)
        except (OSError, asyncio.TimeoutError) as exc:
            if self.response_stream is not None:
                events = self.response_stream.events_received
                raise _failure(exc, self._request.url, events, unit="event") from exc
            chunks = self.stream.chunks_received if self.stream is not None else 0
            raise _failure(exc, self._request.url, chunks) from exc
        if self._capture is not None and data:
            self._capture.write(data)
        return data

    async def aclose(self) -> None:
        connection = self._response.connection
        keep = False
        try:
            keep = self._response.reusable  # AsyncStream drained the body after the stream's end
            if self._capture is not None:
                self._capture.close()
        finally:
            if keep:
                self._client._release(connection)
            else:
                connection.abort()


def _abort_all(idle: Dict[Origin, List[AsyncConnection]]) -> None:
    for connection in [connection for connections in idle.values() for connection in connections]:
        with contextlib.suppress(RuntimeError):  # its loop is closed: nothing can be sent on it anyway
            connection.abort()
    idle.clear()


class AsyncClient(policy._ClientBase):
    """``Client`` for asyncio: ``await client.chat_stream(...)`` gives an ``AsyncStream``, ``await client.chat(...)``
    a ``ChatCompletion``; ``await client.responses_stream(...)`` an ``AsyncResponseStream``, ``await
    client.responses(...)`` a ``groqstream.types.Response``. The standard library only (HTTP/1.1 on asyncio
    streams, see docs/transports.md).

    Same arguments and behaviour as ``Client``. Connections are kept alive per
    event loop; cancelling a task at any ``await`` closes its connection.
    ``await client.aclose()`` (or ``async with AsyncClient() as client:``)
    closes the idle ones.
    """

    def _init_transport(self) -> None:
        self._idle: Dict[Origin, List[AsyncConnection]] = {}
        self._sleep = asyncio.sleep
        # A client dropped without aclose() still closes its idle connections, while their loop runs.
        weakref.finalize(self, _abort_all, self._idle)

    async def chat_stream(
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
    ) -> AsyncStream:
        """Start a streaming chat completion and return its ``AsyncStream`` (arguments as ``Client.chat_stream``)."""
        messages = list(messages)  # read once: it goes into the body and into the capture's digest
        request = self._build(
            policy.CHAT, "chat_stream", dict(params), fields={"model": model, "messages": messages}, stream=True,
            extra_headers=extra_headers, extra_query=extra_query, extra_body=extra_body, timeout=timeout,
        )  # fmt: skip
        recorder = policy.recorder(capture, model, messages)
        response, info = await self._send(request)
        if not policy.is_event_stream(info.headers):
            start = await self._finish(request, response, limit=policy.UNEXPECTED_BODY)
            raise self._unexpected(info, start)
        source = _AsyncResponseBody(self, request, response, recorder)
        try:
            stream = AsyncStream(
                source, require_done=require_done, strict=strict, max_event_bytes=max_event_bytes,
                unicode_errors=unicode_errors, accumulate=accumulate, drain_bytes=drain_bytes,
                drain_seconds=drain_seconds,
            )  # fmt: skip
        except BaseException:  # a bad option: the connection is not left open
            response.connection.abort()
            raise
        stream.response = info
        source.stream = stream
        return stream

    async def chat(
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
        """Ask for a whole chat completion and return it, typed (arguments as ``Client.chat``)."""
        request = self._build(
            policy.CHAT, "chat", dict(params), fields={"model": model, "messages": list(messages)}, stream=False,
            extra_headers=extra_headers, extra_query=extra_query, extra_body=extra_body, timeout=timeout,
        )  # fmt: skip
        response, info = await self._send(request)
        raw = await self._finish(request, response, limit=policy.MAX_COMPLETION_BODY + 1, whole=True)
        return self._completion(request, raw, info, strict=strict, deviations=deviations)

    async def responses_stream(
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
    ) -> AsyncResponseStream:
        """Start a streaming Responses API request and return its ``AsyncResponseStream``
        (arguments as ``Client.responses_stream``)."""
        from ..core.response_stream import AsyncResponseStream  # on first use: a chat client never loads it

        request = self._build(
            policy.RESPONSES, "responses_stream", dict(params), fields={"model": model, "input": input}, stream=True,
            extra_headers=extra_headers, extra_query=extra_query, extra_body=extra_body, timeout=timeout,
        )  # fmt: skip
        recorder = policy.recorder(capture, model, input)
        response, info = await self._send(request)
        if not policy.is_event_stream(info.headers):
            start = await self._finish(request, response, limit=policy.UNEXPECTED_BODY)
            raise self._unexpected(info, start)
        source = _AsyncResponseBody(self, request, response, recorder)
        try:
            stream = AsyncResponseStream(
                source, strict=strict, max_event_bytes=max_event_bytes, unicode_errors=unicode_errors,
                drain_bytes=drain_bytes, drain_seconds=drain_seconds,
            )  # fmt: skip
        except BaseException:  # a bad option: the connection is not left open
            response.connection.abort()
            raise
        stream.response = info
        source.response_stream = stream
        return stream

    async def responses(
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
        """Ask for a whole response and return it, typed (arguments as ``Client.responses``)."""
        request = self._build(
            policy.RESPONSES, "responses", dict(params), fields={"model": model, "input": input}, stream=False,
            extra_headers=extra_headers, extra_query=extra_query, extra_body=extra_body, timeout=timeout,
        )  # fmt: skip
        response, info = await self._send(request)
        raw = await self._finish(request, response, limit=policy.MAX_COMPLETION_BODY + 1, whole=True)
        return self._response(request, raw, info, strict=strict, deviations=deviations)

    async def _send(self, request: policy.Request) -> Tuple[AsyncResponse, Response]:
        """Send *request* until a 2xx response arrives, as the policy decides; raise the last error."""
        attempt = 0
        while True:
            try:
                response = await self._exchange(request)
            except (OSError, asyncio.TimeoutError) as exc:
                retry = self._after_failure(request, attempt, _as_socket_error(exc))
            else:
                info = Response(
                    response.status, response.headers, request.url,
                    reason_phrase=response.reason, http_version=response.version,
                )  # fmt: skip
                if 200 <= response.status < 300:
                    return response, info
                body = await self._finish(request, response, limit=policy.MAX_ERROR_BODY)
                retry = self._after_status(request, attempt, info, body)
            await self._sleep(retry.delay_or_raise())
            attempt += 1

    async def _exchange(self, request: policy.Request) -> AsyncResponse:
        connection, reused = await self._connection(request, fresh=False)
        while True:
            try:
                return await connection.request("POST", request.target, request.headers, request.body, request.timeout)
            except _STALE:
                connection.abort()
                if not reused:
                    raise
                connection, reused = await self._connection(request, fresh=True)
            except BaseException:  # a timeout, a cancellation...: this connection's state is unknown
                connection.abort()
                raise

    async def _connection(self, request: policy.Request, *, fresh: bool) -> Tuple[AsyncConnection, bool]:
        idle = self._idle.get(request.origin)
        while idle and not fresh:
            connection = idle.pop()
            if connection.is_dropped():
                if connection.loop is asyncio.get_running_loop():
                    connection.abort()
                continue
            return connection, True
        return await connect(request.origin, self._ssl_context, request.timeout), False

    def _release(self, connection: AsyncConnection) -> None:
        idle = self._idle.setdefault(connection.origin, [])
        if self._closed or len(idle) >= MAX_IDLE_PER_ORIGIN:
            connection.abort()
        else:
            idle.append(connection)

    async def _finish(
        self, request: policy.Request, response: AsyncResponse, *, limit: int, whole: bool = False
    ) -> bytes:
        """Read at most *limit* bytes of a non-streaming body within the timeout in total, then pool or close."""
        keep = False
        try:
            read = response.read_all(limit) if whole else response.read(limit)
            raw: bytes = await within(read, request.timeout)
            keep = response.reusable
        except (OSError, asyncio.TimeoutError) as exc:
            raw = self._unread(request, _as_socket_error(exc), whole=whole)
        finally:
            if keep:
                self._release(response.connection)
            else:
                response.connection.abort()
        return raw

    async def aclose(self) -> None:
        """Close the kept-alive connections; streams still open keep theirs until they end. Later requests raise."""
        self._closed = True
        _abort_all(self._idle)

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(
        self, exc_type: Optional[Type[BaseException]], exc: Optional[BaseException], tb: Optional[TracebackType]
    ) -> None:
        await self.aclose()
