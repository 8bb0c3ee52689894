"""What the ``groqstream`` commands do: ``replay``, ``stats``, ``validate`` and ``chat``, and their output.

Apart from ``_cli`` (the parser and ``main``) so that ``groqstream --help`` and ``--version`` load none of
this, nor the library's types: ``main`` imports this module only to run a command.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import itertools
import json
import os
import signal
import stat
import sys
import time
from functools import partial
from typing import IO, Any, Callable, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple, cast

from ..core.accumulate import (
    AccumulatorEvent,
    ChatCompletionAccumulator,
    ContentDelta,
    ReasoningDelta,
    ToolCallArgumentsDelta,
    ToolCallDone,
)
from ..core.errors import GroqStreamError
from ..core.errors import count as count_of
from ..core.stream import Stream
from ..types import ChatCompletion
from .capture import RESPONSES, capture_format, iter_timed_chunks, iter_timed_responses
from .cli import SAMPLE_PATH, _UsageError
from .report import (
    Finding,
    Stats,
    gap_histogram,
    not_a_stream,
    response_reasoning_tokens,
    stats_of,
    timeline_svg,
    validate,
)

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


def _tokens(
    prompt: Optional[int],
    completion: Optional[int],
    total: Optional[int],
    reasoning: Optional[int],
    *,
    names: Tuple[str, str] = ("prompt", "completion"),
) -> str:
    """Usage as a sum that adds up: reasoning tokens are shown beside completion tokens or within them, as the
    server counted them (xAI leaves them out of ``completion_tokens``; OpenAI and DeepSeek count them in).
    *names*: the two counts' names (a Responses usage says input and output)."""
    text = f"{prompt} {names[0]} + {completion} {names[1]}"
    if reasoning:
        if prompt is not None and completion is not None and prompt + completion + reasoning == total:
            text += f" + {reasoning} reasoning"
        else:
            text += f" ({reasoning} of them reasoning)"
    return f"{text} = {total}"


def _summary(chunks: int, completion: ChatCompletion) -> str:
    choice = next((c for c in completion.choices if c.index == 0), None)
    parts = [count_of(chunks, "chunk"), f"finish_reason={(choice.finish_reason if choice else None) or 'none'}"]
    usage = completion.usage
    if usage is not None:
        details = usage.completion_tokens_details
        reasoning = details.reasoning_tokens if details is not None else None
        tokens = _tokens(usage.prompt_tokens, usage.completion_tokens, usage.total_tokens, reasoning)
        parts.append(f"usage: {tokens} tokens")
    else:
        parts.append("usage: not reported")
    return "-- " + ", ".join(parts)


class _Progress:
    """A one-line progress bar on stderr, shown only when it is a terminal and there are several files.

    On a terminal stdout and stderr share the screen: the bar is drawn after a file's output and erased before
    the next file's (its ``==> FILE <==`` header, its errors), so nothing is ever written after it on its line.
    """

    def __init__(self, out: IO[str], err: IO[str], total: int) -> None:
        isatty = getattr(err, "isatty", None)
        self.enabled = total > 1 and bool(isatty and isatty())
        self.out, self.err, self.total, self.done = out, err, total, 0
        self.shown = 0  # the width of the bar on the screen now (0: none)

    def step(self) -> None:
        """One more file done: draw the bar (on a line of its own once every file is done)."""
        if self.enabled:
            self.done += 1
            filled = 30 * self.done // self.total
            bar = f"[{'#' * filled}{' ' * (30 - filled)}] {self.done}/{self.total} files"
            _flush(self.out)  # what the file printed goes first, above the bar
            self.err.write("\r" + bar)
            self.shown = len(bar)
            if self.done == self.total:
                self.err.write("\n")
                self.shown = 0
            self.err.flush()

    def clear(self) -> None:
        """Erase the bar, so that the next output starts on an empty line (spaces: any terminal understands)."""
        if self.enabled and self.shown:
            self.err.write("\r" + " " * self.shown + "\r")
            self.err.flush()
            self.shown = 0


def _stdin_is_input() -> bool:
    """True when stdin is a pipe, a socket or a regular file; a terminal or ``/dev/null`` is no input."""
    try:
        mode = os.fstat(sys.stdin.fileno()).st_mode
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):  # no stdin, or a test's stand-in
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISREG(mode) or stat.S_ISSOCK(mode)


