"""Write groqstream/types/decoders.py, the wire classes' strict decoders, from the class declarations.

``python tools/generate_decoders.py`` writes it; ``--check`` only says whether it is current (exit 1 if not;
CI runs it). Run it after changing a wire class's fields: tests/test_types.py fails until then.

The decoders are ordinary functions, one per class, that call each other by name (``decode_ChatCompletionChunk``
calls ``decode_Choice``), so a reader can follow them and go-to-definition works. This module, which writes
them, is never imported by groqstream: nothing is generated, hashed or compiled when groqstream is imported.

How a decoder works (the docstring of the generated module says it too): it takes the parsed JSON object
over. When the object has only known keys and every scalar is of the right type (the usual case), its nested
values are decoded in place and the object itself becomes the instance's ``__dict__`` (absent optional fields
read the class defaults): no per-key schema lookup, no copy. Anything else goes to ``_decode_general``
(groqstream/types/wire.py), which reports the problem (or keeps unknown keys, or reads leniently).
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import types
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Set, Tuple

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "groqstream" / "types" / "decoders.py"
sys.path.insert(0, str(ROOT))  # this checkout's groqstream, not an installed one

# The generator must run when decoders.py is stale (a class renamed or removed would make its import fail):
# a placeholder stands in for it while the declarations are imported, and is removed after.
_PLACEHOLDER = "groqstream.types.decoders"


def _declarations() -> Tuple[Any, List[type]]:
    """The ``wire`` module and every wire class, each after the classes its fields hold (self-references aside)."""
    placeholder = types.ModuleType(_PLACEHOLDER)
    loaded = "groqstream.types" in sys.modules  # imported already (by a test): its decoders are bound
    if not loaded:
        sys.modules[_PLACEHOLDER] = placeholder
    try:
        from groqstream.types import chunk, completion, shared, wire
    finally:
        if sys.modules.get(_PLACEHOLDER) is placeholder:
            del sys.modules[_PLACEHOLDER]
    ordered: List[type] = []
    seen: Set[type] = set()

    def visit(cls: type) -> None:
        if cls in seen:
            return
        seen.add(cls)
        namespace = vars(sys.modules[cls.__module__])
        for f in wire.wire_fields(cls):
            kind, what = wire.field_shape(str(f.type), namespace)
            if kind in ("object", "objects"):
                visit(what)
        ordered.append(cls)

    for module in (shared, chunk, completion):
        for value in list(vars(module).values()):
            if (
                isinstance(value, type)
                and issubclass(value, wire.WireObject)
                and dataclasses.is_dataclass(value)  # not a base that only shares behaviour (MessageLike)
                and value.__module__ == module.__name__
            ):
                visit(value)
    return wire, ordered


# --- one decoder's source -----------------------------------------------------------------


class _Decoder:
    """The source of one class's decoder and of the module-level tables it uses."""

    def __init__(self, wire: Any, cls: type, carriers: Set[type]) -> None:
        self.wire = wire
        self.cls = cls
        self.name = cls.__name__
        self.carries_watch = cls in carriers  # takes the watcher (see watching_decoder in wire.py)
        self.carriers = carriers
        namespace = vars(sys.modules[cls.__module__])
        self.fields = wire.wire_fields(cls)
        self.shapes = [wire.field_shape(str(f.type), namespace) for f in self.fields]
        self.required = [
            f.name
            for f in self.fields
            if f.default is dataclasses.MISSING
            and f.default_factory is dataclasses.MISSING
            and f.name not in cls._not_required  # type: ignore[attr-defined]
        ]
        self.tables: List[str] = []  # module-level names the decoder uses, written after it

    @property
    def general(self) -> str:
        """The statement that hands the object to the general decoder."""
        if self.carries_watch:
            return f"return general_watched({self.name}, data, watch)"
        return f"return {self.name}._decode_general(data)"

    def call(self, what: type, arg: str) -> str:
        """A call of *what*'s decoder on *arg* (passing the watcher down when *what* takes one)."""
        return f"decode_{what.__name__}({arg}, watch)" if what in self.carriers else f"decode_{what.__name__}({arg})"

    def check(self, v: str, kind: str, what: Any, required: bool) -> List[str]:
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
            return [f"if {wrong if required else f'{v} is not None and {wrong}'}:", f"    {self.general}"]
        # A list of scalars: the list, then every item, in an inline loop (quicker
        # than any C call on the short lists of chunks, such as a token's bytes).
        lines = [
            f"if {wrong}:",
            f"    {self.general}",
            f"for item in {v}:",
            f"    if {_not_of_types('item', what)}:",
            f"        {self.general}",
        ]
        return lines if required else [f"if {v} is not None:", *[f"    {line}" for line in lines]]

    def decode(self, v: str, key: str, kind: str, what: Any) -> List[str]:
        """The statements decoding the non-null value in *v* into ``data[key]``, adding *key* to a failure's path."""
        if kind == "objects":  # a loop, not map(): on failure, len(items) is the index that failed
            return [
                "items = []",
                "try:",
                f"    for item in {v}:",
                f"        items.append({self.call(what, 'item')})",
                "except _Invalid as exc:",
                "    exc.path.append('[%d]' % len(items))",
                f"    exc.path.append({key})",
                "    raise",
                f"data[{key}] = items",
            ]
        if kind == "object":
            call = self.call(what, v)
        else:  # a list of lists: a converter made once, at import, from the wire helpers
            converter = f"_convert_{self.name}_{key.strip(chr(39))}"
            self.tables.append(f"{converter} = {_converter_expression(kind, what)}")
            call = f"{converter}({v})"
        return [
            "try:",
            f"    data[{key}] = {call}",
            "except _Invalid as exc:",
            f"    exc.path.append({key})",
            "    raise",
        ]

    def source(self) -> str:
        """The decoder: its fields' checks written out one after another, then the nested values decoded."""
        checks: List[str] = []  # statements of the try block
        rest: List[str] = []  # those of the optional fields after the first, when they can be skipped
        decodes: List[str] = []  # statements after it
        optional: List[str] = []  # the variables of the optional fields
        required_count = len(self.required)
        # With many optional fields and the set check done first, once the first optional field has been
        # looked at, an object that has no other key (a Groq chunk: its five keys and system_fingerprint)
        # needs no lookup of the others.
        skip_rest = required_count > 0 and len(self.fields) - required_count >= 3
        for i, (f, (kind, what)) in enumerate(zip(self.fields, self.shapes)):
            key, v, required = repr(f.name), f"v{i}", f.name in self.required
            target = rest if skip_rest and len(optional) >= 1 and not required else checks
            target.append(f"{v} = data[{key}]" if required else f"{v} = data.get({key})")
            target += self.check(v, kind, what, required)
            if not required:
                optional.append(v)
            if kind in ("object", "objects", "list"):
                body = self.decode(v, key, kind, what)
                decodes += body if required else [f"if {v} is not None:", *[f"    {line}" for line in body]]
        if rest:
            checks += [
                f"if len(data) == {required_count} + ({optional[0]} is not None):  # no key after the first optional",
                f"    {' = '.join(optional[1:])} = None",
                "else:",
                *[f"    {line}" for line in rest],
            ]
        known = f"_known_{self.name}"
        self.tables.insert(0, f"{known} = frozenset({sorted(f.name for f in self.fields)!r}).issuperset")
        keys_first, keys_after = self.known_keys(len(self.fields) - len(optional), optional, known)
        watch: List[str] = []
        if self.cls._watch:  # type: ignore[attr-defined]  # tell a watching stream (index, finish_reason) when new
            names = [f.name for f in self.fields]
            index, finish = (f"v{names.index(name)}" for name in self.cls._watch)  # type: ignore[attr-defined]
            watch = [
                f"if watch is not None and ({finish} is not None or {index} not in watch.unfinished):",
                f"    watch.note({index}, {finish})",
            ]
        signature = "data: Any, watch: Optional[Watcher] = None" if self.carries_watch else "data: Any"
        return "\n".join(
            [
                f"def decode_{self.name}({signature}) -> Any:",
                f'    """Decode ``{self.name}`` from its parsed JSON object, taking the object over."""',
                *self.simple(),
                f"    if type(data) is not dict{keys_first}:",
                f"        {self.general}",
                "    try:",
                *[f"        {line}" for line in checks],
                "    except KeyError:  # a required key is missing",
                f"        {self.general}",
                *[f"    {line}" for line in keys_after],
                "    # Every check passed: decode the nested values, in field order as _decode_general does.",
                *[f"    {line}" for line in decodes],
                *[f"    {line}" for line in watch],
                f"    obj = _new({self.name})",
                "    _set_dict(obj, data)",
                "    return obj",
            ]
        )

    def simple(self) -> List[str]:
        """The decoder's first lines for a class of many optional fields: look at the keys that are there.

        A delta is nearly always ``{"content": "..."}``, ``{}`` or
        ``{"tool_calls": [...]}``, and a check per field (ten for ``ChoiceDelta``)
        costs more than looking at the keys present: when they are all string
        fields (one C call) and each value is a string or null, or when the one
        key is a list of objects, the object is taken (its list decoded). Anything
        else goes on to the checks field by field, which reach the same verdict.
        """
        if self.required or len(self.shapes) < 3:
            return []
        named = list(zip((f.name for f in self.fields), self.shapes))
        strings = sorted(name for name, (kind, what) in named if kind == "scalar" and what == (str,))
        lists = [(name, what) for name, (kind, what) in named if kind == "objects"]
        if not strings:
            return []
        self.tables.append(f"_strings_{self.name} = frozenset({strings!r}).issuperset")
        take = [f"obj = _new({self.name})", "_set_dict(obj, data)", "return obj"]
        lines = [
            f"    if type(data) is dict and _strings_{self.name}(data):",
            "        for v in data.values():",
            "            if type(v) is not str and v is not None:",
            "                break",
            "        else:",
            *[f"            {line}" for line in take],
        ]
        if not lists:
            return lines
        # One list of objects alone (a tool-call delta): decoded at once.
        entries = ", ".join(f"{name!r}: decode_{what.__name__}" for name, what in lists)
        self.tables.append(f"_list_decoders_{self.name} = {{{entries}}}")
        return [
            *lines,
            "    elif type(data) is dict and len(data) == 1:",
            "        for key in data:",
            f"            decode_item = _list_decoders_{self.name}.get(key)",
            "            if decode_item is not None:",
            "                v = data[key]",
            "                if type(v) is list:",
            "                    items = []",
            "                    try:",
            "                        for item in v:",
            "                            items.append(decode_item(item))",
            "                    except _Invalid as exc:",
            "                        exc.path.append('[%d]' % len(items))",
            "                        exc.path.append(key)",
            "                        raise",
            "                    data[key] = items",
            *[f"                    {line}" for line in take],
        ]

    def known_keys(self, required: int, optional: List[str], known: str) -> Tuple[str, List[str]]:
        """How a decoder makes sure every key is a field's: a condition for its first line, or lines after the checks.

        The set check (``_known_...``) is a C call that walks the dict. With at
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
            return f" or not {known}(data)", []
        if len(optional) == 2:
            expected = f"({optional[0]} is not None) + ({optional[1]} is not None)"
        else:
            expected = f"({required} if {optional[0]} is None else {required + 1})" if optional else str(required)
        return "", [f"if len(data) != {expected} and not {known}(data):", f"    {self.general}"]


def _not_of_types(v: str, kinds: Tuple[type, ...]) -> str:
    """The condition under which the value in variable *v* is of none of *kinds* (exact types: a bool is no int)."""
    return " and ".join(f"type({v}) is not {t.__name__}" for t in kinds)


_SCALAR_CHECKS = {(str,): "_str", (int,): "_int", (float, int): "_number"}


def _converter_expression(kind: str, what: Any) -> str:
    """An expression, over wire.py's helpers, that checks a value of a list-of-lists field (no object inside)."""
    if kind == "list":
        namespace: Dict[str, Any] = {}
        from groqstream.types import wire

        inner_kind, inner_what = wire.field_shape(what, namespace)
        return f"_list_of({_converter_expression(inner_kind, inner_what)})"
    if kind == "scalars":
        return f"_list_of({_SCALAR_CHECKS[what]}, {_scalar_tuple(what)})"
    if kind == "scalar":
        return _SCALAR_CHECKS[what]
    raise ValueError(f"no converter expression for {kind!r}")  # pragma: no cover - a declaration the tool lacks


