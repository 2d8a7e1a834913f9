"""The book's convolutional names with the book's semantics (chapters 7 and 8).

``im2col``, ``col2im``, ``Convolution``, ``Pooling``, ``SimpleConvNet`` and
``DeepConvNet`` behave as in "Deep Learning from Scratch" (Saitoh, 2016):
the same arguments, the same parameter names (``W1``, ``b1``, ...), the same
shapes, ``forward``/``backward`` with ``dW``/``db`` attributes, and the
global ``np.random`` for initial weights, so the book's scripts give the
book's numbers. The arithmetic is :mod:`nnscratch.functional_conv`'s
(strided views, no Python loop over window positions). Two details follow
the book rather than PyTorch: pooling pads with 0 (im2col's padding), and
``Pooling``'s stride defaults to 1, as the book's class does.

``save_params`` writes the book's file, a pickle of the dict ``params``
(``params.pkl``, ``deep_convnet_params.pkl``), atomically; ``load_params``
reads it with the restricted unpickler of :mod:`nnscratch._safepickle`, never
``pickle.load``, so the book's own trained files load too, and a file that
names any code is refused. The loaded values are copied into the live arrays
(which the layers share), checked for names, shapes and finiteness first.
"""

# ruff: noqa: NPY002  (the book draws from the global np.random; so does this module)

from __future__ import annotations

import os
import pickle
from collections import OrderedDict
from pathlib import Path
from typing import Any

import numpy as np

from nnscratch import functional_conv as F
from nnscratch import losses
from nnscratch._atomic import atomic_path
from nnscratch._safepickle import safe_load
from nnscratch.book.gradient import numerical_gradient
from nnscratch.io.format import ModelFileError, _non_finite
from nnscratch.io.reader import _read_file

__all__ = ["Convolution", "DeepConvNet", "Pooling", "SimpleConvNet", "col2im", "im2col"]


def im2col(input_data: np.ndarray, filter_h: int, filter_w: int, stride: int = 1, pad: int = 0):
    """(N, C, H, W) -> (N*OH*OW, C*FH*FW): one window per row (the book's 7.4.3)."""
    return F.im2col(np.asarray(input_data), filter_h, filter_w, stride, pad)


def col2im(col, input_shape, filter_h: int, filter_w: int, stride: int = 1, pad: int = 0):
    """The book's col2im: (N*OH*OW, C*FH*FW) back to ``input_shape``, copies summed."""
    return np.ascontiguousarray(
        F.col2im(np.asarray(col), tuple(input_shape), filter_h, filter_w, stride, pad)
    )


class Convolution:
    """The book's ``Convolution(W, b, stride=1, pad=0)``: W (FN, C, FH, FW), b (FN,)."""

    def __init__(self, W: np.ndarray, b: np.ndarray, stride: int = 1, pad: int = 0) -> None:
        self.W, self.b, self.stride, self.pad = W, b, stride, pad
        self.x = self.col = self.col_W = self.dW = self.db = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        fn, _, fh, fw = self.W.shape
        n, _, h, w = x.shape
        oh, ow = (
            F.output_size(h, fh, self.stride, self.pad),
            F.output_size(w, fw, self.stride, self.pad),
        )
        self.x, self.col = x, im2col(x, fh, fw, self.stride, self.pad)
        self.col_W = self.W.reshape(fn, -1).T
        out = self.col @ self.col_W + self.b
        return out.reshape(n, oh, ow, -1).transpose(0, 3, 1, 2)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        fn, c, fh, fw = self.W.shape
        dout = dout.transpose(0, 2, 3, 1).reshape(-1, fn)
        self.db = np.sum(dout, axis=0)
        self.dW = (self.col.T @ dout).T.reshape(fn, c, fh, fw)
        return col2im(dout @ self.col_W.T, self.x.shape, fh, fw, self.stride, self.pad)


class Pooling:
    """The book's max ``Pooling(pool_h, pool_w, stride=1, pad=0)`` (zero padding)."""

    def __init__(self, pool_h: int, pool_w: int, stride: int = 1, pad: int = 0) -> None:
        self.pool_h, self.pool_w, self.stride, self.pad = pool_h, pool_w, stride, pad
        self.x = self.arg_max = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        n, c, h, w = x.shape
        oh = F.output_size(h, self.pool_h, self.stride, self.pad)
        ow = F.output_size(w, self.pool_w, self.stride, self.pad)
        col = im2col(x, self.pool_h, self.pool_w, self.stride, self.pad)
        col = col.reshape(-1, self.pool_h * self.pool_w)  # one window of one channel per row
        self.x, self.arg_max = x, np.argmax(col, axis=1)
        return np.max(col, axis=1).reshape(n, oh, ow, c).transpose(0, 3, 1, 2)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        dout = dout.transpose(0, 2, 3, 1)
        size = self.pool_h * self.pool_w
        dmax = np.zeros((dout.size, size), dout.dtype)
        dmax[np.arange(self.arg_max.size), self.arg_max] = dout.ravel()
        dcol = dmax.reshape(dout.shape[0] * dout.shape[1] * dout.shape[2], -1)
        return col2im(dcol, self.x.shape, self.pool_h, self.pool_w, self.stride, self.pad)


