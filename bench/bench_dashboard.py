"""Dashboard speed in headless Chromium: first load, and filter change to all four views redrawn.

Starts ``care-atlas serve`` on a free local port over --db (the 1M-agreement demo if you built
it), waits until it has finished starting (every worker up: bench.server_ready), opens the page
in Debian's headless Chromium, then makes --changes filter changes from the
filter bar and times, inside the browser, from the change to the moment the matrix, map,
elements and trend charts have all redrawn and no callback is pending.

    python -m bench.bench_dashboard --db var/bench/serving-1m.duckdb --changes 20
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
from pathlib import Path

from bench.loopback import free_port
from bench.machine import machine
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


def _start_server(db: Path, port: int, var_dir: Path) -> subprocess.Popen:
    """``care-atlas serve`` with an empty result cache (a var dir of its own, same geometry).

    Its output goes to server.log in that var dir (shown if it exits): a pipe nobody reads
    would block the server once 64 KiB of output filled it."""
    settings = load_settings()
    (var_dir / "geometry").symlink_to(settings.geometry_dir, target_is_directory=True)
    cli = Path(sys.executable).with_name("care-atlas")
    log_path = var_dir / "server.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [str(cli), "serve", "--db", str(db), "--demo", "--port", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
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


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(q * (len(ordered) - 1))))
    return ordered[index]


def run(db: Path, changes: int) -> dict:
    from dashboard.choices import choices_from_reference
    from queries import open_database
    from tests.fixtures.dashboard import new_browser

    database = open_database(db)
    choices = choices_from_reference(database.reference)
    meta = dict(database.meta)
    database.close()
    port = free_port()
    var_dir = Path(tempfile.mkdtemp(prefix="care-atlas-bench-"))
    server = _start_server(db, port, var_dir)
    started_in = wait_until_idle(server.pid)
    driver = new_browser()
    driver.set_script_timeout(120)
    try:
        url = f"http://127.0.0.1:{port}/"
        # Cold: a fresh server and an empty result cache. Warm: the next visitor to the same
        # screen (a fresh page load; the server's result cache now holds its tables).
        driver.get(url)
        cold_load_ms = driver.execute_async_script(WAIT_READY_JS, list(TIMED_GRAPHS), 0, None)
        driver.get("about:blank")
        driver.get(url)
        first_load_ms = driver.execute_async_script(WAIT_READY_JS, list(TIMED_GRAPHS), 0, None)
        driver.execute_script(INSTALL_COUNTERS_JS, list(TIMED_GRAPHS))
        plan = _changes(
            {
                "years": choices.periods["year"],
                "age_bands": choices.age_bands,
                "provision": choices.provision,
            },
            changes,
        )
        timings = []
        for i in range(changes):
            control, value = plan[i]
            before = driver.execute_script("return Object.assign({}, window.__drawn);")
            start = driver.execute_script(
                "const t = performance.now();"
                "window.dash_clientside.set_props(arguments[0], {value: arguments[1]});"
                "return t;",
                control,
                value,
            )
            elapsed = driver.execute_async_script(WAIT_READY_JS, list(TIMED_GRAPHS), start, before)
            timings.append(float(elapsed))
    finally:
        driver.quit()
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(var_dir, ignore_errors=True)
    return {
        "db": str(db),
        "source_file": meta.get("source_file"),
        "synthetic": meta.get("synthetic"),
        "first_load_cold_ms": round(float(cold_load_ms)),
        "first_load_warm_ms": round(float(first_load_ms)),
        "server_start_wait_s": round(started_in, 1),
        "changes": len(timings),
        "changes_note": "every change is a state not seen before (no result-cache hits)",
        "change_p50_ms": round(statistics.median(timings)),
        "change_p95_ms": round(_percentile(timings, 0.95)),
        "change_max_ms": round(max(timings)),
        "machine": machine(),
        "browser": "Debian chromium, headless (software WebGL)",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=load_settings().demo_db)
    parser.add_argument("--changes", type=int, default=20)
    parser.add_argument("--out", type=Path, help="also write the figures as JSON here")
    args = parser.parse_args(argv)
    if not args.db.is_file():
        print(f"bench_dashboard: no serving database at {args.db}", file=sys.stderr)
        return 2
    if args.changes < 1:
        print("bench_dashboard: --changes must be at least 1", file=sys.stderr)
        return 2
    os.chdir(PROJECT_ROOT)
    result = run(args.db, args.changes)
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
