"""Wire objects of a finished chat completion: the non-streaming response's shape.

``ChatCompletion`` is what a non-streaming call returns and what the
accumulator builds from a stream. It mirrors Groq's non-streaming response
(its own ``x_groq`` with cache statistics, top-level ``usage_breakdown`` and
``mcp_list_tools``) and OpenAI's (``message.refusal``, URL citations, custom
tool calls), so ``ChatCompletion.from_dict`` reads real responses of both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Dict, List, Optional

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
from .wire import POSITION, WireObject

if TYPE_CHECKING:
    from ..client.http import Response

__all__ = [
    "ChatCompletion",
    "ChatCompletionChoice",
    "ChatCompletionMessage",
    "ChatCompletionMessageToolCall",
    "ChatCompletionMessageToolCallCustom",
    "ChatCompletionMessageToolCallFunction",
    "ChatCompletionXGroq",
    "FunctionCall",
    "McpListTool",
    "McpListToolTool",
    "XGroqUsage",
]


@dataclass(frozen=True, repr=False)
class ChatCompletionMessageToolCallFunction(WireObject):
    """The function a finished tool call names."""

    arguments: str
    """The complete JSON arguments, as the model wrote them (validate before use)."""
    name: str
    """The function name."""
    extra: Dict[str, Any] = field(default_factory=dict)
    """Keys this class does not know, as parsed."""

    def parsed_arguments(self) -> Any:
        """The arguments parsed as JSON, strictly: what the tool is to be called with.

        Raises:
            InvalidJSONError: they are not one valid JSON value (cut short by
                ``max_tokens``, or invalid), with the position and the text around it.
        """
        from ..core.partial_json import PartialJSON  # here: decoding a stream needs none of it

        parser = PartialJSON()
        parser.feed(self.arguments)
        return parser.finish()


@dataclass(frozen=True, repr=False)
class ChatCompletionMessageToolCallCustom(WireObject):
    """What a custom tool call (OpenAI's ``"type": "custom"``) passes: free-form input."""

    input: str
    """The input the model wrote for the tool."""
    name: str
    """The custom tool's name."""
    extra: Dict[str, Any] = field(default_factory=dict)
    """Keys this class does not know, as parsed."""


@dataclass(frozen=True, repr=False)
class ChatCompletionMessageToolCall(WireObject):
    """A finished tool call: a function call (``type`` ``"function"``) or, from OpenAI, a custom one."""

    id: str
    """The tool call ID (``""`` if the server never sent one)."""
    function: ChatCompletionMessageToolCallFunction
    """Name and complete arguments. A custom tool call has none on the wire: it reads as an empty function."""
    type: str
    """``"function"``, or ``"custom"`` for a custom tool call."""
    custom: Optional[ChatCompletionMessageToolCallCustom] = None
    """Name and input of a custom tool call; ``None`` for a function call."""
    extra: Dict[str, Any] = field(default_factory=dict)
    """Keys this class does not know, as parsed."""

    # A custom call has no "function" key, so the wire may omit it; read, it is the empty function.
    _not_required = ("function",)
    _empty = {"id": "", "type": "function"}


@dataclass(frozen=True, repr=False)
class FunctionCall(WireObject):
    """A finished deprecated ``function_call``."""

    arguments: str
    """The complete JSON arguments."""
    name: str
    """The function name."""
    extra: Dict[str, Any] = field(default_factory=dict)
    """Keys this class does not know, as parsed."""


@dataclass(frozen=True, repr=False)
class ChatCompletionMessage(MessageLike):
    """The assistant message of a finished choice; ``reasoning_text`` is its reasoning, whatever the key."""

    role: str
    """``"assistant"``."""
    content: Optional[str] = None
    """The text; ``None`` when the model sent none (e.g. only tool calls). With typed content parts, the text
    of the text parts (the parts are in ``content_parts``)."""
    reasoning: Optional[str] = None
    """The reasoning text (Groq with ``reasoning_format: parsed``, OpenRouter); else ``None``."""
    tool_calls: Optional[List[ChatCompletionMessageToolCall]] = None
    """Tool calls the model made, in the order they started; ``None`` when there were none."""
    executed_tools: Optional[List[ExecutedTool]] = None
    """Tools a compound model ran on the server, latest state of each; ``None`` when none."""
    annotations: Optional[List[Annotation]] = None
    """Citations for the content; ``None`` when none."""
    function_call: Optional[FunctionCall] = None
    """Deprecated function call, when the model made one."""
    refusal: Optional[str] = None
    """The refusal message, when the model refused (OpenAI)."""
    reasoning_content: Optional[str] = None
    """The reasoning text under the key DeepSeek, xAI, Qwen, Z.ai and vLLM use."""
    reasoning_details: Optional[List[ReasoningDetail]] = None
    """Structured reasoning (OpenRouter): one entry per reasoning block, fragments merged."""
    content_parts: Optional[List[ContentPart]] = field(default=None, metadata={"wire": False})
    """The typed parts, when the content came as a list of them (Mistral): consecutive parts of one type
    merged. Not a JSON key: ``to_dict()`` writes them under ``content``."""
    extra: Dict[str, Any] = field(default_factory=dict)
    """Keys this class does not know (accumulated: the latest value of each unknown delta key, e.g. ``channel``)."""

    _always = ("content",)
    _empty = {"role": "assistant"}


@dataclass(frozen=True, repr=False)
class ChatCompletionChoice(WireObject):
    """One finished choice."""

    index: int
    """Which choice this is."""
    message: ChatCompletionMessage
    """The assistant message."""
    logprobs: Optional[ChoiceLogprobs] = None
    """Token log probabilities, when requested."""
    finish_reason: Optional[str] = None
    """Why generation stopped; ``None`` only in a partial completion (the stream broke off)."""
    extra: Dict[str, Any] = field(default_factory=dict)
    """Keys this class does not know, as parsed (e.g. Azure's ``content_filter_results``)."""

    _always = ("logprobs", "finish_reason")
    _empty = {"index": POSITION}


@dataclass(frozen=True, repr=False)
class XGroqUsage(WireObject):
    """Groq's hardware cache statistics in a non-streaming response's ``x_groq``."""

    dram_cached_tokens: Optional[int] = None
    """Tokens served from the DRAM cache."""
    sram_cached_tokens: Optional[int] = None
    """Tokens served from the SRAM cache."""
    extra: Dict[str, Any] = field(default_factory=dict)
    """Keys this class does not know, as parsed."""


@dataclass(frozen=True, repr=False)
class ChatCompletionXGroq(WireObject):
    """Groq's metadata in a finished completion (a non-streaming response's ``x_groq``).

    Unlike a chunk's ``XGroq`` it carries no token usage (that is
    ``ChatCompletion.usage``) and no ``usage_breakdown`` (``ChatCompletion.usage_breakdown``).
    """

    id: Optional[str] = None
    """Groq request ID for support (``None`` when an accumulated stream never sent one)."""
    debug: Optional[XGroqDebug] = None
    """Debug output, when requested."""
    seed: Optional[int] = None
    """The seed used."""
    usage: Optional[XGroqUsage] = None
    """Cache statistics, when reported."""
    error: Optional[str] = None
    """When accumulated from a stream that a chunk's ``x_groq.error`` stopped: that error."""
    extra: Dict[str, Any] = field(default_factory=dict)
    """Keys this class does not know, as parsed."""


@dataclass(frozen=True, repr=False)
class McpListToolTool(WireObject):
    """One tool an MCP server offers."""

    annotations: Optional[Any] = None
    """The tool's annotations, as sent (any JSON)."""
    description: Optional[str] = None
    """What the tool does."""
    input_schema: Optional[Dict[str, Any]] = None
    """The JSON Schema of its input."""
    name: Optional[str] = None
    """The tool's name."""
    extra: Dict[str, Any] = field(default_factory=dict)
    """Keys this class does not know, as parsed."""


@dataclass(frozen=True, repr=False)
class McpListTool(WireObject):
    """The tools one connected MCP server offers (Groq)."""

    id: Optional[str] = None
    """This list's ID."""
    server_label: Optional[str] = None
    """The MCP server's label."""
    tools: Optional[List[McpListToolTool]] = None
    """The tools."""
    type: Optional[str] = None
    """The item type."""
    extra: Dict[str, Any] = field(default_factory=dict)
    """Keys this class does not know, as parsed."""


@dataclass(frozen=True, repr=False)
class ChatCompletion(WireObject):
    """A finished chat completion (``"object": "chat.completion"``), as a non-streaming call returns it."""

    id: str
    """The completion ID (when accumulated: the first chunk's)."""
    object: str
    """``"chat.completion"``."""
    created: int
    """Unix time the completion was created (when accumulated: the first chunk's)."""
    model: str
    """The model that generated the completion."""
    choices: List[ChatCompletionChoice]
    """The choices, in index order."""
    usage: Optional[CompletionUsage] = None
    """Token usage; ``None`` when the stream never reported it."""
    system_fingerprint: Optional[str] = None
    """The backend configuration, when sent."""
    x_groq: Optional[ChatCompletionXGroq] = None
    """Groq metadata (when accumulated: the request ID, seed and debug output of the chunks' ``x_groq``)."""
    service_tier: Optional[str] = None
    """The service tier, when the server reports it."""
    usage_breakdown: Optional[UsageBreakdown] = None
    """Per-model usage of a Groq compound request."""
    mcp_list_tools: Optional[List[McpListTool]] = None
    """The tools of connected MCP servers (Groq)."""
    extra: Dict[str, Any] = field(default_factory=dict)
    """Keys this class does not know, as parsed (e.g. OpenAI's ``moderation``, Perplexity's ``citations``)."""

    _always = ("system_fingerprint",)
    _empty = {"id": "", "object": "", "created": 0, "model": "", "choices": list}

    @property
    def response(self) -> Optional[Response]:
        """The HTTP response this completion came in (``Client.chat``, or a client's stream); else ``None``."""
        return self.__dict__.get("_response")

    _truncated = ("created",)


# What a decoded tool call without a "function" (a custom call) reads: the empty function. A class attribute
# set after the dataclass decorator ran, so the constructor still requires the field.
ChatCompletionMessageToolCall.function = ChatCompletionMessageToolCallFunction(arguments="", name="")


def attach_response(completion: ChatCompletion, response: Response) -> ChatCompletion:
    """Give *completion* its ``response`` (not a wire field: ``to_dict`` and ``==`` ignore it); returns it."""
    state = completion.__dict__
    if not completion._constructed and completion._present is None:
        state["_present"] = tuple(state)  # to_dict reads the JSON keys from here, not from __dict__
    state["_response"] = response
    return completion
