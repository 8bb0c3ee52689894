"""groqstream.types: the typed wire objects (as the SDK's ``groq.types.chat``), in one place to import them from.

The declarations are grouped by what they describe:

* ``chunk``: a streamed chunk (``ChatCompletionChunk``, ``Choice``,
  ``ChoiceDelta``, tool-call fragments, the chunk's ``XGroq``);
* ``completion``: a finished completion (``ChatCompletion``, its
  choices, message, tool calls and ``x_groq``);
* ``shared``: what both hold (usage, logprobs, annotations, executed
  tools, content parts, reasoning details);
* ``wire``: how any of them is read from JSON and written back.

The classes mirror the Groq SDK 1.x types: same class names, same field
names, same JSON keys. Open-ended strings such as ``finish_reason`` are typed
``str``; the ``Literal`` aliases here document the values known today.
"""

from __future__ import annotations

from typing import Literal

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

# Known finish_reason values; the field itself is str so new values never break parsing.
KnownFinishReason = Literal["stop", "length", "tool_calls", "content_filter", "function_call"]
# Known role values; the field itself is str.
KnownRole = Literal["system", "user", "assistant", "tool"]
