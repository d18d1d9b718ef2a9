"""The build attacks its own catalogue before publishing it (issue 21): the report is written
beside the served file; a catalogue of real data the audit recovers small counts from is not
published at all, and the previous files stay as they were."""

from __future__ import annotations

from pathlib import Path

import pytest

from care_atlas.errors import UserError
from care_atlas.ptables import identity_ptable, write_ptable
from ingest.audit_gate import audit_path
from ingest.build import build_serving_database
from ingest.keys import DEMO_KEY
from tests.fixtures.extract import cached_extract

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def extract() -> Path:
    return cached_extract(4_000, 3)


def test_the_audit_report_is_written_beside_the_published_file(extract, tmp_path):
    out = tmp_path / "serving.duckdb"
    summary = build_serving_database(
        extract, out, key=DEMO_KEY, key_is_demo=True, progress=False, audit=True
    )
    assert out.is_file()
    assert "attacked" in summary.audit and str(audit_path(out)) in summary.audit
    page = audit_path(out).read_text()
    assert page.startswith("<!DOCTYPE html>") and "sample" in page


def test_a_catalogue_of_real_data_that_leaks_is_not_published(extract, tmp_path):
    import shutil

    real = tmp_path / "extract.parquet"  # no synthetic manifest beside it: real data
    shutil.copy(extract, real)
    out = tmp_path / "serving.duckdb"
    out.write_text("the previous build")
    # No noise: published counts are the true ones, so totals minus parts give small ones away.
    ptable = write_ptable(identity_ptable(), tmp_path / "identity.csv")
    with pytest.raises(UserError, match="nothing was published"):
        build_serving_database(
            real,
            out,
            key=DEMO_KEY,
            key_is_demo=True,
            progress=False,
            ptable=ptable,
            audit=True,
        )
    assert out.read_text() == "the previous build"
    assert audit_path(out).is_file()
