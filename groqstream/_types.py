"""Typed wire objects: the chat-completion chunk and everything inside it.

The classes mirror the Groq SDK 1.x streaming types (``groq.types.chat``):
same class names, same field names, same JSON keys, so code written for the
SDK reads the same. They are frozen dataclasses with two additions:

* ``extra``: every key the class does not know, kept as parsed. Unknown keys
  never fail parsing and are never dropped (gpt-oss sends ``delta.channel``;
  usage-only chunks carry ``service_tier``).
* ``to_dict()``: the JSON object the instance was built from, exactly: same
  keys, same order, explicit ``null`` kept. An instance made with the
  constructor has no source object; it gives its required fields, the
  optional ones that are not ``None``, then ``extra``.

``from_dict`` validates: a required key (as the SDK marks it) that is missing
or ``null``, or a value of the wrong JSON type, raises ``ChunkDecodeError``
naming the path, e.g. ``choices[0].delta.content``. Open-ended strings such as
``finish_reason`` are typed ``str``; the ``Literal`` aliases here document the
values known today. A JSON number is accepted where a float is expected and
kept as parsed (``0`` stays ``0``) so ``to_dict()`` stays exact.

Each class's validator is derived once from its annotations (``_compile``
at the bottom of the module), so a field is declared in one place only.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import (
    Any,
    Callable,
    ClassVar,
    Dict,
    FrozenSet,
    List,
    Literal,
    NoReturn,
    Optional,
    Set,
    Tuple,
    Type,
    TypeVar,
)

from ._errors import ChunkDecodeError, snippet

__all__ = [
    "Annotation",
    "AnnotationDocumentCitation",
    "AnnotationFunctionCitation",
    "ChatCompletion",
    "ChatCompletionChoice",
    "ChatCompletionChunk",
    "ChatCompletionMessage",
    "ChatCompletionMessageToolCall",
    "ChatCompletionMessageToolCallFunction",
    "ChatCompletionTokenLogprob",
    "Choice",
    "ChoiceDelta",
    "ChoiceDeltaFunctionCall",
    "ChoiceDeltaToolCall",
    "ChoiceDeltaToolCallFunction",
    "ChoiceLogprobs",
    "CompletionTokensDetails",
    "CompletionUsage",
    "ExecutedTool",
    "ExecutedToolBrowserResult",
    "ExecutedToolCodeResult",
    "ExecutedToolCodeResultChart",
    "ExecutedToolCodeResultChartElement",
    "ExecutedToolSearchResults",
    "ExecutedToolSearchResultsResult",
    "FunctionCall",
    "KnownFinishReason",
    "KnownRole",
    "PromptTokensDetails",
    "TopLogprob",
    "UsageBreakdown",
    "UsageBreakdownModel",
    "XGroq",
    "XGroqDebug",
]

KnownFinishReason = Literal["stop", "length", "tool_calls", "content_filter", "function_call"]
"""Known ``finish_reason`` values; the field itself is ``str`` so new values never break parsing."""
KnownRole = Literal["system", "user", "assistant", "tool"]
"""Known ``role`` values; the field itself is ``str``."""

_W = TypeVar("_W", bound="WireObject")
_Convert = Callable[[Any], Any]


class _Invalid(Exception):
    """Internal: a value does not fit the schema. Carries the path, innermost key first."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.path: List[str] = []

    def where(self) -> str:
        parts = reversed(self.path)
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
_WHAT = {_STR: "a string", _INT: "an integer", _NUMBER: "a number"}


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


