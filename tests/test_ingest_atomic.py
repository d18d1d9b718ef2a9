"""A failed or interrupted build leaves the previous serving database exactly as it was."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ingest.build import build_serving_database
from ingest.keys import DEMO_KEY
from ingest.workspace import quarantine_path, sweep_stale
from tests.fixtures.serving import make_rows, write_csv_extract


def _previous_build(folder: Path) -> tuple[Path, bytes, bytes]:
    extract = write_csv_extract(folder / "old.csv", make_rows([{}, {"postcode": ""}]))
    out = folder / "serving.duckdb"
    build_serving_database(extract, out, key=DEMO_KEY, progress=False)
    return out, out.read_bytes(), quarantine_path(out).read_bytes()


def _sigint_as_at_a_terminal() -> None:
    """Ctrl-C's default action in the child: a suite started as a background job (`make test &`,
    nohup) inherits SIGINT ignored, and the build then rightly ignores it too."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _start_build(extract: Path, out: Path) -> subprocess.Popen:
    env = dict(os.environ, CARE_ATLAS_DEBUG="")
    cli = Path(sys.executable).with_name("care-atlas")
    return subprocess.Popen(
        [str(cli), "build", "--extract", str(extract), "--out", str(out), "--demo-key", "--quiet"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        preexec_fn=_sigint_as_at_a_terminal,
    )


def _wait_until_working(proc: subprocess.Popen, out: Path, timeout: float = 60) -> Path:
    """The build's work folder once its working database has data in it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        for folder in out.parent.glob(f".{out.name}.build-*"):
            work = folder / "work.duckdb"
            if work.is_file() and work.stat().st_size > 1 << 20:
                return folder
        time.sleep(0.05)
    proc.kill()
    pytest.fail("the build never started working")


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_interrupted_build_leaves_previous_output(
    sig: signal.Signals, synth_extract: Path, tmp_path: Path
) -> None:
    out, old_db, old_quarantine = _previous_build(tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())
    proc = _start_build(synth_extract, out)
    _wait_until_working(proc, out)
    time.sleep(0.5)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert b"interrupted" in err and b"Traceback" not in err
    assert out.read_bytes() == old_db
    assert quarantine_path(out).read_bytes() == old_quarantine
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no temp files left


def test_killed_build_leaves_previous_output_and_is_swept(
    synth_extract: Path, tmp_path: Path
) -> None:
    out, old_db, old_quarantine = _previous_build(tmp_path)
    proc = _start_build(synth_extract, out)
    folder = _wait_until_working(proc, out)
    proc.kill()  # SIGKILL: no chance to clean up
    proc.communicate(timeout=60)
    assert out.read_bytes() == old_db
    assert quarantine_path(out).read_bytes() == old_quarantine
    assert folder.exists()
    assert sweep_stale(out) == [folder]  # the next build of this output removes it
    assert not folder.exists()


def test_failed_build_leaves_previous_output(tmp_path: Path) -> None:
    out, old_db, _ = _previous_build(tmp_path)
    bad = tmp_path / "bad.csv"
    bad.write_text("agreement_id\n1\n", encoding="utf-8")
    before = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(Exception, match="missing column"):
        build_serving_database(bad, out, key=DEMO_KEY, progress=False)
    assert out.read_bytes() == old_db
    assert sorted(p.name for p in tmp_path.iterdir()) == before
