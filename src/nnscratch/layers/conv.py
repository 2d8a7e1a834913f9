"""Convolutional layers: Conv2D, MaxPool2D, AvgPool2D, GlobalAvgPool2D and Reshape.

Images are (N, C, H, W). The math is in :mod:`nnscratch.functional_conv`
(im2col, col2im, the convolution as one matrix product, pooling); these
classes add the layer contract of :mod:`nnscratch.layers` (parameters,
gradients, caches per use, configs), keep their large buffers (the col
matrix, the output, the padded input) from one step to the next, and run
the functions on parts of the batch in parallel threads
(:mod:`nnscratch._threads`): every image is computed alone, so each part
writes its own rows of the shared output.

Reference: Saitoh, "Deep Learning from Scratch", chapter 7 (``Convolution``,
``Pooling``); PyTorch's ``nn.Conv2d`` / ``nn.MaxPool2d`` for the argument names.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from nnscratch import functional_conv as F
from nnscratch._threads import batch_parts, run_parts
from nnscratch._validate import Integer, check, check_bool, fail
from nnscratch.layers.base import Layer, _Slot
from nnscratch.layers.base import init_config as _init_config

__all__ = ["AvgPool2D", "Conv2D", "GlobalAvgPool2D", "MaxPool2D", "Reshape"]


def _pair(name: str, value: Any, low: int) -> tuple[int, int]:
    """An int or a pair of ints, each >= low, as a pair."""
    if isinstance(value, tuple | list):
        if len(value) != 2:
            raise fail(name, "an integer or a pair of integers", value)
        return check(name, value[0], Integer(low)), check(name, value[1], Integer(low))
    v = check(name, value, Integer(low))
    return v, v


def _summed(arrays: list[np.ndarray]) -> np.ndarray:
    """The parts' gradients added in part order (so a run repeats exactly)."""
    total = arrays[0]
    for a in arrays[1:]:
        total = total + a
    return total


class _Own(Layer):
    """Bookkeeping for layers that run their own forward/backward (buffers in their cache).

    (Written before ``layers.base``'s ``_forward``/``_backward`` hooks; the
    port onto them is left to do, see docs/cnn.md.)
    """

    def _checked_input(self, x: Any, features: int | None = None) -> np.ndarray:
        x = np.asarray(x)
        if x.ndim < 1:
            raise ValueError(f"{self!r}: expected a batch of shape (N, ...), got a scalar")
        if features is not None and (x.ndim != 2 or x.shape[1] != features):
            raise ValueError(f"{self!r}: expected input of shape (N, {features}), got {x.shape}")
        if x.dtype != self.dtype:
            if x.dtype.kind not in "fiub":
                raise TypeError(f"{self!r}: expected a real-valued input, got dtype {x.dtype}")
            x = x.astype(self.dtype)
        return x

    def _cached(self, slot: int) -> _Slot:
        c = self._slots[slot] if slot < len(self._slots) else None
        if c is None or c.x is None:
            raise RuntimeError(f"{self!r}: backward called before forward (slot {slot})")
        return c

    @staticmethod
    def _check_dout(c: _Slot, dout: np.ndarray) -> None:
        if dout.shape != c.y.shape:
            raise ValueError(f"dout: expected shape {c.y.shape} (the output's), got {dout.shape}")

    def _store_grad(self, key: str, value: np.ndarray, accumulate: bool) -> None:
        """Assign (or add, for an earlier use of a shared layer) a trainable gradient."""
        if not self.trainable.get(key, True):
            return
        if accumulate:
            np.add(self.grads[key], value, out=self.grads[key])
        else:
            np.copyto(self.grads[key], value)


class _Image(_Own):
    """A layer on (N, C, H, W) batches: the input check and the dout cast, once."""

    channels: int | None = None  # the C the input must have, if fixed

    def _image(self, x: Any, c: _Slot) -> np.ndarray:
        """``x`` checked as (N, C, H, W) in the layer's dtype; resets buffers on a new shape."""
        if x.__class__ is not np.ndarray or x.dtype != self.dtype or x.shape != c.key:
            x = self._checked_input(x)
            if x.ndim != 4 or (self.channels is not None and x.shape[1] != self.channels):
                ch = "C" if self.channels is None else str(self.channels)
                raise fail(f"{self!r}: x", f"shape (N, {ch}, H, W)", f"{x.shape}")
            if x.shape != c.key:
                c.key, c.extra = x.shape, {}
        return x

    def _dout(self, c: _Slot, dout: Any) -> np.ndarray:
        if dout.__class__ is not np.ndarray or dout.dtype != self.dtype:
            dout = self._cast_dout(dout)
        self._check_dout(c, dout)
        return dout


