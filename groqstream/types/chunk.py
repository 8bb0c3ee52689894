"""Wire objects of a streamed chunk: the chunk, its choices, their deltas and tool-call fragments.

The classes mirror the Groq SDK 1.x streaming types (``groq.types.chat``):
same class names, same field names, same JSON keys, so code written for the
SDK reads the same. Fields other OpenAI-compatible servers send beyond Groq's
schema are typed too (``refusal``, ``reasoning_content``,
``reasoning_details``, ``service_tier``, content parts); anything else goes to
``extra``. The empty values declared here (``_empty``) are what the lenient
decoder reads an absent or null required key as (docs/compatibility.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from .shared import (
    Annotation,
    ChoiceLogprobs,
    CompletionUsage,
    ContentPart,
    ExecutedTool,
    MessageLike,
    ReasoningDetail,
    UsageBreakdown,
    XGroqDebug,
)
from .wire import (
    POSITION,
    TOOL_CALL_INDEX,
    USAGE_IN_CHOICE,
    Computed,
    Lenient,
    WireObject,
    copy_json,
)

__all__ = [
    "ChatCompletionChunk",
    "Choice",
    "ChoiceDelta",
    "ChoiceDeltaFunctionCall",
    "ChoiceDeltaToolCall",
    "ChoiceDeltaToolCallFunction",
    "XGroq",
]


@dataclass(frozen=True, repr=False)
class ChoiceDeltaFunctionCall(WireObject):
    """Deprecated ``function_call`` fragment (replaced by ``tool_calls``)."""

    arguments: Optional[str] = None
    """A fragment of the JSON arguments."""
    name: Optional[str] = None
    """The function name, in the first fragment."""
    extra: Dict[str, Any] = field(default_factory=dict)
    """Keys this class does not know, as parsed."""


@dataclass(frozen=True, repr=False)
class ChoiceDeltaToolCallFunction(WireObject):
    """The function part of a tool-call fragment."""

    arguments: Optional[str] = None
    """A fragment of the JSON arguments; fragments concatenate in order."""
    name: Optional[str] = None
    """The function name, in the tool call's first fragment."""
    extra: Dict[str, Any] = field(default_factory=dict)
    """Keys this class does not know, as parsed."""


class _ToolCallsSeen:
    """What the lenient decoder remembers of one choice's tool calls without ``index``, across chunks."""

    __slots__ = ("by_id", "last", "started")

    def __init__(self) -> None:
        self.by_id: Dict[str, int] = {}
        self.last: Optional[int] = None
        self.started = 0


def _infer_tool_call_index(lenient: Lenient, values: Dict[str, Any]) -> int:
    """The ``index`` of a tool-call fragment that has none (Mistral, Gemini).

    A fragment with an ``id`` not seen before starts a new call (numbered in
    the order calls start); one with a known ``id`` belongs to that call; one
    without an ``id`` continues the choice's last call (or starts the first).
    """
    choice = lenient.enclosing(Choice)
    seen_by_choice: Dict[Any, _ToolCallsSeen] = lenient.state.setdefault("tool_calls", {})
    seen = seen_by_choice.setdefault(choice.get("index") if choice is not None else None, _ToolCallsSeen())
    call_id = values.get("id")
    if call_id and call_id in seen.by_id:
        index = seen.by_id[call_id]
    elif call_id or seen.last is None:
        index = seen.started
        seen.started += 1
        if call_id:
            seen.by_id[call_id] = index
    else:
        index = seen.last
    seen.last = index
    return index


@dataclass(frozen=True, repr=False)
class ChoiceDeltaToolCall(WireObject):
    """A fragment of one tool call; fragments with the same ``index`` belong together."""

    index: int
    """Which tool call of the choice this fragment belongs to (need not start at 0)."""
    id: Optional[str] = None
    """The tool call ID, in its first fragment."""
    function: Optional[ChoiceDeltaToolCallFunction] = None
    """Function name and arguments fragment."""
    type: Optional[str] = None
    """``"function"``, in the first fragment."""
    extra: Dict[str, Any] = field(default_factory=dict)
    """Keys this class does not know, as parsed."""

    _empty = {
        "index": Computed(
            _infer_tool_call_index, "a new id starts the next call, no id continues the last", TOOL_CALL_INDEX
        )
    }


@dataclass(frozen=True, repr=False)
class ChoiceDelta(MessageLike):
    """What one chunk adds to a choice's message. Every field is optional.

    ``reasoning_text`` is this delta's piece of reasoning, whatever key the server used.
    """

    content: Optional[str] = None
    """A piece of the assistant text. When the server sent typed parts (Mistral), the text of its text parts
    (``None`` when it had none); the parts themselves are in ``content_parts``."""
    annotations: Optional[List[Annotation]] = None
    """Citations for the content (snapshots, re-sent as they grow)."""
    function_call: Optional[ChoiceDeltaFunctionCall] = None
    """Deprecated function call fragment."""
    reasoning: Optional[str] = None
    """A piece of the model's reasoning (Groq with ``reasoning_format: parsed``; OpenRouter)."""
    role: Optional[str] = None
    """The author's role (see ``KnownRole``), usually only in the first chunk."""
    tool_calls: Optional[List[ChoiceDeltaToolCall]] = None
    """Tool call fragments."""
    executed_tools: Optional[List[ExecutedTool]] = None
    """Tools a compound model ran on the server (snapshots, see ``ExecutedTool``)."""
    refusal: Optional[str] = None
    """A piece of a refusal message, sent instead of content (OpenAI)."""
    reasoning_content: Optional[str] = None
    """A piece of the model's reasoning, under the key DeepSeek, xAI, Qwen, Z.ai and vLLM use."""
    reasoning_details: Optional[List[ReasoningDetail]] = None
    """Structured reasoning fragments (OpenRouter), alongside ``reasoning``."""
    content_parts: Optional[List[ContentPart]] = field(default=None, metadata={"wire": False})
    """The typed parts, when ``content`` arrived as a list of them (Mistral); ``None`` when it was a string.
    Not a JSON key: ``to_dict()`` writes the parts back under ``content``."""
    extra: Dict[str, Any] = field(default_factory=dict)
    """Keys this class does not know, as parsed (e.g. gpt-oss's ``channel``)."""


