"""Stream and AsyncStream: iterate typed chunks from a byte source, and close it.

These are thin pull wrappers around ``ChunkStreamDecoder``: they add
iteration, context management and closing, and nothing that parses.

Every decision is made once, in ``_StreamBase``, for every wire format
(chat here; the Responses API's ``ResponseStream`` in
``core/response_stream.py`` is built from the same classes): which decoder
reads the source (the format's, or ``_ErrorResponse`` for an HTTP error
response), what an item taken and an ending do to the state, whether the
end is drained, what a failed close does to the error that ended the
stream, when the final result is read on for. The classes are layered so
that each holds one kind of knowledge::

    _StreamBase                 the decisions (format- and I/O-neutral)
    ├── _SyncStream             sync I/O: drive over reads, next, close
    ├── _AsyncStream            async I/O: adrive over aiter_bytes, await, aclose
    ├── _ChatStream             chat: its options, decoder, accumulator, final_completion's rules
    └── _ResponseStreamBase     Responses (core/response_stream.py): the same for final_response
    Stream(_SyncStream, _ChatStream)          AsyncStream(_AsyncStream, _ChatStream)
    ResponseStream(_SyncStream, _Resp...)     AsyncResponseStream(_AsyncStream, _Resp...)

The public classes hold only their public result methods
(``final_completion``/``text``, ``final_response``).
"""

from __future__ import annotations

from types import TracebackType

from ..types.completion import attach_response
from .accumulate import ChatCompletionAccumulator
from .errors import GroqStreamError, StreamClosedError, count, status_error
from .lines import DEFAULT_MAX_EVENT_BYTES
from .pipeline import AsyncByteSource, ByteSource, ChunkStreamDecoder, adrive, aiter_bytes, drive, reads

TYPE_CHECKING = False  # as typing's, without importing typing at run time: see docs/architecture.md
if TYPE_CHECKING:
    from typing import Any, AsyncGenerator, AsyncIterator, Iterator, List, Optional, Tuple, Type, TypeVar

    from ..client.http import Response
    from ..types import ChatCompletion, ChatCompletionChunk
    from ..types.wire import Deviation

    _S = TypeVar("_S", bound="_StreamBase")
    _SourceDecoder = Any  # what _open drives: a format's decoder (ChunkStreamDecoder...) or _ErrorResponse

__all__ = ["AsyncStream", "Stream"]

# How much of an HTTP error response's body is read for its message: any JSON error fits, a hostile body
# (an endless one) is cut there.
ERROR_BODY_BYTES = 65536

# Normally only the chunked body's last five bytes are left, already arrived or
# about to: these bounds cost nothing then, and little when a server sends more
# after [DONE] or holds the body open.
DEFAULT_DRAIN_BYTES = 64 * 1024
DEFAULT_DRAIN_SECONDS = 0.05


def check_limits(drain_bytes: int, drain_seconds: float) -> None:
    """Raise ``ValueError`` for a negative bound (0 is allowed: ``drain_seconds=0`` turns draining off)."""
    if drain_bytes < 0:
        raise ValueError(f"drain_bytes must be >= 0, got {drain_bytes!r}")
    if not drain_seconds >= 0:  # NaN too
        raise ValueError(f"drain_seconds must be >= 0, got {drain_seconds!r}")


def _status(source: Any) -> Optional[int]:
    """The HTTP status of *source* when it is a response, else ``None``.

    httpx and requests name it ``status_code``; ``http.client``, urllib (an
    ``HTTPError`` too), urllib3 and aiohttp name it ``status``. Only an
    ``int`` counts, so no other object is taken for a response.
    """
    status = getattr(source, "status_code", None)
    if status is None:
        status = getattr(source, "status", None)
    return status if type(status) is int else None


