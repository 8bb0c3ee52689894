"""ChatCompletionAccumulator: merge chunk deltas into the final ChatCompletion.

Theory of operation
-------------------
A streamed completion arrives as deltas; the accumulator keeps one mutable
``_ChoiceState`` per choice ``index`` (choices may arrive in any order, and
``choices: []`` chunks carry only usage) plus the completion-wide fields.
``add(chunk)`` merges one chunk and returns the semantic events it caused;
``completion`` builds the frozen ``ChatCompletion`` snapshot from the state,
at most once per ``add`` (it is cached until the next one). Each rule below is
tested in tests/test_accumulate.py; docs/accumulation.md says which provider
needs which.

Text:

* ``content``, ``reasoning``, ``reasoning_content`` and ``refusal``
  concatenate, each into the message field of the same name. They are kept
  as lists of pieces and joined only when read, so merging costs O(1) per
  delta however long the text grows; an event's ``snapshot`` is joined only
  if you read it.
* Reasoning events (``ReasoningDelta``/``ReasoningDone``) follow the
  reasoning whatever key carried it (``ChoiceDelta.reasoning_text``): one
  piece per delta, so a server that sends the same text under two keys
  (OpenRouter's ``reasoning`` and ``reasoning_details``) is not doubled.
* Content parts (Mistral): consecutive parts of one type merge (text with
  text, thinking with thinking), string content counts as a text part; the
  message's ``content`` is the text, ``content_parts`` the merged parts.
* ``reasoning_details`` (OpenRouter) merge by their ``index``: ``text``,
  ``summary``, ``data`` and ``signature`` concatenate; ``type``, ``format``
  and ``id`` come from the first fragment that has them.
* ``role`` is set once, by the first delta that has one.

Tool calls merge by their ``index`` (a dict, not list position, so sparse and
non-zero starts work). A fragment without one has had it inferred by the
stream decoder (a new ``id`` starts a new call, no ``id`` continues the last:
see ``types/chunk.py``), so every fragment has one here.

* ``id``, ``type`` and ``function.name`` are taken from the first fragment
  that has them; ``function.arguments`` fragments concatenate.
* A fragment that names its call's ``id`` again and whose arguments start
  with all the arguments so far re-sends the call whole (or as a longer
  snapshot): only what is new is added, so arguments never double.
* A tool call is *done* when a new tool index starts in the same choice, or
  when the choice finishes.

Snapshots and the rest:

* ``executed_tools`` entries are snapshots re-sent under the same ``index``
  (Groq sends a compound tool once when it starts and again with its output):
  the later replaces the earlier. ``annotations`` likewise, keyed by their
  ``index`` key when they have one, else by their position in the delta's list.
* Logprobs ``content`` and ``refusal`` lists extend in order; a list that was
  ``null`` in every chunk stays ``null``.
* ``finish_reason``: the last non-null value per choice.
* Usage: the last non-null report, from the chunk's top-level ``usage`` or
  else ``x_groq.usage`` (Groq sends the same totals in both places, vLLM and
  Perplexity a running total on every chunk): never summed. It becomes the
  completion's ``usage``. Moonshot/Kimi's ``choices[].usage`` has been read
  as the chunk's ``usage`` by the stream decoder (``usage-in-choice``), so it
  is not carried in the choice's ``extra``.
* ``x_groq``: ``id`` and ``seed`` from the first chunk that has them,
  ``debug`` and ``error`` from the latest; ``usage_breakdown`` becomes the
  completion's top-level field, as in Groq's non-streaming response.
* ``id``, ``created``, ``model`` and ``system_fingerprint``: the first chunk's
  that is not empty (compound models change ``id`` mid-stream, the last one
  can be ``"stub"``; Azure's first chunk, a prompt filter report, has
  ``""``, ``0`` and ``""``); ``service_tier``: the latest non-null.
* Unknown keys (``extra``) are never concatenated: for each key the latest
  value wins, on the message, the choice and the completion, except that
  ``null``, ``{}`` and ``[]`` never replace an earlier value (OpenAI's
  trailing ``"moderation": null``, Azure's last ``content_filter_results: {}``).
  What describes one chunk rather than the answer is not carried: OpenAI's
  padding ``obfuscation``, Together's per-token ``delta.token_id`` and
  ``choices[].text``, and a key that names a field the finished object builds
  itself (Writer's per-chunk ``choices[].message``). Top-level
  ``usage_breakdown`` and ``mcp_list_tools`` become the completion's fields.
* The finished message writes the keys the provider's own non-streaming
  response has: ``refusal`` when the choice's first delta had the key (OpenAI
  sends ``"refusal": null``), the logprobs keys its first logprobs object sent
  as ``null``.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Any, Dict, FrozenSet, Iterable, List, Optional, Tuple, Union

from ..types import (
    Annotation,
    ChatCompletion,
    ChatCompletionChoice,
    ChatCompletionChunk,
    ChatCompletionMessage,
    ChatCompletionMessageToolCall,
    ChatCompletionMessageToolCallFunction,
    ChatCompletionTokenLogprob,
    ChatCompletionXGroq,
    Choice,
    ChoiceDelta,
    ChoiceDeltaToolCall,
    ChoiceLogprobs,
    CompletionUsage,
    ContentPart,
    ExecutedTool,
    FunctionCall,
    McpListTool,
    ReasoningDetail,
    UsageBreakdown,
    XGroq,
)
from ..types.wire import _Invalid, copy_json, keep_nulls
from .errors import GroqStreamError, InvalidJSONError

__all__ = [
    "AccumulatorEvent",
    "ChatCompletionAccumulator",
    "ContentDelta",
    "ContentDone",
    "ExecutedToolUpdate",
    "FinishReason",
    "ReasoningDelta",
    "ReasoningDone",
    "ToolCallArgumentsDelta",
    "ToolCallDone",
    "Usage",
    "accumulate",
]


class _Text:
    """Append-only text kept as pieces; joins happen only when read, and are cached."""

    __slots__ = ("_joined", "_joined_count", "_parsed_count", "_parser", "_partial", "pieces")

    def __init__(self) -> None:
        self.pieces: List[str] = []
        self._joined = ""
        self._joined_count = 0
        self._parser: Optional[Any] = None  # a PartialJSON, made when a partial value is first asked for
        self._parsed_count = 0  # pieces fed to it
        self._partial: Any = None  # what its last successful feed returned

    def partial_json(self, count: int) -> Any:
        """The first *count* pieces read as partial JSON (``PartialJSON``'s rules), parsing only what is new.

        The value grows in place, so asking for an older count after a newer one
        gives the newer value; after invalid JSON it stays the last valid value.
        It is what ``PartialJSON.feed`` returned, not ``PartialJSON.value``:
        ``value`` joins an open string whole on every read (quadratic when read
        on every event of a long string), ``feed`` shows a long one in bounded
        steps, and whole once it ends.
        """
        parser = self._parser
        if parser is None:
            from .partial_json import PartialJSON  # here: a stream that never asks needs none of it

            parser = self._parser = PartialJSON()
        if count > self._parsed_count:
            new, self._parsed_count = self.pieces[self._parsed_count : count], count
            try:
                for piece in new:
                    self._partial = parser.feed(piece)
            except InvalidJSONError:
                self._parsed_count = sys.maxsize  # never fed again: the value stays as it was
        return self._partial

    def prefix(self, count: int) -> str:
        """The text made of the first *count* pieces."""
        if count == self._joined_count:
            return self._joined
        if count > self._joined_count:
            self._joined += "".join(self.pieces[self._joined_count : count])
            self._joined_count = count
            return self._joined
        return "".join(self.pieces[:count])  # an old snapshot read late

    def __str__(self) -> str:
        return self.prefix(len(self.pieces))


# --- semantic events --------------------------------------------------------------


@dataclass(frozen=True)
class _TextDelta:
    index: int
    """The choice."""
    delta: str
    """The new text (never empty)."""
    _text: _Text = field(repr=False, compare=False)
    _count: int = field(repr=False, compare=False)

    @property
    def snapshot(self) -> str:
        """All of the choice's text of this kind up to and including this delta (joined when first read)."""
        return self._text.prefix(self._count)


@dataclass(frozen=True)
class ContentDelta(_TextDelta):
    """A piece of assistant text arrived for choice ``index``; ``snapshot`` is the text so far."""

    @property
    def partial(self) -> Any:
        """The text so far read as partial JSON, for an answer in JSON mode (``response_format``); see ``PartialJSON``.

        Parsed only when first read, and then only what is new (linear work, a
        long open string shown in bounded steps): read it as the events come.
        ``None`` until a value has begun; an answer that is not JSON stays at
        its last valid value (``None`` if it never began).
        """
        return self._text.partial_json(self._count)


@dataclass(frozen=True)
class ReasoningDelta(_TextDelta):
    """A piece of reasoning arrived for choice ``index``; ``snapshot`` is the reasoning so far."""


@dataclass(frozen=True)
class ContentDone:
    """Choice ``index`` finished with this text (sent with the finish reason, when there was text)."""

    index: int
    """The choice."""
    content: str
    """The whole text."""


@dataclass(frozen=True)
class ReasoningDone:
    """Choice ``index`` finished reasoning: content or a tool call started, or the choice finished."""

    index: int
    """The choice."""
    reasoning: str
    """The whole reasoning text."""


@dataclass(frozen=True)
class ToolCallArgumentsDelta:
    """A fragment of a tool call's arguments arrived."""

    index: int
    """The choice."""
    tool_index: int
    """The tool call's ``index``."""
    name: Optional[str]
    """The function name, once known."""
    delta: str
    """The new fragment (never empty)."""
    _text: _Text = field(repr=False, compare=False)
    _count: int = field(repr=False, compare=False)

    @property
    def arguments(self) -> str:
        """All of the arguments so far, this fragment included (joined when first read)."""
        return self._text.prefix(self._count)

    @property
    def partial(self) -> Any:
        """The arguments so far as a JSON value, as far as it is certain (``PartialJSON``'s rules).

        Strings grow (one open past 4 KiB in bounded steps, whole once it ends),
        numbers and literals appear once complete, a key with its value. Parsed
        only when first read, and then only what is new (linear work), so read
        it as the events come; the value grows in place (copy it to keep one).
        Arguments that turn out not to be JSON stay at their last valid value:
        ``ToolCallDone.parsed_arguments()`` says what is wrong.
        """
        return self._text.partial_json(self._count)


@dataclass(frozen=True)
class ToolCallDone:
    """A tool call is complete: a new tool index started in the choice, or the choice finished."""

    index: int
    """The choice."""
    tool_index: int
    """The tool call's ``index``."""
    tool_call: ChatCompletionMessageToolCall
    """The complete tool call."""

    def parsed_arguments(self) -> Any:
        """The call's arguments parsed as JSON, strictly (``tool_call.function.parsed_arguments()``).

        Raises:
            InvalidJSONError: they are not one valid JSON value (cut short, or invalid), with the position.
        """
        return self.tool_call.function.parsed_arguments()


@dataclass(frozen=True)
class ExecutedToolUpdate:
    """A compound model reported a server-side tool (started, or finished with ``output``)."""

    index: int
    """The choice."""
    tool_index: int
    """The executed tool's ``index``."""
    executed_tool: ExecutedTool
    """Its latest state."""


@dataclass(frozen=True)
class FinishReason:
    """Choice ``index`` finished."""

    index: int
    """The choice."""
    finish_reason: str
    """Why (``"stop"``, ``"length"``, ``"tool_calls"``, ...)."""


@dataclass(frozen=True)
class Usage:
    """Token usage arrived (or changed); it replaces any earlier report."""

    usage: CompletionUsage
    """The usage of the whole request."""


AccumulatorEvent = Union[
    ContentDelta,
    ReasoningDelta,
    ContentDone,
    ReasoningDone,
    ToolCallArgumentsDelta,
    ToolCallDone,
    ExecutedToolUpdate,
    FinishReason,
    Usage,
]
"""Any event ``ChatCompletionAccumulator.add`` returns."""


# --- state --------------------------------------------------------------------------

# Unknown keys that describe one chunk, not the answer, and mean nothing once the stream is over:
# OpenAI's padding; Together's token id on each delta and each token's text on each choice.
_PER_CHUNK_KEYS: FrozenSet[str] = frozenset({"obfuscation"})
_PER_TOKEN_DELTA_KEYS: FrozenSet[str] = frozenset({"token_id"})
_PER_TOKEN_CHOICE_KEYS: FrozenSet[str] = frozenset({"text"})
# Moonshot's usage inside a choice: the chunk's usage (see types/chunk.py, Choice._misplaced), not the choice's.
_MOVED_CHOICE_KEYS: FrozenSet[str] = frozenset({"usage"})
# Top-level chunk keys outside the chunk's schema that are fields of the finished completion.
_COMPLETION_KEYS: Tuple[str, ...] = ("usage_breakdown", "mcp_list_tools")
# Keys of a choice or delta that the finished choice or message builds itself.
_CHOICE_SKIP: FrozenSet[str] = frozenset(ChatCompletionChoice._convert) | _PER_TOKEN_CHOICE_KEYS | _MOVED_CHOICE_KEYS
_MESSAGE_SKIP: FrozenSet[str] = frozenset(ChatCompletionMessage._convert) | _PER_TOKEN_DELTA_KEYS
_DETAIL_TEXTS = ("text", "summary", "data", "signature")  # reasoning-detail fields that concatenate
_DETAIL_FIRST = ("type", "format", "id")  # ... and those the first fragment sets


def _merge_extra(target: Dict[str, Any], extra: Dict[str, Any], skip: FrozenSet[str]) -> None:
    """Take the latest value of each unknown key, but never let null, {} or [] replace an earlier one."""
    for key, value in extra.items():
        if key in skip:
            continue
        if key in target and (value is None or (type(value) in (dict, list) and not value)):
            continue
        target[key] = value


class _ToolCallState:
    __slots__ = ("arguments", "done", "extra", "function_extra", "id", "length", "name", "type")

    def __init__(self) -> None:
        self.id: Optional[str] = None
        self.type: Optional[str] = None
        self.name: Optional[str] = None
        self.arguments = _Text()
        self.length = 0  # of the arguments so far, without joining them
        self.extra: Dict[str, Any] = {}
        self.function_extra: Dict[str, Any] = {}
        self.done = False

    def build(self) -> ChatCompletionMessageToolCall:
        function = ChatCompletionMessageToolCallFunction(
            arguments=str(self.arguments), name=self.name or "", extra=dict(self.function_extra)
        )
        return ChatCompletionMessageToolCall(
            id=self.id or "", function=function, type=self.type or "function", extra=dict(self.extra)
        )


class _PartState:
    """One merged content part: its type, its text in pieces, and the latest of its unknown keys."""

    __slots__ = ("extra", "original", "pieces", "type")

    def __init__(self, kind: str, original: Optional[ContentPart] = None) -> None:
        self.type = kind
        self.pieces: List[str] = []
        self.extra: Dict[str, Any] = {}
        self.original = original  # a part of another type, kept as it came

    def build(self) -> ContentPart:
        if self.original is not None:
            return self.original
        text = "".join(self.pieces)
        if self.type == "thinking":
            inner = [ContentPart(type="text", text=text)]
            return ContentPart(type="thinking", thinking=inner, extra=dict(self.extra))
        return ContentPart(type="text", text=text, extra=dict(self.extra))


class _ChoiceState:
    __slots__ = (
        "annotations",
        "choice_extra",
        "content",
        "content_seen",
        "details",
        "executed_tools",
        "finish_reason",
        "function_arguments",
        "function_name",
        "logprobs_content",
        "logprobs_extra",
        "logprobs_nulls",
        "logprobs_refusal",
        "logprobs_seen",
        "message_extra",
        "message_nulls",
        "open_tool",
        "parts",
        "reasoning",
        "reasoning_content",
        "reasoning_content_seen",
        "reasoning_done",
        "reasoning_seen",
        "refusal",
        "refusal_seen",
        "role",
        "thought",
        "tool_calls",
    )

    def __init__(self) -> None:
        self.role: Optional[str] = None
        self.content = _Text()
        self.content_seen = False  # a non-null content arrived (even ""): the message has content
        self.parts: Optional[List[_PartState]] = None  # once typed content parts arrive
        self.reasoning = _Text()
        self.reasoning_seen = False
        self.reasoning_content = _Text()
        self.reasoning_content_seen = False
        self.thought = _Text()  # the reasoning whatever its key: what the events report
        self.reasoning_done = False
        self.refusal = _Text()
        self.refusal_seen = False
        self.details: Dict[Any, Dict[str, Any]] = {}
        self.tool_calls: Dict[int, _ToolCallState] = {}
        self.open_tool: Optional[int] = None
        self.executed_tools: Dict[int, ExecutedTool] = {}
        self.annotations: Dict[int, Annotation] = {}
        self.function_name: Optional[str] = None
        self.function_arguments: Optional[_Text] = None
        self.logprobs_seen = False
        self.logprobs_content: Optional[List[ChatCompletionTokenLogprob]] = None
        self.logprobs_refusal: Optional[List[ChatCompletionTokenLogprob]] = None
        self.logprobs_nulls: Tuple[str, ...] = ()
        self.logprobs_extra: Dict[str, Any] = {}
        self.finish_reason: Optional[str] = None
        self.message_extra: Dict[str, Any] = {}
        self.message_nulls: Tuple[str, ...] = ()
        self.choice_extra: Dict[str, Any] = {}


def _sent_null(obj: Any, keys: Tuple[str, ...]) -> Tuple[str, ...]:
    """Those of *keys* that decoded *obj*'s JSON object had, with the value null."""
    if obj._constructed:
        return ()
    source = obj.__dict__
    return tuple(key for key in keys if key in source and source[key] is None)


class ChatCompletionAccumulator:
    """Merge ``ChatCompletionChunk`` objects into a ``ChatCompletion``, reporting what changed.

    Example::

        acc = gs.ChatCompletionAccumulator()
        for chunk in stream:
            for event in acc.add(chunk):
                if isinstance(event, gs.ContentDelta):
                    print(event.delta, end="")
        completion = acc.completion
    """

    def __init__(self) -> None:
        self._choices: Dict[int, _ChoiceState] = {}
        self._id = ""
        self._created = 0
        self._model = ""
        self._system_fingerprint: Optional[str] = None
        self._usage: Optional[CompletionUsage] = None
        self._x_groq: Dict[str, Any] = {}
        self._x_groq_extra: Dict[str, Any] = {}
        self._usage_breakdown: Optional[UsageBreakdown] = None
        self._mcp_list_tools: Optional[List[McpListTool]] = None
        self._service_tier: Optional[str] = None
        self._extra: Dict[str, Any] = {}
        self._snapshot: Optional[ChatCompletion] = None
        self.chunks = 0
        """How many chunks have been added."""

    def add(self, chunk: ChatCompletionChunk) -> List[AccumulatorEvent]:
        """Merge one chunk.

        Args:
            chunk: the next chunk of the stream.

        Returns:
            The semantic events this chunk caused, in order.
        """
        self._snapshot = None
        self.chunks += 1
        events: List[AccumulatorEvent] = []
        if not self._id or not self._model or not self._created:  # Azure's first chunk has them empty
            self._id = self._id or chunk.id
            self._model = self._model or chunk.model
            self._created = self._created or chunk.created
        if self._system_fingerprint is None:
            self._system_fingerprint = chunk.system_fingerprint
        if chunk.service_tier is not None:
            self._service_tier = chunk.service_tier
        if chunk.extra:
            self._merge_chunk_extra(chunk.extra)
        for choice in chunk.choices:
            state = self._choices.get(choice.index)
            if state is None:
                state = self._choices[choice.index] = _ChoiceState()
                state.message_nulls = _sent_null(choice.delta, ("refusal",))
            self._merge_choice(choice.index, state, choice, events)
        x_groq = chunk.x_groq
        if x_groq is not None:
            self._merge_x_groq(x_groq)
        usage = chunk.usage if chunk.usage is not None else (x_groq.usage if x_groq is not None else None)
        if usage is not None and usage != self._usage:
            self._usage = usage
            events.append(Usage(usage))
        return events

    def _merge_chunk_extra(self, extra: Dict[str, Any]) -> None:
        unknown = extra
        for key in _COMPLETION_KEYS:
            value = extra.get(key)
            if value is None:
                continue
            try:
                decoded = ChatCompletion._convert[key](copy_json(value))
            except _Invalid:  # not the shape of that field: it stays an unknown key, as sent
                continue
            if key == "usage_breakdown":
                self._usage_breakdown = decoded
            else:
                self._mcp_list_tools = decoded
            unknown = {k: v for k, v in unknown.items() if k != key}
        _merge_extra(self._extra, unknown, _PER_CHUNK_KEYS)

    def _merge_choice(self, index: int, state: _ChoiceState, choice: Choice, events: List[AccumulatorEvent]) -> None:
        delta = choice.delta
        source = delta.__dict__
        if len(source) == 1 and "content" in source and state.parts is None:
            # The usual delta, {"content": "..."} as decoded: nothing else to look at.
            content = source["content"]
            if content is not None:
                self._add_content(index, state, content, events)
        else:
            self._merge_delta(index, state, delta, events)
        if choice.extra:
            _merge_extra(state.choice_extra, choice.extra, _CHOICE_SKIP)
        logprobs = choice.logprobs
        if logprobs is not None:
            self._merge_logprobs(state, logprobs)
        if choice.finish_reason is not None:
            state.finish_reason = choice.finish_reason
            self._end_reasoning(index, state, events)
            if state.content.pieces:
                events.append(ContentDone(index, str(state.content)))
            for tool_index, call_state in state.tool_calls.items():
                self._end_tool(index, tool_index, call_state, events)
            events.append(FinishReason(index, choice.finish_reason))

    def _merge_delta(self, index: int, state: _ChoiceState, delta: ChoiceDelta, events: List[AccumulatorEvent]) -> None:
        if delta.role is not None and state.role is None:
            state.role = delta.role
        thought = delta.reasoning
        if thought is not None:
            state.reasoning_seen = True
            if thought:
                state.reasoning.pieces.append(thought)
        reasoning_content = delta.reasoning_content
        if reasoning_content is not None:
            state.reasoning_content_seen = True
            if reasoning_content:
                state.reasoning_content.pieces.append(reasoning_content)
            if thought is None:
                thought = reasoning_content
        parts = delta.content_parts
        details = delta.reasoning_details
        if thought is None and (parts is not None or details is not None):
            thought = delta.reasoning_text
        if thought:
            state.thought.pieces.append(thought)
            events.append(ReasoningDelta(index, thought, state.thought, len(state.thought.pieces)))
        if details:
            self._merge_details(state, details)
        content = delta.content
        if parts is not None or (content is not None and state.parts is not None):
            self._merge_parts(state, parts, content)
        if content is not None:
            self._add_content(index, state, content, events)
        refusal = delta.refusal
        if refusal is not None:
            state.refusal_seen = True
            if refusal:
                state.refusal.pieces.append(refusal)
        if delta.tool_calls:
            self._end_reasoning(index, state, events)
            for call in delta.tool_calls:
                self._merge_tool_call(index, state, call, events)
        if delta.function_call is not None:
            function_call = delta.function_call
            if state.function_arguments is None:
                state.function_arguments = _Text()
            if function_call.name and state.function_name is None:
                state.function_name = function_call.name
            if function_call.arguments:
                state.function_arguments.pieces.append(function_call.arguments)
        if delta.executed_tools:
            for tool in delta.executed_tools:
                state.executed_tools[tool.index] = tool
                events.append(ExecutedToolUpdate(index, tool.index, tool))
        if delta.annotations:
            for position, annotation in enumerate(delta.annotations):
                key = annotation.extra.get("index", position)
                state.annotations[key if isinstance(key, int) else position] = annotation
        if delta.extra:
            _merge_extra(state.message_extra, delta.extra, _MESSAGE_SKIP)

    @classmethod
    def _add_content(cls, index: int, state: _ChoiceState, content: str, events: List[AccumulatorEvent]) -> None:
        state.content_seen = True  # even "" : the message has content
        if content:
            cls._end_reasoning(index, state, events)
            state.content.pieces.append(content)
            events.append(ContentDelta(index, content, state.content, len(state.content.pieces)))

    @staticmethod
    def _merge_parts(state: _ChoiceState, parts: Optional[List[ContentPart]], content: Optional[str]) -> None:
        """Merge typed content parts (or a string content, once parts have arrived) into the message's parts."""
        merged = state.parts
        if merged is None:
            merged = state.parts = []
            if state.content.pieces:  # text that came as plain strings before the first parts
                earlier = _PartState("text")
                earlier.pieces.append(str(state.content))
                merged.append(earlier)
        if parts is None:
            parts = [ContentPart(type="text", text=content)]
        for part in parts:
            kind = part.type
            if kind == "text":
                piece = part.text or ""
            elif kind == "thinking":
                piece = "".join(inner.text or "" for inner in part.thinking or [])
            else:
                merged.append(_PartState(kind, part))
                continue
            if not merged or merged[-1].type != kind or merged[-1].original is not None:
                merged.append(_PartState(kind))
            merged[-1].pieces.append(piece)
            _merge_extra(merged[-1].extra, part.extra, frozenset())

    @staticmethod
    def _merge_details(state: _ChoiceState, details: List[ReasoningDetail]) -> None:
        for position, detail in enumerate(details):
            key = detail.index if detail.index is not None else position
            merged = state.details.get(key)
            if merged is None:
                merged = state.details[key] = {"index": detail.index, "extra": {}}
            for name in _DETAIL_FIRST:
                value = getattr(detail, name)
                if value is not None and merged.get(name) is None:
                    merged[name] = value
            for name in _DETAIL_TEXTS:
                value = getattr(detail, name)
                if value is not None:
                    merged[name] = merged.get(name, "") + value
            _merge_extra(merged["extra"], detail.extra, frozenset())

    @staticmethod
    def _merge_logprobs(state: _ChoiceState, logprobs: ChoiceLogprobs) -> None:
        if not state.logprobs_seen:  # the keys the first one sent as null are the finished choice's keys too
            state.logprobs_seen = True
            state.logprobs_nulls = _sent_null(logprobs, ("content", "refusal"))
        if logprobs.content is not None:
            if state.logprobs_content is None:
                state.logprobs_content = []
            state.logprobs_content.extend(logprobs.content)
        if logprobs.refusal is not None:
            if state.logprobs_refusal is None:
                state.logprobs_refusal = []
            state.logprobs_refusal.extend(logprobs.refusal)
        if logprobs.extra:
            _merge_extra(state.logprobs_extra, logprobs.extra, frozenset())

    @staticmethod
    def _end_reasoning(index: int, state: _ChoiceState, events: List[AccumulatorEvent]) -> None:
        if state.thought.pieces and not state.reasoning_done:
            state.reasoning_done = True
            events.append(ReasoningDone(index, str(state.thought)))

    @staticmethod
    def _end_tool(index: int, tool_index: int, tool: _ToolCallState, events: List[AccumulatorEvent]) -> None:
        if not tool.done:
            tool.done = True
            events.append(ToolCallDone(index, tool_index, tool.build()))

    def _merge_tool_call(
        self, index: int, state: _ChoiceState, call: ChoiceDeltaToolCall, events: List[AccumulatorEvent]
    ) -> None:
        slot = call.index
        tool = state.tool_calls.get(slot)
        if tool is None:
            if state.open_tool is not None:
                # A new tool index starts: every earlier tool call of this choice is complete.
                for tool_index, earlier in state.tool_calls.items():
                    self._end_tool(index, tool_index, earlier, events)
            tool = state.tool_calls[slot] = _ToolCallState()
            state.open_tool = slot
        repeated = bool(call.id) and call.id == tool.id  # the fragment names the call again
        if call.id and tool.id is None:
            tool.id = call.id
        if call.type and tool.type is None:
            tool.type = call.type
        if call.extra:
            _merge_extra(tool.extra, call.extra, frozenset())
        function = call.function
        if function is None:
            return
        if function.name and tool.name is None:
            tool.name = function.name
        if function.extra:
            _merge_extra(tool.function_extra, function.extra, frozenset())
        arguments = function.arguments
        if not arguments:
            return
        if repeated and tool.length and len(arguments) >= tool.length:
            so_far = str(tool.arguments)
            if arguments.startswith(so_far):  # the call re-sent whole (or as a longer snapshot): add what is new
                arguments = arguments[len(so_far) :]
                if not arguments:
                    return
        tool.arguments.pieces.append(arguments)
        tool.length += len(arguments)
        events.append(
            ToolCallArgumentsDelta(index, slot, tool.name, arguments, tool.arguments, len(tool.arguments.pieces))
        )

    def _merge_x_groq(self, x_groq: XGroq) -> None:
        merged = self._x_groq
        for key in ("id", "seed"):
            value = getattr(x_groq, key)
            if value is not None and key not in merged:
                merged[key] = value
        for key in ("debug", "error"):
            value = getattr(x_groq, key)
            if value is not None:
                merged[key] = value
        if x_groq.usage_breakdown is not None:
            self._usage_breakdown = x_groq.usage_breakdown
        if x_groq.extra:
            _merge_extra(self._x_groq_extra, x_groq.extra, frozenset())

    @property
    def completion(self) -> ChatCompletion:
        """The completion so far: consistent after every ``add``, built at most once per ``add``.

        Before any chunk it has ``id == ""`` and no choices.
        """
        if self._snapshot is None:
            self._snapshot = self._build()
        return self._snapshot

    def _build(self) -> ChatCompletion:
        choices = [self._build_choice(index, self._choices[index]) for index in sorted(self._choices)]
        x_groq = None
        if self._x_groq or self._x_groq_extra:
            x_groq = ChatCompletionXGroq(**self._x_groq, extra=dict(self._x_groq_extra))
        return ChatCompletion(
            id=self._id,
            choices=choices,
            created=self._created,
            model=self._model,
            object="chat.completion",
            system_fingerprint=self._system_fingerprint,
            usage=self._usage,
            x_groq=x_groq,
            service_tier=self._service_tier,
            usage_breakdown=self._usage_breakdown,
            mcp_list_tools=self._mcp_list_tools,
            extra=dict(self._extra),
        )

    @staticmethod
    def _build_choice(index: int, state: _ChoiceState) -> ChatCompletionChoice:
        function_call = None
        if state.function_arguments is not None:
            function_call = FunctionCall(arguments=str(state.function_arguments), name=state.function_name or "")
        details = None
        if state.details:
            details = [
                ReasoningDetail(**{k: v for k, v in merged.items() if k != "extra"}, extra=dict(merged["extra"]))
                for merged in state.details.values()
            ]
        message = ChatCompletionMessage(
            role=state.role or "assistant",
            content=str(state.content) if state.content_seen else None,
            reasoning=str(state.reasoning) if state.reasoning_seen else None,
            tool_calls=[state.tool_calls[i].build() for i in sorted(state.tool_calls)] or None,
            executed_tools=[state.executed_tools[i] for i in sorted(state.executed_tools)] or None,
            annotations=[state.annotations[i] for i in sorted(state.annotations)] or None,
            function_call=function_call,
            refusal=str(state.refusal) if state.refusal_seen else None,
            reasoning_content=str(state.reasoning_content) if state.reasoning_content_seen else None,
            reasoning_details=details,
            content_parts=[part.build() for part in state.parts] if state.parts is not None else None,
            extra=dict(state.message_extra),
        )
        keep_nulls(message, state.message_nulls)
        logprobs = None
        if state.logprobs_seen:
            logprobs = ChoiceLogprobs(
                content=state.logprobs_content, refusal=state.logprobs_refusal, extra=dict(state.logprobs_extra)
            )
            keep_nulls(logprobs, tuple(key for key in state.logprobs_nulls if getattr(logprobs, key) is None))
        return ChatCompletionChoice(
            index=index,
            message=message,
            finish_reason=state.finish_reason,
            logprobs=logprobs,
            extra=dict(state.choice_extra),
        )


def accumulate(chunks: Iterable[ChatCompletionChunk]) -> ChatCompletion:
    """Merge every chunk of an iterable (a ``Stream``, a list) into one ``ChatCompletion``.

    Args:
        chunks: the chunks, in stream order.

    Returns:
        The final completion.

    Raises:
        GroqStreamError: whatever iterating *chunks* raises (a ``Stream`` may
            raise ``StreamAPIError`` or ``IncompleteStreamError``); the
            completion received so far is attached as the error's ``completion``.
    """
    accumulator = ChatCompletionAccumulator()
    try:
        for chunk in chunks:
            accumulator.add(chunk)
    except GroqStreamError as exc:
        exc.completion = accumulator.completion
        raise
    return accumulator.completion
