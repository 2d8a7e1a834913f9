// Shared helpers of the playground's pages (no framework, no build step).
"use strict";

const NN = {
  // POST/GET JSON; on a 4xx/5xx throw an Error carrying the server's message.
  async api(path, options = {}) {
    const response = await fetch(path, options);
    const body = await response.json();
    if (!response.ok) throw new Error(body.error || response.statusText);
    return body;
  },
  postJSON(path, data) {
    return NN.api(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(data) });
  },
  // Base64 bytes (one per pixel, 0..255) -> Uint8Array.
  bytes(b64) {
    const s = atob(b64), out = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
    return out;
  },
  // Blend of two RGB colours through white: v in [0, 1], 0.5 is white.
  diverging(v, low = [224, 138, 46], high = [47, 111, 181]) {
    const c = v < 0.5 ? low : high, w = Math.min(1, Math.abs(v - 0.5) * 2);
    return [255 + (c[0] - 255) * w, 255 + (c[1] - 255) * w, 255 + (c[2] - 255) * w];
  },
  // Paint an n x n picture of values in [0, 1] (row-major) onto a canvas, scaled.
  paint(canvas, values, n, colour = NN.diverging) {
    const img = new ImageData(n, n);
    for (let i = 0; i < n * n; i++) {
      const [r, g, b] = colour(values[i] / 255);
      img.data.set([r, g, b, 255], 4 * i);
    }
    const tmp = document.createElement("canvas");
    tmp.width = tmp.height = n;
    tmp.getContext("2d").putImageData(img, 0, 0);
    const ctx = canvas.getContext("2d");
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(tmp, 0, 0, canvas.width, canvas.height);
  },
  // Mark the current page in the header.
  nav() {
    for (const a of document.querySelectorAll("header a"))
      if (a.getAttribute("href") === location.pathname) a.classList.add("here");
  },
};
document.addEventListener("DOMContentLoaded", NN.nav);