class WireObject:
    """Base of every wire dataclass: ``from_dict``, ``to_dict`` and ``extra``."""

    extra: Dict[str, Any]
    # Filled by _compile for each subclass:
    _convert: ClassVar[Dict[str, _Convert]]  # every field: its converter
    _known: ClassVar[FrozenSet[str]]  # every field's JSON key
    _nested_keys: ClassVar[Tuple[str, ...]]  # object and array fields, in field order
    _required: ClassVar[Tuple[str, ...]]
    _decode: ClassVar[Callable[[Any], Any]]  # the generated decoder (see _decoder_source)
    # Keys of the JSON object an instance was decoded from, in order, when
    # some were unknown (they are in extra); otherwise the instance's own
    # __dict__ is the JSON object and its order is the source order.
    _present: ClassVar[Optional[Tuple[str, ...]]] = None
    # True for instances made with the constructor (set by __post_init__).
    _constructed: ClassVar[bool] = False
    # Optional keys a constructed instance writes even when None, because the
    # wire object always has them (e.g. "finish_reason": null).
    _always: ClassVar[Tuple[str, ...]] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "_constructed", True)

    @classmethod
    def from_dict(cls: Type[_W], data: Dict[str, Any]) -> _W:
        """Build an instance from a parsed JSON object, validating it.

        Args:
            data: the object, as ``json.loads`` returns it. It is not modified.

        Returns:
            The typed instance; ``to_dict()`` on it returns an equal object.

        Raises:
            ChunkDecodeError: a required key is missing or null, or a value has
                the wrong JSON type; ``path`` says where.
        """
        try:
            return cls._decode(copy_json(data))  # type: ignore[no-any-return]  # decoding takes its input over
        except _Invalid as exc:
            raise invalid_to_error(exc, cls.__name__) from None

    @classmethod
    def _decode_general(cls: Type[_W], data: Any) -> _W:
        """Decode any JSON value, reporting the first problem; the generated decoders fall back to it.

        The order is fixed, so both paths report the same problem: a non-object;
        then, in the object's key order, a scalar of the wrong type; then the
        nested values, in field order; then a missing or null required field.
        """
        if type(data) is not dict:
            raise _expected("an object", data)
        convert = cls._convert
        values: Dict[str, Any] = {}
        extra: Dict[str, Any] = {}
        for key, value in data.items():
            if key not in convert:
                extra[key] = value
            elif value is None or key in cls._nested_keys:
                values[key] = value
            else:
                values[key] = _checked(key, convert[key], value)
        for key in cls._nested_keys:
            value = values.get(key)
            if value is not None:
                values[key] = _checked(key, convert[key], value)
        for name in cls._required:
            if values.get(name) is None:
                raise _at(name, _Invalid("missing required key") if name not in data else _expected("a value", None))
        if extra:
            values["extra"] = extra
            values["_present"] = tuple(data)
        obj = _new(cls)
        _set_dict(obj, values)
        return obj

    def to_dict(self) -> Dict[str, Any]:
        """Return the JSON object this instance stands for.

        Returns:
            For an instance from ``from_dict``: an object equal to the one it was
            built from, keys in the same order, explicit nulls and unknown keys
            kept. For a constructed instance: the required keys, the keys the
            wire object always carries, the other fields that are not ``None``,
            then ``extra``. Always a fresh copy.
        """
        convert = self._convert
        keys: Any = self._present
        if self._constructed:
            keep = self._required + self._always
            fields = tuple(name for name in convert if name in keep or getattr(self, name) is not None)
            keys = fields + tuple(self.extra)
        elif keys is None:
            keys = tuple(self.__dict__)  # the JSON object itself, known keys only
        # Unknown keys hold any JSON, nested as deep as the parser took: copied without recursion.
        return {key: _dump(getattr(self, key)) if key in convert else copy_json(self.extra[key]) for key in keys}


def _checked(key: str, convert: _Convert, value: Any) -> Any:
    """``convert(value)``, with *key* added to the path of a failure."""
    try:
        return convert(value)
    except _Invalid as exc:
        exc.path.append(key)
        raise


_set_dict = WireObject.__dict__["__dict__"].__set__  # obj.__dict__ = d, past the frozen __setattr__


class _NoExtra(Dict[str, Any]):
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


_NO_EXTRA = _NoExtra()


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


# --- usage -------------------------------------------------------------------


@dataclass(frozen=True)
class CompletionTokensDetails(WireObject):
    """Breakdown of the tokens in the completion."""

    reasoning_tokens: int
    """Tokens spent on reasoning (reasoning models)."""
    extra: Dict[str, Any] = field(default_factory=dict)
    """Keys this class does not know, as parsed."""


@dataclass(frozen=True)
class PromptTokensDetails(WireObject):
    """Breakdown of the tokens in the prompt."""

    cached_tokens: int
    """Prompt tokens served from the cache."""
    extra: Dict[str, Any] = field(default_factory=dict)
    """Keys this class does not know, as parsed."""


