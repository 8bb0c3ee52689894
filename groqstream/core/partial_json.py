"""``PartialJSON``: a JSON text read while it arrives, its value shown as far as it is certain.

Sans-I/O like the rest: ``feed(text)`` takes the next fragment (a tool call's
``arguments`` delta, a piece of a JSON answer) and returns the value so far.
The scanner keeps its state between feeds (the open containers, the string
being read, at most one unfinished token), so the total work of ``feed`` over
a document is linear in its length, however it is cut: nothing is parsed twice. Two
things could grow with every feed and are kept in pieces instead: a number
(kept as the pieces that arrived, checked once when it ends) and the string
being read (see below).

What the value shows of what is not finished:

* a string as it grows (``"src/ma`` shows ``"src/ma"``), an escape only once
  whole, and a UTF-16 high surrogate only with the low one after it;
* an array or object from its opening bracket, with the items so far;
* an object key only together with its value, once that has begun;
* a number, ``true``, ``false`` or ``null`` only once complete: a number
  when a delimiter follows it (``1`` could become ``12``), so a top-level
  number only at ``finish()``.

So every value shown stays: a complete value never changes, a string only
grows, nothing is invented (no ``tr`` shown as ``true``, no ``1.`` as ``1``,
no ``""`` for a key whose value has not begun). Containers grow in place:
``value`` is the same object from feed to feed (copy it to keep one).
``finish()`` is the strict end: the complete value, or ``InvalidJSONError``.

Showing an open string means building it anew (a ``str`` cannot grow in
place), which costs its length. ``feed`` does so only when that costs at
most ``_REFRESH_FREE`` characters plus ``_REFRESH_RATIO`` per character fed
since the last time, so a long string fed in tiny pieces is shown in steps:
never more than a bounded amount of copying per character fed, and never
more than about a thousandth of the string behind (it used to be quadratic:
a 1M-character string fed a character at a time took 23 s). A string up to
4 KiB, and any string once it ends, is always shown whole. ``value`` shows
the open string whole, so it costs the string's length on every read: read
what ``feed`` returns as you go (the accumulator's ``.partial`` does), and
``value`` when you need the exact string so far.

Every failure is an ``InvalidJSONError``, including an integer longer than
Python's limit for ``int()`` (``sys.get_int_max_str_digits()``, 4,300 digits
by default; the same limit on Pythons that have none, where ``int()`` of a
long text is quadratic).
"""

from __future__ import annotations

import re
import sys

from .errors import InvalidJSONError

TYPE_CHECKING = False  # as typing's, without importing typing at run time: see docs/architecture.md
if TYPE_CHECKING:
    from typing import Any, List, Optional

__all__ = ["PartialJSON"]

_WHITESPACE = re.compile(r"[ \t\n\r]*")
_PLAIN = re.compile(r'[^"\\\x00-\x1f]*')  # a run of string characters that need no attention
_NUMBER_CHARS = re.compile(r"[0-9+\-.eE]*")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?")
_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_LITERALS = {"t": ("true", True), "f": ("false", False), "n": ("null", None)}
_HEX = frozenset("0123456789abcdefABCDEF")
_join = "".join  # every string joined goes through here (a test counts the characters copied)

# When ``feed`` shows the open string anew (module docstring): always while it
# is this short, and else once enough was fed since the last time.
_REFRESH_FREE = 4096
_REFRESH_RATIO = 1024
# int() refuses longer texts on 3.11+ (and is quadratic in their length before).
_INT_DIGITS_FALLBACK = 4300

# What the scanner expects next.
_VALUE = 0  # a value (after '[', ',', ':' or at the start)
_VALUE_OR_END = 1  # a value or ']' (just after '[')
_KEY_OR_END = 2  # a key or '}' (just after '{')
_KEY = 3  # a key (after ',' in an object)
_COLON = 4
_COMMA_OR_END = 5  # ',' or the container's closing bracket
_DONE = 6  # the top-level value is complete: only whitespace may follow

_EXPECTED = {
    _VALUE: "a value",
    _VALUE_OR_END: "a value or ']'",
    _KEY_OR_END: "a key or '}'",
    _KEY: "a key (a string)",
    _COLON: "':'",
    _COMMA_OR_END: "',' or a closing bracket",
    _DONE: "the end of the text",
}


