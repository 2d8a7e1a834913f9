// Perceptron page: the server computes the rule's whole trace; the page walks it step by step.
"use strict";

const ui = { trace: null, at: 0, hidden: null };
const $ = (id) => document.getElementById(id);
const fmt = (v) => (Math.abs(v) < 1e-12 ? 0 : v).toFixed(2);

async function load() {
  ui.hidden = null;
  $("xor-net").replaceChildren();
  try {
    ui.trace = await NN.postJSON("/api/perceptron", { gate: $("gate").value, lr: Number($("lr").value), epochs: 20 });
    ui.at = 0;
    $("error").textContent = "";
  } catch (err) { $("error").textContent = err.message; ui.trace = null; }
  $("hidden").disabled = $("gate").value !== "XOR";
  draw();
}

function weights() {
  if (!ui.trace || ui.at === 0) return [0, 0, 0];
  return ui.trace.steps[ui.at - 1].after;
}

function step(n = 1) {
  if (!ui.trace) return;
  ui.at = Math.min(ui.trace.steps.length, ui.at + n);
  draw();
}
function finishEpoch() { step(4 - (ui.at % 4)); }

// Points and line in the square [-0.5, 1.5]^2.
const S = 320, lo = -0.5, hi = 1.5, px = (u) => (u - lo) / (hi - lo) * S, py = (v) => S - px(v);

function line(c, w, colour, width = 2) {
  // w1 x + w2 y - theta = 0; shade the positive side lightly
  const [w1, w2, th] = w;
  if (Math.abs(w1) < 1e-12 && Math.abs(w2) < 1e-12) return;
  const pts = [];
  if (Math.abs(w2) > 1e-12) for (const x of [lo, hi]) pts.push([x, (th - w1 * x) / w2]);
  else for (const y of [lo, hi]) pts.push([th / w1, y]);
  c.beginPath();
  c.moveTo(px(pts[0][0]), py(pts[0][1]));
  c.lineTo(px(pts[1][0]), py(pts[1][1]));
  c.strokeStyle = colour;
  c.lineWidth = width;
  c.stroke();
}

function draw() {
  const c = $("plane").getContext("2d"), w = weights();
  c.clearRect(0, 0, S, S);
  // positive region, pixel by pixel in a coarse grid
  for (let i = 0; i < 40; i++)
    for (let j = 0; j < 40; j++) {
      const x = lo + (i + 0.5) / 40 * (hi - lo), y = lo + (j + 0.5) / 40 * (hi - lo);
      c.fillStyle = w[0] * x + w[1] * y - w[2] > 0 ? "#dbe7f5" : "#fbeee0";
      c.fillRect(px(x) - S / 80, py(y) - S / 80, S / 40 + 1, S / 40 + 1);
    }
  c.strokeStyle = "#aab";
  c.lineWidth = 1;
  c.strokeRect(px(0), py(1), px(1) - px(0), py(0) - py(1));
  if (ui.hidden) for (const h of ui.hidden.hidden) line(c, h.weights, "#555", 2);
  else line(c, w, "#1d2330", 2.5);
  const cur = ui.trace && ui.at > 0 ? ui.trace.steps[ui.at - 1] : null;
  const table = { AND: [0, 0, 0, 1], OR: [0, 1, 1, 1], NAND: [1, 1, 1, 0], XOR: [0, 1, 1, 0] }[$("gate").value];
  [[0, 0], [1, 0], [0, 1], [1, 1]].forEach(([x, y], k) => {
    c.beginPath();
    c.arc(px(x), py(y), 9, 0, 2 * Math.PI);
    c.fillStyle = table[k] ? "#2f6fb5" : "#e08a2e";
    c.fill();
    const here = cur && cur.x[0] === x && cur.x[1] === y;
    c.lineWidth = here ? 3 : 1;
    c.strokeStyle = here ? "#000" : "#fff";
    c.stroke();
  });
  c.fillStyle = "#5b6475";
  c.fillText("x1 →", S - 40, py(0) + 16);
  c.fillText("x2 ↑", px(0) - 30, 14);
  show(cur, w);
}

function show(cur, w) {
  const rows = [["x = (x1, x2, −1)", cur ? `(${cur.x.map(fmt).join(", ")})` : "–"],
    ["target y", cur ? cur.t : "–"], ["output ŷ", cur ? cur.y : "–"],
    ["w before (w1, w2, θ)", cur ? `(${cur.before.map(fmt).join(", ")})` : "–"],
    ["w after (w1, w2, θ)", `(${w.map(fmt).join(", ")})`]];
  $("now").replaceChildren(...rows.map(([k, v]) => {
    const tr = document.createElement("tr"), a = document.createElement("th"), b = document.createElement("td");
    a.textContent = k; b.textContent = v; tr.append(a, b); return tr;
  }));
  const status = $("status"), t = ui.trace;
  if (!t) { status.textContent = "–"; return; }
  const epoch = ui.at === 0 ? 0 : t.steps[ui.at - 1].epoch;
  const done = ui.at === t.steps.length;
  status.dataset.converged = done && t.converged ? "1" : "";
  if (done && t.converged) status.textContent = `converged: epoch ${t.epochs} made no error (${ui.at} steps)`;
  else if (done) status.textContent = `not converged after ${t.epochs} epochs: errors per epoch ${t.errors_per_epoch.join(", ")}`;
  else status.textContent = `step ${ui.at} of ${t.steps.length} · epoch ${epoch}`;
}

async function addHidden() {
  try {
    ui.hidden = await NN.postJSON("/api/perceptron/hidden", { gate: "XOR", lr: Number($("lr").value) });
  } catch (err) { $("error").textContent = err.message; return; }
  const box = $("xor-net"), table = document.createElement("table");
  table.className = "counts mono";
  table.innerHTML = "<tr><th>x1 x2</th><th>h1 = NAND</th><th>h2 = OR</th><th>y = AND(h)</th><th>XOR</th></tr>";
  for (const r of ui.hidden.table) {
    const tr = document.createElement("tr");
    for (const v of [r.x.join(" "), r.h[0], r.h[1], r.y, r.t]) { const td = document.createElement("td"); td.textContent = v; tr.append(td); }
    table.append(tr);
  }
  const p = document.createElement("p");
  p.id = "xor-solved";
  p.textContent = ui.hidden.solved ? "solved: the two hidden lines (grey) cut out the XOR region" : "not solved";
  box.replaceChildren(table, p);
  draw();
}

$("gate").addEventListener("change", load);
$("lr").addEventListener("change", load);
$("step").addEventListener("click", () => step(1));
$("epoch").addEventListener("click", finishEpoch);
$("reset").addEventListener("click", () => { ui.at = 0; ui.hidden = null; $("xor-net").replaceChildren(); draw(); });
$("hidden").addEventListener("click", addHidden);
load().then(() => { document.body.dataset.ready = "1"; });
