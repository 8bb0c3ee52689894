"""Wire objects of the Responses API stream (``POST /v1/responses`` with ``"stream": true``).

The classes mirror openai-python's ``openai.types.responses``: every type of
its ``ResponseStreamEvent`` union by its wire name (``ResponseTextDeltaEvent``
is ``response.output_text.delta``), the final ``Response``, its output items
(messages, function/custom/MCP tool calls, reasoning, web and file search,
image generation, code interpreter, shell, computer calls, ...), their content
parts, annotations, usage, error and incomplete details. Same class names,
field names and JSON keys as the SDK, so code written for it reads the same.

Contract:

* Every event has ``.type`` and ``.sequence_number`` (``None`` when the server
  sent none). Every field but ``type`` is optional (``None`` when absent): the
  servers that speak this API (OpenAI, Azure, xAI, DeepSeek, Bedrock, LM
  Studio, OpenRouter, Copilot, vLLM, Ollama, ...) leave out different keys,
  and the accumulator (``core/responses.py``) says what it does without them.
* ``to_dict()`` returns the JSON object exactly as received: same keys, same
  order, explicit nulls; unknown keys are in ``extra``, never dropped.
* An event, output item, content part or annotation whose ``type`` no class
  here knows is read as the base class (``ResponseStreamEvent``,
  ``ResponseOutputItem``, ``ResponseContentPart``, ``ResponseAnnotation``) with
  the same attributes: servers add types often, so none is refused.
* A value of the wrong JSON type (a string where an integer belongs, an object
  where an array does) raises ``ChunkDecodeError`` naming its path.
* Deep structures the SDK types in many small classes but no stream rule
  looks into (a web search's ``action``, a file search's ``results``, tool
  definitions, the request's ``reasoning`` or ``text`` settings) are kept as
  parsed JSON, typed ``Any``.

How decoding works, in one paragraph: each class's fields and their
annotations (real objects: this module does not postpone annotations, and
declares every class before it is used) are read once, the first time the
class decodes, into a table of small checking functions, kept in a module
dictionary, not on the class. Decoding a JSON object walks its keys in order:
a known key's value is checked (or decoded, for a nested object, chosen by its
``type`` when the field's class has subclasses), an unknown one goes to
``extra``; the resulting dict becomes the instance's ``__dict__``. Nothing is
generated, compiled or cached on the classes.
"""

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Literal, Optional, Tuple, Type, TypeVar, Union

from .wire import (
    NO_EXTRA,
    Deviation,
    WireObject,
    _dump,
    _expected,
    _int,
    _Invalid,
    _json_object,
    _list_of,
    _number,
    _str,
    copy_json,
    invalid_to_error,
)

__all__ = [
    "RESPONSE_EVENT_TYPES",
    "Response",
    "ResponseAnnotation",
    "ResponseApplyPatchToolCall",
    "ResponseApplyPatchToolCallOutput",
    "ResponseCodeInterpreterToolCall",
    "ResponseCompactionItem",
    "ResponseComputerToolCall",
    "ResponseComputerToolCallOutputItem",
    "ResponseContentPart",
    "ResponseCustomToolCall",
    "ResponseCustomToolCallOutputItem",
    "ResponseError",
    "ResponseFileCitation",
    "ResponseFileSearchToolCall",
    "ResponseFunctionShellToolCall",
    "ResponseFunctionShellToolCallOutput",
    "ResponseFunctionToolCall",
    "ResponseFunctionToolCallOutputItem",
    "ResponseFunctionWebSearch",
    "ResponseImageGenerationCall",
    "ResponseIncompleteDetails",
    "ResponseLocalShellCall",
    "ResponseLocalShellCallOutput",
    "ResponseMcpApprovalRequest",
    "ResponseMcpApprovalResponse",
    "ResponseMcpCall",
    "ResponseMcpListTools",
    "ResponseOutputItem",
    "ResponseOutputMessage",
    "ResponseOutputRefusal",
    "ResponseOutputText",
    "ResponseReasoningItem",
    "ResponseReasoningText",
    "ResponseStreamEvent",
    "ResponseSummaryText",
    "ResponseToolSearchCall",
    "ResponseToolSearchOutputItem",
    "ResponseURLCitation",
    "ResponseUsage",
    # the events
    "ResponseAudioDeltaEvent",
    "ResponseAudioDoneEvent",
    "ResponseAudioTranscriptDeltaEvent",
    "ResponseAudioTranscriptDoneEvent",
    "ResponseCodeInterpreterCallCodeDeltaEvent",
    "ResponseCodeInterpreterCallCodeDoneEvent",
    "ResponseCodeInterpreterCallCompletedEvent",
    "ResponseCodeInterpreterCallInProgressEvent",
    "ResponseCodeInterpreterCallInterpretingEvent",
    "ResponseCompactionCompactingEvent",
    "ResponseCompletedEvent",
    "ResponseContentPartAddedEvent",
    "ResponseContentPartDoneEvent",
    "ResponseCreatedEvent",
    "ResponseCustomToolCallInputDeltaEvent",
    "ResponseCustomToolCallInputDoneEvent",
    "ResponseErrorEvent",
    "ResponseFailedEvent",
    "ResponseFileSearchCallCompletedEvent",
    "ResponseFileSearchCallInProgressEvent",
    "ResponseFileSearchCallSearchingEvent",
    "ResponseFunctionCallArgumentsDeltaEvent",
    "ResponseFunctionCallArgumentsDoneEvent",
    "ResponseImageGenCallCompletedEvent",
    "ResponseImageGenCallGeneratingEvent",
    "ResponseImageGenCallInProgressEvent",
    "ResponseImageGenCallPartialImageEvent",
    "ResponseInProgressEvent",
    "ResponseIncompleteEvent",
    "ResponseMcpCallArgumentsDeltaEvent",
    "ResponseMcpCallArgumentsDoneEvent",
    "ResponseMcpCallCompletedEvent",
    "ResponseMcpCallFailedEvent",
    "ResponseMcpCallInProgressEvent",
    "ResponseMcpListToolsCompletedEvent",
    "ResponseMcpListToolsFailedEvent",
    "ResponseMcpListToolsInProgressEvent",
    "ResponseOutputItemAddedEvent",
    "ResponseOutputItemDoneEvent",
    "ResponseOutputTextAnnotationAddedEvent",
    "ResponseQueuedEvent",
    "ResponseReasoningSummaryPartAddedEvent",
    "ResponseReasoningSummaryPartDoneEvent",
    "ResponseReasoningSummaryTextDeltaEvent",
    "ResponseReasoningSummaryTextDoneEvent",
    "ResponseReasoningTextDeltaEvent",
    "ResponseReasoningTextDoneEvent",
    "ResponseRefusalDeltaEvent",
    "ResponseRefusalDoneEvent",
    "ResponseShellCallCommandAddedEvent",
    "ResponseShellCallCommandDeltaEvent",
    "ResponseShellCallCommandDoneEvent",
    "ResponseShellCallOutputContentDeltaEvent",
    "ResponseShellCallOutputContentDoneEvent",
    "ResponseTextDeltaEvent",
    "ResponseTextDoneEvent",
    "ResponseWebSearchCallCompletedEvent",
    "ResponseWebSearchCallInProgressEvent",
    "ResponseWebSearchCallSearchingEvent",
]

