// Playground page: the setup lives in the URL; the server trains and streams frames.
"use strict";

const form = document.getElementById("config");
const DEFAULTS = { dataset: "xor", noise: "0", points: "200", train: "0.5", layers: "4,2", activation: "tanh",
  optimizer: "sgd", lr: "0.03", batch: "10", weight_decay: "0", seed: "1" };
const NUMBERS = ["noise", "train", "lr", "weight_decay"], INTEGERS = ["points", "seed"];
const ui = { session: null, source: null, running: false, history: [], points: null, frame: null };

// URL query <-> form fields; the query is the one place the setup is kept.
function readURL() {
  const q = new URLSearchParams(location.search);
  for (const [k, v] of Object.entries(DEFAULTS)) form.elements[k].value = q.get(k) ?? v;
}
function writeURL() {
  const q = new URLSearchParams();
  for (const k of Object.keys(DEFAULTS)) q.set(k, form.elements[k].value);
  history.replaceState(null, "", `${location.pathname}?${q}`);
}
function config() {
  const c = {};
  for (const k of Object.keys(DEFAULTS)) c[k] = form.elements[k].value.trim();
  for (const k of NUMBERS) c[k] = Number(c[k]);
  for (const k of INTEGERS) c[k] = Number(c[k]);
  c.layers = c.layers === "" ? [] : c.layers.split(",").map((s) => Number(s.trim()));
  c.batch = c.batch === "all" ? "all" : Number(c.batch);
  return c;
}

function error(message) { document.getElementById("error").textContent = message || ""; }

async function reset() {
  stop();
  writeURL();
  try {
    const out = await NN.postJSON("/api/play", { config: config(), replace: ui.session });
    ui.session = out.session;
    ui.points = out.points;
    ui.history = [];
    error("");
    draw(out.frame);
  } catch (err) {
    error(err.message);
  }
}

async function step() {
  if (!ui.session) return;
  try { draw(await NN.postJSON(`/api/play/${ui.session}/step`, { epochs: 1 })); }
  catch (err) { error(err.message); }
}

function run() {
  if (ui.running) return stop();
  ui.running = true;
  document.getElementById("run").textContent = "Pause";
  listen();
}
function listen() {
  const source = new EventSource(`/api/play/${ui.session}/stream?epochs=2000&every=1`);
  ui.source = source;
  source.onmessage = (e) => { const f = JSON.parse(e.data); draw(f); if (f.diverged) { error("the loss diverged: lower the learning rate"); stop(); } };
  source.addEventListener("done", () => { source.close(); if (ui.running && ui.source === source) listen(); });
  source.onerror = () => { source.close(); if (ui.running) { error("the stream stopped (session expired? press Reset)"); stop(); } };
}
function stop() {
  ui.running = false;
  if (ui.source) ui.source.close();
  ui.source = null;
  document.getElementById("run").textContent = "Run";
}

function draw(f) {
  ui.frame = f;
  if (!ui.history.length || ui.history[ui.history.length - 1][0] < f.epoch)
    ui.history.push([f.epoch, f.train_loss, f.test_loss]);
  const fmt = (v) => (v === null ? "NaN" : v.toFixed(4));
  document.getElementById("epoch").textContent = f.epoch;
  document.getElementById("train-loss").textContent = fmt(f.train_loss);
  const test = document.getElementById("test-loss");
  test.textContent = fmt(f.test_loss);
  test.dataset.value = f.test_loss;
  drawRegions(f);
  drawLoss();
  drawNeurons(f);
}

function drawRegions(f) {
  const canvas = document.getElementById("regions"), c = canvas.getContext("2d");
  NN.paint(canvas, NN.bytes(f.regions), f.grid);
  const scale = canvas.width / (2 * f.extent);
  const at = ([x, y]) => [(x + f.extent) * scale, (f.extent - y) * scale];
  for (const [part, ring] of [["train", false], ["test", true]]) {
    const { x, t } = ui.points[part];
    x.forEach((p, i) => {
      const [u, v] = at(p);
      c.beginPath();
      c.arc(u, v, 3.2, 0, 2 * Math.PI);
      c.fillStyle = t[i] ? "#2f6fb5" : "#e08a2e";
      c.fill();
      c.lineWidth = ring ? 1.6 : 0.8;
      c.strokeStyle = ring ? "#000" : "#fff";
      c.stroke();
    });
  }
}

function drawLoss() {
  const canvas = document.getElementById("loss"), c = canvas.getContext("2d");
  const W = canvas.width, H = canvas.height, h = ui.history;
  c.clearRect(0, 0, W, H);
  c.strokeStyle = "#d9dde5";
  c.strokeRect(0.5, 0.5, W - 1, H - 1);
  const values = h.flatMap((r) => [r[1], r[2]]).filter((v) => v !== null);
  if (h.length < 2 || !values.length) return;
  const top = Math.max(...values), last = h[h.length - 1][0], first = h[0][0];
  for (const [col, colour] of [[1, "#1d2330"], [2, "#c0392b"]]) {
    c.beginPath();
    h.forEach((r, i) => {
      const x = 4 + (W - 8) * (r[0] - first) / Math.max(1, last - first), y = H - 4 - (H - 8) * (r[col] ?? top) / top;
      i ? c.lineTo(x, y) : c.moveTo(x, y);
    });
    c.strokeStyle = colour;
    c.lineWidth = 1.5;
    c.stroke();
  }
  c.fillStyle = "#5b6475";
  c.fillText(top.toFixed(3), 6, 12);
  c.fillText(`epoch ${last}`, W - 70, H - 8);
}

function drawNeurons(f) {
  const box = document.getElementById("neurons");
  const shape = f.neurons.map((l) => l.length).join(",");
  if (box.dataset.shape !== shape) {
    box.replaceChildren();
    for (const layer of f.neurons) {
      const col = document.createElement("div");
      col.className = "layer";
      for (let j = 0; j < layer.length; j++) {
        const cv = document.createElement("canvas");
        cv.width = cv.height = 56;
        col.append(cv);
      }
      box.append(col);
    }
    box.dataset.shape = shape;
  }
  f.neurons.forEach((layer, i) => layer.forEach((b64, j) => NN.paint(box.children[i].children[j], NN.bytes(b64), f.neuron_grid)));
}

form.addEventListener("change", reset);
form.addEventListener("submit", (e) => { e.preventDefault(); reset(); });
document.getElementById("step").addEventListener("click", step);
document.getElementById("run").addEventListener("click", run);
document.getElementById("reset").addEventListener("click", reset);
readURL();
reset().then(() => { document.body.dataset.ready = "1"; });
