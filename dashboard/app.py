"""Build the Dash app over one serving database: layout shell, API, geometry and callbacks.

Outside demo mode the app is wrapped by :mod:`auth`: a sign-in gate on every route, the
role-aware audited runner behind both the API and the callbacks, and security headers. Without
a usable sign-in setting it serves only a page saying what to configure, never the data.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import dash
from dash import dcc, html
from flask import g, has_request_context, request

from auth.audit_log import AuditLog
from auth.config import AuthConfig, AuthConfigError, demo_refusal, load_auth_config
from auth.guard import Action, GuardedRunner, Identity
from care_atlas.config import PROJECT_ROOT, Settings, load_settings
from dashboard import ids
from dashboard.choices import choices_from_reference
from dashboard.pages import navigation
from dashboard.views import Context
from layers.style import SUPPRESSED_TEXT

log = logging.getLogger(__name__)

APP_TITLE = "Care Atlas"
ASSETS = PROJECT_ROOT / "assets"
SYNTHETIC_BANNER = (
    "Synthetic data. Every figure here describes made-up people generated for demonstration; "
    "none describes a real person or Birmingham's real services."
)
DEMO_NOTE = "Demo mode: no sign-in; every query is still written to the audit log."
#: Dash's page template with a language (WCAG 3.1.1) and its script block in a plain div, not
#: a second <footer>: the page's own footer is its one contentinfo landmark.
INDEX_STRING = """<!DOCTYPE html>
<html lang="en-GB">
    <head>
        {%metas%}
        <title>{%title%}</title>
        {%favicon%}
        {%css%}
    </head>
    <body>
        {%app_entry%}
        <div class="dash-scripts">
            {%config%}
            {%scripts%}
            {%renderer%}
        </div>
    </body>
