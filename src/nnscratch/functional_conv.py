"""Convolution and pooling as plain functions: im2col, col2im, conv2d, max/avg pooling.

Images are batches of shape (N, C, H, W) (the book's and PyTorch's order);
filters are (FN, C, KH, KW). A window of KH x KW pixels moves over the
(zero-padded) image in steps of ``stride``, so the output has

    OH = (H + 2 pad - KH) // stride + 1,   OW = (W + 2 pad - KW) // stride + 1

positions. ``im2col`` copies the pixels under every window position into one
row of a matrix, and the convolution becomes one matrix product ("Deep
Learning from Scratch", section 7.4)::

    col = im2col(x)                     (N*OH*OW, C*KH*KW)   one row per window
    y   = col @ W.reshape(FN, -1).T + b (N*OH*OW, FN)        one column per filter

Backward is the backward of that product, and ``col2im`` adds every row of
dL/dcol back onto the pixels it was copied from::

    dW = col.T @ dout,   db = sum dout,   dx = col2im(dout @ W)

Neither direction loops in Python over pixels or window positions: the
windows are a strided *view* of the image
(``numpy.lib.stride_tricks.sliding_window_view``), and one ``copyto``
gathers them.

Memory order. Each function takes and returns (N, C, H, W) arrays of any
memory order. Those it creates are stored channels last, (N, H, W, C) in
memory and returned as an (N, C, H, W) view, because that is the order in
which a matrix product hands back ``y`` (rows are window positions, columns
are filters), and because the next im2col then copies runs of KW*C
neighbouring numbers instead of runs of KW. For the same reason the
convolution uses the columns in the order (KH, KW, C), ``order="hwc"``:
the same numbers as the book's (C, KH, KW), rearranged, with the filters
rearranged to match.

Pooling ties: max pooling sends the gradient of a window to the first
largest entry in row-major (KH, KW) order, as ``np.argmax`` and PyTorch's
``max_pool2d`` do; max-pool padding is -inf (PyTorch), avg-pool padding is 0
and counts in the mean (PyTorch's ``count_include_pad=True``). The book pads
max pooling with 0; ``nnscratch.book.conv.Pooling`` keeps the book's way.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

import numpy as np
from numpy.lib.stride_tricks import as_strided, sliding_window_view

from nnscratch._validate import fail

__all__ = [
    "avg_pool2d_backward",
    "avg_pool2d_forward",
    "col2im",
    "conv2d_backward",
    "conv2d_forward",
    "conv2d_input_grad",
    "global_avg_pool2d_backward",
    "global_avg_pool2d_forward",
    "im2col",
    "max_pool2d_backward",
    "max_pool2d_forward",
    "output_size",
    "pad2d",
    "windows",
]

Order = Literal["chw", "hwc"]
Shape = tuple[int, int, int, int]  # (N, C, H, W)


def output_size(size: int, kernel: int, stride: int = 1, pad: int = 0) -> int:
    """Number of window positions along one axis: ``(size + 2 pad - kernel) // stride + 1``."""
    room = size + 2 * pad - kernel
    if room < 0:
        raise fail("kernel", f"at most the padded size {size + 2 * pad}", kernel)
    return room // stride + 1


def _check_image(x: np.ndarray, name: str = "x") -> None:
    if x.ndim != 4:
        raise fail(name, "a batch of images of shape (N, C, H, W)", f"shape {x.shape}")


def _channels_last(shape: tuple[int, int, int, int], dtype: np.dtype, fill=None) -> np.ndarray:
    """A new (N, C, H, W) array stored as (N, H, W, C) in memory."""
    n, c, h, w = shape
    buf = np.empty((n, h, w, c), dtype) if fill is None else np.full((n, h, w, c), fill, dtype)
    return buf.transpose(0, 3, 1, 2)


def pad2d(x: np.ndarray, pad: int, value: float = 0.0, *, out: np.ndarray | None = None):
    """``x`` (N, C, H, W) with ``pad`` rows/columns of ``value`` around each image.

    Returns (N, C, H + 2 pad, W + 2 pad); ``x`` itself when ``pad == 0``. A
    reused ``out`` must already hold ``value`` in its border (only the inside
    is written).
    """
    if pad == 0:
        return x
    n, c, h, w = x.shape
    if out is None:
        out = _channels_last((n, c, h + 2 * pad, w + 2 * pad), x.dtype, value)
    out[:, :, pad : pad + h, pad : pad + w] = x
    return out