@dataclass(frozen=True)
class CompletionUsage(WireObject):
    """Token counts and Groq's timings for a request. Sent once, near the end of a stream."""

    completion_tokens: int
    """Tokens in the generated completion."""
    prompt_tokens: int
    """Tokens in the prompt."""
    total_tokens: int
    """Prompt plus completion tokens."""
    completion_time: Optional[float] = None
    """Seconds spent generating (Groq)."""
    completion_tokens_details: Optional[CompletionTokensDetails] = None
    """Completion token breakdown, when the model reports one (e.g. gpt-oss reasoning tokens)."""
    prompt_time: Optional[float] = None
    """Seconds spent processing the prompt (Groq)."""
    prompt_tokens_details: Optional[PromptTokensDetails] = None
    """Prompt token breakdown, when reported (cached tokens)."""
    queue_time: Optional[float] = None
    """Seconds the request waited in the queue (Groq)."""
    total_time: Optional[float] = None
    """``prompt_time`` plus ``completion_time`` (Groq)."""
    extra: Dict[str, Any] = field(default_factory=dict)
    """Keys this class does not know, as parsed."""


# --- logprobs ----------------------------------------------------------------


@dataclass(frozen=True)
class TopLogprob(WireObject):
    """One of the most likely tokens at a position."""

    token: str
    """The token."""
    logprob: float
    """Its log probability (``-9999.0`` when very unlikely)."""
    bytes: Optional[List[int]] = None
    """The token's UTF-8 bytes, or ``None`` when it has no byte form."""
    extra: Dict[str, Any] = field(default_factory=dict)
    """Keys this class does not know, as parsed."""


@dataclass(frozen=True)
class ChatCompletionTokenLogprob(WireObject):
    """Log probability information for one generated token."""

    token: str
    """The token."""
    logprob: float
    """Its log probability."""
    top_logprobs: List[TopLogprob]
    """The most likely tokens at this position (``top_logprobs`` in the request; may be fewer)."""
    bytes: Optional[List[int]] = None
    """The token's UTF-8 bytes, or ``None``."""
    extra: Dict[str, Any] = field(default_factory=dict)
    """Keys this class does not know, as parsed."""


@dataclass(frozen=True)
class ChoiceLogprobs(WireObject):
    """Log probabilities for the tokens of one delta; present when the request set ``logprobs``."""

    content: Optional[List[ChatCompletionTokenLogprob]] = None
    """One entry per content token in this delta."""
    extra: Dict[str, Any] = field(default_factory=dict)
    """Keys this class does not know, as parsed."""


# --- annotations and executed tools (compound models) ------------------------


@dataclass(frozen=True)
class AnnotationDocumentCitation(WireObject):
    """A citation of a document given in the request."""

    document_id: str
    """The cited document's ID."""
    end_index: int
    """End of the cited span in the content."""
    start_index: int
    """Start of the cited span in the content."""
    extra: Dict[str, Any] = field(default_factory=dict)
    """Keys this class does not know, as parsed."""


@dataclass(frozen=True)
class AnnotationFunctionCitation(WireObject):
    """A citation of a tool call's result."""

    end_index: int
    """End of the cited span in the content."""
    start_index: int
    """Start of the cited span in the content."""
    tool_call_id: str
    """The cited tool call's ID."""
    extra: Dict[str, Any] = field(default_factory=dict)
    """Keys this class does not know, as parsed."""


@dataclass(frozen=True)
class Annotation(WireObject):
    """A citation attached to the content."""

    type: str
    """``"document_citation"`` or ``"function_citation"`` today."""
    document_citation: Optional[AnnotationDocumentCitation] = None
    """Present when ``type`` is ``"document_citation"``."""
    function_citation: Optional[AnnotationFunctionCitation] = None
    """Present when ``type`` is ``"function_citation"``."""
    extra: Dict[str, Any] = field(default_factory=dict)
    """Keys this class does not know, as parsed."""


@dataclass(frozen=True)
class ExecutedToolBrowserResult(WireObject):
    """A page visited by a browser tool."""

    title: str
    """Page title."""
    url: str
    """Page URL."""
    content: Optional[str] = None
    """Page text, when sent."""
    live_view_url: Optional[str] = None
    """Live view URL, when sent."""
    extra: Dict[str, Any] = field(default_factory=dict)
    """Keys this class does not know, as parsed."""


