"""Figures shared by the chapters (matplotlib; Spanish labels, since they appear in the book).

Every figure of the book reaches the page through :func:`glue_figure`, which renders it at
``FIGURE_DPI`` with Spanish tick labels (decimal comma); :func:`new_figure` never puts more than
``PANELS_PER_ROW`` panels side by side, so each stays legible at column width.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from thesis_lib.formatting import num, spanish_ticks

FIGURE_DPI = 150
PANELS_PER_ROW = 3
# The text column of the HTML book at a laptop's width (1280 px), and the smallest text a
# reader can make out on it: a wider figure is scaled down to the column, and its text with it.
COLUMN_PX = 690
MIN_TEXT_PX = 9.0

CLASS_COLORS = ("#222222", "#f2c200")  # class 0 black, class 1 yellow, as in the thesis


def plot_boolean_problem(ax, X, y, bias=None, weights=None, title=None):
    """The four Boolean inputs coloured by class and, if given, the line b + w·x = 0.

    The half-plane where the perceptron answers 1 is shaded (thesis §2.1, figures 3–5).
    """
    X, y = np.asarray(X, dtype=float), np.asarray(y)
    lo, hi = -0.5, 1.5
    if bias is not None:
        w1, w2 = weights
        gx, gy = np.meshgrid(np.linspace(lo, hi, 201), np.linspace(lo, hi, 201))
        ax.contourf(gx, gy, (bias + w1 * gx + w2 * gy >= 0).astype(float), levels=[0.5, 1.5],
                    colors=[CLASS_COLORS[1]], alpha=0.15)
        xs = np.array([lo, hi])
        if abs(w2) > 1e-12:
            ax.plot(xs, -(bias + w1 * xs) / w2, color="C3", lw=2)
        elif abs(w1) > 1e-12:
            ax.axvline(-bias / w1, color="C3", lw=2)
    for cls in (0, 1):
        pts = X[y == cls]
        ax.scatter(pts[:, 0], pts[:, 1], s=160, color=CLASS_COLORS[cls], edgecolor="k",
                   zorder=3, label=f"clase {cls}")
    ax.set(xlim=(lo, hi), ylim=(lo, hi), xlabel="$x_1$", ylabel="$x_2$", aspect="equal")
    ax.set_xticks([0, 1])
    ax.set_yticks([0, 1])
    if title:
        ax.set_title(title)
    return ax


def plot_errors_per_epoch(ax, errors, label, cycle=None):
    """Misclassified samples in each epoch; a cycle's start is marked when there is one."""
    epochs = np.arange(1, len(errors) + 1)
    line, = ax.plot(epochs, errors, marker="o", label=label)
    if cycle is not None:
        ax.axvline(cycle[0], color=line.get_color(), ls=":", lw=1)
    ax.set(xlabel="época", ylabel="errores en la época")
    ax.set_xticks(epochs)
    ax.set_yticks(range(0, max(errors) + 1))
    return ax


def new_figure(n=1, width=4.0, height=4.0, per_row=PANELS_PER_ROW):
    """A figure with ``n`` panels of ``width`` × ``height`` inches, at most ``per_row`` in a row
    (more wrap to new rows; unused slots are hidden). Returns the figure and the ``n`` axes."""
    if per_row > PANELS_PER_ROW:
        raise ValueError(f"at most {PANELS_PER_ROW} panels per row are legible at column width; "
                         f"got per_row={per_row}")
    ncols = min(n, per_row)
    nrows = -(-n // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(width * ncols, height * nrows),
                             constrained_layout=True, squeeze=False)
    axes = axes.ravel()
    for ax in axes[n:]:
        ax.remove()
    return fig, axes[:n]


def plot_states(states, X, y, titles):
    """One panel per (b, w1, w2) state, each with its decision line (thesis §2.1, XOR)."""
    # Four states (one XOR epoch) read best as a 2 × 2 grid rather than 3 + 1.
    per_row = 2 if len(states) == 4 else PANELS_PER_ROW
    fig, axes = new_figure(len(states), width=3.2, height=3.4, per_row=per_row)
    for ax, (b, w1, w2), title in zip(axes, states, titles):
        plot_boolean_problem(ax, X, y, b, (w1, w2), title=title)
    return fig


