"""The steerable toy GAN of chapter 3.2 (thesis §3.1–3.2), in two viewers over the same kept
runs (:mod:`thesis_lib.studies.toy.playground`):

- :func:`static_viewer`: self-contained HTML and JavaScript for the book (offline, no library):
  four selectors, a slider over the snapshots and a play button, drawing on a canvas;
- :class:`Steerable`: the same choices as ipywidgets in JupyterLab, drawing with Matplotlib.

Both draw a snapshot the same way: in 1-D, the data's density, a histogram of G's samples and
D's curve; on the ring, D as a shaded map of the plane, the data's centres and G's samples. A
critic's score has no fixed scale, so it is shown rescaled to [0, 1] within each snapshot.
"""

from __future__ import annotations

import base64
import html
import json

import numpy as np

from thesis_lib import plotting
from thesis_lib.formatting import listing, num, pct, table
from thesis_lib.studies.toy import playground as pg
from thesis_lib.studies.toy import theory

DATASET_NAMES = {"mixture1d": "mezcla de dos normales (1-D)", "ring": "anillo de 8 normales"}
LOSS_NAMES = {"minimax": "minimax", "non_saturating": "no saturante",
              "wasserstein_gp": "WGAN-GP"}
RATE_NAMES = {1e-4: "10⁻⁴", 1e-3: "10⁻³"}
# The colours of chapter 3.2's snapshots (GAN Lab's style): data in blue, G's samples in red, D
# in greys, light where it says "real".
SAMPLE_COLOR, D_COLOR, DATA_COLOR = "#d62728", "#555555", "#1f77b4"


# --- the data a viewer draws, packed ------------------------------------------------------------
def quantize(values, low: float, high: float) -> np.ndarray:
    """``values`` mapped linearly from [low, high] to the bytes 0–255 (clipped)."""
    v = (np.asarray(values, dtype="float64") - low) / (high - low)
    return np.round(np.clip(v, 0.0, 1.0) * 255).astype("uint8")


def dequantize(codes, low: float, high: float) -> np.ndarray:
    """The inverse of :func:`quantize` (what the page's JavaScript does)."""
    return low + np.asarray(codes, dtype="float64") / 255 * (high - low)


def d_levels(d_frame, probability: bool) -> np.ndarray:
    """D over the grid for drawing, in [0, 1]: a probability as it is, a critic's score rescaled
    by its own minimum and maximum (a constant map draws as 0,5)."""
    d = np.asarray(d_frame, dtype="float64")
    if probability:
        return np.clip(d, 0.0, 1.0)
    span = d.max() - d.min()
    return np.full_like(d, 0.5) if span < 1e-12 else (d - d.min()) / span


def pack(run: dict) -> dict:
    """A kept run as the page's JavaScript reads it: samples and D quantized to bytes, in
    base64, one string per snapshot, with the steps and mode counts."""
    card = run["card"]
    lim = pg.LIMITS[card["dataset"]]
    probability = card["loss"] != "wasserstein_gp"
    _, centers, std = pg.data_of(card["dataset"], n=1)
    return {"key": card["variant"], "dataset": card["dataset"], "lim": lim,
            "centers": np.round(centers, 4).tolist(), "std": std,
            "probability": probability, "dim": int(run["samples"].shape[2]),
            "grid": pg.GRID_POINTS[card["dataset"]], "steps": run["steps"].tolist(),
            "modes": card["metrics"]["modes_captured"], "of": card["metrics"]["modes"],
            "hq": [round(h, 3) for h in card["metrics"]["high_quality"]],
            "samples": [base64.b64encode(quantize(s, -lim, lim).tobytes()).decode()
                        for s in run["samples"]],
            "d": [base64.b64encode(quantize(d_levels(d, probability), 0, 1).tobytes()).decode()
                  for d in run["d"]]}


def unpack_samples(packed: dict, frame: int) -> np.ndarray:
    """G's samples of snapshot ``frame`` back from :func:`pack` ((n, dim), to 1/255 of the
    range): the page's decoding, in Python, for the tests."""
    codes = np.frombuffer(base64.b64decode(packed["samples"][frame]), dtype="uint8")
    return dequantize(codes, -packed["lim"], packed["lim"]).reshape(-1, packed["dim"])