@dataclass(frozen=True)
class ExecutedToolCodeResultChartElement(WireObject):
    """One element (bar, point, slice...) of a chart produced by code execution."""

    label: str
    """Element label."""
    angle: Optional[float] = None
    """Pie slice angle."""
    first_quartile: Optional[float] = None
    """Box plot first quartile."""
    group: Optional[str] = None
    """Group name."""
    max: Optional[float] = None
    """Box plot maximum."""
    median: Optional[float] = None
    """Box plot median."""
    min: Optional[float] = None
    """Box plot minimum."""
    outliers: Optional[List[float]] = None
    """Box plot outliers."""
    points: Optional[List[List[float]]] = None
    """Line or scatter points."""
    radius: Optional[float] = None
    """Pie radius."""
    third_quartile: Optional[float] = None
    """Box plot third quartile."""
    value: Optional[float] = None
    """Bar or slice value."""
    extra: Dict[str, Any] = field(default_factory=dict)
    """Keys this class does not know, as parsed."""


@dataclass(frozen=True)
class ExecutedToolCodeResultChart(WireObject):
    """A chart produced by code execution."""

    elements: List[ExecutedToolCodeResultChartElement]
    """The chart's elements."""
    type: str
    """``"bar"``, ``"box_and_whisker"``, ``"line"``, ``"pie"``, ``"scatter"``, ``"superchart"`` or ``"unknown"``."""
    title: Optional[str] = None
    """Chart title."""
    x_label: Optional[str] = None
    """X axis label."""
    x_scale: Optional[str] = None
    """X axis scale."""
    x_tick_labels: Optional[List[str]] = None
    """X tick labels."""
    x_ticks: Optional[List[float]] = None
    """X tick positions."""
    x_unit: Optional[str] = None
    """X axis unit."""
    y_label: Optional[str] = None
    """Y axis label."""
    y_scale: Optional[str] = None
    """Y axis scale."""
    y_tick_labels: Optional[List[str]] = None
    """Y tick labels."""
    y_ticks: Optional[List[float]] = None
    """Y tick positions."""
    y_unit: Optional[str] = None
    """Y axis unit."""
    extra: Dict[str, Any] = field(default_factory=dict)
    """Keys this class does not know, as parsed."""


@dataclass(frozen=True)
class ExecutedToolCodeResult(WireObject):
    """The result of running code."""

    chart: Optional[ExecutedToolCodeResultChart] = None
    """A chart, when one was drawn."""
    charts: Optional[List[ExecutedToolCodeResultChart]] = None
    """Several charts, when drawn."""
    png: Optional[str] = None
    """A base64 PNG image, when produced."""
    text: Optional[str] = None
    """Text output, when produced."""
    extra: Dict[str, Any] = field(default_factory=dict)
    """Keys this class does not know, as parsed."""


@dataclass(frozen=True)
class ExecutedToolSearchResultsResult(WireObject):
    """One web search hit."""

    content: Optional[str] = None
    """Text of the hit."""
    score: Optional[float] = None
    """Relevance score."""
    title: Optional[str] = None
    """Page title."""
    url: Optional[str] = None
    """Page URL."""
    extra: Dict[str, Any] = field(default_factory=dict)
    """Keys this class does not know, as parsed."""


@dataclass(frozen=True)
class ExecutedToolSearchResults(WireObject):
    """The results of a web search tool."""

    images: Optional[List[str]] = None
    """Image URLs, when returned."""
    results: Optional[List[ExecutedToolSearchResultsResult]] = None
    """The hits (may be empty while the search runs)."""
    extra: Dict[str, Any] = field(default_factory=dict)
    """Keys this class does not know, as parsed."""


