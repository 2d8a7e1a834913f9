"""Checkpoints: the whole state of a training run in one safetensors file.

A checkpoint holds the tensors ``param/<name>`` (the weights),
``buffer/<name>`` (BatchNorm running statistics), ``optim/<slot>/<name>``
(momenta, Adam's moments) and ``callback/<i>/<key>``, and in its JSON
metadata the epoch and step counters, the history, the shuffling
Generator's state and the network's own Generators' (dropout), the
optimizer's configuration and scalars (its hooks' noise Generators among
them), the schedule's configuration and the callbacks' scalars. It is
written atomically: a reader, or a run killed at any moment, sees the old
file or the new one, never half of one.

Resuming (:func:`restore_checkpoint`) first checks the checkpoint against the
run that resumes it (network shapes, batch size, optimizer and its
hyperparameters, callbacks, schedule, Generators) and changes nothing when
one differs: the error names the setting. Then the continued run ends with
weights identical, bit for bit, to a run never interrupted.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from os import PathLike
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import safetensors
import safetensors.numpy

from nnscratch._atomic import atomic_write_bytes
from nnscratch.network import Network
from nnscratch.training import optimizers as _optimizers
from nnscratch.training import schedules as _schedules
from nnscratch.training.callbacks import Callback, History

__all__ = [
    "CHECKPOINT_FORMAT",
    "CheckpointedRun",
    "read_checkpoint",
    "restore_checkpoint",
    "save_checkpoint",
]

CHECKPOINT_FORMAT = "nnscratch.checkpoint"
_CHECKPOINT_VERSION = 1
_META_KEY = "nnscratch.checkpoint"


class CheckpointedRun(Protocol):
    """What a checkpoint saves and restores of a run (the Trainer has all of it).

    ``optimizer_config`` is the optimizer's serialized configuration as the
    run began (before schedules or callbacks changed its ``lr``).
    """

    net: Network
    optimizer: _optimizers.Optimizer
    optimizer_config: dict[str, Any]
    schedule: _schedules.Schedule | Callable[[int], float] | None
    callbacks: Sequence[Callback]
    rng: np.random.Generator
    history: History
    epoch: int
    global_step: int
    batch_size: int
    shuffle: bool


def read_checkpoint(path: str | PathLike[str]) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """The arrays and the decoded metadata of a checkpoint file.

    Raises ValueError if the file is not an nnscratch checkpoint.
    """
    p = Path(path)
    try:
        with safetensors.safe_open(str(p), framework="np") as f:
            meta = f.metadata() or {}
            tensors = {k: f.get_tensor(k) for k in f.keys()}
    except FileNotFoundError:
        raise
    except Exception as err:  # safetensors raises its own error types
        raise ValueError(f"{p}: not a readable safetensors checkpoint ({err})") from err
    if meta.get("format") != CHECKPOINT_FORMAT or _META_KEY not in meta:
        raise ValueError(f"{p}: not an nnscratch checkpoint (format {meta.get('format')!r})")
    info = json.loads(meta[_META_KEY])
    if info.get("version") != _CHECKPOINT_VERSION:
        raise ValueError(
            f"{p}: checkpoint version {info.get('version')!r} is not supported "
            f"(this nnscratch reads {_CHECKPOINT_VERSION})"
        )
    return tensors, info


def save_checkpoint(run: CheckpointedRun, path: str | PathLike[str]) -> Path:
    """Write the whole state of ``run`` to ``path`` (safetensors, atomically)."""
    net = run.net
    tensors: dict[str, np.ndarray] = {}
    for k, v in net.parameters().items():
        tensors[f"param/{k}"] = v
    for k, v in net.buffers().items():
        tensors[f"buffer/{k}"] = v
    opt_scalars: dict[str, Any] = {}
    for k, v in run.optimizer.state_dict().items():
        if isinstance(v, np.ndarray):
            tensors[f"optim/{k}"] = v
        else:
            opt_scalars[k] = v
    cb_scalars: list[dict[str, Any]] = []
    for i, cb in enumerate(run.callbacks):
        scalars: dict[str, Any] = {}
        for k, v in cb.state_dict().items():
            if isinstance(v, np.ndarray):
                tensors[f"callback/{i}/{k}"] = v
            else:
                scalars[k] = v
        cb_scalars.append({"class": type(cb).__name__, "state": scalars})
    info = {
        "version": _CHECKPOINT_VERSION,
        "epoch": run.epoch,
        "global_step": run.global_step,
        "batch_size": run.batch_size,
        "shuffle": run.shuffle,
        "rng": run.rng.bit_generator.state,
        "layer_rngs": {k: g.bit_generator.state for k, g in net.generators().items()},
        "history": run.history.to_dict(),
        "net": net.get_config(),
        "optimizer": _optimizers.serialize(run.optimizer),
        "optimizer_config": run.optimizer_config,
        "optimizer_scalars": opt_scalars,
        "schedule": schedule_config(run.schedule),
        "callbacks": cb_scalars,
    }
    tensors = {k: np.ascontiguousarray(v) for k, v in tensors.items()}
    metadata = {"format": CHECKPOINT_FORMAT, _META_KEY: json.dumps(info)}
    path = Path(path)
    # Serialised in memory, then written by Python: a full disk is then an
    # OSError naming the file (_atomic.WriteError), not a SafetensorError.
    atomic_write_bytes(path, safetensors.numpy.save(tensors, metadata=metadata))
    return path


def schedule_config(schedule: Any) -> dict[str, Any] | None:
    """A Schedule's serialized config as JSON gives it back; None for a plain callable."""
    if not isinstance(schedule, _schedules.Schedule):
        return None
    return json.loads(json.dumps(_schedules.serialize(schedule)))


