"""Histograms of oriented gradients (HOG; Dalal & Triggs, 2005), for a batch of images.

A feature a person designed: the image is cut into cells of ``pixels_per_cell``
pixels; each cell gets a histogram of its gradient directions, weighted by the
gradient magnitude; each block of ``cells_per_block`` neighbouring cells is
normalised together (so contrast does not matter), and the blocks are
concatenated. Four steps, one function each::

    g_row, g_col = image_gradients(images)             # central differences
    cells = cell_histograms(g_row, g_col, ...)          # (N, cells_r, cells_c, bins)
    blocks = normalize_blocks(cells, cells_per_block)   # (N, blocks_r, blocks_c, br, bc, bins)
    features = blocks.reshape(N, -1)

With ``interpolate=False`` (the default) every pixel votes for the one bin
its direction falls in, as scikit-image's ``skimage.feature.hog`` does, and
the result equals it to rounding (tests/test_features.py states the
tolerance). ``interpolate=True`` splits each vote linearly between the two
nearest bin centres (the orientation interpolation of Dalal & Triggs), which
makes the feature change smoothly when a stroke turns.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nnscratch._validate import Integer, Options, check, check_array, check_bool, fail

__all__ = ["BLOCK_NORMS", "cell_histograms", "hog", "image_gradients", "normalize_blocks"]

BLOCK_NORMS = ("L1", "L1-sqrt", "L2", "L2-Hys")
_EPS = 1e-5  # added inside every block norm, as scikit-image does


def image_gradients(images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Central differences of ``images`` (N, H, W): ``(g_row, g_col)``, each (N, H, W).

    ``g_row[y, x] = I[y+1, x] - I[y-1, x]`` and ``g_col[y, x] = I[y, x+1] -
    I[y, x-1]``; the border rows (columns) get 0, as in scikit-image.
    """
    g_row = np.zeros_like(images)
    g_col = np.zeros_like(images)
    g_row[:, 1:-1, :] = images[:, 2:, :] - images[:, :-2, :]
    g_col[:, :, 1:-1] = images[:, :, 2:] - images[:, :, :-2]
    return g_row, g_col


