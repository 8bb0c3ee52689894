"""The Responses API event stream, sans I/O: SSE events in, typed events and a final ``Response`` out.

Three push objects, the same verbs as the chat pipeline's:

* ``ResponseEventDecoder``: one ``ServerSentEvent`` in, the typed event out
  (``groqstream.types.responses``). The ``type`` in the data is the truth; an
  ``event:`` line that names another type is recorded (``event-name-mismatch``).
  ``data: [DONE]`` (OpenRouter) ends the stream. ``sequence_number`` is
  optional; gaps, duplicates and regressions are recorded, and the highest
  one is ``last_sequence_number`` (to resume with ``starting_after``). An
  ``error`` event or ``response.failed`` does not stop the reading: the
  decoder reads on to the terminal event and raises ``StreamAPIError`` after
  it (at the next ``feed`` or at ``end``).
* ``ResponseAccumulator``: typed events in, the final ``Response`` out, plus
  the chat accumulator's semantic events (``ContentDelta``, ``ReasoningDelta``,
  ``ToolCallArgumentsDelta``, ``ToolCallDone``, ``Usage``, ``FinishReason``...).
* ``ResponseStreamDecoder``: bytes in, typed events out (an ``SSEDecoder``
  feeding a ``ResponseEventDecoder``), with the end-of-input rules.

Theory of operation of the accumulator (docs/responses.md lists every rule
with its test):

* Items are kept by ``output_index`` in a dict, never by list position and
  never by ``item_id`` (GitHub Copilot rotates item ids on every event). An
  item may arrive without ``output_item.added`` (its events make a
  provisional one of the type they imply: ``missing-item-added``), without
  ``output_item.done``, or as ``null`` (``null-item``: ignored).
* An item's ``added`` form is provisional and is replaced whole by its
  ``done`` form, never compared. Deltas build text, arguments, input and code
  as lists of pieces (O(1) per delta, joined once when the response is built);
  a ``*.done`` event replaces what the deltas built, and ``output_item.done``
  replaces everything. What deltas built and what ``done`` says may disagree
  (anonymized text, a ``call_id`` that changed): a *note*, never an error.
* The terminal event's ``response.output``, when non-empty, is the output.
  When it is null or empty while items were streamed (a known server bug),
  the accumulated items are the output (``empty-terminal-output``).
* The response's other fields come from the latest snapshot
  (``response.created``, ``.queued``, ``.in_progress``, then the terminal
  event's). Per-event padding (``obfuscation``) is an event key, never copied
  into an item, so it never reaches the final ``Response``.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Dict, Iterable, Iterator, List, NoReturn, Optional, Tuple

from ..types.responses import Response, ResponseStreamEvent, decode_event
from ..types.wire import Deviation, copy_json, deviation_key
from .accumulate import (
    ContentDelta,
    ContentDone,
    FinishReason,
    ReasoningDelta,
    ReasoningDone,
    ToolCallArgumentsDelta,
    ToolCallDone,
    Usage,
    _Text,
)
from .errors import ChunkDecodeError, GroqStreamError, IncompleteStreamError, StreamAPIError, count, snippet
from .lines import DEFAULT_MAX_EVENT_BYTES
from .sse import ServerSentEvent, SSEDecoder

if TYPE_CHECKING:
    from .accumulate import AccumulatorEvent

__all__ = [
    "RESPONSE_DEVIATION_RULES",
    "TERMINAL_EVENT_TYPES",
    "ResponseAccumulator",
    "ResponseEventDecoder",
    "ResponseStreamDecoder",
]

TERMINAL_EVENT_TYPES = frozenset({"response.completed", "response.incomplete", "response.failed"})
"""The events that end a Responses stream."""

EVENT_NAME_MISMATCH = "event-name-mismatch"
TYPE_FROM_EVENT_NAME = "type-from-event-name"
SEQUENCE_GAP = "sequence-gap"
SEQUENCE_DUPLICATE = "sequence-duplicate"
SEQUENCE_REGRESSION = "sequence-regression"
MISSING_ITEM_ADDED = "missing-item-added"
MISSING_PART_ADDED = "missing-part-added"
NULL_ITEM = "null-item"
NO_OUTPUT_INDEX = "no-output-index"
EMPTY_TERMINAL_OUTPUT = "empty-terminal-output"
UNTERMINATED_TERMINAL = "unterminated-terminal"

RESPONSE_DEVIATION_RULES: Dict[str, str] = {
    EVENT_NAME_MISMATCH: "the 'event:' line names another type than the data's 'type': the data's type is used",
    TYPE_FROM_EVENT_NAME: "the data has no 'type': the 'event:' line's name is used (an 'error' one for a bare error)",
    SEQUENCE_GAP: "sequence_number skipped values (events missing, or trimmed from a recording)",
    SEQUENCE_DUPLICATE: "sequence_number repeated the previous event's",
    SEQUENCE_REGRESSION: "sequence_number went back below an earlier event's",
    MISSING_ITEM_ADDED: "an item's events came without its response.output_item.added: a provisional item was made",
    MISSING_PART_ADDED: "a content or summary part's text came without its *.part.added: a provisional part was made",
    NULL_ITEM: "response.output_item.added/done carried a null item: ignored",
    NO_OUTPUT_INDEX: "an item event had no output_index: it cannot be placed, so only the event is yielded",
    EMPTY_TERMINAL_OUTPUT: "the terminal event's response.output was null or empty: the streamed items are the output",
    UNTERMINATED_TERMINAL: "the input ended in a whole terminal event without its blank line: read as that event",
}
"""Every rule a Responses stream's ``Deviation`` can name (``strict=True`` refuses each, naming its path)."""