</html>"""
#: Dash component types whose clicks export a table (dashboard.ids.csv_button / xlsx_button).
EXPORT_TYPES: tuple[str, ...] = (ids.csv_button("")["type"], ids.xlsx_button("")["type"])


def _attribution(settings: Settings) -> str:
    try:
        from boundaries.sources import read_attribution

        return read_attribution(settings)
    except Exception:  # the footer must not stop the app
        log.exception("could not read the geography attribution")
        return "Contains OS data and National Statistics data © Crown copyright and database right."


def _new_app(title: str) -> dash.Dash:
    app = dash.Dash(
        __name__,
        assets_folder=str(ASSETS),
        serve_locally=True,
        title=title,
        update_title=None,
        compress=False,
        suppress_callback_exceptions=True,  # page components arrive with the router
        index_string=INDEX_STRING,
    )
    app.server.config["PROPAGATE_EXCEPTIONS"] = False

    @app.server.errorhandler(500)
    def server_error(_exc: Exception) -> tuple[str, int]:
        return "Care Atlas hit an unexpected error. Please reload the page.", 500

    from auth.responses import install_http_errors

    install_http_errors(app.server)
    return app


def _account(identity: Identity | None, auth: AuthConfig | None) -> list:
    """Who is signed in, and (for built-in users) a sign-out form carrying the CSRF token."""
    if identity is None or auth is None or auth.demo:
        return []
    parts: list = [html.Span(f"Signed in as {identity.user} ({identity.role})")]
    if auth.mode == "users":
        from auth.login import LOGOUT_PATH, csrf_token

        parts.append(
            html.Form(
                html.Button("Sign out", type="submit", name="csrf_token", value=csrf_token()),
                action=LOGOUT_PATH,
                method="post",
                className="sign-out",
            )
        )
    return [html.Div(parts, className="account")]


def _shell(
    ctx: Context | None,
    settings: Settings,
    demo: bool,
    main: object,
    account: list | None = None,
) -> list:
    banner = []
    synthetic = ctx.synthetic if ctx else False
    if synthetic:
        # In a landmark of its own, so a screen reader's landmark list reaches it too.
        banner = [
            html.Div(
                html.Div(SYNTHETIC_BANNER, className="banner", role="note", id="synthetic-banner"),
                role="region",
                **{"aria-label": "About this data"},
            )
        ]
    meta = ctx.db.meta if ctx else {}
    subtitle = "Where Birmingham's social care is delivered, to whom and at what cost"
    label = " (synthetic demo)" if synthetic and demo else (" (synthetic)" if synthetic else "")
    return [
        html.A("Skip to content", href="#main", className="skip-link"),
        *banner,
        html.Header(
            [
                html.H1(f"{APP_TITLE}{label}"),
                html.P(subtitle, className="subtitle"),
                *(account or []),
                *([navigation()] if ctx is not None else []),
            ],
            className="site-header",
        ),
        dcc.Location(id=ids.SHELL_URL, refresh=False),
        html.Main(main, id="main"),
        html.Footer(
            [
                html.P(
                    f"Data to {meta.get('data_date', 'unknown')}; build {meta.get('build_id', '-')}"
                    + ("; synthetic data" if synthetic else "")
                    + f". Counts are perturbed and rounded; {SUPPRESSED_TEXT}."
                ),
                *([html.P(DEMO_NOTE)] if demo and ctx is not None else []),
                html.P(_attribution(settings), className="attribution"),
            ],
            className="site-footer",
        ),
    ]


def _error_app(title: str, message: str, settings: Settings, demo: bool) -> dash.Dash:
    """An app that explains what is wrong instead of failing to start."""
    app = _new_app(title)
    app.layout = html.Div(
        _shell(
            None,
            settings,
            demo,
            html.Div(
                [html.H2("The dashboard cannot start"), html.P(message)],
                className="page error-page",
            ),
        )
    )
    from auth.headers import install_security_headers

    install_security_headers(app.server, app.csp_hashes)
    _set_up_dash_now(app)
    return app


def _dash_export_action() -> Action | None:
    """A click on a CSV or Excel button is an export in the audit log, not a query."""
    if not request.path.endswith("/_dash-update-component"):
        return None
    from dashboard.inputs import BadPost, read_post_json

    try:
        body = read_post_json(request.get_data(cache=True))
    except BadPost:  # refused with a 400 by the callback guard
        return None
    changed = body.get("changedPropIds")
    for prop in changed if isinstance(changed, list) else []:
        id_text = str(prop).rpartition(".")[0]
        try:
            component = json.loads(id_text)
        except ValueError:
            continue
        if isinstance(component, dict) and component.get("type") in EXPORT_TYPES:
            return Action("export", str(component["type"]))
    return None


def _not_servable(db: Any, auth: AuthConfig) -> str | None:
    """Why this app must not serve ``db`` (asked at start and of every rebuilt file)."""
    refusal = demo_refusal(db.meta) if auth.demo else None
    if refusal is not None:
        return (
            f"{db.path} is not synthetic data built with the demo key ({refusal}), and demo "
            "mode has no sign-in: serve it without --demo, with sign-in set up (CARE_ATLAS_AUTH)."
        )
    return None


def create_app(
    db_path: Path,
    *,
    demo: bool,
    settings: Settings | None = None,
    auth: AuthConfig | None = None,
    query_threads: int | None = None,
) -> dash.Dash:
    """The dashboard over ``db_path``, with the query API at /api/v1 and geometry at /geometry.

    ``query_threads``: threads each DuckDB query may use (default: every core; several server
    workers share the cores, see dashboard.server.query_threads_per_worker).

    ``auth`` defaults to the CARE_ATLAS_AUTH* environment (demo: no sign-in, role analyst);
    every query and export is audited either way.
    """
    from dashboard.reopen import LiveDatabase, file_stamp
    from queries import open_database
    from queries.api import create_api_blueprint

    settings = settings or load_settings()
    db_path = Path(db_path)
    if not db_path.is_file():
        hint = (
            "Run `care-atlas demo` to build the demo." if demo else "Run `care-atlas build` first."
        )
        return _error_app(APP_TITLE, f"No serving database at {db_path}. {hint}", settings, demo)
    stamp = file_stamp(db_path)  # before opening: a file renamed over it later is noticed
    try:
        first = open_database(db_path, threads=query_threads)
    except Exception as exc:  # DatabaseError and friends: say what, not how
        log.exception("cannot open %s", db_path)
        return _error_app(
            APP_TITLE, f"The serving database cannot be opened: {exc}", settings, demo
        )
    try:
        auth = auth or load_auth_config(settings, demo=demo)
    except AuthConfigError as exc:
        first.close()
        return _error_app(APP_TITLE, f"Sign-in is not set up: {exc}.", settings, demo)
    refusal = _not_servable(first, auth)
    if refusal:
        first.close()
        return _error_app(APP_TITLE, refusal, settings, demo)
    # Each request reads one Database; a rebuild renamed over the file is served from the
    # next requests on, after the same checks (dashboard/reopen.py).
    db = LiveDatabase(
        first, stamp=stamp, threads=query_threads, check=lambda new: _not_servable(new, auth)
    )

    geometry = None
    try:
        from dashboard.geometry import GeometryStore

        geometry = GeometryStore(settings)
    except Exception:
        log.exception("browser geometry unavailable; the map will say so")
    runner = GuardedRunner(AuditLog(auth.audit_log))
    ctx = Context(
        db=db, choices=choices_from_reference(db.reference, db), geometry=geometry, runner=runner
    )
    title = f"{APP_TITLE} (synthetic data)" if ctx.synthetic else APP_TITLE
    app = _new_app(title)
    db.install(app.server)
    app.server.register_blueprint(create_api_blueprint(db.get, run=runner))
    if geometry is not None:
        geometry.register(app.server)

    from auth.web import install_auth
    from dashboard.callbacks import register_callbacks
    from dashboard.pages import pages

    def layout() -> Any:
        identity = g.get("identity") if has_request_context() else None
        return html.Div(
            _shell(ctx, settings, demo, html.Div(id=ids.PAGE), _account(identity, auth))
        )

    # Demo: one static layout. Signed in: built per page load, to say who is signed in.
    app.layout = layout() if auth.demo else layout
    every_page = [page.layout(ctx) for page in pages().values()]
    app.validation_layout = html.Div(
        _shell(ctx, settings, demo, html.Div([html.Div(id=ids.PAGE), *every_page]))
    )
    register_callbacks(app, ctx)
    install_auth(
        app.server, auth, script_hashes=app.csp_hashes, recognise_action=_dash_export_action
    )
    from dashboard.inputs import install_callback_guard

    install_callback_guard(app)  # after sign-in: anonymous posts are refused before this
    app.server.extensions["care_atlas_context"] = ctx
    app.server.extensions["care_atlas_auth"] = auth
    _set_up_dash_now(app)
    return app


def _set_up_dash_now(app: dash.Dash) -> None:
    """Register Dash's scripts before the server takes a request, not on its first request.

    Dash does it in a before-request hook that sets its done-flag before the work
    (plotly/dash#3971): with gunicorn's threads, requests arriving during a worker's first
    one were checked against an empty registry, answered 500, and the page stayed on
    "Loading...". Run here, in one thread, the hook finds the work done.
    """
    with app.server.app_context():
        app._setup_server()
