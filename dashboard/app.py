"""Build the Dash app over one serving database: layout shell, API, geometry and callbacks."""

from __future__ import annotations

import logging
from pathlib import Path

import dash
from dash import dcc, html

from care_atlas.config import PROJECT_ROOT, Settings, load_settings
from dashboard import ids
from dashboard.choices import choices_from_reference
from dashboard.views import Context

log = logging.getLogger(__name__)

APP_TITLE = "Care Atlas"
ASSETS = PROJECT_ROOT / "assets"
SYNTHETIC_BANNER = (
    "Synthetic data. Every figure here describes made-up people generated for demonstration; "
    "none describes a real person or Birmingham's real services."
)


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
    )
    app.server.config["PROPAGATE_EXCEPTIONS"] = False

    @app.server.errorhandler(500)
    def server_error(_exc: Exception) -> tuple[str, int]:
        return "Care Atlas hit an unexpected error. Please reload the page.", 500

    return app


def _shell(ctx: Context | None, settings: Settings, demo: bool, main: object) -> list:
    banner = []
    synthetic = ctx.synthetic if ctx else False
    if synthetic:
        banner = [
            html.Div(SYNTHETIC_BANNER, className="banner", role="note", id="synthetic-banner")
        ]
    meta = ctx.db.meta if ctx else {}
    subtitle = "Where Birmingham's social care is delivered, to whom and at what cost"
    label = " (synthetic demo)" if synthetic and demo else (" (synthetic)" if synthetic else "")
    return [
        html.A("Skip to content", href="#main", className="skip-link"),
        *banner,
        html.Header(
            [html.H1(f"{APP_TITLE}{label}"), html.P(subtitle, className="subtitle")],
            className="site-header",
        ),
        dcc.Location(id=ids.SHELL_URL, refresh=False),
        html.Main(main, id="main"),
        html.Footer(
            [
                html.P(
                    f"Data to {meta.get('data_date', 'unknown')}; build {meta.get('build_id', '-')}"
                    + ("; synthetic data" if synthetic else "")
                    + ". Counts are perturbed and rounded; [c] means fewer than 10."
                ),
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
    return app


def create_app(db_path: Path, *, demo: bool, settings: Settings | None = None) -> dash.Dash:
    """The dashboard over ``db_path``, with the query API at /api/v1 and geometry at /geometry."""
    from queries import open_database
    from queries.api import create_api_blueprint

    settings = settings or load_settings()
    db_path = Path(db_path)
    if not db_path.is_file():
        hint = (
            "Run `care-atlas demo` to build the demo." if demo else "Run `care-atlas build` first."
        )
        return _error_app(APP_TITLE, f"No serving database at {db_path}. {hint}", settings, demo)
    try:
        # A result cache on disk, shared by server processes: a revisited state is instant.
        db = open_database(db_path, cache_dir=settings.cache_dir / "results")
    except Exception as exc:  # DatabaseError and friends: say what, not how
        log.exception("cannot open %s", db_path)
        return _error_app(
            APP_TITLE, f"The serving database cannot be opened: {exc}", settings, demo
        )

    geometry = None
    try:
        from dashboard.geometry import GeometryStore

        geometry = GeometryStore(settings)
    except Exception:
        log.exception("browser geometry unavailable; the map will say so")
    ctx = Context(db=db, choices=choices_from_reference(db.reference), geometry=geometry)
    title = f"{APP_TITLE} (synthetic data)" if ctx.synthetic else APP_TITLE
    app = _new_app(title)
    app.server.register_blueprint(create_api_blueprint(lambda: db))
    if geometry is not None:
        geometry.register(app.server)

    from dashboard.callbacks import register_callbacks
    from dashboard.pages.overview import layout as overview_layout

    app.layout = html.Div(_shell(ctx, settings, demo, html.Div(id=ids.PAGE)))
    app.validation_layout = html.Div(
        _shell(ctx, settings, demo, html.Div([html.Div(id=ids.PAGE), overview_layout(ctx)]))
    )
    register_callbacks(app, ctx)
    app.server.extensions["care_atlas_context"] = ctx
    return app