def _drain(source: Any, reads: Iterator[Any], drain_bytes: int, drain_seconds: float) -> bool:
    """Read what is left of an HTTP response's body after ``[DONE]``, bounded; True when its end was reached.

    A sync read can only be bounded through the response's socket, reached
    under each library's objects: that is transport knowledge, kept in the
    one module that has it (``client/adapters.py``), imported only for an HTTP
    response that ended well. A file, bytes or an iterable is not drained, and
    a core vendored without ``client/`` closes the response instead (its
    connection is then not reused).
    """
    if _status(source) is None:
        return False
    try:
        from ..client.adapters import drain
    except ImportError:
        return False
    return drain(source, reads, drain_bytes, drain_seconds)


async def _adrain(source: Any, reads: AsyncIterator[Any], drain_bytes: int, drain_seconds: float) -> bool:
    """Async ``drain``: read on from *reads* until they end, each read given the time left; True at the end."""
    import asyncio

    from .timeout import within

    if isinstance(source, asyncio.StreamReader):  # a raw connection: nothing to reuse
        return False
    loop = asyncio.get_running_loop()
    deadline = loop.time() + drain_seconds
    total = 0
    try:
        while total <= drain_bytes:
            left = deadline - loop.time()
            if left <= 0:
                break
            total += len(await within(reads.__anext__(), left))
    except StopAsyncIteration:
        return True
    except Exception:  # a timeout (the read was cancelled) or a broken body: the library drops the connection
        pass
    return False


def _status_error(source: Any, status: int, body: bytes) -> GroqStreamError:
    """The ``APIStatusError`` (per-status subclass) for an error response, as ``Client`` raises it."""
    headers = getattr(source, "headers", None)
    items = headers.items() if headers is not None and hasattr(headers, "items") else ()
    return status_error(status, {str(name).lower(): str(value) for name, value in items}, body)


class _ErrorResponse:
    """The decoder of an HTTP error response given as a stream: its body is the error's text, not events.

    The push-object verbs of ``ChunkStreamDecoder``, so that ``Stream`` and
    ``AsyncStream`` run it with their one loop and nothing is read before
    the first ``next()``: ``feed`` keeps the start of the body (``done`` once
    ``ERROR_BODY_BYTES`` are in, so an endless body is read no further),
    ``flush`` raises the response's status error.
    """

    def __init__(self, source: Any, status: int) -> None:
        self._source = source
        self._status = status
        self._body = bytearray()

    @property
    def done(self) -> bool:
        """True once enough of the body is kept for any JSON error's message."""
        return len(self._body) >= ERROR_BODY_BYTES

    def feed(self, data: bytes) -> List[Any]:
        """Keep more of the body; never an item."""
        self._body += data
        return []

    def flush(self) -> List[Any]:
        """Raise the ``APIStatusError`` of the response, its message from the body's start."""
        raise _status_error(self._source, self._status, bytes(self._body[:ERROR_BODY_BYTES]))


def _closing_failed(error: Optional[BaseException], close_error: Exception) -> None:
    """Closing the source raised *close_error*: it is the news when nothing else went wrong, else a note on *error*."""
    if error is None:
        raise close_error
    _note(error, close_error)  # the error that ended the stream matters more


def _note(error: BaseException, close_error: BaseException) -> None:
    """Record on *error* that closing the source failed too (shown by tracebacks on Python 3.11+)."""
    message = f"groqstream: closing the source also failed: {close_error!r}"
    if hasattr(error, "add_note"):
        error.add_note(message)
    else:  # Python < 3.11: the same attribute, by hand
        error.__notes__ = [*getattr(error, "__notes__", []), message]


class _InitSignature:
    """``Stream.__signature__``: the options of ``__init__``, so ``help()`` and IDEs show them, not ``__new__``'s.

    ``inspect.signature`` reads a class's ``__new__`` before its ``__init__``;
    the ``__new__`` below takes ``*args, **options`` only to name a misspelt
    option. ``inspect`` is imported only when someone asks for the signature.
    """

    def __get__(self, instance: object, owner: type) -> Any:
        import inspect

        init = inspect.signature(owner.__init__)  # type: ignore[misc]
        return init.replace(parameters=list(init.parameters.values())[1:])  # without self


