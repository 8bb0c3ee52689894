"""The request parameters the clients take by name: chat completions and the Responses API.

One declaration per API (``ChatCompletionParams``, ``ResponseCreateParams``)
serves the type checker (the clients' ``**params`` are ``Unpack[...]`` of
it) and the runtime check that refuses an unknown keyword with a
``TypeError``, as the SDKs do. The chat names are Groq's documented ones, the
Responses names openai-python's ``ResponseCreateParams``; a parameter another
server has and a list lacks goes through ``extra_body=``.
"""

from __future__ import annotations

import difflib
from typing import AbstractSet, Any, Dict, List, Mapping, Optional, Sequence, TypedDict, Union

__all__ = ["ChatCompletionParams", "ResponseCreateParams", "check_params"]


class ChatCompletionParams(TypedDict, total=False):
    """Request parameters besides ``model`` and ``messages``, sent as given (``None`` is sent as ``null``)."""

    citation_options: Optional[str]
    compound_custom: Optional[Mapping[str, Any]]
    disable_tool_validation: bool
    documents: Optional[Sequence[Mapping[str, Any]]]
    exclude_domains: Optional[List[str]]
    frequency_penalty: Optional[float]
    function_call: Union[str, Mapping[str, Any], None]
    functions: Optional[Sequence[Mapping[str, Any]]]
    include_domains: Optional[List[str]]
    include_reasoning: Optional[bool]
    logit_bias: Optional[Mapping[str, int]]
    logprobs: Optional[bool]
    max_completion_tokens: Optional[int]
    max_tokens: Optional[int]
    metadata: Optional[Mapping[str, str]]
    n: Optional[int]
    parallel_tool_calls: Optional[bool]
    presence_penalty: Optional[float]
    reasoning_effort: Optional[str]
    reasoning_format: Optional[str]
    response_format: Optional[Mapping[str, Any]]
    search_settings: Optional[Mapping[str, Any]]
    seed: Optional[int]
    service_tier: Optional[str]
    stop: Union[str, List[str], None]
    store: Optional[bool]
    stream_options: Optional[Mapping[str, Any]]
    temperature: Optional[float]
    tool_choice: Union[str, Mapping[str, Any], None]
    tools: Optional[Sequence[Mapping[str, Any]]]
    top_logprobs: Optional[int]
    top_p: Optional[float]
    user: Optional[str]


class ResponseCreateParams(TypedDict, total=False):
    """Responses API request parameters besides ``model`` and ``input`` (openai-python's ``ResponseCreateParams``).

    Sent as given (``None`` is sent as ``null``); ``stream`` is set by the method called.
    """

    background: Optional[bool]
    context_management: Optional[Sequence[Mapping[str, Any]]]
    conversation: Union[str, Mapping[str, Any], None]
    include: Optional[List[str]]
    instructions: Optional[str]
    max_output_tokens: Optional[int]
    max_tool_calls: Optional[int]
    metadata: Optional[Mapping[str, str]]
    parallel_tool_calls: Optional[bool]
    previous_response_id: Optional[str]
    prompt: Optional[Mapping[str, Any]]
    prompt_cache_key: Optional[str]
    prompt_cache_retention: Optional[str]
    reasoning: Optional[Mapping[str, Any]]
    safety_identifier: Optional[str]
    service_tier: Optional[str]
    store: Optional[bool]
    stream_options: Optional[Mapping[str, Any]]
    temperature: Optional[float]
    text: Optional[Mapping[str, Any]]
    tool_choice: Union[str, Mapping[str, Any], None]
    tools: Optional[Sequence[Mapping[str, Any]]]
    top_logprobs: Optional[int]
    top_p: Optional[float]
    truncation: Optional[str]
    user: Optional[str]


PARAM_NAMES = frozenset(ChatCompletionParams.__annotations__)
RESPONSE_PARAM_NAMES = frozenset(ResponseCreateParams.__annotations__)


def check_params(method: str, params: Dict[str, Any], names: AbstractSet[str] = PARAM_NAMES) -> None:
    """Raise ``TypeError`` naming the first keyword of *params* that is not one of *names*."""
    for name in params:
        if name not in names:
            close = difflib.get_close_matches(name, sorted(names), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise TypeError(
                f"{method}() got an unexpected keyword argument {name!r}{hint} "
                "(a parameter groqstream does not know goes in extra_body={...})"
            )
