"""ResponseStream and AsyncResponseStream: iterate the typed events of a Responses stream, and close it.

Thin pull wrappers around ``ResponseStreamDecoder`` and ``ResponseAccumulator``
(``core/responses.py``), with the sources, closing and draining of ``Stream``
and ``AsyncStream`` (their helpers are shared, by import, from
``core/stream.py`` and ``core/pipeline.py``). Nothing here parses.
"""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING, Any, AsyncGenerator, AsyncIterator, Iterator, List, Optional, Type

from .errors import GroqStreamError, StreamClosedError, count
from .lines import DEFAULT_MAX_EVENT_BYTES
from .pipeline import aiter_bytes, drive, reads
from .responses import ResponseAccumulator, ResponseStreamDecoder
from .stream import (
    DEFAULT_DRAIN_BYTES,
    DEFAULT_DRAIN_SECONDS,
    ERROR_BODY_BYTES,
    _adrain,
    _drain,
    _note,
    _status,
    _status_error,
    check_limits,
)

if TYPE_CHECKING:
    from ..types.responses import Response, ResponseStreamEvent
    from ..types.wire import Deviation

__all__ = ["AsyncResponseStream", "ResponseStream"]


def _error_status(source: Any) -> Optional[int]:
    """The status of an HTTP response *source* when it is 4xx/5xx, else ``None``."""
    status = _status(source)
    return status if status is not None and status >= 400 else None


class _ResponseStreamBase:
    """What ResponseStream and AsyncResponseStream share: options, decoder, accumulator, state."""

    def __init__(
        self,
        source: Any,
        *,
        max_event_bytes: int = DEFAULT_MAX_EVENT_BYTES,
        unicode_errors: str = "replace",
        strict: bool = False,
        drain_bytes: int = DEFAULT_DRAIN_BYTES,
        drain_seconds: float = DEFAULT_DRAIN_SECONDS,
    ) -> None:
        check_limits(drain_bytes, drain_seconds)
        self.source = source
        """The byte source this stream reads and closes."""
        self.response: Any = None
        """The HTTP response (status, headers, request ID) when a client started the stream."""
        self._decoder = ResponseStreamDecoder(
            max_event_bytes=max_event_bytes, unicode_errors=unicode_errors, strict=strict
        )
        # Every yielded event is merged here, so final_response() after a loop still covers the whole stream.
        self._accumulator = ResponseAccumulator(decoder=self._decoder.events)
        self._closed = False
        self._released = False
        self._finished = False
        self._read_to_end = False
        self._error: Optional[GroqStreamError] = None
        self._drain_bytes = drain_bytes
        self._drain_seconds = drain_seconds

    @property
    def events_received(self) -> int:
        """How many events have been decoded so far."""
        return self._decoder.events.events_received

    @property
    def finished(self) -> bool:
        """True once iteration reached the stream's end (its terminal event)."""
        return self._finished

    @property
    def read_to_end(self) -> bool:
        """True once the stream ended well and its source was read to its end (see ``Stream.read_to_end``)."""
        return self._read_to_end

    @property
    def deviations(self) -> List[Deviation]:
        """Every kind of deviation read so far (``RESPONSE_DEVIATION_RULES``); ``strict=True`` refuses them."""
        return self._decoder.events.deviations

    @property
    def notes(self) -> List[Deviation]:
        """Where the server's events disagreed with each other (text, a ``call_id``): never raised."""
        return self._accumulator.notes

    @property
    def last_sequence_number(self) -> Optional[int]:
        """The highest ``sequence_number`` read (``None`` when none was sent): resume with ``starting_after``."""
        return self._decoder.events.last_sequence_number

    @property
    def last_event_id(self) -> str:
        """The stream's last SSE event ID (``""`` when the server sent none)."""
        return self._decoder.sse.last_event_id

    def _closed_error(self) -> StreamClosedError:
        return StreamClosedError(
            f"this {type(self).__name__} was closed after {count(self.events_received, 'event')}; "
            "open a new one to read again"
        )

    def __repr__(self) -> str:
        if self._finished:
            state = "finished"
        elif self._error is not None:
            state = f"failed: {type(self._error).__name__}"
        else:
            state = "closed" if self._closed else "reading"
        rules = list(dict.fromkeys(d.rule for d in self.deviations))
        shown = f" deviations={rules!r}" if rules else ""
        return f"<{type(self).__name__} events_received={self.events_received} {state}{shown}>"

    def _ended(self, exc: BaseException) -> None:
        if isinstance(exc, GroqStreamError) and not isinstance(exc, StreamClosedError):
            self._error = exc
            self._partial(exc)  # whether it came out of iteration or final_response()
        elif isinstance(exc, (StopIteration, StopAsyncIteration)):
            self._finished = True

    def _partial(self, exc: GroqStreamError) -> None:
        """Attach the response so far to *exc* as ``exc.response`` (the final one after ``response.failed``)."""
        if isinstance(exc, StreamClosedError):
            return
        try:
            response: Optional[Response] = self._accumulator.response
        except GroqStreamError:  # the snapshot itself is malformed: nothing better to attach
            response = None
        exc.response = response  # type: ignore[attr-defined]  # documented in docs/responses.md

    def _result(self) -> Response:
        if self._error is not None:
            self._partial(self._error)
            raise self._error
        return self._accumulator.response

    def _drained(self, reached_end: bool) -> None:
        self._read_to_end = reached_end or not self._decoder.done


