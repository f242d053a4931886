"""Beyond Footfall: entry point. Page config, who is acting (ui/auth.py) and the navigation their role allows;
each explore page draws the shared filter bar (ui/filterbar.py) itself, so a page opened on its own still has it."""
import streamlit as st

from ui import auth, style, transport
from ui.common import guarded as shown_safely

transport.once()  # messages sent at once, not held 40 ms for the browser's acknowledgement (ui/transport.py)
st.set_page_config(page_title="Beyond Footfall", page_icon="📚", layout="wide")
style.inject()  # caption contrast, visible focus, phone layout (ui/style.py)

who = auth.gate()
if who is None:
    shown_safely(auth.sign_in_navigation().run)
elif who.role is None:
    shown_safely(auth.no_role_navigation().run)
else:
    # (page, the action it needs): pages a role cannot use are not in its navigation, so not reachable by URL
    sections = {
        "Explore": [
            (st.Page("pages/overview.py", title="Overview", icon=":material/insights:", default=True), "explore"),
            (st.Page("pages/outcomes.py", title="Outcomes", icon=":material/sentiment_satisfied:"), "explore"),
            (st.Page("pages/programmes.py", title="Programmes", icon=":material/event_note:"), "explore"),
            (st.Page("pages/partners.py", title="Partners", icon=":material/handshake:"), "explore"),
            (st.Page("pages/equity.py", title="Equity", icon=":material/diversity_3:"), "explore"),
        ],
        "Data": [
            (st.Page("pages/upload.py", title="Upload", icon=":material/upload_file:"), "upload"),
            (st.Page("pages/comments.py", title="Comments", icon=":material/format_quote:"), "code-comments"),
            (st.Page("pages/evidence.py", title="Evidence", icon=":material/description:"), "export"),
            (st.Page("pages/admin.py", title="Admin", icon=":material/admin_panel_settings:"), "users"),
        ],
    }
    allowed = {name: [p for p, action in pages if who.may(action)] for name, pages in sections.items()}
    # one flat list, Explore pages first: Streamlit's navigation with sections is not a valid list for screen
    # readers (axe `list`/`listitem`, serious); a fault is a message, never a traceback
    shown_safely(st.navigation([p for pages in allowed.values() for p in pages]).run)
