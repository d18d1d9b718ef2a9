"""Sign-in, roles and the audit log through the HTTP layer (Flask test client, no browser)."""

from __future__ import annotations

import json
import re
import time
from dataclasses import replace
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from auth.config import AuthConfig
from auth.users import UserStore
from care_atlas.config import load_settings
from dashboard.app import create_app

PASSWORD = "correct horse battery"
#: Cheap argon2id parameters for tests (a hash carries its own parameters for verifying).
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
CSV_BUTTON = '{"type":"csv","view":"trend"}'


@pytest.fixture(scope="module")
def users_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("auth") / "users.json"
    store = UserStore(path, hasher=FAST_HASHER)
    store.add("ana", PASSWORD, "analyst")
    store.add("vic", PASSWORD, "viewer")
    return path


def _config(tmp: Path, users_file: Path, changes: dict[str, object]) -> AuthConfig:
    base = AuthConfig(
        mode="users",
        secret_key="k" * 64,
        audit_log=tmp / "log" / "audit.jsonl",
        users_file=users_file,
        ratelimit_dir=tmp / "attempts",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


@pytest.fixture()
def make_app(queries_serving_path: Path, tmp_path: Path, users_file: Path):  # noqa: ANN201
    def make(**changes: object):  # noqa: ANN202
        settings = load_settings(var_dir=tmp_path / "var")
        auth = _config(tmp_path, users_file, changes)
        return create_app(queries_serving_path, demo=False, settings=settings, auth=auth), auth

    return make


def _login(client, name: str, password: str = PASSWORD, *, token: str | None = None):  # noqa: ANN001, ANN202
    page = client.get("/login").get_data(as_text=True)
    if token is None:
        token = page.split('name="csrf_token" value="')[1].split('"')[0]
    return client.post(
        "/login", data={"csrf_token": token, "username": name, "password": password, "next": "/"}
    )


def _records(auth: AuthConfig) -> list[dict]:
    if not auth.audit_log.exists():
        return []
    return [json.loads(line) for line in auth.audit_log.read_text().splitlines()]


def _download_payload(search: str = "?level=ward") -> dict:
    """What the browser posts when the trend chart's CSV button is clicked."""
    return {
        "output": '{"type":"download","view":["MATCH"]}.data',
        "outputs": {"id": {"type": "download", "view": "trend"}, "property": "data"},
        "inputs": [
            {"id": {"type": "csv", "view": "trend"}, "property": "n_clicks", "value": 1},
            {"id": {"type": "xlsx", "view": "trend"}, "property": "n_clicks", "value": None},
        ],
        "state": [{"id": "url", "property": "search", "value": search}],
        "changedPropIds": [f"{CSV_BUTTON}.n_clicks"],
    }


def test_every_route_but_login_and_static_files_needs_sign_in(make_app) -> None:  # noqa: ANN001
    app, auth = make_app()
    client = app.server.test_client()
    page = client.get("/?level=ward")
    assert page.status_code == 303 and page.headers["Location"].startswith("/login?next=")
    for path in ("/api/v1/views/trend", "/api/v1/meta", "/_dash-layout", "/_dash-dependencies"):
        response = client.get(path)
        assert response.status_code == 401, path
        assert response.get_json()["error"]["field"] == "session"
    callback = client.post("/_dash-update-component", json=_download_payload())
    assert callback.status_code == 401
    assert client.get("/login").status_code == 200
    assert client.get("/assets/care_atlas.css").status_code == 200
    assert _records(auth) == []


def test_wrong_password_and_unknown_user_are_refused(make_app) -> None:  # noqa: ANN001
    app, _auth = make_app()
    client = app.server.test_client()
    for name, password in (("ana", "wrong password here"), ("nobody", PASSWORD)):
        response = _login(client, name, password)
        assert response.status_code == 401
        assert "Wrong user name or password" in response.get_data(as_text=True)
        assert client.get("/api/v1/views/trend").status_code == 401


def test_login_form_needs_its_csrf_token(make_app) -> None:  # noqa: ANN001
    app, _auth = make_app()
    client = app.server.test_client()
    assert _login(client, "ana", token="forged-token-forged-token-forged-token").status_code == 400
    assert client.get("/api/v1/views/trend").status_code == 401


def test_sign_in_then_query_then_sign_out(make_app) -> None:  # noqa: ANN001
    app, _auth = make_app()
    client = app.server.test_client()
    response = _login(client, "ana")
    assert response.status_code == 303 and response.headers["Location"] == "/"
    assert client.get("/api/v1/views/trend").status_code == 200
    layout = client.get("/_dash-layout").get_data(as_text=True)
    assert "Signed in as ana (analyst)" in layout
    token = re.search(r'"name":\s*"csrf_token",[^}]*"value":\s*"([^"]+)"', layout).group(1)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 303
    assert client.get("/api/v1/views/trend").status_code == 401


def test_repeated_failures_slow_that_name_from_that_address_only(make_app) -> None:  # noqa: ANN001
    app, _auth = make_app(login_max_failures=3)
    client = app.server.test_client()
    for _ in range(3):
        assert _login(client, "vic", "not the password!").status_code == 401
    slowed = _login(client, "vic")  # even the right password, until the back-off has passed
    assert slowed.status_code == 429 and "Too many" in slowed.get_data(as_text=True)
    assert 1 <= int(slowed.headers["Retry-After"]) <= 2  # a second or two, not 15 minutes
    assert _login(app.server.test_client(), "ana").status_code == 303  # nor other names
    elsewhere = app.server.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "10.1.2.3"  # the real vic, at her own desk
    assert _login(elsewhere, "vic").status_code == 303
    time.sleep(float(slowed.headers["Retry-After"]))
    assert _login(client, "vic").status_code == 303  # waited: in


def test_concurrent_wrong_passwords_get_no_more_checks_than_the_limit(
    make_app, monkeypatch: pytest.MonkeyPatch
) -> None:  # noqa: ANN001
    import threading

    app, auth = make_app()
    checks: list[str] = []
    real_verify = UserStore.verify

    def counted(self, name: str, password: str):  # noqa: ANN001, ANN202
        checks.append(name)
        return real_verify(self, name, password)

    monkeypatch.setattr(UserStore, "verify", counted)
    clients = [app.server.test_client() for _ in range(15)]
    tokens = [
        c.get("/login").get_data(as_text=True).split('name="csrf_token" value="')[1].split('"')[0]
        for c in clients
    ]
    start = threading.Barrier(len(clients))
    statuses: list[int] = []

    def guess(client, token: str) -> None:  # noqa: ANN001
        start.wait()
        statuses.append(_login(client, "vic", "wrong password, guess", token=token).status_code)

    threads = [threading.Thread(target=guess, args=ct) for ct in zip(clients, tokens, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(checks) == auth.login_max_failures  # 5 real password checks, not 12
    assert sorted(statuses) == [401] * 5 + [429] * 10


def _attempt_in_a_process(directory: str, start, results) -> None:  # noqa: ANN001
    from auth.ratelimit import LoginRateLimiter

    limiter = LoginRateLimiter(Path(directory))
    start.wait()
    results.put(limiter.attempt("vic", "10.9.9.9").allowed)


def test_the_attempt_count_is_atomic_across_worker_processes(tmp_path: Path) -> None:
    import multiprocessing

    context = multiprocessing.get_context("fork")
    start, results = context.Barrier(15), context.Queue()
    workers = [
        context.Process(target=_attempt_in_a_process, args=(str(tmp_path), start, results))
        for _ in range(15)
    ]
    for worker in workers:
        worker.start()
    allowed = [results.get(timeout=60) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
    assert allowed.count(True) == 5 and allowed.count(False) == 10


def test_back_off_doubles_is_forgotten_and_cannot_lock_out_a_known_address(
    tmp_path: Path,
) -> None:
    from auth.ratelimit import LoginRateLimiter

    limiter = LoginRateLimiter(tmp_path, max_failures=5, window_seconds=900)
    now = 1_000_000.0
    for _ in range(5):
        assert limiter.attempt("vic", "10.0.0.1", now).allowed
    waits = []
    for _ in range(6):
        refused = limiter.attempt("vic", "10.0.0.1", now)
        assert not refused.allowed
        waits.append(refused.retry_after)
        now += refused.retry_after
        assert limiter.attempt("vic", "10.0.0.1", now).allowed
    assert waits == [1, 2, 4, 8, 16, 32]  # doubling; refused attempts do not add to it
    assert limiter.attempt("vic", "10.0.0.1", now + 901).allowed  # a quiet window: forgotten

    # Guessers on many addresses slow the name everywhere, by at most a minute...
    limiter.succeeded("ana", "10.0.0.2", now)  # ana has signed in from her desk before
    for n in range(20):
        assert limiter.attempt("ana", f"192.0.2.{n}", now).allowed
    refused = limiter.attempt("ana", "192.0.2.99", now)
    assert not refused.allowed and refused.retry_after <= 60
    for _ in range(12):
        now += 61
        assert limiter.attempt("ana", f"198.51.100.{_}", now).allowed
        assert not limiter.attempt("ana", "198.51.100.200", now).allowed
    # ...but never the address she signs in from.
    assert limiter.attempt("ana", "10.0.0.2", now).allowed


def test_idle_sessions_expire_and_removed_users_are_signed_out(
    make_app, users_file: Path, tmp_path: Path
) -> None:  # noqa: ANN001
    app, _auth = make_app()
    client = app.server.test_client()
    _login(client, "ana")
    with client.session_transaction() as session:
        session["seen"] = int(time.time()) - 31 * 60
    assert client.get("/api/v1/views/trend").status_code == 401

    own = tmp_path / "users.json"
    own.write_bytes(users_file.read_bytes())
    app, _auth = make_app(users_file=own)
    client = app.server.test_client()
    _login(client, "vic")
    assert client.get("/api/v1/views/trend").status_code == 200
    UserStore(own).remove("vic")
    assert client.get("/api/v1/views/trend").status_code == 401


def test_a_viewer_asking_the_api_for_sectors_or_h3_gets_403(make_app) -> None:  # noqa: ANN001
    app, auth = make_app()
    client = app.server.test_client()
    _login(client, "vic")
    for level in ("sector", "h3r7", "h3r8"):
        response = client.get(f"/api/v1/views/area_map?level={level}")
        assert response.status_code == 403, level
        error = response.get_json()["error"]
        assert error["field"] == "level" and "viewer" in error["message"]
        assert "sector" not in error["allowed"]
    assert client.get("/api/v1/views/area_map?level=ward&format=csv").status_code == 200
    denied = [r for r in _records(auth) if r["outcome"] == "denied"]
    assert [r["filters"]["level"] for r in denied] == ["sector", "h3r7", "h3r8"]

    analyst = app.server.test_client()
    _login(analyst, "ana")
    assert analyst.get("/api/v1/views/area_map?level=sector").status_code == 200


def test_dashboard_callbacks_apply_the_role_limit(make_app) -> None:  # noqa: ANN001
    from flask import g

    from auth.guard import Identity
    from dashboard.views import run

    app, _auth = make_app()
    ctx = app.server.extensions["care_atlas_context"]
    with app.server.test_request_context("/_dash-update-component", method="POST"):
        g.identity = Identity("vic", "viewer")
        outcome = run(ctx, "area_map", {"level": "sector"})
        assert outcome.result is None
        assert "not available to the viewer role" in outcome.message
        assert run(ctx, "area_map", {"level": "ward"}).result is not None


def test_each_query_and_export_is_audited_without_results(make_app) -> None:  # noqa: ANN001
    app, auth = make_app()
    client = app.server.test_client()
    _login(client, "ana")
    assert client.get("/api/v1/views/trend?level=district&measure=cost").status_code == 200
    assert client.get("/api/v1/views/area_map?level=ward&format=csv").status_code == 200
    download = client.post("/_dash-update-component", json=_download_payload())
    assert download.status_code == 200 and "trend" in download.get_data(as_text=True)
    records = _records(auth)
    assert [(r["action"], r["view"], r["source"], r["format"]) for r in records] == [
        ("query", "trend", "api", "json"),
        ("export", "area_map", "api", "csv"),
        ("export", "trend", "dashboard", "csv"),
    ]
    first = records[0]
    assert first["user"] == "ana" and first["role"] == "analyst" and first["outcome"] == "ok"
    assert first["filters"]["level"] == "district" and first["filters"]["measure"] == "cost"
    assert isinstance(first["rows"], int) and first["rows"] > 0
    assert set(first) == {
        "ts", "user", "role", "action", "view", "filters", "rows", "format", "source",
        "outcome", "remote",
    }  # fmt: skip
    assert oct(auth.audit_log.stat().st_mode & 0o777) == "0o600"


def test_an_audit_log_that_cannot_be_written_fails_the_request(make_app, tmp_path: Path) -> None:  # noqa: ANN001
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the log's folder should be")
    app, _auth = make_app(audit_log=blocked / "audit.jsonl")
    client = app.server.test_client()
    _login(client, "ana")
    api = client.get("/api/v1/views/trend")
    assert api.status_code == 503 and api.get_json()["error"]["field"] == "audit_log"
    callback = client.post("/_dash-update-component", json=_download_payload())
    assert callback.status_code == 503
    assert "trend" not in callback.get_data(as_text=True).split("audit log")[0]


def test_security_headers_on_pages_api_and_login(make_app) -> None:  # noqa: ANN001
    app, _auth = make_app()
    client = app.server.test_client()
    for response in (client.get("/login"), client.get("/api/v1/meta"), client.get("/")):
        csp = response.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp and "script-src 'self' 'sha256-" in csp
        assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert client.get("/login").headers["Cache-Control"] == "no-store"
    assert not app.server.debug


def test_header_sign_in_trusts_only_the_allow_listed_proxy(make_app) -> None:  # noqa: ANN001
    import ipaddress

    app, auth = make_app(
        mode="header",
        trusted_header="X-Remote-User",
        role_header="X-Remote-Role",
        trusted_proxies=(ipaddress.ip_network("10.0.0.5/32"),),
    )
    client = app.server.test_client()
    proxy = {"REMOTE_ADDR": "10.0.0.5"}
    headers = {"X-Remote-User": "sam@council.example"}
    ok = client.get("/api/v1/views/trend", headers=headers, environ_base=proxy)
    assert ok.status_code == 200
    elsewhere = client.get(
        "/api/v1/views/trend", headers=headers, environ_base={"REMOTE_ADDR": "10.0.0.6"}
    )
    assert elsewhere.status_code == 403
    assert client.get("/api/v1/views/trend", environ_base=proxy).status_code == 401
    sector = client.get("/api/v1/views/area_map?level=sector", headers=headers, environ_base=proxy)
    assert sector.status_code == 403  # no role header: the default role, viewer
    as_analyst = {**headers, "X-Remote-Role": "analyst"}
    assert (
        client.get("/api/v1/views/area_map?level=sector", headers=as_analyst, environ_base=proxy)
    ).status_code == 200
    assert client.get("/login", environ_base=proxy).status_code == 401  # no login page
    assert _records(auth)[0]["user"] == "sam@council.example"


def test_without_sign_in_outside_demo_the_app_serves_no_data(
    queries_serving_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CARE_ATLAS_AUTH", raising=False)
    app = create_app(queries_serving_path, demo=False, settings=load_settings(var_dir=tmp_path))
    text = json.dumps(app.layout.to_plotly_json(), default=str)
    assert "Sign-in is not set up" in text and "CARE_ATLAS_AUTH" in text
    assert not [r for r in app.server.url_map.iter_rules() if r.rule.startswith("/api/")]
    assert "period" not in app.server.test_client().get("/api/v1/views/trend").get_data(True)


def test_demo_mode_needs_no_sign_in_and_still_audits(
    queries_serving_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CARE_ATLAS_AUDIT_LOG", str(tmp_path / "demo-audit.jsonl"))
    app = create_app(queries_serving_path, demo=True, settings=load_settings(var_dir=tmp_path))
    assert app.server.test_client().get("/api/v1/views/area_map?level=sector").status_code == 200
    record = json.loads((tmp_path / "demo-audit.jsonl").read_text())
    assert (record["user"], record["role"], record["view"]) == ("demo", "analyst", "area_map")


def test_errors_reach_the_browser_without_a_stack_trace(make_app) -> None:  # noqa: ANN001
    app, _auth = make_app()
    client = app.server.test_client()
    _login(client, "ana")
    broken = client.post("/_dash-update-component", json={"output": "no-such.thing"})
    assert broken.status_code >= 400
    body = broken.get_data(as_text=True)
    assert "Traceback" not in body and 'File "' not in body


@pytest.mark.parametrize(
    "target", ["//evil.example/", "/\t/evil.example/", "https://evil.example/"]
)
def test_sign_in_only_returns_to_paths_on_this_site(make_app, target: str) -> None:  # noqa: ANN001
    app, _auth = make_app()
    client = app.server.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    form = {"csrf_token": token, "username": "ana", "password": PASSWORD, "next": target}
    assert client.post("/login", data=form).headers["Location"] == "/"


def test_public_paths_are_matched_exactly_not_by_prefix(make_app) -> None:  # noqa: ANN001
    app, _auth = make_app()
    client = app.server.test_client()
    assert client.get("/_favicon.ico").status_code == 200
    assert client.get("/assets/care_atlas.css").status_code == 200
    for path in ("/_favicon.ico/x", "/_favicon.icox", "/_dash-component-suites/x", "/assets/"):
        response = client.get(path)
        assert response.status_code in (303, 401), path  # sign in first, never the shell
        assert "<!DOCTYPE html>" not in response.get_data(as_text=True)


def test_unknown_api_paths_get_the_api_json_404_not_the_page(make_app) -> None:  # noqa: ANN001
    app, _auth = make_app()
    client = app.server.test_client()
    assert client.get("/api/v1/nope").status_code == 401  # nothing is told before sign-in
    _login(client, "ana")
    for path in ("/api/v1/nope", "/api/v1/views/trend/extra", "/api/v2/meta", "/api/"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.get_json()["error"]["field"] == "path", path
    for path in ("/_dash-nope", "/geometry/"):
        response = client.get(path)
        assert response.status_code == 404 and response.is_json, path
    assert client.get("/directors").status_code == 200  # page routes still serve the shell


def test_unknown_component_suite_paths_are_404_without_a_traceback(
    make_app, caplog: pytest.LogCaptureFixture
) -> None:  # noqa: ANN001
    app, _auth = make_app()
    client = app.server.test_client()
    with caplog.at_level("ERROR"):
        for path in (
            "/_dash-component-suites/nope/x.js",
            "/_dash-component-suites/dash/nope.js",
            "/_dash-component-suites/dash/dcc/nope.js",
        ):
            response = client.get(path)
            assert response.status_code == 404, path
            assert "Traceback" not in response.get_data(as_text=True)
    assert [r for r in caplog.records if r.levelname == "ERROR"] == []


def test_duplicated_identity_headers_from_the_proxy_are_refused(make_app) -> None:  # noqa: ANN001
    import ipaddress

    app, auth = make_app(
        mode="header",
        trusted_header="X-Remote-User",
        role_header="X-Remote-Role",
        trusted_proxies=(ipaddress.ip_network("10.0.0.5/32"),),
    )
    client = app.server.test_client()
    proxy = {"REMOTE_ADDR": "10.0.0.5"}
    for headers in (
        [("X-Remote-User", "alice"), ("X-Remote-User", "mallory")],
        [("X-Remote-User", "alice,mallory")],  # how gunicorn passes a repeated header on
        [("X-Remote-User", "alice"), ("X-Remote-Role", "viewer"), ("X-Remote-Role", "analyst")],
    ):
        response = client.get("/api/v1/views/trend", headers=headers, environ_base=proxy)
        assert response.status_code == 400, headers
        assert response.get_json()["error"]["field"] in ("user", "role")
    assert _records(auth) == []
    ok = client.get("/api/v1/views/trend", headers={"X-Remote-User": "alice"}, environ_base=proxy)
    assert ok.status_code == 200


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"key_is_demo": "false"}, "demo key"),  # a real key; a stray manifest said synthetic
        ({"key_is_demo": None}, "demo key"),
        ({"key_id": "0123456789ab"}, "key_id"),
        ({"synthetic": "false"}, "synthetic"),
    ],
)
def test_demo_mode_needs_the_demo_key_as_well_as_the_synthetic_flag(
    queries_serving_path: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    changes: dict[str, str | None],
    reason: str,
) -> None:
    import shutil

    import duckdb

    from care_atlas.errors import UserError
    from dashboard.server import check_serving

    db_path = tmp_path / "real-extract.duckdb"
    shutil.copyfile(queries_serving_path, db_path)
    with duckdb.connect(str(db_path)) as con:
        for key, value in changes.items():
            con.execute("DELETE FROM meta WHERE key = ?", [key])
            if value is not None:
                con.execute("INSERT INTO meta VALUES (?, ?)", [key, value])
    monkeypatch.setenv("CARE_ATLAS_AUDIT_LOG", str(tmp_path / "demo-audit.jsonl"))
    settings = load_settings(var_dir=tmp_path)
    with pytest.raises(UserError, match=reason):
        check_serving(db_path, demo=True, settings=settings)
    app = create_app(db_path, demo=True, settings=settings)
    assert "is not synthetic data built with the demo key" in json.dumps(
        app.layout.to_plotly_json(), default=str
    )
    assert "period" not in app.server.test_client().get("/api/v1/views/trend").get_data(True)
    assert check_serving(queries_serving_path, demo=True, settings=settings).demo


def _sign_out(client) -> None:  # noqa: ANN001
    layout = client.get("/_dash-layout").get_data(as_text=True)
    token = re.search(r'"name":\s*"csrf_token",[^}]*"value":\s*"([^"]+)"', layout).group(1)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 303


def _copy_session(source, target) -> None:  # noqa: ANN001
    cookie = source.get_cookie("care_atlas_session")
    target.set_cookie("care_atlas_session", cookie.value)


def test_signing_out_ends_a_copied_session_in_every_worker(
    make_app, queries_serving_path: Path, tmp_path: Path
) -> None:  # noqa: ANN001
    worker_a, auth = make_app()
    settings = load_settings(var_dir=tmp_path / "var")
    # A second app over the same files, as a second gunicorn worker: no memory in common.
    worker_b = create_app(queries_serving_path, demo=False, settings=settings, auth=auth)
    browser = worker_a.server.test_client()
    assert _login(browser, "ana").status_code == 303
    stolen = worker_b.server.test_client()
    _copy_session(browser, stolen)
    assert stolen.get("/api/v1/views/trend").status_code == 200  # the copy works, so far
    _sign_out(browser)
    assert browser.get("/api/v1/views/trend").status_code == 401
    response = stolen.get("/api/v1/views/trend")
    assert response.status_code == 401 and response.get_json()["error"]["field"] == "session"


def test_a_new_password_or_removing_the_user_ends_their_sessions(
    make_app, users_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # noqa: ANN001
    import io

    from care_atlas.cli import main

    own = tmp_path / "users.json"
    own.write_bytes(users_file.read_bytes())
    monkeypatch.setenv("CARE_ATLAS_USERS_FILE", str(own))
    app, _auth = make_app(users_file=own)
    vic, ana = app.server.test_client(), app.server.test_client()
    assert _login(vic, "vic").status_code == 303 and _login(ana, "ana").status_code == 303
    new_password = "a brand new passphrase"
    monkeypatch.setattr("sys.stdin", io.StringIO(new_password + "\n"))
    assert main(["users", "add", "vic", "--replace", "--password-stdin"]) == 0
    assert vic.get("/api/v1/views/trend").status_code == 401  # the old password's session
    assert ana.get("/api/v1/views/trend").status_code == 200  # other users carry on
    assert _login(vic, "vic").status_code == 401
    assert _login(vic, "vic", new_password).status_code == 303
    assert vic.get("/api/v1/views/trend").status_code == 200

    assert main(["users", "remove", "vic"]) == 0
    assert vic.get("/api/v1/views/trend").status_code == 401
    monkeypatch.setattr("sys.stdin", io.StringIO(new_password + "\n"))
    assert main(["users", "add", "vic", "--password-stdin"]) == 0  # the same name again
    assert vic.get("/api/v1/views/trend").status_code == 401  # is not the old session


def test_an_oversized_request_body_gets_a_clear_413_not_a_500(make_app) -> None:  # noqa: ANN001
    import io

    app, auth = make_app()
    client = app.server.test_client()
    _login(client, "ana")
    huge = b'{"output": "' + b"x" * (80 * 1024 * 1024) + b'"}'  # the 80 MB JSON of issue 19
    response = client.post("/_dash-update-component", data=huge, content_type="application/json")
    del huge
    assert response.status_code == 413
    error = response.get_json()["error"]
    assert error["field"] == "body" and "8.0 MB" in error["message"]
    anonymous = app.server.test_client()
    form = anonymous.post("/login", data={"username": "x" * (auth.max_body_bytes + 1)})
    assert form.status_code == 413 and form.is_json
    # No Content-Length (chunked): the limit holds while the body is read.
    chunked = client.post(
        "/_dash-update-component",
        input_stream=io.BytesIO(b"[" + b"1," * (5 * 1024 * 1024) + b"1]"),
        content_type="application/json",
        environ_overrides={"wsgi.input_terminated": True},
        headers={"Transfer-Encoding": "chunked"},
    )
    assert chunked.status_code == 413 and chunked.is_json
    ok = client.post("/_dash-update-component", json=_download_payload())
    assert ok.status_code == 200


def test_a_users_request_rate_is_limited_with_a_json_429(make_app) -> None:  # noqa: ANN001
    app, _auth = make_app(user_rate=0.5, user_burst=3)
    ana, vic = app.server.test_client(), app.server.test_client()
    _login(ana, "ana")
    _login(vic, "vic")
    statuses = [ana.get("/api/v1/meta").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = ana.get("/api/v1/meta")
    assert refused.status_code == 429 and 1 <= int(refused.headers["Retry-After"]) <= 2
    assert refused.get_json()["error"]["field"] == "requests"
    assert vic.get("/api/v1/meta").status_code == 200  # one user's budget is not another's


def test_slots_are_given_back_after_every_request(make_app) -> None:  # noqa: ANN001
    app, _auth = make_app(user_concurrency=1, user_in_flight=1, user_queue_seconds=0.2)
    client = app.server.test_client()
    _login(client, "ana")
    for path in ("/api/v1/meta", "/api/v1/views/nope", "/api/v1/views/trend?level=x", "/"):
        for _ in range(3):
            assert client.get(path).status_code in (200, 400, 404), path


def test_oversized_answers_are_refused_with_a_clear_error(make_app) -> None:  # noqa: ANN001
    app, _auth = make_app(max_response_bytes=4096)
    client = app.server.test_client()
    _login(client, "ana")
    response = client.get("/api/v1/views/provision?level=sector")
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["field"] == "size" and "narrow the filters" in error["message"]
    assert client.get("/assets/care_atlas.css").status_code == 200  # files are not capped


def _hold_a_slot(directory: str, held, release) -> None:  # noqa: ANN001
    from auth.limits import RequestLimiter

    ticket = RequestLimiter(Path(directory), concurrency=1, in_flight=1).admit("user:ana")
    held.set()
    release.wait(30)
    if release.is_set():
        ticket.release()


def test_concurrency_and_in_flight_limits_hold_across_threads_and_processes(
    tmp_path: Path,
) -> None:
    import multiprocessing
    import threading

    from auth.limits import Refusal, RequestLimiter

    limiter = RequestLimiter(tmp_path, concurrency=2, in_flight=3, queue_seconds=0.3)
    first, second = limiter.admit("user:ana"), limiter.admit("user:ana")
    assert not isinstance(first, Refusal) and not isinstance(second, Refusal)
    started = time.monotonic()
    waited = limiter.admit("user:ana")  # a third may wait, but not forever
    assert isinstance(waited, Refusal) and time.monotonic() - started >= 0.3
    assert not isinstance(limiter.admit("user:vic"), Refusal)  # other users unaffected

    got: list[object] = []
    waiter = threading.Thread(target=lambda: got.append(limiter.admit("user:ana")))
    waiter.start()
    time.sleep(0.1)
    flood = limiter.admit("user:ana")  # 2 running + 1 waiting: no room even to wait
    assert isinstance(flood, Refusal) and "at once" in flood.message
    first.release()
    waiter.join()
    assert not isinstance(got[0], Refusal)  # the waiting request ran when one finished

    context = multiprocessing.get_context("fork")
    held, release = context.Event(), context.Event()
    other = context.Process(target=_hold_a_slot, args=(str(tmp_path / "p"), held, release))
    other.start()
    assert held.wait(30)
    single = RequestLimiter(tmp_path / "p", concurrency=1, in_flight=1, queue_seconds=0.1)
    assert isinstance(single.admit("user:ana"), Refusal)  # another worker holds it
    other.kill()  # a worker that dies gives its slots back
    other.join()
    ticket = single.admit("user:ana")
    assert not isinstance(ticket, Refusal)
    ticket.release()


def test_a_user_whose_requests_take_long_is_slowed_not_others(tmp_path: Path) -> None:
    from auth.limits import Refusal, RequestLimiter

    limiter = RequestLimiter(tmp_path, seconds_per_second=1.0, seconds_burst=0.3)
    for _ in range(2):  # two slow answers: 0.2 s each
        ticket = limiter.admit("user:heavy")
        assert not isinstance(ticket, Refusal)
        ticket.started -= 0.2
        limiter.finish(ticket)
    refused = limiter.admit("user:heavy")
    assert isinstance(refused, Refusal) and refused.retry_after >= 1
    assert "large share" in refused.message
    light = limiter.admit("user:light")  # seven-millisecond requests are not touched
    assert not isinstance(light, Refusal)
    limiter.finish(light)
    time.sleep(0.15)  # the budget drains at one second a second
    ticket = limiter.admit("user:heavy")
    assert not isinstance(ticket, Refusal)
    limiter.finish(ticket)


def test_a_heavy_user_gets_no_waiting_room_holding_threads(tmp_path: Path) -> None:
    from auth.limits import Refusal, RequestLimiter

    limiter = RequestLimiter(
        tmp_path, concurrency=1, in_flight=4, queue_seconds=5, seconds_burst=10
    )
    light = limiter.admit("user:light")
    started = time.monotonic()
    waits = limiter.admit("user:light")  # a normal user's second request waits its turn...
    assert isinstance(waits, Refusal) and time.monotonic() - started >= 5
    limiter.finish(light)
    heavy = limiter.admit("user:heavy")
    heavy.started -= 6  # six seconds of work: over half the budget
    limiter.finish(heavy)
    running = limiter.admit("user:heavy")
    assert not isinstance(running, Refusal)
    started = time.monotonic()
    refused = limiter.admit("user:heavy")  # ...a heavy user's is refused at once
    assert isinstance(refused, Refusal) and time.monotonic() - started < 1
    limiter.finish(running)