class PartialJSON:
    """An incremental parser of one JSON text: ``feed`` fragments, read ``value``; ``finish`` ends it strictly.

    Example::

        parser = gs.PartialJSON()
        parser.feed('{"path": "src/ma')      # {'path': 'src/ma'}
        parser.feed('in.py", "mode": tr')     # {'path': 'src/main.py'}
        parser.feed("ue}")                    # {'path': 'src/main.py', 'mode': True}
        parser.finish()                       # the same value; InvalidJSONError if incomplete
    """

    def __init__(self) -> None:
        self._pending = ""  # the unfinished token at the end of what was fed (a number, a literal, an escape)
        self._offset = 0  # position in the whole text of the start of _pending
        self._state = _VALUE
        self._stack: List[Any] = []  # the open containers, outermost first
        self._keys: List[Any] = []  # for each open object, the key whose value comes next (None for arrays)
        self._root: Any = None
        self._has_root = False
        self._string: Optional[List[str]] = None  # the pieces of the string being read
        self._string_is_key = False
        self._string_shown = ""  # what of it the value holds now
        self._fed_since_shown = 0  # characters fed since the open string was last shown anew
        self._number: Optional[List[str]] = None  # the pieces of an unfinished number (it may go on)
        self._number_at = 0  # where that number starts in the whole text
        self._error: Optional[InvalidJSONError] = None
        self.length = 0
        """Characters fed so far."""

    @property
    def done(self) -> bool:
        """Whether a complete JSON value was read (only whitespace may follow)."""
        return self._state == _DONE

    @property
    def has_value(self) -> bool:
        """Whether anything of the value is shown yet (``value`` is ``None`` until then)."""
        return self._has_root

    @property
    def value(self) -> Any:
        """The value so far, an open string shown whole; ``None`` before anything of it is certain.

        Showing an open string whole costs its length on each read: to follow
        a long string as it grows, use what ``feed`` returns (module docstring).
        """
        self._show_string()
        return self._root

    def _show_string(self, budget: Optional[int] = None) -> None:
        """Put the open string as it now is into the value, if it changed (and costs at most *budget*)."""
        parts = self._string
        if parts is None or self._string_is_key or (len(parts) == 1 and parts[0] is self._string_shown):
            return
        if budget is not None and len(self._string_shown) > budget:
            return  # shown later: when more was fed, when it ends, or when `value` is read
        shown = _join(parts)  # the open string's pieces, joined once per change
        self._string = [shown]
        self._string_shown = shown
        self._fed_since_shown = 0
        self._place(shown, replace=True)

    def feed(self, text: str) -> Any:
        """Read the next fragment; returns the value so far, a long open string shown in bounded steps.

        The same object as ``value`` (containers grow in place), except that a
        string still open past 4 KiB may show a little less than has arrived
        (module docstring): following it costs linear work however it is cut.

        Raises:
            InvalidJSONError: the text so far cannot begin a JSON value (with
                the position and a snippet); every later call raises it again.
        """
        if self._error is not None:
            raise self._error
        self.length += len(text)
        self._fed_since_shown += len(text)
        try:
            if self._number is not None:
                text = self._continue_number(text)
            buffer = self._pending + text if self._pending else text  # _pending: at most a few characters
            rest = self._scan(buffer)
        except InvalidJSONError as exc:
            self._error = exc
            raise
        self._offset += len(buffer) - len(rest)
        self._pending = rest
        self._show_string(_REFRESH_FREE + _REFRESH_RATIO * self._fed_since_shown)
        return self._root

    def _continue_number(self, text: str) -> str:
        """Add the number characters at the start of *text* to the open number; return what follows it.

        Only the new text is scanned, so a number fed a digit at a time costs
        linear time; it is checked and converted once, when it ends.
        """
        number = self._number
        assert number is not None
        end = _NUMBER_CHARS.match(text).end()  # type: ignore[union-attr]  # matches the empty string too
        number.append(text[:end])
        if end == len(text):
            self._offset += end
            return ""
        self._number = None
        self._finish_scalar(_join(number), at_end=False, position=self._number_at)
        self._offset += end
        return text[end:]

    def finish(self) -> Any:
        """The complete value, parsed strictly.

        Raises:
            InvalidJSONError: the text is not one complete JSON value (it was
                cut, or invalid), with the position where it ends or went wrong.
        """
        if self._error is not None:
            raise self._error
        try:
            if self._number is not None:  # a top-level (or last) number needs no delimiter
                number, self._number = self._number, None
                self._finish_scalar(_join(number), at_end=False, position=self._number_at)
            elif self._pending and self._string is None and self._state in (_VALUE, _VALUE_OR_END):
                self._finish_scalar(self._pending, at_end=True)  # a cut literal: an error
        except InvalidJSONError as exc:
            self._error = exc
            raise
        if self._state != _DONE:
            what = "inside a string" if self._string is not None else f"where {_EXPECTED[self._state]} was expected"
            self._error = self._invalid(f"the text ends {what}", self._offset + len(self._pending))
            raise self._error
        return self.value

    # --- scanning -----------------------------------------------------------------------

    def _invalid(self, reason: str, position: int, text: str = "") -> InvalidJSONError:
        return InvalidJSONError(reason, position=position, text=text)

    def _scan(self, s: str) -> str:
        """Read as much of *s* as is certain; return what must wait for more (an unfinished token)."""
        i, n = 0, len(s)
        while i < n:
            if self._string is not None:
                i = self._read_string(s, i)
                if i < 0:  # an escape is cut: keep it for the next feed
                    return s[~i:]
                continue
            i = _WHITESPACE.match(s, i).end()  # type: ignore[union-attr]  # matches the empty string too
            if i >= n:
                break
            c = s[i]
            state = self._state
            if state in (_VALUE, _VALUE_OR_END):
                if c == '"':
                    self._begin_string(False)
                    i += 1
                elif c == "{":
                    self._open({}, _KEY_OR_END)
                    i += 1
                elif c == "[":
                    self._open([], _VALUE_OR_END)
                    i += 1
                elif c == "]" and state == _VALUE_OR_END:
                    self._close()
                    i += 1
                else:
                    end = self._scalar_end(s, i, c)
                    if end < 0:  # unfinished: wait
                        if c in _LITERALS:
                            return s[i:]  # at most four characters
                        self._number = [s[i:]]  # a number: kept as pieces (_continue_number)
                        self._number_at = self._offset + i
                        return ""
                    self._finish_scalar(s[i:end], at_end=False, position=self._offset + i)
                    i = end
            elif state in (_KEY, _KEY_OR_END):
                if c == '"':
                    self._begin_string(True)
                    i += 1
                elif c == "}" and state == _KEY_OR_END:
                    self._close()
                    i += 1
                else:
                    raise self._unexpected(s, i)
            elif state == _COLON:
                if c != ":":
                    raise self._unexpected(s, i)
                self._state = _VALUE
                i += 1
            elif state == _COMMA_OR_END:
                container = self._stack[-1]
                if c == ",":
                    self._state = _KEY if type(container) is dict else _VALUE
                    i += 1
                elif c == ("}" if type(container) is dict else "]"):
                    self._close()
                    i += 1
                else:
                    raise self._unexpected(s, i)
            else:  # _DONE
                raise self._unexpected(s, i)
        return ""

    def _unexpected(self, s: str, i: int) -> InvalidJSONError:
        return self._invalid(
            f"expected {_EXPECTED[self._state]}, got {s[i]!r}", self._offset + i, s[max(0, i - 20) : i + 20]
        )

    def _scalar_end(self, s: str, i: int, c: str) -> int:
        """Where the number or literal at *i* ends; -1 when *s* ends inside it (it may go on)."""
        if c in _LITERALS:
            word = _LITERALS[c][0]
            piece = s[i : i + len(word)]
            if piece != word[: len(piece)]:
                raise self._invalid(f"expected {word!r}, got {piece!r}", self._offset + i, s[i : i + 20])
            return -1 if len(piece) < len(word) else i + len(word)
        if c == "-" or "0" <= c <= "9":
            end = _NUMBER_CHARS.match(s, i).end()  # type: ignore[union-attr]
            return -1 if end == len(s) else end
        raise self._unexpected(s, i)

    def _finish_scalar(self, token: str, *, at_end: bool, position: Optional[int] = None) -> None:
        where = self._offset if position is None else position
        value: Any
        if token[0] in _LITERALS:
            word, value = _LITERALS[token[0]]
            if token != word:
                raise self._invalid(f"the JSON text ends inside {word!r}", where, token)
        else:
            match = _NUMBER.fullmatch(token)
            if match is None:
                raise self._invalid(f"not a JSON number: {token!r}", where, token)
            if match.group(1) or match.group(2):
                value = float(token)  # linear in the length; a huge exponent gives inf, as json.loads
            else:
                digits = len(token) - (token[0] == "-")
                get_limit = getattr(sys, "get_int_max_str_digits", None)  # 3.11+; 0 means no limit
                limit = get_limit() if get_limit is not None else _INT_DIGITS_FALLBACK
                if limit and digits > limit:
                    raise self._invalid(
                        f"an integer of {digits} digits is longer than Python's limit of {limit} digits "
                        "(sys.set_int_max_str_digits)",
                        where,
                        token[:20],
                    )
                value = int(token)
        if at_end:
            self._pending = ""
            self._offset += len(token)
        self._place(value)
        self._after_value()

    def _place(self, value: Any, replace: bool = False) -> None:
        """Put *value* where the value being read goes: the root, the array's end, or the object's key."""
        if not self._stack:
            self._root, self._has_root = value, True
        else:
            container = self._stack[-1]
            if type(container) is dict:
                container[self._keys[-1]] = value
            elif replace:
                container[-1] = value
            else:
                container.append(value)

    def _after_value(self) -> None:
        self._state = _COMMA_OR_END if self._stack else _DONE

    def _open(self, container: Any, state: int) -> None:
        self._place(container)
        self._stack.append(container)
        self._keys.append(None)
        self._state = state

    def _close(self) -> None:
        self._stack.pop()
        self._keys.pop()
        self._after_value()

    def _begin_string(self, is_key: bool) -> None:
        self._string = []
        self._string_is_key = is_key
        self._string_shown = ""
        if not is_key:
            self._place("")  # a string is shown from its opening quote

    def _read_string(self, s: str, i: int) -> int:
        """Read string characters from *i*; the position after them, or ``~start`` of a cut escape."""
        parts = self._string
        assert parts is not None
        n = len(s)
        while i < n:
            end = _PLAIN.match(s, i).end()  # type: ignore[union-attr]
            if end > i:
                parts.append(s[i:end])
                i = end
                if i >= n:
                    break
            c = s[i]
            if c == '"':
                self._end_string()
                return i + 1
            if c == "\\":
                if i + 1 >= n:
                    return ~i
                e = s[i + 1]
                if e in _ESCAPES:
                    parts.append(_ESCAPES[e])
                    i += 2
                    continue
                if e != "u":
                    raise self._invalid(f"invalid escape {s[i : i + 2]!r} in a string", self._offset + i, s[i : i + 8])
                if i + 6 > n:
                    return ~i if all(h in _HEX for h in s[i + 2 :]) else self._bad_unicode(s, i)
                code = self._hex(s, i)
                if 0xD800 <= code <= 0xDBFF:  # a high surrogate: combined with a low one if it follows
                    follow = s[i + 6 : i + 12]
                    if len(follow) < 6 and _may_begin_low_surrogate(follow):
                        return ~i  # the low surrogate may be on its way: show neither yet
                    if len(follow) == 6 and follow[:2] == "\\u" and all(h in _HEX for h in follow[2:]):
                        low = int(follow[2:], 16)
                        if 0xDC00 <= low <= 0xDFFF:
                            parts.append(chr(0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)))
                            i += 12
                            continue
                parts.append(chr(code))  # as json.loads: a lone surrogate is kept
                i += 6
                continue
            raise self._invalid(
                f"control character {c!r} in a string (JSON needs it escaped)",
                self._offset + i,
                s[max(0, i - 20) : i + 1],
            )
        return i

    def _hex(self, s: str, i: int) -> int:
        digits = s[i + 2 : i + 6]
        if len(digits) != 4 or not all(h in _HEX for h in digits):
            self._bad_unicode(s, i)
        return int(digits, 16)

    def _bad_unicode(self, s: str, i: int) -> int:
        raise self._invalid(f"invalid \\u escape {s[i : i + 6]!r} in a string", self._offset + i, s[i : i + 8])

    def _end_string(self) -> None:
        parts = self._string
        assert parts is not None
        text = _join(parts)
        self._string = None
        if self._string_is_key:
            self._keys[-1] = text
            self._state = _COLON
        else:
            self._place(text, replace=True)
            self._after_value()


def _may_begin_low_surrogate(text: str) -> bool:
    """Whether *text* (fewer than 6 characters) can be the start of a ``\\uDC00``-``\\uDFFF`` escape."""
    pattern = "\\uD"
    if text[: len(pattern)].lower() != pattern[: len(text)].lower():
        return False
    return text[3:4].lower() in ("", "c", "d", "e", "f")  # the second hex digit of DC00-DFFF
