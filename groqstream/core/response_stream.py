"""ResponseStream and AsyncResponseStream: iterate the typed events of a Responses stream, and close it.

The Responses format on the shared stream classes of ``core/stream.py``:
``_StreamBase`` decides everything (the source's decoder, the refusal of an
HTTP error response, the end and drain bookkeeping, closing) and
``_SyncStream``/``_AsyncStream`` hold the I/O, for chat and Responses alike.
``_ResponseStreamBase`` brings only what differs: a ``ResponseStreamDecoder``
and a ``ResponseAccumulator`` (``core/responses.py``), the options,
``final_response()``'s result, ``error.response``, ``notes`` and
``last_sequence_number``. Nothing here parses.
"""

from __future__ import annotations

from .errors import APIStatusError, GroqStreamError, StreamClosedError
from .lines import DEFAULT_MAX_EVENT_BYTES
from .responses import ResponseAccumulator, ResponseStreamDecoder
from .stream import DEFAULT_DRAIN_BYTES, DEFAULT_DRAIN_SECONDS, _AsyncStream, _StreamBase, _SyncStream

TYPE_CHECKING = False  # as typing's, without importing typing at run time: see docs/architecture.md
if TYPE_CHECKING:
    from typing import Any, List, Optional

    from ..types.responses import Response, ResponseStreamEvent
    from ..types.wire import Deviation

__all__ = ["AsyncResponseStream", "ResponseStream"]


class _ResponseStreamBase(_StreamBase):
    """The Responses format: a ``ResponseStreamDecoder``, a ``ResponseAccumulator``, ``final_response()``'s rules."""

    _OPTIONS = ("max_event_bytes", "unicode_errors", "strict", "drain_bytes", "drain_seconds")
    _ITEM = "event"
    _decoder: ResponseStreamDecoder
    _accumulator: ResponseAccumulator

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
        decoder = ResponseStreamDecoder(max_event_bytes=max_event_bytes, unicode_errors=unicode_errors, strict=strict)
        # Always accumulating: the accumulator is also where item-level deviations are found.
        self._start(source, decoder, ResponseAccumulator(decoder=decoder.events), drain_bytes, drain_seconds)

    @property
    def events_received(self) -> int:
        """How many events have been decoded so far."""
        return self._decoder.events.events_received

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

    def _ended(self, exc: BaseException) -> Optional[BaseException]:
        # Unlike chat's error.completion, error.response is attached whether the error came out of
        # iteration or out of final_response(): after response.failed it is the final Response.
        error = super()._ended(exc)
        if isinstance(exc, GroqStreamError):
            self._partial(exc)
        return error

    def _partial(self, exc: GroqStreamError) -> None:
        """Attach the response so far to *exc* as ``exc.response`` (the final one after ``response.failed``).

        Not to ``StreamClosedError``, and not to an HTTP status error, whose
        ``response`` is the HTTP response (the stream never began).
        """
        if isinstance(exc, (StreamClosedError, APIStatusError)):
            return
        try:
            response: Optional[Response] = self._accumulator.response
        except GroqStreamError:  # the snapshot itself is malformed: nothing better to attach
            response = None
        exc.response = response  # type: ignore[attr-defined]  # documented in docs/responses.md

    def _final(self) -> Response:
        return self._accumulator.response


class ResponseStream(_SyncStream, _ResponseStreamBase):
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
        APIStatusError: the source is an HTTP response with a 4xx/5xx status.
        StreamClosedError: iterating after ``close()``.
    """

    if TYPE_CHECKING:  # the shared I/O is typed Any; these give type checkers this format's types

        def __next__(self) -> ResponseStreamEvent: ...

    def final_response(self) -> Response:
        """Read what is left and return the final ``Response`` (events already iterated included).

        Raises:
            StreamAPIError, IncompleteStreamError, ...: as iterating does; the
                error's ``response`` holds the ``Response`` so far (after
                ``response.failed``, the final one).
            StreamClosedError: the stream was closed before its end.
        """
        response: Response = self._read_all()
        return response


class AsyncResponseStream(_AsyncStream, _ResponseStreamBase):
    """Async ``ResponseStream``: ``async for`` over events, ``async with``, ``await aclose()``.

    Args:
        source: what ``AsyncStream`` takes (an httpx or aiohttp response, an
            async iterable of bytes-like chunks, an ``asyncio.StreamReader``).
        max_event_bytes, unicode_errors, strict, drain_bytes, drain_seconds: as for ``ResponseStream``.
    """

    if TYPE_CHECKING:  # as in ResponseStream

        async def __anext__(self) -> ResponseStreamEvent: ...

    async def final_response(self) -> Response:
        """Read what is left and return the final ``Response`` (see ``ResponseStream.final_response``)."""
        response: Response = await self._read_all()
        return response
