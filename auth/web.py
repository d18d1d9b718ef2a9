"""The request layer: the sign-in gate, the login form, security headers and audit failures.

``install_auth`` wraps a Flask server (the Dash app's) so that every route except the login
page and static files needs a signed-in identity, stored in ``flask.g`` for the query guard.

Sessions are Flask's signed cookies (HttpOnly, SameSite=Lax, Secure when configured) that carry
a random session id, checked on every request against the server-side registry shared by all
workers (:mod:`auth.sessions`): signing out, a new password or removing the user ends the
session on the server, so a copied cookie stops working too. Absolute lifetime and idle timeout
are checked on the server's own times; the role is re-read from the users file on every
request, so a changed role takes effect at once. The login form carries a CSRF token
bound to the session, and sign-in attempts are slowed by back-off per name and address
(:mod:`auth.ratelimit`).
"""

from __future__ import annotations

import hmac
import logging
import math
import re
import secrets
import time
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

from flask import Flask, Response, g, jsonify, redirect, render_template_string, request, session

from auth.audit_log import AuditLogError
from auth.config import AuthConfig
from auth.guard import API_BLUEPRINT, Action, Identity
from auth.headers import security_headers
from auth.limits import Refusal, RequestLimiter
from auth.ratelimit import LoginRateLimiter
from auth.roles import ROLES
from auth.sessions import SessionRegistry
from auth.users import UsersFileError, UserStore

log = logging.getLogger(__name__)

LOGIN_PATH = "/login"
CALLBACK_PATH = "/_dash-update-component"
LOGOUT_PATH = "/logout"
#: Routes anyone may fetch (matched by the route Flask chose, never by a path prefix): Dash's
#: JavaScript bundles, the app's own CSS and the favicon. Any other path, "/_favicon.ico/x"
#: included, reaches Dash's catch-all page route and needs sign-in.
PUBLIC_RULES: frozenset[str] = frozenset(
    {
        "/assets/<path:filename>",
        "/_dash-component-suites/<string:package_name>/<path:fingerprinted_path>",
        "/_favicon.ico",
    }
)
#: Paths answered with 401 JSON (not a redirect) when nobody is signed in, and with a JSON
#: 404 (never the page shell) when no route of theirs matches.
DATA_PREFIXES: tuple[str, ...] = ("/api/", "/_dash-", "/geometry/")
DEMO_IDENTITY = Identity("demo", "analyst")
AUDIT_FAILED_MESSAGE = (
    "The audit log could not be written, so this request was refused: every look at the data "
    "must be recorded. Please tell the system administrator."
)
#: A user name from the sign-in proxy: printable ASCII, no comma (a server joins a repeated
#: header's values with commas, so "alice,mallory" is two headers, not one name).
_HEADER_USER = re.compile(r"^[\x21-\x2b\x2d-\x7e][\x20-\x2b\x2d-\x7e]{0,255}$")
#: Refresh the idle timer at most this often (each refresh resends the cookie).
SEEN_REFRESH_SECONDS = 60

LOGIN_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in - Care Atlas</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/assets/care_atlas.css"></head>
<body><main id="main" class="page login-page">
<h1>Care Atlas</h1>
<p>This dashboard shows pseudonymised social care data. Sign in to continue; every query is
recorded in an audit log.</p>
{% if message %}<p class="login-error" role="alert">{{ message }}</p>{% endif %}
<form method="post" action="/login">
<input type="hidden" name="csrf_token" value="{{ csrf }}">
<input type="hidden" name="next" value="{{ next_path }}">
<p><label for="username">User name</label><br>
<input id="username" name="username" autocomplete="username" required maxlength="64"
 value="{{ username }}"></p>
<p><label for="password">Password</label><br>
<input id="password" name="password" type="password" autocomplete="current-password" required
 maxlength="1024"></p>
<p><button type="submit">Sign in</button></p>
</form></main></body></html>
"""


def csrf_token() -> str:
    """The session's CSRF token (made on first use) for forms that change the session."""
    token = session.get("csrf")
    if not isinstance(token, str) or len(token) < 32:
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