def _sample_or_inputs(args: argparse.Namespace, command: str) -> List[Optional[str]]:
    """``[None]`` (the bundled sample) for ``--sample``, else the inputs as ``_inputs`` finds them."""
    if args.sample:
        if args.files:
            raise _UsageError("--sample reads the bundled sample: give it without FILE")
        return [None]
    return _inputs(args.files, command)


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


def _read(path: Optional[str]) -> bytes:
    """The whole input: a file, stdin for '-', the bundled sample for ``None``."""
    if path == "-":
        return sys.stdin.buffer.read()
    try:
        with open(path if path is not None else SAMPLE_PATH, "rb") as fh:
            return fh.read()
    except OSError as exc:
        raise _cannot_open(_name(path), exc) from None


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


def _each(
    paths: Sequence[Optional[str]],
    err: IO[str],
    process: Callable[[Optional[str]], int],
    progress: Optional[_Progress] = None,
) -> int:
    """Run *process* on every input; report each one that fails in one line; the worst exit status."""
    status = 0
    for path in paths:
        if progress is not None:
            progress.clear()
        try:
            status = max(status, process(path))
        except _InputError as exc:
            _write(err, f"groqstream: error: {exc}\n")
            status = max(status, exc.status)
        if progress is not None:
            progress.step()
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

        return _play(blocks(), name, args, out, err, finals, explain, capture_format(first))
    finally:
        if source is not sys.stdin.buffer:
            source.close()


class _TextOutput:
    """``replay``'s text format: the answer as it arrives, reasoning and tool calls set apart from it.

    On a terminal, reasoning and tool calls are dimmed; in a pipe they are prefixed (``[reasoning]``,
    ``[tool call]``) on lines of their own, so the answer's text is unchanged when there are none.
    """

    def __init__(self, out: IO[str], args: argparse.Namespace, *, every_index: bool = False) -> None:
        self.out = out
        self.every_index = every_index  # a Responses stream: index is the item's output_index, all of one answer
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
        if getattr(event, "index", 0) != 0 and not self.every_index:  # chat: choice 0 only, as the summary
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


class _ChatReplay:
    """What ``replay`` does that depends on the format: chat captures (chunks, ``final_completion``'s JSON)."""

    items = staticmethod(iter_timed_chunks)

    def __init__(self) -> None:
        self.accumulator = ChatCompletionAccumulator()

    def count(self) -> int:
        return self.accumulator.chunks

    def final(self) -> Dict[str, Any]:
        return self.accumulator.completion.to_dict()

    def summary(self) -> str:
        return _summary(self.accumulator.chunks, self.accumulator.completion)


class _ResponsesReplay:
    """The same for Responses captures: typed events, the final ``Response``'s JSON, its status and usage."""

    items = staticmethod(iter_timed_responses)

    def __init__(self) -> None:
        from ..core.responses import ResponseAccumulator

        self.accumulator = ResponseAccumulator()

    def count(self) -> int:
        return self.accumulator.events_added

    def final(self) -> Dict[str, Any]:
        try:
            return self.accumulator.response.to_dict()
        except GroqStreamError:  # a snapshot that is no Response: what arrived is told by the error
            return {}

    def summary(self) -> str:
        return _response_summary(self.accumulator.events_added, self.accumulator.response)


def _response_summary(events: int, response: Any) -> str:
    """``replay``'s closing line for a Responses stream: events, the response's status, its usage."""
    status = response.status or "none"
    details = response.incomplete_details
    if details is not None and details.reason:
        status += f" ({details.reason})"
    parts = [count_of(events, "event"), f"status={status}"]
    usage = response.usage
    if usage is not None:
        reasoning = response_reasoning_tokens(usage)
        tokens = _tokens(
            usage.input_tokens, usage.output_tokens, usage.total_tokens, reasoning, names=("input", "output")
        )
        parts.append(f"usage: {tokens} tokens")
    else:
        parts.append("usage: not reported")
    return "-- " + ", ".join(parts)