_R = TypeVar("_R", bound="ResponseObject")


# --- the checking functions a field's annotation becomes ------------------------------


def _bool(value: Any) -> Any:
    if type(value) is bool:
        return value
    raise _expected("a boolean", value)


def _array(value: Any) -> Any:
    if type(value) is list:
        return value
    raise _expected("an array", value)


def _any(value: Any) -> Any:
    return value


_SCALARS: Dict[Any, Callable[[Any], Any]] = {str: _str, int: _int, float: _number, bool: _bool, Any: _any}


def _nested(cls: "Type[ResponseObject]") -> Callable[[Any], Any]:
    """The converter of an object field of class *cls* (its subclass chosen by ``type``, when it has some)."""

    def convert(value: Any) -> Any:
        return _decode(_choose(cls, value), value)

    return convert


def _converter(annotation: Any) -> Tuple[Callable[[Any], Any], bool]:
    """The checking function of an annotation, and whether it holds JSON to copy (not wire objects)."""
    origin = getattr(annotation, "__origin__", None)
    if origin is Union:  # Optional[X]: null is handled before the converter is called
        inner = [arg for arg in annotation.__args__ if arg is not type(None)]
        if len(inner) == 1:
            return _converter(inner[0])
        base = _union_base(inner)
        return (_nested(base), False) if base is not None else (_any, True)
    if origin is Literal:  # a subclass's own "type": which class reads a value is chosen by it (_choose)
        return _str, False
    if annotation in _SCALARS:
        return _SCALARS[annotation], annotation is Any
    if origin is list:
        (item,) = annotation.__args__
        if getattr(item, "__origin__", None) is Union:
            base = _union_base(list(item.__args__))
            if base is not None:
                return _list_of(_nested(base)), False
        if isinstance(item, type) and issubclass(item, ResponseObject):
            return _list_of(_nested(item)), False
        if item in _SCALARS and item is not Any:
            return _list_of(_SCALARS[item]), True
        return _array, True
    if origin is dict:
        return _json_object, True
    if isinstance(annotation, type) and issubclass(annotation, ResponseObject):
        return _nested(annotation), False
    raise TypeError(f"no converter for {annotation!r}")  # pragma: no cover - a declaration error


def _union_base(members: List[Any]) -> Any:
    """The base class of a union of wire classes (``AnyOutputItem``...): its last member, or ``None``.

    Such a union lists every subclass for pydantic, which validates into the
    first member that fits; this decoder reads the base, whose subclass the
    value's ``type`` chooses (``_choose``), so both give the same class.
    """
    base = members[-1]
    if isinstance(base, type) and issubclass(base, ResponseObject):
        if all(isinstance(m, type) and issubclass(m, base) for m in members):
            return base
    return None


class _Plan:
    """What decoding one class needs: each JSON key's converter, and which hold plain JSON."""

    __slots__ = ("convert", "json_keys", "required")

    def __init__(self, cls: type) -> None:
        self.convert: Dict[str, Callable[[Any], Any]] = {}
        self.json_keys: set = set()  # type: ignore[type-arg]
        self.required: Tuple[str, ...] = ()
        for f in dataclasses.fields(cls):
            if f.name == "extra":
                continue
            convert, is_json = _converter(f.type)
            self.convert[f.name] = convert
            if is_json:
                self.json_keys.add(f.name)
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                self.required += (f.name,)


_PLANS: Dict[type, _Plan] = {}  # per class, made on its first decode (off the class: see the module docstring)
_REGISTRIES: Dict[type, Dict[str, type]] = {}  # per polymorphic base: wire type -> class


def _plan(cls: type) -> _Plan:
    plan = _PLANS.get(cls)
    if plan is None:
        plan = _PLANS[cls] = _Plan(cls)
    return plan


def _registry(base: type) -> Dict[str, type]:
    """The subclasses of *base* by the wire ``type`` they declare as their ``type`` field's default."""
    registry = _REGISTRIES.get(base)
    if registry is None:
        registry = {}
        pending: List[type] = list(base.__subclasses__())
        while pending:
            sub = pending.pop()
            pending += sub.__subclasses__()
            default = dataclasses.fields(sub)[0].default  # ``type``: every class's first field
            if isinstance(default, str):
                registry.setdefault(default, sub)
        _REGISTRIES[base] = registry
    return registry


def _choose(cls: type, value: Any) -> type:
    """The class to decode *value* as: *cls*, or the subclass its ``type`` names when *cls* is polymorphic."""
    if cls in _POLYMORPHIC and type(value) is dict:
        kind = value.get("type")
        if type(kind) is str:
            return _registry(cls).get(kind, cls)
    return cls


def _decode(cls: type, data: Any) -> Any:
    """Decode the JSON object *data* as an instance of *cls* (which it becomes the ``__dict__`` of)."""
    if type(data) is not dict:
        raise _expected("an object", data)
    plan = _plan(cls)
    convert = plan.convert
    values: Dict[str, Any] = {}
    extra: Optional[Dict[str, Any]] = None
    for key, value in data.items():
        converter = convert.get(key)
        if converter is None:
            if extra is None:
                extra = {}
            extra[key] = value
        elif value is None:
            values[key] = None
        else:
            try:
                values[key] = converter(value)
            except _Invalid as exc:
                exc.path.append(key)
                raise
    for name in plan.required:
        if values.get(name) is None:
            missing = _Invalid("null; expected a value" if name in values else "absent; this key is required")
            missing.path.append(name)
            raise missing
    if extra is not None:
        values["extra"] = extra
        values["_present"] = tuple(data)
    obj: Any = object.__new__(cls)
    object.__setattr__(obj, "__dict__", values)
    return obj


