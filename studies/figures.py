"""The studies' PNG figures: matplotlib on the file-only Agg backend and a
grid of metric panels."""

from __future__ import annotations

import os
from typing import Sequence

import numpy as np

from tfgan_ext import fileio


def pyplot():
  """matplotlib's pyplot on the file-only Agg backend."""
  import matplotlib
  matplotlib.use("Agg")
  from matplotlib import pyplot as plt
  return plt


def save_figure(fig, path: str) -> str:
  """Writes `fig` to `path` (PNG, 90 dpi; folders created), closes it and
  returns the path."""
  with fileio.atomic_path(path) as tmp:
    fig.savefig(tmp, dpi=90, bbox_inches="tight", format="png")
  pyplot().close(fig)
  return path


def _draw_lines(ax, curves: dict) -> None:
  for label, (x, y) in curves.items():
    ax.plot(x, y, label=label, marker="." if len(x) < 30 else None)


def plot_metric_grid(path: str, panels: Sequence[tuple[str, dict]],
                     columns: int = 3, xlabel: str = "step",
                     draw=_draw_lines) -> str:
  """One panel per (title, curves) in a grid; `draw(ax, curves)` draws a
  panel's curves (default: curves = {label: (steps, values)}, one line
  each). Returns the path written."""
  plt = pyplot()
  rows = int(np.ceil(len(panels) / columns))
  fig, axes = plt.subplots(rows, columns, figsize=(4.2 * columns, 3.2 * rows),
                           squeeze=False)
  for ax, (title, curves) in zip(axes.flat, panels):
    draw(ax, curves)
    ax.set_title(title, fontsize=10)
    ax.set_xlabel(xlabel)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
  for ax in list(axes.flat)[len(panels):]:
    ax.axis("off")
  fig.tight_layout()
  return save_figure(fig, path)