# Notes: what the server's events disagree on. Recorded, never raised, not refused by strict=True.
TEXT_CHANGED = "text-changed"
CALL_ID_CHANGED = "call-id-changed"
OUTPUT_CHANGED = "output-changed"


def _error_fields(body: Any) -> Tuple[str, Optional[str], Optional[str]]:
    """(message, type, code) of an error object, nested (``{"error": {...}}``) or flat."""
    if type(body) is dict and type(body.get("error")) is dict:
        body = body["error"]
    if type(body) is not dict:
        return (body if isinstance(body, str) else json.dumps(body)[:1000]), None, None
    message = body.get("message")

    def text(value: Any) -> Optional[str]:
        return None if value is None or isinstance(value, bool) else str(value)

    return (
        (message if isinstance(message, str) else json.dumps(body)[:1000]),
        text(body.get("type")),
        text(body.get("code")),
    )


class ResponseEventDecoder:
    """Decode the server-sent events of a Responses stream into typed events (sans I/O).

    Args:
        strict: refuse every deviation (``RESPONSE_DEVIATION_RULES``) with a
            ``ChunkDecodeError`` naming its path, instead of recording it.

    After a terminal event (``response.completed``, ``.incomplete``,
    ``.failed``) or ``[DONE]``, ``done`` is true and later events are
    ignored. An ``error`` event or ``response.failed`` makes ``error`` a
    ``StreamAPIError``, raised by ``end()`` and by any later ``feed``.
    """

    def __init__(self, *, strict: bool = False) -> None:
        self.strict = strict
        self.done = False
        """True once the terminal event or ``[DONE]`` arrived (or the decoder failed): stop reading."""
        self.terminal: Optional[str] = None
        """The terminal event's type once it arrived, else ``None``."""
        self.events_received = 0
        """How many events were fed (comments and ignored events aside)."""
        self.last_sequence_number: Optional[int] = None
        """The highest ``sequence_number`` seen (``None`` when none was sent): resume with ``starting_after``."""
        self.api_error: Optional[StreamAPIError] = None
        """The server's error (first ``error`` event, else ``response.failed``'s), raised at the end."""
        self._error: Optional[GroqStreamError] = None  # what failed the decoder, raised again by every call
        self._first: Dict[Tuple[str, str], Deviation] = {}
        self._counts: Dict[Tuple[str, str], int] = {}
        self._previous: Optional[int] = None  # the sequence_number of the previous event that had one

    @property
    def error(self) -> Optional[GroqStreamError]:
        """The error that failed the decoder (raised again by every later call), or ``None``."""
        return self._error

    @property
    def deviations(self) -> List[Deviation]:
        """Every kind of deviation read so far, in the order first seen, each with its ``count``."""
        return [replace(first, count=self._counts[key]) for key, first in self._first.items()]

    def record(self, rule: str, path: str, message: str, event: Optional[ServerSentEvent] = None) -> None:
        """Record a deviation (or, with ``strict=True``, fail with ``ChunkDecodeError`` naming *path*)."""
        index = self.events_received - 1 if event is not None else None
        offset = event.offset if event is not None else None
        if self.strict:
            reason = f"{rule}: {message} (strict=True refuses it)"
            where = f"event #{index}" + (f" at byte {offset}" if offset is not None else "") if event else "stream"
            self._fail(
                ChunkDecodeError(
                    f"{where}: {path}: {reason}",
                    path=path,
                    reason=reason,
                    event=event,
                    event_index=index,
                    offset=offset,
                )
            )
        key = deviation_key(rule, path)
        if key in self._counts:
            self._counts[key] += 1
        else:
            self._first[key] = Deviation(rule, path, message, index, offset)
            self._counts[key] = 1

    def _fail(self, error: GroqStreamError) -> NoReturn:
        self._error = error
        self.done = True
        raise error

    def feed(self, event: ServerSentEvent) -> List[ResponseStreamEvent]:
        """Decode one event: ``[typed event]``, or ``[]`` for ``[DONE]`` and what follows the end.

        Raises:
            ChunkDecodeError: the data is not a JSON object with a ``type``, a
                value has the wrong JSON type, or (``strict=True``) a deviation.
            StreamAPIError: the stream reported an error and reached its end
                (raised by the call after the terminal event).
        """
        decoded = self.decode_event(event)
        return [decoded] if decoded is not None else []

    def decode_event(self, event: ServerSentEvent) -> Optional[ResponseStreamEvent]:
        """Like ``feed``, returning the event or ``None`` (the hot path: no list)."""
        if self.done:
            if self._error is not None:
                raise self._error
            return None
        self.events_received += 1
        data = event.data
        try:
            obj = json.loads(data)
        except RecursionError:
            self._bad(event, "JSON nested too deeply")
        except ValueError as exc:
            if data.strip() == "[DONE]":
                self.done = True  # OpenRouter ends with it; without a terminal event, end() says the stream was cut
                return None
            self._bad(event, f"invalid JSON ({exc})")
        if type(obj) is not dict:
            self._bad(event, f"expected a JSON object, got {snippet(obj)}")
        kind = obj.get("type")
        name = event.event
        if type(kind) is not str:
            decoded = self._untyped(obj, event)
        else:
            if name != "message" and name != kind:
                self.record(EVENT_NAME_MISMATCH, "event", f"'event: {name}' with data of type {kind!r}", event)
            try:
                decoded = decode_event(obj)
            except ChunkDecodeError as exc:
                self._fail(self._located(exc, event))
        self._sequence(decoded.sequence_number, event)
        kind = decoded.type
        if kind == "error":
            if self.api_error is None:
                self.api_error = self._api_error(obj, event)
        elif kind in TERMINAL_EVENT_TYPES:
            self.terminal = kind
            self.done = True
            if kind == "response.failed" and self.api_error is None:
                response = obj.get("response")
                body = response.get("error") if type(response) is dict else None
                if body is None:
                    body = {"message": "the response failed (response.failed) without an error object"}
                self.api_error = self._api_error(body, event)
            if self.api_error is not None:
                self._error = self.api_error  # raised by the next call (the terminal event is yielded first)
        return decoded

    def _untyped(self, obj: Dict[str, Any], event: ServerSentEvent) -> ResponseStreamEvent:
        """An object without a string ``type``: typed by its ``event:`` line, or an error when it holds one."""
        name = event.event
        if name == "message" and obj.get("error"):
            name = "error"
        if name == "message":
            self._bad(event, f"no string 'type' in the event's data: {snippet(obj)}")
        self.record(TYPE_FROM_EVENT_NAME, "type", f"no 'type' in the data; read as {name!r} (its 'event:' line)", event)
        try:
            decoded = decode_event({"type": name, **obj})
        except ChunkDecodeError as exc:
            self._fail(self._located(exc, event))
        # to_dict() gives back what was sent: without the "type" read from the event line.
        decoded.__dict__["_present"] = tuple(obj)
        if "extra" not in decoded.__dict__:
            decoded.__dict__["extra"] = {}
        return decoded

    def _sequence(self, number: Optional[int], event: ServerSentEvent) -> None:
        if number is None:
            return
        previous = self._previous
        if previous is not None:
            if number == previous:
                self.record(SEQUENCE_DUPLICATE, "sequence_number", f"{number} again", event)
            elif number < previous:
                self.record(SEQUENCE_REGRESSION, "sequence_number", f"{number} after {previous}", event)
            elif number > previous + 1:
                self.record(SEQUENCE_GAP, "sequence_number", f"{number} after {previous}", event)
        self._previous = number
        if self.last_sequence_number is None or number > self.last_sequence_number:
            self.last_sequence_number = number

    def _located(self, error: ChunkDecodeError, event: ServerSentEvent) -> ChunkDecodeError:
        index = self.events_received - 1
        where = f"event #{index}" + (f" at byte {event.offset}" if event.offset is not None else "")
        return ChunkDecodeError(
            f"{where}: {error}",
            path=error.path,
            reason=error.reason,
            event=event,
            event_index=index,
            offset=event.offset,
        )

    def _bad(self, event: ServerSentEvent, reason: str) -> NoReturn:
        self._fail(self._located(ChunkDecodeError(f"{reason}: {snippet(event.data)}", reason=reason), event))

    def _api_error(self, body: Any, event: ServerSentEvent) -> StreamAPIError:
        message, kind, code = _error_fields(body)
        if type(body) is dict and type(body.get("error")) is dict:
            body = body["error"]
        index = self.events_received - 1
        where = f"in event #{index}" + (f" at byte {event.offset}" if event.offset is not None else "")
        return StreamAPIError(message, type=kind, code=code, body=body, event=event, where=where)

    def end(
        self,
        *,
        bytes_received: Optional[int] = None,
        pending_bytes: Optional[int] = None,
        unterminated: Optional[ServerSentEvent] = None,
    ) -> List[ResponseStreamEvent]:
        """Mark the end of input and decide whether the stream is complete (the keywords of ``ChunkDecoder.end``).

        Args:
            bytes_received: the stream's size in bytes, when the caller knows it (for the error).
            pending_bytes: bytes of an unterminated last event that were discarded (for the error).
            unterminated: that event, as a blank line would have dispatched it
                (``SSEDecoder.unterminated``). A whole terminal event
                (``response.completed``, ``.incomplete``, ``.failed``) without
                its blank line is read as that event, recorded as
                ``unterminated-terminal`` (as chat reads an unterminated
                ``data: [DONE]``); ``strict=True`` refuses it.

        Returns:
            ``[that terminal event]`` when it was read, else ``[]``. After a
            ``response.failed`` (or an earlier ``error`` event) ``error`` is
            then set: hand the event on, then raise it (the next call does).

        Raises:
            StreamAPIError: the stream reported an error (whether or not its terminal event came).
            IncompleteStreamError: the input ended before a terminal event.
            ChunkDecodeError: the unterminated terminal event has a value of the wrong type, or ``strict=True``.
        """
        if self._error is not None and self._error is not self.api_error:
            raise self._error
        if not self.done and unterminated is not None and is_terminal_data(unterminated.data):
            decoded = self.decode_event(unterminated)
            if decoded is not None:
                what = f"{decoded.type} without the blank line that ends an event, at the end of the input"
                self.record(UNTERMINATED_TERMINAL, "", f"{what}; read as the end", unterminated)
                return [decoded]
        if self.api_error is not None:
            self._fail(self.api_error)
        if self.terminal is None:
            self._fail(incomplete_error(self.events_received, bytes_received, pending_bytes))
        self.done = True
        return []


