"""``care-atlas demo``: build the synthetic demo on first run, then serve the dashboard on it.

The demo is the whole pipeline a council runs, on synthetic data: browser geometry from the
geography folder, a seeded synthetic raw extract, the build step with the published demo key,
then the dashboard. Each step is skipped when its output is already there, so the second run
starts in seconds.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from care_atlas.config import Settings, load_settings
from care_atlas.errors import UserError

#: Thesis scale: about 215,000 agreements (DOMAIN.md §6).
DEMO_ROWS = 215_000
DEMO_SEED = 1


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "demo",
        help="build the synthetic demo data on first run, then serve the dashboard on it",
        description=__doc__.splitlines()[0],
    )
    p.add_argument("--rows", type=int, default=DEMO_ROWS, help="synthetic rows (default 215000)")
    p.add_argument("--seed", type=int, default=DEMO_SEED, help="generator seed (default 1)")
    p.add_argument("--rebuild", action="store_true", help="regenerate the demo data first")
    p.add_argument("--prepare-only", action="store_true", help="build the demo data, do not serve")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8050, help="port (default 8050)")
    p.set_defaults(func=run)


def _say(message: str) -> None:
    print(f"care-atlas demo: {message}", file=sys.stderr, flush=True)


def prepare_demo(
    settings: Settings, *, rows: int = DEMO_ROWS, seed: int = DEMO_SEED, rebuild: bool = False
) -> Path:
    """Make sure geometry, the synthetic extract and the serving database exist; return the DB."""
    from boundaries.browser_geometry import ensure_browser_geometry
    from ingest.build import DEMO_KEY, build_serving_database
    from synth import write_extract

    if rows <= 0:
        raise UserError(f"--rows must be a positive whole number, not {rows}")
    settings.demo_dir.mkdir(parents=True, exist_ok=True)
    _say("checking browser geometry")
    ensure_browser_geometry(settings)

    extract, db = settings.demo_extract, settings.demo_db
    if rebuild:
        for path in (db, extract):
            path.unlink(missing_ok=True)
    if not extract.exists():
        _say(f"generating the synthetic extract ({rows:,} rows, seed {seed}) -> {extract}")
        write_extract(rows, seed, extract, mess=True, settings=settings, progress=True)
    if db.exists() and not rebuild and _built_by_older_code(db):
        _say(f"{db} was built by older code: rebuilding it")
        db.unlink()
    if not db.exists():
        _say(f"building the serving database -> {db}")
        build_serving_database(
            extract,
            db,
            key=DEMO_KEY,
            key_is_demo=True,
            settings=settings,
            progress=True,
            audit=True,
        )
    return db


def _built_by_older_code(db: Path) -> bool:
    """Whether this code refuses the demo's served file (a schema from an earlier version):
    the demo data is the project's own, so it is rebuilt rather than left to fail at serve."""
    from queries.database import DatabaseError, open_database

    try:
        open_database(db).close()
    except DatabaseError:
        return True
    return False


def run(args: argparse.Namespace) -> int:
    from dashboard.server import run_server

    settings = load_settings()
    db = prepare_demo(settings, rows=args.rows, seed=args.seed, rebuild=args.rebuild)
    if args.prepare_only:
        _say(f"demo data ready: {db}")
        return 0
    _say(f"serving the synthetic demo on http://{args.host}:{args.port}/")
    run_server(db, demo=True, host=args.host, port=args.port)
    return 0
