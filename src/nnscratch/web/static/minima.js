// Minima page: the server records each strategy's path; the page draws them step by step.
"use strict";

const $ = (id) => document.getElementById(id);
const COLOURS = { "gradient descent": "#1d2330", momentum: "#c0392b", "simulated annealing": "#2f6fb5", "random restarts": "#e08a2e" };
const ui = { data: null, start: null, frame: 0, timer: null, background: null };
const canvas = $("surface-view"), S = canvas.width;

function toPixel(data, [x, y]) { return [(x + data.half) / (2 * data.half) * S, (data.half - y) / (2 * data.half) * S]; }

async function race() {
  cancelAnimationFrame(ui.timer);
  const body = { surface: $("surface").value, steps: Number($("steps").value), seed: Number($("seed").value) };
  if (ui.start) body.start = ui.start;
  try { ui.data = await NN.postJSON("/api/minima", body); $("error").textContent = ""; }
  catch (err) { $("error").textContent = err.message; return; }
  paintBackground();
  ui.frame = 0;
  const total = Math.max(...Object.values(ui.data.paths).map((p) => p.points.length));
  const tick = () => {
    ui.frame = Math.min(total, ui.frame + Math.max(1, Math.round(total / 150)));
    drawPaths();
    if (ui.frame < total) ui.timer = requestAnimationFrame(tick);
    else finals();
  };
  tick();
}

function paintBackground() {
  const n = ui.data.grid_size, img = new ImageData(n, n);
  ui.data.grid.forEach((v, i) => { const g = Math.round(255 - 150 * v); img.data.set([g, g, Math.min(255, g + 20), 255], 4 * i); });
  const tmp = document.createElement("canvas");
  tmp.width = tmp.height = n;
  tmp.getContext("2d").putImageData(img, 0, 0);
  ui.background = tmp;
}

function drawPaths() {
  const c = canvas.getContext("2d");
  c.drawImage(ui.background, 0, 0, S, S);
  for (const [name, path] of Object.entries(ui.data.paths)) {
    const pts = path.points.slice(0, ui.frame);
    c.beginPath();
    pts.forEach((p, i) => { const [u, v] = toPixel(ui.data, p); i ? c.lineTo(u, v) : c.moveTo(u, v); });
    c.strokeStyle = COLOURS[name];
    c.lineWidth = 1.6;
    c.stroke();
    if (pts.length) {
      const [u, v] = toPixel(ui.data, pts[pts.length - 1]);
      c.beginPath(); c.arc(u, v, 4, 0, 2 * Math.PI); c.fillStyle = COLOURS[name]; c.fill();
    }
  }
  const [u, v] = toPixel(ui.data, ui.data.paths["gradient descent"].points[0]);
  c.strokeStyle = "#000"; c.lineWidth = 2; c.strokeRect(u - 5, v - 5, 10, 10);
}

function finals() {
  const rows = Object.entries(ui.data.paths).map(([name, p]) => `<tr><td>${name}</td><td>${p.final.toFixed(4)}</td><td>${p.best.toFixed(4)}</td></tr>`);
  $("finals").innerHTML = "<tr><th>strategy</th><th>f(end)</th><th>best f</th></tr>" + rows.join("");
  document.body.dataset.raced = "1";
}

async function counts() {
  try {
    const out = await NN.api("/api/minima/counts");
    const rows = out.rows.map((r) => `<tr><td>${r.strategy}</td><td>${r.successes}/${r.runs}</td><td>${r.mean_final.toFixed(3)}</td></tr>`);
    $("counts").innerHTML = "<tr><th>strategy</th><th>global min</th><th>mean final f</th></tr>" + rows.join("");
  } catch (err) { $("counts").textContent = err.message; }
}

canvas.addEventListener("click", (e) => {
  if (!ui.data) return;
  const r = canvas.getBoundingClientRect(), h = ui.data.half;
  const x = ((e.clientX - r.left) / r.width * 2 - 1) * h, y = (1 - (e.clientY - r.top) / r.height * 2) * h;
  ui.start = [Math.round(x * 100) / 100, Math.round(y * 100) / 100];
  race();
});
$("surface").addEventListener("change", () => { ui.start = null; race(); });
$("race").addEventListener("click", race);
$("legend").innerHTML = Object.keys(COLOURS).map((k, i) => `<span><i class="s${i}"></i>${k}</span>`).join("");
race().then(() => { document.body.dataset.ready = "1"; });
counts();