@dataclass(frozen=True)
class ExecutedTool(WireObject):
    """A tool a compound model ran on the server.

    Groq sends it twice under the same ``index``: once when it starts, then
    again with its ``output``; the later one replaces the earlier.
    """

    arguments: str
    """The tool's arguments as a JSON string."""
    index: int
    """Position of the tool among those executed."""
    type: str
    """The tool kind, e.g. ``"search"``, ``"python"``, ``"browser"``."""
    browser_results: Optional[List[ExecutedToolBrowserResult]] = None
    """Pages visited, for browser tools."""
    code_results: Optional[List[ExecutedToolCodeResult]] = None
    """Code execution results, for code tools."""
    output: Optional[str] = None
    """The tool's output, once it has run."""
    search_results: Optional[ExecutedToolSearchResults] = None
    """Search hits, for search tools."""
    extra: Dict[str, Any] = field(default_factory=dict)
    """Keys this class does not know, as parsed."""


# --- the delta ----------------------------------------------------------------


@dataclass(frozen=True)
class ChoiceDeltaFunctionCall(WireObject):
    """Deprecated ``function_call`` fragment (replaced by ``tool_calls``)."""

    arguments: Optional[str] = None
    """A fragment of the JSON arguments."""
    name: Optional[str] = None
    """The function name, in the first fragment."""
    extra: Dict[str, Any] = field(default_factory=dict)
    """Keys this class does not know, as parsed."""


@dataclass(frozen=True)
class ChoiceDeltaToolCallFunction(WireObject):
    """The function part of a tool-call fragment."""

    arguments: Optional[str] = None
    """A fragment of the JSON arguments; fragments concatenate in order."""
    name: Optional[str] = None
    """The function name, in the tool call's first fragment."""
    extra: Dict[str, Any] = field(default_factory=dict)
    """Keys this class does not know, as parsed."""


@dataclass(frozen=True)
class ChoiceDeltaToolCall(WireObject):
    """A fragment of one tool call; fragments with the same ``index`` belong together."""

    index: int
    """Which tool call of the choice this fragment belongs to (need not start at 0)."""
    id: Optional[str] = None
    """The tool call ID, in its first fragment."""
    function: Optional[ChoiceDeltaToolCallFunction] = None
    """Function name and arguments fragment."""
    type: Optional[str] = None
    """``"function"``, in the first fragment."""
    extra: Dict[str, Any] = field(default_factory=dict)
    """Keys this class does not know, as parsed."""


@dataclass(frozen=True)
class ChoiceDelta(WireObject):
    """What one chunk adds to a choice's message. Every field is optional."""

    content: Optional[str] = None
    """A piece of the assistant text."""
    annotations: Optional[List[Annotation]] = None
    """Citations for the content (snapshots, re-sent as they grow)."""
    function_call: Optional[ChoiceDeltaFunctionCall] = None
    """Deprecated function call fragment."""
    reasoning: Optional[str] = None
    """A piece of the model's reasoning (reasoning models with ``reasoning_format: parsed``)."""
    role: Optional[str] = None
    """The author's role (see ``KnownRole``), usually only in the first chunk."""
    tool_calls: Optional[List[ChoiceDeltaToolCall]] = None
    """Tool call fragments."""
    executed_tools: Optional[List[ExecutedTool]] = None
    """Tools a compound model ran on the server (snapshots, see ``ExecutedTool``)."""
    extra: Dict[str, Any] = field(default_factory=dict)
    """Keys this class does not know, as parsed (e.g. gpt-oss's ``channel``)."""


@dataclass(frozen=True)
class Choice(WireObject):
    """One choice of a chunk (``n > 1`` gives several, told apart by ``index``)."""

    delta: ChoiceDelta
    """What this chunk adds to the choice's message."""
    index: int
    """Which choice this is."""
    finish_reason: Optional[str] = None
    """Why generation stopped (see ``KnownFinishReason``), in the choice's last chunk; ``None`` before."""
    logprobs: Optional[ChoiceLogprobs] = None
    """Token log probabilities, when requested."""
    extra: Dict[str, Any] = field(default_factory=dict)
    """Keys this class does not know, as parsed."""


# --- x_groq and the chunk -----------------------------------------------------


@dataclass(frozen=True)
class UsageBreakdownModel(WireObject):
    """Usage of one model within a compound request."""

    model: str
    """The model's name."""
    usage: CompletionUsage
    """Its usage."""
    extra: Dict[str, Any] = field(default_factory=dict)
    """Keys this class does not know, as parsed."""


