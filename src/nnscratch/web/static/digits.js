// Digits page: draw, send the canvas as PNG, show the network's view of it.
"use strict";

const pad = document.getElementById("pad");
const SENT = 112; // side of the picture sent to the server
const ctx = pad.getContext("2d");
const state = { drawing: false, dirty: false, busy: false, last: null, inked: false };

function clearPad() {
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, pad.width, pad.height);
  state.inked = false;
  document.getElementById("prediction").textContent = "?";
  document.getElementById("prediction").dataset.digit = "";
  document.getElementById("error").textContent = "";
}

function point(event) {
  const r = pad.getBoundingClientRect();
  return [(event.clientX - r.left) * pad.width / r.width, (event.clientY - r.top) * pad.height / r.height];
}

function stroke(to) {
  ctx.strokeStyle = "#000";
  ctx.lineWidth = 20;
  ctx.lineCap = ctx.lineJoin = "round";
  ctx.beginPath();
  ctx.moveTo(...(state.last || to));
  ctx.lineTo(...to);
  ctx.stroke();
  state.last = to;
  state.inked = true;
  schedule();
}

// Pointer events cover the mouse, a pen and touch alike.
pad.addEventListener("pointerdown", (e) => { state.drawing = true; state.last = null; pad.setPointerCapture(e.pointerId); stroke(point(e)); });
pad.addEventListener("pointermove", (e) => { if (state.drawing) stroke(point(e)); });
for (const name of ["pointerup", "pointercancel"])
  pad.addEventListener(name, () => { state.drawing = false; state.last = null; schedule(); });

// At most one request in flight; whatever was drawn meanwhile goes next.
function schedule() {
  state.dirty = true;
  if (!state.busy) send();
}

async function send() {
  if (!state.dirty || !state.inked) return;
  state.dirty = false;
  state.busy = true;
  try {
    // Sent at 112x112: MNIST's preparation shrinks the digit to 20x20 anyway, and a
    // smaller picture is prepared in a fraction of the time on the server.
    const small = document.createElement("canvas");
    small.width = small.height = SENT;
    small.getContext("2d").drawImage(pad, 0, 0, SENT, SENT);
    const blob = await new Promise((ok) => small.toBlob(ok, "image/png"));
    const model = encodeURIComponent(document.getElementById("model").value);
    const out = await NN.api(`/api/predict?model=${model}`, { method: "POST", headers: { "Content-Type": "image/png" }, body: blob });
    show(out);
    document.getElementById("error").textContent = "";
  } catch (err) {
    document.getElementById("error").textContent = err.message;
  } finally {
    state.busy = false;
    if (state.dirty) send();
  }
}

function show(out) {
  // the 28x28 input, white ink on black as MNIST stores it
  const img = new ImageData(28, 28);
  out.input.forEach((v, i) => { const g = Math.round(255 * v); img.data.set([g, g, g, 255], 4 * i); });
  const tmp = document.createElement("canvas");
  tmp.width = tmp.height = 28;
  tmp.getContext("2d").putImageData(img, 0, 0);
  const ic = document.getElementById("input").getContext("2d");
  ic.imageSmoothingEnabled = false;
  ic.drawImage(tmp, 0, 0, 140, 140);

  const pred = document.getElementById("prediction");
  pred.textContent = out.digit;
  pred.dataset.digit = out.digit;

  const bars = document.getElementById("bars");
  bars.replaceChildren();
  out.probabilities.forEach((p, k) => {
    const bar = document.createElement("div");
    bar.className = "bar" + (k === out.digit ? " top" : "");
    bar.style.width = `${(100 * p).toFixed(1)}%`;
    const holder = document.createElement("div");
    holder.append(bar);
    const label = document.createElement("span"), value = document.createElement("span");
    label.textContent = k;
    value.textContent = `${(100 * p).toFixed(1)}%`;
    bars.append(label, holder, value);
  });

  const hidden = document.getElementById("hidden");
  hidden.replaceChildren();
  for (const layer of out.hidden) {
    const title = document.createElement("p");
    title.className = "note mono";
    title.textContent = `layer ${layer.index}: ${layer.layer}, shape ${layer.shape.join("x")}`;
    hidden.append(title, heat(layer));
  }
}

// A heat strip for a vector; a grid of maps for (C, H, W) feature maps.
function heat(layer) {
  const v = layer.values, max = Math.max(1e-9, ...v.map(Math.abs));
  const canvas = document.createElement("canvas");
  const c = canvas.getContext("2d");
  if (layer.shape.length === 3) {
    const [C, H, W] = layer.shape, s = 3;
    canvas.width = C * (W * s + 4);
    canvas.height = H * s;
    for (let k = 0; k < C; k++)
      for (let i = 0; i < H; i++)
        for (let j = 0; j < W; j++) {
          const g = 255 - Math.round(255 * Math.max(0, v[(k * H + i) * W + j]) / max);
          c.fillStyle = `rgb(${g},${g},${g})`;
          c.fillRect(k * (W * s + 4) + j * s, i * s, s, s);
        }
    return canvas;
  }
  const cell = Math.max(4, Math.min(14, Math.floor(900 / v.length)));
  canvas.width = cell * v.length;
  canvas.height = 22;
  v.forEach((x, i) => {
    const w = Math.abs(x) / max, base = x >= 0 ? [47, 111, 181] : [224, 138, 46];
    c.fillStyle = `rgb(${base.map((b) => Math.round(255 + (b - 255) * w)).join(",")})`;
    c.fillRect(i * cell, 0, cell - 1, 22);
  });
  canvas.title = `${v.length} units`;
  return canvas;
}

async function init() {
  clearPad();
  document.getElementById("clear").addEventListener("click", clearPad);
  const { models } = await NN.api("/api/models");
  const select = document.getElementById("model");
  for (const m of models) {
    const o = document.createElement("option");
    o.value = m.name;
    o.textContent = m.source === "bundled" ? `${m.name} (bundled)` : `${m.name} (${m.source})`;
    o.dataset.info = `${m.layers.join(" → ")} · ${m.params.toLocaleString()} parameters`;
    select.append(o);
  }
  const info = () => { document.getElementById("model-info").textContent = select.selectedOptions[0]?.dataset.info || ""; };
  select.addEventListener("change", () => { info(); schedule(); });
  info();
  document.body.dataset.ready = "1";
}
init();
