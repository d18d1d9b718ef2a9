"""The sign-in gate: every route but the login page and static files needs an identity.

``install_auth`` wraps a Flask server (the Dash app's): before each request it caps the body,
finds who is asking (the demo's one identity, the sign-in proxy's user, or a built-in user's
session: :mod:`auth.identity`), stores it in ``flask.g`` for the query guard, applies the
per-user limits (:mod:`auth.limits`) and notes exports for the audit log; after it, it caps
the answer's size, turns a failed audit write into a 503 and adds the security headers.

Sessions are Flask's signed cookies (HttpOnly, SameSite=Lax, Secure when configured) that carry
a random session id checked against the server-side registry shared by all workers
(:mod:`auth.sessions`); the login form and sign-out are :mod:`auth.login`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

from flask import Flask, Response, g, jsonify, request

from auth.audit_log import AuditLogError
from auth.config import AuthConfig
from auth.guard import API_BLUEPRINT, Action, Identity
from auth.headers import security_headers
from auth.identity import DEMO_IDENTITY, proxy_user, signed_in_user
from auth.limits import Refusal, RequestLimiter
from auth.login import LOGIN_PATH, install_login_routes, login_redirect
from auth.ratelimit import LoginRateLimiter
from auth.responses import (
    AUDIT_FAILED_MESSAGE,
    body_size,
    body_too_large,
    error,
    not_found,
)
from auth.sessions import SessionRegistry
from auth.users import UserStore

log = logging.getLogger(__name__)

CALLBACK_PATH = "/_dash-update-component"
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

    def session_user() -> Identity | None:
        assert store is not None and registry is not None
        return signed_in_user(config, store, registry)

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
            return body_too_large(limit)
        if config.demo:
            g.identity = DEMO_IDENTITY
        elif is_public(path):
            return None
        elif config.mode == "header":
            found = proxy_user(config)
            if isinstance(found, Response):
                return found
            g.identity = found
        else:
            identity = session_user()
            if identity is None:
                if request.method == "GET" and not path.startswith(DATA_PREFIXES):
                    query = request.query_string.decode("latin-1")
                    target = path + (f"?{query}" if query else "")
                    return login_redirect(target)
                return error(401, "session", "sign in first (your session may have expired)")
            g.identity = identity
        if path.startswith(DATA_PREFIXES) and _matched_page_route():
            return not_found(path)
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
                response = error(429, admitted.field, admitted.message)
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
        install_login_routes(server, store, limiter, registry, session_user)

    @server.errorhandler(AuditLogError)
    def audit_failed(exc: AuditLogError) -> Response:
        log.error("%s", exc)
        return error(503, "audit_log", AUDIT_FAILED_MESSAGE)

    @server.teardown_request
    def release_slots(_exc: BaseException | None) -> None:
        ticket = g.pop("request_ticket", None)
        if ticket is not None and requests_limiter is not None:
            requests_limiter.finish(ticket)

    @server.after_request
    def protect(response: Response) -> Response:
        denied = getattr(g, "role_denied", None)
        size = body_size(response)
        if size is not None and size > config.max_response_bytes:
            log.warning("refused a %d-byte answer to %s", size, request.path)
            response = error(
                400,
                "size",
                f"the answer would be {size / 2**20:.1f} MB, more than the "
                f"{config.max_response_bytes / 2**20:.0f} MB sent at once: narrow the filters "
                "(a coarser level, fewer periods)",
            )
        elif getattr(g, "audit_failed", False) and response.status_code < 500:
            response = error(503, "audit_log", AUDIT_FAILED_MESSAGE)
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
