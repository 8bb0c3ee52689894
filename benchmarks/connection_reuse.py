"""The httpx recipe before and after draining the body's end: connections opened, median time to first chunk.

``python -m benchmarks.connection_reuse [--requests 25] [--rounds 4] [--rtt 0.020]`` uses the servers of
``benchmarks.client`` (a keep-alive HTTPS server streaming the bundled sample, and a CONNECT proxy adding
``--rtt`` of round trip) and sends sequential streaming requests on one ``httpx.Client`` (and one
``httpx.AsyncClient``), rounds interleaved, with the recipe of docs/transports.md:

* before: the body closed at ``[DONE]`` without reading its end, as every ``Stream`` did before issue 17:
  ``gs.Stream(response.iter_bytes())`` (a bare iterator is still not drained) and
  ``gs.AsyncStream(response, drain_seconds=0)``;
* after: ``gs.Stream(response)`` / ``gs.AsyncStream(response)``, which read the body's end (bounded) so
  httpx puts the connection back in its pool;
* the Groq SDK (optional) for reference: it reads every body to its end.

Figures: connections the server (or the proxy) accepted, and the median time from sending a request to
its first chunk; the ratios are after over before (below 1: faster). Compare ratios, not times: the
machine is shared.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import shutil
import ssl
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's groqstream

import groqstream as gs
from benchmarks.client import MESSAGES, accepts, https_servers, print_rows, use_proxy

BODY = {"model": "m", "messages": MESSAGES, "stream": True}
# One round of `requests` streams: the first-chunk latency of each, and the answer's text (to check).
Round = Callable[[int], Tuple[List[float], str]]


def text_of(chunks: List[Any]) -> str:
    return "".join(chunk.choices[0].delta.content or "" for chunk in chunks if chunk.choices)


def httpx_sync(url: str, context: ssl.SSLContext, make: Callable[[Any], gs.Stream]) -> Tuple[Round, Any]:
    import httpx

    client = httpx.Client(verify=context)

    def run(requests: int) -> Tuple[List[float], str]:
        latencies, text = [], ""
        for _ in range(requests):
            started = time.perf_counter()
            with client.stream("POST", url, json=BODY) as response, make(response) as stream:
                chunks = [next(stream)]
                latencies.append(time.perf_counter() - started)
                chunks += list(stream)
            text = text_of(chunks)
        return latencies, text

    return run, client.close


def httpx_async(url: str, context: ssl.SSLContext, drain_seconds: float) -> Tuple[Round, Any]:
    import httpx

    loop = asyncio.new_event_loop()
    client = httpx.AsyncClient(verify=context)

    async def run_async(requests: int) -> Tuple[List[float], str]:
        latencies, text = [], ""
        for _ in range(requests):
            started = time.perf_counter()
            async with (
                client.stream("POST", url, json=BODY) as response,
                gs.AsyncStream(response, drain_seconds=drain_seconds) as stream,
            ):
                chunks = [await stream.__anext__()]
                latencies.append(time.perf_counter() - started)
                chunks += [chunk async for chunk in stream]
            text = text_of(chunks)
        return latencies, text

    def close() -> None:
        loop.run_until_complete(client.aclose())
        loop.run_until_complete(loop.shutdown_asyncgens())  # as asyncio.run does: httpx's inner iterators
        loop.close()

    return (lambda requests: loop.run_until_complete(run_async(requests))), close


def groq_sdk(host: str, context: ssl.SSLContext) -> Tuple[Round, Any]:
    import groq
    import httpx

    client = groq.Groq(base_url=host, api_key="k", http_client=httpx.Client(verify=context))

    def run(requests: int) -> Tuple[List[float], str]:
        latencies, text = [], ""
        for _ in range(requests):
            started = time.perf_counter()
            with client.chat.completions.create(model="m", messages=MESSAGES, stream=True) as stream:  # type: ignore[arg-type]
                chunks = [next(iter(stream))]
                latencies.append(time.perf_counter() - started)
                chunks += list(stream)
            text = text_of(chunks)
        return latencies, text

    return run, client.close


def scenario(name: str, host: str, cafile: str, args: argparse.Namespace, proxy_url: Optional[str]) -> List[str]:
    context = ssl.create_default_context(cafile=cafile)
    use_proxy(proxy_url)  # httpx reads it when a client is made
    url = host + "/openai/v1/chat/completions"
    clients: Dict[str, Tuple[Round, Any]] = {
        "httpx, before": httpx_sync(url, context, lambda response: gs.Stream(response.iter_bytes())),
        "httpx, after": httpx_sync(url, context, gs.Stream),
        "httpx async, before": httpx_async(url, context, drain_seconds=0),
        "httpx async, after": httpx_async(url, context, drain_seconds=gs.client.DEFAULT_DRAIN_SECONDS),
    }
    if importlib.util.find_spec("groq") is not None:
        clients["groq SDK"] = groq_sdk(host, context)
    latencies: Dict[str, List[float]] = {label: [] for label in clients}
    opened: Dict[str, int] = dict.fromkeys(clients, 0)
    texts = set()
    for round_number in range(args.rounds):
        for label, (run, _close) in clients.items():
            before = accepts(host, context)
            first, text = run(args.requests)
            opened[label] += accepts(host, context) - before - 1  # less the second count's own connection
            latencies[label] += first[1:] if round_number == 0 else first  # the first request pays the imports
            texts.add(text)
    for _run, close in clients.values():
        close()
    assert len(texts) == 1, f"the clients read different answers: {texts}"
    total = args.rounds * args.requests
    rows = []
    for label in clients:
        first = statistics.median(latencies[label])
        ratio = ""
        if label.endswith(", after"):
            base = label.replace(", after", ", before")
            ratio = (
                f"first chunk {first / statistics.median(latencies[base]):.2f}x, "
                f"connections {opened[label]}/{opened[base]}"
            )
        rows.append(f"| {name} | {label} | {opened[label]} for {total} | {first * 1000:.2f} ms | {ratio} |")
    return rows


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.connection_reuse", description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=25, help="sequential requests per client per round")
    parser.add_argument("--rounds", type=int, default=4, help="interleaved rounds (medians over all requests)")
    parser.add_argument("--rtt", type=float, default=0.020, help="round trip the proxy adds, in seconds")
    args = parser.parse_args(argv)
    if importlib.util.find_spec("httpx") is None:
        print("httpx is not installed: this benchmark measures its recipe", file=sys.stderr)
        return 1
    if shutil.which("openssl") is None:
        print("openssl is not installed: cannot make the test certificate", file=sys.stderr)
        return 1
    import httpx

    with https_servers(args.rtt) as (host, cert, proxy_url):
        print(f"groqstream {gs.__version__}, httpx {httpx.__version__}, Python {sys.version.split()[0]}; "
              f"{args.rounds} rounds x {args.requests} requests per client\n")  # fmt: skip
        columns = ["server", "recipe", "connections", "first chunk (median)", "after/before"]
        print_rows(scenario, columns, host, cert, args, proxy_url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
