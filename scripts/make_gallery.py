"""Regenerate the figure gallery: docs/img/NAME.png for every figure, and docs/gallery.md.

Usage (from the repository root)::

    python scripts/make_gallery.py            # every figure
    python scripts/make_gallery.py log softmax  # only these images; the page lists all

The MNIST figures need the data: set NNSCRATCH_MNIST_DIR to a folder with the
four IDX files, or have them in the cache already.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from nnscratch import plots
from nnscratch._atomic import atomic_write_bytes

ROOT = Path(__file__).resolve().parents[1]
IMG = ROOT / "docs" / "img"
PAGE = ROOT / "docs" / "gallery.md"
MAX_BYTES = 200_000

HEADER = """\
# Figure gallery

Every figure of `nnscratch.plots`, drawn headless with matplotlib (no window,
no pyplot). Each is a registered name: draw it from Python or from the
command line. Figures marked *MNIST* load the data with `load_mnist` (set
`NNSCRATCH_MNIST_DIR` or let it use the cache) and train a small 784-64-10
model for a few seconds.

Regenerate every image and this page with:

```console
python scripts/make_gallery.py
```

or the images alone with `nnscratch plot --all --out docs/img`.
"""


def entry(name: str, spec: plots.FigureSpec) -> str:
    tag = " *MNIST*" if "mnist" in spec.needs else ""
    return f"""
## `{name}`{tag}

{spec.description}

![{name}](img/{name}.png)

```python
from nnscratch import plots; plots.save(plots.make("{name}"), "{name}.png")
```

```console
nnscratch plot {name} --out {name}.png
```
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="figures to redraw (default: all)")
    args = parser.parse_args()
    chosen = args.names or plots.names()
    for name in chosen:
        start = time.perf_counter()
        (path,) = plots.make_all(IMG, only=[name])
        size = path.stat().st_size
        note = "  (over the 200 KB budget!)" if size > MAX_BYTES else ""
        print(f"{name:26s} {time.perf_counter() - start:5.2f} s  {size / 1000:6.1f} KB{note}")
    page = HEADER + "".join(entry(n, s) for n, s in plots.FIGURES.items())
    atomic_write_bytes(PAGE, page.encode("utf-8"))
    print(f"wrote {PAGE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
