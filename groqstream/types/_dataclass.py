"""``@dataclass(frozen=True)`` made on a class's first use as a dataclass, not when it is declared.

The standard decorator writes a class's ``__init__``, ``__repr__``, ``__eq__``,
``__hash__``, ``__setattr__`` and ``__delattr__`` by compiling source text:
about a millisecond per class, and groqstream declares some fifty, most of
which a stream never constructs (a decoded object's ``__dict__`` is its JSON
object; see ``_wire``). Importing ``dataclasses`` itself costs more than all
of groqstream's own modules. So the declaration modules use this ``dataclass``
and ``field`` at run time (type checkers see the standard ones): the class is
usable at once, and the standard decorator runs the first time one of the
names above, ``__dataclass_fields__``, ``__match_args__`` or ``__replace__`` is
looked up: when an instance is constructed, compared, hashed, printed or
assigned to, or ``dataclasses.fields``/``replace``/``asdict`` is called.

The standard decorator runs on a copy of the class body (a "shadow" class)
and what it made is then set on the class name by name, each replacing the
stand-in that triggered it. Processing the class in place would first have to
remove the stand-ins and put ``dataclasses.Field`` objects back as class
attributes: another thread reading the class meanwhile would find neither.
The result is the class the standard decorator makes; tests/test_dataclass.py
checks that.
"""

from __future__ import annotations

from _thread import RLock  # the C module: importing threading would cost a share of what this saves
from types import CellType, FunctionType

TYPE_CHECKING = False  # as typing's, without importing typing at run time: see docs/architecture.md
if TYPE_CHECKING:
    from typing import Any, Callable, Dict, List, Optional, Tuple, TypeVar

    _T = TypeVar("_T", bound=type)

__all__ = ["MISSING", "DeclaredField", "dataclass", "declared_fields", "field", "is_declared", "is_made"]


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()
"""A field without a default (or default factory): stands for ``dataclasses.MISSING`` before it is imported."""

# What the standard decorator may write on a class; each is a stand-in until then.
_MADE_NAMES = (
    "__init__",
    "__repr__",
    "__eq__",
    "__hash__",
    "__setattr__",
    "__delattr__",
    "__match_args__",
    "__replace__",
    "__dataclass_fields__",
    "__dataclass_params__",
)


class DeclaredField:
    """One field as the class body declares it: what ``dataclasses.Field`` will say, known without making it."""

    __slots__ = ("default", "default_factory", "kwargs", "metadata", "name", "type")

    def __init__(self, name: str, type: str, kwargs: Dict[str, Any]) -> None:  # noqa: A002 - Field's own name
        self.name = name
        self.type = type
        self.kwargs = kwargs  # what field() was given ({} for a plain default or none)
        self.default: Any = kwargs.get("default", MISSING)
        self.default_factory: Any = kwargs.get("default_factory", MISSING)
        self.metadata: Dict[str, Any] = kwargs.get("metadata") or {}


class _FieldSpec:
    """What ``field(...)`` was given, kept until the class is made (``dataclasses.field`` is called then)."""

    __slots__ = ("kwargs",)

    def __init__(self, kwargs: Dict[str, Any]) -> None:
        self.kwargs = kwargs


def field(**kwargs: Any) -> Any:
    """``dataclasses.field``, with the same arguments, called when the class is made."""
    return _FieldSpec(kwargs)


class _Record:
    """A declared class not made yet: the decorator's arguments and the class body as it was."""

    __slots__ = ("body", "fields", "options")

    def __init__(self, options: Dict[str, Any], body: Dict[str, Any], fields: List[DeclaredField]) -> None:
        self.options = options
        self.body = body
        self.fields = fields


_records: Dict[type, _Record] = {}  # every class declared here, made or not (for declared_fields)
_pending: Dict[type, _Record] = {}  # those not made yet
_lock = RLock()  # re-entrant: making a class makes its dataclass bases first


class _StandIn:
    """Holds the place of one name the decorator writes; the first lookup makes the class, then answers."""

    __slots__ = ("cls", "name")

    def __init__(self, cls: type, name: str) -> None:
        self.cls = cls
        self.name = name

    def __get__(self, obj: Any, owner: Optional[type] = None) -> Any:
        _make(self.cls)
        return getattr(owner if obj is None else obj, self.name)