class ResponseStream(_ResponseStreamBase):
    """Iterate the typed events (``ResponseStreamEvent`` subclasses) of a streamed Responses API body.

    Iteration ends after the terminal event (``response.completed``,
    ``response.incomplete``; after ``response.failed`` or an ``error`` event it
    raises ``StreamAPIError`` once the terminal event has been yielded). The
    source is closed when iteration ends for any reason, on ``close()`` and on
    leaving a ``with`` block, as ``Stream`` does.

    Args:
        source: what ``Stream`` takes: ``bytes``, a binary file or HTTP
            response (http.client/urllib, httpx, requests), a socket, or an
            iterable of bytes-like chunks.
        max_event_bytes: longest line or event accepted (see ``SSEDecoder``).
        unicode_errors: ``"replace"`` (default) or ``"strict"``.
        strict: refuse every deviation (``RESPONSE_DEVIATION_RULES``) with a
            ``ChunkDecodeError`` naming its path instead of recording it.
        drain_bytes, drain_seconds: as for ``Stream``.

    Raises (while iterating):
        StreamAPIError: the server reported an error (``error`` event or ``response.failed``).
        ChunkDecodeError: an event is not JSON, has no ``type``, or a value has the wrong type.
        SSEProtocolError: a line or event is larger than ``max_event_bytes``.
        IncompleteStreamError: the source ended before the terminal event.
        StreamClosedError: iterating after ``close()``.
    """

    def __init__(
        self,
        source: Any,
        *,
        max_event_bytes: int = DEFAULT_MAX_EVENT_BYTES,
        unicode_errors: str = "replace",
        strict: bool = False,
        drain_bytes: int = DEFAULT_DRAIN_BYTES,
        drain_seconds: float = DEFAULT_DRAIN_SECONDS,
    ) -> None:
        super().__init__(
            source,
            max_event_bytes=max_event_bytes,
            unicode_errors=unicode_errors,
            strict=strict,
            drain_bytes=drain_bytes,
            drain_seconds=drain_seconds,
        )
        self._reads: Iterator[Any] = reads(source)
        status = _error_status(source)
        self._iterator: Iterator[ResponseStreamEvent] = (
            self._refuse(status) if status is not None else drive(self._decoder, self._reads, max_event_bytes)
        )

    def _refuse(self, status: int) -> Iterator[ResponseStreamEvent]:
        """On the first ``next()``: read the start of an error response's body and raise its status error."""
        body = bytearray()
        for data in self._reads:
            body += data
            if len(body) >= ERROR_BODY_BYTES:
                break
        raise _status_error(self.source, status, bytes(body[:ERROR_BODY_BYTES]))
        yield  # a generator: nothing is read before the first next()

    def __iter__(self) -> Iterator[ResponseStreamEvent]:
        return self

    def __next__(self) -> ResponseStreamEvent:
        if self._closed:
            raise self._closed_error()
        try:
            event = next(self._iterator)
            self._accumulator.add(event)
            return event
        except BaseException as exc:  # StopIteration, errors, KeyboardInterrupt: all release the source
            self._ended(exc)
            self._release(None if isinstance(exc, StopIteration) else exc)
            raise

    def final_response(self) -> Response:
        """Read what is left and return the final ``Response`` (events already iterated included).

        Raises:
            StreamAPIError, IncompleteStreamError, ...: as iterating does; the
                error's ``response`` holds the ``Response`` so far (after
                ``response.failed``, the final one).
            StreamClosedError: the stream was closed before its end.
        """
        if not self._finished:
            try:
                for _ in self:
                    pass
            except GroqStreamError as exc:
                self._partial(exc)
                raise
        return self._result()

    def close(self) -> None:
        """Stop reading and close the source. Iterating afterwards raises ``StreamClosedError``."""
        self._closed = True
        self._release()

    def _release(self, error: Optional[BaseException] = None) -> None:
        if self._released:
            return
        self._released = True
        self._iterator = iter(())
        if self._finished and error is None:
            self._drained(
                self._decoder.done and _drain(self.source, self._reads, self._drain_bytes, self._drain_seconds)
            )
        if self._reads is not self.source:
            close_reads = getattr(self._reads, "close", None)
            if close_reads is not None:
                close_reads()
        close = getattr(self.source, "close", None)
        if not callable(close):
            return
        if error is None:
            close()
            return
        try:
            close()
        except Exception as close_error:  # the error that ended the stream matters more
            _note(error, close_error)

    def __enter__(self) -> ResponseStream:
        return self

    def __exit__(
        self, exc_type: Optional[Type[BaseException]], exc: Optional[BaseException], tb: Optional[TracebackType]
    ) -> None:
        self.close()


