"""Load test: simulated users against ``care-atlas serve`` (gunicorn) on loopback, bounded in time.

Each simulated user does what a person in a browser does: open the page (index, layout,
dependencies, the first callbacks, the ward geometry), change filters (every view callback for
the new URL), drill into a ward's sectors, and export a table as CSV, with a think time between
steps, until the time is up. The Dash callbacks are posted exactly as the browser posts them,
built from the app's own /_dash-dependencies. A user's callbacks run one after another (a
browser sends a screen's callbacks in parallel), so concurrency is at most one request per user.

With ``--heavy-threads N`` one more user ("heavy-user") sends N requests at once for a large
answer (``--heavy-path``), again and again with no pause and ignoring Retry-After, as a hostile
script would (``--heavy-polite``: waiting as Retry-After says, as a careless one would); and ``--probe`` adds a user sending a small request every 0.2 s, whose
p95 shows what the heavy user costs everyone else (issue 19 #4: it must stay under 1 s). The
heavy user's answers are counted by status (its 429s are the per-user limits working, not
errors). ``--no-user-limits`` raises the per-user limits out of reach, for comparison.

The server starts on 127.0.0.1 with trusted-header sign-in (analyst role), a fresh result cache
and audit log in a temporary folder, and is stopped at the end. Reports throughput, latency
p50/p95/p99 (per request and per screen) and errors, with the machine it ran on. Like a
browser, a user sends a request once more when its kept-alive connection was closed under it
before any answer (counted in the report; the server's log is kept when that happens).

    python -m bench.bench_load --users 50 --duration 120 --workers 4
    python -m bench.bench_load --users 5 --duration 60 --workers 2 --heavy-threads 16 --probe
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

from bench.load_report import Stats, summary
from bench.load_users import REQUEST_TIMEOUT, HeavyThread, Probe, User, scenario_from
from bench.loopback import start_server
from bench.machine import machine
from bench.server_ready import wait_until_idle

DEFAULT_DB = Path("var/bench/serving-1m.duckdb")
MAX_USERS = 200
MAX_DURATION = 600
LOOPBACK = ("127.0.0.1", "localhost", "::1")
DEFAULT_HEAVY_PATH = "/api/v1/views/provision?level=h3r8"
MAX_HEAVY_THREADS = 64
#: Per-user limits out of reach (--no-user-limits), to measure the server without them.
NO_USER_LIMITS = {
    "CARE_ATLAS_USER_RATE": "10000",
    "CARE_ATLAS_USER_BURST": "100000",
    "CARE_ATLAS_USER_CONCURRENCY": "64",
    "CARE_ATLAS_USER_IN_FLIGHT": "256",
    "CARE_ATLAS_USER_SECONDS_PER_SECOND": "1000",
    "CARE_ATLAS_USER_SECONDS_BURST": "100000",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=DEFAULT_DB, help=f"default {DEFAULT_DB}")
    parser.add_argument("--users", type=int, default=50, help="simulated users (default 50)")
    parser.add_argument("--duration", type=float, default=120, help="seconds (default 120)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (default 4)")
    parser.add_argument("--think", type=float, default=2.0, help="mean think time s (default 2)")
    parser.add_argument("--url", help="an already running server on loopback (no auth set-up)")
    parser.add_argument("--out", type=Path, help="write the report as JSON here")
    parser.add_argument(
        "--heavy-threads", type=int, default=0, help="parallel requests of one heavy user"
    )
    parser.add_argument(
        "--heavy-path", default=DEFAULT_HEAVY_PATH, help=f"default {DEFAULT_HEAVY_PATH}"
    )
    parser.add_argument(
        "--heavy-polite", action="store_true", help="the heavy user waits as Retry-After says"
    )
    parser.add_argument("--probe", action="store_true", help="a user with a small request / 0.2 s")
    parser.add_argument(
        "--no-user-limits", action="store_true", help="per-user limits out of reach (compare)"
    )
    args = parser.parse_args(argv)
    if not 1 <= args.users <= MAX_USERS:
        parser.error(f"--users must be 1..{MAX_USERS}")
    if not 1 <= args.duration <= MAX_DURATION:
        parser.error(f"--duration must be 1..{MAX_DURATION} seconds")
    if args.think < 0:
        parser.error("--think must be 0 or more")
    if not 0 <= args.heavy_threads <= MAX_HEAVY_THREADS:
        parser.error(f"--heavy-threads must be 0..{MAX_HEAVY_THREADS}")
    if not args.heavy_path.startswith("/"):
        parser.error("--heavy-path must be a path on the server, starting with /")
    if args.url and urlparse(args.url).hostname not in LOOPBACK:
        parser.error("--url must be on loopback (127.0.0.1, localhost or ::1)")
    if not args.url and not args.db.is_file():
        parser.error(f"no serving database at {args.db}")

    folder = Path(tempfile.mkdtemp(prefix="care-atlas-load-"))
    server = None
    stats = Stats()
    try:
        if args.url:
            base = args.url.rstrip("/")
        else:
            print(f"starting {args.workers} workers over {args.db} ...", file=sys.stderr)
            extra = NO_USER_LIMITS if args.no_user_limits else None
            server, base = start_server(
                args.db.resolve(), args.workers, args.threads, folder, extra
            )
            wait_until_idle(server.pid)  # every worker up, as before real visitors arrive
        scenario = scenario_from(base)
        load_before = os.getloadavg()
        started = time.monotonic()
        stop_at = started + args.duration
        users: list[threading.Thread] = [
            User(n, base, scenario, stats, stop_at, args.think) for n in range(args.users)
        ]
        if args.probe:
            users.insert(0, Probe(base, stats, stop_at))
        heavy = [
            HeavyThread(n, base, args.heavy_path, stats, stop_at, args.heavy_polite)
            for n in range(args.heavy_threads)
        ]
        for thread in heavy:
            thread.start()
        for user in users:
            user.start()
            time.sleep(min(0.1, args.duration / 100))  # users arrive over the first seconds
        for user in [*users, *heavy]:
            user.join(timeout=args.duration + REQUEST_TIMEOUT + 30)
        elapsed = time.monotonic() - started
        audit_lines = (
            len((folder / "audit.jsonl").read_text().splitlines())
            if (folder / "audit.jsonl").exists()
            else None
        )
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=60)
        if (
            sum(stats.errors.values()) + sum(stats.resent.values())
            and (folder / "server.log").exists()
        ):
            # Errors and resends are diagnosed from the server's side (a worker that died would
            # show there): keep its log.
            kept = Path(tempfile.mkstemp(prefix="care-atlas-load-server-", suffix=".log")[1])
            shutil.copyfile(folder / "server.log", kept)
            print(f"errors or resends: the server's log is kept at {kept}", file=sys.stderr)
        shutil.rmtree(folder, ignore_errors=True)

    everything = [s for values in stats.latencies.values() for s in values]
    report = {
        "machine": machine(),
        "load_average_before": [round(x, 2) for x in load_before],
        "settings": {
            "db": str(args.db),
            "users": args.users,
            "duration_s": args.duration,
            "workers": args.workers,
            "threads": args.threads,
            "think_s": args.think,
            "heavy_threads": args.heavy_threads,
            "heavy_path": args.heavy_path if args.heavy_threads else None,
            "heavy_polite": args.heavy_polite,
            "probe": args.probe,
            "user_limits": not args.no_user_limits,
        },
        "elapsed_s": round(elapsed, 1),
        "requests": len(everything),
        "throughput_rps": round(len(everything) / elapsed, 1),
        "errors": sum(stats.errors.values()),
        "errors_by_kind": dict(stats.errors),
        "resent_after_keepalive_close": dict(stats.resent),
        "error_examples": stats.examples,
        "latency": {"all": summary(everything)}
        | {kind: summary(values) for kind, values in sorted(stats.latencies.items())},
        "screens": {step: summary(values) for step, values in stats.screens.items()},
        "audit_records": audit_lines,
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
    }
    if args.heavy_threads:
        report["heavy_user"] = {
            "statuses": dict(stats.heavy_statuses),
            "mb_received": round(stats.heavy_bytes / 2**20, 1),
            "latency": summary(stats.heavy_latencies),
        }
    text = json.dumps(report, indent=2)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n")
    return 0 if report["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
