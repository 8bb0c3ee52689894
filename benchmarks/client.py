"""Client against the Groq SDK on local HTTPS: time to first chunk, client CPU per request, connections opened.

``python -m benchmarks.client`` starts a keep-alive HTTPS server (self-signed
certificate, made with ``openssl``) in a subprocess, and a CONNECT proxy
that adds ``--rtt`` of round trip (half each way) in another, then sends
``--requests`` sequential streaming requests per round with
``groqstream.Client`` and with the Groq SDK (``groq``, optional), rounds
interleaved. Each request streams the bundled sample (40 chunks).

Figures per client: the median time from sending the request to the first
chunk, the client process's CPU time per request (``time.process_time``:
the servers run in other processes), and the connections the server (or
the proxy) accepted. Ratios are the SDK's figure over groqstream's, so
above 1 means groqstream is better. Compare ratios, not times: the machine
is shared.

``python -m benchmarks.client --serve CERT KEY`` and ``--proxy RTT`` are the
subprocesses themselves.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.metadata
import importlib.util
import json
import os
import shutil
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, Tuple

import groqstream as gs

SAMPLE = (Path(gs.__file__).parent / "sample.sse").read_bytes()
MESSAGES = [{"role": "user", "content": "Hi"}]


# --- the subprocesses ------------------------------------------------------------------------


def serve(cert: str, key: str) -> None:
    """A threaded keep-alive HTTPS server: POST streams the sample; GET /accepts says how many connections came."""
    from tests.servers import Handler, SSEServer

    def scenario(handler: Handler) -> None:
        if handler.command == "GET":
            handler.send_json(200, {"accepts": handler.server.accepts})
        else:
            handler.send_body(SAMPLE, pieces=8)

    server = SSEServer(scenario, keep_alive=True)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    with server:
        print(server.port, flush=True)
        sys.stdin.read()  # until the parent closes our stdin


def proxy(rtt: float) -> None:
    from tests.servers import TunnelProxy

    with TunnelProxy(delay=rtt / 2) as tunnel:
        print(tunnel.url, flush=True)
        sys.stdin.read()


def _start(*args: str) -> Tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.client", *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    return process, process.stdout.readline().strip()


@contextlib.contextmanager
def https_servers(rtt: float) -> Iterator[Tuple[str, str, str]]:
    """Start the HTTPS server and the proxy (subprocesses); yield the server's URL, its certificate, the proxy's URL."""
    with tempfile.TemporaryDirectory() as folder:
        cert, key = os.path.join(folder, "cert.pem"), os.path.join(folder, "key.pem")
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1",
             "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
            check=True, capture_output=True, timeout=60,
        )  # fmt: skip
        server, port = _start("--serve", cert, key)
        tunnel, proxy_url = _start("--proxy", str(rtt))
        try:
            yield f"https://127.0.0.1:{port}", cert, proxy_url
        finally:
            for process in (server, tunnel):
                assert process.stdin is not None
                process.stdin.close()
                process.wait(10)


def use_proxy(proxy_url: Optional[str]) -> None:
    """Send HTTPS through *proxy_url* (None: directly), for clients made after this call."""
    for variable in ("HTTPS_PROXY", "https_proxy", "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"):
        os.environ.pop(variable, None)
    if proxy_url:
        os.environ["HTTPS_PROXY"] = proxy_url


def print_rows(
    scenario: Callable[[str, str, str, argparse.Namespace, Optional[str]], List[str]],
    columns: List[str],
    host: str,
    cert: str,
    args: argparse.Namespace,
    proxy_url: str,
) -> None:
    """Print a table of *columns*: *scenario*'s rows for the server reached directly, then through the proxy."""
    print("| " + " | ".join(columns) + " |")
    print("|" + "---|" * len(columns))
    for row in scenario("local HTTPS", host, cert, args, None):
        print(row, flush=True)
    for row in scenario(f"HTTPS via proxy, +{args.rtt * 1000:.0f} ms RTT", host, cert, args, proxy_url):
        print(row, flush=True)


# --- the clients -----------------------------------------------------------------------------

Run = Callable[[], Iterator[Any]]  # one request: yields each chunk as it arrives


def groqstream_client(root: str, context: ssl.SSLContext) -> Tuple[Run, Callable[[], None]]:
    client = gs.client.Client(base_url=root, api_key="k", ssl_context=context)

    def run() -> Iterator[Any]:
        with client.chat_stream(model="m", messages=MESSAGES) as stream:
            yield from stream

    return run, client.close


