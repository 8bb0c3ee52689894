"""groqstream.tools: timed captures, the local ``serve`` endpoint, and the command line.

* ``CaptureWriter``, ``iter_capture``, ``CaptureDecoder``, ``CaptureHeader``,
  ``TimedEvent``, ``messages_digest``: a stream recorded with its arrival
  times, as a plain SSE file any parser still reads (docs/capture-format.md).
* ``serve``, ``CaptureServer``, ``Fault``, ``ServedRequest``: captures answered
  as a local chat-completions endpoint, with faults on demand (docs/serve.md).
* ``cli``: ``groqstream replay|validate|stats|chat|serve`` (docs/cli.md).
"""

from __future__ import annotations

# Names are imported on first use (PEP 562), as in ``groqstream`` itself: ``groqstream --help`` imports
# ``tools.cli`` alone, without the capture and serve modules.
TYPE_CHECKING = False  # as typing's, without importing typing
if TYPE_CHECKING:  # pragma: no cover
    from .capture import CaptureDecoder, CaptureHeader, CaptureWriter, TimedEvent, iter_capture, messages_digest
    from .server import CaptureServer, Fault, ServedRequest, serve

_EXPORTS = {
    "CaptureDecoder": ".capture",
    "CaptureHeader": ".capture",
    "CaptureServer": ".server",
    "CaptureWriter": ".capture",
    "Fault": ".server",
    "ServedRequest": ".server",
    "TimedEvent": ".capture",
    "iter_capture": ".capture",
    "messages_digest": ".capture",
    "serve": ".server",
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
    "CaptureDecoder",
    "CaptureHeader",
    "CaptureServer",
    "CaptureWriter",
    "Fault",
    "ServedRequest",
    "TimedEvent",
    "iter_capture",
    "messages_digest",
    "serve",
]
