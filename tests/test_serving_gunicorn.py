"""``care-atlas serve``: refuses to start when it should, and serves through gunicorn."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import duckdb
import pytest

from care_atlas.cli import main

AUTH_VARIABLES = ("CARE_ATLAS_AUTH", "CARE_ATLAS_TRUSTED_HEADER", "CARE_ATLAS_TRUSTED_PROXIES")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve_error(args: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["serve", *args]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in lines[0]
    return lines[0]


def test_serve_refuses_to_start_without_sign_in_outside_demo_mode(
    queries_serving_path: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for name in AUTH_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CARE_ATLAS_VAR_DIR", str(tmp_path))
    db = str(queries_serving_path)
    assert "no sign-in method is set" in _serve_error(["--db", db], capsys)
    monkeypatch.setenv("CARE_ATLAS_AUTH", "users")
    assert "has no users yet" in _serve_error(["--db", db], capsys)
    assert "--workers must be" in _serve_error(["--db", db, "--demo", "--workers", "0"], capsys)

    real = tmp_path / "not-synthetic.duckdb"
    shutil.copy(queries_serving_path, real)
    with duckdb.connect(str(real)) as con:
        con.execute("UPDATE meta SET value = 'false' WHERE key = 'synthetic'")
    assert "is not synthetic data" in _serve_error(["--db", str(real), "--demo"], capsys)

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        assert "in use" in _serve_error(["--db", db, "--demo", "--port", port], capsys)


@pytest.mark.slow
def test_serve_runs_gunicorn_workers_behind_a_trusted_header(
    queries_serving_path: Path, tmp_path: Path
) -> None:
    port = _free_port()
    audit = tmp_path / "audit.jsonl"
    env = {
        **os.environ,
        "CARE_ATLAS_VAR_DIR": str(tmp_path),
        "CARE_ATLAS_AUTH": "header",
        "CARE_ATLAS_TRUSTED_HEADER": "X-Remote-User",
        "CARE_ATLAS_TRUSTED_PROXIES": "127.0.0.1",
        "CARE_ATLAS_AUDIT_LOG": str(audit),
    }
    command = [sys.executable, "-m", "care_atlas.cli", "serve", "--db", str(queries_serving_path)]
    server = subprocess.Popen(
        [*command, "--workers", "2", "--threads", "2", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        answer = _wait_for(f"{base}/api/v1/views/trend?level=district", server)
        assert answer.status == 200 and json.load(answer)["meta"]["view"] == "trend"
        assert "frame-ancestors 'none'" in answer.headers["Content-Security-Policy"]
        with pytest.raises(urllib.error.HTTPError) as anonymous:
            urllib.request.urlopen(f"{base}/api/v1/views/trend", timeout=30)
        assert anonymous.value.code == 401
        record = json.loads(audit.read_text().splitlines()[-1])
        assert (record["user"], record["role"], record["view"]) == ("tester", "viewer", "trend")
        assert record["filters"]["level"] == "district"
        workers = subprocess.run(
            ["pgrep", "-P", str(server.pid)], capture_output=True, text=True, check=False
        ).stdout.split()
        assert len(workers) == 2
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        output = server.communicate(timeout=60)[0].decode(errors="replace")
    assert "Traceback" not in output, output


def _wait_for(url: str, server: subprocess.Popen, timeout: float = 90):  # noqa: ANN202
    deadline = time.monotonic() + timeout
    request = urllib.request.Request(url, headers={"X-Remote-User": "tester"})
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"serve exited: {server.communicate()[0].decode()}")
        try:
            return urllib.request.urlopen(request, timeout=30)
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.3)
    raise AssertionError(f"no answer from {url}")


def test_workers_share_the_cores_out_for_their_queries() -> None:
    from dashboard.server import query_threads_per_worker

    assert query_threads_per_worker(4, cores=2) == 1
    assert query_threads_per_worker(1, cores=2) == 2
    assert query_threads_per_worker(2, cores=8) == 4
    assert query_threads_per_worker(0, cores=1) == 1  # never zero workers or threads
