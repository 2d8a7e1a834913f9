"""nnscratch.io: save/load round trips, and clear errors for every bad file."""

from __future__ import annotations

import json
import pickle

import numpy as np
import pytest
import safetensors.numpy

import nnscratch._atomic
import nnscratch.io as nnio
from nnscratch import activations, layers
from nnscratch.layers import AvgPool2D, Conv2D, GlobalAvgPool2D, MaxPool2D, Reshape
from nnscratch.network import Sequential


def _mlp(dtype="float32", seed=0, hidden="relu"):
    return Sequential(
        [layers.Dense(6, 5), layers.Activation(hidden), layers.Dense(5, 3)],
        loss="softmax_cross_entropy",
        seed=seed,
        dtype=dtype,
    )


def _x(n=7, features=6, dtype="float32", seed=1):
    return np.random.default_rng(seed).standard_normal((n, features)).astype(dtype)


# ------------------------------------------------------------------ round trips


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("hidden", ["relu", "sigmoid", "tanh"])
def test_round_trip_gives_identical_predictions(tmp_path, dtype, hidden):
    net = _mlp(dtype, hidden=hidden)
    path = nnio.save(net, tmp_path / "model.safetensors")
    loaded = nnio.load(path)
    assert loaded.get_config() == net.get_config()
    x = _x(dtype=dtype)
    y = loaded.predict(x)
    assert y.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(y, net.predict(x))
    np.testing.assert_array_equal(loaded.predict_proba(x), net.predict_proba(x))
    for name, value in net.parameters().items():
        stored = loaded.parameters()[name]
        assert stored.dtype == value.dtype
        np.testing.assert_array_equal(stored, value)


def _every_layer(dtype):
    """A network with every layer type and non-default activation configs."""
    return Sequential(
        [
            layers.Dense(6, 8, init="glorot_uniform", dtype=dtype),
            layers.BatchNorm(8, momentum=0.8, dtype=dtype),
            layers.Activation(activations.LeakyReLU(0.05), dtype=dtype),
            layers.Maxout(8, 5, pieces=3, dtype=dtype),
            layers.PReLU(5, alpha_init=0.1, dtype=dtype),
            layers.Dropout(0.3, seed=4, dtype=dtype),
            layers.Dense(5, 18, use_bias=False, dtype=dtype),
            layers.Activation({"class_name": "elu", "config": {"alpha": 0.5}}, dtype=dtype),
            Reshape((2, 3, 3), dtype=dtype),
            Conv2D(2, 4, 2, padding=1, init="glorot_uniform", dtype=dtype),
            MaxPool2D(2, stride=1, dtype=dtype),
            AvgPool2D(2, stride=1, dtype=dtype),
            GlobalAvgPool2D(dtype=dtype),
            layers.Flatten(dtype=dtype),
            layers.Dense(4, 3, dtype=dtype),
        ],
        loss={"class_name": "softmax_cross_entropy", "config": {"label_smoothing": 0.1}},
        seed=3,
        dtype=dtype,
    )


def test_every_layer_type_is_covered():
    used = {type(layer).__name__ for layer in _every_layer("float32").layers}
    assert used == set(layers.names())  # a new layer type must join the round trip


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_round_trip_of_every_layer_type(tmp_path, dtype):
    net = _every_layer(dtype)
    x = _x(32, dtype=dtype, seed=5)
    for _ in range(3):  # training passes move BatchNorm's running statistics off 0 / 1
        net.loss(x, np.arange(32) % 3, training=True)
    for name, value in net.parameters().items():  # make every parameter non-trivial
        value += np.random.default_rng(len(name)).normal(0, 0.1, value.shape).astype(dtype)
    assert not np.allclose(net.buffers()["1.running_mean"], 0.0)

    loaded = nnio.load(nnio.save(net, tmp_path / "every.safetensors"))
    assert loaded.get_config() == net.get_config()
    assert repr(loaded) == repr(net)
    assert loaded.layers[2].fn.negative_slope == 0.05
    for name, value in {**net.parameters(), **net.buffers()}.items():
        stored = {**loaded.parameters(), **loaded.buffers()}[name]
        assert stored.dtype == np.dtype(dtype)
        np.testing.assert_array_equal(stored, value)
    y = loaded.predict(x)
    assert y.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(y, net.predict(x))
    t = np.arange(32) % 3
    assert loaded.loss(x, t) == net.loss(x, t)


def test_round_trip_keeps_shared_layers_shared(tmp_path):
    hidden = layers.Dense(4, 4)
    net = Sequential([layers.Dense(6, 4), hidden, layers.Activation("tanh"), hidden], seed=1)
    loaded = nnio.load(nnio.save(net, tmp_path / "shared.safetensors"))
    assert loaded.layers[1] is loaded.layers[3]
    assert sorted(loaded.parameters()) == sorted(net.parameters())
    x = _x()
    np.testing.assert_array_equal(loaded.predict(x), net.predict(x))


