"""The Starlette application behind ``nnscratch serve``: pages, the JSON API, the live streams.

Routes (every ``/api`` answer is JSON; every refusal is a 4xx with ``{"error": ...}``):

* ``GET /``, ``/digits``, ``/playground``, ``/perceptron``, ``/minima``: the pages;
  ``/static/...``: their CSS and JavaScript (package data, no CDN).
* ``GET /api/models``; ``POST /api/predict?model=NAME`` with a PNG body.
* ``POST /api/play`` with a config (creates a session, or replaces ``replace``);
  ``POST /api/play/{id}/step`` ``{"epochs": k}``;
  ``GET /api/play/{id}/stream?epochs=N&every=K``: Server-Sent Events, one
  frame every K epochs, paced to at most ``Limits.epochs_per_second``.
* ``/api/perceptron`` and ``/api/minima``: see :mod:`nnscratch.web.classic`.

Nothing is written to disk. Numerical work runs in worker threads (a
network's layers keep their outputs in buffers, so each model and session
has a lock), so the event loop keeps answering while a page trains;
predictions run in worker processes when ``Limits.predict_processes`` > 0
(:mod:`nnscratch.web.predictor`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from pathlib import Path
from string import Template
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from nnscratch._validate import Integer, check
from nnscratch.web import classic
from nnscratch.web.digits import ModelCatalog
from nnscratch.web.errors import ApiError, NotFound, TooManySessions
from nnscratch.web.playground import LIMITS, PlaygroundSession, parse_config
from nnscratch.web.predictor import Predictor
from nnscratch.web.sessions import Pacer, SessionStore

__all__ = ["Limits", "create_app"]

STATIC = Path(__file__).resolve().parent / "static"
PAGE_DIR = Path(__file__).resolve().parent / "pages"
#: Page name -> title. Each page is pages/<name>.html inside the one head and
#: navigation of pages/_layout.html, and runs static/<name>.js.
PAGES = {
    "digits": "Digits",
    "playground": "Playground",
    "perceptron": "Perceptron",
    "minima": "Local minima",
}
# Only our own files: no CDN, no inline script, nothing fetched from elsewhere.
_CSP = "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'"


@dataclass(frozen=True)
class Limits:
    """Caps on what one page may ask of the server."""

    max_body: int = 512 * 1024  # bytes of one request body
    max_sessions: int = 32
    idle: float = 600.0  # seconds before an unused session is freed
    lifetime: float = 3600.0  # seconds a session may live at all
    epochs_per_second: float = 40.0  # per session
    stream_epochs: int = LIMITS["epochs_per_request"]  # per stream
    step_epochs: int = 100  # per step request
    predict_processes: int = 0  # worker processes for predictions (0: a thread of the server)


@dataclass
class _Live:
    session: PlaygroundSession
    pacer: Pacer


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


async def _read_body(request: Request, cap: int) -> bytes:
    """The body, refused with 413 as soon as it passes ``cap`` bytes (never buffered whole)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > cap:
        raise ApiError(413, f"body: expected at most {cap} bytes, got {declared}")
    parts, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > cap:
            raise ApiError(413, f"body: expected at most {cap} bytes, got more")
        parts.append(chunk)
    return b"".join(parts)


def _no_constant(name: str) -> Any:
    raise ValueError(f"JSON: expected finite numbers, got {name}")


async def _read_json(request: Request, cap: int) -> Any:
    body = await _read_body(request, cap)
    if not body:
        return {}
    try:
        return json.loads(body, parse_constant=_no_constant)
    except (ValueError, UnicodeDecodeError) as err:
        raise ApiError(400, f"body: expected JSON, got malformed data ({err})") from None


def _checked(fn: Any, *args: Any) -> Any:
    """``fn(*args)``, with the library's argument errors as HTTP 422."""
    try:
        return fn(*args)
    except (ValueError, TypeError) as err:
        raise ApiError(422, str(err)) from None


def render_page(name: str) -> str:
    """The HTML of page ``name`` ("index" or a key of ``PAGES``): its ``<main>`` in the layout."""
    if name == "index":
        title, script = "nnscratch playground", ""
    else:
        title = f"{PAGES[name]} · nnscratch"
        script = f'<script src="/static/{name}.js" defer></script>'
    layout = Template((PAGE_DIR / "_layout.html").read_text(encoding="utf-8"))
    main = (PAGE_DIR / f"{name}.html").read_text(encoding="utf-8").rstrip("\n")
    return layout.substitute(title=title, script=script, main=main)


