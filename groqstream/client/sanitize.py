"""What a request may carry, checked before a byte is sent; and URLs masked before they are shown.

Both clients build their requests in one place (``_ClientBase._build``) and
check them here, so ``Client`` and ``AsyncClient`` refuse exactly the same
things. The rules:

- A header name is an RFC 9110 token (letters, digits and ``!#$%&'*+-.^_`|~``):
  no colon, space, CR or LF, so no name can end a header early.
- A header value holds no control character but TAB: CR, LF and NUL would
  end the header (or the request) and let the rest be read as headers or as
  a second request (request splitting); the others are refused by servers.
  The value must also fit in Latin-1, the encoding HTTP/1.1 headers go out in.
- ``Content-Length`` and ``Transfer-Encoding`` are the clients' own: a
  caller's would frame the body differently from what is sent.
- The API key follows the value rules and has no white space at either end:
  a key read from a file keeps its newline, and is refused by name with a
  hint (the Groq and OpenAI SDKs refuse it too, through h11, but show the key
  in the message).
- ``base_url`` holds no white space, control or non-ASCII character:
  ``urllib.parse`` silently drops CR, LF and TAB, so ``/v1\\r\\nX: y`` would
  otherwise become a path with a space in the request line.

A refused value is never shown, nor a refused header name (a mistyped
mapping can put the key in the name): the message names the argument (and
the header, for a value), and says which character was found where.

``redact_url`` is what every message, ``repr`` and ``Response.url`` shows
instead of a URL: credentials (``user:pass@``, all up to the last ``@``, so
that a password with an unescaped ``#``, ``/`` or ``?`` is masked whole) become ``***@`` and the value
of a secret-looking query parameter (``api-key``, ``key``, ``token``,
``sig``...) becomes ``***``.
"""

from __future__ import annotations

import re
import urllib.parse
from typing import Mapping, Optional

__all__ = ["check_api_key", "check_base_url", "check_headers", "redact_url"]

# RFC 9110 section 5.6.2: token = 1*tchar.
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_NOT_TCHAR = re.compile(r"[^!#$%&'*+\-.^_`|~0-9A-Za-z]")
# RFC 9110 section 5.5: a field value is visible characters, SP, HTAB and obs-text (0x80-0xFF).
_BAD_VALUE_CHAR = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]|[^\x00-\xff]")
# Anything a URL must not carry as itself: white space, controls, non-ASCII.
_BAD_URL_CHAR = re.compile(r"[\x00-\x20\x7f-\U0010ffff]")
# The headers that frame the body: always the clients' own.
_FRAMING = frozenset({"content-length", "transfer-encoding"})
# A query parameter whose name contains one of these is taken for a secret (Azure's api-key and sig,
# ?key=, ?access_token=, ?auth=...); masking a harmless one costs nothing.
_SECRET_NAME = re.compile(r"key|token|secret|passw|pwd|auth|sig|credential|session|cookie", re.IGNORECASE)

_CHAR_NAMES = {
    "\r": "a carriage return (\\r)",
    "\n": "a line feed (\\n)",
    "\x00": "a NUL (\\x00)",
    "\t": "a tab (\\t)",
    " ": "a space",
}


def _describe(char: str) -> str:
    """A character named so that the message shows it without containing the value it came from."""
    name = _CHAR_NAMES.get(char)
    if name is not None:
        return name
    if ord(char) > 0xFF:
        return f"the character U+{ord(char):04X}"
    return f"the control character {char!r}" if ord(char) < 0x20 or ord(char) == 0x7F else f"{char!r}"