def windows(x: np.ndarray, kh: int, kw: int, stride: int = 1, *, writeable: bool = False):
    """The KH x KW windows of ``x`` (N, C, H, W) as a view (N, C, OH, OW, KH, KW).

    ``windows(x, ...)[n, c, i, j]`` is ``x[n, c, i*s : i*s + KH, j*s : j*s + KW]``;
    no pixel is copied.
    """
    win = sliding_window_view(x, (kh, kw), axis=(2, 3), writeable=writeable)
    return win[:, :, ::stride, ::stride]


# Transposes from windows' (N, C, OH, OW, KH, KW) to the memory order of a col:
# rows (n, i, j) with columns (c, kh, kw) or (kh, kw, c); pooling keeps one slab
# per window position, (KH, KW, N, OH, OW, C).
_ORDERS = {"chw": (0, 2, 3, 1, 4, 5), "hwc": (0, 2, 3, 4, 5, 1), "pool": (4, 5, 0, 2, 3, 1)}


def _col_view(win: np.ndarray, order: str) -> np.ndarray:
    """Windows (N, C, OH, OW, KH, KW) transposed to the memory order of a col."""
    if order not in _ORDERS:
        raise fail("order", "'chw' or 'hwc'", order)
    return win.transpose(_ORDERS[order])


def im2col(
    x: np.ndarray,
    kh: int,
    kw: int,
    stride: int = 1,
    pad: int = 0,
    *,
    order: Order = "chw",
    out: np.ndarray | None = None,
) -> np.ndarray:
    """Every KH x KW window of ``x`` as one row: (N, C, H, W) -> (N*OH*OW, C*KH*KW).

    Row ``(n, i, j)`` (n slowest) holds the window at output position (i, j)
    of image n; columns run over (c, kh, kw) (the book's order) or, with
    ``order="hwc"``, over (kh, kw, c). ``out``: a buffer of that shape to
    write into, C- or Fortran-contiguous (Fortran order copies faster from
    images with few channels: runs of OW pixels instead of KW).
    """
    _check_image(x)
    n, c, h, w = x.shape
    oh, ow = output_size(h, kh, stride, pad), output_size(w, kw, stride, pad)
    win = _col_view(windows(pad2d(x, pad), kh, kw, stride), order)
    if out is None:
        out = np.empty((n * oh * ow, c * kh * kw), x.dtype)
    if out.flags.c_contiguous:
        np.copyto(out.reshape(win.shape), win)
    else:  # a Fortran-order buffer: fill its transpose, one row per column of col
        np.copyto(out.T.reshape(win.shape[3:] + win.shape[:3]), win.transpose(3, 4, 5, 0, 1, 2))
    return out


@lru_cache(maxsize=8)
def _source_index(shape: tuple[int, ...], kh: int, kw: int, stride: int, order: str):
    """For each entry of a col in ``order``, the flat index of its pixel in the
    channels-last buffer of a (padded) image of ``shape`` (N, C, Hp, Wp)."""
    n, c, hp, wp = shape
    index = np.arange(n * hp * wp * c).reshape(n, hp, wp, c).transpose(0, 3, 1, 2)
    return np.ascontiguousarray(_col_view(windows(index, kh, kw, stride), order)).ravel()


def _sum_windows(
    col, padded_shape, kh: int, kw: int, stride: int, order: str, out: np.ndarray | None = None
) -> np.ndarray:
    """A padded image (N, C, Hp, Wp) whose pixels hold the sums of their copies in ``col``.

    Where windows do not overlap (stride >= KH and KW) a pixel has at most
    one copy and one strided copy puts the values back; where they overlap,
    ``np.add.at`` sums the copies of each pixel. ``out``: a channels-last
    array of that shape to write into instead of a new one.
    """
    if out is None:
        dx = _channels_last(padded_shape, col.dtype, 0)
    else:
        dx = _checked_out(out, padded_shape)
        dx.fill(0)
    if stride >= kh and stride >= kw:
        win = _col_view(windows(dx, kh, kw, stride, writeable=True), order)
        np.copyto(win, col.reshape(win.shape))
    else:
        flat = dx.transpose(0, 2, 3, 1).reshape(-1)  # a view: dx is channels last
        index = _source_index(tuple(padded_shape), kh, kw, stride, order)
        np.add.at(flat, index, np.ravel(col))
    return dx


