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
* ``flush()`` at end of input raises ``IncompleteStreamError`` when neither
  ``[DONE]`` nor an error was seen (unless ``require_done=False``).

Once an error is raised the decoder stays failed: later calls raise it again.
"""

from __future__ import annotations

import json
from typing import Any, Callable, List, NoReturn, Optional, Tuple

from ._errors import ChunkDecodeError, GroqStreamError, IncompleteStreamError, StreamAPIError, snippet
from ._sse import ServerSentEvent
from ._types import ChatCompletionChunk, _Invalid, invalid_to_error

__all__ = ["ChunkDecoder"]


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


# json.loads accepts NaN and Infinity, which are not JSON; a dedicated decoder
# rejects them without paying json.loads's per-call keyword handling.
_json_decoder = json.JSONDecoder(parse_constant=_reject_constant)
_json_decode = _json_decoder.decode
# The C scanner json.loads itself ends in (typeshed does not describe the attribute).
_scan_once: Callable[[str, int], Tuple[Any, int]] = _json_decoder.scan_once  # type: ignore[attr-defined]


class ChunkDecoder:
    """Turn ``ServerSentEvent`` objects into ``ChatCompletionChunk`` objects.

    Args:
        require_done: raise ``IncompleteStreamError`` from ``flush()`` when the
            stream ended without ``[DONE]`` or an error. Turn off for servers
            known to omit ``[DONE]``.
    """

    def __init__(self, *, require_done: bool = True) -> None:
        self.require_done = require_done
        self.done = False
        """True once ``[DONE]`` or an error was seen: the caller should stop reading."""
        self.chunks_received = 0
        """How many chunks were returned."""
        self.events_received = 0
        """How many events were fed."""
        self._error: Optional[GroqStreamError] = None

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
        if self._error is not None:
            raise self._error
        if self.done:
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
            if type(obj) is dict and obj.get("error"):
                self._fail(self._api_error(obj, event))
            try:
                chunk: ChatCompletionChunk = ChatCompletionChunk._decode(obj)
            except _Invalid as exc:
                self._fail(self._decode_error(invalid_to_error(exc, "ChatCompletionChunk"), event, index))
            self.chunks_received += 1
            x_groq = chunk.x_groq
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

    def flush(self) -> List[ChatCompletionChunk]:
        """Mark the end of input.

        Returns:
            Always ``[]``.

        Raises:
            StreamAPIError: an ``x_groq.error`` chunk was the last thing returned.
            IncompleteStreamError: no ``[DONE]`` and no error was seen, and
                ``require_done`` is set.
        """
        if self._error is not None:
            raise self._error
        if not self.done and self.require_done:
            self._fail(IncompleteStreamError(chunks_received=self.chunks_received))
        self.done = True
        return []

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

    def _api_error(self, payload: Any, event: ServerSentEvent) -> StreamAPIError:
        body = payload
        if type(payload) is dict and "error" in payload:
            body = payload["error"]
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