class ResponseObject(WireObject):
    """Base of the Responses wire classes: ``from_dict``, ``to_dict`` (exact round trip) and ``extra``."""

    @classmethod
    def from_dict(
        cls: Type[_R], data: Dict[str, Any], *, strict: bool = True, deviations: Optional[List[Deviation]] = None
    ) -> _R:
        """Build an instance from a parsed JSON object, checking every known key's JSON type.

        Args:
            data: the object, as ``json.loads`` returns it. It is not modified.
            strict, deviations: accepted for symmetry with the chat classes;
                the Responses classes read the same either way (every field
                but ``type`` is optional), so nothing is recorded.

        Returns:
            The typed instance (a subclass chosen by ``type`` when *cls* is a
            polymorphic base such as ``ResponseStreamEvent``); ``to_dict()`` on
            it returns an equal object.

        Raises:
            ChunkDecodeError: a value has the wrong JSON type, or ``type`` is
                missing; ``path`` says where.
        """
        try:
            obj: _R = _decode(_choose(cls, data), copy_json(data))
        except _Invalid as exc:
            raise invalid_to_error(exc, cls.__name__) from None
        return obj

    def to_dict(self) -> Dict[str, Any]:
        """Return the JSON object this instance stands for (always a fresh copy).

        Returns:
            For a decoded instance: an object equal to the one received, keys in
            the same order, explicit nulls and unknown keys kept. For a
            constructed one: ``type``, the other fields that are not ``None``,
            then ``extra``.
        """
        own = self.__dict__
        plan = _plan(type(self))
        json_keys = plan.json_keys
        if own.get("_constructed"):
            keys: Any = [name for name in plan.convert if name in plan.required or own.get(name) is not None]
            keys += list(self.extra)
        else:
            keys = own.get("_present") or [key for key in own if key != "extra"]
        out: Dict[str, Any] = {}
        for key in keys:
            if key not in plan.convert:
                out[key] = copy_json(self.extra[key])
            elif key in json_keys:
                out[key] = copy_json(own[key])
            else:
                out[key] = _dump(own[key])
        return out

    def __repr__(self) -> str:
        """``Name(field=value, ...)``: ``type`` and the fields that are set (not ``None``; ``extra`` when not empty)."""
        parts = []
        own: Any = self  # every subclass is a dataclass; this base is not
        for f in dataclasses.fields(own):
            value = getattr(self, f.name)
            if f.name == "type" or not (value is None or (f.name == "extra" and not value)):
                parts.append(f"{f.name}={value!r}")
        return f"{type(self).__name__}({', '.join(parts)})"


ResponseObject.extra = NO_EXTRA  # decoded objects without unknown keys share it


def decode_event(data: Any) -> "ResponseStreamEvent":
    """Decode one parsed event object (the stream decoder's hot path: no copy, the object is taken over).

    Raises:
        ChunkDecodeError: the object is not an event (no string ``type``) or a value has the wrong JSON type.
    """
    try:
        event: ResponseStreamEvent = _decode(_choose(ResponseStreamEvent, data), data)
    except _Invalid as exc:
        raise invalid_to_error(exc, "ResponseStreamEvent") from None
    return event


# --- content parts and annotations ------------------------------------------------------------


@dataclass(frozen=True, repr=False)
class ResponseAnnotation(ResponseObject):
    """A citation on output text; the base class reads any annotation type not known here."""

    type: str
    """``"url_citation"``, ``"file_citation"``, ``"container_file_citation"``, ``"file_path"``, ..."""
    extra: Dict[str, Any] = field(default_factory=dict)
    """Keys this class does not know, as parsed."""


@dataclass(frozen=True, repr=False)
class ResponseURLCitation(ResponseAnnotation):
    """A web page cited in the text, between ``start_index`` and ``end_index``."""

    type: Literal["url_citation"] = "url_citation"
    url: Optional[str] = None
    title: Optional[str] = None
    start_index: Optional[int] = None
    end_index: Optional[int] = None


@dataclass(frozen=True, repr=False)
class ResponseFileCitation(ResponseAnnotation):
    """A file cited in the text (file search)."""

    type: Literal["file_citation"] = "file_citation"
    file_id: Optional[str] = None
    filename: Optional[str] = None
    index: Optional[int] = None


AnyAnnotation = Union[
    ResponseURLCitation,
    ResponseFileCitation,
    ResponseAnnotation,
]
"""Every annotation class, the base last (for an unknown ``type``).

A field of such a union holds the class its ``type`` names: pydantic picks it by the subclasses'
``Literal`` ``type``, this module's decoder by ``_choose``; an unknown ``type`` falls back to the base.
"""


@dataclass(frozen=True, repr=False)
class ResponseContentPart(ResponseObject):
    """A part of a message's or reasoning item's content; the base class reads any part type not known here."""

    type: str
    """``"output_text"``, ``"refusal"``, ``"reasoning_text"``, ``"summary_text"``, ..."""
    extra: Dict[str, Any] = field(default_factory=dict)
    """Keys this class does not know, as parsed."""


@dataclass(frozen=True, repr=False)
class ResponseOutputText(ResponseContentPart):
    """Text the model wrote (``output_text``), with its citations and, when asked for, log probabilities."""

    type: Literal["output_text"] = "output_text"
    text: Optional[str] = None
    annotations: Optional[List[AnyAnnotation]] = None
    logprobs: Optional[List[Any]] = None
    """Log probabilities as sent (token, logprob, bytes, top_logprobs), when the request asked for them."""


@dataclass(frozen=True, repr=False)
class ResponseOutputRefusal(ResponseContentPart):
    """The model refused; ``refusal`` says why."""

    type: Literal["refusal"] = "refusal"
    refusal: Optional[str] = None


@dataclass(frozen=True, repr=False)
class ResponseReasoningText(ResponseContentPart):
    """Raw reasoning text (``reasoning_text``: gpt-oss, DeepSeek, LM Studio), in a reasoning item's ``content``."""

    type: Literal["reasoning_text"] = "reasoning_text"
    text: Optional[str] = None


@dataclass(frozen=True, repr=False)
class ResponseSummaryText(ResponseContentPart):
    """A reasoning summary (``summary_text``), in a reasoning item's ``summary``."""

    type: Literal["summary_text"] = "summary_text"
    text: Optional[str] = None


AnyContentPart = Union[
    ResponseOutputText,
    ResponseOutputRefusal,
    ResponseReasoningText,
    ResponseSummaryText,
    ResponseContentPart,
]
"""Every content part class, the base last (for an unknown ``type``)."""


# --- output items ---------------------------------------------------------------------------


@dataclass(frozen=True, repr=False)
class ResponseOutputItem(ResponseObject):
    """One item of a response's ``output``; the base class reads any item type not known here."""

    type: str
    """``"message"``, ``"function_call"``, ``"reasoning"``, ``"web_search_call"``, ..."""
    id: Optional[str] = None
    """The item's id (some servers rotate it on every event: the stream keys items by ``output_index``)."""
    extra: Dict[str, Any] = field(default_factory=dict)
    """Keys this class does not know, as parsed."""


@dataclass(frozen=True, repr=False)
class ResponseOutputMessage(ResponseOutputItem):
    """An assistant message: ``content`` holds ``output_text`` and ``refusal`` parts."""

    type: Literal["message"] = "message"
    role: Optional[str] = None
    status: Optional[str] = None
    content: Optional[List[AnyContentPart]] = None
    phase: Optional[str] = None


@dataclass(frozen=True, repr=False)
class ResponseFunctionToolCall(ResponseOutputItem):
    """A call of a function tool: ``name`` and its JSON ``arguments``; answer it by ``call_id``."""

    type: Literal["function_call"] = "function_call"
    call_id: Optional[str] = None
    name: Optional[str] = None
    arguments: Optional[str] = None
    status: Optional[str] = None
    namespace: Optional[str] = None
    caller: Any = None


@dataclass(frozen=True, repr=False)
class ResponseFunctionToolCallOutputItem(ResponseOutputItem):
    """A function call's output, as the response lists it."""

    type: Literal["function_call_output"] = "function_call_output"
    call_id: Optional[str] = None
    output: Any = None
    status: Optional[str] = None


