"""Resolve the MODEL argument of the CLI: a file, or the name of a bundled model."""

from __future__ import annotations

from pathlib import Path

from nnscratch.cli._common import CLIError

__all__ = ["load_model"]


def load_model(spec: str):
    """Load ``spec``: a model file (safetensors or the book's pickle) or a bundled name."""
    from nnscratch import io

    path = Path(spec)
    if path.is_file():
        return io.load(path)
    bundled = getattr(io, "bundled_models", None)
    if bundled is not None and spec in bundled():
        return io.load(spec)
    if path.is_dir():
        raise CLIError(f"MODEL: expected a model file, got the directory {spec!r}")
    if bundled is None and spec == "sample":
        raise CLIError(
            "MODEL: this install has no bundled 'sample' model; give a model file, e.g. one "
            "written by 'nnscratch train' or the book's sample_weight.pkl"
        )
    raise CLIError(f"MODEL: no such file {spec!r}")
