"""Plotly figure builders: data in, figure out, one colour-blind-safe palette."""
from __future__ import annotations

import functools
import html
import re

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from impact.safe_text import html_text

# Okabe-Ito hues (distinguishable with every common colour-vision deficiency), the light ones darkened so every
# mark has at least 3:1 against the white plot (WCAG 2.2 SC 1.4.11): orange #E69F00 2.3:1 -> #B26B00 4.2:1,
# sky #56B4E9 2.3:1 -> #3D8BC9 3.7:1, pink #CC79A7 3.1:1 -> #B4548A 4.6:1, yellow #F0E442 1.3:1 -> #877A00 4.4:1.
PALETTE = ["#0072B2", "#B26B00", "#009E73", "#B4548A", "#3D8BC9", "#D55E00", "#877A00", "#000000"]
PARTNERSHIP_COLOURS = {"library": "#0072B2", "community": "#B26B00", "stakeholder": "#009E73", None: "#767676"}
TEXT = "#1F2933"  # the theme's text colour: titles, axis titles and tick labels (14.8:1)
GRID = "#D5DBE1"
DOMAIN_LABELS = {
    "knowledge": "Learned something new", "confidence": "More confident", "application": "Intend to apply",
    "awareness": "More aware of library services", "library_use": "More likely to use the library",
    "satisfaction": "Satisfied",
}


_TEXT_ATTRS = ("x", "y", "text", "hovertext", "customdata", "labels", "ids", "parents", "name", "legendgroup")


def _escaped(value):
    """The value with <, > and & escaped in its strings; the value itself (the same object) when none has any."""
    if isinstance(value, str):
        safe = html_text(value)
        return value if safe == value else safe
    if isinstance(value, (list, tuple, np.ndarray)):
        array = np.asarray(value, dtype=object)
        if any(isinstance(v, str) and html_text(v) != v for v in array.ravel()):
            return np.vectorize(html_text, otypes=[object])(array)
    return value


def accessible_name(figure: go.Figure) -> str:
    """A chart's accessible name for screen readers (role="figure", aria-label): its title in plain words, and
    where its figures are."""
    title = figure.layout.title.text if figure.layout.title and figure.layout.title.text else "Chart"
    plain = " ".join(re.sub(r"<[^>]+>", " ", html.unescape(str(title))).split())
    return f"Chart: {plain}. Every figure in it is in the table that follows."


def text_safe(build):
    """A figure builder whose names from users' files (categories, hovers, legends) show as text: Plotly would
    make `<a href>` in a theme name a live link."""
    @functools.wraps(build)
    def wrapper(*args, **kwargs):
        fig = build(*args, **kwargs)
        for trace in fig.data:
            present = trace.to_plotly_json()
            for attr in _TEXT_ATTRS:
                value = present.get(attr)
                if value is not None:
                    safe = _escaped(value)
                    if safe is not value:  # set (and validated by Plotly) again only where something was escaped
                        trace[attr] = safe
        for axis in ("xaxis", "yaxis"):
            layout_axis = fig.layout[axis]
            for attr in ("categoryarray", "ticktext"):
                value = layout_axis[attr]
                if value is not None:
                    values = list(value)
                    safe = _escaped(values)
                    if safe is not values:
                        layout_axis[attr] = list(safe)
        return fig
    return wrapper


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


@text_safe
def outcome_bars(table: pd.DataFrame) -> go.Figure:
    shown = table.dropna(subset=["positive rate %"])
    trace = {"type": "bar", "x": shown["positive rate %"], "y": shown["outcome"], "orientation": "h",
             "marker": {"color": PALETTE[0]},
             "error_x": {"type": "data", "symmetric": False, "array": shown["95% CI high %"] - shown["positive rate %"],
                         "arrayminus": shown["positive rate %"] - shown["95% CI low %"], "color": "#333"},
             "customdata": shown[["n"]],
             "hovertemplate": "%{y}: %{x:.1f}% positive (n = %{customdata[0]:,})<extra></extra>"}
    return go.Figure(data=[trace], layout={
        "title": {"text": "Share of responses agreeing with each outcome (agree or strongly agree)"},
        "xaxis": {"title": {"text": "% positive"}, "range": [0, 100]}, "yaxis": {"autorange": "reversed"},
        "height": 80 + 45 * max(len(shown), 1), "margin": {"l": 10, "r": 10, "t": 50, "b": 40}})


