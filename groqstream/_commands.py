"""What the ``groqstream`` commands do: ``replay``, ``stats``, ``validate`` and ``chat``, and their output.

Apart from ``_cli`` (the parser and ``main``) so that ``groqstream --help`` and ``--version`` load none of
this, nor the library's types: ``main`` imports this module only to run a command.
"""

from __future__ import annotations

import argparse
import io
import itertools
import json
import os
import stat
import sys
import tempfile
import time
from functools import partial
from typing import IO, Any, Callable, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple

from ._accumulate import (
    AccumulatorEvent,
    ChatCompletionAccumulator,
    ContentDelta,
    ReasoningDelta,
    ToolCallArgumentsDelta,
    ToolCallDone,
)
from ._capture import iter_timed_chunks
from ._cli import SAMPLE_PATH, _UsageError
from ._errors import GroqStreamError
from ._report import Finding, Stats, gap_histogram, not_a_stream, stats_of, timeline_svg, validate
from ._stream import Stream
from ._types import ChatCompletion

__all__ = ["COMMANDS"]


# --- output helpers ---------------------------------------------------------------


# Characters a capture could use to forge terminal output: C0 controls but TAB
# and LF (ESC starts escape sequences, CR rewrites the line), DEL, C1 controls
# (0x9B is CSI on some terminals) and the bidirectional overrides ("Trojan
# Source"). They are shown as \\uXXXX, which is also a valid escape inside JSON
# strings, so one table serves text and JSON output alike.
_UNSAFE = [
    *range(0x00, 0x09),
    *range(0x0B, 0x20),
    0x7F,
    *range(0x80, 0xA0),
    *range(0x202A, 0x202F),
    *range(0x2066, 0x206A),
]
_ESCAPES = {code: f"\\u{code:04x}" for code in _UNSAFE}


def _write(out: IO[str], text: str, *, raw: bool = False) -> None:
    """Write *text* with terminal control characters escaped (unless *raw*), whatever the terminal's encoding."""
    if not raw:
        text = text.translate(_ESCAPES)
    try:
        try:
            out.write(text)
        except UnicodeEncodeError:  # a terminal that cannot show a character, or a lone surrogate from JSON
            encoding = getattr(out, "encoding", None) or "utf-8"
            out.write(text.encode(encoding, "backslashreplace").decode(encoding))
    except BrokenPipeError:
        if out is not sys.stdout:
            raise
        _stdout_gone()


def _dumps(value: Any, indent: Optional[int] = None) -> str:
    return json.dumps(value, indent=indent, ensure_ascii=False)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _seconds(value: Optional[float]) -> str:
    if value is None:
        return "n/a"
    return f"{value * 1000:.1f} ms" if value < 1 else f"{value:.3f} s"


def _summary(chunks: int, completion: ChatCompletion) -> str:
    choice = next((c for c in completion.choices if c.index == 0), None)
    parts = [f"{chunks} chunks", f"finish_reason={(choice.finish_reason if choice else None) or 'none'}"]
    usage = completion.usage
    if usage is not None:
        parts.append(
            f"usage: {usage.prompt_tokens} prompt + {usage.completion_tokens} completion = {usage.total_tokens} tokens"
        )
    else:
        parts.append("usage: not reported")
    return "-- " + ", ".join(parts)


class _Progress:
    """A one-line progress bar on stderr, shown only when it is a terminal and there are several files."""

    def __init__(self, err: IO[str], total: int) -> None:
        isatty = getattr(err, "isatty", None)
        self.enabled = total > 1 and bool(isatty and isatty())
        self.err, self.total, self.done = err, total, 0

    def step(self) -> None:
        if self.enabled:
            self.done += 1
            filled = 30 * self.done // self.total
            self.err.write(f"\r[{'#' * filled}{' ' * (30 - filled)}] {self.done}/{self.total} files")
            self.err.flush()
            if self.done == self.total:
                self.err.write("\n")


def _stdin_is_input() -> bool:
    """True when stdin is a pipe, a socket or a regular file; a terminal or ``/dev/null`` is no input."""
    try:
        mode = os.fstat(sys.stdin.fileno()).st_mode
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):  # no stdin, or a test's stand-in
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISREG(mode) or stat.S_ISSOCK(mode)


def _inputs(files: Sequence[str], command: str) -> List[Optional[str]]:
    """The inputs to process: the FILEs; else stdin when something is piped in; else (replay) the sample."""
    if files:
        return list(files)
    if _stdin_is_input():
        return ["-"]
    if command == "replay":
        return [None]
    raise _UsageError(f"{command} needs a FILE, or a capture piped into stdin ('-')")


