"""groqstream: Groq and OpenAI-compatible chat-completion streams, parsed with the standard library only.

Bring your own I/O: hand ``Stream`` any bytes source (a file, a socket, a
``urllib`` response, an iterable of bytes) and iterate typed chunks that
mirror the Groq SDK's ``ChatCompletionChunk``::

    import groqstream as gs

    with gs.Stream(response) as stream:
        for chunk in stream:
            print(chunk.choices[0].delta.content or "", end="")

This module is the whole public API; everything else is private and may move.
"""

from ._accumulate import (
    AccumulatorEvent,
    ChatCompletionAccumulator,
    ContentDelta,
    ContentDone,
    ExecutedToolUpdate,
    FinishReason,
    ReasoningDelta,
    ReasoningDone,
    ToolCallArgumentsDelta,
    ToolCallDone,
    Usage,
    accumulate,
)
from ._chunks import ChunkDecoder
from ._errors import (
    ChunkDecodeError,
    GroqStreamError,
    IncompleteStreamError,
    SSEProtocolError,
    StreamAPIError,
    StreamClosedError,
)
from ._lines import DEFAULT_MAX_EVENT_BYTES
from ._pipeline import aiter_events, iter_events
from ._sse import ServerSentEvent, SSEDecoder
from ._stream import AsyncStream, Stream
from ._types import (
    Annotation,
    AnnotationDocumentCitation,
    AnnotationFunctionCitation,
    ChatCompletion,
    ChatCompletionChoice,
    ChatCompletionChunk,
    ChatCompletionMessage,
    ChatCompletionMessageToolCall,
    ChatCompletionMessageToolCallFunction,
    ChatCompletionTokenLogprob,
    Choice,
    ChoiceDelta,
    ChoiceDeltaFunctionCall,
    ChoiceDeltaToolCall,
    ChoiceDeltaToolCallFunction,
    ChoiceLogprobs,
    CompletionTokensDetails,
    CompletionUsage,
    ExecutedTool,
    ExecutedToolBrowserResult,
    ExecutedToolCodeResult,
    ExecutedToolCodeResultChart,
    ExecutedToolCodeResultChartElement,
    ExecutedToolSearchResults,
    ExecutedToolSearchResultsResult,
    FunctionCall,
    KnownFinishReason,
    KnownRole,
    PromptTokensDetails,
    TopLogprob,
    UsageBreakdown,
    UsageBreakdownModel,
    XGroq,
    XGroqDebug,
)

__version__ = "0.1.0"

__all__ = [
    "AccumulatorEvent",
    "Annotation",
    "AnnotationDocumentCitation",
    "AnnotationFunctionCitation",
    "AsyncStream",
    "ChatCompletion",
    "ChatCompletionAccumulator",
    "ChatCompletionChoice",
    "ChatCompletionChunk",
    "ChatCompletionMessage",
    "ChatCompletionMessageToolCall",
    "ChatCompletionMessageToolCallFunction",
    "ChatCompletionTokenLogprob",
    "Choice",
    "ChoiceDelta",
    "ChoiceDeltaFunctionCall",
    "ChoiceDeltaToolCall",
    "ChoiceDeltaToolCallFunction",
    "ChoiceLogprobs",
    "ChunkDecodeError",
    "ChunkDecoder",
    "CompletionTokensDetails",
    "CompletionUsage",
    "ContentDelta",
    "ContentDone",
    "DEFAULT_MAX_EVENT_BYTES",
    "ExecutedTool",
    "ExecutedToolBrowserResult",
    "ExecutedToolCodeResult",
    "ExecutedToolCodeResultChart",
    "ExecutedToolCodeResultChartElement",
    "ExecutedToolSearchResults",
    "ExecutedToolSearchResultsResult",
    "ExecutedToolUpdate",
    "FinishReason",
    "FunctionCall",
    "GroqStreamError",
    "IncompleteStreamError",
    "KnownFinishReason",
    "KnownRole",
    "PromptTokensDetails",
    "ReasoningDelta",
    "ReasoningDone",
    "SSEDecoder",
    "SSEProtocolError",
    "ServerSentEvent",
    "Stream",
    "StreamAPIError",
    "StreamClosedError",
    "ToolCallArgumentsDelta",
    "ToolCallDone",
    "TopLogprob",
    "Usage",
    "UsageBreakdown",
    "UsageBreakdownModel",
    "XGroq",
    "XGroqDebug",
    "__version__",
    "accumulate",
    "aiter_events",
    "iter_events",
]