def plot_computational_graph(ax, output, title=None):
    """Draw the graph behind an autodiff ``Scalar``: forward values in green, gradients in red.

    Thesis §2.5, figures 26–28. Nodes are placed left to right by their depth from the inputs.
    """
    order = output.topological_order()
    depth = {}
    for node in order:
        depth[id(node)] = 1 + max((depth[id(p)] for p, _ in node.parents), default=-1)
    columns = {}
    for node in order:
        columns.setdefault(depth[id(node)], []).append(node)
    pos = {}
    for d, nodes in columns.items():
        if d == 0:
            nodes.sort(key=lambda n: n.name)
        for i, node in enumerate(nodes):
            pos[id(node)] = (d * 2.2, (len(nodes) - 1) * 0.85 - i * 1.7)
    for node in order:
        for parent, _ in node.parents:
            (x0, y0), (x1, y1) = pos[id(parent)], pos[id(node)]
            ax.annotate("", xy=(x1 - 0.35, y1), xytext=(x0 + 0.35, y0),
                        arrowprops=dict(arrowstyle="->", color="0.4", lw=1.2))
    for node in order:
        x, y = pos[id(node)]
        label = (node.op if node.parents else node.name).replace("(·,0)", "")
        ax.add_patch(plt.Circle((x, y), 0.35, facecolor="white", edgecolor="0.2", zorder=2))
        ax.text(x, y, label, ha="center", va="center", fontsize=11, zorder=3)
        tag = f"{node.name} = " if node.name and node.parents else ""
        ax.text(x, y + 0.5, f"{tag}{num(node.value, sig=6)}", ha="center", color="green",
                fontsize=11)
        ax.text(x, y - 0.62, num(node.grad, sig=6), ha="center", color="red", fontsize=11)
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    ax.set(xlim=(min(xs) - 0.8, max(xs) + 0.8), ylim=(min(ys) - 1.0, max(ys) + 0.9),
           aspect="equal")
    ax.axis("off")
    if title:
        ax.set_title(title)
    return ax


def plot_matrices(items, cmap="Greys_r", fmt=None, size=2.6, per_row=PANELS_PER_ROW,
                  fontsize=12):
    """Small matrices side by side as annotated heatmaps; ``items`` is [(matrix, title), ...],
    at most ``per_row`` to a row.

    Each entry is written with :func:`~thesis_lib.formatting.num` (decimal comma), or with the
    format string ``fmt`` if one is given, at ``fontsize`` points (titles too).
    """
    fig, axes = new_figure(len(items), width=size, height=size + 0.3, per_row=per_row)
    for ax, (matrix, title) in zip(axes, items):
        m = np.asarray(matrix, dtype=float)
        ax.imshow(m, cmap=cmap)
        mid = (np.nanmax(m) + np.nanmin(m)) / 2
        for (i, j), v in np.ndenumerate(m):
            ax.text(j, i, num(v, sig=6) if fmt is None else fmt.format(v), ha="center",
                    va="center", fontsize=fontsize,
                    color="black" if v > mid else "white")  # both colormaps used are light at the top
        ax.set_title(title, fontsize=fontsize)
        ax.set_xticks([])
        ax.set_yticks([])
    return fig


def plot_contours(ax, f, lim=(-2, 2), levels=20, title=None):
    """Filled contour lines of a 2-D function ``f(x, y)`` (thesis appendix, figure 77)."""
    g = np.linspace(*lim, 201)
    gx, gy = np.meshgrid(g, g)
    ax.contourf(gx, gy, f(gx, gy), levels=levels, cmap="viridis")
    ax.contour(gx, gy, f(gx, gy), levels=levels, colors="white", linewidths=0.4)
    ax.set(aspect="equal", xlabel="$x$", ylabel="$y$")
    if title:
        ax.set_title(title)
    return ax


def plot_trajectories(ax, f, paths: dict, lim=(-2, 2), legend: bool = True):
    """Optimiser iterates drawn over the contours of ``f``; ``paths`` maps label -> (n, 2).
    ``legend=False`` leaves the legend to the caller (e.g. one for a whole figure)."""
    plot_contours(ax, f, lim, levels=25)
    for label, xs in paths.items():
        ax.plot(xs[:, 0], xs[:, 1], marker=".", ms=3, lw=1.2, label=label)
    if legend:
        ax.legend(loc="lower right", fontsize=8)
    return ax


