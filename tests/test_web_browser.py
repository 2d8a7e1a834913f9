"""The pages in a real browser: Playwright driving Debian's Chromium (never a downloaded one)."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

pytest.importorskip("starlette", reason="the web extra: pip install 'nnscratch[web]'")
sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")

from tests._live_server import running  # noqa: E402

from nnscratch.web import Limits, create_app  # noqa: E402

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(),
        reason="Chromium is not installed: apt-get update && apt-get install -y chromium",
    ),
]


@pytest.fixture(scope="module")
def site():
    with running(create_app(limits=Limits(epochs_per_second=200.0))) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture()
def page(browser):
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    # the pages run under the server's Content-Security-Policy: no violation allowed
    pg.on("console", lambda m: errors.append(m.text) if "Content Security" in m.text else None)
    yield pg
    context.close()
    assert errors == []


def wait_until(condition, timeout=60.0):
    """Poll ``condition()`` from Python (the pages' CSP forbids evaluating strings in them)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def draw(page, strokes):
    """Draw polylines on the pad with mouse events (coordinates in the 280x280 canvas)."""
    box = page.locator("#pad").bounding_box()
    for stroke in strokes:
        x, y = stroke[0]
        page.mouse.move(box["x"] + x, box["y"] + y)
        page.mouse.down()
        for x, y in stroke[1:]:
            page.mouse.move(box["x"] + x, box["y"] + y, steps=10)
        page.mouse.up()


def prediction_after(page, strokes):
    page.click("#clear")
    draw(page, strokes)
    # the last request answers for the whole drawing: wait until nothing is in flight
    page.wait_for_selector("#prediction:not([data-digit=''])")
    time.sleep(0.3)
    page.wait_for_load_state("networkidle")
    return page.locator("#prediction").get_attribute("data-digit")


def test_drawn_seven_and_one_are_recognised(site, page):
    page.goto(site + "/digits")
    page.wait_for_selector("body[data-ready='1']")
    assert prediction_after(page, [[(70, 50), (210, 50), (125, 240)]]) == "7"
    assert prediction_after(page, [[(140, 35), (140, 245)]]) == "1"
    # the 28x28 input and one heat strip per hidden layer are shown
    assert page.locator("#hidden canvas").count() == 2
    assert page.locator("#bars .bar").count() == 10


def test_hundred_xor_epochs_lower_the_test_loss_and_change_the_regions(site, page):
    page.goto(site + "/playground?dataset=xor&layers=4,2&lr=0.03&batch=10&seed=1")
    page.wait_for_selector("body[data-ready='1']")
    loss0 = float(page.locator("#test-loss").get_attribute("data-value"))
    regions0 = page.locator("#regions").screenshot()
    page.click("#run")
    wait_until(lambda: int(page.locator("#epoch").text_content()) >= 100)
    page.click("#run")  # pause
    loss = float(page.locator("#test-loss").get_attribute("data-value"))
    assert loss < 0.7 * loss0
    assert page.locator("#regions").screenshot() != regions0
    assert page.locator("#neurons canvas").count() == 6


def test_perceptron_reaches_convergence_on_and(site, page):
    page.goto(site + "/perceptron")
    page.wait_for_selector("body[data-ready='1']")
    clicks = 0
    while not page.locator("#status").get_attribute("data-converged"):
        page.click("#step")
        clicks += 1
        assert clicks <= 100
    assert clicks == 24  # 6 epochs of 4 samples, from zero weights at lr 0.1
    assert "converged" in page.locator("#status").text_content()
    page.select_option("#gate", "XOR")
    page.wait_for_selector("#hidden:not([disabled])")
    for _ in range(3):
        page.click("#epoch")
    assert not page.locator("#status").get_attribute("data-converged")
    page.click("#hidden")
    page.wait_for_selector("#xor-solved")
    assert page.locator("#xor-solved").text_content().startswith("solved")


def test_the_url_reproduces_the_setup(site, browser, page):
    query = "dataset=moons&noise=0.1&points=300&train=0.7&layers=6%2C3&activation=relu"
    query += "&optimizer=adam&lr=0.01&batch=all&weight_decay=0.001&seed=4"
    page.goto(site + "/playground?" + query)
    page.wait_for_selector("body[data-ready='1']")
    assert page.input_value("select[name=dataset]") == "moons"
    assert page.input_value("input[name=layers]") == "6,3"
    assert page.input_value("select[name=batch]") == "all"
    first = page.locator("#test-loss").get_attribute("data-value")
    page.fill("input[name=lr]", "0.02")
    page.dispatch_event("input[name=lr]", "change")
    wait_until(lambda: "lr=0.02" in page.url)
    url = page.url
    other = browser.new_page()
    other.goto(url)
    other.wait_for_selector("body[data-ready='1']")
    fields = ["dataset", "noise", "points", "train", "layers", "activation", "optimizer", "lr"]
    fields += ["batch", "weight_decay", "seed"]
    for name in fields:
        sel = f"[name={name}]"
        assert other.input_value(sel) == page.input_value(sel), name
    # same data, same seed: the same untrained network, the same loss
    assert other.locator("#test-loss").get_attribute("data-value") == first
    other.close()


def test_minima_page_races(site, page):
    page.goto(site + "/minima")
    page.wait_for_selector("body[data-raced='1']")
    assert page.locator("#finals tr").count() == 5