@dataclass(frozen=True)
class UsageBreakdown(WireObject):
    """Per-model usage of a compound request."""

    models: List[UsageBreakdownModel]
    """One entry per model call."""
    extra: Dict[str, Any] = field(default_factory=dict)
    """Keys this class does not know, as parsed."""


@dataclass(frozen=True)
class XGroqDebug(WireObject):
    """Token-level debug output; present only when the request set ``debug``."""

    input_token_ids: Optional[List[int]] = None
    """Input token IDs."""
    input_tokens: Optional[List[str]] = None
    """Input tokens."""
    output_token_ids: Optional[List[int]] = None
    """Output token IDs."""
    output_tokens: Optional[List[str]] = None
    """Output tokens."""
    extra: Dict[str, Any] = field(default_factory=dict)
    """Keys this class does not know, as parsed."""


@dataclass(frozen=True)
class XGroq(WireObject):
    """Groq's own metadata, in the first and last chunks of a stream."""

    id: Optional[str] = None
    """Groq request ID for support, in the first and last chunk (absent on some compound streams)."""
    debug: Optional[XGroqDebug] = None
    """Debug output, when requested."""
    seed: Optional[int] = None
    """The seed used, in the first chunk."""
    usage: Optional[CompletionUsage] = None
    """Usage of the whole request, in the last chunk."""
    usage_breakdown: Optional[UsageBreakdown] = None
    """Per-model usage for compound models, in the last chunk."""
    error: Optional[str] = None
    """Why the stream stopped early; when set, the stream raises ``StreamAPIError`` after this chunk."""
    extra: Dict[str, Any] = field(default_factory=dict)
    """Keys this class does not know, as parsed."""


@dataclass(frozen=True)
class ChatCompletionChunk(WireObject):
    """One streamed chat-completion chunk (``"object": "chat.completion.chunk"``)."""

    id: str
    """The completion ID: usually the same on every chunk, but compound models change it (the last may be "stub")."""
    choices: List[Choice]
    """The choices this chunk updates; empty on the usage-only chunk ``include_usage`` adds."""
    created: int
    """Unix time the completion was created; may change during a compound stream."""
    model: str
    """The model that generated the completion."""
    object: str
    """Always ``"chat.completion.chunk"`` from Groq (not checked, for other servers' sake)."""
    system_fingerprint: Optional[str] = None
    """The backend configuration, when sent (``null`` on compound models)."""
    usage: Optional[CompletionUsage] = None
    """Usage of the whole request, on the last chunk when the request set ``stream_options.include_usage``
    (and on newer Groq models always); ``None`` elsewhere."""
    x_groq: Optional[XGroq] = None
    """Groq metadata, on the first and last chunks."""
    extra: Dict[str, Any] = field(default_factory=dict)
    """Keys this class does not know, as parsed (e.g. ``service_tier``)."""


# --- the final completion (non-streaming shape) ---------------------------------


@dataclass(frozen=True)
class ChatCompletionMessageToolCallFunction(WireObject):
    """The function a finished tool call names."""

    arguments: str
    """The complete JSON arguments, as the model wrote them (validate before use)."""
    name: str
    """The function name."""
    extra: Dict[str, Any] = field(default_factory=dict)
    """Keys this class does not know, as parsed."""


@dataclass(frozen=True)
class ChatCompletionMessageToolCall(WireObject):
    """A finished tool call."""

    id: str
    """The tool call ID (``""`` if the server never sent one)."""
    function: ChatCompletionMessageToolCallFunction
    """Name and complete arguments."""
    type: str
    """``"function"``."""
    extra: Dict[str, Any] = field(default_factory=dict)
    """Keys this class does not know, as parsed."""


@dataclass(frozen=True)
class FunctionCall(WireObject):
    """A finished deprecated ``function_call``."""

    arguments: str
    """The complete JSON arguments."""
    name: str
    """The function name."""
    extra: Dict[str, Any] = field(default_factory=dict)
    """Keys this class does not know, as parsed."""


