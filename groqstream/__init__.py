# SPDX-License-Identifier: MIT. Copyright (c) 2026 the groqstream developers (the LICENSE file).
"""groqstream: Groq and OpenAI-compatible chat-completion streams, parsed with the standard library only.

Bring your own I/O: hand ``Stream`` any bytes source (a file, a socket, a
``urllib`` response, an iterable of bytes) and iterate typed chunks that
mirror the Groq SDK's ``ChatCompletionChunk``::

    import groqstream as gs

    with gs.Stream(response) as stream:
        for chunk in stream:
            print(chunk.text, end="")

``chunk.text`` is the text the chunk adds to choice 0, ``""`` when it adds
none: unlike ``chunk.choices[0]``, it cannot fail on the usage-only chunk
(``"choices": []``) a stream may end with.

This module is the whole public API; everything else is private and may move.
"""

# Names are imported on first use (PEP 562), so ``import groqstream`` costs
# almost nothing and the client's urllib/ssl, say, load only for those who use
# it. Type checkers and IDEs see every name through the block below.
TYPE_CHECKING = False  # as typing's, without importing typing; deleted below, so that dir() does not show it
if TYPE_CHECKING:  # pragma: no cover
    from .core.accumulate import (
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
    from .client.async_client import (
        AsyncClient,
    )
    from .tools.capture import (
        CaptureDecoder,
        CaptureHeader,
        CaptureWriter,
        TimedEvent,
        iter_capture,
        messages_digest,
    )
    from .core.chunks import (
        ChunkDecoder,
    )
    from .client.sync_client import (
        DEFAULT_BASE_URL,
        Client,
    )
    from .client.adapters import (
        DEFAULT_DRAIN_BYTES,
        DEFAULT_DRAIN_SECONDS,
    )
    from .core.errors import (
        APIConnectionError,
        APIStatusError,
        APITimeoutError,
        AuthenticationError,
        BadRequestError,
        ChunkDecodeError,
        ConflictError,
        GroqStreamError,
        IncompleteStreamError,
        InternalServerError,
        InvalidJSONError,
        NotFoundError,
        PermissionDeniedError,
        RateLimitError,
        RequestTooLargeError,
        SSEProtocolError,
        StreamAPIError,
        StreamClosedError,
        UnexpectedContentTypeError,
        UnprocessableEntityError,
    )
    from .client.http import (
        Headers,
        Response,
    )
    from .core.lines import (
        DEFAULT_MAX_EVENT_BYTES,
    )
    from .client.params import (
        ChatCompletionParams,
    )
    from .core.partial_json import (
        PartialJSON,
    )
    from .core.pipeline import (
        aiter_events,
        iter_events,
    )
    from .tools.serve import (
        CaptureServer,
        Fault,
        serve,
    )
    from .core.sse import (
        ServerSentEvent,
        SSEDecoder,
    )
    from .core.stream import (
        AsyncStream,
        Stream,
    )
    from .types import (
        DEVIATION_RULES,
        Annotation,
        AnnotationDocumentCitation,
        AnnotationFunctionCitation,
        AnnotationURLCitation,
        ChatCompletion,
        ChatCompletionChoice,
        ChatCompletionChunk,
        ChatCompletionMessage,
        ChatCompletionMessageToolCall,
        ChatCompletionMessageToolCallCustom,
        ChatCompletionMessageToolCallFunction,
        ChatCompletionTokenLogprob,
        ChatCompletionXGroq,
        Choice,
        ChoiceDelta,
        ChoiceDeltaFunctionCall,
        ChoiceDeltaToolCall,
        ChoiceDeltaToolCallFunction,
        ChoiceLogprobs,
        CompletionTokensDetails,
        CompletionUsage,
        ContentPart,
        Deviation,
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
        McpListTool,
        McpListToolTool,
        PromptTokensDetails,
        ReasoningDetail,
        TopLogprob,
        UsageBreakdown,
        UsageBreakdownModel,
        XGroq,
        XGroqDebug,
        XGroqUsage,
    )

del TYPE_CHECKING

__version__ = "0.1.0"

_EXPORTS = {
    "APIConnectionError": ".core.errors",
    "APIStatusError": ".core.errors",
    "APITimeoutError": ".core.errors",
    "AccumulatorEvent": ".core.accumulate",
    "Annotation": ".types",
    "AnnotationDocumentCitation": ".types",
    "AnnotationFunctionCitation": ".types",
    "AnnotationURLCitation": ".types",
    "AsyncClient": ".client.async_client",
    "AsyncStream": ".core.stream",
    "AuthenticationError": ".core.errors",
    "BadRequestError": ".core.errors",
    "CaptureDecoder": ".tools.capture",
    "CaptureHeader": ".tools.capture",
    "CaptureServer": ".tools.serve",
    "CaptureWriter": ".tools.capture",
    "ChatCompletion": ".types",
    "ChatCompletionAccumulator": ".core.accumulate",
    "ChatCompletionChoice": ".types",
    "ChatCompletionChunk": ".types",
    "ChatCompletionMessage": ".types",
    "ChatCompletionMessageToolCall": ".types",
    "ChatCompletionMessageToolCallCustom": ".types",
    "ChatCompletionMessageToolCallFunction": ".types",
    "ChatCompletionParams": ".client.params",
    "ChatCompletionTokenLogprob": ".types",
    "ChatCompletionXGroq": ".types",
    "Choice": ".types",
    "ChoiceDelta": ".types",
    "ChoiceDeltaFunctionCall": ".types",
    "ChoiceDeltaToolCall": ".types",
    "ChoiceDeltaToolCallFunction": ".types",
    "ChoiceLogprobs": ".types",
    "ChunkDecodeError": ".core.errors",
    "ChunkDecoder": ".core.chunks",
    "Client": ".client.sync_client",
    "CompletionTokensDetails": ".types",
    "CompletionUsage": ".types",
    "ConflictError": ".core.errors",
    "ContentDelta": ".core.accumulate",
    "ContentDone": ".core.accumulate",
    "ContentPart": ".types",
    "DEFAULT_BASE_URL": ".client.sync_client",
    "DEFAULT_DRAIN_BYTES": ".client.adapters",
    "DEFAULT_DRAIN_SECONDS": ".client.adapters",
    "DEFAULT_MAX_EVENT_BYTES": ".core.lines",
    "DEVIATION_RULES": ".types",
    "Deviation": ".types",
    "ExecutedTool": ".types",
    "ExecutedToolBrowserResult": ".types",
    "ExecutedToolCodeResult": ".types",
    "ExecutedToolCodeResultChart": ".types",
    "ExecutedToolCodeResultChartElement": ".types",
    "ExecutedToolSearchResults": ".types",
    "ExecutedToolSearchResultsResult": ".types",
    "ExecutedToolUpdate": ".core.accumulate",
    "Fault": ".tools.serve",
    "FinishReason": ".core.accumulate",
    "FunctionCall": ".types",
    "GroqStreamError": ".core.errors",
    "Headers": ".client.http",
    "IncompleteStreamError": ".core.errors",
    "InternalServerError": ".core.errors",
    "InvalidJSONError": ".core.errors",
    "KnownFinishReason": ".types",
    "KnownRole": ".types",
    "McpListTool": ".types",
    "McpListToolTool": ".types",
    "NotFoundError": ".core.errors",
    "PartialJSON": ".core.partial_json",
    "PermissionDeniedError": ".core.errors",
    "PromptTokensDetails": ".types",
    "RateLimitError": ".core.errors",
    "ReasoningDelta": ".core.accumulate",
    "ReasoningDetail": ".types",
    "ReasoningDone": ".core.accumulate",
    "RequestTooLargeError": ".core.errors",
    "Response": ".client.http",
    "SSEDecoder": ".core.sse",
    "SSEProtocolError": ".core.errors",
    "ServerSentEvent": ".core.sse",
    "Stream": ".core.stream",
    "StreamAPIError": ".core.errors",
    "StreamClosedError": ".core.errors",
    "TimedEvent": ".tools.capture",
    "ToolCallArgumentsDelta": ".core.accumulate",
    "ToolCallDone": ".core.accumulate",
    "TopLogprob": ".types",
    "UnexpectedContentTypeError": ".core.errors",
    "UnprocessableEntityError": ".core.errors",
    "Usage": ".core.accumulate",
    "UsageBreakdown": ".types",
    "UsageBreakdownModel": ".types",
    "XGroq": ".types",
    "XGroqDebug": ".types",
    "XGroqUsage": ".types",
    "accumulate": ".core.accumulate",
    "aiter_events": ".core.pipeline",
    "iter_capture": ".tools.capture",
    "iter_events": ".core.pipeline",
    "messages_digest": ".tools.capture",
    "serve": ".tools.serve",
}


def __getattr__(name: str) -> object:
    """Import a public name from its module the first time it is used."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(module, __name__), name)
    globals()[name] = value  # later lookups never come back here
    return value


def __dir__() -> "list[str]":
    """The public names (``__all__``) and the module's own dunders; not the private submodules once loaded."""
    return sorted(set(__all__) | {name for name in globals() if name.startswith("__") and name.endswith("__")})


__all__ = [
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AccumulatorEvent",
    "Annotation",
    "AnnotationDocumentCitation",
    "AnnotationFunctionCitation",
    "AnnotationURLCitation",
    "AsyncClient",
    "AsyncStream",
    "AuthenticationError",
    "BadRequestError",
    "CaptureDecoder",
    "CaptureHeader",
    "CaptureServer",
    "CaptureWriter",
    "ChatCompletion",
    "ChatCompletionAccumulator",
    "ChatCompletionChoice",
    "ChatCompletionChunk",
    "ChatCompletionMessage",
    "ChatCompletionMessageToolCall",
    "ChatCompletionMessageToolCallCustom",
    "ChatCompletionMessageToolCallFunction",
    "ChatCompletionParams",
    "ChatCompletionTokenLogprob",
    "ChatCompletionXGroq",
    "Choice",
    "ChoiceDelta",
    "ChoiceDeltaFunctionCall",
    "ChoiceDeltaToolCall",
    "ChoiceDeltaToolCallFunction",
    "ChoiceLogprobs",
    "ChunkDecodeError",
    "ChunkDecoder",
    "Client",
    "CompletionTokensDetails",
    "CompletionUsage",
    "ConflictError",
    "ContentDelta",
    "ContentDone",
    "ContentPart",
    "DEFAULT_BASE_URL",
    "DEFAULT_DRAIN_BYTES",
    "DEFAULT_DRAIN_SECONDS",
    "DEFAULT_MAX_EVENT_BYTES",
    "DEVIATION_RULES",
    "Deviation",
    "ExecutedTool",
    "ExecutedToolBrowserResult",
    "ExecutedToolCodeResult",
    "ExecutedToolCodeResultChart",
    "ExecutedToolCodeResultChartElement",
    "ExecutedToolSearchResults",
    "ExecutedToolSearchResultsResult",
    "ExecutedToolUpdate",
    "Fault",
    "FinishReason",
    "FunctionCall",
    "GroqStreamError",
    "Headers",
    "IncompleteStreamError",
    "InternalServerError",
    "InvalidJSONError",
    "KnownFinishReason",
    "KnownRole",
    "McpListTool",
    "McpListToolTool",
    "NotFoundError",
    "PartialJSON",
    "PermissionDeniedError",
    "PromptTokensDetails",
    "RateLimitError",
    "ReasoningDelta",
    "ReasoningDetail",
    "ReasoningDone",
    "RequestTooLargeError",
    "Response",
    "SSEDecoder",
    "SSEProtocolError",
    "ServerSentEvent",
    "Stream",
    "StreamAPIError",
    "StreamClosedError",
    "TimedEvent",
    "ToolCallArgumentsDelta",
    "ToolCallDone",
    "TopLogprob",
    "UnexpectedContentTypeError",
    "UnprocessableEntityError",
    "Usage",
    "UsageBreakdown",
    "UsageBreakdownModel",
    "XGroq",
    "XGroqDebug",
    "XGroqUsage",
    "__version__",
    "accumulate",
    "aiter_events",
    "iter_capture",
    "iter_events",
    "messages_digest",
    "serve",
]
