"""Convolution and pooling functions: against loops, numerical gradients and PyTorch."""

import numpy as np
import pytest

from nnscratch import functional_conv as F
from nnscratch.numerical import gradient_check

# (N, C, H, W, FN, KH, KW, stride, pad): odd sizes, strides 1-3, paddings 0-2
CONV_CASES = [
    (2, 1, 7, 7, 3, 3, 3, 1, 0),
    (2, 3, 9, 8, 4, 3, 2, 2, 1),
    (1, 2, 11, 10, 5, 5, 5, 1, 2),
    (3, 2, 8, 9, 2, 3, 3, 3, 1),
    (2, 4, 6, 6, 3, 1, 1, 1, 0),
    (1, 1, 5, 7, 2, 5, 4, 2, 0),
]
POOL_CASES = [  # (N, C, H, W, PH, PW, stride, pad)
    (2, 3, 8, 8, 2, 2, 2, 0),
    (2, 2, 9, 7, 3, 3, 2, 1),
    (1, 3, 7, 9, 2, 3, 1, 1),
    (2, 1, 10, 10, 3, 3, 3, 0),
    (1, 2, 5, 5, 2, 2, 1, 0),
]


def conv_by_loops(x, W, b, s, p):
    """The definition, one output number at a time."""
    n, _c, h, w = x.shape
    fn, _, kh, kw = W.shape
    xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    oh, ow = (h + 2 * p - kh) // s + 1, (w + 2 * p - kw) // s + 1
    y = np.zeros((n, fn, oh, ow))
    for i in range(oh):
        for j in range(ow):
            patch = xp[:, :, i * s : i * s + kh, j * s : j * s + kw]
            y[:, :, i, j] = np.tensordot(patch, W, axes=([1, 2, 3], [1, 2, 3])) + b
    return y


def test_output_size_book_example():
    # The book's 7.2.4 example: input 4x4, filter 3x3, pad 1, stride 1 -> 4x4.
    assert F.output_size(4, 3, 1, 1) == 4
    assert F.output_size(7, 3, 2, 0) == 3
    with pytest.raises(ValueError, match="kernel"):
        F.output_size(3, 5)


def test_im2col_rows_are_windows_in_book_order():
    x = np.arange(2 * 3 * 4 * 5, dtype=np.float64).reshape(2, 3, 4, 5)
    col = F.im2col(x, 2, 3, stride=1, pad=0)
    assert col.shape == (2 * 3 * 3, 3 * 2 * 3)
    # row of image 1, output position (2, 1): the window x[1, :, 2:4, 1:4] flattened (c, kh, kw)
    np.testing.assert_array_equal(col[1 * 9 + 2 * 3 + 1], x[1, :, 2:4, 1:4].ravel())
    hwc = F.im2col(x, 2, 3, order="hwc")
    np.testing.assert_array_equal(hwc[7], x[0, :, 2:4, 1:4].transpose(1, 2, 0).ravel())


def test_im2col_book_shape_example():
    # The book's 7.4.3: x (1, 3, 7, 7), 5x5 filter: col (9, 75); ten images: (90, 75).
    assert F.im2col(np.zeros((1, 3, 7, 7)), 5, 5).shape == (9, 75)
    assert F.im2col(np.zeros((10, 3, 7, 7)), 5, 5).shape == (90, 75)


@pytest.mark.parametrize("order", ["chw", "hwc"])
@pytest.mark.parametrize(
    "case", [(2, 3, 7, 6, 3, 2, 1, 1), (1, 2, 8, 8, 2, 2, 2, 0), (2, 1, 9, 7, 3, 3, 2, 2)]
)
def test_col2im_is_the_adjoint_of_im2col(case, order):
    # <im2col(x), c> == <x, col2im(c)> for all x, c: col2im sums each pixel's copies.
    n, c, h, w, kh, kw, s, p = case
    rng = np.random.default_rng(0)
    x = rng.standard_normal((n, c, h, w))
    col = F.im2col(x, kh, kw, s, p, order=order)
    r = rng.standard_normal(col.shape)
    back = F.col2im(r, x.shape, kh, kw, s, p, order=order)
    assert back.shape == x.shape
    assert np.vdot(col, r) == pytest.approx(np.vdot(x, back), rel=1e-12)