class _Windowed(_Image):
    """A layer that slides a window (``kernel_size`` or ``pool_size``) with ``stride``
    and zero ``padding`` over the image: output size, config and repr, once."""

    splits_batch = True  # runs parts of the batch on threads (see nnscratch._threads)

    stride: int
    padding: int

    def _window(self) -> tuple[int, int]:
        raise NotImplementedError

    def _output_hw(self, h: int, w: int) -> tuple[int, int]:
        """(OH, OW) for an (H, W) image: ``(H + 2P - KH) // S + 1`` and likewise for W."""
        (kh, kw), s, p = self._window(), self.stride, self.padding
        return F.output_size(h, kh, s, p), F.output_size(w, kw, s, p)

    def _window_config(self) -> dict[str, Any]:
        return {"stride": self.stride, "padding": self.padding}

    def _window_repr(self) -> str:
        kh, kw = self._window()
        return f"{kh}x{kw}, stride={self.stride}, padding={self.padding}"


class Conv2D(_Windowed):
    """2-D convolution, the book's ``Convolution``: ``y = conv(x, W) + b``.

    ``y[n, f, i, j] = b[f] + sum_{c,p,q} W[f, c, p, q] x_pad[n, c, i*stride + p, j*stride + q]``

    Shapes: x (N, C, H, W), W (FN, C, KH, KW), b (FN,), y (N, FN, OH, OW)
    with ``OH = (H + 2 padding - KH) // stride + 1``. Computed as
    ``im2col(x) @ W_col + b``; backward ``dW = col.T @ dout``, ``db = sum dout``,
    ``dx = col2im(dout @ W_col.T)`` (see :mod:`nnscratch.functional_conv`).

    Args:
        in_channels, out_channels: C and FN.
        kernel_size: KH = KW, or a pair (KH, KW).
        stride, padding: step of the window and zero padding on each side.
        use_bias: False drops b.
        init, bias_init: initializers of W and b; W is He normal with
            fan_in = C*KH*KW by default.
        seed, dtype: as for :class:`nnscratch.layers.Dense`.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | tuple[int, int] = 3,
        stride: int = 1,
        padding: int = 0,
        *,
        use_bias: bool = True,
        init: Any = "he_normal",
        bias_init: Any = "zeros",
        seed: int | None = None,
        dtype: Any = "float32",
    ) -> None:
        super().__init__(dtype)
        self.in_channels = check("in_channels", in_channels, Integer(1))
        self.out_channels = check("out_channels", out_channels, Integer(1))
        self.kernel_size = _pair("kernel_size", kernel_size, 1)
        self.stride = check("stride", stride, Integer(1))
        self.padding = check("padding", padding, Integer(0))
        self.channels = self.in_channels
        self.use_bias = check_bool("use_bias", use_bias)
        self._init_weights(init, bias_init, seed)

    def compute_output_shape(self, input_shape):
        _, h, w = input_shape
        return (self.out_channels, *self._output_hw(h, w))

    def build(self, rng, dtype=None):
        super().build(rng, dtype)
        shape = (self.out_channels, self.in_channels, *self.kernel_size)
        self._draw_weights(rng, shape, (self.out_channels,) if self.use_bias else None)

    def _buffers(self, x: np.ndarray, c: _Slot) -> dict[str, Any]:
        """The parts of the batch, a col matrix per part, the output and the
        padded input, for this batch shape and thread count."""
        n, ch, h, w = x.shape
        parts = batch_parts(n)
        if c.extra.get("parts") != parts:
            kh, kw = self.kernel_size
            p = self.padding
            oh, ow = self._output_hw(h, w)
            c.extra = {
                "parts": parts,
                "hw": (oh, ow),
                # one channel: a Fortran-order col copies runs of OW pixels, not KW
                "col": [
                    np.empty(
                        ((b - a) * oh * ow, kh * kw * ch), self.dtype, order="F" if ch == 1 else "C"
                    )
                    for a, b in parts
                ],
                "y": np.empty((n * oh * ow, self.out_channels), self.dtype),
            }
            if p:  # zero border written once; each forward fills the inside
                c.extra["pad"] = F._channels_last((n, ch, h + 2 * p, w + 2 * p), self.dtype, 0)
        return c.extra

    def forward(self, x, training=False, *, slot=0):
        c = self._slots[slot] if slot < len(self._slots) else self._slot(slot)
        x = self._image(x, c)
        buf = self._buffers(x, c)
        if self.padding:  # pad once here, so im2col reads the padded buffer in place
            x = F.pad2d(x, self.padding, out=buf["pad"])
        c.x = x
        W, b, parts, (oh, ow) = self.params["W"], self.params.get("b"), buf["parts"], buf["hw"]
        rows = oh * ow  # rows of col and y per image

        def part(i: int) -> None:
            start, stop = parts[i]
            F.conv2d_forward(
                x[start:stop], W, b, self.stride, 0,
                col=buf["col"][i], out=buf["y"][start * rows : stop * rows],
            )  # fmt: skip

        run_parts(part, len(parts))
        c.y = buf["y"].reshape(len(x), oh, ow, self.out_channels).transpose(0, 3, 1, 2)
        return c.y

    def backward(self, dout, *, slot=0, accumulate=False, need_input_grad=True):
        c = self._cached(slot)
        dout = self._dout(c, dout)
        W, parts, x = self.params["W"], c.extra["parts"], c.x
        dx = F._channels_last(x.shape, self.dtype) if need_input_grad else None
        slabs = self._slabs(c) if need_input_grad else [None] * len(parts)

        def part(i: int) -> tuple[Any, np.ndarray, np.ndarray]:
            start, stop = parts[i]
            return F.conv2d_backward(
                dout[start:stop], c.extra["col"][i], W, x[start:stop].shape, self.stride, 0,
                need_dx=need_input_grad, out=None if dx is None else dx[start:stop],
                slabs=slabs[i],
            )  # fmt: skip

        _, dWs, dbs = zip(*run_parts(part, len(parts)), strict=True)
        self._store_grad("W", _summed(list(dWs)), accumulate)
        if self.use_bias:
            self._store_grad("b", _summed(list(dbs)), accumulate)
        if dx is None or not self.padding:
            return dx
        p = self.padding
        return dx[:, :, p:-p, p:-p]

    def _slabs(self, c: _Slot) -> list[np.ndarray | None]:
        """Per part, the zeroed slab buffer of :func:`~nnscratch.functional_conv.conv2d_input_grad`
        (made at the first backward of a batch shape; None where windows do not overlap)."""
        if "slabs" not in c.extra:
            kh, kw = self.kernel_size
            _, ch, hp, wp = c.x.shape  # the padded input
            overlap = self.stride < kh or self.stride < kw
            c.extra["slabs"] = [
                np.zeros((kh, kw, b - a, hp, wp, ch), self.dtype) if overlap else None
                for a, b in c.extra["parts"]
            ]
        return c.extra["slabs"]

    def get_config(self):
        return {
            "in_channels": self.in_channels,
            "out_channels": self.out_channels,
            "kernel_size": list(self.kernel_size),
            **self._window_config(),
            "init": _init_config(self.init),
            "bias_init": _init_config(self.bias_init),
            "use_bias": self.use_bias,
            "seed": self.seed,
            "dtype": self.dtype.name,
        }

    def _window(self) -> tuple[int, int]:
        return self.kernel_size

    def __repr__(self) -> str:
        return f"Conv2D({self.in_channels} -> {self.out_channels}, {self._window_repr()})"


class _Pool2D(_Windowed):
    """Shared arguments of the pooling layers: window, stride (default: the window), padding."""

    def __init__(
        self,
        pool_size: int | tuple[int, int] = 2,
        stride: int | None = None,
        padding: int = 0,
        *,
        dtype: Any = "float32",
    ) -> None:
        super().__init__(dtype)
        self.pool_size = _pair("pool_size", pool_size, 1)
        self.stride = self.pool_size[0] if stride is None else check("stride", stride, Integer(1))
        self.padding = check("padding", padding, Integer(0))
        if 2 * self.padding > min(self.pool_size):
            raise fail("padding", f"at most half the window {self.pool_size}", padding)

    def compute_output_shape(self, input_shape):
        ch, h, w = input_shape
        return (ch, *self._output_hw(h, w))

    def _window(self) -> tuple[int, int]:
        return self.pool_size

    def get_config(self):
        return {
            "pool_size": list(self.pool_size),
            **self._window_config(),
            "dtype": self.dtype.name,
        }

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._window_repr()})"

    def forward(self, x, training=False, *, slot=0):
        c = self._slots[slot] if slot < len(self._slots) else self._slot(slot)
        x = c.x = self._image(x, c)
        n, ch, h, w = x.shape
        parts = c.extra["parts"] = batch_parts(n)
        c.y = F._channels_last((n, ch, *self._output_hw(h, w)), self.dtype)

        def part(i: int) -> Any:
            s = slice(*parts[i])
            return self._pool(x[s], c.y[s])

        c.extra["saved"] = run_parts(part, len(parts))  # what each part's backward needs
        return c.y

    def backward(self, dout, *, slot=0, accumulate=False, need_input_grad=True):
        c = self._cached(slot)
        dout = self._dout(c, dout)
        if not need_input_grad:
            return None
        n, ch, h, w = c.x.shape
        p, parts = self.padding, c.extra["parts"]
        dx = F._channels_last((n, ch, h + 2 * p, w + 2 * p), self.dtype)

        def part(i: int) -> None:
            s = slice(*parts[i])
            self._unpool(c.extra["saved"][i], dout[s], c.y[s], c.x[s].shape, dx[s])

        run_parts(part, len(parts))
        return dx if not p else dx[:, :, p:-p, p:-p]

    # -- what a pooling layer writes: the functional_conv calls on one part ---
    def _pool(self, x: np.ndarray, out: np.ndarray) -> Any:
        """Pool ``x`` into ``out``; return what backward needs (or None)."""
        raise NotImplementedError

    def _unpool(
        self, saved: Any, dout: np.ndarray, y: np.ndarray, x_shape: tuple, out: np.ndarray
    ) -> None:
        """Write dL/dx (padded, channels last) into ``out``."""
        raise NotImplementedError


class MaxPool2D(_Pool2D):
    """Max pooling, the book's ``Pooling``: the largest value of each window.

    x (N, C, H, W) -> y (N, C, OH, OW). Backward sends each window's dout to
    its largest entry (the first one on ties, as PyTorch; see
    :mod:`nnscratch.functional_conv`). Padding is -inf, as PyTorch's.
    """

    def _pool(self, x, out):
        _, col = F.max_pool2d_forward(x, self.pool_size, self.stride, self.padding, out=out)
        return col

    def _unpool(self, saved, dout, y, x_shape, out):
        F.max_pool2d_backward(
            dout, saved, y, x_shape, self.pool_size, self.stride, self.padding, out=out
        )


class AvgPool2D(_Pool2D):
    """Average pooling: the mean of each window (zero padding counts, as PyTorch's default).

    x (N, C, H, W) -> y (N, C, OH, OW); backward gives each pixel of a
    window dout / (PH*PW).
    """

    def _pool(self, x, out):
        F.avg_pool2d_forward(x, self.pool_size, self.stride, self.padding, out=out)

    def _unpool(self, saved, dout, y, x_shape, out):
        F.avg_pool2d_backward(dout, x_shape, self.pool_size, self.stride, self.padding, out=out)


class GlobalAvgPool2D(_Image):
    """The mean of each channel over the whole image: (N, C, H, W) -> (N, C)."""

    def compute_output_shape(self, input_shape):
        return (input_shape[0],)

    def forward(self, x, training=False, *, slot=0):
        c = self._slots[slot] if slot < len(self._slots) else self._slot(slot)
        c.x = self._image(x, c)
        c.y = F.global_avg_pool2d_forward(c.x)
        return c.y

    def backward(self, dout, *, slot=0, accumulate=False, need_input_grad=True):
        c = self._cached(slot)
        dout = self._dout(c, dout)
        return F.global_avg_pool2d_backward(dout, c.x.shape) if need_input_grad else None


class Reshape(_Own):
    """Reshape each sample: (N, *input) -> (N, *target_shape), e.g. (N, 784) -> (N, 1, 28, 28).

    A network on flat MNIST rows starts with ``Reshape((1, 28, 28))`` and so
    takes the same input as a multi-layer perceptron. Backward reshapes back.
    """

    def __init__(self, target_shape: tuple[int, ...] | list[int], *, dtype: Any = "float32"):
        super().__init__(dtype)
        if not isinstance(target_shape, tuple | list) or not target_shape:
            raise fail("target_shape", "a non-empty tuple of integers", target_shape)
        self.target_shape = tuple(check("target_shape", d, Integer(1)) for d in target_shape)

    @property
    def input_shape(self) -> tuple[int, ...]:
        return (math.prod(self.target_shape),)

    def compute_output_shape(self, input_shape):
        return self.target_shape

    def forward(self, x, training=False, *, slot=0):
        c = self._slot(slot)
        x = self._checked_input(x, math.prod(self.target_shape))
        c.key, c.x = x.shape, x
        c.y = x.reshape(x.shape[0], *self.target_shape)
        return c.y

    def backward(self, dout, *, slot=0, accumulate=False, need_input_grad=True):
        c = self._cached(slot)
        if dout.__class__ is not np.ndarray or dout.dtype != self.dtype:
            dout = self._cast_dout(dout)
        self._check_dout(c, dout)
        return dout.reshape(c.x.shape) if need_input_grad else None

    def get_config(self):
        return {"target_shape": list(self.target_shape), "dtype": self.dtype.name}

    def __repr__(self) -> str:
        return f"Reshape({self.target_shape})"