class _InputError(Exception):
    """One input cannot be processed (it is missing, or not an event stream); the others still are."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def _cannot_open(path: str, exc: OSError) -> _InputError:
    return _InputError(f"cannot open {path}: {exc.strerror or exc}", 2)


def _check_stream(data: bytes, name: str, *, complete: bool) -> None:
    """Raise ``_InputError`` when *data* (the start of input *name*) is recognisably not an event stream."""
    problem = not_a_stream(data, complete=complete)
    if problem is not None:
        if problem.startswith("empty") and name == "stdin":
            problem = (
                "empty input: nothing came in on stdin (the bundled sample plays with: groqstream replay --sample)"
            )
        raise _InputError(f"{name}: {problem}", 1)


def _read(path: str) -> bytes:
    """The whole input: a file, or stdin for '-'."""
    if path == "-":
        return sys.stdin.buffer.read()
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except OSError as exc:
        raise _cannot_open(path, exc) from None


def _open(path: str) -> IO[bytes]:
    """A binary file to stream from: the file, or stdin for '-' (read as it arrives, never slurped)."""
    if path == "-":
        return sys.stdin.buffer
    try:
        return open(path, "rb")
    except OSError as exc:
        raise _cannot_open(path, exc) from None


def _name(path: Optional[str]) -> str:
    return "the bundled sample" if path is None else ("stdin" if path == "-" else path)


def _each(paths: Sequence[Optional[str]], err: IO[str], process: Callable[[Optional[str]], int]) -> int:
    """Run *process* on every input; report each one that fails in one line; the worst exit status."""
    status = 0
    for path in paths:
        try:
            status = max(status, process(path))
        except _InputError as exc:
            _write(err, f"groqstream: error: {exc}\n")
            status = max(status, exc.status)
    return status


# --- output that may be closed under us --------------------------------------------------------

# Set once the reader of stdout went away (`| head`): output goes to /dev/null from then on, so a
# command still reads all its input and exits with the status it found, and pacing stops waiting.
_stdout_closed = False


def _stdout_gone() -> None:
    global _stdout_closed
    _stdout_closed = True
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def _flush(out: IO[str]) -> None:
    try:
        out.flush()
    except BrokenPipeError:
        _stdout_gone()


# --- replay -----------------------------------------------------------------------------


class _Pacer:
    """Sleep so that items come out at their recorded times (divided by *speed*), or at a steady *rate*."""

    def __init__(self, speed: Optional[float], rate: float, sleep: Callable[[float], None]) -> None:
        self.speed, self.rate, self.sleep = speed, rate, sleep
        self.start = time.monotonic()
        self.count = 0

    def wait(self, at: Optional[float]) -> None:
        if self.speed is None or _stdout_closed:  # nobody reads the output any more: no reason to wait
            return
        due = at / self.speed if at is not None else self.count / self.rate
        self.count += 1
        delay = self.start + due - time.monotonic()
        if delay > 0:
            self.sleep(delay)


_READ = 65536


def _replay_one(path: Optional[str], args: argparse.Namespace, out: IO[str], err: IO[str], finals: List[Any]) -> int:
    name = _name(path)
    source = _open(path if path is not None else SAMPLE_PATH)
    try:
        # The first block is looked at before anything is played, so an input that is no event stream
        # (gzip, HTML, a JSON body...) is named as such; stdin is read as it arrives (read1), files in blocks.
        read: Callable[[int], bytes] = getattr(source, "read1", source.read) if path == "-" else source.read
        first = read(_READ)
        _check_stream(first, name, complete=len(first) < _READ if path != "-" else not first)
        seen = [0]

        def blocks() -> Iterator[bytes]:
            for block in itertools.chain((first,), iter(partial(read, _READ), b"")):
                seen[0] += len(block)
                yield block

        def explain() -> None:
            """A stream that ended without one event: its first block was all of it, so say what it is."""
            if seen[0] == len(first):
                _check_stream(first, name, complete=True)

        return _play(blocks(), name, args, out, err, finals, explain)
    finally:
        if source is not sys.stdin.buffer:
            source.close()


class _TextOutput:
    """``replay``'s text format: the answer as it arrives, reasoning and tool calls set apart from it.

    On a terminal, reasoning and tool calls are dimmed; in a pipe they are prefixed (``[reasoning]``,
    ``[tool call]``) on lines of their own, so the answer's text is unchanged when there are none.
    """

    def __init__(self, out: IO[str], args: argparse.Namespace) -> None:
        self.out = out
        self.raw = args.raw
        self.reasoning = not args.no_reasoning
        self.tool_calls = not args.no_tool_calls
        isatty = getattr(out, "isatty", None)
        self.styled = bool(isatty and isatty())
        self.kind = "answer"  # what the last text written was
        self.at_line_start = True

    def _text(self, text: str) -> None:
        _write(self.out, text, raw=self.raw)
        self.at_line_start = text.endswith("\n")

    def _switch(self, kind: str, label: str) -> None:
        if kind == self.kind:
            return
        if self.kind != "answer" and self.styled:
            _write(self.out, "\x1b[0m", raw=True)
        if not self.at_line_start:
            self._text("\n")
        self.kind = kind
        if kind != "answer":
            if self.styled:
                _write(self.out, "\x1b[2m", raw=True)
            self._text(label)

    def event(self, event: AccumulatorEvent) -> None:
        if getattr(event, "index", 0) != 0:  # choice 0 only, as the summary
            return
        if isinstance(event, ContentDelta):
            self._switch("answer", "")
            self._text(event.delta)
        elif isinstance(event, ReasoningDelta) and self.reasoning:
            self._switch("reasoning", "[reasoning] ")
            self._text(event.delta)
        elif isinstance(event, ToolCallDone) and self.tool_calls:
            self._switch("tool", "")
            call = event.tool_call
            name, arguments = (
                (call.custom.name, call.custom.input) if call.custom else (call.function.name, call.function.arguments)
            )
            self._text(f"[tool call] {name}({arguments})\n")

    def end(self) -> None:
        self._switch("answer", "")
        if not self.at_line_start:
            self._text("\n")
        _flush(self.out)


def _play(
    source: Iterable[bytes],
    name: str,
    args: argparse.Namespace,
    out: IO[str],
    err: IO[str],
    finals: List[Any],
    explain: Callable[[], None],
) -> int:
    pacer = _Pacer(args.speed, args.rate, time.sleep)
    accumulator = ChatCompletionAccumulator()
    fmt = args.format
    text = _TextOutput(out, args) if fmt == "text" else None
    index = -1
    try:
        for index, item in enumerate(iter_timed_chunks(source, strict=args.strict)):
            pacer.wait(item.time)
            chunk = item.chunk
            events = accumulator.add(chunk) if chunk is not None else []
            if fmt == "events":
                event = item.event
                at = f"t={item.time:.6f} " if item.time is not None else ""
                _write(out, f"#{index} {at}event={event.event!r} id={event.id!r} data={event.data!r}\n")
                for happened in events:  # the tool calls' arguments as they grow, parsed as far as certain
                    if isinstance(happened, ToolCallArgumentsDelta):
                        name = f" {happened.name}" if happened.name else ""
                        partial = _dumps(happened.partial) if happened.partial is not None else "(nothing yet)"
                        _write(out, f"    tool call {happened.tool_index}{name} arguments so far: {partial}\n")
            elif chunk is None:
                continue
            elif fmt == "jsonl":
                _write(out, item.event.data + "\n", raw=args.raw)  # the payload as it came
            elif fmt == "chunks":
                at = f" t={item.time:.6f}" if item.time is not None else ""
                _write(out, f"#{accumulator.chunks - 1}{at} {chunk!r}\n")
            elif text is not None:
                for happened in events:
                    text.event(happened)
            _flush(out)
    except GroqStreamError as exc:
        if index < 0:
            explain()  # no event at all: an input that is no stream is named as such
        if fmt == "final":
            finals.append(accumulator.completion.to_dict())  # what arrived before the fault is not lost
        elif text is not None:
            text.end()
        _write(err, f"groqstream: error in {name}: {exc}\n")
        return 1
    if fmt == "final":
        finals.append(accumulator.completion.to_dict())
    elif text is not None:
        text.end()
        _write(err, _summary(accumulator.chunks, accumulator.completion) + "\n")
    return 0


def _replay(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    if args.rate is not None and args.speed is None:
        raise _UsageError("--rate paces an untimed capture: give --realtime or --speed too")
    args.rate = args.rate or 20.0
    if args.sample and args.files:
        raise _UsageError("--sample plays the bundled sample: give it without FILE")
    paths: List[Optional[str]] = [None] if args.sample else _inputs(args.files, "replay")
    progress = _Progress(err, len(paths))
    finals: List[Any] = []

    def play(path: Optional[str]) -> int:
        try:
            if len(paths) > 1 and args.format in ("text", "events", "chunks"):
                _write(out, f"==> {_name(path)} <==\n")
            return _replay_one(path, args, out, err, finals)
        finally:
            progress.step()

    status = _each(paths, err, play)
    if args.format == "final" and finals:  # nothing at all when no input could be read
        _write(out, _dumps(finals[0] if len(paths) == 1 else finals, indent=2) + "\n")
    return status


# --- stats --------------------------------------------------------------------------------


def _stats_text(name: str, stats: Any) -> List[str]:
    lines = [f"{name}:"]
    row = "  {:<22} {}".format
    lines.append(row("chunks / events", f"{stats.chunks} / {stats.events} ({stats.bytes} bytes)"))
    lines.append(row("content / reasoning", f"{stats.content_chars} / {stats.reasoning_chars} characters"))
    kinds = f"{stats.text_chunks} text, {stats.reasoning_chunks} reasoning, {stats.tool_call_chunks} tool call"
    lines.append(row("chunks with output", kinds))
    lines.append(row("finish reason", stats.finish_reason or "none"))
    if stats.total_tokens is not None:
        tokens = f"{stats.prompt_tokens} prompt + {stats.completion_tokens} completion = {stats.total_tokens}"
        lines.append(row("tokens", tokens))
        groq = f"queue {_seconds(stats.queue_time)}, prompt {_seconds(stats.prompt_time)}, "
        lines.append(row("Groq's timings", groq + f"completion {_seconds(stats.completion_time)}"))
    else:
        lines.append(row("tokens", "not reported"))
    if stats.timed:
        lines.append(row("time to first output", _seconds(stats.time_to_first_token)))
        lines.append(row("total time", _seconds(stats.total_time)))
        if stats.tokens_per_second is not None:
            lines.append(row("tokens per second", f"{stats.tokens_per_second:.1f} (completion tokens from usage)"))
        else:
            lines.append(row("tokens per second", "n/a (the stream reports no usage)"))
        cps = f"{stats.chunks_per_second:.1f}" if stats.chunks_per_second is not None else "n/a"
        lines.append(row("chunks per second", cps))
        gaps = ", ".join(
            f"{label} {_seconds(value)}"
            for label, value in (
                ("p50", stats.gap_p50),
                ("p90", stats.gap_p90),
                ("p99", stats.gap_p99),
                ("max", stats.gap_max),
            )
        )
        lines.append(row("gaps between chunks", gaps))
        if stats.gaps:
            lines += ["    " + line for line in gap_histogram(stats.gaps)]
    else:
        lines.append(row("timing", "n/a (untimed capture: record with `groqstream chat --record`)"))
    if stats.error:
        lines.append(row("ended with", stats.error))
    return lines


def _stats(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    paths = _inputs(args.files, "stats")
    if args.svg and len(paths) != 1:
        raise _UsageError("--svg draws one capture: give exactly one FILE")
    results: List[Tuple[str, Stats]] = []

    def measure(path: Optional[str]) -> int:
        assert path is not None
        data = _read(path)
        _check_stream(data, _name(path), complete=True)
        stats = stats_of(data)
        results.append((path, stats))
        if not args.json:
            _write(out, "\n".join(_stats_text(_name(path), stats)) + "\n")
        return 1 if stats.error else 0

    status = _each(paths, err, measure)
    if args.json:
        _write(out, _dumps([{"file": _name(p), **s.to_json()} for p, s in results], indent=2) + "\n")
    if args.svg and results:
        path, stats = results[0]
        if not stats.timed:
            raise _UsageError(f"{_name(path)} is not a timed capture: no timeline to draw (record with chat --record)")
        try:
            with open(args.svg, "w", encoding="utf-8") as fh:
                fh.write(timeline_svg(stats, f"groqstream: {os.path.basename(_name(path))}"))
        except OSError as exc:
            raise _UsageError(f"cannot write {args.svg}: {exc.strerror or exc}") from None
    return status


# --- validate --------------------------------------------------------------------------------


# Findings of one kind listed per file before the rest of that kind are counted in one line.
_SHOWN_PER_CODE = 10


def _validate(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    reports: List[Tuple[str, List[Finding]]] = []

    def check(path: Optional[str]) -> int:
        assert path is not None
        data = _read(path)
        problem = not_a_stream(data, complete=True)
        if problem is not None:
            findings = [Finding("problem", "not-an-event-stream", problem, 0, None)]
        else:
            findings = validate(data, strict=args.strict)
        reports.append((path, findings))
        if not args.json:
            _print_findings(out, _name(path), findings)
        return 1 if any(f.severity == "problem" for f in findings) else 0

    status = _each(_inputs(args.files, "validate"), err, check)
    if args.json:
        payload = [
            {
                "file": _name(path),
                "problems": sum(f.severity == "problem" for f in findings),
                "notes": sum(f.severity == "note" for f in findings),
                "findings": [f.to_json() for f in findings],
            }
            for path, findings in reports
        ]
        _write(out, _dumps(payload, indent=2) + "\n")
    return status


def _print_findings(out: IO[str], name: str, findings: List[Finding]) -> None:
    problems = sum(f.severity == "problem" for f in findings)
    notes = len(findings) - problems
    _write(out, f"{name}: {_count(problems, 'problem') if problems else 'clean'}, {_count(notes, 'note')}\n")
    shown: Dict[str, int] = {}
    for f in findings:
        shown[f.code] = shown.get(f.code, 0) + 1
        if shown[f.code] > _SHOWN_PER_CODE:
            continue
        where = ", ".join(
            part
            for part in (
                f"event {f.event_index}" if f.event_index is not None else "",
                f"byte {f.offset}" if f.offset is not None else "",
            )
            if part
        )
        _write(out, f"  {f.severity:<8} {f.code:<19} {where + ': ' if where else ''}{f.message}\n")
    for code, count in shown.items():
        if count > _SHOWN_PER_CODE:
            _write(
                out, f"  {'':<8} {code:<19} ... and {count - _SHOWN_PER_CODE} more of this kind (--json lists them)\n"
            )


# --- chat ------------------------------------------------------------------------------------


def _chat(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    from ._client import Client  # http.client and ssl: only for the command that talks to a server

    messages = [{"role": "system", "content": args.system}] if args.system else []
    messages.append({"role": "user", "content": args.prompt})
    # --record writes beside FILE and renames only once the stream started: a failed
    # request (401, DNS...) leaves an existing FILE as it was, and no empty file behind.
    capture = _open_beside(args.record) if args.record else None
    started = False
    try:
        with Client(base_url=args.base_url, timeout=args.timeout) as client:
            try:
                stream = client.chat_stream(model=args.model, messages=messages, capture=capture)
            except GroqStreamError as exc:
                _write(err, f"groqstream: error: {exc}\n")
                return 1
            started = True
            return _print_stream(stream, client.base_url, out, err, args)
    finally:
        if capture is not None:
            capture.close()
            if started:
                _keep_mode(capture.name, args.record)
                os.replace(capture.name, args.record)
            else:
                os.unlink(capture.name)


def _open_beside(path: str) -> IO[bytes]:
    """A new temporary file in *path*'s folder (so the final rename stays on one file system)."""
    folder, name = os.path.split(os.path.abspath(path))
    try:
        if os.path.isdir(path):
            raise IsADirectoryError(21, "Is a directory")
        return tempfile.NamedTemporaryFile(prefix=f".{name}.", suffix=".part", dir=folder, delete=False)
    except OSError as exc:
        raise _UsageError(f"cannot write {path}: {exc.strerror or exc}") from None


