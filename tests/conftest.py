"""Shared fixtures for the test suite."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SAMPLE_WEIGHT = SHARED / "reference" / "sample_weight.pkl"


@pytest.fixture(scope="session")
def sample_weight_path() -> Path:
    """The book's published chapter-3 weights, when ../shared is laid beside the repo."""
    if not SAMPLE_WEIGHT.exists():
        pytest.skip(f"{SAMPLE_WEIGHT} is not present")
    return SAMPLE_WEIGHT


@pytest.fixture(scope="session")
def mnist():
    """The real MNIST set as the book loads it (normalized, flat, integer labels)."""
    from nnscratch.datasets import load_mnist

    return load_mnist(normalize=True, flatten=True, one_hot_label=False, verbose=False)


@pytest.fixture()
def isolated_home(tmp_path, monkeypatch) -> Path:
    """An empty NNSCRATCH_HOME so a test never touches the user's cache."""
    home = tmp_path / "nnscratch-home"
    monkeypatch.setenv("NNSCRATCH_HOME", str(home))
    return home


def mnist_dir() -> Path | None:
    value = os.environ.get("NNSCRATCH_MNIST_DIR")
    return Path(value) if value else None