class AsyncResponseStream(_ResponseStreamBase):
    """Async ``ResponseStream``: ``async for`` over events, ``async with``, ``await aclose()``.

    Args:
        source: what ``AsyncStream`` takes (an httpx or aiohttp response, an
            async iterable of bytes-like chunks, an ``asyncio.StreamReader``).
        max_event_bytes, unicode_errors, strict, drain_bytes, drain_seconds: as for ``ResponseStream``.
    """

    def __init__(
        self,
        source: Any,
        *,
        max_event_bytes: int = DEFAULT_MAX_EVENT_BYTES,
        unicode_errors: str = "replace",
        strict: bool = False,
        drain_bytes: int = DEFAULT_DRAIN_BYTES,
        drain_seconds: float = DEFAULT_DRAIN_SECONDS,
    ) -> None:
        super().__init__(
            source,
            max_event_bytes=max_event_bytes,
            unicode_errors=unicode_errors,
            strict=strict,
            drain_bytes=drain_bytes,
            drain_seconds=drain_seconds,
        )
        self._reads: AsyncGenerator[Any, None] = aiter_bytes(source)
        status = _error_status(source)
        self._iterator: AsyncGenerator[ResponseStreamEvent, None] = (
            self._refuse(status) if status is not None else self._events()
        )

    async def _events(self) -> AsyncGenerator[ResponseStreamEvent, None]:
        decoder = self._decoder
        async for data in self._reads:
            for event in decoder.feed(data):
                yield event
            if decoder.done:
                break
        for event in decoder.flush():
            yield event

    async def _refuse(self, status: int) -> AsyncGenerator[ResponseStreamEvent, None]:
        body = bytearray()
        async for data in self._reads:
            body += data
            if len(body) >= ERROR_BODY_BYTES:
                break
        raise _status_error(self.source, status, bytes(body[:ERROR_BODY_BYTES]))
        yield  # an async generator: nothing is read before the first __anext__()

    def __aiter__(self) -> AsyncIterator[ResponseStreamEvent]:
        return self

    async def __anext__(self) -> ResponseStreamEvent:
        if self._closed:
            raise self._closed_error()
        try:
            event = await self._iterator.__anext__()
            self._accumulator.add(event)
            return event
        except BaseException as exc:  # StopAsyncIteration, errors, cancellation: all release the source
            self._ended(exc)
            await self._release(None if isinstance(exc, StopAsyncIteration) else exc)
            raise

    async def final_response(self) -> Response:
        """Read what is left and return the final ``Response`` (see ``ResponseStream.final_response``)."""
        if not self._finished:
            try:
                async for _ in self:
                    pass
            except GroqStreamError as exc:
                self._partial(exc)
                raise
        return self._result()

    async def aclose(self) -> None:
        """Stop reading and close the source. Iterating afterwards raises ``StreamClosedError``."""
        self._closed = True
        await self._release()

    async def _release(self, error: Optional[BaseException] = None) -> None:
        if self._released:
            return
        self._released = True
        import asyncio

        await asyncio.shield(self._close(error))  # a cancellation must not leave the source half closed

    async def _close(self, error: Optional[BaseException]) -> None:
        await self._iterator.aclose()
        if self._finished and error is None:
            self._drained(
                self._decoder.done and await _adrain(self.source, self._reads, self._drain_bytes, self._drain_seconds)
            )
        await self._reads.aclose()
        close = getattr(self.source, "aclose", None) or getattr(self.source, "close", None)
        if not callable(close):
            return
        try:
            result = close()
            if hasattr(result, "__await__"):
                await result
        except Exception as close_error:
            if error is None:
                raise
            _note(error, close_error)

    async def __aenter__(self) -> AsyncResponseStream:
        return self

    async def __aexit__(
        self, exc_type: Optional[Type[BaseException]], exc: Optional[BaseException], tb: Optional[TracebackType]
    ) -> None:
        await self.aclose()