class _Relu:
    def forward(self, x):
        self.mask = x <= 0
        return np.where(self.mask, 0, x)

    def backward(self, dout):
        return np.where(self.mask, 0, dout)


class _Affine:
    """The book's Affine: flattens (N, C, H, W) input to (N, C*H*W) first."""

    def __init__(self, W, b):
        self.W, self.b = W, b

    def forward(self, x):
        self.original_x_shape = x.shape
        self.x = x.reshape(x.shape[0], -1)
        return self.x @ self.W + self.b

    def backward(self, dout):
        self.dW, self.db = self.x.T @ dout, np.sum(dout, axis=0)
        return (dout @ self.W.T).reshape(self.original_x_shape)


class _Dropout:
    """The book's Dropout (6.4.3): drop in training, scale by (1 - ratio) at test time."""

    def __init__(self, ratio=0.5):
        self.ratio = ratio

    def forward(self, x, train_flg=True):
        if train_flg:
            self.mask = np.random.rand(*x.shape) > self.ratio
            return x * self.mask
        return x * (1.0 - self.ratio)

    def backward(self, dout):
        return dout * self.mask


class _SoftmaxWithLoss:
    def forward(self, x, t):
        self.x, self.t = x, t
        return float(losses.softmax_cross_entropy(x, t))

    def backward(self, dout=1):
        return losses.softmax_cross_entropy_grad(self.x, self.t) * dout


class _BookNet:
    """predict / loss / accuracy / gradient over ``self.layers`` as the book's nets do."""

    params: dict[str, np.ndarray]
    layers: Any
    last_layer: _SoftmaxWithLoss

    def _layer_list(self):
        return list(self.layers.values()) if isinstance(self.layers, dict) else self.layers

    def predict(self, x, train_flg=False):
        for layer in self._layer_list():
            x = layer.forward(x, train_flg) if isinstance(layer, _Dropout) else layer.forward(x)
        return x

    def loss(self, x, t, train_flg=True):
        return self.last_layer.forward(self.predict(x, train_flg), t)

    def accuracy(self, x, t, batch_size=100):
        if t.ndim != 1:
            t = np.argmax(t, axis=1)
        hits = 0
        for i in range(0, x.shape[0], batch_size):
            y = self.predict(x[i : i + batch_size])
            hits += int(np.sum(np.argmax(y, axis=1) == t[i : i + batch_size]))
        return hits / x.shape[0]

    def gradient(self, x, t):
        self.loss(x, t)
        dout = self.last_layer.backward(1)
        for layer in reversed(self._layer_list()):
            dout = layer.backward(dout)
        grads = {}
        for i, layer in enumerate(self._param_layers(), start=1):
            grads[f"W{i}"], grads[f"b{i}"] = layer.dW, layer.db
        return grads

    def numerical_gradient(self, x, t):
        """The gradients by central differences (``h = 1e-4``), keyed as ``params``."""
        return {
            key: numerical_gradient(lambda _: self.loss(x, t), value)
            for key, value in self.params.items()
        }

    def save_params(self, file_name: str | os.PathLike[str] = "params.pkl") -> None:
        """Write ``params`` as the book does: a pickle of a dict of arrays (atomically)."""
        data = pickle.dumps(dict(self.params), protocol=pickle.HIGHEST_PROTOCOL)
        with atomic_path(file_name, suffix=".pkl") as tmp:
            Path(tmp).write_bytes(data)

    def load_params(self, file_name: str | os.PathLike[str] = "params.pkl") -> None:
        """Read a file of :meth:`save_params` (or the book's) into ``params``, safely.

        The restricted unpickler rebuilds only dicts and numeric arrays; the
        keys and shapes must be this network's and the values finite, else
        ``ModelFileError`` (a ``ValueError``) names the file and the problem
        and ``params`` is unchanged.
        """
        try:
            values = safe_load(_read_file(Path(file_name)))
        except ModelFileError:
            raise
        except Exception as err:  # UnsafePickleError, truncated streams, garbage
            reason = str(err) or type(err).__name__
            raise ModelFileError(file_name, f"cannot read it as a params pickle: {reason}") from err
        problem = self._params_problem(values)
        if problem:
            raise ModelFileError(file_name, problem)
        for key, value in values.items():
            self.params[key][...] = value

    def _params_problem(self, values: object) -> str | None:
        if not isinstance(values, dict) or set(values) != set(self.params):
            got = sorted(map(str, values)) if isinstance(values, dict) else type(values).__name__
            return f"expected a dict with the keys {sorted(self.params)}, got {got}"
        for key, live in self.params.items():
            value = values[key]
            if not isinstance(value, np.ndarray) or value.shape != live.shape:
                got = value.shape if isinstance(value, np.ndarray) else type(value).__name__
                return f"{key}: expected an array of shape {live.shape}, got {got}"
            if value.dtype.kind not in "fiu":
                return f"{key}: expected numbers, got dtype {value.dtype}"
        return _non_finite(values)

    def _param_layers(self):
        return [layer for layer in self._layer_list() if isinstance(layer, Convolution | _Affine)]


