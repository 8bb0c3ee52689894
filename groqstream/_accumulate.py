"""ChatCompletionAccumulator: merge chunk deltas into the final ChatCompletion.

Theory of operation
-------------------
A streamed completion arrives as deltas; the accumulator keeps one mutable
``_ChoiceState`` per choice ``index`` (choices may arrive in any order, and
``choices: []`` chunks carry only usage) plus the completion-wide fields.
``add(chunk)`` merges one chunk and returns the semantic events it caused;
``completion`` builds the frozen ``ChatCompletion`` snapshot from the state,
at most once per ``add`` (it is cached until the next one).

Merge rules (Groq's wire behaviour, each one tested in tests/test_accumulate.py):

* ``content`` and ``reasoning`` concatenate. They are kept as lists of pieces
  and joined only when read, so merging costs O(1) per delta however long the
  text grows; an event's ``snapshot`` is joined only if you read it.
* ``role`` is set once, by the first delta that has one.
* Tool calls merge by their ``index`` (a dict, not list position, so sparse
  and non-zero starts work): ``id``, ``type`` and ``function.name`` are taken
  from the first fragment that has them, ``function.arguments`` fragments
  concatenate. A tool call is *done* when a new tool index starts in the same
  choice, or when the choice finishes.
* ``executed_tools`` entries are snapshots re-sent under the same ``index``
  (Groq sends a compound tool once when it starts and again with its output):
  the later replaces the earlier. ``annotations`` likewise, keyed by their
  ``index`` key when they have one, else by their position in the delta's list.
* Logprobs ``content`` lists extend in order.
* ``finish_reason``: the last non-null value per choice.
* Usage: the chunk's top-level ``usage`` or else ``x_groq.usage``; a newer
  report replaces the older one (Groq sends the same totals in both places,
  and again on an ``include_usage`` chunk): never summed.
* ``x_groq`` merges across chunks: ``id`` and ``seed`` from the first chunk
  that has them; ``usage``, ``usage_breakdown``, ``debug`` and ``error`` from
  the latest chunk that has them.
* ``id``, ``created``, ``model`` and ``system_fingerprint``: the first chunk's
  (compound models change ``id`` mid-stream; the last one can be ``"stub"``).
* Unknown keys (``extra``) are never concatenated: for each key the latest
  value wins (so gpt-oss's ``delta.channel`` ends as ``"final"``, say), on
  the message, the choice and the completion. ``service_tier`` becomes
  ``ChatCompletion.service_tier``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional, Union

from ._errors import GroqStreamError
from ._types import (
    Annotation,
    ChatCompletion,
    ChatCompletionChoice,
    ChatCompletionChunk,
    ChatCompletionMessage,
    ChatCompletionMessageToolCall,
    ChatCompletionMessageToolCallFunction,
    ChatCompletionTokenLogprob,
    Choice,
    ChoiceDeltaToolCall,
    ChoiceLogprobs,
    CompletionUsage,
    ExecutedTool,
    FunctionCall,
    XGroq,
)

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

    __slots__ = ("_joined", "_joined_count", "pieces")

    def __init__(self) -> None:
        self.pieces: List[str] = []
        self._joined = ""
        self._joined_count = 0

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


@dataclass(frozen=True)
class ToolCallDone:
    """A tool call is complete: a new tool index started in the choice, or the choice finished."""

    index: int
    """The choice."""
    tool_index: int
    """The tool call's ``index``."""
    tool_call: ChatCompletionMessageToolCall
    """The complete tool call."""


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


class _ToolCallState:
    __slots__ = ("arguments", "done", "extra", "function_extra", "id", "name", "type")

    def __init__(self) -> None:
        self.id: Optional[str] = None
        self.type: Optional[str] = None
        self.name: Optional[str] = None
        self.arguments = _Text()
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