def _csrf_ok() -> bool:
    sent = request.form.get("csrf_token", "")
    token = session.get("csrf")
    return isinstance(token, str) and bool(sent) and hmac.compare_digest(sent, token)


def _local_path(raw: str | None) -> str:
    """Only same-site paths may be redirected to after signing in."""
    if not raw or not raw.startswith("/") or raw.startswith("//") or "\\" in raw:
        return "/"
    if any(ord(c) < 0x21 or ord(c) == 0x7F for c in raw):  # browsers drop tabs: "/\t/evil"
        return "/"
    return raw[:2000]


def _error(status: int, field: str, message: str) -> Response:
    resp = jsonify({"error": {"field": field, "message": message}})
    resp.status_code = status
    return resp


def install_auth(
    server: Flask,
    config: AuthConfig,
    *,
    script_hashes: Callable[[], Sequence[str]] = lambda: (),
    recognise_action: Callable[[], Action | None] | None = None,
) -> None:
    """Put the sign-in gate, login/logout routes and security headers on ``server``.

    ``script_hashes`` gives the CSP hashes of the app's inline scripts (called once, after
    the app is complete); ``recognise_action`` tells exports from queries for the audit log.
    """
    server.secret_key = config.secret_key
    server.config.update(
        SESSION_COOKIE_NAME="care_atlas_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=config.secure_cookies,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=config.session_hours),
        DEBUG=False,
        PROPAGATE_EXCEPTIONS=False,
        MAX_CONTENT_LENGTH=max(config.max_callback_body_bytes, config.max_body_bytes),
    )
    store = UserStore(config.users_file) if config.mode == "users" else None
    limiter = (
        LoginRateLimiter(
            config.ratelimit_dir, config.login_max_failures, config.login_window_seconds
        )
        if config.mode == "users"
        else None
    )
    registry = (
        SessionRegistry(config.sessions_path, config.session_hours * 3600, config.idle_minutes * 60)
        if config.mode == "users"
        else None
    )
    requests_limiter = (
        None
        if config.demo
        else RequestLimiter(
            config.limits_dir,
            rate=config.user_rate,
            burst=config.user_burst,
            concurrency=config.user_concurrency,
            in_flight=config.user_in_flight,
            queue_seconds=config.user_queue_seconds,
            seconds_per_second=config.user_seconds_per_second,
            seconds_burst=config.user_seconds_burst,
        )
    )
    headers: dict[str, str] = {}

    def body_limit(path: str) -> int:
        if path == CALLBACK_PATH:
            return config.max_callback_body_bytes
        return config.max_body_bytes

    def signed_in_user() -> Identity | None:
        assert store is not None and registry is not None
        user, started, seen = session.get("user"), session.get("signed_in"), session.get("seen")
        sid = session.get("sid")
        if not isinstance(user, str) or not isinstance(started, int) or not isinstance(seen, int):
            return None
        if not isinstance(sid, str):
            return None
        now = int(time.time())
        if now - started > config.session_hours * 3600 or now - seen > config.idle_minutes * 60:
            registry.end(sid)
            session.clear()
            return None
        try:
            known = store.load().get(user)
        except UsersFileError:
            log.exception("users file unreadable")
            return None
        # Signed out, password changed or user removed since: the server says no.
        if known is None or not registry.check(sid, user, known.password_hash, now):
            session.clear()
            return None
        if now - seen >= SEEN_REFRESH_SECONDS:
            session["seen"] = now
        return Identity(known.name, known.role)

    def proxy_user() -> Identity | Response:
        if not config.proxy_allowed(request.remote_addr):
            return _error(403, "proxy", "requests must come through the council's sign-in proxy")
        names = request.headers.getlist(config.trusted_header or "")
        if len(names) > 1 or any("," in n for n in names):
            return _error(400, "user", "the sign-in proxy's user header was sent more than once")
        name = (names[0] if names else "").strip()
        if not _HEADER_USER.match(name):
            return _error(401, "user", "the sign-in proxy did not say who is signed in")
        role = config.header_role
        if config.role_header:
            roles = request.headers.getlist(config.role_header)
            if len(roles) > 1 or any("," in r for r in roles):
                return _error(
                    400, "role", "the sign-in proxy's role header was sent more than once"
                )
            given = (roles[0] if roles else "").strip()
            if given:
                if given not in ROLES:
                    return _error(
                        403, "role", f"unknown role from the sign-in proxy: {given[:40]!r}"
                    )
                role = given
        return Identity(name, role)

    def is_public(path: str) -> bool:
        if is_static():
            return True
        return config.mode == "users" and path == LOGIN_PATH

    @server.before_request
    def gate() -> Any:
        path = request.path
        limit = body_limit(path)
        request.max_content_length = limit  # enforced while reading, chunked bodies too
        if request.content_length is not None and request.content_length > limit:
            return _body_too_large(limit)
        if config.demo:
            g.identity = DEMO_IDENTITY
        elif is_public(path):
            return None
        elif config.mode == "header":
            found = proxy_user()
            if isinstance(found, Response):
                return found
            g.identity = found
        else:
            identity = signed_in_user()
            if identity is None:
                if request.method == "GET" and not path.startswith(DATA_PREFIXES):
                    query = request.query_string.decode("latin-1")
                    target = path + (f"?{query}" if query else "")
                    return redirect(f"{LOGIN_PATH}?next={_quote(target)}", code=303)
                return _error(401, "session", "sign in first (your session may have expired)")
            g.identity = identity
        if path.startswith(DATA_PREFIXES) and _matched_page_route():
            return _not_found(path)
        if request.content_length is None and request.method in ("POST", "PUT", "PATCH"):
            # A chunked body (from a signed-in user only): read it now, up to the limit; a byte
            # more raises the 413 (reading alone would stop there and hand on truncated JSON).
            request.get_data(cache=True)
            request.stream.read(1)
        # Per-user limits need users: the demo (synthetic data, no sign-in, on this machine by
        # default) has one shared identity, and the test suites drive it hard from one address.
        if requests_limiter is not None:
            admitted = requests_limiter.admit(f"user:{g.identity.user}")
            if isinstance(admitted, Refusal):
                response = _error(429, admitted.field, admitted.message)
                response.headers["Retry-After"] = str(admitted.retry_after)
                return response
            g.request_ticket = admitted
        if recognise_action is not None:
            action = recognise_action()
            if action is not None:
                g.audit_action = action
        return None

    if config.mode == "users":
        assert store is not None and limiter is not None and registry is not None

        @server.route(LOGIN_PATH, methods=["GET", "POST"])
        def login() -> Any:
            next_path = _local_path(request.values.get("next"))
            if request.method == "GET":
                if signed_in_user() is not None:
                    return redirect(next_path, code=303)
                return _login_page(next_path)
            if not _csrf_ok():
                return _login_page(next_path, "The form expired. Please sign in again.", status=400)
            name = request.form.get("username", "").strip()[:64]
            password = request.form.get("password", "")
            address = request.remote_addr or "-"
            decision = limiter.attempt(name, address)  # counted before the password is checked
            if not decision.allowed:
                wait = decision.retry_after
                page = _login_page(
                    next_path,
                    f"Too many sign-in attempts. Please wait {_duration(wait)} and try again.",
                    name,
                    429,
                )
                page.headers["Retry-After"] = str(wait)
                return page
            user = store.verify(name, password)
            if user is None:
                log.warning("failed sign-in for %r from %s", name, address)
                return _login_page(next_path, "Wrong user name or password.", name, 401)
            limiter.succeeded(name, address)
            now = int(time.time())
            old_sid = session.get("sid")
            if isinstance(old_sid, str):
                registry.end(old_sid)
            session.clear()  # a fresh session: no fixation
            session.permanent = True
            sid = registry.create(user.name, user.password_hash, now)
            session.update(user=user.name, signed_in=now, seen=now, sid=sid)
            csrf_token()
            return redirect(next_path, code=303)

        @server.route(LOGOUT_PATH, methods=["POST"])
        def logout() -> Any:
            if not _csrf_ok():
                return _error(400, "csrf_token", "the sign-out form expired; reload the page")
            sid = session.get("sid")
            if isinstance(sid, str):
                registry.end(sid)  # a copy of the cookie stops working too
            session.clear()
            return redirect(LOGIN_PATH, code=303)

    @server.errorhandler(AuditLogError)
    def audit_failed(exc: AuditLogError) -> Response:
        log.error("%s", exc)
        return _error(503, "audit_log", AUDIT_FAILED_MESSAGE)

    @server.teardown_request
    def release_slots(_exc: BaseException | None) -> None:
        ticket = g.pop("request_ticket", None)
        if ticket is not None and requests_limiter is not None:
            requests_limiter.finish(ticket)

    @server.after_request
    def protect(response: Response) -> Response:
        denied = getattr(g, "role_denied", None)
        size = _body_size(response)
        if size is not None and size > config.max_response_bytes:
            log.warning("refused a %d-byte answer to %s", size, request.path)
            response = _error(
                400,
                "size",
                f"the answer would be {size / 2**20:.1f} MB, more than the "
                f"{config.max_response_bytes / 2**20:.0f} MB sent at once: narrow the filters "
                "(a coarser level, fewer periods)",
            )
        elif getattr(g, "audit_failed", False) and response.status_code < 500:
            response = _error(503, "audit_log", AUDIT_FAILED_MESSAGE)
        elif denied is not None and request.blueprint == API_BLUEPRINT:
            response = jsonify({"error": denied.to_json()})
            response.status_code = 403
        if not headers:
            headers.update(security_headers(list(script_hashes())))
        response.headers.update(headers)
        if not is_static() and not request.path.startswith("/geometry/"):
            response.headers["Cache-Control"] = "no-store"
        return response


