"""``care-atlas serve``: the dashboard over a serving database."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "serve",
        help="serve the dashboard over a serving database",
        description=__doc__.splitlines()[0],
    )
    p.add_argument("--db", required=True, type=Path, help="serving database (.duckdb)")
    p.add_argument("--demo", action="store_true", help="label it as the synthetic demo")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8050, help="port (default 8050)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from dashboard.server import run_server

    run_server(args.db, demo=args.demo, host=args.host, port=args.port)
    return 0
