"""How wire objects are read from JSON and written back: the machinery behind every typed class.

The declarations live elsewhere (``_shared_types``, ``_chunk_types``,
``_completion_types``); this module holds what they have in common:

* ``WireObject``: the base class, with ``from_dict``, ``to_dict`` and ``extra``.
  ``to_dict()`` returns the JSON object an instance was read from, exactly:
  same keys, same order, explicit ``null`` kept, and what was absent stays
  absent. An instance made with the constructor has no source object; it
  gives its required fields, the optional ones that are set, then ``extra``.
* The strict decoders. Each class gets one generated from its annotations
  (``_compile``), so a field is declared in one place only. A required key
  that is missing or ``null``, or a value of the wrong JSON type, raises
  ``_Invalid`` naming the path; unknown keys go to ``extra``, never fatal.
* The lenient decoder (``_decode_general`` with a ``Lenient``): what the
  stream decoders fall back to when the strict one refuses a chunk. It reads
  every departure that has one obvious meaning (a required key absent or
  null gets its empty value, an integral float is an integer, ...) and
  records each as a ``Deviation``; anything else is refused as strictly.
  docs/compatibility.md lists the rules.

Decoding takes the parsed JSON object over: on the usual path the object
itself becomes the instance's ``__dict__`` (see ``_decoder_source``).
"""

from __future__ import annotations

import builtins
import math
import re
import sys
import zlib
from types import FunctionType

from ..core.errors import ChunkDecodeError, snippet
from . import decoders
from ._dataclass import MISSING, DeclaredField, declared_fields, is_declared

TYPE_CHECKING = False  # as typing's, without importing typing at run time: see docs/architecture.md
if TYPE_CHECKING:
    from dataclasses import dataclass  # the standard decorator; at run time it is deferred (_dataclass)
    from typing import (
        Any,
        Callable,
        ClassVar,
        Dict,
        FrozenSet,
        List,
        NoReturn,
        Optional,
        Protocol,
        Set,
        Tuple,
        Type,
        TypeVar,
    )

    _W = TypeVar("_W", bound="WireObject")
    _Convert = Callable[[Any], Any]

    class Watcher(Protocol):
        """What a watching decoder reports to (``ChunkDecoder``): the choices it sees and how they end."""

        unfinished: Set[int]  # the indices already noted without a finish_reason: not reported again

        def note(self, index: int, finish_reason: Optional[str]) -> None: ...

        def note_all(self, obj: Any) -> None: ...
else:
    from ._dataclass import dataclass

__all__ = [
    "NO_EXTRA",
    "POSITION",
    "DEVIATION_RULES",
    "UNFIXED",
    "Computed",
    "Deviation",
    "Lenient",
    "WireObject",
    "compile_wire_classes",
    "copy_json",
    "invalid_to_error",
    "keep_nulls",
]


class _Invalid(Exception):
    """Internal: a value does not fit the schema. Carries the path, innermost key first."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.path: List[str] = []

    def where(self) -> str:
        return _join(reversed(self.path))


def _join(parts: Any) -> str:
    """``["choices", "[0]", "delta"]`` as ``choices[0].delta``."""
    return "".join(p if p.startswith("[") else "." + p for p in parts).lstrip(".")


_JSON_NAMES = {
    type(None): "null",
    bool: "boolean",
    int: "number",
    float: "number",
    str: "string",
    list: "array",
    dict: "object",
}


def _expected(what: str, value: Any) -> _Invalid:
    kind = _JSON_NAMES.get(type(value), type(value).__name__)
    return _Invalid(f"expected {what}, got {kind} {snippet(value)}")


def _at(key: str, exc: _Invalid) -> _Invalid:
    exc.path.append(key)
    return exc


_new = object.__new__
_STR: Tuple[type, ...] = (str,)
_INT: Tuple[type, ...] = (int,)  # not bool: JSON true is not a number, and type(True) is bool
_NUMBER: Tuple[type, ...] = (float, int)


def _str(value: Any) -> str:
    if type(value) is str:
        return value
    raise _expected("a string", value)


def _int(value: Any) -> int:
    if type(value) is int:  # not bool: JSON true is not a number
        return value
    raise _expected("an integer", value)


def _number(value: Any) -> Any:
    if type(value) is float or type(value) is int:
        return value
    raise _expected("a number", value)


def _json_object(value: Any) -> Any:
    if type(value) is dict:
        return value
    raise _expected("an object", value)


def _list_of(convert: _Convert, scalar: Optional[Tuple[type, ...]] = None) -> _Convert:
    """The converter of a JSON array whose items *convert* takes (or, for scalars, of the types *scalar*).

    Decoding takes the parsed JSON over (see ``WireObject._decode``): a list of
    scalars is kept as it is, and a list of objects is replaced by a new list.
    """
    allowed = set(scalar) if scalar is not None else None

    def to_list(value: Any) -> List[Any]:
        if type(value) is not list:
            raise _expected("an array", value)
        if allowed is not None and set(map(type, value)) <= allowed:
            return value  # every item checked in one C-level pass
        items: List[Any] = []
        try:
            for item in value:
                items.append(convert(item))
        except _Invalid as exc:
            exc.path.append(f"[{len(items)}]")  # the item that failed: the ones before it are in items
            raise
        return items

    return to_list


# --- deviations: what the lenient decoder accepted --------------------------------------

MISSING_KEY = "missing-key"
NULL_KEY = "null-key"
FLOAT_FOR_INTEGER = "float-for-integer"
CONTENT_PARTS = "content-parts"
TOOL_CALL_INDEX = "tool-call-index"
NO_DONE = "no-done"
UNTERMINATED_DONE = "unterminated-done"
USAGE_IN_CHOICE = "usage-in-choice"

DEVIATION_RULES: Dict[str, str] = {
    MISSING_KEY: 'a required key was absent: its empty value was used ("", 0, [], an empty delta, ...)',
    NULL_KEY: "a required key was null: its empty value was used",
    FLOAT_FOR_INTEGER: "a number with a decimal point where an integer is expected (a timestamp is truncated)",
    CONTENT_PARTS: "content was a list of typed parts, not a string: the text parts are the content",
    TOOL_CALL_INDEX: "a tool-call fragment had no index: a new id starts a new call, no id continues the last",
    NO_DONE: "the stream ended without 'data: [DONE]' after every choice had a finish_reason",
    UNTERMINATED_DONE: "the input ended in 'data: [DONE]' without the blank line that ends an event: read as [DONE]",
    USAGE_IN_CHOICE: "usage inside a choice (Moonshot/Kimi), not at the chunk's top level: read as the chunk's usage",
}
"""Every rule a ``Deviation`` can name, with what it accepts (docs/compatibility.md says more)."""


@dataclass(frozen=True)
class Deviation:
    """A departure from the schema that groqstream read instead of refusing (``strict=True`` refuses it).

    A stream records each kind once per place: ``count`` says how many times
    it happened, the other fields describe the first time.
    """

    rule: str
    """What was tolerated: one of the keys of ``groqstream.DEVIATION_RULES``, e.g. ``"missing-key"``."""
    path: str
    """Where in the chunk, e.g. ``"choices[0].delta"`` (``""`` for the stream itself)."""
    message: str
    """What arrived and how it was read, e.g. ``"absent; read as an empty ChoiceDelta"``."""
    event_index: Optional[int] = None
    """0-based index of the event among the stream's events (``None`` outside a stream)."""
    offset: Optional[int] = None
    """Byte offset of that event in the stream, when known."""
    count: int = 1
    """How many times the stream did this at this place (list indices aside)."""

    def __str__(self) -> str:
        where = f"event #{self.event_index}" if self.event_index is not None else ""
        if self.offset is not None:
            where += f" at byte {self.offset}"
        times = f" ({self.count} times)" if self.count > 1 else ""
        at = f"{self.path}: " if self.path else ""
        return f"{self.rule}{times}: {at}{self.message}" + (f" ({where.strip()})" if where else "")