def is_static() -> bool:
    """Did the request reach one of the public static-file routes (exactly, not by prefix)?"""
    rule = request.url_rule
    return rule is not None and rule.rule in PUBLIC_RULES


def _matched_page_route() -> bool:
    """Did the request fall through to Dash's catch-all page route (or match no route)?"""
    rule = request.url_rule
    return rule is None or rule.rule in ("/<path:path>", "/")


def _not_found(path: str) -> Response:
    if path.startswith("/api/"):
        resp = jsonify(
            {
                "error": {
                    "field": "path",
                    "message": "no such API path",
                    "allowed": ["/api/v1/views/<view>", "/api/v1/meta"],
                }
            }
        )
        resp.status_code = 404
        return resp
    return _error(404, "path", "no such path")


def _body_size(response: Response) -> int | None:
    """The size of a response held in memory (None for files and streams)."""
    if response.is_streamed or response.direct_passthrough:
        return None
    return response.calculate_content_length()


def _body_too_large(limit: int) -> Response:
    size = f"{limit / 2**20:.1f} MB" if limit >= 2**20 else f"{limit // 1024} KB"
    return _error(413, "body", f"the request body is larger than the {size} this path accepts")


def install_http_errors(server: Flask) -> None:
    """Clear answers, never a 500 with a traceback, for requests Dash itself chokes on."""
    from dash.exceptions import DependencyException
    from werkzeug.exceptions import RequestEntityTooLarge

    @server.errorhandler(RequestEntityTooLarge)
    def body_too_large(_exc: Exception) -> Response:
        return _body_too_large(request.max_content_length or 0)

    @server.errorhandler(DependencyException)
    def unknown_component_suite(_exc: Exception) -> Response:
        # /_dash-component-suites/<unknown package or file>: Dash raises; it is just a 404.
        return Response("Not found\n", status=404, mimetype="text/plain")


def _login_page(
    next_path: str, message: str = "", username: str = "", status: int = 200
) -> Response:
    body = render_template_string(
        LOGIN_PAGE, csrf=csrf_token(), next_path=next_path, message=message, username=username
    )
    return Response(body, status=status, mimetype="text/html")


def _duration(seconds: int) -> str:
    if seconds < 90:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    return f"{math.ceil(seconds / 60)} minutes"


def _quote(path: str) -> str:
    from urllib.parse import quote

    return quote(path, safe="")