def _checked_out(out: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """``out``, if it is an (N, C, H, W) array of ``shape`` stored channels last."""
    if out.shape != tuple(shape) or not out.transpose(0, 2, 3, 1).flags.c_contiguous:
        raise fail("out", f"a channels-last array of shape {tuple(shape)}", out.shape)
    return out


def _crop(x: np.ndarray, pad: int) -> np.ndarray:
    return x if pad == 0 else x[:, :, pad:-pad, pad:-pad]


def col2im(
    col: np.ndarray,
    x_shape: Shape,
    kh: int,
    kw: int,
    stride: int = 1,
    pad: int = 0,
    *,
    order: Order = "chw",
    out: np.ndarray | None = None,
) -> np.ndarray:
    """The adjoint of :func:`im2col`: each pixel receives the sum of its copies in ``col``.

    ``col`` (N*OH*OW, C*KH*KW) (columns in ``order``) -> (N, C, H, W) of
    ``x_shape``; the padding is cut off again. ``out``: a buffer for the
    padded sums, (N, C, H + 2 pad, W + 2 pad) stored channels last.
    """
    n, c, h, w = x_shape
    dx = _sum_windows(col, (n, c, h + 2 * pad, w + 2 * pad), kh, kw, stride, order, out)
    return _crop(dx, pad)


def _filters_as_columns(W: np.ndarray) -> np.ndarray:
    """Filters (FN, C, KH, KW) as the matrix (KH*KW*C, FN) that multiplies an "hwc" col."""
    return W.transpose(2, 3, 1, 0).reshape(-1, W.shape[0])


def conv2d_forward(
    x: np.ndarray,
    W: np.ndarray,
    b: np.ndarray | None = None,
    stride: int = 1,
    pad: int = 0,
    *,
    col: np.ndarray | None = None,
    out: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Convolution (cross-correlation, as in the book and PyTorch): ``(y, col)``.

    ``y[n, f, i, j] = b[f] + sum_{c, p, q} W[f, c, p, q] * x_pad[n, c, i*s + p, j*s + q]``

    x (N, C, H, W), W (FN, C, KH, KW), b (FN,) or None; y (N, FN, OH, OW),
    col (N*OH*OW, KH*KW*C) is kept for the backward pass. ``col`` and ``out``
    (N*OH*OW, FN) are optional buffers.
    """
    _check_image(x)
    _check_image(W, "W")
    fn, c, kh, kw = W.shape
    if x.shape[1] != c:
        raise fail("x", f"{c} channels (W's second axis)", f"shape {x.shape}")
    n, _, h, w = x.shape
    oh, ow = output_size(h, kh, stride, pad), output_size(w, kw, stride, pad)
    col = im2col(x, kh, kw, stride, pad, order="hwc", out=col)
    y = np.matmul(col, _filters_as_columns(W), out=out)
    if b is not None:
        y += b
    return y.reshape(n, oh, ow, fn).transpose(0, 3, 1, 2), col


def conv2d_backward(
    dout: np.ndarray,
    col: np.ndarray,
    W: np.ndarray,
    x_shape: Shape,
    stride: int = 1,
    pad: int = 0,
    *,
    need_dx: bool = True,
    out: np.ndarray | None = None,
    slabs: np.ndarray | None = None,
) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
    """Gradients ``(dx, dW, db)`` of :func:`conv2d_forward` for dL/dy = ``dout``.

    dout (N, FN, OH, OW), col as returned by the forward pass, W (FN, C, KH, KW)::

        db = sum over n, i, j of dout            (FN,)
        dW = col.T @ dout                        (FN, C, KH, KW) after reordering
        dx = col2im(dout @ W_col.T)              (N, C, H, W); None if not need_dx

    Where windows overlap, dx comes from :func:`conv2d_input_grad` (the same
    numbers, summed without ``np.add.at``). ``out``: a buffer for dx before the
    padding is cut off, as for :func:`col2im`; ``slabs``: as for
    :func:`conv2d_input_grad`.
    """
    fn, c, kh, kw = W.shape
    d2 = dout.transpose(0, 2, 3, 1).reshape(-1, fn)  # (N*OH*OW, FN); free if channels last
    db = np.ones(len(d2), d2.dtype) @ d2  # d2.sum(axis=0) as a product: 10x faster when tall
    dW = (col.T @ d2).reshape(kh, kw, c, fn).transpose(3, 2, 0, 1)
    if not need_dx:
        return None, dW, db
    if stride < kh or stride < kw:
        return conv2d_input_grad(dout, W, x_shape, stride, pad, out=out, slabs=slabs), dW, db
    dcol = d2 @ _filters_as_columns(W).T
    return col2im(dcol, x_shape, kh, kw, stride, pad, order="hwc", out=out), dW, db


def conv2d_input_grad(
    dout: np.ndarray,
    W: np.ndarray,
    x_shape: Shape,
    stride: int = 1,
    pad: int = 0,
    *,
    out: np.ndarray | None = None,
    slabs: np.ndarray | None = None,
) -> np.ndarray:
    """dL/dx of :func:`conv2d_forward`, one filter position (p, q) at a time::

        dx_pad[n, c, i*s + p, j*s + q] += sum_f dout[n, f, i, j] * W[f, c, p, q]

    dout (N, FN, OH, OW), W (FN, C, KH, KW) -> dx (N, C, H, W). The same
    numbers as ``col2im(dout @ W_col.T)``, summed in another way: one
    batched matrix product gives, for every filter position, the image
    ``dout @ W[:, :, p, q]`` (N, OH, OW, C) it sends back; a strided view
    writes each into its own slab of a (KH, KW, N, Hp, Wp, C) buffer shifted
    by (p, q), and dx is the sum of the slabs. No Python loop, and no
    ``np.add.at`` (a scatter that is several times slower than a sum).

    ``slabs``: that buffer, zero where no window writes (a caller that keeps
    it between calls pays for the zeros once); ``out``: as for :func:`col2im`.
    """
    fn, c, kh, kw = W.shape
    n, _, h, w = x_shape
    hp, wp = h + 2 * pad, w + 2 * pad
    oh, ow = output_size(h, kh, stride, pad), output_size(w, kw, stride, pad)
    d2 = dout.transpose(0, 2, 3, 1).reshape(-1, fn)  # (N*OH*OW, FN)
    sent = np.matmul(d2, W.transpose(2, 3, 0, 1).reshape(kh * kw, fn, c))  # (KH*KW, N*OH*OW, C)
    if slabs is None:
        slabs = np.zeros((kh, kw, n, hp, wp, c), dout.dtype)
    elif slabs.shape != (kh, kw, n, hp, wp, c) or not slabs.flags.c_contiguous:
        raise fail("slabs", f"a C-contiguous array of shape {(kh, kw, n, hp, wp, c)}", slabs.shape)
    sp, sq, sn, sy, sx, sc = slabs.strides
    # shifted[p, q, n, i, j, c] is slabs[p, q, n, i*s + p, j*s + q, c]
    shifted = as_strided(
        slabs, (kh, kw, n, oh, ow, c), (sp + sy, sq + sx, sn, stride * sy, stride * sx, sc)
    )
    np.copyto(shifted, sent.reshape(kh, kw, n, oh, ow, c))
    shape = (n, c, hp, wp)
    dx = _channels_last(shape, dout.dtype) if out is None else _checked_out(out, shape)
    np.sum(slabs.reshape(kh * kw, -1), axis=0, out=dx.transpose(0, 2, 3, 1).reshape(-1))
    return _crop(dx, pad)


def _pool_col(x: np.ndarray, pool: tuple[int, int], stride: int | None, pad: int, fill: float):
    """The pooling windows as one slab per window position: (PH*PW, N, OH, OW, C).

    ``col[k]`` holds entry (k // PW, k % PW) of every window, so the max or
    mean over axis 0 pools all windows at once. ``stride`` None: the window's height.
    """
    ph, pw = pool
    stride = ph if stride is None else stride
    _check_image(x)
    if not 0 <= 2 * pad <= min(ph, pw):
        raise fail("pad", f"at most half the window ({ph}x{pw})", pad)
    win = _col_view(windows(pad2d(x, pad, fill), ph, pw, stride), "pool")
    return np.ascontiguousarray(win).reshape(ph * pw, *win.shape[2:])


def _unpool(dcol, x_shape: Shape, pool: tuple[int, int], stride: int | None, pad: int, out=None):
    """dL/dx from dL/dcol (PH*PW, N, OH, OW, C): col2im for pooling's col."""
    ph, pw = pool
    stride = ph if stride is None else stride
    n, c, h, w = x_shape
    dx = _sum_windows(dcol, (n, c, h + 2 * pad, w + 2 * pad), ph, pw, stride, "pool", out)
    return _crop(dx, pad)


def _pooled(col: np.ndarray, reduce, out: np.ndarray | None) -> np.ndarray:
    """``reduce`` (np.max or np.mean) of the windows, (N, C, OH, OW), into ``out`` if given."""
    if out is None:
        return reduce(col, axis=0).transpose(0, 3, 1, 2)
    if out.shape != (col.shape[1], col.shape[4], *col.shape[2:4]):
        raise fail(
            "out", f"an array of shape {(col.shape[1], col.shape[4], *col.shape[2:4])}", out.shape
        )
    reduce(col, axis=0, out=out.transpose(0, 2, 3, 1))
    return out


def max_pool2d_forward(
    x: np.ndarray,
    pool: tuple[int, int],
    stride: int | None = None,
    pad: int = 0,
    *,
    out: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Max pooling: ``(y, col)``, y[n, c, i, j] the largest entry of window (i, j).

    x (N, C, H, W) -> y (N, C, OH, OW); ``pool`` is the window (PH, PW);
    ``col`` (PH*PW, N, OH, OW, C) holds the windows for backward. ``stride``
    defaults to the window's height; ``out``: an array for y.
    """
    col = _pool_col(x, pool, stride, pad, -np.inf)
    return _pooled(col, np.max, out), col


def max_pool2d_backward(
    dout: np.ndarray,
    col: np.ndarray,
    y: np.ndarray,
    x_shape: Shape,
    pool: tuple[int, int],
    stride: int | None = None,
    pad: int = 0,
    *,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """dL/dx of max pooling: each window's dout goes to its largest entry.

    ``col`` and ``y`` come from the forward pass. On ties the first largest
    entry in row-major window order gets it (as ``argmax`` and PyTorch); a
    pixel that is the maximum of several overlapping windows gets the sum.
    ``out``: a buffer for dx before the padding is cut off, as for :func:`col2im`.
    """
    # rank the maxima of each window by position, K for the first down to 1:
    # the first maximum is the one of highest rank
    k = pool[0] * pool[1]
    rank = np.arange(k, 0, -1, dtype=np.int32 if k > 127 else np.int8).reshape(k, 1, 1, 1, 1)
    ranked = (col == y.transpose(0, 2, 3, 1)) * rank  # (PH*PW, N, OH, OW, C)
    first = ranked == ranked.max(axis=0)
    dcol = first * dout.transpose(0, 2, 3, 1)
    return _unpool(dcol, x_shape, pool, stride, pad, out)


def avg_pool2d_forward(
    x: np.ndarray,
    pool: tuple[int, int],
    stride: int | None = None,
    pad: int = 0,
    *,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """Average pooling: y[n, c, i, j] = mean of window (i, j) (zero padding counts).

    x (N, C, H, W) -> y (N, C, OH, OW); ``pool`` is the window (PH, PW);
    ``out``: an array for y.
    """
    return _pooled(_pool_col(x, pool, stride, pad, 0.0), np.mean, out)


def avg_pool2d_backward(
    dout: np.ndarray,
    x_shape: Shape,
    pool: tuple[int, int],
    stride: int | None = None,
    pad: int = 0,
    *,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """dL/dx of average pooling: every pixel of a window gets dout / (PH*PW).

    ``out``: a buffer for dx before the padding is cut off, as for :func:`col2im`.
    """
    k = pool[0] * pool[1]
    share = dout.transpose(0, 2, 3, 1) / k  # (N, OH, OW, C)
    dcol = np.broadcast_to(share, (k, *share.shape))
    return _unpool(dcol, x_shape, pool, stride, pad, out)


def global_avg_pool2d_forward(x: np.ndarray) -> np.ndarray:
    """Mean of each channel over the image: (N, C, H, W) -> (N, C)."""
    _check_image(x)
    return x.mean(axis=(2, 3))


def global_avg_pool2d_backward(dout: np.ndarray, x_shape: Shape):
    """dL/dx of global average pooling: dout[n, c] / (H*W) at every pixel of channel c."""
    _n, _c, h, w = x_shape
    dx = _channels_last(x_shape, dout.dtype)
    dx[...] = (dout / (h * w))[:, :, None, None]
    return dx
