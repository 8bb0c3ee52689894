"""groqstream.types: the typed wire objects (as the SDK's ``groq.types.chat``), in one place to import them from.

The declarations are grouped by what they describe:

* ``chunk``: a streamed chunk (``ChatCompletionChunk``, ``Choice``,
  ``ChoiceDelta``, tool-call fragments, the chunk's ``XGroq``);
* ``completion``: a finished completion (``ChatCompletion``, its
  choices, message, tool calls and ``x_groq``);
* ``shared``: what both hold (usage, logprobs, annotations, executed
  tools, content parts, reasoning details);
* ``responses``: the Responses API stream (``ResponseStreamEvent`` and its
  subclasses, ``Response``, its output items, parts, usage, error);
* ``wire``: how any of them is read from JSON and written back.

The classes mirror the Groq SDK 1.x types: same class names, same field
names, same JSON keys. Open-ended strings such as ``finish_reason`` are typed
``str``; the ``Literal`` aliases here document the values known today.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from . import decoders as _decoders  # noqa: F401 - gives every class its generated decoder (decoders.py)
from .chunk import (
    ChatCompletionChunk,
    Choice,
    ChoiceDelta,
    ChoiceDeltaFunctionCall,
    ChoiceDeltaToolCall,
    ChoiceDeltaToolCallFunction,
    XGroq,
)
from .completion import (
    ChatCompletion,
    ChatCompletionChoice,
    ChatCompletionMessage,
    ChatCompletionMessageToolCall,
    ChatCompletionMessageToolCallCustom,
    ChatCompletionMessageToolCallFunction,
    ChatCompletionXGroq,
    FunctionCall,
    McpListTool,
    McpListToolTool,
    XGroqUsage,
)
from .shared import (
    Annotation,
    AnnotationDocumentCitation,
    AnnotationFunctionCitation,
    AnnotationURLCitation,
    ChatCompletionTokenLogprob,
    ChoiceLogprobs,
    CompletionTokensDetails,
    CompletionUsage,
    ContentPart,
    ExecutedTool,
    ExecutedToolBrowserResult,
    ExecutedToolCodeResult,
    ExecutedToolCodeResultChart,
    ExecutedToolCodeResultChartElement,
    ExecutedToolSearchResults,
    ExecutedToolSearchResultsResult,
    PromptTokensDetails,
    ReasoningDetail,
    TopLogprob,
    UsageBreakdown,
    UsageBreakdownModel,
    XGroqDebug,
)
from .wire import DEVIATION_RULES, Deviation, WireObject

if TYPE_CHECKING:
    from .responses import *  # noqa: F403  # at run time, imported on first use: see __getattr__

__all__ = [
    "DEVIATION_RULES",
    "Annotation",
    "AnnotationDocumentCitation",
    "AnnotationFunctionCitation",
    "AnnotationURLCitation",
    "ChatCompletion",
    "ChatCompletionChoice",
    "ChatCompletionChunk",
    "ChatCompletionMessage",
    "ChatCompletionMessageToolCall",
    "ChatCompletionMessageToolCallCustom",
    "ChatCompletionMessageToolCallFunction",
    "ChatCompletionTokenLogprob",
    "ChatCompletionXGroq",
    "Choice",
    "ChoiceDelta",
    "ChoiceDeltaFunctionCall",
    "ChoiceDeltaToolCall",
    "ChoiceDeltaToolCallFunction",
    "ChoiceLogprobs",
    "CompletionTokensDetails",
    "CompletionUsage",
    "ContentPart",
    "Deviation",
    "ExecutedTool",
    "ExecutedToolBrowserResult",
    "ExecutedToolCodeResult",
    "ExecutedToolCodeResultChart",
    "ExecutedToolCodeResultChartElement",
    "ExecutedToolSearchResults",
    "ExecutedToolSearchResultsResult",
    "FunctionCall",
    "KnownFinishReason",
    "KnownRole",
    "McpListTool",
    "McpListToolTool",
    "PromptTokensDetails",
    "ReasoningDetail",
    "TopLogprob",
    "UsageBreakdown",
    "UsageBreakdownModel",
    "WireObject",
    "XGroq",
    "XGroqDebug",
    "XGroqUsage",
]
# --- the Responses API (issue #27): types/responses.py, imported on first use (a chat stream needs none) ---
_RESPONSES_NAMES = (
    "RESPONSE_EVENT_TYPES",
    "Response",
    "ResponseAnnotation",
    "ResponseApplyPatchToolCall",
    "ResponseApplyPatchToolCallOutput",
    "ResponseCodeInterpreterToolCall",
    "ResponseCompactionItem",
    "ResponseComputerToolCall",
    "ResponseComputerToolCallOutputItem",
    "ResponseContentPart",
    "ResponseCustomToolCall",
    "ResponseCustomToolCallOutputItem",
    "ResponseError",
    "ResponseFileCitation",
    "ResponseFileSearchToolCall",
    "ResponseFunctionShellToolCall",
    "ResponseFunctionShellToolCallOutput",
    "ResponseFunctionToolCall",
    "ResponseFunctionToolCallOutputItem",
    "ResponseFunctionWebSearch",
    "ResponseImageGenerationCall",
    "ResponseIncompleteDetails",
    "ResponseLocalShellCall",
    "ResponseLocalShellCallOutput",
    "ResponseMcpApprovalRequest",
    "ResponseMcpApprovalResponse",
    "ResponseMcpCall",
    "ResponseMcpListTools",
    "ResponseOutputItem",
    "ResponseOutputMessage",
    "ResponseOutputRefusal",
    "ResponseOutputText",
    "ResponseReasoningItem",
    "ResponseReasoningText",
    "ResponseStreamEvent",
    "ResponseSummaryText",
    "ResponseToolSearchCall",
    "ResponseToolSearchOutputItem",
    "ResponseURLCitation",
    "ResponseUsage",
    "ResponseAudioDeltaEvent",
    "ResponseAudioDoneEvent",
    "ResponseAudioTranscriptDeltaEvent",
    "ResponseAudioTranscriptDoneEvent",
    "ResponseCodeInterpreterCallCodeDeltaEvent",
    "ResponseCodeInterpreterCallCodeDoneEvent",
    "ResponseCodeInterpreterCallCompletedEvent",
    "ResponseCodeInterpreterCallInProgressEvent",
    "ResponseCodeInterpreterCallInterpretingEvent",
    "ResponseCompactionCompactingEvent",
    "ResponseCompletedEvent",
    "ResponseContentPartAddedEvent",
    "ResponseContentPartDoneEvent",
    "ResponseCreatedEvent",
    "ResponseCustomToolCallInputDeltaEvent",
    "ResponseCustomToolCallInputDoneEvent",
    "ResponseErrorEvent",
    "ResponseFailedEvent",
    "ResponseFileSearchCallCompletedEvent",
    "ResponseFileSearchCallInProgressEvent",
    "ResponseFileSearchCallSearchingEvent",
    "ResponseFunctionCallArgumentsDeltaEvent",
    "ResponseFunctionCallArgumentsDoneEvent",
    "ResponseImageGenCallCompletedEvent",
    "ResponseImageGenCallGeneratingEvent",
    "ResponseImageGenCallInProgressEvent",
    "ResponseImageGenCallPartialImageEvent",
    "ResponseInProgressEvent",
    "ResponseIncompleteEvent",
    "ResponseMcpCallArgumentsDeltaEvent",
    "ResponseMcpCallArgumentsDoneEvent",
    "ResponseMcpCallCompletedEvent",
    "ResponseMcpCallFailedEvent",
    "ResponseMcpCallInProgressEvent",
    "ResponseMcpListToolsCompletedEvent",
    "ResponseMcpListToolsFailedEvent",
    "ResponseMcpListToolsInProgressEvent",
    "ResponseOutputItemAddedEvent",
    "ResponseOutputItemDoneEvent",
    "ResponseOutputTextAnnotationAddedEvent",
    "ResponseQueuedEvent",
    "ResponseReasoningSummaryPartAddedEvent",
    "ResponseReasoningSummaryPartDoneEvent",
    "ResponseReasoningSummaryTextDeltaEvent",
    "ResponseReasoningSummaryTextDoneEvent",
    "ResponseReasoningTextDeltaEvent",
    "ResponseReasoningTextDoneEvent",
    "ResponseRefusalDeltaEvent",
    "ResponseRefusalDoneEvent",
    "ResponseShellCallCommandAddedEvent",
    "ResponseShellCallCommandDeltaEvent",
    "ResponseShellCallCommandDoneEvent",
    "ResponseShellCallOutputContentDeltaEvent",
    "ResponseShellCallOutputContentDoneEvent",
    "ResponseTextDeltaEvent",
    "ResponseTextDoneEvent",
    "ResponseWebSearchCallCompletedEvent",
    "ResponseWebSearchCallInProgressEvent",
    "ResponseWebSearchCallSearchingEvent",
)
__all__ += _RESPONSES_NAMES

# Known finish_reason values; the field itself is str so new values never break parsing.
KnownFinishReason = Literal["stop", "length", "tool_calls", "content_filter", "function_call"]
# Known role values; the field itself is str.
KnownRole = Literal["system", "user", "assistant", "tool"]


def __getattr__(name: str) -> Any:
    """The Responses API's names (``_RESPONSES_NAMES``): their module is imported when one is first used."""
    if name not in _RESPONSES_NAMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from . import responses

    value = getattr(responses, name)
    globals()[name] = value
    return value
