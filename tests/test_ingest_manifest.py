"""Every row accounted for: the build's counts equal the generator's manifest, reason by reason."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from ingest.reasons import LAYOUT_CODES, QUARANTINE_CODES, REPAIR_CODES
from ingest.workspace import workspace_path


def _manifest(extract: Path) -> dict:
    return json.loads(extract.with_name(extract.name + ".manifest.json").read_text())


def _built(db: Path) -> tuple[dict[str, str], dict[str, int]]:
    # The exact counts are the workspace's: the served file holds no true count.
    with duckdb.connect(str(workspace_path(db)), read_only=True) as con:
        meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
        counts = dict(con.execute("SELECT reason, rows FROM build_summary").fetchall())
    return meta, counts


@pytest.mark.parametrize("size", ["demo", "small"])
def test_rows_read_equal_loaded_plus_quarantined_reason_by_reason(
    size: str, request: pytest.FixtureRequest
) -> None:
    extract: Path = request.getfixturevalue("synth_extract" if size == "demo" else "small_extract")
    db: Path = request.getfixturevalue("serving_db" if size == "demo" else "small_serving_db")
    manifest = _manifest(extract)
    meta, counts = _built(db)

    rows_read, loaded, quarantined = (
        int(meta[k]) for k in ("rows_read", "rows_loaded", "rows_quarantined")
    )
    assert rows_read == loaded + quarantined
    assert rows_read == manifest["rows"]
    assert quarantined == sum(manifest["quarantine"].values())
    for code in QUARANTINE_CODES:
        assert counts[code] == manifest["quarantine"].get(code, 0), code
    for code in REPAIR_CODES:
        assert counts[code] == manifest["repair"].get(code, 0), code
    assert sum(counts[c] for c in QUARANTINE_CODES) == quarantined
    # Every quarantine reason of a value occurs in the demo extract, so each rule is exercised
    # at scale (the generator writes well-formed files: no layout reasons).
    if size == "demo":
        assert all(counts[c] > 0 for c in QUARANTINE_CODES if c not in LAYOUT_CODES)


def test_quarantine_file_lists_every_quarantined_row(serving_db: Path) -> None:
    meta, counts = _built(serving_db)
    quarantine = serving_db.with_name(serving_db.name + ".quarantine.csv")
    with duckdb.connect() as con:
        by_reason = dict(
            con.execute(
                f"SELECT reason, count(*) FROM read_csv('{quarantine}', all_varchar = true) "
                "GROUP BY 1"
            ).fetchall()
        )
    assert sum(by_reason.values()) == int(meta["rows_quarantined"])
    assert by_reason == {c: counts[c] for c in QUARANTINE_CODES if counts[c]}


def test_meta_records_the_build(serving_db: Path, synth_extract: Path) -> None:
    import hashlib

    meta, _ = _built(serving_db)
    assert meta["synthetic"] == "true"  # from the manifest
    assert meta["key_is_demo"] == "true"
    assert meta["data_date"] == _manifest(synth_extract)["data_date"]
    assert meta["source_sha256"] == hashlib.sha256(synth_extract.read_bytes()).hexdigest()
    assert len(meta["key_id"]) == 12
    assert meta["h3_resolutions"] == "7,8"
    for key in ("build_id", "built_at", "code_version", "source_file"):
        assert meta[key]
