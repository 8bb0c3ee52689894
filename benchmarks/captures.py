"""Deterministic, realistic Groq captures for benchmarking.

Every stream is built the way Groq writes it: compact JSON (no spaces), raw
UTF-8 (not \\u escapes), ``data: ...`` lines separated by blank lines, a first
chunk with the role and ``x_groq.id``, a last chunk with ``finish_reason`` and
usage in both ``usage`` and ``x_groq.usage``, then ``data: [DONE]``. The same
arguments always give the same bytes.
"""

from __future__ import annotations

import json
import random
from typing import Any, Dict, Iterator, List

WORDS = (  # noqa: SIM905 - one readable sentence
    "the stream of tokens arrives quickly over one response while the client parses each event and shows text "
    "to the user café naïve déjà vu über straße 東京 数据 流 🚀 ✓ — ∑ ≈ ±"
).split()
KINDS = ("text", "tools", "n3", "logprobs")


def _dumps(obj: Any) -> bytes:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


class _Builder:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.id = f"chatcmpl-{self.rng.getrandbits(128):032x}"
        self.request = f"req_{self.rng.getrandbits(100):025x}"

    def chunk(self, choices: List[Dict[str, Any]], **extra: Any) -> bytes:
        body: Dict[str, Any] = {
            "id": self.id,
            "object": "chat.completion.chunk",
            "created": 1763683200,
            "model": "llama-3.3-70b-versatile",
            "system_fingerprint": "fp_3f9a1c2d7e",
            "choices": choices,
        }
        body.update(extra)
        return b"data: " + _dumps(body) + b"\n\n"

    def word(self) -> str:
        return ("" if self.rng.random() < 0.15 else " ") + self.rng.choice(WORDS)

    def usage(self, completion: int) -> Dict[str, Any]:
        return {
            "queue_time": 0.0231,
            "prompt_tokens": 42,
            "prompt_time": 0.0042,
            "completion_tokens": completion,
            "completion_time": round(completion / 1400, 6),
            "total_tokens": 42 + completion,
            "total_time": round(0.0042 + completion / 1400, 6),
        }


def _choice(delta: Dict[str, Any], index: int = 0, finish: Any = None, logprobs: Any = None) -> Dict[str, Any]:
    return {"index": index, "delta": delta, "logprobs": logprobs, "finish_reason": finish}


def events(kind: str, chunks: int, seed: int = 0) -> Iterator[bytes]:
    """The events (each with its blank line) of one stream of about *chunks* chunks, then [DONE]."""
    b = _Builder(seed)
    n = 3 if kind == "n3" else 1
    yield b.chunk([_choice({"role": "assistant", "content": ""}, i) for i in range(n)], x_groq={"id": b.request})
    body = max(1, chunks - 2)
    if kind == "tools":
        calls = 2
        per_call = max(1, body // calls)
        for call in range(calls):
            start = {
                "index": call,
                "id": f"call_{call}",
                "type": "function",
                "function": {"name": "search", "arguments": ""},
            }
            yield b.chunk([_choice({"tool_calls": [start]})])
            for i in range(per_call - 1):
                fragment = '{"q": "' if i == 0 else (b.word() + ('"}' if i == per_call - 2 else ""))
                yield b.chunk([_choice({"tool_calls": [{"index": call, "function": {"arguments": fragment}}]})])
        finish = "tool_calls"
    else:
        for _ in range(body):
            if kind == "logprobs":
                token = b.word()
                top = [{"token": token, "logprob": -0.01, "bytes": list(token.encode())},
                       {"token": " a", "logprob": -4.6, "bytes": [32, 97]}]  # fmt: skip
                lp = {
                    "content": [{"token": token, "logprob": -0.01, "bytes": list(token.encode()), "top_logprobs": top}]
                }
                yield b.chunk([_choice({"content": token}, logprobs=lp)])
            else:
                yield b.chunk([_choice({"content": b.word()}, i) for i in range(n)])
        finish = "stop"
    usage = b.usage(chunks)
    last = [_choice({}, i, finish) for i in range(n)]
    yield b.chunk(last, x_groq={"id": b.request, "usage": usage}, usage=usage)
    yield b"data: [DONE]\n\n"


def capture(kind: str, chunks: int, seed: int = 0) -> bytes:
    """One whole stream as bytes."""
    return b"".join(events(kind, chunks, seed))


def huge(total_bytes: int, piece: int = 65536) -> Iterator[bytes]:
    """A single very long text stream of about *total_bytes*, generated on the fly in *piece*-byte reads."""
    b = _Builder(1)
    buffer = bytearray(b.chunk([_choice({"role": "assistant", "content": ""})], x_groq={"id": b.request}))
    sent = 0
    count = 0
    while sent + len(buffer) < total_bytes:
        buffer += b.chunk([_choice({"content": b.word()})])
        count += 1
        while len(buffer) >= piece:
            yield bytes(buffer[:piece])
            del buffer[:piece]
            sent += piece
    usage = b.usage(count)
    buffer += b.chunk([_choice({}, 0, "stop")], x_groq={"id": b.request, "usage": usage}, usage=usage)
    buffer += b"data: [DONE]\n\n"
    for i in range(0, len(buffer), piece):
        yield bytes(buffer[i : i + piece])


def split_every(data: bytes, size: int) -> List[bytes]:
    """The bytes in reads of *size* bytes."""
    return [data[i : i + size] for i in range(0, len(data), size)]


def split_events(data: bytes) -> List[bytes]:
    """One read per event."""
    parts = data.split(b"\n\n")
    return [part + b"\n\n" for part in parts[:-1]]
