"""Resolve the MODEL argument of the CLI: a file, or the name of a bundled model."""

from __future__ import annotations

from pathlib import Path

from nnscratch.cli._common import CLIError

__all__ = ["load_model"]


def load_model(spec: str):
    """Load ``spec``: a model file (safetensors or the book's pickle) or a bundled name."""
    from nnscratch import io

    if not spec:
        raise CLIError("MODEL: expected a path, got an empty string")
    path = Path(spec)
    if path.is_file() or spec in io.bundled_models():
        return io.load(spec)
    if path.is_dir():
        raise CLIError(f"MODEL: expected a model file, got the directory {spec!r}")
    names = ", ".join(repr(n) for n in io.bundled_models())
    raise CLIError(f"MODEL: no such file {spec!r} (bundled models: {names})")