def status_text(run: dict, frame: int) -> str:
    """The line over a snapshot of a kept run (:func:`playground.load`): the step, the modes
    covered and the share of samples near a mode (the static viewer writes the same line)."""
    metrics, steps = run["card"]["metrics"], [int(s) for s in run["steps"]]
    return (f"paso {num(steps[frame])} de {num(steps[-1])} · modos cubiertos: "
            f"{num(metrics['modes_captured'][frame])} de {num(metrics['modes'])} · muestras "
            f"cerca de un modo: {pct(metrics['high_quality'][frame], 0)}")


# --- the static viewer --------------------------------------------------------------------------
_SCRIPT = r"""
(function () {
  var root = document.getElementById("__ID__");
  var RUNS = JSON.parse(root.querySelector("script[type='application/json']").textContent);
  var byKey = {};
  RUNS.forEach(function (r) { byKey[r.key] = r; });
  var sel = {}, names = ["dataset", "loss", "k", "lr"];
  names.forEach(function (n) { sel[n] = root.querySelector("select[data-name='" + n + "']"); });
  var slider = root.querySelector("input[type='range']");
  var play = root.querySelector("button");
  var canvas = root.querySelector("canvas");
  var status = root.querySelector(".pg-status");
  var timer = null;
  function bytes(b64) {
    var s = atob(b64), out = new Uint8Array(s.length);
    for (var i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
    return out;
  }
  function current() {
    return byKey[sel.dataset.value + "-" + sel.loss.value + "-k" + sel.k.value + "-lr" + sel.lr.value];
  }
  function fmt(n) { return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, "\u202f"); }
  function draw() {
    var run = current(), f = +slider.value;
    var ctx = canvas.getContext("2d"), ratio = window.devicePixelRatio || 1;
    var w = canvas.clientWidth || 320, h = run.dim === 2 ? w : Math.round(w * 0.62);
    canvas.width = w * ratio; canvas.height = h * ratio; canvas.style.height = h + "px";
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, w, h);
    var lim = run.lim, s = bytes(run.samples[f]), d = bytes(run.d[f]);
    function sx(v) { return (v / 255) * w; }
    if (run.dim === 2) {
      var g = run.grid, cell = w / g;
      for (var j = 0; j < g; j++) for (var i = 0; i < g; i++) {
        var v = d[j * g + i] / 255;  // row j is y, bottom to top
        var c = Math.round(110 + v * 145);
        ctx.fillStyle = "rgb(" + c + "," + c + "," + c + ")";
        ctx.fillRect(i * cell, h - (j + 1) * cell, cell + 0.5, cell + 0.5);
      }
      ctx.strokeStyle = "__DATA__"; ctx.lineWidth = 1.5;
      run.centers.forEach(function (c) {
        var px = (c[0] + lim) / (2 * lim) * w, py = h - (c[1] + lim) / (2 * lim) * h;
        ctx.beginPath(); ctx.arc(px, py, 6, 0, 2 * Math.PI); ctx.stroke();
      });
      ctx.fillStyle = "__SAMPLE__";
      for (var k = 0; k + 1 < s.length; k += 2) {
        ctx.beginPath(); ctx.arc(sx(s[k]), h - sx(s[k + 1]) * h / w, 1.8, 0, 2 * Math.PI); ctx.fill();
      }
    } else {
      var bins = 60, counts = new Array(bins).fill(0), base = h - 16, tall = base - 8;
      for (var q = 0; q < s.length; q++) counts[Math.min(bins - 1, Math.floor(s[q] / 256 * bins))]++;
      var binw = 2 * lim / bins, dens = counts.map(function (c) { return c / (s.length * binw); });
      var ymax = 1.5;  // the densities drawn: each mode of the data peaks near 0,66
      ctx.fillStyle = "__SAMPLE__";
      dens.forEach(function (v, b) {
        var hh = Math.min(v / ymax, 1) * tall;
        ctx.fillRect(b * w / bins + 0.5, base - hh, w / bins - 1, hh);
      });
      ctx.strokeStyle = "__DATA__"; ctx.lineWidth = 1.5; ctx.beginPath();
      for (var p = 0; p <= 200; p++) {
        var x = -lim + 2 * lim * p / 200, y = 0;
        run.centers.forEach(function (c) {
          y += Math.exp(-0.5 * Math.pow((x - c[0]) / run.std, 2)) /
            (run.centers.length * run.std * Math.sqrt(2 * Math.PI));
        });
        var X = p / 200 * w, Y = base - Math.min(y / ymax, 1) * tall;
        if (p === 0) ctx.moveTo(X, Y); else ctx.lineTo(X, Y);
      }
      ctx.stroke();
      ctx.strokeStyle = "__D__"; ctx.lineWidth = 2; ctx.beginPath();
      for (var t = 0; t < d.length; t++) {
        var X2 = t / (d.length - 1) * w, Y2 = base - d[t] / 255 * tall;
        if (t === 0) ctx.moveTo(X2, Y2); else ctx.lineTo(X2, Y2);
      }
      ctx.stroke();
      ctx.strokeStyle = "#999"; ctx.lineWidth = 1; ctx.beginPath();
      ctx.moveTo(0, base); ctx.lineTo(w, base); ctx.stroke();
      ctx.fillStyle = "#444"; ctx.font = "11px sans-serif"; ctx.textAlign = "center";
      for (var tick = -lim; tick <= lim; tick += 2) {
        var tx = (tick + lim) / (2 * lim) * w;
        ctx.fillText(String(tick).replace("-", "\u2212"), Math.min(Math.max(tx, 8), w - 8), h - 3);
      }
    }
    var hq = Math.round(run.hq[f] * 100);
    status.textContent = "paso " + fmt(run.steps[f]) + " de " + fmt(run.steps[run.steps.length - 1]) +
      " · modos cubiertos: " + run.modes[f] + " de " + run.of +
      " · muestras cerca de un modo: " + hq + "\u00a0%" + (run.probability ? "" :
      " · crítico reescalado a [0, 1] en cada paso");
    root.setAttribute("data-drawn", run.key + "@" + f);
  }
  function stop() { if (timer) { clearInterval(timer); timer = null; play.textContent = "▶ reproducir"; } }
  play.addEventListener("click", function () {
    if (timer) { stop(); return; }
    play.textContent = "■ detener";
    if (+slider.value >= +slider.max) slider.value = 0;
    draw();
    timer = setInterval(function () {
      if (+slider.value >= +slider.max) { stop(); return; }
      slider.value = +slider.value + 1; draw();
    }, 700);
  });
  slider.addEventListener("input", function () { stop(); draw(); });
  names.forEach(function (n) { sel[n].addEventListener("change", draw); });
  window.addEventListener("resize", draw);
  draw();
})();
"""