def restore_checkpoint(
    run: CheckpointedRun, tensors: Mapping[str, np.ndarray], info: Mapping[str, Any], path: Any
) -> None:
    """Check the checkpoint against ``run``, then load it (nothing changes on an error)."""
    net = run.net
    params, buffers = _split(tensors, "param/"), _split(tensors, "buffer/")
    live = {**net.parameters(), **net.buffers()}
    saved = {**params, **buffers}
    if {k: v.shape for k, v in live.items()} != {k: v.shape for k, v in saved.items()}:
        raise ValueError(
            f"{path}: the checkpoint's parameters "
            f"{ {k: v.shape for k, v in saved.items()} } do not match the network's "
            f"{ {k: v.shape for k, v in live.items()} }"
        )
    if info["batch_size"] != run.batch_size:
        raise ValueError(
            f"batch_size: the checkpoint was written with batch_size {info['batch_size']}; "
            f"resume with the same to continue exactly, got {run.batch_size}"
        )
    _check_optimizer(info, run)
    if len(info["callbacks"]) != len(run.callbacks) or any(
        entry["class"] != type(cb).__name__
        for entry, cb in zip(info["callbacks"], run.callbacks, strict=False)
    ):
        raise ValueError(
            "callbacks: the checkpoint was written with callbacks "
            f"{[e['class'] for e in info['callbacks']]}, got "
            f"{[type(cb).__name__ for cb in run.callbacks]}"
        )
    _check_schedule(info.get("schedule"), schedule_config(run.schedule))
    gens = net.generators()
    saved_rngs = {_current_name(k): v for k, v in info["layer_rngs"].items()}
    if set(gens) != set(saved_rngs):
        raise ValueError(
            f"{path}: the checkpoint's layer generators {sorted(saved_rngs)} "
            f"do not match the network's {sorted(gens)}"
        )
    for name, arr in saved.items():
        np.copyto(live[name], arr)
    run.optimizer.load_state_dict({**info["optimizer_scalars"], **_split(tensors, "optim/")})
    for i, (entry, cb) in enumerate(zip(info["callbacks"], run.callbacks, strict=True)):
        state = {**entry["state"], **_split(tensors, f"callback/{i}/")}
        if state:
            cb.load_state_dict(state)
    run.rng.bit_generator.state = info["rng"]
    for name, g in gens.items():
        g.bit_generator.state = saved_rngs[name]
    run.history = History.from_dict(info["history"])
    run.epoch = int(info["epoch"])
    run.global_step = int(info["global_step"])
    run.shuffle = bool(info["shuffle"])


def _split(tensors: Mapping[str, np.ndarray], prefix: str) -> dict[str, np.ndarray]:
    n = len(prefix)
    return {k[n:]: v for k, v in tensors.items() if k.startswith(prefix)}


def _current_name(name: str) -> str:
    """A generator name of a checkpoint written before ``generators()`` ("3._rng")."""
    return name[:-5] + ".rng" if name.endswith("._rng") else name


def _check_optimizer(info: Mapping[str, Any], run: CheckpointedRun) -> None:
    """The same optimizer class, and the same hyperparameters as the run began with."""
    saved_name = info["optimizer"]["class_name"]
    if saved_name != run.optimizer.name:
        raise ValueError(
            f"optimizer: the checkpoint holds the state of {saved_name!r}, got "
            f"{run.optimizer.name!r}"
        )
    saved = info.get("optimizer_config")  # absent in checkpoints of earlier versions
    if saved is None:
        return
    old, new = saved["config"], json.loads(json.dumps(run.optimizer_config["config"]))
    for key in sorted(set(old) | set(new), key=lambda k: (k != "lr", k)):
        if old.get(key) != new.get(key):
            raise ValueError(
                f"{key}: the checkpoint was written with {saved_name} {key} "
                f"{_show(old.get(key))}; resume with the same to continue exactly, "
                f"got {_show(new.get(key))}"
            )


def _check_schedule(saved: dict[str, Any] | None, live: dict[str, Any] | None) -> None:
    # A Schedule's config fixes its whole curve (a one-cycle's total steps, say).
    # A plain function has no config: it is saved, and compared, as None.
    if saved == live:
        return
    differs = ""
    if saved is not None and live is not None and saved["class_name"] == live["class_name"]:
        keys = [k for k in saved["config"] if saved["config"][k] != live["config"].get(k)]
        differs = f" ({', '.join(keys)} differs)" if keys else ""
    raise ValueError(
        f"schedule: the checkpoint was written with {_describe_schedule(saved)}; resume with "
        f"the same to follow the same learning rates, got {_describe_schedule(live)}{differs}"
    )


def _describe_schedule(config: dict[str, Any] | None) -> str:
    return "no Schedule (None or a plain function)" if config is None else json.dumps(config)


def _show(value: Any) -> str:
    return "none" if value is None else json.dumps(value)
