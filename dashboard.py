"""Beyond Footfall: entry point. Page config and navigation; each explore page draws the shared filter bar
(ui/filterbar.py) itself, so a page opened on its own still has it."""
import streamlit as st

from ui import style
from ui.common import guarded

st.set_page_config(page_title="Beyond Footfall", page_icon="📚", layout="wide")
style.inject()  # caption contrast, visible focus, phone layout (ui/style.py)

explore = [
    st.Page("pages/overview.py", title="Overview", icon=":material/insights:", default=True),
    st.Page("pages/outcomes.py", title="Outcomes", icon=":material/sentiment_satisfied:"),
    st.Page("pages/programmes.py", title="Programmes", icon=":material/event_note:"),
    st.Page("pages/partners.py", title="Partners", icon=":material/handshake:"),
    st.Page("pages/equity.py", title="Equity", icon=":material/diversity_3:"),
]
data = [
    st.Page("pages/upload.py", title="Upload", icon=":material/upload_file:"),
    st.Page("pages/comments.py", title="Comments", icon=":material/format_quote:"),
    st.Page("pages/evidence.py", title="Evidence", icon=":material/description:"),
]
guarded(st.navigation({"Explore": explore, "Data": data}).run)  # a fault is a message, never a traceback
