"""What the ``stats`` and ``validate`` commands compute from a capture, and the SVG timeline.

Kept apart from the CLI so it can be tested directly; it reads captures with
the same decoders as everything else (``CaptureDecoder``, ``ChunkDecoder``)
and never parses SSE itself.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import asdict, dataclass, field
from typing import Any, Dict, Iterator, List, Optional, Sequence, Set, Tuple
from xml.sax.saxutils import escape

from ..core.accumulate import ContentDelta, ReasoningDelta, ToolCallArgumentsDelta
from ..core.chunks import ChunkDecoder, is_done
from ..core.errors import ChunkDecodeError, GroqStreamError, StreamAPIError, snippet
from ..core.sniff import not_a_stream  # shared with Stream: the CLI and the library name a non-stream alike
from ..core.sse import ServerSentEvent
from ..types import ChatCompletionChunk, WireObject
from ..types.wire import UNTERMINATED_DONE, deviation_key
from .capture import RESPONSES, CaptureDecoder, TimedEvent, capture_format, iter_timed_chunks, iter_timed_responses

__all__ = ["Finding", "Stats", "gap_histogram", "not_a_stream", "stats_of", "timeline_svg", "validate"]

_BOM = b"\xef\xbb\xbf"
# A file of garbage could yield a finding per byte; past this many the rest are counted, not listed.
MAX_FINDINGS = 1000


# --- stats ---------------------------------------------------------------------------


@dataclass
class Stats:
    """Figures for one capture. Times are ``None`` for untimed captures.

    Tokens come from the usage the stream reports; what groqstream counts itself is chunks (a chunk may
    hold several tokens), and is called so.
    """

    chunks: int = 0
    events: int = 0
    bytes: int = 0
    choices: int = 0
    """How many choices the stream carried (n > 1 requests); the output figures are choice 0's."""
    content_chars: int = 0
    reasoning_chars: int = 0
    text_chunks: int = 0
    """Chunks of choice 0 with answer text."""
    reasoning_chunks: int = 0
    """Chunks of choice 0 with reasoning."""
    tool_call_chunks: int = 0
    """Chunks of choice 0 with a tool-call fragment."""
    finish_reason: Optional[str] = None
    prompt_tokens: Optional[int] = None
    completion_tokens: Optional[int] = None
    total_tokens: Optional[int] = None
    reasoning_tokens: Optional[int] = None
    """``completion_tokens_details.reasoning_tokens``: within ``completion_tokens`` for OpenAI and DeepSeek,
    beside them for xAI (prompt + completion + reasoning = total)."""
    queue_time: Optional[float] = None
    """Groq's usage only, as ``prompt_time`` and ``completion_time``."""
    prompt_time: Optional[float] = None
    completion_time: Optional[float] = None
    timed: bool = False
    time_to_first_output: Optional[float] = None
    """When the first chunk with output (text, reasoning or a tool call) arrived."""
    total_time: Optional[float] = None
    tokens_per_second: Optional[float] = None
    """Completion tokens (from usage) over the time from the first output to the last chunk; ``None`` without usage."""
    chunks_per_second: Optional[float] = None
    """Chunks with output over the same time."""
    gap_p50: Optional[float] = None
    gap_p90: Optional[float] = None
    gap_p99: Optional[float] = None
    gap_max: Optional[float] = None
    error: Optional[str] = None
    """How the stream ended badly, if it did (the figures cover what came before)."""
    error_time: Optional[float] = None
    """For a stream that ended badly: when the last event before the fault arrived (timed captures)."""
    gaps: List[float] = field(default_factory=list, repr=False)
    """Seconds between consecutive chunks (timed captures)."""
    timeline: List[Tuple[float, int, str]] = field(default_factory=list, repr=False)
    """``(time, output chunks so far, kind)`` at each chunk of choice 0 with output; kind is ``"text"``,
    ``"reasoning"`` or ``"tool-call"`` (timed captures)."""
    finish_time: Optional[float] = field(default=None, repr=False)
    format: str = "chat"
    """``"chat"`` or ``"responses"`` (a Responses API capture: ``chunks`` counts its typed events, the chunk
    figures count its deltas, ``finish_reason`` is the response's status, tokens come from its usage)."""

    def to_json(self) -> Dict[str, Any]:
        """The figures as a JSON-ready dict (without the per-chunk series), numbers rounded to 6 decimals.

        Times are in seconds, so to the microsecond: what a capture records (``: t=`` has six places); more
        digits would be float noise (0.012100000000000001).
        """
        data = asdict(self)
        for key in ("gaps", "timeline", "finish_time"):
            del data[key]
        return {key: round(value, 6) if isinstance(value, float) else value for key, value in data.items()}


