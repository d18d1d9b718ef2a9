"""Dashboard speed in headless Chromium: first load, and filter change to all four views redrawn.

Starts ``care-atlas serve`` on a free local port over --db (the 1M-agreement demo if you built
it), waits until it has finished starting (every worker up: bench.server_ready), opens the page
in Debian's headless Chromium, then makes --changes filter changes from the
filter bar and times, inside the browser, from the change to the moment the matrix, map,
elements and trend charts have all redrawn and no callback is pending. Each change is split
(bench.page_probe) into the callback requests it made, their round trips, the characters they
carried, the time until the last answer was in and the time after it (Dash and Plotly drawing).

``--compare ROOT`` serves the same file from another checkout too (ROOT/.venv's
``care-atlas``, e.g. /work/main) in a browser of its own, and alternates: first loads A, B, A,
B, then change i on both, in an order that turns each change, so a swing of the shared host's
speed falls on both alike.

    python -m bench.bench_dashboard --db var/bench/serving-1m.duckdb --changes 20
    python -m bench.bench_dashboard --db /work/data/t1m.duckdb --changes 20 --compare /work/main
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from bench.loopback import free_port
from bench.machine import machine
from bench.page_probe import (
    CALLS_SINCE_JS,
    HOOK_DRAWS_JS,
    PROBE_JS,
    breakdown,
    percentile,
    summarise,
)
from bench.server_ready import wait_until_idle
from care_atlas.config import PROJECT_ROOT, load_settings
from dashboard import ids

#: The four views the issue's speed target names.
TIMED_GRAPHS = (ids.MATRIX_GRAPH, ids.MAP_GRAPH, ids.ELEMENTS_GRAPH, ids.TREND_GRAPH)

#: Count each chart's redraws (plotly_afterplot) so a change can wait for all four.
INSTALL_COUNTERS_JS = """
window.__drawn = window.__drawn || {};
for (const id of arguments[0]) {
  const gd = document.querySelector('#' + id + ' .js-plotly-plot');
  if (gd && !gd.__benchHooked) {
    window.__drawn[id] = 0;
    gd.on('plotly_afterplot', () => { window.__drawn[id] += 1; });
    gd.__benchHooked = true;
  }
}
return Object.keys(window.__drawn).length;
"""

#: Resolve (with ms) once every chart is drawn and nothing is loading; measured in the page.
WAIT_READY_JS = """
const [ids, start, before, done] = [arguments[0], arguments[1], arguments[2], arguments[3]];
function ready() {
  if (document.querySelector('[data-dash-is-loading="true"]')) return false;
  return ids.every(id => {
    const gd = document.querySelector('#' + id + ' .js-plotly-plot');
    if (!gd || !gd._fullLayout || !gd.data || !gd.data.length) return false;
    return !before || (window.__drawn[id] || 0) > (before[id] || 0);
  });
}
(function poll() {
  if (ready()) { done(performance.now() - start); } else { setTimeout(poll, 10); }
})();
"""


def _start_server(
    db: Path, port: int, var_dir: Path, root: Path = PROJECT_ROOT
) -> subprocess.Popen:
    """``care-atlas serve`` of checkout ``root`` with an empty result cache (a var dir of its
    own, same geometry).

    Its output goes to server.log in that var dir (shown if it exits): a pipe nobody reads
    would block the server once 64 KiB of output filled it."""
    settings = load_settings()
    (var_dir / "geometry").symlink_to(settings.geometry_dir, target_is_directory=True)
    if root == PROJECT_ROOT:
        cli = Path(sys.executable).with_name("care-atlas")
    else:
        cli = root / ".venv" / "bin" / "care-atlas"
    log_path = var_dir / "server.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [str(cli), "serve", "--db", str(db), "--demo", "--port", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
            cwd=root,
            env={**os.environ, "CARE_ATLAS_VAR_DIR": str(var_dir)},
        )
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited: {log_path.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2):
                return process
        except OSError:
            time.sleep(0.5)
    process.terminate()
    raise SystemExit("server did not start within 180 s")


def _changes(choices: dict[str, list[str]], count: int) -> list[tuple[str, object]]:
    """``count`` filter-bar changes, each giving a state not seen before (no cache hits).

    Alternates the period (one year at a time: a single published period) with other filters,
    each one value (or "all"), so that every step is a new query.
    """
    years = choices["years"][:-1]
    extras: list[tuple[str, object]] = [
        (ids.PER_1000, ["on"]),
        (ids.AGE_BANDS, choices["age_bands"][-2]),
        (ids.WHAT, f"provision:{choices['provision'][0]}"),
        (ids.PER_1000, []),
        (ids.AGE_BANDS, "all"),
        (ids.WHAT, "all"),
    ]
    plan: list[tuple[str, object]] = []
    for i in range(count):
        if i % 2 == 0:
            plan.append((ids.PERIOD, years[(i // 2) % len(years)]))
        else:
            plan.append(extras[(i // 2) % len(extras)])
    return plan


@dataclass
class Side:
    """One server under test and the browser that visits it."""

    label: str
    root: Path
    server: subprocess.Popen | None = None
    driver: object = None
    url: str = ""
    var_dir: Path | None = None
    started_in: float = 0.0
    loads: list[dict] = field(default_factory=list)  # cold first, then warm
    changes: list[dict] = field(default_factory=list)

    def start(self, db: Path) -> None:
        from tests.fixtures.dashboard import new_browser

        port = free_port()
        self.var_dir = Path(tempfile.mkdtemp(prefix="care-atlas-bench-"))
        self.server = _start_server(db, port, self.var_dir, self.root)
        self.started_in = wait_until_idle(self.server.pid)
        self.url = f"http://127.0.0.1:{port}/"
        self.driver = new_browser()
        self.driver.set_script_timeout(120)
        self.driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": PROBE_JS})
        self.driver.execute_cdp_cmd("Performance.enable", {})

    def cpu_ms(self) -> dict[str, float]:
        """CPU ms used so far by the server (every process of it) and by the page's main thread
        (Chromium's TaskDuration, and of it scripts, layout and style): the work a change costs
        each side, whatever the host's load does to its wall time."""
        import psutil

        root = psutil.Process(self.server.pid)
        server = 0.0
        for process in [root, *root.children(recursive=True)]:
            try:
                times = process.cpu_times()
            except psutil.Error:
                continue
            server += times.user + times.system
        metrics = self.driver.execute_cdp_cmd("Performance.getMetrics", {})["metrics"]
        page = {m["name"]: m["value"] * 1000 for m in metrics}
        return {
            "server_cpu_ms": server * 1000,
            "page_cpu_ms": page["TaskDuration"],
            "page_script_ms": page["ScriptDuration"],
            "page_layout_style_ms": page["LayoutDuration"] + page["RecalcStyleDuration"],
        }

    def load(self) -> None:
        """One page load from a blank page, timed to every chart drawn and nothing pending."""
        self.driver.get("about:blank")
        self.driver.get(self.url)
        total = float(self.driver.execute_async_script(WAIT_READY_JS, list(TIMED_GRAPHS), 0, None))
        self.driver.execute_script(HOOK_DRAWS_JS, list(TIMED_GRAPHS))
        probe = self.driver.execute_script(CALLS_SINCE_JS, 0)
        self.loads.append(breakdown(probe, 0.0, total))

    def change(self, control: str, value: object) -> None:
        driver = self.driver
        if not self.changes:
            driver.execute_script(INSTALL_COUNTERS_JS, list(TIMED_GRAPHS))
        before = driver.execute_script("return Object.assign({}, window.__drawn);")
        cpu_before = self.cpu_ms()
        start = driver.execute_script(
            "const t = performance.now();"
            "window.dash_clientside.set_props(arguments[0], {value: arguments[1]});"
            "return t;",
            control,
            value,
        )
        total = driver.execute_async_script(WAIT_READY_JS, list(TIMED_GRAPHS), start, before)
        time.sleep(0.05)  # the last answers' bodies are read by the probe's own promise
        probe = driver.execute_script(CALLS_SINCE_JS, start)
        cpu_after = self.cpu_ms()
        self.changes.append(
            {
                **breakdown(probe, float(start), float(total)),
                **{key: cpu_after[key] - cpu_before[key] for key in cpu_after},
            }
        )

    def stop(self) -> None:
        if self.driver is not None:
            self.driver.quit()
        if self.server is not None:
            self.server.terminate()
            self.server.wait(timeout=30)
        if self.var_dir is not None:
            shutil.rmtree(self.var_dir, ignore_errors=True)

    def report(self) -> dict:
        totals = [c["total_ms"] for c in self.changes]
        warm = [load["total_ms"] for load in self.loads[1:]]
        return {
            "checkout": str(self.root),
            "server_start_wait_s": round(self.started_in, 1),
            "first_load_cold_ms": round(self.loads[0]["total_ms"]),
            "first_load_warm_ms": round(statistics.median(warm)),
            "first_load_warm_all_ms": [round(w) for w in warm],
            "first_load_cold": {k: v for k, v in self.loads[0].items() if k != "total_ms"},
            "changes": len(totals),
            "change_p50_ms": round(statistics.median(totals)),
            "change_p95_ms": round(percentile(totals, 0.95)),
            "change_max_ms": round(max(totals)),
            "change_breakdown": summarise(self.changes),
        }


def _paired(old: Side, new: Side) -> dict:
    """Median over changes of old / new for the same change, and over warm loads."""
    changes = [a["total_ms"] / b["total_ms"] for a, b in zip(old.changes, new.changes, strict=True)]
    loads = [a["total_ms"] / b["total_ms"] for a, b in zip(old.loads, new.loads, strict=True)]
    return {
        "change_old_over_new_median": round(statistics.median(changes), 2),
        "load_old_over_new_median": round(statistics.median(loads), 2),
    }


def run(db: Path, changes: int, *, compare: Path | None = None, loads: int = 3) -> dict:
    from dashboard.choices import choices_from_reference
    from queries import open_database

    database = open_database(db)
    choices = choices_from_reference(database.reference)
    meta = dict(database.meta)
    database.close()
    sides = [Side("this checkout", PROJECT_ROOT)]
    if compare is not None:
        sides.insert(0, Side("compared", compare))
    plan = _changes(
        {
            "years": choices.periods["year"],
            "age_bands": choices.age_bands,
            "provision": choices.provision,
        },
        changes,
    )
    machine_before = machine()
    try:
        for side in sides:
            side.start(db)
        # Cold: a fresh server and an empty result cache. Warm: the next visitors to the same
        # screen (fresh page loads; the server's result cache now holds its tables).
        for _ in range(1 + loads):
            for side in sides:
                side.load()
        for i, (control, value) in enumerate(plan):
            for side in sides if i % 2 == 0 else sides[::-1]:
                side.change(control, value)
    finally:
        for side in sides:
            side.stop()
    result = {
        "db": str(db),
        "source_file": meta.get("source_file"),
        "synthetic": meta.get("synthetic"),
        "changes_note": "every change is a state not seen before (no result-cache hits)",
        **sides[-1].report(),
    }
    if compare is not None:
        result["compared"] = sides[0].report()
        result["paired"] = _paired(sides[0], sides[-1])
    result["machine_before"] = machine_before
    result["machine"] = machine()
    result["browser"] = "Debian chromium, headless (software WebGL)"
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=load_settings().demo_db)
    parser.add_argument("--changes", type=int, default=20)
    parser.add_argument("--loads", type=int, default=3, help="warm first loads after the cold")
    parser.add_argument(
        "--compare", type=Path, help="another checkout (with its .venv) to serve and alternate"
    )
    parser.add_argument("--out", type=Path, help="also write the figures as JSON here")
    args = parser.parse_args(argv)
    if not args.db.is_file():
        print(f"bench_dashboard: no serving database at {args.db}", file=sys.stderr)
        return 2
    if args.changes < 1 or args.loads < 1:
        print("bench_dashboard: --changes and --loads must be at least 1", file=sys.stderr)
        return 2
    if args.compare is not None and not (args.compare / ".venv" / "bin" / "care-atlas").is_file():
        print(f"bench_dashboard: no .venv/bin/care-atlas in {args.compare}", file=sys.stderr)
        return 2
    os.chdir(PROJECT_ROOT)
    result = run(args.db.resolve(), args.changes, compare=args.compare, loads=args.loads)
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
