"""``care-atlas serve``: the dashboard over a serving database, behind sign-in.

Also registers ``care-atlas users`` and ``care-atlas audit-log`` (see :mod:`auth.cli`), the
commands that decide and show who sees the served data.
"""

from __future__ import annotations

import argparse
from pathlib import Path

SERVE_EPILOG = """\
Outside --demo, sign-in is required: set CARE_ATLAS_AUTH=users (and add users with
`care-atlas users add`) or CARE_ATLAS_AUTH=header with CARE_ATLAS_TRUSTED_HEADER and
CARE_ATLAS_TRUSTED_PROXIES. Every query and export is written to the audit log
(CARE_ATLAS_AUDIT_LOG, default var/log/audit.jsonl)."""


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "serve",
        help="serve the dashboard over a serving database (gunicorn, sign-in required)",
        description=__doc__.splitlines()[0],
        epilog=SERVE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--db", required=True, type=Path, help="serving database (.duckdb)")
    p.add_argument(
        "--demo", action="store_true", help="synthetic demo: no sign-in (synthetic databases only)"
    )
    p.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    p.add_argument("--threads", type=int, default=4, help="threads per worker (default 4)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8050, help="port (default 8050)")
    p.set_defaults(func=run)

    from auth.cli import register as register_auth

    register_auth(subparsers)


def run(args: argparse.Namespace) -> int:
    from dashboard.server import serve_production

    serve_production(
        args.db,
        demo=args.demo,
        workers=args.workers,
        threads=args.threads,
        host=args.host,
        port=args.port,
    )
    return 0
