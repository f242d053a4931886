"""Plotly figure builders: data in, figure out, one colour-blind-safe palette."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

# Okabe-Ito: distinguishable with every common colour-vision deficiency
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
PARTNERSHIP_COLOURS = {"library": "#0072B2", "community": "#E69F00", "stakeholder": "#009E73", None: "#999999"}
DOMAIN_LABELS = {
    "knowledge": "Learned something new", "confidence": "More confident", "application": "Intend to apply",
    "awareness": "More aware of library services", "library_use": "More likely to use the library",
    "satisfaction": "Satisfied",
}


def outcome_table(outcomes: dict, min_n: int = 10) -> pd.DataFrame:
    """Indicator dicts -> the table shown beside the chart; unreliable rates are not shown as percentages."""
    rows = []
    for domain, o in outcomes.items():
        reliable = o["n"] >= min_n
        rows.append({
            "outcome": DOMAIN_LABELS.get(domain, domain.removeprefix("outcome_").replace("_", " ").capitalize()),
            "n": o["n"], "positive": o["positive"],
            "positive rate %": round(100 * o["positive_rate"], 1) if reliable else None,
            "95% CI low %": round(100 * o["ci_low"], 1) if reliable else None,
            "95% CI high %": round(100 * o["ci_high"], 1) if reliable else None,
            "note": "" if reliable else f"fewer than {min_n} responses",
        })
    return pd.DataFrame(rows)


def outcome_bars(table: pd.DataFrame) -> go.Figure:
    shown = table.dropna(subset=["positive rate %"])
    fig = go.Figure(go.Bar(
        x=shown["positive rate %"], y=shown["outcome"], orientation="h", marker_color=PALETTE[0],
        error_x=dict(type="data", symmetric=False, array=shown["95% CI high %"] - shown["positive rate %"],
                     arrayminus=shown["positive rate %"] - shown["95% CI low %"], color="#333"),
        customdata=shown[["n"]], hovertemplate="%{y}: %{x:.1f}% positive (n = %{customdata[0]:,})<extra></extra>",
    ))
    fig.update_layout(title="Share of participants reporting each outcome (agree or strongly agree)",
                      xaxis=dict(title="% positive", range=[0, 100]), yaxis=dict(autorange="reversed"),
                      height=80 + 45 * max(len(shown), 1), margin=dict(l=10, r=10, t=50, b=40))
    return fig
