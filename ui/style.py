"""The one small CSS block the app injects (dashboard.py, once per run): what Streamlit's theme options cannot set.

- Captions: Streamlit draws them in the text colour at 60% opacity (#797f85 on white, 4.04:1); WCAG 2.2 AA
  asks 4.5:1 for text, so they take a solid slate grey (#4A5560: 7.4:1 on white, 6.8:1 on the sidebar grey).
- Focus: every focusable element shows a 3 px outline in the primary blue when reached by keyboard.
- The button that opens the closed sidebar (the filters), a bare » icon, shows its accessible name "Expand sidebar"
  as text too (the visible label must be inside the name, WCAG 2.5.3; Streamlit fixes the aria-label).
- Phone (≤ 640 px): wide tables and charts scroll inside themselves; the page never scrolls sideways; plotly's
  toolbar, which would sit on the chart's title, is hidden (every chart's table has its own download).
"""
CAPTION = "#4A5560"
FOCUS = "#0072B2"
TEXT = "#1F2933"

CSS = f"""<style>
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p,
[data-testid="stWidgetLabel"] [data-testid="stTooltipIcon"], [data-testid="stMetricDelta"] + div {{
  color: {CAPTION} !important; opacity: 1 !important; }}
a:focus-visible, button:focus-visible, input:focus-visible, textarea:focus-visible, select:focus-visible,
[role="button"]:focus-visible, [role="combobox"]:focus-visible, [role="option"]:focus-visible,
[role="tab"]:focus-visible, [role="radio"]:focus-visible, [role="checkbox"]:focus-visible, [tabindex]:focus-visible {{
  outline: 3px solid {FOCUS} !important; outline-offset: 2px !important; }}
[data-testid="stExpandSidebarButton"]::after {{ content: "Expand sidebar"; font-weight: 600; font-size: 0.95rem;
  margin-left: 0.3rem; color: {TEXT}; }}
[data-testid="stExpandSidebarButton"] {{ width: auto !important; padding: 0 0.5rem !important; }}
@media (max-width: 640px) {{
  [data-testid="stPlotlyChart"] .modebar-container {{ display: none !important; }}
  [data-testid="stMainBlockContainer"] {{ padding-left: 0.75rem; padding-right: 0.75rem; overflow-x: hidden; }}
  [data-testid="stDataFrame"], [data-testid="stTable"], [data-testid="stPlotlyChart"] {{
    max-width: 100%; overflow-x: auto; }}
}}
</style>"""


def inject() -> None:
    import streamlit as st

    st.html(CSS)