_INDEX = re.compile(r"\[\d+\]")


def deviation_key(rule: str, path: str) -> Tuple[str, str]:
    """What makes two deviations "the same kind at the same place": list indices do not count."""
    return rule, _INDEX.sub("[]", path)


class Computed:
    """An empty value that depends on where the object is (see ``WireObject._empty``)."""

    __slots__ = ("compute", "rule", "what")

    def __init__(self, compute: Callable[[Lenient, Dict[str, Any]], Any], what: str, rule: str = "") -> None:
        self.compute = compute
        self.what = what
        self.rule = rule  # the rule it is recorded under, when not missing-key/null-key


UNFIXED = object()


class Lenient:
    """One lenient decode in progress: where it is, and the deviations it accepted (internal).

    Args:
        state: a dict kept across the chunks of one stream, for rules that
            look at earlier chunks (a tool call without ``index``).
    """

    __slots__ = ("notes", "path", "position", "stack", "state")

    def __init__(self, state: Optional[Dict[str, Any]] = None) -> None:
        self.notes: List[Tuple[str, str, str]] = []  # (rule, path, message)
        self.path: List[str] = []
        self.stack: List[Tuple[type, Dict[str, Any]]] = []  # the objects being decoded, outermost first
        self.position = 0  # of the list item being decoded
        self.state = state if state is not None else {}

    def note(self, rule: str, key: str, message: str) -> None:
        """Record that *key* of the current object was read by *rule*."""
        self.notes.append((rule, _join([*self.path, key]), message))

    def enclosing(self, cls: type) -> Optional[Dict[str, Any]]:
        """The values read so far of the innermost enclosing object of class *cls*."""
        for owner, values in reversed(self.stack):
            if owner is cls:
                found: Dict[str, Any] = values
                return found
        return None

    def deviations(self, event_index: Optional[int] = None, offset: Optional[int] = None) -> List[Deviation]:
        """The notes as ``Deviation`` objects."""
        return [Deviation(rule, path, message, event_index, offset) for rule, path, message in self.notes]

    def fix_scalar(self, cls: Type[WireObject], key: str, value: Any, values: Dict[str, Any]) -> Any:
        """The value a wrongly typed scalar is read as, or ``UNFIXED`` when it cannot be read."""
        hook = cls._lenient_hooks.get(key)
        if hook is not None:
            return hook(self, value, values)
        kind, what = cls._shapes[key]
        if kind == "scalar" and what is _INT and type(value) is float and math.isfinite(value):
            if value.is_integer() or key in cls._truncated:
                read_as = f"{snippet(value)} where an integer is expected; read as {int(value)}"
                self.note(FLOAT_FOR_INTEGER, key, read_as)
                return int(value)
        return UNFIXED

    def empty_value(
        self, cls: Type[WireObject], name: str, values: Dict[str, Any], data: Dict[str, Any], raw: Dict[str, Any]
    ) -> bool:
        """Fill in the empty value of required field *name* (absent or null in *data*) and record it.

        Returns:
            True when the key was absent (the object's keys are then no longer its source's); a null one is
            kept in *raw*, so ``to_dict()`` writes it back as null.
        """
        empty = cls._empty[name]
        rule = ""
        if isinstance(empty, Computed):
            value, rule = empty.compute(self, values), empty.rule
            what = f"{value!r} ({empty.what})"
        elif isinstance(empty, type):
            value = empty()
            what = "[]" if empty is list else f"an empty {empty.__name__}"
        else:
            value, what = empty, repr(empty)
        present = name in data
        rule = rule or (NULL_KEY if present else MISSING_KEY)
        self.note(rule, name, f"{'null' if present else 'absent'}; read as {what}")
        values[name] = value
        if present:
            raw[name] = None
        return not present

    def decode_nested(self, cls: Type[WireObject], key: str, value: Any) -> Any:
        """Decode the non-null object or array field *key* of *cls* leniently."""
        kind, what = cls._shapes[key]
        if kind == "objects":
            return self.decode_list(key, what, value)
        self.path.append(key)
        try:
            if kind == "object":
                return what._decode_general(value, self)
            return cls._convert[key](value)  # lists of scalars or of lists: nothing to tolerate
        except _Invalid as exc:
            exc.path.append(key)
            raise
        finally:
            self.path.pop()

    def decode_list(self, key: str, item_cls: Type[WireObject], value: Any) -> List[Any]:
        """Decode the array in field *key* as a list of *item_cls* objects, leniently."""
        self.path.append(key)
        try:
            if type(value) is not list:
                raise _expected("an array", value)
            items: List[Any] = []
            for position, item in enumerate(value):
                self.path.append(f"[{position}]")
                self.position = position
                try:
                    items.append(item_cls._decode_general(item, self))
                except _Invalid as exc:
                    exc.path.append(f"[{position}]")
                    raise
                finally:
                    self.path.pop()
            return items
        except _Invalid as exc:
            exc.path.append(key)
            raise
        finally:
            self.path.pop()


