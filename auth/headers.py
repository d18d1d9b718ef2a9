"""Security headers on every response.

The Content-Security-Policy allows exactly what the Dash app needs: its own scripts plus the
hashes of Dash's inline scripts, inline styles (Dash and Plotly set style attributes), data:
and blob: images, and blob: workers for MapLibre. Nothing may frame the app, and browsers may
not guess content types.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any


def content_security_policy(script_hashes: Sequence[str]) -> str:
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'", *script_hashes],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'", "blob:"],
        "child-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{k} {' '.join(v)}" for k, v in directives.items())


def security_headers(script_hashes: Sequence[str]) -> dict[str, str]:
    return {
        "Content-Security-Policy": content_security_policy(script_hashes),
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    }


def install_security_headers(server: Any, script_hashes: Callable[[], Sequence[str]]) -> None:
    """The same headers on every response of a Flask app that has no sign-in gate (the page
    that says why the dashboard cannot start); install_auth sets them on the real app."""
    headers: dict[str, str] = {}

    @server.after_request
    def add_headers(response: Any) -> Any:
        if not headers:
            headers.update(security_headers(list(script_hashes())))
        response.headers.update(headers)
        response.headers["Cache-Control"] = "no-store"
        return response
