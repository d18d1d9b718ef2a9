"""Sign in through the form in headless Chromium; the dashboard then works under its CSP.

Checks what only a browser can: the security headers leave Dash, Plotly and MapLibre (blob:
workers) working with no Content-Security-Policy violation, and a viewer choosing sector level
gets a message instead of data.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from auth.config import AuthConfig
from auth.users import UserStore
from care_atlas.config import load_settings
from dashboard import ids
from tests.fixtures.dashboard import start_live_server
from tests.test_dashboard_browser import settle, wait_for

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"
#: Collects CSP violations from the first script of every page (CDP scripts bypass the CSP).
CSP_PROBE = (
    "window.__csp = [];"
    "document.addEventListener('securitypolicyviolation',"
    " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
)


@pytest.fixture(scope="module")
def signed_in_server(small_serving_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    from dashboard.app import create_app

    folder = tmp_path_factory.mktemp("serving-browser")
    store = UserStore(folder / "users.json", hasher=PasswordHasher(1, 1024, 1))
    store.add("ana", PASSWORD, "analyst")
    store.add("vic", PASSWORD, "viewer")
    auth = AuthConfig(
        mode="users",
        secret_key="s" * 64,
        audit_log=folder / "audit.jsonl",
        users_file=store.path,
        ratelimit_dir=folder / "attempts",
    )
    live = start_live_server(
        create_app(small_serving_db, demo=False, settings=load_settings(), auth=auth)
    )
    yield live, auth
    live.stop()


def _sign_in(driver, url: str, name: str, path: str = "/") -> None:  # noqa: ANN001
    driver.delete_all_cookies()
    driver.get(url + path)
    try:
        wait_for(lambda: driver.find_element("id", "username"), message="login form")
    except AssertionError as exc:  # say what the browser showed instead (a rare CI timeout)
        body = driver.execute_script("return document.body ? document.body.innerText : ''")
        raise AssertionError(f"{exc}; at {driver.current_url}: {str(body)[:300]!r}") from None
    driver.find_element("id", "username").send_keys(name)
    driver.find_element("id", "password").send_keys(PASSWORD)
    driver.find_element("css selector", "button[type=submit]").click()


def test_sign_in_then_every_view_draws_without_csp_violations(signed_in_server, browser) -> None:  # noqa: ANN001
    (live, auth), (driver, _downloads) = signed_in_server, browser
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": CSP_PROBE})
    _sign_in(driver, live.url, "ana", "/?level=ward")
    settle(driver)
    assert "level=ward" in driver.current_url
    body = driver.find_element("tag name", "body").get_attribute("textContent")
    assert "Signed in as ana (analyst)" in body and "Definition:" in body
    wait_for(
        lambda: driver.execute_script("return !!document.querySelector('#map-graph canvas')"),
        message="the MapLibre canvas",
    )
    driver.get(live.url + "/?level=sector")
    settle(driver)
    assert driver.execute_script("return window.__csp") == []
    records = [json.loads(line) for line in auth.audit_log.read_text().splitlines()]
    assert {r["view"] for r in records} >= {"area_compare", "headlines", "matrix", "trend"}
    assert {r["user"] for r in records} == {"ana"}


def test_a_viewer_choosing_sectors_gets_a_message_not_data(signed_in_server, browser) -> None:  # noqa: ANN001
    (live, _auth), (driver, _downloads) = signed_in_server, browser
    _sign_in(driver, live.url, "vic", "/?level=sector")
    note_id = json.dumps(ids.note("area_map"), sort_keys=True, separators=(",", ":"))
    wait_for(
        lambda: (
            "not available to the viewer role"
            in driver.find_element("xpath", f"//*[@id='{note_id}']").get_attribute("textContent")
        ),
        message="the role message under the map",
    )
