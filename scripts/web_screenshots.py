"""Screenshots of the four pages for the docs: docs/img/web-*.png (needs Chromium + Playwright).

    PYTHONPATH=src python scripts/web_screenshots.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from tests._live_server import running  # noqa: E402

from nnscratch.web import Limits, create_app  # noqa: E402

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARGS += ["--disable-component-update", "--disable-sync", "--no-first-run"]
OUT = REPO / "docs" / "img"


def main() -> None:
    with running(create_app(limits=Limits(epochs_per_second=200.0))) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 860})
        page.goto(url + "/digits")
        page.wait_for_selector("body[data-ready='1']")
        box = page.locator("#pad").bounding_box()
        page.mouse.move(box["x"] + 70, box["y"] + 50)
        page.mouse.down()
        for x, y in [(210, 50), (125, 240)]:
            page.mouse.move(box["x"] + x, box["y"] + y, steps=10)
        page.mouse.up()
        page.wait_for_selector("#prediction:not([data-digit=''])")
        time.sleep(1.0)
        page.screenshot(path=OUT / "web-digits.png", full_page=True)

        query = "dataset=spirals&noise=0.05&layers=8%2C8&lr=0.03&optimizer=adam"
        page.goto(url + "/playground?" + query)
        page.wait_for_selector("body[data-ready='1']")
        page.click("#run")
        while int(page.locator("#epoch").text_content()) < 300:
            time.sleep(0.2)
        page.click("#run")
        time.sleep(0.5)
        page.screenshot(path=OUT / "web-playground.png", full_page=True)

        page.goto(url + "/perceptron")
        page.wait_for_selector("body[data-ready='1']")
        for _ in range(9):
            page.click("#step")
        page.screenshot(path=OUT / "web-perceptron.png", full_page=True)

        page.goto(url + "/minima")
        page.wait_for_selector("body[data-raced='1']")
        page.wait_for_selector("#counts td:has-text('/')", timeout=120_000)
        page.screenshot(path=OUT / "web-minima.png", full_page=True)
        browser.close()
    print(f"wrote {OUT}/web-{{digits,playground,perceptron,minima}}.png")


if __name__ == "__main__":
    main()
