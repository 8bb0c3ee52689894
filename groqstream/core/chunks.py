"""ChunkDecoder: server-sent events in, ``ChatCompletionChunk`` objects out.

This layer holds the chat-stream conventions, which are not part of SSE:

* ``data: [DONE]`` ends the stream; anything after it is ignored.
* ``message`` events (the default type) carry one chunk as JSON. Invalid JSON
  or a wrongly shaped chunk raises ``ChunkDecodeError``.
* A server error inside the stream raises ``StreamAPIError``, in each of the
  three forms Groq uses: an ``event: error`` block; a data object with a
  top-level ``"error"`` key; a chunk whose ``x_groq.error`` is set (that chunk
  is returned first and the error raised by the next call).
* Events of any other type are skipped.
* A chunk the strict decoder refuses is read again leniently (unless
  ``strict=True``): a departure with one obvious meaning (an absent ``id``,
  content as typed parts, a tool call without ``index``...) is read and
  recorded in ``deviations``; anything else raises ``ChunkDecodeError``.
* ``end()`` (or ``flush()``) at end of input accepts a stream without
  ``[DONE]`` when every choice that appeared has a ``finish_reason``
  (recorded as a deviation) and raises ``IncompleteStreamError`` otherwise;
  ``require_done`` and ``strict`` change that. A ``data: [DONE]`` that lacks
  only its blank line (``end(unterminated=...)``) is ``[DONE]``, recorded.

Once an error is raised the decoder stays failed: later calls raise it again.
"""

from __future__ import annotations

import json

from ..types import ChatCompletionChunk
from ..types.wire import (
    NO_DONE,
    UNTERMINATED_DONE,
    Deviation,
    Lenient,
    _Invalid,
    deviation_key,
    invalid_to_error,
    watching_decoder,
)
from .errors import ChunkDecodeError, GroqStreamError, IncompleteStreamError, StreamAPIError, count, snippet
from .sse import ServerSentEvent

TYPE_CHECKING = False  # as typing's, without importing typing at run time: see docs/architecture.md
if TYPE_CHECKING:
    from typing import Any, Callable, Dict, List, NoReturn, Optional, Set, Tuple

__all__ = ["ChunkDecoder"]


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


# json.loads accepts NaN and Infinity, which are not JSON; a dedicated decoder
# rejects them without paying json.loads's per-call keyword handling.
_json_decoder = json.JSONDecoder(parse_constant=_reject_constant)
_json_decode = _json_decoder.decode
# The strict decoder of a chunk (generated in types/decoders.py), looked up once.
_decode_chunk: Callable[[Any], ChatCompletionChunk] = ChatCompletionChunk._decode
# The C scanner json.loads itself ends in (typeshed does not describe the attribute).
_scan_once: Callable[[str, int], Tuple[Any, int]] = _json_decoder.scan_once  # type: ignore[attr-defined]


def is_done(event: ServerSentEvent) -> bool:
    """True for the ``data: [DONE]`` event that ends a chat stream (whitespace around it allowed)."""
    return event.event == "message" and event.data.strip() == "[DONE]"


class _ChoiceTracker:
    """The choice indices a stream showed without and with a ``finish_reason`` (a ``Watcher``: types/wire.py)."""

    __slots__ = ("finished", "unfinished")

    def __init__(self) -> None:
        # The choices' decoder reports an unfinished choice only when its index is not in here yet: a set
        # lookup per choice, no call (with n > 1 the index changes on every choice).
        self.unfinished: Set[int] = set()
        self.finished: Set[int] = set()

    def note(self, index: int, finish_reason: Optional[str]) -> None:
        if finish_reason is None:
            self.unfinished.add(index)
        else:
            self.finished.add(index)

    def note_all(self, chunk: ChatCompletionChunk) -> None:
        for choice in chunk.choices:
            self.note(choice.index, choice.finish_reason)