def is_terminal_data(data: str) -> bool:
    """Whether *data* is a whole JSON terminal event (cheap checks first: it is the input's last event)."""
    if "response." not in data:
        return False
    try:
        obj = json.loads(data)
    except (ValueError, RecursionError):
        return False  # a cut event: the stream was cut
    return type(obj) is dict and obj.get("type") in TERMINAL_EVENT_TYPES


def incomplete_error(
    events: int, bytes_received: Optional[int] = None, pending_bytes: Optional[int] = None
) -> IncompleteStreamError:
    """``IncompleteStreamError`` for a Responses stream that ended without its terminal event."""
    error = IncompleteStreamError(chunks_received=events, bytes_received=bytes_received, pending_bytes=pending_bytes)
    size = f" and {count(bytes_received, 'byte')}" if bytes_received is not None else ""
    tail = ""
    if pending_bytes:
        verb = "was" if pending_bytes == 1 else "were"
        tail = f"; {count(pending_bytes, 'byte')} of an unterminated event {verb} discarded"
    error.args = (
        "stream ended without a terminal event (response.completed, response.incomplete or response.failed) "
        f"after {count(events, 'event')}{size}{tail}",
    )
    return error


# --- the accumulator ---------------------------------------------------------------------------

# The item an event implies when its output_item.added never came (missing-item-added).
_IMPLIED_ITEMS: Dict[str, Dict[str, Any]] = {
    "output_text": {"type": "message", "status": "in_progress", "role": "assistant", "content": []},
    "refusal": {"type": "message", "status": "in_progress", "role": "assistant", "content": []},
    "content_part": {"type": "message", "status": "in_progress", "role": "assistant", "content": []},
    "function_call_arguments": {"type": "function_call", "status": "in_progress", "arguments": ""},
    "custom_tool_call_input": {"type": "custom_tool_call", "input": ""},
    "mcp_call_arguments": {"type": "mcp_call", "status": "in_progress", "arguments": ""},
    "reasoning_summary_part": {"type": "reasoning", "summary": []},
    "reasoning_summary_text": {"type": "reasoning", "summary": []},
    "reasoning_text": {"type": "reasoning", "summary": [], "content": []},
    "code_interpreter_call_code": {"type": "code_interpreter_call", "status": "in_progress", "code": ""},
}

