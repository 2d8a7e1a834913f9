"""Digit predictions for ``/api/predict``, in worker processes or in a thread.

An answer is the drawing decoded and brought to MNIST's 28x28 form
(:func:`~nnscratch.web.digits.digit_input`), one forward pass that keeps the
hidden layers' activations, and the JSON of all that: about 1.5 ms of
Python and NumPy on one core, most of it the image work. In the server's
own process that work holds the GIL the HTTP layer needs, so one process
answered about 270 predictions a second on 2 cores, and 16 clients asking at
once waited for each other (p99 116 ms, BENCHMARKS.md). With ``processes``
workers the server process only parses HTTP and passes bytes: the drawing
goes to a worker, the finished JSON comes back.

Each worker loads the same models (the bundled ones and the files given on
the command line) once, at its start. Workers are started with ``spawn``
(the server has threads, and ``fork`` would copy their locks) and only when
the first prediction arrives.
"""

from __future__ import annotations

import asyncio
import ctypes
import json
import multiprocessing
import os
import signal
from collections.abc import Sequence
from concurrent.futures import BrokenExecutor, ProcessPoolExecutor
from pathlib import Path

import numpy as np
from starlette.concurrency import run_in_threadpool

from nnscratch.web.digits import ModelCatalog, digit_input
from nnscratch.web.errors import ApiError

__all__ = ["Predictor", "answer"]

_catalog: ModelCatalog | None = None  # a worker process's own models


def answer(catalog: ModelCatalog, name: str, data: bytes) -> bytes:
    """The JSON of the drawing ``data``'s input, probabilities and hidden activations."""
    x = digit_input(data)
    out = catalog.predict(name, x)
    out["model"] = name
    out["input"] = np.round(x.astype(np.float64), 3).tolist()
    # as Starlette's JSONResponse renders
    text = json.dumps(out, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return text.encode("utf-8")


def _start_worker(model_files: Sequence[str]) -> None:
    global _catalog
    _die_with_parent()
    _catalog = ModelCatalog(model_files)


def _die_with_parent() -> None:
    """On Linux, ask the kernel for SIGTERM when the server dies (even by SIGKILL),
    so no worker outlives it; elsewhere the server's shutdown stops the workers."""
    try:
        libc = ctypes.CDLL(None)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() == 1:  # the server died before the call above
        os._exit(0)


def _answer_in_worker(name: str, data: bytes) -> bytes:
    assert _catalog is not None, "worker started without its models"
    return answer(_catalog, name, data)


class Predictor:
    """Answers predictions with ``processes`` worker processes (0: a thread of this process)."""

    def __init__(
        self, catalog: ModelCatalog, model_files: Sequence[str | Path], processes: int
    ) -> None:
        self.catalog = catalog
        self.model_files = [str(Path(f)) for f in model_files]
        self.processes = processes
        self._pool: ProcessPoolExecutor | None = None

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                self.processes,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_worker,
                initargs=(self.model_files,),
            )
        return self._pool

    async def __call__(self, name: str, data: bytes) -> bytes:
        """The answer's JSON bytes; a picture that is no digit drawing is a 422."""
        try:
            if not self.processes:
                return await run_in_threadpool(answer, self.catalog, name, data)
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self._executor(), _answer_in_worker, name, data)
        except (ValueError, TypeError) as err:
            raise ApiError(422, str(err)) from None
        except BrokenExecutor:
            self.close()  # the next prediction starts fresh workers
            raise ApiError(503, "predict: a worker process stopped; try again") from None

    def close(self) -> None:
        """Stop the worker processes (if any were started)."""
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)

    def __repr__(self) -> str:
        where = f"{self.processes} worker processes" if self.processes else "a thread"
        return f"Predictor({where})"