# --- dashboard figures: tables from impact.views in, figures out ----------------------------------
# Each figure names its n in the hover; rows below the display minimum are drawn as a grey cross with
# "fewer than 10 responses" beside it, never as a bar.
from impact.views import Col

UNRELIABLE = "#767676"  # 4.5:1 on white
BLINDSPOT_COLOUR = "#D55E00"  # Okabe-Ito vermillion
PARITY = {"color": "#333333", "dash": "dash", "width": 1}


def _height(rows: int) -> int:
    return 110 + 34 * max(rows, 1)


_TITLE = {"x": 0, "xanchor": "left", "y": 0.99, "yanchor": "top", "yref": "container", "font": {"color": TEXT}}
_LEGEND = {"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0, "xanchor": "left", "font": {"color": TEXT}}
_AXIS_STYLE = {"linecolor": "#5B6670", "gridcolor": GRID}
_AXIS_KEY = re.compile(r"[xy]axis\d*")


def _axis(axis: dict | None) -> dict:
    """An axis in the house style: dark tick labels and title, a visible axis line, light grid lines."""
    axis = dict(axis or {})
    title = axis.get("title")
    title = {"text": title} if isinstance(title, str) else dict(title or {})
    title["font"] = {**title.get("font", {}), "color": TEXT}
    return {**axis, "title": title, "tickfont": {**axis.get("tickfont", {}), "color": TEXT}, **_AXIS_STYLE}


def _figure(traces: list[dict], layout: dict, title: str, height: int | None = None) -> go.Figure:
    """The figure made once from plain traces and layout, in the house layout: the title on the first line, the
    legend on the second, the plot below (never on top of each other), every axis styled. Plotly validates it once;
    update_layout and update_xaxes diffed and re-validated the whole layout on each call (two thirds of a
    chart's cost)."""
    layout = {**layout, "title": {"text": title, **_TITLE}, "margin": {"l": 10, "r": 20, "t": 95, "b": 40},
              "legend": dict(_LEGEND), "font": {"size": 13, "color": TEXT}, **({"height": height} if height else {})}
    for key in {"xaxis", "yaxis", *(k for k in layout if _AXIS_KEY.fullmatch(k))}:
        layout[key] = _axis(layout.get(key))
    return go.Figure(data=traces, layout=layout)


def _unreliable(x, y, name: str, customdata, hovertemplate: str, **more) -> dict:
    """Rows below the display minimum: a grey cross at zero, never a bar or a rate."""
    return {"type": "scatter", "x": x, "y": y, "mode": "markers", "name": name,
            "marker": {"symbol": "x", "color": UNRELIABLE, "size": 10}, "customdata": customdata,
            "hovertemplate": hovertemplate, **more}


@text_safe
def rate_by_group(table: pd.DataFrame, title: str, label: str = Col.GROUP, over_time: bool = False,
                  colour: str = PALETTE[0]) -> go.Figure:
    """Positive rate per group with its 95% Wilson interval; unreliable groups marked, not drawn as a rate."""
    shown = table.dropna(subset=[Col.RATE])
    hidden = table[table[Col.RATE].isna()]
    hover = ("%{customdata[1]}: %{customdata[2]:.1f}% positive (95% CI %{customdata[3]:.1f}–%{customdata[4]:.1f}%, "
             "n = %{customdata[0]:,})<extra></extra>")
    data = shown[[Col.N, label, Col.RATE, Col.LOW, Col.HIGH]]
    up, down = shown[Col.HIGH] - shown[Col.RATE], shown[Col.RATE] - shown[Col.LOW]
    note = hidden[Col.NOTE].iloc[0] if len(hidden) else ""
    if over_time:
        traces = [{"type": "scatter", "x": shown[label], "y": shown[Col.RATE], "mode": "lines+markers",
                   "name": "% positive", "line": {"color": colour}, "customdata": data, "hovertemplate": hover,
                   "error_y": {"type": "data", "symmetric": False, "array": up, "arrayminus": down,
                               "color": "#4A5560"}}]
        if len(hidden):
            traces.append(_unreliable(hidden[label], [0] * len(hidden), note, hidden[[Col.N, Col.NOTE]],
                                      "%{x}: %{customdata[1]} (n = %{customdata[0]:,})<extra></extra>"))
        return _figure(traces, {"yaxis": {"title": "% positive", "range": [0, 105]},
                                "xaxis": {"type": "category", "title": None}}, title, 420)
    traces = [{"type": "bar", "x": shown[Col.RATE], "y": shown[label], "orientation": "h", "marker": {"color": colour},
               "name": "% positive", "customdata": data, "hovertemplate": hover,
               "error_x": {"type": "data", "symmetric": False, "array": up, "arrayminus": down, "color": "#333"}}]
    if len(hidden):
        traces.append(_unreliable([0] * len(hidden), hidden[label], note, hidden[[Col.N, Col.NOTE]],
                                  "%{y}: %{customdata[1]} (n = %{customdata[0]:,})<extra></extra>",
                                  mode="markers+text", text=hidden[Col.NOTE], textposition="middle right",
                                  textfont={"color": "#4A5560"}))
    return _figure(traces, {"xaxis": {"title": "% positive (agree or strongly agree)", "range": [0, 105]},
                            "yaxis": {"autorange": "reversed", "type": "category", "title": None},
                            "showlegend": len(hidden) > 0}, title, _height(len(table)))


@text_safe
def change_dumbbell(table: pd.DataFrame) -> go.Figure:
    """Mean answer before and after per outcome item, joined by a line; the method and n in the hover."""
    names = [o + ("" if note == "" else f" ({note})") for o, note in zip(table[Col.OUTCOME], table[Col.NOTE])]
    traces = []
    for i, name in enumerate(names):
        row = table.iloc[i]
        traces.append({"type": "scatter", "x": [row[Col.MEAN_BEFORE], row[Col.MEAN_AFTER]], "y": [name, name],
                       "mode": "lines", "line": {"color": UNRELIABLE if row[Col.NOTE] else "#888", "width": 3},
                       "showlegend": False, "hoverinfo": "skip"})
    custom = table[[Col.N_BEFORE, Col.N_AFTER, Col.METHOD]]
    for column, colour, label, n in ((Col.MEAN_BEFORE, PALETTE[1], "before", 0), (Col.MEAN_AFTER, PALETTE[0], "after", 1)):
        traces.append({
            "type": "scatter", "x": table[column], "y": names, "mode": "markers", "name": f"mean {label}",
            "marker": {"size": 13, "color": [UNRELIABLE if note else colour for note in table[Col.NOTE]],
                       "symbol": "circle" if n else "diamond"},
            "customdata": custom,
            "hovertemplate": f"%{{y}}: mean {label} %{{x:.2f}} (n = %{{customdata[{n}]:,}}; %{{customdata[2]}})"
                             "<extra></extra>"})
    return _figure(traces, {"xaxis": {"title": "mean answer (1 = strongly disagree … 5 = strongly agree)",
                                      "range": [1, 5.1]},
                            "yaxis": {"autorange": "reversed", "title": None}},
                   "Mean answer before and after the programme, by outcome", _height(len(table)))


@text_safe
def trend(table: pd.DataFrame, grain_label: str) -> go.Figure:
    """Attendance per period (bars) and the pooled positive rate (line, right axis) over time. The two y axes
    are laid out as make_subplots(secondary_y=True) lays them out."""
    traces = [{"type": "bar", "x": table[Col.PERIOD], "y": table[Col.ATTENDANCE], "name": "attendance",
               "marker": {"color": PALETTE[4]}, "customdata": table[[Col.SESSIONS]], "xaxis": "x", "yaxis": "y",
               "hovertemplate": "%{x}: %{y:,} attendance over %{customdata[0]:,} sessions<extra></extra>"}]
    shown = table.dropna(subset=[Col.RATE])
    traces.append({"type": "scatter", "x": shown[Col.PERIOD], "y": shown[Col.RATE], "name": "% positive outcomes",
                   "mode": "lines+markers", "line": {"color": PALETTE[5], "width": 3}, "customdata": shown[[Col.N]],
                   "xaxis": "x", "yaxis": "y2",
                   "hovertemplate": "%{x}: %{y:.1f}% positive (n = %{customdata[0]:,} answers)<extra></extra>"})
    hidden = table[table[Col.RATE].isna() & (table[Col.N] > 0)]
    if len(hidden):
        traces.append(_unreliable(hidden[Col.PERIOD], [0] * len(hidden), hidden[Col.NOTE].iloc[0], hidden[[Col.N]],
                                  "%{x}: too few answers for a rate (n = %{customdata[0]:,})<extra></extra>",
                                  xaxis="x", yaxis="y2"))
    layout = {"xaxis": {"anchor": "y", "domain": [0.0, 0.94], "type": "category"},
              "yaxis": {"anchor": "x", "domain": [0.0, 1.0], "title": "attendance", "rangemode": "tozero"},
              "yaxis2": {"anchor": "x", "overlaying": "y", "side": "right", "title": "% positive", "range": [0, 105],
                         "showgrid": False, "tickmode": "array", "tickvals": [0, 20, 40, 60, 80, 100]}}
    return _figure(traces, layout, f"Attendance and positive outcomes by {grain_label}", 420)


@text_safe
def attendance_bars(table: pd.DataFrame, label: str, title: str) -> go.Figure:
    """Attendance per group, horizontal, with sessions in the hover."""
    traces = [{"type": "bar", "x": table[Col.ATTENDANCE], "y": table[label], "orientation": "h",
               "marker": {"color": PALETTE[4]}, "customdata": table[[Col.SESSIONS]],
               "hovertemplate": "%{y}: %{x:,} attendance over %{customdata[0]:,} sessions<extra></extra>"}]
    return _figure(traces, {"xaxis": {"title": "attendance"},
                            "yaxis": {"autorange": "reversed", "type": "category", "title": None}},
                   title, _height(len(table)))


def _type_colour(kind) -> str:
    return PARTNERSHIP_COLOURS.get(kind if kind in PARTNERSHIP_COLOURS else None)


def _by_type(table: pd.DataFrame):
    """(type, rows) in the one order every legend uses: library, community, stakeholder, then the rest."""
    order = [t for t in PARTNERSHIP_COLOURS if t is not None]
    kinds = order + sorted(set(table[Col.TYPE].astype(str)) - set(order))
    for kind in kinds:
        rows = table[table[Col.TYPE].astype(str) == kind]
        if len(rows):
            yield kind, rows


LIBRARY_COLOUR = "#444444"  # the library service as a party, beside partners coloured by partnership type


@text_safe
def stake_bars(stakes: pd.DataFrame, programmes: list[str] | None = None) -> go.Figure:
    """One small multiple per stake (efforts, outputs, money, marketing, results): for each partnership
    programme, the library's share beside its partners' (by partnership type), stacked to 100%. Takes
    `impact.partner_views.stakes_table`; `programmes` fixes the order (not shared first). Axes are laid out
    by hand (make_subplots and one add_trace per trace cost half a second on the demo)."""
    from impact.equity.partners import LIBRARY, STAKES
    from impact.partner_views import NOT_RECORDED, STAKE_COLUMNS

    order = programmes or list(dict.fromkeys(stakes["programme"]))
    width, gap = 1 / len(STAKES), 0.012
    layout = {"barmode": "stack", "yaxis": {"categoryorder": "array", "categoryarray": order[::-1], "title": None,
                                            "anchor": "x"},
              "annotations": [{"text": stake, "x": (i + 0.5) * width, "y": 1.0, "xref": "paper", "yref": "paper",
                               "yanchor": "bottom", "showarrow": False, "font": {"size": 13}}
                              for i, stake in enumerate(STAKES)]}
    for i in range(len(STAKES)):
        layout["xaxis" if i == 0 else f"xaxis{i + 1}"] = {
            "domain": [i * width + (gap if i else 0), (i + 1) * width - gap], "range": [0, 100], "ticksuffix": "%",
            "anchor": "y"}
    if not len(stakes):
        return _figure([], layout, "The five stakes per partnership (nothing in scope)", 300)
    # (stake, kind) -> programme -> [share, parties]: plain records, a few hundred rows
    cells: dict[tuple[str, str], dict[str, list]] = {}
    records = stakes.to_dict("records")
    # what each share is a share of, for the hover's n: per programme, the whole of each stake
    units = {"efforts": ("staff hours", "staff hours"), "outputs": ("sessions led or co-delivered", "sessions"),
             "money": ("cash + in-kind £", "£ cash and in-kind")}
    whole: dict[tuple[str, str], float] = {}
    parties: dict[str, int] = {}
    for r in records:
        parties[r["programme"]] = parties.get(r["programme"], 0) + 1
        for stake, (column, _) in units.items():
            value = r[column]
            if value is not None and value == value:
                whole[(r["programme"], stake)] = whole.get((r["programme"], stake), 0.0) + value

    def n_of(programme: str, stake: str) -> str:
        if stake in units:
            return f"{whole.get((programme, stake), 0):,.0f} {units[stake][1]}"
        return f"{parties[programme]} parties"

    for r in records:
        k = "library service" if r["party"] == LIBRARY else (r["partnership type"] or NOT_RECORDED)
        for stake in STAKES:
            share = r[STAKE_COLUMNS[stake]]
            if share is None or share != share:
                continue
            cell = cells.setdefault((stake, k), {}).setdefault(r["programme"], [0.0, []])
            cell[0] += share
            cell[1].append(str(r["party"]))
    present = {k for _, k in cells}
    kinds = ["library service", *[t for t in PARTNERSHIP_COLOURS if t],
             *sorted(present - {"library service", *PARTNERSHIP_COLOURS})]
    traces, shown = [], set()
    for i, stake in enumerate(STAKES):
        for k in kinds:
            rows = cells.get((stake, k))
            if not rows:
                continue
            colour = LIBRARY_COLOUR if k == "library service" else _type_colour(None if k == NOT_RECORDED else k)
            traces.append({  # plain dicts: go.Bar objects would be validated here and again by the Figure
                "type": "bar", "x": [v[0] for v in rows.values()], "y": list(rows), "orientation": "h", "name": k,
                "marker": {"color": colour}, "legendgroup": k, "showlegend": k not in shown,
                "xaxis": "x" if i == 0 else f"x{i + 1}", "yaxis": "y",
                "customdata": [[", ".join(v[1]), n_of(p, stake)] for p, v in rows.items()],
                "hovertemplate": f"%{{y}}: %{{customdata[0]}} {stake} %{{x:.0f}}% (n = %{{customdata[1]}})<extra></extra>"})
            shown.add(k)
    n = len(order)
    return _figure(traces, layout, f"The five stakes per partnership, the library beside its partners (n = {n})",
                   160 + 22 * max(n, 1))


@text_safe
def feedback_dumbbell(table: pd.DataFrame) -> go.Figure:
    """Both sides' mean health-check score per partnership: the library and the partner on one line.
    Takes `impact.partner_views.feedback_table`."""
    shown = table.dropna(subset=["library mean", "partner mean"], how="all")
    both = shown.dropna(subset=["library mean", "partner mean"])
    xs, ys = [], []
    for name, a, b in zip(both["partnership"], both["library mean"], both["partner mean"]):
        xs += [a, b, None]
        ys += [name, name, None]
    traces = [{"type": "scatter", "x": xs, "y": ys, "mode": "lines", "line": {"color": "#BBBBBB", "width": 3},
               "showlegend": False, "hoverinfo": "skip"}]
    for side, colour, symbol in (("library", LIBRARY_COLOUR, "circle"), ("partner", PALETTE[1], "diamond")):
        rows = shown.dropna(subset=[f"{side} mean"])
        traces.append({"type": "scatter", "x": rows[f"{side} mean"], "y": rows["partnership"], "mode": "markers",
                       "name": f"the {side}'s view", "marker": {"size": 12, "color": colour, "symbol": symbol},
                       "hovertemplate": "%{y}: " + side + " %{x:.1f} out of 5 (n = 1 health check)<extra></extra>"})
    return _figure(traces, {"xaxis": {"title": "mean agreement, 1 (strongly disagree) to 5 (strongly agree)",
                                      "range": [1, 5]},
                            "yaxis": {"categoryorder": "array", "categoryarray": list(shown["partnership"])[::-1]}},
                   "Is it working for both sides? Each side's health check per partnership", _height(len(shown)))


@text_safe
def network(graph, seed: int = 7) -> go.Figure:
    """The partner-programme graph: partners coloured by partnership type, programmes as small grey squares;
    every programme is the library's, so the library itself is the hub left undrawn."""
    import networkx as nx

    if graph.number_of_nodes() == 0:
        return _figure([], {}, "Partnership network (nothing in scope)", 300)
    pos = nx.spring_layout(graph, seed=seed, k=1.2 / max(graph.number_of_nodes(), 1) ** 0.5)
    xs, ys = [], []
    for a, b in graph.edges():
        xs += [pos[a][0], pos[b][0], None]
        ys += [pos[a][1], pos[b][1], None]
    traces = [{"type": "scatter", "x": xs, "y": ys, "mode": "lines", "line": {"color": "#BBBBBB", "width": 1},
               "hoverinfo": "skip", "showlegend": False}]
    programmes = [n for n, kind in graph.nodes(data="kind") if kind == "programme"]
    if programmes:
        traces.append({
            "type": "scatter", "x": [pos[n][0] for n in programmes], "y": [pos[n][1] for n in programmes],
            "mode": "markers", "name": "programme", "marker": {"symbol": "square", "size": 7, "color": "#777777"},
            "customdata": [[n[1], graph.degree(n)] for n in programmes],
            "hovertemplate": "%{customdata[0]} (programme; n = %{customdata[1]} partners)<extra></extra>"})
    partners = [(n, graph.nodes[n].get("type")) for n, kind in graph.nodes(data="kind") if kind == "partner"]
    for kind in [*PARTNERSHIP_COLOURS, *sorted({str(t) for _, t in partners if t not in PARTNERSHIP_COLOURS})]:
        nodes = [n for n, t in partners if (t if t in PARTNERSHIP_COLOURS else str(t)) == kind]
        if not nodes:
            continue
        traces.append({
            "type": "scatter", "x": [pos[n][0] for n in nodes], "y": [pos[n][1] for n in nodes], "mode": "markers",
            "name": f"{kind or 'type not recorded'} partner",
            "marker": {"size": 13, "color": _type_colour(kind), "line": {"color": "white", "width": 1}},
            "customdata": [[n[1], graph.degree(n)] for n in nodes],
            "hovertemplate": "%{customdata[0]} (" + str(kind) + "; n = %{customdata[1]} programmes)<extra></extra>"})
    return _figure(traces, {"xaxis": {"visible": False}, "yaxis": {"visible": False}, "plot_bgcolor": "white"},
                   "Partnership network: partners (coloured by type) joined through shared programmes", 560)


@text_safe
def representation(table: pd.DataFrame, dimension_label: str, threshold: float) -> go.Figure:
    """Representation index per group with its interval, the parity line at 1 and the blindspot threshold (drawn
    as fig.add_vline draws them)."""
    shown = table.dropna(subset=[Col.RI])
    colours = [BLINDSPOT_COLOUR if b else PALETTE[0] for b in shown[Col.BLINDSPOT]]
    traces = [{
        "type": "scatter", "x": shown[Col.RI], "y": shown[Col.GROUP], "mode": "markers",
        "name": "representation index",
        "marker": {"size": 12, "color": colours, "symbol": ["diamond" if b else "circle" for b in shown[Col.BLINDSPOT]]},
        "error_x": {"type": "data", "symmetric": False, "array": shown[Col.RI_HIGH] - shown[Col.RI],
                    "arrayminus": shown[Col.RI] - shown[Col.RI_LOW], "color": "#4A5560"},
        "customdata": shown[[Col.PARTICIPANTS, Col.SHARE, Col.POPULATION_SHARE]],
        "hovertemplate": "%{y}: RI %{x:.2f} (%{customdata[1]:.1f}% of those counted, %{customdata[2]:.1f}% of the "
                         "population; n = %{customdata[0]:,})<extra></extra>"}]
    lines = ((1, PARITY, "parity", 1, "bottom"),
             (threshold, {"color": BLINDSPOT_COLOUR, "dash": "dot", "width": 1}, f"blindspot below {threshold:g}", 0,
              "top"))
    layout = {
        "shapes": [{"type": "line", "line": line, "x0": x, "x1": x, "xref": "x", "y0": 0, "y1": 1, "yref": "y domain"}
                   for x, line, _, _, _ in lines],
        "annotations": [{"showarrow": False, "text": text, "x": x, "xanchor": "center", "xref": "x", "y": y,
                         "yanchor": anchor, "yref": "y domain"} for x, _, text, y, anchor in lines],
        "xaxis": {"title": "representation index (participant share / population share)", "rangemode": "tozero"},
        "yaxis": {"autorange": "reversed", "type": "category", "title": None}, "showlegend": False}
    return _figure(traces, layout, f"Who is reached in proportion, by {dimension_label.lower()} (diamonds: blindspots)",
                   _height(len(shown)) + 30)
