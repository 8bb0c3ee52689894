"""The chat-completions request parameters the clients take by name.

One declaration (``ChatCompletionParams``) serves the type checker (the
clients' ``**params`` are ``Unpack[ChatCompletionParams]``) and the runtime
check that refuses an unknown keyword with a ``TypeError``, as the SDKs do.
The names are Groq's documented ones; a parameter another server has and
this list lacks goes through ``extra_body=``.
"""

from __future__ import annotations

import difflib
from typing import Any, Dict, List, Mapping, Optional, Sequence, TypedDict, Union

__all__ = ["ChatCompletionParams", "check_params"]


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


PARAM_NAMES = frozenset(ChatCompletionParams.__annotations__)


def check_params(method: str, params: Dict[str, Any]) -> None:
    """Raise ``TypeError`` naming the first keyword of *params* that is not a request parameter."""
    for name in params:
        if name not in PARAM_NAMES:
            close = difflib.get_close_matches(name, PARAM_NAMES, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise TypeError(
                f"{method}() got an unexpected keyword argument {name!r}{hint} "
                "(a parameter groqstream does not know goes in extra_body={...})"
            )
