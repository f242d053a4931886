"""Admin: who may sign in and with which role, the settings, and the audit trail (view and CSV)."""
import pandas as pd
import streamlit as st

from impact import accounts, audit_trail, guarded
from impact.accounts import Refused
from impact.safe_text import markdown as as_text
from impact.scopes import Scope
from ui.auth import configured, require_page
from ui.common import prepared, store


class Keys:
    EMAIL = "admin.email"
    ROLE = "admin.role"
    PARTNERS = "admin.scope.partners"
    BRANCHES = "admin.scope.branches"
    EVENT = "admin.audit.event"
    CSV = "admin.audit.csv"
    MESSAGE = "admin.message"


REMOVE = "(remove access)"
who = require_page("users")
db = store()

st.title("Admin")
st.caption("Who may sign in and what each may do, the settings every page uses, and the record of who did what.")
if message := st.session_state.pop(Keys.MESSAGE, None):
    getattr(st, message[0])(message[1])
if screened := prepared().screened:
    listed = "; ".join(f"{kind}: {name}" for kind, name in screened[:8]) + (" …" if len(screened) > 8 else "")
    st.warning(f"{len(screened)} stored names hold personal data (an email, a phone number or a titled name), "
               f"stored before uploads scrubbed names or by another tool. Every page and pack shows them scrubbed: "
               f"{as_text(listed)}. To choose the names yourself, undo their upload and upload the file again, "
               "renaming them on the Upload page.")

st.header("Users")
if not configured():
    st.info("Sign-in is off (single-user mode), so these roles take effect once an [auth] section is added to "
            ".streamlit/secrets.toml: see .streamlit/secrets.toml.example.")
users = accounts.accounts(db)
st.dataframe(users.rename(columns={"added_at_utc": "added (UTC)"}), hide_index=True, width="stretch")
st.caption("Roles: " + "; ".join(f"**{r}**: {h}" for r, h in accounts.ROLE_HELP.items()) + ".")
with st.form("admin.user", clear_on_submit=True):
    left, right = st.columns([2, 1])
    email = left.text_input("Email (as the sign-in provider gives it)", key=Keys.EMAIL)
    role = right.selectbox("Role", [*accounts.ROLES, REMOVE], key=Keys.ROLE)
    names = lambda table, column: sorted({str(v) for v in db.load(table).get(column, pd.Series()).dropna()})
    left, right = st.columns(2)
    partners = left.multiselect("Only these partners (optional)", names("partners", "name"), key=Keys.PARTNERS,
                                placeholder="every partner", help="A partner organisation's own login: it sees "
                                "its partnerships and the programmes it is part of, never others'.")
    branches = right.multiselect("Only these branches (optional)", names("programmes", "branch"),
                                 key=Keys.BRANCHES, placeholder="every branch")
    if st.form_submit_button("Save", type="primary"):
        try:
            before, after = guarded.set_role(db, who, email, None if role == REMOVE else role,
                                             Scope(tuple(partners), tuple(branches)))
            st.session_state[Keys.MESSAGE] = ("success", (f"{accounts.normalise_email(email)}: "
                                              f"{before or 'no role'} → {after or 'no access'}."))
            st.rerun()
        except (Refused, ValueError) as e:
            st.error(str(e))

st.header("Settings")
current = db.settings()
with st.form("admin.settings"):
    cols = st.columns(3)
    values = {
        "min_n": cols[0].number_input("Fewest responses to show a percentage", 1, 1000, int(current["min_n"])),
        "suppress_n": cols[1].number_input("Exports suppress cells describing fewer than", 1, 1000,
                                           int(current["suppress_n"])),
        "hourly_rate": cols[2].number_input("Staff cost per hour (£)", 0.0, 1000.0, float(current["hourly_rate"]),
                                            step=0.5),
        "max_upload_mb": cols[0].number_input("Largest upload (MB)", 1, 2000, int(float(current["max_upload_mb"]))),
        accounts.IDLE_SETTING: cols[1].number_input(
            "Sign out after this many idle minutes (0: never)", 0, 24 * 60, accounts.idle_minutes(db),
            help="A signed-in browser left alone this long must sign in again."),
    }
    if st.form_submit_button("Save settings"):
        try:
            for key, value in values.items():
                guarded.set_setting(db, who, key, value)
            st.session_state[Keys.MESSAGE] = ("success", "Settings saved.")
            st.rerun()
        except Refused as e:
            st.error(str(e))

st.header("Audit trail")
st.caption("Every upload, undo, setting change, role change, export, sign-in and refused attempt; kept when a batch "
           "is undone. Times are UTC.")
event = st.selectbox("Show", ["(everything)", *audit_trail.EVENTS], key=Keys.EVENT)
trail = audit_trail.trail(db, None if event == "(everything)" else event, limit=1000)
st.dataframe(trail, hide_index=True, width="stretch", column_config={
    "detail": st.column_config.TextColumn("detail", width="large")})
st.caption(f"The newest {len(trail):,} entries; the CSV holds them all." if len(trail) == 1000 else
           f"{len(trail):,} entries.")
if st.button("Prepare the whole trail as CSV"):
    try:
        st.session_state[Keys.CSV] = guarded.audit_csv(db, who)
    except Refused as e:
        st.error(str(e))
if Keys.CSV in st.session_state:
    st.download_button("Download the audit trail (CSV)", st.session_state[Keys.CSV],
                       f"audit-trail-{pd.Timestamp.now(tz='UTC'):%Y%m%d-%H%M}.csv", "text/csv", on_click="ignore")
