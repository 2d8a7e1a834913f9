"""Load on ``nnscratch serve`` from concurrent clients on loopback: latency and errors.

Starts ``nnscratch serve --port 0 [--workers W]`` (127.0.0.1 only; by
default one prediction worker process per CPU) in a subprocess, then, with a
bounded number of requests:

1. ``predict``: N digit predictions (a 112x112 PNG drawing of a "7", as the page sends) from C
   clients at once, each on its own keep-alive connection;
2. ``training``: S playground sessions created at once, each streaming E
   epochs (one Server-Sent Events frame per epoch, paced by the server's
   per-session cap);
3. ``predict under training``: step 1 again while step 2 runs.

Peer, same run: the library alone (``load_digit`` + ``predict_proba`` and the
hidden layers' forward pass, in this process, no HTTP), one call at a time.
Prints p50 / p99 latency and the error count of each. Target: no errors and
p99 of a prediction under 50 ms on 2 cores.

    python benchmarks/serve_load.py [--predictions 2000] [--clients 16] [--sessions 8] [--workers W]
"""

from __future__ import annotations

import argparse
import http.client
import io
import json
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from PIL import Image, ImageDraw

from nnscratch.web.digits import ModelCatalog, digit_input


def drawing() -> bytes:
    im = Image.new("L", (280, 280), 255)
    ImageDraw.Draw(im).line([(60, 40), (220, 40), (120, 250)], fill=0, width=20)
    im = im.resize((112, 112), Image.Resampling.BILINEAR)  # what the digits page sends
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return buf.getvalue()


def start_server(workers: int | None = None) -> tuple[subprocess.Popen, str, int]:
    extra = [] if workers is None else ["--workers", str(workers)]
    proc = subprocess.Popen(
        [sys.executable, "-m", "nnscratch.cli", "serve", "--port", "0", *extra],
        stdout=subprocess.PIPE,
        text=True,
    )
    line = proc.stdout.readline()  # "nnscratch serve: http://127.0.0.1:PORT/ (Ctrl+C stops)"
    url = line.split()[2]
    host, port = url.split("//")[1].rstrip("/").split(":")
    assert host == "127.0.0.1", line
    return proc, host, int(port)


class Connection:
    """One kept-alive HTTP/1.1 connection that sends a prepared request and reads the answer.

    The clients share the 2 cores with the server, so they are kept lean: a
    request is bytes built once, an answer is read by its Content-Length
    (uvicorn sends one on every non-streamed answer). ``http.client`` parses
    headers with the email package and cost about 0.7 ms of CPU per request
    here, a quarter of what the server spends.
    """

    def __init__(self, host: str, port: int) -> None:
        self.sock = socket.create_connection((host, port), timeout=30)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.pending = b""

    def ask(self, request: bytes) -> tuple[int, bytes]:
        """(status, body) of the answer to ``request``."""
        self.sock.sendall(request)
        while b"\r\n\r\n" not in self.pending:
            self._receive()
        head, _, rest = self.pending.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        while len(rest) < length:
            rest += self._chunk()
        self.pending = rest[length:]
        return int(head[9:12]), rest[:length]

    def _receive(self) -> None:
        self.pending += self._chunk()

    def _chunk(self) -> bytes:
        data = self.sock.recv(65536)
        if not data:
            raise ConnectionError("the server closed the connection")
        return data

    def close(self) -> None:
        self.sock.close()


