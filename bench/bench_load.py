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
import platform
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlparse

import requests

from bench.server_ready import wait_until_idle
from care_atlas.config import load_settings

DEFAULT_DB = Path("var/bench/serving-1m.duckdb")
MAX_USERS = 200
MAX_DURATION = 600
REQUEST_TIMEOUT = 60
LOOPBACK = ("127.0.0.1", "localhost", "::1")
#: Outputs of the callbacks a URL change fires (URL sync, views, place line, period options).
VIEW_OUTPUT_MARKERS = (
    "..url.search",
    "-graph.figure",
    "place.children",
    "f-from.options",
    "page-root.className",
)
OK_STATUSES = (200, 204)
DEFAULT_HEAVY_PATH = "/api/v1/views/provision?level=h3r8"
PROBE_PATH = "/api/v1/views/trend?level=district"
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


@dataclass
class Stats:
    """Latencies by request kind and screen, and errors, shared by the user threads."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    screens: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    #: Requests sent again after their kept-alive connection was closed under them.
    resent: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    examples: list[str] = field(default_factory=list)
    #: The heavy user's answers by status, its latencies and bytes received.
    heavy_statuses: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    heavy_latencies: list[float] = field(default_factory=list)
    heavy_bytes: int = 0

    def heavy(self, status: str, seconds: float, size: int) -> None:
        with self.lock:
            self.heavy_statuses[status] += 1
            self.heavy_latencies.append(seconds)
            self.heavy_bytes += size

    def request(self, kind: str, seconds: float, error: str | None) -> None:
        with self.lock:
            self.latencies[kind].append(seconds)
            if error:
                self.errors[kind] += 1
                if len(self.examples) < 10:
                    self.examples.append(f"{kind}: {error}")

    def screen(self, step: str, seconds: float) -> None:
        with self.lock:
            self.screens[step].append(seconds)


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def summary(values: list[float]) -> dict[str, float]:
    return {
        "n": len(values),
        "p50_ms": round(percentile(values, 50) * 1000, 1),
        "p95_ms": round(percentile(values, 95) * 1000, 1),
        "p99_ms": round(percentile(values, 99) * 1000, 1),
        "max_ms": round(max(values) * 1000, 1) if values else float("nan"),
    }


# --- Dash callback payloads ------------------------------------------------------------------


def _parse_id(text: str) -> Any:
    return json.loads(text) if text.startswith("{") else text


def _split_outputs(output: str) -> list[dict[str, Any]]:
    """'..a.b...c.d..' (several outputs) or 'a.b' (one) -> [{id, property}]."""
    parts = output[2:-2].split("...") if output.startswith("..") else [output]
    out = []
    for part in parts:
        ident, _, prop = part.rpartition(".")
        out.append({"id": _parse_id(ident), "property": prop})
    return out


def callback_payload(dep: dict[str, Any], values: dict[tuple[str, str], Any]) -> dict[str, Any]:
    """The body the Dash renderer posts for ``dep`` after url.search changed."""
    outputs = _split_outputs(dep["output"])

    def fill(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [
            {**item, "value": values.get((json.dumps(item["id"]), item["property"]))}
            for item in items
        ]

    return {
        "output": dep["output"],
        "outputs": outputs if dep["output"].startswith("..") else outputs[0],
        "inputs": fill(dep["inputs"]),
        "state": fill(dep.get("state", [])),
        "changedPropIds": ["url.search"],
    }


def export_payload(view: str, search: str) -> dict[str, Any]:
    """A click on a view's CSV button."""
    return {
        "output": '{"type":"download","view":["MATCH"]}.data',
        "outputs": {"id": {"type": "download", "view": view}, "property": "data"},
        "inputs": [
            {"id": {"type": "csv", "view": view}, "property": "n_clicks", "value": 1},
            {"id": {"type": "xlsx", "view": view}, "property": "n_clicks", "value": None},
        ],
        "state": [{"id": "url", "property": "search", "value": search}],
        "changedPropIds": [json.dumps({"type": "csv", "view": view}, separators=(",", ":"))
                           + ".n_clicks"],
    }  # fmt: skip


# --- simulated user --------------------------------------------------------------------------