def _position(lenient: Lenient, values: Dict[str, Any]) -> int:
    return lenient.position


POSITION = Computed(_position, "its position in the list")
"""The empty value of a list item's ``index``: where the item is in its list."""


# --- the base class ------------------------------------------------------------------------


class WireObject:
    """Base of every wire dataclass: ``from_dict``, ``to_dict`` and ``extra``."""

    extra: Dict[str, Any]
    # Filled by _compile for each subclass:
    _convert: ClassVar[Dict[str, Callable[[Any], Any]]]  # every field: its converter (not _Convert: see api.md)
    _shapes: ClassVar[Dict[str, Tuple[str, Any]]]  # every field: what it holds (see _shape)
    _known: ClassVar[FrozenSet[str]]  # every field's JSON key
    _nested_keys: ClassVar[Tuple[str, ...]]  # object and array fields, in field order
    _required: ClassVar[Tuple[str, ...]]
    _json_keys: ClassVar[FrozenSet[str]]  # fields that hold any JSON value (copied by to_dict)
    _decode: ClassVar[Callable[[Any], Any]]  # the generated decoder (see _decoder_source)
    # Declared by subclasses, for the lenient decoder:
    # the empty value of a required field that arrives absent or null: a str or int, a class (or list) to
    # call, or a Computed. A required field without one is refused.
    _empty: ClassVar[Dict[str, Any]] = {}
    # integer fields where a number with a fraction is truncated (timestamps), not refused
    _truncated: ClassVar[Tuple[str, ...]] = ()
    # a field whose wrongly typed value a class reads its own way: key -> hook(lenient, value, values)
    _lenient_hooks: ClassVar[Dict[str, Callable[[Lenient, Any, Dict[str, Any]], Any]]] = {}
    # (index, finish_reason): the fields whose values a watching stream is told of (see watching_decoder)
    _watch: ClassVar[Tuple[str, ...]] = ()
    # keys that are no field here but one elsewhere (Moonshot's usage inside a choice): key -> (why the strict
    # decoder refuses it, hook(lenient, value) that reads it where it belongs and records the deviation).
    # Either way the key stays in extra, so to_dict() gives back what was sent.
    _misplaced: ClassVar[Dict[str, Tuple[str, Callable[[Lenient, Any], None]]]] = {}
    _decoder_namespace: ClassVar[Dict[str, Any]]  # the globals of the generated decoder
    _decoder_source: ClassVar[str]  # its source (see decoders.py)
    # fields the constructor requires that the wire may omit (the class attribute is what an absent one reads)
    _not_required: ClassVar[Tuple[str, ...]] = ()
    # a field that, when set on a constructed instance, to_dict writes under another field's key
    _dump_as: ClassVar[Dict[str, str]] = {}
    # Keys of the JSON object an instance was decoded from, in order, when
    # some were unknown (they are in extra), filled in, or read from another
    # type; otherwise the instance's own __dict__ is the JSON object and its
    # order is the source order.
    _present: ClassVar[Optional[Tuple[str, ...]]] = None
    # The source values of keys the lenient decoder read as something else (to_dict writes these).
    _raw: ClassVar[Optional[Dict[str, Any]]] = None
    # True for instances made with the constructor (set by __post_init__).
    _constructed: ClassVar[bool] = False
    # Optional keys a constructed instance writes even when None, because the
    # wire object always has them (e.g. "finish_reason": null).
    _always: ClassVar[Tuple[str, ...]] = ()
    # The same, for one constructed instance (see keep_nulls).
    _nulls: ClassVar[Tuple[str, ...]] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "_constructed", True)

    @classmethod
    def from_dict(
        cls: Type[_W], data: Dict[str, Any], *, strict: bool = True, deviations: Optional[List[Deviation]] = None
    ) -> _W:
        """Build an instance from a parsed JSON object, validating it.

        Args:
            data: the object, as ``json.loads`` returns it. It is not modified.
            strict: refuse every departure from the schema (the default). With
                ``False``, read what the stream decoders read (an absent ``id``
                as ``""``, an integral float as an integer, ...: see
                docs/compatibility.md) and refuse only what has no meaning.
            deviations: with ``strict=False``, a list that gets a ``Deviation``
                for each departure that was read.

        Returns:
            The typed instance; ``to_dict()`` on it returns an equal object.

        Raises:
            ChunkDecodeError: a required key is missing or null, or a value has
                the wrong JSON type (with ``strict=False``: one that cannot be
                read); ``path`` says where.
        """
        try:
            if strict:
                return cls._decode(copy_json(data))  # type: ignore[no-any-return]  # decoding takes its input over
            lenient = Lenient()
            obj = cls._decode_general(copy_json(data), lenient)
        except _Invalid as exc:
            raise invalid_to_error(exc, cls.__name__) from None
        if deviations is not None:
            deviations += lenient.deviations()
        return obj

    @classmethod
    def _decode_general(cls: Type[_W], data: Any, lenient: Optional[Lenient] = None) -> _W:
        """Decode any JSON value, reporting the first problem; the generated decoders fall back to it.

        The order is fixed, so both paths report the same problem: a non-object;
        then, in the object's key order, a scalar of the wrong type; then the
        nested values, in field order; then a missing or null required field.
        With *lenient*, what has an obvious meaning is read and noted instead
        (a required scalar's empty value is filled in before the nested values,
        which may depend on it: a tool call's index on its choice's).
        """
        if type(data) is not dict:
            raise _expected("an object", data)
        convert = cls._convert
        values: Dict[str, Any] = {}
        extra: Dict[str, Any] = {}
        raw: Dict[str, Any] = {}
        for key, value in data.items():
            if key not in convert:
                misplaced = cls._misplaced.get(key) if value is not None else None
                if misplaced is not None:
                    refusal, read_elsewhere = misplaced
                    if lenient is None:
                        raise _at(key, _Invalid(refusal))
                    read_elsewhere(lenient, value)
                extra[key] = value
            elif value is None or key in cls._nested_keys:
                values[key] = value
            else:
                try:
                    values[key] = convert[key](value)
                except _Invalid as exc:
                    fixed = UNFIXED if lenient is None else lenient.fix_scalar(cls, key, value, values)
                    if fixed is UNFIXED:
                        exc.path.append(key)
                        raise
                    values[key], raw[key] = fixed, value
        filled = False  # an absent key was given its empty value: the source keys are no longer __dict__'s
        if lenient is None:
            for key in cls._nested_keys:
                value = values.get(key)
                if value is not None:
                    values[key] = _checked(key, convert[key], value)
        else:
            empty = cls._empty
            for name in cls._required:
                if name not in cls._nested_keys and values.get(name) is None and name in empty:
                    filled = lenient.empty_value(cls, name, values, data, raw) or filled
            lenient.stack.append((cls, values))
            try:
                for key in cls._nested_keys:
                    value = values.get(key)
                    if value is not None:
                        values[key] = lenient.decode_nested(cls, key, value)
            finally:
                lenient.stack.pop()
        for name in cls._required:
            if values.get(name) is None:
                if lenient is not None and name in cls._empty:
                    filled = lenient.empty_value(cls, name, values, data, raw) or filled
                    continue
                raise _at(name, _Invalid("missing required key") if name not in data else _expected("a value", None))
        if extra:
            values["extra"] = extra
        if raw:
            values["_raw"] = raw
        # A key filled in, or read from elsewhere (see _misplaced), is not the source's: keep its keys.
        if extra or raw or filled or not values.keys() <= data.keys():
            values["_present"] = tuple(data)
        obj = _new(cls)
        _set_dict(obj, values)
        return obj

    def to_dict(self) -> Dict[str, Any]:
        """Return the JSON object this instance stands for.

        Returns:
            For an instance from ``from_dict`` or a stream: an object equal to
            the one it was built from, keys in the same order, explicit nulls,
            unknown keys and values read leniently kept as they were sent,
            absent keys absent. For a constructed instance: the required keys,
            the keys the wire object always carries, the other fields that are
            not ``None``, then ``extra``. Always a fresh copy.
        """
        convert = self._convert
        keys: Any = self._present
        if self._constructed:
            keep = self._required + self._always + self._nulls
            fields = tuple(name for name in convert if name in keep or getattr(self, name) is not None)
            keys = fields + tuple(self.extra)
            if self._dump_as:
                return {key: self._dump_key(key) for key in keys}
        elif keys is None:
            keys = tuple(self.__dict__)  # the JSON object itself, known keys only
        raw = self._raw or {}
        # Unknown keys hold any JSON, nested as deep as the parser took: copied without recursion.
        return {
            key: copy_json(raw[key])
            if key in raw
            else (copy_json(self.extra[key]) if key not in convert else self._dump_key(key))
            for key in keys
        }

    def __repr__(self) -> str:
        """``Name(field=value, ...)``: the fields the constructor requires, then the others that are set.

        The wire classes are declared with ``repr=False``: the dataclass repr
        would list every field, and nearly all of a chunk's are ``None`` (one
        token's chunk printed 556 characters). Fields that are ``None``, and
        an empty ``extra``, are left out, as ``to_dict()`` leaves out what was
        absent; every field left out has that value as its default, so the
        repr of a constructed instance is still a call that rebuilds it.
        """
        parts = []
        for declared in declared_fields(type(self)):
            value = getattr(self, declared.name)
            required = declared.default is MISSING and declared.default_factory is MISSING
            if required or not (value is None or (declared.name == "extra" and not value)):
                parts.append(f"{declared.name}={value!r}")
        return f"{type(self).__name__}({', '.join(parts)})"

    def _dump_key(self, key: str) -> Any:
        if key not in self._convert:
            return copy_json(self.extra[key])
        instead = self._dump_as.get(key)
        if instead is not None and self._constructed and getattr(self, instead) is not None:
            return _dump(getattr(self, instead))
        if key in self._json_keys:
            return copy_json(getattr(self, key))
        return _dump(getattr(self, key))