def check_headers(headers: Mapping[str, Optional[str]], *, argument: str) -> None:
    """Refuse a header name or value that could change the request's framing.

    Args:
        headers: the headers given (a ``None`` value removes a header: nothing to check).
        argument: where they were given (``"default_headers"``, ``"extra_headers"``), for the message.

    Raises:
        ValueError: a name that is not a token, a value with a control character other than TAB or a
            character outside Latin-1, or ``Content-Length`` / ``Transfer-Encoding``. The value is never shown.
        TypeError: a name or value that is not a ``str``.
    """
    for name, value in headers.items():
        if not isinstance(name, str):
            raise TypeError(f"{argument}: a header name must be a str, got {type(name).__name__}")
        if not _TOKEN.fullmatch(name):
            # The name is not shown either: a mistyped mapping ({"Authorization: Bearer gsk_...": ""}) puts the
            # key in the name, so only the first character that is not allowed is named, with its position.
            bad = _NOT_TCHAR.search(name)
            found = "is empty" if bad is None else f"has {_describe(bad.group())} at position {bad.start()}"
            raise ValueError(
                f"{argument}: a header name {found} (the name is not shown); a header name is an HTTP token "
                "(letters, digits and !#$%&'*+-.^_`|~; no colon, space or line break)"
            )
        if name.lower() in _FRAMING:
            raise ValueError(f"{argument}: {name!r} is set by the client to frame the body; it cannot be given")
        if value is None:
            continue
        if not isinstance(value, str):
            raise TypeError(f"{argument}: the value of header {name!r} must be a str, got {type(value).__name__}")
        bad = _BAD_VALUE_CHAR.search(value)
        if bad is not None:
            raise ValueError(
                f"{argument}: header {name!r} has {_describe(bad.group())} at position {bad.start()} of its value "
                "(not shown); header values may not hold CR, LF, NUL or other control characters but TAB, "
                "nor characters outside Latin-1"
            )


def check_api_key(key: str, *, source: str = "api_key") -> None:
    """Refuse an API key that cannot go into a header as it is, naming *source* but never showing the key.

    Raises:
        ValueError: white space at either end (a key read from a file with its newline), a control
            character or a character outside Latin-1 anywhere.
        TypeError: a key that is not a ``str``.
    """
    if not isinstance(key, str):
        raise TypeError(f"{source} must be a str, got {type(key).__name__}")
    stripped = key.strip()
    if stripped != key:
        end = key[-1] if key.rstrip() != key else key[0]
        where = "ends with" if key.rstrip() != key else "starts with"
        raise ValueError(
            f"{source} {where} {_describe(end)}: a key read from a file keeps its newline; "
            "pass it stripped, e.g. open(path).read().strip() (the key is not shown)"
        )
    bad = _BAD_VALUE_CHAR.search(key)
    if bad is not None:
        raise ValueError(
            f"{source} has {_describe(bad.group())} at position {bad.start()} (the key is not shown); "
            "an API key may not hold control characters or characters outside Latin-1"
        )


def check_base_url(url: str, *, source: str = "base_url") -> None:
    """Refuse a ``base_url`` with white space, a control character or a non-ASCII character in it.

    Raises:
        ValueError: naming the character and its position (the URL is not shown: it may hold credentials).
        TypeError: a URL that is not a ``str``.
    """
    if not isinstance(url, str):
        raise TypeError(f"{source} must be a str, got {type(url).__name__}")
    bad = _BAD_URL_CHAR.search(url)
    if bad is not None:
        raise ValueError(
            f"{source} has {_describe(bad.group())} at position {bad.start()} (the URL is not shown); "
            "percent-encode it (a URL holds no white space, control or non-ASCII character)"
        )


def redact_url(url: str) -> str:
    """*url* as it may be shown: credentials become ``***@``, secret-looking query values ``***``.

    Args:
        url: any URL; text that does not parse as one is returned masked as far as it parses.

    Returns:
        The URL with the rest (scheme, host, port, path, other parameters) unchanged.
    """
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:  # e.g. an invalid IPv6 literal: nothing of it is shown
        return "<a URL that does not parse>"
    netloc = parts.netloc
    scheme, slashes, rest = url.partition("//")
    if slashes and "@" in rest:
        # Credentials run from "//" to the last "@", whatever they hold: an unescaped "#", "/" or "?" in a
        # password ends urlsplit's netloc early ("http://u:p#ss@host": netloc "u:p", the rest a fragment), and
        # only the last "@" is sure to come after all of them. A URL whose path or query holds a raw "@" is
        # shown masked up to it: too much rather than too little (the clients' own query values are escaped).
        host_and_rest = rest.rpartition("@")[2]
        try:
            parts = urllib.parse.urlsplit(f"{scheme}//{host_and_rest}")
        except ValueError:
            return "<a URL that does not parse>"
        netloc = "***@" + parts.netloc
    query = parts.query
    if query:
        pairs = []
        for pair in query.split("&"):
            name, sep, _ = pair.partition("=")
            secret = sep and _SECRET_NAME.search(urllib.parse.unquote_plus(name))
            pairs.append(f"{name}=***" if secret else pair)
        query = "&".join(pairs)
    if netloc == parts.netloc and query == parts.query:
        return url
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))