def plot_activations(x, curves):
    """Each activation with its derivative (automatic differentiation, checked in the tests).

    Panels wrap ``PANELS_PER_ROW`` to a row; the legend, common to all, goes in the empty slot
    after the last panel when the last row is not full (in the first panel otherwise).
    """
    fig, axes = new_figure(len(curves), width=2.4, height=2.5)
    for ax, (name, (values, derivative, _closed)) in zip(axes, curves.items()):
        ax.plot(x, values, label="función $g(x)$")
        ax.plot(x, derivative, ls="--", label="derivada $g'(x)$")
        ax.axhline(0, color="0.7", lw=0.6)
        ax.axvline(0, color="0.7", lw=0.6)
        ax.set_title(name, fontsize=11)
        ax.set_xlabel("$x$", fontsize=11)
        ax.tick_params(labelsize=11)
    if len(curves) % PANELS_PER_ROW:
        # Centre of the next (empty) slot, in the last panel's axes coordinates; kept out of
        # constrained layout so the last panel keeps the size of the others.
        legend = axes[-1].legend(*axes[0].get_legend_handles_labels(), loc="center",
                                 bbox_to_anchor=(1.6, 0.5), fontsize=11, frameon=False)
        legend.set_in_layout(False)
    else:
        axes[0].legend(fontsize=11)
    return fig


def plot_xor_hidden(ax, hidden, title, output_layer=None):
    """The four XOR inputs in the hidden space (h1, h2), coloured by class (thesis §2.2); with
    ``output_layer`` = (θ, b), also the line θᵀh + b = 1/2 where the network's output (θᵀh + b)
    crosses from the side it rounds to 0 to the side it rounds to 1."""
    y = np.array([0, 1, 1, 0])
    h = np.asarray(hidden, dtype=float)
    for cls in (0, 1):
        ax.scatter(h[y == cls, 0], h[y == cls, 1], s=160, color=CLASS_COLORS[cls],
                   edgecolor="k", zorder=3, label=f"clase {cls}")
    # Inputs that the hidden layer sends to the same point (XOR's (0,1) and (1,0) do) share one
    # label instead of printing on top of each other.
    labels = {}
    for point, (a, b) in zip(["(0, 0)", "(0, 1)", "(1, 0)", "(1, 1)"], h):
        labels.setdefault((round(a, 6), round(b, 6)), []).append(point)
    # Centred under the point, so a label never runs past the panel's right edge.
    for (a, b), points in labels.items():
        ax.annotate(" y ".join(points), (a, b), textcoords="offset points", xytext=(0, -11),
                    ha="center", va="top", fontsize=10, zorder=4,
                    bbox=dict(facecolor="white", edgecolor="none", alpha=0.8, pad=1))
    pad = 0.25 * max(np.ptp(h[:, 0]), np.ptp(h[:, 1]), 1.0)
    xlim = (h[:, 0].min() - pad, h[:, 0].max() + pad)
    ylim = (h[:, 1].min() - pad, h[:, 1].max() + pad)
    if output_layer is not None:
        (t1, t2), b0 = output_layer
        if abs(t2) > 1e-12:
            xs = np.array(xlim)
            ax.plot(xs, (0.5 - b0 - t1 * xs) / t2, color="C3", lw=2, label="salida = ½")
        else:
            ax.axvline((0.5 - b0) / t1, color="C3", lw=2, label="salida = ½")
    ax.set(xlim=xlim, ylim=ylim, xlabel="$h_1$", ylabel="$h_2$")
    from matplotlib.ticker import MaxNLocator
    for axis in (ax.xaxis, ax.yaxis):  # round steps (0,5 or 1), not 0,25
        axis.set_major_locator(MaxNLocator(nbins=4, steps=[1, 2, 5, 10]))
    ax.set_title(title, fontsize=11)
    return ax


def plot_l2_path(ax, hessian, w_star, path, lim=(-0.5, 2.5)):
    """Contours of ½(w − w*)ᵀH(w − w*), circles ‖w‖ = r and the regularised optima as α grows.

    Thesis §2.4, figure 18.
    """
    h, w_star = np.asarray(hessian, float), np.asarray(w_star, float)
    g = np.linspace(*lim, 201)
    gx, gy = np.meshgrid(g, g)
    d = np.stack([gx - w_star[0], gy - w_star[1]])
    q = 0.5 * np.einsum("i...,ij,j...->...", d, h, d)
    ax.contour(gx, gy, q, levels=12, cmap="viridis", linewidths=0.8)
    ax.contour(gx, gy, np.hypot(gx, gy), levels=8, colors="0.6", linestyles=":", linewidths=0.8)
    ax.plot(path[:, 0], path[:, 1], color="C3", marker=".", ms=4, label=r"$\tilde w(\alpha)$")
    ax.scatter(*w_star, color="k", zorder=3, label="$w^*$")
    ax.scatter(0, 0, color="0.4", marker="+", s=80)
    ax.set(xlim=lim, ylim=lim, aspect="equal", xlabel="$w_1$", ylabel="$w_2$")
    ax.legend(fontsize=8, loc="upper left")
    return ax


