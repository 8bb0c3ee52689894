"""How wire objects are read from JSON and written back: the machinery behind every typed class.

The declarations live elsewhere (``shared``, ``chunk``, ``completion``: standard
frozen dataclasses); this module holds what they have in common:

* ``WireObject``: the base class, with ``from_dict``, ``to_dict`` and ``extra``.
  ``to_dict()`` returns the JSON object an instance was read from, exactly:
  same keys, same order, explicit ``null`` kept, and what was absent stays
  absent. An instance made with the constructor has no source object; it
  gives its required fields, the optional ones that are set, then ``extra``.
* ``bind_decoders``: the generated module ``decoders`` holds one strict
  decoder per class (written by ``tools/generate_decoders.py`` from the
  declarations); at its end it hands them here, and each class gets its
  decoder and a field table read from its dataclass fields. A required key
  that is missing or ``null``, or a value of the wrong JSON type, sends the
  object to the general decoder, which raises ``_Invalid`` naming the path;
  unknown keys go to ``extra``, never fatal.
* The lenient decoder (``_decode_general`` with a ``Lenient``): what the
  stream decoders fall back to when the strict one refuses a chunk. It reads
  every departure that has one obvious meaning (a required key absent or
  null gets its empty value, an integral float is an integer, ...) and
  records each as a ``Deviation``; anything else is refused as strictly.
  docs/compatibility.md lists the rules.

Decoding takes the parsed JSON object over: on the usual path the object
itself becomes the instance's ``__dict__`` (see ``decoders``).
"""

from __future__ import annotations

import dataclasses
import math
import re
import sys
from dataclasses import dataclass
from typing import (
    TYPE_CHECKING,
    Any,
    Callable,
    Dict,
    FrozenSet,
    List,
    NoReturn,
    Optional,
    Tuple,
    Type,
    TypeVar,
)

from ..core.errors import ChunkDecodeError, snippet

if TYPE_CHECKING:
    from typing import ClassVar, Protocol, Set

    class Watcher(Protocol):
        """What a watching decoder reports to (``ChunkDecoder``): the choices it sees and how they end."""

        unfinished: Set[int]  # the indices already noted without a finish_reason: not reported again

        def note(self, index: int, finish_reason: Optional[str]) -> None: ...

        def note_all(self, obj: Any) -> None: ...


_W = TypeVar("_W", bound="WireObject")
_Convert = Callable[[Any], Any]