def _play(
    source: Iterable[bytes],
    name: str,
    args: argparse.Namespace,
    out: IO[str],
    err: IO[str],
    finals: List[Any],
    explain: Callable[[], None],
    wire_format: str = "chat",
) -> int:
    pacer = _Pacer(args.speed, args.rate, time.sleep)
    replay: Any = _ResponsesReplay() if wire_format == RESPONSES else _ChatReplay()
    accumulator = replay.accumulator
    fmt = args.format
    text = _TextOutput(out, args, every_index=wire_format == RESPONSES) if fmt == "text" else None
    index = -1
    try:
        for index, item in enumerate(replay.items(source, strict=args.strict)):
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
                _write(out, f"#{replay.count() - 1}{at} {chunk!r}\n")
            elif text is not None:
                for happened in events:
                    text.event(happened)
            _flush(out)
    except GroqStreamError as exc:
        if index < 0:
            explain()  # no event at all: an input that is no stream is named as such
        if fmt == "final":
            finals.append(replay.final())  # what arrived before the fault is not lost
        elif text is not None:
            text.end()
        _write(err, f"groqstream: error in {name}: {exc}\n")
        return 1
    if fmt == "final":
        finals.append(replay.final())
    elif text is not None:
        text.end()
        _write(err, replay.summary() + "\n")
    return 0