def _percentile(ordered: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile of an ordered, non-empty sequence."""
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def _output_kind(delta: Any) -> Optional[str]:
    """What a delta of choice 0 carries, for the timeline: a tool call wins over reasoning over text."""
    if delta.tool_calls or delta.function_call:
        return "tool-call"
    if delta.reasoning_text:
        return "reasoning"
    return "text" if delta.content else None


def stats_of(data: bytes) -> Stats:
    """Compute the figures of one capture (timed or not); a broken stream is described, not raised.

    A Responses API capture (``capture_format``) is measured by ``_responses_stats``.
    """
    if capture_format(data) == RESPONSES:
        return _responses_stats(data)
    stats = Stats(bytes=len(data))
    times: List[float] = []
    last_time: Optional[float] = None
    outputs = 0
    choices: Set[int] = set()
    try:
        for item in iter_timed_chunks(data):
            stats.events += 1
            stats.timed = stats.timed or item.time is not None
            last_time = item.time if item.time is not None else last_time
            chunk = item.chunk
            if chunk is None:
                continue
            stats.chunks += 1
            if item.time is not None:
                times.append(item.time)
            kind = None
            for choice in chunk.choices:
                choices.add(choice.index)
                if choice.index != 0:
                    continue
                delta = choice.delta
                stats.content_chars += len(delta.content or "")
                stats.reasoning_chars += len(delta.reasoning_text or "")
                stats.text_chunks += bool(delta.content)
                stats.reasoning_chunks += bool(delta.reasoning_text)
                stats.tool_call_chunks += bool(delta.tool_calls or delta.function_call)
                kind = _output_kind(delta)
                if choice.finish_reason is not None:
                    stats.finish_reason = choice.finish_reason
                    stats.finish_time = item.time
            if kind is not None:
                outputs += 1
                if item.time is not None:
                    stats.timeline.append((item.time, outputs, kind))
            _take_usage(stats, chunk)
    except GroqStreamError as exc:
        stats.error = f"{type(exc).__name__}: {exc}"
        stats.error_time = last_time
    stats.choices = len(choices)
    _timing(stats, times, outputs)
    return stats


# The semantic events of a Responses stream that are output, and the timeline's kind of each.
_RESPONSE_OUTPUT_KINDS = {ContentDelta: "text", ReasoningDelta: "reasoning", ToolCallArgumentsDelta: "tool-call"}


def _responses_stats(data: bytes) -> Stats:
    """``stats_of`` for a Responses capture: its events merged by ``ResponseAccumulator``, figures from what
    that reports (text, reasoning and tool-call argument deltas; the final ``Response``'s status and usage)."""
    from ..core.responses import ResponseAccumulator

    stats = Stats(bytes=len(data), format=RESPONSES, choices=1)
    accumulator = ResponseAccumulator()
    times: List[float] = []
    last_time: Optional[float] = None
    outputs = 0
    try:
        for item in iter_timed_responses(data):
            stats.events += 1
            stats.timed = stats.timed or item.time is not None
            last_time = item.time if item.time is not None else last_time
            if item.chunk is None:
                continue
            stats.chunks += 1
            if item.time is not None:
                times.append(item.time)
            kind = None
            for happened in accumulator.add(item.chunk):
                kind = _RESPONSE_OUTPUT_KINDS.get(type(happened), kind)
                if isinstance(happened, ContentDelta):
                    stats.content_chars += len(happened.delta)
                    stats.text_chunks += 1
                elif isinstance(happened, ReasoningDelta):
                    stats.reasoning_chars += len(happened.delta)
                    stats.reasoning_chunks += 1
                elif isinstance(happened, ToolCallArgumentsDelta):
                    stats.tool_call_chunks += 1
            if kind is not None:
                outputs += 1
                if item.time is not None:
                    stats.timeline.append((item.time, outputs, kind))
    except GroqStreamError as exc:
        stats.error = f"{type(exc).__name__}: {exc}"
        stats.error_time = last_time
    try:
        response = accumulator.response
    except GroqStreamError:  # a snapshot that is no Response: the figures above stand alone
        response = None
    if response is not None:
        stats.finish_reason = response.status
        if response.incomplete_details is not None and response.incomplete_details.reason:
            stats.finish_reason = f"{response.status}: {response.incomplete_details.reason}"
        stats.finish_time = times[-1] if times and response.status != "in_progress" else None
        usage = response.usage
        if usage is not None:
            stats.prompt_tokens, stats.completion_tokens = usage.input_tokens, usage.output_tokens
            stats.total_tokens = usage.total_tokens
            stats.reasoning_tokens = response_reasoning_tokens(usage)
    _timing(stats, times, outputs)
    return stats


def _timing(stats: Stats, times: List[float], outputs: int) -> None:
    """The time figures of a timed capture from its items' *times* and ``stats.timeline`` (both formats)."""
    if not times:
        return
    stats.gaps = [b - a for a, b in zip(times, times[1:])]
    stats.total_time = times[-1]
    if stats.timeline:
        stats.time_to_first_output = stats.timeline[0][0]
        duration = times[-1] - stats.time_to_first_output
        if duration > 0:
            stats.chunks_per_second = outputs / duration
            if stats.completion_tokens is not None:
                stats.tokens_per_second = stats.completion_tokens / duration
    if stats.gaps:
        ordered = sorted(stats.gaps)
        stats.gap_p50, stats.gap_p90 = _percentile(ordered, 0.5), _percentile(ordered, 0.9)
        stats.gap_p99, stats.gap_max = _percentile(ordered, 0.99), ordered[-1]


def _take_usage(stats: Stats, chunk: ChatCompletionChunk) -> None:
    usage = chunk.usage if chunk.usage is not None else (chunk.x_groq.usage if chunk.x_groq else None)
    if usage is None:
        return
    stats.prompt_tokens, stats.completion_tokens = usage.prompt_tokens, usage.completion_tokens
    stats.total_tokens = usage.total_tokens
    details = usage.completion_tokens_details
    stats.reasoning_tokens = details.reasoning_tokens if details is not None else None
    stats.queue_time, stats.prompt_time = usage.queue_time, usage.prompt_time
    stats.completion_time = usage.completion_time


def response_reasoning_tokens(usage: Any) -> Optional[int]:
    """``output_tokens_details.reasoning_tokens`` of a Responses usage (``None`` when not sent)."""
    details = usage.output_tokens_details
    value = details.get("reasoning_tokens") if isinstance(details, dict) else None
    return value if type(value) is int else None


_BUCKETS = [(0.001, "< 1 ms"), (0.01, "1-10 ms"), (0.1, "10-100 ms"), (1.0, "0.1-1 s"), (math.inf, ">= 1 s")]


def gap_histogram(gaps: Sequence[float], width: int = 40) -> List[str]:
    """Lines of a text histogram of inter-chunk gaps, in decades (most streams span several)."""
    counts = [0] * len(_BUCKETS)
    for gap in gaps:
        counts[next(i for i, (limit, _) in enumerate(_BUCKETS) if gap < limit)] += 1
    top = max(counts) or 1
    return [
        f"{label:>10} | {'#' * math.ceil(width * count / top) if count else '':<{width}} {count}"
        for (_, label), count in zip(_BUCKETS, counts)
    ]


# --- the SVG timeline ----------------------------------------------------------------------


def _nice_step(span: float, ticks: int = 5) -> float:
    raw = span / ticks if span > 0 else 1.0
    power = 10.0 ** math.floor(math.log10(raw))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= raw)


_KIND_COLOURS = {"text": "#1f6feb", "reasoning": "#8250df", "tool-call": "#bf8700"}
_KIND_LABELS = {"text": "answer text", "reasoning": "reasoning", "tool-call": "tool call"}


def timeline_svg(stats: Stats, title: str) -> str:
    """A self-contained SVG chart: output chunks received against time, coloured by kind (answer text,
    reasoning, tool call), with the first output, the finish and an error marked, and the usage's tokens."""
    width, height, left, right, top, bottom = 720, 420, 64, 24, 64, 56
    plot_w, plot_h = width - left - right, height - top - bottom
    points = stats.timeline
    end = max([t for t, _, _ in points] + [stats.finish_time or 0.0, stats.total_time or 0.0, 1e-3])
    most = max([n for _, n, _ in points] + [1])
    x_step, y_step = _nice_step(end), max(1.0, _nice_step(most))
    x_max, y_max = x_step * math.ceil(end / x_step), y_step * math.ceil(most / y_step)

    def x(t: float) -> float:
        return left + plot_w * t / x_max

    def y(n: float) -> float:
        return top + plot_h * (1 - n / y_max)

    if stats.completion_tokens is not None:
        usage = f"usage: {stats.completion_tokens} completion tokens in {_plural(stats.chunks, 'chunk')}"
    else:
        usage = f"{_plural(stats.chunks, 'chunk')}; tokens not reported (no usage in the stream)"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
        f"<title>{escape(title)}</title>",
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{left}" y="24" font-size="15" font-weight="bold">{escape(title)}</text>',
        f'<text class="usage" x="{left}" y="42" fill="#555">{escape(usage)}</text>',
    ]
    for i in range(round(x_max / x_step) + 1):
        t = i * x_step
        parts.append(f'<line x1="{x(t):.1f}" y1="{top}" x2="{x(t):.1f}" y2="{top + plot_h}" stroke="#eee"/>')
        parts.append(f'<text x="{x(t):.1f}" y="{top + plot_h + 18}" text-anchor="middle">{t:g}</text>')
    for i in range(round(y_max / y_step) + 1):
        n = i * y_step
        parts.append(f'<line x1="{left}" y1="{y(n):.1f}" x2="{left + plot_w}" y2="{y(n):.1f}" stroke="#eee"/>')
        parts.append(f'<text x="{left - 8}" y="{y(n) + 4:.1f}" text-anchor="end">{n:g}</text>')
    parts.append(
        f'<polyline points="{left},{top} {left},{top + plot_h} {left + plot_w},{top + plot_h}" '
        'fill="none" stroke="#333"/>'
    )
    parts.append(
        f'<text x="{left + plot_w / 2}" y="{height - 14}" text-anchor="middle">seconds since the request</text>'
    )
    parts.append(
        f'<text x="16" y="{top + plot_h / 2}" text-anchor="middle" '
        f'transform="rotate(-90 16 {top + plot_h / 2})">chunks with output received</text>'
    )
    if points:
        # A step line: chunks arrive at instants, nothing arrives in between. Drawn once in grey, then each
        # step (its rise and the run to the next chunk) in the colour of what the chunk carried.
        steps = [(points[0][0], 0)]
        for t, n, _ in points:
            steps += [(t, steps[-1][1]), (t, n)]
        path = " ".join(f"{x(t):.1f},{y(n):.1f}" for t, n in steps)
        parts.append(f'<polyline class="chunks" points="{path}" fill="none" stroke="#bbb" stroke-width="1"/>')
        previous = 0
        for i, (t, n, kind) in enumerate(points):
            until = points[i + 1][0] if i + 1 < len(points) else t
            parts.append(
                f'<polyline class="chunks {kind}" points="{x(t):.1f},{y(previous):.1f} {x(t):.1f},{y(n):.1f} '
                f'{x(until):.1f},{y(n):.1f}" fill="none" stroke="{_KIND_COLOURS[kind]}" stroke-width="2.5"/>'
            )
            if kind == "tool-call":  # often one chunk: a dot, so it is seen
                parts.append(f'<circle cx="{x(t):.1f}" cy="{y(n):.1f}" r="4" fill="{_KIND_COLOURS[kind]}"/>')
            previous = n
        kinds = [kind for kind in _KIND_COLOURS if any(k == kind for _, _, k in points)]
        for i, kind in enumerate(kinds):  # the legend, in the header's right corner
            lx, ly = width - right - 120, 18 + 15 * i
            parts.append(
                f'<line x1="{lx}" y1="{ly - 4}" x2="{lx + 18}" y2="{ly - 4}" stroke="{_KIND_COLOURS[kind]}" '
                f'stroke-width="3"/><text class="legend" x="{lx + 24}" y="{ly}">{_KIND_LABELS[kind]}</text>'
            )
    else:
        parts.append(
            f'<text class="empty" x="{left + plot_w / 2}" y="{top + plot_h / 2}" text-anchor="middle" fill="#555">'
            f"no chunk with text, reasoning or a tool call ({_plural(stats.chunks, 'chunk')} in all)</text>"
        )
    marks = [("first-token", "first output", stats.time_to_first_output, "#2da44e")]
    marks.append(("finish", f"finish ({stats.finish_reason})", stats.finish_time, "#0969da"))
    if stats.error is not None:
        marks.append(("error", "error: " + stats.error.split(":", 1)[0], stats.error_time or end, "#cf222e"))
    for row, (css, label, when, color) in enumerate(marks):
        if when is not None:
            parts.append(
                f'<line class="{css}" x1="{x(when):.1f}" y1="{top}" x2="{x(when):.1f}" y2="{top + plot_h}" '
                f'stroke="{color}" stroke-dasharray="4 3"/>'
            )
            # Labels right of the middle go on the line's left, so they stay inside the chart; and low, as
            # the rising line is high there (left of the middle: high, as the line is low).
            right_half = x(when) > left + plot_w / 2
            anchor, dx = ("end", -4) if right_half else ("start", 4)
            label_y = top + plot_h - 8 - 14 * row if right_half else top + 14 + 14 * row
            parts.append(
                f'<text class="{css}" x="{x(when) + dx:.1f}" y="{label_y}" fill="{color}" '
                f'text-anchor="{anchor}">{escape(label)} {when:.3f} s</text>'
            )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