class _StreamBase:
    """What every stream shares, whatever its format: options, the decoder, counters, and every decision.

    A format (``_ChatStream`` here, ``_ResponseStreamBase`` in
    ``core/response_stream.py``) brings its decoder and accumulator, its
    options and what a result and a partial result are; the I/O classes
    (``_SyncStream``, ``_AsyncStream``) call these with their own I/O:
    ``_open`` picks the decoder a source gets, ``_ended`` records how
    iteration ended, ``_drain_wanted`` decides whether the end is drained,
    ``_more_to_read``, ``_partial`` and ``_result`` make the final result.
    """

    __signature__ = _InitSignature()

    _OPTIONS: Tuple[str, ...] = ()
    """The keyword options of the format's ``__init__``, to name a misspelt one."""
    _ITEM = "chunk"
    """What the stream yields, in messages and ``repr`` (``chunk``, ``event``)."""

    source: Any
    response: Optional[Response]
    _decoder: Any  # the format's bytes-in decoder: .sse, .done, feed/flush
    _accumulator: Any  # the format's accumulator (.add), None when not accumulating

    def __new__(cls: Type[_S], *args: Any, **options: Any) -> _S:
        # A misspelt option would otherwise be reported by the shared __init__, under a private class's
        # name ("_ChatStream.__init__() got an unexpected keyword argument"): name the public class and
        # suggest the option meant, as Client does for request parameters.
        for name in options:
            if name not in cls._OPTIONS:
                import difflib  # only on this error path

                close = difflib.get_close_matches(name, cls._OPTIONS, n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                raise TypeError(f"{cls.__name__}() got an unexpected keyword argument {name!r}{hint}")
        if len(args) > 1:
            raise TypeError(f"{cls.__name__}() takes one positional argument, the source: its options are keywords")
        return super().__new__(cls)

    def _start(self, source: Any, decoder: Any, accumulator: Any, drain_bytes: int, drain_seconds: float) -> None:
        """The format's ``__init__`` ends here: check the bounds, set the state, and open the source."""
        check_limits(drain_bytes, drain_seconds)
        self.source = source
        """The byte source this stream reads and closes."""
        self.response = None
        """The HTTP response (status, headers, request ID) when ``Client``/``AsyncClient`` started the stream."""
        self._decoder = decoder
        # Every yielded item is merged here, so the final result after a loop still covers the whole stream.
        self._accumulator = accumulator
        self._closed = False  # closed explicitly: iterating raises
        self._released = False  # the source has been closed
        self._finished = False  # iteration reached the end of the stream
        self._read_to_end = False  # the source's reads ended (at the end of input, or drained after the end)
        self._error: Optional[GroqStreamError] = None  # the error that ended iteration
        self._drain_bytes = drain_bytes
        self._drain_seconds = drain_seconds
        self._iterator = self._open()

    def _open(self) -> Any:
        """Start the reads of ``self.source`` (kept in ``_reads``, to drain) and what decodes them.

        An HTTP response with an error status is not read as a stream: its
        body is the error's text (``_ErrorResponse``), raised at the first ``next()``.
        """
        self._reads = self._reads_of(self.source)
        status = _status(self.source)
        if status is not None and status >= 400:
            return self._drive(_ErrorResponse(self.source, status), ERROR_BODY_BYTES)
        return self._drive(self._decoder, self._decoder.sse.max_event_bytes)

    def _reads_of(self, source: Any) -> Any:
        """The reads of *source*, as they arrive (``reads`` or ``aiter_bytes``)."""
        raise NotImplementedError

    def _drive(self, decoder: Any, limit: int) -> Any:
        """Feed ``_reads`` to *decoder* and iterate what it completes (``drive`` or ``adrive``)."""
        raise NotImplementedError

    def _received(self) -> int:
        """How many items have been yielded so far: the format's public counter, named after ``_ITEM``
        (``chunks_received``, ``events_received``), so each format states it once."""
        received: int = getattr(self, f"{self._ITEM}s_received")
        return received

    @property
    def finished(self) -> bool:
        """True once iteration reached the stream's end (``[DONE]``, a terminal event, or a complete end)."""
        return self._finished

    @property
    def read_to_end(self) -> bool:
        """True once the stream ended well and its source was read to its end (or what followed the end drained).

        An HTTP connection can carry the next request only then: with a bare
        ``http.client`` connection, ``close()`` it when this is false (the next
        ``request()`` opens a new one). Pooling libraries check this themselves.
        """
        return self._read_to_end

    def _drain_wanted(self, error: Optional[BaseException]) -> bool:
        """Whether the source is drained as it is released (*error*: what ended the stream, if anything)."""
        if not self._finished or error is not None:
            return False  # stopped early or failed: closed unread, and the library drops the connection
        if not self._decoder.done:
            self._read_to_end = True  # finished without its end marker: the input ended, nothing is left to drain
            return False
        return self._drain_seconds > 0  # drain_seconds=0 turns draining off

    @property
    def deviations(self) -> List[Deviation]:
        """Every kind of departure from the schema the stream has read so far (empty for a clean stream).

        Each ``Deviation`` names its rule, its path and the first event that
        showed it, and counts how often it happened; ``strict=True`` refuses
        them instead. See docs/compatibility.md and docs/responses.md.
        """
        raise NotImplementedError

    def _has_deviations(self) -> bool:
        return bool(self.deviations)

    @property
    def last_event_id(self) -> str:
        """The stream's last event ID (``""`` when the server sent none)."""
        return str(self._decoder.sse.last_event_id)

    def _closed_error(self) -> StreamClosedError:
        return StreamClosedError(
            f"this {type(self).__name__} was closed after {count(self._received(), self._ITEM)}; "
            "open a new one to read again"
        )

    def __repr__(self) -> str:
        if self._finished:
            state = "finished"
        elif self._error is not None:
            state = f"failed: {type(self._error).__name__}"
        else:
            state = "closed" if self._closed else "reading"
        rules = list(dict.fromkeys(d.rule for d in self.deviations)) if self._has_deviations() else []
        shown = f" deviations={rules!r}" if rules else ""
        return f"<{type(self).__name__} {self._ITEM}s_received={self._received()} {state}{shown}>"

    def _require_accumulator(self) -> Any:
        """The accumulator the final result is read from (a format may start one late, or refuse)."""
        return self._accumulator

    def _ended(self, exc: BaseException) -> Optional[BaseException]:
        """Note how iteration ended, so the final result can tell; the error to release the source with.

        ``None`` when the stream ended (``StopIteration``/``StopAsyncIteration``),
        else *exc*: an error, or an interruption (``KeyboardInterrupt``, a cancellation).
        """
        if isinstance(exc, (StopIteration, StopAsyncIteration)):
            self._finished = True
            return None
        if isinstance(exc, GroqStreamError) and not isinstance(exc, StreamClosedError):
            self._error = exc
        return exc

    def _more_to_read(self) -> bool:
        """The final result is asked for: True when it must read on (the accumulator is required either way)."""
        self._require_accumulator()
        return not self._finished

    def _partial(self, exc: GroqStreamError) -> None:
        """Attach everything received so far to an error raised while the final result was read."""
        raise NotImplementedError

    def _final(self) -> Any:
        """The format's final result from its accumulator (the stream ended well)."""
        raise NotImplementedError

    def _result(self) -> Any:
        """The final result; or, when an error ended the stream, that error again."""
        self._require_accumulator()
        if self._error is not None:
            self._partial(self._error)
            raise self._error
        return self._final()


class _SyncStream(_StreamBase):
    """The sync I/O of every format: ``drive`` over ``reads``, ``next``, draining and closing by calls."""

    source: ByteSource
    _reads: Iterator[Any]
    _iterator: Iterator[Any]

    def _reads_of(self, source: ByteSource) -> Iterator[Any]:
        return reads(source)

    def _drive(self, decoder: _SourceDecoder, limit: int) -> Iterator[Any]:
        return drive(decoder, self._reads, limit)

    def __iter__(self: _S) -> _S:
        return self

    def __next__(self) -> Any:
        if self._closed:
            raise self._closed_error()
        try:
            item = next(self._iterator)
            if self._accumulator is not None:  # inline, not a method call: this runs for every item
                self._accumulator.add(item)
            return item
        except BaseException as exc:  # StopIteration, errors, KeyboardInterrupt: all release the source
            self._release(self._ended(exc))
            raise

    def _read_all(self) -> Any:
        """Read what is left and return the final result (``final_completion``, ``final_response``)."""
        if self._more_to_read():
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
        self._iterator = iter(())  # let go of the pipeline: nothing is read from it again
        if self._drain_wanted(error):
            self._read_to_end = _drain(self.source, self._reads, self._drain_bytes, self._drain_seconds)
        if self._reads is not self.source:  # our own reads (an httpx or requests body's iterator): end them first
            close_reads = getattr(self._reads, "close", None)
            if close_reads is not None:
                close_reads()
        close = getattr(self.source, "close", None)
        if callable(close):
            try:
                close()
            except Exception as close_error:
                _closing_failed(error, close_error)

    def __enter__(self: _S) -> _S:
        return self

    def __exit__(
        self, exc_type: Optional[Type[BaseException]], exc: Optional[BaseException], tb: Optional[TracebackType]
    ) -> None:
        self.close()


class _AsyncStream(_StreamBase):
    """The async I/O of every format: ``adrive`` over ``aiter_bytes``, ``await``, draining and closing awaited.

    The source is closed (``aclose()``, else ``close()``, awaited when it
    returns an awaitable) when iteration ends for any reason, on
    ``aclose()``, and on leaving an ``async with`` block.
    """

    source: AsyncByteSource
    _reads: AsyncGenerator[Any, None]
    _iterator: AsyncGenerator[Any, None]

    def _reads_of(self, source: AsyncByteSource) -> AsyncGenerator[Any, None]:
        return aiter_bytes(source)

    def _drive(self, decoder: _SourceDecoder, limit: int) -> AsyncGenerator[Any, None]:
        return adrive(decoder, self._reads)  # no limit: one-byte reads are not held (see pipeline)

    def __aiter__(self: _S) -> _S:
        return self

    async def __anext__(self) -> Any:
        if self._closed:
            raise self._closed_error()
        try:
            item = await self._iterator.__anext__()
            if self._accumulator is not None:  # inline, as in _SyncStream.__next__
                self._accumulator.add(item)
            return item
        except BaseException as exc:  # StopAsyncIteration, errors, cancellation: all release the source
            await self._release(self._ended(exc))
            raise

    async def _read_all(self) -> Any:
        """Read what is left and return the final result (see ``_SyncStream._read_all``)."""
        if self._more_to_read():
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
        import asyncio  # loaded already: this runs inside an event loop

        # Shielded: a cancellation that lands while the source is being closed
        # (the task was cancelled again, or just as the stream ended) must not
        # leave it half closed. The close finishes; the cancellation still counts.
        await asyncio.shield(self._close(error))

    async def _close(self, error: Optional[BaseException]) -> None:
        await self._iterator.aclose()
        if self._drain_wanted(error):
            self._read_to_end = await _adrain(self.source, self._reads, self._drain_bytes, self._drain_seconds)
        # An async generator left suspended is only finalised by the event loop's
        # shutdown hook; close it now so the source is released promptly.
        await self._reads.aclose()
        close = getattr(self.source, "aclose", None) or getattr(self.source, "close", None)
        if callable(close):
            try:
                result = close()
                if hasattr(result, "__await__"):
                    await result
            except Exception as close_error:
                _closing_failed(error, close_error)

    async def __aenter__(self: _S) -> _S:
        return self

    async def __aexit__(
        self, exc_type: Optional[Type[BaseException]], exc: Optional[BaseException], tb: Optional[TracebackType]
    ) -> None:
        await self.aclose()


class _ChatStream(_StreamBase):
    """The chat format: a ``ChunkStreamDecoder``, a ``ChatCompletionAccumulator``, ``final_completion()``'s rules."""

    _OPTIONS = (
        "max_event_bytes",
        "unicode_errors",
        "require_done",
        "strict",
        "accumulate",
        "drain_bytes",
        "drain_seconds",
    )
    _decoder: ChunkStreamDecoder
    _accumulator: Optional[ChatCompletionAccumulator]

    def __init__(
        self,
        source: Any,
        *,
        max_event_bytes: int = DEFAULT_MAX_EVENT_BYTES,
        unicode_errors: str = "replace",
        require_done: Optional[bool] = None,
        strict: bool = False,
        accumulate: bool = True,
        drain_bytes: int = DEFAULT_DRAIN_BYTES,
        drain_seconds: float = DEFAULT_DRAIN_SECONDS,
    ) -> None:
        decoder = ChunkStreamDecoder(
            max_event_bytes=max_event_bytes, unicode_errors=unicode_errors, require_done=require_done, strict=strict
        )
        # Merging is O(1) per delta; the text it keeps is what accumulate=False saves on very long streams.
        accumulator = ChatCompletionAccumulator() if accumulate else None
        self._start(source, decoder, accumulator, drain_bytes, drain_seconds)

    @property
    def chunks_received(self) -> int:
        """How many chunks have been yielded so far (each chunk is decoded only as it is taken)."""
        return self._decoder.chunks.chunks_received

    @property
    def deviations(self) -> List[Deviation]:
        """Every kind of departure from the schema the stream has read so far (empty for a clean stream).

        Each ``Deviation`` names its rule, its path and the first event that
        showed it, and counts how often it happened; ``strict=True`` refuses
        them instead. See docs/compatibility.md.
        """
        return self._decoder.chunks.deviations

    def _has_deviations(self) -> bool:
        return self._decoder.chunks.has_deviations  # without building the list

    def _require_accumulator(self) -> ChatCompletionAccumulator:
        """The accumulator; without accumulate=True, one that starts now if nothing was read yet."""
        if self._accumulator is None:
            received = self.chunks_received
            if received:
                raise RuntimeError(
                    f"final_completion()/text() need Stream(..., accumulate=True): {received} "
                    f"chunk{' was' if received == 1 else 's were'} already read without being kept"
                )
            self._accumulator = ChatCompletionAccumulator()
        return self._accumulator

    def _partial(self, exc: GroqStreamError) -> None:
        if self._accumulator is not None:
            exc.completion = self._accumulator.completion

    def _final(self) -> ChatCompletion:
        completion = self._require_accumulator().completion
        return completion if self.response is None else attach_response(completion, self.response)

    @staticmethod
    def _text_of(completion: ChatCompletion) -> str:
        for choice in completion.choices:
            if choice.index == 0:
                return choice.message.content or ""
        return ""


class Stream(_SyncStream, _ChatStream):
    """Iterate the ``ChatCompletionChunk`` objects of a streamed chat completion.

    Iteration stops at ``data: [DONE]``. The source is closed (its ``close()``
    called, when it has one) when iteration ends for any reason, on
    ``close()``, and on leaving a ``with`` block.

    Args:
        source: ``bytes``, a binary file or HTTP response (``read1``/``read``),
            a socket (``recv``), or an iterable of ``bytes``/``bytearray``/``memoryview``.
        max_event_bytes: longest line or event accepted (see ``SSEDecoder``).
        unicode_errors: ``"replace"`` (default, the SSE rule) or ``"strict"``.
        require_done: what the end of the source needs before it counts as
            complete (otherwise ``IncompleteStreamError``, raised after every
            complete chunk). ``None`` (the default): ``[DONE]``, or every choice
            that appeared has a ``finish_reason`` (recorded in ``deviations``);
            with ``strict=True``, ``[DONE]``. ``True``: ``[DONE]`` always.
            ``False``: nothing, not even finished choices.
        strict: enforce the schema instead of reading what real servers send:
            every departure (an absent ``id``, content as typed parts, a tool
            call without ``index``, no ``[DONE]``...) raises. The default reads
            them and records each in ``deviations`` (docs/compatibility.md).
        accumulate: merge every chunk into the completion ``final_completion()``
            returns (the default). Turn off to keep memory flat on very long
            streams when only the chunks matter.
        drain_bytes, drain_seconds: after the end (``[DONE]``), what is left of
            an HTTP body is read before it is closed, so the HTTP library can
            reuse the connection: at most this many bytes and seconds (64 KiB,
            50 ms), then it is closed unread. ``drain_seconds=0`` turns that
            off. Sources read: ``http.client``/urllib, httpx and requests
            responses (docs/transports.md, "Connection reuse").

    Raises (while iterating):
        StreamAPIError: the server reported an error in the stream.
        ChunkDecodeError: an event is not a valid chunk.
        SSEProtocolError: a line or event is larger than ``max_event_bytes``.
        IncompleteStreamError: the source ended before ``[DONE]``.
        StreamClosedError: iterating after ``close()``.
    """

    if TYPE_CHECKING:  # the shared I/O is typed Any; these give type checkers this format's types, at no run-time cost

        def __next__(self) -> ChatCompletionChunk: ...

    def final_completion(self) -> ChatCompletion:
        """Read what is left and return the whole ``ChatCompletion`` (chunks already iterated included).

        Raises:
            StreamAPIError, IncompleteStreamError, ...: as iterating does; the
                error's ``completion`` holds everything received before it.
            StreamClosedError: the stream was closed before its end.
        """
        completion: ChatCompletion = self._read_all()
        return completion

    def text(self) -> str:
        """Read what is left and return the assistant text of choice 0 (``""`` when there is none).

        Raises:
            The same errors as ``final_completion()``.
        """
        return self._text_of(self.final_completion())


class AsyncStream(_AsyncStream, _ChatStream):
    """Async ``Stream``: ``async for`` over chunks, ``async with``, ``await aclose()``.

    Args:
        source: an httpx or aiohttp response, an async iterable of bytes-like
            chunks (httpx ``aiter_bytes()``, aiohttp ``content.iter_any()``) or
            an ``asyncio.StreamReader``.
        max_event_bytes, unicode_errors, require_done, strict, accumulate: as for ``Stream``.
        drain_bytes, drain_seconds: as for ``Stream``; every async source but
            a bare ``asyncio.StreamReader`` is drained.

    The source is closed (``aclose()``, else ``close()``, awaited when it
    returns an awaitable) when iteration ends for any reason, on
    ``aclose()``, and on leaving an ``async with`` block.
    """

    if TYPE_CHECKING:  # as in Stream

        async def __anext__(self) -> ChatCompletionChunk: ...

    async def final_completion(self) -> ChatCompletion:
        """Read what is left and return the whole ``ChatCompletion`` (see ``Stream.final_completion``)."""
        completion: ChatCompletion = await self._read_all()
        return completion

    async def text(self) -> str:
        """Read what is left and return the assistant text of choice 0 (see ``Stream.text``)."""
        return self._text_of(await self.final_completion())