def _usage_in_choice(lenient: Lenient, value: Any) -> None:
    """Moonshot/Kimi send the request's usage as ``choices[].usage``, none at the top: read it as the chunk's.

    It is handed to the enclosing chunk's ``usage`` (decoded with the chunk's
    own fields, which come after ``choices``) unless the chunk has its own;
    the choice keeps it in ``extra``, as sent.
    """
    chunk = lenient.enclosing(ChatCompletionChunk)
    taken = chunk is not None and chunk.get("usage") is None
    if taken and chunk is not None:
        chunk["usage"] = copy_json(value)  # a copy: decoding takes its input over, and extra keeps this one
    read_as = "read as the chunk's usage" if taken else "the chunk's own usage is kept"
    lenient.note(USAGE_IN_CHOICE, "usage", f"the request's usage inside the choice, not at the top level; {read_as}")


@dataclass(frozen=True, repr=False)
class Choice(WireObject):
    """One choice of a chunk (``n > 1`` gives several, told apart by ``index``)."""

    delta: ChoiceDelta
    """What this chunk adds to the choice's message."""
    index: int
    """Which choice this is."""
    finish_reason: Optional[str] = None
    """Why generation stopped (see ``KnownFinishReason``), in the choice's last chunk; ``None`` before."""
    logprobs: Optional[ChoiceLogprobs] = None
    """Token log probabilities, when requested."""
    extra: Dict[str, Any] = field(default_factory=dict)
    """Keys this class does not know, as parsed."""

    _empty = {"delta": ChoiceDelta, "index": POSITION}
    _watch = ("index", "finish_reason")  # for a stream's end without [DONE]
    _misplaced = {
        "usage": ("usage belongs at the chunk's top level, not inside a choice (Moonshot/Kimi)", _usage_in_choice)
    }


@dataclass(frozen=True, repr=False)
class XGroq(WireObject):
    """Groq's own metadata, in the first and last chunks of a stream."""

    id: Optional[str] = None
    """Groq request ID for support, in the first and last chunk (absent on some compound streams)."""
    debug: Optional[XGroqDebug] = None
    """Debug output, when requested."""
    seed: Optional[int] = None
    """The seed used, in the first chunk."""
    usage: Optional[CompletionUsage] = None
    """Usage of the whole request, in the last chunk."""
    usage_breakdown: Optional[UsageBreakdown] = None
    """Per-model usage for compound models, in the last chunk."""
    error: Optional[str] = None
    """Why the stream stopped early; when set, the stream raises ``StreamAPIError`` after this chunk."""
    extra: Dict[str, Any] = field(default_factory=dict)
    """Keys this class does not know, as parsed."""


@dataclass(frozen=True, repr=False)
class ChatCompletionChunk(WireObject):
    """One streamed chat-completion chunk (``"object": "chat.completion.chunk"``)."""

    id: str
    """The completion ID: usually the same on every chunk, but compound models change it (the last may be "stub")."""
    choices: List[Choice]
    """The choices this chunk updates; empty on the usage-only chunk ``include_usage`` adds."""
    created: int
    """Unix time the completion was created; may change during a compound stream."""
    model: str
    """The model that generated the completion."""
    object: str
    """Always ``"chat.completion.chunk"`` from Groq (not checked, for other servers' sake)."""
    system_fingerprint: Optional[str] = None
    """The backend configuration, when sent (``null`` on compound models)."""
    usage: Optional[CompletionUsage] = None
    """Usage of the whole request, on the last chunk when the request set ``stream_options.include_usage``
    (and on newer Groq models always; some servers send the running total on every chunk); ``None`` elsewhere."""
    x_groq: Optional[XGroq] = None
    """Groq metadata, on the first and last chunks."""
    service_tier: Optional[str] = None
    """The service tier that ran the request, when the server reports it (OpenAI; Groq's usage chunk)."""
    extra: Dict[str, Any] = field(default_factory=dict)
    """Keys this class does not know, as parsed (e.g. OpenAI's ``obfuscation``)."""

    _empty = {"id": "", "choices": list, "created": 0, "model": "", "object": ""}
    _truncated = ("created",)

    @property
    def text(self) -> str:
        """The assistant text this chunk adds to choice 0; ``""`` when it adds none. Never raises.

        ``chunk.choices[0].delta.content`` raises ``IndexError`` on the usage-only
        chunk (``"choices": []``) and gives ``None`` on a role-only one; this is
        the choice whose ``index`` is 0 (as ``Stream.text()`` reads), wherever
        it is in the list. Not a wire field: it is not in ``to_dict()``,
        ``dataclasses.fields`` or ``==``, and a ``"text"`` key sent by a server
        goes to ``extra``.
        """
        for choice in self.choices:
            if choice.index == 0:
                return choice.delta.content or ""
        return ""