__all__ = [
    "NO_EXTRA",
    "POSITION",
    "DEVIATION_RULES",
    "UNFIXED",
    "Computed",
    "Deviation",
    "Lenient",
    "WireObject",
    "bind_decoders",
    "copy_json",
    "field_shape",
    "general_watched",
    "invalid_to_error",
    "keep_nulls",
    "watching_decoder",
    "wire_fields",
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

    # The decoding machinery's per-class state. Declared for type checkers only, so that it never reaches
    # __annotations__: typing.get_type_hints and pydantic see a wire class's fields and nothing else. At run
    # time, the defaults below are plain class attributes, a class's own settings are plain assignments in
    # its body (_empty = {...}), and bind_decoders sets the rest.
    if TYPE_CHECKING:
        extra: Dict[str, Any]  # a dataclass field of every subclass
        # Set by bind_decoders for each subclass:
        _convert: ClassVar[Dict[str, Callable[[Any], Any]]]  # every field: its converter
        _shapes: ClassVar[Dict[str, Tuple[str, Any]]]  # every field: what it holds (see field_shape)
        _known: ClassVar[FrozenSet[str]]  # every field's JSON key
        _nested_keys: ClassVar[Tuple[str, ...]]  # object and array fields, in field order
        _required: ClassVar[Tuple[str, ...]]
        _json_keys: ClassVar[FrozenSet[str]]  # fields that hold any JSON value (copied by to_dict)
        _decode: ClassVar[Callable[..., Any]]  # the generated decoder (see decoders.py)
        # Declared by subclasses, for the lenient decoder (defaults below):
        _empty: ClassVar[Dict[str, Any]]
        _truncated: ClassVar[Tuple[str, ...]]
        _lenient_hooks: ClassVar[Dict[str, Callable[[Lenient, Any, Dict[str, Any]], Any]]]
        _watch: ClassVar[Tuple[str, ...]]
        _misplaced: ClassVar[Dict[str, Tuple[str, Callable[[Lenient, Any], None]]]]
        _not_required: ClassVar[Tuple[str, ...]]
        _dump_as: ClassVar[Dict[str, str]]
        _always: ClassVar[Tuple[str, ...]]
        # Per instance, with a class-wide default (see below):
        _present: ClassVar[Optional[Tuple[str, ...]]]
        _raw: ClassVar[Optional[Dict[str, Any]]]
        _constructed: ClassVar[bool]
        _nulls: ClassVar[Tuple[str, ...]]

    # The empty value of a required field that arrives absent or null: a str or int, a class (or list) to
    # call, or a Computed. A required field without one is refused.
    _empty = {}
    # integer fields where a number with a fraction is truncated (timestamps), not refused
    _truncated = ()
    # a field whose wrongly typed value a class reads its own way: key -> hook(lenient, value, values)
    _lenient_hooks = {}
    # (index, finish_reason): the fields whose values a watching stream is told of (see watching_decoder)
    _watch = ()
    # keys that are no field here but one elsewhere (Moonshot's usage inside a choice): key -> (why the strict
    # decoder refuses it, hook(lenient, value) that reads it where it belongs and records the deviation).
    # Either way the key stays in extra, so to_dict() gives back what was sent.
    _misplaced = {}
    # fields the constructor requires that the wire may omit (the class attribute is what an absent one reads)
    _not_required = ()
    # a field that, when set on a constructed instance, to_dict writes under another field's key
    _dump_as = {}
    # Keys of the JSON object an instance was decoded from, in order, when
    # some were unknown (they are in extra), filled in, or read from another
    # type; otherwise the instance's own __dict__ is the JSON object and its
    # order is the source order.
    _present = None
    # The source values of keys the lenient decoder read as something else (to_dict writes these).
    _raw = None
    # True for instances made with the constructor (set by __post_init__).
    _constructed = False
    # Optional keys a constructed instance writes even when None, because the
    # wire object always has them (e.g. "finish_reason": null).
    _always = ()
    # The same, for one constructed instance (see keep_nulls).
    _nulls = ()

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
        for declared in dataclasses.fields(self):  # type: ignore[arg-type]  # every subclass is a dataclass
            value = getattr(self, declared.name)
            required = declared.default is dataclasses.MISSING and declared.default_factory is dataclasses.MISSING
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


class _NoExtra(dict):  # type: ignore[type-arg]  # a plain dict subclass: no typing.Generic in its bases
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
# What extra reads on every decoded instance that has none of its own: the dataclass decorator removes each
# subclass's own class attribute (its default is a factory), so lookups fall through to this one.
WireObject.extra = NO_EXTRA


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


# --- binding each class to its decoder and its field table ----------------------------

_SCALARS: Dict[str, Tuple[type, ...]] = {"str": _STR, "int": _INT, "float": _NUMBER}
_SCALAR_CONVERTERS: Dict[Tuple[type, ...], _Convert] = {_STR: _str, _INT: _int, _NUMBER: _number}


def wire_fields(cls: type) -> List[dataclasses.Field[Any]]:
    """The dataclass fields of *cls* that are JSON keys: not ``extra``, nor one with ``metadata={"wire": False}``."""
    return [f for f in dataclasses.fields(cls) if f.name != "extra" and f.metadata.get("wire", True)]


def field_shape(annotation: str, namespace: Dict[str, Any]) -> Tuple[str, Any]:
    """What a field annotation such as ``Optional[List[Choice]]`` holds (``Optional`` only means "may be null").

    ``("scalar", types)``; ``("scalars", types)`` for a list of scalars;
    ``("object", cls)``; ``("objects", cls)`` for a list of objects;
    ``("list", item_annotation)`` for any other list (a list of lists);
    ``("json", None)`` for any JSON value (``Any``) and ``("json", dict)`` for
    any JSON object (``Dict[str, Any]``). Class names are looked up in
    *namespace*, the declaring module's. The annotation is the text the class
    body wrote (``from __future__ import annotations``): the generator and
    ``bind_decoders`` read the same text, so they agree.
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
        kind, what = field_shape(item, namespace)
        if kind in ("scalar", "object"):
            return kind + "s", what
        return "list", item
    target = namespace[annotation]
    if not (isinstance(target, type) and issubclass(target, WireObject)):  # pragma: no cover - a declaration bug
        raise TypeError(f"no decoder for annotation {annotation!r}")
    return "object", target


def _converter(annotation: str, namespace: Dict[str, Any]) -> _Convert:
    """The converter of one field: it checks (and for objects, decodes) a non-null value or raises ``_Invalid``."""
    kind, what = field_shape(annotation, namespace)
    if kind == "scalar":
        return _SCALAR_CONVERTERS[what]
    if kind == "scalars":
        return _list_of(_SCALAR_CONVERTERS[what], what)
    if kind == "object":
        return what._decode  # type: ignore[no-any-return]
    if kind == "json":
        return _json_object if what is dict else _any_json
    return _list_of(what._decode if kind == "objects" else _converter(what, namespace))


def _any_json(value: Any) -> Any:
    return value


def bind_decoders(decoders: Dict[Type[WireObject], _Convert]) -> None:
    """Give each wire class its generated decoder and the field table ``_decode_general`` and ``to_dict`` read.

    ``decoders.py`` (generated) calls this once, at its end, with every class
    and its ``decode_...`` function. The table (each field's shape and
    converter, the required keys...) comes from the class's dataclass fields:
    the declaration is the one place a field is written. The decoders are
    set first, so that a converter can take a nested class's decoder itself.
    """
    for cls, decode in decoders.items():
        cls._decode = staticmethod(decode)
    for cls in decoders:
        namespace = vars(sys.modules[cls.__module__])
        fields = wire_fields(cls)
        shapes = [field_shape(str(f.type), namespace) for f in fields]
        cls._shapes = {f.name: shape for f, shape in zip(fields, shapes)}
        cls._convert = {f.name: _converter(str(f.type), namespace) for f in fields}
        cls._known = frozenset(cls._convert)
        cls._nested_keys = tuple(f.name for f, (kind, _) in zip(fields, shapes) if kind not in ("scalar", "json"))
        cls._json_keys = frozenset(f.name for f, (kind, _) in zip(fields, shapes) if kind == "json")
        cls._required = tuple(
            f.name
            for f in fields
            if f.default is dataclasses.MISSING
            and f.default_factory is dataclasses.MISSING
            and f.name not in cls._not_required
        )


def watching_decoder(cls: Type[WireObject], watcher: Watcher) -> _Convert:
    """*cls*'s decoder, with its nested objects of a class with ``_watch`` reporting to *watcher*.

    A stream that must know which choices finished (to accept an end
    without ``[DONE]``) would otherwise look at every chunk's choices again;
    the choice's decoder has their index and finish reason at hand and tells
    only what changed (a new index, a finish). The generated decoders of the
    classes that hold a watched class take the watcher as their second
    argument (``decode_ChatCompletionChunk(data, watch)``) and pass it down.
    """
    decode = cls._decode

    def decode_watched(data: Any) -> Any:
        return decode(data, watcher)

    return decode_watched


def general_watched(cls: Type[WireObject], data: Any, watch: Optional[Watcher]) -> Any:
    """``cls._decode_general(data)``, then tell *watch* what it decoded (the general path of a watching decoder).

    A class with ``_watch`` (a choice) reports its index and finish reason;
    a class that holds one (a chunk) reports all its choices, which the
    general path decoded without the watcher.
    """
    obj = cls._decode_general(data)
    if watch is not None:
        if cls._watch:
            watch.note(obj.index, obj.finish_reason)  # type: ignore[attr-defined]
        else:
            watch.note_all(obj)
    return obj
