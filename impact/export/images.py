"""Chart specs of an Evidence -> plotly figures -> PNG, rendered offline by kaleido with Debian's chromium.

kaleido starts a browser for each bare `write_image` (~4.5 s); `start_sync_server` once per process keeps
one running, then a figure takes ~0.3 s (STACK_NOTES.md). The server is started on first use and left
running for the next pack; `stop()` ends it.
"""
from __future__ import annotations

import os
import shutil
import threading

import pandas as pd
import plotly.graph_objects as go

from impact import scope
from impact.charts import PALETTE
from impact.export.pack import Chart, Evidence

WIDTH, HEIGHT_MIN = 1000, 420
_lock = threading.Lock()
_started = False


def figure(chart: Chart, table: pd.DataFrame, scope: str = "") -> go.Figure:
    """One chart spec + its (suppressed) table -> a plotly figure; suppressed or blank cells draw no bar.
    `scope` (the scope and source in words) is printed under the title, so an image passed on alone still says
    what it covers and where it comes from."""
    rows = table.iloc[chart.rows[0]: chart.rows[1] + 1] if chart.rows else table
    labels = rows[chart.category].astype(str)
    fig = go.Figure()
    for k, col in enumerate(chart.values):
        values = pd.to_numeric(rows[col], errors="coerce")
        colour = PALETTE[k % len(PALETTE)]
        if chart.kind == "line":
            fig.add_trace(go.Scatter(x=labels, y=values, name=col, mode="lines+markers", line_color=colour))
        elif chart.kind == "barh":
            fig.add_trace(go.Bar(x=values, y=labels, name=col, orientation="h", marker_color=colour))
        else:
            fig.add_trace(go.Bar(x=labels, y=values, name=col, marker_color=colour))
    if chart.reference is not None:
        if chart.kind == "barh":
            fig.add_vline(x=chart.reference, line_dash="dash", line_color="#333")
        else:
            fig.add_hline(y=chart.reference, line_dash="dash", line_color="#333")
    height = max(HEIGHT_MIN, 120 + 26 * len(rows)) if chart.kind == "barh" else HEIGHT_MIN
    title = {"text": chart.title}
    if scope:
        title["subtitle"] = {"text": scope, "font": {"size": 11, "color": "#3B4754"}}
    fig.update_layout(title=title, barmode="stack" if chart.stacked else "group", height=height, width=WIDTH,
                      template="plotly_white", showlegend=len(chart.values) > 1,
                      margin={"l": 10, "r": 20, "t": 84 if scope else 60, "b": 40}, font={"family": "DejaVu Sans, sans-serif", "size": 13})
    if chart.kind == "barh":
        fig.update_yaxes(autorange="reversed", automargin=True)
        fig.update_xaxes(title=chart.axis_title)
    else:
        fig.update_yaxes(title=chart.axis_title, rangemode="tozero")  # a line never exaggerates a dip
    return fig


def figures(evidence: Evidence) -> dict[str, go.Figure]:
    words = scope_line(evidence)
    return {c.name: figure(c, evidence.table(c.table).frame, words) for c in evidence.charts}


def scope_line(evidence: Evidence) -> str:
    """'Early literacy, financial year 2025/26 · Source: 5 uploads to Beyond Footfall, the latest 30 Nov 2026; made …'"""
    return scope.line(evidence.filters, evidence.sources, evidence.generated)


def _start():
    global _started
    import kaleido

    if not _started:
        if not os.environ.get("BROWSER_PATH"):
            chromium = shutil.which("chromium") or "/usr/bin/chromium"
            if os.path.exists(chromium):
                os.environ["BROWSER_PATH"] = chromium
        kaleido.start_sync_server(silence_warnings=True)
        _started = True


def prewarm() -> threading.Thread:
    """Start the kaleido server in the background while the pack is computed (the browser takes ~4 s)."""
    def run():
        with _lock:
            _start()
    thread = threading.Thread(target=run, name="kaleido-start", daemon=True)
    thread.start()
    return thread


def stop():
    """End the kaleido server this process started (tests and the CLI call it when done)."""
    global _started
    import kaleido

    with _lock:
        if _started:
            kaleido.stop_sync_server(silence_warnings=True)
            _started = False


def png(fig: go.Figure) -> bytes:
    """A figure -> PNG bytes through the one kaleido server of this process."""
    import kaleido

    with _lock:
        _start()
        return kaleido.calc_fig_sync(fig, opts={"format": "png", "width": fig.layout.width or WIDTH,
                                                    "height": fig.layout.height or HEIGHT_MIN, "scale": 1})


def render(evidence: Evidence, progress=None) -> dict[str, bytes]:
    """Every chart of the pack -> {chart name: PNG bytes}; `progress(done, total)` after each one."""
    found = {}
    figs = figures(evidence)
    for i, (name, fig) in enumerate(figs.items(), start=1):
        found[name] = png(fig)
        if progress:
            progress(i, len(figs))
    return found