@dataclass(frozen=True, repr=False)
class ResponseCustomToolCall(ResponseOutputItem):
    """A call of a custom (free-form input) tool: ``name`` and its ``input`` text."""

    type: Literal["custom_tool_call"] = "custom_tool_call"
    call_id: Optional[str] = None
    name: Optional[str] = None
    input: Optional[str] = None
    status: Optional[str] = None
    namespace: Optional[str] = None
    caller: Any = None


@dataclass(frozen=True, repr=False)
class ResponseCustomToolCallOutputItem(ResponseOutputItem):
    """A custom tool call's output."""

    type: Literal["custom_tool_call_output"] = "custom_tool_call_output"
    call_id: Optional[str] = None
    output: Any = None
    status: Optional[str] = None


@dataclass(frozen=True, repr=False)
class ResponseReasoningItem(ResponseOutputItem):
    """Reasoning: ``summary`` parts (``summary_text``), raw ``content`` (``reasoning_text``), encrypted content."""

    type: Literal["reasoning"] = "reasoning"
    summary: Optional[List[AnyContentPart]] = None
    content: Optional[List[AnyContentPart]] = None
    encrypted_content: Optional[str] = None
    status: Optional[str] = None


@dataclass(frozen=True, repr=False)
class ResponseFunctionWebSearch(ResponseOutputItem):
    """A web search the server ran; ``action`` (search, open page, find) as sent."""

    type: Literal["web_search_call"] = "web_search_call"
    status: Optional[str] = None
    action: Any = None


@dataclass(frozen=True, repr=False)
class ResponseFileSearchToolCall(ResponseOutputItem):
    """A file search the server ran: its ``queries`` and, when included, ``results`` as sent."""

    type: Literal["file_search_call"] = "file_search_call"
    status: Optional[str] = None
    queries: Optional[List[str]] = None
    results: Optional[List[Any]] = None


@dataclass(frozen=True, repr=False)
class ResponseComputerToolCall(ResponseOutputItem):
    """A computer-use action to perform (``action``/``actions`` as sent)."""

    type: Literal["computer_call"] = "computer_call"
    call_id: Optional[str] = None
    status: Optional[str] = None
    action: Any = None
    actions: Optional[List[Any]] = None
    pending_safety_checks: Optional[List[Any]] = None


@dataclass(frozen=True, repr=False)
class ResponseComputerToolCallOutputItem(ResponseOutputItem):
    """A computer call's output (a screenshot)."""

    type: Literal["computer_call_output"] = "computer_call_output"
    call_id: Optional[str] = None
    status: Optional[str] = None
    output: Any = None


@dataclass(frozen=True, repr=False)
class ResponseImageGenerationCall(ResponseOutputItem):
    """An image generation the server ran: ``result`` is the base64 image once done."""

    type: Literal["image_generation_call"] = "image_generation_call"
    status: Optional[str] = None
    result: Optional[str] = None
    revised_prompt: Optional[str] = None
    background: Optional[str] = None
    output_format: Optional[str] = None
    quality: Optional[str] = None
    size: Optional[str] = None
    action: Optional[str] = None


@dataclass(frozen=True, repr=False)
class ResponseCodeInterpreterToolCall(ResponseOutputItem):
    """Code the server ran in a container: ``code`` and its ``outputs`` (logs, images) as sent."""

    type: Literal["code_interpreter_call"] = "code_interpreter_call"
    status: Optional[str] = None
    code: Optional[str] = None
    container_id: Optional[str] = None
    outputs: Optional[List[Any]] = None


@dataclass(frozen=True, repr=False)
class ResponseLocalShellCall(ResponseOutputItem):
    """A command to run on the local shell (``action`` as sent)."""

    type: Literal["local_shell_call"] = "local_shell_call"
    call_id: Optional[str] = None
    status: Optional[str] = None
    action: Any = None


@dataclass(frozen=True, repr=False)
class ResponseLocalShellCallOutput(ResponseOutputItem):
    """A local shell call's output."""

    type: Literal["local_shell_call_output"] = "local_shell_call_output"
    output: Optional[str] = None
    status: Optional[str] = None


@dataclass(frozen=True, repr=False)
class ResponseFunctionShellToolCall(ResponseOutputItem):
    """A call of the shell tool (``action`` with its commands, as sent)."""

    type: Literal["shell_call"] = "shell_call"
    call_id: Optional[str] = None
    status: Optional[str] = None
    action: Any = None
    environment: Any = None


@dataclass(frozen=True, repr=False)
class ResponseFunctionShellToolCallOutput(ResponseOutputItem):
    """A shell call's output."""

    type: Literal["shell_call_output"] = "shell_call_output"
    call_id: Optional[str] = None
    status: Optional[str] = None
    output: Optional[List[Any]] = None
    max_output_length: Optional[int] = None


@dataclass(frozen=True, repr=False)
class ResponseApplyPatchToolCall(ResponseOutputItem):
    """A file patch to apply (``operation`` as sent)."""

    type: Literal["apply_patch_call"] = "apply_patch_call"
    call_id: Optional[str] = None
    status: Optional[str] = None
    operation: Any = None


@dataclass(frozen=True, repr=False)
class ResponseApplyPatchToolCallOutput(ResponseOutputItem):
    """An apply-patch call's output."""

    type: Literal["apply_patch_call_output"] = "apply_patch_call_output"
    call_id: Optional[str] = None
    status: Optional[str] = None
    output: Optional[str] = None


@dataclass(frozen=True, repr=False)
class ResponseMcpCall(ResponseOutputItem):
    """A call of a tool on a remote MCP server: ``name``, JSON ``arguments``, then ``output`` or ``error``."""

    type: Literal["mcp_call"] = "mcp_call"
    server_label: Optional[str] = None
    name: Optional[str] = None
    arguments: Optional[str] = None
    output: Optional[str] = None
    error: Any = None
    status: Optional[str] = None
    approval_request_id: Optional[str] = None


@dataclass(frozen=True, repr=False)
class ResponseMcpListTools(ResponseOutputItem):
    """The tools an MCP server offers (``tools`` as sent)."""

    type: Literal["mcp_list_tools"] = "mcp_list_tools"
    server_label: Optional[str] = None
    tools: Optional[List[Any]] = None
    error: Optional[str] = None


@dataclass(frozen=True, repr=False)
class ResponseMcpApprovalRequest(ResponseOutputItem):
    """The model asks for approval to call an MCP tool."""

    type: Literal["mcp_approval_request"] = "mcp_approval_request"
    server_label: Optional[str] = None
    name: Optional[str] = None
    arguments: Optional[str] = None


@dataclass(frozen=True, repr=False)
class ResponseMcpApprovalResponse(ResponseOutputItem):
    """An answer to an MCP approval request."""

    type: Literal["mcp_approval_response"] = "mcp_approval_response"
    approval_request_id: Optional[str] = None
    approve: Optional[bool] = None
    reason: Optional[str] = None


