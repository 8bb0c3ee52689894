"""The groqstream command line.

Usage::

    groqstream replay [--format text|final] [FILE | -]
    groqstream chat PROMPT [--model M] [--system S] [--record FILE] [--base-url URL]
    python -m groqstream ...

``replay`` parses a captured stream (the raw bytes of a streamed response,
as saved from ``curl -N`` or a recorder). ``--format text`` (the default)
prints the assistant text of choice 0 as it is parsed, then a one-line
summary on stderr: chunks, finish reason and token usage. ``--format final``
prints the accumulated completion as JSON, the shape a non-streaming call
returns. With no FILE it replays the sample bundled with the package, so it
needs no network and no API key; ``-`` reads stdin.

``chat`` asks Groq (key from ``GROQ_API_KEY``) and streams the answer the same
way; ``--record FILE`` also writes the exact bytes received, for ``replay``.

Exit status: 0 on success, 1 when the request fails or the stream is bad or
reports an error (the text received before the fault is still printed), 2 on
usage errors or a file that cannot be opened.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import IO, Optional, Sequence

from ._client import Client
from ._errors import GroqStreamError
from ._stream import Stream
from ._types import ChatCompletion

__all__ = ["DEFAULT_MODEL", "SAMPLE_PATH", "main"]

SAMPLE_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sample.sse")
"""The bundled sample capture: a short llama-3.3-70b-versatile answer, written for this package."""

_EXAMPLES = """\
examples:
  groqstream replay                        replay the bundled sample
  groqstream replay capture.sse            replay a saved stream
  groqstream replay --format final x.sse   print the final completion as JSON
  curl -sN ... | groqstream replay -       replay stdin
"""


_CHAT_EXAMPLES = """\
examples:
  groqstream chat "Explain SSE in one sentence."
  groqstream chat "Hi" --model llama-3.1-8b-instant --system "Be brief." --record hi.sse
  groqstream replay hi.sse                 play the recording back
