"""Where trials run: in this process, or on a Dask cluster; one driving loop for both.

A *runner* takes tasks ``fn(*args)`` under an integer key and hands back
finished ones; :func:`drive` keeps it full and passes each result on::

    drive(runner, next_task, on_done)

:class:`InProcess` runs one task after another in this process.
:class:`DaskRunner` submits them to a ``distributed.Client``: a
``LocalCluster`` of worker processes on 127.0.0.1 (:func:`local_cluster`), or
any cluster by its scheduler's address. A task whose worker dies is rerun on
another worker by Dask's scheduler (and an exception from the task itself
is retried ``retries`` times); :func:`drive` passes each key on once.

Every task runs with the BLAS thread pools held to one thread
(:func:`run_pinned`), so two trials on two cores do not fight for four.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
from collections.abc import Callable, Iterator
from typing import Any

from nnscratch._threads import get_num_threads, set_num_threads
from nnscratch._validate import Integer, check, fail

__all__ = [
    "BLAS_ENV",
    "DaskRunner",
    "InProcess",
    "drive",
    "have_distributed",
    "local_cluster",
    "open_runner",
    "run_pinned",
]

#: Environment of every LocalCluster worker: one BLAS / OpenMP thread each.
BLAS_ENV = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "VECLIB_MAXIMUM_THREADS": "1",
}

Task = tuple[int, Callable[..., Any], tuple[Any, ...]]


def have_distributed() -> bool:
    """True when the ``distributed`` extra (dask.distributed) is installed."""
    try:
        import distributed  # noqa: F401  (deferred: the optional extra "distributed")
    except ImportError:
        return False
    return True


def run_pinned(fn: Callable[..., Any], *args: Any) -> Any:
    """``fn(*args)`` on one core: BLAS thread pools and nnscratch's conv threads at one.

    Workers started by :func:`local_cluster` already have one BLAS thread from
    :data:`BLAS_ENV`; on a cluster started by hand this keeps a trial to one core.
    """
    from threadpoolctl import threadpool_limits  # deferred: slow to import, trials only

    before = get_num_threads()
    set_num_threads(1)
    try:
        with threadpool_limits(limits=1):
            return fn(*args)
    finally:
        set_num_threads(before)


class InProcess:
    """Run tasks here, one after another, in the order submitted, BLAS on one thread.

    One thread, as on a worker: small trials run several times faster than
    with BLAS threads fighting over shared cores (1.6 s against 19 s for one
    trial of the book's search on a busy 2-core machine), and the in-process
    sweep is then the one-worker sweep without a scheduler.
    """

    capacity = 1

    def __init__(self) -> None:
        self._queue: list[Task] = []

    def submit(self, key: int, fn: Callable[..., Any], *args: Any) -> None:
        self._queue.append((key, fn, args))

    def running(self) -> int:
        return len(self._queue)

    def next_done(self) -> tuple[int, Any]:
        key, fn, args = self._queue.pop(0)
        return key, run_pinned(fn, *args)

    def close(self) -> None:
        self._queue.clear()

    def describe(self) -> str:
        return "in-process"


class DaskRunner:
    """Run tasks on a Dask cluster through ``client``.

    ``capacity`` tasks are kept in flight (default: twice the cluster's
    threads, so no worker waits for the driver). ``retries``: how often a
    task that raised is resubmitted by Dask; a task whose worker died is
    rescheduled by the scheduler in any case (up to its
    ``distributed.scheduler.allowed-failures``).
    """

    def __init__(self, client: Any, *, capacity: int | None = None, retries: int = 2) -> None:
        # Deferred: the optional extra "distributed".
        from distributed import as_completed

        self.client = client
        threads = sum(client.nthreads().values()) or 1
        self.capacity = 2 * threads if capacity is None else check("capacity", capacity, Integer(1))
        self.retries = check("retries", retries, Integer(0))
        self._done = as_completed()
        self._keys: dict[str, int] = {}
        self._token = f"nnscratch-{os.getpid()}-{id(self):x}"
        self._n = itertools.count()

    def submit(self, key: int, fn: Callable[..., Any], *args: Any) -> None:
        future = self.client.submit(
            run_pinned,
            fn,
            *args,
            key=f"{self._token}-{key}-{next(self._n)}",
            pure=False,
            retries=self.retries,
        )
        self._keys[future.key] = key
        self._done.add(future)

    def running(self) -> int:
        return len(self._keys)

    def next_done(self) -> tuple[int, Any]:
        future = next(self._done)
        key = self._keys.pop(future.key)
        return key, future.result()

    def close(self) -> None:
        for future in list(self._done.futures):
            future.cancel()
        self._keys.clear()

    def describe(self) -> str:
        info = self.client.scheduler_info()
        workers = info.get("workers", {})
        return f"dask {info.get('address', '?')}, {len(workers)} workers"


def drive(
    runner: Any,
    next_task: Callable[[], Task | None],
    on_done: Callable[[int, Any], None],
    on_submit: Callable[[int], None] | None = None,
) -> None:
    """Keep ``runner`` full with ``next_task()`` until it returns None; hand results on.

    Results reach ``on_done(key, result)`` one at a time in this thread, in
    the order they finish. On any exception (and Ctrl-C) the tasks still
    queued or running are cancelled.
    """
    exhausted = False
    try:
        while True:
            while not exhausted and runner.running() < runner.capacity:
                task = next_task()
                if task is None:
                    exhausted = True
                    break
                key, fn, args = task
                runner.submit(key, fn, *args)
                if on_submit is not None:
                    on_submit(key)
            if runner.running() == 0:
                return
            on_done(*runner.next_done())
    except BaseException:
        runner.close()
        raise


def local_cluster(workers: int | None = None, *, quiet: bool = True) -> Any:
    """A ``distributed.LocalCluster`` of ``workers`` processes with one thread each.

    Bound to 127.0.0.1 only (nothing listens on the network; the scheduler's HTTP
    server takes a free loopback port, so two clusters never collide),
    every worker started with :data:`BLAS_ENV`. ``workers`` defaults to the
    number of CPUs.
    """
    from distributed import LocalCluster  # deferred: the optional extra "distributed"

    n = (os.cpu_count() or 1) if workers is None else check("workers", workers, Integer(1))
    return LocalCluster(
        n_workers=n,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address="127.0.0.1:0",  # its HTTP server (metrics) on a free loopback port
        env=dict(BLAS_ENV),
        silence_logs=logging.ERROR if quiet else logging.WARNING,
    )


@contextlib.contextmanager
def open_runner(
    scheduler: Any = None, workers: int | None = None, *, capacity: int | None = None
) -> Iterator[Any]:
    """The runner for a sweep, closed (and its own cluster shut down) on exit.

    ``scheduler``: None, a scheduler address (``"tcp://host:8786"``) or a
    ``distributed.Client``. ``workers``: 0 runs in this process; None starts
    a LocalCluster of one worker per CPU when the ``distributed`` extra is
    installed, else runs in this process; n starts a LocalCluster of n.
    """
    if scheduler is None and (workers == 0 or (workers is None and not have_distributed())):
        yield InProcess()
        return
    if workers is not None:
        check("workers", workers, Integer(0))
    if not have_distributed():
        raise fail(
            "scheduler" if scheduler is not None else "workers",
            "the 'distributed' extra (pip install 'nnscratch[distributed]')",
            "no dask.distributed installed",
            ImportError,
        )
    from distributed import Client  # deferred: the optional extra "distributed"

    if scheduler is not None and not isinstance(scheduler, str | Client):
        raise fail(
            "scheduler", "an address such as 'tcp://host:8786' or a Client", scheduler, TypeError
        )
    if isinstance(scheduler, Client):
        runner = DaskRunner(scheduler, capacity=capacity)
        try:
            yield runner
        finally:
            runner.close()
        return
    with contextlib.ExitStack() as stack:
        if scheduler is None:
            cluster = stack.enter_context(local_cluster(workers))
            client = stack.enter_context(Client(cluster))
        else:
            client = stack.enter_context(Client(scheduler, timeout="10s"))
        runner = DaskRunner(client, capacity=capacity)
        try:
            yield runner
        finally:
            runner.close()