@dataclass(frozen=True, repr=False)
class ResponseToolSearchCall(ResponseOutputItem):
    """A tool search (``arguments`` as sent)."""

    type: Literal["tool_search_call"] = "tool_search_call"
    call_id: Optional[str] = None
    arguments: Any = None
    execution: Optional[str] = None
    status: Optional[str] = None


@dataclass(frozen=True, repr=False)
class ResponseToolSearchOutputItem(ResponseOutputItem):
    """The tools a tool search found (``tools`` as sent)."""

    type: Literal["tool_search_output"] = "tool_search_output"
    call_id: Optional[str] = None
    execution: Optional[str] = None
    status: Optional[str] = None
    tools: Optional[List[Any]] = None


@dataclass(frozen=True, repr=False)
class ResponseCompactionItem(ResponseOutputItem):
    """A compacted (encrypted) summary of earlier context."""

    type: Literal["compaction"] = "compaction"
    encrypted_content: Optional[str] = None


# --- the response ------------------------------------------------------------------------------


AnyOutputItem = Union[
    ResponseOutputMessage,
    ResponseFunctionToolCall,
    ResponseFunctionToolCallOutputItem,
    ResponseCustomToolCall,
    ResponseCustomToolCallOutputItem,
    ResponseReasoningItem,
    ResponseFunctionWebSearch,
    ResponseFileSearchToolCall,
    ResponseComputerToolCall,
    ResponseComputerToolCallOutputItem,
    ResponseImageGenerationCall,
    ResponseCodeInterpreterToolCall,
    ResponseLocalShellCall,
    ResponseLocalShellCallOutput,
    ResponseFunctionShellToolCall,
    ResponseFunctionShellToolCallOutput,
    ResponseApplyPatchToolCall,
    ResponseApplyPatchToolCallOutput,
    ResponseMcpCall,
    ResponseMcpListTools,
    ResponseMcpApprovalRequest,
    ResponseMcpApprovalResponse,
    ResponseToolSearchCall,
    ResponseToolSearchOutputItem,
    ResponseCompactionItem,
    ResponseOutputItem,
]
"""Every output item class, the base last (for an unknown ``type``)."""


@dataclass(frozen=True, repr=False)
class ResponseUsage(ResponseObject):
    """Token usage of a response (details as sent: ``cached_tokens``, ``reasoning_tokens``)."""

    input_tokens: Optional[int] = None
    input_tokens_details: Optional[Dict[str, Any]] = None
    output_tokens: Optional[int] = None
    output_tokens_details: Optional[Dict[str, Any]] = None
    total_tokens: Optional[int] = None
    extra: Dict[str, Any] = field(default_factory=dict)
    """Keys this class does not know, as parsed (Copilot's, xAI's counters)."""


@dataclass(frozen=True, repr=False)
class ResponseError(ResponseObject):
    """Why a response failed (``response.failed``)."""

    code: Optional[str] = None
    message: Optional[str] = None
    extra: Dict[str, Any] = field(default_factory=dict)
    """Keys this class does not know, as parsed."""


@dataclass(frozen=True, repr=False)
class ResponseIncompleteDetails(ResponseObject):
    """Why a response is incomplete: ``reason`` ``"max_output_tokens"`` or ``"content_filter"``."""

    reason: Optional[str] = None
    extra: Dict[str, Any] = field(default_factory=dict)
    """Keys this class does not know, as parsed."""


@dataclass(frozen=True, repr=False)
class Response(ResponseObject):
    """A response (openai's ``Response``): the terminal event's, or what the stream built.

    ``output_text`` is the text of every ``output_text`` part of every message, joined, as the SDK computes it.
    """

    id: Optional[str] = None
    object: Optional[str] = None
    """``"response"``."""
    created_at: Optional[float] = None
    status: Optional[str] = None
    """``"completed"``, ``"incomplete"``, ``"failed"``, ``"in_progress"``, ``"queued"``, ``"cancelled"``."""
    model: Optional[str] = None
    output: Optional[List[AnyOutputItem]] = None
    usage: Optional[ResponseUsage] = None
    error: Optional[ResponseError] = None
    incomplete_details: Optional[ResponseIncompleteDetails] = None
    instructions: Any = None
    metadata: Optional[Dict[str, Any]] = None
    parallel_tool_calls: Optional[bool] = None
    temperature: Optional[float] = None
    top_p: Optional[float] = None
    tool_choice: Any = None
    tools: Optional[List[Any]] = None
    background: Optional[bool] = None
    completed_at: Optional[float] = None
    conversation: Any = None
    max_output_tokens: Optional[int] = None
    max_tool_calls: Optional[int] = None
    previous_response_id: Optional[str] = None
    prompt: Any = None
    prompt_cache_key: Optional[str] = None
    prompt_cache_retention: Optional[str] = None
    reasoning: Any = None
    safety_identifier: Optional[str] = None
    service_tier: Optional[str] = None
    text: Any = None
    top_logprobs: Optional[int] = None
    truncation: Optional[str] = None
    user: Optional[str] = None
    extra: Dict[str, Any] = field(default_factory=dict)
    """Keys this class does not know, as parsed (a provider's own: Copilot's ``copilot_usage``, ...)."""

    @property
    def output_text(self) -> str:
        """The text of every ``output_text`` part of every ``message`` item, joined (``""`` when there is none)."""
        texts = []
        for item in self.output or ():
            if item.type == "message":
                for part in getattr(item, "content", None) or ():
                    if part.type == "output_text":
                        texts.append(getattr(part, "text", None) or "")
        return "".join(texts)


# --- events ----------------------------------------------------------------------------------


@dataclass(frozen=True, repr=False)
class ResponseStreamEvent(ResponseObject):
    """One event of a Responses stream; the base class of every event, and what an unknown event type is read as."""

    type: str
    """The event's type, e.g. ``"response.output_text.delta"`` (from its data: the ``event:`` line only echoes it)."""
    sequence_number: Optional[int] = None
    """The event's place in the stream (``None`` when the server sent none); resume with ``starting_after``."""
    extra: Dict[str, Any] = field(default_factory=dict)
    """Keys this class does not know, as parsed (``obfuscation`` padding, a provider's own keys)."""


@dataclass(frozen=True, repr=False)
class ResponseAudioDeltaEvent(ResponseStreamEvent):
    """``response.audio.delta``."""

    type: str = "response.audio.delta"
    delta: Optional[str] = None


@dataclass(frozen=True, repr=False)
class ResponseAudioDoneEvent(ResponseStreamEvent):
    """``response.audio.done``."""

    type: str = "response.audio.done"


@dataclass(frozen=True, repr=False)
class ResponseAudioTranscriptDeltaEvent(ResponseStreamEvent):
    """``response.audio.transcript.delta``."""

    type: str = "response.audio.transcript.delta"
    delta: Optional[str] = None


@dataclass(frozen=True, repr=False)
class ResponseAudioTranscriptDoneEvent(ResponseStreamEvent):
    """``response.audio.transcript.done``."""

    type: str = "response.audio.transcript.done"