def _keep_mode(temporary: str, path: str) -> None:
    """Give the temporary file the mode FILE has, or a new file's (temporary files are private to their owner)."""
    try:
        mode = os.stat(path).st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    os.chmod(temporary, mode)


def _print_stream(stream: Stream, base_url: str, out: IO[str], err: IO[str], args: argparse.Namespace) -> int:
    """Print choice 0 as it arrives, as replay's text format does (reasoning and tool calls set apart), then the
    summary; 1 when the stream ended in an error."""
    text = _TextOutput(out, args)
    events = ChatCompletionAccumulator()  # the stream keeps its own; this one gives the events to print
    with stream:
        try:
            for chunk in stream:
                for happened in events.add(chunk):
                    text.event(happened)
                _flush(out)
            completion = stream.final_completion()
        except GroqStreamError as exc:
            text.end()
            _write(err, f"groqstream: error in the response from {base_url}: {exc}\n")
            return 1
    text.end()
    _write(err, _summary(stream.chunks_received, completion) + "\n")
    return 0


# --- the parser ---------------------------------------------------------------------------------


def _serve(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    from ._serve import Fault, run  # only for serve: http.server is not small

    if args.fault is not None:
        try:
            Fault.parse(args.fault)
        except ValueError as exc:
            raise _UsageError(f"--fault: {exc}") from None
    return run(args, out, err)


COMMANDS = {"replay": _replay, "stats": _stats, "validate": _validate, "chat": _chat, "serve": _serve}
"""Each command's function: ``(args, stdout, stderr) -> exit status``."""