def _scalar_tuple(kinds: Tuple[type, ...]) -> str:
    return {(str,): "_STR", (int,): "_INT", (float, int): "_NUMBER"}[kinds]


# --- the module -------------------------------------------------------------------------------

_HEADER = '''"""The strict decoders of the wire classes: one function per class, calling each other by name.

GENERATED by ``python tools/generate_decoders.py`` from the class declarations (``shared``,
``chunk``, ``completion``): do not edit. CI runs ``python tools/generate_decoders.py --check``.

A decoder takes the parsed JSON object over. When the object has only known keys and every
scalar is of the right type (the usual case), its nested values are decoded in place and the
object itself becomes the instance's ``__dict__`` (absent optional fields read the class
defaults): no per-key schema lookup, no copy. Anything else goes to the class's
``_decode_general`` (wire.py), which reports the problem, keeps unknown keys in ``extra``, or
reads leniently. The decoders of a chunk and of a choice also take a ``watch``: a stream that
must know which choices finished is told by them (see ``watching_decoder`` in wire.py).

At its end the module hands every class its decoder (``bind_decoders``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

from .chunk import {chunk}
from .completion import {completion}
from .shared import {shared}
from .wire import (
    _INT,
    _NUMBER,
    _STR,
    _Invalid,
    _int,
    _list_of,
    _new,
    _number,
    _set_dict,
    _str,
    bind_decoders,
    general_watched,
)

if TYPE_CHECKING:
    from .wire import Watcher

# Each decoder is followed by the tables it reads (known keys, ...), made once at import.
'''


