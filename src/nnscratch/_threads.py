"""Parts of a batch on several cores: the machinery under the conv and pooling layers.

The convolution and pooling layers do the same work for every image of a
batch, so they can cut the batch into parts and hand each part to its own
thread. That pays because NumPy lets go of the GIL inside copies, ufunc
loops, reductions and BLAS calls: while one thread copies its half of the
windows or multiplies its half of ``col``, the other runs on the other
core. One OpenBLAS call on two threads already uses both cores for the
matrix products, but nothing else does; on two cores the small CNN spends
about two thirds of a step outside BLAS (docs/performance.md#threads).

While the parts run, BLAS is held to one thread (threadpoolctl finds the
BLAS library NumPy loaded and sets its thread count): two parts each asking
a two-thread BLAS for both cores are slower than one part alone. A network
holds it for its whole forward and backward pass (:func:`blas_held`), not
only inside the parts: OpenBLAS's own threads spin for a while after each
call and would take the core a part needs.

The answer does not depend on the split except through the order of one sum:
a parameter's gradient is the sum of the parts' gradients, added in part
order, so a run is repeatable for a given thread count.

``NNSCRATCH_NUM_THREADS`` or :func:`set_num_threads` sets the number of
parts (default: the CPUs this process may use, at most 4); 1 turns the
machinery off.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager, nullcontext
from functools import cache
from itertools import pairwise
from typing import Any, TypeVar

from nnscratch._validate import Integer, check

__all__ = [
    "batch_parts",
    "blas_held",
    "get_num_threads",
    "run_parts",
    "set_num_threads",
    "usable_cpus",
]

T = TypeVar("T")

MAX_DEFAULT = 4
MIN_PART = 8  # images per part; below this the thread hand-off costs more than it saves

_lock = threading.Lock()
_pool: ThreadPoolExecutor | None = None
_pool_size = 0
_threads: int | None = None  # None: from the environment at first use
_blas_users = 0  # callers inside run_parts; the first sets BLAS to 1 thread, the last restores
_blas_saved: list[int] = []


def _default() -> int:
    env = os.environ.get("NNSCRATCH_NUM_THREADS", "").strip()
    if env:
        try:
            n = int(env)
        except ValueError:
            n = 0
        if n < 1:
            raise ValueError(f"NNSCRATCH_NUM_THREADS: expected an integer >= 1, got {env!r}")
        return n
    return min(usable_cpus(), MAX_DEFAULT)


def usable_cpus() -> int:
    """The CPUs this process may run on (its affinity on Linux, else the CPU count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def get_num_threads() -> int:
    """How many parts (threads) the conv and pooling layers cut a batch into."""
    global _threads
    if _threads is None:
        _threads = _default()
    return _threads


def set_num_threads(n: int) -> None:
    """Use ``n`` threads (``n >= 1``; 1: one thread, no pool) in the conv and pooling layers."""
    global _threads
    _threads = check("n", n, Integer(1))


def batch_parts(n: int) -> tuple[tuple[int, int], ...]:
    """``n`` images cut into at most :func:`get_num_threads` runs ``(start, stop)``
    of at least ``MIN_PART`` images, sizes as equal as possible, in order."""
    k = max(1, min(get_num_threads(), n // MIN_PART))
    bounds = [n * i // k for i in range(k + 1)]
    return tuple(pairwise(bounds))


def _executor(workers: int) -> ThreadPoolExecutor:
    global _pool, _pool_size
    with _lock:
        if _pool is None or _pool_size < workers:
            if _pool is not None:
                _pool.shutdown(wait=False)  # its queued work still runs
            _pool = ThreadPoolExecutor(workers, thread_name_prefix="nnscratch")
            _pool_size = workers
        return _pool


@cache
def _blas() -> list[Any]:
    """threadpoolctl's handles on the BLAS libraries loaded in this process."""
    # deferred: importing threadpoolctl takes longer than importing the rest of
    # nnscratch, and only networks with conv or pooling layers need it
    from threadpoolctl import ThreadpoolController

    return list(ThreadpoolController().select(user_api="blas").lib_controllers)


@contextmanager
def _one_blas_thread() -> Iterator[None]:
    """BLAS on one thread inside; the thread counts before are restored by the last to leave."""
    global _blas_users, _blas_saved
    with _lock:
        if _blas_users == 0:
            _blas_saved = [lib.num_threads for lib in _blas()]
            for lib in _blas():
                lib.set_num_threads(1)
        _blas_users += 1
    try:
        yield
    finally:
        with _lock:
            _blas_users -= 1
            if _blas_users == 0:
                for lib, n in zip(_blas(), _blas_saved, strict=True):
                    lib.set_num_threads(n)


def blas_held(active: bool, n: int) -> AbstractContextManager[None]:
    """BLAS on one thread inside, if ``active`` and a batch of ``n`` is cut into parts."""
    if active and len(batch_parts(n)) > 1:
        return _one_blas_thread()
    return nullcontext()


def run_parts(fn: Callable[[int], T], count: int) -> list[T]:
    """``[fn(0), ..., fn(count - 1)]``, part 0 on this thread and the others on the pool.

    An exception in any part is raised here, after every part has finished
    (so no part is still writing into a shared buffer).
    """
    if count == 1:
        return [fn(0)]
    with _one_blas_thread():
        futures = [_executor(count - 1).submit(fn, i) for i in range(1, count)]
        try:
            first = fn(0)
        finally:
            for f in futures:  # wait for all before anything is raised
                f.exception()
        return [first, *(f.result() for f in futures)]