@dataclass
class Scenario:
    """What users choose from: the database's own periods, wards and filter values."""

    years: list[str]
    wards: list[str]
    age_bands: list[str]
    provision: list[str]
    view_deps: list[dict[str, Any]]
    route_dep: dict[str, Any]

    def random_filters(self, rng: random.Random) -> dict[str, str]:
        start = rng.randrange(0, max(1, len(self.years) - 1))
        end = rng.randrange(start, len(self.years))
        state = {
            "period_kind": "year",
            "from": self.years[start],
            "to": self.years[end],
            "level": rng.choice(["ward", "ward", "district"]),
            "measure": rng.choice(["people", "people", "cost", "agreements_active"]),
        }
        if rng.random() < 0.3 and self.age_bands:
            state["age_bands"] = rng.choice(self.age_bands)
        if rng.random() < 0.2 and self.provision:
            state["provision"] = rng.choice(self.provision)
        return state


class User(threading.Thread):
    def __init__(
        self, number: int, base: str, scenario: Scenario, stats: Stats, stop_at: float, think: float
    ) -> None:
        super().__init__(daemon=True, name=f"user-{number}")
        self.base = base
        self.scenario = scenario
        self.stats = stats
        self.stop_at = stop_at
        self.think = think
        self.rng = random.Random(number)
        self.session = requests.Session()
        self.session.headers["X-Remote-User"] = f"load-user-{number:03d}"

    def call(self, kind: str, method: str, path: str, body: dict | None = None) -> None:
        started = time.perf_counter()
        error = None
        try:
            response = self._send(kind, method, path, body)
            if response.status_code not in OK_STATUSES:
                error = f"HTTP {response.status_code} {path[:60]}: {response.text[:120]!r}"
        except requests.RequestException as exc:
            error = f"{type(exc).__name__} {path[:60]}: {str(exc)[:160]}"
        self.stats.request(kind, time.perf_counter() - started, error)

    def _send(self, kind: str, method: str, path: str, body: dict | None) -> requests.Response:
        """One request, sent once more if its connection fails before any answer, as browsers
        do: the server closes a kept-alive connection after its idle timeout, and a request
        sent on it at that moment is reset unread. Each resend is counted in the report."""
        try:
            return self._request(method, path, body)
        except requests.ConnectionError:
            with self.stats.lock:
                self.stats.resent[kind] += 1
            return self._request(method, path, body)

    def _request(self, method: str, path: str, body: dict | None) -> requests.Response:
        response = self.session.request(
            method, self.base + path, json=body, timeout=REQUEST_TIMEOUT
        )
        response.content  # noqa: B018 - read the whole answer
        return response

    def screen(self, step: str, state: dict[str, str]) -> None:
        """Every callback a URL change fires, as the renderer posts them."""
        search = "?" + urlencode(state, safe=",:;")
        values = {
            (json.dumps("url"), "search"): search,
            (json.dumps("url"), "hash"): "",
            (json.dumps("f-period-kind"), "value"): state.get("period_kind", "year"),
        }
        started = time.perf_counter()
        for dep in self.scenario.view_deps:
            self.call("callback", "POST", "/_dash-update-component", callback_payload(dep, values))
        self.stats.screen(step, time.perf_counter() - started)

    def pause(self) -> bool:
        time.sleep(self.rng.expovariate(1 / self.think) if self.think > 0 else 0)
        return time.monotonic() < self.stop_at

    def run(self) -> None:
        opened = False
        while time.monotonic() < self.stop_at:
            state = self.scenario.random_filters(self.rng)
            if not opened:
                started = time.perf_counter()
                self.call("page", "GET", "/")
                self.call("layout", "GET", "/_dash-layout")
                self.call("layout", "GET", "/_dash-dependencies")
                values = {(json.dumps("shell-url"), "pathname"): "/"}
                self.call(
                    "callback",
                    "POST",
                    "/_dash-update-component",
                    callback_payload(self.scenario.route_dep, values),
                )
                self.call("geometry", "GET", "/geometry/ward.geojson")
                self.stats.screen("open page", time.perf_counter() - started)
                self.screen("first views", state)
                opened = True
            elif self.pause():
                self.screen("change filters", state)
            if not self.pause():
                break
            ward = self.rng.choice(self.scenario.wards)
            drilled = {**state, "level": "sector", "within": ward}
            self.screen("drill", drilled)
            if not self.pause():
                break
            started = time.perf_counter()
            view = self.rng.choice(["matrix", "area_map", "trend"])
            search = "?" + urlencode(state, safe=",:;")
            self.call("export", "POST", "/_dash-update-component", export_payload(view, search))
            self.stats.screen("export", time.perf_counter() - started)