_CSS = """
#__ID__ { max-width: 460px; margin: 1em auto; font-size: 0.9em; }
#__ID__ .pg-controls { display: grid; grid-template-columns: auto 1fr; gap: 0.3em 0.6em;
  align-items: center; }
#__ID__ select, #__ID__ button { font-size: 1em; max-width: 100%; }
#__ID__ canvas { width: 100%; border: 1px solid #ccc; display: block; margin: 0.5em 0; }
#__ID__ .pg-time { display: flex; gap: 0.6em; align-items: center; }
#__ID__ .pg-time input { flex: 1; min-width: 0; }
#__ID__ .pg-legend { font-size: 0.9em; color: #444; }
"""


def _select(name: str, label: str, options) -> str:
    opts = "".join(f'<option value="{html.escape(str(v))}"{" selected" if i == 0 else ""}>'
                   f"{html.escape(t)}</option>" for i, (v, t) in enumerate(options))
    return (f'<label for="{{id}}-{name}">{html.escape(label)}</label>'
            f'<select id="{{id}}-{name}" data-name="{name}">{opts}</select>')


def static_viewer(runs: list[dict], element_id: str = "gan-playground") -> str:
    """The viewer as one HTML fragment (style, controls, canvas, data and script; nothing
    loaded from outside, so it works offline) over the kept ``runs`` (:func:`playground.load`).
    The first option of each selector is the first run's setting."""
    packed = [pack(r) for r in runs]
    controls = "".join([
        _select("dataset", "datos", [(d, DATASET_NAMES[d]) for d in pg.DATASETS]),
        _select("loss", "pérdida", [(v, LOSS_NAMES[v]) for v in pg.LOSSES]),
        _select("k", "pasos de D por paso de G (k)", [(k, str(k)) for k in pg.CRITIC_STEPS]),
        _select("lr", "tasa de aprendizaje", [(f"{r:g}", RATE_NAMES[r])
                                             for r in pg.LEARNING_RATES]),
    ]).replace("{id}", element_id)
    data = json.dumps(packed, separators=(",", ":")).replace("</", "<\\/")
    script = (_SCRIPT.replace("__ID__", element_id).replace("__DATA__", DATA_COLOR)
              .replace("__SAMPLE__", SAMPLE_COLOR).replace("__D__", D_COLOR))
    frames = len(packed[0]["steps"]) - 1
    return (f'<div id="{element_id}" class="gan-playground">'
            f"<style>{_CSS.replace('__ID__', element_id)}</style>"
            f'<div class="pg-controls">{controls}</div>'
            f'<canvas aria-label="muestras del generador y salida del discriminador"></canvas>'
            f'<div class="pg-time"><button type="button">▶ reproducir</button>'
            f'<input type="range" min="0" max="{frames}" value="{frames}" step="1" '
            f'aria-label="momento del entrenamiento"></div>'
            f'<div class="pg-status"></div>'
            f'<div class="pg-legend"><span style="color:{SAMPLE_COLOR}">● rojo</span>: '
            f'muestras de G · <span style="color:{DATA_COLOR}">○ azul</span>: los datos '
            f'(centros de los modos, o su densidad en 1-D) · gris: la salida de D, en el fondo '
            f'(2-D) o como curva (1-D); claro o alto: «real»</div>'
            f'<script type="application/json">{data}</script>'
            f"<script>{script}</script></div>")


