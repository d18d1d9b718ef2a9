"""A build that runs out of disk space says so plainly and leaves the previous build intact."""

from __future__ import annotations

import errno
from pathlib import Path

import duckdb
import pytest

import ingest.build
from care_atlas.cli import main
from tests.fixtures.serving import make_rows, write_csv_extract


def _no_space_from_python(*args: object, **kwargs: object) -> None:
    raise OSError(errno.ENOSPC, "No space left on device", "quarantine.csv")


def _no_space_from_duckdb(*args: object, **kwargs: object) -> None:
    raise duckdb.IOException(
        'IO Error: Could not write file "work.duckdb.wal": No space left on device'
    )


def _no_spill_space(*args: object, **kwargs: object) -> None:
    raise duckdb.OutOfMemoryException(
        "Out of Memory Error: failed to offload data block of size 256.0 KiB (1.2 GiB/1.2 GiB "
        "used). This limit was set by the 'max_temp_directory_size' setting."
    )


@pytest.mark.parametrize(
    ("target", "fail"),
    [
        ("write_quarantine", _no_space_from_python),
        ("register_geography", _no_space_from_duckdb),
        ("register_reference", _no_spill_space),
    ],
)
def test_disk_full_is_one_plain_line_and_the_old_build_stays(
    target: str,
    fail: object,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    extract = write_csv_extract(tmp_path / "x.csv", make_rows([{}, {}]))
    out = tmp_path / "serving.duckdb"
    assert (
        main(["build", "--extract", str(extract), "--out", str(out), "--demo-key", "--quiet"]) == 0
    )
    capsys.readouterr()
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}

    monkeypatch.setattr(ingest.build, target, fail)
    code = main(["build", "--extract", str(extract), "--out", str(out), "--demo-key", "--quiet"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "no space left on device" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before  # no work folder left


def test_other_failures_are_not_called_disk_full(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        raise OSError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(ingest.build, "write_quarantine", fail)
    extract = write_csv_extract(tmp_path / "x.csv", make_rows([{}]))
    with pytest.raises(PermissionError):
        ingest.build.build_serving_database(
            extract, tmp_path / "s.duckdb", key=ingest.build.DEMO_KEY, progress=False
        )
