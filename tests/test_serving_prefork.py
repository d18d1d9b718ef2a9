"""Nothing ``care-atlas serve`` runs before gunicorn forks leaves threads or connections for
the workers (issue 19, 1).

A fork copies only the forking thread: a thread pool started in the master is inherited dead,
and the first task a worker gives it never finishes. A DuckDB connection left open in the
master would be handed to a worker by DuckDB's instance cache with its query threads gone.
The test runs ``care-atlas serve`` in a child process up to the moment gunicorn would fork its
first worker and looks at that process there.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

from care_atlas.config import PROJECT_ROOT

#: Runs ``care-atlas serve --demo`` and stops it where gunicorn would fork the first worker.
PRE_FORK = r"""
import json, os, sys, threading
import duckdb

def native_threads():
    return sorted(open(f"/proc/self/task/{t}/comm").read().strip()
                  for t in os.listdir("/proc/self/task"))

# The libraries serve imports start pools of their own on import (OpenBLAS, jemalloc), each
# with fork handlers of its own: they are the baseline, not what serve runs.
import queries, auth.config, gunicorn.arbiter
from gunicorn.errors import HaltServer
from care_atlas.cli import main

opened = []  # every DuckDB connection, kept alive here so a leaked one is seen open
_connect = duckdb.connect
def connect(*args, **kwargs):
    con = _connect(*args, **kwargs)
    opened.append(con)
    return con
duckdb.connect = connect

def still_open(con):
    try:
        con.execute("SELECT 1")
        return True
    except duckdb.ConnectionException:
        return False

db = os.path.realpath(sys.argv[1])
def files_on_db():
    out = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith(db):
            out.append(target)
    return out

before = {"native": native_threads(), "python": [t.name for t in threading.enumerate()]}
at_fork = {}
def spawn_worker(self):
    at_fork.update(
        native=native_threads(),
        python=[t.name for t in threading.enumerate()],
        connections=len(opened),
        open_connections=sum(map(still_open, opened)),
        files_on_db=files_on_db(),
    )
    raise HaltServer("pre-fork state recorded", 0)
gunicorn.arbiter.Arbiter.spawn_worker = spawn_worker

try:
    main(["serve", "--db", db, "--demo", "--workers", "2", "--port", sys.argv[2]])
except SystemExit:
    pass
print("PRE-FORK " + json.dumps({"before": before, "at_fork": at_fork}))
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def pre_fork_state(db: Path, var_dir: Path) -> dict:
    """The serve master's threads and connections before and where it forks (see PRE_FORK)."""
    env = {**os.environ, "CARE_ATLAS_VAR_DIR": str(var_dir), "PYTHONPATH": str(PROJECT_ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", PRE_FORK, str(db), str(_free_port())],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("PRE-FORK ")]
    assert lines, f"serve did not reach the fork:\n{done.stdout}\n{done.stderr}"
    return json.loads(lines[-1].removeprefix("PRE-FORK "))


def test_serve_leaves_no_thread_or_connection_for_the_workers(
    small_serving_db: Path, tmp_path: Path
) -> None:
    state = pre_fork_state(small_serving_db, tmp_path)
    before, at_fork = state["before"], state["at_fork"]
    assert at_fork, "gunicorn did not get as far as forking a worker"
    # serve checked the database before forking: it opened it, and closed every connection.
    assert at_fork["connections"] >= 1
    assert at_fork["open_connections"] == 0
    assert at_fork["files_on_db"] == []
    assert at_fork["python"] == ["MainThread"]
    assert at_fork["native"] == before["native"]
