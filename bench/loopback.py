"""Start ``care-atlas serve`` for a benchmark on a free loopback port, as a signed-in proxy.

The server gets trusted-header sign-in (analyst role), a fresh result cache and audit log in
a folder of its own, and the machine's geometry.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from care_atlas.config import load_settings


def free_port() -> int:
    """A port on 127.0.0.1 nobody holds now (the benchmarks serve on loopback only)."""
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
    port = free_port()
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