@dataclass(frozen=True, repr=False)
class ResponseCodeInterpreterCallCodeDeltaEvent(ResponseStreamEvent):
    """``response.code_interpreter_call_code.delta``."""

    type: str = "response.code_interpreter_call_code.delta"
    delta: Optional[str] = None
    item_id: Optional[str] = None
    output_index: Optional[int] = None


@dataclass(frozen=True, repr=False)
class ResponseCodeInterpreterCallCodeDoneEvent(ResponseStreamEvent):
    """``response.code_interpreter_call_code.done``."""

    type: str = "response.code_interpreter_call_code.done"
    code: Optional[str] = None
    item_id: Optional[str] = None
    output_index: Optional[int] = None


@dataclass(frozen=True, repr=False)
class ResponseCodeInterpreterCallCompletedEvent(ResponseStreamEvent):
    """``response.code_interpreter_call.completed``."""

    type: str = "response.code_interpreter_call.completed"
    item_id: Optional[str] = None
    output_index: Optional[int] = None


@dataclass(frozen=True, repr=False)
class ResponseCodeInterpreterCallInProgressEvent(ResponseStreamEvent):
    """``response.code_interpreter_call.in_progress``."""

    type: str = "response.code_interpreter_call.in_progress"
    item_id: Optional[str] = None
    output_index: Optional[int] = None


@dataclass(frozen=True, repr=False)
class ResponseCodeInterpreterCallInterpretingEvent(ResponseStreamEvent):
    """``response.code_interpreter_call.interpreting``."""

    type: str = "response.code_interpreter_call.interpreting"
    item_id: Optional[str] = None
    output_index: Optional[int] = None


@dataclass(frozen=True, repr=False)
class ResponseCompactionCompactingEvent(ResponseStreamEvent):
    """``response.compaction.compacting``."""

    type: str = "response.compaction.compacting"
    item_id: Optional[str] = None
    output_index: Optional[int] = None


@dataclass(frozen=True, repr=False)
class ResponseCompletedEvent(ResponseStreamEvent):
    """Terminal: the response finished; ``response`` is the final ``Response``."""

    type: str = "response.completed"
    response: Optional[Response] = None


@dataclass(frozen=True, repr=False)
class ResponseContentPartAddedEvent(ResponseStreamEvent):
    """``response.content_part.added``."""

    type: str = "response.content_part.added"
    content_index: Optional[int] = None
    item_id: Optional[str] = None
    output_index: Optional[int] = None
    part: Optional[AnyContentPart] = None


@dataclass(frozen=True, repr=False)
class ResponseContentPartDoneEvent(ResponseStreamEvent):
    """``response.content_part.done``."""

    type: str = "response.content_part.done"
    content_index: Optional[int] = None
    item_id: Optional[str] = None
    output_index: Optional[int] = None
    part: Optional[AnyContentPart] = None


@dataclass(frozen=True, repr=False)
class ResponseCreatedEvent(ResponseStreamEvent):
    """The response was created (its ``response`` is a snapshot, usually without output)."""

    type: str = "response.created"
    response: Optional[Response] = None


@dataclass(frozen=True, repr=False)
class ResponseErrorEvent(ResponseStreamEvent):
    """The server reported an error (nested ``{"error": {...}}`` or flat); the terminal event follows."""

    type: str = "error"
    code: Optional[str] = None
    message: Optional[str] = None
    param: Optional[str] = None
    error: Any = None
    """OpenAI nests the error (``{"error": {"type", "code", "message", "param"}}``); the SDK types it flat."""


@dataclass(frozen=True, repr=False)
class ResponseFileSearchCallCompletedEvent(ResponseStreamEvent):
    """``response.file_search_call.completed``."""

    type: str = "response.file_search_call.completed"
    item_id: Optional[str] = None
    output_index: Optional[int] = None


@dataclass(frozen=True, repr=False)
class ResponseFileSearchCallInProgressEvent(ResponseStreamEvent):
    """``response.file_search_call.in_progress``."""

    type: str = "response.file_search_call.in_progress"
    item_id: Optional[str] = None
    output_index: Optional[int] = None


@dataclass(frozen=True, repr=False)
class ResponseFileSearchCallSearchingEvent(ResponseStreamEvent):
    """``response.file_search_call.searching``."""

    type: str = "response.file_search_call.searching"
    item_id: Optional[str] = None
    output_index: Optional[int] = None


@dataclass(frozen=True, repr=False)
class ResponseFunctionCallArgumentsDeltaEvent(ResponseStreamEvent):
    """``response.function_call_arguments.delta``."""

    type: str = "response.function_call_arguments.delta"
    delta: Optional[str] = None
    item_id: Optional[str] = None
    output_index: Optional[int] = None


@dataclass(frozen=True, repr=False)
class ResponseFunctionCallArgumentsDoneEvent(ResponseStreamEvent):
    """``response.function_call_arguments.done``."""

    type: str = "response.function_call_arguments.done"
    arguments: Optional[str] = None
    item_id: Optional[str] = None
    output_index: Optional[int] = None


@dataclass(frozen=True, repr=False)
class ResponseShellCallCommandAddedEvent(ResponseStreamEvent):
    """``response.shell_call_command.added``."""

    type: str = "response.shell_call_command.added"
    command: Optional[str] = None
    command_index: Optional[int] = None
    output_index: Optional[int] = None


@dataclass(frozen=True, repr=False)
class ResponseShellCallCommandDeltaEvent(ResponseStreamEvent):
    """``response.shell_call_command.delta``."""

    type: str = "response.shell_call_command.delta"
    command_index: Optional[int] = None
    delta: Optional[str] = None
    output_index: Optional[int] = None
    obfuscation: Optional[str] = None


@dataclass(frozen=True, repr=False)
class ResponseShellCallCommandDoneEvent(ResponseStreamEvent):
    """``response.shell_call_command.done``."""

    type: str = "response.shell_call_command.done"
    command: Optional[str] = None
    command_index: Optional[int] = None
    output_index: Optional[int] = None


@dataclass(frozen=True, repr=False)
class ResponseShellCallOutputContentDeltaEvent(ResponseStreamEvent):
    """``response.shell_call_output_content.delta``."""

    type: str = "response.shell_call_output_content.delta"
    command_index: Optional[int] = None
    delta: Any = None
    item_id: Optional[str] = None
    output_index: Optional[int] = None


@dataclass(frozen=True, repr=False)
class ResponseShellCallOutputContentDoneEvent(ResponseStreamEvent):
    """``response.shell_call_output_content.done``."""

    type: str = "response.shell_call_output_content.done"
    command_index: Optional[int] = None
    item_id: Optional[str] = None
    output: Optional[List[Any]] = None
    output_index: Optional[int] = None


@dataclass(frozen=True, repr=False)
class ResponseInProgressEvent(ResponseStreamEvent):
    """The response is being generated (a snapshot; a resumed stream may begin here)."""

    type: str = "response.in_progress"
    response: Optional[Response] = None


@dataclass(frozen=True, repr=False)
class ResponseFailedEvent(ResponseStreamEvent):
    """Terminal: the response failed (``response.error`` says why): the stream raises ``StreamAPIError``."""

    type: str = "response.failed"
    response: Optional[Response] = None


