"""The fly-out figure (``bmdsim flyout --figure FILE``): the fan of trajectories and the contours of the
least fly-out time tau_min over ground range and altitude -- the kill-envelope figure of the literature.

The suffix of FILE picks the format (png, svg, pdf). Rendering goes through the Agg canvas (no pyplot
state) with metadata that carry no date or software version, and a fixed SVG hash salt, so the same
inputs give byte-identical files; the file is written atomically.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from bmdsim.io import figures
from bmdsim.io.files import check_writable, write_atomic

N_GRID = (240, 180)  # ground range x altitude samples of the contour grid


def _contour_step(t_max_s: float) -> float:
    """A round contour interval giving 6-12 contours up to t_max (s)."""
    for step in (10, 20, 30, 60, 100, 120, 180, 300, 600):
        if t_max_s / step <= 12:
            return float(step)
    return 1200.0


def plot_flyout(report, path, dpi: int = 150) -> Path:
    """Draw ``report`` (:class:`bmdsim.analysis.flyout.FlyoutReport`) to ``path``; returns the path.

    Fan paths every 5 degrees of elevation (thin lines, burnout marked), tau_min contours of the
    non-rotating table (labelled, s), the altitude band (dashed) and, with a site, the edge of the
    region reached within t_max firing east and west from it on the rotating Earth."""
    fmt = figures.figure_format(path)
    dpi = figures.check_dpi(dpi)
    check_writable(path)
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    k, t, fan = report.kin, report.table, report.fan
    g_top = 1.05 * t.max_ground_range_m
    h_top = 1.05 * t.ceiling_m
    g = np.linspace(0.0, g_top, N_GRID[0])
    h = np.linspace(0.0, h_top, N_GRID[1])
    tau = report.tau_grid_s(g, h)
    fig = Figure(figsize=(9.0, 6.0), dpi=dpi)
    FigureCanvasAgg(fig)  # attach a canvas: no pyplot
    ax = fig.add_subplot(111)
    for i in range(fan.elev_rad.size):
        ax.plot(fan.ground_range_m[i] / 1e3, fan.alt_m[i] / 1e3, color="0.6", lw=0.6)
        b = fan.burnout_index
        if b >= 0 and np.isfinite(fan.alt_m[i, b]):
            ax.plot(fan.ground_range_m[i, b] / 1e3, fan.alt_m[i, b] / 1e3, ".", color="0.3", ms=3)
    step = _contour_step(k.t_max_s)
    levels = np.arange(step, k.t_max_s + 1e-9, step)
    cs = ax.contour(g / 1e3, h / 1e3, tau.T, levels=levels, cmap="viridis", linewidths=1.0)
    ax.clabel(cs, fmt="%g s", fontsize=7)
    for y, lab in ((k.h_min_m, "h_min"), (min(k.h_max_m, h_top), "h_max")):
        if y <= h_top:
            ax.axhline(y / 1e3, color="tab:red", ls="--", lw=0.8)
            ax.text(0.99 * g_top / 1e3, y / 1e3, lab, color="tab:red", ha="right", va="bottom", fontsize=8)
    title = (f"{report.name}: burnout speed {k.vbo_m_s / 1e3:g} km/s, burn {k.tb_s:g} s, t_max {k.t_max_s:g} s"
             f"\ntau_min contours, non-rotating Earth; fan every 5 deg from "
             f"{math.degrees(fan.elev_rad[0]):.1f} deg")
    if report.site is not None:
        lat, lon, label = report.site
        gs, hs = g[::2], h[::2]
        for name, style in (("E", "-"), ("W", ":")):
            reach = np.where(np.isfinite(report.tau_grid_s(gs, hs, name)), 1.0, 0.0)
            ax.contour(gs / 1e3, hs / 1e3, reach.T, levels=[0.5], colors="k", linestyles=style, linewidths=1.2)
            ax.plot([], [], color="k", ls=style, label=f"reached within t_max firing {name} from {label}")
        ax.legend(loc="upper right", fontsize=8)
        title += f"; site {label} ({lat:.2f}, {lon:.2f}) on the rotating Earth"
    ax.set_xlim(0.0, g_top / 1e3)
    ax.set_ylim(0.0, h_top / 1e3)
    ax.set_xlabel("ground range (km)")
    ax.set_ylabel("altitude (km)")
    ax.set_title(title, fontsize=9)
    ax.grid(True, lw=0.3, color="0.85")
    fig.tight_layout()
    return write_atomic(path, figures.figure_bytes(fig, fmt, dpi))