class _ChoiceState:
    __slots__ = (
        "annotations",
        "choice_extra",
        "content",
        "content_seen",
        "executed_tools",
        "finish_reason",
        "function_arguments",
        "function_name",
        "logprobs",
        "logprobs_extra",
        "message_extra",
        "open_tool",
        "reasoning",
        "reasoning_done",
        "reasoning_seen",
        "role",
        "tool_calls",
    )

    def __init__(self) -> None:
        self.role: Optional[str] = None
        self.content = _Text()
        self.content_seen = False  # a non-null content arrived (even ""): the message has content
        self.reasoning = _Text()
        self.reasoning_seen = False
        self.reasoning_done = False
        self.tool_calls: Dict[int, _ToolCallState] = {}
        self.open_tool: Optional[int] = None
        self.executed_tools: Dict[int, ExecutedTool] = {}
        self.annotations: Dict[int, Annotation] = {}
        self.function_name: Optional[str] = None
        self.function_arguments: Optional[_Text] = None
        self.logprobs: Optional[List[ChatCompletionTokenLogprob]] = None
        self.logprobs_extra: Dict[str, Any] = {}
        self.finish_reason: Optional[str] = None
        self.message_extra: Dict[str, Any] = {}
        self.choice_extra: Dict[str, Any] = {}


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
        self._id: Optional[str] = None
        self._created = 0
        self._model = ""
        self._system_fingerprint: Optional[str] = None
        self._usage: Optional[CompletionUsage] = None
        self._x_groq: Dict[str, Any] = {}
        self._x_groq_extra: Dict[str, Any] = {}
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
        if self._id is None:
            self._id, self._created, self._model = chunk.id, chunk.created, chunk.model
        if self._system_fingerprint is None:
            self._system_fingerprint = chunk.system_fingerprint
        if chunk.extra:
            for key, value in chunk.extra.items():
                if key == "service_tier" and (value is None or isinstance(value, str)):
                    self._service_tier = value if value is not None else self._service_tier
                else:
                    self._extra[key] = value
        for choice in chunk.choices:
            state = self._choices.get(choice.index)
            if state is None:
                state = self._choices[choice.index] = _ChoiceState()
            self._merge_choice(choice.index, state, choice, events)
        x_groq = chunk.x_groq
        if x_groq is not None:
            self._merge_x_groq(x_groq)
        usage = chunk.usage if chunk.usage is not None else (x_groq.usage if x_groq is not None else None)
        if usage is not None and usage != self._usage:
            self._usage = usage
            events.append(Usage(usage))
        return events

    def _merge_choice(self, index: int, state: _ChoiceState, choice: Choice, events: List[AccumulatorEvent]) -> None:
        delta = choice.delta
        if delta.role is not None and state.role is None:
            state.role = delta.role
        if delta.reasoning is not None:
            state.reasoning_seen = True
            if delta.reasoning:
                state.reasoning.pieces.append(delta.reasoning)
                events.append(ReasoningDelta(index, delta.reasoning, state.reasoning, len(state.reasoning.pieces)))
        if delta.content is not None:
            state.content_seen = True
            if delta.content:
                self._end_reasoning(index, state, events)
                state.content.pieces.append(delta.content)
                events.append(ContentDelta(index, delta.content, state.content, len(state.content.pieces)))
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
            state.message_extra.update(delta.extra)
        if choice.extra:
            state.choice_extra.update(choice.extra)
        logprobs = choice.logprobs
        if logprobs is not None:
            if logprobs.content is not None:
                if state.logprobs is None:
                    state.logprobs = []
                state.logprobs.extend(logprobs.content)
            if logprobs.extra:
                state.logprobs_extra.update(logprobs.extra)
        if choice.finish_reason is not None:
            state.finish_reason = choice.finish_reason
            self._end_reasoning(index, state, events)
            if state.content.pieces:
                events.append(ContentDone(index, str(state.content)))
            for tool_index, call_state in state.tool_calls.items():
                self._end_tool(index, tool_index, call_state, events)
            events.append(FinishReason(index, choice.finish_reason))

    @staticmethod
    def _end_reasoning(index: int, state: _ChoiceState, events: List[AccumulatorEvent]) -> None:
        if state.reasoning.pieces and not state.reasoning_done:
            state.reasoning_done = True
            events.append(ReasoningDone(index, str(state.reasoning)))

    @staticmethod
    def _end_tool(index: int, tool_index: int, tool: _ToolCallState, events: List[AccumulatorEvent]) -> None:
        if not tool.done:
            tool.done = True
            events.append(ToolCallDone(index, tool_index, tool.build()))

    def _merge_tool_call(
        self, index: int, state: _ChoiceState, call: ChoiceDeltaToolCall, events: List[AccumulatorEvent]
    ) -> None:
        tool = state.tool_calls.get(call.index)
        if tool is None:
            if state.open_tool is not None:
                # A new tool index starts: every earlier tool call of this choice is complete.
                for tool_index, earlier in state.tool_calls.items():
                    self._end_tool(index, tool_index, earlier, events)
            tool = state.tool_calls[call.index] = _ToolCallState()
            state.open_tool = call.index
        if call.id and tool.id is None:
            tool.id = call.id
        if call.type and tool.type is None:
            tool.type = call.type
        if call.extra:
            tool.extra.update(call.extra)
        function = call.function
        if function is not None:
            if function.name and tool.name is None:
                tool.name = function.name
            if function.extra:
                tool.function_extra.update(function.extra)
            if function.arguments:
                tool.arguments.pieces.append(function.arguments)
                pieces = tool.arguments.pieces
                events.append(
                    ToolCallArgumentsDelta(
                        index, call.index, tool.name, function.arguments, tool.arguments, len(pieces)
                    )
                )

    def _merge_x_groq(self, x_groq: XGroq) -> None:
        merged = self._x_groq
        for key in ("id", "seed"):
            value = getattr(x_groq, key)
            if value is not None and key not in merged:
                merged[key] = value
        for key in ("usage", "usage_breakdown", "debug", "error"):
            value = getattr(x_groq, key)
            if value is not None:
                merged[key] = value
        if x_groq.extra:
            self._x_groq_extra.update(x_groq.extra)

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
        x_groq = XGroq(**self._x_groq, extra=dict(self._x_groq_extra)) if self._x_groq or self._x_groq_extra else None
        return ChatCompletion(
            id=self._id or "",
            choices=choices,
            created=self._created,
            model=self._model,
            object="chat.completion",
            system_fingerprint=self._system_fingerprint,
            usage=self._usage,
            x_groq=x_groq,
            service_tier=self._service_tier,
            extra=dict(self._extra),
        )

    @staticmethod
    def _build_choice(index: int, state: _ChoiceState) -> ChatCompletionChoice:
        function_call = None
        if state.function_arguments is not None:
            function_call = FunctionCall(arguments=str(state.function_arguments), name=state.function_name or "")
        message = ChatCompletionMessage(
            role=state.role or "assistant",
            content=str(state.content) if state.content_seen else None,
            reasoning=str(state.reasoning) if state.reasoning_seen else None,
            tool_calls=[state.tool_calls[i].build() for i in sorted(state.tool_calls)] or None,
            executed_tools=[state.executed_tools[i] for i in sorted(state.executed_tools)] or None,
            annotations=[state.annotations[i] for i in sorted(state.annotations)] or None,
            function_call=function_call,
            extra=dict(state.message_extra),
        )
        logprobs = None
        if state.logprobs is not None or state.logprobs_extra:
            logprobs = ChoiceLogprobs(content=list(state.logprobs or []), extra=dict(state.logprobs_extra))
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
