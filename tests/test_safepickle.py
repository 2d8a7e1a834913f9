"""nnscratch._safepickle: pickles of containers and arrays load; code never runs."""

from __future__ import annotations

import builtins
import io
import os
import pickle
import subprocess
import warnings

import numpy as np
import pytest

from nnscratch._safepickle import UnsafePickleError, safe_load

BOOK_SHAPES = {
    "W1": (784, 50),
    "b1": (50,),
    "W2": (50, 100),
    "b2": (100,),
    "W3": (100, 10),
    "b3": (10,),
}


class _RecordingUnpickler(pickle.Unpickler):
    """Records every global a pickle asks for; resolves only NumPy's own names."""

    def __init__(self, data: bytes):
        super().__init__(io.BytesIO(data))
        self.names: set[str] = set()

    def find_class(self, module, name):
        self.names.add(f"{module}.{name}")
        if module.split(".")[0] != "numpy":
            raise LookupError(f"{module}.{name}")
        return super().find_class(module, name)


def _globals_needed(data: bytes) -> set[str]:
    """The globals a pickle of NumPy-only content imports (never runs anything else)."""
    unpickler = _RecordingUnpickler(data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # numpy.core on NumPy 2
        unpickler.load()
    return unpickler.names


def test_book_sample_weight_loads_as_float32_dict(sample_weight_path):
    weights = safe_load(sample_weight_path)
    assert isinstance(weights, dict)
    assert set(weights) == set(BOOK_SHAPES)
    for name, shape in BOOK_SHAPES.items():
        assert weights[name].shape == shape
        assert weights[name].dtype == np.float32
        assert np.isfinite(weights[name]).all()


def test_book_sample_weight_from_bytes_and_file_object(sample_weight_path):
    data = sample_weight_path.read_bytes()
    from_path = safe_load(sample_weight_path)
    from_bytes = safe_load(data)
    with open(sample_weight_path, "rb") as f:
        from_file = safe_load(f)
    for name in BOOK_SHAPES:
        np.testing.assert_array_equal(from_bytes[name], from_path[name])
        np.testing.assert_array_equal(from_file[name], from_path[name])


@pytest.mark.parametrize("protocol", [3, 4, 5])
def test_round_trip_of_containers_and_arrays(protocol):
    obj = {
        "a": np.arange(12, dtype=np.float32).reshape(3, 4),
        "b": [1, 2.5, True, None, "text", b"raw"],
        "c": (np.int64(7), np.float64(0.5)),
        "f": np.asfortranarray(np.arange(6.0).reshape(2, 3)),
        "empty": np.zeros((0, 3), dtype=np.uint8),
    }
    loaded = safe_load(pickle.dumps(obj, protocol=protocol))
    assert loaded.keys() == obj.keys()
    assert loaded["b"] == obj["b"]
    for key in ("a", "f", "empty"):
        np.testing.assert_array_equal(loaded[key], obj[key])
    assert loaded["c"] == obj["c"]
    assert isinstance(loaded["c"][0], np.int64)


def test_protocol_2_bytes_from_python_3_are_refused():
    # Python 3 writes bytes under protocol 2 as _codecs.encode(str, "latin1"); the
    # loader leaves that global out because no file it exists for needs it.
    with pytest.raises(UnsafePickleError, match=r"_codecs\.encode"):
        safe_load(pickle.dumps(np.ones(2), protocol=2))


def test_self_referencing_list_is_accepted():
    a: list = [1]
    a.append(a)
    loaded = safe_load(pickle.dumps(a))
    assert loaded[1] is loaded


class _Evil:
    def __init__(self, func, *args):
        self.func, self.args = func, args

    def __reduce__(self):
        return self.func, self.args


@pytest.mark.parametrize(
    ("func", "args", "name"),
    [
        (os.system, ("true",), f"{os.system.__module__}.system"),
        (builtins.eval, ("1 + 1",), "builtins.eval"),
        (builtins.exec, ("x = 1",), "builtins.exec"),
        (subprocess.Popen, (["true"],), "subprocess.Popen"),
    ],
)
@pytest.mark.parametrize("protocol", [3, 4, 5])
def test_malicious_globals_are_refused_by_name(func, args, name, protocol):
    data = pickle.dumps({"w": np.ones(2), "x": _Evil(func, *args)}, protocol=protocol)
    with pytest.raises(UnsafePickleError, match=rf"refusing to load {name} from the pickle"):
        safe_load(data)


@pytest.mark.parametrize("protocol", [0, 1, 2])
def test_python2_spelled_globals_are_refused(protocol):
    # Protocols < 3 spell builtins as Python 2 did; the name in the file is reported.
    data = pickle.dumps([1, _Evil(builtins.eval, "1 + 1")], protocol=protocol)
    with pytest.raises(UnsafePickleError, match=r"refusing to load __builtin__\.eval from"):
        safe_load(data)


def test_error_message_names_the_global_and_explains():
    data = pickle.dumps(_Evil(os.system, "true"))
    with pytest.raises(ValueError) as info:
        safe_load(data)
    message = str(info.value)
    assert os.system.__module__ + ".system" in message
    assert "only plain containers and NumPy arrays are allowed" in message


def test_payload_never_runs(tmp_path):
    marker = tmp_path / "pwned"
    code = f"__import__('pathlib').Path({str(marker)!r}).write_text('ran')"
    payloads = [
        _Evil(builtins.exec, code),
        _Evil(builtins.eval, f"__import__('builtins').exec({code!r})"),
        _Evil(os.system, f"touch {marker}"),
        _Evil(subprocess.Popen, ["touch", str(marker)]),
    ]
    for payload in payloads:
        data = pickle.dumps([np.zeros(3), payload])
        with pytest.raises(UnsafePickleError):
            safe_load(data)
        with pytest.raises(UnsafePickleError):
            safe_load(io.BytesIO(data))
    assert not marker.exists()
    # The same bytes really are dangerous: plain pickle would have run them.
    pickle.loads(pickle.dumps(_Evil(builtins.exec, code)))
    assert marker.read_text() == "ran"


@pytest.mark.parametrize("protocol", [3, 4, 5])
def test_object_arrays_are_refused(protocol):
    data = pickle.dumps({"x": np.array([1, "two", None], dtype=object)}, protocol=protocol)
    with pytest.raises(UnsafePickleError, match="object"):
        safe_load(data)


def test_object_array_of_ints_is_refused_even_without_other_globals():
    # Ints inside need no global at all: the object dtype itself must be refused.
    data = pickle.dumps(np.array([1, 2, 3], dtype=object), protocol=4)
    assert _globals_needed(data) <= {
        "numpy._core.multiarray._reconstruct",
        "numpy.core.multiarray._reconstruct",
        "numpy.ndarray",
        "numpy.dtype",
    }
    with pytest.raises(UnsafePickleError, match="dtype"):
        safe_load(data)


def test_structured_dtype_with_object_field_is_refused():
    arr = np.zeros(2, dtype=[("a", "f8"), ("b", "O")])
    with pytest.raises(UnsafePickleError, match="object"):
        safe_load(pickle.dumps(arr, protocol=4))


def test_numeric_structured_dtype_is_fine():
    arr = np.zeros(2, dtype=[("a", "f8"), ("b", "i4")])
    np.testing.assert_array_equal(safe_load(pickle.dumps(arr, protocol=4)), arr)


def test_persistent_ids_are_refused():
    buf = io.BytesIO()

    class _Pickler(pickle.Pickler):
        def persistent_id(self, obj):
            return "ext-1" if obj == "secret" else None

    _Pickler(buf, protocol=4).dump(["secret"])
    with pytest.raises(UnsafePickleError, match="persistent id 'ext-1'"):
        safe_load(buf.getvalue())


def test_other_harmless_looking_types_are_refused():
    with pytest.raises(UnsafePickleError, match=r"collections\.OrderedDict"):
        safe_load(pickle.dumps(__import__("collections").OrderedDict(a=1)))
    # A set needs no global under protocol 4, so the result check catches it.
    with pytest.raises(UnsafePickleError, match="type set"):
        safe_load(pickle.dumps({"s": {1, 2}}, protocol=4))


def test_bad_file_argument():
    with pytest.raises(TypeError, match="file: expected a binary file, bytes or a path, got int"):
        safe_load(3)