def test_loaded_arrays_are_independent_writable_copies(tmp_path):
    net = _mlp()
    loaded = nnio.load(nnio.save(net, tmp_path / "m.safetensors"))
    for name, value in loaded.parameters().items():
        assert value.flags.writeable
        value += 1.0
        assert not np.array_equal(value, net.parameters()[name])


def test_load_takes_str_and_pathlike(tmp_path):
    net = _mlp()
    path = tmp_path / "m.safetensors"
    nnio.save(net, str(path))
    x = _x()
    np.testing.assert_array_equal(nnio.load(str(path)).predict(x), net.predict(x))
    np.testing.assert_array_equal(nnio.load(path).predict(x), net.predict(x))


def test_metadata_is_stored_and_reserved_keys_are_refused(tmp_path):
    net = _mlp()
    path = nnio.save(net, tmp_path / "m.safetensors", metadata={"epochs": "3", "note": "é"})
    meta = nnio.read_metadata(path)
    assert meta["epochs"] == "3"
    assert meta["note"] == "é"
    assert meta[nnio.FORMAT_KEY] == nnio.FORMAT_VERSION
    assert json.loads(meta["nnscratch.config"]) == json.loads(json.dumps(net.get_config()))
    with pytest.raises(ValueError, match="reserved"):
        nnio.save(net, tmp_path / "x.safetensors", metadata={"nnscratch.format": "9"})
    with pytest.raises(TypeError, match="metadata"):
        nnio.save(net, tmp_path / "x.safetensors", metadata={"epochs": 3})
    assert not (tmp_path / "x.safetensors").exists()


def test_save_refuses_what_is_not_a_network(tmp_path):
    with pytest.raises(TypeError, match="net"):
        nnio.save({"W": np.zeros(3)}, tmp_path / "m.safetensors")


def test_file_is_plain_safetensors(tmp_path):
    net = _mlp()
    path = nnio.save(net, tmp_path / "m.safetensors")
    tensors = safetensors.numpy.load_file(str(path))
    assert sorted(tensors) == sorted(net.parameters())
    np.testing.assert_array_equal(tensors["0.W"], net.parameters()["0.W"])


# ------------------------------------------------------------------ failed saves