# Which text a delta/done event builds: (the item's list key, the part's key), or (None, the item's key).
_TEXT_TARGETS: Dict[str, Tuple[Optional[str], str, str]] = {
    # family: (list key in the item, key in the part or item, part type for a provisional part)
    "output_text": ("content", "text", "output_text"),
    "refusal": ("content", "refusal", "refusal"),
    "reasoning_text": ("content", "text", "reasoning_text"),
    "reasoning_summary_text": ("summary", "text", "summary_text"),
    "function_call_arguments": (None, "arguments", ""),
    "custom_tool_call_input": (None, "input", ""),
    "mcp_call_arguments": (None, "arguments", ""),
    "code_interpreter_call_code": (None, "code", ""),
}
_DONE_KEYS = {"output_text": "text", "refusal": "refusal", "reasoning_text": "text", "reasoning_summary_text": "text"}
_TOOL_ITEMS = frozenset({"function_call", "custom_tool_call", "mcp_call"})


class _Item:
    """One output item being built: its latest full form, and the texts its deltas built since."""

    __slots__ = ("done", "form", "texts")

    def __init__(self, form: Dict[str, Any]) -> None:
        self.form = form  # the JSON of the item (added, provisional, or done)
        self.done = False
        self.texts: Dict[Tuple[Optional[str], int, str], _Text] = {}  # (list key, index, key) -> pieces


