"""Chart specs of an Evidence -> plotly figures -> PNG, rendered offline by kaleido with Debian's chromium.

One browser per process (impact/export/renderer.py): started in the background on first use and left running
for the next pack; `stop()` ends it. `submit` queues every chart of a pack at once and returns at once, so the
pack is written while chromium draws; `collect` waits for them.
"""
from __future__ import annotations

import contextlib
from concurrent.futures import Future
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd
import plotly.graph_objects as go

from impact import scope
from impact.charts import PALETTE
from impact.export import renderer

if TYPE_CHECKING:
    from impact.export.pack import Chart, Evidence

WIDTH, HEIGHT_MIN = 1000, 420


def figure(chart: Chart, table: pd.DataFrame, scope: str = "") -> go.Figure:
    """One chart spec + its (suppressed) table -> a plotly figure; suppressed or blank cells draw no bar.
    `scope` (the scope and source in words) is printed under the title, so an image passed on alone still says
    what it covers and where it comes from."""
    rows = table.iloc[chart.rows[0]: chart.rows[1] + 1] if chart.rows else table
    labels = rows[chart.category].astype(str)
    traces = []
    for k, col in enumerate(chart.values):
        values = pd.to_numeric(rows[col], errors="coerce")
        colour = PALETTE[k % len(PALETTE)]
        if chart.kind == "line":
            traces.append({"type": "scatter", "x": labels, "y": values, "name": col, "mode": "lines+markers",
                           "line": {"color": colour}})
        elif chart.kind == "barh":
            traces.append({"type": "bar", "x": values, "y": labels, "name": col, "orientation": "h",
                           "marker": {"color": colour}})
        else:
            traces.append({"type": "bar", "x": labels, "y": values, "name": col, "marker": {"color": colour}})
    height = max(HEIGHT_MIN, 120 + 26 * len(rows)) if chart.kind == "barh" else HEIGHT_MIN
    title = {"text": chart.title}
    if scope:
        title["subtitle"] = {"text": scope, "font": {"size": 11, "color": "#3B4754"}}
    # one construction from plain traces and layout (as impact/charts.py): Plotly's update helpers diffed and
    # re-validated the layout on every call
    layout = {"title": title, "barmode": "stack" if chart.stacked else "group", "height": height, "width": WIDTH,
              "template": "plotly_white", "showlegend": len(chart.values) > 1,
              "margin": {"l": 10, "r": 20, "t": 84 if scope else 60, "b": 40},
              "font": {"family": "DejaVu Sans, sans-serif", "size": 13}}
    if chart.kind == "barh":
        layout["yaxis"] = {"autorange": "reversed", "automargin": True}
        layout["xaxis"] = {"title": {"text": chart.axis_title}}
    else:
        layout["yaxis"] = {"title": {"text": chart.axis_title}, "rangemode": "tozero"}  # a line never exaggerates a dip
    if chart.reference is not None:  # drawn as fig.add_vline / add_hline draw it
        at = chart.reference
        layout["shapes"] = [{"type": "line", "line": {"color": "#333", "dash": "dash"}, "x0": at, "x1": at,
                             "xref": "x", "y0": 0, "y1": 1, "yref": "y domain"} if chart.kind == "barh" else
                            {"type": "line", "line": {"color": "#333", "dash": "dash"}, "x0": 0, "x1": 1,
                             "xref": "x domain", "y0": at, "y1": at, "yref": "y"}]
    return go.Figure(data=traces, layout=layout)


def figures(evidence: Evidence) -> dict[str, go.Figure]:
    words = scope_line(evidence)
    return {c.name: figure(c, evidence.table(c.table).frame, words) for c in evidence.charts}


def scope_line(evidence: Evidence) -> str:
    """'Early literacy, financial year 2025/26 · Source: 5 uploads to Beyond Footfall, the latest 30 Nov 2026; made …'"""
    return scope.line(evidence.filters, evidence.sources, evidence.generated)


def options(fig: go.Figure) -> dict:
    """kaleido's options for a figure: PNG at the figure's own size, so its pixels are known before it is drawn."""
    return {"format": "png", "width": fig.layout.width or WIDTH, "height": fig.layout.height or HEIGHT_MIN,
            "scale": 1}


@dataclass(frozen=True)
class Pending:
    """A chart being drawn: its PNG's size in pixels now, its bytes when chromium is done (`result()`)."""

    future: Future
    width: int
    height: int

    def result(self) -> bytes:
        return self.future.result()


def prewarm() -> None:
    """Start the browser in the background while the pack is computed (it takes a few seconds)."""
    renderer.start()


def stop():
    """End the browser this process started (tests and the CLI call it when done)."""
    renderer.stop()


def submit(evidence: Evidence) -> dict[str, Pending]:
    """Every chart of the pack queued for drawing at once -> {chart name: Pending}; returns before they are drawn."""
    figs = figures(evidence)
    specs = {name: (fig.to_dict(), options(fig)) for name, fig in figs.items()}
    futures = renderer.render(specs)
    return {name: Pending(futures[name], opts["width"], opts["height"]) for name, (_, opts) in specs.items()}


def collect(pending: dict[str, Pending], progress=None) -> dict[str, bytes]:
    """{chart name: Pending} -> {chart name: PNG bytes}, waiting for each; `progress(done, total)` after each one.
    A failed drawing closes the browser (the next pack starts a new one) and raises."""
    found = {}
    for i, (name, image) in enumerate(pending.items(), start=1):
        try:
            found[name] = image.result()
        except Exception:  # the drawing failed (not the caller interrupted: other sessions may share the browser)
            with contextlib.suppress(Exception):  # a browser that crashed may not close cleanly: its error matters
                renderer.stop()
            raise
        if progress:
            progress(i, len(pending))
    return found


def png(fig: go.Figure) -> bytes:
    """A figure -> PNG bytes through the one browser of this process."""
    return collect({"fig": Pending(renderer.render({"fig": (fig.to_dict(), options(fig))})["fig"], 0, 0)})["fig"]


def render(evidence: Evidence, progress=None) -> dict[str, bytes]:
    """Every chart of the pack -> {chart name: PNG bytes}; `progress(done, total)` after each one."""
    return collect(submit(evidence), progress)
