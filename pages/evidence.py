"""Evidence: pick a scope and build a pack for a funder (workbook, PDF report, chart images, statements)."""
import streamlit as st

from impact import comments, guarded
from impact.export import FORMATS
from impact.safe_text import markdown as as_text
from impact.scope import describe, source_words
from ui.auth import require_page
from ui.common import current, filters, store


class Keys:
    """Session keys of this page."""

    PACK = "evidence_pack_zip"
    STATEMENTS = "evidence_pack_statements"
    LEFT_OUT = "evidence_pack_left_out"
    SCOPE = "evidence_pack_scope"


who = require_page("export")
st.title("Evidence")
st.caption("An evidence pack for a funder or council, for the scope the filters choose: an Excel workbook with native "
           "charts, a PDF report and the same report as a web page, chart images and ready-made statements, safe "
           "to share.")

url, version, frames = current()
programmes = frames.get("programmes")
if programmes is None or not len(programmes):
    st.info("No programmes are loaded yet: upload your spreadsheets first.")
    st.page_link("pages/upload.py", label="Upload a spreadsheet", icon=":material/upload_file:")
    st.stop()

chosen = filters()  # the one scope every page shares: the filter bar in the sidebar (and the address bar)
batches = store().batches()
active = batches[batches["undone_at"].isna()] if len(batches) and "undone_at" in batches else batches
st.header(f"Scope: {as_text(describe(chosen))}")
st.caption(f"{as_text(source_words(active))}. Change the scope with the filters in the sidebar: the pack covers "
           "exactly what the other pages show.")
formats = st.multiselect("Files", list(FORMATS), default=list(FORMATS), key="evidence_formats",
                         help="xlsx workbook, pdf report, png chart images, txt statements, csv tables")
build = st.button("Build the evidence pack", type="primary", key="evidence_build")

if build:
    bar = st.progress(0.0, text="Starting")
    pack = guarded.export_pack(store(), who, frames, chosen, formats or FORMATS,
                               progress=lambda share, what: bar.progress(min(share, 1.0), text=what),
                               comments=comments.load(store()))
    st.session_state[Keys.PACK] = pack.zip()
    st.session_state[Keys.STATEMENTS] = [s.text for s in pack.evidence.statements]
    st.session_state[Keys.LEFT_OUT] = list(pack.evidence.left_out)
    st.session_state[Keys.SCOPE] = describe(chosen)
    bar.empty()

if Keys.PACK in st.session_state:
    built_for = st.session_state.get(Keys.SCOPE, "")
    st.success(f"The pack for {as_text(built_for)} is ready: {len(st.session_state[Keys.STATEMENTS])} statements.")
    if built_for != describe(chosen):
        st.warning("The filters have changed since this pack was built: build it again for the scope above.")
    st.download_button("Download the evidence pack (zip)", st.session_state[Keys.PACK], "evidence-pack.zip",
                       "application/zip", on_click="ignore", type="primary", key="evidence_download")
    st.header("What the evidence says")
    for text in st.session_state[Keys.STATEMENTS]:
        st.markdown(f"- {as_text(text)}")
    for note in st.session_state[Keys.LEFT_OUT]:
        st.caption(f"Left out: {as_text(note)}")
    st.caption("Self-reported survey answers from those who chose to answer, with no comparison group: a direction "
               "of change, not proof of cause. Cells describing fewer than "
               f"{store().setting('suppress_n')} people are suppressed ([c]) in every file.")
