"""Serve the synthetic demo: ``python app.py`` (or ``gunicorn app:server``).

Importing this module never fails because the demo database is missing: the app then shows a
page saying how to build it (``care-atlas demo``).
"""

from __future__ import annotations

from care_atlas.config import load_settings
from dashboard.app import create_app

_settings = load_settings()
app = create_app(_settings.demo_db, demo=True, settings=_settings)
server = app.server

if __name__ == "__main__":
    from dashboard.server import run_server

    run_server(_settings.demo_db, demo=True)