def create_app(
    model_files: Iterable[str | Path] = (),
    *,
    limits: Limits | None = None,
    allowed_hosts: Iterable[str] = ("127.0.0.1", "localhost", "[::1]", "::1"),
) -> Starlette:
    """The application: models from ``model_files`` (plus the bundled ones), caps ``limits``."""
    limits = limits or Limits()
    model_files = list(model_files)
    catalog = ModelCatalog(model_files)
    predictor = Predictor(catalog, model_files, limits.predict_processes)
    store = SessionStore(
        max_sessions=limits.max_sessions, idle=limits.idle, lifetime=limits.lifetime
    )

    def page(name: str):
        html = render_page(name)

        async def endpoint(request: Request) -> Response:
            return HTMLResponse(html)

        return endpoint

    async def models(request: Request) -> Response:
        return JSONResponse({"models": catalog.describe()})

    async def predict(request: Request) -> Response:
        name = request.query_params.get("model", "")
        catalog.get(name)  # unknown names are refused before the body is read
        kind = request.headers.get("content-type", "").split(";")[0].strip()
        if kind not in ("image/png", "image/jpeg"):
            raise ApiError(415, f"body: expected image/png or image/jpeg, got {kind or 'none'!r}")
        data = await _read_body(request, limits.max_body)
        return Response(await predictor(name, data), media_type="application/json")

    async def play_new(request: Request) -> Response:
        body = await _read_json(request, limits.max_body)
        if not isinstance(body, dict):
            raise ApiError(422, f"body: expected a JSON object, got {type(body).__name__}")
        cfg = _checked(parse_config, body.get("config", {}))
        replace = body.get("replace")
        if replace is not None and not isinstance(replace, str):
            raise ApiError(422, f"replace: expected a session id, got {replace!r}")
        session = await run_in_threadpool(PlaygroundSession, cfg)
        sid = store.add(_Live(session, Pacer(limits.epochs_per_second)), replace=replace)
        frame = await run_in_threadpool(session.run, 0)
        return JSONResponse(
            {"session": sid, "config": cfg.as_json(), "frame": frame, "points": session.points()}
        )

    async def play_step(request: Request) -> Response:
        live: _Live = store.get(request.path_params["sid"])
        body = await _read_json(request, limits.max_body)
        if not isinstance(body, dict):
            raise ApiError(422, f"body: expected a JSON object, got {type(body).__name__}")
        epochs = _checked(check, "epochs", body.get("epochs", 1), Integer(1, limits.step_epochs))
        await asyncio.sleep(live.pacer.reserve(epochs))
        return JSONResponse(await run_in_threadpool(live.session.run, epochs))

    async def play_stream(request: Request) -> Response:
        live: _Live = store.get(request.path_params["sid"])
        q = request.query_params
        epochs = _checked(_int_param, "epochs", q.get("epochs", "500"), limits.stream_epochs)
        every = _checked(_int_param, "every", q.get("every", "1"), 100)

        async def frames() -> AsyncIterator[str]:
            done = 0
            while done < epochs:
                k = min(every, epochs - done)
                await asyncio.sleep(live.pacer.reserve(k))
                store.get(request.path_params["sid"])  # keeps the session alive while it runs
                frame = await run_in_threadpool(live.session.run, k)
                done += k
                yield f"data: {json.dumps(frame)}\n\n"
                if frame["diverged"]:
                    break
            yield "event: done\ndata: {}\n\n"

        headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
        return StreamingResponse(frames(), media_type="text/event-stream", headers=headers)

    async def perceptron(request: Request) -> Response:
        args = _checked(classic.parse_perceptron, await _read_json(request, limits.max_body))
        return JSONResponse(await run_in_threadpool(classic.perceptron_trace, **args))

    async def perceptron_hidden(request: Request) -> Response:
        args = _checked(classic.parse_perceptron, await _read_json(request, limits.max_body))
        return JSONResponse(await run_in_threadpool(classic.xor_hidden_layer, args["lr"]))

    async def minima(request: Request) -> Response:
        args = _checked(classic.parse_minima, await _read_json(request, limits.max_body))
        return JSONResponse(await run_in_threadpool(classic.minima_paths, **args))

    counts: dict[str, Any] = {}  # the experiment's table, computed once per server
    counts_lock = asyncio.Lock()

    async def minima_counts(request: Request) -> Response:
        async with counts_lock:
            if "table" not in counts:
                counts["table"] = await run_in_threadpool(classic.experiment_counts)
        return JSONResponse(counts["table"])

    async def api_error(request: Request, exc: Exception) -> Response:
        if isinstance(exc, ApiError):
            return _error(exc.status, exc.message)
        if isinstance(exc, NotFound):
            return _error(404, str(exc.args[0]))
        if isinstance(exc, TooManySessions):
            return _error(429, str(exc))
        assert isinstance(exc, HTTPException)
        return _error(exc.status_code, f"{request.method} {request.url.path}: {exc.detail}")

    routes = [
        Route("/", page("index")),
        *(Route(f"/{name}", page(name)) for name in PAGES),
        Route("/api/models", models),
        Route("/api/predict", predict, methods=["POST"]),
        Route("/api/play", play_new, methods=["POST"]),
        Route("/api/play/{sid}/step", play_step, methods=["POST"]),
        Route("/api/play/{sid}/stream", play_stream),
        Route("/api/perceptron", perceptron, methods=["POST"]),
        Route("/api/perceptron/hidden", perceptron_hidden, methods=["POST"]),
        Route("/api/minima", minima, methods=["POST"]),
        Route("/api/minima/counts", minima_counts),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:  # at the server's graceful shutdown (uvicorn then re-raises Ctrl+C or SIGTERM)
            await run_in_threadpool(predictor.close)

    app = Starlette(
        lifespan=lifespan,
        routes=routes,
        middleware=[
            Middleware(TrustedHostMiddleware, allowed_hosts=list(allowed_hosts)),
            Middleware(_SecurityHeaders),
        ],
        exception_handlers={
            ApiError: api_error,
            NotFound: api_error,
            TooManySessions: api_error,
            HTTPException: api_error,
        },
    )
    app.state.catalog, app.state.sessions, app.state.limits = catalog, store, limits
    app.state.predictor = predictor
    return app


class _SecurityHeaders:
    """ASGI middleware: every answer says "only this server's own files" (CSP) and "no sniffing"."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"content-security-policy", _CSP.encode()))
                headers.append((b"x-content-type-options", b"nosniff"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _int_param(name: str, text: str, high: int) -> int:
    """A query parameter that must be an integer in [1, high]."""
    try:
        value = int(text)
    except ValueError:
        raise TypeError(f"{name}: expected an integer in [1, {high}], got {text!r}") from None
    return check(name, value, Integer(1, high))
