"""The web server's API on a real server (127.0.0.1, ephemeral port): answers and refusals."""

from __future__ import annotations

import asyncio
import io
import json
import os
import signal
import socket
import time
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("starlette", reason="the web extra: pip install 'nnscratch[web]'")
pytest.importorskip("uvicorn", reason="the web extra: pip install 'nnscratch[web]'")
from PIL import Image, ImageDraw
from tests._live_server import running

import nnscratch as nn
from nnscratch.classic import Perceptron
from nnscratch.images import mnistify
from nnscratch.web import Limits, classic, create_app
from nnscratch.web.playground import PlaygroundSession, parse_config
from nnscratch.web.server import bind
from nnscratch.web.sessions import Pacer, SessionStore


def request(url, data=None, *, method=None, headers=None):
    """(status, parsed JSON body) of one request; 4xx/5xx answers are returned, not raised."""
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as err:
        with err:
            return err.code, json.loads(err.read())


def post_json(url, obj):
    return request(url, json.dumps(obj).encode(), headers={"Content-Type": "application/json"})


def png(lines, size=280, width=20) -> bytes:
    im = Image.new("L", (size, size), 255)
    ImageDraw.Draw(im).line(lines, fill=0, width=width)
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return buf.getvalue()


SEVEN = [(60, 40), (220, 40), (120, 250)]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    # a saved model of our own, given on the command line as a user would
    net = nn.Sequential([nn.Dense(784, 16), nn.Activation("relu"), nn.Dense(16, 10)], seed=3)
    path = tmp_path_factory.mktemp("models") / "mine.safetensors"
    nn.save(net, path)
    # predictions in a worker process, as `nnscratch serve` answers them
    limits = Limits(
        max_body=64 * 1024, max_sessions=4, epochs_per_second=1000.0, predict_processes=1
    )
    app = create_app([path], limits=limits)
    with running(app) as url:
        yield url, path
    app.state.predictor.close()


def test_models_lists_bundled_and_given(server):
    url, _ = server
    status, body = request(url + "/api/models")
    assert status == 200
    assert [m["name"] for m in body["models"]] == ["sample", "cnn", "mine"]


def test_predict_matches_the_library_on_the_same_preprocessing(server):
    url, _ = server
    data = png(SEVEN)
    status, out = request(
        url + "/api/predict?model=sample", data, headers={"Content-Type": "image/png"}
    )
    assert status == 200
    grey = np.asarray(Image.open(io.BytesIO(data)), dtype=np.float64) / 255.0
    x = mnistify(grey)
    expected = nn.load("sample").predict_proba(x)
    np.testing.assert_allclose(out["probabilities"], expected, atol=1e-5)
    np.testing.assert_allclose(out["input"], x, atol=1e-3)
    assert out["digit"] == 7 == int(np.argmax(expected))
    assert [h["shape"] for h in out["hidden"]] == [[50], [100]]
    # the hidden strip is the first sigmoid layer's output
    net = nn.load("sample")
    h1 = net.layers[1].forward(net.layers[0].forward(x[None], False), False)[0]
    np.testing.assert_allclose(out["hidden"][0]["values"], h1, atol=1e-4)


def test_predict_with_a_model_file_given_on_the_command_line(server):
    url, _ = server
    status, out = request(
        url + "/api/predict?model=mine", png(SEVEN), headers={"Content-Type": "image/png"}
    )
    assert status == 200 and len(out["probabilities"]) == 10
    assert [h["shape"] for h in out["hidden"]] == [[16]]


def test_predict_with_the_bundled_cnn_shows_its_feature_maps(server):
    url, _ = server
    status, out = request(
        url + "/api/predict?model=cnn", png(SEVEN), headers={"Content-Type": "image/png"}
    )
    assert status == 200 and out["digit"] == 7
    # the reshaped input of the first conv, the feature maps the next layers read, the hidden units
    assert [h["shape"] for h in out["hidden"]] == [[1, 28, 28], [16, 12, 12], [32, 5, 5], [128]]


def test_predictions_in_this_process_equal_those_of_a_worker_process(server):
    url, path = server
    app = create_app([path])  # predict_processes=0: a thread of the server
    with running(app) as here:
        for model in ("sample", "cnn", "mine"):
            target = f"/api/predict?model={model}"
            answers = [
                request(base + target, png(SEVEN), headers={"Content-Type": "image/png"})
                for base in (url, here)
            ]
            assert answers[0] == answers[1] and answers[0][0] == 200


