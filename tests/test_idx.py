"""nnscratch.datasets.idx: the IDX format of MNIST, read and written."""

from __future__ import annotations

import gzip

import numpy as np
import pytest

from nnscratch.datasets.idx import IdxFormatError, parse_idx, read_idx, write_idx


def _labels_file(labels: bytes) -> bytes:
    # Written out byte by byte from the format description, independently of write_idx.
    return b"\x00\x00\x08\x01" + len(labels).to_bytes(4, "big") + labels


def test_hand_written_label_file():
    out = parse_idx(_labels_file(bytes([5, 0, 4, 1, 9])))
    assert out.shape == (5,)
    assert out.dtype == np.uint8
    assert out.tolist() == [5, 0, 4, 1, 9]
    assert out.flags.writeable


def test_hand_written_image_file_is_c_order():
    # 2 images of 2 x 3 pixels, magic 0x00000803, dims big-endian.
    data = (
        b"\x00\x00\x08\x03" + b"".join(d.to_bytes(4, "big") for d in (2, 2, 3)) + bytes(range(12))
    )
    out = parse_idx(data, ndim=3)
    assert out.shape == (2, 2, 3)
    np.testing.assert_array_equal(out, np.arange(12, dtype=np.uint8).reshape(2, 2, 3))


def test_big_endian_multibyte_types():
    data = (
        b"\x00\x00\x0c\x01"
        + (2).to_bytes(4, "big")
        + (258).to_bytes(4, "big")
        + (-1).to_bytes(4, "big", signed=True)
    )
    out = parse_idx(data)
    assert out.dtype == np.int32
    assert out.dtype.isnative
    assert out.tolist() == [258, -1]


@pytest.mark.parametrize("dtype", ["uint8", "int8", "int16", "int32", "float32", "float64"])
@pytest.mark.parametrize("shape", [(0,), (7,), (3, 4), (2, 3, 5), (1, 1, 1, 1)])
def test_round_trip(dtype, shape):
    rng = np.random.default_rng(0)
    array = (rng.standard_normal(shape) * 100).astype(dtype)
    out = parse_idx(write_idx(array))
    assert out.shape == shape
    assert out.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(out, array)


@pytest.mark.parametrize("compress", [False, True])
def test_read_file_plain_or_gzip(tmp_path, compress):
    array = np.arange(60, dtype=np.uint8).reshape(5, 3, 4)
    data = write_idx(array)
    path = tmp_path / "images-idx3-ubyte"  # no .gz suffix even when compressed: sniffed
    path.write_bytes(gzip.compress(data) if compress else data)
    np.testing.assert_array_equal(read_idx(path, ndim=3), array)


def test_truncated_payload_message():
    data = b"\x00\x00\x08\x03" + b"".join(d.to_bytes(4, "big") for d in (60000, 28, 28))
    with pytest.raises(
        IdxFormatError, match=r"truncated IDX file .*: expected 47040000 bytes of data, got 1000"
    ):
        parse_idx(data + bytes(1000))


def test_truncated_header():
    with pytest.raises(IdxFormatError, match="header declares 3 dimensions"):
        parse_idx(b"\x00\x00\x08\x03" + (10).to_bytes(4, "big"))
    with pytest.raises(IdxFormatError, match="too short for an IDX header"):
        parse_idx(b"\x00\x00")


def test_extra_bytes_are_refused():
    with pytest.raises(IdxFormatError, match="3 bytes after the data"):
        parse_idx(_labels_file(bytes(4)) + b"abc")


def test_bad_magic():
    with pytest.raises(IdxFormatError, match="bad IDX magic number 0x504B0304"):
        parse_idx(b"PK\x03\x04" + bytes(20))


def test_unknown_type_code():
    with pytest.raises(IdxFormatError, match="unknown IDX type code 0x0A"):
        parse_idx(b"\x00\x00\x0a\x01" + (0).to_bytes(4, "big"))


def test_wrong_ndim():
    with pytest.raises(IdxFormatError, match="expected an IDX file of 3 dimensions, got 1"):
        parse_idx(_labels_file(bytes(3)), ndim=3)


def test_idx_error_is_value_error():
    assert issubclass(IdxFormatError, ValueError)


def test_damaged_gzip(tmp_path):
    path = tmp_path / "labels.gz"
    path.write_bytes(gzip.compress(_labels_file(bytes(100)))[:30])
    with pytest.raises(IdxFormatError, match="damaged gzip data"):
        read_idx(path)


def test_file_name_in_messages(tmp_path):
    path = tmp_path / "t10k-labels-idx1-ubyte"
    path.write_bytes(_labels_file(bytes(10))[:-4])
    with pytest.raises(
        IdxFormatError, match="t10k-labels-idx1-ubyte: expected 10 bytes of data, got 6"
    ):
        read_idx(path)


def test_write_refuses_unsupported_dtype():
    with pytest.raises(TypeError, match=r"array: expected dtype .* got int64"):
        write_idx(np.zeros(3, dtype=np.int64))


def test_real_mnist_labels_header(mnist_gz_dir):
    path = mnist_gz_dir / "t10k-labels-idx1-ubyte.gz"
    labels = read_idx(path, ndim=1)
    assert labels.shape == (10000,)
    assert labels[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
    assert np.bincount(labels).sum() == 10000