@dataclass(frozen=True, repr=False)
class ResponseIncompleteEvent(ResponseStreamEvent):
    """Terminal: the response stopped early (``incomplete_details`` says why); it ends normally."""

    type: str = "response.incomplete"
    response: Optional[Response] = None


@dataclass(frozen=True, repr=False)
class ResponseOutputItemAddedEvent(ResponseStreamEvent):
    """``response.output_item.added``."""

    type: str = "response.output_item.added"
    item: Optional[AnyOutputItem] = None
    output_index: Optional[int] = None


@dataclass(frozen=True, repr=False)
class ResponseOutputItemDoneEvent(ResponseStreamEvent):
    """``response.output_item.done``."""

    type: str = "response.output_item.done"
    item: Optional[AnyOutputItem] = None
    output_index: Optional[int] = None


@dataclass(frozen=True, repr=False)
class ResponseReasoningSummaryPartAddedEvent(ResponseStreamEvent):
    """``response.reasoning_summary_part.added``."""

    type: str = "response.reasoning_summary_part.added"
    item_id: Optional[str] = None
    output_index: Optional[int] = None
    part: Optional[AnyContentPart] = None
    summary_index: Optional[int] = None


@dataclass(frozen=True, repr=False)
class ResponseReasoningSummaryPartDoneEvent(ResponseStreamEvent):
    """``response.reasoning_summary_part.done``."""

    type: str = "response.reasoning_summary_part.done"
    item_id: Optional[str] = None
    output_index: Optional[int] = None
    part: Optional[AnyContentPart] = None
    summary_index: Optional[int] = None
    status: Optional[str] = None


@dataclass(frozen=True, repr=False)
class ResponseReasoningSummaryTextDeltaEvent(ResponseStreamEvent):
    """``response.reasoning_summary_text.delta``."""

    type: str = "response.reasoning_summary_text.delta"
    delta: Optional[str] = None
    item_id: Optional[str] = None
    output_index: Optional[int] = None
    summary_index: Optional[int] = None


@dataclass(frozen=True, repr=False)
class ResponseReasoningSummaryTextDoneEvent(ResponseStreamEvent):
    """``response.reasoning_summary_text.done``."""

    type: str = "response.reasoning_summary_text.done"
    item_id: Optional[str] = None
    output_index: Optional[int] = None
    summary_index: Optional[int] = None
    text: Optional[str] = None


@dataclass(frozen=True, repr=False)
class ResponseReasoningTextDeltaEvent(ResponseStreamEvent):
    """``response.reasoning_text.delta``."""

    type: str = "response.reasoning_text.delta"
    content_index: Optional[int] = None
    delta: Optional[str] = None
    item_id: Optional[str] = None
    output_index: Optional[int] = None


@dataclass(frozen=True, repr=False)
class ResponseReasoningTextDoneEvent(ResponseStreamEvent):
    """``response.reasoning_text.done``."""

    type: str = "response.reasoning_text.done"
    content_index: Optional[int] = None
    item_id: Optional[str] = None
    output_index: Optional[int] = None
    text: Optional[str] = None


@dataclass(frozen=True, repr=False)
class ResponseRefusalDeltaEvent(ResponseStreamEvent):
    """``response.refusal.delta``."""

    type: str = "response.refusal.delta"
    content_index: Optional[int] = None
    delta: Optional[str] = None
    item_id: Optional[str] = None
    output_index: Optional[int] = None


@dataclass(frozen=True, repr=False)
class ResponseRefusalDoneEvent(ResponseStreamEvent):
    """``response.refusal.done``."""

    type: str = "response.refusal.done"
    content_index: Optional[int] = None
    item_id: Optional[str] = None
    output_index: Optional[int] = None
    refusal: Optional[str] = None


@dataclass(frozen=True, repr=False)
class ResponseTextDeltaEvent(ResponseStreamEvent):
    """``response.output_text.delta``."""

    type: str = "response.output_text.delta"
    content_index: Optional[int] = None
    delta: Optional[str] = None
    item_id: Optional[str] = None
    logprobs: Optional[List[Any]] = None
    output_index: Optional[int] = None


@dataclass(frozen=True, repr=False)
class ResponseTextDoneEvent(ResponseStreamEvent):
    """``response.output_text.done``."""

    type: str = "response.output_text.done"
    content_index: Optional[int] = None
    item_id: Optional[str] = None
    logprobs: Optional[List[Any]] = None
    output_index: Optional[int] = None
    text: Optional[str] = None


@dataclass(frozen=True, repr=False)
class ResponseWebSearchCallCompletedEvent(ResponseStreamEvent):
    """``response.web_search_call.completed``."""

    type: str = "response.web_search_call.completed"
    item_id: Optional[str] = None
    output_index: Optional[int] = None


@dataclass(frozen=True, repr=False)
class ResponseWebSearchCallInProgressEvent(ResponseStreamEvent):
    """``response.web_search_call.in_progress``."""

    type: str = "response.web_search_call.in_progress"
    item_id: Optional[str] = None
    output_index: Optional[int] = None


@dataclass(frozen=True, repr=False)
class ResponseWebSearchCallSearchingEvent(ResponseStreamEvent):
    """``response.web_search_call.searching``."""

    type: str = "response.web_search_call.searching"
    item_id: Optional[str] = None
    output_index: Optional[int] = None


@dataclass(frozen=True, repr=False)
class ResponseImageGenCallCompletedEvent(ResponseStreamEvent):
    """``response.image_generation_call.completed``."""

    type: str = "response.image_generation_call.completed"
    item_id: Optional[str] = None
    output_index: Optional[int] = None


@dataclass(frozen=True, repr=False)
class ResponseImageGenCallGeneratingEvent(ResponseStreamEvent):
    """``response.image_generation_call.generating``."""

    type: str = "response.image_generation_call.generating"
    item_id: Optional[str] = None
    output_index: Optional[int] = None


@dataclass(frozen=True, repr=False)
class ResponseImageGenCallInProgressEvent(ResponseStreamEvent):
    """``response.image_generation_call.in_progress``."""

    type: str = "response.image_generation_call.in_progress"
    item_id: Optional[str] = None
    output_index: Optional[int] = None


@dataclass(frozen=True, repr=False)
class ResponseImageGenCallPartialImageEvent(ResponseStreamEvent):
    """``response.image_generation_call.partial_image``."""

    type: str = "response.image_generation_call.partial_image"
    item_id: Optional[str] = None
    output_index: Optional[int] = None
    partial_image_b64: Optional[str] = None
    partial_image_index: Optional[int] = None
    background: Optional[str] = None
    output_format: Optional[str] = None
    quality: Optional[str] = None
    size: Optional[str] = None


@dataclass(frozen=True, repr=False)
class ResponseMcpCallArgumentsDeltaEvent(ResponseStreamEvent):
    """``response.mcp_call_arguments.delta``."""

    type: str = "response.mcp_call_arguments.delta"
    delta: Optional[str] = None
    item_id: Optional[str] = None
    output_index: Optional[int] = None


