"""The house layout every dashboard chart gets (impact/charts.py builds each figure in one construction): the
title on its own line, the legend under it, every axis with dark labels, an axis line and light grid lines; the
trend's second axis and the representation chart's reference lines where Plotly's helpers would put them."""
import networkx as nx
import pandas as pd
import pytest

from impact import charts
from impact.views import Col

RATES = pd.DataFrame({Col.GROUP: ["a", "b", "c"], Col.N: [20, 5, 30], Col.RATE: [50.0, None, 70.0],
                      Col.LOW: [40.0, None, 60.0], Col.HIGH: [60.0, None, 80.0], Col.NOTE: ["", "fewer than 10", ""]})
TREND = pd.DataFrame({Col.PERIOD: ["2024-01", "2024-02", "2024-03"], Col.ATTENDANCE: [10, 20, 30],
                      Col.SESSIONS: [1, 2, 3], Col.RATE: [50.0, None, 60.0], Col.N: [20, 3, 40],
                      Col.NOTE: ["", "fewer than 10", ""]})
REACH = pd.DataFrame({Col.GROUP: ["x", "y"], Col.RI: [0.5, 1.2], Col.RI_LOW: [0.4, 1.0], Col.RI_HIGH: [0.6, 1.4],
                      Col.BLINDSPOT: [True, False], Col.PARTICIPANTS: [10, 20], Col.SHARE: [10.0, 20.0],
                      Col.POPULATION_SHARE: [20.0, 15.0]})

FIGURES = {
    "rate": lambda: charts.rate_by_group(RATES, "Rate by group"),
    "rate over time": lambda: charts.rate_by_group(RATES, "Rate over time", over_time=True),
    "trend": lambda: charts.trend(TREND, "month"),
    "attendance": lambda: charts.attendance_bars(TREND.rename(columns={Col.PERIOD: "period"}), "period", "By period"),
    "representation": lambda: charts.representation(REACH, "Age", 0.8),
    "empty network": lambda: charts.network(nx.Graph()),
}


@pytest.mark.parametrize("name", FIGURES)
def test_every_chart_has_the_house_layout_on_every_axis(name):
    layout = FIGURES[name]().to_plotly_json()["layout"]
    assert layout["title"]["yref"] == "container" and layout["title"]["x"] == 0 and layout["title"]["text"]
    assert layout["legend"]["orientation"] == "h" and layout["legend"]["y"] == 1.02
    assert layout["margin"]["t"] == 95 and layout["font"]["color"] == charts.TEXT
    axes = [k for k in layout if k.startswith(("xaxis", "yaxis"))]
    assert {"xaxis", "yaxis"} <= set(axes)
    for key in axes:
        axis = layout[key]
        assert axis["tickfont"]["color"] == charts.TEXT and axis["title"]["font"]["color"] == charts.TEXT, key
        assert axis["linecolor"] == "#5B6670" and axis["gridcolor"] == charts.GRID, key


def test_the_trend_puts_the_rate_on_a_second_axis_and_keeps_axis_titles():
    fig = charts.trend(TREND, "month")
    layout = fig.to_plotly_json()["layout"]
    assert layout["yaxis2"]["overlaying"] == "y" and layout["yaxis2"]["side"] == "right"
    assert layout["yaxis"]["title"]["text"] == "attendance" and layout["yaxis2"]["title"]["text"] == "% positive"
    assert [t.yaxis for t in fig.data] == ["y", "y2", "y2"]  # bars, the rate, the unreliable month's cross
    assert list(fig.data[2].x) == ["2024-02"]


def test_the_representation_chart_draws_parity_and_the_blindspot_threshold():
    layout = charts.representation(REACH, "Age", 0.8).to_plotly_json()["layout"]
    assert [(s["x0"], s["yref"]) for s in layout["shapes"]] == [(1, "y domain"), (0.8, "y domain")]
    assert [a["text"] for a in layout["annotations"]] == ["parity", "blindspot below 0.8"]
