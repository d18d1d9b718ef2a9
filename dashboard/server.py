"""Serve the dashboard with a simple threaded server (production gunicorn comes later)."""

from __future__ import annotations

import logging
from pathlib import Path

from care_atlas.errors import UserError


def run_server(db_path: Path, *, demo: bool, host: str = "127.0.0.1", port: int = 8050) -> None:
    """Start the dashboard on host:port; a missing database is a one-line error, not a trace."""
    from dashboard.app import create_app

    db_path = Path(db_path)
    if not db_path.is_file():
        hint = "run `care-atlas demo`" if demo else "build one with `care-atlas build`"
        raise UserError(f"no serving database at {db_path}; {hint}")
    if not 0 < port < 65536:
        raise UserError(f"--port must be 1..65535, not {port}")
    logging.basicConfig(level=logging.WARNING)
    app = create_app(db_path, demo=demo)
    try:
        app.run(host=host, port=port, debug=False, threaded=True)
    except OSError as exc:
        raise UserError(f"cannot listen on {host}:{port}: {exc}") from exc
