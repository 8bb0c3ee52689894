"""Wire objects found both in a streamed chunk and in a finished completion.

Token usage, log probabilities, annotations (citations), the tools a Groq
compound model ran, per-model usage, Groq's debug output, content parts and
reasoning details. The classes mirror the Groq SDK 1.x types (same class
names, field names and JSON keys) and add what other OpenAI-compatible
servers send: OpenAI's usage counters, refusal log probabilities and URL
citations, Mistral's content parts, OpenRouter's reasoning details.
``wire`` holds how they are read and written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from .wire import CONTENT_PARTS, UNFIXED, Computed, Lenient, WireObject

__all__ = [
    "Annotation",
    "AnnotationDocumentCitation",
    "AnnotationFunctionCitation",
    "AnnotationURLCitation",
    "ChatCompletionTokenLogprob",
    "ChoiceLogprobs",
    "CompletionTokensDetails",
    "CompletionUsage",
    "ContentPart",
    "ExecutedTool",
    "ExecutedToolBrowserResult",
    "ExecutedToolCodeResult",
    "ExecutedToolCodeResultChart",
    "ExecutedToolCodeResultChartElement",
    "ExecutedToolSearchResults",
    "ExecutedToolSearchResultsResult",
    "MessageLike",
    "PromptTokensDetails",
    "ReasoningDetail",
    "TopLogprob",
    "UsageBreakdown",
    "UsageBreakdownModel",
    "XGroqDebug",
]


# --- usage -------------------------------------------------------------------


@dataclass(frozen=True, repr=False)
class CompletionTokensDetails(WireObject):
    """Breakdown of the tokens in the completion (every counter optional, as in OpenAI's schema)."""

    reasoning_tokens: Optional[int] = None
    """Tokens spent on reasoning (reasoning models)."""
    accepted_prediction_tokens: Optional[int] = None
    """Tokens of a predicted output that appeared in the completion (OpenAI)."""
    audio_tokens: Optional[int] = None
    """Audio tokens generated (OpenAI)."""
    rejected_prediction_tokens: Optional[int] = None
    """Tokens of a predicted output that did not appear in the completion (OpenAI)."""
    extra: Dict[str, Any] = field(default_factory=dict)
    """Keys this class does not know, as parsed."""


@dataclass(frozen=True, repr=False)
class PromptTokensDetails(WireObject):
    """Breakdown of the tokens in the prompt (every counter optional, as in OpenAI's schema)."""

    cached_tokens: Optional[int] = None
    """Prompt tokens served from the cache."""
    audio_tokens: Optional[int] = None
    """Audio input tokens (OpenAI)."""
    extra: Dict[str, Any] = field(default_factory=dict)
    """Keys this class does not know, as parsed."""


@dataclass(frozen=True, repr=False)
class CompletionUsage(WireObject):
    """Token counts (and Groq's timings) for a request: once, near the end of a stream (some servers: every chunk)."""

    completion_tokens: int
    """Tokens in the generated completion."""
    prompt_tokens: int
    """Tokens in the prompt."""
    total_tokens: int
    """Prompt plus completion tokens."""
    completion_time: Optional[float] = None
    """Seconds spent generating (Groq)."""
    completion_tokens_details: Optional[CompletionTokensDetails] = None
    """Completion token breakdown, when the model reports one (e.g. gpt-oss reasoning tokens)."""
    prompt_time: Optional[float] = None
    """Seconds spent processing the prompt (Groq)."""
    prompt_tokens_details: Optional[PromptTokensDetails] = None
    """Prompt token breakdown, when reported (cached tokens)."""
    queue_time: Optional[float] = None
    """Seconds the request waited in the queue (Groq)."""
    total_time: Optional[float] = None
    """``prompt_time`` plus ``completion_time`` (Groq)."""
    extra: Dict[str, Any] = field(default_factory=dict)
    """Keys this class does not know, as parsed (OpenRouter's ``cost``, xAI's ``num_sources_used``, ...)."""

    _empty = {
        "completion_tokens": 0,
        "prompt_tokens": 0,
        "total_tokens": Computed(
            lambda lenient, values: (values.get("prompt_tokens") or 0) + (values.get("completion_tokens") or 0),
            "prompt_tokens + completion_tokens",
        ),
    }


# --- logprobs ----------------------------------------------------------------


@dataclass(frozen=True, repr=False)
class TopLogprob(WireObject):
    """One of the most likely tokens at a position."""

    token: str
    """The token."""
    logprob: float
    """Its log probability (``-9999.0`` when very unlikely)."""
    bytes: Optional[List[int]] = None
    """The token's UTF-8 bytes, or ``None`` when it has no byte form."""
    extra: Dict[str, Any] = field(default_factory=dict)
    """Keys this class does not know, as parsed."""


@dataclass(frozen=True, repr=False)
class ChatCompletionTokenLogprob(WireObject):
    """Log probability information for one generated token."""

    token: str
    """The token."""
    logprob: float
    """Its log probability."""
    top_logprobs: List[TopLogprob]
    """The most likely tokens at this position (``top_logprobs`` in the request; may be fewer)."""
    bytes: Optional[List[int]] = None
    """The token's UTF-8 bytes, or ``None``."""
    extra: Dict[str, Any] = field(default_factory=dict)
    """Keys this class does not know, as parsed."""

    _empty = {"top_logprobs": list}


@dataclass(frozen=True, repr=False)
class ChoiceLogprobs(WireObject):
    """Log probabilities for the tokens of one delta (or a whole choice); present when the request set ``logprobs``."""

    content: Optional[List[ChatCompletionTokenLogprob]] = None
    """One entry per content token."""
    refusal: Optional[List[ChatCompletionTokenLogprob]] = None
    """One entry per refusal token (OpenAI)."""
    extra: Dict[str, Any] = field(default_factory=dict)
    """Keys this class does not know, as parsed."""


# --- annotations, content parts, reasoning details -----------------------------


@dataclass(frozen=True, repr=False)
class AnnotationDocumentCitation(WireObject):
    """A citation of a document given in the request."""

    document_id: str
    """The cited document's ID."""
    end_index: int
    """End of the cited span in the content."""
    start_index: int
    """Start of the cited span in the content."""
    extra: Dict[str, Any] = field(default_factory=dict)
    """Keys this class does not know, as parsed."""


@dataclass(frozen=True, repr=False)
class AnnotationFunctionCitation(WireObject):
    """A citation of a tool call's result."""

    end_index: int
    """End of the cited span in the content."""
    start_index: int
    """Start of the cited span in the content."""
    tool_call_id: str
    """The cited tool call's ID."""
    extra: Dict[str, Any] = field(default_factory=dict)
    """Keys this class does not know, as parsed."""


@dataclass(frozen=True, repr=False)
class AnnotationURLCitation(WireObject):
    """A citation of a web page (OpenAI's web search)."""

    end_index: int
    """End of the cited span in the content."""
    start_index: int
    """Start of the cited span in the content."""
    title: str
    """The page title."""
    url: str
    """The page URL."""
    extra: Dict[str, Any] = field(default_factory=dict)
    """Keys this class does not know, as parsed."""


@dataclass(frozen=True, repr=False)
class Annotation(WireObject):
    """A citation attached to the content."""

    type: str
    """``"document_citation"``, ``"function_citation"`` (Groq) or ``"url_citation"`` (OpenAI)."""
    document_citation: Optional[AnnotationDocumentCitation] = None
    """Present when ``type`` is ``"document_citation"``."""
    function_citation: Optional[AnnotationFunctionCitation] = None
    """Present when ``type`` is ``"function_citation"``."""
    url_citation: Optional[AnnotationURLCitation] = None
    """Present when ``type`` is ``"url_citation"``."""
    extra: Dict[str, Any] = field(default_factory=dict)
    """Keys this class does not know, as parsed."""


@dataclass(frozen=True, repr=False)
class ContentPart(WireObject):
    """One typed part of a content list (Mistral's reasoning models send content this way).

    A ``"text"`` part holds answer text; a ``"thinking"`` part holds reasoning
    as a list of text parts. Other types (images, references) keep their keys in ``extra``.
    """

    type: str
    """``"text"`` or ``"thinking"`` today."""
    text: Optional[str] = None
    """The text of a ``"text"`` part."""
    thinking: Optional[List[ContentPart]] = None
    """The reasoning of a ``"thinking"`` part, as text parts."""
    extra: Dict[str, Any] = field(default_factory=dict)
    """Keys this class does not know, as parsed (e.g. a thinking part's ``signature``)."""


@dataclass(frozen=True, repr=False)
class ReasoningDetail(WireObject):
    """One entry of OpenRouter's ``reasoning_details``: reasoning text, a summary, or encrypted reasoning.

    In a stream the entries are fragments: those with the same ``index``
    belong together, their ``text``, ``summary``, ``data`` and ``signature``
    concatenate (see docs/accumulation.md).
    """

    type: str
    """``"reasoning.text"``, ``"reasoning.summary"`` or ``"reasoning.encrypted"``."""
    text: Optional[str] = None
    """Reasoning text (``reasoning.text``)."""
    summary: Optional[str] = None
    """A summary of the reasoning (``reasoning.summary``)."""
    data: Optional[str] = None
    """Encrypted reasoning, to send back unchanged (``reasoning.encrypted``)."""
    signature: Optional[str] = None
    """A signature of the reasoning text, to send back unchanged."""
    format: Optional[str] = None
    """The upstream format, e.g. ``"anthropic-claude-v1"``."""
    id: Optional[str] = None
    """The entry's ID, when sent."""
    index: Optional[int] = None
    """Which entry this fragment belongs to."""
    extra: Dict[str, Any] = field(default_factory=dict)
    """Keys this class does not know, as parsed."""


def content_from_parts(lenient: Lenient, value: Any, values: Dict[str, Any]) -> Any:
    """Read a ``content`` that is a list of typed parts: the parts typed, the text parts' text as the content."""
    if type(value) is not list or not all(type(item) is dict for item in value):
        return UNFIXED  # not parts: refused as the strict decoder refuses it
    parts = lenient.decode_list("content", ContentPart, value)
    values["content_parts"] = parts
    texts = [part.text for part in parts if part.type == "text" and part.text is not None]
    kinds = ", ".join(sorted({part.type for part in parts})) or "none"
    read_as = f"typed parts ({kinds}), not a string: the text parts' text is the content"
    lenient.note(CONTENT_PARTS, "content", read_as)
    return "".join(texts) if texts else None


def thinking_text(parts: Optional[List[ContentPart]]) -> Optional[str]:
    """The text of the ``"thinking"`` parts of a content list, or ``None`` when there are none."""
    if not parts:
        return None
    texts = [
        inner.text
        for part in parts
        if part.type == "thinking" and part.thinking
        for inner in part.thinking
        if inner.text is not None
    ]
    return "".join(texts) if texts else None


class MessageLike(WireObject):
    """What a delta and a finished message share: content that may come as typed parts, reasoning under any key.

    Not a dataclass itself: ``ChoiceDelta`` and ``ChatCompletionMessage``
    declare the fields; this reads them.
    """

    content: Optional[str]
    reasoning: Optional[str]
    reasoning_content: Optional[str]
    reasoning_details: Optional[List[ReasoningDetail]]
    content_parts: Optional[List[ContentPart]]

    # content as a list of parts is read by content_from_parts, and written back as parts
    _lenient_hooks = {"content": content_from_parts}
    _dump_as = {"content": "content_parts"}

    @property
    def reasoning_text(self) -> Optional[str]:
        """The reasoning, whatever key the server used; ``None`` when there is none.

        The first of: ``reasoning`` (Groq, OpenRouter), ``reasoning_content``
        (DeepSeek, xAI, Qwen, Z.ai, vLLM), the text of ``"thinking"`` content
        parts (Mistral), the text or summaries of ``reasoning_details``.
        """
        if self.reasoning is not None:
            return self.reasoning
        if self.reasoning_content is not None:
            return self.reasoning_content
        thinking = thinking_text(self.content_parts)
        if thinking is not None:
            return thinking
        details = self.reasoning_details
        if details:
            texts = [d.text if d.text is not None else d.summary for d in details]
            if any(text is not None for text in texts):
                return "".join(text for text in texts if text is not None)
        return None


# --- executed tools (Groq compound models) --------------------------------------


@dataclass(frozen=True, repr=False)
class ExecutedToolBrowserResult(WireObject):
    """A page visited by a browser tool."""

    title: str
    """Page title."""
    url: str
    """Page URL."""
    content: Optional[str] = None
    """Page text, when sent."""
    live_view_url: Optional[str] = None
    """Live view URL, when sent."""
    extra: Dict[str, Any] = field(default_factory=dict)
    """Keys this class does not know, as parsed."""


@dataclass(frozen=True, repr=False)
class ExecutedToolCodeResultChartElement(WireObject):
    """One element (bar, point, slice...) of a chart produced by code execution."""

    label: str
    """Element label."""
    angle: Optional[float] = None
    """Pie slice angle."""
    first_quartile: Optional[float] = None
    """Box plot first quartile."""
    group: Optional[str] = None
    """Group name."""
    max: Optional[float] = None
    """Box plot maximum."""
    median: Optional[float] = None
    """Box plot median."""
    min: Optional[float] = None
    """Box plot minimum."""
    outliers: Optional[List[float]] = None
    """Box plot outliers."""
    points: Optional[List[List[float]]] = None
    """Line or scatter points."""
    radius: Optional[float] = None
    """Pie radius."""
    third_quartile: Optional[float] = None
    """Box plot third quartile."""
    value: Optional[float] = None
    """Bar or slice value."""
    extra: Dict[str, Any] = field(default_factory=dict)
    """Keys this class does not know, as parsed."""


@dataclass(frozen=True, repr=False)
class ExecutedToolCodeResultChart(WireObject):
    """A chart produced by code execution."""

    elements: List[ExecutedToolCodeResultChartElement]
    """The chart's elements."""
    type: str
    """``"bar"``, ``"box_and_whisker"``, ``"line"``, ``"pie"``, ``"scatter"``, ``"superchart"`` or ``"unknown"``."""
    title: Optional[str] = None
    """Chart title."""
    x_label: Optional[str] = None
    """X axis label."""
    x_scale: Optional[str] = None
    """X axis scale."""
    x_tick_labels: Optional[List[str]] = None
    """X tick labels."""
    x_ticks: Optional[List[float]] = None
    """X tick positions."""
    x_unit: Optional[str] = None
    """X axis unit."""
    y_label: Optional[str] = None
    """Y axis label."""
    y_scale: Optional[str] = None
    """Y axis scale."""
    y_tick_labels: Optional[List[str]] = None
    """Y tick labels."""
    y_ticks: Optional[List[float]] = None
    """Y tick positions."""
    y_unit: Optional[str] = None
    """Y axis unit."""
    extra: Dict[str, Any] = field(default_factory=dict)
    """Keys this class does not know, as parsed."""


@dataclass(frozen=True, repr=False)
class ExecutedToolCodeResult(WireObject):
    """The result of running code."""

    chart: Optional[ExecutedToolCodeResultChart] = None
    """A chart, when one was drawn."""
    charts: Optional[List[ExecutedToolCodeResultChart]] = None
    """Several charts, when drawn."""
    png: Optional[str] = None
    """A base64 PNG image, when produced."""
    text: Optional[str] = None
    """Text output, when produced."""
    extra: Dict[str, Any] = field(default_factory=dict)
    """Keys this class does not know, as parsed."""


@dataclass(frozen=True, repr=False)
class ExecutedToolSearchResultsResult(WireObject):
    """One web search hit."""

    content: Optional[str] = None
    """Text of the hit."""
    score: Optional[float] = None
    """Relevance score."""
    title: Optional[str] = None
    """Page title."""
    url: Optional[str] = None
    """Page URL."""
    extra: Dict[str, Any] = field(default_factory=dict)
    """Keys this class does not know, as parsed."""


@dataclass(frozen=True, repr=False)
class ExecutedToolSearchResults(WireObject):
    """The results of a web search tool."""

    images: Optional[List[str]] = None
    """Image URLs, when returned."""
    results: Optional[List[ExecutedToolSearchResultsResult]] = None
    """The hits (may be empty while the search runs)."""
    extra: Dict[str, Any] = field(default_factory=dict)
    """Keys this class does not know, as parsed."""


@dataclass(frozen=True, repr=False)
class ExecutedTool(WireObject):
    """A tool a compound model ran on the server.

    Groq sends it twice under the same ``index``: once when it starts, then
    again with its ``output``; the later one replaces the earlier.
    """

    arguments: str
    """The tool's arguments as a JSON string."""
    index: int
    """Position of the tool among those executed."""
    type: str
    """The tool kind, e.g. ``"search"``, ``"python"``, ``"browser"``."""
    browser_results: Optional[List[ExecutedToolBrowserResult]] = None
    """Pages visited, for browser tools."""
    code_results: Optional[List[ExecutedToolCodeResult]] = None
    """Code execution results, for code tools."""
    output: Optional[str] = None
    """The tool's output, once it has run."""
    search_results: Optional[ExecutedToolSearchResults] = None
    """Search hits, for search tools."""
    extra: Dict[str, Any] = field(default_factory=dict)
    """Keys this class does not know, as parsed."""


# --- per-model usage and debug output (Groq) ---------------------------------------


@dataclass(frozen=True, repr=False)
class UsageBreakdownModel(WireObject):
    """Usage of one model within a compound request."""

    model: str
    """The model's name."""
    usage: CompletionUsage
    """Its usage."""
    extra: Dict[str, Any] = field(default_factory=dict)
    """Keys this class does not know, as parsed."""


@dataclass(frozen=True, repr=False)
class UsageBreakdown(WireObject):
    """Per-model usage of a compound request."""

    models: List[UsageBreakdownModel]
    """One entry per model call."""
    extra: Dict[str, Any] = field(default_factory=dict)
    """Keys this class does not know, as parsed."""


@dataclass(frozen=True, repr=False)
class XGroqDebug(WireObject):
    """Token-level debug output; present only when the request set ``debug``."""

    input_token_ids: Optional[List[int]] = None
    """Input token IDs."""
    input_tokens: Optional[List[str]] = None
    """Input tokens."""
    output_token_ids: Optional[List[int]] = None
    """Output token IDs."""
    output_tokens: Optional[List[str]] = None
    """Output tokens."""
    extra: Dict[str, Any] = field(default_factory=dict)
    """Keys this class does not know, as parsed."""
