"""The Admin page says which stored names hold personal data and are shown scrubbed (issue 16 part 5)."""
from __future__ import annotations

import sqlalchemy as sa
from pagetest import run

from impact.store import Store


def test_the_admin_page_says_which_stored_names_are_shown_scrubbed(demo):
    store = Store(demo)
    with store.engine.begin() as conn:  # a name stored before uploads scrubbed names
        t = store.tables["programmes"]
        first = conn.execute(sa.select(t.c.name).order_by(t.c.name).limit(1)).scalar()
        conn.execute(t.update().where(t.c.name == first).values(name=f"{first} (ask jane@example.com)"))
    store.dispose()
    at = run("pages/admin.py")
    warning = " ".join(w.value for w in at.warning)
    assert "1 stored names hold personal data" in warning and f"{first} (ask \\[email\\])" in warning  # markdown-escaped brackets
    assert "jane@example.com" not in warning
    overview = run()
    assert not any("jane@example.com" in m.value for m in overview.markdown)