def groq_client(host: str, cafile: str) -> Tuple[Run, Callable[[], None]]:
    import groq
    import httpx

    verify = ssl.create_default_context(cafile=cafile)
    client = groq.Groq(base_url=host, api_key="k", http_client=httpx.Client(verify=verify))

    def run() -> Iterator[Any]:
        with client.chat.completions.create(model="m", messages=MESSAGES, stream=True) as stream:  # type: ignore[arg-type]
            yield from stream

    return run, client.close


def measure(run: Run, requests: int) -> Tuple[List[float], float, str]:
    """First-chunk latencies, CPU seconds per request, and the text of the last answer."""
    latencies: List[float] = []
    text = ""
    cpu = time.process_time()
    for _ in range(requests):
        started = time.perf_counter()
        parts: List[str] = []
        first: Optional[float] = None
        for chunk in run():
            if first is None:
                first = time.perf_counter() - started
            if chunk.choices and chunk.choices[0].delta.content:
                parts.append(chunk.choices[0].delta.content)
        assert first is not None
        latencies.append(first)
        text = "".join(parts)
    return latencies, (time.process_time() - cpu) / requests, text


def accepts(host: str, context: ssl.SSLContext) -> int:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), urllib.request.HTTPSHandler(context=context))
    with opener.open(f"{host}/accepts", timeout=10) as response:
        return int(json.loads(response.read())["accepts"]) - 1  # not counting this request's own


def scenario(name: str, host: str, cafile: str, args: argparse.Namespace, proxy_url: Optional[str]) -> List[str]:
    context = ssl.create_default_context(cafile=cafile)
    use_proxy(proxy_url)
    clients: Dict[str, Tuple[Run, Callable[[], None]]] = {
        "groqstream.Client": groqstream_client(host + "/openai/v1", context)
    }
    if importlib.util.find_spec("groq") is not None:
        clients["groq SDK"] = groq_client(host, cafile)
    latencies: Dict[str, List[float]] = {name: [] for name in clients}
    cpu: Dict[str, List[float]] = {name: [] for name in clients}
    opened: Dict[str, int] = dict.fromkeys(clients, 0)
    texts = set()
    for label, (run, _) in clients.items():  # warm up: imports, the first connection (counted)
        before = accepts(host, context)
        texts.add(measure(run, 2)[2])
        opened[label] += accepts(host, context) - before - 1  # (less the second count's own connection)
    for _ in range(args.rounds):
        for label, (run, _) in clients.items():
            before = accepts(host, context)
            lat, per_request, text = measure(run, args.requests)
            opened[label] += accepts(host, context) - before - 1
            latencies[label] += lat
            cpu[label].append(per_request)
            texts.add(text)
    for _, close in clients.values():
        close()
    assert len(texts) == 1, "the clients read different answers"
    rows = []
    ours = "groqstream.Client"
    for label in clients:
        first = statistics.median(latencies[label])
        per = statistics.median(cpu[label])
        ratio = ""
        if label != ours:
            ratio = (
                f"first chunk {first / statistics.median(latencies[ours]):.2f}x groqstream's, "
                f"CPU {per / statistics.median(cpu[ours]):.2f}x"
            )
        total = args.rounds * args.requests + 2
        cells = [name, label, f"{first * 1000:.2f} ms", f"{per * 1000:.3f} ms", f"{opened[label]} for {total}", ratio]
        rows.append("| " + " | ".join(cells) + " |")
    return rows


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.client", description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=25, help="sequential requests per client per round")
    parser.add_argument("--rounds", type=int, default=4, help="interleaved rounds (medians over all requests)")
    parser.add_argument("--rtt", type=float, default=0.020, help="round trip the proxy adds, in seconds")
    parser.add_argument("--serve", nargs=2, metavar=("CERT", "KEY"), help=argparse.SUPPRESS)
    parser.add_argument("--proxy", type=float, metavar="RTT", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        serve(*args.serve)
        return 0
    if args.proxy is not None:
        proxy(args.proxy)
        return 0
    if shutil.which("openssl") is None:
        print("openssl is not installed: cannot make the test certificate", file=sys.stderr)
        return 1
    with https_servers(args.rtt) as (host, cert, proxy_url):
        peers = "groq " + importlib.metadata.version("groq") if importlib.util.find_spec("groq") else "none"
        print(f"groqstream {gs.__version__}, Python {sys.version.split()[0]}; peers: {peers}; "
              f"{args.rounds} rounds x {args.requests} requests per client\n")  # fmt: skip
        columns = ["server", "client", "first chunk (median)", "CPU per request (median)", "connections"]
        print_rows(scenario, [*columns, "SDK/groqstream"], host, cert, args, proxy_url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
