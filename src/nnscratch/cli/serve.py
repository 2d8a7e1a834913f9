"""``nnscratch serve``: the local web playground (digits, playground, perceptron, minima)."""

from __future__ import annotations

import argparse

from nnscratch._threads import usable_cpus
from nnscratch.cli._common import CLIError, add_command, existing_file, parse_number

__all__ = ["register"]


def _port(text: str) -> int:
    value = parse_number(text, int, "a port number")
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port in [0, 65535], got {value}")
    return value


def _workers(text: str) -> int:
    value = parse_number(text, int, "a number of processes")
    if not 0 <= value <= 64:
        raise argparse.ArgumentTypeError(f"expected a number of processes in [0, 64], got {value}")
    return value


def register(sub: argparse._SubParsersAction) -> None:
    """Serve the playground's pages on http://127.0.0.1:PORT/: draw a digit and watch the
    network's hidden layers; train a small network on 2-D data live; the perceptron rule
    step by step; strategies against local minima. Needs the 'web' extra (pip install
    'nnscratch[web]').
    """
    p = add_command(
        sub,
        "serve",
        run,
        "the web playground on this computer (draw digits, train live)",
        register.__doc__,
    )
    p.add_argument(
        "--model",
        action="append",
        type=existing_file,
        default=[],
        metavar="FILE",
        help="a model for the digits page (nn.save's .safetensors or the book's "
        "sample_weight.pkl); repeat for several. The bundled 'sample' is always there.",
    )
    p.add_argument("--port", type=_port, default=8000, help="TCP port (default 8000; 0: any free)")
    p.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to bind (default 127.0.0.1: only this computer can connect)",
    )
    p.add_argument(
        "--workers",
        type=_workers,
        default=None,
        metavar="N",
        help="processes that answer the digits page's predictions (default: the number of "
        "CPUs; 0: the server's own process)",
    )
    p.add_argument("--open", action="store_true", help="open the pages in the web browser")


def run(args: argparse.Namespace) -> int:
    try:
        # deferred: the optional "web" extra (starlette, uvicorn)
        from nnscratch.web import serve
    except ImportError as err:
        raise CLIError(
            f"serve needs the 'web' extra: pip install 'nnscratch[web]' ({err})"
        ) from None
    from nnscratch.web.app import Limits

    workers = usable_cpus() if args.workers is None else args.workers
    try:
        serve(
            args.model,
            host=args.host,
            port=args.port,
            open_browser=args.open,
            limits=Limits(predict_processes=workers),
        )
    except OSError as err:
        raise CLIError(f"cannot listen on {args.host}:{args.port}: {err.strerror or err}") from None
    return 0
