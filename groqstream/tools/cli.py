"""The groqstream command line: the parser and ``main`` (the commands themselves are in ``commands``).

Usage::

    groqstream replay [FILE ... | -] [--sample] [--format text|events|chunks|jsonl|final] [--realtime | --speed X]
    groqstream stats [FILE ... | - | --sample] [--json] [--svg FILE]
    groqstream validate [FILE ... | - | --sample] [--json] [--strict] [--require-usage]
    groqstream chat PROMPT [--model M] [--system S] [--record FILE] [--base-url URL]
    python -m groqstream ...

``replay`` plays captured streams (timed or not; see docs/capture-format.md);
``stats`` measures them and can draw a timeline as SVG; ``validate`` lists every
problem with its byte offset and event index; ``chat`` asks Groq and streams the
answer. With no FILE, a command reads stdin when something is piped in; ``replay``
otherwise plays the sample bundled with the package. Exit status (docs/cli.md): 0
clean; 1 problems found; 2 usage errors or an input that cannot be opened; 128 + N
when ``chat`` is stopped by signal N.

This module imports nothing of the library until a command runs, so ``--help`` and
``--version`` answer at once.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Optional, Sequence

__all__ = ["DEFAULT_MODEL", "SAMPLE_PATH", "main"]

SAMPLE_PATH = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "sample-timed.sse")
"""The bundled sample: a short llama-3.3-70b-versatile answer written for this package, as a timed capture.

It is ``sample.sse`` (the body as the server sent it, beside it) with the arrival times ``chat --record`` adds,
so ``replay --realtime`` and ``stats --svg`` have a timed capture to start from."""
DEFAULT_MODEL = "llama-3.3-70b-versatile"
"""The model ``groqstream chat`` asks when ``--model`` is not given."""


class _UsageError(Exception):
    """A problem with the command line itself (exit status 2)."""


_REPLAY_EXAMPLES = """\
examples:
  groqstream replay                           the bundled sample: text, then a summary on stderr
  groqstream replay capture.sse --realtime    as fast as it arrived (timed captures)
  groqstream replay capture.sse --speed 4     four times as fast
  groqstream replay a.sse b.sse --format final   the final completions, as a JSON array
  groqstream replay capture.sse --format jsonl | head -3
  curl -sN ... | groqstream replay -          stdin
"""
_STATS_EXAMPLES = """\
examples:
  groqstream stats capture.sse                tokens, timings, gap percentiles and a histogram
  groqstream stats *.sse --json               for machines
  groqstream stats capture.sse --svg t.svg    the timeline as an SVG chart (timed captures)
  groqstream stats --sample --svg t.svg       the bundled sample's timeline

a timed capture of any stream, with no API key (the second command in another terminal):
  groqstream serve untimed.sse --rate 40
  groqstream chat x --base-url http://127.0.0.1:8000/v1 --record timed.sse
"""
_VALIDATE_EXAMPLES = """\
examples:
  groqstream validate capture.sse             every problem with its byte offset and event index
  groqstream validate *.sse --json            for machines; exit status 1 if any problem
  groqstream validate vllm.sse --strict       what groqstream reads leniently counts as a problem too
  groqstream validate *.sse --require-usage   a stream without token usage is a problem, not a note
"""
_CHAT_EXAMPLES = """\
examples:
  groqstream chat "Explain SSE in one sentence."
  groqstream chat "Hi" --model llama-3.1-8b-instant --system "Be brief." --record hi.sse
  groqstream replay hi.sse --realtime         play the recording back as it arrived
