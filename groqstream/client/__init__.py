"""groqstream.client: HTTP clients built on the standard library, for those who have no other.

``Client`` (``http.client``) and ``AsyncClient`` (asyncio streams) send a chat
completion request and return a ``groqstream.Stream``/``AsyncStream`` over the
answer (a Responses API request: ``responses_stream()``, a ``ResponseStream``),
with the Groq SDK's configuration, retries and errors::

    from groqstream.client import Client

    with Client() as client:                       # GROQ_API_KEY from the environment
        with client.chat_stream(model="llama-3.3-70b-versatile", messages=[...]) as stream:
            for chunk in stream:
                print(chunk.text, end="")

The per-status errors (``RateLimitError``...) are ``groqstream.APIStatusError``
subclasses. ``policy`` makes every decision both clients share (the request,
retries, errors; no I/O), which ``sync_client`` and ``async_client`` drive
with their own I/O. ``adapters`` holds the one piece of code that knows the
insides of third-party responses (httpx, requests, urllib3, http.client), to
drain them and bound reads in total. See docs/transports.md.
"""

from __future__ import annotations

# Names are imported on first use (PEP 562), as in ``groqstream`` itself: the parser's drain imports
# ``client.adapters`` alone, without ``ssl`` and ``http.client``.
TYPE_CHECKING = False  # as typing's, without importing typing
if TYPE_CHECKING:  # pragma: no cover
    from ..core.errors import (
        AuthenticationError,
        BadRequestError,
        ConflictError,
        InternalServerError,
        NotFoundError,
        PermissionDeniedError,
        RateLimitError,
        RequestTooLargeError,
        UnexpectedContentTypeError,
        UnprocessableEntityError,
    )
    from ..core.stream import DEFAULT_DRAIN_BYTES, DEFAULT_DRAIN_SECONDS
    from .async_client import AsyncClient
    from .http import Headers, Response
    from .params import ChatCompletionParams, ResponseCreateParams
    from .policy import DEFAULT_BASE_URL
    from .sync_client import Client

_EXPORTS = {
    "AsyncClient": ".async_client",
    "AuthenticationError": "..core.errors",
    "BadRequestError": "..core.errors",
    "ChatCompletionParams": ".params",
    "Client": ".sync_client",
    "ConflictError": "..core.errors",
    "DEFAULT_BASE_URL": ".policy",
    "DEFAULT_DRAIN_BYTES": "..core.stream",
    "DEFAULT_DRAIN_SECONDS": "..core.stream",
    "Headers": ".http",
    "InternalServerError": "..core.errors",
    "NotFoundError": "..core.errors",
    "PermissionDeniedError": "..core.errors",
    "RateLimitError": "..core.errors",
    "RequestTooLargeError": "..core.errors",
    "Response": ".http",
    "ResponseCreateParams": ".params",
    "UnexpectedContentTypeError": "..core.errors",
    "UnprocessableEntityError": "..core.errors",
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


__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_DRAIN_BYTES",
    "DEFAULT_DRAIN_SECONDS",
    "AsyncClient",
    "AuthenticationError",
    "BadRequestError",
    "ChatCompletionParams",
    "Client",
    "ConflictError",
    "Headers",
    "InternalServerError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "RequestTooLargeError",
    "Response",
    "ResponseCreateParams",
    "UnexpectedContentTypeError",
    "UnprocessableEntityError",
]