def test_a_stopped_worker_is_a_503_and_the_next_prediction_starts_a_new_one(server):
    _, path = server
    app = create_app([path], limits=Limits(predict_processes=1))
    with running(app) as base:
        target = base + "/api/predict?model=sample"
        assert request(target, png(SEVEN), headers={"Content-Type": "image/png"})[0] == 200
        for proc in list(app.state.predictor._pool._processes.values()):
            proc.kill()
            proc.join(10)
        status, body = request(target, png(SEVEN), headers={"Content-Type": "image/png"})
        assert status == 503 and body["error"].startswith("predict: a worker process stopped")
        status, body = request(target, png(SEVEN), headers={"Content-Type": "image/png"})
        assert status == 200 and body["digit"] == 7
    app.state.predictor.close()


@pytest.mark.parametrize(
    "model",
    ["nope", "../sample", "/etc/passwd", "mine.safetensors", "", "%2e%2e%2fmine"],
)
def test_unknown_model_names_and_paths_are_404(server, model):
    url, _ = server
    status, body = request(
        url + f"/api/predict?model={model}", png(SEVEN), headers={"Content-Type": "image/png"}
    )
    assert status == 404
    assert body["error"].startswith("model: expected one of 'sample', 'cnn', 'mine'")


def test_refusals_are_json_4xx_and_the_server_keeps_serving(server, tmp_path):
    url, _ = server
    before = sorted(os.listdir(tmp_path))
    cases = [
        # body over the cap
        (url + "/api/predict?model=sample", b"\x89PNG" + b"0" * 70_000, "image/png", 413),
        # not an image
        (url + "/api/predict?model=sample", b"hello, not a picture", "image/png", 422),
        # an image header claiming 30000 x 30000 pixels
        (url + "/api/predict?model=sample", _huge_png_header(), "image/png", 422),
        # a blank drawing: no digit
        (url + "/api/predict?model=sample", png([(0, 0), (0, 0)], width=0), "image/png", 422),
        # wrong content type
        (url + "/api/predict?model=sample", b"{}", "application/json", 415),
        # malformed JSON, JSON that is not an object, NaN
        (url + "/api/play", b"{not json", "application/json", 400),
        (url + "/api/play", b"[1, 2]", "application/json", 422),
        (url + "/api/play", b'{"config": {"lr": NaN}}', "application/json", 400),
    ]
    for target, data, kind, code in cases:
        status, body = request(target, data, headers={"Content-Type": kind})
        assert status == code, (target, data[:20], body)
        assert isinstance(body["error"], str) and body["error"]
    status, _ = request(url + "/api/models")
    assert status == 200
    assert sorted(os.listdir(tmp_path)) == before


def _huge_png_header() -> bytes:
    import struct
    import zlib

    ihdr = struct.pack(">IIBBBBB", 30000, 30000, 8, 0, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    return (
        b"\x89PNG\r\n\x1a\n"
        + struct.pack(">I", len(ihdr))
        + chunk
        + struct.pack(">I", zlib.crc32(chunk))
    )


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"lr": -1}, "lr: expected a number in (0, 10], got -1"),
        ({"lr": "fast"}, "lr: expected a number in (0, 10], got fast"),
        ({"layers": [4] * 7}, "layers: expected at most 6 hidden layers, got 7"),
        ({"layers": [17]}, "layers[0]: expected an integer in [1, 16], got 17"),
        ({"layers": "4,2"}, "layers: expected a list of unit counts, got str"),
        ({"batch": 0}, "batch: expected an integer in [1, 1000], got 0"),
        ({"batch": True}, "batch: expected an integer in [1, 1000], got True"),
        ({"dataset": "mnist"}, "dataset: expected one of 'xor', 'circle', 'spirals'"),
        ({"points": 100000}, "points: expected an integer in [20, 1000], got 100000"),
        ({"weight_decay": 2}, "weight_decay: expected a number in [0, 1], got 2"),
        ({"shell": "rm"}, "config: expected keys from"),
    ],
)
def test_bad_hyperparameters_are_422_naming_the_field(server, config, message):
    url, _ = server
    status, body = post_json(url + "/api/play", {"config": config})
    assert status == 422
    assert body["error"].startswith(message)


def test_unknown_routes_sessions_and_methods_are_json(server):
    url, _ = server
    assert request(url + "/api/nothing")[0] == 404
    status, body = post_json(url + "/api/play/not-a-session/step", {"epochs": 1})
    assert status == 404 and "no live session" in body["error"]
    assert request(url + "/api/predict")[0] == 405