def finish_figure(fig):
    """The book's finish for a figure: Spanish tick labels and ``FIGURE_DPI``; refuses a
    figure whose smallest text would be unreadable at column width (:func:`smallest_text_px`)."""
    spanish_ticks(fig)
    fig.set_dpi(FIGURE_DPI)
    smallest, text = smallest_text_px(fig)
    if smallest < MIN_TEXT_PX:
        width = fig.get_size_inches()[0]
        raise ValueError(
            f"the text {text!r} would show {smallest:.1f} px high in the book's column "
            f"(minimum {MIN_TEXT_PX:g} px): this figure is {width:.1f} in wide, so make it "
            "narrower (fewer panels per row) or its fonts larger")
    return fig


def smallest_text_px(fig, column_px: float = COLUMN_PX) -> tuple[float, str]:
    """Height in screen pixels of the smallest visible text of ``fig`` once the page shows it
    (at most ``column_px`` wide, at ``fig.dpi``), and that text."""
    from matplotlib.text import Text
    fig.canvas.draw()  # tick labels exist only after a draw
    width_px = fig.get_size_inches()[0] * fig.dpi
    scale = min(1.0, column_px / width_px) * fig.dpi / 72  # points -> screen pixels
    sizes = [(t.get_fontsize() * scale, t.get_text()) for t in fig.findobj(Text)
             if t.get_visible() and t.get_text().strip() and t.get_figure() is not None]
    return min(sizes, default=(float("inf"), ""))


def glue_figure(name: str, fig) -> None:
    """Hand a figure to myst-nb's ``glue`` for a numbered ``{glue:figure}`` and close it.

    The figure is finished first (:func:`finish_figure`). Closing matters: the inline backend
    would otherwise also print the figure under the cell.
    """
    from myst_nb import glue
    glue(name, finish_figure(fig), display=False)
    plt.close(fig)


def plot_confusion(ax, matrix, title=None):
    """Confusion matrix as an annotated seaborn heatmap (rows: true digit; columns: predicted)."""
    import seaborn as sns
    matrix = np.asarray(matrix)
    labels = [str(i) for i in range(len(matrix))]  # text labels: the Spanish tick formatter
    sns.heatmap(matrix, annot=True, fmt="d", cmap="Blues", cbar=False, ax=ax,  # wraps str
                annot_kws={"fontsize": 9}, vmax=matrix.max() * 0.05, linewidths=0.5,
                linecolor="white", xticklabels=labels, yticklabels=labels)
    ax.tick_params(length=0)
    ax.tick_params(axis="y", rotation=0)
    ax.set(xlabel="dígito predicho", ylabel="dígito verdadero")
    if title:
        ax.set_title(title)
    return ax


def plot_image_grid(images, titles=(), ncols=5, size=1.6, cmap="gray_r", *, vmin=None,
                    vmax=None, title_size=8):
    """Small grayscale images in a grid with optional titles. ``vmin``/``vmax`` put every image
    on one colour scale (by default each image is scaled to its own range); ``title_size`` (in
    points) is for longer titles, which need more than the default to read at column width."""
    images = np.asarray(images)
    nrows = int(np.ceil(len(images) / ncols))
    extra_lines = max((str(t).count("\n") for t in titles), default=0)
    # Room above each image for its title: 0,35 in for one line at 8 pt, plus each further line.
    title_in = 0.35 * title_size / 8 + extra_lines * 1.25 * title_size / 72
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, (size + title_in) * nrows),
                             constrained_layout=True, squeeze=False)
    for i, ax in enumerate(axes.ravel()):
        ax.axis("off")
        if i < len(images):
            ax.imshow(images[i].squeeze(), cmap=cmap, vmin=vmin, vmax=vmax)
            if i < len(titles):
                ax.set_title(titles[i], fontsize=title_size)
    return fig


