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
    from ._async_client import (
        AsyncClient,
    )
    from ._capture import (
        CaptureDecoder,
        CaptureHeader,
        CaptureWriter,
        TimedEvent,
        iter_capture,
        messages_digest,
    )
    from ._chunks import (
        ChunkDecoder,
    )
    from ._client import (
        DEFAULT_BASE_URL,
        Client,
    )
    from ._drain import (
        DEFAULT_DRAIN_BYTES,
        DEFAULT_DRAIN_SECONDS,
    )
    from ._errors import (
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
    from ._http import (
        Headers,
        Response,
    )
    from ._lines import (
        DEFAULT_MAX_EVENT_BYTES,
    )
    from ._params import (
        ChatCompletionParams,
    )
    from ._partial_json import (
        PartialJSON,
    )
    from ._pipeline import (
        aiter_events,
        iter_events,
    )
    from ._serve import (
        CaptureServer,
        Fault,
        serve,
    )
    from ._sse import (
        ServerSentEvent,
        SSEDecoder,
    )
    from ._stream import (
        AsyncStream,
        Stream,
    )
    from ._types import (
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
    "APIConnectionError": "._errors",
    "APIStatusError": "._errors",
    "APITimeoutError": "._errors",
    "AccumulatorEvent": "._accumulate",
    "Annotation": "._types",
    "AnnotationDocumentCitation": "._types",
    "AnnotationFunctionCitation": "._types",
    "AnnotationURLCitation": "._types",
    "AsyncClient": "._async_client",
    "AsyncStream": "._stream",
    "AuthenticationError": "._errors",
    "BadRequestError": "._errors",
    "CaptureDecoder": "._capture",
    "CaptureHeader": "._capture",
    "CaptureServer": "._serve",
    "CaptureWriter": "._capture",
    "ChatCompletion": "._types",
    "ChatCompletionAccumulator": "._accumulate",
    "ChatCompletionChoice": "._types",
    "ChatCompletionChunk": "._types",
    "ChatCompletionMessage": "._types",
    "ChatCompletionMessageToolCall": "._types",
    "ChatCompletionMessageToolCallCustom": "._types",
    "ChatCompletionMessageToolCallFunction": "._types",
    "ChatCompletionParams": "._params",
    "ChatCompletionTokenLogprob": "._types",
    "ChatCompletionXGroq": "._types",
    "Choice": "._types",
    "ChoiceDelta": "._types",
    "ChoiceDeltaFunctionCall": "._types",
    "ChoiceDeltaToolCall": "._types",
    "ChoiceDeltaToolCallFunction": "._types",
    "ChoiceLogprobs": "._types",
    "ChunkDecodeError": "._errors",
    "ChunkDecoder": "._chunks",
    "Client": "._client",
    "CompletionTokensDetails": "._types",
    "CompletionUsage": "._types",
    "ConflictError": "._errors",
    "ContentDelta": "._accumulate",
    "ContentDone": "._accumulate",
    "ContentPart": "._types",
    "DEFAULT_BASE_URL": "._client",
    "DEFAULT_DRAIN_BYTES": "._drain",
    "DEFAULT_DRAIN_SECONDS": "._drain",
    "DEFAULT_MAX_EVENT_BYTES": "._lines",
    "DEVIATION_RULES": "._types",
    "Deviation": "._types",
    "ExecutedTool": "._types",
    "ExecutedToolBrowserResult": "._types",
    "ExecutedToolCodeResult": "._types",
    "ExecutedToolCodeResultChart": "._types",
    "ExecutedToolCodeResultChartElement": "._types",
    "ExecutedToolSearchResults": "._types",
    "ExecutedToolSearchResultsResult": "._types",
    "ExecutedToolUpdate": "._accumulate",
    "Fault": "._serve",
    "FinishReason": "._accumulate",
    "FunctionCall": "._types",
    "GroqStreamError": "._errors",
    "Headers": "._http",
    "IncompleteStreamError": "._errors",
    "InternalServerError": "._errors",
    "InvalidJSONError": "._errors",
    "KnownFinishReason": "._types",
    "KnownRole": "._types",
    "McpListTool": "._types",
    "McpListToolTool": "._types",
    "NotFoundError": "._errors",
    "PartialJSON": "._partial_json",
    "PermissionDeniedError": "._errors",
    "PromptTokensDetails": "._types",
    "RateLimitError": "._errors",
    "ReasoningDelta": "._accumulate",
    "ReasoningDetail": "._types",
    "ReasoningDone": "._accumulate",
    "RequestTooLargeError": "._errors",
    "Response": "._http",
    "SSEDecoder": "._sse",
    "SSEProtocolError": "._errors",
    "ServerSentEvent": "._sse",
    "Stream": "._stream",
    "StreamAPIError": "._errors",
    "StreamClosedError": "._errors",
    "TimedEvent": "._capture",
    "ToolCallArgumentsDelta": "._accumulate",
    "ToolCallDone": "._accumulate",
    "TopLogprob": "._types",
    "UnexpectedContentTypeError": "._errors",
    "UnprocessableEntityError": "._errors",
    "Usage": "._accumulate",
    "UsageBreakdown": "._types",
    "UsageBreakdownModel": "._types",
    "XGroq": "._types",
    "XGroqDebug": "._types",
    "XGroqUsage": "._types",
    "accumulate": "._accumulate",
    "aiter_events": "._pipeline",
    "iter_capture": "._capture",
    "iter_events": "._pipeline",
    "messages_digest": "._capture",
    "serve": "._serve",
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