def test_playground_trains_and_the_stream_sends_frames(server):
    url, _ = server
    status, out = post_json(url + "/api/play", {"config": {"dataset": "xor", "seed": 2}})
    assert status == 200
    sid, first = out["session"], out["frame"]
    status, frame = post_json(url + f"/api/play/{sid}/step", {"epochs": 100})
    assert status == 200 and frame["epoch"] == 100
    assert frame["test_loss"] < 0.6 * first["test_loss"]
    assert frame["regions"] != first["regions"]
    assert [len(layer) for layer in frame["neurons"]] == [4, 2]
    with urllib.request.urlopen(url + f"/api/play/{sid}/stream?epochs=3", timeout=30) as r:
        assert r.headers["Content-Type"].startswith("text/event-stream")
        lines = [line.decode() for line in r.read().splitlines() if line]
    frames = [json.loads(line[6:]) for line in lines if line.startswith('data: {"epoch')]
    assert [f["epoch"] for f in frames] == [101, 102, 103]
    assert lines[-2:] == ["event: done", "data: {}"]
    assert post_json(url + f"/api/play/{sid}/step", {"epochs": 101})[0] == 422
    assert request(url + f"/api/play/{sid}/stream?epochs=abc")[0] == 422


def test_sessions_are_separate_and_capped(server):
    url, _ = server
    a = post_json(url + "/api/play", {"config": {"seed": 5}})[1]["session"]
    b = post_json(url + "/api/play", {"config": {"seed": 5}, "replace": None})[1]["session"]
    post_json(url + f"/api/play/{a}/step", {"epochs": 20})
    fb = post_json(url + f"/api/play/{b}/step", {"epochs": 1})[1]
    assert fb["epoch"] == 1  # b did not see a's 20 epochs
    # the cap (4 here): replacing frees a slot, new pages beyond it get 429
    ids = [a, b]
    codes = [post_json(url + "/api/play", {"config": {}})[0] for _ in range(4)]
    assert 429 in codes
    assert post_json(url + "/api/play", {"config": {}, "replace": ids[0]})[0] == 200


def test_same_config_same_run():
    cfg = parse_config({"dataset": "moons", "noise": 0.2, "seed": 7, "layers": [5]})
    a, b = PlaygroundSession(cfg), PlaygroundSession(cfg)
    assert a.run(5) == b.run(5)


def test_batch_one_is_one_update_per_point_and_all_is_one_per_epoch():
    cfg = parse_config({"points": 40, "train": 0.5, "optimizer": "sgd", "batch": 1})
    s = PlaygroundSession(cfg)
    s.run(2)
    assert s.optimizer.iterations == 2 * 20
    s = PlaygroundSession(parse_config({"points": 40, "train": 0.5, "batch": "all"}))
    s.run(3)
    assert s.optimizer.iterations == 3


def test_idle_and_old_sessions_are_freed():
    now = [0.0]
    store = SessionStore(max_sessions=2, idle=10.0, lifetime=25.0, clock=lambda: now[0])
    a = store.add("a")
    now[0] = 8.0
    b = store.add("b")
    now[0] = 16.0  # a idle for 16 s: freed; b used 8 s ago: kept
    assert store.purge() == 1 and store.get(b) == "b"
    for t in (24.0, 30.0):  # used every 6-8 s: never idle for 10 s
        now[0] = t
        assert store.get(b) == "b"
    now[0] = 34.0  # idle only 4 s, but 26 s old: past its 25 s lifetime
    assert store.purge() == 1
    assert len(store) == 0
    with pytest.raises(LookupError):
        store.get(a)


def test_pacer_limits_the_rate():
    now = [0.0]
    pacer = Pacer(10.0, clock=lambda: now[0])
    assert pacer.reserve(5) == 0.0
    assert pacer.reserve(5) == pytest.approx(0.5)  # 5 units at 10/s: wait for the first 5
    now[0] = 2.0
    assert pacer.reserve(1) == 0.0


def test_perceptron_trace_ends_where_the_library_fit_ends():
    for gate, converged in [("AND", True), ("OR", True), ("NAND", True), ("XOR", False)]:
        out = classic.perceptron_trace(gate, 0.1, 20)
        assert out["converged"] is converged
        assert out["steps"][-1]["after"] == pytest.approx(out["fit_weights"])
        assert all(s["x"][2] == -1.0 for s in out["steps"])  # the dummy input
        # epoch ends agree with Perceptron.fit stopped after each epoch
        x, t = nn.datasets.toy.logic_gate(gate)
        for e in range(1, out["epochs"] + 1):
            p = Perceptron(2, lr=0.1, max_epochs=e).fit(x, t)
            assert out["steps"][4 * e - 1]["after"] == pytest.approx([*p.weights_, p.threshold_])
    assert classic.xor_hidden_layer(0.1)["solved"]


