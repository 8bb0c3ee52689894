"""AsyncClient: ``Client`` for asyncio, on the standard library's asyncio streams.

The configuration, requests and retry policy are ``_ClientBase``'s; this
module sends them with ``_asyncio_http`` and keeps idle connections per
client (they belong to the event loop that opened them). See
``_asyncio_http`` for why asyncio streams rather than a thread bridge.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import sys
import weakref
from types import TracebackType
from typing import IO, TYPE_CHECKING, Any, Dict, Iterable, List, Mapping, Optional, Tuple, Type

from ..core.errors import APIConnectionError, GroqStreamError
from ..core.lines import DEFAULT_MAX_EVENT_BYTES
from ..core.stream import DEFAULT_DRAIN_BYTES, DEFAULT_DRAIN_SECONDS, AsyncStream
from ..core.timeout import within
from ..tools.capture import CaptureWriter, messages_digest
from ..types import ChatCompletion
from .asyncio_http import AsyncConnection, AsyncResponse, connect
from .http import MAX_IDLE_PER_ORIGIN, Origin, Response
from .sync_client import (
    _MAX_COMPLETION_BODY,
    _MAX_ERROR_BODY,
    _STALE,
    _UNEXPECTED_BODY,
    NOT_GIVEN,
    _ClientBase,
    _connection_error,
    _is_event_stream,
    _Request,
)

if TYPE_CHECKING:
    if sys.version_info >= (3, 11):
        from typing import Unpack
    else:
        from typing_extensions import Unpack

    from ..types.wire import Deviation
    from .params import ChatCompletionParams

__all__ = ["AsyncClient"]


def _failure(exc: BaseException, url: str, chunks_received: Optional[int] = None) -> APIConnectionError:
    """``_connection_error`` for asyncio's failures (its TimeoutError is not socket's before Python 3.11)."""
    if isinstance(exc, asyncio.TimeoutError):
        exc = socket.timeout(str(exc) or "timed out")
    return _connection_error(exc, url, chunks_received)


class _AsyncResponseBody:
    """A streaming response as ``AsyncStream``'s source (``read``, ``aclose``); see ``_ResponseBody``."""

    def __init__(
        self, client: AsyncClient, request: _Request, response: AsyncResponse, capture: Optional[CaptureWriter]
    ) -> None:
        self._client = client
        self._request = request
        self._response = response
        self._capture = capture
        self.stream: Optional[AsyncStream] = None

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


class AsyncClient(_ClientBase):
    """``Client`` for asyncio: ``await client.chat_stream(...)`` gives an ``AsyncStream``, ``await client.chat(...)``
    a ``ChatCompletion``. The standard library only (HTTP/1.1 on asyncio streams, see docs/transports.md).

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
            "chat_stream", dict(params), model=model, messages=messages, stream=True,
            extra_headers=extra_headers, extra_query=extra_query, extra_body=extra_body, timeout=timeout,
        )  # fmt: skip
        recorder = (  # as Client's: the digest lets `groqstream serve --match request` find this answer
            CaptureWriter(capture, model=model, request=messages_digest(messages)) if capture is not None else None
        )
        response, info = await self._send(request)
        if not _is_event_stream(info.headers):
            start = await self._finish(request, response, limit=_UNEXPECTED_BODY)
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
            "chat", dict(params), model=model, messages=messages, stream=False,
            extra_headers=extra_headers, extra_query=extra_query, extra_body=extra_body, timeout=timeout,
        )  # fmt: skip
        response, info = await self._send(request)
        raw = await self._finish(request, response, limit=_MAX_COMPLETION_BODY, whole=True)
        return self._decode_completion(raw, info, strict=strict, deviations=deviations)

    async def _send(self, request: _Request) -> Tuple[AsyncResponse, Response]:
        attempt = 0
        while True:
            error: GroqStreamError
            try:
                response = await self._exchange(request)
            except (OSError, asyncio.TimeoutError) as exc:
                error = _failure(exc, request.url)
                error.__cause__ = exc
                delay = self._retry_delay(attempt, None)
            else:
                info = Response(
                    response.status, response.headers, request.url,
                    reason_phrase=response.reason, http_version=response.version,
                )  # fmt: skip
                if 200 <= response.status < 300:
                    return response, info
                raw = await self._finish(request, response, limit=_MAX_ERROR_BODY)
                error = self._error_for(request, info, raw)
                delay = self._retry_delay(attempt, info.headers, info.status_code)
            if delay is None:
                raise error
            await self._sleep(delay)
            attempt += 1

    async def _exchange(self, request: _Request) -> AsyncResponse:
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

    async def _connection(self, request: _Request, *, fresh: bool) -> Tuple[AsyncConnection, bool]:
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

    async def _finish(self, request: _Request, response: AsyncResponse, *, limit: int, whole: bool = False) -> bytes:
        """Read a non-streaming body (at most *limit* bytes), then pool or close the connection."""
        keep = False
        try:
            if whole:
                raw: bytes = await within(response.read_all(limit), request.timeout)
            else:
                raw = await within(response.read(limit), request.timeout)
            keep = response.reusable
            return raw
        except (OSError, asyncio.TimeoutError) as exc:
            if whole:
                raise _failure(exc, request.url, 0) from exc
            return b""
        finally:
            if keep:
                self._release(response.connection)
            else:
                response.connection.abort()

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