class SimpleConvNet(_BookNet):
    """The book's SimpleConvNet (7.5): conv - relu - pool - affine - relu - affine - softmax.

    ``conv_param``: filter_num 30, filter_size 5, pad 0, stride 1 by default;
    weights ``weight_init_std * np.random.randn``; input (N, 1, 28, 28).
    ``layers`` is the book's ``OrderedDict`` (``Conv1``, ``Relu1``, ``Pool1``,
    ``Affine1``, ``Relu2``, ``Affine2``).
    """

    def __init__(
        self,
        input_dim=(1, 28, 28),
        conv_param=None,
        hidden_size=100,
        output_size=10,
        weight_init_std=0.01,
    ):
        p = {"filter_num": 30, "filter_size": 5, "pad": 0, "stride": 1, **(conv_param or {})}
        fn, fs, pad, stride = p["filter_num"], p["filter_size"], p["pad"], p["stride"]
        conv_out = (input_dim[1] - fs + 2 * pad) // stride + 1
        pooled = fn * (conv_out // 2) * (conv_out // 2)
        std = weight_init_std
        self.params = {
            "W1": std * np.random.randn(fn, input_dim[0], fs, fs),
            "b1": np.zeros(fn),
            "W2": std * np.random.randn(pooled, hidden_size),
            "b2": np.zeros(hidden_size),
            "W3": std * np.random.randn(hidden_size, output_size),
            "b3": np.zeros(output_size),
        }
        q = self.params
        self.layers = OrderedDict([
            ("Conv1", Convolution(q["W1"], q["b1"], stride, pad)), ("Relu1", _Relu()),
            ("Pool1", Pooling(2, 2, stride=2)), ("Affine1", _Affine(q["W2"], q["b2"])),
            ("Relu2", _Relu()), ("Affine2", _Affine(q["W3"], q["b3"])),
        ])  # fmt: skip
        self.last_layer = _SoftmaxWithLoss()


class DeepConvNet(_BookNet):
    """The book's DeepConvNet (8.1): six 3x3 convs 16-16-32-32-64-64, pools, affine 50, 10.

    He initialisation ``sqrt(2 / fan_in)`` per layer, dropout 0.5 after both
    affine layers; the fourth convolution pads by 2, the others by 1.
    """

    def __init__(self, input_dim=(1, 28, 28), hidden_size=50, output_size=10):
        convs = [(16, 1), (16, 1), (32, 1), (32, 2), (64, 1), (64, 1)]
        c = input_dim[0]
        fan_in = [c * 9, 16 * 9, 16 * 9, 32 * 9, 32 * 9, 64 * 9, 64 * 4 * 4, hidden_size]
        self.params = {}
        for i, (fn, _) in enumerate(convs, start=1):
            std = np.sqrt(2.0 / fan_in[i - 1])
            self.params[f"W{i}"] = std * np.random.randn(fn, c, 3, 3)
            self.params[f"b{i}"] = np.zeros(fn)
            c = fn
        self.params["W7"] = np.sqrt(2.0 / fan_in[6]) * np.random.randn(64 * 4 * 4, hidden_size)
        self.params["b7"] = np.zeros(hidden_size)
        self.params["W8"] = np.sqrt(2.0 / fan_in[7]) * np.random.randn(hidden_size, output_size)
        self.params["b8"] = np.zeros(output_size)
        q, layers = self.params, []
        for i, (_, pad) in enumerate(convs, start=1):
            layers += [Convolution(q[f"W{i}"], q[f"b{i}"], 1, pad), _Relu()]
            if i % 2 == 0:
                layers.append(Pooling(2, 2, stride=2))
        layers += [_Affine(q["W7"], q["b7"]), _Relu(), _Dropout(0.5)]
        layers += [_Affine(q["W8"], q["b8"]), _Dropout(0.5)]
        self.layers = layers
        self.last_layer = _SoftmaxWithLoss()