class ResponseAccumulator:
    """Merge the events of a Responses stream into the final ``Response`` (sans I/O).

    ``add(event)`` merges one event and returns the semantic events it caused,
    in the chat accumulator's vocabulary, with ``index`` the item's
    ``output_index``: ``ContentDelta``/``ContentDone`` (output text),
    ``ReasoningDelta``/``ReasoningDone`` (summaries and raw reasoning text),
    ``ToolCallArgumentsDelta``/``ToolCallDone`` (function, custom and MCP
    calls; ``tool_index`` is the ``output_index`` too), ``Usage`` (mapped to
    ``CompletionUsage``: input → prompt, output → completion tokens) and
    ``FinishReason`` (``"stop"``, ``"tool_calls"``, ``"length"`` for
    ``max_output_tokens``, the incomplete reason otherwise; ``"failed"``).

    Args:
        strict: refuse the item-level deviations (``missing-item-added``, ...)
            with ``ChunkDecodeError`` instead of recording them.
        decoder: the stream's ``ResponseEventDecoder``, to record deviations
            with its positions and strictness; by default the accumulator
            has its own (``deviations``).
    """

    def __init__(self, *, strict: bool = False, decoder: Optional[ResponseEventDecoder] = None) -> None:
        self._decoder = decoder if decoder is not None else ResponseEventDecoder(strict=strict)
        self._items: Dict[int, _Item] = {}
        self._snapshot: Optional[Dict[str, Any]] = None  # the latest response object sent
        self._terminal: Optional[str] = None
        self._built: Optional[Response] = None
        self._notes: List[Deviation] = []
        self.events_added = 0
        """How many events were merged."""

    @property
    def deviations(self) -> List[Deviation]:
        """The deviations recorded (shared with the stream's decoder when the stream made this accumulator)."""
        return self._decoder.deviations

    @property
    def notes(self) -> List[Deviation]:
        """Where the server's own events disagree (``text-changed``, ``call-id-changed``, ``output-changed``).

        Never raised and never refused by ``strict=True``: the later event wins.
        """
        return list(self._notes)

    def _note(self, rule: str, path: str, message: str, event: ResponseStreamEvent) -> None:
        if len(self._notes) < 100:  # bounded: a hostile stream could disagree with itself on every event
            self._notes.append(Deviation(rule, path, message, self.events_added - 1, None))

    def add(self, event: ResponseStreamEvent) -> List[AccumulatorEvent]:
        """Merge one event; return the semantic events it caused (often none)."""
        self.events_added += 1
        self._built = None
        kind = event.type
        if not kind.startswith("response."):
            return []
        family, _, step = kind[9:].rpartition(".")
        if kind in TERMINAL_EVENT_TYPES or (step in ("created", "in_progress", "queued") and not family):
            return self._snapshot_event(event, kind)
        output_index = getattr(event, "output_index", None)
        if type(output_index) is not int:
            if "output_index" in event.__dict__ or hasattr(event, "item_id"):
                self._decoder.record(NO_OUTPUT_INDEX, "output_index", f"{kind} without output_index")
            return []
        out: List[AccumulatorEvent] = []
        if family == "output_item":
            self._item_event(event, output_index, step, out)
        elif family in ("content_part", "reasoning_summary_part"):
            self._part_event(event, output_index, family, step)
        elif family in _TEXT_TARGETS:
            self._text_event(event, output_index, family, step, out)
        elif family == "output_text.annotation" and step == "added":
            self._annotation(event, output_index)
        return out

    # -- snapshots and the end

    def _snapshot_event(self, event: ResponseStreamEvent, kind: str) -> List[AccumulatorEvent]:
        response = getattr(event, "response", None)
        if response is not None:
            self._snapshot = response.to_dict()
        if kind not in TERMINAL_EVENT_TYPES:
            return []
        self._terminal = kind
        out: List[AccumulatorEvent] = []
        final = self.response
        if final.usage is not None:
            from ..types import CompletionUsage

            usage = final.usage
            out.append(
                Usage(
                    CompletionUsage(
                        prompt_tokens=usage.input_tokens or 0,
                        completion_tokens=usage.output_tokens or 0,
                        total_tokens=usage.total_tokens or 0,
                    )
                )
            )
        if kind == "response.completed":
            tools = any(item.type in _TOOL_ITEMS for item in final.output or ())
            reason = "tool_calls" if tools else "stop"
        elif kind == "response.incomplete":
            details = final.incomplete_details
            why = details.reason if details is not None else None
            reason = "length" if why in (None, "max_output_tokens") else str(why)
        else:
            reason = "failed"
        out.append(FinishReason(0, reason))
        return out

    # -- items

    def _get(self, output_index: int, family: str, event: ResponseStreamEvent) -> _Item:
        item = self._items.get(output_index)
        if item is None:
            form = copy_json(_IMPLIED_ITEMS.get(family, {"type": family}))
            item_id = getattr(event, "item_id", None)
            if item_id is not None:
                form = {"id": item_id, **form}
            self._decoder.record(
                MISSING_ITEM_ADDED,
                f"output[{output_index}]",
                f"{event.type} for an item never added; made a {form['type']}",
            )
            item = self._items[output_index] = _Item(form)
        return item

    def _item_event(
        self, event: ResponseStreamEvent, output_index: int, step: str, out: List[AccumulatorEvent]
    ) -> None:
        item_obj = getattr(event, "item", None)
        if item_obj is None:
            self._decoder.record(NULL_ITEM, "item", f"{event.type} with a null item at output_index {output_index}")
            return
        form = item_obj.to_dict()
        previous = self._items.get(output_index)
        if step == "added":
            self._items[output_index] = _Item(form)
            return
        if step != "done":
            return
        if previous is None:
            self._decoder.record(
                MISSING_ITEM_ADDED, f"output[{output_index}]", "response.output_item.done for an item never added"
            )
        else:
            self._compare(previous, form, output_index, event)
        done = self._items[output_index] = _Item(form)
        done.done = True
        self._done_events(output_index, item_obj, out)

    def _compare(self, previous: _Item, form: Dict[str, Any], output_index: int, event: ResponseStreamEvent) -> None:
        """Note where the item's done form disagrees with what its added form and deltas said."""
        before, after = previous.form.get("call_id"), form.get("call_id")
        if before is not None and after is not None and before != after:
            self._note(CALL_ID_CHANGED, f"output[{output_index}].call_id", f"{before!r} became {after!r}", event)
        for (list_key, _, key), text in previous.texts.items():
            if list_key is None and isinstance(form.get(key), str) and str(text) != form[key]:
                message = f"the deltas made {snippet(str(text))}, the done item says {snippet(form[key])}"
                self._note(TEXT_CHANGED, f"output[{output_index}].{key}", message, event)

    def _done_events(self, output_index: int, item: Any, out: List[AccumulatorEvent]) -> None:
        kind = item.type
        if kind == "message":
            text = "".join(getattr(p, "text", None) or "" for p in item.content or () if p.type == "output_text")
            if text:
                out.append(ContentDone(output_index, text))
        elif kind == "reasoning":
            parts = [*(item.summary or ()), *(item.content or ())]
            text = "".join(getattr(p, "text", None) or "" for p in parts)
            out.append(ReasoningDone(output_index, text))
        elif kind in _TOOL_ITEMS:
            from ..types import ChatCompletionMessageToolCall, ChatCompletionMessageToolCallFunction

            arguments = getattr(item, "arguments", None) if kind != "custom_tool_call" else item.input
            call = ChatCompletionMessageToolCall(
                id=getattr(item, "call_id", None) or item.id or "",
                function=ChatCompletionMessageToolCallFunction(arguments=arguments or "", name=item.name or ""),
                type="function" if kind != "custom_tool_call" else "custom",
            )
            out.append(ToolCallDone(output_index, output_index, call))

    # -- parts, text, annotations

    def _part_list(self, item: _Item, list_key: str, index: int, part_type: str, event: ResponseStreamEvent) -> Any:
        parts = item.form.get(list_key)
        if type(parts) is not list:
            parts = item.form[list_key] = []
        if index >= len(parts) or type(parts[index]) is not dict:
            path = f"output[{event.__dict__.get('output_index')}].{list_key}[{index}]"
            self._decoder.record(MISSING_PART_ADDED, path, f"{event.type} for a part never added")
            while len(parts) <= index:
                parts.append(None)
            parts[index] = (
                {"type": part_type, "text": ""} if part_type != "refusal" else {"type": "refusal", "refusal": ""}
            )
            if part_type == "output_text":
                parts[index]["annotations"] = []
        return parts

    def _part_event(self, event: ResponseStreamEvent, output_index: int, family: str, step: str) -> None:
        item = self._get(output_index, family, event)
        part = getattr(event, "part", None)
        list_key, index_key = ("content", "content_index") if family == "content_part" else ("summary", "summary_index")
        index = getattr(event, index_key, None)
        if part is None or type(index) is not int or index < 0 or index > 100000:
            return
        parts = item.form.get(list_key)
        if type(parts) is not list:
            parts = item.form[list_key] = []
        while len(parts) <= index:
            parts.append(None)
        parts[index] = part.to_dict()
        if step == "done":  # the part's done form replaces what its deltas built
            for key in [k for k in item.texts if k[0] == list_key and k[1] == index]:
                del item.texts[key]

    def _text_event(
        self, event: ResponseStreamEvent, output_index: int, family: str, step: str, out: List[AccumulatorEvent]
    ) -> None:
        item = self._get(output_index, family, event)
        list_key, key, part_type = _TEXT_TARGETS[family]
        index = -1
        if list_key is not None:
            index = getattr(event, "summary_index" if list_key == "summary" else "content_index", None)  # type: ignore[assignment]
            if type(index) is not int or index < 0 or index > 100000:
                return
            self._part_list(item, list_key, index, part_type, event)
        slot = (list_key, index, key)
        text = item.texts.get(slot)
        if step == "delta":
            delta = getattr(event, "delta", None)
            if not isinstance(delta, str) or not delta:
                return
            if text is None:
                text = item.texts[slot] = _Text()
            text.pieces.append(delta)
            count_ = len(text.pieces)
            if family == "output_text":
                out.append(ContentDelta(output_index, delta, text, count_))
            elif family in ("reasoning_text", "reasoning_summary_text"):
                out.append(ReasoningDelta(output_index, delta, text, count_))
            # A refusal has no semantic event (the chat vocabulary has none: see docs/responses.md).
            elif family != "refusal" and family != "code_interpreter_call_code":
                name = item.form.get("name")
                out.append(
                    ToolCallArgumentsDelta(
                        output_index, output_index, name if isinstance(name, str) else None, delta, text, count_
                    )
                )
        elif step == "done":
            final = getattr(event, _DONE_KEYS.get(family, key), None)
            if not isinstance(final, str):
                return
            if text is not None and str(text) != final:
                where = f"output[{output_index}]" + (f".{list_key}[{index}]" if list_key else "") + f".{key}"
                self._note(
                    TEXT_CHANGED, where, f"the deltas made {snippet(str(text))}, done says {snippet(final)}", event
                )
            done = item.texts[slot] = _Text()
            done.pieces.append(final)

    def _annotation(self, event: ResponseStreamEvent, output_index: int) -> None:
        item = self._get(output_index, "output_text", event)
        annotation = getattr(event, "annotation", None)
        index = getattr(event, "content_index", None)
        if annotation is None or type(index) is not int or index < 0 or index > 100000:
            return
        parts = self._part_list(item, "content", index, "output_text", event)
        annotations = parts[index].get("annotations")
        if type(annotations) is not list:
            annotations = parts[index]["annotations"] = []
        annotations.append(annotation.to_dict())

    # -- building

    @staticmethod
    def _build_item(item: _Item) -> Dict[str, Any]:
        if not item.texts:
            return item.form
        form: Dict[str, Any] = copy_json(item.form)
        for (list_key, index, key), text in item.texts.items():
            if list_key is None:
                form[key] = str(text)
            else:
                parts = form.get(list_key)
                if type(parts) is list and index < len(parts) and type(parts[index]) is dict:
                    parts[index][key] = str(text)
        return form

    def _built_output(self) -> List[Any]:
        return [self._build_item(self._items[index]) for index in sorted(self._items)]

    @property
    def response(self) -> Response:
        """The ``Response`` so far: the terminal one when it came, else the latest snapshot with the items built.

        Built when first read after an ``add`` (then cached).
        """
        if self._built is not None:
            return self._built
        base: Dict[str, Any] = copy_json(self._snapshot) if self._snapshot is not None else {}
        output = base.get("output")
        if self._terminal is not None and type(output) is list and output:
            if self._items and len(output) != len(self._items):
                self._notes.append(
                    Deviation(
                        OUTPUT_CHANGED,
                        "response.output",
                        f"the terminal output has {count(len(output), 'item')}, the stream built {len(self._items)}",
                    )
                )
        elif self._items:
            if self._terminal is not None:
                self._decoder.record(
                    EMPTY_TERMINAL_OUTPUT,
                    "response.output",
                    f"{self._terminal} with {'null' if output is None else 'empty'} output after "
                    f"{count(len(self._items), 'streamed item')}",
                )
            base["output"] = [form for form in self._built_output() if form is not None]
        elif "output" not in base and self._snapshot is None:
            base["output"] = []
        self._built = Response.from_dict(base)
        return self._built