def _replay(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    if args.rate is not None and args.speed is None:
        raise _UsageError("--rate paces an untimed capture: give --realtime or --speed too")
    args.rate = args.rate or 20.0
    if args.sample and args.files:
        raise _UsageError("--sample plays the bundled sample: give it without FILE")
    paths: List[Optional[str]] = [None] if args.sample else _inputs(args.files, "replay")
    finals: List[Any] = []

    def play(path: Optional[str]) -> int:
        if len(paths) > 1 and args.format in ("text", "events", "chunks"):
            _write(out, f"==> {_name(path)} <==\n")
        return _replay_one(path, args, out, err, finals)

    status = _each(paths, err, play, _Progress(out, err, len(paths)))
    if args.format == "final" and finals:  # nothing at all when no input could be read
        _write(out, _dumps(finals[0] if len(paths) == 1 else finals, indent=2) + "\n")
    return status


# --- stats --------------------------------------------------------------------------------


# How to get a timed capture, for the messages about untimed ones (docs/capture-format.md has the recipe).
_TIME_IT = "record one with chat --record; any capture can be timed through serve --rate, see stats --help"


def _stats_text(name: str, stats: Any) -> List[str]:
    lines = [f"{name}:"]
    row = "  {:<22} {}".format
    # A Responses capture says the same in its own words: typed events for chunks, status for finish reason.
    responses = stats.format == "responses"
    unit = "events" if responses else "chunks"
    if responses:
        lines.append(row("format", "Responses API events"))
        lines.append(row("events / SSE events", f"{stats.chunks} / {stats.events} ({stats.bytes} bytes)"))
    else:
        lines.append(row("chunks / events", f"{stats.chunks} / {stats.events} ({stats.bytes} bytes)"))
    if stats.choices > 1:  # n > 1: what follows about the output is choice 0's, and says so
        lines.append(
            row("choices", f"{stats.choices}: output figures below are choice 0's; chunks and tokens count all")
        )
    lines.append(row("content / reasoning", f"{stats.content_chars} / {stats.reasoning_chars} characters"))
    kinds = f"{stats.text_chunks} text, {stats.reasoning_chunks} reasoning, {stats.tool_call_chunks} tool call"
    lines.append(row(f"{unit} with output", kinds))
    lines.append(row("status" if responses else "finish reason", stats.finish_reason or "none"))
    if stats.total_tokens is not None:
        names = ("input", "output") if responses else ("prompt", "completion")
        tokens = _tokens(
            stats.prompt_tokens, stats.completion_tokens, stats.total_tokens, stats.reasoning_tokens, names=names
        )
        lines.append(row("tokens", tokens))
    else:
        lines.append(row("tokens", "not reported"))
    if (stats.queue_time, stats.prompt_time, stats.completion_time) != (None, None, None):  # Groq's usage only
        groq = f"queue {_seconds(stats.queue_time)}, prompt {_seconds(stats.prompt_time)}, "
        lines.append(row("Groq's timings", groq + f"completion {_seconds(stats.completion_time)}"))
    if stats.timed:
        lines.append(row("time to first output", _seconds(stats.time_to_first_output)))
        lines.append(row("total time", _seconds(stats.total_time)))
        if stats.tokens_per_second is not None:
            source = "output tokens from the response's usage" if responses else "completion tokens from usage"
            lines.append(row("tokens per second", f"{stats.tokens_per_second:.1f} ({source})"))
        else:
            lines.append(row("tokens per second", "n/a (the stream reports no usage)"))
        cps = f"{stats.chunks_per_second:.1f}" if stats.chunks_per_second is not None else "n/a"
        lines.append(row(f"{unit} per second", cps))
        gaps = ", ".join(
            f"{label} {_seconds(value)}"
            for label, value in (
                ("p50", stats.gap_p50),
                ("p90", stats.gap_p90),
                ("p99", stats.gap_p99),
                ("max", stats.gap_max),
            )
        )
        lines.append(row(f"gaps between {unit}", gaps))
        if stats.gaps:
            lines += ["    " + line for line in gap_histogram(stats.gaps)]
    else:
        lines.append(row("timing", f"n/a (untimed capture: {_TIME_IT})"))
    if stats.error:
        lines.append(row("ended with", stats.error))
    return lines


def _stats(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    paths = _sample_or_inputs(args, "stats")
    if args.svg and len(paths) != 1:
        raise _UsageError("--svg draws one capture: give exactly one FILE")
    results: List[Tuple[Optional[str], Stats]] = []

    def measure(path: Optional[str]) -> int:
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
            raise _UsageError(f"{_name(path)} is not a timed capture: no timeline to draw ({_TIME_IT})")
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
    reports: List[Tuple[Optional[str], List[Finding]]] = []

    def check(path: Optional[str]) -> int:
        data = _read(path)
        problem = not_a_stream(data, complete=True)
        if problem is not None:
            findings = [Finding("problem", "not-an-event-stream", problem, 0, None)]
        else:
            findings = validate(data, strict=args.strict, require_usage=args.require_usage)
        reports.append((path, findings))
        if not args.json:
            _print_findings(out, _name(path), findings)
        return 1 if any(f.severity == "problem" for f in findings) else 0

    status = _each(_sample_or_inputs(args, "validate"), err, check)
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
    from ..client.sanitize import redact_url
    from ..client.sync_client import Client  # http.client and ssl: only for the command that talks to a server

    messages = [{"role": "system", "content": args.system}] if args.system else []
    messages.append({"role": "user", "content": args.prompt})
    recording = _Recording(args.record) if args.record else None
    try:
        client = Client(base_url=args.base_url, timeout=args.timeout)
    except ValueError as exc:  # a key or URL the client refuses (a key read with its newline): never shown
        raise _UsageError(str(exc)) from None
    with client:
        if not client.api_key and not _on_this_machine(client.base_url):
            # Said before anything is sent: without a key, Groq answers 401 (and a mistyped host fails on DNS).
            raise _UsageError(
                f"GROQ_API_KEY is not set: chat needs an API key to ask {_host(client.base_url)} "
                "(a server on this machine needs none, e.g. groqstream serve: --base-url http://127.0.0.1:8000/v1)"
            )
        status = 1
        try:
            with _signals_interrupt():
                try:
                    capture = cast(IO[bytes], recording)  # CaptureWriter only writes and flushes its file
                    stream = client.chat_stream(model=args.model, messages=messages, capture=capture)
                except GroqStreamError as exc:
                    _write(err, f"groqstream: error: {exc}\n")
                    return 1
                status = _print_stream(stream, redact_url(client.base_url), out, err, args)
                return status
        except _Interrupted as exc:
            kept = recording.keep(complete=False) if recording is not None else ""
            _write(err, f"groqstream: interrupted ({exc.name}){kept}\n")
            return 128 + exc.signum
        finally:
            if recording is not None and not recording.kept:
                said = recording.keep(complete=status == 0)
                if said:
                    _write(err, f"groqstream: {said.lstrip('; ')}\n")


def _host(url: str) -> str:
    """The host of *url*, without credentials, port or query (for messages)."""
    from urllib.parse import urlsplit

    try:
        return urlsplit(url).hostname or "the server"
    except ValueError:
        return "the server"


def _on_this_machine(url: str) -> bool:
    """True when *url* names this machine (localhost, 127.0.0.0/8, ::1): a local server, which needs no key."""
    import ipaddress

    host = _host(url)
    if host == "localhost" or host.endswith(".localhost"):  # RFC 6761: always this machine
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _Interrupted(BaseException):
    """A signal asked the command to stop (SIGINT, SIGTERM, SIGHUP): raised where the command is, to clean up.

    A ``BaseException``, as ``KeyboardInterrupt`` is: no ``except Exception`` on the way (the client's
    connection-error handling) may turn it into an ordinary error.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum
        self.name = signal.Signals(signum).name


@contextlib.contextmanager
def _signals_interrupt() -> Iterator[None]:
    """Turn Ctrl-C, SIGTERM (``kill``, CI, docker) and SIGHUP (the terminal closed) into ``_Interrupted``.

    Their default is to end the process on the spot, leaving the capture half written and unnamed; raised
    as an exception, they unwind through ``chat``, which puts the partial capture where it says.
    """

    def interrupt(signum: int, frame: Any) -> None:
        raise _Interrupted(signum)

    previous: Dict[int, Any] = {}
    for name in ("SIGINT", "SIGTERM", "SIGHUP"):
        signum = getattr(signal, name, None)
        if signum is None:  # no SIGHUP on Windows
            continue
        try:
            if name == "SIGINT" and signal.getsignal(signum) is not signal.default_int_handler:
                continue  # SIGINT ignored (a background job of a script) stays ignored
            previous[signum] = signal.signal(signum, interrupt)
        except ValueError:  # not the main thread (main() called from a thread): signals stay as they are
            break
    try:
        yield
    except KeyboardInterrupt:  # a Ctrl-C that arrived before our handler was in place
        raise _Interrupted(signal.SIGINT) from None
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


class _Recording:
    """The file ``chat --record FILE`` writes: ``FILE.partial`` while the answer arrives, renamed to FILE only
    once the stream is complete.

    So FILE is never replaced by a partial capture: after a failure, an interruption, even ``kill -9``, what
    came is in ``FILE.partial`` (a capture like any other, its tail as received). The file is opened at the
    first byte of the answer, so a request that fails (401, DNS, a refused connection) leaves nothing behind.
    """

    def __init__(self, path: str) -> None:
        folder = os.path.dirname(os.path.abspath(path))
        if os.path.isdir(path) or not os.path.isdir(folder) or not os.access(folder, os.W_OK):
            reason = "is a directory" if os.path.isdir(path) else "its folder is missing or not writable"
            raise _UsageError(f"cannot write {path}: {reason}")
        self.path = path
        self.partial = path + ".partial"
        self.kept = False
        self.failed = False  # a write failed: the capture is incomplete, and the user was told once
        self._file: Optional[IO[bytes]] = None

    def write(self, data: bytes) -> int:
        """Write to ``FILE.partial``, opened (truncated) on the first call.

        Raises:
            _UsageError: the file cannot be opened or written (a full disk...): once; later writes (the
                capture's tail, as the stream closes) are dropped, so the one error is what the user sees.
        """
        if self.failed:
            return len(data)
        try:
            if self._file is None:
                self._file = open(self.partial, "wb")  # noqa: SIM115 - open across calls; closed by keep()
            return self._file.write(data)
        except OSError as exc:
            self.failed = True
            raise _UsageError(f"cannot write {self.partial}: {exc.strerror or exc}") from None

    def flush(self) -> None:
        """Flush what was written (CaptureWriter flushes at the end of the stream)."""
        if self._file is not None:
            self._file.flush()

    def keep(self, *, complete: bool) -> str:
        """Close; a complete capture replaces FILE, a partial one stays beside it. Returns what to tell the user
        (``""`` when there is nothing to say), starting with ``"; "``."""
        self.kept = True
        if self._file is None:
            return ""  # no answer came (or FILE.partial could not be opened): nothing to say
        with contextlib.suppress(OSError):  # a failed write was reported already; what was written stays
            self._file.close()
        if complete and not self.failed:
            _keep_mode(self.partial, self.path)
            os.replace(self.partial, self.path)
            return ""
        left = "was left as it was" if os.path.exists(self.path) else "was not written"
        return f"; the answer is not complete: the partial capture is in {self.partial} ({self.path} {left})"


def _keep_mode(temporary: str, path: str) -> None:
    """Give the new capture the mode FILE has, so replacing FILE does not change who may read it."""
    try:
        mode = os.stat(path).st_mode & 0o777
    except OSError:
        return  # no FILE yet: the new file's mode (0o666 less the umask) is right
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
        except BaseException:  # interrupted, or the capture cannot be written: stopped all the same
            text.end()  # the line ended and the terminal's style reset before the message
            raise
    text.end()
    _write(err, _summary(stream.chunks_received, completion) + "\n")
    return 0


# --- the parser ---------------------------------------------------------------------------------


def _serve(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    from .server import Fault, run  # only for serve: http.server is not small

    if args.fault is not None:
        try:
            Fault.parse(args.fault)
        except ValueError as exc:
            raise _UsageError(f"--fault: {exc}") from None
    return run(args, out, err)


COMMANDS = {"replay": _replay, "stats": _stats, "validate": _validate, "chat": _chat, "serve": _serve}
"""Each command's function: ``(args, stdout, stderr) -> exit status``."""