# --- validation --------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """One thing ``validate`` reports."""

    severity: str
    """``"problem"`` (the capture is not a clean stream) or ``"note"`` (worth knowing, not wrong)."""
    code: str
    """A stable name, e.g. ``"invalid-json"``."""
    message: str
    """What was found, with the offending text truncated."""
    offset: Optional[int] = None
    """Byte offset in the file."""
    event_index: Optional[int] = None
    """0-based index of the event among the stream's events."""

    def to_json(self) -> Dict[str, Any]:
        """A JSON-ready dict."""
        return asdict(self)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _unknown_keys(obj: WireObject, path: str = "") -> Iterator[str]:
    """Paths of the keys a wire object (and everything in it) kept in ``extra``, e.g. ``choices[].delta.channel``."""
    for key in obj.extra:
        yield f"{path}.{key}".lstrip(".")
    for name in obj._convert:
        value = getattr(obj, name)
        if isinstance(value, WireObject):
            yield from _unknown_keys(value, f"{path}.{name}")
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, WireObject):
                    yield from _unknown_keys(item, f"{path}.{name}[]")


class _Validator:
    """One pass over a capture: the byte-level checks, then each event, then how the stream ended."""

    def __init__(self, data: bytes, strict: bool, require_usage: bool) -> None:
        self.data = data
        self.strict = strict
        self.require_usage = require_usage
        self.findings: List[Finding] = []
        self.dropped = 0
        self.events: List[TimedEvent] = []
        self.pending = 0
        self.pending_data = False
        self.unterminated: Optional[ServerSentEvent] = None  # the event an unterminated end would have been
        self.done_at: Optional[int] = None
        self.after_done: List[int] = []
        self.errors = 0
        self.usage_seen = False
        self.unknown: Dict[str, Tuple[Optional[int], int]] = {}
        self.first: Optional[ChatCompletionChunk] = None
        self.changes = {"id": 0, "created": 0}
        self.starts: List[int] = []
        self.unfinished: Set[int] = set()  # choice indices seen without a finish_reason
        self.finished: Set[int] = set()

    def add(self, severity: str, code: str, message: str, offset: Optional[int], index: Optional[int]) -> None:
        if len(self.findings) < MAX_FINDINGS:
            self.findings.append(Finding(severity, code, message, offset, index))
        else:
            self.dropped += 1

    def run(self) -> List[Finding]:
        self.read_events()
        self.check_bytes()
        for index, timed in enumerate(self.events):
            self.check_event(index, timed.event)
        self.check_end()
        if self.dropped:
            self.findings.append(Finding("note", "truncated-report", f"{self.dropped} more findings not listed"))
        order = {"problem": 0, "note": 1}
        last = len(self.data) + 1
        return sorted(self.findings, key=lambda f: (order[f.severity], f.offset if f.offset is not None else last))

    def read_events(self) -> None:
        """Decode every event first: the byte-level checks name the event that holds each bad byte."""
        reader = CaptureDecoder()
        try:
            self.events = reader.feed(self.data)
            self.pending = reader.sse.pending_bytes  # before flush() discards them
            self.pending_data = reader.sse.pending_data
            self.events += reader.flush()
            self.unterminated = reader.sse.unterminated
        except GroqStreamError as exc:  # the size limit: nothing past it can be read
            self.add("problem", "limit", str(exc), getattr(exc, "offset", None), len(self.events))

    def index_at(self, offset: int) -> Optional[int]:
        """The index of the event whose bytes hold *offset*."""
        if not self.starts:
            self.starts = [timed.event.offset or 0 for timed in self.events]
        return max(0, bisect.bisect_right(self.starts, offset) - 1) if self.starts else None

    def check_bytes(self) -> None:
        data = self.data
        if data.startswith(_BOM):
            self.add("problem", "bom", "the stream starts with a byte-order mark (U+FEFF)", 0, self.index_at(0))
        position = 0
        while True:
            try:
                data[position:].decode("utf-8")
                return
            except UnicodeDecodeError as exc:
                at = position + exc.start
                message = f"bytes that are not UTF-8: {snippet(data[at : at + 8])}"
                self.add("problem", "invalid-utf8", message, at, self.index_at(at))
                position = at + max(1, exc.end - exc.start)

    def check_event(self, index: int, event: ServerSentEvent) -> None:
        if self.done_at is not None:
            self.after_done.append(index)
            return
        # A fresh decoder per event: each event is judged by the same rules
        # Stream uses, and one bad event does not stop the checks of the rest.
        decoder = ChunkDecoder(require_done=False, strict=self.strict)
        try:
            chunks = decoder.feed(event)
            if decoder.done and not chunks:
                self.done_at = index
                return
            for deviation in decoder.deviations:  # read leniently: a note that names the quirk
                where = f"{deviation.path}: " if deviation.path else ""
                self.add("note", deviation.rule, f"{where}{deviation.message}", event.offset, index)
            for chunk in chunks:
                self.check_chunk(index, event.offset, chunk)
            decoder.flush()  # raises the error an x_groq.error chunk carries
        except StreamAPIError as exc:
            self.errors += 1
            label = "/".join(part for part in (exc.type, exc.code) if part)
            message = f"the server reported an error: {label + ': ' if label else ''}{snippet(exc.message, 200)}"
            self.add("problem", "error-event", message, event.offset, index)
        except ChunkDecodeError as exc:
            bad_json = not exc.path and exc.reason.startswith(("invalid JSON", "JSON nested"))
            message = str(exc).split(": ", 1)[-1]  # without the "event #N at byte M" we report apart
            self.add("problem", "invalid-json" if bad_json else "invalid-chunk", message, event.offset, index)

    def check_chunk(self, index: int, offset: Optional[int], chunk: ChatCompletionChunk) -> None:
        x_groq = chunk.x_groq
        self.usage_seen = self.usage_seen or chunk.usage is not None or bool(x_groq and x_groq.usage)
        for key in _unknown_keys(chunk):
            self.unknown.setdefault(key, (offset, index))
        for choice in chunk.choices:
            (self.unfinished if choice.finish_reason is None else self.finished).add(choice.index)
        if self.first is None:
            self.first = chunk
        for key in self.changes:
            if getattr(chunk, key) != getattr(self.first, key):
                self.changes[key] += 1

    def check_end(self) -> None:
        size = len(self.data)
        unterminated = self.unterminated
        if self.pending and self.done_at is None and not self.strict and unterminated and is_done(unterminated):
            # Gemini and older llama.cpp end so: the end the server meant, read as Stream reads it.
            message = "'data: [DONE]' without the blank line that ends an event, at the end: read as [DONE]"
            self.add("note", UNTERMINATED_DONE, message, size - self.pending, len(self.events))
            self.done_at = len(self.events)
        elif self.pending:
            message = f"the last {self.pending} bytes are an event without its blank line"
            self.add("problem", "unterminated-event", message, size - self.pending, len(self.events))
        if self.after_done:
            first = self.after_done[0]
            message = f"{_plural(len(self.after_done), 'event')} after 'data: [DONE]'"
            self.add("problem", "data-after-done", message, self.events[first].event.offset, first)
        if self.done_at is None and self.errors == 0:
            finished = bool(self.finished) and not self.unfinished - self.finished and not self.pending_data
            if finished and not self.strict:  # the answer is complete: the stream reads as ended (#12)
                message = "no 'data: [DONE]', but every choice has a finish_reason: read as the end of the stream"
                self.add("note", "no-done", message, size, None)
            else:
                self.add("problem", "no-done", "the stream has neither 'data: [DONE]' nor an error event", size, None)
        if self.done_at is not None and self.errors == 0 and not self.usage_seen:
            # Most servers send usage only when the client asks (stream_options.include_usage), so a stream
            # without it says more about the request than the server: a note, unless usage is required.
            message = (
                "no chunk reports token usage (usage or x_groq.usage); most servers send it only when asked: "
                '"stream_options": {"include_usage": true}'
            )
            self.add("problem" if self.require_usage else "note", "no-usage", message, None, None)
        for key, (offset, index) in self.unknown.items():
            self.add("note", "unknown-key", f"unknown key {key} (kept in extra)", offset, index)
        for key, count in self.changes.items():
            if count:
                verb = "carries" if count == 1 else "carry"
                message = f"the chunk {key} changes mid-stream: {_plural(count, 'later chunk')} {verb} another value"
                self.add("note", f"{key}-changed", message, None, None)


