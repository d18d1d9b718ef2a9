"""The built-in users' login form and sign-out, with their CSRF token and back-off.

Signing in opens a fresh session (no fixation) recorded on the server (:mod:`auth.sessions`);
attempts are counted per name and address before the password is checked
(:mod:`auth.ratelimit`); signing out ends the session on the server, so a copied cookie stops
working too. The next page after signing in is only ever a path on this site.
"""

from __future__ import annotations

import hmac
import logging
import math
import secrets
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from flask import Flask, Response, redirect, render_template_string, request, session

from auth.guard import Identity
from auth.ratelimit import LoginRateLimiter
from auth.responses import error
from auth.sessions import SessionRegistry
from auth.users import UserStore

log = logging.getLogger(__name__)

LOGIN_PATH = "/login"
LOGOUT_PATH = "/logout"

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


def login_redirect(target: str) -> Response:
    """Send a signed-out page request to the login form, coming back to ``target`` after."""
    return redirect(f"{LOGIN_PATH}?next={quote(target, safe='')}", code=303)


def install_login_routes(
    server: Flask,
    store: UserStore,
    limiter: LoginRateLimiter,
    registry: SessionRegistry,
    signed_in_user: Callable[[], Identity | None],
) -> None:
    """The /login form (GET shows it, POST signs in) and POST /logout on ``server``."""

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
            return error(400, "csrf_token", "the sign-out form expired; reload the page")
        sid = session.get("sid")
        if isinstance(sid, str):
            registry.end(sid)  # a copy of the cookie stops working too
        session.clear()
        return redirect(LOGIN_PATH, code=303)


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
