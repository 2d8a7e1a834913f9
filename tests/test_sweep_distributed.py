"""nnscratch.sweep on Dask: a LocalCluster of 2 worker processes on 127.0.0.1.

The same sweep gives the same table here and in one process; a worker killed
mid-sweep and a driver killed mid-sweep lose no trial and record none twice.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

distributed = pytest.importorskip("distributed")

from nnscratch.sweep import MLPTrial, local_cluster, read_results, run_sweep  # noqa: E402

TINY = {"hidden": (16,), "epochs": 3, "batch_size": 40, "optimizer": "sgd", "schedule": "constant"}
SRC = Path(__file__).resolve().parents[1] / "src"


@pytest.fixture(scope="module")
def client(mnist):
    with local_cluster(2) as cluster, distributed.Client(cluster) as c:
        yield c


@pytest.fixture(scope="module")
def tiny(mnist):
    return MLPTrial(base=TINY, n_train=200)


def _trials(path: Path) -> list[int]:
    return [r["trial"] for r in read_results(path)]


def test_local_cluster_is_two_single_thread_processes_on_loopback(client):
    info = client.scheduler_info()
    assert info["address"].startswith("tcp://127.0.0.1:")
    workers = info["workers"]
    assert len(workers) == 2
    assert all(w["nthreads"] == 1 and w["host"] == "127.0.0.1" for w in workers.values())
    env = client.run(lambda: (os.getpid(), os.environ.get("OPENBLAS_NUM_THREADS")))
    assert len({pid for pid, _ in env.values()} | {os.getpid()}) == 3  # separate processes
    assert {blas for _, blas in env.values()} == {"1"}


def test_cluster_sweep_matches_the_in_process_table(client, tiny, tmp_path):
    path = tmp_path / "d.csv"
    here = run_sweep(trial=tiny, trials=8, seed=11, workers=0, progress=False)
    there = run_sweep(trial=tiny, trials=8, seed=11, scheduler=client, results=path,
                      progress=False)  # fmt: skip
    assert there.table(8) == here.table(8)
    assert sorted(_trials(path)) == list(range(8))
    assert len({r["worker"] for r in there.rows}) == 2  # both workers took trials


def test_killing_a_worker_mid_sweep_loses_no_trial(client, tmp_path):
    trial = MLPTrial(base={**TINY, "epochs": 12}, n_train=200)
    path = tmp_path / "k.csv"
    killed: list[int] = []

    def kill_one(row: dict) -> None:
        if killed:
            return
        pids = client.run(os.getpid)
        busy = client.processing()  # the worker whose process dies holds a running trial
        address = next(a for a in pids if busy.get(a)) if any(busy.values()) else next(iter(pids))
        killed.append(pids[address])
        os.kill(pids[address], signal.SIGKILL)

    result = run_sweep(trial=trial, trials=10, seed=5, scheduler=client, results=path,
                       progress=False, on_trial=kill_one)  # fmt: skip
    assert killed
    assert sorted(_trials(path)) == list(range(10))  # every trial exactly once
    assert [r["trial"] for r in result.rows] == list(range(10))
    here = run_sweep(trial=trial, trials=10, seed=5, workers=0, progress=False)
    assert result.table(10) == here.table(10)
    client.wait_for_workers(2, timeout=60)  # the nanny restarted the killed worker


@pytest.mark.slow
def test_killed_driver_resumes_without_rerunning(tmp_path, mnist):
    path = tmp_path / "driver.csv"
    argv = [sys.executable, "-m", "nnscratch.cli", "sweep", "--set", "epochs=6", "--set",
            "hidden=16", "--train", "200", "--trials", "12", "--seed", "3", "--workers", "0",
            "--results", str(path)]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": f"{SRC}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    log = tmp_path / "stderr.txt"
    with open(log, "wb") as err:
        proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=err)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and proc.poll() is None:
        if path.exists() and len(read_results(path)) >= 3:
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    before = _trials(path)
    assert 3 <= len(before) < 12, log.read_text()
    done = subprocess.run([*argv, "--resume"], env=env, capture_output=True, text=True, check=True)
    assert f"({12 - len(before)} run now" in done.stdout
    after = _trials(path)
    assert after[: len(before)] == before  # the finished rows were kept as they were
    assert sorted(after) == list(range(12))
    whole = run_sweep(trial=MLPTrial(base={**MLPTrial().base, "epochs": 6, "hidden": (16,)},
                                     n_train=200, data_seed=3),
                      trials=12, seed=3, workers=0, progress=False)  # fmt: skip
    table = "\n".join(done.stdout.splitlines()[2:14])
    assert table == whole.table(10)