class _ResponsesValidator(_Validator):
    """``_Validator`` for a Responses API capture: the same byte checks, its own event and end rules.

    One ``ResponseEventDecoder`` reads the events in order (the sequence
    rules need the previous event), and one ``ResponseAccumulator`` merges
    them (the item rules, and the *notes* where the server's events disagree
    with each other). An event that cannot be read is a problem; the
    events after it are read by a fresh decoder, so every bad event is
    reported, not just the first.
    """

    def __init__(self, data: bytes, strict: bool, require_usage: bool) -> None:
        from ..core.responses import ResponseAccumulator, ResponseEventDecoder

        super().__init__(data, strict, require_usage)
        self._new_decoder = ResponseEventDecoder
        self.decoders = [ResponseEventDecoder()]
        self.accumulator = ResponseAccumulator()  # its own decoder records the item-level deviations
        self.terminal: Optional[str] = None
        self.item_deviations: Dict[Tuple[str, str], Tuple[Optional[int], int]] = {}
        self.notes_seen = 0
        self.note_places: List[Tuple[Optional[int], int]] = []

    def check_event(self, index: int, event: ServerSentEvent) -> None:
        if self.terminal is not None:
            if event.data.strip() != "[DONE]":  # [DONE] after the terminal event is OpenRouter's ending
                self.after_done.append(index)
            return
        decoder = self.decoders[-1]
        try:
            typed = decoder.decode_event(event)
        except ChunkDecodeError as exc:
            bad_json = not exc.path and exc.reason.startswith(("invalid JSON", "JSON nested"))
            message = str(exc).split(": ", 1)[-1]  # without the "event #N at byte M" we report apart
            self.add("problem", "invalid-json" if bad_json else "invalid-event", message, event.offset, index)
            self.decoders.append(self._new_decoder())
            return
        if typed is None:  # [DONE] before any terminal event
            self.done_at = index
            return
        if typed.type == "error":
            self.report_error(decoder, event, index)
        elif decoder.terminal is not None:
            self.terminal = decoder.terminal
            self.done_at = index
            if self.terminal == "response.failed" and not self.errors:
                self.report_error(decoder, event, index)
        self.accumulator.add(typed)
        for deviation in self.accumulator.deviations:
            self.item_deviations.setdefault(deviation_key(deviation.rule, deviation.path), (event.offset, index))
        notes = self.accumulator.notes
        self.note_places += [(event.offset, index)] * (len(notes) - len(self.note_places))

    def report_error(self, decoder: Any, event: ServerSentEvent, index: int) -> None:
        self.errors += 1
        exc = decoder.api_error
        label = "/".join(part for part in (exc.type, exc.code) if part) if exc is not None else ""
        text = snippet(exc.message, 200) if exc is not None else "(no message)"
        message = f"the server reported an error: {label + ': ' if label else ''}{text}"
        self.add("problem", "error-event", message, event.offset, index)

    def check_end(self) -> None:
        from ..core.responses import is_terminal_data

        size = len(self.data)
        unterminated = self.unterminated
        if (
            self.pending
            and self.terminal is None
            and not self.strict
            and unterminated
            and is_terminal_data(unterminated.data)
        ):
            # A whole terminal event without its blank line: the end the server meant, read as ResponseStream reads it.
            message = (
                f"{self.pending} bytes of a terminal event without the blank line that ends an event: read as the end"
            )
            self.add("note", "unterminated-terminal", message, size - self.pending, len(self.events))
            self.check_event(len(self.events), unterminated)
        elif self.pending:
            message = f"the last {self.pending} bytes are an event without its blank line"
            self.add("problem", "unterminated-event", message, size - self.pending, len(self.events))
        if self.after_done:
            first = self.after_done[0]
            message = f"{_plural(len(self.after_done), 'event')} after the terminal event ({self.terminal})"
            self.add("problem", "data-after-end", message, self.events[first].event.offset, first)
        if self.terminal is None and self.errors == 0:
            message = "the stream has no terminal event (response.completed, response.incomplete or response.failed)"
            self.add("problem", "no-terminal-event", message, size, None)
        try:
            response = self.accumulator.response  # building it records empty-terminal-output
        except GroqStreamError as exc:
            self.add("problem", "invalid-event", f"the response does not build: {exc}", None, None)
            response = None
        if self.terminal is not None and self.errors == 0 and response is not None and response.usage is None:
            message = "the terminal response reports no token usage (usage)"
            self.add("problem" if self.require_usage else "note", "no-usage", message, None, None)
        severity = "problem" if self.strict else "note"  # what ResponseStream(strict=True) refuses
        deviations = [d for decoder in self.decoders for d in decoder.deviations]
        for deviation in deviations:
            self.add_deviation(severity, deviation, deviation.offset, self.index_at(deviation.offset or 0))
        for deviation in self.accumulator.deviations:
            offset, index = self.item_deviations.get(deviation_key(deviation.rule, deviation.path), (None, None))
            self.add_deviation(severity, deviation, offset, index)
        for note, (offset, index) in zip(self.accumulator.notes, self.note_places):
            self.add_deviation("note", note, offset, index)  # never refused, even by strict=True

    def add_deviation(self, severity: str, deviation: Any, offset: Optional[int], index: Optional[int]) -> None:
        where = f"{deviation.path}: " if deviation.path else ""
        times = f" ({deviation.count} times)" if deviation.count > 1 else ""
        self.add(severity, deviation.rule, f"{where}{deviation.message}{times}", offset, index)


def validate(data: bytes, *, strict: bool = False, require_usage: bool = False) -> List[Finding]:
    """Every problem, then every note, in a capture, each in file order with its byte offset and event index.

    What a ``Stream`` reads leniently is a note named after its rule
    (``missing-key``, ``content-parts``, ``no-done``...); with *strict* it is a
    problem, as ``Stream(strict=True)`` would raise it. A complete stream in
    which no chunk reports usage is a ``no-usage`` note, a problem with
    *require_usage*.

    A Responses API capture (``capture_format``) is judged by
    ``ResponseStream``'s rules: its deviations (``sequence-gap``,
    ``missing-item-added``, ``empty-terminal-output``...) are notes, problems
    with *strict*; where its events disagree (``text-changed``,
    ``call-id-changed``) is a note either way; ``error`` events and
    ``response.failed`` are problems, as is a stream without a terminal event.
    """
    if capture_format(data) == RESPONSES:
        return _ResponsesValidator(data, strict, require_usage).run()
    return _Validator(data, strict, require_usage).run()
