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

This module is the parser's API. The wire types are in ``groqstream.types``
(as the SDK's ``groq.types.chat``), the HTTP clients in ``groqstream.client``,
captures and ``serve`` in ``groqstream.tools``; the package's layers are drawn
in docs/architecture.md.
"""

# Names are imported on first use (PEP 562), so ``import groqstream`` costs
# almost nothing (``groqstream --help`` loads no parser). Type checkers and IDEs
# see every name through the block below.
TYPE_CHECKING = False  # as typing's, without importing typing; deleted below, so that dir() does not show it
if TYPE_CHECKING:  # pragma: no cover
    from . import client as client
    from . import tools as tools
    from . import types as types
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
    from .core.chunks import ChunkDecoder
    from .core.errors import (
        APIConnectionError,
        APIStatusError,
        APITimeoutError,
        ChunkDecodeError,
        GroqStreamError,
        IncompleteStreamError,
        InvalidJSONError,
        SSEProtocolError,
        StreamAPIError,
        StreamClosedError,
    )
    from .core.lines import DEFAULT_MAX_EVENT_BYTES
    from .core.partial_json import PartialJSON
    from .core.pipeline import aiter_events, iter_events
    from .core.response_stream import AsyncResponseStream, ResponseStream
    from .core.responses import ResponseAccumulator
    from .core.sse import ServerSentEvent, SSEDecoder
    from .core.stream import AsyncStream, Stream
    from .types import ChatCompletion, ChatCompletionChunk, Deviation

del TYPE_CHECKING

__version__ = "0.1.0"

_EXPORTS = {
    "APIConnectionError": ".core.errors",
    "APIStatusError": ".core.errors",
    "APITimeoutError": ".core.errors",
    "AccumulatorEvent": ".core.accumulate",
    "AsyncResponseStream": ".core.response_stream",
    "AsyncStream": ".core.stream",
    "ChatCompletion": ".types",
    "ChatCompletionAccumulator": ".core.accumulate",
    "ChatCompletionChunk": ".types",
    "ChunkDecodeError": ".core.errors",
    "ChunkDecoder": ".core.chunks",
    "ContentDelta": ".core.accumulate",
    "ContentDone": ".core.accumulate",
    "DEFAULT_MAX_EVENT_BYTES": ".core.lines",
    "Deviation": ".types",
    "ExecutedToolUpdate": ".core.accumulate",
    "FinishReason": ".core.accumulate",
    "GroqStreamError": ".core.errors",
    "IncompleteStreamError": ".core.errors",
    "InvalidJSONError": ".core.errors",
    "PartialJSON": ".core.partial_json",
    "ReasoningDelta": ".core.accumulate",
    "ReasoningDone": ".core.accumulate",
    "ResponseAccumulator": ".core.responses",
    "ResponseStream": ".core.response_stream",
    "SSEDecoder": ".core.sse",
    "SSEProtocolError": ".core.errors",
    "ServerSentEvent": ".core.sse",
    "Stream": ".core.stream",
    "StreamAPIError": ".core.errors",
    "StreamClosedError": ".core.errors",
    "ToolCallArgumentsDelta": ".core.accumulate",
    "ToolCallDone": ".core.accumulate",
    "Usage": ".core.accumulate",
    "accumulate": ".core.accumulate",
    "aiter_events": ".core.pipeline",
    "iter_events": ".core.pipeline",
}

_SUBPACKAGES = ("client", "tools", "types")

# The names this module exported before the layers had modules of their own
# (0.1.0 development): still found here, with a DeprecationWarning naming the
# new place, until the next release.
_MOVED = {
    "Annotation": "types",
    "AnnotationDocumentCitation": "types",
    "AnnotationFunctionCitation": "types",
    "AnnotationURLCitation": "types",
    "AsyncClient": "client",
    "AuthenticationError": "client",
    "BadRequestError": "client",
    "CaptureDecoder": "tools",
    "CaptureHeader": "tools",
    "CaptureServer": "tools",
    "CaptureWriter": "tools",
    "ChatCompletionChoice": "types",
    "ChatCompletionMessage": "types",
    "ChatCompletionMessageToolCall": "types",
    "ChatCompletionMessageToolCallCustom": "types",
    "ChatCompletionMessageToolCallFunction": "types",
    "ChatCompletionParams": "client",
    "ChatCompletionTokenLogprob": "types",
    "ChatCompletionXGroq": "types",
    "Choice": "types",
    "ChoiceDelta": "types",
    "ChoiceDeltaFunctionCall": "types",
    "ChoiceDeltaToolCall": "types",
    "ChoiceDeltaToolCallFunction": "types",
    "ChoiceLogprobs": "types",
    "Client": "client",
    "CompletionTokensDetails": "types",
    "CompletionUsage": "types",
    "ConflictError": "client",
    "ContentPart": "types",
    "DEFAULT_BASE_URL": "client",
    "DEFAULT_DRAIN_BYTES": "client",
    "DEFAULT_DRAIN_SECONDS": "client",
    "DEVIATION_RULES": "types",
    "ExecutedTool": "types",
    "ExecutedToolBrowserResult": "types",
    "ExecutedToolCodeResult": "types",
    "ExecutedToolCodeResultChart": "types",
    "ExecutedToolCodeResultChartElement": "types",
    "ExecutedToolSearchResults": "types",
    "ExecutedToolSearchResultsResult": "types",
    "Fault": "tools",
    "FunctionCall": "types",
    "Headers": "client",
    "InternalServerError": "client",
    "KnownFinishReason": "types",
    "KnownRole": "types",
    "McpListTool": "types",
    "McpListToolTool": "types",
    "NotFoundError": "client",
    "PermissionDeniedError": "client",
    "PromptTokensDetails": "types",
    "RateLimitError": "client",
    "ReasoningDetail": "types",
    "RequestTooLargeError": "client",
    "Response": "client",
    "TimedEvent": "tools",
    "TopLogprob": "types",
    "UnexpectedContentTypeError": "client",
    "UnprocessableEntityError": "client",
    "UsageBreakdown": "types",
    "UsageBreakdownModel": "types",
    "XGroq": "types",
    "XGroqDebug": "types",
    "XGroqUsage": "types",
    "iter_capture": "tools",
    "messages_digest": "tools",
    "serve": "tools",
}


def __getattr__(name: str) -> object:
    """Import a public name, or a layer (``groqstream.client``...), the first time it is used."""
    from importlib import import_module

    module = _EXPORTS.get(name)
    if module is not None:
        value = getattr(import_module(module, __name__), name)
    elif name in _SUBPACKAGES:
        value = import_module(f".{name}", __name__)
    elif name in _MOVED:
        import warnings

        new = f"groqstream.{_MOVED[name]}.{name}"
        # groqstream.types.Response is the Responses API's response: say which one the old name meant.
        what = " (the HTTP response; groqstream.types.Response is the Responses API's)" if name == "Response" else ""
        message = f"groqstream.{name} moved to {new}{what}; the old name goes in the next release"
        warnings.warn(message, DeprecationWarning, 2)
        return getattr(import_module(f".{_MOVED[name]}", __name__), name)  # not cached: each use warns
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value  # later lookups never come back here
    return value


def __dir__() -> "list[str]":
    """The public names (``__all__``), the layers and the module's own dunders."""
    dunders = {name for name in globals() if name.startswith("__") and name.endswith("__")}
    return sorted(set(__all__) | set(_SUBPACKAGES) | dunders)


__all__ = [
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AccumulatorEvent",
    "AsyncResponseStream",
    "AsyncStream",
    "ChatCompletion",
    "ChatCompletionAccumulator",
    "ChatCompletionChunk",
    "ChunkDecodeError",
    "ChunkDecoder",
    "ContentDelta",
    "ContentDone",
    "DEFAULT_MAX_EVENT_BYTES",
    "Deviation",
    "ExecutedToolUpdate",
    "FinishReason",
    "GroqStreamError",
    "IncompleteStreamError",
    "InvalidJSONError",
    "PartialJSON",
    "ReasoningDelta",
    "ReasoningDone",
    "ResponseAccumulator",
    "ResponseStream",
    "SSEDecoder",
    "SSEProtocolError",
    "ServerSentEvent",
    "Stream",
    "StreamAPIError",
    "StreamClosedError",
    "ToolCallArgumentsDelta",
    "ToolCallDone",
    "Usage",
    "__version__",
    "accumulate",
    "aiter_events",
    "iter_events",
]