def test_col2im_counts_copies():
    # All-ones col: each pixel gets the number of windows that cover it.
    ones = np.ones(F.im2col(np.zeros((1, 1, 4, 4)), 3, 3).shape)
    counts = F.col2im(ones, (1, 1, 4, 4), 3, 3)[0, 0]
    np.testing.assert_array_equal(counts, [[1, 2, 2, 1], [2, 4, 4, 2], [2, 4, 4, 2], [1, 2, 2, 1]])


@pytest.mark.parametrize("case", CONV_CASES)
def test_conv2d_forward_equals_loops(case):
    n, c, h, w, fn, kh, kw, s, p = case
    rng = np.random.default_rng(1)
    x, W, b = (
        rng.standard_normal((n, c, h, w)),
        rng.standard_normal((fn, c, kh, kw)),
        rng.standard_normal(fn),
    )
    y, _col = F.conv2d_forward(x, W, b, s, p)
    np.testing.assert_allclose(y, conv_by_loops(x, W, b, s, p), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("case", CONV_CASES[:4])
def test_conv2d_gradients_numerically(case):
    n, c, h, w, fn, kh, kw, s, p = case
    rng = np.random.default_rng(2)
    x, W, b = (
        rng.standard_normal((n, c, h, w)),
        rng.standard_normal((fn, c, kh, kw)),
        rng.standard_normal(fn),
    )
    r = rng.standard_normal(F.conv2d_forward(x, W, b, s, p)[0].shape)

    def loss():
        return float(np.sum(F.conv2d_forward(x, W, b, s, p)[0] * r))

    _y, col = F.conv2d_forward(x, W, b, s, p)
    dx, dW, db = F.conv2d_backward(r, col, W, x.shape, s, p)
    assert dx.shape == x.shape and dW.shape == W.shape and db.shape == b.shape
    assert gradient_check(lambda _: loss(), x, dx) < 1e-7
    assert gradient_check(lambda _: loss(), W, dW) < 1e-7
    assert gradient_check(lambda _: loss(), b, db) < 1e-7
    assert F.conv2d_backward(r, col, W, x.shape, s, p, need_dx=False)[0] is None


def test_conv2d_checks_shapes():
    with pytest.raises(ValueError, match="x: expected 3 channels"):
        F.conv2d_forward(np.zeros((1, 2, 5, 5)), np.zeros((4, 3, 3, 3)))
    with pytest.raises(ValueError, match=r"x: expected a batch of images of shape \(N, C, H, W\)"):
        F.conv2d_forward(np.zeros((2, 5, 5)), np.zeros((4, 3, 3, 3)))


def test_max_pool_forward_and_ties_go_to_the_first_maximum():
    x = np.array([[[[1.0, 3.0, 2.0, 2.0], [3.0, 0.0, 2.0, 2.0], [0, 0, 5, 1], [0, 0, 1, 5]]]])
    y, arg = F.max_pool2d_forward(x, (2, 2))
    np.testing.assert_array_equal(y[0, 0], [[3, 2], [0, 5]])
    dx = F.max_pool2d_backward(np.ones_like(y), arg, y, x.shape, (2, 2))
    # ties: window 1 has 3 at (0,1) and (1,0), window 2 is all 2s, window 3 all 0s
    np.testing.assert_array_equal(
        dx[0, 0], [[0, 1, 1, 0], [0, 0, 0, 0], [1, 0, 1, 0], [0, 0, 0, 0]]
    )


@pytest.mark.parametrize("case", POOL_CASES)
def test_pool_gradients_numerically(case):
    n, c, h, w, ph, pw, s, p = case
    rng = np.random.default_rng(3)
    x = rng.standard_normal((n, c, h, w))  # distinct values: no ties, max is differentiable
    y, arg = F.max_pool2d_forward(x, (ph, pw), s, p)
    r = rng.standard_normal(y.shape)
    dx = F.max_pool2d_backward(r, arg, y, x.shape, (ph, pw), s, p)
    err = gradient_check(
        lambda _: float(np.sum(F.max_pool2d_forward(x, (ph, pw), s, p)[0] * r)), x, dx
    )
    assert err < 1e-7
    ya = F.avg_pool2d_forward(x, (ph, pw), s, p)
    ra = rng.standard_normal(ya.shape)
    dxa = F.avg_pool2d_backward(ra, x.shape, (ph, pw), s, p)
    err = gradient_check(
        lambda _: float(np.sum(F.avg_pool2d_forward(x, (ph, pw), s, p) * ra)), x, dxa
    )
    assert err < 1e-7


def test_global_avg_pool():
    rng = np.random.default_rng(4)
    x = rng.standard_normal((2, 3, 5, 4))
    y = F.global_avg_pool2d_forward(x)
    np.testing.assert_allclose(y, x.mean(axis=(2, 3)))
    r = rng.standard_normal(y.shape)
    dx = F.global_avg_pool2d_backward(r, x.shape)
    assert gradient_check(lambda _: float(np.sum(F.global_avg_pool2d_forward(x) * r)), x, dx) < 1e-7


def test_pool_padding_limit():
    with pytest.raises(ValueError, match="pad: expected at most half the window"):
        F.max_pool2d_forward(np.zeros((1, 1, 6, 6)), (2, 2), 2, 2)


# ---- PyTorch as the oracle -------------------------------------------------


@pytest.mark.parametrize("case", CONV_CASES)
def test_conv2d_equals_torch(case):
    torch = pytest.importorskip("torch")
    n, c, h, w, fn, kh, kw, s, p = case
    rng = np.random.default_rng(5)
    x, W, b = (
        rng.standard_normal((n, c, h, w)),
        rng.standard_normal((fn, c, kh, kw)),
        rng.standard_normal(fn),
    )
    y, col = F.conv2d_forward(x, W, b, s, p)
    r = rng.standard_normal(y.shape)
    dx, dW, db = F.conv2d_backward(r, col, W, x.shape, s, p)
    xt, Wt, bt = (torch.tensor(a, requires_grad=True) for a in (x, W, b))
    yt = torch.nn.functional.conv2d(xt, Wt, bt, stride=s, padding=p)
    yt.backward(torch.tensor(r))
    np.testing.assert_allclose(y, yt.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(dx, xt.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(dW, Wt.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(db, bt.grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("ties", [False, True])
@pytest.mark.parametrize("case", POOL_CASES)
def test_pooling_equals_torch(case, ties):
    torch = pytest.importorskip("torch")
    n, c, h, w, ph, pw, s, p = case
    rng = np.random.default_rng(6)
    x = rng.standard_normal((n, c, h, w))
    if ties:  # few distinct values: many windows with several maxima
        x = np.round(x)
    y, arg = F.max_pool2d_forward(x, (ph, pw), s, p)
    r = rng.standard_normal(y.shape)
    dx = F.max_pool2d_backward(r, arg, y, x.shape, (ph, pw), s, p)
    xt = torch.tensor(x, requires_grad=True)
    yt = torch.nn.functional.max_pool2d(xt, (ph, pw), stride=s, padding=p)
    yt.backward(torch.tensor(r))
    np.testing.assert_allclose(y, yt.detach().numpy(), rtol=0, atol=0)
    np.testing.assert_allclose(dx, xt.grad.numpy(), rtol=1e-12, atol=1e-12)

    ya = F.avg_pool2d_forward(x, (ph, pw), s, p)
    dxa = F.avg_pool2d_backward(r, x.shape, (ph, pw), s, p)
    xt = torch.tensor(x, requires_grad=True)
    yt = torch.nn.functional.avg_pool2d(xt, (ph, pw), stride=s, padding=p)
    yt.backward(torch.tensor(r))
    np.testing.assert_allclose(ya, yt.detach().numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(dxa, xt.grad.numpy(), rtol=1e-12, atol=1e-12)


def test_float32_stays_float32():
    rng = np.random.default_rng(7)
    x = rng.standard_normal((2, 3, 6, 6)).astype(np.float32)
    W = rng.standard_normal((4, 3, 3, 3)).astype(np.float32)
    y, col = F.conv2d_forward(x, W, np.zeros(4, np.float32), 1, 1)
    dx, dW, db = F.conv2d_backward(np.ones_like(y), col, W, x.shape, 1, 1)
    assert {a.dtype for a in (y, col, dx, dW, db)} == {np.dtype(np.float32)}
    yp, arg = F.max_pool2d_forward(y, (2, 2))
    assert yp.dtype == np.float32
    assert F.max_pool2d_backward(yp, arg, yp, y.shape, (2, 2)).dtype == np.float32


def test_im2col_into_a_fortran_order_buffer():
    x = np.random.default_rng(8).standard_normal((2, 1, 9, 7))
    out = np.empty((2 * 5 * 3, 25), order="F")
    assert F.im2col(x, 5, 5, out=out) is out
    np.testing.assert_array_equal(out, F.im2col(x, 5, 5))


@pytest.mark.parametrize("case", CONV_CASES)
def test_conv2d_input_grad_equals_col2im_of_the_product(case):
    """The slab sum gives col2im(dout @ W_col.T), the book's dx, for any stride,
    padding and odd size; a kept slab buffer gives the same answer again."""
    n, c, h, w, fn, kh, kw, s, p = case
    rng = np.random.default_rng(5)
    x, W = rng.standard_normal((n, c, h, w)), rng.standard_normal((fn, c, kh, kw))
    y, _col = F.conv2d_forward(x, W, None, s, p)
    dout = rng.standard_normal(y.shape)
    dcol = dout.transpose(0, 2, 3, 1).reshape(-1, fn) @ W.reshape(fn, -1)
    expected = F.col2im(dcol, x.shape, kh, kw, s, p)  # columns in the book's (C, KH, KW) order
    slabs = np.zeros((kh, kw, n, h + 2 * p, w + 2 * p, c))
    for _ in range(2):
        np.testing.assert_allclose(
            F.conv2d_input_grad(dout, W, x.shape, s, p, slabs=slabs), expected, atol=1e-12
        )
    np.testing.assert_allclose(F.conv2d_input_grad(dout, W, x.shape, s, p), expected, atol=1e-12)


def test_conv2d_input_grad_checks_its_buffers():
    dout, W = np.zeros((2, 3, 4, 4)), np.zeros((3, 2, 3, 3))
    with pytest.raises(ValueError, match="slabs: expected a C-contiguous array of shape"):
        F.conv2d_input_grad(dout, W, (2, 2, 6, 6), slabs=np.zeros((3, 3, 2, 6, 6, 1)))
    with pytest.raises(ValueError, match="out: expected a channels-last array"):
        F.conv2d_input_grad(dout, W, (2, 2, 6, 6), out=np.zeros((2, 2, 6, 6)))


def test_pooling_and_col2im_write_into_out():
    rng = np.random.default_rng(6)
    x = rng.standard_normal((3, 2, 6, 6))
    y_new, col = F.max_pool2d_forward(x, (2, 2))
    out = np.empty((3, 3, 3, 2)).transpose(0, 3, 1, 2)
    assert F.max_pool2d_forward(x, (2, 2), out=out)[0] is out
    np.testing.assert_array_equal(out, y_new)
    d = rng.standard_normal(y_new.shape)
    dx_out = np.empty((3, 6, 6, 2)).transpose(0, 3, 1, 2)
    dx = F.max_pool2d_backward(d, col, y_new, x.shape, (2, 2), out=dx_out)
    np.testing.assert_array_equal(dx, F.max_pool2d_backward(d, col, y_new, x.shape, (2, 2)))
    np.testing.assert_array_equal(
        F.avg_pool2d_backward(d, x.shape, (2, 2), out=dx_out),
        F.avg_pool2d_backward(d, x.shape, (2, 2)),
    )
    with pytest.raises(ValueError, match="out: expected a channels-last array"):
        F.avg_pool2d_backward(d, x.shape, (2, 2), out=np.empty((3, 2, 6, 6)))
