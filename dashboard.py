"""Beyond Footfall: entry point. Page config and navigation; the pages do the rest."""
import streamlit as st

st.set_page_config(page_title="Beyond Footfall", page_icon="📚", layout="wide")

pages = [
    st.Page("pages/overview.py", title="Overview", icon=":material/insights:", default=True),
    st.Page("pages/upload.py", title="Upload", icon=":material/upload_file:"),
]
st.navigation(pages).run()
