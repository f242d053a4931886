"""Sign-in through a real OpenID Connect provider (oidc-provider-mock on 127.0.0.1) and Streamlit's own redirect
flow: each role sees the pages it may use and nothing else; a viewer who types another page's address is refused;
a signed-in email with no role sees only whom to ask; every sign-in lands in the audit trail."""
from __future__ import annotations

import contextlib
import json
import os
import secrets
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from app_process import ARGS, CHROMIUM, ROOT, NotStarted, free_port, serving
from streamlit_idle import IDLE

pytestmark = pytest.mark.browser
EXPLORE = ["Overview", "Outcomes", "Programmes", "Partners", "Equity"]
USERS = {"vi@library.org": "viewer", "ad@library.org": "advocate", "st@library.org": "staff",
         "boss@library.org": "admin"}
PARTNER_LOGIN, PARTNER = "champions@westfield.org", "Westfield Digital Champions"  # a demo partner in 5 programmes
NAVIGATION = {
    "viewer": EXPLORE,
    "advocate": [*EXPLORE, "Evidence"],
    "staff": [*EXPLORE, "Upload", "Comments", "Evidence"],
    "admin": [*EXPLORE, "Upload", "Comments", "Evidence", "Admin"],
}


@pytest.fixture(scope="module")
def provider():
    """A real OpenID Connect provider: discovery, authorisation form, token endpoint, signed identity tokens."""
    import oidc_provider_mock
    import werkzeug.serving

    server = werkzeug.serving.make_server("127.0.0.1", 0, oidc_provider_mock.app(), threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(10)


@pytest.fixture(scope="module")
def signed_app(provider, tmp_path_factory):
    """The dashboard with an [auth] section pointing at the provider, and four accounts made from the CLI."""
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed (apt-get install chromium)")
    tmp = tmp_path_factory.mktemp("signin")
    port = free_port()
    db = f"sqlite:///{tmp / 'signin.db'}"
    for email, role in USERS.items():
        subprocess.run([sys.executable, "-m", "impact", "users", "add", email, "--role", role, "--db", db],
                       cwd=ROOT, check=True, capture_output=True, timeout=120)
    subprocess.run([sys.executable, "-m", "impact", "users", "add", PARTNER_LOGIN, "--role", "advocate",
                    "--partner", PARTNER, "--db", db], cwd=ROOT, check=True, capture_output=True, timeout=120)
    secrets_file = tmp / "secrets.toml"
    secrets_file.write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_hex(32)}"\n'
        'client_id = "beyond-footfall"\n'
        'client_secret = "test-secret"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n')
    try:
        with serving(tmp / "app.log", {**os.environ, "IMPACT_DATABASE_URL": db}, port,
                     [f"--secrets.files={secrets_file}"]) as base:
            yield base, db
    except NotStarted as e:
        pytest.fail(str(e))


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})  # cookies of its own: a new person
    pg = context.new_page()
    yield pg
    # settle any redirect still under way (a sign-out goes through the provider) before closing: closing a
    # context while its page is mid-navigation can wait forever, and it has no timeout of its own
    with contextlib.suppress(Exception):
        pg.goto("about:blank", timeout=15_000)
    context.close()


def _idle(page) -> None:
    page.wait_for_selector(IDLE, timeout=120_000)
    page.wait_for_timeout(200)
    page.wait_for_selector(IDLE, timeout=60_000)


def sign_in(page, base: str, email: str) -> None:
    """Through the real flow: the app's Sign in button, the provider's form, the callback, back to the app."""
    page.goto(base, timeout=120_000)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector("input[name=sub]", timeout=60_000)  # the provider's own page
    assert not page.url.startswith(base)
    page.fill("input[name=sub]", email)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(f"{base}/**", timeout=60_000)
    page.get_by_text(f"Signed in as {email}").wait_for(timeout=120_000)
    _idle(page)


def navigation(page) -> list[str]:
    return [t.strip().splitlines()[-1] for t in page.get_by_test_id("stSidebarNav").locator("a").all_inner_texts()]