def predictions(host: str, port: int, total: int, clients: int) -> tuple[list[float], int]:
    body = drawing()
    request = (
        f"POST /api/predict?model=sample HTTP/1.1\r\nHost: {host}:{port}\r\n"
        f"Content-Type: image/png\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body
    per = [total // clients + (i < total % clients) for i in range(clients)]
    times: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def client(n: int) -> None:
        conn = Connection(host, port)
        local = []
        for _ in range(n):
            t0 = time.perf_counter()
            try:
                status, answer = conn.ask(request)
                ok = status == 200 and json.loads(answer)["digit"] == 7
            except (OSError, ValueError, KeyError):
                ok = False
                conn.close()
                conn = Connection(host, port)
            local.append(time.perf_counter() - t0)
            if not ok:
                with lock:
                    errors[0] += 1
        conn.close()
        with lock:
            times.extend(local)

    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(client, per))
    return times, errors[0]


def training(host: str, port: int, sessions: int, epochs: int) -> tuple[list[float], int]:
    """Each session streams ``epochs`` frames; the latency is the gap between frames."""
    gaps: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def session(i: int) -> None:
        conn = http.client.HTTPConnection(host, port, timeout=60)
        cfg = {"config": {"dataset": "spirals", "layers": [8, 8], "seed": i, "noise": 0.1}}
        conn.request("POST", "/api/play", json.dumps(cfg), {"Content-Type": "application/json"})
        r = conn.getresponse()
        out = json.loads(r.read())
        if r.status != 200:
            with lock:
                errors[0] += 1
            return
        conn.request("GET", f"/api/play/{out['session']}/stream?epochs={epochs}&every=1")
        r = conn.getresponse()
        local, frames, last = [], 0, time.perf_counter()
        for line in r:
            if line.startswith(b'data: {"epoch'):
                now = time.perf_counter()
                local.append(now - last)
                last = now
                frames += 1
        conn.close()
        with lock:
            gaps.extend(local)
            errors[0] += frames != epochs

    with ThreadPoolExecutor(sessions) as pool:
        list(pool.map(session, range(sessions)))
    return gaps, errors[0]


def library_only(total: int) -> list[float]:
    catalog = ModelCatalog()
    body = drawing()
    times = []
    for _ in range(total):
        t0 = time.perf_counter()
        catalog.predict("sample", digit_input(body))
        times.append(time.perf_counter() - t0)
    return times


def row(name: str, n: int, times: list[float], errors: int) -> str:
    ms = np.array(times) * 1e3
    return (
        f"| {name} | {n} | {np.percentile(ms, 50):.2f} | {np.percentile(ms, 99):.2f} "
        f"| {ms.max():.2f} | {errors} |"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--predictions", type=int, default=2000)
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--sessions", type=int, default=8)
    ap.add_argument("--epochs", type=int, default=200)
    ap.add_argument("--workers", type=int, default=None, help="serve --workers (default: its own)")
    args = ap.parse_args()
    assert 0 < args.predictions <= 20_000 and 0 < args.clients <= 64 and 0 < args.sessions <= 32

    peer = library_only(200)
    proc, host, port = start_server(args.workers)
    try:
        predictions(host, port, 50, 4)  # warm-up
        alone, alone_err = predictions(host, port, 200, 1)
        t0 = time.perf_counter()
        pred, pred_err = predictions(host, port, args.predictions, args.clients)
        wall = time.perf_counter() - t0

        result: dict[str, tuple[list[float], int]] = {}
        trainer = threading.Thread(
            target=lambda: result.setdefault(
                "train", training(host, port, args.sessions, args.epochs)
            )
        )
        trainer.start()
        time.sleep(1.0)  # let every session start streaming
        busy, busy_err = predictions(host, port, args.predictions // 4, args.clients)
        trainer.join()
        gaps, train_err = result["train"]
    finally:
        proc.terminate()
        proc.wait(10)

    workers = "the CPU count" if args.workers is None else args.workers
    print(f"server: nnscratch serve on {host} (uvicorn, 1 process, --workers {workers}); "
          "clients: threads here")  # fmt: skip
    print("| what | requests | p50 ms | p99 ms | max ms | errors |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    print(row("library only (no HTTP), 1 at a time", len(peer), peer, 0))
    print(row("predict, 1 client", len(alone), alone, alone_err))
    print(row(f"predict, {args.clients} clients", len(pred), pred, pred_err))
    print(
        row(
            f"training frames, {args.sessions} sessions x {args.epochs} epochs "
            "(gap between frames; cap 40 epochs/s each)",
            len(gaps),
            gaps,
            train_err,
        )
    )
    print(row(f"predict, {args.clients} clients, during training", len(busy), busy, busy_err))
    print(f"predict throughput: {len(pred) / wall:.0f} requests/s")


if __name__ == "__main__":
    main()
