"""``care-atlas audit`` on the shipped build of the small test extract, and its bad input."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from care_atlas.cli import main
from ingest.workspace import workspace_path

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def sampled_run(small_serving_db: Path, tmp_path_factory) -> tuple[int, Path]:
    html = tmp_path_factory.mktemp("audit") / "audit.html"
    code = main(["audit", "--db", str(small_serving_db), "--sample", "150", "--report", str(html)])
    return code, html


def test_the_workspace_beside_the_served_file_is_found(small_serving_db):
    assert workspace_path(small_serving_db).is_file()


def test_the_controls_recover_small_counts_on_the_shipped_build(sampled_run):
    code, html = sampled_run
    page = html.read_text()
    assert code in (0, 1)
    assert "<td>Protection off (identity ptable, threshold 0)</td><td>600</td><td>600</td>" in page
    free_form = re.search(r"<td>Free-form regions[^<]*</td><td>[\d,]+</td><td>([\d,]+)</td>", page)
    assert free_form and int(free_form.group(1).replace(",", "")) > 0


def test_the_report_is_self_contained_html_with_the_sample_stated(sampled_run):
    _, html = sampled_run
    page = html.read_text()
    assert page.startswith("<!DOCTYPE html>") and "<script" not in page
    assert "a random sample of 150 per measure" in page
    assert "Care Atlas cell-key noise" in page


def test_the_shipped_build_passes_the_audit(sampled_run):
    code, _ = sampled_run
    assert code == 0


def test_missing_files_and_bad_report_names_are_one_line_errors(tmp_path, capsys):
    assert main(["audit", "--db", str(tmp_path / "none.duckdb")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert main(["audit", "--db", "x.duckdb", "--report", str(tmp_path / "r.pdf")]) == 2
    assert "--report must end in" in capsys.readouterr().err


def test_noise_ptable_command_writes_the_table(tmp_path):
    out = tmp_path / "noise.csv"
    assert main(["noise-ptable", "--out", str(out)]) == 0
    assert out.read_text().startswith("pcv,ckey,pvalue")