def test_failed_save_leaves_the_old_file_intact(tmp_path, monkeypatch):
    path = tmp_path / "m.safetensors"
    old = _mlp(seed=0)
    nnio.save(old, path)
    before = path.read_bytes()

    def write_half_then_fail(f, data):
        f.write(data[: len(data) // 2])
        f.flush()
        raise OSError("disk full")

    monkeypatch.setattr(nnscratch._atomic, "_write_all", write_half_then_fail)
    with pytest.raises(OSError, match="disk full"):
        nnio.save(_mlp(seed=1), path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["m.safetensors"]  # no temp file left
    monkeypatch.undo()
    x = _x()
    np.testing.assert_array_equal(nnio.load(path).predict(x), old.predict(x))


# ------------------------------------------------------------------ safetensors or pickle


def _repro_net():
    return Sequential(
        [layers.Dense(5, 5), layers.Activation("relu"), layers.Dropout(0.25), layers.Dense(5, 3)],
        loss="mean_squared_error",
        seed=0,
    )


def _save_with_first_byte_0x80(net, path):
    """Save ``net`` with user metadata padded until the header length's low byte is 0x80.

    Byte 1 (the next byte of the length) is also made 2..5, so the file starts
    exactly like a pickle's PROTO opcode and protocol number.
    """
    for n in range(4096):
        nnio.save(net, path, metadata={"note": "x" * n})
        data = path.read_bytes()
        if data[0] == 0x80 and data[1] in range(2, 6):
            return data
    raise AssertionError("no metadata length gave a header length of 0x?80")


@pytest.mark.parametrize("name", ["m.safetensors", "m.bin", "m.pkl"])
def test_safetensors_whose_first_byte_is_pickle_proto_loads(tmp_path, name):
    net = _repro_net()
    path = tmp_path / name
    data = _save_with_first_byte_0x80(net, path)
    assert data[8:9] == b"{"
    loaded = nnio.load(path)
    x = _x(features=5, dtype="float64")
    np.testing.assert_array_equal(loaded.predict(x), net.predict(x))
    assert nnio.read_metadata(path)["note"].startswith("x")


def test_corrupt_header_with_first_byte_0x80_is_still_a_safetensors_error(tmp_path):
    path = tmp_path / "m.safetensors"
    data = bytearray(_save_with_first_byte_0x80(_repro_net(), path))
    data[8:20] = b"\xff" * 12
    path.write_bytes(bytes(data))
    with pytest.raises(nnio.ModelFileError, match="corrupt safetensors header"):
        nnio.load(path)


@pytest.mark.parametrize("protocol", [2, 3, 4, 5])
def test_pickle_with_another_suffix_is_still_read_as_a_pickle(tmp_path, protocol):
    path = tmp_path / "weights.bin"
    path.write_bytes(pickle.dumps([1.5, 2.5], protocol=protocol))
    with pytest.raises(nnio.ModelFileError, match="expected a dict of arrays"):
        nnio.load(path)


# ------------------------------------------------------------------ bad files


@pytest.fixture()
def saved(tmp_path):
    net = _mlp()
    return nnio.save(net, tmp_path / "model.safetensors")


@pytest.mark.parametrize("keep", [0, 5, 8, 40, -1])
def test_truncated_file_is_a_model_file_error_naming_the_file(saved, keep):
    data = saved.read_bytes()
    saved.write_bytes(data[: keep if keep >= 0 else len(data) - 10])
    with pytest.raises(nnio.ModelFileError, match=r"model\.safetensors") as info:
        nnio.load(saved)
    assert isinstance(info.value, ValueError)
    assert info.value.path == str(saved)


def test_corrupt_header_is_a_model_file_error(saved):
    data = bytearray(saved.read_bytes())
    data[8:20] = b"\xff" * 12
    saved.write_bytes(bytes(data))
    with pytest.raises(nnio.ModelFileError, match="corrupt safetensors header"):
        nnio.load(saved)


def test_text_file_is_a_model_file_error(tmp_path):
    path = tmp_path / "notes.safetensors"
    path.write_text("this is not a model at all, just a long enough line of text\n")
    with pytest.raises(nnio.ModelFileError, match=r"notes\.safetensors"):
        nnio.load(path)


def test_safetensors_of_another_program_is_refused(tmp_path):
    path = tmp_path / "other.safetensors"
    path.write_bytes(safetensors.numpy.save({"weight": np.zeros((3, 2), np.float32)}))
    with pytest.raises(nnio.ModelFileError, match="not an nnscratch model"):
        nnio.load(path)


def _rewrite(path, tensors=None, config_edit=None, metadata_edit=None):
    """Write ``path`` again with its own metadata, changed as asked."""
    meta = nnio.read_metadata(path)
    stored = safetensors.numpy.load_file(str(path))
    if config_edit is not None:
        config = json.loads(meta["nnscratch.config"])
        config_edit(config)
        meta["nnscratch.config"] = json.dumps(config)
    if metadata_edit is not None:
        metadata_edit(meta)
    path.write_bytes(safetensors.numpy.save(tensors or stored, metadata=meta))


def test_shapes_that_disagree_with_the_architecture_name_the_array(saved):
    tensors = safetensors.numpy.load_file(str(saved))
    tensors["2.W"] = np.zeros((5, 4), np.float32)
    _rewrite(saved, tensors=tensors)
    with pytest.raises(nnio.ModelFileError, match=r"'2\.W'.*\[5, 4\].*\[5, 3\]"):
        nnio.load(saved)


def test_dtype_that_disagrees_with_the_architecture_is_refused(saved):
    tensors = safetensors.numpy.load_file(str(saved))
    tensors["0.b"] = tensors["0.b"].astype(np.float64)
    _rewrite(saved, tensors=tensors)
    with pytest.raises(nnio.ModelFileError, match=r"'0\.b' is float64"):
        nnio.load(saved)


def test_missing_and_extra_arrays_are_listed(saved):
    tensors = safetensors.numpy.load_file(str(saved))
    del tensors["0.b"]
    tensors["9.W"] = np.zeros(2, np.float32)
    _rewrite(saved, tensors=tensors)
    with pytest.raises(nnio.ModelFileError, match=r"missing \['0\.b'\], unexpected \['9\.W'\]"):
        nnio.load(saved)


def test_unknown_layer_name_is_a_model_file_error(saved):
    def rename(config):
        config["layers"][1]["class_name"] = "Hyperdrive"

    _rewrite(saved, config_edit=rename)
    with pytest.raises(nnio.ModelFileError, match="Hyperdrive"):
        nnio.load(saved)


def test_unknown_format_version_and_bad_config_json(saved, tmp_path):
    _rewrite(saved, metadata_edit=lambda m: m.update({"nnscratch.format": "99"}))
    with pytest.raises(nnio.ModelFileError, match="version '99'"):
        nnio.load(saved)
    _rewrite(saved, metadata_edit=lambda m: m.update({"nnscratch.format": "1"}))
    _rewrite(saved, metadata_edit=lambda m: m.update({"nnscratch.config": "{not json"}))
    with pytest.raises(nnio.ModelFileError, match="not valid JSON"):
        nnio.load(saved)


def test_bundled_sample_model_beats_the_books_weights(mnist):
    """The shipped "sample" model has the book's chapter-3 shape and beats its 0.9352."""
    assert "sample" in nnio.bundled_models()
    net = nnio.load("sample")
    shapes = [tuple(a.shape) for a in net.parameters().values()]
    assert shapes == [(784, 50), (50,), (50, 100), (100,), (100, 10), (10,)]
    assert [layer.get_config().get("activation") for layer in net.layers[1::2]] == [
        "sigmoid",
        "sigmoid",
    ]
    _, (x_test, t_test) = mnist
    assert net.accuracy(x_test, t_test) >= 0.97
