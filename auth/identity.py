"""Who is asking: the signed-in user of a session cookie, or the user a sign-in proxy names.

Built-in users: the cookie's session must still be live on the server (:mod:`auth.sessions`)
and within its absolute and idle limits by the server's clock; the role is re-read from the
users file on every request, so a changed role takes effect at once. Proxy sign-in: only from
the trusted proxy addresses, one user header (and optionally one role header), never joined.
"""

from __future__ import annotations

import logging
import re
import time

from flask import Response, request, session

from auth.config import AuthConfig
from auth.guard import Identity
from auth.responses import error
from auth.roles import ROLES
from auth.sessions import SEEN_REFRESH_SECONDS, SessionRegistry
from auth.users import UsersFileError, UserStore

log = logging.getLogger(__name__)

DEMO_IDENTITY = Identity("demo", "analyst")
#: A user name from the sign-in proxy: printable ASCII, no comma (a server joins a repeated
#: header's values with commas, so "alice,mallory" is two headers, not one name).
_HEADER_USER = re.compile(r"^[\x21-\x2b\x2d-\x7e][\x20-\x2b\x2d-\x7e]{0,255}$")


def signed_in_user(
    config: AuthConfig, store: UserStore, registry: SessionRegistry
) -> Identity | None:
    """The built-in user this request's session belongs to, or None (the session is ended)."""
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
    if now - seen >= SEEN_REFRESH_SECONDS:  # each refresh resends the cookie
        session["seen"] = now
    return Identity(known.name, known.role)


def proxy_user(config: AuthConfig) -> Identity | Response:
    """The user (and role) the trusted sign-in proxy names, or the error answer to send."""
    if not config.proxy_allowed(request.remote_addr):
        return error(403, "proxy", "requests must come through the council's sign-in proxy")
    names = request.headers.getlist(config.trusted_header or "")
    if len(names) > 1 or any("," in n for n in names):
        return error(400, "user", "the sign-in proxy's user header was sent more than once")
    name = (names[0] if names else "").strip()
    if not _HEADER_USER.match(name):
        return error(401, "user", "the sign-in proxy did not say who is signed in")
    role = config.header_role
    if config.role_header:
        roles = request.headers.getlist(config.role_header)
        if len(roles) > 1 or any("," in r for r in roles):
            return error(400, "role", "the sign-in proxy's role header was sent more than once")
        given = (roles[0] if roles else "").strip()
        if given:
            if given not in ROLES:
                return error(403, "role", f"unknown role from the sign-in proxy: {given[:40]!r}")
            role = given
    return Identity(name, role)
