"""The local playground of ``nnscratch serve``: pages in the browser, the library on the server.

Four pages, plain HTML, CSS and JavaScript shipped in the package (no build
step, no CDN; they work offline): *digits* (draw a digit, watch the network's
hidden layers and probabilities), *playground* (train a small network on a
2-D set, live), *perceptron* (Rosenblatt's rule step by step) and *minima*
(gradient descent, momentum, annealing and restarts racing on a surface).
Every number on them is computed by nnscratch on the server. The server is
Starlette on uvicorn (the optional ``web`` extra); see docs/web.md.
"""

from __future__ import annotations

from nnscratch.web.app import Limits, create_app
from nnscratch.web.server import serve

__all__ = ["Limits", "create_app", "serve"]