def test_minima_paths_come_from_the_strategies(server):
    url, _ = server
    status, out = post_json(url + "/api/minima", {"surface": "bowl", "steps": 30})
    assert status == 200
    gd = np.array(out["paths"]["gradient descent"]["points"])
    assert gd.shape == (31, 2) and gd[0].tolist() == [-7.0, 2.0]
    # the book's SGD on x^2/20 + y^2 at lr 0.95: x shrinks by (1 - 0.095) per step
    np.testing.assert_allclose(gd[1], [-7.0 * (1 - 0.095), 2.0 * (1 - 1.9)], atol=1e-4)
    for body in ({"surface": "himmelblau"}, {"start": [99, 0]}, {"steps": 10**6}, {"x": 1}):
        assert post_json(url + "/api/minima", body)[0] == 422


def test_pages_and_assets_are_served_with_a_strict_policy(server):
    url, _ = server
    for page in ("/", "/digits", "/playground", "/perceptron", "/minima"):
        with urllib.request.urlopen(url + page, timeout=30) as r:
            html = r.read().decode()
            assert r.headers["Content-Security-Policy"].startswith("default-src 'self'")
        assert "http://" not in html and "https://" not in html  # nothing from elsewhere
        assert html.count("<header>") == 1 and html.count("<main>") == 1  # layout around page
    web = Path(nn.__file__).parent / "web"
    for f in [*(web / "static").iterdir(), *(web / "pages").iterdir()]:
        text = f.read_text()
        assert "https://" not in text and "http://" not in text, f.name


def test_a_foreign_host_header_is_refused(server):
    url, _ = server
    req = urllib.request.Request(url + "/api/models", headers={"Host": "evil.example"})
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(req, timeout=30)
    err.value.close()
    assert err.value.code == 400


def test_serve_refuses_a_file_that_is_no_model_in_one_line(tmp_path, capsys):
    from nnscratch.cli import main

    bad = tmp_path / "notes.txt"
    bad.write_text("not a model")
    assert main(["serve", "--model", str(bad), "--port", "0"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("nnscratch: error: ") and err.count("\n") == 1


@pytest.mark.slow
def test_nnscratch_serve_answers_on_loopback():
    import subprocess
    import sys

    proc = subprocess.Popen(
        [sys.executable, "-m", "nnscratch.cli", "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline()
        url = line.split()[2]
        assert url.startswith("http://127.0.0.1:")
        status, body = request(url + "api/models")
        assert status == 200 and body["models"][0]["name"] == "sample"
    finally:
        proc.terminate()
        proc.wait(30)
        proc.stdout.close()


def test_connections_on_our_socket_send_without_nagle():
    """asyncio switches Nagle off only for sockets whose proto is TCP; accepted ones inherit it.

    With Nagle on, each answer on a kept-alive connection waited ~40 ms for the client's
    delayed ACK (benchmarks/serve_load.py measured p50 48 ms against 1 ms in process).
    """

    async def accepted_nodelay() -> int:
        seen: asyncio.Future = asyncio.get_running_loop().create_future()

        def on_connect(reader, writer):
            sock = writer.get_extra_info("socket")
            seen.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            writer.close()

        server = await asyncio.start_server(on_connect, sock=bind("127.0.0.1", 0))
        port = server.sockets[0].getsockname()[1]
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        flag = await asyncio.wait_for(seen, 10)
        writer.close()
        server.close()
        await server.wait_closed()
        return flag

    assert asyncio.run(accepted_nodelay()) != 0


def _children(pid: int) -> list[int]:
    kids = []
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as f:
            kids += [int(k) for k in f.read().split()]
    return kids


def _gone(pid: int, seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat") as f:
                if f.read().split(")")[1].split()[0] == "Z":  # a zombie has exited
                    return True
        except FileNotFoundError:
            return True
        time.sleep(0.1)
    return False


@pytest.mark.slow
@pytest.mark.skipif(not os.path.exists("/proc/self/task"), reason="reads /proc (Linux)")
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_prediction_workers_stop_with_the_server(sig):
    """Ctrl+C or SIGTERM stops the workers at the graceful shutdown; SIGKILL by the kernel."""
    import subprocess
    import sys

    proc = subprocess.Popen(
        [sys.executable, "-m", "nnscratch.cli", "serve", "--port", "0", "--workers", "1"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        url = proc.stdout.readline().split()[2]
        status, out = request(
            url + "api/predict?model=sample", png(SEVEN), headers={"Content-Type": "image/png"}
        )
        assert status == 200 and out["digit"] == 7
        workers = [
            k
            for k in _children(proc.pid)
            if b"spawn_main" in Path(f"/proc/{k}/cmdline").read_bytes()
        ]
        assert len(workers) == 1
        proc.send_signal(sig)
        proc.wait(30)
        assert all(_gone(w) for w in workers)
    finally:
        proc.kill()
        proc.wait(30)
        proc.stdout.close()