def dataclass(**options: Any) -> Callable[[_T], _T]:
    """``dataclasses.dataclass(**options)``, deferred to the class's first use as a dataclass."""

    def declare(cls: _T) -> _T:
        # The body as written (field(...) included), for the shadow class; the class's own __dict__ and
        # __weakref__ descriptors are not part of it.
        body = {name: value for name, value in cls.__dict__.items() if name not in ("__dict__", "__weakref__")}
        fields: Dict[str, DeclaredField] = {}
        for base in reversed(cls.__mro__[1:]):  # a dataclass base's fields come first, as in dataclasses.fields
            if base in _records:
                fields.update((f.name, f) for f in _records[base].fields)
        own = cls.__dict__.get("__annotations__", {})  # noqa: RUF063 - what dataclasses reads (3.9 to 3.13)
        for name, annotation in own.items():
            if str(annotation).startswith("ClassVar"):
                continue
            value = cls.__dict__.get(name, MISSING)
            if isinstance(value, _FieldSpec):
                declared = DeclaredField(name, str(annotation), value.kwargs)
                # The class attribute the decorator leaves: the default, or none.
                if declared.default is MISSING:
                    delattr(cls, name)
                else:
                    setattr(cls, name, declared.default)
            else:
                declared = DeclaredField(name, str(annotation), {} if value is MISSING else {"default": value})
            fields[name] = declared
        with _lock:
            _records[cls] = _pending[cls] = _Record(options, body, list(fields.values()))
            for name in _MADE_NAMES:
                if name not in cls.__dict__:
                    setattr(cls, name, _StandIn(cls, name))
        return cls

    return declare


def declared_fields(cls: type) -> List[DeclaredField]:
    """The fields of a class declared with ``dataclass`` here, in ``dataclasses.fields`` order, without making it."""
    return _records[cls].fields


def is_declared(cls: type) -> bool:
    """Whether *cls* was declared with this module's ``dataclass``."""
    return cls in _records


def is_made(cls: type) -> bool:
    """Whether the standard decorator has run for *cls* (tests use it to show what a stream never needs)."""
    return cls not in _pending


def _make(cls: type) -> None:
    """Run the standard decorator for *cls* (its dataclass bases first) and put what it wrote on the class."""
    with _lock:
        record = _pending.get(cls)
        if record is None:  # made already: by another thread, or with a subclass
            return
        for base in reversed(cls.__mro__[1:]):
            if base in _pending:
                _make(base)
        import dataclasses  # here, not at import: see the module's docstring

        body = dict(record.body)
        for name, value in body.items():
            if isinstance(value, _FieldSpec):
                body[name] = dataclasses.field(**value.kwargs)
        for name in _MADE_NAMES:
            if isinstance(body.get(name), _StandIn):
                del body[name]
        # The decorator recognises a string "ClassVar[...]" only when the module binds ClassVar at run time,
        # which ours do not (they import typing for type checkers only): class variables are left out.
        body["__annotations__"] = {
            name: annotation
            for name, annotation in body.get("__annotations__", {}).items()
            if not str(annotation).startswith("ClassVar")
        }
        shadow = type(cls)(cls.__name__, cls.__bases__, body)
        shadow.__qualname__ = cls.__qualname__
        shadow = dataclasses.dataclass(shadow, **record.options)
        del _pending[cls]
        for name in _MADE_NAMES:
            if name in shadow.__dict__:
                setattr(cls, name, _rebound(shadow.__dict__[name], shadow, cls))
            elif isinstance(cls.__dict__.get(name), _StandIn):
                delattr(cls, name)


def _rebound(value: Any, shadow: type, cls: type) -> Any:
    """*value* (a function the decorator made for *shadow*) referring to *cls* instead, as a closure may."""
    if not isinstance(value, FunctionType) or not value.__closure__:
        return value
    cells: Tuple[Any, ...] = tuple(CellType(cls) if _cell_holds(cell, shadow) else cell for cell in value.__closure__)
    rebound = FunctionType(value.__code__, value.__globals__, value.__name__, value.__defaults__, cells)
    rebound.__kwdefaults__ = value.__kwdefaults__
    rebound.__dict__.update(value.__dict__)
    rebound.__qualname__ = value.__qualname__
    rebound.__doc__ = value.__doc__
    rebound.__annotations__ = value.__annotations__
    return rebound


def _cell_holds(cell: Any, value: Any) -> bool:
    try:
        return cell.cell_contents is value
    except ValueError:  # an empty cell
        return False
