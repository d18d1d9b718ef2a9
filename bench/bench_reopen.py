"""Rebuilds renamed over the served file under load: ``care-atlas serve`` on loopback, bounded.

Starts gunicorn (as bench_load does: trusted-header sign-in, a temporary var folder) over a
copy of ``--db``; client threads ask for the build's meta, a few API views and the page layout
with a think time between requests, while the file is replaced by ``os.replace`` with a
rebuilt copy (a new build id) ``--replacements`` times, as ``care-atlas build`` publishes.
Reports requests, errors (any answer but 200, or none), latency, and for each replacement when
the new build was first and the old build last seen; the server log must hold no traceback.

    python -m bench.bench_reopen --db var/test-cache/serving/serving-....duckdb --duration 20
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import duckdb
import requests

from bench.load_report import summary
from bench.loopback import start_server
from bench.machine import machine

MAX_DURATION = 300
PATHS: tuple[str, ...] = (
    "/api/v1/meta",
    "/api/v1/views/trend?level=district",
    "/api/v1/views/elements",
    "/api/v1/views/area_map?level=ward",
    "/_dash-layout",
    "/api/v1/meta",
)


def rebuilt_copy(source: Path, target: Path, build_id: str) -> Path:
    """A copy of a served file with another build id, as a rebuild would publish it."""
    shutil.copy(source, target)
    with duckdb.connect(str(target)) as con:
        con.execute("UPDATE meta SET value = ? WHERE key = 'build_id'", [build_id])
    return target


def run(
    db: Path,
    *,
    duration: float = 20.0,
    clients: int = 4,
    think: float = 0.2,
    replacements: int = 2,
    workers: int = 2,
    threads: int = 4,
) -> dict[str, Any]:
    duration = min(duration, MAX_DURATION)
    with tempfile.TemporaryDirectory(prefix="care-atlas-reopen-") as tmp:
        folder = Path(tmp)
        served = rebuilt_copy(db, folder / "serving.duckdb", "build-0")
        builds = [
            rebuilt_copy(db, folder / f"next-{n}.duckdb", f"build-{n}")
            for n in range(1, replacements + 1)
        ]
        server, base = start_server(served, workers, threads, folder)
        lock = threading.Lock()
        latencies: list[float] = []
        errors: list[str] = []
        seen: list[tuple[float, str]] = []  # (seconds since start, build id) of each meta
        replaced_at: list[float] = []
        started = time.monotonic()
        stop = started + duration

        def client(number: int) -> None:
            # A connection per request (no keep-alive), so every worker takes a share.
            session = requests.Session()
            session.headers.update({"X-Remote-User": f"reopen-{number}", "Connection": "close"})
            step = number
            while time.monotonic() < stop:
                path = PATHS[step % len(PATHS)]
                step += 1
                sent = time.monotonic()
                try:
                    answer = session.get(base + path, timeout=60)
                    took = time.monotonic() - sent
                    ok = answer.status_code == 200
                    build = answer.json()["build"]["build_id"] if ok and "meta" in path else None
                except (requests.RequestException, ValueError) as exc:
                    took, ok, build = time.monotonic() - sent, False, None
                    answer = exc
                with lock:
                    latencies.append(took)
                    if not ok:
                        errors.append(f"{path}: {getattr(answer, 'status_code', answer)}")
                    if build is not None:
                        seen.append((sent - started, build))
                time.sleep(think)

        pool = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
        try:
            for thread in pool:
                thread.start()
            for n, build in enumerate(builds, start=1):
                time.sleep(max(0.0, started + duration * n / (replacements + 1) - time.monotonic()))
                os.replace(build, served)
                replaced_at.append(time.monotonic() - started)
            for thread in pool:
                thread.join()
            headers = {"X-Remote-User": "reopen-check"}
            final = [
                requests.get(base + "/api/v1/meta", headers=headers, timeout=60).json()["build"][
                    "build_id"
                ]
                for _ in range(4 * workers)
            ]
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=60)
        log = (folder / "server.log").read_text(errors="replace")

    switches = []
    for n, at in enumerate(replaced_at, start=1):
        new, old = f"build-{n}", f"build-{n - 1}"
        first_new = min((t for t, b in seen if b == new), default=None)
        last_old = max((t for t, b in seen if b == old and t >= at), default=None)
        switches.append(
            {
                "replaced_at_s": round(at, 2),
                "new_first_seen_after_s": None if first_new is None else round(first_new - at, 2),
                "old_last_asked_after_s": None if last_old is None else round(last_old - at, 2),
            }
        )
    return {
        "duration_s": duration,
        "clients": clients,
        "workers": workers,
        "threads": threads,
        "requests": len(latencies),
        "errors": len(errors),
        "error_samples": errors[:10],
        "latency": summary(latencies),
        "builds_seen": {
            b: sum(1 for _, s in seen if s == b) for b in dict.fromkeys(b for _, b in seen)
        },
        "switches": switches,
        "final_builds": sorted(set(final)),
        "reopened_in_log": [
            line.split("serving the rebuilt database")[-1].strip()
            for line in log.splitlines()
            if "serving the rebuilt database" in line or "cannot be served" in line
        ],
        "tracebacks_in_log": log.count("Traceback"),
        "machine": machine(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--db", type=Path, required=True, help="a served database to copy")
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--replacements", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    report = run(
        args.db,
        duration=args.duration,
        clients=args.clients,
        replacements=args.replacements,
        workers=args.workers,
    )
    print(json.dumps(report, indent=2))
    return 0 if report["errors"] == 0 and report["tracebacks_in_log"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
