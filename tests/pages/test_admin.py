"""The admin page in single-user mode (no [auth] section): users, settings and the audit trail; and the one
sidebar line every page shows when nobody signs in."""
from __future__ import annotations

import json

from pagetest import run

from impact import accounts, audit_trail
from impact.store import Store


def test_the_sidebar_says_in_one_line_that_nobody_signs_in(app):
    # (AppTest drops the entry script's sidebar after a page switch; the browser test checks every page)
    at = run()
    lines = [c.value for c in at.sidebar.caption if "Single-user mode" in c.value]
    assert len(lines) == 1 and "no sign-in is configured" in lines[0]


def test_single_user_navigation_lists_every_page(app):
    at = run()
    # the navigation is not an element AppTest exposes; every page is reachable with no refusal instead
    for page in ("pages/upload.py", "pages/evidence.py", "pages/admin.py"):
        at.switch_page(page).run()
        assert not at.exception and not [e for e in at.error if "does not allow" in e.value], page


def test_an_admin_gives_a_role_changes_a_setting_and_the_trail_shows_both(app):
    at = run("pages/admin.py")
    at.text_input(key="admin.email").input("New.Colleague@Library.org")
    at.selectbox(key="admin.role").select("staff")
    at.button[0].click().run()  # the form's Save
    assert not at.exception
    assert any("new.colleague@library.org: no role → staff" in s.value for s in at.success)
    store = Store(app)
    assert accounts.role_of(store, "new.colleague@library.org") == "staff"
    at.number_input[0].set_value(7)  # fewest responses to show a percentage
    next(b for b in at.button if b.label == "Save settings").click().run()
    assert store.setting("min_n") == "7"
    events = audit_trail.trail(store).sort_values("id")
    assert events["event"].tolist() == ["role", "setting"]
    assert events["via"].tolist() == ["single-user", "single-user"]
    assert json.loads(events["detail"].iloc[1]) == {"key": "min_n", "before": "10", "after": "7"}
    next(b for b in at.button if b.label == "Prepare the whole trail as CSV").click().run()
    assert [d.label for d in at.get("download_button")] == ["Download the audit trail (CSV)"]
    assert audit_trail.trail(store, "export")["event"].tolist() == ["export"]
    store.dispose()


def test_removing_the_last_admin_is_refused_on_the_page(app):
    store = Store(app)
    accounts.set_role(store, "boss@library.org", "admin", by="test")
    at = run("pages/admin.py")
    at.text_input(key="admin.email").input("boss@library.org")
    at.selectbox(key="admin.role").select("(remove access)")
    at.button[0].click().run()
    assert any("last admin" in e.value for e in at.error)
    assert accounts.role_of(store, "boss@library.org") == "admin"
    store.dispose()