"""

DEFAULT_MODEL = "llama-3.3-70b-versatile"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="groqstream",
        description="Parse Groq / OpenAI-compatible chat-completion streams (server-sent events).",
        epilog=_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True
    replay = commands.add_parser(
        "replay",
        help="print the assistant text of a captured stream, then a summary",
        description="Print the assistant text (choice 0) of a captured stream as it is parsed, "
        "then a summary line on stderr. Exit 1 if the stream is malformed, truncated or reports an error.",
        epilog=_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    replay.add_argument(
        "--format",
        choices=["text", "final"],
        default="text",
        help="text: the assistant text as it arrives, then a summary (default); "
        "final: the accumulated completion as JSON",
    )
    replay.add_argument(
        "file", nargs="?", metavar="FILE", help="captured stream (.sse); '-' reads stdin; default: the bundled sample"
    )
    chat = commands.add_parser(
        "chat",
        help="ask Groq (or an OpenAI-compatible endpoint) and stream the answer",
        description="Stream a live answer to the terminal: the text as it arrives, then a summary with usage on "
        "stderr. The API key comes from GROQ_API_KEY; the endpoint from --base-url, GROQ_BASE_URL or Groq.",
        epilog=_CHAT_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    chat.add_argument("prompt", help="the user message")
    chat.add_argument("--model", default=DEFAULT_MODEL, help=f"the model (default: {DEFAULT_MODEL})")
    chat.add_argument("--system", metavar="TEXT", help="a system message")
    chat.add_argument("--record", metavar="FILE", help="also write the exact bytes received to FILE (a capture)")
    chat.add_argument("--base-url", metavar="URL", help="the API root (default: GROQ_BASE_URL or Groq's)")
    chat.add_argument("--timeout", type=float, default=60.0, metavar="SECONDS", help="connect and read timeout")
    chat.add_argument(
        "--format", choices=["text", "final"], default="text", help="text as it arrives (default), or final JSON"
    )
    return parser


def _write(out: IO[str], text: str) -> None:
    try:
        out.write(text)
    except UnicodeEncodeError:  # a terminal that cannot show a character, or a lone surrogate from JSON
        encoding = getattr(out, "encoding", None) or "utf-8"
        out.write(text.encode(encoding, "backslashreplace").decode(encoding))


def _summary(chunks: int, completion: ChatCompletion) -> str:
    choice = next((c for c in completion.choices if c.index == 0), None)
    finish_reason = choice.finish_reason if choice is not None else None
    parts = [f"{chunks} chunks", f"finish_reason={finish_reason or 'none'}"]
    usage = completion.usage
    if usage is not None:
        parts.append(
            f"usage: {usage.prompt_tokens} prompt + {usage.completion_tokens} completion = {usage.total_tokens} tokens"
        )
    else:
        parts.append("usage: not reported")
    return "-- " + ", ".join(parts)


def _print_json(out: IO[str], completion: ChatCompletion) -> None:
    _write(out, json.dumps(completion.to_dict(), indent=2, ensure_ascii=False) + "\n")


def _show(stream: Stream, output_format: str, name: str, out: IO[str], err: IO[str]) -> int:
    """Print a stream as text then a summary, or as the final completion's JSON; return the exit status."""
    ends_with_newline = True
    with stream:
        try:
            if output_format == "final":
                completion = stream.final_completion()
            else:
                for chunk in stream:
                    for choice in chunk.choices:
                        content = choice.delta.content
                        if choice.index == 0 and content:
                            _write(out, content)
                            out.flush()
                            ends_with_newline = content.endswith("\n")
                completion = stream.final_completion()
        except GroqStreamError as exc:
            if output_format == "final" and exc.completion is not None:
                _print_json(out, exc.completion)  # what arrived before the fault is not lost
            elif not ends_with_newline:
                out.write("\n")
            err.write(f"groqstream: error in {name}: {exc}\n")
            return 1
    if output_format == "final":
        _print_json(out, completion)
        return 0
    if not ends_with_newline:
        out.write("\n")
    err.write(_summary(stream.chunks_received, completion) + "\n")
    return 0


def _replay(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    path: Optional[str] = args.file
    name = "the bundled sample" if path is None else ("stdin" if path == "-" else path)
    try:
        source = sys.stdin.buffer if path == "-" else open(path or SAMPLE_PATH, "rb")  # noqa: SIM115 - Stream closes it
    except OSError as exc:
        err.write(f"groqstream: error: cannot open {name}: {exc.strerror or exc}\n")
        return 2
    return _show(Stream(source), args.format, name, out, err)


def _chat(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    messages = [{"role": "system", "content": args.system}] if args.system else []
    messages.append({"role": "user", "content": args.prompt})
    try:
        capture = open(args.record, "wb") if args.record else None  # noqa: SIM115 - closed below
    except OSError as exc:
        err.write(f"groqstream: error: cannot write {args.record}: {exc.strerror or exc}\n")
        return 2
    try:
        client = Client(base_url=args.base_url, timeout=args.timeout)
        try:
            stream = client.chat_stream(model=args.model, messages=messages, capture=capture)
        except GroqStreamError as exc:
            err.write(f"groqstream: error: {exc}\n")
            return 1
        return _show(stream, args.format, f"the response from {client.base_url}", out, err)
    finally:
        if capture is not None:
            capture.close()


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the command line.

    Args:
        argv: the arguments after the program name; ``None`` reads ``sys.argv``.

    Returns:
        The exit status (argparse exits with 2 by itself on usage errors).
    """
    args = _parser().parse_args(list(argv) if argv is not None else None)
    out, err = sys.stdout, sys.stderr
    try:
        return _chat(args, out, err) if args.command == "chat" else _replay(args, out, err)
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly, and keep Python from
        # complaining again when it flushes stdout at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