# --- bytes in, events out ----------------------------------------------------------------------


class ResponseStreamDecoder:
    """Bytes in, typed Responses events out: an ``SSEDecoder`` feeding a ``ResponseEventDecoder``.

    ``feed`` returns a lazy iterator (one typed event exists at a time); check
    ``done`` after taking its events, and ``flush`` at the end of input.
    """

    def __init__(
        self,
        *,
        max_event_bytes: int = DEFAULT_MAX_EVENT_BYTES,
        unicode_errors: str = "replace",
        strict: bool = False,
    ) -> None:
        self.sse = SSEDecoder(max_event_bytes=max_event_bytes, unicode_errors=unicode_errors)
        self.events = ResponseEventDecoder(strict=strict)

    @property
    def done(self) -> bool:
        """True once the terminal event, ``[DONE]`` or an error was seen."""
        return self.events.done

    def feed(self, data: bytes) -> Iterator[ResponseStreamEvent]:
        """Decode more bytes; iterate the events they completed."""
        if self.events.error is not None:
            raise self.events.error
        return filter(None, map(self.events.decode_event, self.sse.feed(data)))

    def flush(self) -> Iterable[ResponseStreamEvent]:
        """End of input: ``[]``, or the whole terminal event an unterminated last event is (``unterminated-terminal``).

        Raises what is pending (``StreamAPIError``, ``IncompleteStreamError``);
        after an unterminated ``response.failed``, once its event has been taken.
        """
        decoder = self.events
        if decoder.done:
            return decoder.end()  # raises what an error event or response.failed reported
        # Only an unterminated event's data is lost at the end; a comment or a field without data is not.
        pending = self.sse.pending_bytes if self.sse.pending_data else 0
        received = self.sse.bytes_received
        self.sse.flush()
        events = decoder.end(bytes_received=received, pending_bytes=pending, unterminated=self.sse.unterminated)
        error = decoder.error
        return _then_raise(events, error) if events and error is not None else events


def _then_raise(events: List[ResponseStreamEvent], error: GroqStreamError) -> Iterator[ResponseStreamEvent]:
    """*events*, then *error*: a failed stream's terminal event is yielded before its error is raised."""
    yield from events
    raise error