@dataclass(frozen=True)
class ChatCompletionMessage(WireObject):
    """The assistant message of a finished choice."""

    role: str
    """``"assistant"``."""
    content: Optional[str] = None
    """The text; ``None`` when the model sent none (e.g. only tool calls)."""
    reasoning: Optional[str] = None
    """The reasoning text, for reasoning models with ``reasoning_format: parsed``; else ``None``."""
    tool_calls: Optional[List[ChatCompletionMessageToolCall]] = None
    """Tool calls the model made, in index order; ``None`` when there were none."""
    executed_tools: Optional[List[ExecutedTool]] = None
    """Tools a compound model ran on the server, latest state of each; ``None`` when none."""
    annotations: Optional[List[Annotation]] = None
    """Citations for the content; ``None`` when none."""
    function_call: Optional[FunctionCall] = None
    """Deprecated function call, when the model made one."""
    extra: Dict[str, Any] = field(default_factory=dict)
    """Keys this class does not know (when accumulated: the last value of each unknown delta key, e.g. ``channel``)."""

    _always: ClassVar[Tuple[str, ...]] = ("content",)


@dataclass(frozen=True)
class ChatCompletionChoice(WireObject):
    """One finished choice."""

    index: int
    """Which choice this is."""
    message: ChatCompletionMessage
    """The assistant message."""
    logprobs: Optional[ChoiceLogprobs] = None
    """Token log probabilities, when requested."""
    finish_reason: Optional[str] = None
    """Why generation stopped; ``None`` only in a partial completion (the stream broke off)."""
    extra: Dict[str, Any] = field(default_factory=dict)
    """Keys this class does not know, as parsed."""

    _always: ClassVar[Tuple[str, ...]] = ("logprobs", "finish_reason")


@dataclass(frozen=True)
class ChatCompletion(WireObject):
    """A finished chat completion (``"object": "chat.completion"``), as a non-streaming call returns it."""

    id: str
    """The completion ID (when accumulated: the first chunk's)."""
    object: str
    """``"chat.completion"``."""
    created: int
    """Unix time the completion was created (when accumulated: the first chunk's)."""
    model: str
    """The model that generated the completion."""
    choices: List[ChatCompletionChoice]
    """The choices, in index order."""
    usage: Optional[CompletionUsage] = None
    """Token usage; ``None`` when the stream never reported it."""
    system_fingerprint: Optional[str] = None
    """The backend configuration, when sent."""
    x_groq: Optional[XGroq] = None
    """Groq metadata (when accumulated: merged across chunks)."""
    service_tier: Optional[str] = None
    """The service tier, when the server reports it."""
    extra: Dict[str, Any] = field(default_factory=dict)
    """Keys this class does not know, as parsed."""

    _always: ClassVar[Tuple[str, ...]] = ("system_fingerprint",)


# --- deriving the decoders ----------------------------------------------------

_SCALARS: Dict[str, Tuple[type, ...]] = {"str": _STR, "int": _INT, "float": _NUMBER}
_SCALAR_CONVERTERS: Dict[Tuple[type, ...], _Convert] = {_STR: _str, _INT: _int, _NUMBER: _number}


def _shape(annotation: str) -> Tuple[str, Any]:
    """What a field annotation such as ``Optional[List[Choice]]`` holds (``Optional`` only means "may be null").

    ``("scalar", types)``; ``("scalars", types)`` for a list of scalars;
    ``("object", cls)``; ``("objects", cls)`` for a list of objects; or
    ``("list", item_annotation)`` for any other list (a list of lists).
    """
    if annotation.startswith("Optional[") and annotation.endswith("]"):
        annotation = annotation[len("Optional[") : -1]
    if annotation in _SCALARS:
        return "scalar", _SCALARS[annotation]
    if annotation.startswith("List[") and annotation.endswith("]"):
        item = annotation[len("List[") : -1]
        kind, what = _shape(item)
        if kind in ("scalar", "object"):
            return kind + "s", what
        return "list", item
    target = globals()[annotation]
    if not (isinstance(target, type) and issubclass(target, WireObject)):  # pragma: no cover - a bug in this module
        raise TypeError(f"no decoder for annotation {annotation!r}")
    return "object", target


def _converter(annotation: str) -> _Convert:
    """The converter of one field: it checks (and for objects, decodes) a non-null value or raises ``_Invalid``."""
    kind, what = _shape(annotation)
    if kind == "scalar":
        return _SCALAR_CONVERTERS[what]
    if kind == "scalars":
        return _list_of(_SCALAR_CONVERTERS[what], what)
    if kind == "object":
        return what._decode  # type: ignore[no-any-return]
    return _list_of(what._decode if kind == "objects" else _converter(what))


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


