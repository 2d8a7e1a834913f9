"""Run the application with uvicorn on a socket we bind ourselves (so port 0 works)."""

from __future__ import annotations

import socket
import threading
import webbrowser
from collections.abc import Callable, Iterable
from pathlib import Path

import uvicorn

from nnscratch.web.app import Limits, create_app

__all__ = ["bind", "serve"]


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port`` (port 0: any free port)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto must say TCP: asyncio turns Nagle off (TCP_NODELAY) only on sockets whose
    # proto is IPPROTO_TCP, and accepted sockets inherit ours; with proto 0 every
    # response on a kept-alive connection waited ~40 ms for the client's delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.listen(128)
    return sock


def serve(
    model_files: Iterable[str | Path] = (),
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    open_browser: bool = False,
    limits: Limits | None = None,
    announce: Callable[[str], None] = print,
) -> None:
    """Serve the pages on ``host:port`` until interrupted; ``announce`` gets the URL."""
    hosts = ("127.0.0.1", "localhost", "[::1]", "::1", host)
    app = create_app(model_files, limits=limits, allowed_hosts=hosts)
    sock = bind(host, port)
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{sock.getsockname()[1]}/"
    # lifespan "on": the app stops its prediction workers at shutdown
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")
    server = uvicorn.Server(config)
    announce(f"nnscratch serve: {url} (Ctrl+C stops)")
    if open_browser:
        threading.Timer(0.5, webbrowser.open, args=(url,)).start()
    try:
        server.run(sockets=[sock])
    finally:  # the app's lifespan shutdown has stopped the prediction workers
        sock.close()