# --- the Matplotlib drawing and the JupyterLab widgets ------------------------------------------
def draw_frame(ax, run: dict, frame: int):
    """One snapshot of a kept run on ``ax``, as the static viewer draws it."""
    card = run["card"]
    lim = pg.LIMITS[card["dataset"]]
    probability = card["loss"] != "wasserstein_gp"
    d = d_levels(run["d"][frame], probability)
    samples = run["samples"][frame]
    if card["dataset"] == "ring":
        g = pg.GRID_POINTS["ring"]
        ax.imshow(d.reshape(g, g), origin="lower", extent=(-lim, lim, -lim, lim),
                  cmap="Greys_r", vmin=-0.76, vmax=1)
        _, centers, _ = pg.data_of("ring", n=8)
        ax.scatter(centers[:, 0], centers[:, 1], s=60, facecolors="none",
                   edgecolors=DATA_COLOR, linewidths=1.2)
        ax.scatter(samples[:, 0], samples[:, 1], s=4, color=SAMPLE_COLOR)
        ax.set(xlim=(-lim, lim), ylim=(-lim, lim), aspect="equal")
    else:
        xs = np.linspace(-lim, lim, 400)
        centers = pg.MIXTURE_CENTERS[:, 0]
        density = theory.Mixture1D(centers, [pg.MIXTURE_STD] * len(centers)).pdf(xs)
        ax.hist(samples[:, 0], bins=60, range=(-lim, lim), density=True, color=SAMPLE_COLOR)
        ax.plot(xs, density, color=DATA_COLOR, lw=1.5)
        ax.plot(pg.grid_of("mixture1d")[:, 0], d * 1.4, color=D_COLOR, lw=2)
        ax.set(xlim=(-lim, lim), ylim=(0, 1.5), xlabel="x")
    ax.set_title(status_text(run, frame), fontsize=9)
    return ax


def summary_frame(runs: list[dict]):
    """One row per kept run: its choices, the modes covered and the share of samples near a mode
    at the end, the most modes it covered at any snapshot, and its training seconds."""
    import pandas as pd
    rows = []
    for run in runs:
        card, m = run["card"], run["card"]["metrics"]
        rows.append({"datos": "mezcla 1-D" if card["dataset"] == "mixture1d" else "anillo de 8",
                     "pérdida": LOSS_NAMES[card["loss"]], "k": card["config"]["critic_steps"],
                     "tasa": RATE_NAMES[card["config"]["learning_rate"]],
                     "modos al final": f"{m['modes_captured'][-1]} de {m['modes']}",
                     "máximo de modos": max(m["modes_captured"]),
                     "cerca de un modo al final": m["high_quality"][-1],
                     "segundos": card["seconds"]})
    return pd.DataFrame(rows)


def summary_table(runs: list[dict]):
    """:func:`summary_frame` ready to show."""
    return table(summary_frame(runs), {"segundos": 0, "k": 0, "máximo de modos": 0,
                                       "cerca de un modo al final": 0},
                 percent=["cerca de un modo al final"], index=False)


