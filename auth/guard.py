"""The role-aware, audited way to run a view: what the API and the dashboard call.

``GuardedRunner`` has run_view's signature. It reads who is asking from the request (set by
the sign-in gate in :mod:`auth.web`), refuses filters the role may not use, runs the view, and
appends the audit record before handing the result back. A failed audit write raises and marks
the request, so the web layer answers 503 even if a caller swallowed the exception.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import g, has_request_context, request

from auth.audit_log import AuditLog, AuditLogError, now_iso
from auth.roles import RoleDenied, check_role
from queries import Database, Filters, ProtectedResult, run_view

API_BLUEPRINT = "care_atlas_api"


@dataclass(frozen=True)
class Identity:
    """Who is asking: a signed-in user (or the demo) and their role."""

    user: str
    role: str


@dataclass(frozen=True)
class Action:
    """What the request does with a result: a query on screen, or an export in a format."""

    kind: str = "query"  # "query" or "export"
    format: str | None = None


def current_identity() -> Identity:
    identity = getattr(g, "identity", None) if has_request_context() else None
    if not isinstance(identity, Identity):
        # Every route but the login page and static files passes the sign-in gate first.
        raise PermissionError("no signed-in identity for this request")
    return identity


def current_action() -> Action:
    """The action the request layer recognised (API csv, dashboard download), else a query."""
    action = getattr(g, "audit_action", None)
    if isinstance(action, Action):
        return action
    if request.blueprint == API_BLUEPRINT:
        fmt = request.args.getlist("format")
        chosen = fmt[-1] if fmt else "json"
        return Action("export", chosen) if chosen == "csv" else Action("query", chosen)
    return Action()


class GuardedRunner:
    """run_view(db, view, filters), limited by role and written to the audit log."""

    def __init__(self, audit: AuditLog) -> None:
        self.audit = audit

    def __call__(self, db: Database, view: str, filters: Filters) -> ProtectedResult:
        identity = current_identity()
        try:
            check_role(identity.role, filters)
        except RoleDenied as exc:
            g.role_denied = exc  # the API answers 403 with it (auth.web)
            self._record(identity, view, filters, outcome="denied", rows=None)
            raise
        try:
            result = run_view(db, view, filters)
        except Exception:
            self._record(identity, view, filters, outcome="error", rows=None)
            raise
        self._record(identity, view, filters, outcome="ok", rows=len(result.rows))
        return result

    def _record(
        self, identity: Identity, view: str, filters: Filters, *, outcome: str, rows: int | None
    ) -> None:
        action = current_action()
        record = {
            "ts": now_iso(),
            "user": identity.user,
            "role": identity.role,
            "action": action.kind,
            "view": view,
            "filters": filters.to_params(),
            "rows": rows,
            "format": action.format,
            "source": "api" if request.blueprint == API_BLUEPRINT else "dashboard",
            "outcome": outcome,
            "remote": request.remote_addr,
        }
        try:
            self.audit.write(record)
        except AuditLogError:
            g.audit_failed = True
            raise