def _decoder_source(
    cls: Type[WireObject], wire_fields: List[dataclasses.Field[Any]], shapes: List[Tuple[str, Any]]
) -> str:
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
    decodes: List[str] = []  # statements after it
    optional: List[str] = []  # the variables of the optional fields
    for i, (f, (kind, what)) in enumerate(zip(wire_fields, shapes)):
        key, v, required = repr(f.name), f"v{i}", f.name in cls._required
        checks.append(f"{v} = data[{key}]" if required else f"{v} = data.get({key})")
        checks += _check_source(v, kind, what, required)
        if not required:
            optional.append(v)
        if kind not in ("scalar", "scalars"):
            body = _decode_source(v, key, kind, i)
            decodes += body if required else [f"if {v} is not None:", *[f"    {line}" for line in body]]
    keys_first, keys_after = _known_keys_source(len(wire_fields) - len(optional), optional)
    return "\n".join(
        [
            "def decode(data):",
            f"    if type(data) is not dict{keys_first}:",
            "        return general(data)",
            "    try:",
            *[f"        {line}" for line in checks],
            "    except KeyError:  # a required key is missing",
            "        return general(data)",
            *[f"    {line}" for line in keys_after],
            "    # Every check passed: decode the nested values, in field order as _decode_general does.",
            *[f"    {line}" for line in decodes],
            "    obj = new(cls)",
            "    set_dict(obj, data)",
            "    return obj",
            "",
        ]
    )


def _known_keys_source(required: int, optional: List[str]) -> Tuple[str, List[str]]:
    """How a decoder makes sure every key is a field's: a condition for its first line, or lines after the checks.

    The set check (``only_known``) is a C call that walks the dict. With at
    most one optional field a count is enough and costs a fraction of it:
    once the checks have found every required key, the dict holds no other
    key when its size is the required count, plus one for a non-null optional
    value. A size that differs (an unknown key, or an optional key that is
    null) falls back to the set check.
    """
    if len(optional) > 1:
        return " or not only_known(data)", []
    expected = f"({required} if {optional[0]} is None else {required + 1})" if optional else str(required)
    return "", [f"if len(data) != {expected} and not only_known(data):", "    return general(data)"]


def _compile(cls: Type[WireObject], done: Set[type]) -> None:
    """Give *cls* its converters, required keys and decoder, from its dataclass fields (its field types' first)."""
    if cls in done:
        return
    done.add(cls)
    wire_fields = [f for f in dataclasses.fields(cls) if f.name != "extra"]  # type: ignore[arg-type]
    shapes = [_shape(str(f.type)) for f in wire_fields]
    for kind, what in shapes:
        if kind in ("object", "objects"):
            _compile(what, done)
    cls._convert = {f.name: _converter(str(f.type)) for f in wire_fields}
    cls._known = frozenset(cls._convert)
    cls._nested_keys = tuple(f.name for f, (kind, _) in zip(wire_fields, shapes) if kind != "scalar")
    cls._required = tuple(
        f.name for f in wire_fields if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    )
    namespace: Dict[str, Any] = {
        "only_known": cls._known.issuperset,  # quicker than data.keys() <= known
        "general": cls._decode_general,
        "new": _new,
        "set_dict": _set_dict,
        "cls": cls,
        "Invalid": _Invalid,
    }
    for i, (f, (kind, what)) in enumerate(zip(wire_fields, shapes)):
        namespace[f"convert_{i}"] = cls._convert[f.name]
        if kind in ("object", "objects"):
            namespace[f"decode_{i}"] = what._decode
    code = compile(_decoder_source(cls, wire_fields, shapes), f"<groqstream decoder for {cls.__name__}>", "exec")
    exec(code, namespace)
    cls._decode = staticmethod(namespace["decode"])
    cls.extra = _NO_EXTRA  # see _NoExtra


def _compile_all() -> None:
    done: Set[type] = set()
    for name in __all__:
        cls = globals()[name]
        if isinstance(cls, type) and issubclass(cls, WireObject):
            _compile(cls, done)


_compile_all()