"""
_SERVE_EXAMPLES = """\
examples:
  groqstream serve answer.sse                      one capture, at its recorded pace, on 127.0.0.1:8000
  groqstream serve captures/*.sse --loop --speed 4 a playlist, again and again, four times faster
  groqstream serve *.sse --match request           the capture `chat --record` made for this request
  groqstream serve a.sse --fault "after=3,drop"    every request's connection dies in the 4th event
  curl -N localhost:8000/v1/chat/completions -d '{"model":"m","messages":[],"stream":true}'
  curl -N ... -H 'X-Groqstream-Fault: status=429,retry-after=1'    one request's fault
"""


def _version() -> str:
    from .. import __version__

    return __version__


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number: {text!r}")
    return value


def _positive_int(text: str) -> int:
    """A whole number of at least 1 (serve's --max-body and --max-connections)."""
    if not (text.isascii() and text.strip().isdigit()) or int(text) < 1:
        raise argparse.ArgumentTypeError(f"must be a positive whole number: {text!r}")
    return int(text)


def _parser() -> argparse.ArgumentParser:
    raw = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(
        prog="groqstream",
        description="Parse, replay, measure and check Groq / OpenAI-compatible chat-completion and Responses streams.",
        epilog=_REPLAY_EXAMPLES,
        formatter_class=raw,
    )
    parser.add_argument(
        "--version", action="version", version=f"groqstream {_version()} (Python {sys.version.split()[0]})"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    replay = commands.add_parser(
        "replay",
        help="play captured streams: text, events, chunks, JSON lines or the final completion (or Response)",
        description="Play captured streams (timed or not). With no FILE, the bundled sample. "
        "Exit 1 if a stream is malformed, truncated or reports an error (what came before is still printed).",
        epilog=_REPLAY_EXAMPLES,
        formatter_class=raw,
    )
    replay.add_argument(
        "files",
        nargs="*",
        metavar="FILE",
        help="captured streams; '-' or a pipe reads stdin (none: the bundled sample)",
    )
    replay.add_argument(
        "--format",
        choices=["text", "events", "chunks", "jsonl", "final"],
        default="text",
        help="text: the assistant text, then a summary (default); events: one line per SSE event; "
        "chunks: one line per typed chunk; jsonl: each chunk's JSON; final: the accumulated completion as JSON "
        "(for a Responses capture, the final Response)",
    )
    pace = replay.add_mutually_exclusive_group()
    pace.add_argument("--realtime", action="store_const", const=1.0, dest="speed", help="pace as recorded")
    pace.add_argument("--speed", type=_positive, metavar="X", help="pace at X times the recorded speed")
    replay.add_argument(
        "--raw", action="store_true", help="print the text exactly as sent (control characters are escaped by default)"
    )
    replay.add_argument(
        "--strict",
        action="store_true",
        help="enforce the schema: stop at the first departure groqstream would otherwise read (see validate --strict)",
    )
    replay.add_argument(
        "--rate",
        type=_positive,
        metavar="N",
        help="events per second when pacing an untimed capture with --realtime or --speed (default 20)",
    )
    replay.add_argument(
        "--sample", action="store_true", help="play the bundled sample, whatever stdin is (scripts and CI)"
    )
    replay.add_argument("--no-reasoning", action="store_true", help="text format: leave the reasoning out")
    replay.add_argument("--no-tool-calls", action="store_true", help="text format: leave the tool calls out")

    stats = commands.add_parser(
        "stats",
        help="measure captures: usage, timings, time to first output, gaps, an SVG timeline",
        description="Figures for each capture; timing figures need a timed capture.",
        epilog=_STATS_EXAMPLES,
        formatter_class=raw,
    )
    stats.add_argument("files", nargs="*", metavar="FILE", help="captured streams; '-' or a pipe reads stdin")
    stats.add_argument("--json", action="store_true", help="print JSON")
    stats.add_argument("--svg", metavar="OUT", help="write the timeline as a self-contained SVG chart")
    stats.add_argument("--sample", action="store_true", help="measure the bundled sample (a timed capture)")

    check = commands.add_parser(
        "validate",
        help="list every problem in captures, with byte offsets",
        description="Report every problem (exit 1) and note (exit 0) in each capture.",
        epilog=_VALIDATE_EXAMPLES,
        formatter_class=raw,
    )
    check.add_argument("files", nargs="*", metavar="FILE", help="captured streams; '-' or a pipe reads stdin")
    check.add_argument("--json", action="store_true", help="print JSON")
    check.add_argument(
        "--strict",
        action="store_true",
        help="report what groqstream reads leniently (an absent key, content parts, no [DONE] after every choice "
        "finished, ...) as problems, not notes: the schema Stream(strict=True) enforces",
    )
    check.add_argument(
        "--require-usage",
        action="store_true",
        help="a stream in which no chunk reports token usage is a problem (by default a note: a client must ask "
        "for usage, with stream_options.include_usage on most servers)",
    )
    check.add_argument("--sample", action="store_true", help="check the bundled sample")

    chat = commands.add_parser(
        "chat",
        help="ask Groq (or an OpenAI-compatible endpoint) and stream the answer",
        description="Stream a live answer to the terminal: the text as it arrives, then a summary with usage on "
        "stderr. The API key comes from GROQ_API_KEY (a server on this machine, such as groqstream serve, needs "
        "none); the endpoint from --base-url, GROQ_BASE_URL or Groq.",
        epilog=_CHAT_EXAMPLES,
        formatter_class=raw,
    )
    chat.add_argument("prompt", help="the user message")
    chat.add_argument("--model", default=DEFAULT_MODEL, help=f"the model (default: {DEFAULT_MODEL})")
    chat.add_argument("--system", metavar="TEXT", help="a system message")
    chat.add_argument(
        "--record",
        metavar="FILE",
        help="also save the answer as a timed capture in FILE; FILE is replaced only by a complete answer (a cut "
        "or interrupted one is left in FILE.partial)",
    )
    chat.add_argument(
        "--base-url",
        metavar="URL",
        help="the API root, e.g. http://localhost:8000/v1 (default: GROQ_BASE_URL, a host as for the SDK, or Groq's)",
    )
    chat.add_argument(
        "--raw",
        action="store_true",
        help="print the answer exactly as sent (control characters are escaped by default)",
    )
    chat.add_argument("--timeout", type=_positive, default=60.0, metavar="SECONDS", help="connect and read timeout")
    chat.add_argument("--no-reasoning", action="store_true", help="leave the reasoning out (shown as replay does)")
    chat.add_argument("--no-tool-calls", action="store_true", help="leave the tool calls out")
    serve = commands.add_parser(
        "serve",
        help="answer chat-completion and Responses requests with captures: a local endpoint for testing clients",
        description="Serve captures as a Groq/OpenAI-compatible endpoint (POST /openai/v1/chat/completions and "
        "/v1/chat/completions, GET /v1/models): each answer is a capture's bytes as recorded, event by event, at "
        "the recorded times. A request names a capture with the X-Groqstream-Capture header, and asks for a fault "
        "with X-Groqstream-Fault. The API key is ignored. Bounded for use in test suites: body size, open "
        "connections, idle time, time to send a request. The guide is docs/serve.md in the groqstream source "
        "(not in the wheel); "
        "`python -m pydoc groqstream.CaptureServer` shows the Python API.",
        epilog=_SERVE_EXAMPLES,
        formatter_class=raw,
    )
    serve.add_argument("captures", nargs="+", metavar="CAPTURE", help="capture files, served in this order")
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine only)"
    )
    serve.add_argument("--port", type=int, default=8000, help="port (default: 8000; 0 picks a free one)")
    serve.add_argument(
        "--match",
        choices=("order", "request"),
        default="order",
        help="order: each request gets the next capture (default); request: the one recorded for the request's "
        "model and messages",
    )
    serve.add_argument("--loop", action="store_true", help="start the playlist again after the last capture")
    serve.add_argument("--speed", type=_positive, default=1.0, help="replay timed captures N times faster")
    serve.add_argument("--no-delay", action="store_true", help="send every event at once (each still flushed alone)")
    serve.add_argument("--rate", type=_positive, metavar="EVENTS_PER_SECOND", help="pace of untimed captures")
    serve.add_argument(
        "--fault",
        metavar="SPEC",
        help="a fault for every request, e.g. 'status=503,retry-after=2', 'after=3,cut', 'cut-bytes=200', "
        "'after=2,stall=5', 'after=1,error', 'after=2,drop'; add 'times=N' for the first N requests only",
    )
    serve.add_argument(
        "--max-body", type=_positive_int, default=8 * 1024 * 1024, metavar="BYTES",
        help="largest request body read; a larger one gets 413 (default: 8 MiB)",
    )  # fmt: skip
    serve.add_argument(
        "--max-connections", type=_positive_int, default=256, metavar="N",
        help="connections served at once; past it a new one gets 503 (default: 256)",
    )  # fmt: skip
    serve.add_argument(
        "--idle-timeout", type=_positive, default=15.0, metavar="SECONDS",
        help="close a connection silent this long (default: 15)",
    )  # fmt: skip
    serve.add_argument(
        "--request-timeout", type=_positive, default=30.0, metavar="SECONDS",
        help="a request's head and body must arrive within this of its first byte, else 408 (default: 30)",
    )  # fmt: skip
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the command line.

    Args:
        argv: the arguments after the program name; ``None`` reads ``sys.argv``.

    Returns:
        The exit status (argparse exits with 2 by itself on usage errors).
    """
    parser = _parser()
    args = parser.parse_args(list(argv) if argv is not None else None)
    out, err = sys.stdout, sys.stderr
    if args.command is None:  # bare `groqstream`: what it can do
        parser.print_help(out)
        return 0
    from . import commands  # only now: --help and --version need none of it

    try:
        return commands.COMMANDS[args.command](args, out, err)
    except _UsageError as exc:
        commands._write(err, f"groqstream: error: {exc}\n")
        return 2
    except BrokenPipeError:
        # The reader went away (`| head`) somewhere _write does not see (stdout's last flush): stop
        # quietly, and keep Python from complaining again when it flushes stdout at exit.
        commands._stdout_gone()
        return 0