def _carriers(wire: Any, classes: Sequence[type]) -> Set[type]:
    """The classes whose decoder takes the watcher: those with ``_watch`` and those holding one."""
    carriers = {cls for cls in classes if cls._watch}  # type: ignore[attr-defined]
    changed = True
    while changed:
        changed = False
        for cls in classes:
            if cls in carriers:
                continue
            namespace = vars(sys.modules[cls.__module__])
            for f in wire.wire_fields(cls):
                kind, what = wire.field_shape(str(f.type), namespace)
                if kind in ("object", "objects") and what in carriers:
                    carriers.add(cls)
                    changed = True
                    break
    return carriers


def _imports(classes: Sequence[type], module: str) -> str:
    names = sorted(cls.__name__ for cls in classes if cls.__module__ == module)
    return "(\n" + "".join(f"    {name},\n" for name in names) + ")"


def generated_source() -> str:
    """The text of ``groqstream/types/decoders.py`` for the classes declared now."""
    wire, classes = _declarations()
    names = [cls.__name__ for cls in classes]
    if len(set(names)) != len(names):  # pragma: no cover - a declaration bug
        raise ValueError(f"two wire classes share a name: {sorted(n for n in names if names.count(n) > 1)}")
    carriers = _carriers(wire, classes)
    parts = [
        _HEADER.format(
            chunk=_imports(classes, "groqstream.types.chunk"),
            completion=_imports(classes, "groqstream.types.completion"),
            shared=_imports(classes, "groqstream.types.shared"),
        )
    ]
    for cls in classes:
        decoder = _Decoder(wire, cls, carriers)
        parts.append("\n\n" + decoder.source() + "\n")
        if decoder.tables:
            parts.append("\n\n" + "\n".join(decoder.tables) + "\n")
    parts.append("\n\nbind_decoders(\n    {\n" + "".join(f"        {n}: decode_{n},\n" for n in names) + "    }\n)\n")
    return "".join(parts)


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Write (or with ``--check``, compare) groqstream/types/decoders.py; return the exit code."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is not current; write nothing")
    args = parser.parse_args(argv)
    text = generated_source()
    current = TARGET.exists() and TARGET.read_text(encoding="utf-8") == text
    if args.check:
        print(f"{TARGET}: {'current' if current else 'STALE: run python tools/generate_decoders.py'}")
        return 0 if current else 1
    if not current:
        TARGET.write_text(text, encoding="utf-8")
    print(f"{TARGET}: {'unchanged' if current else 'written'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
