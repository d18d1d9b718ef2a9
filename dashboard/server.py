"""Serve the dashboard: gunicorn with N workers for production, a threaded server for the demo.

``serve_production`` checks everything that can be checked before any worker starts (the
database opens, the sign-in setting is usable, the address is free) and fails with one line
saying why. Each gunicorn worker then builds its own app, so each opens the database read-only
on its own connection and takes a cursor per query. ``run_server`` stays the simple way to run
the demo (``care-atlas demo``, ``python app.py``).
"""

from __future__ import annotations

import errno
import logging
import os
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

from care_atlas.config import Settings, load_settings
from care_atlas.errors import UserError

MAX_WORKERS = 64
MAX_THREADS = 64
DEFAULT_THREADS = 4
#: Environment read by :func:`wsgi_app` (for running gunicorn by hand).
DB_ENV = "CARE_ATLAS_DB"
DEMO_ENV = "CARE_ATLAS_DEMO"


def _check_db(db_path: Path, demo: bool) -> None:
    if not db_path.is_file():
        hint = "run `care-atlas demo`" if demo else "build one with `care-atlas build`"
        raise UserError(f"no serving database at {db_path}; {hint}")


def _check_port(port: int) -> None:
    if not 0 < port < 65536:
        raise UserError(f"--port must be 1..65535, not {port}")


def _check_bindable(host: str, port: int) -> None:
    """Fail now, in one line, if the address is taken (gunicorn would retry, then trace)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise UserError(f"cannot listen on {host}:{port}: {exc.strerror}") from exc
    family, kind, proto, _name, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            reason = "the address is in use" if exc.errno == errno.EADDRINUSE else exc.strerror
            raise UserError(f"cannot listen on {host}:{port}: {reason}") from exc


def check_serving(db_path: Path, *, demo: bool, settings: Settings) -> Any:
    """The resolved AuthConfig once the database opens and sign-in is usable, else UserError."""
    from auth.config import demo_refusal, load_auth_config
    from queries import DatabaseError, open_database

    auth = load_auth_config(settings, demo=demo)  # AuthConfigError is a UserError
    try:
        db = open_database(db_path)
    except DatabaseError as exc:
        raise UserError(str(exc)) from exc
    try:
        refusal = demo_refusal(db.meta) if demo else None
    finally:
        db.close()
    if refusal is not None:
        raise UserError(
            f"{db_path} is not synthetic data built with the demo key ({refusal}) and --demo "
            "serves without sign-in; serve it without --demo, with CARE_ATLAS_AUTH set"
        )
    return auth


def run_server(db_path: Path, *, demo: bool, host: str = "127.0.0.1", port: int = 8050) -> None:
    """Start the dashboard on host:port with Flask's threaded server (the demo's way)."""
    from dashboard.app import create_app

    db_path = Path(db_path)
    _check_db(db_path, demo)
    _check_port(port)
    settings = load_settings()
    auth = check_serving(db_path, demo=demo, settings=settings)
    logging.basicConfig(level=logging.WARNING)
    app = create_app(db_path, demo=demo, settings=settings, auth=auth)
    try:
        app.run(host=host, port=port, debug=False, threaded=True)
    except OSError as exc:
        raise UserError(f"cannot listen on {host}:{port}: {exc}") from exc


def query_threads_per_worker(workers: int, cores: int | None = None) -> int:
    """Threads a worker's DuckDB may give one query: the cores shared out among the workers.

    A busy server already runs a query per core; a query that also spreads over every core
    only adds coordination to work that waits for a core anyway (measured by bench_load).
    """
    return max(1, (cores or os.cpu_count() or 1) // max(1, workers))


def gunicorn_options(host: str, port: int, workers: int, threads: int) -> dict[str, Any]:
    """gunicorn settings: threaded workers, no access log (the audit log records queries)."""
    return {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": threads,
        "timeout": 120,
        "graceful_timeout": 30,
        "keepalive": 5,
        "limit_request_line": 8190,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
        "preload_app": False,  # each worker opens the database itself
        "proc_name": "care-atlas",
    }


def _gunicorn_application(options: dict[str, Any], factory: Callable[[], Any]) -> Any:
    from gunicorn.app.base import BaseApplication

    class CareAtlasGunicorn(BaseApplication):
        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            return factory()

    return CareAtlasGunicorn()


def serve_production(
    db_path: Path,
    *,
    demo: bool,
    workers: int = 2,
    threads: int = DEFAULT_THREADS,
    host: str = "127.0.0.1",
    port: int = 8050,
) -> None:
    """Run gunicorn with ``workers`` processes of ``threads`` threads over ``db_path``."""
    db_path = Path(db_path).resolve()
    _check_db(db_path, demo)
    _check_port(port)
    if not 1 <= workers <= MAX_WORKERS:
        raise UserError(f"--workers must be 1..{MAX_WORKERS}, not {workers}")
    if not 1 <= threads <= MAX_THREADS:
        raise UserError(f"--threads must be 1..{MAX_THREADS}, not {threads}")
    settings = load_settings()
    auth = check_serving(db_path, demo=demo, settings=settings)
    _check_bindable(host, port)

    def factory() -> Any:
        from dashboard.app import create_app

        logging.basicConfig(level=logging.WARNING)
        return create_app(
            db_path,
            demo=demo,
            settings=settings,
            auth=auth,
            query_threads=query_threads_per_worker(workers),
        ).server

    _gunicorn_application(gunicorn_options(host, port, workers, threads), factory).run()


def wsgi_app() -> Any:
    """WSGI app from the environment, for ``gunicorn 'dashboard.server:wsgi_app()'``.

    Reads CARE_ATLAS_DB (the serving database) and CARE_ATLAS_DEMO=1; refuses to build an app
    without a usable sign-in setting outside demo mode.
    """
    raw = os.environ.get(DB_ENV)
    if not raw:
        raise UserError(f"set {DB_ENV} to the serving database")
    demo = os.environ.get(DEMO_ENV, "") in ("1", "true", "yes")
    db_path = Path(raw).resolve()
    _check_db(db_path, demo)
    settings = load_settings()
    auth = check_serving(db_path, demo=demo, settings=settings)
    from dashboard.app import create_app

    return create_app(db_path, demo=demo, settings=settings, auth=auth).server