def summary_facts(runs: list[dict]) -> dict[str, str]:
    """What the chapter's prose says about the grid: how many runs, how many covered every mode
    of their data at the end, per data set and loss."""
    facts = {"pg_runs": num(len(runs)), "pg_steps": num(runs[0]["card"]["steps"]),
             "pg_frames": num(len(runs[0]["steps"]))}
    for dataset in pg.DATASETS:
        mine = [r for r in runs if r["card"]["dataset"] == dataset]
        full = [r for r in mine if r["card"]["metrics"]["modes_captured"][-1]
                == r["card"]["metrics"]["modes"]]
        facts[f"pg_full_{dataset}"] = f"{num(len(full))} de {num(len(mine))}"
        per_loss = {}
        for r in full:
            per_loss[r["card"]["loss"]] = per_loss.get(r["card"]["loss"], 0) + 1
        facts[f"pg_full_{dataset}_losses"] = listing(
            f"{num(per_loss.get(loss, 0))} con {LOSS_NAMES[loss]}" for loss in pg.LOSSES)
    return facts


def still_figure(runs: list[dict], key: str, frames=(0, 5, 10)):
    """Three snapshots of one run side by side: what the PDF shows in place of the viewer."""
    run = next(r for r in runs if r["card"]["variant"] == key)
    fig, axes = plotting.new_figure(len(frames), width=3.3, height=3.6)
    for ax, frame in zip(np.atleast_1d(axes), frames):
        draw_frame(ax, run, frame)
        ax.set_title(f"paso {num(int(run['steps'][frame]))}", fontsize=10)
    return fig


def show(runs: list[dict], still_key: str = "ring-non_saturating-k1-lr0.001"):
    """Display the viewer: its HTML for the book and JupyterLab, with a PNG of three snapshots
    of ``still_key`` for outputs that cannot run a script (the PDF)."""
    import io

    import matplotlib.pyplot as plt
    from IPython.display import display

    fig = plotting.finish_figure(still_figure(runs, still_key))
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight")
    plt.close(fig)
    display({"text/html": static_viewer(runs),
             "image/png": base64.b64encode(buffer.getvalue()).decode(),
             "text/plain": "visor de la GAN de juguete"}, raw=True)


class Steerable:
    """The choices as ipywidgets (JupyterLab): four drop-downs, a slider over the snapshots with
    a play button, and the snapshot drawn below. :meth:`update` is the callback every control
    calls; runs are loaded once (``loader``: :func:`playground.load` by default)."""

    def __init__(self, loader=None):
        import ipywidgets as w

        self._loader = loader or pg.load
        self._runs: dict[str, dict] = {}
        self.dataset = w.Dropdown(options=[(DATASET_NAMES[d], d) for d in pg.DATASETS],
                                  description="datos")
        self.loss = w.Dropdown(options=[(LOSS_NAMES[v], v) for v in pg.LOSSES],
                               description="pérdida")
        self.k = w.Dropdown(options=[(str(k), k) for k in pg.CRITIC_STEPS], description="k")
        self.lr = w.Dropdown(options=[(RATE_NAMES[r], r) for r in pg.LEARNING_RATES],
                             description="tasa")
        self.frame = w.IntSlider(value=pg.FRAMES, min=0, max=pg.FRAMES, description="momento")
        self.play = w.Play(value=0, min=0, max=pg.FRAMES, interval=700)
        w.jslink((self.play, "value"), (self.frame, "value"))
        self.output = w.Output()
        for control in (self.dataset, self.loss, self.k, self.lr, self.frame):
            control.observe(self.update, names="value")
        self.figure = None

    def choice(self) -> pg.Choice:
        return pg.Choice(self.dataset.value, self.loss.value, self.k.value, self.lr.value)

    def run(self) -> dict:
        key = self.choice().key
        if key not in self._runs:
            self._runs[key] = self._loader(self.choice())
        return self._runs[key]

    def update(self, change=None):
        """Redraw the chosen run at the chosen snapshot; returns the figure."""
        import matplotlib.pyplot as plt
        from IPython.display import display

        if self.figure is not None:
            plt.close(self.figure)
        self.figure, ax = plt.subplots(figsize=(4.6, 4.6 if self.dataset.value == "ring" else 3))
        draw_frame(ax, self.run(), self.frame.value)
        self.output.clear_output(wait=True)
        with self.output:
            display(self.figure)
        return self.figure

    def widget(self):
        import ipywidgets as w

        self.update()
        return w.VBox([w.HBox([self.dataset, self.loss]), w.HBox([self.k, self.lr]),
                       w.HBox([self.play, self.frame]), self.output])