class HeavyThread(threading.Thread):
    """One of the heavy user's parallel connections: the same large request, no pause."""

    def __init__(
        self, number: int, base: str, path: str, stats: Stats, stop_at: float, polite: bool
    ) -> None:
        super().__init__(daemon=True, name=f"heavy-{number}")
        self.url = base + path
        self.polite = polite
        self.stats = stats
        self.stop_at = stop_at
        self.session = requests.Session()
        self.session.headers["X-Remote-User"] = "heavy-user"

    def run(self) -> None:
        while time.monotonic() < self.stop_at:
            started = time.perf_counter()
            try:
                response = self.session.get(self.url, timeout=REQUEST_TIMEOUT)
                status, size = str(response.status_code), len(response.content)
            except requests.RequestException as exc:
                status, size = type(exc).__name__, 0
            self.stats.heavy(status, time.perf_counter() - started, size)
            if self.polite and status == "429":  # a careless script, not a hostile one
                wait = float(response.headers.get("Retry-After", "1"))
                time.sleep(min(wait, max(0.0, self.stop_at - time.monotonic())))


class Probe(threading.Thread):
    """A user who sends one small request every 0.2 s: what everyone else sees."""

    def __init__(self, base: str, stats: Stats, stop_at: float) -> None:
        super().__init__(daemon=True, name="probe")
        self.user = User(999, base, None, stats, stop_at, 0)  # type: ignore[arg-type]
        self.user.session.headers["X-Remote-User"] = "probe-user"
        self.stop_at = stop_at

    def run(self) -> None:
        while time.monotonic() < self.stop_at:
            self.user.call("probe", "GET", PROBE_PATH)
            time.sleep(0.2)


# --- server ----------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(
    db: Path, workers: int, threads: int, folder: Path, extra_env: dict[str, str] | None = None
) -> tuple[subprocess.Popen, str]:
    """care-atlas serve on a free loopback port, with a fresh cache and audit log in ``folder``."""
    settings = load_settings()
    var = folder / "var"
    var.mkdir()
    if settings.geometry_dir.is_dir():
        (var / "geometry").symlink_to(settings.geometry_dir)
    port = _free_port()
    env = {
        **os.environ,
        "CARE_ATLAS_VAR_DIR": str(var),
        "CARE_ATLAS_AUTH": "header",
        "CARE_ATLAS_TRUSTED_HEADER": "X-Remote-User",
        "CARE_ATLAS_TRUSTED_PROXIES": "127.0.0.1",
        "CARE_ATLAS_HEADER_ROLE": "analyst",
        "CARE_ATLAS_AUDIT_LOG": str(folder / "audit.jsonl"),
        **(extra_env or {}),
    }
    command = [sys.executable, "-m", "care_atlas.cli", "serve", "--db", str(db)]
    command += ["--workers", str(workers), "--threads", str(threads), "--port", str(port)]
    log = (folder / "server.log").open("wb")
    server = subprocess.Popen(
        command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"server exited: {(folder / 'server.log').read_text()[-2000:]}")
        try:
            requests.get(base + "/api/v1/meta", headers={"X-Remote-User": "bench"}, timeout=5)
            return server, base
        except requests.RequestException:
            time.sleep(0.5)
    os.killpg(server.pid, signal.SIGTERM)
    raise SystemExit("server did not start within 180 s")


def scenario_from(base: str) -> Scenario:
    headers = {"X-Remote-User": "bench"}
    meta = requests.get(base + "/api/v1/meta", headers=headers, timeout=60).json()
    deps = requests.get(base + "/_dash-dependencies", headers=headers, timeout=60).json()
    ref = meta["reference"]
    view_deps = [
        d
        for d in deps
        if any(i["id"] == "url" and i["property"] == "search" for i in d["inputs"])
        and any(marker in d["output"] for marker in VIEW_OUTPUT_MARKERS)
        and "MATCH" not in d["output"]
    ]
    route = next(d for d in deps if d["output"] == "page.children")
    return Scenario(
        years=list(ref["periods"]["year"]),
        wards=[a["code"] for a in ref["areas"]["ward"]],
        age_bands=list(ref["age_bands"]),
        provision=list(ref["provision_types"]),
        view_deps=view_deps,
        route_dep=route,
    )


def machine() -> dict[str, Any]:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpus": os.cpu_count(), "cpu": cpu, "python": platform.python_version()}


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