class ChunkDecoder:
    """Turn ``ServerSentEvent`` objects into ``ChatCompletionChunk`` objects.

    Args:
        require_done: what the end of input needs. ``None`` (the default):
            ``[DONE]``, or every choice that appeared finished (a deviation);
            with ``strict=True``, ``[DONE]``. ``True``: ``[DONE]`` always.
            ``False``: nothing (a stream cut off mid-answer ends quietly).
        strict: enforce the schema: every chunk the strict decoder refuses
            raises ``ChunkDecodeError`` with its path, and the stream needs
            ``[DONE]``. The default reads what has one obvious meaning and
            records it in ``deviations`` (docs/compatibility.md).
    """

    def __init__(self, *, require_done: Optional[bool] = None, strict: bool = False) -> None:
        self.require_done = require_done
        self.strict = strict
        self.done = False
        """True once ``[DONE]`` or an error was seen: the caller should stop reading."""
        self.chunks_received = 0
        """How many chunks were returned."""
        self.events_received = 0
        """How many events were fed."""
        self._error: Optional[GroqStreamError] = None
        self._lenient_state: Dict[str, Any] = {}  # what lenient decoding remembers across chunks
        self._first: Dict[Tuple[str, str], Deviation] = {}  # each kind of deviation, as first seen
        self._counts: Dict[Tuple[str, str], int] = {}
        # Which choices appeared and which finished, for an end without [DONE]: the choices' decoder reports
        # to the tracker (a copy of the chunk decoder, bound to it), so no chunk is looked at twice.
        self._track = require_done is None and not strict
        self._choices = _ChoiceTracker()
        self._decode = watching_decoder(ChatCompletionChunk, self._choices) if self._track else _decode_chunk

    @property
    def error(self) -> Optional[GroqStreamError]:
        """The error that ended the stream (raised again by every later call), or ``None``."""
        return self._error

    @property
    def has_deviations(self) -> bool:
        """True once a departure from the schema was read (``deviations`` lists them)."""
        return bool(self._counts)

    @property
    def deviations(self) -> List[Deviation]:
        """Every kind of departure from the schema read so far, in the order first seen (each with its ``count``)."""
        from dataclasses import replace  # here: only a stream that deviates needs it

        return [replace(first, count=self._counts[key]) for key, first in self._first.items()]

    def feed(self, event: ServerSentEvent) -> List[ChatCompletionChunk]:
        """Decode one event.

        Args:
            event: the next event of the stream.

        Returns:
            ``[chunk]`` for a chunk, ``[]`` for ``[DONE]``, skipped event types,
            and anything after ``[DONE]``.

        Raises:
            ChunkDecodeError: the data is not JSON or not a chunk.
            StreamAPIError: the event reports a server error.
        """
        chunk = self.decode_event(event)
        return [chunk] if chunk is not None else []

    def decode_event(self, event: ServerSentEvent) -> Optional[ChatCompletionChunk]:
        """Like ``feed``, returning the chunk or ``None`` (no list to build: this is the hot path)."""
        if self.done:  # after [DONE] or an error (a failed decoder is done too)
            if self._error is not None:
                raise self._error
            return None
        index = self.events_received
        self.events_received += 1
        kind = event.event
        if kind == "message":
            data = event.data
            # The C scanner directly: json.loads adds two Python-level calls and
            # a regex per event. Anything it does not take whole ([DONE],
            # surrounding whitespace, invalid JSON) is looked at again.
            try:
                obj, end = _scan_once(data, 0)
            except (StopIteration, ValueError, RecursionError):
                end = -1
            if end != len(data):
                if data[:1] == "[" and data.strip() == "[DONE]":
                    self.done = True
                    return None
                obj = self._parse(event, index)
            if type(obj) is dict and "error" in obj and obj["error"]:
                self._fail(self._api_error(obj, event))
            try:
                chunk: ChatCompletionChunk = self._decode(obj)
            except _Invalid as exc:
                chunk = self._decode_leniently(exc, event, index)
            self.chunks_received += 1
            # A key test on the parsed object (the chunk's own __dict__) is quicker than the attribute,
            # which for the usual chunk without x_groq falls back to the class default.
            x_groq = chunk.x_groq if "x_groq" in obj else None
            if x_groq is not None and x_groq.error:
                # Yield the chunk first (it may hold usage), then raise on the next call.
                self.done = True
                self._error = StreamAPIError(
                    x_groq.error,
                    body=chunk.to_dict()["x_groq"],
                    chunks_received=self.chunks_received,
                    event=event,
                )
            return chunk
        if kind == "error":
            try:
                payload: Any = _json_decode(event.data)
            except (ValueError, RecursionError):
                payload = event.data
            self._fail(self._api_error(payload, event))
        return None

    def _decode_leniently(self, refused: _Invalid, event: ServerSentEvent, index: int) -> ChatCompletionChunk:
        """The chunk of an event the strict decoder refused: read leniently, or the error (strict, unreadable)."""
        if self.strict:
            self._fail(self._decode_error(invalid_to_error(refused, "ChatCompletionChunk"), event, index))
        # Parsed again: the strict decoder took the first parse over and changed it part way.
        obj = _json_decode(event.data)
        lenient = Lenient(self._lenient_state)
        try:
            chunk: ChatCompletionChunk = ChatCompletionChunk._decode_general(obj, lenient)
        except _Invalid as exc:
            self._fail(self._decode_error(invalid_to_error(exc, "ChatCompletionChunk"), event, index))
        for deviation in lenient.deviations(index, event.offset):
            self._record(deviation)
        if self._track:
            self._choices.note_all(chunk)
        return chunk

    def _record(self, deviation: Deviation) -> None:
        key = deviation_key(deviation.rule, deviation.path)
        if key in self._counts:
            self._counts[key] += 1
        else:  # the kinds are bounded by the schema (list indices do not count), so this stays small
            self._first[key] = deviation
            self._counts[key] = 1

    def end(
        self,
        *,
        bytes_received: Optional[int] = None,
        pending_bytes: Optional[int] = None,
        unterminated: Optional[ServerSentEvent] = None,
        looks_like: Optional[str] = None,
    ) -> None:
        """Mark the end of input and decide whether the stream is complete.

        Args:
            bytes_received: the stream's size in bytes, when the caller knows it (for the error).
            pending_bytes: bytes of an unterminated last event that were discarded; any makes the stream incomplete.
            unterminated: that event, as a blank line would have dispatched it
                (``SSEDecoder.unterminated``). A ``data: [DONE]`` without its
                blank line is ``[DONE]``, recorded as ``unterminated-done``
                (Gemini, older llama.cpp); ``strict=True`` refuses it.
            looks_like: what the input is when it held no event at all and is
                recognisably no event stream (see ``sniff.sniff``).

        Raises:
            StreamAPIError: an ``x_groq.error`` chunk was the last thing returned.
            IncompleteStreamError: the stream needed ``[DONE]`` (see ``require_done``) and ended without it.
            ChunkDecodeError: with ``strict=True``, an unterminated ``[DONE]``.
        """
        if self._error is not None:
            raise self._error
        if self.done:
            return
        if unterminated is not None and is_done(unterminated):
            self._unterminated_done(unterminated)
            return
        self.done = True
        if self.require_done is False:
            return
        finished = self._choices.finished
        unfinished = tuple(sorted(self._choices.unfinished - finished))
        if self._track and not pending_bytes and finished and not unfinished:
            choices = ", ".join(map(str, sorted(finished)))
            message = (
                f"the stream ended without 'data: [DONE]' after {count(self.chunks_received, 'chunk')}; "
                f"every choice ({choices}) had a finish_reason"
            )
            self._record(Deviation(NO_DONE, "", message, None, bytes_received))
            return
        self._fail(
            IncompleteStreamError(
                chunks_received=self.chunks_received,
                bytes_received=bytes_received,
                pending_bytes=pending_bytes,
                unfinished=unfinished if self._track else None,
                looks_like=looks_like,
            )
        )

    def _unterminated_done(self, event: ServerSentEvent) -> None:
        """The input ended in ``data: [DONE]`` without its blank line: the end the server meant, unless strict."""
        index = self.events_received
        self.events_received += 1
        what = "'data: [DONE]' without the blank line that ends an event, at the end of the input"
        if self.strict:
            reason = f"{what} (the SSE rules discard an unterminated event; strict=True does not read it as [DONE])"
            self._fail(self._decode_error(ChunkDecodeError(reason, reason=reason), event, index))
        self.done = True
        self._record(Deviation(UNTERMINATED_DONE, "", f"{what}; read as [DONE]", index, event.offset))

    def flush(self) -> List[ChatCompletionChunk]:
        """Mark the end of input (see ``end``).

        Returns:
            Always ``[]``.

        Raises:
            StreamAPIError: an ``x_groq.error`` chunk was the last thing returned.
            IncompleteStreamError: the stream ended without ``[DONE]`` and had to have it (see ``end``).
        """
        self.end()
        return []

    def fail_with_body_error(self, payload: Any) -> NoReturn:
        """The whole input was a JSON error body (an HTTP error response read as a stream): raise it as such.

        Raises:
            StreamAPIError: with the server's message, type and code; the decoder stays failed.
        """
        self._fail(self._api_error(payload, None))

    def _fail(self, error: GroqStreamError) -> NoReturn:
        self._error = error
        self.done = True
        raise error

    def _parse(self, event: ServerSentEvent, index: int) -> Any:  # the parsed JSON value
        try:
            return _json_decode(event.data)
        except RecursionError:
            reason = "JSON nested too deeply"
        except ValueError as exc:  # json.JSONDecodeError is a ValueError
            reason = f"invalid JSON ({exc})"
        error = ChunkDecodeError(f"{reason}: {snippet(event.data)}", reason=reason)
        self._fail(self._decode_error(error, event, index))

    @staticmethod
    def _decode_error(error: ChunkDecodeError, event: ServerSentEvent, index: int) -> ChunkDecodeError:
        """Add the stream position to an error raised while decoding *event*."""
        where = f"event #{index}" + (f" at byte {event.offset}" if event.offset is not None else "")
        return ChunkDecodeError(
            f"{where}: {error}",
            path=error.path,
            reason=error.reason,
            event=event,
            event_index=index,
            offset=event.offset,
        )

    def _api_error(self, payload: Any, event: Optional[ServerSentEvent]) -> StreamAPIError:
        """The error *payload* reports; *event* carried it (``None``: the whole body was this JSON error)."""
        body = payload
        if type(payload) is dict and "error" in payload:
            body = payload["error"]
        where = "instead of an event stream (the body is a JSON error response, not an event stream)"
        if event is None:
            message = body.get("message") if type(body) is dict else body
            return StreamAPIError(
                message if isinstance(message, str) else json.dumps(body)[:1000],
                type=_opt_str(body.get("type")) if type(body) is dict else None,
                code=_opt_str(body.get("code")) if type(body) is dict else None,
                status_code=_opt_int(body.get("status_code")) if type(body) is dict else None,
                body=body,
                where=where,
            )
        if type(body) is dict:
            message = body.get("message")
            return StreamAPIError(
                message if isinstance(message, str) else json.dumps(body)[:1000],
                type=_opt_str(body.get("type")),
                code=_opt_str(body.get("code")),
                status_code=_opt_int(body.get("status_code")),
                failed_generation=_opt_str(body.get("failed_generation")),
                body=body,
                chunks_received=self.chunks_received,
                event=event,
            )
        message = body if isinstance(body, str) else event.data
        return StreamAPIError(message, body=body, chunks_received=self.chunks_received, event=event)


def _opt_str(value: Any) -> Optional[str]:
    if value is None or isinstance(value, bool):
        return None
    return value if isinstance(value, str) else str(value)


def _opt_int(value: Any) -> Optional[int]:
    if type(value) is int:
        return value
    if isinstance(value, str) and value.isdigit() and value.isascii():
        return int(value)
    return None