def test_nothing_is_shown_before_sign_in_even_by_a_deep_link_opened_first(signed_app, page):
    base, _ = signed_app
    # the very first run after the server starts, by a deep link: Streamlit runs pages/ scripts directly then
    for path in ("upload", "overview", "admin", ""):
        page.goto(f"{base}/{path}", timeout=120_000)
        page.get_by_role("button", name="Sign in").first.wait_for(timeout=120_000)
        _idle(page)
        assert page.get_by_test_id("stMetric").count() == 0, path
        assert page.get_by_test_id("stFileUploaderDropzoneInput").count() == 0, path
        assert page.get_by_text("Audit trail", exact=True).count() == 0 and page.get_by_text("Headline figures").count() == 0


@pytest.mark.parametrize("email", list(USERS))
def test_each_role_sees_the_pages_it_may_use_and_nothing_else(signed_app, page, email):
    base, _ = signed_app
    sign_in(page, base, email)
    role = USERS[email]
    page.get_by_test_id("stSidebarNav").wait_for(timeout=60_000)
    assert navigation(page) == NAVIGATION[role]
    page.get_by_test_id("stMetric").first.wait_for(timeout=120_000)  # the overview's figures
    assert page.get_by_text(f"Signed in as {email} · {role}").count() == 1
    if role in ("staff", "admin"):
        page.get_by_test_id("stSidebarNav").get_by_role("link", name="Upload").click()
        page.get_by_text(f"Uploading as {email}").wait_for(timeout=60_000)
        assert page.get_by_text(f"Signed in as {email}").count() == 1  # on every page, not just the first
        _idle(page)
        page.get_by_text("Upload history").wait_for(timeout=60_000)
        # the demo was uploaded by "demo": staff may undo only their own uploads, an admin any
        assert (page.get_by_text("Undo a whole upload").count() == 1) == (role == "admin")
    if role == "admin":
        page.get_by_test_id("stSidebarNav").get_by_role("link", name="Admin").click()
        page.get_by_text("Audit trail", exact=True).wait_for(timeout=60_000)
        _idle(page)
        table = page.get_by_test_id("stDataFrame").first
        assert table.count() == 1


def test_a_viewer_who_types_another_pages_address_is_refused(signed_app, page):
    base, _ = signed_app
    sign_in(page, base, "vi@library.org")
    for path, marker in (("upload", "Bring in your spreadsheets"), ("evidence", "An evidence pack for a funder"),
                         ("admin", "Who may sign in and what each may do")):
        page.goto(f"{base}/{path}", timeout=60_000)
        page.get_by_text("Signed in as vi@library.org").wait_for(timeout=60_000)
        _idle(page)
        assert page.get_by_text(marker).count() == 0, path
        assert page.get_by_test_id("stFileUploaderDropzoneInput").count() == 0
        assert navigation(page) == NAVIGATION["viewer"]


def test_a_signed_in_email_with_no_role_sees_only_whom_to_ask(signed_app, page):
    base, _ = signed_app
    page.goto(base, timeout=120_000)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector("input[name=sub]", timeout=60_000)
    page.fill("input[name=sub]", "stranger@elsewhere.org")
    page.get_by_role("button", name="Authorize").click()
    page.get_by_text("Ask for access").first.wait_for(timeout=120_000)
    _idle(page)
    assert page.get_by_text("boss@library.org").count() >= 1  # the admin to ask
    assert page.get_by_test_id("stSidebarNav").count() == 0 and page.get_by_test_id("stMetric").count() == 0
    page.goto(f"{base}/overview", timeout=60_000)
    page.get_by_text("Ask for access").first.wait_for(timeout=60_000)
    _idle(page)
    assert page.get_by_test_id("stMetric").count() == 0


def test_sign_ins_and_sign_out_are_in_the_audit_trail(signed_app, page):
    from impact import audit_trail
    from impact.store import Store

    base, db = signed_app
    sign_in(page, base, "ad@library.org")
    page.get_by_role("button", name="Sign out", exact=True).click()
    page.wait_for_function(f"() => !location.href.startsWith({json.dumps(base)}) || "
                           "document.body.innerText.includes('Sign in')", timeout=60_000)
    store = Store(db)
    trail = audit_trail.trail(store)
    store.dispose()
    signed_in = trail[trail["event"] == "sign-in"]
    assert set(signed_in["actor"]) >= {"ad@library.org"}
    assert (signed_in["via"] == "sign-in").all()
    mine = trail[trail["actor"] == "ad@library.org"].sort_values("id")["event"].tolist()
    assert mine[-2:] == ["sign-in", "sign-out"]
    assert json.loads(signed_in.iloc[0]["detail"])["subject"]