def show_pngs(paths, titles=(), size=3.6, ncols=2, title_pt=10, gap=0.08):
    """Saved PNG images (e.g. 10 × 10 sample grids) in a grid, ``ncols`` per row: two by
    default, so that the digits of a grid stay large enough to judge at column width. Titles
    are ``title_pt`` points, and ``gap`` (a fraction of a panel's width) of white separates
    neighbouring grids, which would otherwise touch."""
    import matplotlib.image as mpimg

    def rgb(path):  # grids saved as RGB, RGBA (older runs) or gray show side by side
        image = mpimg.imread(path)
        return np.stack([image] * 3, axis=-1) if image.ndim == 2 else image[..., :3]
    fig = plot_image_grid([rgb(p) for p in paths], titles,
                          ncols=min(ncols, len(paths)), size=size, title_size=title_pt)
    fig.get_layout_engine().set(wspace=gap, hspace=gap)
    return fig


def plot_xor_sample(ax, x, y, title=None, size=22, lim=(-0.75, 1.75)):
    """A noisy XOR sample (thesis §2.3) coloured by class, with the four exact corners marked."""
    x, y = np.asarray(x, dtype=float), np.asarray(y)
    for cls in (0, 1):
        pts = x[y == cls]
        ax.scatter(pts[:, 0], pts[:, 1], s=size, color=CLASS_COLORS[cls], edgecolor="k",
                   linewidth=0.4, label=f"clase {cls}", zorder=3)
    ax.scatter([0, 0, 1, 1], [0, 1, 0, 1], marker="+", s=120, color="C3", zorder=4,
               label="esquinas")
    ax.set(xlim=lim, ylim=lim, xlabel="$x_1$", ylabel="$x_2$", aspect="equal")
    ax.set_xticks([0, 1])
    ax.set_yticks([0, 1])
    if title:
        ax.set_title(title, fontsize=11)
    return ax


def plot_decision_regions(ax, probability, x, y, title=None, lim=(-0.75, 1.75), n=201):
    """Where the classifier answers 1 (shaded) and its boundary f(x) = ½ (red), under the
    points ``x`` coloured by their label ``y``; ``probability`` maps an (m, 2) array of inputs
    to f(x) ∈ (0, 1)."""
    g = np.linspace(*lim, n)
    gx, gy = np.meshgrid(g, g)
    p = np.asarray(probability(np.c_[gx.ravel(), gy.ravel()])).reshape(gx.shape)
    ax.contourf(gx, gy, (p >= 0.5).astype(float), levels=[0.5, 1.5], colors=[CLASS_COLORS[1]],
                alpha=0.25)
    ax.contour(gx, gy, p, levels=[0.5], colors="C3", linewidths=2)
    plot_xor_sample(ax, x, y, title=title, lim=lim)
    return ax


def plot_risk_curves(ax, run, title=None):
    """Empirical risk after every step and held-out risk where recorded, for one training run
    (an object with ``train_risk``, ``heldout_at``, ``heldout_risk`` and
    ``best_heldout_step``, as ``thesis_lib.nn.erm.Run``); a dotted line at the lowest held-out
    risk."""
    ax.plot(run.train_risk, label="empírico")
    ax.plot(run.heldout_at, run.heldout_risk, ls="--", label="en reservados")
    ax.axvline(run.best_heldout_step, color="0.5", lw=0.8, ls=":")
    ax.set(xlabel="iteración", ylabel="riesgo (entropía cruzada media)")
    ax.legend(fontsize=10)
    if title:
        ax.set_title(title, fontsize=11)
    return ax


def plot_final_risks(ax, runs, chosen=None, title=None):
    """Final held-out risk against final empirical risk, one point per run (green: the runs
    with ``solves_xor``, grey: the others; a star on ``chosen``), over the diagonal y = x."""
    train = np.array([r.train_risk[-1] for r in runs])
    held = np.array([r.heldout_risk[-1] for r in runs])
    solved = np.array([bool(r.solves_xor) for r in runs])
    top = 1.05 * max(train.max(), held.max())
    ax.plot([0, top], [0, top], color="0.6", lw=0.8)
    for mask, color, label in ((solved, "C2", "resuelve XOR"), (~solved, "0.55", "no la resuelve")):
        ax.scatter(train[mask], held[mask], s=30, color=color, edgecolor="k", lw=0.4,
                   label=label, zorder=3)
    if chosen is not None:
        ax.scatter([chosen.train_risk[-1]], [chosen.heldout_risk[-1]], marker="*", s=220,
                   color="C2" if chosen.solves_xor else "0.55", edgecolor="k", lw=0.6, zorder=4)
    pad = 0.03 * top
    ax.set(xlim=(-pad, top), ylim=(-pad, top), xlabel="riesgo empírico final",
           ylabel="riesgo en reservados final")
    ax.legend(fontsize=10, loc="lower right")
    if title:
        ax.set_title(title, fontsize=11)
    return ax