def cell_histograms(
    g_row: np.ndarray,
    g_col: np.ndarray,
    pixels_per_cell: tuple[int, int],
    orientations: int,
    interpolate: bool = False,
) -> np.ndarray:
    """Orientation histograms of the cells: (N, H // ch, W // cw, orientations).

    Each pixel votes its magnitude ``sqrt(g_row^2 + g_col^2)`` for its
    unsigned direction ``theta = atan2(g_row, g_col) mod 180 deg``; bin ``i``
    covers ``[i, i + 1) * 180 / orientations`` degrees. Each histogram is
    divided by the cell's pixel count. Pixels beyond the last whole cell are
    left out.
    """
    n, h, w = g_row.shape
    ch, cw = pixels_per_cell
    rows, cols = h // ch, w // cw
    g_row = g_row[:, : rows * ch, : cols * cw].ravel()
    g_col = g_col[:, : rows * ch, : cols * cw].ravel()
    # A pixel's cell: (image, cell row, cell column) flattened; pixels with no
    # gradient vote nothing and are skipped (most of an MNIST digit).
    cell = (np.arange(rows * ch) // ch)[:, None] * cols + (np.arange(cols * cw) // cw)[None, :]
    cell = (cell[None] + (np.arange(n) * rows * cols)[:, None, None]).ravel()
    moving = np.flatnonzero((g_row != 0) | (g_col != 0))
    g_row, g_col, cell = g_row[moving], g_col[moving], cell[moving]
    magnitude = np.hypot(g_row, g_col)
    theta = np.rad2deg(np.arctan2(g_row, g_col)) % 180.0
    width = 180.0 / orientations
    if interpolate:
        # Linear vote between the centres (i + 1/2) * width on either side, cyclic.
        pos = theta / width - 0.5
        low = np.floor(pos)
        frac = pos - low
        bins = (low.astype(np.int64) % orientations, (low.astype(np.int64) + 1) % orientations)
        votes = (magnitude * (1.0 - frac), magnitude * frac)
    else:
        # The bin whose edges [w i, w (i + 1)) hold theta, by comparison with the edges.
        edges = width * np.arange(orientations + 1)
        bins = (np.minimum(np.searchsorted(edges, theta, side="right") - 1, orientations - 1),)
        votes = (magnitude,)
    hist = np.zeros(n * rows * cols * orientations, dtype=np.float64)
    for b, v in zip(bins, votes, strict=True):
        hist += np.bincount(cell * orientations + b, v, hist.size)
    return hist.reshape(n, rows, cols, orientations) / (ch * cw)


def normalize_blocks(
    cells: np.ndarray, cells_per_block: tuple[int, int], method: str
) -> np.ndarray:
    """Overlapping blocks of cells, each normalised: (N, Br, Bc, br, bc, bins).

    Blocks slide by one cell: ``Br = cells_r - br + 1``. With ``v`` a block's
    entries and ``e = 1e-5``: ``L1``: ``v / (|v|_1 + e)``; ``L1-sqrt``: its
    square root; ``L2``: ``v / sqrt(|v|_2^2 + e^2)``; ``L2-Hys``: ``L2``,
    clipped at 0.2, then ``L2`` again (Lowe's SIFT normalisation).
    """
    br, bc = cells_per_block
    blocks = np.lib.stride_tricks.sliding_window_view(cells, (br, bc), axis=(1, 2))
    blocks = blocks.transpose(0, 1, 2, 4, 5, 3)  # (N, Br, Bc, bins, br, bc) -> bins last
    sums = (-3, -2, -1)
    if method in ("L1", "L1-sqrt"):
        out = blocks / (np.abs(blocks).sum(axis=sums, keepdims=True) + _EPS)
        return np.sqrt(out) if method == "L1-sqrt" else out
    out = _l2(blocks, sums)
    if method == "L2-Hys":
        out = _l2(np.minimum(out, 0.2), sums)
    return out


def _l2(v: np.ndarray, axes: tuple[int, ...]) -> np.ndarray:
    return v / np.sqrt((v**2).sum(axis=axes, keepdims=True) + _EPS**2)


def _pair(name: str, value: Any) -> tuple[int, int]:
    if not isinstance(value, tuple | list) or len(value) != 2:
        raise fail(name, "a pair of integers (rows, columns)", value, TypeError)
    return (check(f"{name}[0]", value[0], Integer(1)), check(f"{name}[1]", value[1], Integer(1)))


def hog(
    images: Any,
    orientations: int = 9,
    pixels_per_cell: tuple[int, int] = (8, 8),
    cells_per_block: tuple[int, int] = (3, 3),
    block_norm: str = "L2-Hys",
    *,
    interpolate: bool = False,
) -> np.ndarray:
    """HOG feature vectors of grey images: (N, H, W) or (N, H*W) square -> (N, F).

    ``F = Br * Bc * br * bc * orientations`` with ``Br = H // ch - br + 1``
    (and likewise Bc). The defaults are scikit-image's; for 28 x 28 MNIST
    digits ``pixels_per_cell=(4, 4), cells_per_block=(2, 2)`` gives 1296
    features. One image: ``hog(image[None])``. Output: float64, or float32
    for a float32 input.
    """
    images = check_array("images", images, ndim=(2, 3), finite=True, nonempty=True)
    orientations = check("orientations", orientations, Integer(1))
    pixels_per_cell = _pair("pixels_per_cell", pixels_per_cell)
    cells_per_block = _pair("cells_per_block", cells_per_block)
    block_norm = check("block_norm", block_norm, Options(*BLOCK_NORMS))
    interpolate = check_bool("interpolate", interpolate)
    out_dtype = np.float32 if images.dtype == np.float32 else np.float64
    x = _as_batch(images)
    n, h, w = x.shape
    rows, cols = h // pixels_per_cell[0], w // pixels_per_cell[1]
    if rows < cells_per_block[0] or cols < cells_per_block[1]:
        need = (cells_per_block[0] * pixels_per_cell[0], cells_per_block[1] * pixels_per_cell[1])
        raise fail("images", f"images of at least {need[0]} x {need[1]} pixels", f"{h} x {w}")
    g_row, g_col = image_gradients(x.astype(np.float64))
    cells = cell_histograms(g_row, g_col, pixels_per_cell, orientations, interpolate)
    features = normalize_blocks(cells, cells_per_block, block_norm).reshape(n, -1)
    return features.astype(out_dtype, copy=False)


def _as_batch(images: np.ndarray) -> np.ndarray:
    """(N, H, W) as is; (N, D) rows of square images as (N, sqrt D, sqrt D)."""
    if images.ndim == 3:
        return images
    side = round(images.shape[1] ** 0.5)
    if side * side != images.shape[1]:
        raise fail("images", "(N, H, W) images or (N, D) rows of square images", images.shape)
    return images.reshape(len(images), side, side)