@dataclass(frozen=True, repr=False)
class ResponseMcpCallArgumentsDoneEvent(ResponseStreamEvent):
    """``response.mcp_call_arguments.done``."""

    type: str = "response.mcp_call_arguments.done"
    arguments: Optional[str] = None
    item_id: Optional[str] = None
    output_index: Optional[int] = None


@dataclass(frozen=True, repr=False)
class ResponseMcpCallCompletedEvent(ResponseStreamEvent):
    """``response.mcp_call.completed``."""

    type: str = "response.mcp_call.completed"
    item_id: Optional[str] = None
    output_index: Optional[int] = None


@dataclass(frozen=True, repr=False)
class ResponseMcpCallFailedEvent(ResponseStreamEvent):
    """``response.mcp_call.failed``."""

    type: str = "response.mcp_call.failed"
    item_id: Optional[str] = None
    output_index: Optional[int] = None


@dataclass(frozen=True, repr=False)
class ResponseMcpCallInProgressEvent(ResponseStreamEvent):
    """``response.mcp_call.in_progress``."""

    type: str = "response.mcp_call.in_progress"
    item_id: Optional[str] = None
    output_index: Optional[int] = None


@dataclass(frozen=True, repr=False)
class ResponseMcpListToolsCompletedEvent(ResponseStreamEvent):
    """``response.mcp_list_tools.completed``."""

    type: str = "response.mcp_list_tools.completed"
    item_id: Optional[str] = None
    output_index: Optional[int] = None


@dataclass(frozen=True, repr=False)
class ResponseMcpListToolsFailedEvent(ResponseStreamEvent):
    """``response.mcp_list_tools.failed``."""

    type: str = "response.mcp_list_tools.failed"
    item_id: Optional[str] = None
    output_index: Optional[int] = None


@dataclass(frozen=True, repr=False)
class ResponseMcpListToolsInProgressEvent(ResponseStreamEvent):
    """``response.mcp_list_tools.in_progress``."""

    type: str = "response.mcp_list_tools.in_progress"
    item_id: Optional[str] = None
    output_index: Optional[int] = None


@dataclass(frozen=True, repr=False)
class ResponseOutputTextAnnotationAddedEvent(ResponseStreamEvent):
    """``response.output_text.annotation.added``."""

    type: str = "response.output_text.annotation.added"
    annotation: Optional[AnyAnnotation] = None
    annotation_index: Optional[int] = None
    content_index: Optional[int] = None
    item_id: Optional[str] = None
    output_index: Optional[int] = None


@dataclass(frozen=True, repr=False)
class ResponseQueuedEvent(ResponseStreamEvent):
    """A background response is queued (a resumed stream may begin here)."""

    type: str = "response.queued"
    response: Optional[Response] = None


@dataclass(frozen=True, repr=False)
class ResponseCustomToolCallInputDeltaEvent(ResponseStreamEvent):
    """``response.custom_tool_call_input.delta``."""

    type: str = "response.custom_tool_call_input.delta"
    delta: Optional[str] = None
    item_id: Optional[str] = None
    output_index: Optional[int] = None


@dataclass(frozen=True, repr=False)
class ResponseCustomToolCallInputDoneEvent(ResponseStreamEvent):
    """``response.custom_tool_call_input.done``."""

    type: str = "response.custom_tool_call_input.done"
    input: Optional[str] = None
    item_id: Optional[str] = None
    output_index: Optional[int] = None


EVENT_CLASSES: Tuple[Type[ResponseStreamEvent], ...] = (
    ResponseAudioDeltaEvent,
    ResponseAudioDoneEvent,
    ResponseAudioTranscriptDeltaEvent,
    ResponseAudioTranscriptDoneEvent,
    ResponseCodeInterpreterCallCodeDeltaEvent,
    ResponseCodeInterpreterCallCodeDoneEvent,
    ResponseCodeInterpreterCallCompletedEvent,
    ResponseCodeInterpreterCallInProgressEvent,
    ResponseCodeInterpreterCallInterpretingEvent,
    ResponseCompactionCompactingEvent,
    ResponseCompletedEvent,
    ResponseContentPartAddedEvent,
    ResponseContentPartDoneEvent,
    ResponseCreatedEvent,
    ResponseErrorEvent,
    ResponseFileSearchCallCompletedEvent,
    ResponseFileSearchCallInProgressEvent,
    ResponseFileSearchCallSearchingEvent,
    ResponseFunctionCallArgumentsDeltaEvent,
    ResponseFunctionCallArgumentsDoneEvent,
    ResponseShellCallCommandAddedEvent,
    ResponseShellCallCommandDeltaEvent,
    ResponseShellCallCommandDoneEvent,
    ResponseShellCallOutputContentDeltaEvent,
    ResponseShellCallOutputContentDoneEvent,
    ResponseInProgressEvent,
    ResponseFailedEvent,
    ResponseIncompleteEvent,
    ResponseOutputItemAddedEvent,
    ResponseOutputItemDoneEvent,
    ResponseReasoningSummaryPartAddedEvent,
    ResponseReasoningSummaryPartDoneEvent,
    ResponseReasoningSummaryTextDeltaEvent,
    ResponseReasoningSummaryTextDoneEvent,
    ResponseReasoningTextDeltaEvent,
    ResponseReasoningTextDoneEvent,
    ResponseRefusalDeltaEvent,
    ResponseRefusalDoneEvent,
    ResponseTextDeltaEvent,
    ResponseTextDoneEvent,
    ResponseWebSearchCallCompletedEvent,
    ResponseWebSearchCallInProgressEvent,
    ResponseWebSearchCallSearchingEvent,
    ResponseImageGenCallCompletedEvent,
    ResponseImageGenCallGeneratingEvent,
    ResponseImageGenCallInProgressEvent,
    ResponseImageGenCallPartialImageEvent,
    ResponseMcpCallArgumentsDeltaEvent,
    ResponseMcpCallArgumentsDoneEvent,
    ResponseMcpCallCompletedEvent,
    ResponseMcpCallFailedEvent,
    ResponseMcpCallInProgressEvent,
    ResponseMcpListToolsCompletedEvent,
    ResponseMcpListToolsFailedEvent,
    ResponseMcpListToolsInProgressEvent,
    ResponseOutputTextAnnotationAddedEvent,
    ResponseQueuedEvent,
    ResponseCustomToolCallInputDeltaEvent,
    ResponseCustomToolCallInputDoneEvent,
)


RESPONSE_EVENT_TYPES: Dict[str, Type[ResponseStreamEvent]] = {
    str(dataclasses.fields(cls)[0].default): cls for cls in EVENT_CLASSES
}
"""Every event class by its wire ``type`` (an unknown type is read as ``ResponseStreamEvent``)."""

# The bases whose fields are decoded as the subclass their ``type`` names.
_POLYMORPHIC = frozenset({ResponseStreamEvent, ResponseOutputItem, ResponseContentPart, ResponseAnnotation})
