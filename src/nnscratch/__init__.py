"""nnscratch: neural networks from scratch in NumPy, done properly."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