def test_an_idle_session_is_signed_out_at_the_next_click_and_recorded(signed_app, page):
    import datetime as dt

    import sqlalchemy as sa

    from impact import accounts, audit_trail
    from impact.store import Store

    base, db = signed_app
    sign_in(page, base, "st@library.org")
    store = Store(db)
    # the browser's last activity 31 minutes ago: past the default 30-minute idle timeout
    with store.engine.begin() as conn:
        conn.execute(accounts.SESSIONS.update().where(accounts.SESSIONS.c.email == "st@library.org").values(
            last_seen_utc=accounts.utcnow() - dt.timedelta(minutes=31)))
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Outcomes").click()
    page.wait_for_function(f"() => !location.href.startsWith({json.dumps(base)}) || "
                           "document.body.innerText.includes('Sign in')", timeout=60_000)
    page.goto(base, timeout=60_000)
    page.get_by_role("button", name="Sign in").first.wait_for(timeout=60_000)  # the cookie is gone
    assert page.get_by_test_id("stMetric").count() == 0
    expired = audit_trail.trail(store, "session-expired")
    assert expired["actor"].tolist() == ["st@library.org"]
    assert json.loads(expired["detail"].iloc[0]) == {"idle_minutes": 30}
    with store.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(accounts.SESSIONS)).scalar() >= 1
    store.dispose()


def test_single_user_mode_says_so_on_every_page_and_lists_every_page(app_server, page):
    base, db = app_server
    page.goto(base, timeout=120_000)
    page.get_by_test_id("stMetric").first.wait_for(timeout=120_000)
    _idle(page)
    assert navigation(page) == NAVIGATION["admin"]
    for title in NAVIGATION["admin"]:
        page.get_by_test_id("stSidebarNav").get_by_role("link", name=title).click()
        page.wait_for_timeout(300)
        _idle(page)
        line = page.get_by_test_id("stSidebar").get_by_text("Single-user mode: no sign-in is configured")
        assert line.count() == 1, title
    assert page.get_by_role("button", name="Sign out", exact=True).count() == 0
    # a table's CSV download is an export: the trail records the file and the filters in force
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Overview").click()
    page.get_by_text("Headline figures").wait_for(timeout=60_000)
    _idle(page)
    with page.expect_download(timeout=60_000) as download:
        page.locator("[data-testid=stDownloadButton] button:visible").first.click()
    name = download.value.suggested_filename
    _idle(page)
    from impact import audit_trail
    from impact.store import Store

    store = Store(db)
    exports = audit_trail.trail(store, "export")
    store.dispose()
    assert len(exports) == 1 and exports["via"].iloc[0] == "single-user"
    detail = json.loads(exports["detail"].iloc[0])
    assert detail["what"] == name and detail["formats"] == ["csv"] and set(detail["scope"]) >= {"from", "to", "themes"}


def test_a_partner_login_sees_only_its_own_partnership(signed_app, page):
    base, _ = signed_app
    sign_in(page, base, PARTNER_LOGIN)
    assert navigation(page) == NAVIGATION["advocate"]
    page.get_by_text(f"only partners: {PARTNER}").wait_for(timeout=30_000)
    page.get_by_text("Partnerships not shared").first.wait_for(timeout=60_000)
    _idle(page)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Partners").click()
    page.get_by_text("The five stakes per partnership").first.wait_for(timeout=60_000)
    _idle(page)
    body = page.inner_text("body")
    # the whole demo has 42 partners; this login sees its own partnerships only
    assert PARTNER in body and "Rainbow Refugee Network" not in body and "Westfield Food Bank" not in body
    metric = lambda label: page.get_by_test_id("stMetric").filter(has_text=label).first.get_by_test_id(
        "stMetricValue").inner_text().strip()
    assert metric("Partnership programmes") == "5"