def keep_nulls(obj: _W, keys: Tuple[str, ...]) -> _W:
    """Make constructed *obj*'s ``to_dict()`` write *keys* even when they are ``None`` (the source had them)."""
    if keys:
        object.__setattr__(obj, "_nulls", keys)
    return obj


def _checked(key: str, convert: _Convert, value: Any) -> Any:
    """``convert(value)``, with *key* added to the path of a failure."""
    try:
        return convert(value)
    except _Invalid as exc:
        exc.path.append(key)
        raise


_set_dict = WireObject.__dict__["__dict__"].__set__  # obj.__dict__ = d, past the frozen __setattr__


class _NoExtra(dict):  # type: ignore[type-arg]  # Dict[str, Any]: no typing at run time
    """The ``extra`` of every instance whose JSON object had no unknown key: one shared, read-only empty dict.

    Decoding stores ``extra`` only when the object had unknown keys, which is
    rare, so no dict is made per object; this class attribute answers for
    the others (an instance's own ``extra``, decoded with unknown keys or given
    to the constructor, takes precedence). It is a real ``dict`` (``json.dumps``
    and ``dataclasses.asdict`` take it); changing it raises ``TypeError``.
    """

    def _read_only(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError("extra of a wire object is read-only (the objects are frozen)")

    __setitem__ = __delitem__ = __ior__ = _read_only
    clear = pop = popitem = setdefault = update = _read_only


NO_EXTRA: Dict[str, Any] = _NoExtra()


def invalid_to_error(exc: _Invalid, type_name: str, context: str = "") -> ChunkDecodeError:
    """Turn an internal schema failure into the public error, naming the path."""
    path = exc.where()
    where = f"{type_name}.{path}" if path else type_name
    return ChunkDecodeError(f"{context}{where}: {exc.reason}", path=path, reason=exc.reason)


def _dump(value: Any) -> Any:
    """A field's value as JSON: the schema bounds its depth (at most a list of lists)."""
    if isinstance(value, WireObject):
        return value.to_dict()
    if type(value) is list:
        return [_dump(item) for item in value]
    return value


def copy_json(value: Any) -> Any:
    """A deep copy of a JSON value (dicts, lists, scalars), without recursion.

    ``json.loads`` accepts nesting about a thousand levels deep; a recursive
    copy would need two Python frames per level and fail on what was parsed.
    """
    if type(value) is dict:
        top: Any = {}
    elif type(value) is list:
        top = []
    else:
        return value
    stack = [(value, top)]
    while stack:
        source, target = stack.pop()
        items = source.items() if type(source) is dict else enumerate(source)
        for key, item in items:
            if type(item) is dict:
                copy: Any = {}
                stack.append((item, copy))
            elif type(item) is list:
                copy = []
                stack.append((item, copy))
            else:
                copy = item
            if type(target) is dict:
                target[key] = copy
            else:
                target.append(copy)
    return top


# --- deriving the decoders ----------------------------------------------------

_SCALARS: Dict[str, Tuple[type, ...]] = {"str": _STR, "int": _INT, "float": _NUMBER}
_SCALAR_CONVERTERS: Dict[Tuple[type, ...], _Convert] = {_STR: _str, _INT: _int, _NUMBER: _number}


def _shape(annotation: str, namespace: Dict[str, Any]) -> Tuple[str, Any]:
    """What a field annotation such as ``Optional[List[Choice]]`` holds (``Optional`` only means "may be null").

    ``("scalar", types)``; ``("scalars", types)`` for a list of scalars;
    ``("object", cls)``; ``("objects", cls)`` for a list of objects;
    ``("list", item_annotation)`` for any other list (a list of lists);
    ``("json", None)`` for any JSON value (``Any``) and ``("json", dict)`` for
    any JSON object (``Dict[str, Any]``). Class names are looked up in
    *namespace*, the declaring module's.
    """
    if annotation.startswith("Optional[") and annotation.endswith("]"):
        annotation = annotation[len("Optional[") : -1]
    if annotation in _SCALARS:
        return "scalar", _SCALARS[annotation]
    if annotation == "Any":
        return "json", None
    if annotation == "Dict[str, Any]":
        return "json", dict
    if annotation.startswith("List[") and annotation.endswith("]"):
        item = annotation[len("List[") : -1]
        kind, what = _shape(item, namespace)
        if kind in ("scalar", "object"):
            return kind + "s", what
        return "list", item
    target = namespace[annotation]
    if not (isinstance(target, type) and issubclass(target, WireObject)):  # pragma: no cover - a declaration bug
        raise TypeError(f"no decoder for annotation {annotation!r}")
    return "object", target


def _decoder_of(cls: Type[WireObject]) -> _Convert:
    """*cls*'s generated decoder; for a class still being compiled (it holds itself), one that looks it up."""
    if "_decode" in cls.__dict__:
        return cls._decode  # the function itself (the class holds it as a staticmethod)
    return lambda value: cls._decode(value)


def _converter(annotation: str, namespace: Dict[str, Any]) -> _Convert:
    """The converter of one field: it checks (and for objects, decodes) a non-null value or raises ``_Invalid``."""
    kind, what = _shape(annotation, namespace)
    if kind == "scalar":
        return _SCALAR_CONVERTERS[what]
    if kind == "scalars":
        return _list_of(_SCALAR_CONVERTERS[what], what)
    if kind == "object":
        return _decoder_of(what)
    if kind == "json":
        return _json_object if what is dict else (lambda value: value)
    return _list_of(_decoder_of(what) if kind == "objects" else _converter(what, namespace))


def _not_of_types(v: str, types: Tuple[type, ...]) -> str:
    """The condition under which the value in variable *v* is of none of *types* (exact types: a bool is no int)."""
    return " and ".join(f"type({v}) is not {t.__name__}" for t in types)


def _check_source(v: str, kind: str, what: Any, required: bool) -> List[str]:
    """The statements that send the data to ``general`` when the value in variable *v* is of the wrong kind.

    A null optional value passes. An object, or a list of lists, is checked as
    it is decoded: here only a required one's null is caught.
    """
    if kind == "scalar":
        wrong = _not_of_types(v, what)
    elif kind in ("scalars", "objects"):
        wrong = f"type({v}) is not list"
    elif kind == "json" and what is dict:
        wrong = f"type({v}) is not dict"
    elif required:
        wrong = f"{v} is None"
    else:
        return []
    if kind != "scalars":
        return [f"if {wrong if required else f'{v} is not None and {wrong}'}:", "    return general(data)"]
    # A list of scalars: the list, then every item, in an inline loop (quicker
    # than any C call on the short lists of chunks, such as a token's bytes).
    lines = [
        f"if {wrong}:",
        "    return general(data)",
        f"for item in {v}:",
        f"    if {_not_of_types('item', what)}:",
        "        return general(data)",
    ]
    return lines if required else [f"if {v} is not None:", *[f"    {line}" for line in lines]]


def _decode_source(v: str, key: str, kind: str, i: int) -> List[str]:
    """The statements decoding the non-null value in *v* into ``data[key]``, adding *key* to a failure's path."""
    if kind == "objects":  # a loop, not map(): on failure, len(items) is the index that failed
        return [
            "items = []",
            "try:",
            f"    for item in {v}:",
            f"        items.append(decode_{i}(item))",
            "except Invalid as exc:",
            "    exc.path.append('[%d]' % len(items))",
            f"    exc.path.append({key})",
            "    raise",
            f"data[{key}] = items",
        ]
    call = f"decode_{i}" if kind == "object" else f"convert_{i}"
    return [
        "try:",
        f"    data[{key}] = {call}({v})",
        "except Invalid as exc:",
        f"    exc.path.append({key})",
        "    raise",
    ]


def _decoder_source(cls: Type[WireObject], wire_fields: List[DeclaredField], shapes: List[Tuple[str, Any]]) -> str:
    """The source of *cls*'s decoder: its fields' checks written out one after another.

    The decoder takes the parsed JSON object over: when the object has only
    known keys and every scalar is of the right type (the usual case), its
    nested values are decoded in place and the object itself becomes the
    instance's ``__dict__`` (absent optional fields read the class defaults).
    No per-key schema lookup, no copy. Anything else goes to
    ``_decode_general``, which reports the problem (or keeps unknown keys).
    The names it uses (``only_known``, ``decode_5``...) are bound by ``_compile``.
    """
    checks: List[str] = []  # statements of the try block
    rest: List[str] = []  # those of the optional fields after the first, when they can be skipped
    decodes: List[str] = []  # statements after it
    optional: List[str] = []  # the variables of the optional fields
    required_count = len(cls._required)
    # With many optional fields and the set check done first, once the first optional field has been
    # looked at, an object that has no other key (a Groq chunk: its five keys and system_fingerprint)
    # needs no lookup of the others.
    skip_rest = required_count > 0 and len(wire_fields) - required_count >= 3
    for i, (f, (kind, what)) in enumerate(zip(wire_fields, shapes)):
        key, v, required = repr(f.name), f"v{i}", f.name in cls._required
        target = rest if skip_rest and len(optional) >= 1 and not required else checks
        target.append(f"{v} = data[{key}]" if required else f"{v} = data.get({key})")
        target += _check_source(v, kind, what, required)
        if not required:
            optional.append(v)
        if kind in ("object", "objects", "list"):
            body = _decode_source(v, key, kind, i)
            decodes += body if required else [f"if {v} is not None:", *[f"    {line}" for line in body]]
    if rest:
        checks += [
            f"if len(data) == {required_count} + ({optional[0]} is not None):  # no key after the first optional one",
            f"    {' = '.join(optional[1:])} = None",
            "else:",
            *[f"    {line}" for line in rest],
        ]
    keys_first, keys_after = _known_keys_source(len(wire_fields) - len(optional), optional)
    watch: List[str] = []
    if cls._watch:  # tell a watching stream about (index, finish_reason): only when it is not what it was
        names = [f.name for f in wire_fields]
        index, finish = (f"v{names.index(name)}" for name in cls._watch)
        watch = [
            f"if watch is not None and ({finish} is not None or {index} not in watch.unfinished):",
            f"    watch.note({index}, {finish})",
        ]
    return "\n".join(
        [
            "def decode(data):",
            *_simple_source(cls, shapes),
            f"    if type(data) is not dict{keys_first}:",
            "        return general(data)",
            "    try:",
            *[f"        {line}" for line in checks],
            "    except KeyError:  # a required key is missing",
            "        return general(data)",
            *[f"    {line}" for line in keys_after],
            "    # Every check passed: decode the nested values, in field order as _decode_general does.",
            *[f"    {line}" for line in decodes],
            *[f"    {line}" for line in watch],
            "    obj = new(cls)",
            "    set_dict(obj, data)",
            "    return obj",
            "",
        ]
    )


def _simple_keys(cls: Type[WireObject], shapes: List[Tuple[str, Any]]) -> Tuple[FrozenSet[str], Tuple[str, ...]]:
    """For a class of many optional fields and no required one: its string fields and its list-of-objects fields."""
    if cls._required or len(shapes) < 3:
        return frozenset(), ()
    named = list(zip(cls._convert, shapes))
    strings = frozenset(name for name, (kind, what) in named if kind == "scalar" and what is _STR)
    lists = tuple(name for name, (kind, _) in named if kind == "objects")
    return strings, lists


def _simple_source(cls: Type[WireObject], shapes: List[Tuple[str, Any]]) -> List[str]:
    """The decoder's first lines for a class of many optional fields: look at the keys that are there.

    A delta is nearly always ``{"content": "..."}``, ``{}`` or
    ``{"tool_calls": [...]}``, and a check per field (ten for ``ChoiceDelta``)
    costs more than looking at the keys present: when they are all string
    fields (one C call) and each value is a string or null, or when the one
    key is a list of objects, the object is taken (its list decoded). Anything
    else goes on to the checks field by field, which reach the same verdict.
    """
    strings, lists = _simple_keys(cls, shapes)
    if not strings:
        return []
    take = ["obj = new(cls)", "set_dict(obj, data)", "return obj"]
    lines = [
        "    if type(data) is dict and only_strings(data):",
        "        for v in data.values():",
        "            if type(v) is not str and v is not None:",
        "                break",
        "        else:",
        *[f"            {line}" for line in take],
    ]
    if not lists:
        return lines
    # One list of objects alone (a tool-call delta): decoded at once.
    return [
        *lines,
        "    elif type(data) is dict and len(data) == 1:",
        "        for key in data:",
        "            decode_item = list_decoders.get(key)",
        "            if decode_item is not None:",
        "                v = data[key]",
        "                if type(v) is list:",
        "                    items = []",
        "                    try:",
        "                        for item in v:",
        "                            items.append(decode_item(item))",
        "                    except Invalid as exc:",
        "                        exc.path.append('[%d]' % len(items))",
        "                        exc.path.append(key)",
        "                        raise",
        "                    data[key] = items",
        *[f"                    {line}" for line in take],
    ]


def _known_keys_source(required: int, optional: List[str]) -> Tuple[str, List[str]]:
    """How a decoder makes sure every key is a field's: a condition for its first line, or lines after the checks.

    The set check (``only_known``) is a C call that walks the dict. With at
    most one optional field (or two and no required one) a count is enough
    and costs a fraction of it: once the checks have found every required
    key, the dict holds no other key when its size is the required count,
    plus one for each non-null optional value. A size that differs (an
    unknown key, or an optional key that is null) falls back to the set
    check. Groq sends a choice's optional fields as explicit nulls, so a
    count would miss there: a class with required fields and two optional
    ones keeps the set check.
    """
    if len(optional) > 2 or (len(optional) == 2 and required):
        return " or not only_known(data)", []
    if len(optional) == 2:
        expected = f"({optional[0]} is not None) + ({optional[1]} is not None)"
    else:
        expected = f"({required} if {optional[0]} is None else {required + 1})" if optional else str(required)
    return "", [f"if len(data) != {expected} and not only_known(data):", "    return general(data)"]


def _is_wire_field(f: DeclaredField) -> bool:
    """Every dataclass field is a JSON key, but ``extra`` and those marked ``metadata={"wire": False}``."""
    return f.name != "extra" and f.metadata.get("wire", True)


def _compile(cls: Type[WireObject], done: Set[type]) -> None:
    """Give *cls* its converters, required keys and decoder, from its dataclass fields (its field types' first)."""
    if cls in done or "_decode" in cls.__dict__:  # being compiled, or compiled with its own module
        return
    done.add(cls)
    namespace = vars(sys.modules[cls.__module__])
    wire_fields = [f for f in declared_fields(cls) if _is_wire_field(f)]
    shapes = [_shape(str(f.type), namespace) for f in wire_fields]
    for kind, what in shapes:
        if kind in ("object", "objects"):
            _compile(what, done)
    cls._shapes = {f.name: shape for f, shape in zip(wire_fields, shapes)}
    cls._convert = {f.name: _converter(str(f.type), namespace) for f in wire_fields}
    cls._known = frozenset(cls._convert)
    cls._nested_keys = tuple(f.name for f, (kind, _) in zip(wire_fields, shapes) if kind not in ("scalar", "json"))
    cls._json_keys = frozenset(f.name for f, (kind, _) in zip(wire_fields, shapes) if kind == "json")
    cls._required = tuple(
        f.name
        for f in wire_fields
        if f.default is MISSING and f.default_factory is MISSING and f.name not in cls._not_required
    )
    strings, lists = _simple_keys(cls, shapes)
    namespace_of_decoder: Dict[str, Any] = {
        "only_known": cls._known.issuperset,  # quicker than data.keys() <= known
        "only_strings": strings.issuperset,
        "list_decoders": {key: _decoder_of(cls._shapes[key][1]) for key in lists},
        "general": cls._decode_general,
        "new": _new,
        "set_dict": _set_dict,
        "cls": cls,
        "Invalid": _Invalid,
    }
    for i, (f, (kind, what)) in enumerate(zip(wire_fields, shapes)):
        namespace_of_decoder[f"convert_{i}"] = cls._convert[f.name]
        if kind in ("object", "objects"):
            namespace_of_decoder[f"decode_{i}"] = _decoder_of(what)
    namespace_of_decoder["watch"] = None  # see watching_decoder
    source = _decoder_source(cls, wire_fields, shapes)
    cls._decode = staticmethod(_decoder_function(cls.__name__, source, namespace_of_decoder))
    cls._decoder_namespace = namespace_of_decoder
    cls._decoder_source = source
    _compiled.append(cls)
    cls.extra = NO_EXTRA  # see _NoExtra


_compiled: List[Type[WireObject]] = []  # every compiled class, for watching_decoder
compiled_at_import: List[str] = []  # classes whose decoder decoders.py lacked or had stale: compiled from source


def _decoder_function(name: str, source: str, namespace: Dict[str, Any]) -> _Convert:
    """The function *source* defines, with *namespace* as its globals.

    Its code comes from ``decoders.py`` when that holds this very source
    (same CRC-32), so it was compiled once, with the package, and an import
    only loads it; else the source is compiled here. Compiling forty
    decoders at every start took most of the first chunk's time.
    """
    namespace["__builtins__"] = builtins
    generated = getattr(decoders, f"decode_{name}", None)
    if generated is not None and decoders.SOURCE_CRC32.get(name) == zlib.crc32(source.encode()):
        return FunctionType(generated.__code__, namespace)
    compiled_at_import.append(name)
    exec(compile(source, f"<groqstream decoder for {name}>", "exec"), namespace)
    return namespace["decode"]  # type: ignore[no-any-return]


def generated_decoders_source() -> str:
    """The text of ``decoders.py`` for the classes declared now (``python tools/generate_decoders.py`` writes it)."""
    import symtable  # only here: the generator runs at development time

    sources = [(cls.__name__, cls._decoder_source) for cls in _compiled]
    names = [name for name, _ in sources]
    if len(set(names)) != len(names):  # pragma: no cover - a declaration bug
        raise ValueError(f"two wire classes share a name: {sorted(n for n in names if names.count(n) > 1)}")
    free: Set[str] = set()
    for _, source in sources:
        function = symtable.symtable(source, "decoder", "exec").get_children()[0]
        assert isinstance(function, symtable.Function)
        free.update(name for name in function.get_globals() if not hasattr(builtins, name))
    lines = [
        '"""The generated decoders of the wire classes, compiled with the package so that an import only loads them.',
        "",
        "GENERATED by `python tools/generate_decoders.py` from the class declarations (see",
        "``_wire._decoder_source``): do not edit. ``_wire`` takes a function from here only when its",
        "source still has the CRC-32 recorded below, and binds it to the class's own globals; a class",
        "whose declaration changed is compiled from source at import instead (tests/test_generated.py",
        "fails until this file is written again).",
        '"""',
        "",
        "from __future__ import annotations",
        "",
        "TYPE_CHECKING = False  # as typing's, without importing typing at run time: see docs/architecture.md",
        "if TYPE_CHECKING:",
        "    from typing import Any, Dict",
        "",
        "# The globals the decoders use. Each class binds its own (_wire._compile); these only name them.",
        *[f"{name}: Any = None" for name in sorted(free)],
        "",
    ]
    for name, source in sources:
        head, _, body = source.partition("\n")
        if head != "def decode(data):":  # pragma: no cover - _decoder_source writes this line
            raise ValueError(f"unexpected first line of {name}'s decoder: {head!r}")
        lines += ["", f"def decode_{name}(data: Any) -> Any:", body.rstrip("\n"), ""]
    lines += [
        "",
        "SOURCE_CRC32: Dict[str, int] = {",
        *[f"    {name!r}: {zlib.crc32(source.encode()):#010x}," for name, source in sources],
        "}",
    ]
    return "\n".join(lines) + "\n"


def compile_wire_classes(namespace: Dict[str, Any]) -> None:
    """Compile every wire class defined in a declaration module (call it at the module's end with ``globals()``)."""
    done: Set[type] = set()
    for value in list(namespace.values()):
        if (
            isinstance(value, type)
            and issubclass(value, WireObject)
            and is_declared(value)  # a dataclass, not a base that only shares behaviour (MessageLike)
            and value.__module__ == namespace["__name__"]
        ):
            _compile(value, done)


def watching_decoder(cls: Type[WireObject], watcher: Watcher) -> _Convert:
    """A copy of *cls*'s decoder whose nested objects of a class with ``_watch`` report to *watcher*.

    A stream that must know which choices finished (to accept an end
    without ``[DONE]``) would otherwise look at every chunk's choices again;
    the choice's decoder has their index and finish reason at hand and tells
    only what changed (a new index, a finish). The copies share the
    generated code and differ in their globals. What a copy sends down the
    general path (unknown keys) is reported whole by ``watcher.note_all``.
    """
    watched = {nested._decode: nested for nested in _compiled if nested._watch}
    outer = dict(cls._decoder_namespace)
    for name, value in list(outer.items()):
        nested = watched.get(value) if name.startswith("decode_") else None
        if nested is not None:
            inner = dict(nested._decoder_namespace, watch=watcher)
            general = inner["general"]
            inner["general"] = lambda data, general=general: _reported(general(data), watcher)
            outer[name] = FunctionType(nested._decode.__code__, inner)
    whole = outer["general"]
    outer["general"] = lambda data: _reported(whole(data), watcher, whole=True)
    return FunctionType(cls._decode.__code__, outer)


def _reported(obj: Any, watcher: Watcher, whole: bool = False) -> Any:
    """*obj*, decoded by the general path, after telling *watcher* about it."""
    if whole:
        watcher.note_all(obj)
    else:
        watcher.note(obj.index, obj.finish_reason)
    return obj
